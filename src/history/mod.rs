//! Rollout history over git commits: for each commit of a range, which
//! Materialize resources it creates, updates or deletes, whether that changes
//! the rollout hash (restarts the database), and because of which fields.
//!
//! The cost follows the number of changed blobs, not commits × files:
//!
//! * [`scan`] walks the range with `git2` (never the working tree) and diffs
//!   each commit's tree against its first parent's; unchanged subtrees are
//!   skipped by object id, and deltas whose path is not a manifest
//!   (`.yaml`/`.yml`/`.json`) are dropped before any blob is read.
//! * [`resources`] parses a blob into Materialize resources with their hashes
//!   once per blob id (the same blob recurs across commits, branches and
//!   renames), in parallel; blobs that cannot hold a Materialize object are
//!   recognised without parsing.
//! * [`compare`] pairs the resources of the old and new sides of one diff by
//!   identity (namespace/name), so a moved file or a resource moving between
//!   files is not a change, and derives each change's fields and findings.
//!
//! Two-version checks live here ([`environment_id`], [`upgrade`], the
//! downtime warning in [`compare`]); [`RULES`] describes them.

pub mod compare;
pub mod environment_id;
pub mod inline_patches;
pub mod patches;
pub mod resources;
pub mod scan;
pub mod upgrade;

use serde::Serialize;

use crate::check::{RuleInfo, Severity};
use crate::crd::Algorithm;
use crate::finding::Scope;

pub use scan::{HistoryError, ScanOptions, scan};

/// What `rollouts` found in a range. Serializes as the stable `json`
/// report (version 1).
#[derive(Clone, Debug, Serialize)]
pub struct History {
    pub version: u32,
    pub algorithm: Algorithm,
    pub range: String,
    pub commits: Vec<CommitChanges>,
    /// How many commits the range holds (`commits` lists only those with
    /// changes unless `--all`).
    #[serde(skip)]
    pub scanned_commits: usize,
    /// The effect of merging the range: the range's base (the merge base of
    /// `A` and `B` for `A..B`, nothing for a single revision) compared with
    /// its head. Computed only when [`ScanOptions::net`] asks for it.
    #[serde(skip)]
    pub net: Option<NetChanges>,
}

impl History {
    pub fn changes(&self) -> impl Iterator<Item = (&CommitChanges, &Change)> {
        self.commits
            .iter()
            .flat_map(|commit| commit.changes.iter().map(move |change| (commit, change)))
    }

    pub fn any_rollout(&self) -> bool {
        self.changes().any(|(_, change)| change.rollout)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.changes()
            .flat_map(|(_, change)| &change.findings)
            .filter(|finding| finding.severity == severity)
            .count()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct NetChanges {
    /// 40 hex digits, or `None` when the range starts at the root.
    pub base: Option<String>,
    pub head: String,
    pub changes: Vec<Change>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CommitChanges {
    pub commit: String,
    pub parents: Vec<String>,
    pub summary: String,
    /// `name <email>`.
    pub author: String,
    /// Author time in UTC, RFC 3339 (`2026-11-25T10:00:00Z`).
    pub time: String,
    pub changes: Vec<Change>,
}

impl CommitChanges {
    pub fn short_id(&self) -> &str {
        &self.commit[..self.commit.len().min(7)]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Created,
    Updated,
    Deleted,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Updated => "updated",
            ChangeKind::Deleted => "deleted",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiVersionChange {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One resource's change in one commit.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// Path in the repository of the new version (the old one for `deleted`).
    pub file: String,
    pub change: ChangeKind,
    /// Whether the operator starts a rollout: created with a hash, or
    /// updated with a different hash (also when the old version had none).
    pub rollout: bool,
    pub old_hash: Option<String>,
    pub new_hash: Option<String>,
    pub api_version: ApiVersionChange,
    /// JSON pointers (inside the object) of the hash-relevant fields whose
    /// normalized values differ, sorted.
    pub fields: Vec<String>,
    pub findings: Vec<ChangeFinding>,
    /// Where the first changed field (or the object) is in the new version,
    /// for annotations; set only when [`ScanOptions::locate_changes`].
    #[serde(skip)]
    pub position: Option<crate::source::Position>,
    /// The new hash depends on certificate fields whose place in the hash
    /// input is uncertain (spec §2).
    #[serde(skip)]
    pub best_effort: bool,
    /// The file is a kustomize patch named by this kustomization: the
    /// change is to the resource it patches, judged by the hashed fields it
    /// overrides (there are no hashes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kustomize_patch: Option<String>,
}

impl Change {
    /// `namespace/name`, `name`, or the file for an object without a name.
    pub fn resource_name(&self) -> String {
        match (&self.namespace, &self.name) {
            (Some(namespace), Some(name)) => format!("{namespace}/{name}"),
            (None, Some(name)) => name.clone(),
            (Some(namespace), None) => format!("{namespace}/<unnamed>"),
            (None, None) => format!("<unnamed in {}>", self.file),
        }
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// A finding on a change. The file is the change's; `pointer` is inside the
/// document (prefixed with `/items/N` for an item of a `List`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeFinding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub pointer: String,
    pub line: usize,
    pub column: usize,
}

pub const ENVIRONMENT_ID_CHANGED: &str = "environment-id-changed";
pub const UPGRADE_WINDOW: &str = "upgrade-window";
pub const KUSTOMIZE_PATCH: &str = "kustomize-patch";
/// Shared with `validate`'s single-object rule of the same name (same
/// condition, same suppression annotation); `rollouts` reports it only on a
/// change that starts a rollout. See [`DOWNTIME_ON_ROLLOUT`].
pub const DOWNTIME_STRATEGY: &str = "downtime-strategy";

/// The rules `rollouts` adds to the single-object checks of `validate`
/// (ids distinct from [`crate::check::rules`], so `explain` can list both).
pub const RULES: &[RuleInfo] = &[
    RuleInfo {
        id: ENVIRONMENT_ID_CHANGED,
        severity: Severity::Error,
        scopes: &[Scope::Rollouts],
        summary: "spec.environmentId of an existing resource changes",
        docs: "The environmentId names the persisted data a Materialize instance runs on. Once a resource has a non-nil environmentId, changing it (or removing it, which reads as the nil UUID) points the running instance at different data. `mz-presync rollouts` compares each commit with its first parent and reports any such change for the same namespace/name; the API server cannot, because it never sees the old value. Restore the old value; to start a new environment, create a new resource. Silence it with the annotation `mz-presync.io/ignore: environment-id-changed` or a `# mz-presync: ignore[environment-id-changed]` comment.",
        suppressible: true,
    },
    RuleInfo {
        id: UPGRADE_WINDOW,
        severity: Severity::Error,
        scopes: &[Scope::Rollouts],
        summary: "An environmentdImageRef change the operator refuses (a downgrade or too large a jump)",
        docs: "The operator compares the old and new image tags (the text after the last `:`, `v` + semver, `--` standing for `+`; build metadata ignored) and refuses to roll out a downgrade; within v0.x a jump of more than one minor version (v0.130 → v0.147 is allowed); v0.x → v26 from anything but v0.147.20+ patches or v0.164+; and more than one major version up from v26 on. `mz-presync rollouts` applies the same rule to each commit, so the refusal shows on the pull request instead of in the operator's log after the merge. A tag that is not a version (`latest`, a digest only) is not checked and reported as a note. Upgrade one step at a time.",
        suppressible: true,
    },
    RuleInfo {
        id: KUSTOMIZE_PATCH,
        severity: Severity::Note,
        scopes: &[Scope::Rollouts],
        summary: "A changed file (or inline patch) is a kustomize patch: the verdict is about the resource it patches",
        docs: "A strategic-merge patch named by a kustomization (`patches: [{path: …}]`, `patchesStrategicMerge`) holds only the fields an overlay overrides. It is not a resource: it has no rollout hash and misses required fields. `mz-presync rollouts` finds the kustomization that names a changed file in the commit's tree (in the file's directory or above, as kustomize's default load restrictor requires), checks the patch as a partial object, and calls the change a rollout when it changes a field of the rollout hash (or the force-rollout annotation): an overridden field wins over the base, so its new value reaches the resource the overlay builds. Adding a patch with such fields, or removing one (its fields fall back to the base's values), counts the same way. Patches written inside the kustomization (`patches: [{target: {kind: Materialize}, patch: …}]`, inline `patchesStrategicMerge` entries) are judged alike: a JSON 6902 operation list is read as the object it writes (an `add`/`replace` of a whole spec member sets it; operations below a member, `remove`, `move` and `copy` count as a change of that member whenever they change). A JSON 6902 patch file is read through the `target` of the entry that names it: with a Materialize target it writes into that resource; retargeting it elsewhere counts as removing it. The hash of the result exists only for the built overlay: `kustomize build overlays/prod | mz-presync hash -`.",
        suppressible: true,
    },
];

/// What `downtime-strategy` means in `rollouts`, for `explain` to add to the
/// `validate` rule's own text.
pub const DOWNTIME_ON_ROLLOUT: RuleInfo = RuleInfo {
    id: DOWNTIME_STRATEGY,
    severity: Severity::Warning,
    scopes: &[Scope::Rollouts],
    summary: "A change starts a rollout of a resource whose rolloutStrategy is ImmediatelyPromoteCausingDowntime",
    docs: "With rolloutStrategy ImmediatelyPromoteCausingDowntime the operator tears down the running environment before the new one is ready, so every rollout is an outage. `mz-presync rollouts` warns on each updated resource whose change starts a rollout under that strategy (a newly created resource has nothing to take down). Merge it in a maintenance window, or switch to WaitUntilReady.",
    suppressible: true,
};

/// The rule with this id among [`RULES`] and [`DOWNTIME_ON_ROLLOUT`].
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES
        .iter()
        .chain(std::iter::once(&DOWNTIME_ON_ROLLOUT))
        .find(|rule| rule.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_do_not_collide_with_validate_and_are_documented() {
        for rule in RULES {
            assert!(
                crate::check::rule(rule.id).is_none(),
                "{} is also a validate rule",
                rule.id
            );
            assert!(
                !rule.summary.ends_with('.') && rule.docs.len() > 80,
                "{}",
                rule.id
            );
        }
        assert_eq!(
            crate::check::rule(DOWNTIME_STRATEGY).map(|r| r.severity),
            Some(DOWNTIME_ON_ROLLOUT.severity),
            "the shared id keeps the validate rule's severity"
        );
        assert!(rule(UPGRADE_WINDOW).is_some() && rule(DOWNTIME_STRATEGY).is_some());
    }
}
