//! `--format human`: compiler-style diagnostics (annotate-snippets) with the
//! offending source line and a caret, then a one-line summary.

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::{RenderOptions, Report, summary_line};
use crate::check::{Finding, Severity};
use crate::source::SourceFile;

pub fn render(report: Report<'_>, options: RenderOptions) -> String {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for finding in report.findings {
        if options.quiet && finding.severity != Severity::Error {
            continue;
        }
        let source = report.sources.get(finding.file()).map(|s| s.as_ref());
        out.push_str(&renderer.render(&[group(finding, source)]));
        out.push_str("\n\n");
    }
    if !options.quiet {
        out.push_str(&summary_line(report.summary, report.operator));
        out.push('\n');
    }
    out
}

fn group<'a>(finding: &'a Finding, source: Option<&'a SourceFile>) -> Group<'a> {
    let level = match finding.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    };
    let title = level
        .primary_title(finding.message.as_str())
        .id(finding.rule.id());
    let line_text = source
        .map(|file| file.line_text(finding.line()))
        .filter(|_| finding.line() > 0);
    let mut group = match line_text {
        Some(text) if !text.is_empty() => {
            let (start, end) = caret(text, finding);
            let annotation = AnnotationKind::Primary.span(start..end);
            let annotation = match &finding.resource {
                Some(resource) if !resource.display_name().is_empty() => {
                    annotation.label(format!("in {}", resource.display_name()))
                }
                _ => annotation,
            };
            title.element(
                Snippet::source(text)
                    .line_start(finding.line())
                    .path(finding.file())
                    .annotation(annotation),
            )
        }
        _ => title.element(
            Origin::path(finding.file())
                .line(finding.line())
                .char_column(finding.column()),
        ),
    };
    if !finding.pointer().is_empty() {
        group = group.element(Level::NOTE.message(format!("at {}", finding.pointer())));
    }
    // The plain-directory fallback goes unsaid: the path above says it.
    // A unit named after its directory (a kustomize root, a `units:`
    // entry) is not given its path twice.
    if let Some(unit) = super::named_unit(finding) {
        let label = super::unit_label(unit);
        group = group.element(Level::NOTE.message(if unit.name == unit.path {
            format!("deploy unit {label}")
        } else {
            format!("deploy unit {label} ({})", unit.path)
        }));
    }
    group
}

/// Byte range on the line to underline: from the start column to the end
/// column when the span ends on the same line, else to the end of the line;
/// at least one character when the line has one there.
fn caret(text: &str, finding: &Finding) -> (usize, usize) {
    let byte_at = |column: usize| {
        text.char_indices()
            .nth(column.saturating_sub(1))
            .map_or(text.len(), |(i, _)| i)
    };
    let start = byte_at(finding.column());
    let mut end = if finding.end_line() == finding.line() && finding.end_column() > finding.column()
    {
        byte_at(finding.end_column())
    } else if finding.end_line() > finding.line() {
        text.trim_end().len().max(start)
    } else {
        start
    };
    if end <= start {
        end = text[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
    }
    (start, end)
}
