//! The `rollouts` scan: plan the range, then process its commits in chunks.
//! Each chunk's tree diffs run in parallel ([`super::tree_diff`]), then the
//! blobs the chunk needs and the cache does not hold are read and parsed in
//! parallel ([`super::blobs`]), then the comparisons run in commit order
//! ([`super::sides`], [`super::compare`]). The working tree and the index
//! are never read or written. This file only orders those steps.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::{Repository, Tree};
use rayon::prelude::*;

use super::blobs::{BlobCache, with_worker_repo};
use super::compare::{CompareOptions, compare};
use super::net::fold;
use super::patches::PatchIndex;
use super::pathspec::Pathspec;
use super::range::{HistoryError, open_repository, plan_range};
use super::rendered::{self, RenderOptions};
use super::resources::MAX_BLOB_SIZE;
use super::sides::{Indexes, classify};
use super::tree_diff::{
    CommitDiff, DiffTrees, ManifestDelta, blobs_of, commit_diff, manifest_deltas,
};
use super::units::UnitIndex;
use super::{Change, CommitChanges, History, NetChanges};
use crate::crd::{Algorithm, Operator};
use crate::source::units::{ConfigUnit, ConfiguredUnits, Units, discover_git};

/// Enough commits per chunk to keep both cores busy, few enough that the
/// diffs of one chunk stay small in memory.
const CHUNK: usize = 512;

#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    pub algorithm: Algorithm,
    /// The operator model every verdict follows (spec §7).
    pub operator: Operator,
    /// Follow only the first parent of merges (`git log --first-parent`).
    pub first_parent: bool,
    /// List commits without changes too.
    pub all: bool,
    /// Locate each rollout's changed field (for annotations).
    pub locate_changes: bool,
    /// Also compare the range's base with its head ([`History::net`]) and
    /// fold the result into [`History::resources`].
    pub net: bool,
    /// Only changes to files under these paths (`rollouts -- PATH...`),
    /// resolved as git resolves a pathspec from [`ScanOptions::cwd`].
    pub paths: Vec<PathBuf>,
    /// The directory relative paths start from when it is inside the work
    /// tree (else they start at its root); `None`: the root.
    pub cwd: Option<PathBuf>,
    /// The `units:` of `.mz-presync.yaml`: when given, the deploy units
    /// instead of discovery (rebased onto the repository's work tree).
    pub units: Option<Arc<ConfiguredUnits>>,
    /// Render kustomize and Helm units and compare their output
    /// ([`super::rendered`]) instead of their files.
    pub render: Option<RenderOptions>,
}

/// The changes between the two sides of `deltas`.
fn compare_deltas(
    repo: &Repository,
    deltas: &[ManifestDelta],
    trees: &DiffTrees,
    cache: &BlobCache,
    indexes: &mut Indexes<'_>,
    options: &CompareOptions,
) -> Result<Vec<Change>, git2::Error> {
    let old_found = classify(repo, deltas, |d| &d.old, trees.old, cache, indexes, options)?;
    let new_found = classify(repo, deltas, |d| &d.new, trees.new, cache, indexes, options)?;
    if old_found.is_empty() && new_found.is_empty() {
        return Ok(Vec::new());
    }
    let old: Vec<_> = old_found.iter().map(|found| found.side()).collect();
    let new: Vec<_> = new_found.iter().map(|found| found.side()).collect();
    Ok(compare(&old, &new, options))
}

/// Compare every commit of `range` (as git understands it: `A..B`, `A...B`
/// or a single revision, meaning its whole history) with its first parent.
///
/// `repo_dir` is searched upward for a repository, like git does.
/// `progress(done, total)` is called as chunks of commits complete.
pub fn scan(
    repo_dir: &Path,
    range: &str,
    options: &ScanOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<History, HistoryError> {
    // libgit2 re-hashes every object it reads to check it; git does not when
    // reading (`git log -p` trusts the object store), and for a read-only
    // scan the check cost a third of the run. Process-wide, but this
    // process only reads.
    git2::opts::strict_hash_verification(false);
    // libgit2's object cache kept every tree the scan had looked up (heaptrack:
    // the largest consumer, growing with the history); the scan reads each
    // tree of a commit pair once, so the cache saves nothing. Without it the
    // peak RSS over 10,001 commits fell from 241 MB to 175 MB, and the scan
    // got slightly faster. Process-wide, like the setting above.
    git2::opts::enable_caching(false);
    let repo = open_repository(repo_dir)?;
    let paths = match &options.cwd {
        _ if options.paths.is_empty() => Pathspec::default(),
        Some(cwd) => Pathspec::resolve(repo.workdir(), cwd, &options.paths)?,
        None => Pathspec::resolve(repo.workdir(), Path::new("/"), &options.paths)?,
    };
    let configured = options.units.as_ref().map(|units| match repo.workdir() {
        Some(root) => units.for_root(root),
        None => units.entries.clone(),
    });
    let repo_path = repo.path().to_path_buf();
    // Unit discovery at the range's ends reads their trees' manifests; it
    // runs beside the walk of the range's commits, which needs only the
    // main thread (10,001 commits: both take a few tens of milliseconds).
    let (plan, discovered) = std::thread::scope(|scope| {
        let mut discovery = None;
        let plan = plan_range(&repo, range, options.first_parent, &mut |base, head| {
            let (repo_path, configured) = (&repo_path, configured.as_deref());
            discovery = Some(
                scope.spawn(move || discover_units(repo_path, [Some(head), base], configured)),
            );
        });
        let discovered = discovery.map(|thread| {
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (plan, discovered)
    });
    let plan = plan?;
    let mut discovered = discovered.unwrap_or_else(|| Ok(Vec::new()))?;
    // What the net compares: the range's base, or for a single revision on
    // a shallow clone its one boundary commit (history before it is not
    // known, so everything at the head is not "created").
    let net_base = match (plan.base, plan.shallow_boundary.as_slice()) {
        (Some(base), _) => Some(base),
        (None, [boundary]) => Some(*boundary),
        _ => None,
    };
    // The boundary end is known only after the walk.
    if let Some(boundary) = net_base.filter(|b| Some(*b) != plan.base && Some(*b) != plan.head) {
        discovered.extend(discover_units(
            &repo_path,
            [Some(boundary), None],
            configured.as_deref(),
        )?);
    }
    let net_wanted = options.net && (plan.base.is_some() || plan.shallow_boundary.len() <= 1);
    let compare_options = CompareOptions {
        locate_changes: options.locate_changes,
        algorithm: options.algorithm,
        operator: options.operator,
        verdicts_only: false,
    };
    let total = plan.commits.len();
    let mut rendered = options
        .render
        .map(|render| {
            let net = net_wanted.then_some(net_base);
            let ends = rendered::Ends {
                net,
                paths: &paths,
                config: configured.as_deref(),
                discovered: &discovered,
            };
            rendered::render_commits(&repo, &plan, &ends, render, &compare_options)
        })
        .transpose()?;
    let mut units = UnitIndex::new(discovered.into_iter().map(|(_, units)| units).collect());
    progress(0, total);

    let mut cache = BlobCache::default();
    // The net's tree diff runs first so that the blobs it compares stay in
    // the cache as the commits parse them.
    let net_deltas = match (net_wanted, plan.head) {
        (true, Some(head)) => {
            let tree_of = |id: git2::Oid| repo.find_commit(id).and_then(|c| c.tree());
            let head_tree = tree_of(head)?;
            let base_tree = net_base.map(tree_of).transpose()?;
            let mut deltas = manifest_deltas(&repo, base_tree.as_ref(), Some(&head_tree), &paths)?;
            if let Some(rendered) = &rendered {
                rendered.drop_covered(None, &mut deltas);
            }
            cache.pin(blobs_of(&deltas));
            let trees = DiffTrees {
                old: base_tree.as_ref().map(Tree::id),
                new: Some(head_tree.id()),
            };
            Some((deltas, trees))
        }
        _ => None,
    };
    let mut patches = PatchIndex::default();
    let mut commits = Vec::new();
    let mut done = 0;
    for chunk in plan.commits.chunks(CHUNK) {
        let mut diffs: Vec<CommitDiff> = chunk
            .par_iter()
            .map(|id| with_worker_repo(&repo_path, |repo| commit_diff(repo, *id, &paths)))
            .collect::<Result<_, HistoryError>>()?;
        if let Some(rendered) = &rendered {
            for diff in &mut diffs {
                rendered.drop_covered(Some(&diff.meta.commit), &mut diff.deltas);
            }
        }
        cache.start_chunk(diffs.iter().flat_map(|d| blobs_of(&d.deltas)));
        cache.load(
            &repo_path,
            diffs.iter().flat_map(|d| blobs_of(&d.deltas)),
            options.algorithm,
        )?;
        for diff in diffs {
            let mut changes = compare_deltas(
                &repo,
                &diff.deltas,
                &diff.trees,
                &cache,
                &mut Indexes {
                    patches: &mut patches,
                    units: &mut units,
                },
                &compare_options,
            )?;
            if let Some(rendered) = &mut rendered {
                changes.extend(rendered.take_changes(&diff.meta.commit));
            }
            if !changes.is_empty() || options.all {
                commits.push(CommitChanges {
                    changes,
                    ..diff.meta
                });
            }
        }
        done += chunk.len();
        progress(done, total);
    }

    let net = match (net_deltas, plan.head) {
        (Some((deltas, trees)), Some(head)) => {
            cache.load(&repo_path, blobs_of(&deltas), options.algorithm)?;
            let mut changes = compare_deltas(
                &repo,
                &deltas,
                &trees,
                &cache,
                &mut Indexes {
                    patches: &mut patches,
                    units: &mut units,
                },
                &CompareOptions {
                    verdicts_only: true,
                    ..compare_options
                },
            )?;
            if let Some(rendered) = &mut rendered {
                changes.extend(rendered.take_net_changes());
            }
            Some(NetChanges {
                base: net_base.map(|b| b.to_string()),
                head: head.to_string(),
                changes,
            })
        }
        _ => None,
    };
    let resources = fold(&commits, net.as_ref().map_or(&[][..], |net| &net.changes));

    Ok(History {
        version: 1,
        operator: options.operator,
        algorithm: options.algorithm,
        range: range.to_owned(),
        commits,
        scanned_commits: total,
        shallow_boundary: plan
            .shallow_boundary
            .iter()
            .map(ToString::to_string)
            .collect(),
        net,
        resources,
        render: rendered.map(|r| r.summary),
    })
}

/// The deploy units of the repository at the range's head and base (the
/// same commit once), or those `configured` (`units:`) when given, each
/// with the id of the tree they were found in (`--render` reuses them for
/// those trees). Each end reads its tree's manifests (a few tens of
/// milliseconds on 2,000 files): the two ends are read in parallel, head
/// first in the result.
fn discover_units(
    repo_path: &Path,
    ends: [Option<git2::Oid>; 2],
    configured: Option<&[ConfigUnit]>,
) -> Result<Vec<(git2::Oid, Units)>, HistoryError> {
    let mut ids: Vec<git2::Oid> = ends.into_iter().flatten().collect();
    ids.dedup();
    ids.par_iter()
        .map(|id| {
            with_worker_repo(repo_path, |repo| {
                let tree = repo.find_commit(*id)?.tree()?;
                Ok((
                    tree.id(),
                    discover_git(repo, &tree, MAX_BLOB_SIZE, configured)?,
                ))
            })
        })
        .collect()
}
