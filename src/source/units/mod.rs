//! Deploy units: what one repository deploys as separate things (one Argo
//! CD `Application`, one Application an `ApplicationSet` generates, one
//! Flux `Kustomization`, one kustomize root, one `units:` entry of
//! `.mz-presync.yaml`, or a plain directory), so that the same
//! namespace/name in two clusters' directories is two objects, not one;
//! and, per unit, how it renders ([`Renderer`]) and which files can change
//! what it renders ([`Unit::inputs`]).
//!
//! This is the `source` layer: Argo CD, Flux and kustomize structure only,
//! read from a repository snapshot ([`RepoFiles`]: the working tree for
//! `validate`, a git tree for `rollouts`, see [`discover_git`]); nothing of
//! Materialize.
//!
//! What a unit reaches (which files belong to it):
//!
//! * a unit whose path holds a kustomization (a kustomize root, or an
//!   Application / Flux Kustomization pointing at one): its directory and
//!   every directory and file its kustomizations name in `resources`,
//!   `bases` and `components`, transitively (a shared base belongs to every
//!   overlay built from it). Remote references (URLs) are ignored;
//! * a Flux Kustomization without a kustomization file: its directory and
//!   every subdirectory (Flux generates a kustomization of all of them);
//! * an Argo CD directory or Helm application: its directory alone, or its
//!   subdirectories too with `directory.recurse: true`;
//! * a `units:` entry of the configuration: its directory and every
//!   subdirectory, down to a nested `units:` entry (a file belongs to the
//!   deepest entry that holds it). `units:` replaces discovery: with it,
//!   no Application, Flux Kustomization or kustomize root is a unit;
//! * a file no unit reaches: its own directory (the `directory` fallback,
//!   read as Argo CD reads a directory app: not recursive).
//!
//! A kustomize root an Application or Flux Kustomization points at is not a
//! unit of its own: the Application is how it is deployed. A file can belong
//! to several units (a shared base); [`Units::of_path`] lists them in a
//! fixed order (by kind, then path, then name) and the first is the file's
//! identity in reports.
//!
//! An ApplicationSet's git directory generators are expanded over the
//! snapshot's directories (see `appset.rs`); other generators (list,
//! cluster, matrix, …) generate nothing here, and an ApplicationSet whose
//! template path is literal is one unit, as an Application.

mod appset;
mod config;
mod declare;
mod files;
mod kustomizations;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::kustomize::is_kustomization_path;
use super::{FileFormat, SourceFile, WalkOptions, has_manifest_extension, source_from_bytes};
use declare::{Declared, Hints};
use kustomizations::Kustomization;

pub use config::{ConfigUnit, ConfiguredUnits};
pub use files::{MemoryFiles, RepoFiles, discover_git};

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

impl UnitRef {
    /// A resource's name qualified by this unit, as reports and the
    /// Action's outputs spell it: `UNIT:NAMESPACE/NAME`, or `UNIT:NAME`
    /// without a namespace.
    pub fn qualify(&self, namespace: Option<&str>, name: &str) -> String {
        match namespace {
            Some(namespace) => format!("{}:{namespace}/{name}", self.name),
            None => format!("{}:{name}", self.name),
        }
    }
}

/// How a unit's manifests are produced from its inputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Renderer {
    /// `kustomize build` of the unit's path.
    Kustomize,
    /// `helm template` of the chart at the unit's path.
    Helm {
        /// Values files, repository-relative, in the Application's order.
        values: Vec<String>,
        release: String,
        namespace: Option<String>,
    },
    /// The manifests of the directory as they are.
    Directory { recurse: bool },
    /// An Argo CD config management plugin (`source.plugin.name`; empty
    /// when the Application lets Argo CD pick one by discovery).
    Plugin { name: String },
}

/// A directory a unit's rendering reads.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InputDirectory {
    pub path: String,
    /// Its subdirectories too.
    pub recursive: bool,
}

/// What must be materialized to render a unit, and whose changes can
/// change what it renders.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UnitInputs {
    /// The files directly in each (and below it when `recursive`).
    pub directories: Vec<InputDirectory>,
    /// Single files: resources, patches, generator and values files named
    /// from outside the directories, and the manifest declaring the unit
    /// (an Application's inline Helm values change the output too).
    pub files: Vec<String>,
}

impl UnitInputs {
    /// Whether the repository-relative file `path` is one of the inputs.
    pub fn contains(&self, path: &str) -> bool {
        let dir = parent_of(path);
        self.files.iter().any(|f| f == path)
            || self.directories.iter().any(|d| {
                if d.recursive {
                    is_under(&dir, &d.path)
                } else {
                    dir == d.path
                }
            })
    }
}

/// One deploy unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub kind: UnitKind,
    pub name: String,
    pub path: String,
    /// Where objects without a namespace end up (Application
    /// `destination.namespace`, Flux `targetNamespace`, a `units:` entry's
    /// `namespace`, else the `namespace:` of the unit's own kustomization).
    pub destination_namespace: Option<String>,
    pub renderer: Renderer,
    reach: Reach,
    inputs: UnitInputs,
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

    /// What rendering the unit reads; see [`UnitInputs`].
    pub fn inputs(&self) -> UnitInputs {
        self.inputs.clone()
    }

    /// Whether a change to the repository-relative file `changed_path` can
    /// change what the unit renders.
    pub fn input_changed(&self, changed_path: &str) -> bool {
        self.inputs.contains(changed_path)
    }

    /// The fallback unit of a directory.
    fn directory(path: &str) -> Unit {
        Unit {
            kind: UnitKind::Directory,
            name: path.to_owned(),
            path: path.to_owned(),
            destination_namespace: None,
            renderer: Renderer::Directory { recurse: false },
            reach: Reach::Directory,
            inputs: UnitInputs {
                directories: vec![InputDirectory {
                    path: path.to_owned(),
                    recursive: false,
                }],
                files: Vec::new(),
            },
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
    /// Canonical, so that files given by any path can be made relative
    /// (empty for a snapshot that is not on disk).
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
        Units::discover_configured(root, options, known, walked, None)
    }

    /// [`Units::discover_with`] with the `units:` of the configuration
    /// (paths relative to `root`), which replace discovery when given.
    pub fn discover_configured(
        root: &Path,
        options: &WalkOptions,
        known: impl Fn(&Path) -> Option<bool> + Sync,
        walked: Option<Vec<PathBuf>>,
        config: Option<&[ConfigUnit]>,
    ) -> Units {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let files = match walked {
            Some(walked) => files::FsFiles::new(root.clone(), &walked, options.max_file_size),
            None => files::FsFiles::walk(root.clone(), options),
        };
        let known = |relative: &str| known(&files.absolute(relative));
        let units = discover_units(&files, &known, config);
        Units { root, units }
    }

    /// The units of any repository snapshot; with `config` (the `units:`
    /// of `.mz-presync.yaml`, paths repository-relative), those instead of
    /// discovery. Look files up with [`Units::of_relative`].
    pub fn discover_in(files: &dyn RepoFiles, config: Option<&[ConfigUnit]>) -> Units {
        Units {
            root: PathBuf::new(),
            units: discover_units(files, &|_| None, config),
        }
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
        if super::is_stdin(path) || self.root.as_os_str().is_empty() {
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
        let mut found: Vec<Unit> = self
            .units
            .iter()
            .filter(|u| u.reaches(file))
            .cloned()
            .collect();
        // Nested `units:` entries: the deepest holds the file.
        if found.len() > 1 && found.iter().all(|u| u.kind == UnitKind::Config) {
            let depth = |u: &Unit| u.path.split('/').filter(|s| *s != ".").count();
            let deepest = found.iter().map(depth).max().unwrap_or(0);
            found.retain(|u| depth(u) == deepest);
        }
        if found.is_empty() {
            vec![Unit::directory(&parent_of(file))]
        } else {
            found
        }
    }
}

/// What discovery knows of a snapshot besides reading files.
struct Tree<'a> {
    files: &'a dyn RepoFiles,
    /// Every directory holding a listed file, and their ancestors (`.`).
    directories: BTreeSet<String>,
    /// Repository-relative directory → its kustomization.
    kustomizations: BTreeMap<String, Kustomization>,
}

impl Tree<'_> {
    fn has_file(&self, path: &str) -> bool {
        self.files
            .paths()
            .binary_search_by(|p| p.as_str().cmp(path))
            .is_ok()
    }
}

/// Discovery over a snapshot; `known` may say, for a repository-relative
/// path, whether its text mentions a unit group without reading it.
fn discover_units(
    files: &dyn RepoFiles,
    known: &(dyn Fn(&str) -> Option<bool> + Sync),
    config: Option<&[ConfigUnit]>,
) -> Vec<Unit> {
    let mut directories = BTreeSet::from([".".to_owned()]);
    let mut kustomizations = BTreeMap::new();
    for path in files.paths() {
        let mut dir = parent_of(path);
        while dir != "." && directories.insert(dir.clone()) {
            dir = parent_of(&dir);
        }
        // The first of kustomize's file names in a directory is the one it
        // reads (paths are sorted: `Kustomization` before the others).
        if is_kustomization_path(Path::new(path)) {
            let dir = parent_of(path);
            let preferred = ["kustomization.yaml", "kustomization.yml", "Kustomization"]
                .iter()
                .map(|name| files::join(&dir, name))
                .find(|candidate| {
                    files
                        .paths()
                        .binary_search_by(|p| p.as_str().cmp(candidate))
                        .is_ok()
                });
            if preferred.as_deref() == Some(path.as_str()) {
                kustomizations.insert(dir.clone(), kustomizations::read(files, path, &dir));
            }
        }
    }
    let tree = Tree {
        files,
        directories,
        kustomizations,
    };
    let declared: Vec<Declared> = match config {
        Some(config) => config::expand(config, &tree),
        None => declared_in(&tree, known),
    };
    let mut units = Vec::new();
    let pointed: BTreeSet<String> = declared.iter().map(|d| d.unit.path.clone()).collect();
    for declared in declared {
        units.push(finish(declared, &tree));
    }
    if config.is_none() {
        let referenced: BTreeSet<&String> = tree
            .kustomizations
            .values()
            .flat_map(|k| k.references.iter())
            .collect();
        for (dir, kustomization) in &tree.kustomizations {
            if referenced.contains(dir) || pointed.contains(dir) {
                continue;
            }
            units.push(finish(
                Declared {
                    unit: Unit {
                        kind: UnitKind::Kustomization,
                        name: dir.clone(),
                        path: dir.clone(),
                        destination_namespace: kustomization.namespace.clone(),
                        renderer: Renderer::Kustomize,
                        reach: Reach::Directory,
                        inputs: UnitInputs::default(),
                    },
                    hints: Hints::default(),
                    declared_in: None,
                },
                &tree,
            ));
        }
    }
    units.sort_by(|a, b| (a.kind, &a.path, &a.name).cmp(&(b.kind, &b.path, &b.name)));
    units.dedup_by(|a, b| a.kind == b.kind && a.path == b.path && a.name == b.name);
    units
}

/// The units the snapshot's manifests declare. Nine files in ten declare
/// no unit: a byte search over the raw file rules them out before any
/// decoding or parsing, in parallel, so that discovery costs little more
/// than the walk `validate` does anyway.
fn declared_in(tree: &Tree<'_>, known: &(dyn Fn(&str) -> Option<bool> + Sync)) -> Vec<Declared> {
    let found: Vec<Vec<Declared>> = tree
        .files
        .paths()
        .par_iter()
        .filter(|path| {
            has_manifest_extension(Path::new(path))
                && !is_kustomization_path(Path::new(path))
                && known(path) != Some(false)
        })
        .filter_map(|path| {
            let bytes = tree.files.read(path)?;
            mentions_unit_groups(&bytes).then(|| parse(path, bytes))?
        })
        .map(|(path, file)| {
            file.documents()
                .iter()
                .filter_map(|doc| super::parse_document(&file, doc).ok().flatten())
                .flat_map(|value| declare::declared_units(&value, &path, tree))
                .collect()
        })
        .collect();
    found.into_iter().flatten().collect()
}

/// A snapshot's file as a [`SourceFile`], named by its repository path.
fn parse(path: &str, bytes: Vec<u8>) -> Option<(String, SourceFile)> {
    let format = FileFormat::from_path(Path::new(path));
    let file = source_from_bytes(PathBuf::from(path), path.to_owned(), bytes, format).ok()?;
    Some((path.to_owned(), file))
}

/// A declared unit made whole: what it reaches, how it renders, what its
/// rendering reads, and the namespace of its own kustomization when it
/// names none.
fn finish(declared: Declared, tree: &Tree<'_>) -> Unit {
    let Declared {
        mut unit,
        hints,
        declared_in,
    } = declared;
    let kustomization = tree.kustomizations.get(&unit.path);
    let closure = kustomization.map(|_| kustomizations::closure(tree, &unit.path));
    // A `units:` entry reaches its whole directory, kustomization or not.
    if let Some(closure) = closure.as_ref().filter(|_| unit.kind != UnitKind::Config) {
        unit.reach = Reach::Kustomize {
            directories: closure.directories.clone(),
            files: closure.resources.clone(),
        };
    }
    if unit.destination_namespace.is_none() {
        unit.destination_namespace = kustomization.and_then(|k| k.namespace.clone());
    }
    let chart = tree.has_file(&files::join(&unit.path, "Chart.yaml"));
    unit.renderer = match unit.kind {
        UnitKind::ArgocdApplication | UnitKind::ArgocdApplicationset => {
            if let Some(name) = hints.plugin {
                Renderer::Plugin { name }
            } else if hints.helm.is_some() || chart {
                let helm = hints.helm.unwrap_or_default();
                Renderer::Helm {
                    values: helm
                        .value_files
                        .iter()
                        .filter(|v| !v.starts_with('$') && !v.contains("://"))
                        .filter_map(|v| normalize(&unit.path, v))
                        .collect(),
                    release: helm.release_name.unwrap_or_else(|| unit.name.clone()),
                    namespace: unit.destination_namespace.clone(),
                }
            } else if closure.is_some() {
                Renderer::Kustomize
            } else {
                Renderer::Directory {
                    recurse: unit.reach == Reach::Recursive,
                }
            }
        }
        UnitKind::Directory => Renderer::Directory { recurse: false },
        _ if closure.is_some() => Renderer::Kustomize,
        _ => Renderer::Directory { recurse: true },
    };
    let mut directories = BTreeSet::new();
    let mut inputs = BTreeSet::new();
    let own = |recursive| InputDirectory {
        path: unit.path.clone(),
        recursive,
    };
    match &unit.renderer {
        Renderer::Helm { values, .. } => {
            directories.insert(own(true));
            inputs.extend(values.iter().cloned());
        }
        Renderer::Directory { recurse } => {
            directories.insert(own(*recurse));
        }
        Renderer::Kustomize | Renderer::Plugin { .. } => {
            // A `units:` entry and a plugin read the whole directory; a
            // kustomization only what it names.
            if unit.kind == UnitKind::Config || matches!(unit.renderer, Renderer::Plugin { .. }) {
                directories.insert(own(true));
            }
        }
    }
    if let Some(closure) = closure {
        directories.extend(closure.directories.into_iter().map(|path| InputDirectory {
            path,
            recursive: false,
        }));
        inputs.extend(closure.resources);
        inputs.extend(closure.named);
    }
    inputs.extend(declared_in);
    unit.inputs = UnitInputs {
        directories: directories.into_iter().collect(),
        files: inputs.into_iter().collect(),
    };
    unit
}

/// The root units are discovered under for these command-line paths: the
/// git work tree of the first path that is not `-`; outside git, the path
/// itself when it is a directory (`validate DIR` is about DIR), else the
/// current directory when the file is inside it, else the file's
/// directory. `None` when every path is `-` (standard input has no unit).
pub fn root_for(paths: &[PathBuf]) -> Option<PathBuf> {
    let first = paths.iter().find(|p| !super::is_stdin(p))?;
    let is_dir = first.is_dir();
    let start = if is_dir {
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
    // Outside git, a file's path reads relative to where the user stands,
    // unless the file is elsewhere: then its own directory is the root
    // (walking an unrelated working directory would cost a walk and find
    // nothing).
    from_git.or_else(|| {
        let absolute = start.canonicalize().unwrap_or(start);
        if is_dir {
            return Some(absolute);
        }
        let cwd = std::env::current_dir().ok()?;
        Some(if absolute.starts_with(&cwd) {
            cwd
        } else {
            absolute
        })
    })
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

/// Whether the repository-relative path `dir` is `ancestor` or below it,
/// by whole components (`.` is the root, above everything).
pub fn is_under(dir: &str, ancestor: &str) -> bool {
    ancestor == "."
        || dir == ancestor
        || dir
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests;
