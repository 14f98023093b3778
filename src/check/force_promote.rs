//! `force-promote`: what a v1alpha2/v1 `forcePromote` will actually do.

use serde_json::Value;

use super::object::{Hit, Subject, quote};
use crate::crd::hash::is_hash;
use uuid::Uuid;

use crate::crd::{self, Operator, SpecField, Version};
use crate::finding::Severity;
use crate::finding::{RuleInfo, Scope};
use crate::source::Target;

pub static RULE: RuleInfo = RuleInfo {
    id: "force-promote",
    severity: Severity::Warning,
    scopes: &[Scope::Validate],
    summary: "A forcePromote that promotes nothing (warning) or promotes this spec's rollout at once (note)",
    docs: "From v1alpha2 on, `forcePromote` promotes a waiting rollout only when it \
equals the rollout hash the operator requested (`status.requestedRolloutHash`, \
64 lower-case hex digits). mz-presync computes the hash of the object's own \
spec offline (v1 objects with the v1 algorithm, others with the v1alpha2 \
algorithm, or the one given with `--algorithm`) and compares: a value that is \
not a hash at all, such as a v1alpha1 UUID left over from a migration, is inert \
(warning); a hash equal to the spec's own hash promotes the rollout this very \
commit starts without waiting for the new generation to be ready or for a \
manual promotion (note: what you want when you mean it, a surprise otherwise); any other hash matches no rollout \
this spec can start and is inert (warning). Remove an inert value, or set it to \
the hash that `mz-presync hash` prints. Kustomize patches are not compared: \
their hash belongs to the patched object. \
A hash offered as the value is exact only when the manifest sets \
`environmentId`: otherwise the operator's hash includes the id it assigned, \
and the message says so (`mz-presync hash --live` reads it from the cluster). \
Under `--operator released` the rule follows the released operator: every \
object is hashed with the v1 algorithm, and a `v1alpha1` `forcePromote` is \
checked too, since it promotes at once when it equals `requestRollout` (in \
lower-case hyphenated form) or the object's v1 rollout hash; any other value \
except `\"\"` and the nil UUID promotes nothing (warning).",
    suppressible: true,
};

pub(crate) fn check(subject: &Subject<'_>, hits: &mut Vec<Hit>) {
    let Some(Value::String(value)) = subject
        .spec()
        .and_then(|spec| spec.get(SpecField::ForcePromote.name()))
    else {
        return;
    };
    // An empty value is the v1alpha1 default for "promote nothing", which is
    // what it does in every version.
    if value.is_empty() {
        return;
    }
    if subject.version == Version::V1alpha1 {
        // The design document's v1alpha1 forcePromote names a
        // requestRollout, which is the user's own business.
        if subject.options.operator == Operator::Released {
            released_v1alpha1(subject, value, hits);
        }
        return;
    }
    if !is_hash(value) {
        let what = if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
            "a hash in upper case, and the operator compares hashes in lower case".to_owned()
        } else if uuid::Uuid::parse_str(value).is_ok() {
            "a UUID, probably left over from v1alpha1, where forcePromote named a requestRollout"
                .to_owned()
        } else {
            "not a rollout hash (64 lower-case hex digits)".to_owned()
        };
        hits.push(Hit::new(
            &RULE,
            POINTER,
            Target::Value,
            format!(
                "`spec.forcePromote` is {}, {what}: it promotes nothing; remove it, or set it to the rollout hash that `mz-presync hash` prints",
                quote(value)
            ),
        ));
        return;
    }
    compare_with_own_hash(subject, value, "", hits);
}

const POINTER: &str = SpecField::ForcePromote.pointer();

/// Said wherever a hash is offered as a forcePromote value (spec §3a): the
/// operator hashes the live object, which holds the environment id it
/// assigned when the manifest leaves it out.
fn exactness(object: &Value) -> &'static str {
    if crd::live::hash_is_exact(object) {
        ""
    } else {
        " (not exact: the manifest leaves environmentId unset, and the live hash includes the id the operator assigned; use `mz-presync hash --live`)"
    }
}

/// A forcePromote that is a well-formed hash, against the object's own.
/// `also` names another value that would promote (released `v1alpha1`).
fn compare_with_own_hash(subject: &Subject<'_>, value: &str, also: &str, hits: &mut Vec<Hit>) {
    if subject.options.partial {
        return;
    }
    let algorithm = subject.algorithm();
    let Ok(own) = crd::rollout_hash(subject.object, algorithm) else {
        return;
    };
    let caveat = if own.best_effort {
        " (best effort: a certificate spec is set, whose place in the hash input is uncertain)"
    } else {
        ""
    };
    let exact = exactness(subject.object);
    if value == own.hex {
        hits.push(
            Hit::new(
                &RULE,
                POINTER,
                Target::Value,
                format!(
                    "`spec.forcePromote` equals this spec's own rollout hash ({algorithm} algorithm){caveat}{exact}: the rollout this spec starts is promoted immediately, without waiting for readiness or a manual promotion"
                ),
            )
            .with_severity(Severity::Note),
        );
    } else {
        hits.push(Hit::new(
            &RULE,
            POINTER,
            Target::Value,
            format!(
                "`spec.forcePromote` is not this spec's rollout hash, which is {} ({algorithm} algorithm){caveat}{exact}: it matches no rollout this spec can start and promotes nothing; remove it, or set it to that hash{also} to promote this rollout immediately",
                own.hex
            ),
        ));
    }
}

/// Spec §7, released operator: a `v1alpha1` forcePromote promotes at once
/// when it equals `requestRollout` (hyphenated, lower case, as the operator
/// prints a UUID) or the object's `v1` rollout hash.
fn released_v1alpha1(subject: &Subject<'_>, value: &str, hits: &mut Vec<Hit>) {
    let request = subject
        .spec()
        .and_then(|spec| spec.get(SpecField::RequestRollout.name()))
        .and_then(Value::as_str)
        .and_then(|text| Uuid::parse_str(text).ok())
        .filter(|uuid| !uuid.is_nil())
        .map(|uuid| uuid.hyphenated().to_string());
    if request.as_deref() == Some(value) {
        hits.push(
            Hit::new(
                &RULE,
                POINTER,
                Target::Value,
                "`spec.forcePromote` equals `spec.requestRollout`: under the released operator the rollout this request starts is promoted immediately, without waiting for readiness or a manual promotion".to_owned(),
            )
            .with_severity(Severity::Note),
        );
        return;
    }
    let also = match &request {
        Some(request) => format!(" (or to requestRollout, {request})"),
        None => String::new(),
    };
    if is_hash(value) {
        compare_with_own_hash(subject, value, &also, hits);
        return;
    }
    let what = match Uuid::parse_str(value) {
        // The nil UUID is how v1alpha1 manifests say "promote nothing".
        Ok(uuid) if uuid.is_nil() => return,
        Ok(uuid) if Some(uuid.hyphenated().to_string()) == request => {
            "`spec.requestRollout` spelled differently, and the operator compares the lower-case hyphenated form".to_owned()
        }
        Ok(_) => "a UUID other than `spec.requestRollout`".to_owned(),
        Err(_) => "neither a requestRollout UUID nor a rollout hash (64 lower-case hex digits)"
            .to_owned(),
    };
    let fix = match &request {
        Some(request) => format!(
            "set it to requestRollout ({request}) or to the v1 rollout hash that `mz-presync hash --operator released` prints to promote this rollout immediately, or remove it"
        ),
        None => "remove it, or set it to the v1 rollout hash that `mz-presync hash --operator released` prints".to_owned(),
    };
    hits.push(Hit::new(
        &RULE,
        POINTER,
        Target::Value,
        format!(
            "`spec.forcePromote` is {}, {what}: under the released operator it promotes nothing; {fix}",
            quote(value)
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::check::Severity;
    use crate::check::object::{CheckOptions, object_hits};
    use crate::crd::{Algorithm, rollout_hash};
    use serde_json::json;

    fn object(force_promote: &str) -> serde_json::Value {
        json!({
            "apiVersion": "materialize.cloud/v1alpha2", "kind": "Materialize", "metadata": {"name": "mz"},
            "spec": {"environmentdImageRef": "materialize/environmentd:v26.1.0", "backendSecretName": "b", "forcePromote": force_promote}
        })
    }

    #[test]
    fn uuid_is_inert() {
        let hits = object_hits(
            &object("22222222-2222-2222-2222-222222222222"),
            &CheckOptions::default(),
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].severity, Severity::Warning);
        assert!(hits[0].message.contains("UUID"), "{}", hits[0].message);
    }

    #[test]
    fn own_hash_is_a_note_and_other_hash_a_warning() {
        let own = rollout_hash(&object(""), Algorithm::V1alpha2).unwrap().hex;
        let hits = object_hits(&object(&own), &CheckOptions::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].severity, Severity::Note);
        assert!(hits[0].message.contains("promoted immediately"));
        let other = "a".repeat(64);
        let hits = object_hits(&object(&other), &CheckOptions::default());
        assert_eq!(hits[0].severity, Severity::Warning);
        assert!(hits[0].message.contains(&own));
        // With the other algorithm, the v1alpha2 hash is just another hash.
        let options = CheckOptions {
            algorithm: Some(Algorithm::V1),
            ..Default::default()
        };
        assert_eq!(
            object_hits(&object(&own), &options)[0].severity,
            Severity::Warning
        );
        assert!(object_hits(&object(""), &CheckOptions::default()).is_empty());
    }

    fn released() -> CheckOptions {
        CheckOptions {
            operator: crate::crd::Operator::Released,
            ..Default::default()
        }
    }

    const REQUEST: &str = "3a3b3c3d-3333-4333-8333-33333333333e";

    fn v1alpha1(force_promote: &str) -> serde_json::Value {
        json!({
            "apiVersion": "materialize.cloud/v1alpha1", "kind": "Materialize", "metadata": {"name": "mz"},
            "spec": {"environmentdImageRef": "materialize/environmentd:v26.1.0", "backendSecretName": "b",
                     "requestRollout": REQUEST, "forcePromote": force_promote}
        })
    }

    fn force_promote_hits(
        object: &serde_json::Value,
        options: &CheckOptions,
    ) -> Vec<(Severity, String)> {
        object_hits(object, options)
            .into_iter()
            .filter(|hit| hit.rule == "force-promote")
            .map(|hit| (hit.severity, hit.message))
            .collect()
    }

    #[test]
    fn released_v1alpha1_promotes_on_request_rollout_or_the_v1_hash() {
        // The design document leaves v1alpha1 forcePromote alone.
        assert!(force_promote_hits(&v1alpha1(REQUEST), &CheckOptions::default()).is_empty());
        let hits = force_promote_hits(&v1alpha1(REQUEST), &released());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].0, Severity::Note);
        assert!(
            hits[0].1.contains("equals `spec.requestRollout`"),
            "{}",
            hits[0].1
        );

        let v1 = rollout_hash(&v1alpha1(""), Algorithm::V1).unwrap().hex;
        let hits = force_promote_hits(&v1alpha1(&v1), &released());
        assert_eq!(hits[0].0, Severity::Note, "{}", hits[0].1);
        assert!(
            hits[0]
                .1
                .contains("not exact: the manifest leaves environmentId unset")
        );
        // The v1alpha2 hash is not what the released operator computes.
        let v1alpha2 = rollout_hash(&v1alpha1(""), Algorithm::V1alpha2)
            .unwrap()
            .hex;
        let hits = force_promote_hits(&v1alpha1(&v1alpha2), &released());
        assert_eq!(hits[0].0, Severity::Warning);
        assert!(
            hits[0].1.contains(&v1) && hits[0].1.contains(REQUEST),
            "{}",
            hits[0].1
        );

        let upper = force_promote_hits(&v1alpha1(&REQUEST.to_uppercase()), &released());
        assert_eq!(upper[0].0, Severity::Warning);
        assert!(upper[0].1.contains("spelled differently"), "{}", upper[0].1);
        let other = force_promote_hits(
            &v1alpha1("44444444-4444-4444-4444-444444444444"),
            &released(),
        );
        assert!(other[0].1.contains("a UUID other than"), "{}", other[0].1);
        assert!(
            force_promote_hits(
                &v1alpha1("00000000-0000-0000-0000-000000000000"),
                &released()
            )
            .is_empty()
        );
        assert!(force_promote_hits(&v1alpha1(""), &released()).is_empty());
    }

    #[test]
    fn released_v1alpha2_and_v1_compare_with_the_v1_hash_and_say_when_exact() {
        let mut exact = object("");
        exact["apiVersion"] = json!("materialize.cloud/v1");
        exact["spec"]["environmentId"] = json!("c3f6a9b2-1d4e-4f70-8a5b-9e2d7c6b1a03");
        let v1 = rollout_hash(&exact, Algorithm::V1).unwrap().hex;
        exact["spec"]["forcePromote"] = json!(v1);
        let hits = force_promote_hits(&exact, &released());
        assert_eq!(hits[0].0, Severity::Note);
        assert!(!hits[0].1.contains("not exact"), "{}", hits[0].1);
        exact["spec"]["forcePromote"] = json!("b".repeat(64));
        let hits = force_promote_hits(&exact, &released());
        assert_eq!(hits[0].0, Severity::Warning);
        assert!(hits[0].1.contains(&v1) && !hits[0].1.contains("not exact"));
        // Design hashes a v1alpha2 object with the v1alpha2 algorithm.
        let v1alpha2 = rollout_hash(&object(""), Algorithm::V1alpha2).unwrap().hex;
        let design = force_promote_hits(&object(&v1alpha2), &CheckOptions::default());
        assert_eq!(design[0].0, Severity::Note);
        assert!(design[0].1.contains("not exact"), "{}", design[0].1);
    }
}
