//! A pull-request summary (for `$GITHUB_STEP_SUMMARY` and PR comments): per
//! resource of the history's net (`History::resources`: one per deploy
//! unit, namespace and name), whether merging the range requests a rollout
//! of it and whether
//! that restarts the database (under the operator model it names), which
//! commits and fields cause it, the new hash, and the `forcePromote` value
//! that promotes the rollout immediately. Capped below GitHub's 1 MiB
//! summary limit.

use std::fmt::Write as _;

use crate::check::Severity;
use crate::crd::verdict::Restart;
use crate::history::{Change, ChangeKind, CommitChanges, History};
use crate::source::units::UnitRef;

/// GitHub refuses step summaries over 1 MiB; stay under it with room for
/// the truncation note.
pub const MAX_BYTES: usize = 1024 * 1024 - 4096;

/// Markdown inline code that survives backticks in the text.
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {} ``", text.replace('\n', " "))
    } else {
        format!("`{}`", text.replace('\n', " "))
    }
}

/// Text for a table cell or a list item: no line breaks, no raw pipes, no
/// HTML.
fn plain(text: &str) -> String {
    text.replace('\n', " ")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

struct Resource<'h> {
    /// `namespace/name`; the unit has a column of its own.
    name: String,
    qualified: String,
    unit: &'h UnitRef,
    file: String,
    net: Option<&'h Change>,
    commits: Vec<(&'h CommitChanges, &'h Change)>,
}

impl Resource<'_> {
    fn rolls_out(&self, have_net: bool) -> bool {
        if have_net {
            self.net.is_some_and(|c| c.rollout)
        } else {
            self.commits.iter().any(|(_, c)| c.rollout)
        }
    }

    /// The strongest restart of the merge (or, without the net change, of
    /// any commit), and whether changes are left waiting for approval.
    fn restart(&self, have_net: bool) -> (Restart, bool) {
        let strongest = |changes: &mut dyn Iterator<Item = &Change>| {
            let mut restart = Restart::No;
            let mut pending = false;
            for change in changes {
                pending |= change.pending;
                restart = match (restart, change.restart) {
                    (Restart::Yes, _) | (_, Restart::Yes) => Restart::Yes,
                    (Restart::Maybe, _) | (_, Restart::Maybe) => Restart::Maybe,
                    _ => Restart::No,
                };
            }
            (restart, pending)
        };
        if have_net {
            strongest(&mut self.net.into_iter())
        } else {
            strongest(&mut self.commits.iter().map(|(_, c)| *c))
        }
    }
}

fn restart_cell(resource: &Resource, have_net: bool) -> &'static str {
    match resource.restart(have_net) {
        (Restart::Yes, _) => "**yes**",
        (Restart::Maybe, _) => "maybe",
        (Restart::No, true) => "no (waiting for approval)",
        (Restart::No, false) => "no",
    }
}

/// One row per (unit, namespace, name), as the history folded them.
fn resources(history: &History) -> Vec<Resource<'_>> {
    history
        .resources
        .iter()
        .map(|resource| Resource {
            name: resource.resource_name(),
            qualified: resource.qualified_name(),
            unit: &resource.unit,
            file: resource.file.clone(),
            net: history
                .net
                .as_ref()
                .and_then(|net| resource.net_change(net)),
            commits: resource.commit_changes(&history.commits).collect(),
        })
        .collect()
}

fn verdict(resource: &Resource, have_net: bool) -> String {
    if !have_net {
        return if resource.rolls_out(false) {
            "**yes**".into()
        } else {
            "no".into()
        };
    }
    match resource.net {
        Some(change) if change.rollout => match change.change {
            ChangeKind::Created => "**yes** (new resource)".into(),
            _ => "**yes**".into(),
        },
        Some(change) if change.change == ChangeKind::Deleted => "no (deleted)".into(),
        Some(change) if change.new_hash.is_none() => "unknown (no hash, see findings)".into(),
        Some(_) => "no".into(),
        None if resource.commits.iter().any(|(_, c)| c.rollout) => {
            "no (its changes cancel out)".into()
        }
        None => "no".into(),
    }
}

pub fn render(history: &History) -> String {
    let have_net = history.net.is_some();
    let resources = resources(history);
    let mut out = String::new();
    let _ = writeln!(out, "## Materialize rollouts: {}\n", code(&history.range));
    shallow_note(&mut out, history);
    let rolling: Vec<&Resource> = resources.iter().filter(|r| r.rolls_out(have_net)).collect();
    let errors = history.count(Severity::Error);
    let warnings = history.count(Severity::Warning);
    if resources.is_empty() {
        let _ = writeln!(
            out,
            "No Materialize resource changes in {} commits: merging this starts no rollout.\n",
            history.scanned_commits
        );
    } else {
        let headline = if rolling.is_empty() {
            "starts **no rollout**".to_owned()
        } else {
            format!("rolls out **{} of {}**", rolling.len(), resources.len())
        };
        let restarting = resources
            .iter()
            .filter(|r| r.restart(have_net).0 == Restart::Yes)
            .count();
        let waiting = resources.iter().filter(|r| r.restart(have_net).1).count();
        let mut restarts = format!("{restarting} restart(s)");
        if waiting > 0 {
            let _ = write!(restarts, ", {waiting} waiting for approval");
        }
        let _ = writeln!(
            out,
            "Merging this {headline} changed Materialize resources: {restarts} (operator {}, rollout hash algorithm {}). Findings: {errors} error(s), {warnings} warning(s).\n",
            code(history.operator.as_str()),
            code(history.algorithm.as_str()),
        );
        out.push_str(
            "| Resource | Rollout on merge | Restart | New hash | File | Unit |\n|---|---|---|---|---|---|\n",
        );
        for resource in &resources {
            let hash = resource
                .net
                .or_else(|| resource.commits.last().map(|(_, c)| *c))
                .and_then(|c| c.new_hash.as_deref())
                .map_or("—".to_owned(), |h| code(&h[..h.len().min(12)]));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                code(&resource.name),
                verdict(resource, have_net),
                restart_cell(resource, have_net),
                hash,
                code(&resource.file),
                code(&resource.unit.name),
            );
        }
        out.push('\n');
    }
    for resource in &resources {
        let has_findings = resource.commits.iter().any(|(_, c)| !c.findings.is_empty());
        if !resource.rolls_out(have_net) && !has_findings && !resource.restart(have_net).1 {
            continue;
        }
        details(&mut out, resource, have_net);
    }
    truncate(out)
}

fn details(out: &mut String, resource: &Resource, have_net: bool) {
    let _ = writeln!(
        out,
        "### {} — rollout on merge: {}, restart: {}\n",
        code(&resource.qualified),
        verdict(resource, have_net),
        restart_cell(resource, have_net)
    );
    let final_change = resource
        .net
        .or_else(|| resource.commits.last().map(|(_, c)| *c));
    if let Some(change) = final_change.filter(|c| c.rollout)
        && let Some(hash) = &change.new_hash
    {
        let _ = writeln!(out, "- New rollout hash: {}", code(hash));
        let _ = writeln!(
            out,
            "- To promote it immediately, set {} in the same change (it does not change the hash).",
            code(&format!("spec.forcePromote: \"{hash}\""))
        );
        if change.best_effort {
            out.push_str("- The hash is best-effort: the resource sets a certificate spec whose place in the hash input is uncertain.\n");
        }
    }
    let causes: Vec<String> = resource
        .commits
        .iter()
        .filter(|(_, c)| c.rollout)
        .map(|(commit, change)| {
            let what = if change.change == ChangeKind::Created {
                "created".to_owned()
            } else if change.fields.is_empty() {
                "hash changed".to_owned()
            } else {
                change
                    .fields
                    .iter()
                    .map(|f| code(f))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!(
                "  - {} {} — {what}\n",
                code(commit.short_id()),
                plain(&commit.summary)
            )
        })
        .collect();
    if !causes.is_empty() {
        out.push_str("- Caused by:\n");
        causes.iter().for_each(|line| out.push_str(line));
    }
    let mut seen = std::collections::HashSet::new();
    let mut findings = String::new();
    for (commit, change) in &resource.commits {
        for finding in &change.findings {
            if !seen.insert((finding.rule, finding.message.as_str())) {
                continue;
            }
            let icon = match finding.severity {
                Severity::Error => ":x:",
                Severity::Warning => ":warning:",
                Severity::Note => ":information_source:",
            };
            let _ = writeln!(
                findings,
                "  - {icon} **{}** {} at {}: {}",
                finding.rule,
                code(commit.short_id()),
                code(&format!("{}:{}", change.shown_file(), finding.line())),
                plain(&finding.message)
            );
        }
    }
    if !findings.is_empty() {
        out.push_str("- Findings:\n");
        out.push_str(&findings);
    }
    out.push('\n');
}

/// A shallow clone's single revision: what the summary covers.
fn shallow_note(out: &mut String, history: &History) {
    if history.shallow_boundary.is_empty() {
        return;
    }
    let short = |id: &String| code(&id[..id.len().min(7)]);
    let boundaries: Vec<String> = history.shallow_boundary.iter().map(short).collect();
    let compared = match &history.net {
        Some(net) if net.base.is_some() => {
            "resources are compared from that commit to the head, not created by this history"
        }
        _ => "only the commits above it are listed",
    };
    let _ = writeln!(
        out,
        "**Shallow clone:** history before {} is not in this clone and is not covered: {compared}. Fetch more history (`actions/checkout` with `fetch-depth: 0`) for the whole history.\n",
        boundaries.join(", ")
    );
}

fn truncate(mut out: String) -> String {
    if out.len() <= MAX_BYTES {
        return out;
    }
    let total = out.len();
    let mut cut = MAX_BYTES;
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    cut = out[..cut].rfind('\n').map_or(0, |i| i + 1);
    out.truncate(cut);
    let _ = writeln!(
        out,
        "\n**Truncated:** the full summary is {total} bytes, over GitHub's 1 MiB limit. Run `mz-presync rollouts --format json` for every change."
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_whole_lines_and_says_so() {
        let line = "x".repeat(99) + "\n";
        let text = line.repeat(20_000);
        let out = truncate(text);
        assert!(out.len() <= 1024 * 1024);
        assert!(out.contains("**Truncated:** the full summary is 2000000 bytes"));
        let body = out.split("\n**Truncated").next().unwrap();
        assert!(body.lines().all(|l| l.len() == 99 || l.is_empty()));
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(plain("a|b<c>"), "a\\|b&lt;c&gt;");
    }
}
