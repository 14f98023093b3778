//! Walking a commit range with git2 and turning each commit's tree diff into
//! changes. The working tree and the index are never read or written.
//!
//! Commits are processed in chunks: the chunk's tree diffs (a recursion
//! that skips subtrees with equal ids, see [`manifest_deltas`]) run in parallel
//! (one `Repository` handle per worker, since a handle cannot be shared
//! between threads), then the blobs the chunk needs and the cache does not
//! hold are read and parsed in parallel, then the comparisons run in commit
//! order.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::{Oid, Repository, RevparseMode, Sort, Tree};
use rayon::prelude::*;

use super::compare::{CompareOptions, Side, compare};
use super::patches::PatchIndex;
use super::resources::{ParsedBlob, operations_blob, parse_blob};
use super::{CommitChanges, History, NetChanges};
use crate::crd::Algorithm;
use crate::crd::common::KIND;
use crate::source::{FileFormat, has_manifest_extension};

/// Enough commits per chunk to keep both cores busy, few enough that the
/// diffs of one chunk stay small in memory.
const CHUNK: usize = 512;

#[derive(Clone, Copy, Debug, Default)]
pub struct ScanOptions {
    pub algorithm: Algorithm,
    /// Follow only the first parent of merges (`git log --first-parent`).
    pub first_parent: bool,
    /// List commits without changes too.
    pub all: bool,
    /// Locate each rollout's changed field (for annotations).
    pub locate_changes: bool,
    /// Also compare the range's base with its head ([`History::net`]).
    pub net: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(
        "{} is not inside a git repository ({message}); run the command inside a clone or pass --repo DIR",
        path.display()
    )]
    NotARepository { path: PathBuf, message: String },
    #[error(
        "{range:?} is not a revision or range of this repository ({message}); give A..B (a pull request is BASE..HEAD, e.g. origin/main..HEAD) or a single revision"
    )]
    BadRange { range: String, message: String },
    #[error("{range:?}: {side} is not a commit ({message})")]
    NotACommit {
        range: String,
        side: &'static str,
        message: String,
    },
    #[error("reading the git repository failed: {0}")]
    Git(String),
}

impl From<git2::Error> for HistoryError {
    fn from(err: git2::Error) -> Self {
        HistoryError::Git(err.message().to_owned())
    }
}

/// The commits to compare, oldest first, and the two ends of the range.
struct RangePlan {
    commits: Vec<Oid>,
    /// Where merging the range starts from: the merge base of `A..B`, none
    /// for a single revision (its whole history).
    base: Option<Oid>,
    head: Option<Oid>,
}

fn commit_id(
    repo: &Repository,
    object: Option<&git2::Object<'_>>,
    range: &str,
    side: &'static str,
) -> Result<Oid, HistoryError> {
    let not_a_commit = |message: String| HistoryError::NotACommit {
        range: range.to_owned(),
        side,
        message,
    };
    let object = match object {
        Some(object) => object.clone(),
        None => repo
            .revparse_single("HEAD")
            .map_err(|err| not_a_commit(err.message().to_owned()))?,
    };
    object
        .peel_to_commit()
        .map(|commit| commit.id())
        .map_err(|err| not_a_commit(err.message().to_owned()))
}

fn plan_range(
    repo: &Repository,
    range: &str,
    first_parent: bool,
) -> Result<RangePlan, HistoryError> {
    let spec = repo.revparse(range).map_err(|err| HistoryError::BadRange {
        range: range.to_owned(),
        message: err.message().to_owned(),
    })?;
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    if first_parent {
        walk.simplify_first_parent()?;
    }
    let mode = spec.mode();
    let (base, head) = if mode.contains(RevparseMode::SINGLE) {
        let head = commit_id(repo, spec.from(), range, "the revision")?;
        walk.push(head)?;
        (None, head)
    } else {
        let from = commit_id(repo, spec.from(), range, "the start")?;
        let to = commit_id(repo, spec.to(), range, "the end")?;
        let base = repo.merge_base(from, to).ok();
        if mode.contains(RevparseMode::MERGE_BASE) {
            // A...B: what either side has and the other does not.
            walk.push(from)?;
            walk.push(to)?;
            if let Some(base) = base {
                walk.hide(base)?;
            }
        } else {
            walk.push(to)?;
            walk.hide(from)?;
        }
        (base, to)
    };
    let commits = walk.collect::<Result<Vec<Oid>, git2::Error>>()?;
    Ok(RangePlan {
        commits,
        base,
        head: Some(head),
    })
}

/// A manifest file on one side of a delta.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct BlobAt {
    path: String,
    id: Oid,
    format: FileFormat,
}

impl BlobAt {
    fn key(&self) -> (Oid, FileFormat) {
        (self.id, self.format)
    }
}

#[derive(Debug, Default)]
struct ManifestDelta {
    old: Option<BlobAt>,
    new: Option<BlobAt>,
}

struct CommitDiff {
    meta: CommitChanges,
    deltas: Vec<ManifestDelta>,
    /// The trees compared: the first parent's (none for a root commit) and
    /// the commit's.
    trees: DiffTrees,
}

/// An entry of a tree, as the diff needs it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct TreeItem {
    id: Oid,
    mode: i32,
}

const MODE_TREE: i32 = 0o040000;
const MODE_BLOB: i32 = 0o100644;
const MODE_BLOB_EXECUTABLE: i32 = 0o100755;

/// Git's order of tree entries: by name, a subtree's name compared as if it
/// ended in `/`. Entries are stored in this order, so two trees can be
/// merged in one pass; a name that is a file on one side and a directory on
/// the other compares unequal, which is what a diff wants.
fn git_order(a: &[u8], a_is_tree: bool, b: &[u8], b_is_tree: bool) -> std::cmp::Ordering {
    let common = a.len().min(b.len());
    a[..common].cmp(&b[..common]).then_with(|| {
        let next = |name: &[u8], is_tree: bool| {
            name.get(common)
                .copied()
                .unwrap_or(if is_tree { b'/' } else { 0 })
        };
        next(a, a_is_tree).cmp(&next(b, b_is_tree))
    })
}

/// A manifest blob at `path`; `None` for other files, links and submodules,
/// decided on the path and mode alone, before any blob is read.
fn manifest_blob(path: &str, item: TreeItem) -> Option<BlobAt> {
    if !matches!(item.mode, MODE_BLOB | MODE_BLOB_EXECUTABLE)
        || !has_manifest_extension(Path::new(path))
    {
        return None;
    }
    Some(BlobAt {
        path: path.to_owned(),
        id: item.id,
        format: FileFormat::from_path(Path::new(path)),
    })
}

/// The manifest blobs that differ between two trees.
///
/// A hand-written recursion rather than `git_diff_tree_to_tree`: libgit2's
/// tree iterator visits every entry of both trees, while equal subtree ids
/// mean equal contents, so only the trees on changed paths need reading.
/// On the synthetic 10,000-commit history of `bench/rollouts.sh` this took
/// the whole scan from 5.1 s to 2.6 s of CPU time.
/// Renames are not detected: resources are paired by identity instead.
fn manifest_deltas(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
) -> Result<Vec<ManifestDelta>, git2::Error> {
    let mut out = Vec::new();
    diff_trees(repo, old, new, "", &mut out)?;
    Ok(out)
}

fn diff_trees(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    prefix: &str,
    out: &mut Vec<ManifestDelta>,
) -> Result<(), git2::Error> {
    use std::cmp::Ordering;
    let item = |entry: &git2::TreeEntry<'_>| TreeItem {
        id: entry.id(),
        mode: entry.filemode(),
    };
    let mut old_entries = old.into_iter().flat_map(|tree| tree.iter()).peekable();
    let mut new_entries = new.into_iter().flat_map(|tree| tree.iter()).peekable();
    loop {
        let order = match (old_entries.peek(), new_entries.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(a), Some(b)) => git_order(
                a.name_bytes(),
                a.filemode() == MODE_TREE,
                b.name_bytes(),
                b.filemode() == MODE_TREE,
            ),
        };
        let (before, after) = match order {
            Ordering::Less => (old_entries.next(), None),
            Ordering::Greater => (None, new_entries.next()),
            Ordering::Equal => (old_entries.next(), new_entries.next()),
        };
        let Some(entry) = before.as_ref().or(after.as_ref()) else {
            break;
        };
        let (before_item, after_item) = (before.as_ref().map(item), after.as_ref().map(item));
        if before_item == after_item {
            continue;
        }
        let path = format!("{prefix}{}", String::from_utf8_lossy(entry.name_bytes()));
        let (before, after) = (before_item, after_item);
        let subtree = |item: Option<TreeItem>| -> Result<Option<Tree<'_>>, git2::Error> {
            match item {
                Some(item) if item.mode == MODE_TREE => repo.find_tree(item.id).map(Some),
                _ => Ok(None),
            }
        };
        let (old_tree, new_tree) = (subtree(before)?, subtree(after)?);
        if old_tree.is_some() || new_tree.is_some() {
            diff_trees(
                repo,
                old_tree.as_ref(),
                new_tree.as_ref(),
                &format!("{path}/"),
                out,
            )?;
        }
        let old_blob = before.and_then(|item| manifest_blob(&path, item));
        let new_blob = after.and_then(|item| manifest_blob(&path, item));
        if old_blob.is_some() || new_blob.is_some() {
            out.push(ManifestDelta {
                old: old_blob,
                new: new_blob,
            });
        }
    }
    Ok(())
}

fn commit_diff(repo: &Repository, id: Oid) -> Result<CommitDiff, git2::Error> {
    let commit = repo.find_commit(id)?;
    let tree = commit.tree()?;
    let parent_tree = if commit.parent_count() > 0 {
        Some(commit.parent(0)?.tree()?)
    } else {
        None
    };
    let deltas = manifest_deltas(repo, parent_tree.as_ref(), Some(&tree))?;
    let author = commit.author();
    let meta = CommitChanges {
        commit: id.to_string(),
        parents: commit.parent_ids().map(|p| p.to_string()).collect(),
        summary: commit
            .summary_bytes()
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default(),
        author: format!(
            "{} <{}>",
            String::from_utf8_lossy(author.name_bytes()),
            String::from_utf8_lossy(author.email_bytes())
        ),
        time: rfc3339_utc(author.when().seconds()),
        changes: Vec::new(),
    };
    Ok(CommitDiff {
        meta,
        deltas,
        trees: DiffTrees {
            old: parent_tree.as_ref().map(Tree::id),
            new: Some(tree.id()),
        },
    })
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch.
pub fn rfc3339_utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

type BlobCache = HashMap<(Oid, FileFormat), Arc<ParsedBlob>>;

thread_local! {
    /// One handle per worker thread, kept across chunks so that libgit2's
    /// object cache (trees shared by consecutive commits) stays warm.
    static WORKER_REPO: std::cell::RefCell<Option<(PathBuf, Repository)>> =
        const { std::cell::RefCell::new(None) };
}

/// Run `work` with this thread's handle on the repository at `repo_path`.
fn with_worker_repo<T>(
    repo_path: &Path,
    work: impl FnOnce(&Repository) -> Result<T, git2::Error>,
) -> Result<T, HistoryError> {
    WORKER_REPO.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|(path, _)| path != repo_path) {
            *slot = Some((repo_path.to_path_buf(), Repository::open(repo_path)?));
        }
        let (_, repo) = slot.as_ref().expect("just opened");
        Ok(work(repo)?)
    })
}

/// Read and parse, in parallel, the blobs the cache does not hold yet.
fn load_blobs<'d>(
    repo_path: &Path,
    blobs: impl Iterator<Item = &'d BlobAt>,
    cache: &mut BlobCache,
    algorithm: Algorithm,
) -> Result<(), HistoryError> {
    let mut seen = HashSet::new();
    let missing: Vec<&BlobAt> = blobs
        .filter(|blob| !cache.contains_key(&blob.key()) && seen.insert(blob.key()))
        .collect();
    let parsed: Vec<((Oid, FileFormat), ParsedBlob)> = missing
        .par_iter()
        .map(|blob| {
            let bytes = with_worker_repo(repo_path, |repo| {
                Ok(repo.find_blob(blob.id)?.content().to_vec())
            })?;
            Ok((blob.key(), parse_blob(&blob.path, bytes, algorithm)))
        })
        .collect::<Result<_, HistoryError>>()?;
    cache.extend(parsed.into_iter().map(|(key, blob)| (key, Arc::new(blob))));
    Ok(())
}

/// A changed blob as `compare` sees it.
struct Found<'a> {
    blob: &'a BlobAt,
    held: Held<'a>,
    /// The kustomization that names it as a patch.
    patch_of: Option<String>,
}

enum Held<'a> {
    Cached(&'a ParsedBlob),
    /// What an operation list writes, known only with its target.
    Written(ParsedBlob),
}

impl<'a> Found<'a> {
    fn new(blob: &'a BlobAt, held: Held<'a>, patch_of: Option<String>) -> Self {
        Found {
            blob,
            held,
            patch_of,
        }
    }
}

/// The two trees of a diff, for the kustomizations that name patches.
struct DiffTrees {
    old: Option<Oid>,
    new: Option<Oid>,
}

fn compare_deltas(
    repo: &Repository,
    deltas: &[ManifestDelta],
    trees: &DiffTrees,
    cache: &BlobCache,
    patches: &mut PatchIndex,
    options: &CompareOptions,
) -> Result<Vec<super::Change>, git2::Error> {
    let mut sides = |pick: fn(&ManifestDelta) -> &Option<BlobAt>,
                     tree: Option<Oid>|
     -> Result<Vec<Found<'_>>, git2::Error> {
        // Read only when a file may be a patch: most commits need no lookup.
        let mut root: Option<Tree<'_>> = None;
        let mut found = Vec::new();
        for blob in deltas.iter().filter_map(|d| pick(d).as_ref()) {
            let Some(parsed) = cache.get(&blob.key()).filter(|p| !p.is_empty()) else {
                continue;
            };
            if parsed.inline_patches {
                found.push(Found::new(
                    blob,
                    Held::Cached(parsed),
                    Some(blob.path.clone()),
                ));
                continue;
            }
            // A whole object has a hash; only a file whose objects cannot be
            // read, or an operation list, may be a patch, and only then is
            // the tree searched.
            let maybe_patch =
                parsed.operations.is_some() || parsed.resources.iter().any(|r| r.hash.is_err());
            let naming = match (tree, maybe_patch) {
                (Some(id), true) => {
                    let root = match &mut root {
                        Some(root) => root,
                        none => none.insert(repo.find_tree(id)?),
                    };
                    patches.kustomization_naming(repo, root, &blob.path)?
                }
                _ => None,
            };
            match (naming, &parsed.operations) {
                (Some(naming), Some(_)) => {
                    // An operation list means something only through the
                    // target of the entry that names it.
                    let Some(target) = naming
                        .target
                        .filter(|t| t.get("kind").and_then(|k| k.as_str()) == Some(KIND))
                    else {
                        continue;
                    };
                    let written = operations_blob(parsed, &target, options.algorithm);
                    found.push(Found::new(
                        blob,
                        Held::Written(written),
                        Some(naming.kustomization),
                    ));
                }
                (_, Some(_)) => {}
                (naming, None) => found.push(Found::new(
                    blob,
                    Held::Cached(parsed),
                    naming.map(|n| n.kustomization),
                )),
            }
        }
        Ok(found)
    };
    let old_found = sides(|d| &d.old, trees.old)?;
    let new_found = sides(|d| &d.new, trees.new)?;
    if old_found.is_empty() && new_found.is_empty() {
        return Ok(Vec::new());
    }
    fn side<'a>(found: &'a Found<'a>) -> Side<'a> {
        Side {
            path: &found.blob.path,
            blob: match &found.held {
                Held::Cached(parsed) => parsed,
                Held::Written(parsed) => parsed,
            },
            patch_of: found.patch_of.as_deref(),
        }
    }
    let old: Vec<Side> = old_found.iter().map(side).collect();
    let new: Vec<Side> = new_found.iter().map(side).collect();
    Ok(compare(&old, &new, options))
}

fn blobs_of(deltas: &[ManifestDelta]) -> impl Iterator<Item = &BlobAt> {
    deltas.iter().flat_map(|d| d.old.iter().chain(d.new.iter()))
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
    let repo = Repository::discover(repo_dir).map_err(|err| HistoryError::NotARepository {
        path: repo_dir.to_path_buf(),
        message: err.message().to_owned(),
    })?;
    let plan = plan_range(&repo, range, options.first_parent)?;
    let repo_path = repo.path().to_path_buf();
    let compare_options = CompareOptions {
        locate_changes: options.locate_changes,
        algorithm: options.algorithm,
    };
    let total = plan.commits.len();
    progress(0, total);

    let mut cache = BlobCache::new();
    let mut patches = PatchIndex::default();
    let mut used_by_previous_chunk: HashSet<(Oid, FileFormat)> = HashSet::new();
    let mut commits = Vec::new();
    let mut done = 0;
    for chunk in plan.commits.chunks(CHUNK) {
        let diffs: Vec<CommitDiff> = chunk
            .par_iter()
            .map(|id| with_worker_repo(&repo_path, |repo| commit_diff(repo, *id)))
            .collect::<Result<_, HistoryError>>()?;
        // Keep what this chunk and the previous one used, and forget the
        // rest: memory then follows the files edited recently, not the
        // whole history. A blob edited again much later is parsed once
        // more, which costs at most one extra parse per change.
        let used: HashSet<(Oid, FileFormat)> = diffs
            .iter()
            .flat_map(|d| blobs_of(&d.deltas))
            .map(BlobAt::key)
            .collect();
        cache.retain(|key, _| used.contains(key) || used_by_previous_chunk.contains(key));
        load_blobs(
            &repo_path,
            diffs.iter().flat_map(|d| blobs_of(&d.deltas)),
            &mut cache,
            options.algorithm,
        )?;
        for diff in diffs {
            let changes = compare_deltas(
                &repo,
                &diff.deltas,
                &diff.trees,
                &cache,
                &mut patches,
                &compare_options,
            )?;
            if !changes.is_empty() || options.all {
                commits.push(CommitChanges {
                    changes,
                    ..diff.meta
                });
            }
        }
        used_by_previous_chunk = used;
        done += chunk.len();
        progress(done, total);
    }

    let net = match (options.net, plan.head) {
        (true, Some(head)) => {
            let tree_of = |id: Oid| repo.find_commit(id).and_then(|c| c.tree());
            let head_tree = tree_of(head)?;
            let base_tree = plan.base.map(tree_of).transpose()?;
            let deltas = manifest_deltas(&repo, base_tree.as_ref(), Some(&head_tree))?;
            load_blobs(&repo_path, blobs_of(&deltas), &mut cache, options.algorithm)?;
            let trees = DiffTrees {
                old: base_tree.as_ref().map(Tree::id),
                new: Some(head_tree.id()),
            };
            Some(NetChanges {
                base: plan.base.map(|b| b.to_string()),
                head: head.to_string(),
                changes: compare_deltas(
                    &repo,
                    &deltas,
                    &trees,
                    &cache,
                    &mut patches,
                    &compare_options,
                )?,
            })
        }
        _ => None,
    };

    Ok(History {
        version: 1,
        algorithm: options.algorithm,
        range: range.to_owned(),
        commits,
        scanned_commits: total,
        net,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::cmp::Ordering;

    #[test]
    fn git_order_sorts_subtrees_as_if_they_ended_in_a_slash() {
        assert_eq!(git_order(b"a", false, b"b", false), Ordering::Less);
        assert_eq!(git_order(b"a", false, b"a", false), Ordering::Equal);
        assert_eq!(git_order(b"a", true, b"a", true), Ordering::Equal);
        // "a.yaml" < "a/" because '.' < '/', and "a/" < "a0" because '/' < '0'.
        assert_eq!(git_order(b"a.yaml", false, b"a", true), Ordering::Less);
        assert_eq!(git_order(b"a", true, b"a0", false), Ordering::Less);
        assert_eq!(git_order(b"a", false, b"a", true), Ordering::Less);
    }

    fn tree(repo: &Repository, files: &[(&str, &str)]) -> Oid {
        let mut index = git2::Index::new().unwrap();
        for (path, text) in files {
            let id = repo.blob(text.as_bytes()).unwrap();
            let entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                file_size: text.len() as u32,
                id,
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            index.add(&entry).unwrap();
        }
        index.write_tree_to(repo).unwrap()
    }

    fn deltas(old: &[(&str, &str)], new: &[(&str, &str)]) -> Vec<(Option<String>, Option<String>)> {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let old = repo.find_tree(tree(&repo, old)).unwrap();
        let new = repo.find_tree(tree(&repo, new)).unwrap();
        manifest_deltas(&repo, Some(&old), Some(&new))
            .unwrap()
            .into_iter()
            .map(|d| (d.old.map(|b| b.path), d.new.map(|b| b.path)))
            .collect()
    }

    fn some(path: &str) -> Option<String> {
        Some(path.to_owned())
    }

    #[test]
    fn tree_diff_lists_changed_manifests_only() {
        let base = [
            ("a/x.yaml", "1"),
            ("a/y.yml", "2"),
            ("b/deep/z.json", "3"),
            ("README.md", "r"),
            ("c.yaml", "4"),
        ];
        assert!(deltas(&base, &base).is_empty());
        let changed = [
            ("a/x.yaml", "1"),
            ("a/y.yml", "changed"),
            ("b/deep/z.json", "3"),
            ("README.md", "changed, but not a manifest"),
            ("d/new.yaml", "5"),
        ];
        assert_eq!(
            deltas(&base, &changed),
            [
                (some("a/y.yml"), some("a/y.yml")),
                (some("c.yaml"), None),
                (None, some("d/new.yaml")),
            ]
        );
    }

    #[test]
    fn tree_diff_handles_a_file_becoming_a_directory() {
        let old = [("x.yaml", "file"), ("x.yaml0", "after")];
        let new = [("x.yaml/inner.yaml", "nested"), ("x.yaml0", "after")];
        assert_eq!(
            deltas(&old, &new),
            [(some("x.yaml"), None), (None, some("x.yaml/inner.yaml"))]
        );
        assert_eq!(
            deltas(&new, &old),
            [(None, some("x.yaml")), (some("x.yaml/inner.yaml"), None)]
        );
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(1_795_600_800), "2026-11-25T10:00:00Z");
        assert_eq!(rfc3339_utc(-1), "1969-12-31T23:59:59Z");
    }
}
