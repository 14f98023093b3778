//! The generated schemas: up to date in `schemas/`, and in agreement with the
//! operator's reading of every golden input.

use mz_presync::crd::{Version, schema, version_of};
use serde_json::Value;

#[test]
fn checked_in_schemas_match_the_generator() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas");
    let mut stale = Vec::new();
    for (path, expected) in schema::generated_files() {
        let actual = std::fs::read_to_string(format!("{root}/{path}")).unwrap_or_default();
        if actual != expected {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "schemas/ is out of date ({stale:?}); run `cargo run -- schema --out schemas`"
    );
}

/// Readable by the operator yet rejected at admission (spec §3).
const ADMISSION_STRICTER: [&str; 2] = [
    "v1alpha1-uuid-forms-braced-urn",
    "v1alpha1-quantity-numbers",
];

#[test]
fn schemas_accept_readable_golden_inputs_and_reject_unreadable_ones() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/vectors/golden.jsonl"
    ))
    .unwrap();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for line in text.lines().filter(|l| !l.is_empty()) {
        let vector: Value = serde_json::from_str(line).unwrap();
        let id = vector["id"].as_str().unwrap();
        let input = &vector["input"];
        let version = version_of(input).unwrap();
        let hash_key = if version == Version::V1 {
            "hash_v1"
        } else {
            "hash_v1alpha2"
        };
        let readable = !vector[hash_key].is_null();
        let expected_valid = readable && !ADMISSION_STRICTER.contains(&id);
        let validator = schema::validator(version);
        // Unknown fields are the `unknown-field` rule's business, not a
        // reason the object is unreadable: the operator drops them.
        // The API server admits the object before validating it (spec §3a).
        let admitted = mz_presync::crd::admission::admit(input);
        let valid = validator.iter_errors(&admitted.object).all(|e| {
            matches!(
                e.kind(),
                jsonschema::error::ValidationErrorKind::AdditionalProperties { .. }
            )
        });
        checked += 1;
        if valid != expected_valid {
            let errors: Vec<String> = validator
                .iter_errors(input)
                .map(|e| format!("{} {}", e.instance_path(), e))
                .collect();
            wrong.push(format!(
                "{id}: valid={valid}, expected {expected_valid}: {errors:?}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn api_server_uuid_forms() {
    assert!(schema::is_api_server_uuid(
        "6f1e2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
    ));
    assert!(schema::is_api_server_uuid(
        "6F1E2A3B4C5D4E6F8A9B0C1D2E3F4A5B"
    ));
    assert!(!schema::is_api_server_uuid(
        "{6f1e2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b}"
    ));
    assert!(!schema::is_api_server_uuid(
        "urn:uuid:6f1e2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
    ));
    assert!(!schema::is_api_server_uuid(
        "6f1e2a3b-4c5d4e6f-8a9b-0c1d2e3f4a5b"
    ));
}

#[test]
fn checked_in_config_schema_matches_the_generator() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/config.schema.json");
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == mz_presync::config::json_schema(),
        "schemas/config.schema.json is out of date; run `cargo run -- schema --out schemas`"
    );
}
