//! The GitHub Action (action.yml + scripts/action.sh), run the way the runner
//! runs a composite action: every `run:` step of action.yml in order, with
//! its `env:` evaluated from the inputs and the outputs of earlier steps, a
//! fresh GITHUB_OUTPUT file per step, a job summary, an event payload and a
//! temporary git repository with a base and a head commit. `uses:` steps
//! (the build cache) are skipped, as on a cache miss. Workflow commands are
//! read from stdout and stderr, honouring `::stop-commands::`.
//!
//! The binary under test is handed over through MZ_PRESYNC_BIN, as a job's
//! `env:` would; the install phase is tested with stub `cargo`/`rustup`.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use tempfile::TempDir;

mod common;
use common::binary;

const ACTION_DIR: &str = env!("CARGO_MANIFEST_DIR");

// --- manifests, named after the case they set up --------------------------

const PROD_V26_1: &str = "\
apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: prod
spec:
  environmentdImageRef: materialize/environmentd:v26.1.0
  backendSecretName: materialize-backend
  balancerdReplicas: 2
";

/// The image moves to the next minor version: a rollout.
const PROD_V26_2: &str = "\
apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: prod
spec:
  environmentdImageRef: materialize/environmentd:v26.2.0
  backendSecretName: materialize-backend
  balancerdReplicas: 2
";

/// Only fields outside the rollout hash change (replicas, a label).
const PROD_V26_1_MORE_REPLICAS: &str = "\
apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: prod
  labels:
    team: data
spec:
  environmentdImageRef: materialize/environmentd:v26.1.0
  backendSecretName: materialize-backend
  balancerdReplicas: 3
";

/// `rolloutStrategy` is an enum; `Bogus` is not one of its values.
const PROD_BOGUS_STRATEGY: &str = "\
apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: prod
spec:
  environmentdImageRef: materialize/environmentd:v26.1.0
  backendSecretName: materialize-backend
  balancerdReplicas: 2
  rolloutStrategy: Bogus
";

const STAGING_V1ALPHA1: &str = "\
apiVersion: materialize.cloud/v1alpha1
kind: Materialize
metadata:
  name: mz
  namespace: staging
spec:
  environmentdImageRef: materialize/environmentd:v26.1.0
  backendSecretName: materialize-backend
  requestRollout: 7b3a6f2e-2c1d-4e5f-8a9b-0c1d2e3f4a5b
";

// --- a git repository with a base and a head commit ------------------------

struct Repo {
    dir: TempDir,
    clock: u32,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: TempDir::new().unwrap(),
            clock: 0,
        };
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) -> String {
        let date = format!("2026-11-25T10:{:02}:00Z", self.clock);
        common::git(self.path(), &date, &[], args)
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// Commits everything in the tree; returns the commit id.
    fn commit(&mut self, message: &str) -> String {
        self.clock += 1;
        self.git(&["add", "--all"]);
        self.git(&["commit", "--quiet", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }
}

/// A repository whose base commit has `base` at clusters/prod/mz.yaml and
/// whose head commit applies `change`. Returns (repo, base sha, head sha).
fn pull_request(base: &[(&str, &str)], head: &[(&str, &str)]) -> (Repo, String, String) {
    let mut repo = Repo::new();
    repo.write("README.md", "# clusters\n");
    for (path, text) in base {
        repo.write(path, text);
    }
    let base_sha = repo.commit("base");
    for (path, text) in head {
        repo.write(path, text);
    }
    let head_sha = repo.commit("the pull request");
    (repo, base_sha, head_sha)
}

fn pull_request_event(base_sha: &str, head_sha: &str) -> Value {
    json!({
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "base": {"ref": "main", "sha": base_sha},
            "head": {"ref": "feature", "sha": head_sha},
        },
    })
}

// --- the simulated runner --------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct Annotation {
    level: String,
    properties: BTreeMap<String, String>,
    message: String,
}

#[derive(Debug)]
struct StepRun {
    name: String,
    status: i32,
    log: String,
}

#[derive(Debug)]
struct ActionRun {
    /// Some(step name) when a step failed (the steps after it did not run).
    failed_step: Option<String>,
    steps: Vec<StepRun>,
    skipped_uses: Vec<String>,
    outputs: BTreeMap<String, String>,
    step_outputs: BTreeMap<String, BTreeMap<String, String>>,
    summary: String,
    annotations: Vec<Annotation>,
    _temp: TempDir,
}

impl ActionRun {
    fn output(&self, name: &str) -> &str {
        self.outputs
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no output {name}: {self:#?}"))
    }

    fn hashes(&self) -> Value {
        serde_json::from_str(self.output("hashes")).expect("hashes is JSON")
    }

    fn log(&self) -> String {
        self.steps
            .iter()
            .map(|s| format!("--- {} (exit {})\n{}", s.name, s.status, s.log))
            .collect()
    }

    fn errors(&self) -> Vec<&Annotation> {
        self.annotations
            .iter()
            .filter(|a| a.level == "error")
            .collect()
    }

    fn assert_succeeded(&self) {
        assert_eq!(self.failed_step, None, "the action failed:\n{}", self.log());
    }

    fn assert_failed_at(&self, step: &str) {
        assert_eq!(
            self.failed_step.as_deref(),
            Some(step),
            "expected step {step:?} to fail:\n{}",
            self.log()
        );
    }
}

struct Simulation<'a> {
    repo: &'a Path,
    inputs: Vec<(&'a str, &'a str)>,
    event: Option<(&'a str, Value)>,
    env: Vec<(&'a str, String)>,
    /// Directories put in front of PATH (stub tools).
    path_prefix: Vec<PathBuf>,
    /// Set MZ_PRESYNC_BIN to the binary under test, as a job's `env:` would.
    binary: bool,
    tool_cache: Option<PathBuf>,
    /// GITHUB_ACTION_PATH: this checkout unless a test made its own copy.
    action_path: Option<PathBuf>,
}

impl<'a> Simulation<'a> {
    fn new(repo: &'a Path) -> Simulation<'a> {
        Simulation {
            repo,
            inputs: Vec::new(),
            event: None,
            env: Vec::new(),
            path_prefix: Vec::new(),
            binary: true,
            tool_cache: None,
            action_path: None,
        }
    }

    fn input(mut self, name: &'a str, value: &'a str) -> Self {
        self.inputs.push((name, value));
        self
    }

    fn event(mut self, name: &'a str, payload: Value) -> Self {
        self.event = Some((name, payload));
        self
    }

    fn env(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.env.push((name, value.into()));
        self
    }

    fn run(self) -> ActionRun {
        let action_path = self
            .action_path
            .clone()
            .unwrap_or_else(|| PathBuf::from(ACTION_DIR));
        let action: Value =
            yaml_serde::from_str(&fs::read_to_string(action_path.join("action.yml")).unwrap())
                .expect("action.yml parses");
        let temp = TempDir::new().unwrap();
        let runner_temp = temp.path().join("runner-temp");
        fs::create_dir_all(&runner_temp).unwrap();
        let tool_cache = self
            .tool_cache
            .clone()
            .unwrap_or_else(|| temp.path().join("tool-cache"));

        let mut inputs = BTreeMap::new();
        for (name, spec) in action["inputs"].as_object().expect("inputs") {
            inputs.insert(
                name.clone(),
                spec["default"].as_str().unwrap_or("").to_string(),
            );
        }
        for (name, value) in &self.inputs {
            assert!(inputs.contains_key(*name), "action.yml has no input {name}");
            inputs.insert(name.to_string(), value.to_string());
        }

        let mut base_env: Vec<(String, String)> = vec![
            (
                "HOME".into(),
                std::env::var("HOME").unwrap_or_else(|_| "/root".into()),
            ),
            ("LANG".into(), "C.UTF-8".into()),
            ("CI".into(), "true".into()),
            ("GITHUB_ACTIONS".into(), "true".into()),
            ("GITHUB_WORKSPACE".into(), self.repo.display().to_string()),
            (
                "GITHUB_ACTION_PATH".into(),
                action_path.display().to_string(),
            ),
            ("GITHUB_REPOSITORY".into(), "example/clusters".into()),
            ("RUNNER_OS".into(), "Linux".into()),
            ("RUNNER_ARCH".into(), "X64".into()),
            ("RUNNER_TEMP".into(), runner_temp.display().to_string()),
            ("RUNNER_TOOL_CACHE".into(), tool_cache.display().to_string()),
        ];
        let mut path = self
            .path_prefix
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>();
        path.push(std::env::var("PATH").unwrap_or_default());
        base_env.push(("PATH".into(), path.join(":")));
        if let Some((name, payload)) = &self.event {
            let event_path = temp.path().join("event.json");
            fs::write(&event_path, serde_json::to_vec(payload).unwrap()).unwrap();
            base_env.push(("GITHUB_EVENT_NAME".into(), name.to_string()));
            base_env.push(("GITHUB_EVENT_PATH".into(), event_path.display().to_string()));
        }
        if self.binary {
            base_env.push(("MZ_PRESYNC_BIN".into(), binary().into()));
        }
        for (name, value) in &self.env {
            base_env.push((name.to_string(), value.clone()));
        }

        let mut run = ActionRun {
            failed_step: None,
            steps: Vec::new(),
            skipped_uses: Vec::new(),
            outputs: BTreeMap::new(),
            step_outputs: BTreeMap::new(),
            summary: String::new(),
            annotations: Vec::new(),
            _temp: temp,
        };
        let mut step_outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let steps = action["runs"]["steps"].as_array().expect("runs.steps");
        for (index, step) in steps.iter().enumerate() {
            let name = step["name"].as_str().unwrap_or("unnamed").to_string();
            if let Some(uses) = step["uses"].as_str() {
                run.skipped_uses.push(uses.to_string());
                continue;
            }
            let script = step["run"].as_str().expect("a step has run: or uses:");
            assert_eq!(step["shell"], "bash", "step {name} must say shell: bash");
            assert!(
                step.get("if").is_none(),
                "the simulation does not evaluate if: on run steps ({name})"
            );

            let step_dir = run._temp.path().join(format!("step-{index}"));
            fs::create_dir_all(&step_dir).unwrap();
            let output_file = step_dir.join("output");
            let summary_file = step_dir.join("summary");
            let script_file = step_dir.join("script.sh");
            fs::write(&output_file, "").unwrap();
            fs::write(&summary_file, "").unwrap();
            fs::write(&script_file, script).unwrap();

            let mut command = Command::new("bash");
            command
                .args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script_file)
                .current_dir(self.repo)
                .env_clear()
                .envs(base_env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_STEP_SUMMARY", &summary_file);
            if let Some(env) = step["env"].as_object() {
                for (key, value) in env {
                    let value = evaluate(
                        value.as_str().expect("env values are strings"),
                        &inputs,
                        &step_outputs,
                    );
                    command.env(key, value);
                }
            }
            let output = command.output().unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            run.annotations.extend(workflow_annotations(&stdout));
            run.annotations.extend(workflow_annotations(&stderr));
            run.summary
                .push_str(&fs::read_to_string(&summary_file).unwrap());
            let outputs = parse_github_output(&fs::read_to_string(&output_file).unwrap());
            if let Some(id) = step["id"].as_str() {
                step_outputs.insert(id.to_string(), outputs);
            }
            let status = output.status.code().unwrap_or(-1);
            run.steps.push(StepRun {
                name: name.clone(),
                status,
                log: format!("{stdout}{stderr}"),
            });
            if status != 0 {
                run.failed_step = Some(name);
                break;
            }
        }
        // Outputs are evaluated even when a step failed, as the runner does
        // for steps that ran.
        for (name, spec) in action["outputs"].as_object().expect("outputs") {
            let value = evaluate(
                spec["value"].as_str().expect("output value"),
                &inputs,
                &step_outputs,
            );
            run.outputs.insert(name.clone(), value);
        }
        run.step_outputs = step_outputs;
        run
    }
}

fn read_action_file(path: &str) -> String {
    fs::read_to_string(Path::new(ACTION_DIR).join(path)).unwrap()
}

/// The expressions action.yml may use: `inputs.NAME`, `steps.ID.outputs.NAME`
/// and `github.token`.
fn evaluate(
    template: &str,
    inputs: &BTreeMap<String, String>,
    steps: &BTreeMap<String, BTreeMap<String, String>>,
) -> String {
    let mut result = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${{") {
        result.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("unterminated expression") + start;
        let expression = rest[start + 3..end].trim();
        let value = if let Some(name) = expression.strip_prefix("inputs.") {
            inputs
                .get(name)
                .unwrap_or_else(|| panic!("unknown input in {expression}"))
                .clone()
        } else if expression == "github.token" {
            "simulated-job-token".to_string()
        } else if let Some(reference) = expression.strip_prefix("steps.") {
            let (id, output) = reference
                .split_once(".outputs.")
                .expect("steps.ID.outputs.NAME");
            steps
                .get(id)
                .and_then(|o| o.get(output))
                .cloned()
                .unwrap_or_default()
        } else {
            panic!("the simulation does not know the expression {expression:?}")
        };
        result.push_str(&value);
        rest = &rest[end + 2..];
    }
    result.push_str(rest);
    result
}

/// GITHUB_OUTPUT: `name=value` lines and `name<<DELIMITER` blocks.
fn parse_github_output(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for line in lines.by_ref() {
                if line == delimiter {
                    break;
                }
                value.push(line);
            }
            outputs.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_string(), value.to_string());
        }
    }
    outputs
}

fn unescape(text: &str, property: bool) -> String {
    let mut text = text.replace("%0D", "\r").replace("%0A", "\n");
    if property {
        text = text.replace("%3A", ":").replace("%2C", ",");
    }
    text.replace("%25", "%")
}

/// Annotations as the runner reads them from one stream of a step.
fn workflow_annotations(log: &str) -> Vec<Annotation> {
    let mut annotations = Vec::new();
    let mut stopped_until: Option<String> = None;
    for line in log.lines() {
        if let Some(token) = &stopped_until {
            if line == format!("::{token}::") {
                stopped_until = None;
            }
            continue;
        }
        if let Some(token) = line.strip_prefix("::stop-commands::") {
            stopped_until = Some(token.to_string());
            continue;
        }
        let Some(command) = line.strip_prefix("::") else {
            continue;
        };
        let Some((head, message)) = command.split_once("::") else {
            continue;
        };
        let (level, properties) = head.split_once(' ').unwrap_or((head, ""));
        if !matches!(level, "error" | "warning" | "notice") {
            continue;
        }
        let properties = properties
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (key, value) = p.split_once('=').expect("key=value");
                (key.to_string(), unescape(value, true))
            })
            .collect();
        annotations.push(Annotation {
            level: level.to_string(),
            properties,
            message: unescape(message, false),
        });
    }
    annotations
}

fn hash_of(repo: &Path, file: &str) -> String {
    let output = Command::new(binary())
        .args(["hash", "--format", "json", file])
        .current_dir(repo)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["resources"][0]["hash"]
        .as_str()
        .expect("a hash")
        .to_string()
}

/// `rollouts BASE..HEAD --format markdown` of the binary under test, without
/// its final newline (the summary's next part follows it).
fn rollouts_markdown(repo: &Path, base: &str, head: &str) -> String {
    let output = Command::new(binary())
        .args(["--color", "never", "--quiet", "rollouts"])
        .arg(format!("{base}..{head}"))
        .args(["--format", "markdown", "--", "."])
        .current_dir(repo)
        .output()
        .unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}

fn validate_errors(repo: &Path) -> u64 {
    let output = Command::new(binary())
        .args(["validate", "--format", "json", "."])
        .current_dir(repo)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["summary"]["errors"].as_u64().unwrap()
}

// --- the four pull requests of the issue -----------------------------------

#[test]
fn pull_request_that_changes_the_image_triggers_a_rollout() {
    let (repo, base, head) = pull_request(
        &[("clusters/prod/mz.yaml", PROD_V26_1)],
        &[("clusters/prod/mz.yaml", PROD_V26_2)],
    );
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .run();
    run.assert_succeeded();
    assert_eq!(
        run.skipped_uses.len(),
        1,
        "only the cache step uses another action"
    );

    let new_hash = hash_of(repo.path(), "clusters/prod/mz.yaml");
    assert_eq!(run.output("rollout"), "true");
    assert_eq!(run.output("rollout-resources"), "clusters/prod:prod/mz");
    assert_eq!(run.output("restart"), "true", "a new image restarts");
    assert_eq!(run.output("restart-resources"), "clusters/prod:prod/mz");
    assert_eq!(run.hashes(), json!({"clusters/prod:prod/mz": new_hash}));
    assert_eq!(run.output("findings"), "0");

    // The rollout is annotated on the line of the field that causes it.
    let on_image: Vec<_> = run
        .annotations
        .iter()
        .filter(|a| a.properties.get("file").map(String::as_str) == Some("clusters/prod/mz.yaml"))
        .filter(|a| a.properties.get("line").map(String::as_str) == Some("7"))
        .collect();
    assert!(
        !on_image.is_empty(),
        "no annotation on the image line: {:#?}\n{}",
        run.annotations,
        run.log()
    );
    assert!(run.errors().is_empty(), "{:#?}", run.errors());

    assert!(run.summary.contains("## mz-presync"), "{}", run.summary);
    // The binary's report, word for word (its wording is pinned by the
    // rollouts snapshots, not here).
    let report = rollouts_markdown(repo.path(), &base, &head);
    assert!(report.contains("clusters/prod:prod/mz"), "{report}");
    assert!(run.summary.contains(&report), "{}", run.summary);
    assert!(
        run.summary.contains(&new_hash),
        "the summary gives the new hash (forcePromote): {}",
        run.summary
    );
    assert!(
        run.summary.contains(&format!("{base}..{head}")),
        "{}",
        run.summary
    );
    assert!(run.output("markdown").contains(&report));
    let summary_file = fs::read_to_string(run.output("summary-file")).unwrap();
    assert_eq!(summary_file, run.summary);
}

#[test]
fn fail_on_rollout_fails_a_pull_request_that_rolls_out_and_says_which() {
    let (repo, base, head) = pull_request(
        &[("clusters/prod/mz.yaml", PROD_V26_1)],
        &[("clusters/prod/mz.yaml", PROD_V26_2)],
    );
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .input("fail-on", "rollout")
        .run();
    run.assert_failed_at("Decide");
    assert_eq!(
        run.output("rollout"),
        "true",
        "outputs are set before the action fails"
    );
    let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
    assert_eq!(
        messages,
        ["merging rolls out clusters/prod:prod/mz (fail-on: rollout)."]
    );
}

/// A v1alpha1 manifest whose image moves without a new requestRollout:
/// under the released operator nothing is applied (it waits for approval).
const STAGING_V1ALPHA1_NEW_IMAGE: &str = "\
apiVersion: materialize.cloud/v1alpha1
kind: Materialize
metadata:
  name: mz
  namespace: staging
spec:
  environmentdImageRef: materialize/environmentd:v26.1.1
  backendSecretName: materialize-backend
  requestRollout: 7b3a6f2e-2c1d-4e5f-8a9b-0c1d2e3f4a5b
";

#[test]
fn the_operator_input_decides_rollout_and_restart() {
    let path = "clusters/staging/mz.yaml";
    let (repo, base, head) = pull_request(
        &[(path, STAGING_V1ALPHA1)],
        &[(path, STAGING_V1ALPHA1_NEW_IMAGE)],
    );
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .input("operator", "released")
        .input("fail-on", "never")
        .run();
    run.assert_succeeded();
    assert_eq!(run.output("rollout"), "false", "{}", run.log());
    assert_eq!(run.output("restart"), "false");
    assert_eq!(run.output("restart-resources"), "");
    assert!(
        run.annotations.iter().any(|a| a.level == "warning"
            && a.properties
                .get("title")
                .is_some_and(|t| t.starts_with("waiting-for-approval"))),
        "{:#?}",
        run.annotations
    );
    assert!(
        run.summary.contains("operator `released`"),
        "{}",
        run.summary
    );

    // The same pull request under the design operator restarts staging/mz,
    // and fail-on restart says so.
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .input("fail-on", "restart")
        .run();
    run.assert_failed_at("Decide");
    assert_eq!(run.output("rollout"), "true");
    assert_eq!(run.output("restart"), "true");
    assert_eq!(
        run.output("restart-resources"),
        "clusters/staging:staging/mz"
    );
    let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
    assert!(
        messages.contains(
            &"merging restarts clusters/staging:staging/mz (fail-on: restart).".to_owned()
        ),
        "{messages:?}"
    );

    // Released, with the request changed too: a restart.
    let mut repo = repo;
    repo.write(
        path,
        &STAGING_V1ALPHA1_NEW_IMAGE
            .replace("v26.1.1", "v26.1.2")
            .replace("7b3a6f2e", "8b3a6f2e"),
    );
    let next = repo.commit("approve");
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&head, &next))
        .input("operator", "released")
        .input("fail-on", "restart")
        .run();
    run.assert_failed_at("Decide");
    assert_eq!(run.output("rollout"), "true");
    assert_eq!(
        run.output("restart-resources"),
        "clusters/staging:staging/mz"
    );
}

#[test]
fn an_unknown_operator_is_refused() {
    let (repo, _, _) = pull_request(&[("clusters/prod/mz.yaml", PROD_V26_1)], &[]);
    let run = Simulation::new(repo.path())
        .input("operator", "newest")
        .run();
    run.assert_failed_at("Prepare");
    let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
    assert_eq!(
        messages,
        ["input operator is 'newest'; it must be one of: design released."]
    );
}

#[test]
fn pull_request_that_changes_only_excluded_fields_triggers_no_rollout() {
    let (repo, base, head) = pull_request(
        &[("clusters/prod/mz.yaml", PROD_V26_1)],
        &[("clusters/prod/mz.yaml", PROD_V26_1_MORE_REPLICAS)],
    );
    let base_hash = {
        repo.git(&["checkout", "--quiet", &base]);
        let hash = hash_of(repo.path(), "clusters/prod/mz.yaml");
        repo.git(&["checkout", "--quiet", "main"]);
        hash
    };
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .input("fail-on", "rollout")
        .run();
    run.assert_succeeded();
    assert_eq!(run.output("rollout"), "false");
    assert_eq!(run.output("rollout-resources"), "");
    assert_eq!(run.output("restart"), "false");
    assert_eq!(run.output("restart-resources"), "");
    assert_eq!(
        run.hashes(),
        json!({"clusters/prod:prod/mz": base_hash}),
        "the hash does not move"
    );
    assert_eq!(run.output("findings"), "0");
    assert!(run.errors().is_empty(), "{:#?}", run.errors());
    assert!(
        run.summary
            .contains(&rollouts_markdown(repo.path(), &base, &head)),
        "{}",
        run.summary
    );
}

#[test]
fn pull_request_with_a_schema_error_fails_with_an_annotation_on_the_field() {
    let (repo, base, head) = pull_request(
        &[("clusters/prod/mz.yaml", PROD_V26_1)],
        &[("clusters/prod/mz.yaml", PROD_BOGUS_STRATEGY)],
    );
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .input("sarif-file", "reports/mz-presync.sarif")
        .run();
    run.assert_failed_at("Decide");

    let expected_errors = validate_errors(repo.path());
    assert!(expected_errors >= 1);
    assert_eq!(run.output("findings"), expected_errors.to_string());
    let on_field: Vec<_> = run
        .errors()
        .into_iter()
        .filter(|a| a.properties.get("file").map(String::as_str) == Some("clusters/prod/mz.yaml"))
        .filter(|a| a.properties.get("line").map(String::as_str) == Some("10"))
        .collect();
    assert!(
        !on_field.is_empty(),
        "no error on rolloutStrategy: {:#?}\n{}",
        run.annotations,
        run.log()
    );
    assert!(
        on_field.iter().any(|a| a.message.contains("Bogus")),
        "{on_field:#?}"
    );
    let verdict: Vec<_> = run
        .errors()
        .iter()
        .filter(|a| a.properties.get("title").map(String::as_str) == Some("mz-presync"))
        .map(|a| a.message.clone())
        .collect();
    assert_eq!(
        verdict,
        [format!(
            "{expected_errors} error finding(s): see the annotations and the job summary."
        )]
    );

    assert!(
        run.summary.contains("❌ **validate** `.`: "),
        "{}",
        run.summary
    );
    assert!(
        run.summary
            .contains("| severity | where | rule | message |"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("`clusters/prod/mz.yaml:10:"),
        "{}",
        run.summary
    );

    let sarif: Value = serde_json::from_str(
        &fs::read_to_string(repo.path().join("reports/mz-presync.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn fail_on_never_reports_a_schema_error_without_failing() {
    let (repo, base, head) = pull_request(
        &[("clusters/prod/mz.yaml", PROD_V26_1)],
        &[("clusters/prod/mz.yaml", PROD_BOGUS_STRATEGY)],
    );
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .input("fail-on", "never")
        .run();
    run.assert_succeeded();
    assert_ne!(run.output("findings"), "0");
}

#[test]
fn pull_request_adding_a_v1alpha1_manifest_says_which_command_migrates_it() {
    let (repo, base, head) = pull_request(
        &[("clusters/prod/mz.yaml", PROD_V26_1)],
        &[("clusters/staging/mz.yaml", STAGING_V1ALPHA1)],
    );
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .input("paths", "clusters")
        .run();
    run.assert_failed_at("Decide");

    let not_migrated: Vec<_> = run
        .errors()
        .into_iter()
        .filter(|a| a.properties.get("title").map(String::as_str) == Some("not migrated"))
        .cloned()
        .collect();
    assert_eq!(
        not_migrated.len(),
        1,
        "{:#?}\n{}",
        run.annotations,
        run.log()
    );
    assert_eq!(
        not_migrated[0].properties["file"],
        "clusters/staging/mz.yaml"
    );
    assert_eq!(
        not_migrated[0].message,
        "clusters/staging/mz.yaml still uses materialize.cloud/v1alpha1. Run `mz-presync migrate clusters` and commit the result."
    );
    assert!(
        run.errors()
            .iter()
            .any(|a| a.message == "v1alpha1 manifests are left: run `mz-presync migrate clusters` and commit the result."),
        "{:#?}",
        run.errors()
    );

    // A new resource starts its first rollout.
    assert_eq!(run.output("rollout"), "true");
    assert_eq!(
        run.output("rollout-resources"),
        "clusters/staging:staging/mz"
    );
    let hash = hash_of(repo.path(), "clusters/staging/mz.yaml");
    assert_eq!(run.hashes(), json!({"clusters/staging:staging/mz": hash}));
    assert_eq!(
        run.output("findings"),
        validate_errors(repo.path()).to_string()
    );

    assert!(
        run.summary
            .contains("run `mz-presync migrate clusters` and commit the result"),
        "{}",
        run.summary
    );
    assert!(
        run.summary
            .contains("<details><summary>What <code>mz-presync migrate clusters</code> changes")
    );
    assert!(
        run.summary
            .contains("+apiVersion: materialize.cloud/v1alpha2"),
        "the diff is shown: {}",
        run.summary
    );
    // Checking wrote nothing.
    assert_eq!(
        fs::read_to_string(repo.path().join("clusters/staging/mz.yaml")).unwrap(),
        STAGING_V1ALPHA1
    );
}

#[test]
fn a_report_too_long_for_a_comment_is_cut_to_fit_and_says_so() {
    let files: Vec<(String, String)> = (0..400)
        .map(|i| {
            let manifest = STAGING_V1ALPHA1.replace("name: mz", &format!("name: mz-{i:03}"));
            (format!("clusters/team-{i:03}/mz.yaml"), manifest)
        })
        .collect();
    let head: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (repo, base, head) = pull_request(&[], &head);
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .input("fail-on", "never")
        .run();
    run.assert_succeeded();
    assert_eq!(run.output("rollout-resources").split(',').count(), 400);

    let comment = run.output("markdown");
    assert!(
        comment.chars().count() <= 65_000,
        "{} characters",
        comment.chars().count()
    );
    assert!(
        comment
            .ends_with("The report is cut here to fit a comment; the job summary has all of it.")
    );
    assert!(!comment.contains("<details>"), "the diff goes first");
    assert!(
        run.summary.contains("<details>"),
        "the job summary keeps the diff"
    );
    assert!(run.summary.contains("staging/mz-399"));
}

// --- one repository, many clusters (deploy units) ---------------------------

/// `materialize/mz` on `image`: every cluster directory has one.
fn cluster_mz(image: &str) -> String {
    format!(
        "\
apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: materialize
spec:
  environmentdImageRef: materialize/environmentd:{image}
  backendSecretName: materialize-backend
"
    )
}

const US_EAST: &str = "clusters/us-east/mz.yaml";
const EU_WEST: &str = "clusters/eu-west/mz.yaml";
/// Directory units are named by their path.
const US_EAST_MZ: &str = "clusters/us-east:materialize/mz";
const EU_WEST_MZ: &str = "clusters/eu-west:materialize/mz";

/// Base: us-east on v26.1.0, eu-west a step ahead on v26.2.0. The pull
/// request promotes us-east to eu-west's previous image and moves eu-west on:
/// the same namespace/name in both, each with a new hash, and each new hash
/// the other's old one.
fn promote_across_clusters() -> (Repo, String, String) {
    pull_request(
        &[
            (US_EAST, &cluster_mz("v26.1.0")),
            (EU_WEST, &cluster_mz("v26.2.0")),
        ],
        &[
            (US_EAST, &cluster_mz("v26.2.0")),
            (EU_WEST, &cluster_mz("v26.3.0")),
        ],
    )
}

/// What the binary under test prints on stdout for `args`, in `repo`.
fn binary_stdout(repo: &Path, args: &[&str]) -> String {
    let output = Command::new(binary())
        .args(["--color", "never", "--quiet"])
        .args(args)
        .current_dir(repo)
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn promoting_across_clusters_rolls_out_both_and_fail_on_rollout_names_both() {
    let (repo, base, head) = promote_across_clusters();
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .input("fail-on", "rollout")
        .run();
    run.assert_failed_at("Decide");
    let both = format!("{EU_WEST_MZ},{US_EAST_MZ}");
    assert_eq!(run.output("rollout"), "true", "{}", run.log());
    assert_eq!(run.output("rollout-resources"), both);
    assert_eq!(run.output("restart"), "true", "new images restart");
    assert_eq!(run.output("restart-resources"), both);
    assert_eq!(
        run.hashes(),
        json!({
            EU_WEST_MZ: hash_of(repo.path(), EU_WEST),
            US_EAST_MZ: hash_of(repo.path(), US_EAST),
        })
    );
    assert_eq!(
        run.output("findings"),
        "0",
        "the same namespace/name in two clusters is no duplicate"
    );
    let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
    assert_eq!(
        messages,
        [format!(
            "merging rolls out {EU_WEST_MZ}, {US_EAST_MZ} (fail-on: rollout)."
        )]
    );
}

/// The job summary is the binary's markdown, in order, and one line of the
/// action's own (migrate): nothing in it is the script's judgement.
#[test]
fn the_summary_is_the_binarys_markdown_and_the_migrate_line() {
    let (repo, base, head) = promote_across_clusters();
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .run();
    run.assert_succeeded();
    let validate = binary_stdout(
        repo.path(),
        &["validate", "--format", "markdown", "--", "."],
    );
    let rollouts = rollouts_markdown(repo.path(), &base, &head);
    assert_eq!(
        run.summary,
        format!(
            "## mz-presync\n\n{}\n\n✅ **migrate**: no `materialize.cloud/v1alpha1` manifest left.\n\n{}\n",
            validate.trim_end(),
            rollouts
        )
    );
    assert_eq!(run.output("markdown"), run.summary.trim_end_matches('\n'));
}

#[test]
fn a_change_reverted_inside_the_pull_request_rolls_out_nothing() {
    let mut repo = Repo::new();
    repo.write(US_EAST, &cluster_mz("v26.1.0"));
    repo.write(EU_WEST, &cluster_mz("v26.1.0"));
    let base = repo.commit("base");
    let base_hash = hash_of(repo.path(), US_EAST);
    // An input of the hash that restarts environmentd, tried and taken back
    // (an image would be a downgrade on the way back: upgrade-window).
    let with_arg = cluster_mz("v26.1.0")
        + "  environmentdExtraArgs:\n    - --system-parameter-default=max_connections=1000\n";
    repo.write(US_EAST, &with_arg);
    repo.commit("us-east: more connections");
    repo.write(US_EAST, &cluster_mz("v26.1.0"));
    let head = repo.commit("Revert \"us-east: more connections\"");
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .input("fail-on", "rollout")
        .run();
    run.assert_succeeded();
    assert_eq!(run.output("rollout"), "false", "{}", run.log());
    assert_eq!(run.output("rollout-resources"), "");
    assert_eq!(
        run.output("restart"),
        "false",
        "the net change restarts nothing"
    );
    assert_eq!(run.output("restart-resources"), "");
    assert_eq!(
        run.hashes(),
        json!({US_EAST_MZ: base_hash}),
        "listed (the range changed it), and its hash does not move"
    );
}

#[test]
fn paths_scope_the_rollout_report_to_one_cluster() {
    let (repo, base, head) = promote_across_clusters();
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .input("paths", "clusters/us-east")
        .input("fail-on", "rollout")
        .run();
    run.assert_failed_at("Decide");
    assert_eq!(run.output("rollout-resources"), US_EAST_MZ, "{}", run.log());
    assert_eq!(run.output("restart-resources"), US_EAST_MZ);
    assert_eq!(
        run.hashes(),
        json!({US_EAST_MZ: hash_of(repo.path(), US_EAST)})
    );
    assert!(!run.summary.contains("eu-west"), "{}", run.summary);
    assert!(
        !run.annotations.iter().any(|a| a
            .properties
            .get("file")
            .is_some_and(|f| f.contains("eu-west"))),
        "{:#?}",
        run.annotations
    );
    let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
    assert_eq!(
        messages,
        [format!(
            "merging rolls out {US_EAST_MZ} (fail-on: rollout)."
        )]
    );
}

/// `environmentId` changes: an error only a comparison of two versions can
/// find. validate counts nothing; the rollouts step's verdict fails the gate.
#[test]
fn an_error_only_the_range_shows_fails_the_gate() {
    let with_id = |id: &str| {
        PROD_V26_1.replace(
            "  balancerdReplicas: 2\n",
            &format!("  balancerdReplicas: 2\n  environmentId: {id}\n"),
        )
    };
    let (repo, base, head) = pull_request(
        &[(
            "clusters/prod/mz.yaml",
            &with_id("11111111-2222-4333-8444-555555555555"),
        )],
        &[(
            "clusters/prod/mz.yaml",
            &with_id("99999999-2222-4333-8444-555555555555"),
        )],
    );
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .run();
    run.assert_failed_at("Decide");
    assert_eq!(run.output("findings"), "0", "validate finds nothing");
    assert!(
        run.errors().iter().any(|a| a
            .properties
            .get("title")
            .is_some_and(|t| t.starts_with("environment-id-changed"))),
        "{:#?}",
        run.annotations
    );
    let verdict: Vec<_> = run
        .errors()
        .iter()
        .filter(|a| a.properties.get("title").map(String::as_str) == Some("mz-presync"))
        .map(|a| a.message.clone())
        .collect();
    assert_eq!(
        verdict,
        [format!(
            "the changes of {base}..{head} have error findings: see the annotations of the rollout report and the job summary."
        )]
    );

    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .input("fail-on", "never")
        .run();
    run.assert_succeeded();
}

/// A stand-in for the binary that logs its arguments and runs the binary
/// under test without `--render`: this test is about the wiring, and needs
/// no kustomize (render_true_reports_… renders for real).
fn logging_binary(dir: &Path) -> PathBuf {
    let path = dir.join("mz-presync");
    let script = format!(
        "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" >> '{log}'\nargs=()\nfor a in \"$@\"; do [[ $a == --render ]] || args+=(\"$a\"); done\nexec '{binary}' \"${{args[@]}}\"\n",
        log = dir.join("calls.log").display(),
        binary = binary()
    );
    fs::write(&path, script).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn the_render_input_adds_render_to_every_rollouts_call_and_paths_are_its_pathspec() {
    let (repo, base, head) = promote_across_clusters();
    for render in ["true", "false"] {
        let tools = TempDir::new().unwrap();
        let bin = logging_binary(tools.path());
        let run = Simulation::new(repo.path())
            .event("pull_request", pull_request_event(&base, &head))
            .env("MZ_PRESYNC_BIN", bin.display().to_string())
            .input("paths", "clusters/us-east clusters/eu-west")
            .input("render", render)
            .run();
        run.assert_succeeded();
        let rollouts: Vec<String> = calls(tools.path())
            .into_iter()
            .filter(|c| c.contains(" rollouts "))
            .collect();
        assert_eq!(rollouts.len(), 3, "github, json, markdown: {rollouts:?}");
        for call in &rollouts {
            assert_eq!(call.contains(" --render "), render == "true", "{call}");
            assert!(
                call.ends_with(" -- clusters/us-east clusters/eu-west"),
                "{call}"
            );
        }
    }
}

// --- render: true ------------------------------------------------------------

/// A kustomize base deployed by two Argo CD Applications through overlays,
/// in the syntax kustomize v2.0.3 reads (the one kubectl 1.20 embeds).
fn kustomize_clusters(base_image: &str) -> Vec<(String, String)> {
    let application = |name: &str| {
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
    path: apps/overlays/{name}
  destination:
    server: https://kubernetes.default.svc
    namespace: materialize
"
        )
    };
    let mut files = vec![
        (
            "apps/base/kustomization.yaml".to_string(),
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - mz.yaml\n"
                .to_string(),
        ),
        ("apps/base/mz.yaml".to_string(), cluster_mz(base_image)),
    ];
    for region in ["us-east", "eu-west"] {
        files.push((
            format!("apps/overlays/{region}/kustomization.yaml"),
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nbases:\n  - ../../base\npatchesStrategicMerge:\n  - patch.yaml\n"
                .to_string(),
        ));
        files.push((
            format!("apps/overlays/{region}/patch.yaml"),
            format!(
                "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata:\n  name: mz\n  namespace: materialize\nspec:\n  podLabels:\n    region: {region}\n"
            ),
        ));
        files.push((format!("argocd/{region}.yaml"), application(region)));
    }
    files
}

/// Whether `kustomize` or `kubectl` is on PATH; when neither is, the test
/// skips (and says so) unless CI asked for every tool.
fn kustomize_available() -> bool {
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
    };
    if on_path("kustomize") || on_path("kubectl") {
        return true;
    }
    if std::env::var("MZ_PRESYNC_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!(
            "kustomize or kubectl is required (MZ_PRESYNC_REQUIRE_TOOLS=1); run .ci/argocd-tools.sh"
        );
    }
    eprintln!("SKIPPED: neither kustomize nor kubectl is on PATH; run .ci/argocd-tools.sh");
    false
}

#[test]
fn render_true_reports_each_application_a_base_change_rolls_out() {
    if !kustomize_available() {
        return;
    }
    let files = kustomize_clusters("v26.1.0");
    let base: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let bumped = cluster_mz("v26.2.0");
    let head = [("apps/base/mz.yaml", bumped.as_str())];
    let (repo, base_sha, head_sha) = pull_request(&base, &head);
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base_sha, &head_sha))
        .input("render", "true")
        .input("fail-on", "rollout")
        .run();
    run.assert_failed_at("Decide");
    assert_eq!(
        run.output("rollout-resources"),
        "eu-west:materialize/mz,us-east:materialize/mz",
        "{}",
        run.log()
    );
    let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
    assert_eq!(
        messages,
        ["merging rolls out eu-west:materialize/mz, us-east:materialize/mz (fail-on: rollout)."]
    );

    // A kustomization that cannot be built fails the report (fail closed),
    // with the tool's message, whatever fail-on says.
    let mut repo = repo;
    repo.write(
        "apps/overlays/eu-west/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nbases:\n  - ../../base\npatchesStrategicMerge:\n  - missing-patch.yaml\n",
    );
    let broken = repo.commit("break eu-west");
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&head_sha, &broken))
        .input("render", "true")
        .input("fail-on", "never")
        .run();
    run.assert_failed_at("Report rollouts");
    assert!(run.log().contains("missing-patch.yaml"), "{}", run.log());
    assert!(
        run.errors().iter().any(|a| a
            .message
            .starts_with("mz-presync rollouts could not run (exit 2)")),
        "{:#?}",
        run.errors()
    );
}

// --- where BASE comes from -------------------------------------------------

/// What the setup step says about the range it picked.
fn setup_base(run: &ActionRun) -> String {
    run.steps[0]
        .log
        .lines()
        .find(|l| l.starts_with("Rollouts: "))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn base_is_the_pull_requests_base_then_github_base_ref_then_the_parent() {
    let (repo, base, head) = pull_request(
        &[("clusters/prod/mz.yaml", PROD_V26_1)],
        &[("clusters/prod/mz.yaml", PROD_V26_2)],
    );
    let mut repo = repo;
    repo.write("README.md", "# clusters, again\n");
    let later = repo.commit("a later commit");
    let short = |sha: &str| sha[..12].to_string();

    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &later))
        .run();
    run.assert_succeeded();
    assert_eq!(
        setup_base(&run),
        format!(
            "Rollouts: {}..{} (base from the pull request's base)",
            short(&base),
            short(&later)
        )
    );
    assert_eq!(
        run.output("rollout"),
        "true",
        "the range covers both commits"
    );

    repo.git(&["update-ref", "refs/remotes/origin/main", &head]);
    let run = Simulation::new(repo.path())
        .env("GITHUB_BASE_REF", "main")
        .run();
    assert_eq!(
        setup_base(&run),
        format!(
            "Rollouts: {}..{} (base from GITHUB_BASE_REF)",
            short(&head),
            short(&later)
        )
    );
    assert_eq!(run.output("rollout"), "false");

    let run = Simulation::new(repo.path()).run();
    assert_eq!(
        setup_base(&run),
        format!(
            "Rollouts: {}..{} (base from HEAD~1)",
            short(&head),
            short(&later)
        )
    );

    let run = Simulation::new(repo.path())
        .input("base", &base)
        .input("head", &head)
        .run();
    assert_eq!(
        setup_base(&run),
        format!(
            "Rollouts: {}..{} (base from input base)",
            short(&base),
            short(&head)
        )
    );
    assert_eq!(run.output("rollout"), "true");

    let push = json!({"before": base, "after": later});
    let run = Simulation::new(repo.path()).event("push", push).run();
    assert_eq!(
        setup_base(&run),
        format!(
            "Rollouts: {}..{} (base from the commit before the push)",
            short(&base),
            short(&later)
        )
    );
}

/// actions/checkout checks out refs/pull/N/merge on `pull_request`: the merge
/// of the pull request into its base as it is now, which may have moved on
/// since the payload's base.sha.
#[test]
fn on_the_merge_commit_base_is_its_first_parent() {
    let mut repo = Repo::new();
    repo.write("clusters/prod/mz.yaml", PROD_V26_1);
    let fork_point = repo.commit("base");
    repo.git(&["checkout", "--quiet", "-b", "feature"]);
    repo.write("clusters/prod/mz.yaml", PROD_V26_2);
    let pr_head = repo.commit("new image");
    repo.git(&["checkout", "--quiet", "main"]);
    repo.write("clusters/prod/mz.yaml", PROD_V26_1_MORE_REPLICAS);
    let base_now = repo.commit("meanwhile on main: more replicas");
    repo.git(&["checkout", "--quiet", "--detach", "main"]);
    repo.clock += 1;
    repo.git(&[
        "merge",
        "--quiet",
        "--no-ff",
        "--no-edit",
        "-X",
        "theirs",
        "feature",
    ]);
    let merge = repo.git(&["rev-parse", "HEAD"]);

    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&fork_point, &pr_head))
        .run();
    run.assert_succeeded();
    assert_eq!(
        setup_base(&run),
        format!(
            "Rollouts: {}..{} (base from the merge commit's first parent)",
            &base_now[..12],
            &merge[..12]
        )
    );
    assert_eq!(run.output("rollout-resources"), "clusters/prod:prod/mz");
    assert_eq!(
        run.hashes(),
        json!({"clusters/prod:prod/mz": hash_of(repo.path(), "clusters/prod/mz.yaml")})
    );
}

#[test]
fn the_first_commit_of_a_repository_is_compared_with_nothing() {
    let mut repo = Repo::new();
    repo.write("clusters/prod/mz.yaml", PROD_V26_1);
    let only = repo.commit("first");
    let run = Simulation::new(repo.path()).run();
    run.assert_succeeded();
    assert_eq!(
        setup_base(&run),
        format!(
            "Rollouts: the whole history of {} (it has no parent)",
            &only[..12]
        )
    );
    assert_eq!(run.output("rollout-resources"), "clusters/prod:prod/mz");
}

#[test]
fn a_base_missing_from_a_shallow_clone_asks_for_fetch_depth_0() {
    let (repo, _base, head) = pull_request(
        &[("clusters/prod/mz.yaml", PROD_V26_1)],
        &[("clusters/prod/mz.yaml", PROD_V26_2)],
    );
    let unknown = "0123456789abcdef0123456789abcdef01234567";
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(unknown, &head))
        .run();
    run.assert_failed_at("Prepare");
    let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
    assert_eq!(
        messages,
        [format!(
            "the base revision '{unknown}' (from the pull request's base) is not a commit in this clone. Check out with actions/checkout and fetch-depth: 0, so that the base commit is in the clone."
        )]
    );
    assert_eq!(
        run.output("rollout"),
        "",
        "no output when the action cannot run"
    );
}

#[test]
fn an_unknown_input_value_is_refused_before_anything_runs() {
    let (repo, _, _) = pull_request(&[("clusters/prod/mz.yaml", PROD_V26_1)], &[]);
    for (input, value, choices) in [
        ("fail-on", "sometimes", "error rollout restart never"),
        ("algorithm", "v2", "v1alpha2 v1"),
        ("version", "nightly", "release source path"),
        ("verify-attestation", "yes", "true false"),
        ("render", "yes", "true false"),
    ] {
        let run = Simulation::new(repo.path()).input(input, value).run();
        run.assert_failed_at("Prepare");
        let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
        assert_eq!(
            messages,
            [format!(
                "input {input} is '{value}'; it must be one of: {choices}."
            )]
        );
    }
}

#[test]
fn a_path_that_looks_like_an_option_is_refused() {
    let (repo, _, _) = pull_request(&[("clusters/prod/mz.yaml", PROD_V26_1)], &[]);
    let run = Simulation::new(repo.path())
        .input("paths", "clusters --format=json")
        .run();
    run.assert_failed_at("Validate manifests");
    let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
    assert_eq!(
        messages,
        [
            "input paths has '--format=json', which would be read as an option; write it as ./--format=json."
        ]
    );
}

// --- what the repository under review cannot do ----------------------------

#[test]
fn text_from_the_repository_cannot_issue_workflow_commands() {
    // mz-presync prints file and resource names on stderr, and the action
    // prints that stderr and the resource names in the log: a file named like
    // a workflow command, and a resource whose name starts a new line with one.
    let hostile_file = "::error title=injected::pwned.yaml";
    let hostile_name = PROD_V26_2
        .replace("name: mz", "name: \"mz\\n::error title=injected::pwned\"")
        .replace("namespace: prod", "namespace: evil");
    let (repo, base, head) = pull_request(
        &[("clusters/prod/mz.yaml", PROD_V26_1)],
        &[
            (hostile_file, STAGING_V1ALPHA1),
            ("clusters/evil/mz.yaml", &hostile_name),
        ],
    );
    let run = Simulation::new(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .run();
    assert!(
        !run.annotations
            .iter()
            .any(|a| a.properties.get("title").map(String::as_str) == Some("injected")),
        "{:#?}\n{}",
        run.annotations,
        run.log()
    );
    assert!(
        run.log().contains("::error title=injected::pwned"),
        "the text is in the log: {}",
        run.log()
    );
    assert!(
        run.output("rollout-resources")
            .contains("evil/mz\n::error title=injected::pwned")
    );
}

// --- how the binary is obtained --------------------------------------------

/// Stub `cargo`, `rustup` and `rustc` that log their calls; `cargo install`
/// "builds" by copying the binary under test.
fn stub_toolchain(dir: &Path, rustc_version: &str) -> PathBuf {
    let bin = dir.join("stubs");
    fs::create_dir_all(&bin).unwrap();
    let log = dir.join("calls.log");
    let cargo = format!(
        "#!/usr/bin/env bash\necho \"cargo $* RUSTUP_TOOLCHAIN=${{RUSTUP_TOOLCHAIN:-}}\" >> '{log}'\n\
         root=''\nwhile [ $# -gt 0 ]; do if [ \"$1\" = --root ]; then root=$2; fi; shift; done\n\
         mkdir -p \"$root/bin\" && cp '{binary}' \"$root/bin/mz-presync\"\n",
        log = log.display(),
        binary = binary()
    );
    let rustup = format!(
        "#!/usr/bin/env bash\necho \"rustup $*\" >> '{}'\n",
        log.display()
    );
    let rustc = format!("#!/usr/bin/env bash\necho 'rustc {rustc_version} (stub 2026-01-01)'\n");
    for (name, text) in [("cargo", cargo), ("rustup", rustup), ("rustc", rustc)] {
        let path = bin.join(name);
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

fn calls(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join("calls.log"))
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn without_a_binary_the_action_builds_its_own_source_once_and_then_uses_the_cache() {
    let (repo, base, head) = pull_request(
        &[("clusters/prod/mz.yaml", PROD_V26_1)],
        &[("clusters/prod/mz.yaml", PROD_V26_2)],
    );
    let tools = TempDir::new().unwrap();
    let stubs = stub_toolchain(tools.path(), "1.95.0");
    let cache = tools.path().join("tool-cache");
    let simulate = || {
        let mut simulation = Simulation::new(repo.path())
            .event("pull_request", pull_request_event(&base, &head))
            .input("version", "source");
        simulation.binary = false;
        simulation.path_prefix = vec![stubs.clone()];
        simulation.tool_cache = Some(cache.clone());
        simulation.run()
    };

    let first = simulate();
    first.assert_succeeded();
    let root = cache.join("mz-presync");
    let installed: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(installed.len(), 1, "one build per source digest");
    assert_eq!(
        calls(tools.path()),
        [format!(
            "cargo install --locked --path {ACTION_DIR} --root {} RUSTUP_TOOLCHAIN=",
            installed[0].display()
        )]
    );
    assert_eq!(first.output("rollout-resources"), "clusters/prod:prod/mz");

    let second = simulate();
    second.assert_succeeded();
    assert_eq!(
        calls(tools.path()).len(),
        1,
        "the second run used the cached build"
    );
    assert!(
        second.log().contains("Using the cached build"),
        "{}",
        second.log()
    );
}

#[test]
fn an_old_default_toolchain_gets_the_crates_rust_version_from_rustup() {
    let (repo, _, _) = pull_request(&[("clusters/prod/mz.yaml", PROD_V26_1)], &[]);
    let tools = TempDir::new().unwrap();
    let stubs = stub_toolchain(tools.path(), "1.80.0");
    let mut simulation = Simulation::new(repo.path()).input("version", "source");
    simulation.binary = false;
    simulation.path_prefix = vec![stubs];
    let run = simulation.run();
    run.assert_succeeded();
    let calls = calls(tools.path());
    assert_eq!(
        calls[0],
        "rustup toolchain install 1.95 --profile minimal --no-self-update"
    );
    assert!(
        calls[1].starts_with("cargo install --locked --path ")
            && calls[1].ends_with(" RUSTUP_TOOLCHAIN=1.95")
    );
}

#[test]
fn the_cache_key_is_offered_only_when_building_from_source() {
    let (repo, _, _) = pull_request(&[("clusters/prod/mz.yaml", PROD_V26_1)], &[]);
    let given = Simulation::new(repo.path()).run();
    given.assert_succeeded();
    assert_eq!(
        given.step_outputs["setup"]["cache-key"], "",
        "nothing for actions/cache to restore"
    );
    assert_eq!(given.step_outputs["install"]["bin"], binary());

    let tools = TempDir::new().unwrap();
    let cache = tools.path().join("tool-cache");
    let mut simulation = Simulation::new(repo.path()).input("version", "source");
    simulation.binary = false;
    simulation.path_prefix = vec![stub_toolchain(tools.path(), "1.95.0")];
    simulation.tool_cache = Some(cache.clone());
    let built = simulation.run();
    built.assert_succeeded();
    let setup = &built.step_outputs["setup"];
    let digest = setup["cache-key"]
        .strip_prefix("mz-presync-Linux-X64-")
        .expect("keyed on runner OS and arch");
    assert_eq!(digest.len(), 64);
    let root = cache.join("mz-presync").join(&digest[..16]);
    assert_eq!(setup["install-root"], root.display().to_string());
    assert_eq!(
        built.step_outputs["install"]["bin"],
        root.join("bin/mz-presync").display().to_string()
    );
}

// --- installing the pinned release -------------------------------------------

const PINNED: &str = "0.9.0";
const LINUX_X64: &str = "x86_64-unknown-linux-gnu";

/// A release archive as the release workflow lays it out:
/// `mz-presync-VERSION-TARGET/mz-presync` inside a gzipped tar. The "binary"
/// is a script that runs the binary under test and says where it came from,
/// so the archive stays small.
fn release_archive(dir: &Path, version: &str, target: &str, marker: &str) -> PathBuf {
    let stem = format!("mz-presync-{version}-{target}");
    let staging = dir.join(format!("staging-{marker}"));
    fs::create_dir_all(staging.join(&stem)).unwrap();
    let program = staging.join(&stem).join("mz-presync");
    fs::write(
        &program,
        format!("#!/bin/sh\n# {marker}\nexec '{}' \"$@\"\n", binary()),
    )
    .unwrap();
    fs::set_permissions(&program, fs::Permissions::from_mode(0o755)).unwrap();
    let archive = dir.join(format!("{stem}-{marker}.tar.gz"));
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(&staging)
        .arg(&stem)
        .status()
        .unwrap();
    assert!(status.success(), "tar failed");
    archive
}

fn sha256_hex(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(fs::read(path).unwrap()))
}

/// A copy of the action (action.yml, scripts/action.sh, Cargo.toml) whose
/// scripts/release.json pins `pins`, so that a test controls what the action
/// trusts without touching the committed file.
fn action_copy(dir: &Path, pins: &Value) -> PathBuf {
    let root = dir.join("action");
    fs::create_dir_all(root.join("scripts")).unwrap();
    for file in ["action.yml", "scripts/action.sh", "Cargo.toml"] {
        fs::copy(Path::new(ACTION_DIR).join(file), root.join(file)).unwrap();
    }
    fs::write(
        root.join("scripts/release.json"),
        serde_json::to_string_pretty(pins).unwrap(),
    )
    .unwrap();
    root
}

fn pins_for(archives: &[(&str, &Path)]) -> Value {
    let sha256: serde_json::Map<String, Value> = archives
        .iter()
        .map(|(name, path)| (name.to_string(), Value::from(sha256_hex(path))))
        .collect();
    json!({
        "version": PINNED,
        "base-url": "https://release-host.invalid/download/v0.9.0",
        "repository": "example/mz-presync",
        "sha256": sha256,
    })
}

/// Python's http.server on 127.0.0.1 (a free port) serving `root`; it stops
/// by itself after two minutes, and is killed when dropped. Requests are
/// logged to a file.
struct ReleaseServer {
    child: std::process::Child,
    port: u16,
    log: PathBuf,
}

const SERVER: &str = r#"
import functools, http.server, sys, threading

class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        with open(sys.argv[2], "a", encoding="utf-8") as log:
            log.write((format % args) + "\n")

server = http.server.ThreadingHTTPServer(
    ("127.0.0.1", 0), functools.partial(Handler, directory=sys.argv[1]))
timer = threading.Timer(120, server.shutdown)
timer.daemon = True
timer.start()
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

impl ReleaseServer {
    fn start(root: &Path, log: &Path) -> ReleaseServer {
        use std::io::{BufRead, BufReader};
        use std::process::Stdio;
        let mut child = Command::new("python3")
            .args(["-c", SERVER])
            .arg(root)
            .arg(log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the loopback server did not start: {line:?}"));
        ReleaseServer {
            child,
            port,
            log: log.to_path_buf(),
        }
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/download/v{PINNED}", self.port)
    }

    fn requests(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ReleaseServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fake release on a loopback server: `served` is what the server hands
/// out under the pinned archive's name; `pinned` is what the action's copy of
/// scripts/release.json trusts.
struct FakeRelease {
    server: ReleaseServer,
    action: PathBuf,
    _dir: TempDir,
}

impl FakeRelease {
    fn new(pinned_marker: &str, served_marker: &str) -> FakeRelease {
        let dir = TempDir::new().unwrap();
        let name = format!("mz-presync-{PINNED}-{LINUX_X64}.tar.gz");
        let pinned = release_archive(dir.path(), PINNED, LINUX_X64, pinned_marker);
        let served = release_archive(dir.path(), PINNED, LINUX_X64, served_marker);
        let root = dir.path().join("www");
        let download = root.join(format!("download/v{PINNED}"));
        fs::create_dir_all(&download).unwrap();
        fs::copy(&served, download.join(&name)).unwrap();
        // A SHA256SUMS that vouches for whatever is served proves nothing:
        // the action must not read it.
        fs::write(
            download.join("SHA256SUMS"),
            format!("{}  {name}\n", sha256_hex(&served)),
        )
        .unwrap();
        let action = action_copy(dir.path(), &pins_for(&[(&name, &pinned)]));
        let server = ReleaseServer::start(&root, &dir.path().join("requests.log"));
        FakeRelease {
            server,
            action,
            _dir: dir,
        }
    }

    fn simulation<'a>(&self, repo: &'a Path) -> Simulation<'a> {
        let mut simulation =
            Simulation::new(repo).env("MZ_PRESYNC_RELEASE_BASE_URL", self.server.base_url());
        simulation.binary = false;
        simulation.action_path = Some(self.action.clone());
        simulation
    }
}

#[test]
fn the_pinned_release_is_downloaded_verified_and_used() {
    let (repo, base, head) = pull_request(
        &[("clusters/prod/mz.yaml", PROD_V26_1)],
        &[("clusters/prod/mz.yaml", PROD_V26_2)],
    );
    let release = FakeRelease::new("good", "good");
    let run = release
        .simulation(repo.path())
        .event("pull_request", pull_request_event(&base, &head))
        .run();
    run.assert_succeeded();
    assert_eq!(run.step_outputs["setup"]["install-mode"], "release");
    assert_eq!(
        run.step_outputs["setup"]["cache-key"], "",
        "nothing to build"
    );
    let bin = &run.step_outputs["install"]["bin"];
    assert!(
        bin.ends_with(&format!("/mz-presync-{PINNED}-{LINUX_X64}/mz-presync")),
        "{bin}"
    );
    assert!(fs::read_to_string(bin).unwrap().contains("# good"));
    assert!(
        run.log().contains("matches the action's pin"),
        "{}",
        run.log()
    );
    assert_eq!(run.output("rollout-resources"), "clusters/prod:prod/mz");
    let requests = release.server.requests();
    assert!(
        requests.contains(&format!(
            "GET /download/v{PINNED}/mz-presync-{PINNED}-{LINUX_X64}.tar.gz"
        )),
        "{requests}"
    );
    assert!(!requests.contains("SHA256SUMS"), "{requests}");
}

#[test]
fn a_tampered_release_archive_fails_the_install_with_a_clear_message() {
    let (repo, _, _) = pull_request(&[("clusters/prod/mz.yaml", PROD_V26_1)], &[]);
    let release = FakeRelease::new("good", "tampered");
    let run = release.simulation(repo.path()).run();
    run.assert_failed_at("Install mz-presync");
    let install = run.steps.last().unwrap();
    assert_ne!(install.status, 0);
    let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with(&format!(
            "checksum mismatch for mz-presync-{PINNED}-{LINUX_X64}.tar.gz: its SHA-256 is "
        )) && messages[0].ends_with(
            "(scripts/release.json). The download is not the release this action was committed with; nothing was installed."
        ),
        "{}",
        messages[0]
    );
    assert!(!run.step_outputs["install"].contains_key("bin"));
}

#[test]
fn a_missing_release_archive_fails_the_install() {
    let (repo, _, _) = pull_request(&[("clusters/prod/mz.yaml", PROD_V26_1)], &[]);
    let release = FakeRelease::new("good", "good");
    let run = release
        .simulation(repo.path())
        .env(
            "MZ_PRESYNC_RELEASE_BASE_URL",
            format!("http://127.0.0.1:{}/nothing-here", release.server.port),
        )
        .run();
    run.assert_failed_at("Install mz-presync");
    let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
    assert_eq!(
        messages,
        [format!(
            "could not download http://127.0.0.1:{}/nothing-here/mz-presync-{PINNED}-{LINUX_X64}.tar.gz. Retry the job, or use version: source.",
            release.server.port
        )]
    );
}

#[test]
fn an_unsupported_runner_is_told_there_is_no_release_for_it() {
    let (repo, _, _) = pull_request(&[("clusters/prod/mz.yaml", PROD_V26_1)], &[]);
    let release = FakeRelease::new("good", "good");
    for (os, arch) in [("Windows", "X64"), ("Linux", "ARM")] {
        let run = release
            .simulation(repo.path())
            .env("RUNNER_OS", os)
            .env("RUNNER_ARCH", arch)
            .run();
        run.assert_failed_at("Install mz-presync");
        let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
        assert_eq!(
            messages,
            [format!(
                "no mz-presync release is built for this runner (RUNNER_OS '{os}', RUNNER_ARCH '{arch}'); releases exist for Linux and macOS on X64 and ARM64. Use version: source to build it, or version: path."
            )]
        );
    }
    assert_eq!(release.server.requests(), "", "nothing was downloaded");
}

#[test]
fn the_pinned_version_number_is_accepted_and_any_other_refused() {
    let (repo, _, _) = pull_request(&[("clusters/prod/mz.yaml", PROD_V26_1)], &[]);
    let release = FakeRelease::new("good", "good");
    for version in [PINNED, "v0.9.0"] {
        let run = release
            .simulation(repo.path())
            .input("version", version)
            .run();
        run.assert_succeeded();
        assert_eq!(run.step_outputs["setup"]["install-mode"], "release");
    }
    let run = release
        .simulation(repo.path())
        .input("version", "0.8.0")
        .run();
    run.assert_failed_at("Prepare");
    let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
    assert_eq!(
        messages,
        [format!(
            "input version is '0.8.0', but this commit of the action pins the checksums of {PINNED}. Use the action at the commit that pins 0.8.0, or version: source."
        )]
    );
}

#[test]
fn an_action_commit_that_pins_no_release_builds_from_source() {
    let (repo, _, _) = pull_request(&[("clusters/prod/mz.yaml", PROD_V26_1)], &[]);
    let tools = TempDir::new().unwrap();
    let empty = json!({"version": "", "base-url": "", "repository": "", "sha256": {}});
    let mut simulation = Simulation::new(repo.path());
    simulation.binary = false;
    simulation.action_path = Some(action_copy(tools.path(), &empty));
    simulation.path_prefix = vec![stub_toolchain(tools.path(), "1.95.0")];
    let run = simulation.run();
    run.assert_succeeded();
    assert_eq!(run.step_outputs["setup"]["install-mode"], "source");
    assert!(calls(tools.path())[0].starts_with("cargo install --locked --path "));
    let notices: Vec<_> = run
        .annotations
        .iter()
        .filter(|a| a.level == "notice")
        .map(|a| a.message.as_str())
        .collect();
    assert!(
        notices.contains(
            &"This commit of the action pins no mz-presync release yet; building it from source."
        ),
        "{notices:?}"
    );
}

/// A stub `gh` that logs its arguments and exits with `status`.
fn stub_gh(dir: &Path, status: i32) -> PathBuf {
    let bin = dir.join("gh-stub");
    fs::create_dir_all(&bin).unwrap();
    let script = format!(
        "#!/usr/bin/env bash\necho \"gh $* GH_TOKEN=$GH_TOKEN\" >> '{}'\nexit {status}\n",
        dir.join("calls.log").display()
    );
    fs::write(bin.join("gh"), script).unwrap();
    fs::set_permissions(bin.join("gh"), fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn verify_attestation_asks_gh_about_the_verified_archive() {
    let (repo, _, _) = pull_request(&[("clusters/prod/mz.yaml", PROD_V26_1)], &[]);
    let release = FakeRelease::new("good", "good");
    for (status, succeeds) in [(0, true), (1, false)] {
        let tools = TempDir::new().unwrap();
        let mut simulation = release
            .simulation(repo.path())
            .input("verify-attestation", "true");
        simulation.path_prefix = vec![stub_gh(tools.path(), status)];
        let run = simulation.run();
        let calls = calls(tools.path());
        assert_eq!(calls.len(), 1, "{calls:?}");
        assert!(
            calls[0].starts_with("gh attestation verify ")
                && calls[0].contains(&format!("/mz-presync-{PINNED}-{LINUX_X64}.tar.gz "))
                && calls[0].ends_with(" --repo example/mz-presync GH_TOKEN=simulated-job-token"),
            "{}",
            calls[0]
        );
        if succeeds {
            run.assert_succeeded();
        } else {
            run.assert_failed_at("Install mz-presync");
            let messages: Vec<_> = run.errors().iter().map(|a| a.message.clone()).collect();
            assert_eq!(
                messages,
                [format!(
                    "gh attestation verify found no valid build provenance for mz-presync-{PINNED}-{LINUX_X64}.tar.gz from example/mz-presync."
                )]
            );
        }
    }
}

#[test]
fn the_committed_release_pins_are_well_formed() {
    let pins: Value =
        serde_json::from_str(&read_action_file("scripts/release.json")).expect("JSON");
    let version = pins["version"].as_str().expect("version is a string");
    let sha256 = pins["sha256"].as_object().expect("sha256 is an object");
    if version.is_empty() {
        assert!(sha256.is_empty(), "checksums without a version");
        return;
    }
    assert!(
        pins["base-url"]
            .as_str()
            .unwrap()
            .starts_with("https://github.com/")
    );
    let mut names: Vec<_> = sha256.keys().cloned().collect();
    names.sort();
    let mut expected: Vec<_> = [
        "aarch64-apple-darwin",
        "aarch64-unknown-linux-gnu",
        "x86_64-apple-darwin",
        "x86_64-unknown-linux-gnu",
    ]
    .iter()
    .map(|target| format!("mz-presync-{version}-{target}.tar.gz"))
    .collect();
    expected.sort();
    assert_eq!(names, expected);
    for digest in sha256.values() {
        let digest = digest.as_str().unwrap();
        assert!(
            digest.len() == 64 && digest.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')),
            "{digest}"
        );
    }
}

// --- static properties of action.yml and the docs ---------------------------

#[test]
fn every_run_step_only_calls_the_script_and_takes_inputs_through_env() {
    let action: Value = yaml_serde::from_str(&read_action_file("action.yml")).unwrap();
    let phases = [
        "setup", "install", "validate", "migrate", "rollouts", "report", "gate",
    ];
    let mut seen = Vec::new();
    for step in action["runs"]["steps"].as_array().unwrap() {
        let Some(run) = step["run"].as_str() else {
            continue;
        };
        assert!(
            !run.contains("${{"),
            "an expression inside run: is a template-injection risk: {run}"
        );
        let phase = run
            .strip_prefix("bash \"$GITHUB_ACTION_PATH/scripts/action.sh\" ")
            .unwrap_or_else(|| panic!("run: must only call scripts/action.sh: {run}"));
        seen.push(phase.trim().to_string());
    }
    assert_eq!(seen, phases);
    let text = read_action_file("action.yml");
    assert!(!text.contains("pull_request_target"));
}

const WORKFLOWS: [&str; 2] = [".github/workflows/ci.yml", ".github/workflows/release.yml"];

#[test]
fn third_party_actions_are_pinned_by_commit() {
    let files = ["action.yml", "docs/examples/mz-presync.yml"]
        .into_iter()
        .chain(WORKFLOWS);
    for file in files {
        for line in read_action_file(file).lines() {
            let Some((_, reference)) = line.split_once("uses: ") else {
                continue;
            };
            if reference.starts_with("./") {
                continue; // this repository's own action
            }
            let (_, version) = reference.split_once('@').expect("uses: OWNER/REPO@REF");
            let sha = version.split_whitespace().next().unwrap();
            assert!(
                sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
                "{file}: not pinned: {line}"
            );
        }
    }
}

#[test]
fn the_docs_show_the_example_workflow_verbatim() {
    let example = read_action_file("docs/examples/mz-presync.yml");
    let docs = read_action_file("docs/github-action.md");
    assert!(
        docs.contains(&format!("```yaml\n{example}```")),
        "docs/github-action.md must embed docs/examples/mz-presync.yml"
    );
}

// --- linters ----------------------------------------------------------------

/// Whether the tool runs; when it does not, a test skips (and says so)
/// unless CI asked for every tool.
fn tool_available(name: &str) -> bool {
    let works = Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return true;
    }
    if std::env::var("MZ_PRESYNC_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!(
            "{name} is required (MZ_PRESYNC_REQUIRE_TOOLS=1) but does not run; install it with .ci/tools.sh"
        );
    }
    eprintln!("SKIPPED: {name} is not installed; run .ci/tools.sh to install it");
    false
}

#[test]
fn zizmor_finds_nothing_in_the_action_the_workflows_and_the_hooks() {
    if !tool_available("zizmor") {
        return;
    }
    let output = Command::new("zizmor")
        .args([
            "--offline",
            "--persona",
            "auditor",
            "--no-progress",
            "--format",
            "plain",
        ])
        .args([
            "action.yml",
            "docs/examples/mz-presync.yml",
            ".pre-commit-hooks.yaml",
            ".github/workflows/",
        ])
        .current_dir(ACTION_DIR)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "zizmor:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn actionlint_passes_the_workflows_and_the_action_they_use() {
    if !tool_available("actionlint") {
        return;
    }
    let output = Command::new("actionlint")
        .arg("docs/examples/mz-presync.yml")
        .args(WORKFLOWS)
        .current_dir(ACTION_DIR)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "actionlint:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
