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
    let mut accepted = 0usize;
    for f in &files {
        for d in f.documents() {
            docs += 1;
            let parsed = source::parse_document(f, &d);
            accepted += usize::from(parsed.is_ok());
            if let Ok(Some(v)) = parsed {
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

    // The same documents read for their verdict only, without building
    // values: what `validate` does for every kind but Materialize.
    let start = Instant::now();
    let mut read = 0usize;
    for f in &files {
        for d in f.documents() {
            if source::parse_document_when(f, &d, |_| false).is_ok() {
                read += 1;
            }
        }
    }
    let skim_took = start.elapsed();
    println!(
        "split + read without values: {read} of {docs} documents accepted in {skim_took:?}: {:.1} ms per 1000 files",
        skim_took.as_secs_f64() * 1e6 / n as f64
    );
    assert_eq!(read, accepted, "the same documents are accepted");
    // Speed is reported above, not asserted: timings on a shared machine
    // belong in bench/, where they are compared with a baseline.
}
