//! Property: v1alpha1 → v1alpha2 → v1alpha1 → v1alpha2 is stable and keeps
//! the rollout hash, for any readable v1alpha1 object.

use mz_presync::crd::{Algorithm, Version, convert, read_typed, rollout_hash};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn uuid() -> impl Strategy<Value = String> {
    any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string())
}

fn small_map() -> impl Strategy<Value = Value> {
    prop::collection::btree_map("[a-z]{1,6}", "[a-z0-9]{0,6}", 0..3)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
}

prop_compose! {
    fn v1alpha1_object()(
        image_minor in 0u32..200,
        request_rollout in prop::option::of(uuid()),
        force_rollout in prop::option::of(uuid()),
        force_promote in prop::option::of(prop_oneof![Just(String::new()), uuid()]),
        strategy in prop::option::of(prop_oneof![Just("WaitUntilReady"), Just("ManuallyPromote"), Just("ImmediatelyPromoteCausingDowntime")]),
        authenticator in prop::option::of(prop_oneof![Just("None"), Just("Password"), Just("Sasl"), Just("Frontegg"), Just("Oidc")]),
        enable_rbac in prop::option::of(any::<bool>()),
        environment_id in prop::option::of(uuid()),
        iam_role in prop::option::of("[a-z]{1,8}"),
        annotations in prop::option::of(small_map()),
        pod_labels in prop::option::of(small_map()),
        extra_args in prop::option::of(prop::collection::vec("--[a-z]{1,6}", 0..3)),
        balancerd_replicas in prop::option::of(0i32..5),
        in_place in prop::option::of(any::<bool>()),
        annotation in prop::option::of("[a-z0-9]{0,4}"),
        status in prop::option::of((any::<bool>(), any::<bool>())),
    ) -> Value {
        let mut spec = Map::new();
        spec.insert("environmentdImageRef".into(), json!(format!("materialize/environmentd:v26.{image_minor}.0")));
        spec.insert("backendSecretName".into(), json!("materialize-backend"));
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                spec.insert(key.into(), value);
            }
        };
        put("requestRollout", request_rollout.clone().map(Value::String));
        put("forceRollout", force_rollout.map(Value::String));
        put("forcePromote", force_promote.map(Value::String));
        put("rolloutStrategy", strategy.map(|s| json!(s)));
        put("authenticatorKind", authenticator.map(|s| json!(s)));
        put("enableRbac", enable_rbac.map(Value::Bool));
        put("environmentId", environment_id.map(Value::String));
        put("environmentdIamRoleArn", iam_role.map(|r| json!(format!("arn:aws:iam::1:role/{r}"))));
        put("serviceAccountAnnotations", annotations);
        put("podLabels", pod_labels);
        put("environmentdExtraArgs", extra_args.map(|a| json!(a)));
        put("balancerdReplicas", balancerd_replicas.map(|n| json!(n)));
        put("inPlaceRollout", in_place.map(Value::Bool));
        let mut metadata = json!({"name": "mz", "namespace": "materialize"});
        if let Some(value) = annotation {
            metadata["annotations"] = json!({"materialize.cloud/force-rollout": value});
        }
        let mut object = json!({
            "apiVersion": "materialize.cloud/v1alpha1",
            "kind": "Materialize",
            "metadata": metadata,
            "spec": Value::Object(spec),
        });
        if let Some((completed, promoting)) = status {
            let completed_request = if completed {
                request_rollout.unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".into())
            } else {
                "a4b56cbb-a13e-4f95-8a9d-425c9ba28576".into()
            };
            object["status"] = json!({
                "resourceId": "abcdefghij",
                "activeGeneration": 2,
                "lastCompletedRolloutRequest": completed_request,
                "resourcesHash": "deadbeef",
                "conditions": [{"type": "UpToDate", "status": "Unknown", "reason": if promoting { "Promoting" } else { "Applied" }, "message": "", "lastTransitionTime": "2025-01-01T00:00:00Z"}],
            });
        }
        object
    }
}

/// The typed spec as the operator reads it, for comparing objects whose
/// spelling may differ (an explicit "" forcePromote versus none).
fn typed_spec(object: &Value) -> Value {
    match read_typed(object).expect("readable") {
        mz_presync::crd::TypedMaterialize::V1alpha2(m) => serde_json::to_value(&m.spec).unwrap(),
        other => panic!("expected v1alpha2, got {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn round_trip_is_stable_and_hash_preserving(original in v1alpha1_object()) {
        let hash = rollout_hash(&original, Algorithm::V1alpha2).expect("generated objects are readable");
        let b = convert(&original, Version::V1alpha2).unwrap().object;
        let c = convert(&b, Version::V1alpha1).unwrap().object;
        let d = convert(&c, Version::V1alpha2).unwrap().object;
        prop_assert_eq!(&rollout_hash(&b, Algorithm::V1alpha2).unwrap().hex, &hash.hex);
        prop_assert_eq!(&rollout_hash(&c, Algorithm::V1alpha2).unwrap().hex, &hash.hex);
        prop_assert_eq!(&rollout_hash(&d, Algorithm::V1alpha2).unwrap().hex, &hash.hex);
        prop_assert_eq!(typed_spec(&b), typed_spec(&d));
        prop_assert_eq!(b.get("status"), d.get("status"));
        // The v1 algorithm agrees with itself across the same trip.
        let v1 = rollout_hash(&original, Algorithm::V1).unwrap().hex;
        prop_assert_eq!(rollout_hash(&d, Algorithm::V1).unwrap().hex, v1);
    }
}
