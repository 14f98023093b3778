//! The hooks of .pre-commit-hooks.yaml, run by the real `pre-commit`
//! (`pre-commit try-repo <this repo> <hook> --files …`) in a temporary git
//! repository.
//!
//! `try-repo` clones the hook repository into a fresh store every time and
//! installs `language: rust` hooks with `cargo install --bins --root ENV
//! --path .`, a release build of several minutes. By default a stub `cargo`
//! in front of PATH answers that one call by checking that it is asked to
//! install this crate and copying the binary under test into ENV/bin; every
//! other cargo call goes to the real cargo. With
//! MZ_PRESYNC_PRE_COMMIT_BUILD=1 the real `cargo install` runs instead, in a
//! target directory kept under target/ so that later runs are incremental.
//!
//! The hook repository is a snapshot of this working tree (tracked and
//! untracked files, .gitignore honoured) committed to a bare repository, so
//! uncommitted changes to the hooks are tested too.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use tempfile::TempDir;

mod common;
use common::binary;

const THIS_REPO: &str = env!("CARGO_MANIFEST_DIR");

const GOOD_V1ALPHA2: &str = "\
apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: prod
spec:
  environmentdImageRef: materialize/environmentd:v26.1.0
  backendSecretName: materialize-backend
";

/// `rolloutStrategy` is an enum; `Bogus` is not one of its values.
const BAD_ROLLOUT_STRATEGY: &str = "\
apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: prod
spec:
  environmentdImageRef: materialize/environmentd:v26.1.0
  backendSecretName: materialize-backend
  rolloutStrategy: Bogus
";

const LEGACY_V1ALPHA1: &str = "\
apiVersion: materialize.cloud/v1alpha1
kind: Materialize
metadata:
  name: mz
  namespace: staging
spec:
  environmentdImageRef: materialize/environmentd:v26.1.0 # pinned by the platform team
  backendSecretName: materialize-backend
  requestRollout: 7b3a6f2e-2c1d-4e5f-8a9b-0c1d2e3f4a5b
";

const LEGACY_MIGRATED: &str = "\
apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: staging
spec:
  environmentdImageRef: materialize/environmentd:v26.1.0 # pinned by the platform team
  backendSecretName: materialize-backend
";

fn pre_commit_available() -> bool {
    let works = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return true;
    }
    if std::env::var("MZ_PRESYNC_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!(
            "pre-commit is required (MZ_PRESYNC_REQUIRE_TOOLS=1) but does not run; install it with .ci/tools.sh"
        );
    }
    eprintln!("SKIPPED: pre-commit is not installed; run .ci/tools.sh to install it");
    false
}

fn git(dir: &Path, env: &[(&str, &Path)], args: &[&str]) -> String {
    common::git(dir, "2026-11-25T10:00:00Z", env, args)
}

/// The hook repository and the tools every test shares: built once.
struct HookRepo {
    snapshot: PathBuf,
    stubs: Option<PathBuf>,
    install_log: PathBuf,
    _dir: TempDir,
}

fn hook_repo() -> &'static HookRepo {
    static REPO: OnceLock<HookRepo> = OnceLock::new();
    REPO.get_or_init(|| {
        let dir = TempDir::new().unwrap();
        let snapshot = dir.path().join("mz-presync.git");
        let index = dir.path().join("index");
        git(
            dir.path(),
            &[],
            &["init", "--quiet", "--bare", snapshot.to_str().unwrap()],
        );
        let this_repo = Path::new(THIS_REPO);
        let env = [
            ("GIT_DIR", snapshot.as_path()),
            ("GIT_WORK_TREE", this_repo),
            ("GIT_INDEX_FILE", &index),
        ];
        git(this_repo, &env, &["add", "--all"]);
        let tree = git(this_repo, &env, &["write-tree"]);
        let commit = git(
            this_repo,
            &env,
            &["commit-tree", &tree, "-m", "snapshot of the working tree"],
        );
        git(this_repo, &env, &["update-ref", "refs/heads/main", &commit]);
        git(
            this_repo,
            &env,
            &["symbolic-ref", "HEAD", "refs/heads/main"],
        );

        let install_log = dir.path().join("cargo-install.log");
        let stubs = if std::env::var("MZ_PRESYNC_PRE_COMMIT_BUILD").as_deref() == Ok("1") {
            None
        } else {
            Some(stub_cargo(dir.path(), &install_log))
        };
        HookRepo {
            snapshot,
            stubs,
            install_log,
            _dir: dir,
        }
    })
}

/// A `cargo` that answers `cargo install … --path DIR` for this crate with
/// the binary under test and hands every other call to the real cargo.
fn stub_cargo(dir: &Path, log: &Path) -> PathBuf {
    let real_cargo = String::from_utf8(
        Command::new("bash")
            .args(["-c", "command -v cargo"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();
    assert!(!real_cargo.is_empty(), "cargo is not on PATH");
    let stubs = dir.join("stubs");
    fs::create_dir_all(&stubs).unwrap();
    let script = format!(
        r#"#!/usr/bin/env bash
set -euo pipefail
if [ "${{1:-}}" != install ]; then exec '{real_cargo}' "$@"; fi
echo "cargo $* (in $PWD)" >> '{log}'
root='' path=''
while [ $# -gt 0 ]; do
  case $1 in --root) root=$2; shift ;; --path) path=$2; shift ;; esac
  shift
done
grep -q '^name = "mz-presync"$' "$path/Cargo.toml" || {{ echo "stub cargo: $path is not mz-presync" >&2; exit 101; }}
test -f "$path/.pre-commit-hooks.yaml"
mkdir -p "$root/bin"
cp '{binary}' "$root/bin/mz-presync"
echo "  Installed package \`mz-presync\` (stub: copied the binary under test)" >&2
"#,
        log = log.display(),
        binary = binary()
    );
    let cargo = stubs.join("cargo");
    fs::write(&cargo, script).unwrap();
    fs::set_permissions(&cargo, fs::Permissions::from_mode(0o755)).unwrap();
    stubs
}

/// A git repository holding `files`, all staged, as a user's would be.
fn user_repo(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    git(
        dir.path(),
        &[],
        &["init", "--quiet", "--initial-branch=main"],
    );
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    git(dir.path(), &[], &["add", "--all"]);
    git(dir.path(), &[], &["commit", "--quiet", "-m", "manifests"]);
    dir
}

struct HookRun {
    status: i32,
    output: String,
}

fn try_repo(repo: &Path, hook: &str, files: &[&str]) -> HookRun {
    try_repo_with_path(repo, hook, files, &[])
}

/// `try_repo` with `first` in front of PATH.
fn try_repo_with_path(repo: &Path, hook: &str, files: &[&str], first: &[&Path]) -> HookRun {
    let hooks = hook_repo();
    let home = TempDir::new().unwrap();
    let mut path: Vec<String> = first.iter().map(|p| p.display().to_string()).collect();
    if let Some(stubs) = &hooks.stubs {
        path.push(stubs.display().to_string());
    }
    path.push(std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new("pre-commit");
    command
        .args([
            "try-repo",
            hooks.snapshot.to_str().unwrap(),
            hook,
            "--color",
            "never",
            "--verbose",
            "--files",
        ])
        .args(files)
        .current_dir(repo)
        .env("PATH", path.join(":"))
        .env("PRE_COMMIT_HOME", home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        // For the real build: no network, and incremental across test runs.
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_INCREMENTAL", "1")
        .env(
            "CARGO_TARGET_DIR",
            Path::new(THIS_REPO).join("target/pre-commit-hooks"),
        );
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().unwrap();
    HookRun {
        status: status.code().unwrap_or(-1),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        ),
    }
}

fn assert_installed_this_crate() {
    let hooks = hook_repo();
    if hooks.stubs.is_none() {
        return;
    }
    let log = fs::read_to_string(&hooks.install_log).unwrap();
    for line in log.lines() {
        assert!(line.starts_with("cargo install --bins --root "), "{line}");
        assert!(line.contains(" --path . (in "), "{line}");
    }
}

#[test]
fn validate_passes_on_a_good_manifest() {
    if !pre_commit_available() {
        return;
    }
    let repo = user_repo(&[
        ("clusters/prod/mz.yaml", GOOD_V1ALPHA2),
        ("README.md", "# clusters\n"),
    ]);
    let run = try_repo(
        repo.path(),
        "mz-presync-validate",
        &["clusters/prod/mz.yaml", "README.md"],
    );
    assert_eq!(run.status, 0, "{}", run.output);
    assert!(run.output.contains("mz-presync validate"), "{}", run.output);
    assert!(run.output.contains("Passed"), "{}", run.output);
    assert_installed_this_crate();
}

#[test]
fn validate_fails_on_a_bad_manifest_and_says_why() {
    if !pre_commit_available() {
        return;
    }
    let repo = user_repo(&[("clusters/prod/mz.yaml", BAD_ROLLOUT_STRATEGY)]);
    let run = try_repo(
        repo.path(),
        "mz-presync-validate",
        &["clusters/prod/mz.yaml"],
    );
    assert_eq!(run.status, 1, "{}", run.output);
    assert!(run.output.contains("Failed"), "{}", run.output);
    assert!(
        run.output.contains("clusters/prod/mz.yaml"),
        "{}",
        run.output
    );
    assert!(
        run.output.contains("\"Bogus\""),
        "the finding names the value: {}",
        run.output
    );
}

#[test]
fn migrate_rewrites_a_v1alpha1_manifest_and_pre_commit_reports_it_modified() {
    if !pre_commit_available() {
        return;
    }
    let repo = user_repo(&[("clusters/staging/mz.yaml", LEGACY_V1ALPHA1)]);
    let run = try_repo(
        repo.path(),
        "mz-presync-migrate",
        &["clusters/staging/mz.yaml"],
    );
    assert_eq!(run.status, 1, "{}", run.output);
    assert!(
        run.output.contains("files were modified by this hook"),
        "{}",
        run.output
    );
    let migrated = fs::read_to_string(repo.path().join("clusters/staging/mz.yaml")).unwrap();
    assert_eq!(migrated, LEGACY_MIGRATED);
}

#[test]
fn migrate_check_fails_on_a_v1alpha1_manifest_and_passes_once_migrated() {
    if !pre_commit_available() {
        return;
    }
    let repo = user_repo(&[("clusters/staging/mz.yaml", LEGACY_V1ALPHA1)]);
    let run = try_repo(
        repo.path(),
        "mz-presync-migrate-check",
        &["clusters/staging/mz.yaml"],
    );
    assert_eq!(run.status, 1, "{}", run.output);
    assert!(run.output.contains("Failed"), "{}", run.output);
    assert!(
        !run.output.contains("files were modified"),
        "--check writes nothing: {}",
        run.output
    );
    let untouched = fs::read_to_string(repo.path().join("clusters/staging/mz.yaml")).unwrap();
    assert_eq!(untouched, LEGACY_V1ALPHA1);

    fs::write(
        repo.path().join("clusters/staging/mz.yaml"),
        LEGACY_MIGRATED,
    )
    .unwrap();
    git(repo.path(), &[], &["add", "--all"]);
    let run = try_repo(
        repo.path(),
        "mz-presync-migrate-check",
        &["clusters/staging/mz.yaml"],
    );
    assert_eq!(run.status, 0, "{}", run.output);
    assert!(run.output.contains("Passed"), "{}", run.output);
}

/// The hooks pass no operator: `mz-presync` finds `.mz-presync.yaml` upward
/// from the directory pre-commit runs it in (the repository root), so the
/// repository's `operator: released` decides what the migrate hook writes.
#[test]
fn the_repositorys_config_file_selects_the_operator_for_the_hooks() {
    if !pre_commit_available() {
        return;
    }
    let repo = user_repo(&[
        ("clusters/staging/mz.yaml", LEGACY_V1ALPHA1),
        (
            ".mz-presync.yaml",
            "# yaml-language-server: $schema=https://example.invalid/config.schema.json\noperator: released\n",
        ),
    ]);
    let run = try_repo(
        repo.path(),
        "mz-presync-migrate",
        &["clusters/staging/mz.yaml"],
    );
    assert_eq!(run.status, 1, "{}", run.output);
    assert!(
        run.output.contains("files were modified by this hook"),
        "{}",
        run.output
    );
    let migrated = fs::read_to_string(repo.path().join("clusters/staging/mz.yaml")).unwrap();
    // The released operator serves v1, not v1alpha2.
    assert_eq!(
        migrated,
        LEGACY_MIGRATED.replace("materialize.cloud/v1alpha2", "materialize.cloud/v1")
    );
}

#[test]
fn every_rust_hook_has_a_system_twin_that_runs_the_same_command() {
    let hooks: serde_json::Value = yaml_serde::from_str(
        &fs::read_to_string(Path::new(THIS_REPO).join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let hooks = hooks.as_array().unwrap();
    let rust: Vec<_> = hooks.iter().filter(|h| h["language"] == "rust").collect();
    assert_eq!(rust.len(), 3);
    for hook in rust {
        let id = hook["id"].as_str().unwrap();
        let twin = hooks
            .iter()
            .find(|h| h["id"] == format!("{id}-system").as_str())
            .unwrap_or_else(|| panic!("{id} has no {id}-system"));
        assert_eq!(twin["language"], "system");
        for key in ["entry", "types_or", "require_serial", "name"] {
            assert_eq!(twin[key], hook[key], "{id}-system: {key}");
        }
    }
}

/// A directory holding `mz-presync`: a script that logs its call to
/// `log` and runs the binary under test, as an installed release would.
fn mz_presync_on_path(dir: &Path, log: &Path) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let script = format!(
        "#!/bin/sh\necho \"mz-presync $*\" >> '{}'\nexec '{}' \"$@\"\n",
        log.display(),
        binary()
    );
    fs::write(bin.join("mz-presync"), script).unwrap();
    fs::set_permissions(bin.join("mz-presync"), fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn system_hooks_run_the_mz_presync_on_path() {
    if !pre_commit_available() {
        return;
    }
    let tools = TempDir::new().unwrap();
    let log = tools.path().join("calls.log");
    let bin = mz_presync_on_path(tools.path(), &log);

    let repo = user_repo(&[("clusters/prod/mz.yaml", BAD_ROLLOUT_STRATEGY)]);
    let run = try_repo_with_path(
        repo.path(),
        "mz-presync-validate-system",
        &["clusters/prod/mz.yaml"],
        &[&bin],
    );
    assert_eq!(run.status, 1, "{}", run.output);
    assert!(run.output.contains("\"Bogus\""), "{}", run.output);

    let repo = user_repo(&[("clusters/staging/mz.yaml", LEGACY_V1ALPHA1)]);
    let run = try_repo_with_path(
        repo.path(),
        "mz-presync-migrate-system",
        &["clusters/staging/mz.yaml"],
        &[&bin],
    );
    assert_eq!(run.status, 1, "{}", run.output);
    let migrated = fs::read_to_string(repo.path().join("clusters/staging/mz.yaml")).unwrap();
    assert_eq!(migrated, LEGACY_MIGRATED);
    let run = try_repo_with_path(
        repo.path(),
        "mz-presync-migrate-check-system",
        &["clusters/staging/mz.yaml"],
        &[&bin],
    );
    assert_eq!(run.status, 0, "{}", run.output);

    let calls = fs::read_to_string(&log).unwrap();
    assert_eq!(
        calls,
        "mz-presync validate clusters/prod/mz.yaml\n\
         mz-presync migrate clusters/staging/mz.yaml\n\
         mz-presync migrate --check clusters/staging/mz.yaml\n"
    );
}
