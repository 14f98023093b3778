//! `mz-presync render`: convert and validate manifests for a GitOps tool,
//! then print the whole stream, or nothing.

use clap::ArgAction;
use clap::builder::BoolishValueParser;
use std::io::Write;
use std::path::PathBuf;

use crate::crd::Version;
use crate::render::{self, Options};
use crate::report::manifests;
use crate::source;

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
    /// What v1alpha1 objects are converted to: v1alpha2 (the design document) or v1 (as shipped upstream); default: the operator model's (v1 under --operator released).
    #[arg(long, env = "MZ_PRESYNC_TO", value_parser = super::args::version(), value_name = "VERSION")]
    to: Option<Version>,
    /// Unknown fields are errors, not warnings.
    #[arg(long, env = "MZ_PRESYNC_STRICT", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    strict: bool,
    /// Accept input with no Kubernetes object (and print nothing) instead of failing.
    #[arg(long, env = "MZ_PRESYNC_ALLOW_EMPTY", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    allow_empty: bool,
    /// The name findings give to stdin, e.g. the command that produced the stream.
    #[arg(
        long,
        env = "MZ_PRESYNC_STDIN_NAME",
        value_name = "NAME",
        default_value = "-"
    )]
    stdin_name: String,
    /// Do not honour .gitignore / .ignore files when walking directories.
    #[arg(long, env = "MZ_PRESYNC_NO_IGNORE", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    no_ignore: bool,
    /// Files larger than this many bytes are errors, not read.
    #[arg(long, env = "MZ_PRESYNC_MAX_FILE_SIZE", value_name = "BYTES", default_value_t = source::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

pub fn run(args: Args, ctx: &super::Context) -> anyhow::Result<i32> {
    let options = Options {
        target: args.to.unwrap_or(ctx.operator.migration_target()),
        operator: ctx.operator,
        paths: args.paths,
        strict: args.strict,
        allow_empty: args.allow_empty,
        stdin_name: args.stdin_name,
        no_ignore: args.no_ignore,
        max_file_size: args.max_file_size,
        exclude: ctx.exclude.clone(),
        overrides: ctx.overrides.clone(),
    };
    let rendering = match render::render(&options) {
        Ok(rendering) => rendering,
        Err(error) => {
            eprintln!("error: {error}");
            eprintln!("mz-presync render: printed nothing, so nothing is applied");
            return Ok(super::EXIT_USAGE);
        }
    };
    let mut stderr = std::io::stderr().lock();
    // Quiet keeps a success silent; a failure always says why.
    let quiet = ctx.quiet && rendering.stream.is_some();
    if !quiet {
        for finding in &rendering.findings {
            writeln!(stderr, "{}", manifests::finding_line(finding))?;
        }
        writeln!(stderr, "{}", manifests::summary_line(&rendering.summary))?;
    }
    let Some(stream) = rendering.stream else {
        return Ok(super::EXIT_FINDINGS);
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(stream.as_bytes())?;
    stdout.flush()?;
    Ok(super::EXIT_OK)
}
