//! The generated schemas: up to date in `schemas/`, and in agreement with the
//! operator's reading of every golden input.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use mz_presync::crd::{Operator, Version, schema, version_of};
use serde_json::Value;

#[test]
fn checked_in_schemas_match_the_generator() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas");
    let mut stale = Vec::new();
    for operator in Operator::ALL {
        let dir = match schema::checked_in_dir(operator) {
            "" => root.to_owned(),
            sub => format!("{root}/{sub}"),
        };
        let mut files = schema::generated_files_for(operator);
        files.push((
            "config.schema.json".to_owned(),
            mz_presync::config::json_schema(),
        ));
        for (path, expected) in files {
            let actual = std::fs::read_to_string(format!("{dir}/{path}")).unwrap_or_default();
            if actual != expected {
                stale.push(format!("{dir}/{path}"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "schemas/ is out of date ({stale:?}); run `cargo run -- schema --out schemas` and `cargo run -- schema --operator released --out schemas/released`"
    );
}

/// The released CRD as a cluster would read it: `v1alpha1` served and
/// stored, `v1` served, no `v1alpha2`, and the Webhook conversion (spec §7).
#[test]
fn released_crd_parses_back_with_its_versions_and_conversion() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/released/crd/materializes.materialize.cloud.yaml"
    ))
    .unwrap();
    let crd: CustomResourceDefinition = yaml_serde::from_str(&text).unwrap();
    assert_eq!(
        crd.metadata.name.as_deref(),
        Some("materializes.materialize.cloud")
    );
    let versions: Vec<(&str, bool, bool)> = crd
        .spec
        .versions
        .iter()
        .map(|v| (v.name.as_str(), v.served, v.storage))
        .collect();
    assert_eq!(versions, [("v1alpha1", true, true), ("v1", true, false)]);
    for version in &crd.spec.versions {
        assert!(version.schema.is_some(), "{} has a schema", version.name);
        assert!(
            version
                .subresources
                .as_ref()
                .is_some_and(|s| s.status.is_some()),
            "{} has the status subresource",
            version.name
        );
    }
    let conversion = crd.spec.conversion.expect("a conversion stanza");
    assert_eq!(conversion.strategy, "Webhook");
    let webhook = conversion.webhook.expect("webhook settings");
    assert_eq!(webhook.conversion_review_versions, ["v1"]);
    let service = webhook
        .client_config
        .and_then(|c| c.service)
        .expect("a service reference");
    assert_eq!(service.name, "materialize-operator");
    assert_eq!(service.namespace, "materialize");
    assert_eq!(service.path.as_deref(), Some("/convert"));
    assert_eq!(service.port, Some(8001));

    // The design CRD has no conversion stanza and serves three versions.
    let design: CustomResourceDefinition = yaml_serde::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/crd/materializes.materialize.cloud.yaml"
        ))
        .unwrap(),
    )
    .unwrap();
    assert!(design.spec.conversion.is_none());
    let stored: Vec<&str> = design
        .spec
        .versions
        .iter()
        .filter(|v| v.storage)
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(stored, ["v1alpha2"]);
    assert_eq!(design.spec.versions.len(), 3);
}

#[test]
fn schema_command_writes_the_models_files() {
    let out = std::env::temp_dir().join(format!("mz-presync-schema-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let output = assert_cmd::Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["schema", "--operator", "released", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let mut written: Vec<String> = walk(&out)
        .into_iter()
        .map(|p| p.strip_prefix(&out).unwrap().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "config.schema.json",
            "crd/materializes.materialize.cloud.yaml",
            "materialize.cloud/materialize_v1.json",
            "materialize.cloud/materialize_v1alpha1.json",
        ]
    );
    let crd = std::fs::read_to_string(out.join("crd/materializes.materialize.cloud.yaml")).unwrap();
    assert_eq!(crd, schema::crd_yaml_for(Operator::Released));
    // MZ_PRESYNC_OPERATOR selects the model too.
    let _ = std::fs::remove_dir_all(&out);
    let output = assert_cmd::Command::cargo_bin("mz-presync")
        .unwrap()
        .env("MZ_PRESYNC_OPERATOR", "released")
        .args(["schema", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        !out.join("materialize.cloud/materialize_v1alpha2.json")
            .exists()
    );
    std::fs::remove_dir_all(&out).unwrap();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
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
