//! `removed-field`: a v1alpha1-only field in a v1alpha2 or v1 object.

use super::object::{Hit, Subject, child_pointer};
use crate::crd::common::IAM_ROLE_ANNOTATION;
use crate::crd::{SpecField, Version};
use crate::finding::Severity;
use crate::finding::{RuleInfo, Scope};
use crate::source::Target;

pub static RULE: RuleInfo = RuleInfo {
    id: "removed-field",
    severity: Severity::Error,
    scopes: &[Scope::Validate],
    summary: "requestRollout, inPlaceRollout or environmentdIamRoleArn in a v1alpha2 or v1 object",
    docs: "Three v1alpha1 fields do not exist from v1alpha2 on, and the API server \
drops them silently: `requestRollout` (a rollout now starts whenever the rollout \
hash of the spec changes, so changing a UUID does nothing; use `forceRollout` \
with a new UUID to roll out an unchanged spec), `inPlaceRollout` (already \
ignored; choose a `rolloutStrategy` instead) and `environmentdIamRoleArn` (set \
`serviceAccountAnnotations[\"eks.amazonaws.com/role-arn\"]` instead; left in \
place, environmentd silently loses its IAM role). Usually the apiVersion was \
bumped by hand without migrating the spec: `mz-presync migrate` does both. It \
is an error because the manifest does not do what it says.",
    suppressible: true,
};

/// The finding for `key` under `parent`, when it is one of the removed fields.
pub(crate) fn hit(subject: &Subject<'_>, parent: &str, key: &str) -> Option<Hit> {
    if subject.version == Version::V1alpha1 || parent != "/spec" {
        return None;
    }
    let field = SpecField::by_name(key).filter(|field| field.v1alpha1_only())?;
    let api_version = subject.version.api_version();
    let instead = match field {
        SpecField::RequestRollout => "a rollout now starts whenever the spec's rollout hash changes, so changing it does nothing; delete it (to roll out an unchanged spec, set `forceRollout` to a new UUID)".to_owned(),
        SpecField::InPlaceRollout => "it was already ignored by the operator; delete it and choose a `rolloutStrategy` (WaitUntilReady, ManuallyPromote or ImmediatelyPromoteCausingDowntime)".to_owned(),
        _ => format!(
            "environmentd would lose its IAM role; move the ARN to `serviceAccountAnnotations` under \"{IAM_ROLE_ANNOTATION}\""
        ),
    };
    Some(Hit::new(
        &RULE,
        child_pointer(parent, key),
        Target::Key,
        format!("`spec.{key}` was removed in {api_version} and the API server drops it: {instead}"),
    ))
}

#[cfg(test)]
mod tests {
    use crate::check::object::{CheckOptions, object_hits};
    use serde_json::json;

    #[test]
    fn each_removed_field_says_what_replaced_it() {
        let object = json!({
            "apiVersion": "materialize.cloud/v1", "kind": "Materialize",
            "metadata": {"name": "mz"},
            "spec": {"environmentdImageRef": "i", "backendSecretName": "b",
                     "requestRollout": "22222222-2222-2222-2222-222222222222",
                     "inPlaceRollout": false, "environmentdIamRoleArn": "arn:aws:iam::1:role/x"}
        });
        let hits = object_hits(&object, &CheckOptions::default());
        let rules: Vec<_> = hits.iter().map(|h| (h.rule, h.pointer.as_str())).collect();
        assert_eq!(rules.len(), 3, "{hits:?}");
        assert!(rules.iter().all(|(r, _)| *r == "removed-field"));
        let text: String = hits.iter().map(|h| h.message.clone()).collect();
        assert!(text.contains("forceRollout"));
        assert!(text.contains("rolloutStrategy"));
        assert!(text.contains("eks.amazonaws.com/role-arn"));
    }
}
