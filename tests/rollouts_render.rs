//! `rollouts --render` end to end: a repository built with git2 (one base,
//! two overlays each deployed by an Argo CD Application, and an unrelated
//! unit), rendered with the real `kubectl kustomize` (or `kustomize
//! build`). Those tests skip with a message when neither is on PATH, unless
//! `MZ_PRESYNC_REQUIRE_TOOLS=1` (CI), where that is a failure.
//!
//! The kustomizations use the syntax kustomize v2.0.3 reads (`bases:`,
//! `patchesStrategicMerge:`): Debian 12 packages only the kubectl 1.20 that
//! embeds it (see .ci/argocd-tools.sh).
//!
//! Helm is not installable on this project's machines (no package registry
//! ships a helm binary for Linux), so the Helm case runs a stub `helm`
//! script put first on PATH: it checks the arguments mz-presync passes and
//! prints a fixed stream built from the chart's values file.
//!
//! Unix only: the stubs are shell scripts.
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use git2::{Oid, Repository, Signature, Time};
use serde_json::Value;

const BASE_KUSTOMIZATION: &str = "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - mz.yaml
";

fn base_mz(image: &str) -> String {
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

const OVERLAY_KUSTOMIZATION: &str = "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
bases:
  - ../../base
patchesStrategicMerge:
  - patch.yaml
";

fn overlay_patch(region: &str) -> String {
    format!(
        "apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: materialize
spec:
  podLabels:
    region: {region}
"
    )
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
    repoURL: https://example.com/deploy.git
    targetRevision: main
    path: {path}
  destination:
    server: https://kubernetes.default.svc
    namespace: materialize
"
    )
}

const ANALYTICS_KUSTOMIZATION: &str = "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - mz.yaml
";

fn analytics_mz(image: &str) -> String {
    base_mz(image).replace("name: mz\n", "name: analytics\n")
}

type Files = BTreeMap<String, String>;

/// The starting state: base at v26.0.0, us-east and eu-west overlays, the
/// analytics unit.
fn initial_files() -> Files {
    let mut files = Files::new();
    let mut put = |path: &str, text: String| {
        files.insert(path.to_owned(), text);
    };
    put("apps/base/kustomization.yaml", BASE_KUSTOMIZATION.into());
    put("apps/base/mz.yaml", base_mz("v26.0.0"));
    for region in ["us-east", "eu-west"] {
        put(
            &format!("apps/overlays/{region}/kustomization.yaml"),
            OVERLAY_KUSTOMIZATION.into(),
        );
        put(
            &format!("apps/overlays/{region}/patch.yaml"),
            overlay_patch(region),
        );
        put(
            &format!("argocd/{region}.yaml"),
            application(region, &format!("apps/overlays/{region}")),
        );
    }
    put(
        "analytics/kustomization.yaml",
        ANALYTICS_KUSTOMIZATION.into(),
    );
    put("analytics/mz.yaml", analytics_mz("v26.0.0"));
    put(
        "argocd/analytics.yaml",
        application("analytics", "analytics"),
    );
    files
}

struct Repo {
    dir: tempfile::TempDir,
    repo: Repository,
    minute: i64,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        Repo {
            dir,
            repo,
            minute: 0,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn tree(&self, files: &Files) -> Oid {
        common::write_tree(&self.repo, files)
    }

    /// Commit `files` on top of `parent` (and move `main` there).
    fn commit(&mut self, message: &str, files: &Files, parent: Option<Oid>) -> Oid {
        self.minute += 1;
        let time = Time::new(1_795_600_800 + self.minute * 60, 0);
        let signature = Signature::new("Dana Reviewer", "dana@example.com", &time).unwrap();
        let tree = self.repo.find_tree(self.tree(files)).unwrap();
        let parents: Vec<git2::Commit> = parent
            .iter()
            .map(|id| self.repo.find_commit(*id).unwrap())
            .collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        let id = self
            .repo
            .commit(None, &signature, &signature, message, &tree, &refs)
            .unwrap();
        self.repo
            .reference("refs/heads/main", id, true, "test")
            .unwrap();
        self.repo.set_head("refs/heads/main").unwrap();
        id
    }
}

// ---------------------------------------------------------------------------
// External tools.

fn tools_required() -> bool {
    std::env::var("MZ_PRESYNC_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
}

/// Whether kustomize can run here; when it cannot, says so (or fails when
/// tools are required).
fn kustomize_available(test: &str) -> bool {
    if on_path("kustomize") || on_path("kubectl") {
        return true;
    }
    assert!(
        !tools_required(),
        "{test}: neither kustomize nor kubectl is on PATH, and MZ_PRESYNC_REQUIRE_TOOLS=1 (run .ci/argocd-tools.sh)"
    );
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: neither kustomize nor kubectl is on PATH (run .ci/argocd-tools.sh to install kubectl)"
    );
    false
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        assert_eq!(
            self.code, 0,
            "stderr: {}\nstdout: {}",
            self.stderr, self.stdout
        );
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

fn rollouts(repo: &Path, args: &[&str], path: Option<&str>) -> Run {
    let mut command = Command::cargo_bin("mz-presync").unwrap();
    command
        .arg("rollouts")
        .arg("--repo")
        .arg(repo)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("MZ_PRESYNC_RENDER")
        .env_remove("MZ_PRESYNC_RENDER_TIMEOUT");
    if let Some(path) = path {
        command.env("PATH", path);
    }
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// `(file, namespace/name, rollout, fields)` of each change of each commit.
/// `(file, namespace/name, rollout, fields)`.
type Seen = (String, String, bool, Vec<String>);

fn changes_of(report: &Value) -> Vec<Vec<Seen>> {
    report["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|commit| {
            commit["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|change| {
                    (
                        change["file"].as_str().unwrap().to_owned(),
                        format!(
                            "{}/{}",
                            change["namespace"].as_str().unwrap_or("-"),
                            change["name"].as_str().unwrap_or("-")
                        ),
                        change["rollout"].as_bool().unwrap(),
                        change["fields"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|f| f.as_str().unwrap().to_owned())
                            .collect(),
                    )
                })
                .collect()
        })
        .collect()
}

fn change(file: &str, resource: &str, fields: &[&str]) -> Seen {
    (
        file.to_owned(),
        resource.to_owned(),
        !fields.is_empty(),
        fields.iter().map(|f| (*f).to_owned()).collect(),
    )
}

fn application_unit(name: &str) -> Value {
    serde_json::json!({
        "kind": "argocd-application",
        "name": name,
        "path": format!("apps/overlays/{name}"),
    })
}

const IMAGE: &str = "/spec/environmentdImageRef";
const SECRET: &str = "/spec/backendSecretName";
const POD_LABELS: &str = "/spec/podLabels";

// ---------------------------------------------------------------------------

#[test]
fn a_base_change_rolls_out_every_overlay_built_from_it_and_nothing_else() {
    let test = "a_base_change_rolls_out_every_overlay_built_from_it_and_nothing_else";
    if !kustomize_available(test) {
        return;
    }
    let mut repo = Repo::new();
    let mut files = initial_files();
    let start = repo.commit("start", &files, None);
    files.insert("apps/base/mz.yaml".into(), base_mz("v26.1.0"));
    let bump = repo.commit("bump the base image", &files, Some(start));
    let range = format!("{start}..{bump}");

    let report = rollouts(repo.path(), &["--render", "--format", "json", &range], None).json();
    assert_eq!(
        changes_of(&report),
        [vec![
            change("apps/overlays/eu-west", "materialize/mz", &[IMAGE]),
            change("apps/overlays/us-east", "materialize/mz", &[IMAGE]),
        ]]
    );
    let first = &report["commits"][0]["changes"][0];
    assert_eq!(first["rendered"], "kustomize");
    assert_eq!(first["change"], "updated");
    assert_ne!(first["old_hash"], first["new_hash"]);
    // Each rendered change names the Application that deploys the overlay.
    assert_eq!(first["unit"], application_unit("eu-west"));
    assert_eq!(
        report["commits"][0]["changes"][1]["unit"],
        application_unit("us-east")
    );
    // The net of the range: one rollout per cluster, no base file.
    let net: Vec<(Value, Value, Value)> = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["unit"].clone(), r["file"].clone(), r["rollout"].clone()))
        .collect();
    assert_eq!(
        net,
        [
            (
                application_unit("eu-west"),
                Value::from("apps/overlays/eu-west"),
                Value::from(true)
            ),
            (
                application_unit("us-east"),
                Value::from("apps/overlays/us-east"),
                Value::from(true)
            ),
        ]
    );

    // Without --render the same range is the base file's change, once per
    // Application that deploys the base (both units reach the file).
    let raw = rollouts(repo.path(), &["--format", "json", &range], None).json();
    let base_change = change("apps/base/mz.yaml", "materialize/mz", &[IMAGE]);
    assert_eq!(changes_of(&raw), [vec![base_change.clone(), base_change]]);
    assert_eq!(raw["commits"][0]["changes"][0].get("rendered"), None);
}

#[test]
fn an_overlay_patch_change_rolls_out_that_overlay_only() {
    let test = "an_overlay_patch_change_rolls_out_that_overlay_only";
    if !kustomize_available(test) {
        return;
    }
    let mut repo = Repo::new();
    let mut files = initial_files();
    let start = repo.commit("start", &files, None);
    files.insert(
        "apps/overlays/us-east/patch.yaml".into(),
        overlay_patch("us-east-1"),
    );
    let patch = repo.commit("relabel us-east", &files, Some(start));
    let report = rollouts(
        repo.path(),
        &["--render", "--format", "json", &format!("{start}..{patch}")],
        None,
    )
    .json();
    assert_eq!(
        changes_of(&report),
        [vec![change(
            "apps/overlays/us-east",
            "materialize/mz",
            &[POD_LABELS]
        )]]
    );
}

#[test]
fn renders_are_cached_by_input_state() {
    let test = "renders_are_cached_by_input_state";
    if !kustomize_available(test) {
        return;
    }
    let mut repo = Repo::new();
    let mut files = initial_files();
    let start = repo.commit("start", &files, None);
    files.insert("apps/base/mz.yaml".into(), base_mz("v26.1.0"));
    let bump = repo.commit("bump the base", &files, Some(start));
    files.insert(
        "apps/overlays/us-east/patch.yaml".into(),
        overlay_patch("us-east-1"),
    );
    let relabel = repo.commit("relabel us-east", &files, Some(bump));
    files.insert("README.md".into(), "deploy repository\n".into());
    let readme = repo.commit("readme", &files, Some(relabel));
    let range = format!("{start}..{readme}");
    let run = rollouts(
        repo.path(),
        &["--render", "--verbose", "--format", "json", &range],
        None,
    );
    let report = run.json();
    assert_eq!(
        changes_of(&report),
        [
            vec![
                change("apps/overlays/eu-west", "materialize/mz", &[IMAGE]),
                change("apps/overlays/us-east", "materialize/mz", &[IMAGE]),
            ],
            vec![change(
                "apps/overlays/us-east",
                "materialize/mz",
                &[POD_LABELS]
            )],
        ]
    );
    // us-east at start, bump, relabel and eu-west at start, bump: five
    // input states. us-east after the bump is asked for twice (the new
    // side of the bump, the old side of the relabel): one cache hit; the
    // range's net (start against head) asks for four states already
    // rendered. The README commit and the analytics unit render nothing.
    assert!(
        run.stderr.contains("render: 5 renders, 5 cache hits"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_base_change_reverted_inside_the_range_rolls_out_nothing() {
    let test = "a_base_change_reverted_inside_the_range_rolls_out_nothing";
    if !kustomize_available(test) {
        return;
    }
    let mut repo = Repo::new();
    let mut files = initial_files();
    let start = repo.commit("start", &files, None);
    // Not the image: going back would be a downgrade, an error of its own.
    files.insert(
        "apps/base/mz.yaml".into(),
        base_mz("v26.0.0").replace("mz-backend", "mz-backend-2"),
    );
    let bump = repo.commit("rotate the backend secret", &files, Some(start));
    files.insert("apps/base/mz.yaml".into(), base_mz("v26.0.0"));
    let revert = repo.commit("Revert \"rotate the backend secret\"", &files, Some(bump));
    let range = format!("{start}..{revert}");
    let report = rollouts(repo.path(), &["--render", "--format", "json", &range], None).json();
    // Each commit rolls out both overlays…
    assert_eq!(
        changes_of(&report),
        [
            vec![
                change("apps/overlays/eu-west", "materialize/mz", &[SECRET]),
                change("apps/overlays/us-east", "materialize/mz", &[SECRET]),
            ],
            vec![
                change("apps/overlays/eu-west", "materialize/mz", &[SECRET]),
                change("apps/overlays/us-east", "materialize/mz", &[SECRET]),
            ],
        ]
    );
    // …and merging the range rolls out nothing.
    let resources = report["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 2, "{resources:?}");
    for resource in resources {
        assert_eq!(resource["change"], "unchanged", "{resource}");
        assert_eq!(resource["rollout"], false, "{resource}");
    }
    let run = rollouts(
        repo.path(),
        &["--render", "--fail-on", "rollout", &range],
        None,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn a_missing_tool_is_an_error_naming_what_to_install() {
    let mut repo = Repo::new();
    let mut files = initial_files();
    let start = repo.commit("start", &files, None);
    files.insert("apps/base/mz.yaml".into(), base_mz("v26.1.0"));
    let bump = repo.commit("bump", &files, Some(start));
    let empty = tempfile::tempdir().unwrap();
    let run = rollouts(
        repo.path(),
        &["--render", &format!("{start}..{bump}")],
        Some(&empty.path().display().to_string()),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("needs `kustomize` or `kubectl`")
            && run.stderr.contains("apt-get install kubernetes-client"),
        "{}",
        run.stderr
    );
    // Without --render no tool is needed.
    let run = rollouts(
        repo.path(),
        &[&format!("{start}..{bump}")],
        Some(&empty.path().display().to_string()),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_broken_kustomization_fails_with_the_tools_stderr() {
    let test = "a_broken_kustomization_fails_with_the_tools_stderr";
    if !kustomize_available(test) {
        return;
    }
    let mut repo = Repo::new();
    let mut files = initial_files();
    let start = repo.commit("start", &files, None);
    files.insert(
        "apps/overlays/eu-west/kustomization.yaml".into(),
        OVERLAY_KUSTOMIZATION.replace("patch.yaml", "missing-patch.yaml"),
    );
    let broken = repo.commit("break eu-west", &files, Some(start));
    let run = rollouts(
        repo.path(),
        &["--render", &format!("{start}..{broken}")],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("apps/overlays/eu-west") && run.stderr.contains("missing-patch.yaml"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("failed: `"), "{}", run.stderr);
    assert!(!run.stderr.contains("mz-presync-render-"), "{}", run.stderr);
}

/// A directory holding one executable script named `name`.
fn stub(name: &str, script: &str) -> (tempfile::TempDir, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir_path = dir.path().to_path_buf();
    (dir, dir_path)
}

fn path_with(first: &Path) -> String {
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", first.display())
}

#[test]
fn a_render_that_runs_too_long_is_killed() {
    let mut repo = Repo::new();
    let mut files = initial_files();
    let start = repo.commit("start", &files, None);
    files.insert("apps/base/mz.yaml".into(), base_mz("v26.1.0"));
    let bump = repo.commit("bump", &files, Some(start));
    let (_stub, dir) = stub("kustomize", "#!/bin/sh\nsleep 30\n");
    let begun = std::time::Instant::now();
    let run = rollouts(
        repo.path(),
        &[
            "--render",
            "--render-timeout",
            "300ms",
            &format!("{start}..{bump}"),
        ],
        Some(&path_with(&dir)),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("ran longer than 300ms and was killed")
            && run.stderr.contains("--render-timeout"),
        "{}",
        run.stderr
    );
    assert!(begun.elapsed() < std::time::Duration::from_secs(20));
}

// ---------------------------------------------------------------------------
// Helm, through a stub: no helm binary is installable here (see the top).

const CHART: &str = "apiVersion: v2
name: mz
version: 0.1.0
";

/// What the chart's template would render; the stub below prints it.
const TEMPLATE: &str = "apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: {{ .Release.Namespace }}
spec:
  environmentdImageRef: materialize/environmentd:{{ .Values.image }}
  backendSecretName: mz-backend
";

/// A `helm` that accepts exactly the command Argo CD's Application below
/// means (`helm template mz-prod charts/mz --namespace materialize -f
/// charts/mz/values-prod.yaml`, in the temporary tree's root) and prints
/// the template with the values file's `image`.
const HELM_STUB: &str = r#"#!/bin/sh
expected="template mz-prod charts/mz --namespace materialize -f charts/mz/values-prod.yaml"
if [ "$*" != "$expected" ]; then
  echo "stub helm: unexpected arguments: $*" >&2
  exit 64
fi
if [ ! -f charts/mz/Chart.yaml ] || [ ! -f charts/mz/templates/mz.yaml ]; then
  echo "stub helm: the chart was not written" >&2
  exit 1
fi
image=$(sed -n 's/^image: //p' charts/mz/values-prod.yaml)
cat <<YAML
---
# Source: mz/templates/mz.yaml
apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: materialize
spec:
  environmentdImageRef: materialize/environmentd:$image
  backendSecretName: mz-backend
YAML
"#;

fn helm_files(image: &str) -> Files {
    let mut files = Files::new();
    files.insert("charts/mz/Chart.yaml".into(), CHART.into());
    files.insert("charts/mz/templates/mz.yaml".into(), TEMPLATE.into());
    files.insert("charts/mz/values.yaml".into(), "image: v0.0.0\n".into());
    files.insert(
        "charts/mz/values-prod.yaml".into(),
        format!("image: {image}\n"),
    );
    files.insert(
        "argocd/mz-prod.yaml".into(),
        application("mz-prod", "charts/mz").replace(
            "    path: charts/mz\n",
            "    path: charts/mz\n    helm:\n      releaseName: mz-prod\n      valueFiles:\n        - values-prod.yaml\n",
        ),
    );
    files
}

#[test]
fn a_helm_values_change_rolls_out_the_rendered_release() {
    let mut repo = Repo::new();
    let start = repo.commit("start", &helm_files("v26.0.0"), None);
    let bump = repo.commit("bump prod", &helm_files("v26.1.0"), Some(start));
    let (_stub, dir) = stub("helm", HELM_STUB);
    let range = format!("{start}..{bump}");
    let report = rollouts(
        repo.path(),
        &["--render", "--format", "json", &range],
        Some(&path_with(&dir)),
    )
    .json();
    assert_eq!(
        changes_of(&report),
        [vec![change("charts/mz", "materialize/mz", &[IMAGE])]]
    );
    assert_eq!(report["commits"][0]["changes"][0]["rendered"], "helm");

    // Without a helm on PATH: exit 2, never the unrendered template.
    let empty = tempfile::tempdir().unwrap();
    let run = rollouts(
        repo.path(),
        &["--render", &range],
        Some(&empty.path().display().to_string()),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("needs `helm`"), "{}", run.stderr);
}

#[test]
fn plugin_units_are_read_as_files_with_a_note() {
    let mut repo = Repo::new();
    let mut files = Files::new();
    files.insert("plugin-app/mz.yaml".into(), base_mz("v26.0.0"));
    files.insert(
        "argocd/plugin-app.yaml".into(),
        application("plugin-app", "plugin-app").replace(
            "    path: plugin-app\n",
            "    path: plugin-app\n    plugin:\n      name: mz-presync\n",
        ),
    );
    let start = repo.commit("start", &files, None);
    files.insert("plugin-app/mz.yaml".into(), base_mz("v26.1.0"));
    let bump = repo.commit("bump", &files, Some(start));
    let empty = tempfile::tempdir().unwrap();
    // No tool is needed: nothing is rendered.
    let run = rollouts(
        repo.path(),
        &["--render", "--format", "json", &format!("{start}..{bump}")],
        Some(&empty.path().display().to_string()),
    );
    let report = run.json();
    assert_eq!(
        changes_of(&report),
        [vec![change(
            "plugin-app/mz.yaml",
            "materialize/mz",
            &[IMAGE]
        )]]
    );
    assert_eq!(report["commits"][0]["changes"][0].get("rendered"), None);
    assert!(
        run.stderr.contains(
            "note: argocd-application plugin-app is built by the config management plugin \"mz-presync\": not rendered"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn the_human_report_marks_rendered_files() {
    let test = "the_human_report_marks_rendered_files";
    if !kustomize_available(test) {
        return;
    }
    let mut repo = Repo::new();
    let mut files = initial_files();
    let start = repo.commit("start", &files, None);
    files.insert(
        "apps/overlays/eu-west/patch.yaml".into(),
        overlay_patch("eu-west-2"),
    );
    let patch = repo.commit("relabel eu-west", &files, Some(start));
    let run = rollouts(
        repo.path(),
        &["--render", &format!("{start}..{patch}")],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("eu-west:materialize/mz")
            && run.stdout.contains("apps/overlays/eu-west [kustomize]"),
        "{}",
        run.stdout
    );
}
