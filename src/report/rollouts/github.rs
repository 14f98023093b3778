//! GitHub Actions workflow commands: one annotation per rollout on the line
//! of the field that causes it, one per finding. GitHub shows at most 10
//! annotations of each level per step and silently drops the rest, so at
//! most 10 per level are written, and a final notice says how many more
//! there were.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::{FailOn, ReportOptions};
use crate::check::Severity;
use crate::crd::verdict::Restart;
use crate::history::{Change, ChangeKind, CommitChanges, History, NetResource};
use crate::report::github_escape::{escape_data, escape_property};

/// GitHub's per-step limit for each annotation level.
pub const MAX_PER_LEVEL: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }

    fn of(severity: Severity) -> Level {
        match severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Note => Level::Notice,
        }
    }
}

struct Annotation {
    level: Level,
    file: String,
    line: usize,
    column: usize,
    title: String,
    message: String,
}

impl Annotation {
    fn write(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "::{} file={},line={},col={},title={}::{}",
            self.level.as_str(),
            escape_property(&self.file),
            self.line,
            self.column,
            escape_property(&self.title),
            escape_data(&self.message)
        );
    }
}

fn rollout_annotation(commit: &CommitChanges, change: &Change, level: Level) -> Annotation {
    let position = change
        .position
        .unwrap_or(crate::source::Position { line: 1, column: 1 });
    let cause = match change.change {
        ChangeKind::Created => "creates it".to_owned(),
        _ if change.fields.is_empty() => "changes its rollout hash".to_owned(),
        _ => format!("changes {}", change.fields.join(", ")),
    };
    let hash = change.new_hash.as_deref().unwrap_or_default();
    let restart = match change.restart {
        Restart::Yes => "Restart: yes, a new generation of environmentd pods starts.",
        Restart::Maybe => {
            "Restart: maybe, no per-generation input changed, so nothing restarts unless changes are already pending."
        }
        Restart::No => "Restart: no.",
    };
    Annotation {
        level,
        file: change.file.clone(),
        line: position.line,
        column: position.column,
        title: format!("rollout: {}", change.qualified_name()),
        message: format!(
            "Commit {} ({}) starts a rollout of {}: it {cause}. {restart} New rollout hash {hash}; set spec.forcePromote: \"{hash}\" in the same change to promote it immediately.",
            commit.short_id(),
            commit.summary,
            change.qualified_name(),
        ),
    }
}

/// For a range judged by its net ([`History::range_net`]), the `(commit,
/// change)` indices of the changes to resources whose merge fails the run
/// under `fail_on`; `None` when commits are judged one by one.
fn failing_changes(history: &History, fail_on: FailOn) -> Option<HashSet<(usize, usize)>> {
    let net = history.range_net()?;
    let fails = |r: &NetResource| match fail_on {
        FailOn::Rollout => r.rollout(net),
        FailOn::Restart => r.restart(net) == Restart::Yes,
        FailOn::Error | FailOn::Never => false,
    };
    Some(
        history
            .resources
            .iter()
            .filter(|r| fails(r))
            .flat_map(|r| r.commits.iter().copied())
            .collect(),
    )
}

fn annotate(out: &mut Vec<Annotation>, commit: &CommitChanges, change: &Change, level: Level) {
    if change.rollout {
        out.push(rollout_annotation(commit, change, level));
    }
    for finding in &change.findings {
        out.push(Annotation {
            level: Level::of(finding.severity),
            file: change.file.clone(),
            line: finding.line(),
            column: finding.column(),
            title: format!("{} ({})", finding.rule, change.qualified_name()),
            message: format!("commit {}: {}", commit.short_id(), finding.message),
        });
    }
}

pub fn render(history: &History, options: &ReportOptions) -> String {
    // What fails the run is an error: every rollout with --fail-on rollout,
    // a restarting one with --fail-on restart; for a range, only those of
    // resources that merging it rolls out (or restarts).
    let failing = failing_changes(history, options.fail_on);
    let rollout_level = |at: (usize, usize), change: &Change| match (options.fail_on, &failing) {
        (FailOn::Rollout | FailOn::Restart, Some(failing)) if failing.contains(&at) => Level::Error,
        (FailOn::Rollout, None) => Level::Error,
        (FailOn::Restart, None) if change.restart == Restart::Yes => Level::Error,
        _ => Level::Notice,
    };
    let mut annotations = Vec::new();
    for (c, commit) in history.commits.iter().enumerate() {
        for (k, change) in commit.changes.iter().enumerate() {
            let level = rollout_level((c, k), change);
            annotate(&mut annotations, commit, change, level);
        }
    }
    let count = |level: Level| annotations.iter().filter(|a| a.level == level).count();
    let over = |level: Level| count(level).saturating_sub(MAX_PER_LEVEL);
    let dropped_before_notice = over(Level::Error) + over(Level::Warning);
    // The closing notice is itself a notice: keep a slot for it.
    let notice_cap = if dropped_before_notice + over(Level::Notice) > 0 {
        MAX_PER_LEVEL - 1
    } else {
        MAX_PER_LEVEL
    };
    let mut out = String::new();
    let mut dropped = 0;
    for level in [Level::Error, Level::Warning, Level::Notice] {
        let cap = if level == Level::Notice {
            notice_cap
        } else {
            MAX_PER_LEVEL
        };
        let of_level: Vec<&Annotation> = annotations.iter().filter(|a| a.level == level).collect();
        dropped += of_level.len().saturating_sub(cap);
        of_level.iter().take(cap).for_each(|a| a.write(&mut out));
    }
    if dropped > 0 {
        let _ = writeln!(
            out,
            "::notice title=mz-presync rollouts::{}",
            escape_data(&format!(
                "{dropped} more annotation(s) not shown: GitHub displays at most {MAX_PER_LEVEL} per level. Run `mz-presync rollouts --format json {}` for every change.",
                history.range
            ))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::verdict::Restart;
    use crate::crd::{Algorithm, Operator};
    use crate::finding::{Finding, Location, Rule, Span};
    use crate::history::ApiVersionChange;
    use crate::history::rules::upgrade_window;
    use crate::history::units::ScanUnit;
    use crate::source::{Position, Target};

    fn history(rollouts: usize, errors: usize) -> History {
        let change = |i: usize, error: bool| Change {
            unit: ScanUnit::directory_of("clusters/mz.yaml").reference,
            namespace: Some("prod".into()),
            name: Some(format!("mz-{i}")),
            file: format!("clusters/mz-{i}.yaml"),
            change: ChangeKind::Updated,
            rollout: !error,
            restart: if error { Restart::No } else { Restart::Yes },
            pending: false,
            old_hash: Some("a".repeat(64)),
            new_hash: Some("b".repeat(64)),
            api_version: ApiVersionChange {
                from: Some("materialize.cloud/v1alpha2".into()),
                to: Some("materialize.cloud/v1alpha2".into()),
            },
            fields: vec!["/spec/environmentdImageRef".into()],
            per_generation: vec!["/spec/environmentdImageRef".into()],
            findings: if error {
                vec![Finding::new(
                    Rule::new(&upgrade_window::RULE),
                    Location {
                        file: format!("clusters/mz-{i}.yaml"),
                        document: Some(0),
                        pointer: "/spec/environmentdImageRef".into(),
                        target: Target::Value,
                        span: Some(Span::at(
                            Position {
                                line: 9,
                                column: 25,
                            },
                            0,
                        )),
                    },
                    "a downgrade".into(),
                )]
            } else {
                vec![]
            },
            position: Some(Position { line: 9, column: 3 }),
            best_effort: false,
            kustomize_patch: None,
            rendered: None,
        };
        let changes = (0..rollouts)
            .map(|i| change(i, false))
            .chain((0..errors).map(|i| change(i, true)))
            .collect();
        History {
            version: 1,
            operator: Operator::Design,
            algorithm: Algorithm::V1alpha2,
            range: "main..pr".into(),
            commits: vec![CommitChanges {
                commit: "c".repeat(40),
                parents: vec![],
                summary: "bump, everything".into(),
                author: "a <a@b>".into(),
                time: "2026-11-25T10:00:00Z".into(),
                changes,
            }],
            scanned_commits: 1,
            shallow_boundary: Vec::new(),
            net: None,
            resources: Vec::new(),
            render: None,
        }
    }

    fn levels(out: &str) -> Vec<&str> {
        out.lines().map(|l| l.split(' ').next().unwrap()).collect()
    }

    #[test]
    fn at_most_ten_per_level_then_a_notice_with_the_count() {
        let out = render(&history(25, 12), &ReportOptions::default());
        let levels = levels(&out);
        assert_eq!(levels.iter().filter(|l| **l == "::error").count(), 10);
        // Nine rollout notices and the closing notice: ten in all.
        assert_eq!(levels.iter().filter(|l| **l == "::notice").count(), 10);
        assert_eq!(
            out.lines().last().unwrap(),
            "::notice title=mz-presync rollouts::18 more annotation(s) not shown: GitHub displays at most 10 per level. Run `mz-presync rollouts --format json main..pr` for every change."
        );
        assert!(out.starts_with("::error file=clusters/mz-0.yaml,line=9,col=25,title=upgrade-window (clusters%3Aprod/mz-0)::commit ccccccc: a downgrade\n"));
    }

    #[test]
    fn nothing_dropped_means_no_closing_notice() {
        let out = render(&history(10, 0), &ReportOptions::default());
        assert_eq!(levels(&out), ["::notice"; 10]);
        assert!(
            out.lines()
                .all(|l| l.starts_with("::notice file=clusters/mz-"))
        );
    }

    #[test]
    fn rollouts_are_errors_when_they_fail_the_run() {
        let options = ReportOptions {
            fail_on: FailOn::Rollout,
            ..ReportOptions::default()
        };
        let out = render(&history(1, 0), &options);
        assert!(out.starts_with("::error file=clusters/mz-0.yaml,line=9,col=3,title=rollout%3A clusters%3Aprod/mz-0::Commit ccccccc (bump, everything) starts a rollout of clusters:prod/mz-0: it changes /spec/environmentdImageRef. Restart: yes"), "{out}");
    }

    #[test]
    fn restarting_rollouts_are_errors_with_fail_on_restart() {
        let options = ReportOptions {
            fail_on: FailOn::Restart,
            ..ReportOptions::default()
        };
        let mut history = history(2, 0);
        history.commits[0].changes[1].restart = Restart::Maybe;
        let out = render(&history, &options);
        assert_eq!(levels(&out), ["::error", "::notice"], "{out}");
        assert!(out.contains("Restart: maybe, no per-generation input changed"));
    }
}
