//! Kustomize, for `migrate`: moving the patch targets that select the old
//! version to the new one, and saying which inline patches still need a
//! hand. Reading a kustomization is `source::kustomize`'s business; which
//! targets select Materialize objects, `crd::kustomize`'s.

use serde_json::Value;

use crate::crd::kustomize::selects_materialize_version;
use crate::crd::{SpecField, Version};
use crate::source::escape_pointer_token;
use crate::source::kustomize::TARGETED_LISTS;

/// v1alpha1 field names that a patch written for v1alpha1 may still touch.
const V1ALPHA1_ONLY: [&str; 6] = [
    SpecField::RequestRollout.name(),
    SpecField::InPlaceRollout.name(),
    SpecField::EnvironmentdIamRoleArn.name(),
    SpecField::RolloutRequestTimeout.name(),
    "lastCompletedRolloutRequest",
    "resourcesHash",
];

/// One `target.version` moved to the new version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetUpdate {
    /// JSON pointer of the `version` value inside the document.
    pub pointer: String,
    /// The version the target selected before.
    pub from: Version,
    /// Things the user must still do by hand for this patch.
    pub warnings: Vec<String>,
}

/// Set `version` of every patch target that selects Materialize objects of
/// one of the `from` versions to `to`.
pub fn update_targets(
    kustomization: &mut Value,
    from: &[Version],
    to: Version,
) -> Vec<TargetUpdate> {
    let mut updates = Vec::new();
    for list in TARGETED_LISTS {
        let Some(items) = kustomization.get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        for (i, item) in items.iter_mut().enumerate() {
            let Some(target) = item.get_mut("target") else {
                continue;
            };
            let Some(&old) = from
                .iter()
                .find(|version| selects_materialize_version(target, **version))
            else {
                continue;
            };
            target["version"] = Value::String(to.as_str().into());
            let mut warnings = Vec::new();
            if let Some(inline) = item.get("patch").and_then(Value::as_str) {
                for field in V1ALPHA1_ONLY {
                    let kept = SpecField::by_name(field).is_some_and(|f| f.in_version(to));
                    if inline.contains(field) && !kept {
                        warnings.push(format!(
                            "the inline patch at /{list}/{i}/patch mentions `{field}`, which {to} objects do not have; rewrite that patch by hand"
                        ));
                    }
                }
            }
            updates.push(TargetUpdate {
                pointer: format!("/{}/{i}/target/version", escape_pointer_token(list)),
                from: old,
                warnings,
            });
        }
    }
    updates
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_targets_selecting_v1alpha1_materialize_move() {
        let mut k = json!({
            "patches": [
                {"path": "a.yaml", "target": {"group": "materialize.cloud", "version": "v1alpha1", "kind": "Materialize"}},
                {"path": "b.yaml", "target": {"group": "apps", "version": "v1", "kind": "Deployment"}},
                {"patch": "- op: remove\n  path: /spec/requestRollout", "target": {"version": "v1alpha1", "kind": "Materialize"}},
            ],
            "patchesJson6902": [
                {"path": "c.yaml", "target": {"group": "materialize.cloud", "version": "v1alpha2", "kind": "Materialize"}},
            ],
        });
        let updates = update_targets(&mut k, &[Version::V1alpha1], Version::V1alpha2);
        assert_eq!(updates.len(), 2);
        assert_eq!(updates[0].pointer, "/patches/0/target/version");
        assert!(updates[0].warnings.is_empty());
        assert_eq!(updates[1].pointer, "/patches/2/target/version");
        assert_eq!(updates[1].warnings.len(), 1);
        assert_eq!(k["patches"][0]["target"]["version"], "v1alpha2");
        assert_eq!(k["patches"][1]["target"]["version"], "v1");
    }
}
