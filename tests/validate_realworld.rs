//! Every finding on the real manifests of `fixtures/realworld/` (copied from
//! Materialize's own repository and docs), with its line and column. Each
//! file is checked on its own (they are independent examples), then all
//! together.

use assert_cmd::Command;
use serde_json::Value;

fn findings(args: &[&str]) -> (Option<i32>, Vec<String>, Value) {
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["validate", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let lines = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{} {} {}",
                f["rule"].as_str().unwrap(),
                f["line"],
                f["column"],
                f["severity"].as_str().unwrap(),
                f["pointer"].as_str().unwrap()
            )
        })
        .collect();
    (output.status.code(), lines, report["summary"].clone())
}

const DIR: &str = "fixtures/realworld";

#[test]
fn each_real_manifest_alone() {
    #[rustfmt::skip]
    let cases: [(&str, i32, &[&str]); 9] = [
        // Namespace + Secret + a v1alpha1 instance.
        ("05_materialize_misc_helm-charts_testing_materialize.yaml", 0, &[
            "deprecated-version 27:13 warning /apiVersion",
        ]),
        // An early Helm template: skipped with a note, not failed.
        ("06_materialize_helm_operator_templates_materialize-environments.yaml", 0, &[
            "template-skipped 11:1 note ",
        ]),
        // The same instance as v1alpha1 and as v1, side by side.
        ("07_materialize_docs_adopting-the-v1-crd.md.excerpt.yaml", 1, &[
            "deprecated-version 3:13 warning /apiVersion",
            "duplicate-resource 19:9 error /metadata/name",
        ]),
        // A Hugo shortcode inside the image tag parses as a plain scalar; the
        // last document's spec is only a comment, so it is null.
        ("08_materialize_docs_configuration-system-parameters.md.excerpt.yaml", 1, &[
            "deprecated-version 14:13 warning /apiVersion",
            "duplicate-resource 28:9 error /metadata/name",
            "duplicate-resource 38:9 error /metadata/name",
            "schema 42:1 error /spec",
        ]),
        ("09_materialize_docs_upgrading_materialize-instances_v1alpha2.md.excerpt.yaml", 0, &[]),
        ("10_materialize_docs_password-auth.excerpt.yaml", 0, &[
            "deprecated-version 17:13 warning /apiVersion",
        ]),
        ("11_materialize_docs_sasl-auth.excerpt.yaml", 0, &[
            "deprecated-version 18:13 warning /apiVersion",
        ]),
        ("13_materialize_docs_install-on-aws-legacy.excerpt.yaml", 0, &[
            "deprecated-version 2:13 warning /apiVersion",
        ]),
        ("14_materialize_docs_upgrade-v1alpha1-yaml.excerpt.yaml", 0, &[
            "deprecated-version 2:13 warning /apiVersion",
            "deprecated-field 11:3 warning /spec/inPlaceRollout",
        ]),
    ];
    let mut files: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    files.sort();
    assert_eq!(
        files,
        cases.iter().map(|c| c.0).collect::<Vec<_>>(),
        "every real manifest has a case"
    );
    for (name, code, expected) in cases {
        let (actual_code, actual, _) = findings(&[&format!("{DIR}/{name}")]);
        assert_eq!(actual, expected, "{name}");
        assert_eq!(actual_code, Some(code), "{name}");
    }
}

#[test]
fn the_messages_on_real_manifests_say_what_to_do() {
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args([
            "validate",
            "--format",
            "json",
            &format!("{DIR}/14_materialize_docs_upgrade-v1alpha1-yaml.excerpt.yaml"),
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("`mz-presync migrate`") && message.contains("rollout-neutral"),
        "{message}"
    );
    assert_eq!(
        report["findings"][0]["resource"]["name"],
        "12345678-1234-1234-1234-123456789012"
    );
}

#[test]
fn all_real_manifests_together() {
    let (code, lines, summary) = findings(&[DIR]);
    assert_eq!(code, Some(1));
    // Every example reuses the name 12345678-…; across files they are
    // duplicates of the first one (05), except in 06 (a skipped template) and
    // 13 (another name).
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("duplicate-resource"))
            .count(),
        9
    );
    assert_eq!(lines.len(), 19, "{lines:#?}");
    assert_eq!(
        summary,
        serde_json::json!({"files": 9, "documents": 20, "resources": 11, "errors": 10, "warnings": 8, "notes": 1})
    );
}
