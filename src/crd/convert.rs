//! Conversion between versions on JSON values (spec §5), as the operator's
//! conversion webhook does it: fields never gain defaults, unknown fields and
//! original spellings are kept, derived status hashes appear only when the
//! whole object is readable.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::common::{IAM_ROLE_ANNOTATION, Version};
use super::fields::SpecField;
use super::hash;
use super::operator::Operator;
use super::read::{Unreadable, declared_version, read_typed};

/// Something a user must be told about a conversion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// `environmentdIamRoleArn` moved into the service account annotations.
    IamRoleArnMoved { arn: String },
    /// `environmentdIamRoleArn` lost: the annotation already held another value.
    IamRoleArnDropped { arn: String, existing: String },
    /// A leftover v1alpha1 UUID in `forcePromote`, which promotes nothing now.
    InertForcePromote { value: String },
    /// `rolloutRequestTimeout` has no v1alpha2 field.
    RolloutRequestTimeoutDropped { value: Value },
    /// The status says a rollout is under way: no `lastCompletedRolloutHash`.
    MidRollout,
    /// A promotion is in flight: no `requestedRolloutHash`, it must finish.
    Promoting,
    /// The object is unreadable, so no status hash could be derived.
    StatusNotDerived { reason: String },
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::IamRoleArnMoved { arn } => write!(
                f,
                "environmentdIamRoleArn {arn:?} moved to serviceAccountAnnotations[\"{IAM_ROLE_ANNOTATION}\"]"
            ),
            Note::IamRoleArnDropped { arn, existing } => write!(
                f,
                "environmentdIamRoleArn {arn:?} dropped: serviceAccountAnnotations[\"{IAM_ROLE_ANNOTATION}\"] already holds {existing:?}, which wins"
            ),
            Note::InertForcePromote { value } => write!(
                f,
                "forcePromote {value:?} is a v1alpha1 UUID; from v1alpha2 on it promotes only when equal to status.requestedRolloutHash, so it is inert (remove it, or set it to the rollout hash)"
            ),
            Note::RolloutRequestTimeoutDropped { value } => write!(
                f,
                "rolloutRequestTimeout {value} removed: v1alpha2 has no such field (migrate with --to v1 to keep it)"
            ),
            Note::MidRollout => f.write_str(
                "the status shows a rollout in progress (lastCompletedRolloutRequest differs from requestRollout): lastCompletedRolloutHash left out",
            ),
            Note::Promoting => f.write_str(
                "a promotion is in flight (condition reason Promoting): requestedRolloutHash left out so that it finishes",
            ),
            Note::StatusNotDerived { reason } => write!(
                f,
                "status converted field by field only, no rollout hashes derived: the object is unreadable ({reason})"
            ),
        }
    }
}

pub struct SpecConversion {
    pub spec: Value,
    pub notes: Vec<Note>,
}

pub struct Conversion {
    pub object: Value,
    pub notes: Vec<Note>,
}

fn parses_as_nil_uuid(value: &str) -> bool {
    Uuid::parse_str(value).is_ok_and(|uuid| uuid.is_nil())
}

/// Convert the `spec` member alone between two versions, as the
/// design-document operator does. Going to v1alpha1 leaves `requestRollout`
/// to [`convert`], which knows the annotations.
pub fn convert_spec(spec: &Value, from: Version, to: Version) -> SpecConversion {
    convert_spec_for(spec, from, to, Operator::Design)
}

/// Whether `forcePromote` is dropped when leaving v1alpha1 (spec §7): the
/// design document drops every spelling of the nil UUID, the released
/// webhook only the two it writes itself.
fn drops_force_promote(value: &str, operator: Operator) -> bool {
    match operator {
        Operator::Design => value.is_empty() || parses_as_nil_uuid(value),
        Operator::Released => value.is_empty() || value == Uuid::nil().hyphenated().to_string(),
    }
}

/// [`convert_spec`] under the conversion rules of `operator`.
pub fn convert_spec_for(
    spec: &Value,
    from: Version,
    to: Version,
    operator: Operator,
) -> SpecConversion {
    let mut notes = Vec::new();
    let Some(source) = spec.as_object() else {
        return SpecConversion {
            spec: spec.clone(),
            notes,
        };
    };
    let mut spec = source.clone();
    match (from, to) {
        (Version::V1alpha1, Version::V1alpha2 | Version::V1) => {
            spec.remove(SpecField::RequestRollout.name());
            spec.remove(SpecField::InPlaceRollout.name());
            move_iam_role_arn(&mut spec, &mut notes);
            match spec.get(SpecField::ForcePromote.name()) {
                // A v1alpha1 `null` is admitted as the default `""` (spec §3a).
                Some(Value::Null) => {
                    spec.remove(SpecField::ForcePromote.name());
                }
                Some(Value::String(value)) if drops_force_promote(value, operator) => {
                    spec.remove(SpecField::ForcePromote.name());
                }
                Some(Value::String(value)) if Uuid::parse_str(value).is_ok() => {
                    notes.push(Note::InertForcePromote {
                        value: value.clone(),
                    });
                }
                _ => {}
            }
            if to == Version::V1alpha2 {
                drop_rollout_request_timeout(&mut spec, &mut notes);
            }
        }
        (Version::V1, Version::V1alpha2) => drop_rollout_request_timeout(&mut spec, &mut notes),
        (Version::V1alpha2 | Version::V1, Version::V1alpha1)
            if spec
                .get(SpecField::ForcePromote.name())
                .is_none_or(Value::is_null) =>
        {
            spec.insert(
                SpecField::ForcePromote.name().into(),
                Value::String(String::new()),
            );
        }
        _ => {}
    }
    SpecConversion {
        spec: Value::Object(spec),
        notes,
    }
}

fn drop_rollout_request_timeout(spec: &mut Map<String, Value>, notes: &mut Vec<Note>) {
    if let Some(value) = spec.remove(SpecField::RolloutRequestTimeout.name()) {
        notes.push(Note::RolloutRequestTimeoutDropped { value });
    }
}

fn move_iam_role_arn(spec: &mut Map<String, Value>, notes: &mut Vec<Note>) {
    let Some(arn) = spec.remove(SpecField::EnvironmentdIamRoleArn.name()) else {
        return;
    };
    if arn.is_null() {
        return;
    }
    let arn_text = arn.as_str().map_or_else(|| arn.to_string(), str::to_owned);
    let annotations = spec
        .entry(SpecField::ServiceAccountAnnotations.name())
        .or_insert_with(|| Value::Object(Map::new()));
    if annotations.is_null() {
        *annotations = Value::Object(Map::new());
    }
    let Some(annotations) = annotations.as_object_mut() else {
        notes.push(Note::IamRoleArnDropped {
            arn: arn_text,
            existing: "(serviceAccountAnnotations is not a map)".into(),
        });
        return;
    };
    match annotations.get(IAM_ROLE_ANNOTATION) {
        Some(existing) if *existing == arn => {}
        Some(existing) => notes.push(Note::IamRoleArnDropped {
            arn: arn_text,
            existing: existing
                .as_str()
                .map_or_else(|| existing.to_string(), str::to_owned),
        }),
        None => {
            annotations.insert(IAM_ROLE_ANNOTATION.into(), arn);
            notes.push(Note::IamRoleArnMoved { arn: arn_text });
        }
    }
}

/// True when a v1alpha1 status shows a rollout that has not completed:
/// `lastCompletedRolloutRequest` differs from `spec.requestRollout`, or both
/// are nil.
pub fn mid_rollout(object: &Value) -> bool {
    let uuid_at = |pointer: &str| {
        object
            .pointer(pointer)
            .and_then(Value::as_str)
            .and_then(|text| Uuid::parse_str(text).ok())
            .unwrap_or(Uuid::nil())
    };
    let completed = uuid_at("/status/lastCompletedRolloutRequest");
    completed.is_nil() || completed != uuid_at(SpecField::RequestRollout.pointer())
}

fn promoting(status: &Map<String, Value>) -> bool {
    status
        .get("conditions")
        .and_then(Value::as_array)
        .is_some_and(|conditions| {
            conditions
                .iter()
                .any(|c| c.get("reason").and_then(Value::as_str) == Some("Promoting"))
        })
}

/// Convert a whole object to `to`, as the design-document operator does.
/// Fails only for objects that are not Materialize objects of a known
/// version; an unreadable object still converts field by field.
pub fn convert(object: &Value, to: Version) -> Result<Conversion, Unreadable> {
    convert_for(object, to, Operator::Design)
}

/// [`convert`] under the conversion rules of `operator`.
pub fn convert_for(
    object: &Value,
    to: Version,
    operator: Operator,
) -> Result<Conversion, Unreadable> {
    let from = declared_version(object)?;
    let mut out = object.clone();
    out["apiVersion"] = Value::String(to.api_version().into());
    let SpecConversion { spec, mut notes } = convert_spec_for(&object["spec"], from, to, operator);
    if object.get("spec").is_some() {
        out["spec"] = spec;
    }
    if from == to {
        return Ok(Conversion { object: out, notes });
    }

    let readable = read_typed(object).map_err(|err| err.to_string());
    let annotation = hash::force_rollout_annotation(object);

    if to == Version::V1alpha1 {
        // Back to v1alpha1 (round trips only): requestRollout carries the hash.
        let algorithm = from.algorithm();
        if let (Ok(_), Some(spec)) = (
            &readable,
            out.get_mut("spec").and_then(Value::as_object_mut),
        ) {
            let source_spec = &object["spec"];
            if let Ok(h) = hash::hash_spec(source_spec, annotation, algorithm) {
                spec.insert(
                    SpecField::RequestRollout.name().into(),
                    Value::String(hash::request_rollout_uuid(&h.hex).to_string()),
                );
            }
        }
        if let Some(status) = out.get_mut("status").and_then(Value::as_object_mut) {
            let completed = status
                .get("lastCompletedRolloutHash")
                .and_then(Value::as_str)
                .map_or(Uuid::nil(), hash::request_rollout_uuid);
            status.insert(
                "lastCompletedRolloutRequest".into(),
                Value::String(completed.to_string()),
            );
            status.insert("resourcesHash".into(), Value::String(String::new()));
            status.remove("requestedRolloutHash");
        }
        return Ok(Conversion { object: out, notes });
    }

    if from == Version::V1alpha1 {
        let mid_rollout = mid_rollout(object);
        let converted_spec = out["spec"].clone();
        if let Some(status) = out.get_mut("status").and_then(Value::as_object_mut) {
            status.remove("lastCompletedRolloutRequest");
            status.remove("resourcesHash");
            let derived = readable.clone().and_then(|_| {
                hash::hash_spec(&converted_spec, annotation, to.algorithm())
                    .map_err(|err| err.to_string())
            });
            match derived {
                Ok(h) => {
                    if status
                        .get("lastCompletedRolloutHash")
                        .is_none_or(Value::is_null)
                    {
                        if mid_rollout {
                            notes.push(Note::MidRollout);
                        } else {
                            status.insert(
                                "lastCompletedRolloutHash".into(),
                                Value::String(h.hex.clone()),
                            );
                        }
                    }
                    if promoting(status) {
                        notes.push(Note::Promoting);
                    } else {
                        status.insert("requestedRolloutHash".into(), Value::String(h.hex));
                    }
                }
                Err(reason) => notes.push(Note::StatusNotDerived { reason }),
            }
        }
    }
    Ok(Conversion { object: out, notes })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn force_promote_after(value: &str, operator: Operator) -> Option<Value> {
        let spec = json!({"forcePromote": value});
        convert_spec_for(&spec, Version::V1alpha1, Version::V1, operator)
            .spec
            .get("forcePromote")
            .cloned()
    }

    #[test]
    fn released_drops_only_the_two_spellings_its_webhook_writes() {
        let nil = "00000000-0000-0000-0000-000000000000";
        for operator in Operator::ALL {
            assert_eq!(force_promote_after("", operator), None);
            assert_eq!(force_promote_after(nil, operator), None);
        }
        for other in [
            "00000000000000000000000000000000",
            "{00000000-0000-0000-0000-000000000000}",
            "urn:uuid:00000000-0000-0000-0000-000000000000",
        ] {
            assert_eq!(force_promote_after(other, Operator::Design), None);
            assert_eq!(
                force_promote_after(other, Operator::Released),
                Some(json!(other))
            );
        }
        let set = "22222222-2222-2222-2222-222222222222";
        assert_eq!(
            force_promote_after(set, Operator::Released),
            Some(json!(set))
        );
    }
}
