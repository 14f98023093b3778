//! Helpers shared by the end-to-end tests that drive the built binary from
//! other programs (the Action's script, pre-commit) inside temporary git
//! repositories.

// Each test crate uses its own subset of these helpers.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use tempfile::TempDir;

/// A private copy of the binary under test: a build running next to the
/// tests (another `cargo build` in the same target directory) relinks the
/// original in place.
pub fn binary() -> &'static str {
    static COPY: OnceLock<(TempDir, String)> = OnceLock::new();
    let (_, path) = COPY.get_or_init(|| {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("mz-presync");
        std::fs::copy(env!("CARGO_BIN_EXE_mz-presync"), &path).unwrap();
        (dir, path.display().to_string())
    });
    path
}

/// Run git in `dir` untouched by the machine's or the user's configuration,
/// with a fixed author and the given date (so commit ids are reproducible);
/// `env` adds variables. Panics with git's stderr on failure; returns its
/// trimmed stdout.
pub fn git(dir: &Path, date: &str, env: &[(&str, &Path)], args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// Writes `files` (repository path → text) into `repo` as a tree, nested
/// directories built bottom-up, without a work tree or an index.
pub fn write_tree(
    repo: &git2::Repository,
    files: &std::collections::BTreeMap<String, String>,
) -> git2::Oid {
    use std::collections::BTreeMap;
    fn build(repo: &git2::Repository, files: &BTreeMap<&str, &str>) -> git2::Oid {
        let mut builder = repo.treebuilder(None).unwrap();
        let mut subdirs: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
        for (path, text) in files {
            match path.split_once('/') {
                Some((dir, rest)) => {
                    subdirs.entry(dir).or_default().insert(rest, text);
                }
                None => {
                    let blob = repo.blob(text.as_bytes()).unwrap();
                    builder.insert(path, blob, 0o100644).unwrap();
                }
            }
        }
        for (dir, files) in subdirs {
            let tree = build(repo, &files);
            builder.insert(dir, tree, 0o040000).unwrap();
        }
        builder.write().unwrap()
    }
    let borrowed = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    build(repo, &borrowed)
}
