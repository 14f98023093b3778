//! End-to-end: `.mz-presync.yaml`'s `rules:`, `ignore:` and `units:` in a
//! temporary repository (units' effects: `tests/validate_units.rs`).

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const WARNING: &str = include_str!("../fixtures/rules/unknown-field/misspelt-field.yaml");
const ERROR: &str = include_str!("../fixtures/rules/schema/missing-required.yaml");

fn repo(config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("clusters/vendor")).unwrap();
    std::fs::write(dir.path().join("clusters/warning.yaml"), WARNING).unwrap();
    std::fs::write(dir.path().join("clusters/vendor/error.yaml"), ERROR).unwrap();
    if let Some(config) = config {
        std::fs::write(dir.path().join(".mz-presync.yaml"), config).unwrap();
    }
    dir
}

fn mz(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("mz-presync").unwrap();
    cmd.current_dir(dir)
        .env_remove("MZ_PRESYNC_OPERATOR")
        .env("NO_COLOR", "1");
    cmd
}

/// `validate --format json`: exit code, and each finding's rule and severity.
fn validate(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String)>) {
    let output = mz(dir)
        .args(["validate", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "{err}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let findings = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (output.status.code().unwrap(), findings)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn without_a_config_file_nothing_changes() {
    let dir = repo(None);
    let (code, findings) = validate(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings,
        pairs(&[("schema", "error"), ("unknown-field", "warning")])
    );
}

#[test]
fn a_disabled_rule_reports_nothing_and_the_exit_code_follows() {
    let dir = repo(Some("rules:\n  schema: off\n"));
    let (code, findings) = validate(dir.path(), &[]);
    assert_eq!(findings, pairs(&[("unknown-field", "warning")]));
    assert_eq!(code, 0);
}

#[test]
fn a_warning_raised_to_an_error_fails_the_run() {
    let dir = repo(Some("rules:\n  unknown-field: error\n"));
    let (code, findings) = validate(dir.path(), &["clusters/warning.yaml"]);
    assert_eq!(findings, pairs(&[("unknown-field", "error")]));
    assert_eq!(code, 1);
    // SARIF shows the overridden level too.
    let output = mz(dir.path())
        .args(["validate", "--format", "sarif", "clusters/warning.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["level"], "error");
    // And lowered again: a note.
    let dir = repo(Some("rules:\n  unknown-field: note\n  schema: warning\n"));
    let (code, findings) = validate(dir.path(), &[]);
    assert_eq!(
        findings,
        pairs(&[("schema", "warning"), ("unknown-field", "note")])
    );
    assert_eq!(code, 0);
}

#[test]
fn ignored_files_are_skipped_when_walking_but_read_when_named() {
    let dir = repo(Some("ignore:\n  - vendor/\n"));
    let (code, findings) = validate(dir.path(), &[]);
    assert_eq!(findings, pairs(&[("unknown-field", "warning")]));
    assert_eq!(code, 0);
    // From a subdirectory too: the globs are relative to the file's directory.
    let (code, findings) = validate(&dir.path().join("clusters"), &["."]);
    assert_eq!((code, findings.len()), (0, 1));
    // A file named on the command line is read anyway.
    let (code, findings) = validate(dir.path(), &["clusters/vendor/error.yaml"]);
    assert_eq!((code, findings), (1, pairs(&[("schema", "error")])));
    // An anchored glob, and `hash` skips the same files.
    let dir = repo(Some("ignore: ['/clusters/*/error.yaml']\n"));
    let (code, _) = validate(dir.path(), &[]);
    assert_eq!(code, 0);
    let output = mz(dir.path())
        .args(["hash", "--format", "json", "."])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("warning.yaml"), "{text}");
    assert!(!text.contains("error.yaml"), "{text}");
    // `migrate` skips them too.
    let dir = repo(Some("ignore: [vendor]\n"));
    std::fs::write(
        dir.path().join("clusters/vendor/old.yaml"),
        include_str!("../fixtures/rules/deprecated-version/mid-rollout-status.yaml"),
    )
    .unwrap();
    let check = |dir: &Path| {
        mz(dir)
            .args(["migrate", "--check", "--quiet", "."])
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(check(dir.path()), Some(0));
    std::fs::remove_file(dir.path().join(".mz-presync.yaml")).unwrap();
    assert_eq!(check(dir.path()), Some(1));
}

#[test]
fn render_prints_the_stream_once_the_failing_rule_is_off() {
    let dir = repo(None);
    let render = |dir: &Path| mz(dir).args(["render", "clusters"]).output().unwrap();
    let output = render(dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let dir = repo(Some("rules: {schema: off, duplicate-resource: off}\n"));
    let output = render(dir.path());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(!output.stdout.is_empty());
    let dir = repo(Some("rules: {unknown-field: error}\nignore: [vendor]\n"));
    let output = render(dir.path());
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty());
}

#[test]
fn unknown_rule_ids_and_bad_values_are_usage_errors() {
    let dir = repo(Some("rules:\n  unknown-feild: off\n  schema: off\n"));
    let output = mz(dir.path()).args(["validate"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            ".mz-presync.yaml: unknown rule id unknown-feild under `rules:`; valid ids: "
        ),
        "{stderr}"
    );
    for id in mz_presync_ids() {
        assert!(stderr.contains(id), "{id} missing from {stderr}");
    }
    let dir = repo(Some("rules:\n  schema: fatal\n"));
    let output = mz(dir.path()).args(["validate"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("fatal"));
    let dir = repo(Some("ignore: ['a[']\n"));
    let output = mz(dir.path()).args(["hash", "."]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("ignore pattern \"a[\""));
}

fn mz_presync_ids() -> [&'static str; 3] {
    ["schema", "unknown-field", "conversion-failed"]
}

#[test]
fn rollouts_findings_follow_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .current_dir(dir.path())
            .args(["-c", "user.name=Dana", "-c", "user.email=dana@example.com"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    let manifest = |image: &str| {
        format!(
            "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata:\n  name: mz\n  namespace: prod\nspec:\n  environmentdImageRef: materialize/environmentd:{image}\n  backendSecretName: materialize-backend\n  rolloutStrategy: ImmediatelyPromoteCausingDowntime\n"
        )
    };
    git(&["init", "-q"]);
    std::fs::write(dir.path().join("mz.yaml"), manifest("v26.1.0")).unwrap();
    git(&["add", "mz.yaml"]);
    git(&["commit", "-qm", "create"]);
    std::fs::write(dir.path().join("mz.yaml"), manifest("v26.2.0")).unwrap();
    git(&["commit", "-qam", "upgrade"]);
    let rollouts = |config: &str| {
        std::fs::write(dir.path().join(".mz-presync.yaml"), config).unwrap();
        let output = mz(dir.path())
            .args(["rollouts", "--format", "json", "HEAD~1..HEAD"])
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&output.stdout).unwrap();
        let findings: Vec<String> = json["commits"][0]["changes"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {}", f["rule"], f["severity"]).replace('"', ""))
            .collect();
        (output.status.code().unwrap(), findings)
    };
    assert_eq!(
        rollouts(""),
        (0, vec!["downtime-strategy warning".to_owned()])
    );
    assert_eq!(
        rollouts("rules: {downtime-strategy: error}\n"),
        (1, vec!["downtime-strategy error".to_owned()])
    );
    assert_eq!(rollouts("rules: {downtime-strategy: off}\n"), (0, vec![]));
}

#[test]
fn the_readme_example_is_a_valid_configuration() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let after = readme
        .split_once("The same file can change what rules report")
        .unwrap()
        .1;
    let block = after
        .split_once("```yaml\n")
        .unwrap()
        .1
        .split_once("```")
        .unwrap()
        .0;
    let dir = repo(Some(block));
    let output = mz(dir.path())
        .args(["validate", "--quiet"])
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn the_readme_units_example_is_valid_and_units_are_checked_for_every_command() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let block = readme
        .split_once("say it in\n`.mz-presync.yaml`:\n\n```yaml\n")
        .unwrap()
        .1
        .split_once("```")
        .unwrap()
        .0;
    let dir = repo(Some(block));
    let (code, _) = validate(dir.path(), &[]);
    assert_ne!(code, 2);
    // A bad `units:` stops every command, as any mistake in the file does.
    let dir = repo(Some("units:\n  - path: clusters/**\n    name: all\n"));
    for args in [&["validate"][..], &["hash", "."][..]] {
        let output = mz(dir.path()).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(".mz-presync.yaml is not a valid mz-presync configuration")
                && stderr.contains("has a wildcard"),
            "{stderr}"
        );
    }
    let dir = repo(Some("units: [{path: clusters, namespaces: x}]\n"));
    let output = mz(dir.path()).args(["validate"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("namespaces"));
}
