//! `deprecated-version`: an object of an older apiVersion than wanted.

use serde_json::Value;

use super::object::{Hit, Subject};
use crate::crd::{self, Algorithm, Note, Operator, Version};
use crate::finding::Severity;
use crate::finding::{RuleInfo, Scope};
use crate::source::Target;

pub static RULE: RuleInfo = RuleInfo {
    id: "deprecated-version",
    severity: Severity::Warning,
    scopes: &[Scope::Validate],
    summary: "A materialize.cloud/v1alpha1 object (or older than --require-version)",
    docs: "v1alpha1 is the legacy version of the Materialize resource: a rollout \
starts only when `requestRollout` changes, which is easy to forget. v1alpha2 (and \
v1) start a rollout whenever the rollout hash of the spec changes. The finding \
says that `mz-presync migrate` converts the object and whether that migration \
is rollout-neutral: mz-presync hashes the object as it is and as converted, and \
reports both when they differ, or when the status shows a rollout still in \
progress (finish it first). A warning by default; with `--require-version \
v1alpha2` every v1alpha1 object is an error, and with `--require-version v1` \
v1alpha2 objects are errors too. Note that migrating to v1alpha2 drops \
`rolloutRequestTimeout`: migrate with `--to v1` to keep it. Under \
`--operator released` the target is `v1`, a `v1alpha2` object is \
`unserved-version`'s error instead, and the finding says that adopting `v1` \
requests one rollout (the operator derives `requestRollout` from the `v1` \
hash) unless the hand-set `requestRollout` already equals that derived value; \
nothing restarts unless changes are already pending.",
    suppressible: true,
};

pub(crate) fn check(subject: &Subject<'_>, hits: &mut Vec<Hit>) {
    let operator = subject.options.operator;
    // An object the operator does not serve is `unserved-version`'s error.
    if !operator.serves(subject.version) {
        return;
    }
    let target = subject.options.require_version.unwrap_or(Version::V1alpha2);
    let deprecated = subject.version == Version::V1alpha1;
    if !deprecated && subject.version >= target {
        return;
    }
    let severity = if subject
        .options
        .require_version
        .is_some_and(|required| subject.version < required)
    {
        Severity::Error
    } else {
        Severity::Warning
    };
    let from = subject.version.api_version();
    let target = match operator {
        Operator::Design => target.max(Version::V1alpha2),
        // The released operator serves no v1alpha2 to migrate to.
        Operator::Released => operator.migration_target(),
    };
    let command = if operator == Operator::Released {
        format!("`mz-presync migrate --operator {operator}`")
    } else if target == Version::V1alpha2 {
        "`mz-presync migrate`".to_owned()
    } else {
        format!("`mz-presync migrate --to {target}`")
    };
    let why = if deprecated {
        format!("{from} is deprecated")
    } else {
        format!("{from} is older than the required {}", target.api_version())
    };
    let mut message = format!(
        "{why}: {command} converts this object to {}",
        target.api_version()
    );
    message.push_str(&neutrality(subject, target));
    hits.push(Hit::new(&RULE, "/apiVersion", Target::Value, message).with_severity(severity));
}

/// "; the migration is rollout-neutral (…)" or why it is not, or unknown.
fn neutrality(subject: &Subject<'_>, target: Version) -> String {
    if subject.options.partial {
        return "; this is a kustomize patch, so whether the migration starts a rollout is decided with its base".to_owned();
    }
    let object = subject.object;
    let operator = subject.options.operator;
    let algorithm: Algorithm = subject.options.algorithm.unwrap_or(match operator {
        Operator::Design => target.algorithm(),
        Operator::Released => operator.algorithm(),
    });
    let before = crd::rollout_hash(object, algorithm);
    let conversion = crd::convert_for(object, target, operator);
    let (Ok(before), Ok(conversion)) = (before, conversion) else {
        return "; whether the migration is rollout-neutral cannot be told because the operator cannot read this object (see the schema findings)".to_owned();
    };
    let Ok(after) = crd::rollout_hash(&conversion.object, algorithm) else {
        return "; whether the migration is rollout-neutral cannot be told: the converted object is unreadable".to_owned();
    };
    let in_progress = subject.version == Version::V1alpha1
        && object.get("status").is_some_and(Value::is_object)
        && crd::convert::mid_rollout(object);
    let mut out = if operator == Operator::Released && !in_progress {
        released_words(object, &conversion.object, &before.hex, &after.hex)
    } else if in_progress {
        "; the status shows a rollout in progress (lastCompletedRolloutRequest differs from requestRollout), and a migration is rollout-neutral only for an instance that is not mid-rollout: let the rollout finish first".to_owned()
    } else if before.hex == after.hex {
        format!(
            "; the migration is rollout-neutral (rollout hash {} under the {algorithm} algorithm before and after)",
            short(&before.hex)
        )
    } else {
        format!(
            "; the migration is NOT rollout-neutral: the rollout hash ({algorithm} algorithm) changes from {} to {}, so applying it starts a rollout",
            short(&before.hex),
            short(&after.hex)
        )
    };
    for note in &conversion.notes {
        if matches!(
            note,
            Note::IamRoleArnDropped { .. } | Note::RolloutRequestTimeoutDropped { .. }
        ) {
            out.push_str(&format!("; {note}"));
        }
    }
    out
}

/// Spec §7: adopting `v1` replaces the hand-set `requestRollout` with one
/// derived from the `v1` hash, which requests a rollout unless they agree.
fn released_words(object: &Value, converted: &Value, before: &str, after: &str) -> String {
    let verdict = crd::verdict::updated(
        Operator::Released,
        object,
        converted,
        Some(before),
        Some(after),
    );
    if verdict.rollout {
        "; under the released operator applying the migration requests one rollout (the operator derives requestRollout from the v1 hash, and it differs from the hand-set one); nothing restarts unless changes are already pending".to_owned()
    } else {
        "; the migration requests no rollout under the released operator: the hand-set requestRollout already equals the one the operator derives from the v1 hash".to_owned()
    }
}

fn short(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}

#[cfg(test)]
mod tests {
    use crate::check::Severity;
    use crate::check::object::{CheckOptions, object_hits};
    use crate::crd::Version;
    use serde_json::json;

    fn v1alpha1() -> serde_json::Value {
        json!({
            "apiVersion": "materialize.cloud/v1alpha1", "kind": "Materialize",
            "metadata": {"name": "mz", "namespace": "prod"},
            "spec": {"environmentdImageRef": "materialize/environmentd:v26.1.0", "backendSecretName": "b",
                     "requestRollout": "22222222-2222-2222-2222-222222222222"}
        })
    }

    #[test]
    fn v1alpha1_is_a_warning_that_names_migrate_and_neutrality() {
        let hits = object_hits(&v1alpha1(), &CheckOptions::default());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].rule, "deprecated-version");
        assert_eq!(hits[0].severity, Severity::Warning);
        assert!(
            hits[0].message.contains("`mz-presync migrate`"),
            "{}",
            hits[0].message
        );
        assert!(
            hits[0].message.contains("rollout-neutral (rollout hash"),
            "{}",
            hits[0].message
        );
    }

    #[test]
    fn require_version_makes_it_an_error() {
        let options = CheckOptions {
            require_version: Some(Version::V1alpha2),
            ..Default::default()
        };
        let hits = object_hits(&v1alpha1(), &options);
        assert_eq!(hits[0].severity, Severity::Error);
        let mut v1alpha2 = v1alpha1();
        v1alpha2["apiVersion"] = json!("materialize.cloud/v1alpha2");
        v1alpha2["spec"]
            .as_object_mut()
            .unwrap()
            .remove("requestRollout");
        assert!(object_hits(&v1alpha2, &options).is_empty());
        let options = CheckOptions {
            require_version: Some(Version::V1),
            ..Default::default()
        };
        let hits = object_hits(&v1alpha2, &options);
        assert_eq!(hits.len(), 1);
        assert!(hits[0].message.contains("--to v1"), "{}", hits[0].message);
    }

    #[test]
    fn mid_rollout_status_is_mentioned() {
        let mut object = v1alpha1();
        object["status"] = json!({"resourceId": "r", "activeGeneration": 1, "resourcesHash": "",
            "lastCompletedRolloutRequest": "11111111-1111-1111-1111-111111111111", "conditions": []});
        let hits = object_hits(&object, &CheckOptions::default());
        assert!(
            hits[0].message.contains("rollout in progress"),
            "{}",
            hits[0].message
        );
    }
}
