//! End-to-end: the built binary on the fixture repository (`fixtures/repo/`,
//! copied to a temporary directory so that a `.gitignore`d folder can exist),
//! on stdin, and on the command-line edge cases.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::{Value, json};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The fixture repository in a temporary directory, with a git-ignored
/// `generated/` folder holding a file that would fail the run.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/repo"), dir.path());
    std::fs::create_dir(dir.path().join("generated")).unwrap();
    std::fs::write(
        dir.path().join("generated/broken.yaml"),
        "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata: {name: [\n",
    )
    .unwrap();
    dir
}

fn mz(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("mz-presync").unwrap();
    cmd.current_dir(dir).env_remove("NO_COLOR");
    cmd
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// `rule file line:column severity pointer` for each finding.
fn lines_of(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}:{} {} {}",
                f["rule"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"],
                f["column"],
                f["severity"].as_str().unwrap(),
                f["pointer"].as_str().unwrap()
            )
        })
        .collect()
}

// The design model's once-per-run note sits at the repository's first v1
// object (issue 13).
const REPO_FINDINGS: [&str; 13] = [
    "yaml-syntax broken/malformed.yaml 8:21 error ",
    "template-skipped charts/materialize/templates/materialize.yaml 1:1 note ",
    "released-version-seen clusters/prod/list.yaml 8:17 note /items/1/apiVersion",
    "schema clusters/prod/list.yaml 11:129 error /items/1/spec/rolloutStrategy",
    "schema clusters/prod/list.yaml 11:170 error /items/1/spec/podLabels/tier",
    "schema clusters/prod/materialize.yaml 32:21 error /spec/environmentdExtraEnv/1/valueFrom/secretKeyRef/optional",
    "unknown-field clusters/prod/materialize.yaml 36:5 warning /spec/environmentdResourceRequirements/claimz",
    "duplicate-resource clusters/prod/stale-copy.yaml 5:9 error /metadata/name",
    "deprecated-version clusters/staging/legacy/deep/v1alpha1.yaml 1:13 warning /apiVersion",
    "deprecated-field clusters/staging/legacy/deep/v1alpha1.yaml 9:3 warning /spec/inPlaceRollout",
    "invalid-duration clusters/staging/materialize.json 11:28 warning /spec/rolloutRequestTimeout",
    "downtime-strategy clusters/staging/materialize.json 12:22 warning /spec/rolloutStrategy",
    "force-promote kustomize/overlays/prod/materialize-patch.yaml 9:17 warning /spec/forcePromote",
];

#[test]
fn repository_json_report_has_every_finding_with_its_line() {
    let dir = repo();
    let output = mz(dir.path())
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "json mode writes nothing on stderr"
    );
    let report = json_of(&output);
    assert_eq!(report["version"], 1);
    assert_eq!(report["operator"], "design");
    assert_eq!(lines_of(&report), REPO_FINDINGS);
    // The hidden directory and the git-ignored folder were not read; the
    // kustomize patch was not held to required fields; other kinds counted.
    assert_eq!(
        report["summary"],
        json!({"files": 12, "documents": 16, "resources": 8, "errors": 5, "warnings": 6, "notes": 2})
    );
    let findings = report["findings"].as_array().unwrap();
    let by_rule = |rule: &str| findings.iter().find(|f| f["rule"] == rule).unwrap();
    assert_eq!(by_rule("yaml-syntax")["resource"], Value::Null);
    assert_eq!(
        findings[2]["resource"],
        json!({"apiVersion": "materialize.cloud/v1", "namespace": "prod", "name": "reporting"})
    );
    // Every finding has the documented keys, in the documented order.
    for finding in findings {
        let mut keys: Vec<&String> = finding.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "column", "file", "line", "message", "pointer", "resource", "rule", "severity",
                "unit"
            ]
        );
    }
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    let first = &text[text.find("\"findings\"").unwrap()..text.find("\"summary\"").unwrap()];
    let order: Vec<usize> = [
        "\"rule\"",
        "\"severity\"",
        "\"file\"",
        "\"line\"",
        "\"column\"",
        "\"pointer\"",
        "\"message\"",
        "\"resource\"",
    ]
    .iter()
    .map(|key| first.find(key).unwrap())
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "keys out of order: {order:?}"
    );
    assert!(
        text.starts_with("{\n  \"version\": 1,\n  \"operator\": \"design\",\n  \"findings\": ["),
        "{text}"
    );
    assert!(
        by_rule("duplicate-resource")["message"]
            .as_str()
            .unwrap()
            .contains("already defined at clusters/prod/materialize.yaml:19")
    );
}

#[test]
fn no_ignore_reads_the_gitignored_folder() {
    let dir = repo();
    let output = mz(dir.path())
        .args(["validate", "--format", "json", "--no-ignore", "."])
        .output()
        .unwrap();
    let report = json_of(&output);
    let lines = lines_of(&report);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("yaml-syntax generated/broken.yaml 4:1 error")),
        "{lines:#?}"
    );
    assert_eq!(report["summary"]["files"], 13);
    assert!(!lines.iter().any(|l| l.contains(".hidden")));
}

#[test]
fn paths_can_be_files_and_nested_directories() {
    let dir = repo();
    let output = mz(dir.path())
        .args([
            "validate",
            "--format",
            "json",
            "clusters/staging",
            "clean/materialize.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "warnings only");
    let report = json_of(&output);
    assert_eq!(
        lines_of(&report),
        [
            "deprecated-version clusters/staging/legacy/deep/v1alpha1.yaml 1:13 warning /apiVersion",
            "deprecated-field clusters/staging/legacy/deep/v1alpha1.yaml 9:3 warning /spec/inPlaceRollout",
            "released-version-seen clusters/staging/materialize.json 2:16 note /apiVersion",
            "invalid-duration clusters/staging/materialize.json 11:28 warning /spec/rolloutRequestTimeout",
            "downtime-strategy clusters/staging/materialize.json 12:22 warning /spec/rolloutStrategy",
        ]
    );
    assert_eq!(report["summary"]["files"], 3);
}

#[test]
fn a_patch_checked_on_its_own_is_still_a_patch() {
    let dir = repo();
    let output = mz(dir.path())
        .args([
            "validate",
            "--format",
            "json",
            "kustomize/overlays/prod/materialize-patch.yaml",
        ])
        .output()
        .unwrap();
    let report = json_of(&output);
    assert_eq!(
        lines_of(&report),
        [
            "force-promote kustomize/overlays/prod/materialize-patch.yaml 9:17 warning /spec/forcePromote"
        ]
    );
    // Without its kustomization it is a whole object missing a field.
    let alone = tempfile::tempdir().unwrap();
    std::fs::copy(
        dir.path()
            .join("kustomize/overlays/prod/materialize-patch.yaml"),
        alone.path().join("patch.yaml"),
    )
    .unwrap();
    let output = mz(alone.path())
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        lines_of(&json_of(&output))
            .contains(&"schema patch.yaml 7:1 error /spec/backendSecretName".to_owned())
    );
}

#[test]
fn stdin_is_read_with_dash() {
    let stream =
        std::fs::read_to_string("fixtures/rules/removed-field/request-rollout-in-v1alpha2.yaml")
            .unwrap();
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["validate", "--format", "json", "-"])
        .write_stdin(format!(
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: prod}}\n---\n{stream}"
        ))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = json_of(&output);
    assert_eq!(
        lines_of(&report),
        ["removed-field - 13:3 error /spec/requestRollout"]
    );
    assert_eq!(report["summary"]["documents"], 2);
    assert_eq!(report["summary"]["resources"], 1);
}

#[test]
fn a_rendered_helm_chart_on_stdin_is_checked() {
    // What the template-skipped note asks users to do.
    let rendered = "---\n# Source: materialize/templates/materialize.yaml\napiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata:\n  name: a\n  namespace: x\nspec:\n  environmentdImageRef: \"materialize/environmentd:v26.1.0\"\n  backendSecretName: s\n";
    Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["validate", "-"])
        .write_stdin(rendered)
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "1 file, 1 document, 1 Materialize resource: 0 errors, 0 warnings, 0 notes",
        ));
}

#[test]
fn human_report_quotes_the_line_with_a_caret() {
    let dir = repo();
    let output = mz(dir.path())
        .args(["--color", "never", "validate"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "the human report goes to stderr");
    let stderr = String::from_utf8(output.stderr).unwrap();
    insta::assert_snapshot!("validate_human_repo", stderr);
}

#[test]
fn human_report_is_coloured_only_when_asked() {
    let dir = repo();
    let plain = mz(dir.path())
        .args(["validate", "clusters/staging"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&plain.stderr).contains('\u{1b}'),
        "not a terminal: no colour"
    );
    let coloured = mz(dir.path())
        .args(["--color", "always", "validate", "clusters/staging"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&coloured.stderr).contains('\u{1b}'));
}

#[test]
fn quiet_human_report_shows_errors_only() {
    let dir = repo();
    let output = mz(dir.path())
        .args(["--color", "never", "-q", "validate"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.matches("error[").count(), 5, "{stderr}");
    assert!(!stderr.contains("warning["));
    assert!(!stderr.contains("Materialize resources:"));
}

#[test]
fn github_annotations() {
    let dir = repo();
    let output = mz(dir.path())
        .args(["validate", "--format", "github"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 13, "{stdout}");
    assert!(lines.iter().all(|l| l.starts_with("::")));
    assert!(
        lines[3].starts_with(
            "::error file=clusters/prod/list.yaml,line=11,col=129,endLine=11,endColumn=134,title=schema::`spec.rolloutStrategy` is the string \"Bogus\""
        ),
        "{}",
        lines[3]
    );
    assert!(
        lines[1].starts_with(
            "::notice file=charts/materialize/templates/materialize.yaml,line=1,col=1,"
        )
    );
    assert!(lines[6].starts_with("::warning file=clusters/prod/materialize.yaml,line=36,col=5,"));
    assert!(lines[2].starts_with("::notice file=clusters/prod/list.yaml,line=8,col=17,"));
    // The message part of a command must not contain raw line breaks.
    assert!(!stdout.contains("\r"));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("12 files, 16 documents")
    );
}

#[test]
fn github_says_when_annotations_exceed_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..12 {
        std::fs::write(
            dir.path().join(format!("mz{i:02}.yaml")),
            format!("apiVersion: materialize.cloud/v1\nkind: Materialize\nmetadata: {{name: mz{i}, namespace: n}}\nspec: {{environmentdImageRef: i, backendSecretName: b, rolloutStrategy: ImmediatelyPromoteCausingDowntime}}\n"),
        )
        .unwrap();
    }
    let output = mz(dir.path())
        .args(["validate", "--format", "github"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.matches("::warning ").count(), 12);
    let last = stdout.lines().last().unwrap();
    assert!(
        last.starts_with("::notice title=mz-presync::2 more findings than GitHub shows as annotations (10 per level per step)"),
        "{last}"
    );
}

#[test]
fn exit_codes() {
    let dir = repo();
    // Missing path: usage error, nothing on stdout.
    let output = mz(dir.path())
        .args(["validate", "--format", "json", "nope/"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: nope/: no such file or directory\n"
    );
    // Warnings only: 0. The same with --strict: the unknown field is an error.
    let clean = tempfile::tempdir().unwrap();
    std::fs::copy(
        "fixtures/rules/unknown-field/misspelt-field.yaml",
        clean.path().join("mz.yaml"),
    )
    .unwrap();
    mz(clean.path()).args(["validate"]).assert().code(0);
    mz(clean.path())
        .args(["validate", "--strict"])
        .assert()
        .code(1);
    // --require-version turns the v1alpha1 warning into an error.
    mz(dir.path())
        .args(["validate", "clusters/staging/legacy"])
        .assert()
        .code(0);
    mz(dir.path())
        .args([
            "validate",
            "--require-version",
            "v1alpha2",
            "clusters/staging/legacy",
        ])
        .assert()
        .code(1);
    // SARIF follows the same codes.
    mz(dir.path())
        .args(["validate", "--format", "sarif"])
        .assert()
        .code(1);
    mz(clean.path())
        .args(["validate", "--format", "sarif"])
        .assert()
        .code(0);
    // A bad flag value is a usage error.
    mz(dir.path())
        .args(["validate", "--format", "xml"])
        .assert()
        .code(2);
    // An empty directory is a pass with nothing checked.
    let empty = tempfile::tempdir().unwrap();
    mz(empty.path())
        .args(["validate"])
        .assert()
        .code(0)
        .stderr(predicates::str::contains("0 files, 0 documents"));
}

#[test]
fn one_unreadable_file_does_not_hide_the_others() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("binary.yaml"), b"kind: x\x00\x01").unwrap();
    std::fs::copy(
        "fixtures/rules/downtime-strategy/immediately-promote.yaml",
        dir.path().join("mz.yaml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("huge.yaml"), "# padding\n".repeat(20)).unwrap();
    let output = mz(dir.path())
        .args(["validate", "--format", "json", "--max-file-size", "100"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = json_of(&output);
    assert_eq!(
        lines_of(&report),
        [
            "unreadable-file binary.yaml 1:1 error ",
            "unreadable-file huge.yaml 1:1 error ",
            "unreadable-file mz.yaml 1:1 error ",
        ],
        "mz.yaml is larger than 100 bytes too"
    );
    let output = mz(dir.path())
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        lines_of(&json_of(&output)),
        [
            "unreadable-file binary.yaml 1:1 error ",
            "released-version-seen mz.yaml 1:13 note /apiVersion",
            "downtime-strategy mz.yaml 9:20 warning /spec/rolloutStrategy",
        ]
    );
}

#[test]
fn parse_only_counts_without_checking() {
    let dir = repo();
    let output = mz(dir.path())
        .args(["validate", "--parse-only", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report = json_of(&output);
    assert_eq!(report["findings"], json!([]));
    assert_eq!(report["summary"]["files"], 12);
    assert_eq!(report["summary"]["documents"], 16);
}

#[test]
fn readme_rules_table_lists_the_catalogue() {
    // The README's table has one row per rule, in catalogue order, with the
    // rule's default severity first and, for a rule another command brought,
    // that command. Its description column is prose of its own, longer than
    // the one-line summary `explain` prints.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let rows: Vec<(String, String)> = readme
        .lines()
        .skip_while(|line| !line.starts_with("| rule | severity |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.split(" | ").collect();
            (
                cells[0]
                    .trim_start_matches("| ")
                    .trim_matches('`')
                    .to_owned(),
                cells[1].to_owned(),
            )
        })
        .collect();
    let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    let catalogue: Vec<&str> = mz_presync::rules::all().map(|rule| rule.id).collect();
    assert_eq!(ids, catalogue);
    for (rule, (_, severity)) in mz_presync::rules::all().zip(&rows) {
        assert!(
            severity.starts_with(rule.severity.as_str()),
            "{}: {severity}",
            rule.id
        );
        let command = match rule.scopes[0] {
            mz_presync::finding::Scope::Validate => None,
            mz_presync::finding::Scope::Rollouts => Some("(`rollouts`)"),
            mz_presync::finding::Scope::Render => Some("(`render`)"),
        };
        assert_eq!(
            command.is_some_and(|c| severity.contains(c)),
            command.is_some(),
            "{}: {severity}",
            rule.id
        );
    }
}

#[test]
fn explain_lists_and_documents_rules() {
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .arg("explain")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let list = String::from_utf8(output.stdout).unwrap();
    // Every rule id any command can print is explained.
    for rule in mz_presync::rules::all() {
        assert!(
            list.contains(rule.id) && list.contains(rule.summary),
            "{}",
            rule.id
        );
    }
    Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["explain", "conversion-failed"])
        .assert()
        .code(0)
        .stdout(predicates::str::starts_with(
            "conversion-failed (error)\n\n",
        ))
        .stdout(predicates::str::contains("fails closed"));
    Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["explain", "removed-field"])
        .assert()
        .code(0)
        .stdout(predicates::str::starts_with("removed-field (error)\n\n"))
        .stdout(predicates::str::contains("forceRollout"));
    Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["explain", "no-such-rule"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("there is no rule `no-such-rule`"));
}
