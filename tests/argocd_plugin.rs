//! Runs `argocd/plugin.yaml` the way Argo CD's CMP server does.
//!
//! The CMP server (`argocd-cmp-server`, in the repo-server's sidecar) unpacks
//! the repository into a temporary directory and, in the Application's source
//! directory, runs `exec(command[0], command[1:] + args)` for `discover.find`,
//! `init` and `generate`, with the sidecar's environment plus Argo CD's build
//! variables (`ARGOCD_APP_*`) and the Application's plugin env prefixed with
//! `ARGOCD_ENV_` (entries with an empty value are dropped). A non-zero exit of
//! `init` or `generate` fails manifest generation; otherwise the stdout of
//! `generate` is split into documents and applied. This harness does the
//! same with the commands exactly as the file writes them, so what is tested
//! is the shipped plugin, not a copy of its script.
//!
//! The kustomize cases need `kustomize` or `kubectl`, and the sidecar patch
//! case `kubectl` (`.ci/argocd-tools.sh` installs kubectl on a fresh Debian
//! machine). Without them they print why they skip, unless
//! `MZ_PRESYNC_REQUIRE_TOOLS=1`, which makes them fail.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mz_presync::crd::{self, Version};
use serde::Deserialize;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/argocd");
const PLUGIN_YAML: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/argocd/plugin.yaml");
const SIDECAR_YAML: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/argocd/sidecar.yaml");
const README_MD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/argocd/README.md");

// ---------------------------------------------------------------------------
// The plugin configuration, read with the fields the CMP server reads.

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PluginConfig {
    api_version: String,
    kind: String,
    metadata: PluginMetadata,
    spec: PluginSpec,
}

#[derive(Debug, Deserialize)]
struct PluginMetadata {
    name: String,
}

#[derive(Debug, Deserialize)]
struct PluginSpec {
    version: Option<String>,
    #[serde(default)]
    init: PluginCommand,
    generate: PluginCommand,
    #[serde(default)]
    discover: Discover,
}

#[derive(Debug, Default, Deserialize)]
struct PluginCommand {
    #[serde(default)]
    command: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Discover {
    file_name: Option<String>,
    #[serde(default)]
    find: Find,
}

#[derive(Debug, Default, Deserialize)]
struct Find {
    glob: Option<String>,
    #[serde(flatten)]
    command: PluginCommand,
}

fn plugin() -> PluginConfig {
    let text = std::fs::read_to_string(PLUGIN_YAML).expect("argocd/plugin.yaml is readable");
    yaml_serde::from_str(&text).expect("argocd/plugin.yaml parses as a ConfigManagementPlugin")
}

// ---------------------------------------------------------------------------
// A checked-out repository and the sidecar that runs the plugin on it.

/// A copy of `fixtures/argocd/<case>/` standing for the repository Argo CD
/// sends to the sidecar; the Application's source is `source_path` in it.
struct Checkout {
    _root: tempfile::TempDir,
    repo: PathBuf,
    source_path: String,
}

impl Checkout {
    fn of(case: &str, source_path: &str) -> Checkout {
        let root = tempfile::tempdir().expect("tempdir");
        let repo = root.path().join("repo");
        copy_dir(&Path::new(FIXTURES).join(case), &repo);
        Checkout {
            _root: root,
            repo,
            source_path: source_path.to_owned(),
        }
    }

    /// An Application whose source directory exists and holds no file.
    fn empty() -> Checkout {
        let root = tempfile::tempdir().expect("tempdir");
        let repo = root.path().join("repo");
        std::fs::create_dir_all(repo.join("apps/empty")).expect("create app dir");
        Checkout {
            _root: root,
            repo,
            source_path: "apps/empty".to_owned(),
        }
    }

    fn app_dir(&self) -> PathBuf {
        self.repo.join(&self.source_path)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// The sidecar: a PATH whose first directory holds `mz-presync` (and any
/// fake tools a test adds), the Application's plugin env, and the build
/// variables Argo CD sets.
struct Sidecar {
    _bin_root: tempfile::TempDir,
    bin: PathBuf,
    home: tempfile::TempDir,
    /// Only `bin` on PATH: for "the image lacks a tool" cases.
    minimal_path: bool,
    plugin_env: BTreeMap<String, String>,
    /// Set as they are: the sidecar's own environment, and the `PARAM_*`
    /// variables of the Application's plugin parameters.
    raw_env: BTreeMap<String, String>,
}

impl Sidecar {
    fn new() -> Sidecar {
        let bin_root = tempfile::tempdir().expect("tempdir");
        let bin = bin_root.path().join("bin");
        std::fs::create_dir_all(&bin).expect("create bin");
        symlink(
            Path::new(env!("CARGO_BIN_EXE_mz-presync")),
            &bin.join("mz-presync"),
        );
        Sidecar {
            _bin_root: bin_root,
            bin,
            home: tempfile::tempdir().expect("tempdir"),
            minimal_path: false,
            plugin_env: BTreeMap::new(),
            raw_env: BTreeMap::new(),
        }
    }

    /// A sidecar image with bash, the shell utilities the plugin uses, and
    /// mz-presync, but no kustomize, kubectl or helm.
    fn minimal() -> Sidecar {
        let mut sidecar = Sidecar::new();
        for tool in ["bash", "sh", "grep", "head"] {
            let found = which(tool).unwrap_or_else(|| panic!("{tool} is on PATH"));
            symlink(&found, &sidecar.bin.join(tool));
        }
        sidecar.minimal_path = true;
        sidecar
    }

    /// An entry of the Application's `spec.source.plugin.env`.
    fn env(mut self, name: &str, value: &str) -> Sidecar {
        self.plugin_env.insert(name.to_owned(), value.to_owned());
        self
    }

    /// An Application plugin parameter: the CMP server passes `name` as
    /// `PARAM_<NAME>` (upper case).
    fn parameter(mut self, name: &str, value: &str) -> Sidecar {
        self.raw_env
            .insert(format!("PARAM_{}", name.to_uppercase()), value.to_owned());
        self
    }

    /// A variable of the sidecar container's own environment.
    fn sidecar_env(mut self, name: &str, value: &str) -> Sidecar {
        self.raw_env.insert(name.to_owned(), value.to_owned());
        self
    }

    /// Put an executable script on the sidecar's PATH, ahead of the system's.
    fn fake_tool(&self, name: &str, script: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.bin.join(name);
        std::fs::write(&path, script).expect("write fake tool");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    fn environment(&self, checkout: &Checkout) -> Vec<(String, String)> {
        let path = if self.minimal_path {
            self.bin.display().to_string()
        } else {
            format!(
                "{}:{}",
                self.bin.display(),
                std::env::var("PATH").unwrap_or_default()
            )
        };
        let mut env = vec![
            ("PATH".to_owned(), path),
            ("HOME".to_owned(), self.home.path().display().to_string()),
            ("LANG".to_owned(), "C.UTF-8".to_owned()),
            ("ARGOCD_APP_NAME".to_owned(), "analytics".to_owned()),
            (
                "ARGOCD_APP_NAMESPACE".to_owned(),
                "materialize-environment".to_owned(),
            ),
            (
                "ARGOCD_APP_REVISION".to_owned(),
                "0123456789abcdef0123456789abcdef01234567".to_owned(),
            ),
            ("ARGOCD_APP_REVISION_SHORT".to_owned(), "0123456".to_owned()),
            (
                "ARGOCD_APP_SOURCE_PATH".to_owned(),
                checkout.source_path.clone(),
            ),
            (
                "ARGOCD_APP_SOURCE_REPO_URL".to_owned(),
                "https://git.example.com/platform/deploy.git".to_owned(),
            ),
            (
                "ARGOCD_APP_SOURCE_TARGET_REVISION".to_owned(),
                "HEAD".to_owned(),
            ),
            ("KUBE_VERSION".to_owned(), "1.32".to_owned()),
        ];
        // Argo CD drops plugin env entries whose value is empty.
        env.extend(
            self.plugin_env
                .iter()
                .filter(|(_, value)| !value.is_empty())
                .map(|(name, value)| (format!("ARGOCD_ENV_{name}"), value.clone())),
        );
        env.extend(self.raw_env.clone());
        env
    }

    fn run(&self, command: &PluginCommand, checkout: &Checkout) -> Run {
        assert!(!command.command.is_empty(), "a plugin command is empty");
        let output = Command::new(&command.command[0])
            .args(&command.command[1..])
            .args(&command.args)
            .current_dir(checkout.app_dir())
            .env_clear()
            .envs(self.environment(checkout))
            .output()
            .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", command.command));
        Run::from(output)
    }

    /// `discover`: true when the plugin claims the Application.
    fn discover(&self, plugin: &PluginConfig, checkout: &Checkout) -> bool {
        let discover = &plugin.spec.discover;
        assert!(
            discover.file_name.is_none() && discover.find.glob.is_none(),
            "the harness runs discover.find.command; update it if the plugin uses a glob"
        );
        let run = self.run(&discover.find.command, checkout);
        // A failing discovery is an error in Argo CD's UI, not a "no".
        assert_eq!(run.code, 0, "discover failed: {}", run.stderr);
        !run.stdout.is_empty()
    }

    /// `init` then `generate`, stopping at the first failure like the CMP
    /// server; the result is that of the last command run.
    fn generate(&self, plugin: &PluginConfig, checkout: &Checkout) -> Run {
        if !plugin.spec.init.command.is_empty() {
            let init = self.run(&plugin.spec.init, checkout);
            if init.code != 0 {
                return init;
            }
        }
        self.run(&plugin.spec.generate, checkout)
    }
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(tool))
            .find(|candidate| candidate.is_file())
    })
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }
}

impl Run {
    fn assert_success(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "generation failed\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Non-zero exit and nothing Argo CD could apply.
    fn assert_failed_closed(&self) -> &Run {
        assert_ne!(self.code, 0, "generation succeeded:\n{}", self.stdout);
        assert_eq!(self.stdout, "", "a failed generation printed manifests");
        assert!(
            !self.stderr.trim().is_empty(),
            "a failed generation gave no reason"
        );
        self
    }
}

// ---------------------------------------------------------------------------
// What Argo CD would apply.

/// The documents of a manifest stream, as Argo CD splits them (empty
/// documents dropped), each checked to be a Kubernetes object.
fn objects(stream: &str) -> Vec<Value> {
    let mut objects = Vec::new();
    for document in yaml_serde::Deserializer::from_str(stream) {
        let value = Value::deserialize(document)
            .unwrap_or_else(|e| panic!("generate printed invalid YAML ({e}):\n{stream}"));
        if value.is_null() {
            continue;
        }
        for field in ["/apiVersion", "/kind", "/metadata/name"] {
            assert!(
                value
                    .pointer(field)
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty()),
                "document without {field} is not a Kubernetes object: {value}"
            );
        }
        objects.push(value);
    }
    objects
}

/// Every Materialize object is at `target` and valid against its schema.
fn assert_materialize_objects_at(objects: &[Value], target: Version) -> Vec<&Value> {
    let materialize: Vec<&Value> = objects.iter().filter(|o| crd::is_materialize(o)).collect();
    assert!(
        !materialize.is_empty(),
        "no Materialize object in the output"
    );
    for object in &materialize {
        assert_eq!(
            object["apiVersion"],
            target.api_version(),
            "not converted: {object}"
        );
        let errors: Vec<String> = crd::schema::validator(target)
            .iter_errors(object)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{object}\nviolates the schema: {errors:?}"
        );
        crd::read_typed(object).unwrap_or_else(|e| panic!("{object}\nunreadable: {e}"));
    }
    materialize
}

fn find<'a>(objects: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in the output"))
}

// ---------------------------------------------------------------------------
// External tools.

fn tools_required() -> bool {
    std::env::var("MZ_PRESYNC_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Skip (or, when tools are required, fail) a test whose tool is missing.
fn skip(test: &str, why: &str) {
    assert!(
        !tools_required(),
        "{test}: {why}, and MZ_PRESYNC_REQUIRE_TOOLS=1 (run .ci/argocd-tools.sh)"
    );
    announce_skip(&format!(
        "SKIPPED {test}: {why} (run .ci/argocd-tools.sh to install it)"
    ));
}

/// Straight to the process's stderr: the test harness captures `eprintln!`
/// of passing tests, and a skip must be seen.
fn announce_skip(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{message}");
}

#[derive(Debug, PartialEq)]
enum Kustomize {
    Missing,
    /// kubectl 1.20 and older embed kustomize v2.0.3, which reads only the
    /// `bases`/`patchesStrategicMerge` syntax.
    V2,
    Current,
}

/// The kustomize the plugin will use: `kustomize` first, then `kubectl`.
fn kustomize() -> Kustomize {
    let run = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    if let Some(version) = run("kustomize", &["version"]) {
        return if version.contains("v2.") {
            Kustomize::V2
        } else {
            Kustomize::Current
        };
    }
    match run("kubectl", &["version", "--client"]) {
        Some(version) if version.contains("Kustomize Version") => Kustomize::Current,
        Some(_) => Kustomize::V2,
        None => Kustomize::Missing,
    }
}

// ---------------------------------------------------------------------------
// The plugin file itself.

#[test]
fn plugin_yaml_is_a_config_management_plugin_the_cmp_server_accepts() {
    let plugin = plugin();
    // The checks of the CMP server's ValidatePluginConfig, plus ours.
    assert_eq!(plugin.api_version, "argoproj.io/v1alpha1");
    assert_eq!(plugin.kind, "ConfigManagementPlugin");
    assert_eq!(plugin.metadata.name, "mz-presync");
    assert_eq!(plugin.spec.version.as_deref(), Some("v1"));
    assert!(!plugin.spec.generate.command.is_empty());
    assert!(!plugin.spec.discover.find.command.command.is_empty());
    // dash (Debian's sh) has no pipefail; the pipeline must run in bash.
    assert_eq!(plugin.spec.generate.command[..2], ["bash", "-c"]);
    assert!(plugin.spec.generate.command[2].starts_with("set -euo pipefail\n"));
}

#[test]
fn dash_rejects_pipefail_so_generate_runs_in_bash() {
    // The reason plugin.yaml says `bash -c`: where sh is dash 0.5.12 (Debian
    // 12), `set -o pipefail` is an error. Kept as a test so that the choice
    // is revisited if that changes.
    let sh_is_dash = std::fs::read_link("/bin/sh").is_ok_and(|t| t.ends_with("dash"));
    if !sh_is_dash {
        announce_skip(
            "SKIPPED dash_rejects_pipefail_so_generate_runs_in_bash: /bin/sh is not dash here",
        );
        return;
    }
    let run = Run::from(
        Command::new("sh")
            .args(["-c", "set -o pipefail"])
            .output()
            .expect("sh runs"),
    );
    assert_ne!(run.code, 0, "this dash accepts pipefail: {}", run.stderr);
}

// ---------------------------------------------------------------------------
// Plain directory.

#[test]
fn plain_directory_is_discovered_converted_and_valid() {
    let plugin = plugin();
    let checkout = Checkout::of("plain-directory", ".");
    let sidecar = Sidecar::new();
    assert!(sidecar.discover(&plugin, &checkout));
    let run = sidecar.generate(&plugin, &checkout);
    run.assert_success();

    let objects = objects(&run.stdout);
    let kinds: Vec<(&str, &str)> = objects
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap_or_default(),
                o["metadata"]["name"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    // Files in path order, documents in file order.
    assert_eq!(
        kinds,
        [
            ("Secret", "materialize-backend"),
            ("Materialize", "12345678-1234-1234-1234-123456789012"),
            ("Namespace", "materialize-environment"),
            ("Materialize", "staging"),
        ]
    );
    assert_materialize_objects_at(&objects, Version::V1alpha2);

    let production = find(
        &objects,
        "Materialize",
        "12345678-1234-1234-1234-123456789012",
    );
    let spec = &production["spec"];
    assert_eq!(spec.get("requestRollout"), None);
    assert_eq!(spec.get("inPlaceRollout"), None);
    assert_eq!(spec.get("environmentdIamRoleArn"), None);
    assert_eq!(
        spec["serviceAccountAnnotations"]["eks.amazonaws.com/role-arn"],
        "arn:aws:iam::000000000000:role/materialize-prod"
    );
    assert_eq!(
        find(&objects, "Secret", "materialize-backend")["stringData"]["persist_backend_url"],
        "s3://bucket/prod"
    );
    // Warnings reach Argo CD's UI on stderr without failing the sync.
    assert!(
        run.stderr.contains("clusters/staging.yaml:"),
        "no warning for the downtime strategy:\n{}",
        run.stderr
    );
}

#[test]
fn plain_directory_converted_to_v1_when_the_application_asks() {
    let plugin = plugin();
    let checkout = Checkout::of("plain-directory", "clusters/prod");
    let sidecar = Sidecar::new().env("MZ_PRESYNC_TARGET", "v1");
    let run = sidecar.generate(&plugin, &checkout);
    run.assert_success();
    let objects = objects(&run.stdout);
    assert_eq!(objects.len(), 3);
    assert_materialize_objects_at(&objects, Version::V1);
}

#[test]
fn unknown_target_fails_closed_with_the_setting_named() {
    let plugin = plugin();
    let checkout = Checkout::of("plain-directory", "clusters/prod");
    let sidecar = Sidecar::new().env("MZ_PRESYNC_TARGET", "v2");
    let run = sidecar.generate(&plugin, &checkout);
    run.assert_failed_closed();
    assert!(
        run.stderr
            .contains("ARGOCD_ENV_MZ_PRESYNC_TARGET is \"v2\""),
        "{}",
        run.stderr
    );
}

#[test]
fn strict_setting_turns_unknown_fields_into_errors() {
    let plugin = plugin();
    let checkout = Checkout::of("unknown-field", ".");

    let lenient = Sidecar::new().generate(&plugin, &checkout);
    lenient.assert_success();
    assert!(
        lenient.stderr.contains("balancerdReplica"),
        "{}",
        lenient.stderr
    );
    // Converted, and the unknown field left for the API server to prune (so
    // not checked against the strict schema here).
    let objects = objects(&lenient.stdout);
    let typo = find(&objects, "Materialize", "typo");
    assert_eq!(typo["apiVersion"], Version::V1alpha2.api_version());
    assert_eq!(typo["spec"]["balancerdReplica"], 2);

    for value in ["true", "1"] {
        let strict = Sidecar::new()
            .env("MZ_PRESYNC_STRICT", value)
            .generate(&plugin, &checkout);
        strict.assert_failed_closed();
        assert!(
            strict.stderr.contains("materialize.yaml:9: unknown-field"),
            "{}",
            strict.stderr
        );
    }

    let bogus = Sidecar::new()
        .env("MZ_PRESYNC_STRICT", "yes please")
        .generate(&plugin, &checkout);
    bogus.assert_failed_closed();
    assert!(
        bogus.stderr.contains("ARGOCD_ENV_MZ_PRESYNC_STRICT"),
        "{}",
        bogus.stderr
    );
}

// ---------------------------------------------------------------------------
// Invalid and empty sources.

#[test]
fn invalid_manifest_fails_closed_with_file_line_rule_message() {
    let plugin = plugin();
    let checkout = Checkout::of("invalid-manifest", ".");
    let sidecar = Sidecar::new();
    assert!(sidecar.discover(&plugin, &checkout));
    let run = sidecar.generate(&plugin, &checkout);
    run.assert_failed_closed();
    assert_eq!(run.code, 1);
    // The valid ConfigMap before the broken object is not printed either.
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("materialize.yaml:17: schema: "))
        .unwrap_or_else(|| panic!("no `file:line: rule: message` line:\n{}", run.stderr));
    assert!(line.contains("WaitUntilReadyy"), "{line}");
}

#[test]
fn empty_directory_is_not_discovered_and_generates_an_error_not_nothing() {
    let plugin = plugin();
    let checkout = Checkout::empty();
    let sidecar = Sidecar::new();
    assert!(!sidecar.discover(&plugin, &checkout));
    // An Application that names the plugin and reaches generate anyway (or
    // whose files all went away) must not make Argo CD prune everything.
    let run = sidecar.generate(&plugin, &checkout);
    run.assert_failed_closed();
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--allow-empty"), "{}", run.stderr);

    let allowed = Sidecar::new()
        .env("MZ_PRESYNC_ALLOW_EMPTY", "true")
        .generate(&plugin, &checkout);
    allowed.assert_success();
    assert_eq!(allowed.stdout, "");
}

// ---------------------------------------------------------------------------
// Discovery.

#[test]
fn discovery_leaves_kustomize_applications_without_materialize_alone() {
    let plugin = plugin();
    let checkout = Checkout::of("unrelated-kustomize", ".");
    assert!(!Sidecar::new().discover(&plugin, &checkout));
    let opted_in = Sidecar::new().env("MZ_PRESYNC_ENABLED", "true");
    assert!(opted_in.discover(&plugin, &checkout));
}

#[test]
fn discovery_can_be_turned_off_per_application() {
    let plugin = plugin();
    let checkout = Checkout::of("plain-directory", ".");
    let opted_out = Sidecar::new().env("MZ_PRESYNC_ENABLED", "false");
    assert!(!opted_out.discover(&plugin, &checkout));
}

#[test]
fn discovery_finds_kustomize_overlays_and_charts_that_mention_materialize() {
    let plugin = plugin();
    for (case, source_path) in [
        ("kustomize-overlay", "overlays/prod"),
        ("kustomize-overlay-patches", "overlays/prod"),
        ("helm-chart", "."),
    ] {
        let checkout = Checkout::of(case, source_path);
        assert!(Sidecar::new().discover(&plugin, &checkout), "{case}");
    }
}

// ---------------------------------------------------------------------------
// Kustomize.

fn assert_overlay_rendered(run: &Run) {
    run.assert_success();
    let objects = objects(&run.stdout);
    assert_eq!(objects.len(), 2, "{}", run.stdout);
    find(&objects, "Namespace", "materialize-environment");
    assert_materialize_objects_at(&objects, Version::V1alpha2);
    let analytics = find(&objects, "Materialize", "analytics");
    assert_eq!(analytics["metadata"]["labels"]["environment"], "prod");
    let spec = &analytics["spec"];
    assert_eq!(
        spec["environmentdImageRef"],
        "materialize/environmentd:v26.8.0"
    );
    assert_eq!(spec.get("requestRollout"), None);
    assert_eq!(spec.get("forcePromote"), None);
    assert_eq!(
        spec["serviceAccountAnnotations"]["eks.amazonaws.com/role-arn"],
        "arn:aws:iam::000000000000:role/analytics-prod"
    );
}

#[test]
fn kustomize_overlay_patching_a_v1alpha1_base() {
    if kustomize() == Kustomize::Missing {
        return skip(
            "kustomize_overlay_patching_a_v1alpha1_base",
            "neither kustomize nor kubectl is on PATH",
        );
    }
    let plugin = plugin();
    let checkout = Checkout::of("kustomize-overlay", "overlays/prod");
    assert_overlay_rendered(&Sidecar::new().generate(&plugin, &checkout));
}

#[test]
fn kustomize_overlay_in_current_syntax_with_a_json6902_patch_on_v1alpha1() {
    let test = "kustomize_overlay_in_current_syntax_with_a_json6902_patch_on_v1alpha1";
    match kustomize() {
        Kustomize::Missing => return skip(test, "neither kustomize nor kubectl is on PATH"),
        Kustomize::V2 => {
            // Not a missing tool: Debian 12 packages only this kustomize, so
            // even a CI that requires tools cannot run this case.
            announce_skip(&format!(
                "SKIPPED {test}: the kustomize here is v2, which cannot read `patches`"
            ));
            return;
        }
        Kustomize::Current => {}
    }
    let plugin = plugin();
    let checkout = Checkout::of("kustomize-overlay-patches", "overlays/prod");
    let run = Sidecar::new().generate(&plugin, &checkout);
    assert_overlay_rendered(&run);
    let objects = objects(&run.stdout);
    assert_eq!(
        find(&objects, "Materialize", "analytics")["spec"]["rolloutStrategy"],
        "ManuallyPromote"
    );
}

#[test]
fn kustomize_output_findings_name_the_kustomize_build() {
    let plugin = plugin();
    let checkout = Checkout::of("kustomize-overlay", "overlays/prod");
    let sidecar = Sidecar::new();
    // A stand-in kustomize, so that this runs without one: it prints the
    // broken object of the invalid-manifest case.
    sidecar.fake_tool(
        "kustomize",
        &format!("#!/bin/sh\ncat '{FIXTURES}/invalid-manifest/materialize.yaml'\n"),
    );
    let run = sidecar.generate(&plugin, &checkout);
    run.assert_failed_closed();
    assert!(
        run.stderr
            .contains("kustomize build overlays/prod:17: schema: "),
        "{}",
        run.stderr
    );
}

#[test]
fn failing_kustomize_fails_generation_even_after_printing_objects() {
    let plugin = plugin();
    let checkout = Checkout::of("kustomize-overlay", "overlays/prod");
    let sidecar = Sidecar::new();
    // Valid output, then a failure: only pipefail notices.
    sidecar.fake_tool(
        "kustomize",
        &format!(
            "#!/bin/sh\ncat '{FIXTURES}/plain-directory/clusters/staging.yaml'\n\
             echo 'Error: accumulating resources: ../../base: no such directory' >&2\nexit 1\n"
        ),
    );
    let run = sidecar.generate(&plugin, &checkout);
    // render itself succeeded on what it read; Argo CD discards the stdout
    // of a command that exits non-zero, so the exit status is what counts.
    assert_eq!(
        run.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.contains("accumulating resources"),
        "{}",
        run.stderr
    );
}

#[test]
fn kustomization_without_kustomize_in_the_image_fails_closed() {
    let plugin = plugin();
    let checkout = Checkout::of("kustomize-overlay", "overlays/prod");
    let run = Sidecar::minimal().generate(&plugin, &checkout);
    run.assert_failed_closed();
    assert!(
        run.stderr.contains("neither kustomize nor kubectl"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------
// Helm.

#[test]
fn helm_chart_is_rendered_with_helm_template_then_converted() {
    let plugin = plugin();
    let checkout = Checkout::of("helm-chart", ".");
    let sidecar = Sidecar::new();
    // helm is not installable here: a stand-in records its arguments and
    // prints what `helm template` prints for this chart.
    let args_file = sidecar.home.path().join("helm-args");
    sidecar.fake_tool(
        "helm",
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\ncat '{FIXTURES}/helm-chart.rendered.yaml'\n",
            args_file.display()
        ),
    );
    let run = sidecar.generate(&plugin, &checkout);
    run.assert_success();
    let args = std::fs::read_to_string(&args_file).expect("helm was run");
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        [
            "template",
            "analytics",
            ".",
            "--namespace",
            "materialize-environment",
            "--kube-version",
            "1.32"
        ]
    );
    let objects = objects(&run.stdout);
    assert_eq!(objects.len(), 1);
    let analytics = assert_materialize_objects_at(&objects, Version::V1alpha2)[0];
    assert_eq!(analytics["spec"].get("requestRollout"), None);
}

#[test]
fn helm_chart_without_helm_in_the_image_fails_closed() {
    let plugin = plugin();
    let checkout = Checkout::of("helm-chart", ".");
    let run = Sidecar::minimal().generate(&plugin, &checkout);
    run.assert_failed_closed();
    assert!(run.stderr.contains("no helm"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------
// The repo-server patch.

#[test]
fn sidecar_patch_runs_the_cmp_server_as_user_999_with_the_plugin_config() {
    let patch: Value = yaml_serde::from_str(
        &std::fs::read_to_string(SIDECAR_YAML).expect("argocd/sidecar.yaml is readable"),
    )
    .expect("argocd/sidecar.yaml parses");
    assert_eq!(patch["kind"], "Deployment");
    assert_eq!(patch["metadata"]["name"], "argocd-repo-server");
    let pod = &patch["spec"]["template"]["spec"];
    let containers = pod["containers"].as_array().expect("containers");
    assert_eq!(containers.len(), 1);
    let sidecar = &containers[0];
    assert_eq!(sidecar["command"][0], "/var/run/argocd/argocd-cmp-server");
    assert_eq!(sidecar["securityContext"]["runAsNonRoot"], true);
    assert_eq!(sidecar["securityContext"]["runAsUser"], 999);

    let mounts: BTreeMap<&str, (&str, Option<&str>)> = sidecar["volumeMounts"]
        .as_array()
        .expect("volumeMounts")
        .iter()
        .map(|m| {
            (
                m["mountPath"].as_str().expect("mountPath"),
                (m["name"].as_str().expect("name"), m["subPath"].as_str()),
            )
        })
        .collect();
    assert_eq!(mounts["/var/run/argocd"], ("var-files", None));
    assert_eq!(mounts["/home/argocd/cmp-server/plugins"], ("plugins", None));
    let (config_volume, sub_path) = mounts["/home/argocd/cmp-server/config/plugin.yaml"];
    assert_eq!(sub_path, Some("plugin.yaml"));
    let (tmp_volume, _) = mounts["/tmp"];

    let volumes = pod["volumes"].as_array().expect("volumes");
    let volume = |name: &str| {
        volumes
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("volume {name} is not defined by the patch"))
    };
    let config_map = volume(config_volume)["configMap"]["name"]
        .as_str()
        .expect("the plugin config comes from a ConfigMap");
    assert!(volume(tmp_volume).get("emptyDir").is_some());
    // The README's install steps create that ConfigMap from plugin.yaml.
    let readme = std::fs::read_to_string(README_MD).expect("argocd/README.md is readable");
    assert!(
        readme.contains(&format!(
            "create configmap {config_map} --from-file=plugin.yaml=argocd/plugin.yaml"
        )),
        "argocd/README.md does not create the ConfigMap {config_map}"
    );
}

#[test]
fn sidecar_patch_applies_to_the_repo_server_deployment() {
    if which("kubectl").is_none() {
        return skip(
            "sidecar_patch_applies_to_the_repo_server_deployment",
            "kubectl is not on PATH",
        );
    }
    let output = Command::new("kubectl")
        .args([
            "patch",
            "--local",
            "--type",
            "strategic",
            "-o",
            "json",
            "-f",
        ])
        .arg(Path::new(FIXTURES).join("argocd-repo-server.yaml"))
        .arg("--patch-file")
        .arg(SIDECAR_YAML)
        .output()
        .expect("kubectl runs");
    let run = Run::from(output);
    run.assert_success();
    let patched: Value = serde_json::from_str(&run.stdout).expect("kubectl prints JSON");
    let pod = &patched["spec"]["template"]["spec"];
    let names = |field: &str| -> Vec<String> {
        pod[field]
            .as_array()
            .expect("list")
            .iter()
            .map(|c| c["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let mut containers = names("containers");
    containers.sort();
    assert_eq!(containers, ["argocd-repo-server", "mz-presync"]);
    let mut volumes = names("volumes");
    volumes.sort();
    assert_eq!(
        volumes,
        [
            "mz-presync-plugin",
            "mz-presync-tmp",
            "plugins",
            "tmp",
            "var-files"
        ]
    );
}

// ---------------------------------------------------------------------------
// The operator model (issue 13): every way to set it reaches `render`.

#[test]
fn plugin_announces_the_operator_parameter() {
    let text = std::fs::read_to_string(PLUGIN_YAML).unwrap();
    let value: Value = yaml_serde::from_str(&text).unwrap();
    let parameters = value["spec"]["parameters"]["static"].as_array().unwrap();
    assert!(
        parameters.iter().any(|p| p["name"] == "operator"),
        "{parameters:?}"
    );
}

#[test]
fn released_operator_from_every_setting_converts_to_v1() {
    let plugin = plugin();
    let settings: [(&str, Sidecar); 3] = [
        (
            "plugin parameter",
            Sidecar::new().parameter("operator", "released"),
        ),
        (
            "Application env",
            Sidecar::new().env("MZ_PRESYNC_OPERATOR", "released"),
        ),
        (
            "sidecar env",
            Sidecar::new().sidecar_env("MZ_PRESYNC_OPERATOR", "released"),
        ),
    ];
    for (how, sidecar) in settings {
        let checkout = Checkout::of("plain-directory", "clusters/prod");
        let run = sidecar.generate(&plugin, &checkout);
        run.assert_success();
        let objects = objects(&run.stdout);
        assert_eq!(objects.len(), 3, "{how}");
        assert_materialize_objects_at(&objects, Version::V1);
    }
    // Unset, the design model's target, as before.
    let checkout = Checkout::of("plain-directory", "clusters/prod");
    let run = Sidecar::new().generate(&plugin, &checkout);
    run.assert_success();
    assert_materialize_objects_at(&objects(&run.stdout), Version::V1alpha2);
}

#[test]
fn released_operator_from_the_repositorys_config_file() {
    let plugin = plugin();
    let checkout = Checkout::of("plain-directory", "clusters/prod");
    std::fs::write(
        checkout.repo.join(".mz-presync.yaml"),
        "operator: released\n",
    )
    .unwrap();
    let run = Sidecar::new().generate(&plugin, &checkout);
    run.assert_success();
    assert_materialize_objects_at(&objects(&run.stdout), Version::V1);
    // An explicit target still wins over the model's, and then the stream
    // fails closed: the released operator serves no v1alpha2.
    let run = Sidecar::new()
        .env("MZ_PRESYNC_TARGET", "v1alpha2")
        .generate(&plugin, &checkout);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("unserved-version"), "{}", run.stderr);
}

#[test]
fn bad_or_conflicting_operator_settings_fail_closed() {
    let plugin = plugin();
    let checkout = Checkout::of("plain-directory", "clusters/prod");
    let run = Sidecar::new()
        .parameter("operator", "Released")
        .generate(&plugin, &checkout);
    run.assert_failed_closed();
    assert!(
        run.stderr.contains("the operator is \"Released\""),
        "{}",
        run.stderr
    );
    let run = Sidecar::new()
        .parameter("operator", "released")
        .env("MZ_PRESYNC_OPERATOR", "design")
        .generate(&plugin, &checkout);
    run.assert_failed_closed();
    assert!(
        run.stderr.contains("set only one of them"),
        "{}",
        run.stderr
    );
    // The sidecar's own value is render's to check.
    let run = Sidecar::new()
        .sidecar_env("MZ_PRESYNC_OPERATOR", "v26")
        .generate(&plugin, &checkout);
    run.assert_failed_closed();
}
