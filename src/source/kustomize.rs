//! Which files are kustomize patches (partial objects), for `validate` and
//! `migrate` alike.
//!
//! A strategic-merge patch holds only the fields it changes, so it must not
//! be held to the required fields of a whole object. Patches are found
//! through the kustomization that names them: `patchesStrategicMerge: [path]`
//! and `patches: [{path: …}]`, relative to the kustomization's directory.
//! Kustomizations are looked for among the files being checked and in the
//! directories above each checked file, so checking a patch file on its own
//! still knows it is a patch.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use super::{SourceFile, display_path, parse_document, read_file};

/// File names kustomize reads as a kustomization.
const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The canonical paths of the patch files referenced by the kustomizations
/// that sit next to (or among) `paths`; kustomizations larger than
/// `max_size` bytes are not read.
pub fn patch_files(paths: &[PathBuf], max_size: u64) -> HashSet<PathBuf> {
    let mut kustomizations = BTreeSet::new();
    let mut directories = HashSet::new();
    // Walks list files sorted, so neighbours mostly share a directory: its
    // ancestors are looked at once, not once per file (44 ms of serial time
    // on 35,000 files before).
    let mut previous_parent = None;
    for path in paths {
        if path.as_os_str() == "-" {
            continue;
        }
        if is_kustomization_path(path) {
            kustomizations.insert(path.clone());
        }
        if path.parent() == previous_parent {
            continue;
        }
        previous_parent = path.parent();
        // A kustomization names patches below (or beside) its directory, so
        // every ancestor of a checked file may hold the one naming it.
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        for ancestor in absolute.ancestors().skip(1) {
            if !directories.insert(ancestor.to_path_buf()) {
                break;
            }
        }
    }
    let candidates: Vec<PathBuf> = directories
        .iter()
        .flat_map(|directory| FILE_NAMES.map(|name| directory.join(name)))
        .collect();
    kustomizations.extend(
        candidates
            .into_par_iter()
            .filter(|candidate| candidate.is_file())
            .collect::<Vec<_>>(),
    );
    kustomizations
        .into_par_iter()
        .flat_map_iter(|kustomization| {
            // An unreadable kustomization is reported where it is checked or
            // migrated itself; here it names no patch.
            let Ok(file) = read_file(&kustomization, display_path(&kustomization), max_size) else {
                return Vec::new();
            };
            let dir = kustomization.parent().unwrap_or(Path::new("."));
            patch_references(&file, dir)
                .into_iter()
                .filter_map(|reference| reference.path.canonicalize().ok())
                .collect::<Vec<_>>()
        })
        .collect()
}

pub fn is_kustomization_path(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| FILE_NAMES.contains(&name))
}

/// A patch file a kustomization names, with the `target` selector of its
/// entry when it has one (JSON 6902 patches need one to mean anything).
#[derive(Clone, Debug, PartialEq)]
pub struct PatchReference {
    pub path: PathBuf,
    pub target: Option<Value>,
}

/// The patch files the kustomization `file` names (every document of it),
/// as paths under `dir`, its directory (not checked for existence): the
/// `patchesStrategicMerge` entries that are paths rather than inline YAML
/// or JSON, and the `path` of `patches` and `patchesJson6902` items (inline
/// patches are not files). Documents that do not parse name nothing.
pub fn patch_references(file: &SourceFile, dir: &Path) -> Vec<PatchReference> {
    file.documents()
        .iter()
        .filter_map(|doc| parse_document(file, doc).ok().flatten())
        .flat_map(|value| referenced_patches(&value, dir))
        .collect()
}

/// The patch files one kustomization document names.
fn referenced_patches(kustomization: &Value, dir: &Path) -> Vec<PatchReference> {
    let mut out = Vec::new();
    let mut push = |relative: &str, target: Option<&Value>| {
        let inline = relative.contains('\n') || relative.trim_start().starts_with('{');
        if !inline && !relative.is_empty() {
            out.push(PatchReference {
                path: dir.join(relative),
                target: target.cloned(),
            });
        }
    };
    if let Some(items) = kustomization
        .get("patchesStrategicMerge")
        .and_then(Value::as_array)
    {
        for item in items.iter().filter_map(Value::as_str) {
            push(item, None);
        }
    }
    for list in ["patches", "patchesJson6902"] {
        if let Some(items) = kustomization.get(list).and_then(Value::as_array) {
            for item in items {
                if let Some(path) = item.get("path").and_then(Value::as_str) {
                    push(path, item.get("target"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const MAX: u64 = 1 << 20;

    #[test]
    fn patches_from_both_keys_next_to_a_patch_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("kustomization.yaml"),
            "resources: [../base]\npatchesStrategicMerge:\n- smp.yaml\n- |\n  inline: patch\npatches:\n- path: sub/p.yaml\n  target: {kind: Materialize}\n- patch: '[]'\n",
        )
        .unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("smp.yaml"), "a: 1\n").unwrap();
        std::fs::write(root.join("sub/p.yaml"), "a: 1\n").unwrap();
        let found = patch_files(&[root.join("smp.yaml")], MAX);
        assert!(found.contains(&root.join("smp.yaml").canonicalize().unwrap()));
        assert!(found.contains(&root.join("sub/p.yaml").canonicalize().unwrap()));
        assert_eq!(found.len(), 2);
        assert_eq!(patch_files(&[root.join("sub/p.yaml")], MAX), found);
        std::fs::remove_file(root.join("kustomization.yaml")).unwrap();
        assert!(patch_files(&[root.join("sub/p.yaml")], MAX).is_empty());
    }

    #[test]
    fn patch_files_are_found() {
        let k = json!({
            "patchesStrategicMerge": ["mz-patch.yaml", "apiVersion: v1\nkind: X\n"],
            "patches": [{"path": "p/rollout.yaml"}, {"patch": "x"}],
        });
        let paths: Vec<PathBuf> = referenced_patches(&k, Path::new("base"))
            .into_iter()
            .map(|reference| reference.path)
            .collect();
        assert_eq!(
            paths,
            vec![
                PathBuf::from("base/mz-patch.yaml"),
                PathBuf::from("base/p/rollout.yaml")
            ]
        );
        assert!(is_kustomization_path(Path::new("x/kustomization.yaml")));
        assert!(!is_kustomization_path(Path::new(
            "x/kustomization.yaml.bak"
        )));
    }
}
