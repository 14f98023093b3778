//! The repository's configuration file, `.mz-presync.yaml`, found upward
//! from the working directory like git finds `.git`: one file per GitOps
//! repository says which operator generation its clusters run, so that
//! every integration (the Action, the Argo CD plugin, pre-commit hooks, a
//! developer's shell) gives the same verdicts without repeating flags.
//!
//! Precedence, highest first: a command-line flag, its `MZ_PRESYNC_*`
//! environment variable, this file, the built-in default.
//!
//! Unknown keys are errors: a misspelt `operatr: released` silently giving
//! design-document verdicts is the kind of mistake this tool exists to
//! catch. The JSON Schema is `schemas/config.schema.json` (generated from
//! [`Config`], checked by a test); editors pick it up from a
//! `# yaml-language-server: $schema=…` modeline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;

use crate::crd::Operator;
use crate::source::ConfigUnit;

/// The file name looked for in the working directory and its parents.
pub const FILE_NAME: &str = ".mz-presync.yaml";

/// Largest configuration file read: it is a few lines; anything bigger is
/// not one.
const MAX_SIZE: u64 = 1 << 20;

/// Settings for a repository.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "mz-presync configuration (.mz-presync.yaml)")]
pub struct Config {
    /// Which operator generation reconciles the repository's Materialize
    /// resources: `design` (the design document: v1alpha2 stored,
    /// hash-triggered rollouts) or `released` (operator v26.30 and later:
    /// v1alpha1 stored, v1 served with --install-v1-crd, requestRollout
    /// derived from the v1 hash). Default: design.
    #[serde(default)]
    pub operator: Option<Operator>,
    /// Rule overrides, by rule id (`mz-presync explain` lists them):
    /// `off` drops the rule's findings, `error`, `warning` or `note` gives
    /// them that severity (an error fails the run). Applies to `validate`,
    /// `rollouts` and `render`; an unknown id is an error.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleSetting>,
    /// Files and directories that `validate`, `migrate`, `hash` and `render`
    /// skip when walking a directory, as gitignore-like globs relative to
    /// this file's directory (`*` stays within a path segment, `**` crosses
    /// them, a pattern without `/` matches a name at any depth, a leading
    /// `/` anchors it here). A file named on the command line is read
    /// anyway.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Deploy units, when discovery (Argo CD Applications and
    /// ApplicationSets, Flux Kustomizations, kustomize roots) does not see
    /// how the repository is deployed. Each entry's `path` is a glob over
    /// directories relative to this file's directory; every matching
    /// directory is one unit holding its files and its subdirectories'.
    /// Given, this list REPLACES discovery: files no entry reaches fall
    /// back to their own directory.
    #[serde(default)]
    pub units: Option<Vec<ConfigUnit>>,
}

/// What `rules:` says about one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleSetting {
    /// Drop the rule's findings.
    Off,
    /// Report them as errors (the run fails).
    Error,
    /// Report them as warnings.
    Warning,
    /// Report them as notes.
    Note,
}

/// A configuration file that was found, and what it says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    /// `None` when no file was found.
    pub path: Option<PathBuf>,
    pub config: Config,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is larger than 1 MiB; it is not an mz-presync configuration file")]
    TooLarge { path: PathBuf },
    #[error(
        "{path} is not a valid mz-presync configuration: {reason}; see `schemas/config.schema.json` for what it may hold"
    )]
    Invalid { path: PathBuf, reason: String },
}

/// The file that applies to `start`: `start/.mz-presync.yaml` or the first
/// one in a parent directory.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Find and read the configuration for the working directory.
pub fn load_for_cwd() -> Result<Loaded, ConfigError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match find(&cwd) {
        Some(path) => load(&path),
        None => Ok(Loaded::default()),
    }
}

/// Read one configuration file.
pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
    let io = |source| ConfigError::Io {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_SIZE {
        return Err(ConfigError::TooLarge {
            path: path.to_owned(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    let config = parse(&text).map_err(|reason| ConfigError::Invalid {
        path: path.to_owned(),
        reason,
    })?;
    Ok(Loaded {
        path: Some(path.to_owned()),
        config,
    })
}

/// Parse the text of a configuration file. An empty file (or one holding
/// only comments) is the default configuration.
pub fn parse(text: &str) -> Result<Config, String> {
    if text
        .lines()
        .all(|line| line.trim().is_empty() || line.trim_start().starts_with('#'))
    {
        return Ok(Config::default());
    }
    let config: Config = yaml_serde::from_str(text).map_err(|err| err.to_string())?;
    for unit in config.units.iter().flatten() {
        unit.check()?;
    }
    Ok(config)
}

/// The JSON Schema of the file, as checked in under `schemas/`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Config);
    let mut text = serde_json::to_string_pretty(&schema).expect("schema serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_operator_and_rejects_unknown_keys() {
        assert_eq!(
            parse("operator: released\n").unwrap().operator,
            Some(Operator::Released)
        );
        assert_eq!(parse("# nothing yet\n\n").unwrap(), Config::default());
        let err = parse("operatr: released\n").unwrap_err();
        assert!(err.contains("operatr"), "{err}");
        let err = parse("operator: Released\n").unwrap_err();
        assert!(err.contains("Released"), "{err}");
    }

    #[test]
    fn reads_rules_and_ignore() {
        let config = parse(
            "rules:\n  unknown-field: error\n  deprecated-version: off\nignore:\n  - vendor/\n  - '**/*.generated.yaml'\n",
        )
        .unwrap();
        assert_eq!(config.rules["unknown-field"], RuleSetting::Error);
        assert_eq!(config.rules["deprecated-version"], RuleSetting::Off);
        assert_eq!(config.ignore, ["vendor/", "**/*.generated.yaml"]);
        assert_eq!(config.operator, None);
        let err = parse("rules:\n  unknown-field: fatal\n").unwrap_err();
        assert!(err.contains("fatal"), "{err}");
        let err = parse("rules:\n  unknown-field: {disable: true}\n").unwrap_err();
        assert!(!err.is_empty());
        let err = parse("ignore: vendor\n").unwrap_err();
        assert!(err.contains("ignore") || err.contains("sequence"), "{err}");
        let err = parse("rule:\n  schema: off\n").unwrap_err();
        assert!(err.contains("rule"), "{err}");
    }

    #[test]
    fn reads_units() {
        let config = parse(
            "units:\n  - path: clusters/*\n    namespace: materialize\n  - path: legacy\n    name: old\n",
        )
        .unwrap();
        let units = config.units.unwrap();
        assert_eq!(units[0].path, "clusters/*");
        assert_eq!(units[0].namespace.as_deref(), Some("materialize"));
        assert_eq!(units[1].name.as_deref(), Some("old"));
        assert_eq!(parse("units: []\n").unwrap().units, Some(vec![]));
        assert_eq!(parse("operator: design\n").unwrap().units, None);
        let err = parse("units:\n  - path: a\n    nmae: x\n").unwrap_err();
        assert!(err.contains("nmae"), "{err}");
        let err = parse("units:\n  - path: clusters/*\n    name: x\n").unwrap_err();
        assert!(
            err.contains("wildcard") && err.contains("clusters/*"),
            "{err}"
        );
        let err = parse("units:\n  - path: 'a/[b'\n").unwrap_err();
        assert!(err.contains("not a glob"), "{err}");
    }

    #[test]
    fn found_upward_like_git() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("clusters/prod");
        std::fs::create_dir_all(&nested).unwrap();
        assert_eq!(find(&nested), None);
        std::fs::write(dir.path().join(FILE_NAME), "operator: released\n").unwrap();
        let found = find(&nested).unwrap();
        assert_eq!(found, dir.path().join(FILE_NAME));
        assert_eq!(
            load(&found).unwrap().config.operator,
            Some(Operator::Released)
        );
    }
}
