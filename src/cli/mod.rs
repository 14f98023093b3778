//! Command-line wiring only: parse arguments, call the library, pick a
//! report. Exit codes: 0 clean, 1 findings (or unhashable resources), 2
//! usage or I/O errors.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Parser, Subcommand, ValueEnum};

use crate::config::{self, RuleSetting};
use crate::crd::Operator;
use crate::finding::{Override, Overrides, Severity};
use crate::source::{ConfiguredUnits, Exclude};

mod args;
mod explain;
mod hash;
mod migrate;
mod render;
mod rollouts;
mod schema;
mod validate;

pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "mz-presync",
    version,
    about = "Validate, migrate and diff the rollout hash of Materialize resources before they sync.",
    long_about = None,
    propagate_version = true,
    after_help = "Examples:\n  mz-presync validate clusters/\n  mz-presync migrate --diff .\n  mz-presync rollouts origin/main..HEAD\n  mz-presync hash mz.yaml"
)]
struct Cli {
    /// When to use colour: auto (on a terminal or with FORCE_COLOR / CLICOLOR_FORCE, never with NO_COLOR), always, never.
    #[arg(long, global = true, env = "MZ_PRESYNC_COLOR", value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,
    /// Print nothing on stderr but errors.
    #[arg(long, short, global = true, env = "MZ_PRESYNC_QUIET", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    quiet: bool,
    /// Which operator generation reconciles the resources: design (the design document) or released (operator v26.30+). Default: `operator:` in .mz-presync.yaml, else design.
    #[arg(long, global = true, env = "MZ_PRESYNC_OPERATOR", value_parser = args::operator(), value_name = "MODEL")]
    operator: Option<Operator>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
enum Command {
    Hash(hash::Args),
    Validate(validate::Args),
    Migrate(migrate::Args),
    Rollouts(rollouts::Args),
    Render(render::Args),
    Explain(explain::Args),
    Schema(schema::Args),
}

/// What every command needs to know about its terminal, and the operator
/// model its verdicts are for.
#[derive(Clone, Debug)]
pub struct Context {
    pub color_stdout: bool,
    pub color_stderr: bool,
    pub quiet: bool,
    pub stderr_is_terminal: bool,
    pub operator: Operator,
    /// `rules:` of `.mz-presync.yaml`, checked against the catalogue.
    pub overrides: Overrides,
    /// `ignore:` of `.mz-presync.yaml`, relative to its directory.
    pub exclude: Option<Arc<Exclude>>,
    /// `units:` of `.mz-presync.yaml` (replacing unit discovery).
    pub units: Option<Arc<ConfiguredUnits>>,
}

impl Context {
    fn new(choice: ColorChoice, quiet: bool, operator: Operator) -> Context {
        let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let no_color = env("NO_COLOR").is_some();
        let force_color =
            env("FORCE_COLOR").is_some() || env("CLICOLOR_FORCE").is_some_and(|v| v != "0");
        let decide = |is_terminal: bool| color_wanted(choice, no_color, force_color, is_terminal);
        let stderr_is_terminal = std::io::stderr().is_terminal();
        Context {
            color_stdout: decide(std::io::stdout().is_terminal()),
            color_stderr: decide(stderr_is_terminal),
            quiet,
            stderr_is_terminal,
            operator,
            overrides: Overrides::default(),
            exclude: None,
            units: None,
        }
    }
}

/// Precedence: `--color never` / `always`, then `NO_COLOR` (off), then
/// `FORCE_COLOR` / `CLICOLOR_FORCE` (on), then whether the stream is a
/// terminal.
fn color_wanted(choice: ColorChoice, no_color: bool, force_color: bool, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && (force_color || is_terminal),
    }
}

/// What `.mz-presync.yaml` says, checked.
struct Resolved {
    operator: Operator,
    overrides: Overrides,
    exclude: Option<Arc<Exclude>>,
    units: Option<Arc<ConfiguredUnits>>,
}

/// What the repository's `.mz-presync.yaml` says: the operator model (the
/// flag or `MZ_PRESYNC_OPERATOR` first, else the file's, else the design
/// document's), the rule overrides, the walk's exclusions and the deploy
/// units. An unknown rule id or a bad glob is an error naming the file.
fn resolve(flag: Option<Operator>) -> Result<Resolved, String> {
    let loaded = config::load_for_cwd().map_err(|err| err.to_string())?;
    let operator = flag.or(loaded.config.operator).unwrap_or_default();
    let Some(path) = loaded.path else {
        return Ok(Resolved {
            operator,
            overrides: Overrides::default(),
            exclude: None,
            units: None,
        });
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let base = std::path::absolute(base).unwrap_or_else(|_| base.to_owned());
    let units = loaded.config.units.map(|entries| {
        Arc::new(ConfiguredUnits {
            base: base.clone(),
            entries,
        })
    });
    let overrides = overrides(&loaded.config.rules)
        .map_err(|reason| format!("{}: {reason}", path.display()))?;
    let exclude = if loaded.config.ignore.is_empty() {
        None
    } else {
        let exclude = Exclude::new(&base, &loaded.config.ignore)
            .map_err(|reason| format!("{}: {reason}", path.display()))?;
        Some(Arc::new(exclude))
    };
    Ok(Resolved {
        operator,
        overrides,
        exclude,
        units,
    })
}

/// `rules:` checked against the catalogue ([`crate::rules::find`]).
fn overrides(rules: &BTreeMap<String, RuleSetting>) -> Result<Overrides, String> {
    let mut overrides = Overrides::default();
    let mut unknown = Vec::new();
    for (id, setting) in rules {
        let Some(rule) = crate::rules::find(id) else {
            unknown.push(id.as_str());
            continue;
        };
        let value = match setting {
            RuleSetting::Off => Override::Off,
            RuleSetting::Error => Override::Severity(Severity::Error),
            RuleSetting::Warning => Override::Severity(Severity::Warning),
            RuleSetting::Note => Override::Severity(Severity::Note),
        };
        overrides.0.insert(rule.id(), value);
    }
    if unknown.is_empty() {
        return Ok(overrides);
    }
    let valid: Vec<&str> = crate::rules::all().map(|rule| rule.id).collect();
    Err(format!(
        "unknown rule id{} {} under `rules:`; valid ids: {}",
        if unknown.len() == 1 { "" } else { "s" },
        unknown.join(", "),
        valid.join(", ")
    ))
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_OK
            };
        }
    };
    let resolved = match resolve(cli.operator) {
        Ok(resolved) => resolved,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_USAGE;
        }
    };
    let mut ctx = Context::new(cli.color, cli.quiet, resolved.operator);
    ctx.overrides = resolved.overrides;
    ctx.exclude = resolved.exclude;
    ctx.units = resolved.units;
    let result = match cli.command {
        Command::Hash(args) => hash::run(args, &ctx),
        Command::Validate(args) => validate::run(args, &ctx),
        Command::Migrate(args) => migrate::run(args, &ctx),
        Command::Rollouts(args) => rollouts::run(args, &ctx),
        Command::Render(args) => render::run(args, &ctx),
        Command::Explain(args) => explain::run(args, &ctx),
        Command::Schema(args) => schema::run(args, &ctx),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            EXIT_USAGE
        }
    }
}
