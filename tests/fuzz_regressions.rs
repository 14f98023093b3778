//! Replays the kept fuzz corpus and every crash reproducer through the same
//! properties the fuzz targets check (see `fuzz/run.sh`).

use std::path::Path;

fn replay(target: &str, property: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for dir in [
        root.join("corpus").join(target),
        root.join("regressions").join(target),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| property(&data));
            assert!(outcome.is_ok(), "{target}: {} fails", path.display());
            count += 1;
        }
    }
    count
}

#[test]
fn split_locate_corpus() {
    assert!(replay("split_locate", mz_presync::fuzzing::split_locate) > 0);
}

#[test]
fn hash_json_corpus() {
    assert!(replay("hash_json", mz_presync::fuzzing::hash_json) > 0);
}

#[test]
fn validate_bytes_corpus() {
    assert!(replay("validate_bytes", mz_presync::fuzzing::validate_bytes) > 0);
}

#[test]
fn migrate_bytes_corpus() {
    assert!(replay("migrate_bytes", mz_presync::fuzzing::migrate_bytes) > 0);
}
