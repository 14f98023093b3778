//! Rollout history over git commits: for each commit of a range, which
//! Materialize resources it creates, updates or deletes, whether that
//! requests a rollout under the operator model and whether the rollout
//! restarts the database (spec §7, §8, judged by [`crate::crd::verdict`]),
//! and because of which fields.
//!
//! The cost follows the number of changed blobs, not commits × files:
//!
//! * [`range`] turns the range into commits with `git2` (never the working
//!   tree); [`scan`] orders the work in chunks of commits.
//! * [`tree_diff`] diffs each commit's tree against its first parent's;
//!   unchanged subtrees are skipped by object id, and deltas whose path is
//!   not a manifest (`.yaml`/`.yml`/`.json`) are dropped before any blob is
//!   read.
//! * [`blobs`] reads changed blobs in parallel and keeps what [`resources`]
//!   parsed from each (Materialize resources with their hashes) once per
//!   blob id, since the same blob recurs across commits, branches and
//!   renames; blobs that cannot hold a Materialize object are recognised
//!   without parsing.
//! * [`sides`] decides what each changed blob is compared as (whole
//!   objects, or a kustomize patch found through [`patches`] and
//!   [`inline_patches`]).
//! * [`compare`] pairs the resources of the old and new sides of one diff
//!   by identity ([`pairing`]: deploy unit, namespace, name — the units
//!   found once per run at the range's ends, looked up once per changed
//!   path by [`units`]), so a moved file or a resource moving between
//!   files of one unit is not a change, and builds each change ([`change`])
//!   with its fields ([`fields`]) and findings ([`rules`]).
//! * [`pathspec`] scopes the tree diffs to `-- PATH...`; [`net`] folds the
//!   base→head comparison and the commits into one verdict per resource.
//!
//! The two-version rules live in [`rules`], one file each; the upgrade
//! window they apply is a CRD fact ([`crate::crd::upgrade_window`]).

pub mod blobs;
pub mod change;
pub mod compare;
pub mod fields;
pub mod inline_patches;
pub mod judge;
pub mod locator;
pub mod net;
pub mod pairing;
pub mod patches;
pub mod pathspec;
pub mod range;
pub mod rendered;
pub mod resources;
pub mod rules;
pub mod scan;
pub mod sides;
pub mod tree_diff;
pub mod units;

use serde::Serialize;

use crate::crd::verdict::Restart;
use crate::crd::{Algorithm, Operator};
use crate::finding::{Finding, Severity};
use crate::source::units::UnitRef;

pub use net::{NetKind, NetResource};
pub use range::HistoryError;
pub use rules::{DOWNTIME_ON_ROLLOUT, RULES, rule};
pub use scan::{ScanOptions, scan};

/// What `rollouts` found in a range (`report::rollouts::json` writes it as
/// the stable `json` report, version 1).
#[derive(Clone, Debug)]
pub struct History {
    pub version: u32,
    /// The operator model every verdict of the history follows.
    pub operator: Operator,
    pub algorithm: Algorithm,
    pub range: String,
    pub commits: Vec<CommitChanges>,
    /// How many commits the range holds (`commits` lists only those with
    /// changes unless `--all`).
    pub scanned_commits: usize,
    /// Boundary commits of a shallow clone that a single revision's history
    /// reached (40 hex digits): not compared, since their parents are not
    /// in the clone; nothing before them is reported. Always empty for a
    /// range `A..B`, which fails at the boundary instead.
    pub shallow_boundary: Vec<String>,
    /// The effect of merging the range: the range's base (the merge base of
    /// `A` and `B` for `A..B`, nothing for a single revision) compared with
    /// its head. Computed only when [`ScanOptions::net`] asks for it.
    pub net: Option<NetChanges>,
    /// The net verdict per resource: [`History::net`] and the commits that
    /// changed each resource, by unit, namespace and name (without the net,
    /// the commits' resources, each `unchanged`).
    pub resources: Vec<NetResource>,
    /// What `--render` rendered (none without it).
    pub render: Option<rendered::RenderSummary>,
}

impl History {
    pub fn changes(&self) -> impl Iterator<Item = (&CommitChanges, &Change)> {
        self.commits
            .iter()
            .flat_map(|commit| commit.changes.iter().map(move |change| (commit, change)))
    }

    /// The net of a range `A..B` (base = its merge base): what merging it
    /// applies. `None` for a single revision, whose net (from nothing, or
    /// from a shallow clone's boundary) is no merge.
    pub fn range_net(&self) -> Option<&NetChanges> {
        self.net
            .as_ref()
            .filter(|net| net.base.is_some() && self.shallow_boundary.is_empty())
    }

    /// Whether a rollout is requested: by merging the range when it has a
    /// base ([`History::range_net`]; a change reverted inside it is none),
    /// else by any commit.
    pub fn any_rollout(&self) -> bool {
        match self.range_net() {
            Some(net) => self.resources.iter().any(|r| r.rollout(net)),
            None => self.changes().any(|(_, change)| change.rollout),
        }
    }

    /// Whether a change restarts the database for certain (`restart: yes`);
    /// `maybe` does not count, since it depends on what the manifest does
    /// not show. Judged like [`History::any_rollout`].
    pub fn any_restart(&self) -> bool {
        match self.range_net() {
            Some(net) => self
                .resources
                .iter()
                .any(|r| r.restart(net) == Restart::Yes),
            None => self
                .changes()
                .any(|(_, change)| change.restart == Restart::Yes),
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.changes()
            .flat_map(|(_, change)| &change.findings)
            .filter(|finding| finding.severity == severity)
            .count()
    }
}

#[derive(Clone, Debug)]
pub struct NetChanges {
    /// 40 hex digits, or `None` when the range starts at the root.
    pub base: Option<String>,
    pub head: String,
    pub changes: Vec<Change>,
}

#[derive(Clone, Debug)]
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
#[derive(Clone, Debug)]
pub struct Change {
    /// The deploy unit the resource is deployed by: part of its identity.
    pub unit: UnitRef,
    /// The object's namespace, or its unit's destination namespace.
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// Path in the repository of the new version (the old one for `deleted`).
    pub file: String,
    pub change: ChangeKind,
    /// Whether a rollout is requested under the operator model: created
    /// with a hash; under `design` updated with a different hash (also when
    /// the old version had none); under `released` per spec §7 (a
    /// `v1alpha1` object's `requestRollout`, a `v1` object's hash).
    pub rollout: bool,
    /// Whether the rollout restarts the database (spec §8): `yes` when a
    /// per-generation input changed (and for every created or deleted
    /// resource), `maybe` when it is requested but none did.
    pub restart: Restart,
    /// A per-generation input changed without a rollout request: the
    /// operator waits for approval (released `v1alpha1` only).
    pub pending: bool,
    pub old_hash: Option<String>,
    pub new_hash: Option<String>,
    pub api_version: ApiVersionChange,
    /// JSON pointers (inside the object) of the hash-relevant fields whose
    /// normalized values differ, sorted; then, when they requested the
    /// rollout, the released operator's triggers (`/spec/requestRollout`,
    /// `/apiVersion`).
    pub fields: Vec<String>,
    /// The per-generation inputs that changed (spec §8), sorted: what a
    /// pending change waits to apply.
    pub per_generation: Vec<String>,
    /// About the change's file; each finding's pointer is inside the
    /// document (prefixed with `/items/N` for an item of a `List`).
    pub findings: Vec<Finding>,
    /// Where the first changed field (or the object) is in the new version,
    /// for annotations; set only when [`ScanOptions::locate_changes`].
    pub position: Option<crate::source::Position>,
    /// The new hash depends on certificate fields whose place in the hash
    /// input is uncertain (spec §2).
    pub best_effort: bool,
    /// The file is a kustomize patch named by this kustomization: the
    /// change is to the resource it patches, judged by the hashed fields it
    /// overrides (there are no hashes).
    pub kustomize_patch: Option<String>,
    /// The change is to a unit's rendered output (`--render`): `file` is
    /// the unit's path.
    pub rendered: Option<rendered::RenderedBy>,
}

impl Change {
    /// [`Change::resource_name`] with its unit: `UNIT:namespace/name`.
    pub fn qualified_name(&self) -> String {
        qualified_name(
            &self.unit,
            self.namespace.as_deref(),
            self.name.as_deref(),
            &self.file,
        )
    }

    /// The file as reports show it: a rendered change's unit path says
    /// which tool built it (`apps/overlays/us-east [kustomize]`), since its
    /// lines are the rendered stream's, not a repository file's.
    pub fn shown_file(&self) -> String {
        match self.rendered {
            Some(by) => format!("{} [{}]", self.file, by.as_str()),
            None => self.file.clone(),
        }
    }

    /// `namespace/name`, `name`, or the file for an object without a name.
    pub fn resource_name(&self) -> String {
        resource_name(self.namespace.as_deref(), self.name.as_deref(), &self.file)
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// How reports name a resource: `namespace/name`, `name`, or by its file
/// when it has no name (one spelling for a commit's change and the net).
pub fn resource_name(namespace: Option<&str>, name: Option<&str>, file: &str) -> String {
    match (namespace, name) {
        (Some(namespace), Some(name)) => format!("{namespace}/{name}"),
        (None, Some(name)) => name.to_owned(),
        (Some(namespace), None) => format!("{namespace}/<unnamed>"),
        (None, None) => format!("<unnamed in {file}>"),
    }
}

/// [`resource_name`] with its unit: `UNIT:namespace/name`.
pub fn qualified_name(
    unit: &UnitRef,
    namespace: Option<&str>,
    name: Option<&str>,
    file: &str,
) -> String {
    match name {
        Some(name) => unit.qualify(namespace, name),
        None => unit.qualify(None, &resource_name(namespace, None, file)),
    }
}
