//! Hostile inputs (fixtures/hostile/ and cases built here): each gets a named
//! error or a clean pass, the right exit code, bounded time, and `migrate`
//! never modifies the file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

const TIME_LIMIT: Duration = Duration::from_secs(20);

fn hostile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/hostile")
        .join(name)
}

struct Outcome {
    code: i32,
    report: Value,
    stderr: String,
}

fn validate(path: &Path, extra: &[&str]) -> Outcome {
    let started = Instant::now();
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .args(["validate", "--format", "json"])
        .args(extra)
        .arg(path)
        .timeout(TIME_LIMIT)
        .output()
        .unwrap();
    assert!(
        started.elapsed() < TIME_LIMIT,
        "{} took {:?}",
        path.display(),
        started.elapsed()
    );
    Outcome {
        code: output.status.code().expect("exited, not killed"),
        report: serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn rules(outcome: &Outcome) -> Vec<(String, String)> {
    outcome.report["findings"]
        .as_array()
        .map(|findings| {
            findings
                .iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap().to_owned(),
                        f["message"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `migrate` on a copy of the file: whatever it says, the bytes stay.
fn assert_migrate_leaves_alone(path: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(path.file_name().unwrap());
    std::fs::copy(path, &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .arg("migrate")
        .arg(&copy)
        .timeout(TIME_LIMIT)
        .output()
        .unwrap();
    assert!(
        output.status.code().is_some(),
        "migrate was killed on {}",
        path.display()
    );
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        before,
        "migrate modified {}",
        path.display()
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(
        leftovers.len(),
        1,
        "migrate left a temporary file next to {}",
        path.display()
    );
}

fn expect_error(name: &str, rule: &str, words: &str) {
    let path = hostile(name);
    let outcome = validate(&path, &[]);
    assert_eq!(
        outcome.code, 1,
        "{name}: exit code; stderr: {}",
        outcome.stderr
    );
    let found = rules(&outcome);
    assert!(
        found.iter().any(|(r, m)| r == rule && m.contains(words)),
        "{name}: expected {rule} mentioning {words:?}, got {found:?}"
    );
    assert_migrate_leaves_alone(&path);
}

fn expect_clean(name: &str, resources: u64) {
    let path = hostile(name);
    let outcome = validate(&path, &[]);
    assert_eq!(
        outcome.code,
        0,
        "{name}: {:?} {}",
        rules(&outcome),
        outcome.stderr
    );
    assert_eq!(rules(&outcome), vec![], "{name}");
    assert_eq!(outcome.report["summary"]["resources"], resources, "{name}");
    assert_migrate_leaves_alone(&path);
}

#[test]
fn malformed_yaml_is_a_syntax_error() {
    expect_error("malformed.yaml", "yaml-syntax", "not valid YAML");
}

#[test]
fn alias_bomb_is_refused_quickly() {
    expect_error("alias-bomb.yaml", "yaml-syntax", "alias");
}

#[test]
fn ten_thousand_deep_nesting_is_refused_without_overflow() {
    expect_error("deep-nesting.yaml", "yaml-syntax", "deeper than");
    expect_error("deep-block-nesting.yaml", "yaml-syntax", "deeper than");
}

#[test]
fn invalid_utf8_is_named() {
    expect_error("invalid-utf8.yaml", "unreadable-file", "UTF-8");
}

#[test]
fn binary_file_with_a_yaml_name_is_named() {
    expect_error("binary.yaml", "unreadable-file", "binary");
}

#[test]
fn tabs_for_indentation_are_a_syntax_error() {
    expect_error("tabs.yaml", "yaml-syntax", "not valid YAML");
}

#[test]
fn duplicate_keys_are_an_error_as_in_strict_decoding() {
    expect_error(
        "duplicate-keys.yaml",
        "yaml-syntax",
        "duplicate mapping key `backendSecretName`",
    );
}

#[test]
fn bom_and_crlf_files_are_clean() {
    expect_clean("bom.yaml", 1);
    expect_clean("crlf.yaml", 1);
}

#[test]
fn empty_and_comment_only_files_are_clean() {
    expect_clean("empty.yaml", 0);
    expect_clean("comments-only.yaml", 0);
}

#[test]
fn helm_template_is_reported_not_failed() {
    let path = hostile("helm-template.yaml");
    let outcome = validate(&path, &[]);
    assert_eq!(outcome.code, 0);
    assert_eq!(rules(&outcome)[0].0, "template-skipped");
    assert_migrate_leaves_alone(&path);
}

#[test]
fn a_file_over_the_size_cap_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    let outcome = validate(dir.path(), &[]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let found = rules(&outcome);
    assert!(
        found
            .iter()
            .any(|(r, m)| r == "unreadable-file" && m.contains("more than the limit")),
        "{found:?}"
    );
    // The cap is configurable.
    let small = dir.path().join("small.yaml");
    std::fs::write(&small, "a: 1\n".repeat(100)).unwrap();
    let outcome = validate(&small, &["--max-file-size", "100"]);
    assert_eq!(outcome.code, 1);
}

#[cfg(unix)]
#[test]
fn symlink_loop_terminates_with_a_named_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("a")).unwrap();
    std::os::unix::fs::symlink("..", root.join("a/loop")).unwrap();
    std::fs::write(
        root.join("a/ok.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    )
    .unwrap();
    let outcome = validate(&root, &[]);
    assert!(outcome.code == 0 || outcome.code == 1 || outcome.code == 2);
    let text = format!("{:?} {}", rules(&outcome), outcome.stderr);
    assert!(
        text.to_lowercase().contains("loop") || outcome.code == 0,
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_leaving_the_repository_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside.yaml");
    std::fs::write(&outside, "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata: {name: secret-thing}\nspec: {}\n").unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("link.yaml")).unwrap();
    let outcome = validate(&root, &[]);
    assert_ne!(
        outcome.code, 0,
        "an escaping symlink is never a silent pass"
    );
    let text = format!("{:?} {}", rules(&outcome), outcome.stderr);
    assert!(text.contains("outside"), "{text}");
    assert_eq!(
        outcome.report["summary"]["resources"], 0,
        "the target was not read"
    );
}

#[cfg(unix)]
#[test]
fn read_only_file_is_refused_by_migrate_and_others_still_migrate() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let v1alpha1 = "apiVersion: materialize.cloud/v1alpha1\nkind: Materialize\nmetadata:\n  name: NAME\n  namespace: materialize\nspec:\n  environmentdImageRef: materialize/environmentd:v26.1.0\n  backendSecretName: materialize-backend\n  requestRollout: 22222222-2222-2222-2222-222222222222\n";
    let locked = dir.path().join("a-locked.yaml");
    let open = dir.path().join("b-open.yaml");
    std::fs::write(&locked, v1alpha1.replace("NAME", "locked")).unwrap();
    std::fs::write(&open, v1alpha1.replace("NAME", "open")).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).unwrap();
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .arg("migrate")
        .arg(dir.path())
        .timeout(TIME_LIMIT)
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("read-only"), "{stderr}");
    assert!(
        std::fs::read_to_string(&locked)
            .unwrap()
            .contains("v1alpha1")
    );
    assert!(
        std::fs::read_to_string(&open)
            .unwrap()
            .contains("materialize.cloud/v1alpha2")
    );
    assert_eq!(
        std::fs::metadata(&locked).unwrap().permissions().mode() & 0o777,
        0o444
    );
}

#[test]
fn a_directory_that_disappears_mid_walk_is_a_named_error() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("vanishing");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("mz.yaml"), "a: 1\n").unwrap();
    let found = mz_presync::source::walk(&[dir.path().to_path_buf()], &Default::default());
    std::fs::remove_dir_all(&sub).unwrap();
    let path = found
        .into_iter()
        .find_map(Result::ok)
        .expect("the walk saw the file");
    let err =
        mz_presync::source::read_file(&path, "vanishing/mz.yaml".into(), 1 << 20).unwrap_err();
    assert!(
        matches!(err, mz_presync::source::ReadError::NotFound(_)),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("vanishing/mz.yaml") || err.to_string().contains("mz.yaml"),
        "{err}"
    );
}
