//! `rollouts [RANGE] -- PATH...`: only changes to files under these paths
//! are scanned. Paths follow git's rule: relative to the current directory
//! when it is inside the work tree (else to the work tree's root), a
//! directory meaning everything under it, a file itself; literal, no glob
//! magic. The check runs in the tree diff, on paths alone, so a scoped scan
//! never descends into subtrees outside the paths.

use std::path::{Component, Path, PathBuf};

use super::HistoryError;
use crate::source::units::is_under;

/// Repository-relative paths (`/`-separated, no trailing `/`); empty means
/// the whole repository.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pathspec {
    prefixes: Vec<String>,
}

impl Pathspec {
    /// Repository-relative paths as given (for a bare repository, or
    /// tests); `.` or an empty list is everything.
    pub fn of_relative(paths: &[&str]) -> Pathspec {
        let mut prefixes: Vec<String> = paths
            .iter()
            .map(|p| normalize(Path::new(p)).unwrap_or_default())
            .collect();
        if prefixes.iter().any(String::is_empty) {
            prefixes.clear();
        }
        Pathspec { prefixes }
    }

    /// Resolve command-line paths against the work tree `workdir` (`None`
    /// for a bare repository: paths are then repository-relative) from the
    /// current directory `cwd`.
    pub fn resolve(
        workdir: Option<&Path>,
        cwd: &Path,
        paths: &[PathBuf],
    ) -> Result<Pathspec, HistoryError> {
        let Some(workdir) = workdir else {
            let texts: Vec<String> = paths
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let borrowed: Vec<&str> = texts.iter().map(String::as_str).collect();
            return Ok(Pathspec::of_relative(&borrowed));
        };
        let canonical = |path: &Path| path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let root = canonical(workdir);
        let cwd = canonical(cwd);
        let base = if cwd.starts_with(&root) {
            cwd
        } else {
            root.clone()
        };
        let mut prefixes = Vec::new();
        for path in paths {
            let joined = base.join(path);
            // An existing path is resolved through symbolic links like the
            // root was; a path only in history is taken lexically.
            let absolute = joined
                .canonicalize()
                .ok()
                .or_else(|| lexical(&joined))
                .unwrap_or(joined);
            let relative = absolute
                .strip_prefix(&root)
                .ok()
                .and_then(normalize)
                .ok_or_else(|| HistoryError::PathOutsideRepository {
                    path: path.clone(),
                    root: root.clone(),
                })?;
            if relative.is_empty() {
                return Ok(Pathspec::default());
            }
            prefixes.push(relative);
        }
        Ok(Pathspec { prefixes })
    }

    pub fn is_everything(&self) -> bool {
        self.prefixes.is_empty()
    }

    /// Whether a changed file at `path` is scanned.
    pub fn matches(&self, path: &str) -> bool {
        self.is_everything() || self.prefixes.iter().any(|prefix| is_under(path, prefix))
    }

    /// Whether the tree at `dir` may hold a scanned file.
    pub fn enters(&self, dir: &str) -> bool {
        self.is_everything()
            || self
                .prefixes
                .iter()
                .any(|prefix| is_under(dir, prefix) || is_under(prefix, dir))
    }
}

/// `..` and `.` resolved without touching the file system.
fn lexical(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    Some(out)
}

/// A relative path as `/`-joined normal components; `None` when it climbs
/// out of where it starts.
fn normalize(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_and_files_match_by_whole_components() {
        let spec = Pathspec::of_relative(&["clusters/us-east", "top.yaml"]);
        assert!(spec.matches("clusters/us-east/mz.yaml"));
        assert!(spec.matches("top.yaml"));
        assert!(!spec.matches("clusters/us-east2/mz.yaml"));
        assert!(!spec.matches("clusters/eu-west/mz.yaml"));
        assert!(spec.enters("clusters"));
        assert!(spec.enters("clusters/us-east/sub"));
        assert!(!spec.enters("apps"));
        assert!(Pathspec::of_relative(&["./"]).is_everything());
    }

    #[test]
    fn paths_resolve_from_the_current_directory_inside_the_work_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("clusters/us-east")).unwrap();
        let from = |cwd: &Path, paths: &[&str]| {
            let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
            Pathspec::resolve(Some(&root), cwd, &paths)
        };
        let inside = root.join("clusters");
        assert_eq!(
            from(&inside, &["us-east", "../apps/gone"]).unwrap(),
            Pathspec::of_relative(&["clusters/us-east", "apps/gone"])
        );
        // Outside the work tree (`--repo DIR`): relative to its root.
        let elsewhere = tempfile::tempdir().unwrap();
        assert_eq!(
            from(elsewhere.path(), &["clusters"]).unwrap(),
            Pathspec::of_relative(&["clusters"])
        );
        assert!(from(&root, &["."]).unwrap().is_everything());
        assert!(matches!(
            from(&root, &["../x"]),
            Err(HistoryError::PathOutsideRepository { .. })
        ));
    }
}
