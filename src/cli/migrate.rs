//! `mz-presync migrate`: wiring for `crate::migrate`.

use std::io::Write;
use std::path::PathBuf;

use crate::crd::Version;
use crate::migrate::{self, BatchOptions, FileFailure, FileMigration, FileRole, Outcome};
use crate::source::{self, ReadError, WalkOptions};

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
/// whether merging the change is rollout-neutral (the operator computes the
/// same rollout hash as for the original).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  mz-presync migrate .                  # rewrite every v1alpha1 resource under .\n  mz-presync migrate --diff clusters/   # show what would change, write nothing\n  mz-presync migrate --check .          # CI: exit 1 if anything is still v1alpha1\n  mz-presync migrate --to v1 mz.yaml\n  kustomize build . | mz-presync migrate - > migrated.yaml\n\nExit status: 0 nothing to do or all migrated; 1 --check found something to migrate, or a file could not be migrated safely; 2 usage or I/O error."
)]
pub struct Args {
    /// Files or directories to migrate; `-` reads a stream on stdin and writes the migrated stream to stdout.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    /// Target version: v1alpha2 (the design document) or v1 (the name upstream later shipped).
    #[arg(long, value_parser = ["v1alpha2", "v1"], default_value = "v1alpha2", value_name = "VERSION")]
    to: String,
    /// Write nothing; exit 1 if any file would change (for CI and pre-commit hooks).
    #[arg(long)]
    check: bool,
    /// Write nothing; print a unified diff of every change on stdout.
    #[arg(long)]
    diff: bool,
    /// Do not honour .gitignore / .ignore files when walking directories.
    #[arg(long)]
    no_ignore: bool,
}

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn error(&self) -> String {
        self.paint("1;31", "error")
    }
    fn warning(&self) -> String {
        self.paint("1;33", "warning")
    }
    fn note(&self) -> String {
        self.paint("1;36", "note")
    }
}

#[derive(Default)]
struct Tally {
    files_changed: usize,
    resources: usize,
    targets: usize,
    not_neutral: usize,
    failed: usize,
    io_failed: bool,
}

pub fn run(args: Args, ctx: &super::Context) -> anyhow::Result<i32> {
    let target = Version::parse(&args.to).expect("clap restricts the values");
    let stdin_count = args.paths.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 0 && args.paths.len() > 1 {
        eprintln!(
            "error: `-` (stdin) cannot be combined with other paths: stdout carries the migrated stream"
        );
        return Ok(super::EXIT_USAGE);
    }
    let options = BatchOptions {
        target,
        walk: WalkOptions {
            no_ignore: args.no_ignore,
            max_file_size: source::DEFAULT_MAX_FILE_SIZE,
        },
    };
    let dry_run = args.check || args.diff;
    let painter = Painter {
        color: ctx.color_stderr,
    };
    let reports = migrate::migrate_paths(&args.paths, &options);
    let mut stdout = std::io::stdout().lock();
    let mut tally = Tally::default();
    for report in &reports {
        let is_stdin = report.path.as_os_str() == "-";
        match &report.outcome {
            Outcome::Unchanged { stdin } => {
                if let Some(file) = stdin.as_ref().filter(|_| !dry_run) {
                    stdout.write_all(file.text.as_bytes())?;
                }
            }
            Outcome::Skipped { reason, stdin } => {
                if !ctx.quiet {
                    eprintln!(
                        "{}: {}: skipped, {reason}",
                        painter.note(),
                        located(&report.display, reason.position())
                    );
                }
                if let Some(file) = stdin.as_ref().filter(|_| !dry_run) {
                    stdout.write_all(file.text.as_bytes())?;
                }
            }
            Outcome::Failed(failure) => {
                let position = match failure {
                    FileFailure::Migrate(err) => err.position(),
                    FileFailure::Read(_) => None,
                };
                match failure {
                    FileFailure::Read(err) => eprintln!("{}: {err}", painter.error()),
                    FileFailure::Migrate(err) => eprintln!(
                        "{}: {}: {err}",
                        painter.error(),
                        located(&report.display, position)
                    ),
                }
                tally.failed += 1;
                // Content that is not text (binary, not UTF-8, too large) is
                // a file that cannot be migrated; the rest is I/O.
                if let FileFailure::Read(err) = failure
                    && !matches!(
                        err,
                        ReadError::Binary { .. }
                            | ReadError::NotUtf8 { .. }
                            | ReadError::UnsupportedEncoding { .. }
                            | ReadError::TooLarge { .. }
                    )
                {
                    tally.io_failed = true;
                }
            }
            Outcome::Migrated {
                source,
                migration,
                role,
            } => {
                let new_text = migration.new_text.as_deref().unwrap_or(&source.text);
                if args.diff {
                    let name = if is_stdin {
                        "-".to_owned()
                    } else {
                        report.display.clone()
                    };
                    let diff = similar::TextDiff::from_lines(source.text.as_str(), new_text);
                    write!(
                        stdout,
                        "{}",
                        diff.unified_diff()
                            .header(&format!("a/{name}"), &format!("b/{name}"))
                    )?;
                } else if is_stdin && !args.check {
                    stdout.write_all(new_text.as_bytes())?;
                } else if !dry_run
                    && let Err(err) =
                        migrate::write::write_atomic(&report.path, &source.text, new_text)
                {
                    eprintln!("{}: {}: {err}", painter.error(), report.display);
                    tally.io_failed = true;
                    continue;
                }
                if !ctx.quiet {
                    print_resources(&report.display, migration, *role, &painter);
                }
                tally.files_changed += 1;
                tally.resources += migration.resources.len();
                tally.targets += migration.kustomize.len();
                tally.not_neutral += migration
                    .resources
                    .iter()
                    .filter(|r| !r.rollout.is_neutral() && *role == FileRole::Manifest)
                    .count();
            }
        }
    }
    stdout.flush()?;
    if !ctx.quiet {
        print_summary(&tally, dry_run);
    }
    if args.check && tally.files_changed > 0 {
        // Said even with --quiet: it is why the check failed.
        eprintln!(
            "run `mz-presync migrate` on these paths to rewrite them (add --diff to preview)"
        );
    }
    Ok(if tally.io_failed {
        super::EXIT_USAGE
    } else if tally.failed > 0 || (args.check && tally.files_changed > 0) {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_OK
    })
}

fn located(display: &str, position: Option<source::Position>) -> String {
    match position {
        Some(p) => format!("{display}:{}:{}", p.line, p.column),
        None => display.to_owned(),
    }
}

fn print_resources(display: &str, migration: &FileMigration, role: FileRole, painter: &Painter) {
    for resource in &migration.resources {
        let patch = if role == FileRole::Patch {
            " (patch)"
        } else {
            ""
        };
        eprintln!(
            "{display}:{}: {}{patch}: {}; {}",
            resource.position.line,
            resource.identity(),
            resource.describe_changes(),
            resource.rollout
        );
        for note in &resource.notes {
            eprintln!("  {}: {note}", painter.note());
        }
        if let Some(recorded) = &resource.recorded_hash_differs {
            eprintln!(
                "  {}: status.lastCompletedRolloutHash is {recorded}, not the hash of this spec: the operator will start a rollout, with or without this migration",
                painter.warning()
            );
        }
        if resource.mid_rollout {
            eprintln!(
                "  {}: this resource is mid-rollout according to its status; let the rollout finish (or re-read the live object) before merging the migration",
                painter.warning()
            );
        }
    }
    for update in &migration.kustomize {
        eprintln!(
            "{display}:{}: kustomize patch target: version v1alpha1 → {}",
            update.position.line, update.to
        );
        for warning in &update.update.warnings {
            eprintln!("  {}: {warning}", painter.warning());
        }
    }
}

fn print_summary(tally: &Tally, dry_run: bool) {
    let verb = if dry_run { "would migrate" } else { "migrated" };
    if tally.files_changed == 0 && tally.failed == 0 {
        eprintln!("nothing to migrate");
        return;
    }
    let mut line = format!(
        "{verb} {} resource{} in {} file{}",
        tally.resources,
        plural(tally.resources),
        tally.files_changed,
        plural(tally.files_changed)
    );
    if tally.targets > 0 {
        line.push_str(&format!(
            " ({} kustomize patch target{})",
            tally.targets,
            plural(tally.targets)
        ));
    }
    if tally.not_neutral > 0 {
        line.push_str(&format!(
            "; {} resource{} not proven rollout-neutral",
            tally.not_neutral,
            plural(tally.not_neutral)
        ));
    }
    if tally.failed > 0 {
        line.push_str(&format!(
            "; {} file{} left untouched because of errors",
            tally.failed,
            plural(tally.failed)
        ));
    }
    eprintln!("{line}");
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
