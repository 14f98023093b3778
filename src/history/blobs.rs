//! Reading and parsing changed blobs, once per (blob id, format).
//!
//! The same blob recurs across commits, branches and renames, so what a
//! blob holds ([`ParsedBlob`]) is kept by id while recent commits may still
//! need it. Reading runs on rayon's workers, each with its own repository
//! handle (a `Repository` cannot be shared between threads).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::{Oid, Repository};
use rayon::prelude::*;

use super::range::HistoryError;
use super::resources::{ParsedBlob, parse_blob};
use super::tree_diff::BlobAt;
use crate::crd::Algorithm;
use crate::source::FileFormat;

type BlobKey = (Oid, FileFormat);

/// Parsed blobs by id, for the commits of the current chunk and the one
/// before it.
#[derive(Default)]
pub struct BlobCache {
    parsed: HashMap<BlobKey, Arc<ParsedBlob>>,
    used_by_previous_chunk: HashSet<BlobKey>,
    /// Kept whatever the chunks use: the blobs the net compares, which the
    /// commits parse anyway (every blob at the head came in with a commit)
    /// and the net would otherwise read and parse a second time.
    pinned: HashSet<BlobKey>,
}

impl BlobCache {
    pub fn get(&self, blob: &BlobAt) -> Option<&ParsedBlob> {
        self.parsed.get(&blob.key()).map(Arc::as_ref)
    }

    /// Start a chunk of commits that uses `blobs`: keep what this chunk and
    /// the previous one used, and forget the rest. Memory then follows the
    /// files edited recently, not the whole history; a blob edited again
    /// much later is parsed once more, which costs at most one extra parse
    /// per change.
    pub fn start_chunk<'d>(&mut self, blobs: impl Iterator<Item = &'d BlobAt>) {
        let used: HashSet<BlobKey> = blobs.map(BlobAt::key).collect();
        let (previous, pinned) = (&self.used_by_previous_chunk, &self.pinned);
        self.parsed
            .retain(|key, _| used.contains(key) || previous.contains(key) || pinned.contains(key));
        self.used_by_previous_chunk = used;
    }

    /// Keep `blobs` once parsed, across chunks.
    pub fn pin<'d>(&mut self, blobs: impl Iterator<Item = &'d BlobAt>) {
        self.pinned.extend(blobs.map(BlobAt::key));
    }

    /// Read and parse, in parallel, the blobs the cache does not hold yet.
    pub fn load<'d>(
        &mut self,
        repo_path: &Path,
        blobs: impl Iterator<Item = &'d BlobAt>,
        algorithm: Algorithm,
    ) -> Result<(), HistoryError> {
        let mut seen = HashSet::new();
        let missing: Vec<&BlobAt> = blobs
            .filter(|blob| !self.parsed.contains_key(&blob.key()) && seen.insert(blob.key()))
            .collect();
        let parsed: Vec<(BlobKey, ParsedBlob)> = missing
            .par_iter()
            .map(|blob| {
                let bytes = with_worker_repo(repo_path, |repo| {
                    Ok(repo.find_blob(blob.id)?.content().to_vec())
                })?;
                Ok((blob.key(), parse_blob(&blob.path, bytes, algorithm)))
            })
            .collect::<Result<_, HistoryError>>()?;
        self.parsed
            .extend(parsed.into_iter().map(|(key, blob)| (key, Arc::new(blob))));
        Ok(())
    }
}

thread_local! {
    /// One handle per worker thread, kept across chunks so that libgit2's
    /// object cache (trees shared by consecutive commits) stays warm.
    static WORKER_REPO: std::cell::RefCell<Option<(PathBuf, Repository)>> =
        const { std::cell::RefCell::new(None) };
}

/// Run `work` with this thread's handle on the repository at `repo_path`.
pub fn with_worker_repo<T>(
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
