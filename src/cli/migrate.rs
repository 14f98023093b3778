//! `mz-presync migrate`: wiring for `crate::migrate`; what it prints is
//! `crate::report::migrate`.

use clap::ArgAction;
use clap::builder::BoolishValueParser;
use std::io::Write;

use super::args::{self, Paths, TargetVersion};
use crate::migrate::{self, BatchOptions, Outcome, Tally, Verdict};
use crate::report::migrate::{self as report, Format};
use crate::report::style::{self, Painter};

/// Rewrite v1alpha1 Materialize resources to v1alpha2 (or v1) in place.
///
/// Only the lines that must change are touched: the apiVersion value,
/// removed fields (with their end-of-line comment), the IAM role ARN moved
/// into the service account annotations, and derived status hashes.
/// Comments, key order, quoting, blank lines, other documents, CRLF line
/// endings and a BOM stay byte for byte. Every migrated file is parsed again
/// and compared with the operator's conversion before it is written
/// (atomically); a file that fails that check, or does not parse, is left
/// untouched and reported. Kustomize patch targets that select v1alpha1
/// Materialize objects get their version updated; patch files they
/// reference are migrated as partial objects.
///
/// For each migrated resource one line on stderr says what changed and
/// whether merging the change requests a rollout under the operator model:
/// rollout-neutral under the design document (the operator computes the
/// same rollout hash as for the original); under --operator released,
/// adopting v1 requests one rollout (nothing restarts unless changes are
/// already pending), and v1alpha2 objects, which it does not serve, are
/// renamed to v1. --format json prints the same per resource on stdout.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  mz-presync migrate .                  # rewrite every v1alpha1 resource under .\n  mz-presync migrate --diff clusters/   # show what would change, write nothing\n  mz-presync migrate --check .          # CI: exit 1 if anything is still v1alpha1\n  mz-presync migrate --to v1 mz.yaml\n  mz-presync migrate --operator released --check --format json .\n  kustomize build . | mz-presync migrate - > migrated.yaml\n\nExit status: 0 nothing to do or all migrated; 1 --check found something to migrate, or a file could not be migrated safely; 2 usage or I/O error.",
    mut_arg("paths", |a| a.help("Files or directories to migrate; `-` reads a stream on stdin and writes the migrated stream to stdout")),
    mut_arg("format", |a| a.env("MZ_PRESYNC_MIGRATE_FORMAT"))
)]
pub struct Args {
    // Declaration order is the order of the help's options.
    #[command(flatten)]
    format: args::Format<Format>,
    #[command(flatten)]
    to: TargetVersion,
    /// Write nothing; exit 1 if any file would change (for CI and pre-commit hooks).
    #[arg(long, env = "MZ_PRESYNC_CHECK", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    check: bool,
    /// Write nothing; print a unified diff of every change on stdout (with
    /// --format json, only the JSON report).
    #[arg(long, env = "MZ_PRESYNC_DIFF", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    diff: bool,
    #[command(flatten)]
    paths: Paths,
}

pub fn run(args: Args, ctx: &super::Context) -> anyhow::Result<i32> {
    let paths = &args.paths.paths;
    if paths.len() > 1 && paths.iter().any(|p| crate::source::is_stdin(p)) {
        eprintln!(
            "error: `-` (stdin) cannot be combined with other paths: stdout carries the migrated stream"
        );
        return Ok(super::EXIT_USAGE);
    }
    let json = args.format.format == Format::Json;
    let dry_run = args.check || args.diff;
    if json && !dry_run && paths.iter().any(|p| crate::source::is_stdin(p)) {
        eprintln!(
            "error: `-` (stdin) writes the migrated stream to stdout, which --format json needs for the report; add --diff or --check"
        );
        return Ok(super::EXIT_USAGE);
    }
    let options = BatchOptions {
        target: args.to.resolve(ctx.operator),
        operator: ctx.operator,
        walk: args.paths.walk(ctx),
    };
    let mut records = Vec::new();
    let painter = Painter::new(ctx.color_stderr);
    let mut stderr = style::stream(std::io::stderr(), ctx.color_stderr);
    let mut stdout = std::io::stdout().lock();
    let mut tally = Tally::default();
    for file in migrate::migrate_paths(paths, &options) {
        match &file.outcome {
            Outcome::Unchanged { stdin } | Outcome::Skipped { stdin, .. } => {
                if let Outcome::Skipped { reason, .. } = &file.outcome
                    && !ctx.quiet
                {
                    writeln!(stderr, "{}", report::skipped(&file, reason, painter))?;
                }
                if let Some(source) = stdin.as_ref().filter(|_| !dry_run) {
                    stdout.write_all(source.text.as_bytes())?;
                }
            }
            Outcome::Failed(failure) => {
                writeln!(stderr, "{}", report::failed(&file, failure, painter))?;
            }
            Outcome::Migrated {
                source,
                migration,
                role,
            } => {
                let new_text = migration.new_text.as_deref().unwrap_or(&source.text);
                if args.diff {
                    // With --format json stdout carries the report alone.
                    if !json {
                        stdout.write_all(report::diff(&file, &source.text, new_text).as_bytes())?;
                    }
                } else if file.is_stdin() && !args.check {
                    stdout.write_all(new_text.as_bytes())?;
                } else if !dry_run
                    && let Err(err) =
                        migrate::write::write_atomic(&file.path, &source.text, new_text)
                {
                    writeln!(stderr, "{}", report::write_failed(&file, &err, painter))?;
                    tally.io_failed = true;
                    continue;
                }
                if json {
                    records.extend(report::json::resources(&file.display, migration, *role));
                } else if !ctx.quiet {
                    stderr.write_all(
                        report::changes(&file.display, migration, *role, painter).as_bytes(),
                    )?;
                }
            }
        }
        tally.count(&file);
    }
    if json {
        stdout.write_all(report::json::render(ctx.operator, &records).as_bytes())?;
    }
    stdout.flush()?;
    if !ctx.quiet {
        writeln!(stderr, "{}", report::summary(&tally, dry_run, ctx.operator))?;
    }
    if args.check && tally.files_changed > 0 {
        // Said even with --quiet: it is why the check failed.
        writeln!(stderr, "{}", report::CHECK_HINT)?;
    }
    Ok(match tally.verdict(args.check) {
        Verdict::Clean => super::EXIT_OK,
        Verdict::Failed => super::EXIT_FINDINGS,
        Verdict::IoError => super::EXIT_USAGE,
    })
}
