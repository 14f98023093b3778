//! `mz-presync render` end to end: stdin streams and directories in, the
//! converted stream out, or nothing at all and the findings on stderr.

use std::path::Path;

use assert_cmd::Command;
use mz_presync::crd::{self, Version};
use serde::Deserialize;
use serde_json::Value;

const ARGOCD_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/argocd");

fn mz() -> Command {
    Command::cargo_bin("mz-presync").unwrap()
}

struct Rendered {
    code: i32,
    stdout: String,
    stderr: String,
}

fn render(args: &[&str], stdin: &str, cwd: &Path) -> Rendered {
    let output = mz()
        .arg("render")
        .args(args)
        .current_dir(cwd)
        .write_stdin(stdin)
        .output()
        .unwrap();
    Rendered {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn render_stdin(args: &[&str], stdin: &str) -> Rendered {
    let mut all = args.to_vec();
    all.push("-");
    render(&all, stdin, Path::new(env!("CARGO_MANIFEST_DIR")))
}

impl Rendered {
    fn ok(self) -> Rendered {
        assert_eq!(self.code, 0, "render failed:\n{}", self.stderr);
        self
    }

    fn failed(self, code: i32) -> Rendered {
        assert_eq!(
            self.code, code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert_eq!(self.stdout, "", "a failed render printed manifests");
        self
    }

    fn objects(&self) -> Vec<Value> {
        yaml_serde::Deserializer::from_str(&self.stdout)
            .map(|d| Value::deserialize(d).expect("stdout is a YAML stream"))
            .filter(|v| !v.is_null())
            .collect()
    }

    /// The stdout documents as text, split on the `---` lines render writes.
    fn documents(&self) -> Vec<&str> {
        self.stdout
            .split("---\n")
            .filter(|d| !d.is_empty())
            .collect()
    }

    fn stderr_line(&self, prefix: &str) -> &str {
        self.stderr
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no stderr line starting with {prefix:?}:\n{}", self.stderr))
    }
}

const NAMESPACE: &str = "# The namespace, with a comment kept as is.\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: materialize   # trailing comment\n";
const SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: 'materialize-backend'\n  namespace: materialize\nstringData:\n  url: \"postgres://x\"\n";
const MATERIALIZE_V1ALPHA1: &str = "apiVersion: materialize.cloud/v1alpha1\nkind: Materialize\nmetadata:\n  name: mz\n  namespace: materialize\nspec:\n  environmentdImageRef: materialize/environmentd:v26.0.0 # pinned\n  requestRollout: 22222222-2222-2222-2222-222222222222 # a new UUID rolls out\n  backendSecretName: materialize-backend\n";

fn stream(documents: &[&str]) -> String {
    documents.join("---\n")
}

// ---------------------------------------------------------------------------
// Conversion and pass-through.

#[test]
fn stdin_stream_is_converted_and_other_documents_pass_through_byte_identical() {
    let input = stream(&[NAMESPACE, MATERIALIZE_V1ALPHA1, SECRET]);
    let out = render_stdin(&[], &input).ok();
    let documents = out.documents();
    assert_eq!(documents.len(), 3, "{}", out.stdout);
    assert_eq!(documents[0], NAMESPACE);
    assert_eq!(documents[2], SECRET);
    // Only the lines the conversion must change differ.
    assert_eq!(
        documents[1],
        "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata:\n  name: mz\n  namespace: materialize\nspec:\n  environmentdImageRef: materialize/environmentd:v26.0.0 # pinned\n  backendSecretName: materialize-backend\n"
    );
    let objects = out.objects();
    let converted = &objects[1];
    assert_eq!(converted["apiVersion"], "materialize.cloud/v1alpha2");
    assert_eq!(converted["spec"].get("requestRollout"), None);
    assert!(
        out.stderr.contains("1 Materialize object converted"),
        "{}",
        out.stderr
    );
}

#[test]
fn converted_objects_equal_the_core_conversion() {
    let original: Value = yaml_serde::from_str(MATERIALIZE_V1ALPHA1).unwrap();
    for (flag, version) in [("v1alpha2", Version::V1alpha2), ("v1", Version::V1)] {
        let out = render_stdin(&["--to", flag], MATERIALIZE_V1ALPHA1).ok();
        let expected = crd::convert(&original, version).unwrap().object;
        assert_eq!(out.objects(), [expected], "--to {flag}");
    }
}

#[test]
fn objects_already_at_a_served_version_pass_through_unchanged() {
    let v1alpha2 = "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata:\n  name: mz\nspec:\n  environmentdImageRef: materialize/environmentd:v26.0.0\n  backendSecretName: materialize-backend\n";
    let out = render_stdin(&[], v1alpha2).ok();
    assert_eq!(out.stdout, v1alpha2);
}

#[test]
fn output_ends_with_a_newline_and_drops_comment_only_documents() {
    let input = "# leading comment-only document\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n# nothing here\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b";
    let out = render_stdin(&[], input).ok();
    assert_eq!(
        out.stdout,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n"
    );
}

#[test]
fn rendering_the_output_again_changes_nothing() {
    let input = stream(&[NAMESPACE, MATERIALIZE_V1ALPHA1, SECRET]);
    let once = render_stdin(&[], &input).ok();
    let twice = render_stdin(&[], &once.stdout).ok();
    assert_eq!(once.stdout, twice.stdout);
    assert!(
        twice.stderr.contains("0 Materialize objects converted"),
        "{}",
        twice.stderr
    );
}

#[test]
fn directory_is_read_in_path_order() {
    let out = render(&["plain-directory"], "", Path::new(ARGOCD_FIXTURES)).ok();
    let names: Vec<String> = out
        .objects()
        .iter()
        .map(|o| {
            format!(
                "{}/{}",
                o["kind"].as_str().unwrap(),
                o["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "Secret/materialize-backend",
            "Materialize/12345678-1234-1234-1234-123456789012",
            "Namespace/materialize-environment",
            "Materialize/staging",
        ]
    );
    for object in out.objects().iter().filter(|o| crd::is_materialize(o)) {
        assert_eq!(object["apiVersion"], "materialize.cloud/v1alpha2");
        assert!(
            crd::schema::validator(Version::V1alpha2).is_valid(object),
            "{object}"
        );
    }
    // The downtime strategy of staging is a warning: reported, not blocking.
    let warning = out.stderr_line("plain-directory/clusters/staging.yaml:");
    assert!(warning.contains("(warning)"), "{warning}");
}

#[test]
fn json_manifests_become_one_line_json_documents() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ns.json"),
        "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Namespace\",\n\t\"metadata\": {\"name\": \"a\"}\n}\n",
    )
    .unwrap();
    let out = render(&["."], "", dir.path()).ok();
    assert_eq!(
        out.stdout,
        "---\n{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\"}}\n"
    );
}

// ---------------------------------------------------------------------------
// Failing closed.

#[test]
fn invalid_manifest_prints_nothing_and_reports_file_line_rule_message() {
    let out = render(&["invalid-manifest"], "", Path::new(ARGOCD_FIXTURES)).failed(1);
    let line = out.stderr_line("invalid-manifest/materialize.yaml:17: schema: ");
    assert!(line.contains("WaitUntilReadyy"), "{line}");
    assert!(
        line.contains("Materialize materialize-environment/broken"),
        "{line}"
    );
    assert!(line.contains("/spec/rolloutStrategy"), "{line}");
    insta::assert_snapshot!("invalid_manifest_stderr", out.stderr);
}

#[test]
fn findings_name_the_original_line_even_when_conversion_removed_lines_above() {
    let input = "apiVersion: materialize.cloud/v1alpha1\nkind: Materialize\nmetadata:\n  name: mz\nspec:\n  requestRollout: 22222222-2222-2222-2222-222222222222\n  inPlaceRollout: false\n  environmentdImageRef: materialize/environmentd:v26.0.0\n  backendSecretName: materialize-backend\n  rolloutStrategy: Bogus\n";
    let out = render_stdin(&[], input).failed(1);
    out.stderr_line("-:10: schema: ");
}

#[test]
fn stdin_name_is_used_in_findings() {
    let input = "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata:\n  name: mz\nspec:\n  backendSecretName: materialize-backend\n";
    let out = render_stdin(&["--stdin-name", "kustomize build overlays/prod"], input).failed(1);
    out.stderr_line("kustomize build overlays/prod:");
}

#[test]
fn unknown_fields_warn_and_pass_unless_strict() {
    let input = "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata:\n  name: mz\nspec:\n  environmentdImageRef: materialize/environmentd:v26.0.0\n  backendSecretName: materialize-backend\n  balancerdReplica: 2\n";
    let lenient = render_stdin(&[], input).ok();
    assert_eq!(lenient.stdout, input);
    assert!(
        lenient
            .stderr_line("-:8: unknown-field")
            .contains("(warning)")
    );
    let strict = render_stdin(&["--strict"], input).failed(1);
    strict.stderr_line("-:8: unknown-field: ");
}

#[test]
fn a_document_that_is_not_a_kubernetes_object_fails_the_stream() {
    let input = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\nreplicas: 3\n";
    let out = render_stdin(&[], input).failed(1);
    out.stderr_line("-:6: not-a-resource: ");
}

#[test]
fn a_syntax_error_anywhere_fails_the_whole_stream() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), NAMESPACE).unwrap();
    std::fs::write(
        dir.path().join("b.yaml"),
        "apiVersion: v1\nkind: [unclosed\n",
    )
    .unwrap();
    let out = render(&["."], "", dir.path()).failed(1);
    out.stderr_line("b.yaml:");
    assert!(out.stderr.contains("yaml-syntax"), "{}", out.stderr);
}

#[test]
fn an_unrendered_helm_template_fails_instead_of_being_skipped() {
    // Skipping it would drop its resources from the stream, and Argo CD
    // would prune them.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ns.yaml"), NAMESPACE).unwrap();
    std::fs::write(
        dir.path().join("mz.yaml"),
        "apiVersion: materialize.cloud/v1alpha1\nkind: Materialize\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\nspec: {}\n{{- end }}\n",
    )
    .unwrap();
    let out = render(&["."], "", dir.path()).failed(1);
    let line = out.stderr_line("mz.yaml:");
    assert!(line.contains("template-skipped"), "{line}");
}

#[test]
fn duplicate_resources_across_files_fail() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), MATERIALIZE_V1ALPHA1).unwrap();
    std::fs::write(dir.path().join("b.yaml"), MATERIALIZE_V1ALPHA1).unwrap();
    let out = render(&["."], "", dir.path()).failed(1);
    assert!(out.stderr.contains("duplicate-resource"), "{}", out.stderr);
}

#[test]
fn an_unreadable_file_in_a_directory_fails_instead_of_being_left_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), NAMESPACE).unwrap();
    std::fs::write(dir.path().join("b.yaml"), b"apiVersion: v1\0\x01binary").unwrap();
    let out = render(&["."], "", dir.path()).failed(1);
    let line = out.stderr_line("b.yaml:1: unreadable-file: ");
    assert!(line.contains("binary"), "{line}");
}

#[test]
fn findings_follow_the_stream_order() {
    let dir = tempfile::tempdir().unwrap();
    let broken = |name: &str| {
        format!(
            "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata:\n  name: {name}\nspec:\n  backendSecretName: s\n"
        )
    };
    std::fs::write(dir.path().join("b.yaml"), broken("b")).unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        format!("{}---\n{}", broken("a1"), broken("a2")),
    )
    .unwrap();
    let out = render(&["."], "", dir.path()).failed(1);
    let places: Vec<&str> = out
        .stderr
        .lines()
        .filter_map(|l| l.split(": ").next())
        .filter(|p| p.contains(".yaml:"))
        .collect();
    assert_eq!(
        places,
        ["a.yaml:5", "a.yaml:12", "b.yaml:5"],
        "{}",
        out.stderr
    );
}

#[test]
fn quiet_success_prints_only_the_stream() {
    let out = render(&["-q", "plain-directory"], "", Path::new(ARGOCD_FIXTURES)).ok();
    assert_eq!(out.stderr, "");
    assert_eq!(out.objects().len(), 4);
}

// ---------------------------------------------------------------------------
// Empty input.

#[test]
fn empty_stdin_is_an_error_unless_allowed() {
    for input in ["", "\n", "# only a comment\n---\n"] {
        let out = render_stdin(&[], input).failed(1);
        let line = out.stderr_line("-:1: empty-stream: ");
        assert!(line.contains("--allow-empty"), "{line}");
        let allowed = render_stdin(&["--allow-empty"], input).ok();
        assert_eq!(allowed.stdout, "");
    }
}

#[test]
fn empty_directory_is_an_error_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "not a manifest\n").unwrap();
    let out = render(&["."], "", dir.path()).failed(1);
    assert!(out.stderr.contains("empty-stream"), "{}", out.stderr);
    render(&["--allow-empty", "."], "", dir.path()).ok();
}

// ---------------------------------------------------------------------------
// Usage and I/O errors.

#[test]
fn a_missing_path_is_exit_2_with_nothing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = render(&["does-not-exist"], "", dir.path()).failed(2);
    assert!(out.stderr.contains("does-not-exist"), "{}", out.stderr);
}

#[test]
fn an_unknown_target_is_a_usage_error() {
    render_stdin(&["--to", "v2"], NAMESPACE).failed(2);
}

// ---------------------------------------------------------------------------
// The real manifests.

/// Per real manifest: exit code, documents printed, and `file:line: rule`
/// of every finding (messages belong to the checks' own tests).
#[test]
fn every_real_manifest_renders_or_fails_with_located_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("fixtures/realworld"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut lines = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(root).unwrap().to_str().unwrap();
        let out = render(&[relative], "", root);
        let printed = out.objects().len();
        lines.push(format!("{relative}: exit {}, {printed} objects", out.code));
        for line in out.stderr.lines().filter(|l| l.starts_with(relative)) {
            let located: Vec<&str> = line.splitn(4, ": ").take(2).collect();
            lines.push(format!("  {}", located.join(": ")));
        }
        if out.code == 0 {
            for object in out.objects().iter().filter(|o| crd::is_materialize(o)) {
                assert_ne!(
                    object["apiVersion"], "materialize.cloud/v1alpha1",
                    "{relative}"
                );
            }
        } else {
            assert_eq!(out.stdout, "", "{relative}");
        }
    }
    insta::assert_snapshot!("realworld_outcomes", lines.join("\n"));
}

/// Under the released operator the stream holds no version the cluster does
/// not serve: v1alpha1 becomes v1, v1alpha2 is renamed to v1, and the stream
/// carries v1 objects only.
#[test]
fn released_operator_renders_v1_only() {
    let stream = "apiVersion: materialize.cloud/v1alpha1\nkind: Materialize\nmetadata:\n  name: old\n  namespace: mz\nspec:\n  environmentdImageRef: materialize/environmentd:v26.1.0\n  backendSecretName: b\n  requestRollout: 11111111-1111-1111-1111-111111111111\n---\napiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata:\n  name: designed\n  namespace: mz\nspec:\n  environmentdImageRef: materialize/environmentd:v26.1.0\n  backendSecretName: b\n";
    let released = render_stdin(&["--operator", "released"], stream).ok();
    let versions: Vec<Value> = released
        .objects()
        .iter()
        .map(|o| o["apiVersion"].clone())
        .collect();
    assert_eq!(
        versions,
        [
            Value::from("materialize.cloud/v1"),
            Value::from("materialize.cloud/v1")
        ]
    );
    assert!(!released.stdout.contains("requestRollout"));
    // The design document's operator serves v1alpha2: it stays as written.
    let design = render_stdin(&[], stream).ok();
    let versions: Vec<Value> = design
        .objects()
        .iter()
        .map(|o| o["apiVersion"].clone())
        .collect();
    assert_eq!(
        versions,
        [
            Value::from("materialize.cloud/v1alpha2"),
            Value::from("materialize.cloud/v1alpha2")
        ]
    );
}
