//! The verdict on one change under the operator model (spec §7, §8):
//! whether a rollout is requested, whether it restarts the database, and
//! whether changes wait for approval. [`crate::crd::verdict`] holds the
//! rules; this file picks the cheapest way to apply them to what the scan
//! already has in memory (both objects and their hashes), so the verdict
//! adds no blob reads and, on the common path, no second reading of either
//! object.

use serde_json::Value;

use super::resources::Resource;
use crate::crd::common::{FORCE_ROLLOUT_POINTER, Version, version_of};
use crate::crd::verdict::{self, Restart, Verdict};
use crate::crd::{Operator, SpecField};

/// Whether `pointer` (a changed field as [`super::fields`] names it) is a
/// per-generation input: a change of it restarts the database once a
/// rollout is requested.
pub fn is_per_generation(pointer: &str) -> bool {
    pointer == FORCE_ROLLOUT_POINTER
        || SpecField::iter().any(|field| field.per_generation() && field.pointer() == pointer)
}

fn per_generation_of(fields: &[String]) -> Vec<String> {
    fields
        .iter()
        .filter(|field| is_per_generation(field))
        .cloned()
        .collect()
}

fn none() -> Verdict {
    Verdict::of(false, Vec::new(), Vec::new())
}

/// The verdict on `old` becoming `new`; `fields` are the changed hashed
/// fields [`super::fields::changed_fields`] found.
///
/// A new version the operator cannot read requests nothing (the API server
/// or the operator refuses it; its `schema` error says so). When the
/// trigger is the hash (the design model, or `v1`/`v1alpha2` objects under
/// the released one) and both hashes exist, the rollout is the hash
/// comparison and the per-generation inputs that changed are the
/// per-generation members of the hash preimages' difference — every
/// per-generation input is hashed, so this equals what the verdict would
/// compute by reading both objects again, without doing so on the scan's
/// hot path (a unit test holds the two to the same answers). Everything
/// else (`v1alpha1` under the released model, a side without a hash) goes
/// through [`verdict::updated`].
pub fn updated(operator: Operator, old: &Resource, new: &Resource, fields: &[String]) -> Verdict {
    let Ok(new_hash) = &new.hash else {
        return none();
    };
    let v1alpha1 = |resource: &Resource| version_of(&resource.value) == Some(Version::V1alpha1);
    let hash_triggered = operator == Operator::Design || !(v1alpha1(old) || v1alpha1(new));
    if hash_triggered && let Ok(old_hash) = &old.hash {
        return Verdict::of(
            old_hash.hex != new_hash.hex,
            per_generation_of(fields),
            Vec::new(),
        );
    }
    verdict::updated(
        operator,
        &old.value,
        &new.value,
        old.hash.as_ref().ok().map(|h| h.hex.as_str()),
        Some(new_hash.hex.as_str()),
    )
}

/// The verdict on a created resource: its pods start (when the operator
/// can read it at all).
pub fn created(new: &Resource) -> Verdict {
    if new.hash.is_ok() {
        verdict::created_or_deleted()
    } else {
        none()
    }
}

/// The verdict on a deleted resource: its pods stop. Today's reports never
/// called a deletion a rollout, and no rollout is requested: only the
/// restart says that something happens.
pub fn deleted(old: &Resource) -> Verdict {
    Verdict {
        rollout: false,
        restart: if old.hash.is_ok() {
            Restart::Yes
        } else {
            Restart::No
        },
        ..none()
    }
}

/// The verdict on a kustomize patch change, from what the patch writes
/// (`before`/`after` are the partial objects, `Null` for a side that does
/// not exist; `fields` the hashed fields it changes). Kept simple: there is
/// no hash and no whole object, so
/// - the request is a changed hashed field (design, or a patch written as
///   `v1`/`v1alpha2` under the released model), or under the released model
///   a patch of a `v1alpha1` resource that changes what it writes into
///   `requestRollout` (adding or removing the patch counts when it sets
///   one);
/// - the per-generation inputs are the patched per-generation fields: yes
///   when requested, pending when not.
pub fn patch(operator: Operator, before: &Value, after: &Value, fields: &[String]) -> Verdict {
    let per_generation = per_generation_of(fields);
    let v1alpha1 = [before, after]
        .iter()
        .any(|side| version_of(side) == Some(Version::V1alpha1));
    if operator == Operator::Design || !v1alpha1 {
        return Verdict::of(!fields.is_empty(), per_generation, Vec::new());
    }
    let request = |side: &Value| side.pointer(SpecField::RequestRollout.pointer()).cloned();
    let requested = request(before) != request(after);
    let triggers = if requested {
        vec![SpecField::RequestRollout.pointer().to_owned()]
    } else {
        Vec::new()
    };
    Verdict::of(requested, per_generation, triggers)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::crd::Algorithm;
    use crate::history::fields::changed_fields;
    use crate::history::resources::parse_blob;

    fn resource(value: &Value, algorithm: Algorithm) -> Resource {
        let text = serde_json::to_string(value).unwrap();
        let mut blob = parse_blob("mz.json", text.into_bytes(), algorithm);
        blob.resources.remove(0)
    }

    fn mz(version: &str, spec: Value) -> Value {
        let mut full = json!({"environmentdImageRef": "materialize/environmentd:v26.1.0",
                              "backendSecretName": "b"});
        for (key, value) in spec.as_object().unwrap() {
            full[key] = value.clone();
        }
        json!({"apiVersion": format!("materialize.cloud/{version}"), "kind": "Materialize",
               "metadata": {"name": "mz", "namespace": "materialize"}, "spec": full})
    }

    /// The fast path answers exactly as the verdict does.
    #[test]
    fn the_hash_path_agrees_with_the_verdict() {
        let r1 = "11111111-1111-1111-1111-111111111111";
        let pairs = [
            (
                mz("v1alpha2", json!({})),
                mz("v1alpha2", json!({"podLabels": {"a": "b"}})),
            ),
            (
                mz("v1alpha2", json!({})),
                mz("v1alpha2", json!({"balancerdReplicas": 3})),
            ),
            (
                mz("v1alpha2", json!({})),
                mz(
                    "v1alpha2",
                    json!({"rolloutStrategy": "ImmediatelyPromoteCausingDowntime"}),
                ),
            ),
            (
                mz("v1alpha1", json!({"requestRollout": r1})),
                mz("v1alpha2", json!({})),
            ),
            (
                mz("v1alpha1", json!({})),
                mz(
                    "v1alpha1",
                    json!({"environmentdImageRef": "materialize/environmentd:v26.2.0"}),
                ),
            ),
            (mz("v1", json!({})), mz("v1", json!({"forceRollout": r1}))),
            (
                mz("v1", json!({})),
                mz("v1", json!({"serviceAccountAnnotations": {"a": "b"}})),
            ),
            (
                mz("v1", json!({})),
                mz("v1", json!({"rolloutRequestTimeout": "1h"})),
            ),
            (
                mz("v1", json!({})),
                mz("v1", json!({"environmentdExtraArgs": ["--x"]})),
            ),
        ];
        for operator in Operator::ALL {
            let algorithm = operator.algorithm();
            for (old, new) in &pairs {
                let (old_r, new_r) = (resource(old, algorithm), resource(new, algorithm));
                let fields = changed_fields(&old_r, &new_r);
                let hash = |r: &Resource| r.hash.as_ref().ok().map(|h| h.hex.clone());
                let expected = verdict::updated(
                    operator,
                    old,
                    new,
                    hash(&old_r).as_deref(),
                    hash(&new_r).as_deref(),
                );
                assert_eq!(
                    updated(operator, &old_r, &new_r, &fields),
                    expected,
                    "{operator}: {old} → {new}"
                );
            }
        }
    }

    #[test]
    fn per_generation_fields_are_the_tables() {
        assert!(is_per_generation("/spec/environmentdImageRef"));
        assert!(is_per_generation(FORCE_ROLLOUT_POINTER));
        assert!(!is_per_generation("/spec/rolloutStrategy"));
        assert!(!is_per_generation("/spec/serviceAccountAnnotations"));
    }

    #[test]
    fn released_v1alpha1_patches_follow_request_rollout() {
        let image = || {
            json!({"apiVersion": "materialize.cloud/v1alpha1", "kind": "Materialize",
                              "spec": {"environmentdImageRef": "x:v26.2.0"}})
        };
        let fields = vec!["/spec/environmentdImageRef".to_owned()];
        let verdict = patch(Operator::Released, &Value::Null, &image(), &fields);
        assert!(verdict.pending && !verdict.rollout);
        let mut with_request = image();
        with_request["spec"]["requestRollout"] = json!("11111111-1111-1111-1111-111111111111");
        let verdict = patch(Operator::Released, &Value::Null, &with_request, &fields);
        assert_eq!(verdict.restart, Restart::Yes);
        assert_eq!(verdict.triggers, ["/spec/requestRollout"]);
        let design = patch(Operator::Design, &Value::Null, &image(), &fields);
        assert_eq!((design.rollout, design.restart), (true, Restart::Yes));
    }
}
