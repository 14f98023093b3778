//! What `migrate` prints: per-file lines on stderr (what changed, whether
//! it is rollout-neutral, why a file was skipped or left untouched), the
//! summary, and the unified diff of `--diff` on stdout; [`json`] is
//! `--format json`.

pub mod json;

use super::style::{self, Painter};
use crate::crd::Operator;
use crate::migrate::{FileFailure, FileMigration, FileReport, FileRole, MigrateError, Tally};
use crate::source::Position;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per migrated resource and a summary, on stderr.
    #[default]
    Human,
    /// `{"version": 1, "operator", "resources": […]}` on stdout.
    Json,
}

/// `note: FILE:LINE:COLUMN: skipped, REASON`
pub fn skipped(report: &FileReport, reason: &MigrateError, painter: Painter) -> String {
    format!(
        "{}: {}: skipped, {reason}",
        painter.paint(style::NOTE, "note"),
        located(&report.display, reason.position())
    )
}

/// `error: …` for a file left untouched.
pub fn failed(report: &FileReport, failure: &FileFailure, painter: Painter) -> String {
    let error = painter.paint(style::ERROR, "error");
    match failure {
        FileFailure::Read(err) => format!("{error}: {err}"),
        FileFailure::Migrate(err) => format!(
            "{error}: {}: {err}",
            located(&report.display, err.position())
        ),
    }
}

/// `error: FILE: …` for a migrated file that could not be written.
pub fn write_failed(
    report: &FileReport,
    error: &dyn std::fmt::Display,
    painter: Painter,
) -> String {
    format!(
        "{}: {}: {error}",
        painter.paint(style::ERROR, "error"),
        report.display
    )
}

/// The unified diff of one file, `a/NAME` to `b/NAME`.
pub fn diff(report: &FileReport, old: &str, new: &str) -> String {
    let name = &report.display;
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

fn located(display: &str, position: Option<Position>) -> String {
    match position {
        Some(p) => format!("{display}:{}:{}", p.line, p.column),
        None => display.to_owned(),
    }
}

/// One line per migrated resource and kustomize target, each followed by
/// its notes and warnings; every line ends with a newline.
pub fn changes(
    display: &str,
    migration: &FileMigration,
    role: FileRole,
    painter: Painter,
) -> String {
    let note = painter.paint(style::NOTE, "note");
    let warning = painter.paint(style::WARNING, "warning");
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    let patch = if role == FileRole::Patch {
        " (patch)"
    } else {
        ""
    };
    for resource in &migration.resources {
        line(format!(
            "{display}:{}: {}{patch}: {}; {}",
            resource.position.line,
            resource.identity(),
            resource.describe_changes(),
            resource.describe_rollout()
        ));
        for text in &resource.notes {
            line(format!("  {note}: {text}"));
        }
        if let Some(recorded) = &resource.recorded_hash_differs {
            line(format!(
                "  {warning}: status.lastCompletedRolloutHash is {recorded}, not the hash of this spec: the operator will start a rollout, with or without this migration"
            ));
        }
        if resource.mid_rollout {
            line(format!(
                "  {warning}: this resource is mid-rollout according to its status; let the rollout finish (or re-read the live object) before merging the migration"
            ));
        }
    }
    for update in &migration.kustomize {
        line(format!(
            "{display}:{}: kustomize patch target: version {} → {}",
            update.position.line, update.update.from, update.to
        ));
        for text in &update.update.warnings {
            line(format!("  {warning}: {text}"));
        }
    }
    out
}

/// The last line: what was (or would be) migrated, and what was not,
/// naming the model.
pub fn summary(tally: &Tally, dry_run: bool, operator: Operator) -> String {
    format!(
        "{} (operator: {operator})",
        summary_words(tally, dry_run, operator)
    )
}

fn summary_words(tally: &Tally, dry_run: bool, operator: Operator) -> String {
    let verb = if dry_run { "would migrate" } else { "migrated" };
    if tally.files_changed == 0 && tally.failed == 0 {
        return "nothing to migrate".to_owned();
    }
    let mut line = format!(
        "{verb} {} resource{} in {} file{}",
        tally.resources,
        plural(tally.resources),
        tally.files_changed,
        plural(tally.files_changed)
    );
    if tally.kustomize_targets > 0 {
        line.push_str(&format!(
            " ({} kustomize patch target{})",
            tally.kustomize_targets,
            plural(tally.kustomize_targets)
        ));
    }
    if operator == Operator::Released && tally.rollouts > 0 {
        line.push_str(&format!(
            "; {} resource{} request{} a rollout",
            tally.rollouts,
            plural(tally.rollouts),
            if tally.rollouts == 1 { "s" } else { "" }
        ));
    }
    if operator == Operator::Design && tally.not_neutral > 0 {
        line.push_str(&format!(
            "; {} resource{} not proven rollout-neutral",
            tally.not_neutral,
            plural(tally.not_neutral)
        ));
    }
    if tally.failed > 0 {
        line.push_str(&format!(
            "; {} file{} left untouched because of errors",
            tally.failed,
            plural(tally.failed)
        ));
    }
    line
}

/// Why `--check` failed, and what to run.
pub const CHECK_HINT: &str =
    "run `mz-presync migrate` on these paths to rewrite them (add --diff to preview)";

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
