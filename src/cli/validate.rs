//! `mz-presync validate`: wiring only; the checks live in `crate::check`,
//! the formats in `crate::report::findings`.

use std::io::Write;
use std::path::PathBuf;

use crate::check::{CheckOptions, ValidateOptions, validate_paths};
use crate::crd::{Algorithm, Version};
use crate::report::findings::{self, Format, RenderOptions, Report};
use crate::source::{DEFAULT_MAX_FILE_SIZE, WalkOptions};

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
    after_help = "Examples:\n  mz-presync validate\n  mz-presync validate clusters/ --strict --require-version v1alpha2\n  helm template mz chart/ | mz-presync validate -\n  mz-presync validate --format sarif > mz-presync.sarif\n\nSilence a finding with the annotation `mz-presync.io/ignore: RULE[,RULE]` on the\nresource, or a comment `# mz-presync: ignore[RULE]` on its line."
)]
pub struct Args {
    /// Files or directories to check; `-` reads a stream from stdin.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format: human (stderr), json, sarif or github (stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Unknown fields are errors, not warnings.
    #[arg(long)]
    strict: bool,
    /// Objects of an older apiVersion are errors (deprecated-version).
    #[arg(long, value_name = "VERSION", value_parser = ["v1alpha2", "v1"])]
    require_version: Option<String>,
    /// Do not honour .gitignore / .ignore files when walking directories.
    #[arg(long)]
    no_ignore: bool,
    /// Files larger than this many bytes are reported instead of read.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
    /// Rollout hash algorithm for hash comparisons (forcePromote, migration
    /// neutrality); default: the one matching each object's version.
    #[arg(long, value_parser = ["v1alpha2", "v1"])]
    algorithm: Option<String>,
    /// Benchmark baseline: read and parse everything, run no check, print
    /// the summary.
    #[arg(long, hide = true)]
    parse_only: bool,
}

pub fn run(args: Args, ctx: &super::Context) -> anyhow::Result<i32> {
    let options = ValidateOptions {
        check: CheckOptions {
            strict: args.strict,
            require_version: args.require_version.as_deref().and_then(Version::parse),
            algorithm: args.algorithm.as_deref().and_then(Algorithm::parse),
            partial: false,
        },
        walk: WalkOptions {
            no_ignore: args.no_ignore,
            max_file_size: args.max_file_size,
        },
        parse_only: args.parse_only,
        ..ValidateOptions::default()
    };
    let validation = match validate_paths(&args.paths, &options) {
        Ok(validation) => validation,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(super::EXIT_USAGE);
        }
    };
    let report = Report::from(&validation);
    let color = if args.format.is_human() {
        ctx.color_stderr
    } else {
        false
    };
    let text = findings::render(
        args.format,
        report,
        RenderOptions {
            color,
            quiet: ctx.quiet,
        },
    );
    if args.format.is_human() {
        anstream::AutoStream::new(std::io::stderr(), stream_choice(color))
            .write_all(text.as_bytes())?;
    } else {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()?;
        if args.format == Format::Github && !ctx.quiet {
            eprintln!("{}", findings::summary_line(&validation.summary));
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

fn stream_choice(color: bool) -> anstream::ColorChoice {
    if color {
        anstream::ColorChoice::Always
    } else {
        anstream::ColorChoice::Never
    }
}
