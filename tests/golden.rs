//! Every golden vector of fixtures/vectors/golden.jsonl: hashes, preimages,
//! the UUIDv5 derivation and the converted objects, bit for bit.

use mz_presync::crd::{Algorithm, Version, convert, hash::request_rollout_uuid, rollout_hash};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/vectors/golden.jsonl"
    ))
    .expect("golden vectors present");
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("vector is JSON"))
        .collect()
}

fn check_hash(vector: &Value, algorithm: Algorithm, failures: &mut Vec<String>) -> usize {
    let (hash_key, preimage_key) = match algorithm {
        Algorithm::V1alpha2 => ("hash_v1alpha2", "preimage_v1alpha2"),
        Algorithm::V1 => ("hash_v1", "preimage_v1"),
    };
    let Some(expected) = vector.get(hash_key) else {
        return 0;
    };
    let id = vector["id"].as_str().unwrap();
    let actual = rollout_hash(&vector["input"], algorithm);
    match (expected.as_str(), actual) {
        (Some(expected), Ok(actual)) => {
            if actual.hex != expected {
                failures.push(format!("{id}: {hash_key} {} != {expected}", actual.hex));
            }
            if let Some(preimage) = vector.get(preimage_key).and_then(Value::as_str) {
                // The vectors' preimages carry the annotation value too.
                let hashed = format!(
                    "{}{}",
                    actual.preimage,
                    actual.annotation.as_deref().unwrap_or("")
                );
                if hashed != preimage {
                    failures.push(format!(
                        "{id}: {preimage_key}\n  got      {}\n  expected {preimage}",
                        hashed
                    ));
                }
            }
            if algorithm == Algorithm::V1 {
                let uuid = vector["request_rollout_uuid5_v1"]
                    .as_str()
                    .unwrap_or_default();
                if request_rollout_uuid(&actual.hex).to_string() != uuid {
                    failures.push(format!("{id}: request_rollout_uuid5_v1 differs"));
                }
            }
        }
        (None, Err(_)) => {}
        (Some(_), Err(err)) => failures.push(format!("{id}: {hash_key} unreadable: {err}")),
        (None, Ok(actual)) => failures.push(format!(
            "{id}: {hash_key} expected null, got {}",
            actual.hex
        )),
    }
    1
}

#[test]
fn every_golden_vector_reproduces() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 109, "the vector file holds 109 cases");
    let mut failures = Vec::new();
    let mut checks = 0;
    for vector in &vectors {
        checks += check_hash(vector, Algorithm::V1alpha2, &mut failures);
        checks += check_hash(vector, Algorithm::V1, &mut failures);
        for (key, version) in [
            ("migrated_v1alpha2", Version::V1alpha2),
            ("migrated_v1", Version::V1),
        ] {
            if let Some(expected) = vector.get(key) {
                checks += 1;
                let converted = convert(&vector["input"], version).expect("converts");
                if &converted.object != expected {
                    failures.push(format!(
                        "{}: {key}\n  got      {}\n  expected {}",
                        vector["id"], converted.object, expected
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checks} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("golden: {} vectors, {checks} checks passed", vectors.len());
}
