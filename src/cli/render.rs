//! `mz-presync render`: convert and validate manifests for a GitOps tool,
//! then print the whole stream, or nothing.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::check::{self, CheckOptions, Finding, Severity, ValidateOptions};
use crate::crd::Version;
use crate::migrate::{self, FileRole, MigrateOptions};
use crate::report::manifests::{self, Rendered};
use crate::source::{self, ReadError, SourceFile, WalkOptions};

/// Print manifests with every v1alpha1 Materialize object converted, or
/// nothing at all when anything is wrong.
///
/// Reads files and directories (as `validate` walks them) or a stream on
/// stdin, converts v1alpha1 Materialize objects in memory with the same
/// text-preserving edits as `migrate`, validates every Materialize object,
/// and prints all documents on stdout, `---` separated, other kinds
/// unchanged. On any error finding stdout stays empty, the findings go to
/// stderr (`file:line: rule: message`), and the exit code is 1. An input
/// with no document is an error too, unless `--allow-empty`: a GitOps tool
/// with pruning deletes every resource of an application whose generator
/// prints nothing. Made for Argo CD's config management plugin
/// (`argocd/plugin.yaml`).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  mz-presync render clusters/prod > manifests.yaml\n  kustomize build overlays/prod | mz-presync render --stdin-name 'kustomize build overlays/prod' -\n  helm template mz ./chart | mz-presync render --to v1 --strict -"
)]
pub struct Args {
    /// Files or directories to read; `-` reads a stream from stdin.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    /// What v1alpha1 objects are converted to: v1alpha2 (the design document) or v1 (as shipped upstream).
    #[arg(long, value_parser = ["v1alpha2", "v1"], default_value = "v1alpha2", value_name = "VERSION")]
    to: String,
    /// Unknown fields are errors, not warnings.
    #[arg(long)]
    strict: bool,
    /// Accept input with no Kubernetes object (and print nothing) instead of failing.
    #[arg(long)]
    allow_empty: bool,
    /// The name findings give to stdin, e.g. the command that produced the stream.
    #[arg(long, value_name = "NAME", default_value = "-")]
    stdin_name: String,
    /// Do not honour .gitignore / .ignore files when walking directories.
    #[arg(long)]
    no_ignore: bool,
    /// Files larger than this many bytes are errors, not read.
    #[arg(long, value_name = "BYTES", default_value_t = source::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

const TEMPLATE_SKIPPED: &str = "template-skipped";

pub fn run(args: Args, ctx: &super::Context) -> anyhow::Result<i32> {
    let target = Version::from_api_version(&format!("materialize.cloud/{}", args.to))
        .expect("clap restricts the values");
    let (files, unreadable) = match read_inputs(&args) {
        Ok(read) => read,
        Err(error) => {
            eprintln!("error: {error}");
            eprintln!("mz-presync render: printed nothing, so nothing is applied");
            return Ok(super::EXIT_USAGE);
        }
    };
    let (rendered, conversion_failures, converted) = convert(files, target);

    let mut findings = unreadable;
    findings.extend(validate(&rendered, args.strict));
    // A file the migration refused, or whose documents do not parse, has
    // usually been reported by the checks already (a syntax error, a
    // template); these make sure it fails even when it has not.
    manifests::add_unless_failed(&mut findings, conversion_failures);
    let stream = manifests::assemble(&rendered);
    findings.extend(stream.findings);
    manifests::add_unless_failed(&mut findings, stream.unparsable);
    let order: Vec<&str> = rendered
        .iter()
        .map(|r| r.original.display.as_str())
        .collect();
    let failed = findings.iter().any(|f| f.severity == Severity::Error);
    if stream.documents == 0 && !args.allow_empty && !failed {
        let inputs: Vec<String> = if order.is_empty() {
            args.paths.iter().map(|p| source::display_path(p)).collect()
        } else {
            order.iter().map(|s| s.to_string()).collect()
        };
        findings.push(manifests::empty_stream(&inputs));
    }
    manifests::sort_findings(&mut findings, &order);

    let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let printed = errors == 0;
    let mut stderr = std::io::stderr().lock();
    for finding in &findings {
        if printed && ctx.quiet {
            break;
        }
        writeln!(stderr, "{}", manifests::finding_line(finding))?;
    }
    if !printed || !ctx.quiet {
        let summary = manifests::summary_line(
            printed,
            stream.documents,
            rendered.len(),
            converted,
            errors,
            warnings,
        );
        writeln!(stderr, "{summary}")?;
    }
    if !printed {
        return Ok(super::EXIT_FINDINGS);
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(stream.text.as_bytes())?;
    stdout.flush()?;
    Ok(super::EXIT_OK)
}

/// Every input in path order (stdin where it was named), read in parallel.
/// A path given on the command line that cannot be opened stops the run
/// (exit 2, as for `validate`); a file found inside a directory that cannot
/// be read is an `unreadable-file` error of its own.
fn read_inputs(args: &Args) -> Result<(Vec<SourceFile>, Vec<Finding>), ReadError> {
    let options = WalkOptions {
        no_ignore: args.no_ignore,
        max_file_size: args.max_file_size,
    };
    let (stdin, others): (Vec<PathBuf>, Vec<PathBuf>) = args
        .paths
        .iter()
        .cloned()
        .partition(|p| p.as_os_str() == "-");
    let mut found: Vec<Result<PathBuf, ReadError>> = stdin.into_iter().map(Ok).collect();
    found.extend(source::walk(&others, &options));
    let read: Vec<Result<SourceFile, ReadError>> = found
        .into_par_iter()
        .map(|path| {
            let path = path?;
            read_one(&path, args)
        })
        .collect();
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    for result in read {
        match result {
            Ok(file) => files.push(file),
            Err(
                error
                @ (ReadError::NotFound(_) | ReadError::Io { .. } | ReadError::NotAFile { .. }),
            ) if args.paths.iter().any(|p| p.as_path() == error.path()) => return Err(error),
            Err(error) => unreadable.push(manifests::unreadable_file(&error)),
        }
    }
    Ok((files, unreadable))
}

fn read_one(path: &Path, args: &Args) -> Result<SourceFile, ReadError> {
    let mut file = source::read_path(path, args.max_file_size)?;
    if path.as_os_str() == "-" {
        file.display = args.stdin_name.clone();
    }
    Ok(file)
}

/// Convert every file in memory with the text-preserving migration; the
/// count is of converted objects. A file the migration refuses is kept as
/// read, with a `conversion-failed` error, so that the stream fails closed.
fn convert(files: Vec<SourceFile>, target: Version) -> (Vec<Rendered>, Vec<Finding>, usize) {
    let options = MigrateOptions {
        target,
        role: FileRole::Manifest,
    };
    let results: Vec<(Rendered, Option<Finding>, usize)> = files
        .into_par_iter()
        .map(
            |original| match migrate::migrate_text(&original, &options) {
                Ok(migration) => {
                    let count = migration.resources.len();
                    let converted = migration.new_text.map(|text| {
                        SourceFile::from_text(
                            original.display.clone(),
                            original.path.clone(),
                            text,
                            original.format,
                        )
                    });
                    let rendered = Rendered {
                        original,
                        converted,
                    };
                    (rendered, None, count)
                }
                Err(error) => {
                    let failure = manifests::conversion_failed(
                        &original,
                        &error.to_string(),
                        error.position(),
                    );
                    (Rendered::unchanged(original), Some(failure), 0)
                }
            },
        )
        .collect();
    let mut rendered = Vec::with_capacity(results.len());
    let mut failures = Vec::new();
    let mut converted = 0;
    for (file, failure, count) in results {
        rendered.push(file);
        failures.extend(failure);
        converted += count;
    }
    (rendered, failures, converted)
}

/// Validate what will be printed (the converted texts) with every rule of
/// `validate`, and report each finding at its line in the original file.
fn validate(rendered: &[Rendered], strict: bool) -> Vec<Finding> {
    let options = ValidateOptions {
        check: CheckOptions {
            strict,
            // A v1alpha1 object the migration left behind must not reach
            // the cluster: make it an error, not a deprecation warning.
            require_version: Some(Version::V1alpha2),
            ..CheckOptions::default()
        },
        ..ValidateOptions::default()
    };
    let outputs: Vec<SourceFile> = rendered.iter().map(|r| r.output().clone()).collect();
    let validation = check::validate_files(outputs, |_| false, &options);
    let by_display: HashMap<&str, &Rendered> = rendered
        .iter()
        .map(|r| (r.original.display.as_str(), r))
        .collect();
    let mut findings = validation.findings;
    for finding in &mut findings {
        if let Some(file) = by_display.get(finding.file()) {
            manifests::relocate(finding, file);
        }
        if finding.rule == TEMPLATE_SKIPPED {
            // validate may skip a template; render cannot: its objects would
            // be missing from the stream, and Argo CD would prune them.
            finding.severity = Severity::Error;
            finding.message = "this file is a Go/Helm template, not YAML, so it cannot be \
                 rendered as is; render the chart and pipe it in (`helm template RELEASE CHART \
                 | mz-presync render -`), or move the file out of the application's directory"
                .to_owned();
        }
    }
    findings
}
