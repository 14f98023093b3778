//! The `manifests` output of `mz-presync render`: the stream of documents a
//! GitOps tool applies, and the one-line findings it shows when there is none.
//!
//! Argo CD applies whatever a config management plugin prints on stdout and,
//! with pruning, deletes what it does not print. So the stream is all or
//! nothing: the caller assembles it here, in memory, and prints it only when
//! no finding is an error. Everything for humans goes to stderr, one finding
//! per line (`file:line: rule: message`), because Argo CD shows a failed
//! plugin's stderr as one block of text in the Application's conditions.
//!
//! Stream rules:
//!
//! * every non-empty document of every input, in input order, each exactly
//!   as written in its file (comments, quoting, key order and line endings
//!   kept), except the Materialize objects the migration converted;
//! * documents holding only comments, blank lines or `null` are dropped, as
//!   Argo CD drops them; a `...` end marker is dropped with its document's
//!   separator, since `---` lines separate the output;
//! * documents of `.json` files are written as one-line JSON: JSON's own
//!   layout (tab indentation in particular) is not always valid YAML, and the
//!   output is a YAML stream;
//! * when the first document starts with `{` or `[`, the stream starts with
//!   `---`: Kubernetes' YAML-or-JSON decoder, which Argo CD uses to split the
//!   output, would otherwise read the whole stream as JSON;
//! * the stream ends with a newline.

use std::borrow::Cow;

use rayon::prelude::*;
use serde_json::Value;

use crate::check::{Finding, RuleInfo, Severity};
use crate::check::{unreadable_file as unreadable_rule, yaml_syntax};
use crate::finding::{Location, Rule, Scope, Span};
use crate::source::{self, DocumentIndex, DocumentSpan, FileFormat, SourceFile, Target};

/// A document that is not a Kubernetes object (a mapping with `apiVersion`
/// and `kind`): Argo CD would refuse the whole stream.
pub const NOT_A_RESOURCE: &str = "not-a-resource";

/// The inputs held no document at all: printing nothing would make Argo CD
/// prune every resource of the Application.
pub const EMPTY_STREAM: &str = "empty-stream";

/// The migration refused a file (its own safety check failed, or it cannot
/// edit the text): printing the file unconverted would apply v1alpha1.
pub const CONVERSION_FAILED: &str = "conversion-failed";

/// A file found inside a directory could not be read.
pub const UNREADABLE_FILE: &str = "unreadable-file";

/// The checks `render` adds to `validate`'s rules (distinct ids, so that
/// `explain` can list them all).
pub const RULES: &[RuleInfo] = &[
    RuleInfo {
        id: NOT_A_RESOURCE,
        severity: Severity::Error,
        scopes: &[Scope::Render],
        summary: "A document of the stream is not a Kubernetes object (a mapping with apiVersion and kind)",
        docs: "Argo CD applies the manifest stream a config management plugin prints as a whole: one document that is not a Kubernetes object (a scalar, a sequence, a mapping without apiVersion and kind, such as a Helm values file or a CI config that sits in the application's directory) makes the whole sync fail. `mz-presync render` refuses to print such a stream and names the document. Move the file out of the application's directory, or list it in a `.ignore` file next to it.",
        suppressible: true,
    },
    RuleInfo {
        id: EMPTY_STREAM,
        severity: Severity::Error,
        scopes: &[Scope::Render],
        summary: "The inputs hold no Kubernetes object at all",
        docs: "An empty manifest stream tells Argo CD that the application has no resources: a sync with pruning then deletes every resource it manages, the Materialize instance included (automated sync refuses to prune everything unless `allowEmpty` is set; a manual sync with prune does not refuse). An empty result is far more often a mistake (a wrong path, a kustomize overlay that filtered everything out, a Helm condition) than an intent, so `mz-presync render` fails instead of printing nothing. Pass `--allow-empty` (or set MZ_PRESYNC_ALLOW_EMPTY in the plugin) when an empty application is what you mean.",
        suppressible: true,
    },
    RuleInfo {
        id: CONVERSION_FAILED,
        severity: Severity::Error,
        scopes: &[Scope::Render],
        summary: "A file could not be converted in memory to the target apiVersion",
        docs: "`mz-presync render` converts v1alpha1 objects to the target version before printing them, with the same text-preserving edit and the same safety check as `mz-presync migrate` (the result must read back as the converted object, with the same rollout hash). When that check fails or the text cannot be edited (keys reached through aliases or merge keys, for instance), printing the file unconverted would apply v1alpha1 to the cluster, so the stream fails closed. Run `mz-presync migrate --diff` on the file to see why, and migrate it in the repository.",
        suppressible: true,
    },
];

/// The rule with this id among [`RULES`].
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|rule| rule.id == id)
}

/// One input after conversion.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The file as read. Findings are reported against it, so that a line
    /// number is one the user can open in the repository.
    pub original: SourceFile,
    /// The converted text, when the migration changed the file.
    pub converted: Option<SourceFile>,
}

impl Rendered {
    pub fn unchanged(original: SourceFile) -> Rendered {
        Rendered {
            original,
            converted: None,
        }
    }

    /// What goes to the stream.
    pub fn output(&self) -> &SourceFile {
        self.converted.as_ref().unwrap_or(&self.original)
    }
}

/// The assembled stream of all inputs.
#[derive(Debug, Default)]
pub struct Stream {
    /// The text to print when there is no error finding (`""` when there is
    /// no document).
    pub text: String,
    /// Documents in `text`.
    pub documents: usize,
    /// One `not-a-resource` error per document that is not a Kubernetes
    /// object, located in the original file.
    pub findings: Vec<Finding>,
    /// One error per document that does not parse: the caller keeps those
    /// for files the check engine did not already report an error in.
    pub unparsable: Vec<Finding>,
}

/// Assemble the stream of `files`, in the order given. Files are read in
/// parallel; the stream is joined in order.
pub fn assemble(files: &[Rendered]) -> Stream {
    let parts: Vec<FilePart> = files.par_iter().map(file_part).collect();
    let mut stream = Stream::default();
    for part in parts {
        for text in &part.documents {
            push_document(&mut stream, text);
        }
        stream.findings.extend(part.findings);
        stream.unparsable.extend(part.unparsable);
    }
    stream
}

/// One file's share of the stream.
struct FilePart<'f> {
    documents: Vec<Cow<'f, str>>,
    findings: Vec<Finding>,
    unparsable: Vec<Finding>,
}

fn file_part(rendered: &Rendered) -> FilePart<'_> {
    let output = rendered.output();
    let output_documents = output.documents();
    let original_documents = rendered.original.documents();
    let mut part = FilePart {
        documents: Vec::new(),
        findings: Vec::new(),
        unparsable: Vec::new(),
    };
    for document in &output_documents {
        if document.is_empty() {
            continue;
        }
        // A document that does not parse is normally reported by the check
        // engine (`yaml-syntax`, `template-skipped`); `unparsable` makes sure
        // the stream fails even where a suppression silenced it.
        let value = match source::parse_document(output, document) {
            Ok(value) => value,
            Err(error) => {
                part.unparsable.push(unparsable(output, document, &error));
                None
            }
        };
        if value.as_ref().is_some_and(Value::is_null) {
            continue;
        }
        if let Some(value) = &value
            && !is_resource(value)
        {
            let (file, located) = original_documents
                .get(document.index)
                .filter(|_| original_documents.len() == output_documents.len())
                .map_or((output, document), |d| (&rendered.original, d));
            part.findings.push(not_a_resource(file, located, value));
        }
        let text = match (&value, output.format) {
            (Some(value), FileFormat::Json) => {
                let mut json = serde_json::to_string(value).unwrap_or_default();
                json.push('\n');
                Cow::Owned(json)
            }
            _ => Cow::Borrowed(document_text(output, document)),
        };
        part.documents.push(text);
    }
    part
}

fn push_document(stream: &mut Stream, text: &str) {
    if stream.documents == 0 {
        let first = text
            .lines()
            .map(str::trim_start)
            .find(|line| !line.is_empty() && !line.starts_with('#'));
        if first.is_some_and(|line| line.starts_with(['{', '['])) {
            stream.text.push_str("---\n");
        }
    } else {
        stream.text.push_str("---\n");
    }
    stream.text.push_str(text);
    if !text.ends_with('\n') {
        stream.text.push('\n');
    }
    stream.documents += 1;
}

/// A document's bytes without its `...` end marker.
fn document_text<'f>(file: &'f SourceFile, document: &DocumentSpan) -> &'f str {
    let end = document
        .end_marker
        .as_ref()
        .map_or(document.range.end, |marker| marker.start);
    file.text.get(document.range.start..end).unwrap_or("")
}

/// Kustomize's own files have `apiVersion` and `kind` but are build input,
/// not objects any cluster serves.
fn is_kustomize_input(value: &Value) -> bool {
    value
        .get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("kustomize.config.k8s.io/"))
}

fn is_resource(value: &Value) -> bool {
    let text = |field: &str| {
        value
            .get(field)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    value.is_object() && text("apiVersion") && text("kind") && !is_kustomize_input(value)
}

fn not_a_resource(file: &SourceFile, document: &DocumentSpan, value: &Value) -> Finding {
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
    let end = source::Position {
        line: start.line,
        column: line_end.max(start.column + 1),
    };
    let span = Span { start, end };
    let location = Location::at(file.display.clone(), Some(document.index), span);
    Finding::new(Rule::new(&RULES[0]), location, message)
}

fn unparsable(file: &SourceFile, document: &DocumentSpan, error: &source::ParseError) -> Finding {
    let start = error
        .position()
        .unwrap_or_else(|| file.position(document.content_start));
    let location = Location::at(
        file.display.clone(),
        Some(document.index),
        Span::at(start, 1),
    );
    let message = format!("document {} cannot be read: {error}", document.index + 1);
    Finding::new(Rule::new(&yaml_syntax::RULE), location, message)
}

/// The error for a stream with no document.
pub fn empty_stream(inputs: &[String]) -> Finding {
    let place = match inputs {
        [] => "the input".to_owned(),
        [one] => one.clone(),
        many => many.join(", "),
    };
    let file = inputs.first().cloned().unwrap_or_else(|| "-".into());
    let start = source::Position { line: 1, column: 1 };
    Finding::new(
        Rule::new(&RULES[1]),
        Location::at(file, None, Span::at(start, 0)),
        format!(
            "no Kubernetes object found in {place}; an empty stream would make Argo CD prune every \
             resource of the application, so this is an error (pass --allow-empty if that is intended)"
        ),
    )
}

/// The error for a file the migration could not convert.
pub fn conversion_failed(
    file: &SourceFile,
    reason: &str,
    position: Option<source::Position>,
) -> Finding {
    let start = position.unwrap_or(source::Position { line: 1, column: 1 });
    Finding::new(
        Rule::new(&RULES[2]),
        Location::at(file.display.clone(), None, Span::at(start, 1)),
        format!(
            "cannot convert this file in memory: {reason}; run `mz-presync migrate` on it to see the details"
        ),
    )
}

/// The error for a file found inside a directory that cannot be read (binary,
/// not UTF-8, too large, a bad link): leaving it out would drop its objects
/// from the stream.
pub fn unreadable_file(error: &source::ReadError) -> Finding {
    let text = error.to_string();
    let prefix = format!("{}: ", error.path().display());
    let reason = text.strip_prefix(&prefix).unwrap_or(&text);
    let hint = match error {
        source::ReadError::TooLarge { .. } => "raise --max-file-size if it is a manifest",
        _ => "fix it, or exclude it with .gitignore or .ignore if it is not a manifest",
    };
    let start = source::Position { line: 1, column: 1 };
    Finding::new(
        Rule::new(&unreadable_rule::RULE),
        Location::at(source::display_path(error.path()), None, Span::at(start, 0)),
        format!("cannot read this file: {reason}; {hint}"),
    )
}

/// Add each of `extra` unless its file already has an error in `findings`:
/// a stream fails on one reason per file as well as on two.
pub fn add_unless_failed(findings: &mut Vec<Finding>, extra: Vec<Finding>) {
    for finding in extra {
        let failed = findings
            .iter()
            .any(|f| f.severity == Severity::Error && f.file() == finding.file());
        if !failed {
            findings.push(finding);
        }
    }
}

/// Sort findings as the stream is ordered: by input (`order` holds the
/// display names in stream order; other files go last, by name), then
/// line, column and rule.
pub fn sort_findings(findings: &mut [Finding], order: &[&str]) {
    let rank = |file: &str| order.iter().position(|o| *o == file).unwrap_or(usize::MAX);
    findings.sort_by(|a, b| {
        (rank(a.file()), a.file(), a.line(), a.column(), a.rule).cmp(&(
            rank(b.file()),
            b.file(),
            b.line(),
            b.column(),
            b.rule,
        ))
    });
}

/// Move a finding reported against the converted text of `rendered` to the
/// same JSON pointer in the original file. The migration edits inside
/// documents and never adds or removes one, so document `i` of the converted
/// text is document `i` of the original. A pointer the original lacks (a
/// value the conversion created, such as the IAM role annotation) lands on
/// its deepest existing ancestor.
pub fn relocate(finding: &mut Finding, rendered: &Rendered) {
    let Some(converted) = &rendered.converted else {
        return;
    };
    let converted_documents = converted.documents();
    let original_documents = rendered.original.documents();
    if converted_documents.len() != original_documents.len() {
        return;
    }
    let Some(offset) = converted.offset(source::Position {
        line: finding.line(),
        column: finding.column(),
    }) else {
        return;
    };
    let Some(converted_document) = converted_documents
        .iter()
        .find(|d| d.range.start <= offset && offset < d.range.end.max(d.range.start + 1))
    else {
        return;
    };
    let original_document = &original_documents[converted_document.index];

    // Which end of a mapping entry the finding points at (its key for an
    // unknown field, its value for a wrong value) is read off the converted
    // location, so the original gets the same.
    let converted_index = DocumentIndex::new(converted, converted_document);
    let at_key = converted_index
        .locate(finding.pointer(), Target::Key)
        .is_some_and(|l| l.start.line == finding.line() && l.start.column == finding.column());
    let target = if at_key { Target::Key } else { Target::Value };
    let original_index = DocumentIndex::new(&rendered.original, original_document);
    let Some(mut located) = original_index.locate(finding.pointer(), target) else {
        return;
    };
    if !located.exact {
        // The ancestor's key reads as "in here"; its value could start on
        // an unrelated line.
        if let Some(key) = original_index.locate(&located.found_pointer, Target::Key) {
            located = key;
        }
    }
    finding.location.span = Some(Span {
        start: located.start,
        end: located.end,
    });
}

/// `file:line: rule: message (context)`: one line per finding, the form
/// compilers use, so that it reads well in Argo CD's conditions and in a
/// terminal alike. Warnings and notes say so after the rule. The context
/// names the resource and the JSON pointer, because for a rendered stream
/// (`kustomize build …`) the line is one of the tool's output, not of a file.
pub fn finding_line(finding: &Finding) -> String {
    let severity = match finding.severity {
        Severity::Error => String::new(),
        other => format!(" ({other})"),
    };
    let message = single_line(&finding.message);
    let mut context = Vec::new();
    if let Some(resource) = &finding.resource {
        let kind = if resource.api_version.starts_with("materialize.cloud/") {
            "Materialize "
        } else {
            ""
        };
        context.push(format!("{kind}{}", resource.display_name()));
    }
    if !finding.pointer().is_empty() {
        context.push(finding.pointer().to_owned());
    }
    let context = if context.is_empty() {
        String::new()
    } else {
        format!(" ({})", context.join(", "))
    };
    format!(
        "{}:{}: {}{severity}: {message}{context}",
        finding.file(),
        finding.line(),
        finding.rule
    )
}

/// Argo CD shows stderr as it is; a message with a line break would look
/// like two findings.
fn single_line(message: &str) -> String {
    if message.contains(['\n', '\r']) {
        message
            .split(['\n', '\r'])
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        message.to_owned()
    }
}

/// The closing line on stderr.
pub fn summary_line(
    printed: bool,
    documents: usize,
    files: usize,
    converted: usize,
    errors: usize,
    warnings: usize,
) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let files = plural(files, "input", "inputs");
    if printed {
        let mut line = format!(
            "mz-presync render: printed {} from {files}, {} converted",
            plural(documents, "document", "documents"),
            plural(converted, "Materialize object", "Materialize objects"),
        );
        if warnings > 0 {
            line.push_str(&format!(", {}", plural(warnings, "warning", "warnings")));
        }
        line
    } else {
        format!(
            "mz-presync render: {} ({}) in {files}; printed nothing, so nothing is applied",
            plural(errors, "error", "errors"),
            plural(warnings, "warning", "warnings"),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::check::ResourceRef;

    fn yaml(display: &str, text: &str) -> SourceFile {
        SourceFile::from_text(
            display,
            PathBuf::from(display),
            text.into(),
            FileFormat::Yaml,
        )
    }

    fn json(display: &str, text: &str) -> SourceFile {
        SourceFile::from_text(
            display,
            PathBuf::from(display),
            text.into(),
            FileFormat::Json,
        )
    }

    fn finding(line: usize, column: usize, pointer: &str) -> Finding {
        let start = source::Position { line, column };
        let mut location = Location::at("mz.yaml".into(), Some(0), Span::at(start, 1));
        location.pointer = pointer.into();
        let schema = crate::check::rule("schema").expect("validate has a schema rule");
        Finding::new(Rule::new(schema), location, "bad".into())
    }

    #[test]
    fn documents_are_copied_byte_for_byte_and_separated() {
        let a = yaml(
            "a.yaml",
            "# header comment\napiVersion: v1\nkind: Namespace   # trailing\nmetadata: {name: ns}\n---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 'quoted'\n...\n",
        );
        let b = yaml(
            "b.yaml",
            "apiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: s\r\n",
        );
        let stream = assemble(&[Rendered::unchanged(a), Rendered::unchanged(b)]);
        assert_eq!(
            stream.text,
            "# header comment\napiVersion: v1\nkind: Namespace   # trailing\nmetadata: {name: ns}\n\
             ---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 'quoted'\n\
             ---\napiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: s\r\n"
        );
        assert_eq!(stream.documents, 3);
        assert!(stream.findings.is_empty());
    }

    #[test]
    fn converted_text_replaces_the_original() {
        let rendered = Rendered {
            original: yaml(
                "mz.yaml",
                "apiVersion: materialize.cloud/v1alpha1\nkind: Materialize\n",
            ),
            converted: Some(yaml(
                "mz.yaml",
                "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\n",
            )),
        };
        assert_eq!(
            assemble(&[rendered]).text,
            "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\n"
        );
    }

    #[test]
    fn a_missing_final_newline_is_added_and_a_bom_dropped() {
        let stream = assemble(&[Rendered::unchanged(yaml(
            "a.yaml",
            "\u{feff}apiVersion: v1\nkind: Namespace",
        ))]);
        assert_eq!(stream.text, "apiVersion: v1\nkind: Namespace\n");
    }

    #[test]
    fn null_and_empty_documents_are_dropped() {
        let stream = assemble(&[Rendered::unchanged(yaml(
            "a.yaml",
            "---\n---\n~\n---\n# c\n---\napiVersion: v1\nkind: Namespace\n---\n",
        ))]);
        assert_eq!(stream.text, "apiVersion: v1\nkind: Namespace\n");
        assert_eq!(stream.documents, 1);
    }

    #[test]
    fn json_documents_become_one_line_and_a_leading_one_gets_a_separator() {
        let stream = assemble(&[
            Rendered::unchanged(json(
                "a.json",
                "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Namespace\"\n}\n",
            )),
            Rendered::unchanged(yaml("b.yaml", "apiVersion: v1\nkind: Secret\n")),
        ]);
        assert_eq!(
            stream.text,
            "---\n{\"apiVersion\":\"v1\",\"kind\":\"Namespace\"}\n---\napiVersion: v1\nkind: Secret\n"
        );
    }

    #[test]
    fn a_leading_flow_mapping_in_yaml_also_gets_a_separator() {
        let stream = assemble(&[Rendered::unchanged(yaml(
            "a.yaml",
            "# c\n{apiVersion: v1, kind: Namespace}\n",
        ))]);
        assert_eq!(stream.text, "---\n# c\n{apiVersion: v1, kind: Namespace}\n");
    }

    #[test]
    fn documents_that_are_not_objects_are_errors_at_their_first_line() {
        let stream = assemble(&[Rendered::unchanged(yaml(
            "values.yaml",
            "apiVersion: v1\nkind: Namespace\n---\n# values for a chart\nreplicas: 3\n---\n- a\n",
        ))]);
        let places: Vec<(usize, usize, &str)> = stream
            .findings
            .iter()
            .map(|f| (f.line(), f.column(), f.rule.id()))
            .collect();
        assert_eq!(places, [(5, 1, NOT_A_RESOURCE), (7, 1, NOT_A_RESOURCE)]);
        assert!(
            stream.findings[0]
                .message
                .contains("document 2 is a mapping without apiVersion")
        );
        assert!(stream.findings[1].message.contains("a sequence"));
    }

    #[test]
    fn kustomizations_and_charts_say_to_render_first() {
        let stream = assemble(&[
            Rendered::unchanged(yaml(
                "base/kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n",
            )),
            Rendered::unchanged(yaml(
                "chart/Chart.yaml",
                "apiVersion: v2\nname: x\nversion: 0.1.0\n",
            )),
        ]);
        let messages: Vec<&str> = stream.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 2);
        assert!(
            messages[0].contains("kustomize build DIR | mz-presync render -"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].contains("helm template RELEASE CHART"),
            "{}",
            messages[1]
        );
    }

    #[test]
    fn empty_stream_names_the_inputs_and_the_flag() {
        let f = empty_stream(&["apps/".into()]);
        assert_eq!(f.rule, EMPTY_STREAM);
        assert_eq!(f.severity, Severity::Error);
        assert!(f.message.contains("no Kubernetes object found in apps/"));
        assert!(f.message.contains("--allow-empty"));
    }

    #[test]
    fn findings_move_back_to_the_original_lines() {
        let original = yaml(
            "mz.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n---\napiVersion: materialize.cloud/v1alpha1\nkind: Materialize\nspec:\n  requestRollout: 11111111-1111-1111-1111-111111111111\n  inPlaceRollout: false\n  rolloutStrategy: Bogus\n  bogusField: 1\n",
        );
        let converted = yaml(
            "mz.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n---\napiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nspec:\n  rolloutStrategy: Bogus\n  bogusField: 1\n",
        );
        let rendered = Rendered {
            original,
            converted: Some(converted),
        };
        // A value finding on line 8 col 20 of the converted text.
        let mut value = finding(8, 20, "/spec/rolloutStrategy");
        relocate(&mut value, &rendered);
        assert_eq!(
            (value.line(), value.column(), value.end_column()),
            (10, 20, 25)
        );
        // A key finding on line 9 col 3.
        let mut key = finding(9, 3, "/spec/bogusField");
        relocate(&mut key, &rendered);
        assert_eq!((key.line(), key.column()), (11, 3));
    }

    #[test]
    fn a_pointer_the_original_lacks_lands_on_its_ancestor() {
        let rendered = Rendered {
            original: yaml(
                "mz.yaml",
                "kind: Materialize\nspec:\n  environmentdIamRoleArn: arn\n",
            ),
            converted: Some(yaml(
                "mz.yaml",
                "kind: Materialize\nspec:\n  serviceAccountAnnotations:\n    eks.amazonaws.com/role-arn: arn\n",
            )),
        };
        let mut f = finding(
            4,
            33,
            "/spec/serviceAccountAnnotations/eks.amazonaws.com~1role-arn",
        );
        relocate(&mut f, &rendered);
        assert_eq!(f.line(), 2);
    }

    #[test]
    fn unchanged_files_keep_their_locations() {
        let mut f = finding(3, 4, "/spec/x");
        relocate(&mut f, &Rendered::unchanged(yaml("a.yaml", "a: 1\n")));
        assert_eq!((f.line(), f.column()), (3, 4));
    }

    #[test]
    fn extra_findings_are_added_only_for_files_without_an_error() {
        let mut findings = vec![finding(1, 1, "")];
        let mut warning = finding(2, 1, "");
        warning.severity = Severity::Warning;
        warning.location.file = "other.yaml".into();
        findings.push(warning);
        let mut same_file = finding(3, 1, "");
        same_file.rule = Rule::new(&yaml_syntax::RULE);
        let mut other_file = same_file.clone();
        other_file.location.file = "other.yaml".into();
        add_unless_failed(&mut findings, vec![same_file, other_file]);
        let added: Vec<(&str, &str)> = findings[2..]
            .iter()
            .map(|f| (f.file(), f.rule.id()))
            .collect();
        assert_eq!(added, [("other.yaml", "yaml-syntax")]);
    }

    #[test]
    fn findings_sort_by_stream_order_then_line() {
        let at = |file: &str, line: usize| {
            let mut finding = finding(line, 1, "");
            finding.location.file = file.into();
            finding
        };
        let mut findings = vec![
            at("a.yaml", 9),
            at("-", 3),
            at("zz.yaml", 1),
            at("a.yaml", 2),
        ];
        sort_findings(&mut findings, &["-", "a.yaml"]);
        let order: Vec<(&str, usize)> = findings.iter().map(|f| (f.file(), f.line())).collect();
        assert_eq!(
            order,
            [("-", 3), ("a.yaml", 2), ("a.yaml", 9), ("zz.yaml", 1)]
        );
    }

    #[test]
    fn unreadable_files_are_errors_without_the_path_twice() {
        let error = source::ReadError::Binary {
            path: PathBuf::from("dir/blob.yaml"),
        };
        let f = unreadable_file(&error);
        assert_eq!(f.rule, UNREADABLE_FILE);
        assert_eq!(f.file(), "dir/blob.yaml");
        assert!(
            f.message.starts_with("cannot read this file: binary file"),
            "{}",
            f.message
        );
    }

    #[test]
    fn finding_lines_read_file_line_rule_message() {
        let mut f = finding(17, 20, "/spec/rolloutStrategy");
        f.message = "\"Bogus\" is not one of WaitUntilReady, ManuallyPromote\nsecond line".into();
        f.resource = Some(ResourceRef {
            api_version: "materialize.cloud/v1alpha2".into(),
            namespace: Some("prod".into()),
            name: Some("mz".into()),
        });
        assert_eq!(
            finding_line(&f),
            "mz.yaml:17: schema: \"Bogus\" is not one of WaitUntilReady, ManuallyPromote second line (Materialize prod/mz, /spec/rolloutStrategy)"
        );
        f.severity = Severity::Warning;
        f.resource = None;
        f.location.pointer.clear();
        f.message = "careful".into();
        assert_eq!(finding_line(&f), "mz.yaml:17: schema (warning): careful");
    }

    #[test]
    fn summary_lines() {
        assert_eq!(
            summary_line(true, 4, 3, 1, 0, 1),
            "mz-presync render: printed 4 documents from 3 inputs, 1 Materialize object converted, 1 warning"
        );
        assert_eq!(
            summary_line(false, 4, 1, 1, 2, 0),
            "mz-presync render: 2 errors (0 warnings) in 1 input; printed nothing, so nothing is applied"
        );
    }
}
