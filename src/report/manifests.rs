//! The `manifests` output of `mz-presync render`, for humans: one line per
//! finding and a closing line, on stderr. The stream itself is the render
//! pipeline's (`crate::render`) and goes to stdout as it is.
//!
//! One finding per line (`file:line: rule: message`), because Argo CD shows
//! a failed plugin's stderr as one block of text in the Application's
//! conditions.

use crate::finding::{Finding, Severity};
use crate::render::Summary;

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

/// The closing line on stderr: what was printed, or why nothing was.
pub fn summary_line(summary: &Summary) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let files = plural(summary.inputs, "input", "inputs");
    if summary.errors == 0 {
        let mut line = format!(
            "mz-presync render: printed {} from {files}, {} converted",
            plural(summary.documents, "document", "documents"),
            plural(
                summary.converted,
                "Materialize object",
                "Materialize objects"
            ),
        );
        if summary.warnings > 0 {
            line.push_str(&format!(
                ", {}",
                plural(summary.warnings, "warning", "warnings")
            ));
        }
        line
    } else {
        format!(
            "mz-presync render: {} ({}) in {files}; printed nothing, so nothing is applied",
            plural(summary.errors, "error", "errors"),
            plural(summary.warnings, "warning", "warnings"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::ResourceRef;

    fn finding(line: usize, column: usize, pointer: &str) -> Finding {
        crate::render::testing::finding(line, column, pointer)
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
            summary_line(&Summary {
                inputs: 3,
                documents: 4,
                converted: 1,
                errors: 0,
                warnings: 1,
            }),
            "mz-presync render: printed 4 documents from 3 inputs, 1 Materialize object converted, 1 warning"
        );
        assert_eq!(
            summary_line(&Summary {
                inputs: 1,
                documents: 4,
                converted: 1,
                errors: 2,
                warnings: 0,
            }),
            "mz-presync render: 2 errors (0 warnings) in 1 input; printed nothing, so nothing is applied"
        );
    }
}
