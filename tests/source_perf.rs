//! Throughput of the fast path (split + parse) on many small files. The
//! bound is loose so that debug builds on a busy 2-core machine pass; the
//! printed rate is what to compare (`cargo test --release --test
//! source_perf -- --nocapture`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use mz_presync::source::{self, FileFormat, SourceFile};

fn corpus() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/realworld");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    texts.sort();
    // Typical repository noise: small Deployments and ConfigMaps.
    texts.push(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          ports:\n            - containerPort: 80\n          env:\n            - name: A\n              value: \"1\"\n"
            .to_string(),
    );
    texts
}

#[test]
fn split_and_parse_many_small_files() {
    let corpus = corpus();
    // The full 35,000 files in release; fewer in debug to keep `cargo test`
    // quick (the rate is what matters).
    let n = if cfg!(debug_assertions) {
        5_000
    } else {
        35_000
    };
    let files: Vec<SourceFile> = (0..n)
        .map(|i| {
            let text = corpus[i % corpus.len()].clone();
            SourceFile::from_text(
                format!("f{i}.yaml"),
                PathBuf::from(format!("f{i}.yaml")),
                text,
                FileFormat::Yaml,
            )
        })
        .collect();
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    let start = Instant::now();
    let mut docs = 0usize;
    let mut objects = 0usize;
    for f in &files {
        for d in f.documents() {
            docs += 1;
            if let Ok(Some(v)) = source::parse_document(f, &d) {
                objects += source::objects(&v).len();
            }
        }
    }
    let took = start.elapsed();
    let per_thousand = took.as_secs_f64() * 1000.0 / n as f64;
    println!(
        "{n} files, {docs} documents, {objects} objects, {:.1} MiB in {took:?}: {:.1} ms per 1000 files",
        bytes as f64 / (1 << 20) as f64,
        per_thousand * 1000.0
    );
    assert!(objects > n, "most files hold objects");

    // The cheap look at apiVersion/kind that lets most documents skip the
    // parse altogether.
    let start = Instant::now();
    let mut known = 0usize;
    for f in &files {
        for d in f.documents() {
            if source::peek_type_meta(f, &d).is_some_and(|m| m.kind.is_some()) {
                known += 1;
            }
        }
    }
    let peek_took = start.elapsed();
    println!(
        "split + peek: {known} of {docs} kinds known in {peek_took:?}: {:.1} ms per 1000 files",
        peek_took.as_secs_f64() * 1e6 / n as f64
    );
    assert!(known * 10 > docs * 8, "peek answers for most documents");
    // Speed is reported above, not asserted: timings on a shared machine
    // belong in bench/, where they are compared with a baseline.
}
