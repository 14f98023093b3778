//! Issue 14's must-show case on one repository: fixtures/units (Argo CD
//! Applications for two clusters over kustomize overlays of one base, a Flux
//! Kustomization, two plain cluster directories holding the same
//! namespace/name, and a true duplicate inside one directory), committed into
//! a git history and read by the built binary:
//!
//! * `validate` reports exactly the true duplicate;
//! * the pull request that promotes us-east to eu-west's previous image and
//!   moves eu-west on gives two net rollouts, one per cluster directory;
//! * a change to the shared base rolls out, rendered, the two Applications
//!   built from it and nothing else.
//!
//! The rendered case needs `kubectl kustomize` or `kustomize`; it skips with
//! a message when neither is on PATH, unless `MZ_PRESYNC_REQUIRE_TOOLS=1`.

use std::path::Path;

use assert_cmd::Command;
use git2::{Repository, Signature, Time};
use serde_json::Value;

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Commits the whole work tree; returns the commit id.
fn commit_all(repo: &Repository, message: &str, seconds: i64) -> String {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.update_all(["*"], None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let signature = Signature::new("Dev", "dev@example.com", &Time::new(seconds, 0)).unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(
        Some("HEAD"),
        &signature,
        &signature,
        message,
        &tree,
        &parents,
    )
    .unwrap()
    .to_string()
}

fn set_image(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

fn run_json(root: &Path, args: &[&str]) -> (i32, Value) {
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .current_dir(root)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|err| {
        panic!(
            "{args:?}: not JSON ({err}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap(), json)
}

/// `unit-name:namespace/name` of every net resource the range rolls out.
fn net_rollouts(report: &Value) -> Vec<String> {
    report["resources"]
        .as_array()
        .expect("rollouts JSON has resources")
        .iter()
        .filter(|r| r["rollout"] == true)
        .map(|r| {
            format!(
                "{}:{}/{}",
                r["unit"]["name"].as_str().unwrap(),
                r["namespace"].as_str().unwrap_or("-"),
                r["name"].as_str().unwrap()
            )
        })
        .collect()
}

/// The fixture committed once, with eu-west one image ahead of us-east.
fn fixture_repository() -> (tempfile::TempDir, Repository, String) {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    copy_dir(Path::new("fixtures/units"), dir.path());
    set_image(dir.path(), "clusters/eu-west/mz.yaml", "v26.1.0", "v26.2.0");
    let base = commit_all(&repo, "initial", 1_764_000_000);
    (dir, repo, base)
}

#[test]
fn validate_reports_exactly_the_duplicate_inside_one_unit() {
    let (dir, _repo, _) = fixture_repository();
    let (code, report) = run_json(dir.path(), &["validate", "--format", "json", "."]);
    let duplicates: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "duplicate-resource")
        .map(|f| {
            (
                f["file"].as_str().unwrap(),
                f["unit"]["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(duplicates, [("plain/b.yaml", "plain")], "{report:#}");
    assert_eq!(code, 1);
}

#[test]
fn promoting_across_clusters_rolls_out_both() {
    let (dir, repo, base) = fixture_repository();
    // us-east takes eu-west's previous image; eu-west moves on.
    set_image(dir.path(), "clusters/us-east/mz.yaml", "v26.1.0", "v26.2.0");
    set_image(dir.path(), "clusters/eu-west/mz.yaml", "v26.2.0", "v26.3.0");
    commit_all(&repo, "promote us-east, move eu-west on", 1_764_000_100);
    let range = format!("{base}..HEAD");
    let (code, report) = run_json(
        dir.path(),
        &[
            "rollouts",
            "--format",
            "json",
            "--fail-on",
            "rollout",
            &range,
        ],
    );
    assert_eq!(
        net_rollouts(&report),
        [
            "clusters/eu-west:materialize/mz",
            "clusters/us-east:materialize/mz"
        ],
        "{report:#}"
    );
    assert_eq!(code, 1, "--fail-on rollout fails on the two rollouts");
}

#[test]
fn a_base_change_rolls_out_every_unit_built_from_it_and_no_other() {
    let has_tool = ["kustomize", "kubectl"].iter().any(|tool| {
        std::process::Command::new(tool)
            .arg("version")
            .arg("--client")
            .output()
            .is_ok()
    });
    if !has_tool {
        assert!(
            std::env::var_os("MZ_PRESYNC_REQUIRE_TOOLS").is_none(),
            "MZ_PRESYNC_REQUIRE_TOOLS is set but neither kustomize nor kubectl is on PATH"
        );
        eprintln!("skipped: neither kustomize nor kubectl is on PATH");
        return;
    }
    let (dir, repo, _) = fixture_repository();
    let before = commit_all(&repo, "unchanged", 1_764_000_050);
    set_image(dir.path(), "apps/base/mz.yaml", "v26.1.0", "v26.2.0");
    commit_all(&repo, "move the shared base on", 1_764_000_100);
    let range = format!("{before}..HEAD");
    let (code, report) = run_json(
        dir.path(),
        &["rollouts", "--render", "--format", "json", &range],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        net_rollouts(&report),
        ["app-eu-west:apps/app", "app-us-east:apps/app"],
        "{report:#}"
    );
    let rendered: Vec<&str> = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unit"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(rendered, ["argocd-application", "argocd-application"]);
    // Judged on kustomize's output, not on the base file read as it is.
    let how: Vec<&str> = report["commits"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rendered"].as_str().unwrap_or("not rendered"))
        .collect();
    assert_eq!(how, ["kustomize", "kustomize"], "{report:#}");
}
