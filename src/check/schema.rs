//! `schema`: the object violates the schema of its own apiVersion.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::types::JsonType;
use serde_json::Value;

use super::object::{Hit, Subject, child_pointer, describe_value, field_path, quote};
use super::{removed_field, unknown_field};
use crate::crd::{self, SpecField};
use crate::finding::Severity;
use crate::finding::{RuleInfo, Scope};
use crate::source::{Target, parse_pointer};

pub static RULE: RuleInfo = RuleInfo {
    id: "schema",
    severity: Severity::Error,
    scopes: &[Scope::Validate],
    summary: "The object violates the schema of its own apiVersion",
    docs: "Every Materialize object is validated against the JSON schema of the \
apiVersion it declares (materialize.cloud/v1alpha1, v1alpha2 or v1), compiled \
into mz-presync from the same CustomResourceDefinition the operator installs. \
A value of the wrong type, an enum value that does not exist (enum values are \
case-sensitive), a UUID in a form the API server rejects, a fractional \
Quantity given as a number, or a missing required field is an error: the API \
server would refuse the object, or the operator could not read it and would \
stop reconciling the instance. The message names the field and what is \
allowed there. YAML 1.1 booleans such as `yes` or `on` are called out: \
mz-presync reads YAML 1.2, where they are strings, while kubectl reads YAML \
1.1, where they are booleans; write `true` or `false`. An apiVersion of the \
materialize.cloud group that no CRD version serves is reported here too. \
Unknown keys are reported by `unknown-field` and `removed-field` instead.",
    suppressible: true,
};

/// A Materialize object whose apiVersion is not one of the three known.
pub(crate) fn unknown_version(object: &Value) -> Vec<Hit> {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    vec![Hit::new(
        &RULE,
        "/apiVersion",
        Target::Value,
        format!(
            "{} is not a version of the Materialize resource: use materialize.cloud/v1alpha2 or materialize.cloud/v1 (v1alpha1 is deprecated)",
            quote(api_version)
        ),
    )]
}

pub(crate) fn check(subject: &Subject<'_>, hits: &mut Vec<Hit>) {
    let validator = crd::schema::validator(subject.version);
    // Candidates per pointer; several keywords can fail on one value (a
    // nullable enum fails both `type` and `enum`), and one finding is enough.
    let mut found: Vec<(String, u8, Hit)> = Vec::new();
    if !validator.is_valid(subject.object) {
        for error in validator.iter_errors(subject.object) {
            let at = error.instance_path().as_str().to_owned();
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    for key in unexpected {
                        let hit = removed_field::hit(subject, &at, key)
                            .unwrap_or_else(|| unknown_field::hit(subject, &at, key));
                        hits.push(hit);
                    }
                }
                ValidationErrorKind::Required { property } => {
                    if subject.options.partial {
                        continue;
                    }
                    let name = property.as_str().unwrap_or_default();
                    let pointer = child_pointer(&at, name);
                    let message = missing_message(&pointer);
                    found.push((pointer, 0, Hit::new(&RULE, "", Target::Key, message)));
                }
                kind => {
                    let instance = error.instance();
                    let (rank, message) = describe(&at, kind, instance, &error.to_string());
                    found.push((
                        at.clone(),
                        rank,
                        Hit::new(&RULE, "", Target::Value, message),
                    ));
                }
            }
        }
    }
    found.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    found.dedup_by(|later, first| later.0 == first.0);
    let had_schema_errors = !found.is_empty();
    for (pointer, _, mut hit) in found {
        hit.pointer = pointer;
        hits.push(hit);
    }
    let metadata_errors = metadata(subject, hits);
    // The schema cannot express everything the operator's reader insists
    // on (int32 ranges, for one), so a clean object is also read as typed.
    if !had_schema_errors
        && !metadata_errors
        && !subject.options.partial
        && let Err(unreadable) = crd::read_typed(subject.object)
    {
        hits.push(Hit::new(
            &RULE,
            unreadable.pointer(),
            Target::Value,
            format!(
                "the operator cannot read this object ({unreadable}): it would compute no rollout hash and stop reconciling the instance"
            ),
        ));
    }
}

fn missing_message(pointer: &str) -> String {
    let tokens = parse_pointer(pointer).unwrap_or_default();
    let name = tokens.last().map(String::as_str).unwrap_or_default();
    let parent = match tokens.len() {
        0 | 1 => "the object".to_owned(),
        n => format!(
            "`{}`",
            field_path(&pointer[..pointer.len() - tokens[n - 1].len() - 1])
        ),
    };
    let what = match (tokens.len(), name) {
        (1, "spec") => {
            ": every Materialize object needs a spec with at least environmentdImageRef and backendSecretName"
        }
        (1, "metadata") => ": add metadata with a name",
        (2, name) if name == SpecField::EnvironmentdImageRef.name() => {
            ": name the environmentd image to run, e.g. materialize/environmentd:v26.1.0"
        }
        (2, name) if name == SpecField::BackendSecretName.name() => {
            ": name the Secret holding the metadata and persist backend URLs"
        }
        _ => "",
    };
    format!("required field `{name}` is missing from {parent}{what}")
}

/// A message for one failed keyword, and its rank (lower wins when several
/// keywords fail on the same value).
fn describe(
    at: &str,
    kind: &ValidationErrorKind,
    instance: &Value,
    fallback: &str,
) -> (u8, String) {
    let field = format!("`{}`", field_path(at));
    match kind {
        ValidationErrorKind::Enum { options } => (1, enum_message(&field, instance, options)),
        ValidationErrorKind::Type { kind } => {
            let expected: Vec<JsonType> = match kind {
                TypeKind::Single(t) => vec![*t],
                TypeKind::Multiple(set) => set.iter().collect(),
            };
            (2, type_message(&field, instance, &expected))
        }
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            (2, quantity_message(&field, instance))
        }
        ValidationErrorKind::Format { format } if format == "uuid" => {
            (1, uuid_message(&field, instance))
        }
        _ => (3, format!("{field}: {fallback}")),
    }
}

fn enum_message(field: &str, instance: &Value, options: &Value) -> String {
    let allowed: Vec<&str> = options
        .as_array()
        .map(|o| o.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let list = allowed
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut message = format!(
        "{field} is {}, which is not one of {list}",
        describe_value(instance)
    );
    if let Some(text) = instance.as_str()
        && let Some(same) = allowed.iter().find(|a| a.eq_ignore_ascii_case(text))
    {
        message.push_str(&format!(" (values are case-sensitive: write `{same}`)"));
    }
    message
}

fn type_name(t: JsonType) -> &'static str {
    match t {
        JsonType::Array => "a list",
        JsonType::Boolean => "a boolean (true or false)",
        JsonType::Integer => "an integer",
        JsonType::Null => "empty",
        JsonType::Number => "a number",
        JsonType::Object => "a mapping",
        JsonType::String => "a string",
    }
}

/// Strings that YAML 1.1 (and so kubectl) reads as booleans.
const YAML11_BOOLEANS: [&str; 16] = [
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF",
];

fn type_message(field: &str, instance: &Value, expected: &[JsonType]) -> String {
    let wanted: Vec<&str> = expected
        .iter()
        .filter(|t| **t != JsonType::Null)
        .map(|t| type_name(*t))
        .collect();
    let wanted = if wanted.is_empty() {
        "empty".to_owned()
    } else {
        wanted.join(" or ")
    };
    let mut message = format!("{field} must be {wanted}, not {}", describe_value(instance));
    let wants = |t: JsonType| expected.contains(&t);
    match instance {
        Value::String(text)
            if wants(JsonType::Boolean) && YAML11_BOOLEANS.contains(&text.as_str()) =>
        {
            message.push_str(&format!(
                ": kubectl's YAML 1.1 reader would take `{text}` as a boolean, but here (YAML 1.2) it is a string; write `true` or `false`"
            ));
        }
        Value::String(text)
            if (wants(JsonType::Boolean)
                && matches!(text.to_lowercase().as_str(), "true" | "false"))
                || ((wants(JsonType::Integer) || wants(JsonType::Number))
                    && !text.is_empty()
                    && text.trim().parse::<f64>().is_ok()) =>
        {
            message.push_str("; remove the quotes");
        }
        Value::Number(_) | Value::Bool(_) if wants(JsonType::String) => {
            message.push_str(&format!("; quote it: \"{instance}\""));
        }
        Value::Null if wants(JsonType::Object) => {
            message
                .push_str("; the key has no value (only comments?): fill it in or remove the key");
        }
        _ => {}
    }
    message
}

fn quantity_message(field: &str, instance: &Value) -> String {
    let base = format!(
        "{field} must be a Kubernetes quantity, a string such as \"500m\" or \"2Gi\" or a whole number, not {}",
        describe_value(instance)
    );
    let Some(number) = instance.as_f64() else {
        return base;
    };
    let milli = number * 1000.0;
    let suggestion = if (milli - milli.round()).abs() < 1e-6 && milli.abs() < 9.0e15 {
        format!("\"{}m\"", milli.round() as i64)
    } else {
        format!("\"{instance}\"")
    };
    format!(
        "{field} is the fractional number {instance}, which the API server rejects for a quantity: write it as a string, {suggestion}"
    )
}

fn uuid_message(field: &str, instance: &Value) -> String {
    let text = instance.as_str().unwrap_or_default();
    let mut message = format!(
        "{field} is {}, which is not a UUID the API server accepts (8-4-4-4-12 hex digits with hyphens, or 32 hex digits)",
        describe_value(instance)
    );
    if let Ok(uuid) = uuid::Uuid::parse_str(text) {
        message.push_str(&format!("; write it as \"{}\"", uuid.hyphenated()));
    }
    message
}

/// `metadata` is free-form in the schema; check what the API server needs.
/// Returns whether anything was reported.
fn metadata(subject: &Subject<'_>, hits: &mut Vec<Hit>) -> bool {
    let Some(metadata) = subject.object.get("metadata").and_then(Value::as_object) else {
        return false;
    };
    let before = hits.len();
    for key in ["name", "namespace"] {
        match metadata.get(key) {
            Some(Value::String(_)) | Some(Value::Null) => {}
            Some(other) => hits.push(Hit::new(
                &RULE,
                format!("/metadata/{key}"),
                Target::Value,
                format!(
                    "`metadata.{key}` must be a string, not {}; quote it",
                    describe_value(other)
                ),
            )),
            None => {}
        }
    }
    let named = |key: &str| {
        metadata
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    if !subject.options.partial && !named("name") && !named("generateName") {
        hits.push(Hit::new(
            &RULE,
            "/metadata/name",
            Target::Key,
            "`metadata.name` is missing or empty: the API server rejects an object without a name"
                .to_owned(),
        ));
    }
    hits.len() > before
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::object::{CheckOptions, object_hits};
    use serde_json::json;

    fn base(api: &str) -> Value {
        json!({
            "apiVersion": api,
            "kind": "Materialize",
            "metadata": {"name": "mz", "namespace": "prod"},
            "spec": {"environmentdImageRef": "materialize/environmentd:v26.1.0", "backendSecretName": "b"}
        })
    }

    fn schema_hits(object: &Value) -> Vec<Hit> {
        object_hits(object, &CheckOptions::default())
            .into_iter()
            .filter(|h| h.rule == "schema")
            .collect()
    }

    #[test]
    fn valid_objects_have_no_schema_findings() {
        for api in [
            "materialize.cloud/v1alpha2",
            "materialize.cloud/v1",
            "materialize.cloud/v1alpha1",
        ] {
            assert_eq!(schema_hits(&base(api)), vec![], "{api}");
        }
    }

    #[test]
    fn enum_names_allowed_values_and_case() {
        let mut object = base("materialize.cloud/v1alpha2");
        object["spec"]["authenticatorKind"] = json!("none");
        let hits = schema_hits(&object);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].pointer, "/spec/authenticatorKind");
        assert!(
            hits[0]
                .message
                .contains("`Frontegg`, `Password`, `Sasl`, `Oidc`, `None`"),
            "{}",
            hits[0].message
        );
        assert!(
            hits[0].message.contains("write `None`"),
            "{}",
            hits[0].message
        );
    }

    #[test]
    fn yaml11_boolean() {
        let mut object = base("materialize.cloud/v1");
        object["spec"]["enableRbac"] = json!("yes");
        let hits = schema_hits(&object);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(hits[0].message.contains("YAML 1.1"), "{}", hits[0].message);
    }

    #[test]
    fn fractional_quantity_suggests_milli() {
        let mut object = base("materialize.cloud/v1alpha2");
        object["spec"]["environmentdResourceRequirements"] = json!({"requests": {"cpu": 0.5}});
        let hits = schema_hits(&object);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(
            hits[0].pointer,
            "/spec/environmentdResourceRequirements/requests/cpu"
        );
        assert!(hits[0].message.contains("\"500m\""), "{}", hits[0].message);
    }

    #[test]
    fn braced_uuid_is_rejected_with_the_fixed_form() {
        let mut object = base("materialize.cloud/v1alpha2");
        object["spec"]["forceRollout"] = json!("{33333333-3333-3333-3333-333333333333}");
        let hits = schema_hits(&object);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(
            hits[0]
                .message
                .contains("\"33333333-3333-3333-3333-333333333333\""),
            "{}",
            hits[0].message
        );
    }

    #[test]
    fn missing_required_field_points_at_the_missing_member() {
        let mut object = base("materialize.cloud/v1alpha2");
        object["spec"]
            .as_object_mut()
            .unwrap()
            .remove("backendSecretName");
        let hits = schema_hits(&object);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].pointer, "/spec/backendSecretName");
        assert_eq!(hits[0].target, Target::Key);
        let partial = object_hits(
            &object,
            &CheckOptions {
                partial: true,
                ..Default::default()
            },
        );
        assert!(partial.iter().all(|h| h.rule != "schema"), "{partial:?}");
    }

    #[test]
    fn unknown_version_of_the_group() {
        let object = base("materialize.cloud/v2");
        let hits = object_hits(&object, &CheckOptions::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].pointer, "/apiVersion");
    }

    #[test]
    fn unreadable_status_is_reported_once() {
        let mut object = base("materialize.cloud/v1alpha1");
        object["status"] = json!({"resourceId": "x", "activeGeneration": 1, "lastCompletedRolloutRequest": "00000000-0000-0000-0000-000000000000", "conditions": []});
        let hits = schema_hits(&object);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].pointer, "/status/resourcesHash");
    }

    #[test]
    fn missing_name() {
        let mut object = base("materialize.cloud/v1");
        object["metadata"] = json!({"namespace": "x"});
        let hits = schema_hits(&object);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].pointer, "/metadata/name");
    }
}
