//! What the API server stores (spec §3a): the object the operator, the
//! conversion webhook and so the rollout hash see is the *admitted* one.
//!
//! The API server prunes a `null` in a field that is not nullable and then
//! applies the field's schema default. Terraform modules and hand-written
//! manifests emit such nulls (`requestRollout: null`); reading them as
//! written would report a schema error and no hash for an object the
//! cluster accepts. Optional fields are `nullable: true` in the CRD, so
//! their `null` already reads as absence, and a `null` in a required field
//! is pruned and then rejected as missing: both are left as written, and
//! the schema check and the typed read say the rest.

use std::borrow::Cow;

use serde_json::Value;

use super::common::{Version, version_of};
use super::fields::SpecField;

/// Spec fields that have a default and are not nullable in a version: a
/// `null` there is pruned and the default applies (spec §3a).
fn defaulted_non_nullable(version: Version) -> &'static [SpecField] {
    use SpecField::*;
    match version {
        Version::V1alpha1 => &[
            RequestRollout,
            ForceRollout,
            ForcePromote,
            InPlaceRollout,
            EnvironmentId,
            RolloutStrategy,
            RolloutRequestTimeout,
            AuthenticatorKind,
            EnableRbac,
        ],
        Version::V1alpha2 | Version::V1 => &[
            ForceRollout,
            EnvironmentId,
            RolloutStrategy,
            RolloutRequestTimeout,
            AuthenticatorKind,
            EnableRbac,
        ],
    }
}

/// An object as admitted, and what admission removed from it.
#[derive(Clone, Debug, PartialEq)]
pub struct Admitted<'a> {
    pub object: Cow<'a, Value>,
    /// JSON pointers (from the object) of the `null`s that were pruned,
    /// sorted.
    pub pruned: Vec<String>,
}

/// The object as the API server would store it. Anything that is not a
/// Materialize object of a known version is returned as is.
pub fn admit(object: &Value) -> Admitted<'_> {
    let unchanged = |object| Admitted {
        object: Cow::Borrowed(object),
        pruned: Vec::new(),
    };
    let Some(version) = version_of(object) else {
        return unchanged(object);
    };
    let Some(spec) = object.get("spec").and_then(Value::as_object) else {
        return unchanged(object);
    };
    let defaulted = defaulted_non_nullable(version);
    let pruned: Vec<&String> = spec
        .iter()
        .filter(|(key, value)| {
            value.is_null() && defaulted.iter().any(|field| field.name() == key.as_str())
        })
        .map(|(key, _)| key)
        .collect();
    if pruned.is_empty() {
        return unchanged(object);
    }
    let mut pointers: Vec<String> = pruned
        .iter()
        .map(|key| format!("/spec/{}", crate::source::escape_pointer_token(key)))
        .collect();
    pointers.sort();
    let mut admitted = object.clone();
    if let Some(spec) = admitted.get_mut("spec").and_then(Value::as_object_mut) {
        for key in &pruned {
            spec.remove(key.as_str());
        }
    }
    Admitted {
        object: Cow::Owned(admitted),
        pruned: pointers,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(api_version: &str, spec: Value) -> Value {
        json!({"apiVersion": api_version, "kind": "Materialize", "metadata": {"name": "m"}, "spec": spec})
    }

    #[test]
    fn prunes_nulls_of_defaulted_fields_only() {
        let input = object(
            "materialize.cloud/v1alpha1",
            json!({"environmentdImageRef": "i", "backendSecretName": "b",
                   "requestRollout": null, "forceRollout": null, "podLabels": null}),
        );
        let admitted = admit(&input);
        assert_eq!(
            admitted.pruned,
            ["/spec/forceRollout", "/spec/requestRollout"]
        );
        let spec = admitted.object["spec"].as_object().unwrap();
        assert!(!spec.contains_key("requestRollout") && !spec.contains_key("forceRollout"));
        // Optional fields are nullable: their null stays and reads as absence.
        assert!(spec["podLabels"].is_null());
    }

    #[test]
    fn required_nulls_and_other_versions_fields_stay() {
        let input = object(
            "materialize.cloud/v1",
            json!({"environmentdImageRef": null, "backendSecretName": "b", "requestRollout": null, "forcePromote": null}),
        );
        let admitted = admit(&input);
        assert!(admitted.pruned.is_empty());
        assert!(matches!(admitted.object, Cow::Borrowed(_)));
    }

    #[test]
    fn other_objects_are_untouched() {
        let input = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": null});
        assert!(matches!(admit(&input).object, Cow::Borrowed(_)));
    }
}
