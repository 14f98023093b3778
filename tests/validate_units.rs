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

fn findings_of<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn config_units_replace_discovery() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/units"), dir.path());
    // One unit for both clusters: their `materialize/mz` is now one object
    // defined twice; the Applications are no units any more.
    write(
        dir.path(),
        ".mz-presync.yaml",
        "units:\n  - path: clusters\n    name: all-clusters\n  - path: flux/*\n    namespace: analytics\n",
    );
    // A namespace-less copy of the Flux object lands in the entry's
    // namespace, `analytics`, as the spelled-out one does.
    let text = std::fs::read_to_string(dir.path().join("flux/analytics/mz.yaml")).unwrap();
    write(
        dir.path(),
        "flux/analytics/copy.yaml",
        &text.replace(
            "  name: analytics\n",
            "  name: analytics\n  namespace: analytics\n",
        ),
    );
    let (code, report) = validate_json(dir.path(), &["."]);
    assert_eq!(code, Some(1), "{report:#}");
    let duplicates: Vec<(&str, &Value)> = findings_of(&report, "duplicate-resource")
        .into_iter()
        .map(|f| (f["file"].as_str().unwrap(), &f["unit"]))
        .collect();
    assert_eq!(
        duplicates,
        [
            (
                "clusters/us-east/mz.yaml",
                &json!({"kind": "config", "name": "all-clusters", "path": "clusters"})
            ),
            (
                "flux/analytics/mz.yaml",
                &json!({"kind": "config", "name": "flux/analytics", "path": "flux/analytics"})
            ),
            (
                "plain/b.yaml",
                &json!({"kind": "directory", "name": "plain", "path": "plain"})
            ),
        ],
        "{report:#}"
    );
    let note = findings_of(&report, "released-version-seen")[0];
    assert_eq!(
        note["unit"],
        json!({"kind": "directory", "name": "apps/base", "path": "apps/base"})
    );
}

#[test]
fn config_units_are_read_relative_to_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/units"), &dir.path().join("gitops"));
    // The file above the directory validated: `gitops/clusters` is the
    // unit, named as the repository root (`gitops`) sees it.
    write(
        dir.path(),
        ".mz-presync.yaml",
        "units: [{path: gitops/clusters}]\n",
    );
    let (_, report) = validate_json(dir.path(), &["gitops"]);
    let files: Vec<(&str, &Value)> = findings_of(&report, "duplicate-resource")
        .into_iter()
        .map(|f| (f["file"].as_str().unwrap(), &f["unit"]))
        .collect();
    assert_eq!(files.len(), 2, "{report:#}");
    assert_eq!(
        files[0].1,
        &json!({"kind": "config", "name": "clusters", "path": "clusters"})
    );
}

#[test]
fn a_named_wildcard_unit_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/units"), dir.path());
    write(
        dir.path(),
        ".mz-presync.yaml",
        "units:\n  - path: clusters/*\n    name: prod\n",
    );
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .current_dir(dir.path())
        .args(["validate", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("path `clusters/*` has a wildcard") && stderr.contains(".mz-presync.yaml"),
        "{stderr}"
    );
    write(
        dir.path(),
        ".mz-presync.yaml",
        "units:\n  - path: clusters\n    nmae: prod\n",
    );
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .current_dir(dir.path())
        .args(["validate", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nmae"));
}

const MZ_NO_NAMESPACE: &str = "apiVersion: materialize.cloud/v1\nkind: Materialize\nmetadata:\n  name: mz\nspec:\n  environmentdImageRef: materialize/environmentd:v26.1.0\n  backendSecretName: materialize-backend\n";

#[test]
fn applicationset_units_compare_within_each_generated_application() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "argocd/clusters.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: clusters}\nspec:\n  goTemplate: true\n  generators:\n    - git:\n        repoURL: https://example.invalid/gitops.git\n        revision: HEAD\n        directories:\n          - path: clusters/*\n          - path: clusters/sandbox\n            exclude: true\n  template:\n    metadata: {name: 'mz-{{.path.basename}}'}\n    spec:\n      project: default\n      source: {repoURL: https://example.invalid/gitops.git, path: '{{.path.path}}'}\n      destination: {server: https://kubernetes.default.svc, namespace: materialize}\n",
    );
    // The same object in each cluster: no duplicate. Inside us-east, a
    // namespace-less copy lands in the template's namespace: a duplicate.
    for cluster in ["us-east", "eu-west", "sandbox"] {
        write(
            dir.path(),
            &format!("clusters/{cluster}/mz.yaml"),
            &MZ_NO_NAMESPACE.replace("  name: mz\n", "  name: mz\n  namespace: materialize\n"),
        );
    }
    write(dir.path(), "clusters/us-east/copy.yaml", MZ_NO_NAMESPACE);
    let sandbox = std::fs::read_to_string(dir.path().join("clusters/sandbox/mz.yaml")).unwrap();
    write(
        dir.path(),
        "clusters/sandbox/mz.yaml",
        &sandbox.replace("spec:\n", "spec:\n  bogus: 1\n"),
    );
    let (code, report) = validate_json(dir.path(), &["."]);
    assert_eq!(code, Some(1), "{report:#}");
    let duplicates = findings_of(&report, "duplicate-resource");
    assert_eq!(duplicates.len(), 1, "{report:#}");
    assert_eq!(duplicates[0]["file"], "clusters/us-east/mz.yaml");
    assert_eq!(
        duplicates[0]["unit"],
        json!({"kind": "argocd-applicationset", "name": "mz-us-east", "path": "clusters/us-east"})
    );
    // Excluded: its own directory.
    let sandbox = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "clusters/sandbox/mz.yaml")
        .unwrap();
    assert_eq!(
        sandbox["unit"],
        json!({"kind": "directory", "name": "clusters/sandbox", "path": "clusters/sandbox"})
    );
}

#[test]
fn a_kustomization_namespace_is_the_destination_namespace() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "prod/kustomization.yaml",
        "namespace: materialize\nresources: [a.yaml, b.yaml]\n",
    );
    write(dir.path(), "prod/a.yaml", MZ_NO_NAMESPACE);
    write(
        dir.path(),
        "prod/b.yaml",
        &MZ_NO_NAMESPACE.replace("  name: mz\n", "  name: mz\n  namespace: materialize\n"),
    );
    let (_, report) = validate_json(dir.path(), &["."]);
    let duplicates = findings_of(&report, "duplicate-resource");
    assert_eq!(duplicates.len(), 1, "{report:#}");
    assert_eq!(
        duplicates[0]["unit"],
        json!({"kind": "kustomization", "name": "prod", "path": "prod"})
    );
}

#[test]
fn validate_dir_outside_git_takes_dir_as_the_unit_root() {
    let dir = tempfile::tempdir().unwrap();
    // An Application beside the named directory, in the working
    // directory: not read, since `validate x` is about `x`.
    write(
        dir.path(),
        "argocd/app.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: app}\nspec: {source: {path: x/a}}\n",
    );
    write(
        dir.path(),
        "x/a/mz.yaml",
        &MZ_NO_NAMESPACE.replace("spec:\n", "spec:\n  bogus: 1\n"),
    );
    let (_, report) = validate_json(dir.path(), &["x"]);
    let finding = findings_of(&report, "unknown-field")[0];
    assert_eq!(finding["file"], "x/a/mz.yaml");
    assert_eq!(
        finding["unit"],
        json!({"kind": "directory", "name": "a", "path": "a"})
    );
}

#[test]
fn the_human_report_names_a_discovered_unit() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/units"), dir.path());
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .current_dir(dir.path())
        .args(["--color", "never", "validate", "."])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(
            "  = note: at /apiVersion\n  = note: deploy unit argocd-application app-eu-west (apps/overlays/eu-west)\n"
        ),
        "{stderr}"
    );
    // The directory fallback goes unsaid.
    let plain = stderr.split("--> plain/b.yaml").nth(1).unwrap();
    let plain = plain.split("\n\n").next().unwrap();
    assert!(!plain.contains("deploy unit"), "{plain}");
}
