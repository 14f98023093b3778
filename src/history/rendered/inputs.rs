//! A unit's inputs in one commit: the key that says whether they changed
//! (a hash of the object ids at the input paths, so that a directory's
//! whole subtree is one id and nothing is read to compare), and writing
//! them from git objects into a temporary directory for the renderer.
//!
//! Never the user's working tree: what is rendered is the commit, and the
//! working tree may hold anything. Symbolic links are not written (a link
//! could point out of the temporary directory, to the user's files): each
//! is skipped with a note; a kustomization that needs one fails to render
//! and says so. Submodules are skipped the same way.

use std::path::{Component, Path};

use git2::{ObjectType, Oid, Repository, Tree, TreeWalkMode, TreeWalkResult};
use sha2::{Digest, Sha256};

use super::Inputs;

/// The identity of a unit's input state: the same key renders the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InputKey([u8; 32]);

impl InputKey {
    /// `spec` says how the unit renders (tool, release, values…). A
    /// recursive directory is its tree's id; a flat one, the ids of the
    /// blobs directly in it (a change in a subdirectory, often another
    /// unit, does not change it).
    pub fn of(
        repo: &Repository,
        tree: &Tree<'_>,
        spec: &str,
        inputs: &Inputs,
    ) -> Result<InputKey, git2::Error> {
        let mut hasher = Sha256::new();
        hasher.update(spec.as_bytes());
        hasher.update([0]);
        for directory in &inputs.directories {
            hasher.update(if directory.recursive { b"R" } else { b"D" });
            hasher.update(directory.path.as_bytes());
            hasher.update([0]);
            match (entry_at(tree, &directory.path)?, directory.recursive) {
                (Some((id, Some(ObjectType::Tree), _)), true) => hasher.update(id.as_bytes()),
                (Some((id, Some(ObjectType::Tree), _)), false) => {
                    for entry in repo.find_tree(id)?.iter() {
                        if entry.kind() == Some(ObjectType::Blob) {
                            hasher.update(entry.name_bytes());
                            hasher.update([0]);
                            hasher.update(entry.id().as_bytes());
                            hasher.update(entry.filemode().to_le_bytes());
                        }
                    }
                }
                _ => hasher.update(b"-"),
            }
            hasher.update([0]);
        }
        for file in &inputs.files {
            hasher.update(b"F");
            hasher.update(file.as_bytes());
            hasher.update([0]);
            match entry_at(tree, file)? {
                Some((id, _, mode)) => {
                    hasher.update(id.as_bytes());
                    hasher.update(mode.to_le_bytes());
                }
                None => hasher.update(b"-"),
            }
            hasher.update([0]);
        }
        Ok(InputKey(hasher.finalize().into()))
    }
}

fn is_root(path: &str) -> bool {
    path.is_empty() || path == "."
}

/// The object at a repository-relative path (`.` is the tree itself): its
/// id, kind and file mode; none when nothing is there.
fn entry_at(
    tree: &Tree<'_>,
    path: &str,
) -> Result<Option<(Oid, Option<ObjectType>, i32)>, git2::Error> {
    if is_root(path) {
        return Ok(Some((tree.id(), Some(ObjectType::Tree), 0o040000)));
    }
    match tree.get_path(Path::new(path)) {
        Ok(entry) => Ok(Some((entry.id(), entry.kind(), entry.filemode()))),
        Err(err) if err.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

/// A path from the repository that is safe to join under the temporary
/// directory: relative, no `..`.
fn safe(path: &str) -> bool {
    Path::new(path)
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

const LINK_MODE: i32 = 0o120000;

/// Write the blobs of `inputs` in `tree` into `dir`, at their repository
/// paths. Returns notes about what was left out.
pub fn write_inputs(
    repo: &Repository,
    tree: &Tree<'_>,
    inputs: &Inputs,
    dir: &Path,
) -> Result<Vec<String>, WriteError> {
    let mut notes = Vec::new();
    let shown = |path: &str, name: &str| {
        if is_root(path) {
            name.to_owned()
        } else {
            format!("{path}/{name}")
        }
    };
    for directory in &inputs.directories {
        let path = &directory.path;
        if !safe(path) {
            notes.push(format!("{path:?} is outside the repository: not written"));
            continue;
        }
        let Some((id, Some(ObjectType::Tree), _)) = entry_at(tree, path)? else {
            continue;
        };
        let subtree = repo.find_tree(id)?;
        let base = if is_root(path) {
            dir.to_path_buf()
        } else {
            dir.join(path)
        };
        if directory.recursive {
            write_tree(repo, &subtree, &base, path, &mut notes)?;
            continue;
        }
        for entry in subtree.iter() {
            let Ok(name) = entry.name() else {
                continue;
            };
            match entry.kind() {
                Some(ObjectType::Blob) if entry.filemode() == LINK_MODE => notes.push(format!(
                    "{} is a symbolic link: not followed, not written",
                    shown(path, name)
                )),
                Some(ObjectType::Blob) if safe(name) => {
                    write_blob(repo, entry.id(), &base.join(name))?
                }
                _ => {}
            }
        }
    }
    for file in &inputs.files {
        if !safe(file) {
            notes.push(format!("{file:?} is outside the repository: not written"));
            continue;
        }
        match entry_at(tree, file)? {
            Some((_, Some(ObjectType::Blob), LINK_MODE)) => notes.push(format!(
                "{file} is a symbolic link: not followed, not written"
            )),
            Some((id, Some(ObjectType::Blob), _)) => write_blob(repo, id, &dir.join(file))?,
            _ => {}
        }
    }
    Ok(notes)
}

fn write_tree(
    repo: &Repository,
    tree: &Tree<'_>,
    base: &Path,
    display: &str,
    notes: &mut Vec<String>,
) -> Result<(), WriteError> {
    std::fs::create_dir_all(base).map_err(|e| WriteError::Io(base.display().to_string(), e))?;
    let mut failure: Option<WriteError> = None;
    tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
        let Ok(name) = entry.name() else {
            return TreeWalkResult::Skip;
        };
        let relative = format!("{parent}{name}");
        let shown = if display.is_empty() || display == "." {
            relative.clone()
        } else {
            format!("{display}/{relative}")
        };
        if !safe(&relative) {
            notes.push(format!("{shown}: not a plain relative path, not written"));
            return TreeWalkResult::Skip;
        }
        let path = base.join(&relative);
        let result = match entry.kind() {
            Some(ObjectType::Tree) => std::fs::create_dir_all(&path)
                .map_err(|e| WriteError::Io(path.display().to_string(), e)),
            Some(ObjectType::Blob) if entry.filemode() == LINK_MODE => {
                notes.push(format!(
                    "{shown} is a symbolic link: not followed, not written"
                ));
                Ok(())
            }
            Some(ObjectType::Blob) => write_blob(repo, entry.id(), &path),
            _ => {
                notes.push(format!("{shown} is a submodule: not written"));
                Ok(())
            }
        };
        match result {
            Ok(()) => TreeWalkResult::Ok,
            Err(err) => {
                failure = Some(err);
                TreeWalkResult::Abort
            }
        }
    })
    .or_else(|err| match failure.is_some() {
        true => Ok(()),
        false => Err(err),
    })?;
    match failure {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

fn write_blob(repo: &Repository, id: Oid, path: &Path) -> Result<(), WriteError> {
    if path.exists() {
        // Two inputs overlap (a directory and a file in it): same content.
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| WriteError::Io(parent.display().to_string(), e))?;
    }
    let blob = repo.find_blob(id)?;
    std::fs::write(path, blob.content()).map_err(|e| WriteError::Io(path.display().to_string(), e))
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("reading the git repository failed: {}", .0.message())]
    Git(#[from] git2::Error),
    #[error("writing {0} failed: {1}")]
    Io(String, std::io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::rendered::InputDirectory;

    fn flat(directories: &[&str], files: &[&str]) -> Inputs {
        Inputs {
            directories: directories
                .iter()
                .map(|d| InputDirectory {
                    path: (*d).to_owned(),
                    recursive: false,
                })
                .collect(),
            files: files.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    fn repo_with(files: &[(&str, &str)], links: &[(&str, &str)]) -> (tempfile::TempDir, Oid) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let mut index = repo.index().unwrap();
        let entry = |path: &str, id: Oid, mode: u32| git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode,
            uid: 0,
            gid: 0,
            file_size: 0,
            id,
            flags: 0,
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        };
        for (path, text) in files {
            let id = repo.blob(text.as_bytes()).unwrap();
            index.add(&entry(path, id, 0o100644)).unwrap();
        }
        for (path, target) in links {
            let id = repo.blob(target.as_bytes()).unwrap();
            index.add(&entry(path, id, 0o120000)).unwrap();
        }
        let tree = index.write_tree().unwrap();
        (dir, tree)
    }

    #[test]
    fn keys_follow_the_inputs_only() {
        let (dir, one) = repo_with(&[("a/k.yaml", "1"), ("b/x.yaml", "1")], &[]);
        let repo = Repository::open(dir.path()).unwrap();
        let index_two = {
            let mut index = repo.index().unwrap();
            index.clear().unwrap();
            index.read_tree(&repo.find_tree(one).unwrap()).unwrap();
            let id = repo.blob(b"2").unwrap();
            let mut entry = index.get_path(Path::new("b/x.yaml"), 0).unwrap();
            entry.id = id;
            index.add(&entry).unwrap();
            index.write_tree().unwrap()
        };
        let inputs = flat(&["a"], &[]);
        let key = |tree: Oid, spec: &str, inputs: &Inputs| {
            InputKey::of(&repo, &repo.find_tree(tree).unwrap(), spec, inputs).unwrap()
        };
        assert_eq!(key(one, "k", &inputs), key(index_two, "k", &inputs));
        assert_ne!(key(one, "k", &inputs), key(one, "helm", &inputs));
        let both = flat(&["a"], &["b/x.yaml"]);
        assert_ne!(key(one, "k", &both), key(index_two, "k", &both));
        let missing = flat(&["nowhere"], &["nowhere.yaml"]);
        assert_eq!(key(one, "k", &missing), key(index_two, "k", &missing));
        // A flat directory does not see its subdirectories; a recursive one does.
        let root = flat(&["."], &[]);
        assert_eq!(key(one, "k", &root), key(index_two, "k", &root));
        let deep = Inputs {
            directories: vec![InputDirectory {
                path: ".".into(),
                recursive: true,
            }],
            files: vec![],
        };
        assert_ne!(key(one, "k", &deep), key(index_two, "k", &deep));
    }

    #[test]
    fn writes_blobs_and_skips_links() {
        let (dir, tree) = repo_with(
            &[
                ("app/base/k.yaml", "base"),
                ("app/o/k.yaml", "overlay"),
                ("other/x", "x"),
            ],
            &[("app/o/secret", "/etc/passwd")],
        );
        let repo = Repository::open(dir.path()).unwrap();
        let tree = repo.find_tree(tree).unwrap();
        let out = tempfile::tempdir().unwrap();
        let inputs = flat(&["app/o"], &["app/base/k.yaml"]);
        let notes = write_inputs(&repo, &tree, &inputs, out.path()).unwrap();
        let read = |p: &str| std::fs::read_to_string(out.path().join(p)).unwrap();
        assert_eq!(read("app/o/k.yaml"), "overlay");
        assert_eq!(read("app/base/k.yaml"), "base");
        assert!(!out.path().join("other").exists());
        assert!(!out.path().join("app/o/secret").exists());
        assert_eq!(
            notes,
            ["app/o/secret is a symbolic link: not followed, not written"]
        );
    }
}
