//! Kustomize patch targets that select Materialize resources: the part of
//! reading a kustomization that needs the CRD's group, kind and versions.
//! Kustomize's own structure (which entries name patches, inline patches,
//! operation lists) is `source::kustomize`, one layer down.

use serde_json::Value;

use super::Version;
use super::common::{GROUP, KIND};

/// Whether a `target` selector names kind Materialize (whatever its group
/// and version): what `rollouts` needs to know that a patch writes into a
/// Materialize resource.
pub fn targets_materialize(target: &Value) -> bool {
    target.get("kind").and_then(Value::as_str) == Some(KIND)
}

/// Whether a `target` selector selects Materialize objects of `version`
/// exactly (group unset or `materialize.cloud`): what `migrate` moves to
/// the new version.
pub fn selects_materialize_version(target: &Value, version: Version) -> bool {
    let field = |name: &str| target.get(name).and_then(Value::as_str);
    targets_materialize(target)
        && field("version") == Some(version.as_str())
        && field("group").is_none_or(|group| group == GROUP)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn targets_by_kind_and_versions_by_group_too() {
        let target =
            json!({"group": "materialize.cloud", "version": "v1alpha1", "kind": "Materialize"});
        assert!(targets_materialize(&target));
        assert!(selects_materialize_version(&target, Version::V1alpha1));
        assert!(!selects_materialize_version(&target, Version::V1alpha2));
        let other_group = json!({"group": "apps", "version": "v1alpha1", "kind": "Materialize"});
        assert!(targets_materialize(&other_group));
        assert!(!selects_materialize_version(
            &other_group,
            Version::V1alpha1
        ));
        assert!(!targets_materialize(&json!({"kind": "Deployment"})));
    }
}
