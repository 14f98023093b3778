//! Every v1alpha1 golden vector, written out as a manifest in three styles
//! (block YAML, flow YAML, pretty JSON), migrated as text, read back: the
//! result must equal `migrated_v1alpha2` / `migrated_v1` as a JSON value, a
//! second migration must change nothing, and where the vector has a hash
//! the migration must be proven rollout-neutral with exactly that hash.

use std::path::PathBuf;

use mz_presync::crd::Version;
use mz_presync::migrate::{MigrateOptions, Rollout, migrate_text};
use mz_presync::source::{self, FileFormat, SourceFile};
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
        .filter(|vector: &Value| vector.get("migrated_v1alpha2").is_some())
        .collect()
}

#[derive(Clone, Copy, Debug)]
enum Style {
    BlockYaml,
    FlowYaml,
    PrettyJson,
}

fn render(object: &Value, style: Style) -> SourceFile {
    let (name, text, format) = match style {
        Style::BlockYaml => (
            "golden.yaml",
            yaml_serde::to_string(object).expect("renders as YAML"),
            FileFormat::Yaml,
        ),
        // JSON text is a YAML flow mapping: the flow-style edit paths.
        Style::FlowYaml => ("golden.yaml", format!("{object}\n"), FileFormat::Yaml),
        Style::PrettyJson => (
            "golden.json",
            serde_json::to_string_pretty(object).unwrap(),
            FileFormat::Json,
        ),
    };
    SourceFile::from_text(name, PathBuf::from(name), text, format)
}

fn read_back(file: &SourceFile) -> Value {
    let docs = file.documents();
    assert_eq!(docs.len(), 1, "{}", file.text);
    source::parse_document(file, &docs[0])
        .expect("migrated text parses")
        .expect("one object")
}

fn check(vector: &Value, target: Version, style: Style, failures: &mut Vec<String>) {
    let id = vector["id"].as_str().unwrap();
    let (expected_key, hash_key) = match target {
        Version::V1 => ("migrated_v1", "hash_v1"),
        _ => ("migrated_v1alpha2", "hash_v1alpha2"),
    };
    let label = format!("{id} --to {target} ({style:?})");
    let file = render(&vector["input"], style);
    let options = MigrateOptions {
        target,
        ..MigrateOptions::default()
    };
    let migration = match migrate_text(&file, &options) {
        Ok(migration) => migration,
        Err(err) => return failures.push(format!("{label}: {err}")),
    };
    let Some(new_text) = migration.new_text.clone() else {
        return failures.push(format!("{label}: nothing migrated"));
    };
    let migrated = SourceFile::from_text(
        file.display.clone(),
        file.path.clone(),
        new_text,
        file.format,
    );
    let actual = read_back(&migrated);
    if actual != vector[expected_key] {
        failures.push(format!(
            "{label}: read back\n{}\nexpected\n{}\ntext:\n{}",
            actual, vector[expected_key], migrated.text
        ));
    }
    match migrate_text(&migrated, &options) {
        Ok(again) if !again.changed() => {}
        Ok(_) => failures.push(format!(
            "{label}: a second migration changed the text again"
        )),
        Err(err) => failures.push(format!("{label}: second migration failed: {err}")),
    }
    let [resource] = migration.resources.as_slice() else {
        return failures.push(format!("{label}: expected one resource record"));
    };
    // A status that records another hash is reported separately: the
    // operator rolls out whether or not the manifest is migrated.
    let recorded = vector["input"]
        .pointer("/status/lastCompletedRolloutHash")
        .and_then(Value::as_str);
    let expected_differs = recorded
        .filter(|recorded| Some(*recorded) != vector[hash_key].as_str())
        .map(str::to_owned);
    if resource.recorded_hash_differs != expected_differs {
        failures.push(format!(
            "{label}: recorded_hash_differs {:?}, expected {expected_differs:?}",
            resource.recorded_hash_differs
        ));
    }
    match (&resource.rollout, vector[hash_key].as_str()) {
        (Rollout::Neutral { hash, .. }, Some(expected)) if hash == expected => {}
        (Rollout::Unreadable { .. }, None) => {}
        (other, expected) => failures.push(format!(
            "{label}: rollout {other:?}, vector hash {expected:?}"
        )),
    }
}

#[test]
fn every_v1alpha1_vector_migrates_as_text_to_the_golden_object() {
    let vectors = vectors();
    assert!(
        vectors.len() >= 70,
        "only {} v1alpha1 vectors",
        vectors.len()
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for vector in &vectors {
        for target in [Version::V1alpha2, Version::V1] {
            for style in [Style::BlockYaml, Style::FlowYaml, Style::PrettyJson] {
                check(vector, target, style, &mut failures);
                checked += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} migrations failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
