//! Reports for `validate` findings, one file per format: `human`
//! (compiler-style, for stderr), `json` (stable, versioned), `sarif` (SARIF
//! 2.1.0 for code scanning), `github` (workflow commands) and `markdown` (a
//! block for a pull-request comment or job summary).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::check::{Finding, Summary, Validation};
use crate::crd::Operator;
use crate::source::SourceFile;

pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Compiler-style diagnostics with the source line, on stderr.
    #[default]
    Human,
    /// `{"version": 1, "operator", "findings": […], "summary": {…}}` on stdout.
    Json,
    /// SARIF 2.1.0 on stdout, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations) on stdout.
    Github,
    /// A verdict line and a table of the first findings, on stdout, for a
    /// pull-request comment or job summary.
    Markdown,
}

impl Format {
    /// Whether the report is for people (stderr) or for programs (stdout).
    pub fn is_human(self) -> bool {
        self == Format::Human
    }
}

/// What a report shows.
#[derive(Clone, Copy)]
pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub summary: &'a Summary,
    /// Files to quote source lines from, by display path.
    pub sources: &'a BTreeMap<String, Arc<SourceFile>>,
    /// The model the rules followed.
    pub operator: Operator,
    /// The paths as given on the command line (the markdown verdict line
    /// names them); empty when not known.
    pub paths: &'a [String],
}

impl<'a> From<&'a Validation> for Report<'a> {
    fn from(validation: &'a Validation) -> Report<'a> {
        Report {
            findings: &validation.findings,
            summary: &validation.summary,
            sources: &validation.sources,
            operator: validation.operator,
            paths: &[],
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    /// ANSI colours (human format only; the CLI decides from the terminal).
    pub color: bool,
    /// Human format: errors only, and no summary line.
    pub quiet: bool,
}

/// The whole report in one format, ending with a newline (empty only for a
/// quiet human report with nothing to say).
pub fn render(format: Format, report: Report<'_>, options: RenderOptions) -> String {
    match format {
        Format::Human => human::render(report, options),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
    }
}

/// "3 files, 7 documents, 2 Materialize resources: 1 error, 0 warnings, 0
/// notes (operator: design)"
pub fn summary_line(summary: &Summary, operator: Operator) -> String {
    fn count(n: usize, one: &str, many: &str) -> String {
        format!("{n} {}", if n == 1 { one } else { many })
    }
    format!(
        "{}, {}, {}: {}, {}, {} (operator: {operator})",
        count(summary.files, "file", "files"),
        count(summary.documents, "document", "documents"),
        count(
            summary.resources,
            "Materialize resource",
            "Materialize resources"
        ),
        count(summary.errors, "error", "errors"),
        count(summary.warnings, "warning", "warnings"),
        count(summary.notes, "note", "notes"),
    )
}

/// The deploy unit worth naming in a report: `None` for standard input and
/// for the plain-directory fallback (the file's path already says it).
pub fn named_unit(finding: &Finding) -> Option<&crate::source::UnitRef> {
    finding
        .unit
        .as_ref()
        .filter(|unit| unit.kind != crate::source::UnitKind::Directory)
}

/// `argocd-application app-us-east`: a unit as reports word it.
pub fn unit_label(unit: &crate::source::UnitRef) -> String {
    let kind = serde_json::to_value(unit.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    format!("{kind} {}", unit.name)
}
