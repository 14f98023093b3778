//! Patches written inside a kustomization (`patches: [{patch: …, target:
//! {kind: Materialize}}]`, inline `patchesStrategicMerge` entries): each
//! becomes a partial object, so that `compare` judges a change to it like a
//! change to a patch file — by the hashed fields it overrides.
//!
//! A JSON 6902 operation list is turned into the object it writes: an `add`
//! or `replace` of a whole spec member (`/spec/environmentdImageRef`) sets
//! that member to the value; an operation below a member (`/spec/env/0`),
//! `remove`, `move` and `copy` set the member to a record of the operations
//! on it, so that any change to them reads as a change of that member.
//! Such an object has no apiVersion, and is not held to the schema.

use serde_json::{Map, Value, json};

use crate::crd::common::KIND;
use crate::source::{FileFormat, SourceFile, parse_pointer, parse_single_document};

/// One inline patch of a kustomization document.
#[derive(Debug, Clone, PartialEq)]
pub struct InlinePatch {
    /// Where the patch text is in the kustomization (`/patches/2/patch`).
    pub pointer: String,
    /// The partial object it writes.
    pub object: Value,
}

/// The inline patches of `kustomization` that target Materialize objects.
pub fn inline_patches(kustomization: &Value) -> Vec<InlinePatch> {
    let mut out = Vec::new();
    for list in ["patches", "patchesJson6902"] {
        let Some(items) = kustomization.get(list).and_then(Value::as_array) else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let Some(text) = item.get("patch").and_then(Value::as_str) else {
                continue;
            };
            let target = item.get("target").unwrap_or(&Value::Null);
            let targets_materialize = target.get("kind").and_then(Value::as_str) == Some(KIND);
            let object = match parse(text) {
                Some(Value::Array(ops)) if targets_materialize => operations_object(target, &ops),
                Some(object @ Value::Object(_)) if is_materialize_patch(&object, target) => object,
                _ => continue,
            };
            out.push(InlinePatch {
                pointer: format!("/{list}/{i}/patch"),
                object,
            });
        }
    }
    if let Some(items) = kustomization
        .get("patchesStrategicMerge")
        .and_then(Value::as_array)
    {
        for (i, item) in items.iter().enumerate() {
            // One-line entries are file paths (see `source::patch_files`).
            let Some(text) = item.as_str().filter(|t| t.contains('\n')) else {
                continue;
            };
            if let Some(object @ Value::Object(_)) = parse(text)
                && is_materialize_patch(&object, &Value::Null)
            {
                out.push(InlinePatch {
                    pointer: format!("/patchesStrategicMerge/{i}"),
                    object,
                });
            }
        }
    }
    out
}

/// Patch text is YAML (JSON is YAML), read with the same limits as files
/// (alias budget, depth, duplicate keys); anything that does not parse is
/// left to kustomize to reject.
fn parse(text: &str) -> Option<Value> {
    let file = SourceFile::from_text("patch", "patch".into(), text.to_owned(), FileFormat::Yaml);
    parse_single_document(&file)
}

fn is_materialize_patch(object: &Value, target: &Value) -> bool {
    object.get("kind").and_then(Value::as_str) == Some(KIND)
        || (object.get("kind").is_none()
            && target.get("kind").and_then(Value::as_str) == Some(KIND))
}

/// The partial object a JSON 6902 operation list writes into the resource
/// `target` selects.
pub fn operations_object(target: &Value, ops: &[Value]) -> Value {
    let mut metadata = Map::new();
    for field in ["name", "namespace"] {
        if let Some(value) = target.get(field).filter(|v| v.is_string()) {
            metadata.insert(field.to_owned(), value.clone());
        }
    }
    let mut object = json!({"kind": KIND, "metadata": metadata, "spec": {}});
    for op in ops {
        let (Some(kind), Some(path)) = (
            op.get("op").and_then(Value::as_str),
            op.get("path").and_then(Value::as_str),
        ) else {
            continue;
        };
        let Some(tokens) = parse_pointer(path) else {
            continue;
        };
        let whole_value = matches!(kind, "add" | "replace");
        match tokens.as_slice() {
            [spec, member] if spec == "spec" && whole_value => {
                object["spec"][member.as_str()] = op.get("value").cloned().unwrap_or(Value::Null);
            }
            [spec, member, ..] if spec == "spec" => {
                record(&mut object["spec"][member.as_str()], kind, path, op);
            }
            [metadata, annotations, key]
                if metadata == "metadata" && annotations == "annotations" =>
            {
                let value = if whole_value {
                    op.get("value").cloned().unwrap_or(Value::Null)
                } else {
                    json!(format!("{kind} {path}"))
                };
                object["metadata"]["annotations"][key.as_str()] = value;
            }
            _ => {}
        }
    }
    object
}

/// Add `op` to the record of operations on one spec member.
fn record(member: &mut Value, kind: &str, path: &str, op: &Value) {
    if !member.is_object() || member.get("$operations").is_none() {
        *member = json!({"$operations": []});
    }
    if let Some(list) = member["$operations"].as_array_mut() {
        list.push(json!({
            "op": kind,
            "path": path,
            "from": op.get("from"),
            "value": op.get("value"),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kustomization(yaml: &str) -> Value {
        yaml_serde::from_str(yaml).unwrap()
    }

    #[test]
    fn json6902_operations_become_the_object_they_write() {
        let k = kustomization(
            "patches:
- target: {kind: Materialize, name: mz, namespace: prod}
  patch: |-
    - op: replace
      path: /spec/environmentdImageRef
      value: materialize/environmentd:v26.3.0
    - op: add
      path: /spec/environmentdExtraEnv/0
      value: {name: A, value: '1'}
    - op: add
      path: /metadata/annotations/materialize.cloud~1force-rollout
      value: 2026-11-25
- target: {kind: Deployment}
  patch: '[{op: replace, path: /spec/replicas, value: 3}]'
- path: file-patch.yaml
",
        );
        let patches = inline_patches(&k);
        assert_eq!(patches.len(), 1);
        assert_eq!(patches[0].pointer, "/patches/0/patch");
        let object = &patches[0].object;
        assert_eq!(object["metadata"]["name"], "mz");
        assert!(object.get("apiVersion").is_none());
        assert_eq!(
            object["spec"]["environmentdImageRef"],
            "materialize/environmentd:v26.3.0"
        );
        assert_eq!(
            object["spec"]["environmentdExtraEnv"]["$operations"][0]["path"],
            "/spec/environmentdExtraEnv/0"
        );
        assert_eq!(
            object["metadata"]["annotations"]["materialize.cloud/force-rollout"],
            "2026-11-25"
        );
    }

    #[test]
    fn inline_strategic_merge_patches_are_objects() {
        let k = kustomization(
            "patchesStrategicMerge:
- mz-patch.yaml
- |-
  apiVersion: materialize.cloud/v1alpha2
  kind: Materialize
  metadata: {name: mz, namespace: prod}
  spec:
    environmentdImageRef: materialize/environmentd:v26.3.0
patches:
- target: {kind: Materialize}
  patch: |-
    apiVersion: materialize.cloud/v1alpha2
    kind: Materialize
    metadata: {name: mz}
    spec: {rolloutStrategy: WaitUntilReady}
",
        );
        let pointers: Vec<String> = inline_patches(&k).into_iter().map(|p| p.pointer).collect();
        assert_eq!(pointers, ["/patches/0/patch", "/patchesStrategicMerge/1"]);
    }
}
