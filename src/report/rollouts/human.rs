//! A compact table for a terminal: one row per change, rollouts
//! highlighted, whether each restarts the database in a column of its own,
//! findings under their row, then a summary line naming the operator model
//! and, for a range, what merging it does (per unit-qualified resource).
//! Changes that start no rollout and have no finding appear only with
//! `--verbose`.

use std::fmt::Write as _;

use super::ReportOptions;
use crate::check::Severity;
use crate::crd::verdict::Restart;
use crate::history::{Change, CommitChanges, History};
use crate::report::style::{self, Painter};

struct Row<'a> {
    commit: &'a CommitChanges,
    change: &'a Change,
    cells: [String; COLUMNS],
}

const COLUMNS: usize = 7;
const HEADER: [&str; COLUMNS] = [
    "COMMIT", "RESOURCE", "CHANGE", "ROLLOUT", "RESTART", "FIELDS", "FILE",
];

/// `yes`, `maybe`, `no`, or `pending` for changes that wait for approval.
fn restart_cell(change: &Change) -> &'static str {
    if change.pending {
        "pending"
    } else {
        change.restart.as_str()
    }
}

fn fields_cell(change: &Change) -> String {
    if change.fields.is_empty() {
        return "-".to_owned();
    }
    change.fields.join(", ")
}

fn change_cell(change: &Change) -> String {
    match (&change.api_version.from, &change.api_version.to) {
        (Some(from), Some(to)) if from != to => {
            let short = |v: &str| v.rsplit('/').next().unwrap_or(v).to_owned();
            format!("{} {}→{}", change.change.as_str(), short(from), short(to))
        }
        _ => change.change.as_str().to_owned(),
    }
}

pub fn render(history: &History, options: &ReportOptions) -> String {
    let painter = Painter::new(options.color);
    let mut hidden = 0;
    let rows: Vec<Row> = history
        .changes()
        .filter(|(_, change)| {
            let shown = options.verbose || change.rollout || !change.findings.is_empty();
            hidden += usize::from(!shown);
            shown
        })
        .map(|(commit, change)| Row {
            commit,
            change,
            cells: [
                commit.short_id().to_owned(),
                change.qualified_name(),
                change_cell(change),
                if change.rollout { "yes" } else { "no" }.to_owned(),
                restart_cell(change).to_owned(),
                fields_cell(change),
                change.shown_file(),
            ],
        })
        .collect();

    let mut out = String::new();
    if !rows.is_empty() {
        let mut widths = HEADER.map(str::len);
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(&row.cells) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: &[String; COLUMNS], out: &mut String, highlight: (&str, &str)| {
            let mut text = String::new();
            for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
                if i == cells.len() - 1 {
                    text.push_str(cell);
                } else {
                    let _ = write!(text, "{cell:width$}  ");
                }
            }
            let _ = writeln!(out, "{}{}{}", highlight.0, text.trim_end(), highlight.1);
        };
        line(
            &HEADER.map(str::to_owned),
            &mut out,
            (&painter.start(style::EMPHASIS), painter.reset()),
        );
        let mut last_commit = "";
        for row in &rows {
            let mut cells = row.cells.clone();
            if row.commit.commit == last_commit {
                cells[0] = String::new();
            }
            last_commit = &row.commit.commit;
            let highlight = if row.change.rollout {
                (painter.start(style::WARNING), painter.reset())
            } else {
                (painter.start(style::DIM), painter.reset())
            };
            line(&cells, &mut out, (&highlight.0, highlight.1));
            for finding in &row.change.findings {
                let color = match finding.severity {
                    Severity::Error => painter.start(style::ERROR),
                    Severity::Warning => painter.start(style::CAUTION),
                    Severity::Note => String::new(),
                };
                let _ = writeln!(
                    out,
                    "    {color}{}[{}]{} {}:{}:{}: {}",
                    finding.severity,
                    finding.rule,
                    painter.reset(),
                    row.change.file,
                    finding.line(),
                    finding.column(),
                    finding.message
                );
            }
        }
        out.push('\n');
    }
    out.push_str(&merge_line(history));
    out.push_str(&summary(history, hidden));
    out
}

/// For a range, what merging it does (the net per unit-qualified resource,
/// which `--fail-on rollout|restart` judges): a change reverted inside the
/// range is listed above but rolls nothing out.
fn merge_line(history: &History) -> String {
    let Some(net) = history.range_net() else {
        return String::new();
    };
    let rolling = history.resources.iter().filter(|r| r.rollout(net)).count();
    let restarting = history
        .resources
        .iter()
        .filter(|r| r.restart(net) == Restart::Yes)
        .count();
    format!(
        "Merging the range rolls out {rolling} of {}, {}.\n",
        plural(
            history.resources.len(),
            "changed resource",
            "changed resources"
        ),
        plural(restarting, "restart", "restarts"),
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn summary(history: &History, hidden: usize) -> String {
    let count = |keep: &dyn Fn(&Change) -> bool| history.changes().filter(|(_, c)| keep(c)).count();
    let rollouts = count(&|c| c.rollout);
    let restarts = count(&|c| c.restart == Restart::Yes);
    let maybe = count(&|c| c.restart == Restart::Maybe);
    let pending = count(&|c| c.pending);
    let changes = history.changes().count();
    let commits_with_rollouts = history
        .commits
        .iter()
        .filter(|c| c.changes.iter().any(|change| change.rollout))
        .count();
    let mut verdicts = plural(restarts, "restart", "restarts");
    if maybe > 0 {
        let _ = write!(verdicts, ", {maybe} that may restart");
    }
    if pending > 0 {
        let _ = write!(
            verdicts,
            ", {} waiting for approval",
            plural(pending, "change", "changes")
        );
    }
    let mut text = format!(
        "{} requested in {commits_with_rollouts} of {}, {verdicts} (operator: {}, {} hashes); {} to Materialize resources, {}, {}.",
        plural(rollouts, "rollout", "rollouts"),
        plural(history.scanned_commits, "commit", "commits"),
        history.operator,
        history.algorithm,
        plural(changes, "change", "changes"),
        plural(history.count(Severity::Error), "error", "errors"),
        plural(history.count(Severity::Warning), "warning", "warnings"),
    );
    if hidden > 0 {
        let _ = write!(
            text,
            " {} without a rollout not shown (--verbose shows them).",
            plural(hidden, "change", "changes")
        );
    }
    text.push('\n');
    text
}
