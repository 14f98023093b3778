//! Which commits a range means, as git understands it (`A..B`, `A...B`, or a
//! single revision meaning its whole history), and the two ends a merge of
//! the range compares. Kept apart from the scan so that range questions
//! (merge bases, first-parent walks, the shallow-clone boundary) have one
//! place, and every error the user can cause by naming the repository or
//! the range is defined here.
//!
//! # Shallow clones
//!
//! A shallow clone (`actions/checkout` fetches one commit by default) lists
//! its boundary in the repository's `shallow` file: commits whose parents
//! were not fetched. libgit2 grafts them as parentless, so without care a
//! boundary commit looks like a root commit, and diffing it against the
//! empty tree reports every resource as created there. The plan handles
//! the boundary here, before any diff runs, because only the range knows
//! whether the missing history matters:
//!
//! * `A..B` and `A...B` need every commit between the ends compared with
//!   its parent. A revision that steps past the boundary (`HEAD~1` on a
//!   depth-1 clone) or a walk that meets a boundary commit is an error
//!   ([`HistoryError::ShallowBoundary`]) that names the fix: fetch more
//!   history.
//! * A single revision asks for its whole history, which a shallow clone
//!   does not hold by construction. Failing would make `rollouts HEAD`
//!   useless on every CI checkout; instead the boundary commits are left
//!   out of the comparison ([`RangePlan::shallow_boundary`]) and the caller
//!   says that history before them is not reported. Only what the clone can
//!   verify (each remaining commit against its real parent) is reported.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository, RevparseMode, Sort};

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
    #[error(
        "the range {range} reaches past the shallow clone's boundary at {boundary}: fetch more history (`actions/checkout` with `fetch-depth: 0`, or `git fetch --unshallow`)"
    )]
    ShallowBoundary { range: String, boundary: String },
    #[error(
        "{range:?} is not a revision or range of this shallow clone ({message}); if it names a commit before the clone's boundary at {boundary}, fetch more history (`actions/checkout` with `fetch-depth: 0`, or `git fetch --unshallow`)"
    )]
    NotInShallowClone {
        range: String,
        message: String,
        boundary: String,
    },
    #[error(
        "{} is outside the repository at {}: paths after `--` must be in its work tree",
        path.display(),
        root.display()
    )]
    PathOutsideRepository { path: PathBuf, root: PathBuf },
    #[error("reading the git repository failed: {0}")]
    Git(String),
    #[error(transparent)]
    Render(#[from] super::rendered::RenderError),
}

impl From<git2::Error> for HistoryError {
    fn from(err: git2::Error) -> Self {
        HistoryError::Git(err.message().to_owned())
    }
}

/// The repository containing `repo_dir`, searched upward like git does.
pub fn open_repository(repo_dir: &Path) -> Result<Repository, HistoryError> {
    Repository::discover(repo_dir).map_err(|err| HistoryError::NotARepository {
        path: repo_dir.to_path_buf(),
        message: err.message().to_owned(),
    })
}

/// The commits to compare, oldest first, and the two ends of the range.
pub struct RangePlan {
    pub commits: Vec<Oid>,
    /// Where merging the range starts from: the merge base of `A..B`, none
    /// for a single revision (its whole history).
    pub base: Option<Oid>,
    pub head: Option<Oid>,
    /// Boundary commits of a shallow clone that a single revision's history
    /// reaches, oldest first: their parents are not in the clone, so they
    /// are not in [`RangePlan::commits`] and nothing before them is known.
    pub shallow_boundary: Vec<Oid>,
}

/// The boundary commits of a shallow clone: those listed in its `shallow`
/// file (one 40-hex id a line), whose parents the clone does not have.
/// Empty for a complete clone. The file lives in the common directory, so
/// a linked worktree of a shallow clone finds it too.
pub fn shallow_commits(repo: &Repository) -> Result<HashSet<Oid>, HistoryError> {
    if !repo.is_shallow() {
        return Ok(HashSet::new());
    }
    let path = repo.commondir().join("shallow");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(err) => {
            return Err(HistoryError::Git(format!(
                "reading {}: {err}",
                path.display()
            )));
        }
    };
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            Oid::from_str(line).map_err(|_| {
                HistoryError::Git(format!("{}: {line:?} is not a commit id", path.display()))
            })
        })
        .collect()
}

/// Short ids of `commits` for a message, sorted, at most three named.
fn short_ids<'a>(commits: impl IntoIterator<Item = &'a Oid>) -> String {
    let mut ids: Vec<String> = commits
        .into_iter()
        .map(|id| id.to_string()[..7].to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    let more = ids.len().saturating_sub(3);
    ids.truncate(3);
    let mut text = ids.join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
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

/// Plan `range`. `ends(base, head)` is called once the ends are resolved and
/// before the commits are walked (the walk of a long history takes tens of
/// milliseconds), so the caller can start work on the ends meanwhile.
pub fn plan_range(
    repo: &Repository,
    range: &str,
    first_parent: bool,
    ends: &mut dyn FnMut(Option<Oid>, Oid),
) -> Result<RangePlan, HistoryError> {
    let grafted = shallow_commits(repo)?;
    let spec = repo.revparse(range).map_err(|err| {
        let message = err.message().to_owned();
        if grafted.is_empty() {
            HistoryError::BadRange {
                range: range.to_owned(),
                message,
            }
        } else if message.starts_with("parent ") {
            // `HEAD~1` from a boundary commit: libgit2 sees no parent.
            HistoryError::ShallowBoundary {
                range: range.to_owned(),
                boundary: short_ids(&grafted),
            }
        } else {
            HistoryError::NotInShallowClone {
                range: range.to_owned(),
                message,
                boundary: short_ids(&grafted),
            }
        }
    })?;
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    if first_parent {
        walk.simplify_first_parent()?;
    }
    let mode = spec.mode();
    let single = mode.contains(RevparseMode::SINGLE);
    let (base, head) = if single {
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
    ends(base, head);
    let mut commits = walk.collect::<Result<Vec<Oid>, git2::Error>>()?;
    let (boundary, inside): (Vec<Oid>, Vec<Oid>) =
        commits.iter().partition(|id| grafted.contains(id));
    if !boundary.is_empty() {
        if !single {
            // A commit between the ends whose parent is missing: its diff,
            // and the merge base, cannot be known.
            return Err(HistoryError::ShallowBoundary {
                range: range.to_owned(),
                boundary: short_ids(&boundary),
            });
        }
        commits = inside;
    }
    Ok(RangePlan {
        commits,
        base,
        head: Some(head),
        shallow_boundary: boundary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_are_sorted_and_capped() {
        let id = |c: char| Oid::from_str(&c.to_string().repeat(40)).unwrap();
        assert_eq!(short_ids(&[id('b'), id('a'), id('a')]), "aaaaaaa, bbbbbbb");
        let many = [id('1'), id('2'), id('3'), id('4'), id('5')];
        assert_eq!(short_ids(&many), "1111111, 2222222, 3333333 and 2 more");
    }

    #[test]
    fn a_complete_repository_has_no_shallow_commits() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        assert!(shallow_commits(&repo).unwrap().is_empty());
    }
}
