//! `mz-presync hash` end to end: the real manifests, stdin, JSON output and
//! exit codes.

use assert_cmd::Command;
use serde_json::Value;

fn mz() -> Command {
    Command::cargo_bin("mz-presync").unwrap()
}

fn fixture(path: &str) -> String {
    format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn hash_json(args: &[&str]) -> (i32, Value) {
    let output = mz()
        .arg("hash")
        .arg("--format")
        .arg("json")
        .args(args)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    (output.status.code().unwrap(), report)
}

#[test]
fn minimal_v1alpha1_hashes_like_the_golden_vector() {
    let manifest = "apiVersion: materialize.cloud/v1alpha1\nkind: Materialize\nmetadata:\n  name: mz\n  namespace: materialize\nspec:\n  environmentdImageRef: materialize/environmentd:v26.0.0\n  backendSecretName: materialize-backend\n";
    for (algorithm, expected) in [
        (
            "v1alpha2",
            "70bc713295b3c25cee45f7155aa305111f65d51ac04a04cee3db5174f1d9b501",
        ),
        (
            "v1",
            "8ab77349f8225fcd7b87381ad9d4ef4236443ce1c5ca3142275b6ccd63e92702",
        ),
    ] {
        let output = mz()
            .args(["hash", "--format", "json", "--algorithm", algorithm, "-"])
            .write_stdin(manifest)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(report["version"], 1);
        assert_eq!(report["algorithm"], algorithm);
        assert_eq!(
            report["resources"],
            serde_json::json!([{"file": "-", "line": 1, "apiVersion": "materialize.cloud/v1alpha1",
                "namespace": "materialize", "name": "mz", "hash": expected, "error": null}])
        );
    }
}

#[test]
fn every_real_manifest_hashes_or_says_why() {
    let dir = fixture("realworld");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut lines = Vec::new();
    for file in &files {
        let (code, report) = hash_json(&[file.to_str().unwrap()]);
        for resource in report["resources"].as_array().unwrap() {
            lines.push(format!(
                "{}:{} {} {} -> {}",
                file.file_name().unwrap().to_string_lossy(),
                resource["line"],
                resource["apiVersion"].as_str().unwrap(),
                resource["name"].as_str().unwrap_or("-"),
                resource["hash"].as_str().map_or_else(
                    || format!("ERROR {}", resource["error"].as_str().unwrap()),
                    |h| h[..16].to_owned()
                ),
            ));
        }
        lines.push(format!("  exit {code}"));
    }
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn fields_no_version_has_are_ignored_but_a_missing_secret_is_reported() {
    let (code, report) = hash_json(&[&fixture("hash/06_rendered-early-helm-template.yaml")]);
    assert_eq!(code, 1, "one resource has no hash");
    let resources = report["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 2);
    assert!(resources[0]["hash"].is_null());
    let error = resources[0]["error"].as_str().unwrap();
    assert!(error.contains("backendSecretName"), "{error}");
    assert_eq!(resources[0]["line"], 7);
    assert!(resources[1]["hash"].as_str().is_some_and(|h| h.len() == 64));
}

#[test]
fn unreadable_type_is_explained_with_the_field() {
    let manifest = "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata: {name: mz}\nspec:\n  environmentdImageRef: x\n  backendSecretName: y\n  rolloutStrategy: Bogus\n";
    let output = mz()
        .args(["hash", "-"])
        .write_stdin(manifest)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("/spec/rolloutStrategy"), "{stdout}");
    assert!(stdout.contains("unknown variant `Bogus`"), "{stdout}");
}

#[test]
fn human_output_ends_with_the_force_promote_hint() {
    let output = mz()
        .args([
            "hash",
            &fixture("realworld/14_materialize_docs_upgrade-v1alpha1-yaml.excerpt.yaml"),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout
            .trim_end()
            .ends_with("set spec.forcePromote to the new hash in the same change."),
        "{stdout}"
    );
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let output = mz().args(["hash", "does/not/exist.yaml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!output.stderr.is_empty());
}

#[test]
fn a_certificate_spec_makes_the_hash_best_effort_in_human_output() {
    let manifest = "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata: {name: mz}\nspec:\n  environmentdImageRef: x\n  backendSecretName: y\n  internalCertificateSpec:\n    issuerRef: {name: ca, kind: Issuer}\n";
    let output = mz()
        .args(["hash", "-"])
        .write_stdin(manifest)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("best-effort"), "{stdout}");
    let plain = mz()
        .args(["hash", "-"])
        .write_stdin(manifest.replace(
            "  internalCertificateSpec:\n    issuerRef: {name: ca, kind: Issuer}\n",
            "",
        ))
        .output()
        .unwrap();
    assert!(
        !String::from_utf8(plain.stdout)
            .unwrap()
            .contains("best-effort")
    );
}
