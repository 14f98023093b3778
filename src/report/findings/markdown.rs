//! `--format markdown`: a block for a pull-request comment or a job summary
//! (the GitHub Action puts it first in its summary, as the binary wrote it).
//! One verdict line with the counts, then a table of the first errors and
//! warnings; notes are only counted. The rest is in the other formats, so the
//! block stays short enough for a comment however many findings there are.

use std::fmt::Write as _;

use super::{Report, summary_line};
use crate::check::Severity;

/// Findings listed in the table; the verdict line counts all of them.
pub const LISTED: usize = 20;

pub fn render(report: Report<'_>) -> String {
    let summary = report.summary;
    let mut out = String::new();
    let icon = if summary.errors > 0 { "❌" } else { "✅" };
    let what = if report.paths.is_empty() {
        "**validate**".to_owned()
    } else {
        let paths: Vec<String> = report.paths.iter().map(|p| code(p)).collect();
        format!("**validate** {}", paths.join(" "))
    };
    let _ = writeln!(
        out,
        "{icon} {what}: {}",
        plain(&summary_line(summary, report.operator))
    );

    let shown: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Note)
        .collect();
    if shown.is_empty() {
        return out;
    }
    out.push_str("\n| severity | where | rule | message |\n|---|---|---|---|\n");
    for finding in shown.iter().take(LISTED) {
        let mut message = finding.message.clone();
        if let Some(resource) = &finding.resource {
            let _ = write!(message, " [{}]", resource.display_name());
        }
        if let Some(unit) = super::named_unit(finding) {
            let _ = write!(message, " (in unit {})", super::unit_label(unit));
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            finding.severity,
            code(&format!(
                "{}:{}:{}",
                finding.file(),
                finding.line(),
                finding.column()
            )),
            code(finding.rule.id()),
            plain(&message)
        );
    }
    let more = shown.len().saturating_sub(LISTED);
    if more > 0 {
        let what = if more == 1 {
            "1 more error or warning is".to_owned()
        } else {
            format!("{more} more errors and warnings are")
        };
        let _ = writeln!(
            out,
            "\n{what} not listed here; every finding is in `--format github` (annotations), `json` and `sarif`."
        );
    }
    out
}

/// Text for a table cell: one line, no raw pipes, no HTML.
fn plain(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

/// Inline code for a table cell. A backtick cannot be escaped inside a code
/// span, so it becomes a quote; a pipe still needs its backslash in a table.
fn code(text: &str) -> String {
    let text = text
        .replace(['\r', '\n'], " ")
        .replace('`', "'")
        .replace('|', "\\|");
    format!("`{text}`")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::check::{Finding, Summary};
    use crate::crd::Operator;
    use crate::finding::{Location, Position, ResourceRef, Rule, Span};

    fn finding(severity: Severity, line: usize, message: &str) -> Finding {
        let span = Span::at(Position { line, column: 3 }, 4);
        let location = Location::at("clusters/prod/mz.yaml".into(), Some(0), span);
        Finding::new(
            Rule::new(&crate::check::schema::RULE),
            location,
            message.into(),
        )
        .with_severity(severity)
    }

    fn report(findings: &[Finding], summary: &Summary, paths: &[String]) -> String {
        let sources = BTreeMap::new();
        render(Report {
            findings,
            summary,
            sources: &sources,
            operator: Operator::Design,
            paths,
        })
    }

    #[test]
    fn no_errors_is_one_line_naming_the_paths() {
        let summary = Summary {
            files: 3,
            documents: 4,
            resources: 2,
            ..Summary::default()
        };
        let out = report(
            &[finding(Severity::Note, 1, "a note")],
            &summary,
            &["clusters".into(), "a|b".into()],
        );
        assert_eq!(
            out,
            "✅ **validate** `clusters` `a\\|b`: 3 files, 4 documents, 2 Materialize resources: 0 errors, 0 warnings, 0 notes (operator: design)\n"
        );
    }

    #[test]
    fn errors_and_warnings_are_listed_in_a_table_and_cut_after_the_first_twenty() {
        let mut findings = vec![
            finding(
                Severity::Error,
                10,
                "`Bogus` is not one of <Rolling|Manual>\nsee docs",
            )
            .with_resource(ResourceRef {
                api_version: "materialize.cloud/v1alpha2".into(),
                namespace: Some("prod".into()),
                name: Some("mz".into()),
            }),
        ];
        findings.extend((0..LISTED).map(|i| finding(Severity::Warning, 20 + i, "w")));
        let summary = Summary {
            files: 1,
            documents: 1,
            resources: 1,
            errors: 1,
            warnings: LISTED,
            notes: 0,
        };
        let out = report(&findings, &summary, &[]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "❌ **validate**: 1 file, 1 document, 1 Materialize resource: 1 error, 20 warnings, 0 notes (operator: design)"
        );
        assert_eq!(lines[2], "| severity | where | rule | message |");
        assert_eq!(
            lines[4],
            "| error | `clusters/prod/mz.yaml:10:3` | `schema` | `Bogus` is not one of &lt;Rolling\\|Manual&gt; see docs [prod/mz] |"
        );
        assert_eq!(lines.len(), 4 + LISTED + 2);
        assert_eq!(
            lines.last().unwrap(),
            &"1 more error or warning is not listed here; every finding is in `--format github` (annotations), `json` and `sarif`."
        );
    }
}
