//! End-to-end: a repository built commit by commit with git2 (fixed
//! signatures and times, so object ids are stable), then `mz-presync
//! rollouts` run as a binary against it. Every step the issue lists is one
//! commit; the JSON report is asserted whole.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use git2::{Oid, Repository, Signature, Time};

const MZ_PATH: &str = "clusters/prod/mz.yaml";
/// A rename inside the manifest's deploy unit (its directory): no change.
/// Moving it to another directory moves it to another unit (see
/// `tests/rollouts_units.rs`).
const MOVED_PATH: &str = "clusters/prod/materialize.yaml";
const ENV_A: &str = "2c7b1d39-7a3e-4d6c-9a43-2b0c8e8a5f11";
const ENV_B: &str = "9f0e7c7e-4a41-4a7b-8a7d-7f6f0f3c2d10";

const V1ALPHA1: &str = "# Production Materialize environment.
apiVersion: materialize.cloud/v1alpha1
kind: Materialize
metadata:
  name: mz
  namespace: prod
  labels:
    team: data
spec:
  environmentdImageRef: materialize/environmentd:v0.147.20
  backendSecretName: mz-backend
  environmentId: 2c7b1d39-7a3e-4d6c-9a43-2b0c8e8a5f11
  requestRollout: 11111111-1111-4111-8111-111111111111
  balancerdReplicas: 2
  forcePromote: \"\"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: mz-system-parameters
  namespace: prod
data:
  max_connections: \"1000\"
";

/// What `mz-presync migrate` produces for the v1alpha1 manifest after the
/// excluded-field and image edits: `requestRollout` and the apiVersion
/// change, nothing else (the non-empty `forcePromote` stays).
const MIGRATED: &str = "# Production Materialize environment.
apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: prod
  labels:
    team: platform
  annotations:
    example.com/owner: data-team
spec:
  environmentdImageRef: materialize/environmentd:v26.0.0
  backendSecretName: mz-backend
  environmentId: 2c7b1d39-7a3e-4d6c-9a43-2b0c8e8a5f11
  balancerdReplicas: 3
  forcePromote: 22222222-2222-4222-8222-222222222222
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: mz-system-parameters
  namespace: prod
data:
  max_connections: \"1000\"
";

const OTHER_PATH: &str = "clusters/prod/app.yaml";
const OTHER: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: prod
spec:
  replicas: 2
";

struct Builder {
    repo: Repository,
    minute: i64,
}

impl Builder {
    fn new(dir: &Path) -> Builder {
        let repo = Repository::init(dir).unwrap();
        Builder { repo, minute: 0 }
    }

    /// Write `files` as a tree (nested directories built bottom-up).
    fn tree(&self, files: &BTreeMap<String, String>) -> Oid {
        common::write_tree(&self.repo, files)
    }

    fn commit(&mut self, message: &str, files: &BTreeMap<String, String>, parents: &[Oid]) -> Oid {
        self.minute += 1;
        // 2026-11-25T10:00:00Z plus one minute per commit.
        let time = Time::new(1_795_600_800 + self.minute * 60, 0);
        let signature = Signature::new("Dana Reviewer", "dana@example.com", &time).unwrap();
        let tree = self.repo.find_tree(self.tree(files)).unwrap();
        let parents: Vec<git2::Commit> = parents
            .iter()
            .map(|id| self.repo.find_commit(*id).unwrap())
            .collect();
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        self.repo
            .commit(None, &signature, &signature, message, &tree, &parent_refs)
            .unwrap()
    }

    fn set_main(&self, head: Oid) {
        self.repo
            .reference("refs/heads/main", head, true, "test")
            .unwrap();
        self.repo.set_head("refs/heads/main").unwrap();
    }
}

/// The v1alpha1 → v1alpha2 migration of `text`, by the built `migrate`
/// command, as a user would run it before committing.
fn migrate(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mz.yaml");
    std::fs::write(&path, text).unwrap();
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .arg("migrate")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "migrate failed: {stderr}");
    assert!(stderr.contains("rollout-neutral"), "{stderr}");
    let migrated = std::fs::read_to_string(&path).unwrap();
    assert_eq!(migrated, MIGRATED);
    migrated
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    /// Commit ids with readable labels, for the snapshots.
    labels: Vec<(String, &'static str)>,
}

impl Fixture {
    fn id(&self, label: &str) -> &str {
        &self.labels.iter().find(|(_, l)| *l == label).unwrap().0
    }

    /// Replace commit ids by their labels, so a snapshot reads as the story
    /// of the repository.
    fn label(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (id, label) in &self.labels {
            text = text.replace(id.as_str(), &format!("<{label}>"));
            // Short ids become 7-character tokens, so tables keep their columns.
            let short: String = format!("{label:<7}").chars().take(7).collect();
            text = text.replace(&id[..7], &short);
        }
        text
    }
}

fn build_history() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut b = Builder::new(dir.path());
    let mut labels = Vec::new();
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    files.insert(OTHER_PATH.into(), OTHER.into());
    let mut head: Vec<Oid> = Vec::new();
    let mut step = |b: &mut Builder,
                    files: &BTreeMap<String, String>,
                    label: &'static str,
                    message: &str,
                    parents: &[Oid]| {
        let id = b.commit(message, files, parents);
        labels.push((id.to_string(), label));
        id
    };

    files.insert(MZ_PATH.into(), V1ALPHA1.into());
    let c = step(
        &mut b,
        &files,
        "01-add",
        "Add the prod Materialize (v1alpha1)",
        &head,
    );
    head = vec![c];

    let excluded = V1ALPHA1
        .replace(
            "team: data",
            "team: platform\n  annotations:\n    example.com/owner: data-team",
        )
        .replace("balancerdReplicas: 2", "balancerdReplicas: 3")
        .replace(
            "forcePromote: \"\"",
            "forcePromote: 22222222-2222-4222-8222-222222222222",
        );
    files.insert(MZ_PATH.into(), excluded.clone());
    let c = step(
        &mut b,
        &files,
        "02-excluded",
        "Tune balancerd, labels and annotations",
        &head,
    );
    head = vec![c];

    let image = excluded.replace("v0.147.20", "v26.0.0").replace(
        "11111111-1111-4111-8111-111111111111",
        "33333333-3333-4333-8333-333333333333",
    );
    files.insert(MZ_PATH.into(), image.clone());
    let c = step(
        &mut b,
        &files,
        "03-image",
        "Upgrade environmentd to v26.0.0",
        &head,
    );
    head = vec![c];

    let migrated = migrate(&image);
    files.insert(MZ_PATH.into(), migrated.clone());
    let c = step(
        &mut b,
        &files,
        "04-migrate",
        "Migrate to v1alpha2 with mz-presync migrate",
        &head,
    );
    head = vec![c];

    let pod_labels = migrated.replace(
        "  backendSecretName: mz-backend\n",
        "  backendSecretName: mz-backend\n  podLabels:\n    cost-center: analytics\n",
    );
    assert_ne!(
        pod_labels, migrated,
        "the migrated text keeps backendSecretName"
    );
    files.insert(MZ_PATH.into(), pod_labels.clone());
    let c = step(&mut b, &files, "05-pod-labels", "Label the pods", &head);
    head = vec![c];

    let force = pod_labels.replace(
        "    example.com/owner: data-team\n",
        "    example.com/owner: data-team\n    materialize.cloud/force-rollout: \"2026-11-25\"\n",
    );
    assert_ne!(force, pod_labels);
    files.insert(MZ_PATH.into(), force.clone());
    let c = step(&mut b, &files, "06-force-rollout", "Force a rollout", &head);
    head = vec![c];

    let environment = force.replace(ENV_A, ENV_B);
    files.insert(MZ_PATH.into(), environment.clone());
    let c = step(
        &mut b,
        &files,
        "07-environment-id",
        "Point at another environment",
        &head,
    );
    head = vec![c];

    let downgrade = environment.replace("v26.0.0", "v0.147.20");
    files.insert(MZ_PATH.into(), downgrade.clone());
    let c = step(&mut b, &files, "08-downgrade", "Roll the image back", &head);
    head = vec![c];

    files.remove(MZ_PATH);
    files.insert(MOVED_PATH.into(), downgrade.clone());
    let c = step(&mut b, &files, "09-move", "Move the manifest", &head);
    let fork = c;

    let mut branch_files = files.clone();
    branch_files.insert(MOVED_PATH.into(), downgrade.replace("v0.147.20", "v26.1.0"));
    let branch = step(
        &mut b,
        &branch_files,
        "10-branch-image",
        "Upgrade to v26.1.0",
        &[fork],
    );

    let mut main_files = files.clone();
    main_files.insert(
        OTHER_PATH.into(),
        OTHER.replace("replicas: 2", "replicas: 3"),
    );
    let main = step(&mut b, &main_files, "10-main-app", "Scale the app", &[fork]);

    let mut merged = branch_files.clone();
    merged.insert(
        OTHER_PATH.into(),
        OTHER.replace("replicas: 2", "replicas: 3"),
    );
    let c = step(
        &mut b,
        &merged,
        "11-merge",
        "Merge branch 'upgrade'",
        &[main, branch],
    );
    head = vec![c];

    merged.remove(MOVED_PATH);
    let c = step(
        &mut b,
        &merged,
        "12-delete",
        "Delete the prod Materialize",
        &head,
    );
    b.set_main(c);

    let path = dir.path().to_path_buf();
    Fixture {
        _dir: dir,
        path,
        labels,
    }
}

fn rollouts(fixture: &Fixture, args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .arg("rollouts")
        .arg("--repo")
        .arg(&fixture.path)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn whole_history_json_names_every_change() {
    let fixture = build_history();
    let (code, stdout, stderr) = rollouts(&fixture, &["--format", "json"]);
    assert_eq!(
        code, 1,
        "error findings fail the run by default; stderr: {stderr}"
    );
    assert_eq!(stderr, "");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();

    // The facts the issue lists, one commit each, before the whole snapshot.
    let commits = report["commits"].as_array().unwrap();
    let by_label = |label: &str| {
        commits
            .iter()
            .find(|c| c["commit"] == fixture.id(label))
            .unwrap_or_else(|| panic!("{label} is listed"))
    };
    let only_change = |label: &str| {
        let changes = by_label(label)["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 1, "{label}: {changes:#?}");
        changes[0].clone()
    };
    let c = only_change("01-add");
    assert_eq!(
        (c["change"].as_str(), c["rollout"].as_bool()),
        (Some("created"), Some(true))
    );
    let c = only_change("02-excluded");
    assert_eq!(
        (c["change"].as_str(), c["rollout"].as_bool()),
        (Some("updated"), Some(false))
    );
    assert_eq!(c["fields"], serde_json::json!([]));
    assert_eq!(c["old_hash"], c["new_hash"]);
    let c = only_change("03-image");
    assert_eq!(
        c["fields"],
        serde_json::json!(["/spec/environmentdImageRef"])
    );
    assert_eq!(c["rollout"], true);
    let c = only_change("04-migrate");
    assert_eq!(c["rollout"], false, "a migration is rollout-neutral");
    assert_eq!(
        c["api_version"],
        serde_json::json!({"from": "materialize.cloud/v1alpha1", "to": "materialize.cloud/v1alpha2"})
    );
    assert_eq!(
        only_change("05-pod-labels")["fields"],
        serde_json::json!(["/spec/podLabels"])
    );
    assert_eq!(
        only_change("06-force-rollout")["fields"],
        serde_json::json!(["/metadata/annotations/materialize.cloud~1force-rollout"])
    );
    let c = only_change("07-environment-id");
    assert_eq!(c["findings"][0]["rule"], "environment-id-changed");
    let c = only_change("08-downgrade");
    assert_eq!(c["findings"][0]["rule"], "upgrade-window");
    assert_eq!(c["findings"][0]["severity"], "error");
    assert!(
        commits.iter().all(|c| c["commit"] != fixture.id("09-move")),
        "a move is no change"
    );
    assert!(
        commits
            .iter()
            .all(|c| c["commit"] != fixture.id("10-main-app"))
    );
    let c = only_change("11-merge");
    assert_eq!(
        c["fields"],
        serde_json::json!(["/spec/environmentdImageRef"])
    );
    assert_eq!(by_label("11-merge")["parents"].as_array().unwrap().len(), 2);
    let c = only_change("12-delete");
    assert_eq!(
        (c["change"].as_str(), c["rollout"].as_bool()),
        (Some("deleted"), Some(false))
    );
    assert_eq!(c["file"], MOVED_PATH);

    insta::assert_snapshot!("whole_history_json", fixture.label(&stdout));
}

#[test]
fn a_pull_request_range_lists_only_its_commits() {
    let fixture = build_history();
    let range = format!(
        "{}..{}",
        fixture.id("05-pod-labels"),
        fixture.id("08-downgrade")
    );
    let (code, stdout, _) = rollouts(&fixture, &["--format", "json", &range]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let listed: Vec<&str> = report["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["commit"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            fixture.id("06-force-rollout"),
            fixture.id("07-environment-id"),
            fixture.id("08-downgrade")
        ]
    );
    assert_eq!(report["range"], range);
}

#[test]
fn all_lists_every_commit_and_first_parent_skips_the_branch() {
    let fixture = build_history();
    let (_, stdout, _) = rollouts(&fixture, &["--format", "json", "--all"]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["commits"].as_array().unwrap().len(), 13);
    let moved = report["commits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["commit"] == fixture.id("09-move"))
        .unwrap();
    assert_eq!(moved["changes"], serde_json::json!([]));

    let (_, stdout, _) = rollouts(&fixture, &["--format", "json", "--all", "--first-parent"]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let ids: Vec<&str> = report["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["commit"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 12);
    assert!(!ids.contains(&fixture.id("10-branch-image")));
}

#[test]
fn fail_on_decides_the_exit_code() {
    let fixture = build_history();
    let no_rollout = format!("{}..{}", fixture.id("01-add"), fixture.id("02-excluded"));
    let rollout = format!("{}..{}", fixture.id("02-excluded"), fixture.id("03-image"));
    let cases = [
        (no_rollout.as_str(), "rollout", 0),
        (rollout.as_str(), "rollout", 1),
        (rollout.as_str(), "error", 0),
        ("HEAD", "error", 1),
        ("HEAD", "never", 0),
    ];
    for (range, fail_on, expected) in cases {
        let (code, _, stderr) =
            rollouts(&fixture, &["--format", "json", "--fail-on", fail_on, range]);
        assert_eq!(code, expected, "{range} --fail-on {fail_on}: {stderr}");
    }
}

#[test]
fn the_working_tree_is_never_touched() {
    let fixture = build_history();
    rollouts(&fixture, &["--format", "json"]);
    let entries: Vec<String> = std::fs::read_dir(&fixture.path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, [".git"]);
    let repo = Repository::open(&fixture.path).unwrap();
    assert!(
        repo.index().unwrap().is_empty(),
        "the index was not written"
    );
}

#[test]
fn discovers_the_repository_from_a_subdirectory() {
    let fixture = build_history();
    let sub = fixture.path.join("some/dir");
    std::fs::create_dir_all(&sub).unwrap();
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["rollouts", "--format", "json", "--fail-on", "never"])
        .current_dir(&sub)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["commits"].as_array().unwrap().len(), 11);
}

#[test]
fn human_report() {
    let fixture = build_history();
    let (_, stdout, _) = rollouts(&fixture, &[]);
    insta::assert_snapshot!("human", fixture.label(&stdout));
    let (_, stdout, _) = rollouts(&fixture, &["--verbose"]);
    insta::assert_snapshot!("human_verbose", fixture.label(&stdout));
}

#[test]
fn markdown_report_for_a_pull_request() {
    let fixture = build_history();
    let range = format!(
        "{}..{}",
        fixture.id("04-migrate"),
        fixture.id("08-downgrade")
    );
    let (_, stdout, _) = rollouts(&fixture, &["--format", "markdown", &range]);
    insta::assert_snapshot!("markdown", fixture.label(&stdout));
}

#[test]
fn github_annotations_point_at_the_changed_field() {
    let fixture = build_history();
    let range = format!(
        "{}..{}",
        fixture.id("04-migrate"),
        fixture.id("08-downgrade")
    );
    let (_, stdout, _) = rollouts(&fixture, &["--format", "github", &range]);
    insta::assert_snapshot!("github", fixture.label(&stdout));
}

#[test]
fn the_v1_algorithm_gives_other_hashes_and_says_so() {
    let fixture = build_history();
    let range = format!("{}..{}", fixture.id("02-excluded"), fixture.id("03-image"));
    let hashes = |algorithm: &str| {
        let (_, stdout, _) = rollouts(
            &fixture,
            &["--format", "json", "--algorithm", algorithm, &range],
        );
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(report["algorithm"], algorithm);
        let change = report["commits"][0]["changes"][0].clone();
        assert_eq!(
            change["fields"],
            serde_json::json!(["/spec/environmentdImageRef"])
        );
        (change["old_hash"].clone(), change["new_hash"].clone())
    };
    let (v1alpha2, v1) = (hashes("v1alpha2"), hashes("v1"));
    assert_ne!(v1alpha2.1, v1.1);
    // Cross-check with `hash`, which computes the same hash from a file.
    let repo = Repository::open(&fixture.path).unwrap();
    let commit = repo
        .find_commit(Oid::from_str(fixture.id("03-image")).unwrap())
        .unwrap();
    let blob = commit
        .tree()
        .unwrap()
        .get_path(Path::new(MZ_PATH))
        .unwrap()
        .to_object(&repo)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mz.yaml");
    std::fs::write(&file, blob.as_blob().unwrap().content()).unwrap();
    for (algorithm, expected) in [("v1alpha2", &v1alpha2.1), ("v1", &v1.1)] {
        let output = Command::cargo_bin("mz-presync")
            .unwrap()
            .args(["hash", "--format", "json", "--algorithm", algorithm])
            .arg(&file)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(&report["resources"][0]["hash"], expected, "{algorithm}");
    }
}

#[test]
fn usage_errors_are_named_and_exit_2() {
    let fixture = build_history();
    let (code, stdout, stderr) = rollouts(&fixture, &["no-such-branch..HEAD"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with(
            "error: \"no-such-branch..HEAD\" is not a revision or range of this repository"
        ),
        "{stderr}"
    );

    let not_a_repo = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["rollouts", "--repo"])
        .arg(not_a_repo.path())
        .env(
            "GIT_CEILING_DIRECTORIES",
            not_a_repo.path().parent().unwrap(),
        )
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is not inside a git repository"),
        "{stderr}"
    );
}

/// The base an overlay patches, for the kustomize tests.
const OVERLAY_BASE: &str = "apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: prod
spec:
  environmentdImageRef: materialize/environmentd:v26.1.0
  backendSecretName: mz-backend
";

/// `rollouts --format json` on `range` of the repository in `dir`: the exit
/// code and the report.
fn rollouts_json(dir: &Path, range: &str) -> (i32, serde_json::Value) {
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["rollouts", "--format", "json", "--repo"])
        .arg(dir)
        .arg(range)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap();
    (output.status.code().unwrap_or(-1), report)
}

/// An overlay's patch is not a resource: changing a hashed field in it rolls
/// out the resource it patches, and its missing required fields are no error.
#[test]
fn kustomize_overlay_patches_are_judged_by_the_fields_they_override() {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = Builder::new(dir.path());
    let patch = |image: &str, replicas: u32| {
        format!(
            "apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: prod
spec:
  environmentdImageRef: materialize/environmentd:{image}
  balancerdReplicas: {replicas}
"
        )
    };
    let files = |patch_text: String| -> BTreeMap<String, String> {
        BTreeMap::from([
            ("base/materialize.yaml".into(), OVERLAY_BASE.into()),
            (
                "base/kustomization.yaml".into(),
                "resources: [materialize.yaml]\n".into(),
            ),
            (
                "overlays/prod/kustomization.yaml".into(),
                "resources: [../../base]\npatches:\n- path: mz-patch.yaml\n".into(),
            ),
            ("overlays/prod/mz-patch.yaml".into(), patch_text),
        ])
    };
    let first = builder.commit("overlay", &files(patch("v26.2.0", 2)), &[]);
    let replicas = builder.commit("more replicas", &files(patch("v26.2.0", 3)), &[first]);
    let image = builder.commit("bump prod", &files(patch("v26.3.0", 3)), &[replicas]);
    builder.set_main(image);
    let (code, report) = rollouts_json(dir.path(), &format!("{first}..{image}"));
    assert_eq!(code, 0, "{report}");
    let changes: Vec<(String, bool, serde_json::Value, Vec<String>)> = report["commits"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|commit| commit["changes"].as_array().unwrap().clone())
        .map(|change| {
            let rules = change["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["rule"].as_str().unwrap().to_owned())
                .collect();
            (
                change["kustomize_patch"].as_str().unwrap_or("").to_owned(),
                change["rollout"].as_bool().unwrap(),
                change["fields"].clone(),
                rules,
            )
        })
        .collect();
    let kustomization = "overlays/prod/kustomization.yaml".to_owned();
    assert_eq!(
        changes,
        [
            // balancerdReplicas is outside the hash.
            (
                kustomization.clone(),
                false,
                serde_json::json!([]),
                vec!["kustomize-patch".to_owned()]
            ),
            (
                kustomization,
                true,
                serde_json::json!(["/spec/environmentdImageRef"]),
                vec!["kustomize-patch".to_owned()]
            ),
        ]
    );
}

/// A JSON 6902 patch written inside the kustomization is judged the same
/// way, and its image change goes through the upgrade window.
#[test]
fn inline_kustomize_patches_are_judged_by_the_pointers_they_write() {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = Builder::new(dir.path());
    let kustomization = |image: &str, replicas: u32| {
        format!(
            "resources: [../../base]
patches:
- target: {{kind: Materialize, name: mz}}
  patch: |-
    - op: replace
      path: /spec/environmentdImageRef
      value: materialize/environmentd:{image}
    - op: replace
      path: /spec/balancerdReplicas
      value: {replicas}
"
        )
    };
    let files = |text: String| -> BTreeMap<String, String> {
        BTreeMap::from([
            ("base/materialize.yaml".into(), OVERLAY_BASE.into()),
            ("overlays/prod/kustomization.yaml".into(), text),
        ])
    };
    let first = builder.commit("overlay", &files(kustomization("v26.2.0", 2)), &[]);
    let replicas = builder.commit("replicas", &files(kustomization("v26.2.0", 3)), &[first]);
    let downgrade = builder.commit(
        "downgrade",
        &files(kustomization("v26.1.0", 3)),
        &[replicas],
    );
    builder.set_main(downgrade);
    let (code, report) = rollouts_json(dir.path(), &format!("{first}..{downgrade}"));
    assert_eq!(code, 1, "an upgrade-window error");
    let changes: Vec<serde_json::Value> = report["commits"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|commit| commit["changes"].as_array().unwrap().clone())
        .map(|change| {
            serde_json::json!({
                "rollout": change["rollout"],
                "fields": change["fields"],
                "kustomize_patch": change["kustomize_patch"],
                "rules": change["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["rule"].clone())
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    let k = "overlays/prod/kustomization.yaml";
    assert_eq!(
        changes,
        [
            serde_json::json!({"rollout": false, "fields": [], "kustomize_patch": k,
                "rules": ["kustomize-patch"]}),
            serde_json::json!({"rollout": true, "fields": ["/spec/environmentdImageRef"],
                "kustomize_patch": k, "rules": ["kustomize-patch", "upgrade-window"]}),
        ]
    );
}

/// A JSON 6902 patch file means something only through the target of the
/// kustomization entry that names it; with a Materialize target, its image
/// change is a rollout and goes through the upgrade window.
#[test]
fn json6902_patch_files_are_read_through_their_target() {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = Builder::new(dir.path());
    let operations = |image: &str| {
        format!(
            "- op: replace\n  path: /spec/environmentdImageRef\n  value: materialize/environmentd:{image}\n"
        )
    };
    let files = |target: &str, ops: String| -> BTreeMap<String, String> {
        BTreeMap::from([
            ("base/materialize.yaml".into(), OVERLAY_BASE.into()),
            (
                "overlays/prod/kustomization.yaml".into(),
                format!(
                    "resources: [../../base]\npatches:\n- path: image.yaml\n  target: {{kind: {target}}}\n"
                ),
            ),
            ("overlays/prod/image.yaml".into(), ops),
        ])
    };
    let first = builder.commit("overlay", &files("Materialize", operations("v26.2.0")), &[]);
    let down = builder.commit(
        "downgrade",
        &files("Materialize", operations("v26.1.0")),
        &[first],
    );
    // Aimed at a Deployment, the operations no longer reach the resource:
    // its image falls back to the base's, which is a rollout too.
    let other = builder.commit(
        "retarget",
        &files("Deployment", operations("v26.0.0")),
        &[down],
    );
    builder.set_main(other);
    let (code, report) = rollouts_json(dir.path(), &format!("{first}..{other}"));
    assert_eq!(code, 1, "{report}");
    let summary: Vec<serde_json::Value> = report["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|commit| {
            let change = &commit["changes"][0];
            let rules: Vec<&serde_json::Value> = change["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| &f["rule"])
                .collect();
            serde_json::json!([
                commit["summary"],
                change["change"],
                change["rollout"],
                change["fields"],
                change["kustomize_patch"],
                rules
            ])
        })
        .collect();
    let k = "overlays/prod/kustomization.yaml";
    let image = ["/spec/environmentdImageRef"];
    assert_eq!(
        summary,
        [
            serde_json::json!([
                "downgrade",
                "updated",
                true,
                image,
                k,
                ["kustomize-patch", "upgrade-window"]
            ]),
            serde_json::json!(["retarget", "deleted", true, image, k, ["kustomize-patch"]]),
        ]
    );
}

// ---------------------------------------------------------------------------
// Spec §7 and §8, every row under both operator models: one git2 history of
// two commits per case, `rollouts --operator MODEL --format json`, and the
// change asserted whole (hashes checked for shape, then left out).

const R1: &str = "11111111-1111-4111-8111-111111111111";
const R2: &str = "22222222-2222-4222-8222-222222222222";

/// A Materialize manifest of `version` with `extra` spec lines (each
/// `key: value`, two-space indented below spec).
fn manifest(version: &str, extra: &[&str]) -> String {
    let mut text = format!(
        "apiVersion: materialize.cloud/{version}
kind: Materialize
metadata:
  name: mz
  namespace: prod
spec:
  environmentdImageRef: materialize/environmentd:v26.1.0
  backendSecretName: mz-backend
"
    );
    for line in extra {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// The one change `old` → `new` makes under `operator`, without its hashes
/// (asserted: 64 hex digits, equal exactly when `same_hash`), with the
/// report's top-level operator checked.
fn judged(operator: &str, old: &str, new: &str) -> (serde_json::Value, bool) {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = Builder::new(dir.path());
    let files = |text: &str| BTreeMap::from([(MZ_PATH.to_owned(), text.to_owned())]);
    let first = builder.commit("before", &files(old), &[]);
    let second = builder.commit("after", &files(new), &[first]);
    builder.set_main(second);
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["rollouts", "--format", "json", "--fail-on", "never"])
        .args(["--operator", operator, "--repo"])
        .arg(dir.path())
        .arg(format!("{first}..{second}"))
        .env_remove("MZ_PRESYNC_OPERATOR")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["operator"], operator);
    let changes = report["commits"][0]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{report:#}");
    let mut change = changes[0].clone();
    let hex = |v: &serde_json::Value| {
        v.as_str()
            .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    assert!(
        hex(&change["old_hash"]) && hex(&change["new_hash"]),
        "{change:#}"
    );
    let same_hash = change["old_hash"] == change["new_hash"];
    let object = change.as_object_mut().unwrap();
    object.remove("old_hash");
    object.remove("new_hash");
    // Finding texts are the rules' business: keep what identifies them.
    for finding in object["findings"].as_array_mut().unwrap() {
        let finding = finding.as_object_mut().unwrap();
        let message = finding.remove("message").unwrap();
        assert!(!message.as_str().unwrap().is_empty());
        finding.remove("column");
    }
    (change, same_hash)
}

fn expected(
    from: &str,
    to: &str,
    rollout: bool,
    restart: &str,
    pending: bool,
    fields: serde_json::Value,
    mut findings: serde_json::Value,
) -> serde_json::Value {
    let unit =
        serde_json::json!({"kind": "directory", "name": "clusters/prod", "path": "clusters/prod"});
    for finding in findings.as_array_mut().unwrap() {
        finding["unit"] = unit.clone();
    }
    serde_json::json!({
        "unit": unit,
        "namespace": "prod",
        "name": "mz",
        "file": MZ_PATH,
        "change": "updated",
        "rollout": rollout,
        "restart": restart,
        "pending": pending,
        "api_version": {
            "from": format!("materialize.cloud/{from}"),
            "to": format!("materialize.cloud/{to}"),
        },
        "fields": fields,
        "findings": findings,
    })
}

fn no_findings() -> serde_json::Value {
    serde_json::json!([])
}

#[test]
fn released_v1alpha1_image_bump_without_a_request_waits_for_approval() {
    let request = format!("requestRollout: {R1}");
    let old = manifest("v1alpha1", &[&request]);
    let new = old.replace("v26.1.0", "v26.1.1");
    let image = serde_json::json!(["/spec/environmentdImageRef"]);
    let (change, _) = judged("released", &old, &new);
    let waiting = serde_json::json!([{
        "rule": "waiting-for-approval",
        "severity": "warning",
        "pointer": "/spec/environmentdImageRef",
        "line": 7,
    }]);
    assert_eq!(
        change,
        expected(
            "v1alpha1",
            "v1alpha1",
            false,
            "no",
            true,
            image.clone(),
            waiting
        )
    );
    let (change, _) = judged("design", &old, &new);
    assert_eq!(
        change,
        expected(
            "v1alpha1",
            "v1alpha1",
            true,
            "yes",
            false,
            image,
            no_findings()
        )
    );
}

#[test]
fn a_request_alone_is_a_rollout_only_under_the_released_operator() {
    let old = manifest("v1alpha1", &[&format!("requestRollout: {R1}")]);
    let new = old.replace(R1, R2);
    let (change, same_hash) = judged("released", &old, &new);
    assert!(same_hash, "requestRollout is not hashed");
    assert_eq!(
        change,
        expected(
            "v1alpha1",
            "v1alpha1",
            true,
            "maybe",
            false,
            serde_json::json!(["/spec/requestRollout"]),
            no_findings()
        )
    );
    let (change, _) = judged("design", &old, &new);
    assert_eq!(
        change,
        expected(
            "v1alpha1",
            "v1alpha1",
            false,
            "no",
            false,
            serde_json::json!([]),
            no_findings()
        )
    );
    // Removing a set request requests one too: the operator replaces it.
    let removed = manifest("v1alpha1", &[]);
    let (change, _) = judged("released", &old, &removed);
    assert_eq!(
        (change["rollout"].clone(), change["restart"].clone()),
        (true.into(), "maybe".into())
    );
}

#[test]
fn image_and_request_together_restart_under_both_models() {
    let old = manifest("v1alpha1", &[&format!("requestRollout: {R1}")]);
    let new = old.replace(R1, R2).replace("v26.1.0", "v26.1.1");
    let (change, _) = judged("released", &old, &new);
    assert_eq!(
        change,
        expected(
            "v1alpha1",
            "v1alpha1",
            true,
            "yes",
            false,
            serde_json::json!(["/spec/environmentdImageRef", "/spec/requestRollout"]),
            no_findings()
        )
    );
    let (change, _) = judged("design", &old, &new);
    assert_eq!(
        change,
        expected(
            "v1alpha1",
            "v1alpha1",
            true,
            "yes",
            false,
            serde_json::json!(["/spec/environmentdImageRef"]),
            no_findings()
        )
    );
}

/// rolloutStrategy steers the rollout; it is not a per-generation input.
#[test]
fn strategy_and_request_roll_out_without_a_certain_restart() {
    let old = manifest("v1alpha1", &[&format!("requestRollout: {R1}")]);
    let new = manifest(
        "v1alpha1",
        &[
            &format!("requestRollout: {R2}"),
            "rolloutStrategy: ImmediatelyPromoteCausingDowntime",
        ],
    );
    let downtime = serde_json::json!([{
        "rule": "downtime-strategy",
        "severity": "warning",
        "pointer": "/spec/rolloutStrategy",
        "line": 10,
    }]);
    let (change, _) = judged("released", &old, &new);
    assert_eq!(
        change,
        expected(
            "v1alpha1",
            "v1alpha1",
            true,
            "maybe",
            false,
            serde_json::json!(["/spec/requestRollout", "/spec/rolloutStrategy"]),
            downtime.clone()
        )
    );
    let (change, _) = judged("design", &old, &new);
    assert_eq!(
        change,
        expected(
            "v1alpha1",
            "v1alpha1",
            true,
            "maybe",
            false,
            serde_json::json!(["/spec/rolloutStrategy"]),
            downtime
        )
    );
}

#[test]
fn balancerd_and_console_changes_roll_out_nothing() {
    for version in ["v1alpha1", "v1"] {
        let request = format!("requestRollout: {R1}");
        let extra: &[&str] = if version == "v1alpha1" {
            &[&request]
        } else {
            &[]
        };
        let old = manifest(version, extra);
        let mut more = extra.to_vec();
        more.extend(["balancerdReplicas: 3", "consoleReplicas: 2"]);
        let new = manifest(version, &more);
        for operator in ["design", "released"] {
            let (change, same_hash) = judged(operator, &old, &new);
            assert!(same_hash);
            assert_eq!(
                change,
                expected(
                    version,
                    version,
                    false,
                    "no",
                    false,
                    serde_json::json!([]),
                    no_findings()
                ),
                "{operator} {version}"
            );
        }
    }
}

#[test]
fn adopting_v1_requests_one_rollout_under_the_released_operator_only() {
    let old = manifest("v1alpha1", &[&format!("requestRollout: {R1}")]);
    let v1 = manifest("v1", &[]);
    let (change, same_hash) = judged("released", &old, &v1);
    assert!(same_hash, "the v1 hash of both is the same");
    assert_eq!(
        change,
        expected(
            "v1alpha1",
            "v1",
            true,
            "maybe",
            false,
            serde_json::json!(["/apiVersion", "/spec/requestRollout"]),
            no_findings()
        )
    );
    // Unless the hand-set request already is the one the webhook derives.
    let v1_object = serde_json::json!({
        "apiVersion": "materialize.cloud/v1", "kind": "Materialize",
        "metadata": {"name": "mz", "namespace": "prod"},
        "spec": {"environmentdImageRef": "materialize/environmentd:v26.1.0",
                 "backendSecretName": "mz-backend"}});
    let hash = mz_presync::crd::rollout_hash(&v1_object, mz_presync::crd::Algorithm::V1)
        .unwrap()
        .hex;
    let derived = mz_presync::crd::hash::request_rollout_uuid(&hash).to_string();
    let already = manifest("v1alpha1", &[&format!("requestRollout: {derived}")]);
    let (change, _) = judged("released", &already, &v1);
    assert_eq!(change["rollout"], false, "{change:#}");
    assert_eq!(change["restart"], "no");
    // The design document's migration is rollout-neutral.
    let v1alpha2 = manifest("v1alpha2", &[]);
    let (change, same_hash) = judged("design", &old, &v1alpha2);
    assert!(same_hash);
    assert_eq!(
        change,
        expected(
            "v1alpha1",
            "v1alpha2",
            false,
            "no",
            false,
            serde_json::json!([]),
            no_findings()
        )
    );
}

#[test]
fn v1_changes_restart_when_a_per_generation_input_changes() {
    let old = manifest("v1", &[]);
    let cases: [(&str, &str, &str); 5] = [
        (
            "image",
            "environmentdImageRef: materialize/environmentd:v26.1.1",
            "yes",
        ),
        ("timeout", "rolloutRequestTimeout: 1h", "maybe"),
        (
            "annotations",
            "serviceAccountAnnotations: {example.com/a: b}",
            "maybe",
        ),
        ("labels", "podLabels: {team: data}", "yes"),
        (
            "force",
            "forceRollout: 33333333-3333-4333-8333-333333333333",
            "yes",
        ),
    ];
    for (what, line, restart) in cases {
        let new = if what == "image" {
            old.replace("v26.1.0", "v26.1.1")
        } else {
            manifest("v1", &[line])
        };
        let field = format!("/spec/{}", line.split(':').next().unwrap());
        for operator in ["released", "design"] {
            let (change, same_hash) = judged(operator, &old, &new);
            if operator == "design" && what == "timeout" {
                // The design document's hash (v1alpha2) has no
                // rolloutRequestTimeout: no rollout at all.
                assert!(same_hash);
                assert_eq!(
                    change,
                    expected(
                        "v1",
                        "v1",
                        false,
                        "no",
                        false,
                        serde_json::json!([]),
                        no_findings()
                    )
                );
                continue;
            }
            assert_eq!(
                change,
                expected(
                    "v1",
                    "v1",
                    true,
                    restart,
                    false,
                    serde_json::json!([field]),
                    no_findings()
                ),
                "{operator}: {what}"
            );
        }
    }
}

/// `requestRollout: null` is pruned by the API server: it is the absent
/// field, no rollout and no finding here (the note is `validate`'s).
#[test]
fn pruned_nulls_are_no_change() {
    let old = manifest("v1alpha1", &[]);
    let new = manifest("v1alpha1", &["requestRollout: null", "forceRollout: null"]);
    for operator in ["released", "design"] {
        let (change, same_hash) = judged(operator, &old, &new);
        assert!(same_hash, "{operator}");
        assert_eq!(
            change,
            expected(
                "v1alpha1",
                "v1alpha1",
                false,
                "no",
                false,
                serde_json::json!([]),
                no_findings()
            ),
            "{operator}"
        );
    }
}

/// Under the released operator the human and markdown reports say what
/// waits for approval, name the model, and `--fail-on restart` fails only
/// on a certain restart.
#[test]
fn released_reports_name_the_model_and_fail_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = Builder::new(dir.path());
    let files = |text: &str| BTreeMap::from([(MZ_PATH.to_owned(), text.to_owned())]);
    let old = manifest("v1alpha1", &[&format!("requestRollout: {R1}")]);
    let bump = old.replace("v26.1.0", "v26.1.1");
    let first = builder.commit("add", &files(&old), &[]);
    let pending = builder.commit("bump without request", &files(&bump), &[first]);
    let both = builder.commit(
        "bump with request",
        &files(&bump.replace("v26.1.1", "v26.1.2").replace(R1, R2)),
        &[pending],
    );
    builder.set_main(both);
    let run = |args: &[&str]| {
        let output = Command::cargo_bin("mz-presync")
            .unwrap()
            .args(["--operator", "released", "rollouts", "--repo"])
            .arg(dir.path())
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            output.status.code().unwrap(),
            String::from_utf8(output.stdout).unwrap(),
        )
    };
    let (code, human) = run(&[&format!("{first}..{both}")]);
    assert_eq!(code, 0, "{human}");
    assert!(
        human.ends_with("1 rollout requested in 1 of 2 commits, 1 restart, 1 change waiting for approval (operator: released, v1 hashes); 2 changes to Materialize resources, 0 errors, 1 warning.\n"),
        "{human}"
    );
    assert!(human.contains("pending"), "{human}");
    assert!(human.contains("warning[waiting-for-approval]"), "{human}");
    let range_pending = format!("{first}..{pending}");
    let (code, markdown) = run(&["--format", "markdown", &range_pending]);
    assert_eq!(code, 0);
    assert!(
        markdown.contains("| `prod/mz` | no | no (waiting for approval) |"),
        "{markdown}"
    );
    assert!(markdown.contains("0 restart(s), 1 waiting for approval (operator `released`"));
    assert_eq!(run(&["--fail-on", "restart", &range_pending]).0, 0);
    assert_eq!(run(&["--fail-on", "rollout", &range_pending]).0, 0);
    let range_both = format!("{pending}..{both}");
    assert_eq!(run(&["--fail-on", "restart", &range_both]).0, 1);
    // A request that changes no per-generation input restarts maybe: not
    // a failure of --fail-on restart, a failure of --fail-on rollout.
    let request_only = builder.commit(
        "request only",
        &files(&bump.replace("v26.1.1", "v26.1.2")),
        &[both],
    );
    builder.set_main(request_only);
    let range = format!("{both}..{request_only}");
    assert_eq!(run(&["--fail-on", "restart", &range]).0, 0);
    assert_eq!(run(&["--fail-on", "rollout", &range]).0, 1);
}

/// A shallow clone of a three-commit history (add, bump, bump), made with
/// the `git` CLI as `actions/checkout` makes one: the full repository and
/// clones of depth 1 and 2, with the commit ids oldest first.
struct Shallow {
    dir: tempfile::TempDir,
    commits: [Oid; 3],
}

impl Shallow {
    fn new() -> Shallow {
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join("full");
        let mut builder = Builder::new(&full);
        let files = |text: &str| BTreeMap::from([(MZ_PATH.to_owned(), text.to_owned())]);
        let add = builder.commit("add", &files(V1ALPHA1), &[]);
        let bump = V1ALPHA1.replace("v0.147.20", "v0.147.21");
        let first = builder.commit("bump", &files(&bump), &[add]);
        let second = builder.commit(
            "bump again",
            &files(&bump.replace("v0.147.21", "v0.147.22")),
            &[first],
        );
        builder.set_main(second);
        // An old branch, to fetch on its own into a depth-1 clone.
        builder
            .repo
            .reference("refs/heads/old", add, true, "test")
            .unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir(&home).unwrap();
        let url = format!("file://{}", full.display());
        for depth in ["1", "2"] {
            common::git(
                dir.path(),
                "2026-11-25T12:00:00Z",
                &[("HOME", &home)],
                &[
                    "clone",
                    "--quiet",
                    "--depth",
                    depth,
                    &url,
                    &format!("depth{depth}"),
                ],
            );
        }
        Shallow {
            dir,
            commits: [add, first, second],
        }
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    fn short(&self, index: usize) -> String {
        self.commits[index].to_string()[..7].to_owned()
    }
}

/// `rollouts --format json` in `dir`: exit code, report (null when stdout
/// is empty) and stderr.
fn rollouts_with_stderr(dir: &Path, range: &str) -> (i32, serde_json::Value, String) {
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["rollouts", "--format", "json", "--repo"])
        .arg(dir)
        .arg(range)
        .output()
        .unwrap();
    let report = if output.stdout.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&output.stdout).unwrap()
    };
    (
        output.status.code().unwrap_or(-1),
        report,
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn listed(report: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    report["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|commit| {
            let kinds = commit["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|change| change["change"].as_str().unwrap().to_owned())
                .collect();
            (commit["commit"].as_str().unwrap().to_owned(), kinds)
        })
        .collect()
}

/// On a depth-1 clone `HEAD~1` is past the boundary: a usage error naming
/// the fix, not libgit2's "parent 0 does not exist".
#[test]
fn a_range_past_the_shallow_boundary_names_fetch_depth() {
    let shallow = Shallow::new();
    let (code, report, stderr) = rollouts_with_stderr(&shallow.path("depth1"), "HEAD~1..HEAD");
    assert_eq!(code, 2, "{stderr}");
    assert!(report.is_null());
    assert_eq!(
        stderr,
        format!(
            "error: the range HEAD~1..HEAD reaches past the shallow clone's boundary at {}: fetch more history (`actions/checkout` with `fetch-depth: 0`, or `git fetch --unshallow`)\n",
            shallow.short(2)
        )
    );
}

/// `A..B` with both ends in the clone but a boundary commit between them
/// (the base fetched on its own, as a pull request's base may be): the
/// boundary commit's diff is unknown, so the range fails the same way
/// instead of reporting everything as created there.
#[test]
fn a_boundary_commit_inside_a_range_is_the_same_error() {
    let shallow = Shallow::new();
    let depth1 = shallow.path("depth1");
    let home = shallow.path("home");
    common::git(
        &depth1,
        "2026-11-25T12:00:00Z",
        &[("HOME", &home)],
        &["fetch", "--quiet", "--depth", "1", "origin", "old:old"],
    );
    let (code, _, stderr) = rollouts_with_stderr(&depth1, "old..HEAD");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "reaches past the shallow clone's boundary at {}: fetch more history (`actions/checkout` with `fetch-depth: 0`",
            shallow.short(2)
        )),
        "{stderr}"
    );
}

/// A single revision's whole history on a shallow clone: the boundary
/// commit is not compared with the empty tree (nothing is reported as
/// created there), a note says what is missing, and the commits above the
/// boundary are reported as in the full clone.
#[test]
fn a_single_revision_skips_the_boundary_commit_with_a_note() {
    let shallow = Shallow::new();
    let note = |index: usize| {
        format!(
            "note: history before {} is not in this shallow clone; changes from it are not reported (fetch more history: `actions/checkout` with `fetch-depth: 0`, or `git fetch --unshallow`)\n",
            shallow.short(index)
        )
    };
    let (code, report, stderr) = rollouts_with_stderr(&shallow.path("depth1"), "HEAD");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, note(2));
    assert_eq!(listed(&report), []);

    let (code, report, stderr) = rollouts_with_stderr(&shallow.path("depth2"), "HEAD");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, note(1));
    let updated = vec![(shallow.commits[2].to_string(), vec!["updated".to_owned()])];
    assert_eq!(listed(&report), updated);

    // The full clone reports the creation, in the first commit, and both bumps.
    let (code, report, stderr) = rollouts_with_stderr(&shallow.path("full"), "HEAD");
    assert_eq!((code, stderr.as_str()), (0, ""));
    let kinds: Vec<Vec<String>> = listed(&report).into_iter().map(|(_, k)| k).collect();
    assert_eq!(kinds, [["created"], ["updated"], ["updated"]]);
}

/// On a depth-2 clone `HEAD~1..HEAD` is inside the clone: the same report as
/// the full repository gives.
#[test]
fn a_range_inside_a_shallow_clone_works_normally() {
    let shallow = Shallow::new();
    let (code, report, stderr) = rollouts_with_stderr(&shallow.path("depth2"), "HEAD~1..HEAD");
    assert_eq!((code, stderr.as_str()), (0, ""));
    let (_, full, _) = rollouts_with_stderr(&shallow.path("full"), "HEAD~1..HEAD");
    assert_eq!(report, full);
    assert_eq!(
        listed(&report),
        [(shallow.commits[2].to_string(), vec!["updated".to_owned()])]
    );
}

/// The markdown summary of a single revision on a shallow clone says what
/// it covers: the history before the boundary is not in the clone, and the
/// resources are compared from the boundary commit, so nothing is
/// presented as created by the history.
#[test]
fn a_shallow_single_revision_summary_says_what_it_covers() {
    let shallow = Shallow::new();
    let markdown = |clone: &str| {
        let output = Command::cargo_bin("mz-presync")
            .unwrap()
            .args(["rollouts", "--format", "markdown", "--repo"])
            .arg(shallow.path(clone))
            .arg("HEAD")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8(output.stdout).unwrap()
    };
    let depth2 = markdown("depth2");
    assert!(
        depth2.contains(&format!(
            "**Shallow clone:** history before `{}` is not in this clone and is not covered: resources are compared from that commit to the head, not created by this history. Fetch more history (`actions/checkout` with `fetch-depth: 0`) for the whole history.\n",
            shallow.short(1)
        )),
        "{depth2}"
    );
    assert!(!depth2.contains("new resource"), "{depth2}");
    assert!(
        depth2.contains("| `prod/mz` | **yes** | **yes** |"),
        "{depth2}"
    );
    let depth1 = markdown("depth1");
    assert!(
        depth1.contains("**Shallow clone:** history before"),
        "{depth1}"
    );
    assert!(
        depth1.contains("No Materialize resource changes in 0 commits"),
        "{depth1}"
    );
    // The JSON names what `resources` compares.
    let (_, report, _) = rollouts_with_stderr(&shallow.path("depth2"), "HEAD");
    assert_eq!(report["base"], shallow.commits[1].to_string());
    assert_eq!(
        report["shallow_boundary"],
        serde_json::json!([shallow.commits[1].to_string()])
    );
    assert_eq!(report["resources"][0]["change"], "updated");
    // The full clone's history creates it.
    let full = markdown("full");
    assert!(!full.contains("Shallow clone"), "{full}");
    assert!(full.contains("**yes** (new resource)"), "{full}");
}
