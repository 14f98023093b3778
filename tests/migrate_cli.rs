//! End-to-end tests of `mz-presync migrate`, run on a copy of
//! `fixtures/migrate/repo/` (a small GitOps repository) in a temporary
//! directory.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            // Written anew, so the copy is writable even if the fixture is not.
            fs::write(&target, fs::read(entry.path()).unwrap()).unwrap();
        }
    }
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("migrate/repo"), dir.path());
    dir
}

fn mz(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("mz-presync").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1").arg("migrate");
    cmd
}

/// Every file under `dir`, with its bytes.
fn snapshot_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn check_fails_on_v1alpha1_and_passes_after_migrate() {
    let dir = repo();
    let before = snapshot_tree(dir.path());
    mz(dir.path())
        .args(["--check", "."])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "would migrate 4 resources in 5 files",
        ));
    assert_eq!(snapshot_tree(dir.path()), before, "--check writes nothing");

    mz(dir.path())
        .arg(".")
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("migrated 4 resources in 5 files"));
    assert_ne!(snapshot_tree(dir.path()), before);

    mz(dir.path())
        .args(["--check", "."])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("nothing to migrate"));
    // And a second migration changes nothing.
    let after = snapshot_tree(dir.path());
    mz(dir.path()).arg(".").assert().code(0);
    assert_eq!(snapshot_tree(dir.path()), after);
}

#[test]
fn human_report_on_the_repository() {
    let dir = repo();
    let output = mz(dir.path()).args(["--check", "."]).output().unwrap();
    insta::assert_snapshot!(String::from_utf8(output.stderr).unwrap());
}

#[test]
fn diff_prints_a_unified_diff_and_writes_nothing() {
    let dir = repo();
    let before = snapshot_tree(dir.path());
    let output = mz(dir.path()).args(["--diff", "base"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(snapshot_tree(dir.path()), before);
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

#[test]
fn kustomize_targets_and_patch_files_are_migrated() {
    let dir = repo();
    mz(dir.path())
        .arg(".")
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "overlays/prod/materialize-patch.yaml:3: materialize-environment/analytics (patch):",
        ))
        .stderr(predicate::str::contains(
            "the inline patch at /patches/2/patch mentions `requestRollout`",
        ));
    let kustomization =
        fs::read_to_string(dir.path().join("overlays/prod/kustomization.yaml")).unwrap();
    assert!(
        kustomization.contains("      version: v1alpha2   # the version the base is written in\n")
    );
    assert!(kustomization.contains(
        "  - target: {group: materialize.cloud, version: v1alpha2, kind: Materialize}\n"
    ));
    let patch =
        fs::read_to_string(dir.path().join("overlays/prod/materialize-patch.yaml")).unwrap();
    assert!(patch.ends_with(
        "  serviceAccountAnnotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::000000000000:role/analytics-prod\n"
    ));
    // The Helm chart template is left alone.
    assert_eq!(
        fs::read(dir.path().join("charts/mz/templates/materialize.yaml")).unwrap(),
        fs::read(fixture("migrate/repo/charts/mz/templates/materialize.yaml")).unwrap()
    );
}

#[test]
fn to_v1_keeps_the_rollout_request_timeout() {
    let dir = repo();
    mz(dir.path())
        .args(["--to", "v1", "clusters/staging"])
        .assert()
        .code(0);
    let json = fs::read_to_string(dir.path().join("clusters/staging/materialize.json")).unwrap();
    assert!(json.contains("\"apiVersion\": \"materialize.cloud/v1\","));
    assert!(json.contains("    \"rolloutRequestTimeout\": \"2h\"\n  }\n}\n"));
    assert!(!json.contains("requestRollout\""));
}

#[test]
fn stdin_is_migrated_to_stdout() {
    let input = fs::read(fixture("migrate/crlf-bom.yaml")).unwrap();
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["migrate", "-"])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with(
        "\u{feff}# BOM and CRLF line endings\r\napiVersion: materialize.cloud/v1alpha2\r\n"
    ));
    assert!(!stdout.contains("requestRollout"));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("-:2: materialize/windows: apiVersion → materialize.cloud/v1alpha2"),
        "{stderr}"
    );

    // A stream with nothing to migrate passes through byte for byte.
    let unrelated = fs::read(fixture(
        "realworld/09_materialize_docs_upgrading_materialize-instances_v1alpha2.md.excerpt.yaml",
    ))
    .unwrap();
    Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["migrate", "-"])
        .write_stdin(unrelated.clone())
        .assert()
        .code(0)
        .stdout(predicate::eq(unrelated));
}

#[test]
fn stdin_with_a_syntax_error_prints_nothing_and_fails() {
    Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["migrate", "-"])
        .write_stdin(fs::read(fixture("migrate/syntax-error.yaml")).unwrap())
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "-:7:20: document 1 does not parse",
        ));
}

#[test]
fn stdin_cannot_be_mixed_with_paths() {
    Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["migrate", "-", "."])
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn a_read_only_file_is_an_error_and_the_others_still_migrate() {
    let dir = repo();
    let locked = dir.path().join("base/materialize.yaml");
    let mut perms = fs::metadata(&locked).unwrap().permissions();
    perms.set_readonly(true);
    fs::set_permissions(&locked, perms).unwrap();
    let before = fs::read(&locked).unwrap();
    mz(dir.path())
        .arg(".")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "base/materialize.yaml: the file is read-only; make it writable (chmod u+w) to migrate it",
        ))
        .stderr(predicate::str::contains("migrated 3 resources in 4 files"));
    assert_eq!(fs::read(&locked).unwrap(), before);
    let json = fs::read_to_string(dir.path().join("clusters/staging/materialize.json")).unwrap();
    assert!(json.contains("materialize.cloud/v1alpha2"));
}

#[test]
fn a_file_with_a_syntax_error_is_left_alone_and_fails_the_run() {
    let dir = repo();
    fs::copy(
        fixture("migrate/syntax-error.yaml"),
        dir.path().join("broken.yaml"),
    )
    .unwrap();
    let before = fs::read(dir.path().join("broken.yaml")).unwrap();
    mz(dir.path())
        .arg(".")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error: broken.yaml:7:20: document 1 does not parse",
        ));
    assert_eq!(fs::read(dir.path().join("broken.yaml")).unwrap(), before);
    // Everything else was migrated.
    mz(dir.path())
        .args(["--check", "base", "clusters", "overlays"])
        .assert()
        .code(0);
}
