//! `environment-id-changed` (spec §6): an existing instance's
//! `environmentId` must never change once set, because it names the
//! persisted data the instance runs on. Only a comparison of two versions
//! can see this.

use serde_json::Value;
use uuid::Uuid;

use crate::crd::SpecField;
use crate::finding::{Finding, Rule, RuleInfo, Scope, Severity};
use crate::history::locator::Locator;
use crate::history::resources::Resource;

pub static RULE: RuleInfo = RuleInfo {
    id: "environment-id-changed",
    severity: Severity::Error,
    scopes: &[Scope::Rollouts],
    summary: "spec.environmentId of an existing resource changes",
    docs: "The environmentId names the persisted data a Materialize instance runs on. Once a resource has a non-nil environmentId, changing it (or removing it, which reads as the nil UUID) points the running instance at different data. `mz-presync rollouts` compares each commit with its first parent and reports any such change for the same namespace/name; the API server cannot, because it never sees the old value. Restore the old value; to start a new environment, create a new resource. Silence it with the annotation `mz-presync.io/ignore: environment-id-changed` or a `# mz-presync: ignore[environment-id-changed]` comment.",
    suppressible: true,
};

/// The finding when `new` changes the `environmentId` of `old`.
pub fn check(old: &Resource, new: &Resource, locator: &mut Locator<'_>) -> Option<Finding> {
    let message = environment_id_changed(&old.value, &new.value)?;
    Some(locator.finding(
        Rule::new(&RULE),
        RULE.severity,
        SpecField::EnvironmentId.pointer(),
        message,
    ))
}

/// The `environmentId` as the operator reads it: absent or `null` is the nil
/// UUID. `Err` for a value the operator cannot read (reported by the schema
/// check, not here).
fn environment_id(object: &Value) -> Result<Uuid, ()> {
    match object.pointer(SpecField::EnvironmentId.pointer()) {
        None | Some(Value::Null) => Ok(Uuid::nil()),
        Some(Value::String(text)) => Uuid::parse_str(text).map_err(|_| ()),
        Some(_) => Err(()),
    }
}

/// The error message when `new` changes a non-nil `environmentId` of `old`,
/// or `None` when the change is allowed (first assignment, or no change in
/// the normalized value, e.g. upper case to lower case).
fn environment_id_changed(old: &Value, new: &Value) -> Option<String> {
    let (Ok(before), Ok(after)) = (environment_id(old), environment_id(new)) else {
        return None;
    };
    if before.is_nil() || before == after {
        return None;
    }
    let after_text = if after.is_nil() {
        "the nil UUID (the field was removed or emptied)".to_owned()
    } else {
        after.to_string()
    };
    Some(format!(
        "environmentId changes from {before} to {after_text}: it names the instance's persisted data and must never change once set. Restore {before}; to start a new environment, create a new resource instead"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(environment_id: Value) -> Value {
        json!({"spec": {"environmentdImageRef": "materialize/environmentd:v26.0.0", "environmentId": environment_id}})
    }

    const A: &str = "2c7b1d39-7a3e-4d6c-9a43-2b0c8e8a5f11";
    const B: &str = "9f0e7c7e-4a41-4a7b-8a7d-7f6f0f3c2d10";

    #[test]
    fn table() {
        let nil = "00000000-0000-0000-0000-000000000000";
        let cases: &[(Value, Value, bool)] = &[
            (json!(A), json!(A), false),
            (json!(A), json!(A.to_uppercase()), false),
            (json!(A), json!(A.replace('-', "")), false),
            (json!(nil), json!(A), false),
            (Value::Null, json!(A), false),
            (json!(A), json!(B), true),
            (json!(A), json!(nil), true),
            (json!(A), Value::Null, true),
            (json!(A), json!("not-a-uuid"), false),
            (json!(5), json!(A), false),
        ];
        for (old, new, changed) in cases {
            let message = environment_id_changed(&object(old.clone()), &object(new.clone()));
            assert_eq!(message.is_some(), *changed, "{old} → {new}: {message:?}");
        }
    }

    #[test]
    fn absent_field_reads_as_nil() {
        let old = json!({"spec": {"environmentId": A}});
        let new = json!({"spec": {}});
        let message = environment_id_changed(&old, &new).unwrap();
        assert_eq!(
            message,
            format!(
                "environmentId changes from {A} to the nil UUID (the field was removed or emptied): it names the instance's persisted data and must never change once set. Restore {A}; to start a new environment, create a new resource instead"
            )
        );
    }
}
