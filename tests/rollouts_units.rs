//! `rollouts` with deploy units (issue 14): a resource is (unit, namespace,
//! name), so one repository deploying two clusters from two directories
//! holds two `materialize/mz`. Repositories are built with git2 (fixed
//! signatures and times: stable ids) and the built binary is run on them;
//! the JSON is asserted whole.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use git2::{Oid, Repository, Signature, Time};
use serde_json::{Value, json};

const US_EAST: &str = "clusters/us-east/mz.yaml";
const EU_WEST: &str = "clusters/eu-west/mz.yaml";

fn mz(image: &str) -> String {
    format!(
        "apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: materialize
spec:
  environmentdImageRef: materialize/environmentd:{image}
  backendSecretName: mz-backend
"
    )
}

struct Repo {
    dir: tempfile::TempDir,
    repo: Repository,
    files: BTreeMap<String, String>,
    head: Option<Oid>,
    minute: i64,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        Repo {
            dir,
            repo,
            files: BTreeMap::new(),
            head: None,
            minute: 0,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn tree(&self) -> Oid {
        common::write_tree(&self.repo, &self.files)
    }

    /// Commit the files as they are now, on `main`.
    fn commit(&mut self, message: &str) -> Oid {
        self.minute += 1;
        let time = Time::new(1_795_600_800 + self.minute * 60, 0);
        let signature = Signature::new("Dana Reviewer", "dana@example.com", &time).unwrap();
        let tree = self.repo.find_tree(self.tree()).unwrap();
        let parents: Vec<git2::Commit> = self
            .head
            .iter()
            .map(|id| self.repo.find_commit(*id).unwrap())
            .collect();
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        let id = self
            .repo
            .commit(None, &signature, &signature, message, &tree, &parent_refs)
            .unwrap();
        self.repo
            .reference("refs/heads/main", id, true, "test")
            .unwrap();
        self.repo.set_head("refs/heads/main").unwrap();
        self.head = Some(id);
        id
    }

    fn set(&mut self, path: &str, text: &str) {
        self.files.insert(path.to_owned(), text.to_owned());
    }

    /// `rollouts ARGS` from `cwd` (the repository by default): exit code,
    /// stdout, stderr.
    fn run_in(&self, cwd: &Path, args: &[&str]) -> (i32, String, String) {
        let output = Command::cargo_bin("mz-presync")
            .unwrap()
            .arg("rollouts")
            .args(args)
            .current_dir(cwd)
            .env("NO_COLOR", "1")
            .env_remove("MZ_PRESYNC_OPERATOR")
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--format", "json", "--fail-on", "never"];
        all.extend_from_slice(args);
        let (code, stdout, stderr) = self.run_in(self.path(), &all);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str(&stdout).unwrap()
    }
}

/// The design-model v1alpha2 hash of a manifest, from `mz-presync hash`.
fn hash_of(text: &str) -> String {
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["hash", "--format", "json", "-"])
        .env_remove("MZ_PRESYNC_OPERATOR")
        .write_stdin(text)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["resources"][0]["hash"].as_str().unwrap().to_owned()
}

fn directory(path: &str) -> Value {
    json!({"kind": "directory", "name": path, "path": path})
}

fn ids(ids: &[Oid]) -> Value {
    Value::Array(ids.iter().map(|id| json!(id.to_string())).collect())
}

/// The two-cluster layout: us-east on v26.1.0, eu-west on v26.2.0.
fn two_clusters() -> (Repo, Oid) {
    let mut repo = Repo::new();
    repo.set(US_EAST, &mz("v26.1.0"));
    repo.set(EU_WEST, &mz("v26.2.0"));
    let base = repo.commit("Two clusters");
    (repo, base)
}

fn resource(
    unit: &str,
    file: &str,
    change: &str,
    (old, new): (Option<&str>, Option<&str>),
    rollout: bool,
    commits: Value,
) -> Value {
    let hash = |image: Option<&str>| image.map(|i| hash_of(&mz(i)));
    json!({
        "unit": directory(unit),
        "namespace": "materialize",
        "name": "mz",
        "resource": format!("{unit}:materialize/mz"),
        "file": file,
        "change": change,
        "rollout": rollout,
        "restart": if rollout { "yes" } else { "no" },
        "pending": false,
        "old_hash": hash(old),
        "new_hash": hash(new),
        "fields": if rollout { json!(["/spec/environmentdImageRef"]) } else { json!([]) },
        "commits": commits,
    })
}

/// The pull request of the issue: us-east takes eu-west's previous image,
/// eu-west moves on. Two resources, two rollouts, not one.
#[test]
fn promoting_across_clusters_is_two_resources_and_two_rollouts() {
    let (mut repo, base) = two_clusters();
    repo.set(US_EAST, &mz("v26.2.0"));
    repo.set(EU_WEST, &mz("v26.3.0"));
    let promote = repo.commit("Promote v26.2.0 to us-east, v26.3.0 to eu-west");
    let range = format!("{base}..{promote}");
    let report = repo.json(&[&range]);

    let changes = report["commits"][0]["changes"].as_array().unwrap();
    let summary: Vec<(Value, Value, Value)> = changes
        .iter()
        .map(|c| {
            (
                c["unit"].clone(),
                c["rollout"].clone(),
                c["new_hash"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                directory("clusters/eu-west"),
                json!(true),
                json!(hash_of(&mz("v26.3.0")))
            ),
            (
                directory("clusters/us-east"),
                json!(true),
                json!(hash_of(&mz("v26.2.0")))
            ),
        ]
    );
    assert_eq!(report["base"], json!(base.to_string()));
    assert_eq!(report["head"], json!(promote.to_string()));
    assert_eq!(
        report["resources"],
        json!([
            resource(
                "clusters/eu-west",
                EU_WEST,
                "updated",
                (Some("v26.2.0"), Some("v26.3.0")),
                true,
                ids(&[promote])
            ),
            resource(
                "clusters/us-east",
                US_EAST,
                "updated",
                (Some("v26.1.0"), Some("v26.2.0")),
                true,
                ids(&[promote])
            ),
        ])
    );

    // The markdown counts both, the human and GitHub formats qualify names.
    let (code, markdown, _) = repo.run_in(repo.path(), &["--format", "markdown", &range]);
    assert_eq!(code, 0);
    assert!(
        markdown.contains(
            "Merging this rolls out **2 of 2** changed Materialize resources: 2 restart(s)"
        ),
        "{markdown}"
    );
    assert!(
        markdown.contains("| `materialize/mz` | **yes** | **yes** | `")
            && markdown.contains("| `clusters/eu-west/mz.yaml` | `clusters/eu-west` |")
            && markdown.contains("| `clusters/us-east/mz.yaml` | `clusters/us-east` |"),
        "{markdown}"
    );
    assert!(markdown.contains("### `clusters/us-east:materialize/mz` — rollout on merge: **yes**"));
    let (_, human, _) = repo.run_in(repo.path(), &[&range]);
    assert!(
        human.contains("clusters/eu-west:materialize/mz")
            && human.contains("clusters/us-east:materialize/mz"),
        "{human}"
    );
    assert!(
        human.contains("Merging the range rolls out 2 of 2 changed resources, 2 restarts.\n"),
        "{human}"
    );
    let (code, github, _) = repo.run_in(
        repo.path(),
        &["--format", "github", "--fail-on", "rollout", &range],
    );
    assert_eq!(code, 1);
    let titles: Vec<&str> = github
        .lines()
        .map(|l| {
            l.split("title=")
                .nth(1)
                .unwrap()
                .split("::")
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(
        titles,
        [
            "rollout%3A clusters/eu-west%3Amaterialize/mz",
            "rollout%3A clusters/us-east%3Amaterialize/mz"
        ]
    );
    assert!(
        github.lines().all(|l| l.starts_with("::error ")),
        "{github}"
    );
}

/// A change made and reverted inside the range: the commits list it, the
/// net says unchanged, and merging the range requests no rollout. (Pod
/// labels, not the image: reverting an image bump is a downgrade, an error
/// of its commit whatever the net says.)
#[test]
fn a_change_reverted_inside_the_range_is_unchanged() {
    let (mut repo, base) = two_clusters();
    let labelled = mz("v26.2.0").replace(
        "  backendSecretName: mz-backend\n",
        "  backendSecretName: mz-backend\n  podLabels: {team: data}\n",
    );
    repo.set(EU_WEST, &labelled);
    let bump = repo.commit("Label eu-west's pods");
    repo.set(EU_WEST, &mz("v26.2.0"));
    let revert = repo.commit("Revert \"Label eu-west's pods\"");
    let range = format!("{base}..{revert}");
    let report = repo.json(&[&range]);
    let per_commit: Vec<bool> = report["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["changes"][0]["rollout"].as_bool().unwrap())
        .collect();
    assert_eq!(per_commit, [true, true]);
    assert_eq!(
        report["resources"],
        json!([{
            "unit": directory("clusters/eu-west"),
            "namespace": "materialize",
            "name": "mz",
            "resource": "clusters/eu-west:materialize/mz",
            "file": EU_WEST,
            "change": "unchanged",
            "rollout": false,
            "restart": "no",
            "pending": false,
            "old_hash": hash_of(&mz("v26.2.0")),
            "new_hash": hash_of(&mz("v26.2.0")),
            "fields": [],
            "commits": ids(&[bump, revert]),
        }])
    );
    // --fail-on judges the merge of a range, the commits of a revision.
    let fails = |args: &[&str]| repo.run_in(repo.path(), args).0;
    assert_eq!(fails(&["--fail-on", "rollout", &range]), 0);
    assert_eq!(fails(&["--fail-on", "restart", &range]), 0);
    assert_eq!(fails(&["--fail-on", "rollout", "HEAD"]), 1);
    let (_, markdown, _) = repo.run_in(repo.path(), &["--format", "markdown", &range]);
    assert!(markdown.contains("starts **no rollout**"), "{markdown}");
    assert!(
        markdown.contains("no (its changes cancel out)"),
        "{markdown}"
    );
    let (_, github, _) = repo.run_in(
        repo.path(),
        &["--format", "github", "--fail-on", "rollout", &range],
    );
    assert!(
        github.lines().all(|l| l.starts_with("::notice ")),
        "a reverted rollout does not fail the range: {github}"
    );
}

/// A single revision: everything at the head is created by its history.
#[test]
fn a_single_revision_creates_what_its_head_holds() {
    let (mut repo, base) = two_clusters();
    repo.set(US_EAST, &mz("v26.2.0"));
    let bump = repo.commit("Bump us-east");
    let report = repo.json(&["HEAD"]);
    assert_eq!(report["base"], Value::Null);
    assert_eq!(
        report["resources"],
        json!([
            resource(
                "clusters/eu-west",
                EU_WEST,
                "created",
                (None, Some("v26.2.0")),
                true,
                ids(&[base])
            )
            .as_object()
            .map(|o| {
                let mut o = o.clone();
                o["fields"] = json!([]);
                Value::Object(o)
            })
            .unwrap(),
            resource(
                "clusters/us-east",
                US_EAST,
                "created",
                (None, Some("v26.2.0")),
                true,
                ids(&[base, bump])
            )
            .as_object()
            .map(|o| {
                let mut o = o.clone();
                o["fields"] = json!([]);
                Value::Object(o)
            })
            .unwrap(),
        ])
    );
}

/// `-- PATH...` scopes the scan (changes and resources) to files under the
/// paths, relative to the current directory inside the work tree.
#[test]
fn paths_after_a_double_dash_scope_the_scan() {
    let (mut repo, base) = two_clusters();
    repo.set(US_EAST, &mz("v26.2.0"));
    repo.set(EU_WEST, &mz("v26.3.0"));
    repo.set("README.md", "two clusters\n");
    let promote = repo.commit("Promote");
    let range = format!("{base}..{promote}");
    let units_of = |report: &Value, key: &str| -> Vec<Value> {
        let list = if key == "resources" {
            report["resources"].as_array().unwrap().clone()
        } else {
            report["commits"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|c| c["changes"].as_array().unwrap().clone())
                .collect()
        };
        list.iter().map(|r| r["unit"]["path"].clone()).collect()
    };
    let scoped = repo.json(&[&range, "--", "clusters/us-east"]);
    assert_eq!(units_of(&scoped, "changes"), [json!("clusters/us-east")]);
    assert_eq!(units_of(&scoped, "resources"), [json!("clusters/us-east")]);
    // A file, and a path relative to the current directory.
    let file = repo.json(&[&range, "--", EU_WEST]);
    assert_eq!(units_of(&file, "resources"), [json!("clusters/eu-west")]);
    let clusters: PathBuf = repo.path().join("clusters");
    std::fs::create_dir_all(&clusters).unwrap();
    let (code, stdout, stderr) = repo.run_in(
        &clusters,
        &[
            "--format",
            "json",
            &range,
            "--",
            "eu-west",
            "us-east/mz.yaml",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        units_of(&report, "resources"),
        [json!("clusters/eu-west"), json!("clusters/us-east")]
    );
    // A component prefix is not a directory: `clusters/us` is neither.
    let none = repo.json(&[&range, "--", "clusters/us"]);
    assert_eq!(none["commits"], json!([]));
    assert_eq!(none["resources"], json!([]));
    // Outside the repository: a usage error.
    let (code, stdout, stderr) = repo.run_in(repo.path(), &[&range, "--", "../elsewhere"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.contains("is outside the repository"), "{stderr}");
}

/// Moving a manifest to another directory moves it to another unit: the
/// old unit's resource is deleted and the new one's created (a rename in
/// one directory stays no change, see `tests/rollouts_history.rs`).
#[test]
fn moving_a_manifest_to_another_directory_unit_is_delete_and_create() {
    let (mut repo, base) = two_clusters();
    let text = repo.files.remove(US_EAST).unwrap();
    repo.set("clusters/us-east-2/mz.yaml", &text);
    let moved = repo.commit("Move us-east");
    let report = repo.json(&[&format!("{base}..{moved}")]);
    let changes: Vec<(Value, Value)> = report["commits"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["unit"]["path"].clone(), c["change"].clone()))
        .collect();
    assert_eq!(
        changes,
        // In path order (`-` sorts before `/`).
        [
            (json!("clusters/us-east-2"), json!("created")),
            (json!("clusters/us-east"), json!("deleted")),
        ]
    );
}

fn application(name: &str, path: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://example.com/gitops.git
    path: {path}
  destination:
    server: https://kubernetes.default.svc
    namespace: materialize
"
    )
}

/// A shared kustomize base under two Applications' overlays: a change to
/// the base changes the resource in each Application (each deploys it),
/// and the object without a namespace takes the destination namespace.
#[test]
fn a_shared_base_changes_the_resource_in_every_application_built_from_it() {
    let mut repo = Repo::new();
    repo.set(
        "apps/us-east.yaml",
        &application("mz-us-east", "clusters/us-east"),
    );
    repo.set(
        "apps/eu-west.yaml",
        &application("mz-eu-west", "clusters/eu-west"),
    );
    repo.set("base/kustomization.yaml", "resources:\n- mz.yaml\n");
    let unnamespaced = |image: &str| mz(image).replace("  namespace: materialize\n", "");
    repo.set("base/mz.yaml", &unnamespaced("v26.1.0"));
    for cluster in ["us-east", "eu-west"] {
        repo.set(
            &format!("clusters/{cluster}/kustomization.yaml"),
            "resources:\n- ../../base\n",
        );
    }
    let base = repo.commit("Two Applications over one base");
    repo.set("base/mz.yaml", &unnamespaced("v26.2.0"));
    let bump = repo.commit("Bump the base");
    let report = repo.json(&[&format!("{base}..{bump}")]);
    let app =
        |name: &str, path: &str| json!({"kind": "argocd-application", "name": name, "path": path});
    let changes: Vec<(Value, Value, Value, Value)> = report["commits"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["unit"].clone(),
                c["namespace"].clone(),
                c["file"].clone(),
                c["rollout"].clone(),
            )
        })
        .collect();
    let eu = app("mz-eu-west", "clusters/eu-west");
    let us = app("mz-us-east", "clusters/us-east");
    assert_eq!(
        changes,
        [
            (
                eu.clone(),
                json!("materialize"),
                json!("base/mz.yaml"),
                json!(true)
            ),
            (
                us.clone(),
                json!("materialize"),
                json!("base/mz.yaml"),
                json!(true)
            ),
        ]
    );
    let resources: Vec<(Value, Value, Value)> = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["unit"].clone(), r["change"].clone(), r["commits"].clone()))
        .collect();
    assert_eq!(
        resources,
        [
            (eu, json!("updated"), ids(&[bump])),
            (us, json!("updated"), ids(&[bump])),
        ]
    );
    let (_, human, _) = repo.run_in(repo.path(), &[&format!("{base}..{bump}")]);
    assert!(
        human.contains("mz-eu-west:materialize/mz") && human.contains("mz-us-east:materialize/mz"),
        "{human}"
    );
}

/// Units come from both ends of a range: an Application deleted with its
/// manifests still names the resource it deployed.
#[test]
fn a_unit_deleted_inside_the_range_still_names_its_resources() {
    let mut repo = Repo::new();
    repo.set(
        "apps/us-east.yaml",
        &application("mz-us-east", "clusters/us-east"),
    );
    repo.set(US_EAST, &mz("v26.1.0"));
    let base = repo.commit("An Application for us-east");
    repo.files.clear();
    let gone = repo.commit("Decommission us-east");
    let report = repo.json(&[&format!("{base}..{gone}")]);
    assert_eq!(
        report["resources"][0]["unit"],
        json!({"kind": "argocd-application", "name": "mz-us-east", "path": "clusters/us-east"})
    );
    assert_eq!(report["resources"][0]["change"], "deleted");
    assert_eq!(report["resources"].as_array().unwrap().len(), 1);
}

/// `units:` in `.mz-presync.yaml` (found from the working directory, as for
/// every command) replaces discovery in `rollouts` too.
#[test]
fn configured_units_replace_discovery() {
    let (mut repo, base) = two_clusters();
    repo.set(US_EAST, &mz("v26.2.0"));
    let bump = repo.commit("Bump us-east");
    std::fs::write(
        repo.path().join(".mz-presync.yaml"),
        "units:\n  - path: clusters/*\n    namespace: materialize\n",
    )
    .unwrap();
    let report = repo.json(&[&format!("{base}..{bump}")]);
    let unit = &report["resources"][0]["unit"];
    assert_eq!(unit["kind"], "config", "{report:#}");
    assert_eq!(unit["path"], "clusters/us-east");
    assert_eq!(report["resources"].as_array().unwrap().len(), 1);
}
