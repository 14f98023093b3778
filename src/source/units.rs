//! Deploy units: what one repository deploys as separate things (one Argo
//! CD `Application`, one Flux `Kustomization`, one kustomize root, or a
//! plain directory), so that the same namespace/name in two clusters'
//! directories is two objects, not one.
//!
//! This is the `source` layer: Argo CD, Flux and kustomize structure only,
//! read from the repository's files; nothing of Materialize.
//!
//! What a unit reaches (which files belong to it), in this first version:
//!
//! * a unit whose path holds a kustomization (a kustomize root, or an
//!   Application / Flux Kustomization pointing at one): its directory and
//!   every directory and file its kustomizations name in `resources`,
//!   `bases` and `components`, transitively (a shared base belongs to every
//!   overlay built from it). Remote references (URLs) are ignored;
//! * a Flux Kustomization without a kustomization file: its directory and
//!   every subdirectory (Flux generates a kustomization of all of them);
//! * an Argo CD directory application: its directory alone, or its
//!   subdirectories too with `directory.recurse: true`;
//! * a file no unit reaches: its own directory (the `directory` fallback,
//!   read as Argo CD reads a directory app: not recursive).
//!
//! A kustomize root an Application or Flux Kustomization points at is not a
//! unit of its own: the Application is how it is deployed. A file can belong
//! to several units (a shared base); [`Units::of_path`] lists them in a
//! fixed order (by kind, then path, then name) and the first is the file's
//! identity in reports.
//!
//! Not yet: ApplicationSet generators (an ApplicationSet counts only when
//! its template's path is literal), `units:` in `.mz-presync.yaml`, Helm
//! sources, and kustomize's `namespace:` as a destination namespace.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::kustomize::is_kustomization_path;
use super::{WalkOptions, parse_document, read_path, walk};

/// How a unit was found; serialized as in the JSON reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnitKind {
    ArgocdApplication,
    ArgocdApplicationset,
    FluxKustomization,
    Kustomization,
    Directory,
    Config,
}

/// What reports say of a unit: `{"kind", "name", "path"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct UnitRef {
    pub kind: UnitKind,
    pub name: String,
    /// Repository-relative directory, without `./` or a trailing `/`; `.`
    /// for the repository root.
    pub path: String,
}

/// One deploy unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub kind: UnitKind,
    pub name: String,
    pub path: String,
    /// Where objects without a namespace end up (Application
    /// `destination.namespace`, Flux `targetNamespace`).
    pub destination_namespace: Option<String>,
    reach: Reach,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Reach {
    /// Files directly in the directory.
    Directory,
    /// Files in the directory and its subdirectories.
    Recursive,
    /// Files in these directories, and these files (kustomize references).
    Kustomize {
        directories: BTreeSet<String>,
        files: BTreeSet<String>,
    },
}

impl Unit {
    pub fn reference(&self) -> UnitRef {
        UnitRef {
            kind: self.kind,
            name: self.name.clone(),
            path: self.path.clone(),
        }
    }

    /// The fallback unit of a directory.
    fn directory(path: &str) -> Unit {
        Unit {
            kind: UnitKind::Directory,
            name: path.to_owned(),
            path: path.to_owned(),
            destination_namespace: None,
            reach: Reach::Directory,
        }
    }

    fn reaches(&self, file: &str) -> bool {
        let dir = parent_of(file);
        match &self.reach {
            Reach::Directory => dir == self.path,
            Reach::Recursive => is_under(&dir, &self.path),
            Reach::Kustomize { directories, files } => {
                directories.contains(&dir) || files.contains(file)
            }
        }
    }
}

/// The units of one repository.
#[derive(Clone, Debug, Default)]
pub struct Units {
    /// Canonical, so that files given by any path can be made relative.
    root: PathBuf,
    units: Vec<Unit>,
}

/// Whether text names Argo CD's or Flux's API group: only then can it
/// declare a unit. Callers that read a file anyway ask this of its text and
/// hand the answer to [`Units::discover_with`].
pub fn mentions_unit_groups(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"argoproj.io").is_some()
        || memchr::memmem::find(bytes, b"fluxcd.io").is_some()
}

/// [`mentions_unit_groups`] of a file not read yet. Unreadable or oversized
/// files declare nothing.
fn may_declare_units(path: &Path, options: &WalkOptions) -> bool {
    if std::fs::metadata(path).map_or(true, |m| m.len() > options.max_file_size) {
        return false;
    }
    std::fs::read(path).is_ok_and(|bytes| mentions_unit_groups(&bytes))
}

impl Units {
    /// Discover the units under `root` (walked as `validate` walks:
    /// `.gitignore`d files and hidden directories are skipped). Files that
    /// cannot be read or parsed define no unit: `validate` reports them.
    pub fn discover(root: &Path, options: &WalkOptions) -> Units {
        Units::discover_with(root, options, |_| None, None)
    }

    /// [`Units::discover`], told by `known` which files (absolute paths
    /// under the canonical root) the caller has read already and whether
    /// they mention a unit group, so that a file is not read twice; and,
    /// when the caller walked exactly `root` with the same options, the
    /// files it found (`walked`), so that the tree is not walked twice.
    pub fn discover_with(
        root: &Path,
        options: &WalkOptions,
        known: impl Fn(&Path) -> Option<bool> + Sync,
        walked: Option<Vec<PathBuf>>,
    ) -> Units {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let mut declared = Vec::new();
        let mut kustomizations = BTreeMap::new();
        let files: Vec<PathBuf> = walked.unwrap_or_else(|| {
            walk(std::slice::from_ref(&root), options)
                .into_iter()
                .filter_map(Result::ok)
                .collect()
        });
        // A kustomization named `Kustomization` has no extension and is not
        // walked: look for the file names in every walked directory.
        let directories: BTreeSet<&Path> = files.iter().filter_map(|f| f.parent()).collect();
        for dir in directories {
            for name in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
                let path = dir.join(name);
                if path.is_file() {
                    if let Some(relative) = relative_to(&root, dir) {
                        kustomizations
                            .entry(relative)
                            .or_insert_with(|| references_of(&root, &path, options.max_file_size));
                    }
                    break;
                }
            }
        }
        // Nine files in ten declare no unit: a byte search over the raw
        // file rules them out before any decoding or parsing, in parallel,
        // so that discovery costs little more than the walk `validate` does
        // anyway.
        let found: Vec<Vec<Unit>> = files
            .par_iter()
            .filter(|path| {
                !is_kustomization_path(path)
                    && known(path).unwrap_or_else(|| may_declare_units(path, options))
            })
            .filter_map(|path| read_path(path, options.max_file_size).ok())
            .map(|file| {
                file.documents()
                    .iter()
                    .filter_map(|doc| parse_document(&file, doc).ok().flatten())
                    .flat_map(|value| declared_units(&value))
                    .collect()
            })
            .collect();
        declared.extend(found.into_iter().flatten());
        let mut units = Vec::new();
        let pointed: BTreeSet<String> = declared.iter().map(|u: &Unit| u.path.clone()).collect();
        for mut unit in declared {
            if kustomizations.contains_key(&unit.path) {
                unit.reach = reach(&root, &unit.path, &kustomizations);
            }
            units.push(unit);
        }
        let referenced: BTreeSet<&String> = kustomizations
            .values()
            .flat_map(|refs: &Vec<String>| refs.iter())
            .collect();
        for dir in kustomizations.keys() {
            if referenced.contains(dir) || pointed.contains(dir) {
                continue;
            }
            units.push(Unit {
                kind: UnitKind::Kustomization,
                name: dir.clone(),
                path: dir.clone(),
                destination_namespace: None,
                reach: reach(&root, dir, &kustomizations),
            });
        }
        units.sort_by(|a, b| (a.kind, &a.path, &a.name).cmp(&(b.kind, &b.path, &b.name)));
        units.dedup_by(|a, b| a.kind == b.kind && a.path == b.path && a.name == b.name);
        Units { root, units }
    }

    /// The discovered units (the fallback directory units are made on
    /// demand and not listed).
    pub fn all(&self) -> &[Unit] {
        &self.units
    }

    /// The units a file belongs to, first the one that names it in
    /// reports; the file's own directory when no unit reaches it. Empty for
    /// standard input and files outside the root.
    pub fn of_path(&self, path: &Path) -> Vec<Unit> {
        if super::is_stdin(path) {
            return Vec::new();
        }
        // The lexical absolute path is free and right unless a symbolic link
        // leads out of the root's spelling; only then pay for canonicalize.
        let relative = std::path::absolute(path)
            .ok()
            .and_then(|absolute| relative_to(&self.root, &absolute))
            .or_else(|| {
                let canonical = path.canonicalize().ok()?;
                relative_to(&self.root, &canonical)
            });
        match relative {
            Some(relative) => self.of_relative(&relative),
            None => Vec::new(),
        }
    }

    /// [`Units::of_path`] for a repository-relative file path.
    pub fn of_relative(&self, file: &str) -> Vec<Unit> {
        let found: Vec<Unit> = self
            .units
            .iter()
            .filter(|u| u.reaches(file))
            .cloned()
            .collect();
        if found.is_empty() {
            vec![Unit::directory(&parent_of(file))]
        } else {
            found
        }
    }
}

/// The root units are discovered under for these command-line paths: the
/// git work tree of the first path that is not `-`, else the current
/// directory when that path is inside it, else the path's directory. `None`
/// when every path is `-` (standard input has no unit).
pub fn root_for(paths: &[PathBuf]) -> Option<PathBuf> {
    let first = paths.iter().find(|p| !super::is_stdin(p))?;
    let start = if first.is_dir() {
        first.clone()
    } else {
        first
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let from_git = git2::Repository::discover(&start)
        .ok()
        .and_then(|repo| repo.workdir().map(Path::to_path_buf));
    // Outside git, paths read relative to where the user stands, unless the
    // files are elsewhere: then their own directory is the root (walking an
    // unrelated working directory would cost a walk and find nothing).
    from_git.or_else(|| {
        let cwd = std::env::current_dir().ok()?;
        let absolute = start.canonicalize().unwrap_or(start);
        Some(if absolute.starts_with(&cwd) {
            cwd
        } else {
            absolute
        })
    })
}

/// The units one document declares.
fn declared_units(value: &Value) -> Vec<Unit> {
    let text = |v: &Value, pointer: &str| {
        v.pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let api_version = text(value, "/apiVersion").unwrap_or_default();
    let kind = text(value, "/kind").unwrap_or_default();
    let name = text(value, "/metadata/name").unwrap_or_default();
    let group = api_version.split('/').next().unwrap_or_default();
    match (group, kind.as_str()) {
        ("argoproj.io", "Application") => {
            argocd_units(value, "/spec", UnitKind::ArgocdApplication, name)
        }
        ("argoproj.io", "ApplicationSet") => argocd_units(
            value,
            "/spec/template/spec",
            UnitKind::ArgocdApplicationset,
            name,
        ),
        ("kustomize.toolkit.fluxcd.io", "Kustomization") => {
            // Flux's default path is the repository root.
            let path = text(value, "/spec/path").unwrap_or_default();
            normalize("", &path)
                .map(|path| Unit {
                    kind: UnitKind::FluxKustomization,
                    name,
                    path,
                    destination_namespace: text(value, "/spec/targetNamespace"),
                    reach: Reach::Recursive,
                })
                .into_iter()
                .collect()
        }
        _ => Vec::new(),
    }
}

/// One unit per source path of an Application (or an ApplicationSet's
/// template, when its path is literal rather than a generator parameter).
fn argocd_units(value: &Value, spec: &str, kind: UnitKind, name: String) -> Vec<Unit> {
    let Some(spec) = value.pointer(spec) else {
        return Vec::new();
    };
    let namespace = spec
        .pointer("/destination/namespace")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let sources = spec.get("source").into_iter().chain(
        spec.get("sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    );
    sources
        .filter_map(|source| {
            let path = source.get("path")?.as_str()?;
            if path.contains("{{") {
                return None;
            }
            let recurse = source
                .pointer("/directory/recurse")
                .and_then(Value::as_bool);
            Some(Unit {
                kind,
                name: name.clone(),
                path: normalize("", path)?,
                destination_namespace: namespace.clone(),
                reach: if recurse == Some(true) {
                    Reach::Recursive
                } else {
                    Reach::Directory
                },
            })
        })
        .collect()
}

/// The repository-relative directories and files a kustomization names in
/// `resources`, `bases` and `components` (remote ones left out).
fn references_of(root: &Path, path: &Path, max_size: u64) -> Vec<String> {
    let Ok(file) = read_path(path, max_size) else {
        return Vec::new();
    };
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for doc in file.documents() {
        let Ok(Some(value)) = parse_document(&file, &doc) else {
            continue;
        };
        for list in ["resources", "bases", "components"] {
            for entry in value
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(entry) = entry.as_str() else {
                    continue;
                };
                if entry.contains("://")
                    || entry.contains("?ref=")
                    || entry.starts_with("github.com/")
                {
                    continue;
                }
                // Canonical, as the root is: a reference through a symlink
                // names the directory it resolves to.
                let target = dir.join(entry).canonicalize().ok();
                if let Some(target) = target.and_then(|t| relative_to(root, &t)) {
                    out.push(target);
                }
            }
        }
    }
    out
}

/// Directories and files reached from the kustomization in `start`,
/// following `kustomizations` (repository-relative directory → what it
/// names) transitively; a reference that is not a kustomization directory
/// is a resource file (or a plain directory, kept as one).
fn reach(root: &Path, start: &str, kustomizations: &BTreeMap<String, Vec<String>>) -> Reach {
    let mut directories = BTreeSet::new();
    let mut files = BTreeSet::new();
    let mut pending = vec![start.to_owned()];
    while let Some(dir) = pending.pop() {
        // The set guards against reference cycles.
        if !directories.insert(dir.clone()) {
            continue;
        }
        for target in kustomizations.get(&dir).into_iter().flatten() {
            if kustomizations.contains_key(target) || root.join(target).is_dir() {
                pending.push(target.clone());
            } else {
                files.insert(target.clone());
            }
        }
    }
    Reach::Kustomize { directories, files }
}

/// `path` relative to `root` with `/` separators; `.` for the root itself.
fn relative_to(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    })
}

/// `rel` resolved against the repository-relative directory `base`,
/// lexically (`./`, `..`, trailing `/`); `None` when it leaves the root.
fn normalize(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<String> = if base == "." || rel.starts_with('/') {
        Vec::new()
    } else {
        base.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    for component in Path::new(rel).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    Some(if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    })
}

/// The repository-relative directory of a repository-relative file.
fn parent_of(file: &str) -> String {
    match file.rsplit_once('/') {
        Some((dir, _)) => dir.to_owned(),
        None => ".".to_owned(),
    }
}

fn is_under(dir: &str, ancestor: &str) -> bool {
    ancestor == "."
        || dir == ancestor
        || dir
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Units {
        Units::discover(Path::new("fixtures/units"), &WalkOptions::default())
    }

    fn summary(units: &[Unit]) -> Vec<(UnitKind, &str, &str, Option<&str>)> {
        units
            .iter()
            .map(|u| {
                (
                    u.kind,
                    u.name.as_str(),
                    u.path.as_str(),
                    u.destination_namespace.as_deref(),
                )
            })
            .collect()
    }

    #[test]
    fn discovers_applications_flux_and_leaves_pointed_roots_out() {
        let units = fixture();
        assert_eq!(
            summary(units.all()),
            [
                (
                    UnitKind::ArgocdApplication,
                    "app-eu-west",
                    "apps/overlays/eu-west",
                    Some("apps")
                ),
                (
                    UnitKind::ArgocdApplication,
                    "app-us-east",
                    "apps/overlays/us-east",
                    Some("apps")
                ),
                (
                    UnitKind::FluxKustomization,
                    "analytics",
                    "flux/analytics",
                    Some("analytics")
                ),
            ]
        );
    }

    #[test]
    fn a_shared_base_belongs_to_every_overlay() {
        let units = fixture();
        let names: Vec<String> = units
            .of_relative("apps/base/mz.yaml")
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(names, ["app-eu-west", "app-us-east"]);
    }

    #[test]
    fn unreached_files_fall_back_to_their_directory() {
        let units = fixture();
        assert_eq!(
            summary(&units.of_relative("clusters/us-east/mz.yaml")),
            [(
                UnitKind::Directory,
                "clusters/us-east",
                "clusters/us-east",
                None
            )]
        );
        assert_eq!(units.of_relative("top.yaml")[0].path, ".");
    }

    #[test]
    fn an_unpointed_kustomization_is_a_root() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("base/kustomization.yaml", "resources: [mz.yaml]\n");
        write("base/mz.yaml", "kind: ConfigMap\n");
        write(
            "prod/kustomization.yaml",
            "resources: [../base, extra/x.yaml]\n",
        );
        write("prod/extra/x.yaml", "kind: ConfigMap\n");
        write("prod/extra/y.yaml", "kind: ConfigMap\n");
        let units = Units::discover(dir.path(), &WalkOptions::default());
        assert_eq!(
            summary(units.all()),
            [(UnitKind::Kustomization, "prod", "prod", None)]
        );
        assert_eq!(units.of_relative("base/mz.yaml")[0].name, "prod");
        assert_eq!(units.of_relative("prod/extra/x.yaml")[0].name, "prod");
        // Not named by the kustomization: its own directory.
        assert_eq!(
            units.of_relative("prod/extra/y.yaml")[0].kind,
            UnitKind::Directory
        );
    }

    #[test]
    fn argocd_directory_apps_recurse_only_when_asked() {
        let app = |recurse: bool| {
            serde_json::json!({
                "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                "metadata": {"name": "a"},
                "spec": {"source": {"path": "./c/", "directory": {"recurse": recurse}},
                         "destination": {"server": "https://k", "namespace": "n"}}
            })
        };
        let flat = &declared_units(&app(false))[0];
        assert_eq!(flat.path, "c");
        assert!(flat.reaches("c/a.yaml") && !flat.reaches("c/d/a.yaml"));
        let deep = &declared_units(&app(true))[0];
        assert!(deep.reaches("c/d/a.yaml") && !deep.reaches("cd/a.yaml"));
    }

    #[test]
    fn paths_are_normalized() {
        assert_eq!(normalize("", "./a/b/").as_deref(), Some("a/b"));
        assert_eq!(normalize("a/b", "../c").as_deref(), Some("a/c"));
        assert_eq!(normalize("", "./").as_deref(), Some("."));
        assert_eq!(normalize("", "../x"), None);
    }
}
