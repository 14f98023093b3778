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
            // Design model: the run's first v1 object suggests --operator released.
            "released-version-seen 16:13 note /apiVersion",
            "duplicate-resource 19:9 error /metadata/name",
        ]),
        // A Hugo shortcode inside the image tag parses as a plain scalar; the
        // last document's spec is only a comment, so it is null.
        ("08_materialize_docs_configuration-system-parameters.md.excerpt.yaml", 1, &[
            "deprecated-version 14:13 warning /apiVersion",
            "released-version-seen 25:13 note /apiVersion",
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
    assert_eq!(lines.len(), 20, "{lines:#?}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("released-version-seen"))
            .count(),
        1,
        "once per run"
    );
    assert_eq!(
        summary,
        serde_json::json!({"files": 9, "documents": 20, "resources": 11, "errors": 10, "warnings": 8, "notes": 2})
    );
}

/// `validate --operator released` on the docs' own manifests (issue 13,
/// item 5), asserted on exact findings and messages.
fn released(file: &str, format: &str) -> std::process::Output {
    Command::cargo_bin("mz-presync")
        .unwrap()
        .env_remove("MZ_PRESYNC_OPERATOR")
        .args(["validate", "--operator", "released", "--format", format])
        .arg(format!("{DIR}/{file}"))
        .output()
        .unwrap()
}

#[test]
fn released_rejects_the_docs_v1alpha2_example() {
    let file = "09_materialize_docs_upgrading_materialize-instances_v1alpha2.md.excerpt.yaml";
    let output = released(file, "json");
    assert_eq!(output.status.code(), Some(1), "an error");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["operator"], "released");
    let (_, lines, _) = findings(&["--operator", "released", &format!("{DIR}/{file}")]);
    assert_eq!(lines, ["unserved-version 2:13 error /apiVersion"]);
    assert_eq!(
        report["findings"][0]["message"],
        "the released operator (v26.30+) does not serve materialize.cloud/v1alpha2: the API server rejects it with 'no matches for kind'; run `mz-presync migrate --operator released` to rename it to materialize.cloud/v1"
    );
    // The human summary names the model.
    let human = released(file, "human");
    let stderr = String::from_utf8(human.stderr).unwrap();
    assert!(
        stderr.ends_with("1 error, 0 warnings, 0 notes (operator: released)\n"),
        "{stderr}"
    );
    // The SARIF run carries the model in its property bag.
    let sarif: Value = serde_json::from_slice(&released(file, "sarif").stdout).unwrap();
    assert_eq!(sarif["runs"][0]["properties"]["operator"], "released");
}

#[test]
fn released_notes_the_install_flag_once_for_the_v1_example() {
    let (code, lines, summary) = findings(&[
        "--operator",
        "released",
        &format!("{DIR}/07_materialize_docs_adopting-the-v1-crd.md.excerpt.yaml"),
    ]);
    assert_eq!(code, Some(1), "the duplicate is still an error");
    assert_eq!(
        lines,
        [
            "deprecated-version 3:13 warning /apiVersion",
            "v1-needs-install-flag 16:13 note /apiVersion",
            "duplicate-resource 19:9 error /metadata/name",
        ]
    );
    assert_eq!(summary["notes"], 1);
    // All the examples together: still one note, and one error per
    // v1alpha2 object.
    let (_, lines, _) = findings(&["--operator", "released", DIR]);
    let count = |rule: &str| lines.iter().filter(|l| l.starts_with(rule)).count();
    assert_eq!(count("v1-needs-install-flag"), 1, "{lines:#?}");
    assert_eq!(count("released-version-seen"), 0);
    assert_eq!(count("unserved-version"), 1, "{lines:#?}");
}

#[test]
fn released_says_adopting_v1_requests_one_rollout() {
    let output = released(
        "14_materialize_docs_upgrade-v1alpha1-yaml.excerpt.yaml",
        "json",
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "`mz-presync migrate --operator released` converts this object to materialize.cloud/v1"
        ) && message.contains("requests one rollout")
            && message.contains("nothing restarts unless changes are already pending")
            && !message.contains("rollout-neutral"),
        "{message}"
    );
}
