//! Which commits a range means, as git understands it (`A..B`, `A...B`, or a
//! single revision meaning its whole history), and the two ends a merge of
//! the range compares. Kept apart from the scan so that range questions
//! (merge bases, first-parent walks, later the shallow-clone boundary) have
//! one place, and every error the user can cause by naming the repository or
//! the range is defined here.

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
    #[error("reading the git repository failed: {0}")]
    Git(String),
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

pub fn plan_range(
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
