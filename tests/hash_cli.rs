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
        assert_eq!(report["operator"], "design");
        assert_eq!(report["algorithm"], algorithm);
        // `exact` is false: the manifest leaves environmentId unset, so the
        // operator hashes the id it assigns (spec §3a).
        assert_eq!(
            report["resources"],
            serde_json::json!([{"file": "-", "line": 1, "apiVersion": "materialize.cloud/v1alpha1",
                "namespace": "materialize", "name": "mz", "hash": expected, "error": null,
                "exact": false}])
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

const LIVE: &str = "live/kubectl-get-materialize.yaml";
const LIVE_PROD_ENVIRONMENT_ID: &str = "3f8a2c1e-7b6d-4e5f-9a0b-c1d2e3f4a5b6";
const LIVE_PROD_ANNOTATION: &str = "6a3f0d2e-8b41-4c9e-a7d5-1f2b3c4d5e6f";

#[test]
fn an_exact_hash_prints_as_before_and_an_inexact_one_is_marked_once_explained() {
    let with_id = "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata: {name: mz}\nspec:\n  environmentdImageRef: x\n  backendSecretName: y\n  environmentId: 3f8a2c1e-7b6d-4e5f-9a0b-c1d2e3f4a5b6\n";
    let output = mz()
        .args(["hash", "-"])
        .write_stdin(with_id)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let first = stdout.lines().next().unwrap();
    assert!(
        first.starts_with("-:1  materialize.cloud/v1alpha2  mz  "),
        "{stdout}"
    );
    assert_eq!(
        first.len(),
        "-:1  materialize.cloud/v1alpha2  mz  ".len() + 64,
        "{stdout}"
    );
    assert!(!stdout.contains('~'), "{stdout}");
    assert!(stdout.contains("(operator: design)"), "{stdout}");

    let without = format!(
        "{}---\n{}",
        with_id.replace(
            "  environmentId: 3f8a2c1e-7b6d-4e5f-9a0b-c1d2e3f4a5b6\n",
            ""
        ),
        with_id.replace("{name: mz}", "{name: mz2}").replace(
            "3f8a2c1e-7b6d-4e5f-9a0b-c1d2e3f4a5b6",
            "00000000-0000-0000-0000-000000000000"
        )
    );
    let output = mz()
        .args(["hash", "--format", "json", "-"])
        .write_stdin(without.as_str())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    // A nil environmentId is replaced by the operator just like an absent one.
    assert_eq!(report["resources"][0]["exact"], false);
    assert_eq!(report["resources"][1]["exact"], false);
    assert!(
        report["resources"][0].get("live").is_none(),
        "no --live, no `live`"
    );
    let output = mz()
        .args(["hash", "-"])
        .write_stdin(without.as_str())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let marked: Vec<&str> = stdout.lines().filter(|l| l.ends_with(" ~")).collect();
    assert_eq!(marked.len(), 2, "{stdout}");
    assert_eq!(
        stdout
            .matches("~ environmentId unset: not the live hash")
            .count(),
        1,
        "{stdout}"
    );
    assert!(
        stdout
            .trim_end()
            .ends_with("set spec.forcePromote to the new hash in the same change."),
        "{stdout}"
    );
}

#[test]
fn live_overlay_gives_the_operators_hash_and_reads_the_status() {
    let (code, report) = hash_json(&[
        "--operator",
        "released",
        "--live",
        &fixture(LIVE),
        &fixture("live/manifests"),
    ]);
    assert_eq!(code, 0);
    assert_eq!(report["operator"], "released");
    assert_eq!(report["algorithm"], "v1");
    let resources = report["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 2);
    let prod = &resources[0];
    assert_eq!(prod["name"], "prod");
    assert_eq!(prod["exact"], true);
    assert_eq!(
        prod["live"],
        serde_json::json!({
            "environmentId": LIVE_PROD_ENVIRONMENT_ID,
            "forceRolloutAnnotation": LIVE_PROD_ANNOTATION,
            "status": {
                "rolloutInProgress": false,
                "pending": true,
                "upToDate": "False",
                "reason": "WaitingForApproval"
            }
        })
    );
    let staging = &resources[1];
    assert_eq!(staging["name"], "staging");
    assert_eq!(staging["exact"], false);
    assert_eq!(staging["live"], Value::Null);

    // The overlay is exactly the live-only inputs written in by hand.
    for algorithm in ["v1", "v1alpha2"] {
        let (_, by_hand) = hash_json(&["--algorithm", algorithm, &fixture("live/by-hand.yaml")]);
        let (_, live) = hash_json(&[
            "--algorithm",
            algorithm,
            "--live",
            &fixture(LIVE),
            &fixture("live/manifests"),
        ]);
        let (_, plain) = hash_json(&["--algorithm", algorithm, &fixture("live/manifests")]);
        assert_eq!(by_hand["resources"][0]["exact"], true);
        assert_eq!(
            live["resources"][0]["hash"], by_hand["resources"][0]["hash"],
            "{algorithm}"
        );
        assert_ne!(
            plain["resources"][0]["hash"], by_hand["resources"][0]["hash"],
            "{algorithm}: the live-only inputs are in the hash"
        );
    }
}

#[test]
fn live_from_stdin_in_json_form_with_human_output_and_notes() {
    // `kubectl get -o json` of the same objects.
    let yaml = std::fs::read_to_string(fixture(LIVE)).unwrap();
    let value: Value = yaml_serde::from_str(&yaml).unwrap();
    let json = serde_json::to_string_pretty(&value).unwrap();
    let output = mz()
        .args(["hash", "--live", "-", &fixture("live/manifests")])
        .write_stdin(json)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stdout.contains(&format!(
            "  live: took environmentId {LIVE_PROD_ENVIRONMENT_ID} and force-rollout annotation {LIVE_PROD_ANNOTATION} from the live object\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("  live: changes are pending (UpToDate False, WaitingForApproval): the operator applies nothing until a rollout is requested, and the next requested rollout restarts\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "  live: no live object with this namespace/name in -; the hash is the manifest's own\n"
        ),
        "{stdout}"
    );
    assert_eq!(
        stderr,
        "note: -: live object analytics/mz2 has no manifest with its namespace/name under the given paths\n"
    );
}

#[test]
fn a_single_live_object_matches_a_manifest_without_namespace_by_name() {
    let yaml = std::fs::read_to_string(fixture(LIVE)).unwrap();
    let value: Value = yaml_serde::from_str(&yaml).unwrap();
    let single = serde_json::to_string(&value["items"][1]).unwrap();
    let live = std::env::temp_dir().join(format!("mz-presync-live-{}.json", std::process::id()));
    std::fs::write(&live, single).unwrap();
    let manifest = "apiVersion: materialize.cloud/v1alpha1\nkind: Materialize\nmetadata: {name: mz2}\nspec:\n  environmentdImageRef: materialize/environmentd:v26.1.0\n  backendSecretName: analytics-backend\n";
    let output = mz()
        .args([
            "hash",
            "--format",
            "json",
            "--live",
            live.to_str().unwrap(),
            "-",
        ])
        .write_stdin(manifest)
        .output()
        .unwrap();
    std::fs::remove_file(&live).unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["resources"][0]["exact"], true);
    assert_eq!(
        report["resources"][0]["live"],
        serde_json::json!({
            "environmentId": "8c7b6a59-4d3e-4f2a-9b1c-0d9e8f7a6b5c",
            "forceRolloutAnnotation": null,
            "status": {"rolloutInProgress": false, "pending": false, "upToDate": "True", "reason": "Applied"}
        })
    );
}

#[test]
fn stdin_cannot_be_both_the_live_objects_and_the_manifests() {
    let output = mz()
        .args(["hash", "--live", "-", "-"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: `--live -` reads the live objects from standard input, so no PATH can be `-` too"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn unparsable_live_input_is_a_usage_error() {
    let output = mz()
        .args(["hash", "--live", "-", &fixture("live/manifests")])
        .write_stdin("items: [unclosed\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("the live objects do not parse"), "{stderr}");
}

#[test]
fn a_v1_object_under_design_suggests_the_released_model_once() {
    let manifest = "apiVersion: materialize.cloud/v1\nkind: Materialize\nmetadata: {name: a}\nspec: {environmentdImageRef: x, backendSecretName: y}\n---\napiVersion: materialize.cloud/v1\nkind: Materialize\nmetadata: {name: b}\nspec: {environmentdImageRef: x, backendSecretName: y}\n";
    let output = mz()
        .args(["hash", "-"])
        .write_stdin(manifest)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.matches("--operator released").count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("note: materialize.cloud/v1 "),
        "{stderr}"
    );
    for quiet in [
        mz().args(["hash", "--operator", "released", "-"]),
        mz().args(["hash", "--quiet", "-"]),
    ] {
        let output = quiet.write_stdin(manifest).output().unwrap();
        assert!(output.stderr.is_empty());
    }
}
