//! What a kustomization says, read from its text: which files are
//! kustomizations, which entries name patch files (with their `target`
//! selectors), which hold inline patches, and what a JSON 6902 operation
//! list is. `validate`, `migrate` and `rollouts` all read kustomizations
//! through here, so the three agree on what is a patch.
//!
//! A strategic-merge patch holds only the fields it changes, so it must not
//! be held to the required fields of a whole object. Patches are found
//! through the kustomization that names them: `patchesStrategicMerge: [path]`
//! and `patches: [{path: …}]` / `patchesJson6902: [{path: …}]`, relative to
//! the kustomization's directory.
//!
//! This is the `source` layer: kustomize's own structure only. What a patch
//! means for a Materialize resource (a target selecting kind Materialize,
//! the fields an operation list writes) needs the CRD's facts and lives
//! above: `crd::kustomize` (targets), `history::inline_patches` (the partial
//! object a patch writes), `migrate::kustomize` (moving targets to a new
//! version).

mod files;
mod inline;
mod json6902;

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{SourceFile, parse_document};

pub use files::patch_files;
pub use inline::{InlinePatch, inline_patches, parse_patch};
pub use json6902::{Operation, operation_list};

/// File names kustomize reads as a kustomization.
const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The lists whose items are `{path: …}` or `{patch: …}` entries, each with
/// an optional `target` selector.
pub const TARGETED_LISTS: [&str; 2] = ["patches", "patchesJson6902"];

/// Whether kustomize reads the file at `path` as a kustomization.
pub fn is_kustomization_path(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| FILE_NAMES.contains(&name))
}

/// Whether a document is a kustomization by what it says of itself (for a
/// kustomization under another file name, e.g. in a stream).
pub fn is_kustomization(value: &Value) -> bool {
    value.get("kind").and_then(Value::as_str) == Some("Kustomization")
        && value
            .get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("kustomize.config.k8s.io/"))
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
    for list in TARGETED_LISTS {
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

/// A patch file a kustomization in a repository tree names: its path in
/// the repository, and its entry's `target`.
#[derive(Clone, Debug, PartialEq)]
pub struct RepoPatchReference {
    pub path: String,
    pub target: Option<Value>,
}

/// The patch files the kustomization `file`, in the repository directory
/// `directory` (`""` for the root), names, as repository paths. Resolved
/// lexically (a tree has no file system to canonicalize against); a path
/// that leaves the repository names nothing.
pub fn repo_patch_references(file: &SourceFile, directory: &str) -> Vec<RepoPatchReference> {
    patch_references(file, Path::new(directory))
        .into_iter()
        .filter_map(|reference| {
            let path = normalize(&reference.path.to_string_lossy())?;
            Some(RepoPatchReference {
                path,
                target: reference.target,
            })
        })
        .collect()
}

/// `a/./b/../c` → `a/c`, lexically, as a path inside the repository; `None`
/// when it leaves the repository or is absolute.
fn normalize(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for component in path.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

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

    #[test]
    fn lexical_normalization() {
        assert_eq!(normalize("a/./b/../c.yaml").as_deref(), Some("a/c.yaml"));
        assert_eq!(
            normalize("overlays/prod/mz.yaml").as_deref(),
            Some("overlays/prod/mz.yaml")
        );
        assert_eq!(normalize("../x.yaml"), None);
        assert_eq!(normalize("/etc/x.yaml"), None);
    }
}
