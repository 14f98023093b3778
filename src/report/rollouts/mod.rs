//! Reports for `rollouts`: human, json, markdown, github. Each renders a
//! whole [`History`] into a string for stdout ([`write`] streams the JSON).

pub mod github;
pub mod human;
pub mod json;
pub mod markdown;

use crate::check::Severity;
use crate::history::History;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
    Markdown,
    Github,
}

/// What makes `rollouts` exit 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FailOn {
    /// A rollout requested (by merging the range when it is `A..B`, see
    /// [`History::any_rollout`]), and any error finding: for teams that
    /// gate rollouts to maintenance windows.
    Rollout,
    /// A change that restarts the database (`restart: yes`; `maybe` does
    /// not count: it restarts only when changes are already pending, which
    /// no manifest shows), judged like `Rollout`, and any error finding.
    Restart,
    /// Any error finding.
    #[default]
    Error,
    Never,
}

impl FailOn {
    pub fn parse(name: &str) -> Option<FailOn> {
        match name {
            "rollout" => Some(FailOn::Rollout),
            "restart" => Some(FailOn::Restart),
            "error" => Some(FailOn::Error),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }

    /// Whether `history` fails the run.
    pub fn fails(self, history: &History) -> bool {
        let errors = history.count(Severity::Error) > 0;
        match self {
            FailOn::Rollout => errors || history.any_rollout(),
            FailOn::Restart => errors || history.any_restart(),
            FailOn::Error => errors,
            FailOn::Never => false,
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct ReportOptions {
    /// Human format: also list changes that start no rollout.
    pub verbose: bool,
    /// Human format: ANSI colours.
    pub color: bool,
    pub fail_on: FailOn,
}

/// Render `history` in `format`.
pub fn render(history: &History, format: Format, options: &ReportOptions) -> String {
    match format {
        Format::Human => human::render(history, options),
        Format::Json => json::render(history),
        Format::Markdown => markdown::render(history),
        Format::Github => github::render(history, options),
    }
}

/// [`render`] `history` into `out`; the JSON is written as it serializes.
pub fn write(
    history: &History,
    format: Format,
    options: &ReportOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(history, out),
        _ => out.write_all(render(history, format, options).as_bytes()),
    }
}
