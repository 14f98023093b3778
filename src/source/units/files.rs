//! What discovery reads: a repository snapshot as a sorted list of
//! repository-relative paths and a way to read one ([`RepoFiles`]), so that
//! the same discovery runs on the working tree (`validate`) and on a git
//! tree (`rollouts`, at each end of a range).
//!
//! Three snapshots: [`FsFiles`] (the files a walk found, read from disk),
//! [`MemoryFiles`] (bytes held in memory: tests, and the git adapter) and
//! [`discover_git`] (a `git2` tree, read up front because
//! `git2::Repository` is not `Sync` and discovery reads in parallel).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{ConfigUnit, Units, mentions_unit_groups, normalize, relative_to};
use crate::source::kustomize::is_kustomization_path;
use crate::source::{WalkOptions, has_manifest_extension, walk};

/// A repository snapshot.
pub trait RepoFiles: Sync {
    /// The snapshot's files, repository-relative, `/`-separated, sorted:
    /// at least every manifest (`.yaml`, `.yml`, `.json`) and kustomization
    /// (the adapters here list those only). Directories are derived from
    /// it.
    fn paths(&self) -> &[String];
    /// The bytes of one of [`RepoFiles::paths`]; `None` when it cannot be
    /// read (too large, gone, not a regular file).
    fn read(&self, path: &str) -> Option<Vec<u8>>;
    /// `reference`, named by a kustomization in the repository-relative
    /// directory `dir`, as a repository-relative path; `None` when it
    /// leaves the repository. Lexical by default (a tree has no file system
    /// to resolve symbolic links against).
    fn resolve(&self, dir: &str, reference: &str) -> Option<String> {
        normalize(dir, reference)
    }
}

/// Files held in memory, by repository-relative path.
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles {
    paths: Vec<String>,
    bytes: BTreeMap<String, Vec<u8>>,
}

impl MemoryFiles {
    /// A snapshot of exactly these files.
    pub fn new(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> MemoryFiles {
        MemoryFiles::with_paths(BTreeSet::new(), files)
    }

    /// A snapshot listing `paths` (whose bytes are not needed) and `files`.
    fn with_paths(
        paths: BTreeSet<String>,
        files: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) -> MemoryFiles {
        let bytes: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
        let mut paths = paths;
        paths.extend(bytes.keys().cloned());
        MemoryFiles {
            paths: paths.into_iter().collect(),
            bytes,
        }
    }
}

impl RepoFiles for MemoryFiles {
    fn paths(&self) -> &[String] {
        &self.paths
    }

    fn read(&self, path: &str) -> Option<Vec<u8>> {
        self.bytes.get(path).cloned()
    }
}

/// The files a directory walk found under a root, read from disk.
pub(super) struct FsFiles {
    /// Canonical, so that references through symbolic links resolve to the
    /// spelling walked files have.
    pub root: PathBuf,
    paths: Vec<String>,
    max_file_size: u64,
}

impl FsFiles {
    /// `files` (absolute, under `root`), plus the kustomizations of their
    /// directories: one named `Kustomization` has no extension and is not
    /// walked.
    pub fn new(root: PathBuf, files: &[PathBuf], max_file_size: u64) -> FsFiles {
        let mut paths: BTreeSet<String> = files
            .iter()
            .filter_map(|file| relative_to(&root, file))
            .collect();
        let directories: BTreeSet<&Path> = files.iter().filter_map(|f| f.parent()).collect();
        for dir in directories {
            let Some(relative) = relative_to(&root, dir) else {
                continue;
            };
            for name in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
                if dir.join(name).is_file() {
                    paths.insert(join(&relative, name));
                    break;
                }
            }
        }
        FsFiles {
            root,
            paths: paths.into_iter().collect(),
            max_file_size,
        }
    }

    /// Walk `root` as `validate` walks (`.gitignore`d files and hidden
    /// directories skipped).
    pub fn walk(root: PathBuf, options: &WalkOptions) -> FsFiles {
        let files: Vec<PathBuf> = walk(std::slice::from_ref(&root), options)
            .into_iter()
            .filter_map(Result::ok)
            .collect();
        FsFiles::new(root, &files, options.max_file_size)
    }

    pub fn absolute(&self, path: &str) -> PathBuf {
        if path == "." {
            self.root.clone()
        } else {
            self.root.join(path)
        }
    }
}

impl RepoFiles for FsFiles {
    fn paths(&self) -> &[String] {
        &self.paths
    }

    fn read(&self, path: &str) -> Option<Vec<u8>> {
        let path = self.absolute(path);
        let size = std::fs::metadata(&path).ok()?.len();
        if size > self.max_file_size {
            return None;
        }
        std::fs::read(path).ok()
    }

    /// Canonical, as the root is: a reference through a symbolic link names
    /// the directory it resolves to.
    fn resolve(&self, dir: &str, reference: &str) -> Option<String> {
        let target = self.absolute(dir).join(reference).canonicalize().ok()?;
        relative_to(&self.root, &target)
    }
}

/// `dir/name` for a repository-relative directory (`.` is the root).
pub(super) fn join(dir: &str, name: &str) -> String {
    if dir == "." || dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// The units of a git tree (a commit's, typically), as [`Units::discover`]
/// finds them in a working tree with the same files: the same paths
/// (manifest extensions and kustomizations; hidden directories skipped, as
/// the walk skips them), the same size limit.
///
/// Cheap enough to run once per command: only blobs that can matter are
/// read (kustomizations, and manifests whose bytes name Argo CD's or Flux's
/// API group, which the reading itself decides), and the tree's other
/// files are listed but never decompressed beyond that test.
pub fn discover_git(
    repo: &git2::Repository,
    tree: &git2::Tree,
    max_file_size: u64,
    config: Option<&[ConfigUnit]>,
) -> Result<Units, git2::Error> {
    let mut listed = BTreeSet::new();
    let mut read = Vec::new();
    let mut failure = None;
    let walked = tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        let Ok(name) = entry.name() else {
            return git2::TreeWalkResult::Skip;
        };
        let is_tree = entry.kind() == Some(git2::ObjectType::Tree);
        if name.starts_with('.') && is_tree {
            return git2::TreeWalkResult::Skip;
        }
        // Regular files only (0o100644, 0o100755): not symbolic links,
        // whose blob is a target path, nor submodules.
        if is_tree
            || entry.kind() != Some(git2::ObjectType::Blob)
            || entry.filemode() & 0o170000 != 0o100000
        {
            return git2::TreeWalkResult::Ok;
        }
        let path = format!("{dir}{name}");
        let kustomization = is_kustomization_path(Path::new(name));
        if !kustomization && !has_manifest_extension(Path::new(name)) {
            return git2::TreeWalkResult::Ok;
        }
        listed.insert(path.clone());
        if !kustomization && !needs_content(name) {
            return git2::TreeWalkResult::Ok;
        }
        match repo.find_blob(entry.id()) {
            Ok(blob) => {
                let bytes = blob.content();
                if (bytes.len() as u64) <= max_file_size
                    && (kustomization || mentions_unit_groups(bytes))
                {
                    read.push((path, bytes.to_vec()));
                }
            }
            Err(err) => {
                failure = Some(err);
                return git2::TreeWalkResult::Abort;
            }
        }
        git2::TreeWalkResult::Ok
    });
    if let Some(err) = failure {
        return Err(err);
    }
    walked?;
    let files = MemoryFiles::with_paths(listed, read);
    Ok(Units::discover_in(&files, config))
}

/// Whether a manifest's content can matter to discovery. Every manifest
/// can declare a unit; `Chart.yaml` is a chart's marker, read by name only.
fn needs_content(name: &str) -> bool {
    name != "Chart.yaml"
}
