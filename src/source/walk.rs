//! Finding manifest files under the paths given on the command line.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use ignore::{WalkBuilder, WalkState};

use super::read::{DEFAULT_MAX_FILE_SIZE, ReadError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkOptions {
    /// Files and directories a directory walk skips (`ignore:` in
    /// `.mz-presync.yaml`); paths named explicitly are read anyway.
    pub exclude: Option<Arc<Exclude>>,
    /// Do not read `.gitignore`, `.ignore` and `.git/info/exclude` files.
    pub no_ignore: bool,
    /// Files larger than this are [`ReadError::TooLarge`] when read. The
    /// walk lists them; [`read_file`](super::read_file) refuses them on the
    /// open file, before reading, which saves a path lookup per file.
    pub max_file_size: u64,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            exclude: None,
            no_ignore: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// Gitignore-like globs, relative to a base directory (the one holding
/// `.mz-presync.yaml`): `*` and `?` stay within a path segment, `**` crosses
/// them; a pattern without `/` (other than a trailing one) matches a name at
/// any depth; a leading `/` anchors it at the base; a trailing `/` is
/// dropped (a matched directory is skipped whole).
#[derive(Debug, Clone)]
pub struct Exclude {
    base: PathBuf,
    /// The working directory when built, for relative walk paths (one
    /// lookup, not one per entry).
    cwd: PathBuf,
    patterns: Vec<String>,
    set: globset::GlobSet,
}

impl PartialEq for Exclude {
    fn eq(&self, other: &Self) -> bool {
        self.base == other.base && self.patterns == other.patterns
    }
}

impl Eq for Exclude {}

impl Exclude {
    /// `base` should be absolute; a bad pattern is an error naming it.
    pub fn new(base: &Path, patterns: &[String]) -> Result<Exclude, String> {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in patterns {
            let trimmed = pattern.trim_end_matches('/');
            let glob = match trimmed.strip_prefix('/') {
                Some(anchored) => anchored.to_owned(),
                None if trimmed.contains('/') => trimmed.to_owned(),
                None => format!("**/{trimmed}"),
            };
            let glob = globset::GlobBuilder::new(&glob)
                .literal_separator(true)
                .build()
                .map_err(|err| format!("ignore pattern {pattern:?}: {err}"))?;
            builder.add(glob);
        }
        Ok(Exclude {
            base: base.to_owned(),
            cwd: std::env::current_dir().unwrap_or_default(),
            patterns: patterns.to_vec(),
            set: builder
                .build()
                .map_err(|err| format!("ignore patterns: {err}"))?,
        })
    }

    /// Whether `path` (relative to the working directory, or absolute) is
    /// under the base and matches a pattern.
    pub fn is_match(&self, path: &Path) -> bool {
        let absolute;
        let path = if path.is_absolute() {
            path
        } else {
            absolute = self.cwd.join(path);
            &absolute
        };
        let normal: PathBuf = path
            .components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect();
        normal
            .strip_prefix(&self.base)
            .is_ok_and(|relative| self.set.is_match(relative))
    }
}

/// True for the extensions a directory walk picks up: `.yaml`, `.yml`,
/// `.json` (any case).
pub fn has_manifest_extension(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["yaml", "yml", "json"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    })
}

/// Expand files and directories into the list of files to read, sorted by
/// path and without duplicates.
///
/// * A file named explicitly is always listed, whatever its extension (and
///   `-`, standard input, is passed through as is).
/// * Directories are walked in parallel with the `ignore` crate: hidden
///   files and directories are skipped, `.gitignore`/`.ignore`/
///   `.git/info/exclude` are respected unless `no_ignore` (also outside a git
///   checkout: CI and Argo CD may hand over a tree without `.git`), and only
///   `*.yaml`, `*.yml`, `*.json` are listed. The user's global git excludes
///   are not read, so results do not depend on whose machine runs the check.
/// * Symbolic links are followed inside the directory being walked; a link
///   that points outside it is [`ReadError::SymlinkOutsideRoot`] (as Argo CD
///   refuses out-of-bounds links), a loop is [`ReadError::SymlinkLoop`], a
///   dangling link to a manifest name is [`ReadError::BrokenSymlink`].
/// * Anything that goes wrong with one entry (a directory removed mid-walk,
///   a permission problem) is an error for that entry; the walk goes on.
pub fn walk(paths: &[PathBuf], opts: &WalkOptions) -> Vec<Result<PathBuf, ReadError>> {
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            out.push(Ok(path.clone()));
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) => out.push(Err(ReadError::from_io(path, e))),
            Ok(m) if m.is_dir() => walk_dir(path, opts, &mut out),
            Ok(_) => out.push(Ok(path.clone())),
        }
    }
    // Byte order, not `Path`'s component order: the same order for every
    // practical path, and ten times cheaper on 35,000 paths (41 ms serial
    // time measured with component order).
    out.sort_unstable_by(|a, b| {
        let (a, b) = (sort_key(a), sort_key(b));
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
            .then_with(|| a.cmp(b))
    });
    out.dedup_by(|a, b| sort_key(a) == sort_key(b) && a.is_ok() == b.is_ok());
    out
}

fn sort_key(r: &Result<PathBuf, ReadError>) -> &Path {
    match r {
        Ok(p) => p,
        Err(e) => e.path(),
    }
}

fn walk_dir(root: &Path, opts: &WalkOptions, out: &mut Vec<Result<PathBuf, ReadError>>) {
    let canonical_root = match std::fs::canonicalize(root) {
        Ok(p) => p,
        Err(e) => {
            out.push(Err(ReadError::from_io(root, e)));
            return;
        }
    };
    let found: Arc<Mutex<Vec<Result<PathBuf, ReadError>>>> = Arc::default();
    let respect = !opts.no_ignore;
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(true)
        .follow_links(true)
        .git_global(false)
        .ignore(respect)
        .git_ignore(respect)
        .git_exclude(respect)
        .parents(respect)
        .require_git(false);

    let rejected = Arc::clone(&found);
    let filter_root = canonical_root.clone();
    let exclude = opts.exclude.clone();
    builder.filter_entry(move |entry| {
        if entry.depth() > 0
            && let Some(exclude) = &exclude
            && exclude.is_match(entry.path())
        {
            return false;
        }
        if !entry.path_is_symlink() || entry.depth() == 0 {
            return true;
        }
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if !is_dir && !has_manifest_extension(entry.path()) {
            return false;
        }
        match std::fs::canonicalize(entry.path()) {
            Ok(target) if target.starts_with(&filter_root) => true,
            Ok(target) => {
                push(
                    &rejected,
                    Err(ReadError::SymlinkOutsideRoot {
                        path: entry.path().to_path_buf(),
                        target,
                        root: root_for_display(&filter_root),
                    }),
                );
                false
            }
            // Gone since it was listed: the walker reports what it finds.
            Err(_) => true,
        }
    });

    builder.build_parallel().run(|| {
        let found = Arc::clone(&found);
        Box::new(move |entry| {
            match entry {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    // Sizes are checked when the file is read, on the open
                    // file: one path lookup per file instead of three.
                    if is_file && has_manifest_extension(entry.path()) {
                        push(&found, Ok(entry.into_path()));
                    }
                }
                Err(err) => {
                    if let Some(e) = walk_error(err) {
                        push(&found, Err(e));
                    }
                }
            }
            WalkState::Continue
        })
    });

    out.append(&mut found.lock().unwrap_or_else(|p| p.into_inner()));
}

fn push(found: &Mutex<Vec<Result<PathBuf, ReadError>>>, r: Result<PathBuf, ReadError>) {
    // A panic while holding the lock cannot leave the Vec half-pushed.
    found.lock().unwrap_or_else(|p| p.into_inner()).push(r);
}

fn root_for_display(root: &Path) -> PathBuf {
    PathBuf::from(display_path(root))
}

/// Turn a walker error into a per-entry error, or drop it when it is not
/// about a file we would read (a bad glob in a `.gitignore`, a dangling link
/// named `notes.txt`).
fn walk_error(err: ignore::Error) -> Option<ReadError> {
    let mut path: Option<PathBuf> = None;
    let mut err = err;
    loop {
        match err {
            ignore::Error::WithPath {
                path: p,
                err: inner,
            } => {
                path.get_or_insert(p);
                err = *inner;
            }
            ignore::Error::WithDepth { err: inner, .. } => err = *inner,
            ignore::Error::WithLineNumber { .. } | ignore::Error::Glob { .. } => return None,
            ignore::Error::Partial(mut errs) if errs.len() == 1 => err = errs.remove(0),
            ignore::Error::Loop { ancestor, child } => {
                return Some(ReadError::SymlinkLoop {
                    path: child,
                    ancestor,
                });
            }
            ignore::Error::Io(io) => {
                let path = path?;
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if name == ".gitignore" || name == ".ignore" {
                    return None;
                }
                let e = ReadError::from_io(&path, io);
                if matches!(e, ReadError::BrokenSymlink { .. }) && !has_manifest_extension(&path) {
                    return None;
                }
                return Some(e);
            }
            _ => return None,
        }
    }
}

/// The working directory, read once: nothing in this program changes it,
/// and a walk asks for it once per file.
fn current_dir() -> Option<&'static Path> {
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

/// A path as shown to users: relative to the current directory when it is
/// under it, without `./`, with `/` separators.
pub fn display_path(path: &Path) -> String {
    if path.as_os_str() == "-" {
        return "-".into();
    }
    let rel = match current_dir() {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    let mut out = String::new();
    let mut rooted = false;
    let mut parts: Vec<String> = Vec::new();
    for c in rel.components() {
        match c {
            Component::Prefix(p) => out.push_str(&p.as_os_str().to_string_lossy()),
            Component::RootDir => rooted = true,
            Component::CurDir => {}
            Component::ParentDir => parts.push("..".into()),
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
        }
    }
    if rooted {
        out.push('/');
    }
    out.push_str(&parts.join("/"));
    if out.is_empty() {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclude_globs_are_gitignore_like() {
        let base = Path::new("/repo");
        let patterns = |list: &[&str]| {
            let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
            Exclude::new(base, &list).unwrap()
        };
        let exclude = patterns(&["vendor/", "/charts/*.yaml", "a/**/b.yml"]);
        for yes in [
            "/repo/vendor",
            "/repo/x/vendor",
            "/repo/charts/x.yaml",
            "/repo/./charts/x.yaml",
            "/repo/a/b.yml",
            "/repo/a/c/d/b.yml",
        ] {
            assert!(exclude.is_match(Path::new(yes)), "{yes}");
        }
        for no in [
            "/repo/vendored",
            "/repo/x/charts/x.yaml",
            "/repo/charts/sub/x.yaml",
            "/other/vendor",
            "/repo/b.yml",
        ] {
            assert!(!exclude.is_match(Path::new(no)), "{no}");
        }
        assert!(Exclude::new(base, &["a[".to_owned()]).is_err());
        assert_eq!(patterns(&["x"]), patterns(&["x"]));
    }

    fn touch(path: &Path, text: &str) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }

    fn ok_names(results: &[Result<PathBuf, ReadError>], root: &Path) -> Vec<String> {
        results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn walks_sorted_filters_extensions_and_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in [
            "b.yaml",
            "a.yml",
            "c.json",
            "d.txt",
            "E.YAML",
            "sub/x.yaml",
            "sub/deeper/y.yml",
            ".hidden.yaml",
            ".git/config.yaml",
            ".github/w.yml",
            "sub/.h/z.yaml",
        ] {
            touch(&root.join(name), "a: 1\n");
        }
        let r = walk(&[root.to_path_buf()], &WalkOptions::default());
        assert_eq!(
            ok_names(&r, root),
            [
                "E.YAML",
                "a.yml",
                "b.yaml",
                "c.json",
                "sub/deeper/y.yml",
                "sub/x.yaml"
            ]
        );
        assert!(r.iter().all(|r| r.is_ok()));
    }

    #[test]
    fn gitignore_is_respected_without_a_git_dir_unless_disabled() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join(".gitignore"), "ignored/\n*.gen.yaml\n");
        touch(&root.join(".ignore"), "also.yaml\n");
        for name in ["keep.yaml", "ignored/a.yaml", "x.gen.yaml", "also.yaml"] {
            touch(&root.join(name), "a: 1\n");
        }
        let r = walk(&[root.to_path_buf()], &WalkOptions::default());
        assert_eq!(ok_names(&r, root), ["keep.yaml"]);
        let opts = WalkOptions {
            no_ignore: true,
            ..WalkOptions::default()
        };
        let r = walk(&[root.to_path_buf()], &opts);
        assert_eq!(
            ok_names(&r, root),
            ["also.yaml", "ignored/a.yaml", "keep.yaml", "x.gen.yaml"]
        );
    }

    #[test]
    fn explicit_files_and_missing_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("notes.txt"), "a: 1\n");
        touch(&root.join("d/a.yaml"), "a: 1\n");
        let missing = root.join("missing.yaml");
        let r = walk(
            &[
                root.join("notes.txt"),
                missing.clone(),
                root.join("d"),
                root.join("d/a.yaml"),
                PathBuf::from("-"),
            ],
            &WalkOptions::default(),
        );
        let oks: Vec<_> = r.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
        // Sorted by bytes: `-` (0x2d) before absolute paths (`/`, 0x2f).
        assert_eq!(
            oks,
            [
                PathBuf::from("-"),
                root.join("d/a.yaml"),
                root.join("notes.txt"),
            ]
        );
        assert!(
            r.iter()
                .any(|r| matches!(r, Err(ReadError::NotFound(p)) if *p == missing))
        );
    }

    #[test]
    fn large_files_are_listed_and_refused_when_read() {
        let dir = tempfile::tempdir().unwrap();
        touch(&dir.path().join("big.yaml"), &"a".repeat(200));
        touch(&dir.path().join("small.yaml"), "a: 1");
        let opts = WalkOptions {
            max_file_size: 100,
            ..WalkOptions::default()
        };
        let r = walk(&[dir.path().to_path_buf()], &opts);
        let listed: Vec<PathBuf> = r.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            listed,
            [dir.path().join("big.yaml"), dir.path().join("small.yaml")]
        );
        let read = super::super::read_file(&listed[0], "big.yaml".into(), opts.max_file_size);
        assert!(matches!(
            read,
            Err(ReadError::TooLarge {
                size: 200,
                limit: 100,
                ..
            })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_inside_outside_loops_and_broken() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        touch(&outside.path().join("secret.yaml"), "a: 1\n");
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("real/a.yaml"), "a: 1\n");
        symlink(root.join("real"), root.join("inside")).unwrap();
        symlink(root.join("real/a.yaml"), root.join("link.yaml")).unwrap();
        symlink(outside.path(), root.join("out_dir")).unwrap();
        symlink(outside.path().join("secret.yaml"), root.join("out.yaml")).unwrap();
        symlink(outside.path().join("secret.yaml"), root.join("out.txt")).unwrap();
        std::fs::create_dir_all(root.join("loop")).unwrap();
        symlink(root.join("loop"), root.join("loop/again")).unwrap();
        symlink(root.join("nowhere.yaml"), root.join("dangling.yaml")).unwrap();
        symlink(root.join("nowhere.txt"), root.join("dangling.txt")).unwrap();

        let start = std::time::Instant::now();
        let r = walk(&[root.to_path_buf()], &WalkOptions::default());
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(
            ok_names(&r, root),
            ["inside/a.yaml", "link.yaml", "real/a.yaml"]
        );
        let errs: Vec<_> = r.iter().filter_map(|r| r.as_ref().err()).collect();
        let has = |f: &dyn Fn(&ReadError) -> bool| errs.iter().any(|e| f(e));
        assert!(
            has(
                &|e| matches!(e, ReadError::SymlinkOutsideRoot { path, .. } if path.ends_with("out_dir"))
            ),
            "{errs:?}"
        );
        assert!(
            has(
                &|e| matches!(e, ReadError::SymlinkOutsideRoot { path, .. } if path.ends_with("out.yaml"))
            ),
            "{errs:?}"
        );
        assert!(
            has(
                &|e| matches!(e, ReadError::SymlinkLoop { path, .. } if path.ends_with("loop/again"))
            ),
            "{errs:?}"
        );
        assert!(
            has(
                &|e| matches!(e, ReadError::BrokenSymlink { path } if path.ends_with("dangling.yaml"))
            ),
            "{errs:?}"
        );
        assert_eq!(errs.len(), 4, "{errs:?}");
        // Named explicitly, an outside link is read: the user asked for it.
        let r = walk(&[root.join("out.yaml")], &WalkOptions::default());
        assert!(r[0].is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_directories_are_per_entry_errors() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("ok.yaml"), "a: 1\n");
        touch(&root.join("locked/x.yaml"), "a: 1\n");
        std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o000))
            .unwrap();
        let r = walk(&[root.to_path_buf()], &WalkOptions::default());
        std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        assert!(
            r.iter()
                .any(|r| matches!(r, Ok(p) if p.ends_with("ok.yaml")))
        );
        // Root can read anything; elsewhere the directory is an error.
        let locked_listed = r
            .iter()
            .any(|r| matches!(r, Ok(p) if p.ends_with("locked/x.yaml")));
        let locked_error = r
            .iter()
            .any(|r| matches!(r, Err(ReadError::Io { path, .. }) if path.ends_with("locked")));
        assert!(locked_listed || locked_error, "{r:?}");
    }

    #[test]
    fn directory_removed_while_walking_does_not_panic() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        for i in 0..200 {
            touch(&root.join(format!("d{i}/x.yaml")), "a: 1\n");
        }
        let remover = {
            let root = root.clone();
            std::thread::spawn(move || {
                for i in (0..200).rev() {
                    let _ = std::fs::remove_dir_all(root.join(format!("d{i}")));
                }
            })
        };
        let r = walk(std::slice::from_ref(&root), &WalkOptions::default());
        remover.join().unwrap();
        // Whatever raced, every result is a path or a named error.
        assert!(r.len() <= 200);
    }

    #[test]
    fn display_paths() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(display_path(&cwd.join("a/b.yaml")), "a/b.yaml");
        assert_eq!(display_path(Path::new("./a/./b.yaml")), "a/b.yaml");
        assert_eq!(display_path(Path::new("../x.yaml")), "../x.yaml");
        assert_eq!(display_path(Path::new("-")), "-");
        assert_eq!(display_path(Path::new(".")), ".");
        #[cfg(unix)]
        assert_eq!(
            display_path(Path::new("/definitely/elsewhere.yaml")),
            "/definitely/elsewhere.yaml"
        );
    }
}
