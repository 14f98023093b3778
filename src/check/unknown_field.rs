//! `unknown-field`: a key the object's version does not define.

use super::object::{Hit, Subject, child_pointer, closest, field_path, schema_node};
use crate::crd::{SpecField, Version};
use crate::finding::Severity;
use crate::finding::{RuleInfo, Scope};
use crate::source::Target;

pub static RULE: RuleInfo = RuleInfo {
    id: "unknown-field",
    severity: Severity::Warning,
    scopes: &[Scope::Validate],
    summary: "A key the object's apiVersion does not define (the API server prunes it silently)",
    docs: "The Materialize CRD is a structural schema, so the Kubernetes API server \
drops every key it does not define before storing the object, without an error \
and without a warning in `kubectl apply`. A misspelt field (`enviromentdImageRef`), \
a field of another version (`rolloutRequestTimeout` exists in v1 but not in \
v1alpha2), or a key at the wrong indentation therefore has no effect at all, and \
the operator keeps its default. The message names the key, where it is, and the \
closest defined name when there is one. It is a warning by default and an error \
with `--strict`. The v1alpha1-only fields in a v1alpha2 or v1 object are \
reported by `removed-field` instead.",
    suppressible: true,
};

pub(crate) fn hit(subject: &Subject<'_>, parent: &str, key: &str) -> Hit {
    let severity = if subject.options.strict {
        Severity::Error
    } else {
        Severity::Warning
    };
    let pointer = child_pointer(parent, key);
    let api_version = subject.version.api_version();
    let mut message = format!(
        "`{}` is not a field of {api_version}: the API server drops it silently, so it has no effect",
        field_path(&pointer)
    );
    if parent == "/spec"
        && key == SpecField::RolloutRequestTimeout.name()
        && subject.version == Version::V1alpha2
    {
        message.push_str(
            "; v1alpha2 has no rolloutRequestTimeout (the operator uses 24h): use apiVersion materialize.cloud/v1 to keep it, or delete it",
        );
    } else if let Some(suggestion) = schema_node(subject.version, parent)
        .and_then(|node| node.get("properties"))
        .and_then(|properties| properties.as_object())
        .and_then(|properties| closest(key, properties.keys().map(String::as_str)))
    {
        message.push_str(&format!("; did you mean `{suggestion}`?"));
    } else {
        message.push_str("; remove it");
    }
    Hit::new(&RULE, pointer, Target::Key, message).with_severity(severity)
}

#[cfg(test)]
mod tests {
    use crate::check::Severity;
    use crate::check::object::{CheckOptions, object_hits};
    use serde_json::json;

    #[test]
    fn misspelt_field_suggests_the_right_one() {
        let object = json!({
            "apiVersion": "materialize.cloud/v1alpha2", "kind": "Materialize",
            "metadata": {"name": "mz"},
            "spec": {"environmentdImageRef": "i", "backendSecretName": "b", "rolloutStrategey": "WaitUntilReady"}
        });
        let hits = object_hits(&object, &CheckOptions::default());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].rule, "unknown-field");
        assert_eq!(hits[0].severity, Severity::Warning);
        assert_eq!(hits[0].pointer, "/spec/rolloutStrategey");
        assert!(
            hits[0].message.contains("did you mean `rolloutStrategy`"),
            "{}",
            hits[0].message
        );
        let strict = object_hits(
            &object,
            &CheckOptions {
                strict: true,
                ..Default::default()
            },
        );
        assert_eq!(strict[0].severity, Severity::Error);
    }

    #[test]
    fn v1_field_in_v1alpha2() {
        let object = json!({
            "apiVersion": "materialize.cloud/v1alpha2", "kind": "Materialize",
            "metadata": {"name": "mz"},
            "spec": {"environmentdImageRef": "i", "backendSecretName": "b", "rolloutRequestTimeout": "1h"}
        });
        let hits = object_hits(&object, &CheckOptions::default());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(
            hits[0].message.contains("materialize.cloud/v1 to keep it"),
            "{}",
            hits[0].message
        );
    }
}
