//! `units:` of `.mz-presync.yaml`: deploy units named by directory globs,
//! for layouts discovery cannot read (an Application in another
//! repository, a CI job running `kubectl apply -k`). Given, they replace
//! discovery altogether, so that what the file says is the whole truth.

use globset::GlobBuilder;
use schemars::JsonSchema;
use serde::Deserialize;

use super::declare::{Declared, Hints};
use super::{Reach, Renderer, Tree, Unit, UnitInputs, UnitKind};

/// One `units:` entry.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigUnit {
    /// Directories that are each one deploy unit, as a glob relative to
    /// the configuration file's directory (`*` stays within a path
    /// segment, `**` crosses them): `clusters/*`. A unit holds its
    /// directory's files and its subdirectories', down to a directory
    /// another entry matches.
    pub path: String,
    /// The unit's name in reports (default: its directory). Only for a
    /// `path` without wildcards: a glob matching many directories would
    /// give them all one name.
    #[serde(default)]
    pub name: Option<String>,
    /// The namespace the unit deploys objects without `metadata.namespace`
    /// to (as an Application's `destination.namespace`).
    #[serde(default)]
    pub namespace: Option<String>,
}

impl ConfigUnit {
    /// A problem with the entry, worded for the user: a bad glob, or a
    /// name given to a glob with wildcards.
    pub fn check(&self) -> Result<(), String> {
        GlobBuilder::new(&pattern(&self.path))
            .literal_separator(true)
            .build()
            .map_err(|err| format!("units: path `{}` is not a glob: {err}", self.path))?;
        if self.name.is_some() && has_wildcard(&self.path) {
            return Err(format!(
                "units: path `{}` has a wildcard, so it can match several directories and cannot take one `name`; remove `name` (each unit is then named by its directory) or list each directory with its own name",
                self.path
            ));
        }
        Ok(())
    }

    /// The entry with its path relative to a directory `prefix` above the
    /// configuration file's (repository-relative, `.` for the same).
    pub fn rebased(&self, prefix: &str) -> ConfigUnit {
        let path = pattern(&self.path);
        let path = match (prefix, path.as_str()) {
            (".", _) | ("", _) => path,
            (_, ".") => prefix.to_owned(),
            _ => format!("{prefix}/{path}"),
        };
        ConfigUnit {
            path,
            ..self.clone()
        }
    }
}

fn has_wildcard(path: &str) -> bool {
    path.contains(['*', '?', '[', '{'])
}

/// A `path` as a glob over repository-relative directories: no leading
/// `./` or `/`, no trailing `/`; `.` for the root.
fn pattern(path: &str) -> String {
    let trimmed = path
        .trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/');
    if trimmed.is_empty() {
        ".".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The units the entries make over the snapshot's directories (an entry
/// that is not a valid glob makes none: the configuration was checked when
/// it was read).
pub(super) fn expand(entries: &[ConfigUnit], tree: &Tree<'_>) -> Vec<Declared> {
    let mut out = Vec::new();
    for entry in entries {
        let Ok(glob) = GlobBuilder::new(&pattern(&entry.path))
            .literal_separator(true)
            .build()
        else {
            continue;
        };
        let glob = glob.compile_matcher();
        for dir in tree
            .directories
            .iter()
            .filter(|d| glob.is_match(d.as_str()))
        {
            out.push(Declared {
                unit: Unit {
                    kind: UnitKind::Config,
                    name: entry.name.clone().unwrap_or_else(|| dir.clone()),
                    path: dir.clone(),
                    destination_namespace: entry.namespace.clone(),
                    renderer: Renderer::Directory { recurse: true },
                    reach: Reach::Recursive,
                    inputs: UnitInputs::default(),
                },
                hints: Hints::default(),
                declared_in: None,
            });
        }
    }
    out
}

/// `units:` as a configuration file gives them: paths relative to the
/// file's directory, which need not be the root units are discovered
/// under (a configuration above a repository, or inside it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfiguredUnits {
    /// The configuration file's directory.
    pub base: std::path::PathBuf,
    pub entries: Vec<ConfigUnit>,
}

impl ConfiguredUnits {
    /// The entries with paths relative to `root`. An entry whose glob
    /// cannot reach under `root` (the file is above it, the glob elsewhere)
    /// is left out.
    pub fn for_root(&self, root: &std::path::Path) -> Vec<ConfigUnit> {
        let canonical = |p: &std::path::Path| p.canonicalize().unwrap_or_else(|_| p.to_owned());
        let (root, base) = (canonical(root), canonical(&self.base));
        if let Some(prefix) = super::relative_to(&root, &base) {
            return self.entries.iter().map(|e| e.rebased(&prefix)).collect();
        }
        let Some(below) = super::relative_to(&base, &root) else {
            return Vec::new();
        };
        self.entries
            .iter()
            .filter_map(|entry| {
                let path = pattern(&entry.path);
                let path = if path == below {
                    ".".to_owned()
                } else {
                    path.strip_prefix(&format!("{below}/"))?.to_owned()
                };
                Some(ConfigUnit {
                    path,
                    ..entry.clone()
                })
            })
            .collect()
    }
}
