//! Wall time of `validate` on a generated repository, next to the bare time
//! to read and parse the same files (`--parse-only`) in the same run.
//!
//! The repository: N files (10,000 in release builds, 1,000 in debug) under
//! 50 team directories × 10 app directories, generated from six templates in
//! turn: a Deployment; a ConfigMap + Service stream; a Namespace + Secret +
//! v1alpha2 Materialize stream; a v1 Materialize in JSON; a v1alpha1
//! Materialize (deprecated-version warning, migration hashed twice); a v1
//! Materialize with a misspelt field (unknown-field warning). Names are
//! unique, so there are no duplicates. Run with
//! `cargo test --release --test validate_perf -- --nocapture`.

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

fn generate(root: &Path, files: usize) {
    for i in 0..files {
        let dir = root.join(format!("team-{:02}/app-{}", i % 50, (i / 50) % 10));
        std::fs::create_dir_all(&dir).unwrap();
        let (name, text) = match i % 6 {
            0 => (
                format!("deploy-{i}.yaml"),
                format!(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\n  labels: {{app: web}}\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          env:\n            - name: A\n              value: \"1\"\n"
                ),
            ),
            1 => (
                format!("config-{i}.yml"),
                format!(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c-{i}}}\ndata:\n  a: \"1\"\n  script: |\n    ---\n    echo {i}\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: s-{i}}}\nspec:\n  ports: [{{port: 80}}]\n"
                ),
            ),
            2 => (
                format!("mz-{i}.yaml"),
                format!(
                    "apiVersion: v1\nkind: Namespace\nmetadata: {{name: ns-{i}}}\n---\napiVersion: v1\nkind: Secret\nmetadata: {{name: backend, namespace: ns-{i}}}\nstringData: {{url: x}}\n---\napiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata:\n  name: mz\n  namespace: ns-{i}\nspec:\n  environmentdImageRef: materialize/environmentd:v26.1.{}\n  backendSecretName: backend\n  rolloutStrategy: WaitUntilReady\n  environmentdResourceRequirements:\n    requests: {{cpu: \"2\", memory: 16Gi}}\n",
                    i % 7
                ),
            ),
            3 => (
                format!("mz-{i}.json"),
                format!(
                    "{{\"apiVersion\": \"materialize.cloud/v1\", \"kind\": \"Materialize\", \"metadata\": {{\"name\": \"mz-{i}\", \"namespace\": \"json\"}}, \"spec\": {{\"environmentdImageRef\": \"materialize/environmentd:v26.2.0\", \"backendSecretName\": \"b\", \"rolloutRequestTimeout\": \"1h 30m\"}}}}\n"
                ),
            ),
            4 => (
                format!("legacy-{i}.yaml"),
                format!(
                    "apiVersion: materialize.cloud/v1alpha1\nkind: Materialize\nmetadata:\n  name: legacy-{i}\n  namespace: legacy\nspec:\n  environmentdImageRef: materialize/environmentd:v26.8.0\n  requestRollout: 22222222-2222-2222-2222-222222222222\n  backendSecretName: materialize-backend\n"
                ),
            ),
            _ => (
                format!("typo-{i}.yaml"),
                format!(
                    "apiVersion: materialize.cloud/v1\nkind: Materialize\nmetadata:\n  name: typo-{i}\n  namespace: typo\nspec:\n  environmentdImageRef: materialize/environmentd:v26.1.0\n  backendSecretName: b\n  rolloutStrategey: ManuallyPromote\n"
                ),
            ),
        };
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn run(root: &Path, extra: &[&str]) -> (Duration, Value) {
    let start = Instant::now();
    let output = Command::cargo_bin("mz-presync")
        .unwrap()
        .current_dir(root)
        .args(["validate", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    assert_ne!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (elapsed, serde_json::from_slice(&output.stdout).unwrap())
}

#[test]
fn validate_compared_with_bare_read_and_parse() {
    let files = if cfg!(debug_assertions) {
        1_000
    } else {
        10_000
    };
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), files);
    let mut parse_only = Vec::new();
    let mut validate = Vec::new();
    let mut report = Value::Null;
    // Alternate, so that both see the same page cache and machine load.
    for _ in 0..3 {
        let (time, parsed) = run(dir.path(), &["--parse-only"]);
        parse_only.push(time);
        assert_eq!(parsed["findings"], serde_json::json!([]));
        let (time, full) = run(dir.path(), &[]);
        validate.push(time);
        report = full;
    }
    let per_kind = files / 6;
    let summary = &report["summary"];
    assert_eq!(summary["files"], files);
    assert_eq!(
        summary["resources"].as_u64().unwrap() as usize,
        files - 2 * files.div_ceil(6)
    );
    assert_eq!(summary["errors"], 0);
    assert!(summary["warnings"].as_u64().unwrap() as usize >= 2 * per_kind);
    let best = |times: &[Duration]| times.iter().min().copied().unwrap();
    let (bare, full) = (best(&parse_only), best(&validate));
    let overhead = full.as_secs_f64() / bare.as_secs_f64() - 1.0;
    println!(
        "validate on {files} generated files ({} documents, {} Materialize resources, {} warnings): \
         {:.0} ms; read + parse only: {:.0} ms; checks add {:.0}% (best of 3, {} build)",
        summary["documents"],
        summary["resources"],
        summary["warnings"],
        full.as_secs_f64() * 1e3,
        bare.as_secs_f64() * 1e3,
        overhead * 100.0,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    );
}
