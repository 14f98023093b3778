//! `validate --format sarif` against the official SARIF 2.1.0 JSON schema
//! (stored in `fixtures/sarif/`, checked offline).

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/sarif/sarif-schema-2.1.0.json").unwrap(),
    )
    .unwrap();
    assert_eq!(
        schema["id"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn sarif_of(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .current_dir(dir)
        .args(["validate", "--format", "sarif"])
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        serde_json::from_slice(&output.stdout).expect("SARIF is JSON"),
    )
}

fn errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn fixture_repository_sarif_is_valid_sarif_2_1_0() {
    let validator = sarif_validator();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/repo"), dir.path());
    let (code, log) = sarif_of(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(errors(&validator, &log), Vec::<String>::new());

    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["tool"]["driver"]["name"], "mz-presync");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), mz_presync::check::rules().len());
    for rule in rules {
        assert!(
            rule["shortDescription"]["text"].is_string()
                && rule["fullDescription"]["text"].is_string()
        );
        assert!(rule["help"]["text"].is_string());
    }
    // The model every verdict followed, in the run's property bag.
    assert_eq!(run["properties"]["operator"], "design");
    let results = run["results"].as_array().unwrap();
    // 12 findings and the design model's once-per-run note at the first v1
    // object (issue 13).
    assert_eq!(results.len(), 13);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert_eq!(
            result["partialFingerprints"]["mzPresyncFinding/v1"]
                .as_str()
                .unwrap()
                .len(),
            64
        );
    }
    let schema_error = results.iter().find(|r| r["ruleId"] == "schema").unwrap();
    assert_eq!(schema_error["level"], "error");
    assert_eq!(
        schema_error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "clusters/prod/list.yaml"
    );
    assert_eq!(
        schema_error["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 11, "startColumn": 129, "endLine": 11, "endColumn": 134})
    );
    let template = results
        .iter()
        .find(|r| r["ruleId"] == "template-skipped")
        .unwrap();
    assert_eq!(template["level"], "note");
}

#[test]
fn stdin_and_odd_file_names_are_valid_too() {
    let validator = sarif_validator();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("a dir#1")).unwrap();
    std::fs::copy(
        "fixtures/rules/schema/enum-case-sensitive.yaml",
        dir.path().join("a dir#1/mz é.yaml"),
    )
    .unwrap();
    let (code, log) = sarif_of(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(errors(&validator, &log), Vec::<String>::new());
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "a%20dir%231/mz%20%C3%A9.yaml"
    );
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["validate", "--format", "sarif", "-"])
        .write_stdin(std::fs::read("fixtures/rules/schema/braced-uuid.yaml").unwrap())
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(errors(&validator, &log), Vec::<String>::new());
    // A clean run is a valid log with no results.
    let clean = tempfile::tempdir().unwrap();
    let (code, log) = sarif_of(clean.path(), &[]);
    assert_eq!(code, Some(0));
    assert_eq!(errors(&validator, &log), Vec::<String>::new());
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let validator = sarif_validator();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/repo"), dir.path());
    let (_, mut log) = sarif_of(dir.path(), &[]);
    log["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert_eq!(
        errors(&validator, &log).len(),
        2,
        "{:?}",
        errors(&validator, &log)
    );
}

#[test]
fn fingerprints_survive_lines_moving() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mz.yaml");
    let original =
        std::fs::read_to_string("fixtures/rules/downtime-strategy/immediately-promote.yaml")
            .unwrap();
    std::fs::write(&file, &original).unwrap();
    let (_, before) = sarif_of(dir.path(), &[]);
    std::fs::write(&file, format!("# a comment\n# another\n{original}")).unwrap();
    let (_, after) = sarif_of(dir.path(), &[]);
    let result = |log: &Value| log["runs"][0]["results"][0].clone();
    assert_eq!(
        result(&before)["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            + 2,
        result(&after)["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
    );
    assert_eq!(
        result(&before)["partialFingerprints"],
        result(&after)["partialFingerprints"]
    );
}
