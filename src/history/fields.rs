//! Which fields of the rollout hash differ between two versions of a
//! resource: the typed hash preimages member by member when both versions
//! can be read (so spelling, defaults and conversion do not count), the
//! raw spec members otherwise (patches, unreadable objects).

use std::sync::LazyLock;

use serde_json::Value;

use super::resources::Resource;
use crate::crd::SpecField;
use crate::crd::common::FORCE_ROLLOUT_POINTER;
use crate::crd::hash::force_rollout_annotation;
use crate::source::escape_pointer_token;

/// Spec fields that never feed the hash (spec §2): the seven **out** fields,
/// and the v1alpha1 rollout triggers that conversion removes. Used only when
/// a side is unreadable and the typed preimages cannot be compared.
static NOT_HASHED: LazyLock<Vec<&str>> = LazyLock::new(|| {
    SpecField::iter()
        .filter(|field| !field.hashed())
        .map(SpecField::name)
        .collect()
});

/// The hash-relevant fields whose normalized values differ. With both
/// hashes known, the typed preimages are compared member by member, so
/// spelling (UUID case, quantity numbers), defaults and v1alpha1 conversion
/// do not count; otherwise the raw specs are, minus the fields that never
/// feed the hash.
pub fn changed_fields(old: &Resource, new: &Resource) -> Vec<String> {
    let mut fields = Vec::new();
    let (old_annotation, new_annotation) = match (&old.hash, &new.hash) {
        (Ok(a), Ok(b)) => {
            if a.hex == b.hex {
                return fields;
            }
            let parse =
                |preimage: &str| serde_json::from_str::<Value>(preimage).unwrap_or(Value::Null);
            differing_members(&parse(&a.preimage), &parse(&b.preimage), &[], &mut fields);
            (a.annotation.clone(), b.annotation.clone())
        }
        _ => return raw_changed_fields(&old.value, &new.value),
    };
    if old_annotation != new_annotation {
        fields.push(FORCE_ROLLOUT_POINTER.to_owned());
    }
    fields.sort();
    fields
}

/// The hash-relevant fields whose values differ as written (`Null` for a
/// side that does not exist): the spec members except those that never
/// feed the hash, and the force-rollout annotation.
pub fn raw_changed_fields(old: &Value, new: &Value) -> Vec<String> {
    let mut fields = Vec::new();
    differing_members(&old["spec"], &new["spec"], &NOT_HASHED, &mut fields);
    let annotation = |value: &Value| force_rollout_annotation(value).map(str::to_owned);
    if annotation(old) != annotation(new) {
        fields.push(FORCE_ROLLOUT_POINTER.to_owned());
    }
    fields.sort();
    fields
}

fn differing_members(old: &Value, new: &Value, skip: &[&str], out: &mut Vec<String>) {
    let empty = serde_json::Map::new();
    let old = old.as_object().unwrap_or(&empty);
    let new = new.as_object().unwrap_or(&empty);
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let absent_is_null = |map: &serde_json::Map<String, Value>| {
            map.get(key.as_str()).unwrap_or(&Value::Null).clone()
        };
        if !skip.contains(&key.as_str()) && absent_is_null(old) != absent_is_null(new) {
            out.push(format!("/spec/{}", escape_pointer_token(key)));
        }
    }
}
