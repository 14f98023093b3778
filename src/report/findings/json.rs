//! `--format json`: the stable, versioned machine format.
//!
//! ```json
//! {"version": 1,
//!  "operator": "design" | "released",
//!  "findings": [{"rule", "severity", "file", "line", "column", "pointer", "message",
//!                "resource": {"apiVersion", "namespace", "name"} | null,
//!                "unit": {"kind", "name", "path"} | null}],
//!  "summary": {"files", "documents", "resources", "errors", "warnings", "notes"}}
//! ```

use serde::Serialize;

use super::Report;
use crate::check::{ResourceRef, Summary};
use crate::crd::Operator;
use crate::source::UnitRef;

/// Bumped only when a field changes meaning or disappears.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    operator: Operator,
    findings: Vec<JsonRecord<'a>>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct JsonRecord<'a> {
    rule: &'a str,
    severity: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    pointer: &'a str,
    message: &'a str,
    resource: Option<&'a ResourceRef>,
    /// The deploy unit of the finding's file (null for standard input).
    unit: Option<&'a UnitRef>,
}

pub fn render(report: Report<'_>) -> String {
    let document = Document {
        version: VERSION,
        operator: report.operator,
        findings: report
            .findings
            .iter()
            .map(|f| JsonRecord {
                rule: f.rule.id(),
                severity: f.severity.as_str(),
                file: f.file(),
                line: f.line(),
                column: f.column(),
                pointer: f.pointer(),
                message: &f.message,
                resource: f.resource.as_ref(),
                unit: f.unit.as_ref(),
            })
            .collect(),
        summary: report.summary,
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}
