//! `deprecated-field`: deprecated fields of a v1alpha1 object.

use serde_json::Value;

use super::object::{Hit, Subject};
use crate::crd::common::IAM_ROLE_ANNOTATION;
use crate::crd::{SpecField, Version};
use crate::finding::Severity;
use crate::finding::{RuleInfo, Scope};
use crate::source::Target;

pub static RULE: RuleInfo = RuleInfo {
    id: "deprecated-field",
    severity: Severity::Warning,
    scopes: &[Scope::Validate],
    summary: "inPlaceRollout or environmentdIamRoleArn in a v1alpha1 object",
    docs: "Two v1alpha1 fields are deprecated. `inPlaceRollout` is ignored by the \
operator: the way a rollout happens is chosen by `rolloutStrategy`. \
`environmentdIamRoleArn` still works in v1alpha1, but its place is the service \
account annotation `eks.amazonaws.com/role-arn` under \
`serviceAccountAnnotations`, the only place later versions know. `mz-presync \
migrate` removes the first and moves the second; when the annotation already \
holds a different ARN, the annotation wins and the field's ARN is lost, which \
the finding points out. In v1alpha2 and v1 these fields do not exist any more \
and are reported by `removed-field`.",
    suppressible: true,
};

pub(crate) fn check(subject: &Subject<'_>, hits: &mut Vec<Hit>) {
    if subject.version != Version::V1alpha1 {
        return;
    }
    let Some(spec) = subject.spec() else {
        return;
    };
    if spec.contains_key(SpecField::InPlaceRollout.name()) {
        hits.push(Hit::new(
            &RULE,
            SpecField::InPlaceRollout.pointer(),
            Target::Key,
            "`spec.inPlaceRollout` is deprecated and ignored by the operator: delete it and choose a `rolloutStrategy` instead (`mz-presync migrate` removes it)".to_owned(),
        ));
    }
    if let Some(arn) = spec
        .get(SpecField::EnvironmentdIamRoleArn.name())
        .and_then(Value::as_str)
    {
        let existing = spec
            .get(SpecField::ServiceAccountAnnotations.name())
            .and_then(|a| a.get(IAM_ROLE_ANNOTATION))
            .and_then(Value::as_str);
        let mut message = format!(
            "`spec.environmentdIamRoleArn` is deprecated: set serviceAccountAnnotations[\"{IAM_ROLE_ANNOTATION}\"] instead (`mz-presync migrate` moves it there)"
        );
        if let Some(existing) = existing.filter(|e| *e != arn) {
            message.push_str(&format!(
                "; the annotation already holds {existing:?}, which wins, so the ARN {arn:?} here is lost on migration"
            ));
        }
        hits.push(Hit::new(
            &RULE,
            SpecField::EnvironmentdIamRoleArn.pointer(),
            Target::Key,
            message,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::check::object::{CheckOptions, object_hits};
    use serde_json::json;

    #[test]
    fn both_fields_and_the_arn_conflict() {
        let object = json!({
            "apiVersion": "materialize.cloud/v1alpha1", "kind": "Materialize",
            "metadata": {"name": "mz"},
            "spec": {"environmentdImageRef": "i", "backendSecretName": "b", "inPlaceRollout": false,
                     "environmentdIamRoleArn": "arn:a",
                     "serviceAccountAnnotations": {"eks.amazonaws.com/role-arn": "arn:b"}}
        });
        let hits: Vec<_> = object_hits(&object, &CheckOptions::default())
            .into_iter()
            .filter(|h| h.rule == "deprecated-field")
            .collect();
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!(hits[0].pointer, "/spec/inPlaceRollout");
        assert!(
            hits[1].message.contains("is lost on migration"),
            "{}",
            hits[1].message
        );
    }
}
