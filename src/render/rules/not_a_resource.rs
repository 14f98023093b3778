//! `not-a-resource`: a document of the stream that is not a Kubernetes
//! object, which would make Argo CD refuse the whole stream.

use serde_json::Value;

use crate::finding::{Finding, Location, Position, Rule, RuleInfo, Scope, Severity, Span};
use crate::source::{DocumentSpan, SourceFile};

pub static RULE: RuleInfo = RuleInfo {
    id: "not-a-resource",
    severity: Severity::Error,
    scopes: &[Scope::Render],
    summary: "A document of the stream is not a Kubernetes object (a mapping with apiVersion and kind)",
    docs: "Argo CD applies the manifest stream a config management plugin prints as a whole: one document that is not a Kubernetes object (a scalar, a sequence, a mapping without apiVersion and kind, such as a Helm values file or a CI config that sits in the application's directory) makes the whole sync fail. `mz-presync render` refuses to print such a stream and names the document. Move the file out of the application's directory, or list it in a `.ignore` file next to it.",
    suppressible: false,
};

/// Whether the stream may carry `value`: a mapping with a non-empty
/// `apiVersion` and `kind` that a cluster serves.
pub fn is_resource(value: &Value) -> bool {
    let text = |field: &str| {
        value
            .get(field)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    value.is_object() && text("apiVersion") && text("kind") && !is_kustomize_input(value)
}

/// Kustomize's own files have `apiVersion` and `kind` but are build input,
/// not objects any cluster serves.
fn is_kustomize_input(value: &Value) -> bool {
    value
        .get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("kustomize.config.k8s.io/"))
}

/// The error for `document` of `file`, whose value is `value`, at the
/// document's first line; the message says what to render first when the
/// document is the input of a tool (a kustomization, a chart).
pub fn finding(file: &SourceFile, document: &DocumentSpan, value: &Value) -> Finding {
    let start = file.position(document.content_start);
    let line_end = file.line_text(start.line).chars().count() + 1;
    let number = document.index + 1;
    let name = file.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let message = if is_kustomize_input(value) {
        format!(
            "document {number} is a kustomization, the input of `kustomize build`, not a Kubernetes \
             object; render the directory first (`kustomize build DIR | mz-presync render -`, which \
             the Argo CD plugin does when the kustomization is in the application's directory)"
        )
    } else if name == "Chart.yaml" {
        "this is a Helm chart's Chart.yaml, not a Kubernetes object; render the chart first \
         (`helm template RELEASE CHART | mz-presync render -`, which the Argo CD plugin does when \
         Chart.yaml is in the application's directory)"
            .to_owned()
    } else {
        let what = match value {
            Value::Object(_) => "a mapping without apiVersion and kind",
            Value::Array(_) => "a sequence",
            _ => "a scalar",
        };
        format!(
            "document {number} is {what}, not a Kubernetes object, and Argo CD would refuse the \
             whole stream; move this file out of the application's directory or list it in a \
             .ignore file"
        )
    };
    let end = Position {
        line: start.line,
        column: line_end.max(start.column + 1),
    };
    Finding::new(
        Rule::new(&RULE),
        Location::at(
            file.display.clone(),
            Some(document.index),
            Span { start, end },
        ),
        message,
    )
}
