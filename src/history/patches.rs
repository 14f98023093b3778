//! Which files of a commit's tree are kustomize patches: partial objects
//! that change the resource they patch rather than being one.
//!
//! An overlay's strategic-merge patch (`patches: [{path: mz-patch.yaml}]`)
//! holds only the fields it overrides, so it has no rollout hash of its own
//! and misses required fields; read as a whole object it would give a false
//! schema error and a "no rollout" verdict for an image bump that restarts
//! the database. The kustomization naming it sits in the patch's directory
//! or above (kustomize's default load restrictor refuses files outside a
//! kustomization's root); `validate` looks it up on disk
//! (`source::kustomize::patch_files`), `rollouts` here, in each commit's
//! tree. What a kustomization names is read by `source::kustomize`; this
//! file only searches the tree and remembers what each kustomization blob
//! named.

use std::collections::HashMap;
use std::path::Path;

use git2::{ObjectType, Oid, Repository, Tree};

use serde_json::Value;

use crate::source::kustomize::{is_kustomization_path, repo_patch_references};
use crate::source::{self, FileFormat};

/// Kustomizations read so far, by blob id: the repository paths of the
/// patch files each names (for the directory it was found in), with the
/// target of each entry.
#[derive(Default)]
pub struct PatchIndex {
    named: HashMap<(Oid, String), Vec<NamedPatch>>,
}

/// A patch file's repository path and the target of its entry.
type NamedPatch = (String, Option<Value>);

/// The kustomization that names a file as a patch.
#[derive(Clone, Debug, PartialEq)]
pub struct Naming {
    /// Its repository path.
    pub kustomization: String,
    /// The `target` selector of the entry, when it has one.
    pub target: Option<Value>,
}

impl PatchIndex {
    /// The kustomization in `root`'s tree that names `path` as a patch, if
    /// any.
    pub fn kustomization_naming(
        &mut self,
        repo: &Repository,
        root: &Tree<'_>,
        path: &str,
    ) -> Result<Option<Naming>, git2::Error> {
        let directories = path
            .rsplit_once('/')
            .map_or("", |(directories, _)| directories);
        let mut tree = root.clone();
        let mut directory = String::new();
        let mut components = directories.split('/').filter(|c| !c.is_empty());
        loop {
            if let Some(found) = self.in_directory(repo, &tree, &directory, path)? {
                return Ok(Some(found));
            }
            let Some(component) = components.next() else {
                return Ok(None);
            };
            let subtree = match tree.get_name(component) {
                Some(entry) if entry.kind() == Some(ObjectType::Tree) => entry.id(),
                _ => return Ok(None),
            };
            tree = repo.find_tree(subtree)?;
            if !directory.is_empty() {
                directory.push('/');
            }
            directory.push_str(component);
        }
    }

    fn in_directory(
        &mut self,
        repo: &Repository,
        tree: &Tree<'_>,
        directory: &str,
        path: &str,
    ) -> Result<Option<Naming>, git2::Error> {
        for entry in tree.iter() {
            let Ok(name) = entry.name() else { continue };
            if entry.kind() != Some(ObjectType::Blob) || !is_kustomization_path(Path::new(name)) {
                continue;
            }
            let key = (entry.id(), directory.to_owned());
            if !self.named.contains_key(&key) {
                let bytes = repo.find_blob(entry.id())?.content().to_vec();
                self.named
                    .insert(key.clone(), named_patches(name, directory, bytes));
            }
            if let Some((_, target)) = self.named[&key].iter().find(|(named, _)| named == path) {
                return Ok(Some(Naming {
                    kustomization: join(directory, name),
                    target: target.clone(),
                }));
            }
        }
        Ok(None)
    }
}

/// The repository paths of the patch files a kustomization names, with
/// their targets; nothing when it does not parse (the file is then reported
/// where it is checked).
fn named_patches(name: &str, directory: &str, bytes: Vec<u8>) -> Vec<NamedPatch> {
    let path = join(directory, name);
    let Ok(file) = source::source_from_bytes(path.clone().into(), path, bytes, FileFormat::Yaml)
    else {
        return Vec::new();
    };
    repo_patch_references(&file, directory)
        .into_iter()
        .map(|reference| (reference.path, reference.target))
        .collect()
}

fn join(directory: &str, name: &str) -> String {
    if directory.is_empty() {
        name.to_owned()
    } else {
        format!("{directory}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_are_found_through_the_kustomization_above_them() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let blob = |text: &str| repo.blob(text.as_bytes()).unwrap();
        let mut prod = repo.treebuilder(None).unwrap();
        prod.insert(
            "kustomization.yaml",
            blob("resources: [../../base]\npatches:\n- path: mz-patch.yaml\n- path: ../shared/p.yaml\n"),
            0o100644,
        )
        .unwrap();
        prod.insert("mz-patch.yaml", blob("kind: Materialize\n"), 0o100644)
            .unwrap();
        prod.insert("other.yaml", blob("kind: Materialize\n"), 0o100644)
            .unwrap();
        let prod = prod.write().unwrap();
        let mut overlays = repo.treebuilder(None).unwrap();
        overlays.insert("prod", prod, 0o040000).unwrap();
        let overlays = overlays.write().unwrap();
        let mut root = repo.treebuilder(None).unwrap();
        root.insert("overlays", overlays, 0o040000).unwrap();
        let root = repo.find_tree(root.write().unwrap()).unwrap();

        let mut index = PatchIndex::default();
        let mut naming = |path: &str| {
            index
                .kustomization_naming(&repo, &root, path)
                .unwrap()
                .map(|naming| naming.kustomization)
        };
        assert_eq!(
            naming("overlays/prod/mz-patch.yaml").as_deref(),
            Some("overlays/prod/kustomization.yaml")
        );
        // kustomize's default load restrictor refuses files outside the
        // kustomization's directory, so only ancestors are looked at.
        assert_eq!(naming("overlays/shared/p.yaml"), None);
        assert_eq!(naming("overlays/prod/other.yaml"), None);
        assert_eq!(naming("top.yaml"), None);
    }
}
