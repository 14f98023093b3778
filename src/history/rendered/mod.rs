//! `rollouts --render`: what a commit changes in the objects Argo CD
//! applies, for units that are built (a kustomize overlay, a Helm chart)
//! rather than read as files. A change to a shared base, an `images:`
//! entry or a Helm value rolls out every unit built from it; the file
//! heuristics ([`super::patches`]) cannot see that, the real tool can.
//!
//! Lives in `history` because rendering is another way to get the two
//! sides of a comparison: the rendered YAML stream is parsed like a blob
//! ([`super::resources::parse_blob`]) and compared with [`super::compare`],
//! so rendered changes get hashes, fields, rules and the operator model's
//! verdict like any other. Only the tools are outside: they run as child
//! processes on inputs written from git objects ([`inputs`]), never on the
//! working tree, with a timeout ([`tool`]).
//!
//! * [`range`] decides, per commit of the range (and for the range's ends),
//!   which rendered units' inputs changed, by comparing each unit's
//!   [`inputs::InputKey`] (a hash of the object ids at its input paths) in
//!   the commit and its parent: nothing is read or rendered for a commit
//!   that touches other units.
//! * [`units`] turns the deploy units [`crate::source::units`] discovers in
//!   a tree into the units to render (kustomize, Helm), with their inputs.
//! * [`render`] renders each distinct input state once per run (the cache
//!   is keyed by the input key), in parallel, and fails closed: a missing
//!   tool, a tool error or a timeout is an error, never an unrendered
//!   fallback.
//!
//! With `--render`, the files a rendered unit reads are compared only
//! through its render: a base change shows as one change per overlay built
//! from it, not also as a raw file change. Directory units stay unrendered.
//! Units rendered by the mz-presync Argo CD plugin are compared as
//! mz-presync reads them (their files, unrendered), which is what the plugin
//! hands Argo CD after conversion; a note says so.

pub mod inputs;
pub mod range;
pub mod render;
pub mod tool;
pub mod units;

use std::time::Duration;

use serde::Serialize;

use crate::source::units::UnitRef;
pub use crate::source::units::{InputDirectory, UnitInputs as Inputs};

pub use range::{RenderedRange, render_range};

/// What of a range the scan asks to render, besides its commits.
pub struct Ends<'a> {
    /// Also compare the range's head with this base (none: from nothing).
    pub net: Option<Option<git2::Oid>>,
    /// `rollouts -- PATH...`.
    pub paths: &'a super::pathspec::Pathspec,
    /// The configuration's `units:`, which replace discovery.
    pub config: Option<&'a [crate::source::units::ConfigUnit]>,
    /// Units the scan already discovered (with the same `config`), by the
    /// id of their tree: the range's ends are not discovered again.
    pub discovered: &'a [(git2::Oid, crate::source::units::Units)],
}

/// [`render_range`] over the units [`units::units_at`] finds in each tree.
pub fn render_commits(
    repo: &git2::Repository,
    plan: &super::range::RangePlan,
    ends: &Ends<'_>,
    options: RenderOptions,
    compare_options: &super::compare::CompareOptions,
) -> Result<RenderedRange, super::HistoryError> {
    let mut notes = Vec::new();
    let mut units_at = |repo: &git2::Repository, tree: &git2::Tree<'_>| match ends
        .discovered
        .iter()
        .find(|(id, _)| *id == tree.id())
    {
        Some((_, known)) => Ok(units::render_units(known, &mut notes)),
        None => units::units_at(repo, tree, ends.config, &mut notes),
    };
    let mut range = render_range(
        repo,
        plan,
        ends.net,
        ends.paths,
        options,
        compare_options,
        &mut units_at,
    )?;
    notes.append(&mut range.summary.notes);
    let mut seen = std::collections::HashSet::new();
    notes.retain(|note| seen.insert(note.clone()));
    range.summary.notes = notes;
    Ok(range)
}

/// Argo CD's default timeout for a config management tool (the repo
/// server's `exec` timeout).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(90);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// How long one render may run before it is killed.
    pub timeout: Duration,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Which tool built a rendered change; `"rendered"` in the JSON report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RenderedBy {
    Kustomize,
    Helm,
}

impl RenderedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            RenderedBy::Kustomize => "kustomize",
            RenderedBy::Helm => "helm",
        }
    }
}

/// How one unit is built.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum How {
    /// `kustomize build` of the unit's directory.
    Kustomize,
    /// `helm template RELEASE CHART [--namespace NS] [-f VALUES]…`; paths
    /// are repository-relative.
    Helm {
        chart: String,
        release: String,
        namespace: Option<String>,
        values: Vec<String>,
    },
}

impl How {
    pub fn rendered_by(&self) -> RenderedBy {
        match self {
            How::Kustomize => RenderedBy::Kustomize,
            How::Helm { .. } => RenderedBy::Helm,
        }
    }

    /// What besides the inputs decides the output, for the cache key.
    fn spec(&self, unit: &UnitRef) -> String {
        match self {
            How::Kustomize => format!("kustomize\0{}", unit.path),
            How::Helm {
                chart,
                release,
                namespace,
                values,
            } => format!(
                "helm\0{chart}\0{release}\0{}\0{}",
                namespace.as_deref().unwrap_or(""),
                values.join("\0")
            ),
        }
    }
}

/// A unit as rendering needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderUnit {
    pub unit: UnitRef,
    pub how: How,
    /// What the render reads ([`crate::source::units::Unit::inputs`]):
    /// written into the temporary tree, their object ids are the cache key,
    /// and with `--render` a changed file among them is compared only
    /// through the render.
    pub inputs: Inputs,
    /// Where rendered objects without a namespace end up.
    pub destination_namespace: Option<String>,
}

/// What rendering did in one run, for `--verbose` and the notes the CLI
/// prints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RenderSummary {
    /// Tool runs (distinct input states).
    pub renders: usize,
    /// Renders asked for and answered from the cache.
    pub cache_hits: usize,
    /// What was left out (symbolic links, plugin units), once each.
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(
        "rendering {unit} needs {tool}, which is not on PATH: {install} (or run rollouts without --render)"
    )]
    ToolMissing {
        unit: String,
        tool: &'static str,
        install: &'static str,
    },
    #[error("rendering {unit} at {commit} failed: `{command}` {status}:\n{stderr}")]
    ToolFailed {
        unit: String,
        commit: String,
        command: String,
        status: String,
        stderr: String,
    },
    #[error(
        "rendering {unit} at {commit}: `{command}` ran longer than {} and was killed; raise --render-timeout (MZ_PRESYNC_RENDER_TIMEOUT) if it needs longer",
        humantime::format_duration(*timeout)
    )]
    Timeout {
        unit: String,
        commit: String,
        command: String,
        timeout: Duration,
    },
    #[error("rendering {unit} at {commit}: could not start `{command}`: {message}")]
    Spawn {
        unit: String,
        commit: String,
        command: String,
        message: String,
    },
    #[error("rendering {unit}: {message}")]
    Inputs { unit: String, message: String },
}

/// How a unit is named in messages: `argocd-application us-east (apps/overlays/us-east)`.
pub fn describe(unit: &UnitRef) -> String {
    let kind = serde_json::to_value(unit.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    if unit.name == unit.path {
        format!("{kind} {}", unit.path)
    } else {
        format!("{kind} {} ({})", unit.name, unit.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_contain_files_of_directories_trees_and_files() {
        let dir = |path: &str, recursive| InputDirectory {
            path: path.into(),
            recursive,
        };
        let covers = Inputs {
            directories: vec![dir("apps/o", false), dir("charts/mz", true)],
            files: vec!["values/prod.yaml".into()],
        };
        assert!(covers.contains("apps/o/k.yaml"));
        assert!(!covers.contains("apps/o/sub/k.yaml"));
        assert!(!covers.contains("apps/other/k.yaml"));
        assert!(covers.contains("charts/mz/templates/mz.yaml"));
        assert!(!covers.contains("charts/mzx/a.yaml"));
        assert!(covers.contains("values/prod.yaml"));
        let root = Inputs {
            directories: vec![dir(".", false)],
            ..Inputs::default()
        };
        assert!(root.contains("k.yaml"));
        assert!(!root.contains("a/k.yaml"));
    }
}
