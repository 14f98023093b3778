//! Which rendered units change where in a range, and the changes their
//! renders show. Planned before the scan compares files: every commit's
//! parent and own tree give each unit an input key; where the keys differ
//! the unit is rendered on both sides (all renders of the range in one
//! parallel batch, each input state once) and the two renders compared.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use git2::{Oid, Repository, Tree};

use super::inputs::InputKey;
use super::render::{Job, Renderer};
use super::{RenderOptions, RenderSummary, RenderUnit};
use crate::history::Change;
use crate::history::compare::{CompareOptions, Side, compare};
use crate::history::pathspec::Pathspec;
use crate::history::range::{HistoryError, RangePlan};
use crate::history::tree_diff::ManifestDelta;
use crate::history::units::ScanUnit;
use crate::source::has_manifest_extension;
use crate::source::kustomize::is_kustomization_path;
use crate::source::units::{UnitRef, mentions_unit_groups};

/// The rendered units of one tree. Called once per distinct tree.
pub type UnitsAt<'a> =
    dyn FnMut(&Repository, &Tree<'_>) -> Result<Vec<RenderUnit>, HistoryError> + 'a;

/// The rendered side of a range.
#[derive(Default)]
pub struct RenderedRange {
    /// Per commit (40 hex digits).
    commits: HashMap<String, RenderedDiff>,
    net: Option<RenderedDiff>,
    pub summary: RenderSummary,
}

#[derive(Default)]
struct RenderedDiff {
    changes: Vec<Change>,
    /// The rendered units on either side: files they read are compared
    /// only through their renders.
    units: Vec<RenderUnit>,
}

impl RenderedDiff {
    fn covers(&self, path: &str) -> bool {
        self.units.iter().any(|unit| unit.inputs.contains(path))
    }
}

impl RenderedRange {
    /// Leave out of a commit's file comparison (`None` for the net one)
    /// the sides of `deltas` that rendered units read: they are compared
    /// through the renders.
    pub fn drop_covered(&self, commit: Option<&str>, deltas: &mut Vec<ManifestDelta>) {
        let diff = match commit {
            Some(commit) => self.commits.get(commit),
            None => self.net.as_ref(),
        };
        let Some(diff) = diff.filter(|d| !d.units.is_empty()) else {
            return;
        };
        for delta in deltas.iter_mut() {
            for side in [&mut delta.old, &mut delta.new] {
                if side.as_ref().is_some_and(|blob| diff.covers(&blob.path)) {
                    *side = None;
                }
            }
        }
        deltas.retain(|delta| delta.old.is_some() || delta.new.is_some());
    }

    /// The rendered changes of `commit`.
    pub fn take_changes(&mut self, commit: &str) -> Vec<Change> {
        self.commits
            .get_mut(commit)
            .map(|d| std::mem::take(&mut d.changes))
            .unwrap_or_default()
    }

    pub fn take_net_changes(&mut self) -> Vec<Change> {
        self.net
            .as_mut()
            .map(|d| std::mem::take(&mut d.changes))
            .unwrap_or_default()
    }
}

/// One unit compared between two trees.
struct Comparison {
    /// The commit, or `None` for the range's net comparison.
    commit: Option<String>,
    unit: ScanUnit,
    how: super::RenderedBy,
    old: Option<InputKey>,
    new: Option<InputKey>,
}

/// Both trees of one diff, with their units keyed.
struct Keyed {
    unit: RenderUnit,
    key: InputKey,
}

fn keyed(
    repo: &Repository,
    tree: &Tree<'_>,
    units: &[RenderUnit],
) -> Result<BTreeMap<UnitRef, Keyed>, HistoryError> {
    units
        .iter()
        .map(|unit| {
            let key = InputKey::of(repo, tree, &unit.how.spec(&unit.unit), &unit.inputs)?;
            Ok((
                unit.unit.clone(),
                Keyed {
                    unit: unit.clone(),
                    key,
                },
            ))
        })
        .collect()
}

/// Units per tree, discovered once per distinct tree, and not again for a
/// commit that cannot change them.
struct UnitsCache<'u, 'a> {
    units_at: &'u mut UnitsAt<'a>,
    by_tree: HashMap<Oid, Vec<RenderUnit>>,
    paths: &'u Pathspec,
}

impl UnitsCache<'_, '_> {
    /// `rollouts -- PATH...`: a rendered unit is scanned when its path (what
    /// its changes name as their file) is under the paths, whatever input
    /// changed (a base elsewhere changes the objects of this unit).
    fn in_scope(&self, unit: &UnitRef) -> bool {
        self.paths.matches(&unit.path)
    }

    fn at(&mut self, repo: &Repository, tree: &Tree<'_>) -> Result<Vec<RenderUnit>, HistoryError> {
        if let Some(units) = self.by_tree.get(&tree.id()) {
            return Ok(units.clone());
        }
        let units = (self.units_at)(repo, tree)?;
        self.by_tree.insert(tree.id(), units.clone());
        Ok(units)
    }

    /// The units of a commit's `tree`, whose first parent's tree is
    /// `parent`: the parent's units when the commit only edits files that
    /// discovery does not read (a walk of the whole tree per commit would
    /// make a long range cost commits × files).
    fn after(
        &mut self,
        repo: &Repository,
        parent: Option<&Tree<'_>>,
        tree: &Tree<'_>,
    ) -> Result<Vec<RenderUnit>, HistoryError> {
        if let Some(parent) = parent
            && !self.by_tree.contains_key(&tree.id())
            && let Some(units) = self.by_tree.get(&parent.id())
            && !may_change_units(repo, parent, tree)?
        {
            let units = units.clone();
            self.by_tree.insert(tree.id(), units.clone());
            return Ok(units);
        }
        self.at(repo, tree)
    }
}

/// Whether going from `old` to `new` can change which units there are or
/// what they read: a file added, deleted or renamed (a directory an
/// ApplicationSet generator or a `units:` glob matches, a chart), or an
/// edit of a kustomization, a `Chart.yaml`, the configuration, or a
/// manifest naming Argo CD's or Flux's API group on either side.
fn may_change_units(
    repo: &Repository,
    old: &Tree<'_>,
    new: &Tree<'_>,
) -> Result<bool, git2::Error> {
    let diff = repo.diff_tree_to_tree(Some(old), Some(new), None)?;
    for delta in diff.deltas() {
        if delta.status() != git2::Delta::Modified {
            return Ok(true);
        }
        let Some(path) = delta.new_file().path() else {
            return Ok(true);
        };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if is_kustomization_path(path) || name == "Chart.yaml" || name.starts_with(".mz-presync") {
            return Ok(true);
        }
        if !has_manifest_extension(path) {
            continue;
        }
        for id in [delta.old_file().id(), delta.new_file().id()] {
            if mentions_unit_groups(repo.find_blob(id)?.content()) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Plan one diff (old tree → new tree): record its units, queue the renders
/// of the units whose inputs differ.
#[allow(clippy::too_many_arguments)]
fn plan_diff(
    repo: &Repository,
    units: &mut UnitsCache<'_, '_>,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
    old_commit: Option<Oid>,
    new_commit: Oid,
    label: Option<String>,
    jobs: &mut Vec<Job>,
    comparisons: &mut Vec<Comparison>,
) -> Result<RenderedDiff, HistoryError> {
    let old_units = match old {
        Some(tree) => keyed(repo, tree, &units.at(repo, tree)?)?,
        None => BTreeMap::new(),
    };
    let new_units = keyed(repo, new, &units.after(repo, old, new)?)?;
    let refs: std::collections::BTreeSet<&UnitRef> =
        old_units.keys().chain(new_units.keys()).collect();
    for unit in refs {
        let (before, after) = (old_units.get(unit), new_units.get(unit));
        if before.map(|k| k.key) == after.map(|k| k.key) || !units.in_scope(unit) {
            continue;
        }
        if let (Some(before), Some(tree), Some(commit)) = (before, old, old_commit) {
            jobs.push(Job {
                key: before.key,
                unit: before.unit.clone(),
                tree: tree.id(),
                commit,
            });
        }
        if let Some(after) = after {
            jobs.push(Job {
                key: after.key,
                unit: after.unit.clone(),
                tree: new.id(),
                commit: new_commit,
            });
        }
        // The head side's destination namespace wins, as for files.
        let current = &after.or(before).expect("one side has the unit").unit;
        comparisons.push(Comparison {
            commit: label.clone(),
            unit: ScanUnit {
                reference: unit.clone(),
                destination_namespace: current.destination_namespace.clone(),
            },
            how: current.how.rendered_by(),
            old: before.map(|k| k.key),
            new: after.map(|k| k.key),
        });
    }
    let mut all: Vec<RenderUnit> = new_units.into_values().map(|k| k.unit).collect();
    for unit in old_units.into_values().map(|k| k.unit) {
        if !all.contains(&unit) {
            all.push(unit);
        }
    }
    Ok(RenderedDiff {
        changes: Vec::new(),
        units: all,
    })
}

/// Render what the range's commits (and, with `net`, the head against that
/// base) change in the rendered units `units_at` finds in each tree.
pub fn render_range(
    repo: &Repository,
    plan: &RangePlan,
    net: Option<Option<Oid>>,
    paths: &Pathspec,
    options: RenderOptions,
    compare_options: &CompareOptions,
    units_at: &mut UnitsAt<'_>,
) -> Result<RenderedRange, HistoryError> {
    let repo_path: &Path = repo.path();
    let mut units = UnitsCache {
        units_at,
        by_tree: HashMap::new(),
        paths,
    };
    let mut jobs = Vec::new();
    let mut comparisons = Vec::new();
    let mut range = RenderedRange::default();
    for &id in &plan.commits {
        let commit = repo.find_commit(id)?;
        let tree = commit.tree()?;
        let parent = match commit.parent_count() {
            0 => None,
            _ => Some(commit.parent(0)?),
        };
        let parent_tree = parent.as_ref().map(|p| p.tree()).transpose()?;
        let label = id.to_string();
        let diff = plan_diff(
            repo,
            &mut units,
            parent_tree.as_ref(),
            &tree,
            parent.as_ref().map(|p| p.id()),
            id,
            Some(label.clone()),
            &mut jobs,
            &mut comparisons,
        )?;
        range.commits.insert(label, diff);
    }
    if let (Some(base), Some(head)) = (net, plan.head) {
        let head_tree = repo.find_commit(head)?.tree()?;
        let base_tree = base
            .map(|b| repo.find_commit(b).and_then(|c| c.tree()))
            .transpose()?;
        range.net = Some(plan_diff(
            repo,
            &mut units,
            base_tree.as_ref(),
            &head_tree,
            base,
            head,
            None,
            &mut jobs,
            &mut comparisons,
        )?);
    }

    let mut renderer = Renderer::new(repo_path, options, compare_options.algorithm);
    renderer.render_all(jobs).map_err(HistoryError::from)?;
    for comparison in comparisons {
        let changes = compare_renders(&renderer, &comparison, compare_options);
        let diff = match &comparison.commit {
            Some(commit) => range.commits.get_mut(commit),
            None => range.net.as_mut(),
        };
        if let Some(diff) = diff {
            diff.changes.extend(changes);
        }
    }
    range.summary = RenderSummary {
        renders: renderer.renders,
        cache_hits: renderer.cache_hits,
        notes: renderer.take_notes(),
    };
    Ok(range)
}

fn compare_renders(
    renderer: &Renderer,
    comparison: &Comparison,
    options: &CompareOptions,
) -> Vec<Change> {
    let side = |key: &Option<InputKey>| {
        key.as_ref().and_then(|k| renderer.get(k)).map(|blob| Side {
            path: &comparison.unit.reference.path,
            blob,
            patch_of: None,
            units: std::slice::from_ref(&comparison.unit),
        })
    };
    let old: Vec<Side<'_>> = side(&comparison.old).into_iter().collect();
    let new: Vec<Side<'_>> = side(&comparison.new).into_iter().collect();
    // The net is judged for its verdicts only, as the scan judges files'.
    let options = CompareOptions {
        verdicts_only: comparison.commit.is_none(),
        ..*options
    };
    let mut changes = compare(&old, &new, &options);
    for change in &mut changes {
        change.rendered = Some(comparison.how);
        // A line of the rendered stream is no line of any file in the
        // repository: annotations name the unit, without a position.
        change.position = None;
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::tree_diff::tests::tree;

    #[test]
    fn only_edits_of_what_discovery_reads_can_change_units() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let app = "apiVersion: argoproj.io/v1alpha1\nkind: Application\n";
        let start = [
            ("apps/o/kustomization.yaml", "resources: [mz.yaml]\n"),
            ("apps/o/mz.yaml", "kind: Materialize\n"),
            ("argocd/o.yaml", app),
            ("README.md", "one\n"),
        ];
        let changed = |edit: (&str, &str)| {
            let mut files = start.to_vec();
            match files.iter_mut().find(|(path, _)| *path == edit.0) {
                Some(file) => file.1 = edit.1,
                None => files.push(edit),
            }
            let old = repo.find_tree(tree(&repo, &start)).unwrap();
            let new = repo.find_tree(tree(&repo, &files)).unwrap();
            may_change_units(&repo, &old, &new).unwrap()
        };
        assert!(!changed(("README.md", "two\n")));
        assert!(!changed((
            "apps/o/mz.yaml",
            "kind: Materialize\nspec: {}\n"
        )));
        assert!(changed(("apps/o/kustomization.yaml", "resources: []\n")));
        assert!(changed(("argocd/o.yaml", &format!("{app}spec: {{}}\n"))));
        assert!(changed(("apps/p/mz.yaml", "kind: Materialize\n")));
    }
}
