//! `migrate --format json` under both operator models (issue 13, item 4),
//! asserted on exact JSON, and the released model's conversion rules.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};

const UPGRADE_EXAMPLE: &str = "14_materialize_docs_upgrade-v1alpha1-yaml.excerpt.yaml";
const V1ALPHA2_EXAMPLE: &str =
    "09_materialize_docs_upgrading_materialize-instances_v1alpha2.md.excerpt.yaml";

/// A temporary directory holding a copy of one real-world fixture, so no
/// `.mz-presync.yaml` above the checkout can change the model.
fn copy_of(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/realworld")
        .join(name);
    fs::write(dir.path().join(name), fs::read(from).unwrap()).unwrap();
    dir
}

fn mz(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("mz-presync").unwrap();
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("MZ_PRESYNC_OPERATOR")
        .arg("migrate");
    cmd
}

fn json_of(stdout: &[u8]) -> Value {
    serde_json::from_slice(stdout).unwrap_or_else(|err| {
        panic!(
            "stdout is not one JSON document ({err}): {}",
            String::from_utf8_lossy(stdout)
        )
    })
}

fn upgrade_example(operator: &str, to: &str, rollout: bool, restart: &str) -> Value {
    json!({
        "version": 1,
        "operator": operator,
        "resources": [{
            "file": UPGRADE_EXAMPLE,
            "line": 2,
            "namespace": "materialize-environment",
            "name": "12345678-1234-1234-1234-123456789012",
            "from": "materialize.cloud/v1alpha1",
            "to": to,
            "rollout": rollout,
            "restart": restart,
            "changes": [
                format!("apiVersion → {to}"),
                "removed spec.requestRollout",
                "removed spec.inPlaceRollout",
            ],
            "notes": [],
        }],
    })
}

#[test]
fn design_check_says_the_docs_upgrade_example_is_rollout_neutral() {
    let dir = copy_of(UPGRADE_EXAMPLE);
    let output = mz(dir.path())
        .args(["--check", "--format", "json", UPGRADE_EXAMPLE])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "--check found something to migrate"
    );
    assert_eq!(
        json_of(&output.stdout),
        upgrade_example("design", "materialize.cloud/v1alpha2", false, "no")
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("would migrate 1 resource in 1 file (operator: design)\n"),
        "the per-resource line is in the JSON, not on stderr: {stderr}"
    );
}

#[test]
fn released_says_adopting_v1_requests_one_rollout_that_may_restart() {
    let dir = copy_of(UPGRADE_EXAMPLE);
    let before = fs::read(dir.path().join(UPGRADE_EXAMPLE)).unwrap();
    // --diff with --format json: the JSON alone on stdout, nothing written.
    let output = mz(dir.path())
        .args([
            "--operator",
            "released",
            "--diff",
            "--format",
            "json",
            UPGRADE_EXAMPLE,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let expected = upgrade_example("released", "materialize.cloud/v1", true, "maybe");
    assert_eq!(json_of(&output.stdout), expected);
    assert_eq!(fs::read(dir.path().join(UPGRADE_EXAMPLE)).unwrap(), before);

    // In place: the same report, and the file is rewritten.
    let output = mz(dir.path())
        .args([
            "--operator",
            "released",
            "--format",
            "json",
            UPGRADE_EXAMPLE,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(json_of(&output.stdout), expected);
    let after = fs::read_to_string(dir.path().join(UPGRADE_EXAMPLE)).unwrap();
    assert!(
        after.contains("apiVersion: materialize.cloud/v1\n"),
        "{after}"
    );
    assert!(!after.contains("requestRollout"));

    // The human line says the same in words.
    let dir = copy_of(UPGRADE_EXAMPLE);
    let output = mz(dir.path())
        .args(["--operator", "released", "--check", UPGRADE_EXAMPLE])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(
            "apiVersion → materialize.cloud/v1; removed spec.requestRollout, spec.inPlaceRollout; requests one rollout; nothing restarts unless changes are already pending\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "would migrate 1 resource in 1 file; 1 resource requests a rollout (operator: released)"
        ),
        "{stderr}"
    );
}

#[test]
fn released_renames_v1alpha2_to_v1_and_design_leaves_it() {
    let dir = copy_of(V1ALPHA2_EXAMPLE);
    let output = mz(dir.path())
        .args([
            "--operator",
            "released",
            "--check",
            "--format",
            "json",
            V1ALPHA2_EXAMPLE,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        json_of(&output.stdout),
        json!({"version": 1, "operator": "released", "resources": [{
            "file": V1ALPHA2_EXAMPLE, "line": 2,
            "namespace": "materialize-environment", "name": "12345678-1234-1234-1234-123456789012",
            "from": "materialize.cloud/v1alpha2", "to": "materialize.cloud/v1",
            "rollout": false, "restart": "no",
            "changes": ["apiVersion → materialize.cloud/v1"], "notes": [],
        }]})
    );
    // The design document serves v1alpha2: nothing to migrate, even to v1.
    let output = mz(dir.path())
        .args([
            "--to",
            "v1",
            "--check",
            "--format",
            "json",
            V1ALPHA2_EXAMPLE,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        json_of(&output.stdout),
        json!({"version": 1, "operator": "design", "resources": []})
    );
}

const MANIFEST: &str = "apiVersion: materialize.cloud/v1alpha1
kind: Materialize
metadata:
  name: mz
  namespace: prod
spec:
  environmentdImageRef: materialize/environmentd:v26.1.0
  backendSecretName: materialize-backend
";

#[test]
fn released_requests_no_rollout_when_request_rollout_is_already_derived() {
    use mz_presync::crd::{Algorithm, Version, convert, hash::request_rollout_uuid, rollout_hash};
    let object: Value = serde_yaml_ng_or_json(MANIFEST);
    let v1 = convert(&object, Version::V1).unwrap().object;
    let derived = request_rollout_uuid(&rollout_hash(&v1, Algorithm::V1).unwrap().hex);
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("mz.yaml"),
        format!("{MANIFEST}  requestRollout: {derived}\n"),
    )
    .unwrap();
    let output = mz(dir.path())
        .args([
            "--operator",
            "released",
            "--check",
            "--format",
            "json",
            "mz.yaml",
        ])
        .output()
        .unwrap();
    let report = json_of(&output.stdout);
    assert_eq!(report["resources"][0]["rollout"], false);
    assert_eq!(report["resources"][0]["restart"], "no");
    // Any other hand-set value requests one.
    fs::write(
        dir.path().join("mz.yaml"),
        format!("{MANIFEST}  requestRollout: 22222222-2222-2222-2222-222222222222\n"),
    )
    .unwrap();
    let output = mz(dir.path())
        .args([
            "--operator",
            "released",
            "--check",
            "--format",
            "json",
            "mz.yaml",
        ])
        .output()
        .unwrap();
    let report = json_of(&output.stdout);
    assert_eq!(report["resources"][0]["rollout"], true);
    assert_eq!(report["resources"][0]["restart"], "maybe");
}

/// The manifest above as a value (it is plain enough for a line parser).
fn serde_yaml_ng_or_json(text: &str) -> Value {
    let mut spec = serde_json::Map::new();
    for line in text.lines().skip_while(|l| *l != "spec:").skip(1) {
        let (key, value) = line.trim().split_once(": ").unwrap();
        spec.insert(key.to_owned(), json!(value));
    }
    json!({"apiVersion": "materialize.cloud/v1alpha1", "kind": "Materialize",
           "metadata": {"name": "mz", "namespace": "prod"}, "spec": spec})
}

#[test]
fn released_keeps_a_force_promote_its_webhook_would_keep() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("mz.yaml"),
        format!("{MANIFEST}  forcePromote: \"00000000000000000000000000000000\"\n"),
    )
    .unwrap();
    let changes = |operator: &str| {
        let output = mz(dir.path())
            .args([
                "--operator",
                operator,
                "--check",
                "--format",
                "json",
                "mz.yaml",
            ])
            .output()
            .unwrap();
        json_of(&output.stdout)["resources"][0]["changes"].clone()
    };
    assert_eq!(
        changes("design"),
        json!([
            "apiVersion → materialize.cloud/v1alpha2",
            "removed spec.forcePromote"
        ])
    );
    assert_eq!(
        changes("released"),
        json!(["apiVersion → materialize.cloud/v1"])
    );
}

#[test]
fn json_and_a_stream_on_stdin_do_not_share_stdout() {
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["migrate", "--format", "json", "-"])
        .write_stdin(MANIFEST)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .env_remove("MZ_PRESYNC_OPERATOR")
        .args([
            "migrate",
            "--operator",
            "released",
            "--diff",
            "--format",
            "json",
            "-",
        ])
        .write_stdin(MANIFEST)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report = json_of(&output.stdout);
    assert_eq!(report["resources"][0]["file"], "-");
    assert_eq!(report["resources"][0]["rollout"], true);
}
