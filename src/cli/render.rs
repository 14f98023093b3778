//! `mz-presync render`: convert and validate manifests for a GitOps tool,
//! then print the whole stream, or nothing.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::check::{self, CheckOptions, Finding, Severity, ValidateOptions};
use crate::crd::Version;
use crate::migrate::{self, FileRole, MigrateError, MigrateOptions};
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
    let (files, failures) = read_inputs(&args);
    if !failures.is_empty() {
        for failure in &failures {
            eprintln!("error: {failure}");
        }
        eprintln!(
            "mz-presync render: {} unreadable; printed nothing, so nothing is applied",
            plural(failures.len(), "input is", "inputs are")
        );
        return Ok(super::EXIT_USAGE);
    }

    let (rendered, migrate_failures, converted) = convert(files, target);
    let mut findings = validate(&rendered, args.strict);
    findings.extend(migration_failures(&rendered, migrate_failures, &findings));
    let stream = manifests::assemble(&rendered);
    findings.extend(stream.findings);
    let already_failed = |file: &str, findings: &[Finding]| {
        findings
            .iter()
            .any(|f| f.severity == Severity::Error && f.file == file)
    };
    for finding in stream.unparsable {
        if !already_failed(&finding.file, &findings) {
            findings.push(finding);
        }
    }
    if stream.documents == 0 && !args.allow_empty {
        let inputs: Vec<String> = rendered
            .iter()
            .map(|r| r.original.display.clone())
            .collect();
        let inputs = if inputs.is_empty() {
            args.paths.iter().map(|p| source::display_path(p)).collect()
        } else {
            inputs
        };
        findings.push(manifests::empty_stream(&inputs));
    }

    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    let printed = errors == 0;
    let mut stderr = std::io::stderr().lock();
    for finding in &findings {
        if printed && ctx.quiet && finding.severity != Severity::Error {
            continue;
        }
        writeln!(stderr, "{}", manifests::finding_line(finding))?;
    }
    if !printed || !ctx.quiet {
        writeln!(
            stderr,
            "{}",
            manifests::summary_line(
                printed,
                stream.documents,
                rendered.len(),
                converted,
                errors,
                warnings
            )
        )?;
    }
    if !printed {
        return Ok(super::EXIT_FINDINGS);
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(stream.text.as_bytes())?;
    stdout.flush()?;
    Ok(super::EXIT_OK)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Every input in path order (stdin where it was named), read in parallel.
fn read_inputs(args: &Args) -> (Vec<SourceFile>, Vec<ReadError>) {
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
    let mut failures = Vec::new();
    for result in read {
        match result {
            Ok(file) => files.push(file),
            Err(err) => failures.push(err),
        }
    }
    (files, failures)
}

fn read_one(path: &Path, args: &Args) -> Result<SourceFile, ReadError> {
    if path.as_os_str() == "-" {
        let mut file = source::read_stdin(args.max_file_size)?;
        file.display = args.stdin_name.clone();
        Ok(file)
    } else {
        source::read_file(path, source::display_path(path), args.max_file_size)
    }
}

/// Convert every file in memory with the text-preserving migration; the
/// count is of converted objects. A file the migration refuses is kept as
/// read, with its error, so that the stream fails closed.
fn convert(
    files: Vec<SourceFile>,
    target: Version,
) -> (Vec<Rendered>, Vec<(usize, MigrateError)>, usize) {
    let options = MigrateOptions {
        target,
        role: FileRole::Manifest,
    };
    let results: Vec<(Rendered, Option<MigrateError>, usize)> = files
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
                    (
                        Rendered {
                            original,
                            converted,
                        },
                        None,
                        count,
                    )
                }
                Err(err) => (Rendered::unchanged(original), Some(err), 0),
            },
        )
        .collect();
    let mut rendered = Vec::with_capacity(results.len());
    let mut failures = Vec::new();
    let mut converted = 0;
    for (index, (file, failure, count)) in results.into_iter().enumerate() {
        rendered.push(file);
        if let Some(err) = failure {
            failures.push((index, err));
        }
        converted += count;
    }
    (rendered, failures, converted)
}

/// A finding for a file the migration refused, unless validation already
/// reported an error in it (a syntax error, a template): the stream must
/// fail either way, and one reason per problem is enough.
fn migration_failures(
    rendered: &[Rendered],
    failures: Vec<(usize, MigrateError)>,
    findings: &[Finding],
) -> Vec<Finding> {
    failures
        .into_iter()
        .filter_map(|(index, err)| {
            let file = &rendered[index].original;
            let reported = findings
                .iter()
                .any(|f| f.severity == Severity::Error && f.file == file.display);
            (!reported)
                .then(|| manifests::conversion_failed(file, &err.to_string(), err.position()))
        })
        .collect()
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
    let index_of: HashMap<&str, usize> = rendered
        .iter()
        .enumerate()
        .map(|(index, r)| (r.original.display.as_str(), index))
        .collect();
    let mut located: Vec<(usize, Finding)> = validation
        .findings
        .into_iter()
        .map(|mut finding| {
            let index = index_of.get(finding.file.as_str()).copied().unwrap_or(usize::MAX);
            if let Some(file) = rendered.get(index) {
                manifests::relocate(&mut finding, file);
            }
            if finding.rule == TEMPLATE_SKIPPED {
                // validate may skip a template; render cannot: its objects
                // would be missing from the stream, and Argo CD would prune
                // them.
                finding.severity = Severity::Error;
                finding.message = format!(
                    "this file is a Go/Helm template, not YAML, so it cannot be rendered as is; \
                     render the chart and pipe it in (`helm template RELEASE CHART | mz-presync render -`), \
                     or move the file out of the application's directory"
                );
            }
            (index, finding)
        })
        .collect();
    // Input order, then line: the order of the stream.
    located.sort_by(|(a, fa), (b, fb)| {
        (a, fa.line, fa.column, fa.rule).cmp(&(b, fb.line, fb.column, fb.rule))
    });
    located.into_iter().map(|(_, finding)| finding).collect()
}
