//! `force-promote`: what a v1alpha2/v1 `forcePromote` will actually do.

use serde_json::Value;

use super::object::{Hit, Subject, quote};
use crate::crd::hash::is_hash;
use crate::crd::{self, SpecField, Version};
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
their hash belongs to the patched object.",
    suppressible: true,
};

pub(crate) fn check(subject: &Subject<'_>, hits: &mut Vec<Hit>) {
    if subject.version == Version::V1alpha1 {
        return;
    }
    let Some(Value::String(value)) = subject
        .spec()
        .and_then(|spec| spec.get(SpecField::ForcePromote.name()))
    else {
        return;
    };
    // An empty value is the v1alpha1 default for "promote nothing", which is
    // what it does here too.
    if value.is_empty() {
        return;
    }
    const POINTER: &str = SpecField::ForcePromote.pointer();
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
    if *value == own.hex {
        hits.push(
            Hit::new(
                &RULE,
                POINTER,
                Target::Value,
                format!(
                    "`spec.forcePromote` equals this spec's own rollout hash ({algorithm} algorithm){caveat}: the rollout this spec starts is promoted immediately, without waiting for readiness or a manual promotion"
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
                "`spec.forcePromote` is not this spec's rollout hash, which is {} ({algorithm} algorithm){caveat}: it matches no rollout this spec can start and promotes nothing; remove it, or set it to that hash to promote this rollout immediately",
                own.hex
            ),
        ));
    }
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
}
