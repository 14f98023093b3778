//! `mz-presync validate`: wiring only; the checks live in `crate::check`,
//! the formats in `crate::report::findings`.

use clap::ArgAction;
use clap::builder::BoolishValueParser;
use std::io::Write;

use super::args::{self, Paths};
use crate::check::{CheckOptions, ValidateOptions, validate_paths};
use crate::crd::{Algorithm, Operator, Version};
use crate::report::findings::{self, Format, RenderOptions, Report};
use crate::report::style;

/// Check every Materialize resource under the given paths.
///
/// Walks directories (respecting .gitignore and .ignore, skipping hidden
/// directories), reads every *.yaml, *.yml and *.json file, and checks each
/// `materialize.cloud` `Materialize` object against the schema of its
/// apiVersion and the rules listed by `mz-presync explain`. Other kinds are
/// counted and ignored. Exit code 0: no error finding; 1: at least one;
/// 2: usage or I/O error.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  mz-presync validate\n  mz-presync validate clusters/ --strict --require-version v1alpha2\n  helm template mz chart/ | mz-presync validate -\n  mz-presync validate --format sarif > mz-presync.sarif\n\nSilence a finding with the annotation `mz-presync.io/ignore: RULE[,RULE]` on the\nresource, or a comment `# mz-presync: ignore[RULE]` on its line.",
    mut_arg("paths", |a| a.help("Files or directories to check; `-` reads a stream from stdin")),
    mut_arg("format", |a| a.help("Output format: human (stderr), json, sarif, github or markdown (stdout)").env("MZ_PRESYNC_VALIDATE_FORMAT"))
)]
pub struct Args {
    // Declaration order is the order of the help's options.
    #[command(flatten)]
    format: args::Format<Format>,
    /// Unknown fields are errors, not warnings.
    #[arg(long, env = "MZ_PRESYNC_STRICT", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    strict: bool,
    /// Objects of an older apiVersion are errors (deprecated-version).
    #[arg(long, env = "MZ_PRESYNC_REQUIRE_VERSION", value_name = "VERSION", value_parser = args::version())]
    require_version: Option<Version>,
    #[command(flatten)]
    paths: Paths,
    /// Rollout hash algorithm for hash comparisons (forcePromote, migration
    /// neutrality); default: the one matching each object's version.
    #[arg(long, env = "MZ_PRESYNC_ALGORITHM", value_parser = args::algorithm())]
    algorithm: Option<Algorithm>,
    /// Benchmark baseline: read and parse everything, run no check, print
    /// the summary.
    #[arg(long, hide = true)]
    parse_only: bool,
}

pub fn run(args: Args, ctx: &super::Context) -> anyhow::Result<i32> {
    let options = ValidateOptions {
        check: CheckOptions {
            strict: args.strict,
            require_version: args.require_version,
            // The released operator hashes with the v1 algorithm whatever
            // the object's version.
            algorithm: args.algorithm.or(match ctx.operator {
                Operator::Released => Some(Algorithm::V1),
                Operator::Design => None,
            }),
            operator: ctx.operator,
            partial: false,
        },
        walk: args.paths.walk(ctx),
        parse_only: args.parse_only,
        model_notes: true,
        units: true,
        configured_units: ctx.units.clone(),
        ..ValidateOptions::default()
    };
    let mut validation = match validate_paths(&args.paths.paths, &options) {
        Ok(validation) => validation,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(super::EXIT_USAGE);
        }
    };
    if !ctx.overrides.is_empty() {
        ctx.overrides.apply(&mut validation.findings);
        validation.summary.recount(&validation.findings);
    }
    let format = args.format.format;
    let paths: Vec<String> = args
        .paths
        .paths
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let report = Report {
        paths: &paths,
        ..Report::from(&validation)
    };
    let color = if format.is_human() {
        ctx.color_stderr
    } else {
        false
    };
    let text = findings::render(
        format,
        report,
        RenderOptions {
            color,
            quiet: ctx.quiet,
        },
    );
    if format.is_human() {
        style::stream(std::io::stderr(), color).write_all(text.as_bytes())?;
    } else {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()?;
        if format == Format::Github && !ctx.quiet {
            eprintln!(
                "{}",
                findings::summary_line(&validation.summary, validation.operator)
            );
        }
    }
    for error in &validation.io_errors {
        eprintln!("error: {error}");
    }
    Ok(if !validation.io_errors.is_empty() {
        super::EXIT_USAGE
    } else if validation.has_errors() {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_OK
    })
}
