//! `empty-required`: a required string that is present but empty.

use serde_json::Value;

use super::object::{Hit, Subject};
use crate::crd::SpecField;
use crate::finding::Severity;
use crate::finding::{RuleInfo, Scope};
use crate::source::Target;

pub static RULE: RuleInfo = RuleInfo {
    id: "empty-required",
    severity: Severity::Warning,
    scopes: &[Scope::Validate],
    summary: "environmentdImageRef or backendSecretName is an empty string",
    docs: "`environmentdImageRef` and `backendSecretName` are required, and the \
schema is satisfied by any string, including an empty one: the API server \
accepts `environmentdImageRef: \"\"`, and the operator then fails to start \
environmentd (no image to pull) or to find its backend secret, during a rollout \
it has already begun. An empty value is almost always a templating or \
copy-paste accident (a Helm value that was not set, an environment variable \
that was empty). Fill in the image reference, e.g. \
`materialize/environmentd:v26.1.0`, and the name of the Secret holding the \
metadata and persist backend URLs.",
    suppressible: true,
};

pub(crate) fn check(subject: &Subject<'_>, hits: &mut Vec<Hit>) {
    let Some(spec) = subject.spec() else {
        return;
    };
    for field in SpecField::iter().filter(|field| field.required()) {
        if let Some(Value::String(text)) = spec.get(field.name())
            && text.trim().is_empty()
        {
            hits.push(Hit::new(
                &RULE,
                field.pointer(),
                Target::Value,
                format!(
                    "`spec.{field}` is empty: the API server accepts it, but the operator cannot roll out without it; fill it in"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::object::{CheckOptions, object_hits};
    use serde_json::json;

    #[test]
    fn empty_and_blank_strings() {
        let object = json!({
            "apiVersion": "materialize.cloud/v1alpha2", "kind": "Materialize", "metadata": {"name": "mz"},
            "spec": {"environmentdImageRef": "", "backendSecretName": "  "}
        });
        let hits = object_hits(&object, &CheckOptions::default());
        let pointers: Vec<_> = hits
            .iter()
            .map(|h| (h.rule.id(), h.pointer.as_str()))
            .collect();
        assert_eq!(
            pointers,
            [
                ("empty-required", "/spec/environmentdImageRef"),
                ("empty-required", "/spec/backendSecretName")
            ]
        );
    }
}
