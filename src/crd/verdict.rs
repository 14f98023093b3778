//! Whether a change of one resource requests a rollout, restarts the
//! database, or leaves changes waiting for approval (spec §7, §8), under
//! either operator generation.
//!
//! A rollout *request* is what the operator's trigger sees: a changed hash,
//! or under the released operator a changed `requestRollout` of a
//! `v1alpha1` object. A *restart* needs a request and a change of what the
//! controller generates per generation (the environmentd StatefulSet and
//! its neighbours); a request without such a change completes with "No
//! changes found". The field table ([`SpecField::per_generation`]) says
//! which inputs are per-generation. Callers hash with the algorithm they
//! chose and pass the hashes in, so an `--algorithm` override and the
//! model stay one decision.

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::admission::admit;
use super::common::{Version, version_of};
use super::convert::convert_spec;
use super::fields::SpecField;
use super::hash::{force_rollout_annotation, request_rollout_uuid};
use super::operator::Operator;
use super::read::read_as;
use super::v1;

/// Whether pods of a new generation start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Restart {
    /// A rollout is requested and a per-generation input changed (or the
    /// resource is created or deleted).
    Yes,
    /// A rollout is requested but no per-generation input the manifest
    /// shows changed: nothing restarts unless changes are already pending
    /// (an operator upgrade or an earlier unapproved change).
    Maybe,
    /// No rollout is requested.
    No,
}

impl Restart {
    pub fn as_str(self) -> &'static str {
        match self {
            Restart::Yes => "yes",
            Restart::Maybe => "maybe",
            Restart::No => "no",
        }
    }
}

/// The verdict on an update of one resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// A rollout is requested, under the model.
    pub rollout: bool,
    pub restart: Restart,
    /// A per-generation input changed but no rollout is requested: the
    /// operator waits for approval (`UpToDate=False`, `WaitingForApproval`).
    pub pending: bool,
    /// JSON pointers of the per-generation inputs that changed, sorted.
    pub per_generation: Vec<String>,
    /// What requested the rollout besides hashed fields: under the released
    /// operator `/spec/requestRollout` (set, changed, removed or derived)
    /// and `/apiVersion` for a switch of version.
    pub triggers: Vec<String>,
}

/// The verdict for a resource that appears or disappears: its pods start or
/// stop whatever the model.
pub fn created_or_deleted() -> Verdict {
    Verdict {
        rollout: true,
        restart: Restart::Yes,
        pending: false,
        per_generation: Vec::new(),
        triggers: Vec::new(),
    }
}

/// The verdict on `old` becoming `new` (whole objects, as written: they are
/// admitted here), given their hashes under the caller's algorithm (`None`
/// when the operator cannot read one).
pub fn updated(
    operator: Operator,
    old: &Value,
    new: &Value,
    old_hash: Option<&str>,
    new_hash: Option<&str>,
) -> Verdict {
    let old = admit(old);
    let new = admit(new);
    let (old, new) = (old.object.as_ref(), new.object.as_ref());
    let hash_changed = old_hash != new_hash || old_hash.is_none();
    let (rollout, triggers) = match operator {
        Operator::Design => (hash_changed, Vec::new()),
        Operator::Released => released_request(old, new, old_hash, new_hash, hash_changed),
    };
    Verdict::of(rollout, per_generation_changes(old, new), triggers)
}

impl Verdict {
    /// The verdict from whether a rollout is requested and which
    /// per-generation inputs changed (spec §8): a request restarts when an
    /// input changed and may restart otherwise; an unrequested change waits.
    pub fn of(rollout: bool, per_generation: Vec<String>, triggers: Vec<String>) -> Verdict {
        let changed = !per_generation.is_empty();
        Verdict {
            rollout,
            restart: match (rollout, changed) {
                (true, true) => Restart::Yes,
                (true, false) => Restart::Maybe,
                (false, _) => Restart::No,
            },
            pending: changed && !rollout,
            per_generation,
            triggers,
        }
    }
}

const REQUEST_ROLLOUT: &str = SpecField::RequestRollout.pointer();
const API_VERSION: &str = "/apiVersion";

/// Spec §7, released operator: the controller reconciles `v1alpha1`; a
/// `v1`/`v1alpha2` object reaches it through the webhook with
/// `requestRollout = UUIDv5(hash)`.
fn released_request(
    old: &Value,
    new: &Value,
    old_hash: Option<&str>,
    new_hash: Option<&str>,
    hash_changed: bool,
) -> (bool, Vec<String>) {
    // The stored requestRollout of each side: hand-set for v1alpha1,
    // derived from the hash otherwise.
    let stored = |object: &Value, hash: Option<&str>| -> Option<Uuid> {
        if version_of(object) == Some(Version::V1alpha1) {
            Some(request_rollout(object))
        } else {
            hash.map(request_rollout_uuid)
        }
    };
    let old_v1alpha1 = version_of(old) == Some(Version::V1alpha1);
    let new_v1alpha1 = version_of(new) == Some(Version::V1alpha1);
    if !old_v1alpha1 && !new_v1alpha1 {
        return (hash_changed, Vec::new());
    }
    let (before, after) = (stored(old, old_hash), stored(new, new_hash));
    let requested = before.is_none() || after.is_none() || before != after;
    let mut triggers = Vec::new();
    if requested {
        triggers.push(REQUEST_ROLLOUT.to_owned());
        if old_v1alpha1 != new_v1alpha1 {
            triggers.push(API_VERSION.to_owned());
        }
    }
    (requested, triggers)
}

/// A `v1alpha1` object's `requestRollout` as the operator reads it: absent,
/// empty or unparsable reads as the nil UUID (an unparsable one is a schema
/// error reported elsewhere).
fn request_rollout(object: &Value) -> Uuid {
    object
        .pointer(REQUEST_ROLLOUT)
        .and_then(Value::as_str)
        .and_then(|text| Uuid::parse_str(text).ok())
        .unwrap_or(Uuid::nil())
}

/// The per-generation inputs of an object, normalized the way the operator
/// reads them (a `v1` spec, typed when readable: UUID spellings, quantities
/// and defaults do not count as changes), plus the force-rollout annotation.
fn per_generation_inputs(object: &Value) -> Vec<(String, Value)> {
    let version = version_of(object).unwrap_or(Version::V1);
    let spec = convert_spec(&object["spec"], version, Version::V1).spec;
    let normalized = read_as::<v1::MaterializeSpec>(&spec, "/spec")
        .ok()
        .and_then(|typed| serde_json::to_value(typed).ok())
        .unwrap_or(spec);
    let mut inputs: Vec<(String, Value)> = SpecField::iter()
        .filter(|field| field.per_generation())
        .map(|field| {
            let value = normalized.get(field.name()).cloned().unwrap_or(Value::Null);
            (field.pointer().to_owned(), value)
        })
        .collect();
    inputs.push((
        super::common::FORCE_ROLLOUT_POINTER.to_owned(),
        force_rollout_annotation(object).map_or(Value::Null, |v| Value::String(v.into())),
    ));
    inputs
}

fn per_generation_changes(old: &Value, new: &Value) -> Vec<String> {
    let mut changed: Vec<String> = per_generation_inputs(old)
        .into_iter()
        .zip(per_generation_inputs(new))
        .filter(|((_, before), (_, after))| before != after)
        .map(|((pointer, _), _)| pointer)
        .collect();
    changed.sort();
    changed
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::crd::hash::{Algorithm, rollout_hash};

    const R1: &str = "11111111-1111-1111-1111-111111111111";
    const R2: &str = "22222222-2222-2222-2222-222222222222";

    fn mz(version: &str, spec: Value) -> Value {
        json!({"apiVersion": format!("materialize.cloud/{version}"), "kind": "Materialize",
               "metadata": {"name": "mz", "namespace": "materialize"}, "spec": spec})
    }

    fn base(extra: Value) -> Value {
        let mut spec = json!({"environmentdImageRef": "materialize/environmentd:v26.1.0",
                              "backendSecretName": "b"});
        for (key, value) in extra.as_object().unwrap() {
            spec[key] = value.clone();
        }
        spec
    }

    fn judge(operator: Operator, old: &Value, new: &Value) -> Verdict {
        let algorithm = operator.algorithm();
        let hash = |o: &Value| rollout_hash(o, algorithm).ok().map(|h| h.hex);
        updated(
            operator,
            old,
            new,
            hash(old).as_deref(),
            hash(new).as_deref(),
        )
    }

    #[test]
    fn released_v1alpha1_image_bump_without_request_is_pending() {
        let old = mz("v1alpha1", base(json!({"requestRollout": R1})));
        let new = mz(
            "v1alpha1",
            base(
                json!({"requestRollout": R1, "environmentdImageRef": "materialize/environmentd:v26.2.0"}),
            ),
        );
        let verdict = judge(Operator::Released, &old, &new);
        assert!(!verdict.rollout && verdict.pending);
        assert_eq!(verdict.restart, Restart::No);
        assert_eq!(verdict.per_generation, ["/spec/environmentdImageRef"]);
        let design = judge(Operator::Design, &old, &new);
        assert!(design.rollout && !design.pending);
        assert_eq!(design.restart, Restart::Yes);
    }

    #[test]
    fn released_v1alpha1_request_only_is_a_rollout_that_may_restart() {
        let old = mz("v1alpha1", base(json!({"requestRollout": R1})));
        let new = mz("v1alpha1", base(json!({"requestRollout": R2})));
        let verdict = judge(Operator::Released, &old, &new);
        assert!(verdict.rollout && !verdict.pending);
        assert_eq!(verdict.restart, Restart::Maybe);
        assert_eq!(verdict.triggers, ["/spec/requestRollout"]);
        assert!(!judge(Operator::Design, &old, &new).rollout);
    }

    #[test]
    fn released_removing_a_set_request_requests_one() {
        let old = mz("v1alpha1", base(json!({"requestRollout": R1})));
        let new = mz("v1alpha1", base(json!({})));
        assert!(judge(Operator::Released, &old, &new).rollout);
        // Spelling and admission do not count: a pruned null is the nil UUID.
        let nil = mz("v1alpha1", base(json!({"requestRollout": null})));
        assert!(!judge(Operator::Released, &new, &nil).rollout);
        let upper = mz(
            "v1alpha1",
            base(json!({"requestRollout": R1.to_uppercase()})),
        );
        assert!(!judge(Operator::Released, &old, &upper).rollout);
    }

    #[test]
    fn released_adopting_v1_requests_one_unless_the_request_is_already_derived() {
        let old = mz("v1alpha1", base(json!({"requestRollout": R1})));
        let new = mz("v1", base(json!({})));
        let verdict = judge(Operator::Released, &old, &new);
        assert!(verdict.rollout);
        assert_eq!(verdict.restart, Restart::Maybe);
        assert_eq!(verdict.triggers, ["/spec/requestRollout", "/apiVersion"]);
        let derived = rollout_hash(&new, Algorithm::V1).unwrap().hex;
        let already = mz(
            "v1alpha1",
            base(json!({"requestRollout": request_rollout_uuid(&derived).to_string()})),
        );
        assert!(!judge(Operator::Released, &already, &new).rollout);
        // The design document's migration is rollout-neutral.
        let design_new = mz("v1alpha2", base(json!({})));
        assert!(!judge(Operator::Design, &old, &design_new).rollout);
    }

    #[test]
    fn released_v1_follows_the_hash_and_restart_follows_per_generation_inputs() {
        let old = mz("v1", base(json!({})));
        let timeout = mz("v1", base(json!({"rolloutRequestTimeout": "1h"})));
        let verdict = judge(Operator::Released, &old, &timeout);
        assert!(verdict.rollout);
        assert_eq!(verdict.restart, Restart::Maybe);
        let annotations = mz("v1", base(json!({"serviceAccountAnnotations": {"a": "b"}})));
        assert_eq!(
            judge(Operator::Released, &old, &annotations).restart,
            Restart::Maybe
        );
        let labels = mz("v1", base(json!({"podLabels": {"a": "b"}})));
        assert_eq!(
            judge(Operator::Released, &old, &labels).restart,
            Restart::Yes
        );
        let force = mz("v1", base(json!({"forceRollout": R1})));
        assert_eq!(
            judge(Operator::Released, &old, &force).restart,
            Restart::Yes
        );
        let replicas = mz("v1", base(json!({"balancerdReplicas": 3})));
        let verdict = judge(Operator::Released, &old, &replicas);
        assert!(!verdict.rollout && !verdict.pending);
        assert_eq!(verdict.restart, Restart::No);
    }
}
