//! Patches written inside a kustomization rather than in files of their
//! own: `patches: [{patch: …, target: …}]`, `patchesJson6902: [{patch: …}]`
//! and multi-line `patchesStrategicMerge` entries. Which of them matter
//! (those for Materialize objects) is decided by whoever reads them.

use serde_json::Value;

use crate::source::{FileFormat, SourceFile, parse_single_document};

/// One inline patch of a kustomization document, unparsed.
#[derive(Clone, Debug, PartialEq)]
pub struct InlinePatch<'a> {
    /// Where the patch text is in the kustomization (`/patches/2/patch`).
    pub pointer: String,
    pub text: &'a str,
    /// The entry's `target` selector; `None` for a strategic-merge entry,
    /// which selects by its own kind and name.
    pub target: Option<&'a Value>,
}

/// The inline patches of one kustomization document, in the order
/// kustomize lists them: `patches`, `patchesJson6902`, then
/// `patchesStrategicMerge`.
pub fn inline_patches(kustomization: &Value) -> Vec<InlinePatch<'_>> {
    let mut out = Vec::new();
    for list in super::TARGETED_LISTS {
        let Some(items) = kustomization.get(list).and_then(Value::as_array) else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let Some(text) = item.get("patch").and_then(Value::as_str) else {
                continue;
            };
            out.push(InlinePatch {
                pointer: format!("/{list}/{i}/patch"),
                text,
                target: item.get("target"),
            });
        }
    }
    if let Some(items) = kustomization
        .get("patchesStrategicMerge")
        .and_then(Value::as_array)
    {
        for (i, item) in items.iter().enumerate() {
            // One-line entries are file paths (see `patch_references`).
            let Some(text) = item.as_str().filter(|t| t.contains('\n')) else {
                continue;
            };
            out.push(InlinePatch {
                pointer: format!("/patchesStrategicMerge/{i}"),
                text,
                target: None,
            });
        }
    }
    out
}

/// Patch text is YAML (JSON is YAML), read with the same limits as files
/// (alias budget, depth, duplicate keys); anything that does not parse is
/// left to kustomize to reject.
pub fn parse_patch(text: &str) -> Option<Value> {
    let file = SourceFile::from_text("patch", "patch".into(), text.to_owned(), FileFormat::Yaml);
    parse_single_document(&file)
}
