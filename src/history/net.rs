//! The net verdict of a range per resource: what merging it does to each
//! (unit, namespace, name) that its base→head comparison or any of its
//! commits changed. A change reverted inside the range is listed (commits
//! touched it) as unchanged, with no rollout: only the comparison of the
//! range's ends says what the merge applies, the commits say why.

use std::collections::HashMap;

use serde::Serialize;

use super::{Change, ChangeKind, CommitChanges, NetChanges};
use crate::crd::verdict::Restart;
use crate::source::units::{UnitKind, UnitRef};

/// What merging the range does to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NetKind {
    Created,
    Updated,
    Deleted,
    /// Commits changed it, the range's ends do not differ (or only in
    /// ways that are no change, like formatting).
    Unchanged,
}

impl NetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NetKind::Created => "created",
            NetKind::Updated => "updated",
            NetKind::Deleted => "deleted",
            NetKind::Unchanged => "unchanged",
        }
    }
}

/// One resource the range changes.
#[derive(Clone, Debug)]
pub struct NetResource {
    pub unit: UnitRef,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// Its file at the head (at the base when deleted; the last commit's
    /// when unchanged).
    pub file: String,
    pub change: NetKind,
    /// Index into [`NetChanges::changes`] of the base→head change; `None`
    /// when unchanged.
    pub net: Option<usize>,
    /// `(commit, change)` indices into [`super::History::commits`] and its
    /// changes, in range order.
    pub commits: Vec<(usize, usize)>,
}

impl NetResource {
    /// [`Change::resource_name`] of this resource.
    pub fn resource_name(&self) -> String {
        super::resource_name(self.namespace.as_deref(), self.name.as_deref(), &self.file)
    }

    pub fn qualified_name(&self) -> String {
        super::qualified_name(
            &self.unit,
            self.namespace.as_deref(),
            self.name.as_deref(),
            &self.file,
        )
    }

    /// The base→head change.
    pub fn net_change<'n>(&self, net: &'n NetChanges) -> Option<&'n Change> {
        self.net.and_then(|i| net.changes.get(i))
    }

    /// The changes of the range's commits, in order.
    pub fn commit_changes<'h>(
        &self,
        commits: &'h [CommitChanges],
    ) -> impl Iterator<Item = (&'h CommitChanges, &'h Change)> {
        self.commits
            .iter()
            .map(|&(c, k)| (&commits[c], &commits[c].changes[k]))
    }

    /// Whether merging requests a rollout of it.
    pub fn rollout(&self, net: &NetChanges) -> bool {
        self.net_change(net).is_some_and(|c| c.rollout)
    }

    pub fn restart(&self, net: &NetChanges) -> Restart {
        self.net_change(net).map_or(Restart::No, |c| c.restart)
    }

    pub fn pending(&self, net: &NetChanges) -> bool {
        self.net_change(net).is_some_and(|c| c.pending)
    }
}

/// Borrowed from the changes: the fold allocates nothing per change.
type Key<'c> = (
    &'c UnitRef,
    Option<&'c str>,
    Option<&'c str>,
    Option<&'c str>,
);

fn key_of(change: &Change) -> Key<'_> {
    let file = change.name.is_none().then_some(change.file.as_str());
    (
        &change.unit,
        change.namespace.as_deref(),
        change.name.as_deref(),
        file,
    )
}

/// Every resource the net changes (`net`, base→head) or `commits` change,
/// sorted by unit (kind, path, name), then namespace, then name. Without a
/// net (`&[]`) every resource is `unchanged` with its commits.
pub fn fold(commits: &[CommitChanges], net: &[Change]) -> Vec<NetResource> {
    let mut by_key: HashMap<Key<'_>, NetResource> = HashMap::new();
    for (i, change) in net.iter().enumerate() {
        let change_kind = match change.change {
            ChangeKind::Created => NetKind::Created,
            ChangeKind::Updated => NetKind::Updated,
            ChangeKind::Deleted => NetKind::Deleted,
        };
        by_key.entry(key_of(change)).or_insert_with(|| NetResource {
            unit: change.unit.clone(),
            namespace: change.namespace.clone(),
            name: change.name.clone(),
            file: change.file.clone(),
            change: change_kind,
            net: Some(i),
            commits: Vec::new(),
        });
    }
    for (c, commit) in commits.iter().enumerate() {
        for (k, change) in commit.changes.iter().enumerate() {
            let resource = by_key.entry(key_of(change)).or_insert_with(|| NetResource {
                unit: change.unit.clone(),
                namespace: change.namespace.clone(),
                name: change.name.clone(),
                file: change.file.clone(),
                change: NetKind::Unchanged,
                net: None,
                commits: Vec::new(),
            });
            if resource.net.is_none() {
                resource.file.clone_from(&change.file);
            }
            resource.commits.push((c, k));
        }
    }
    let mut resources: Vec<NetResource> = by_key.into_values().collect();
    resources.sort_by(|a, b| {
        fn key(r: &NetResource) -> (UnitKind, &str, &str, &Option<String>, &Option<String>, &str) {
            (
                r.unit.kind,
                &r.unit.path,
                &r.unit.name,
                &r.namespace,
                &r.name,
                &r.file,
            )
        }
        key(a).cmp(&key(b))
    });
    resources
}
