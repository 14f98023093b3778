//! `--format github`: GitHub Actions workflow commands, one annotation per
//! finding: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=RULE::message`.
//!
//! GitHub shows at most 10 annotations of each level per step and drops the
//! rest silently. Every finding is still printed (the log keeps them all),
//! and when a level exceeds the limit a final `::notice::` says how many are
//! not shown as annotations.

use super::Report;
use crate::check::Severity;
use crate::report::github_escape::{escape_data, escape_property};

/// Annotations GitHub displays per level and step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

pub fn render(report: Report<'_>) -> String {
    let mut out = String::new();
    let mut per_level = [0usize; 3];
    for finding in report.findings {
        let (command, slot) = match finding.severity {
            Severity::Error => ("error", 0),
            Severity::Warning => ("warning", 1),
            Severity::Note => ("notice", 2),
        };
        per_level[slot] += 1;
        let mut properties = vec![
            format!("file={}", escape_property(finding.file())),
            format!("line={}", finding.line()),
            format!("col={}", finding.column()),
        ];
        if finding.end_line() >= finding.line() && finding.end_line() > 0 {
            properties.push(format!("endLine={}", finding.end_line()));
            if finding.end_line() == finding.line() && finding.end_column() > finding.column() {
                properties.push(format!("endColumn={}", finding.end_column()));
            }
        }
        properties.push(format!("title={}", escape_property(finding.rule.id())));
        let mut message = finding.message.clone();
        if let Some(resource) = &finding.resource {
            message.push_str(&format!(" [{}]", resource.display_name()));
        }
        if let Some(unit) = super::named_unit(finding) {
            message.push_str(&format!(" (in unit {})", super::unit_label(unit)));
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            escape_data(&message)
        ));
    }
    let hidden: usize = per_level
        .iter()
        .map(|n| n.saturating_sub(ANNOTATIONS_PER_LEVEL))
        .sum();
    if hidden > 0 {
        out.push_str(&format!(
            "::notice title=mz-presync::{}\n",
            escape_data(&format!(
                "{hidden} more findings than GitHub shows as annotations ({ANNOTATIONS_PER_LEVEL} per level per step): all {} are in this step's log; upload --format sarif to code scanning to see every one on the pull request",
                report.findings.len()
            ))
        ));
    }
    out
}
