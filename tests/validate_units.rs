//! Deploy units through the built binary: the fixture repository
//! `fixtures/units/` (two plain cluster directories, two Argo CD
//! Applications over kustomize overlays of one base, a Flux Kustomization
//! with a target namespace, a true duplicate in one directory), copied to a
//! temporary directory outside any git work tree, so units are discovered
//! under the current directory.

use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};

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

fn validate_json(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .current_dir(dir)
        .args(["validate", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (output.status.code(), report)
}

#[test]
fn only_the_duplicate_inside_one_unit_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/units"), dir.path());
    let (code, report) = validate_json(dir.path(), &["."]);
    assert_eq!(code, Some(1), "{report:#}");
    let duplicates: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "duplicate-resource")
        .collect();
    assert_eq!(duplicates.len(), 1, "{report:#}");
    let duplicate = duplicates[0];
    assert_eq!(duplicate["file"], "plain/b.yaml");
    assert_eq!(
        duplicate["unit"],
        json!({"kind": "directory", "name": "plain", "path": "plain"})
    );
    // A file of the shared base is named by its first Application.
    let note = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "released-version-seen")
        .unwrap();
    assert_eq!(note["file"], "apps/base/mz.yaml");
    assert_eq!(
        note["unit"],
        json!({"kind": "argocd-application", "name": "app-eu-west", "path": "apps/overlays/eu-west"})
    );
}

#[test]
fn each_file_names_its_unit() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/units"), dir.path());
    // A warning on every Materialize object (`--require-version` above v1
    // does not exist; use an unknown field instead) would be noisy: give
    // each file a finding by breaking its YAML.
    for file in [
        "clusters/us-east/mz.yaml",
        "clusters/eu-west/mz.yaml",
        "flux/analytics/mz.yaml",
        "apps/overlays/us-east/kustomization.yaml",
    ] {
        let path = dir.path().join(file);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("broken: [\n");
        std::fs::write(&path, text).unwrap();
    }
    let (code, report) = validate_json(dir.path(), &["."]);
    assert_eq!(code, Some(1));
    let units: Vec<(String, Value)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "yaml-syntax")
        .map(|f| (f["file"].as_str().unwrap().to_owned(), f["unit"].clone()))
        .collect();
    assert_eq!(
        units,
        vec![
            (
                "apps/overlays/us-east/kustomization.yaml".to_owned(),
                json!({"kind": "argocd-application", "name": "app-us-east", "path": "apps/overlays/us-east"})
            ),
            (
                "clusters/eu-west/mz.yaml".to_owned(),
                json!({"kind": "directory", "name": "clusters/eu-west", "path": "clusters/eu-west"})
            ),
            (
                "clusters/us-east/mz.yaml".to_owned(),
                json!({"kind": "directory", "name": "clusters/us-east", "path": "clusters/us-east"})
            ),
            (
                "flux/analytics/mz.yaml".to_owned(),
                json!({"kind": "flux-kustomization", "name": "analytics", "path": "flux/analytics"})
            ),
        ]
    );
}

#[test]
fn two_cluster_directories_are_not_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        Path::new("fixtures/units/clusters"),
        &dir.path().join("clusters"),
    );
    let (code, report) = validate_json(dir.path(), &["clusters"]);
    assert_eq!(code, Some(0), "{report:#}");
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "duplicate-resource")
    );
}

#[test]
fn a_namespace_less_object_takes_the_target_namespace() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/units"), dir.path());
    // The same object with the namespace spelled out, in another file of
    // the Flux unit: both land in `analytics`.
    let text = std::fs::read_to_string(dir.path().join("flux/analytics/mz.yaml")).unwrap();
    let named = text.replace(
        "  name: analytics\n",
        "  name: analytics\n  namespace: analytics\n",
    );
    std::fs::write(dir.path().join("flux/analytics/copy.yaml"), named).unwrap();
    let (_, report) = validate_json(dir.path(), &["."]);
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "duplicate-resource")
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        ["flux/analytics/mz.yaml", "plain/b.yaml"],
        "{report:#}"
    );
}

#[test]
fn stdin_has_no_unit() {
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["validate", "--format", "json", "-"])
        .write_stdin("apiVersion: materialize.cloud/v1\nkind: Materialize\nmetadata: {name: mz}\nspec: {environmentdImageRef: 'materialize/environmentd:v26.1.0', backendSecretName: b, bogus: 1}\n")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f["unit"].is_null()), "{report:#}");
}

fn validate_stdout(dir: &Path, format: &str) -> String {
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .current_dir(dir)
        .args(["validate", "--format", format, "."])
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn github_annotations_name_the_unit_but_not_a_plain_directory() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/units"), dir.path());
    let out = validate_stdout(dir.path(), "github");
    let base = out
        .lines()
        .find(|l| l.contains("file=apps/base/mz.yaml,"))
        .unwrap();
    assert!(
        base.ends_with("Said once per run [app] (in unit argocd-application app-eu-west)"),
        "{base}"
    );
    let plain = out
        .lines()
        .find(|l| l.contains("file=plain/b.yaml,"))
        .unwrap();
    assert!(plain.ends_with("[plain/copy]"), "{plain}");
}

#[test]
fn sarif_results_carry_the_unit_but_not_a_plain_directory() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/units"), dir.path());
    let sarif: Value = serde_json::from_str(&validate_stdout(dir.path(), "sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let of = |file: &str| {
        results
            .iter()
            .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == file)
            .unwrap()
    };
    assert_eq!(
        of("apps/base/mz.yaml")["properties"],
        json!({"unit": {"kind": "argocd-application", "name": "app-eu-west", "path": "apps/overlays/eu-west"}})
    );
    assert_eq!(of("plain/b.yaml").get("properties"), None);
}
