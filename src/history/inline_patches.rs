//! What a kustomize patch written inside a kustomization (`patches:
//! [{patch: …, target: {kind: Materialize}}]`, inline
//! `patchesStrategicMerge` entries) writes into a Materialize resource: a
//! partial object, so that `compare` judges a change to it like a change to
//! a patch file — by the hashed fields it overrides. Finding the inline
//! patches is `source::kustomize`'s job; this is how `rollouts` models them.
//!
//! A JSON 6902 operation list is turned into the object it writes: an `add`
//! or `replace` of a whole spec member (`/spec/environmentdImageRef`) sets
//! that member to the value; an operation below a member (`/spec/env/0`),
//! `remove`, `move` and `copy` set the member to a record of the operations
//! on it, so that any change to them reads as a change of that member.
//! Such an object has no apiVersion, and is not held to the schema.

use serde_json::{Map, Value, json};

use crate::crd::common::KIND;
use crate::crd::kustomize::targets_materialize;
use crate::source::kustomize::{self, Operation};

/// One inline patch of a kustomization document that writes into a
/// Materialize resource.
#[derive(Debug, Clone, PartialEq)]
pub struct InlinePatch {
    /// Where the patch text is in the kustomization (`/patches/2/patch`).
    pub pointer: String,
    /// The partial object it writes.
    pub object: Value,
}

/// The inline patches of `kustomization` that target Materialize objects.
pub fn inline_patches(kustomization: &Value) -> Vec<InlinePatch> {
    kustomize::inline_patches(kustomization)
        .into_iter()
        .filter_map(|patch| {
            let target = patch.target.unwrap_or(&Value::Null);
            let object = match kustomize::parse_patch(patch.text) {
                Some(Value::Array(ops)) if targets_materialize(target) => {
                    operations_object(target, &ops)
                }
                Some(object @ Value::Object(_)) if is_materialize_patch(&object, target) => object,
                _ => return None,
            };
            Some(InlinePatch {
                pointer: patch.pointer,
                object,
            })
        })
        .collect()
}

fn is_materialize_patch(object: &Value, target: &Value) -> bool {
    object.get("kind").and_then(Value::as_str) == Some(KIND)
        || (object.get("kind").is_none() && targets_materialize(target))
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
    for op in ops.iter().filter_map(Operation::read) {
        let whole_value = op.sets_whole_value();
        match op.tokens.as_slice() {
            [spec, member] if spec == "spec" && whole_value => {
                object["spec"][member.as_str()] = op.value.cloned().unwrap_or(Value::Null);
            }
            [spec, member, ..] if spec == "spec" => {
                record(&mut object["spec"][member.as_str()], &op);
            }
            [metadata, annotations, key]
                if metadata == "metadata" && annotations == "annotations" =>
            {
                let value = if whole_value {
                    op.value.cloned().unwrap_or(Value::Null)
                } else {
                    json!(format!("{} {}", op.op, op.path))
                };
                object["metadata"]["annotations"][key.as_str()] = value;
            }
            _ => {}
        }
    }
    object
}

/// Add `op` to the record of operations on one spec member.
fn record(member: &mut Value, op: &Operation<'_>) {
    if !member.is_object() || member.get("$operations").is_none() {
        *member = json!({"$operations": []});
    }
    if let Some(list) = member["$operations"].as_array_mut() {
        list.push(json!({
            "op": op.op,
            "path": op.path,
            "from": op.from,
            "value": op.value,
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
