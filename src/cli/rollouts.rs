//! `mz-presync rollouts`: which commits request a rollout of which
//! Materialize resource under the operator model, whether it restarts the
//! database, and because of which fields.

use clap::ArgAction;
use clap::builder::BoolishValueParser;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::{self, HashAlgorithm};
use crate::history::rendered::RenderOptions;
use crate::history::{self, ScanOptions};
use crate::report::rollouts::{self, FailOn, Format, ReportOptions};

/// Scans below this many commits finish before a progress bar is worth drawing.
const PROGRESS_MIN_COMMITS: usize = 2000;

/// Report which commits start a rollout of a Materialize resource (change
/// its rollout hash), for which resource, and because of which fields.
///
/// Reads the repository with git only: the working tree is never checked out
/// or touched. Each commit is compared with its first parent; a resource is
/// identified by its deploy unit (Argo CD Application, Flux Kustomization,
/// kustomize root, or the file's directory), namespace and name, so moving
/// or renaming its file within its unit is no change, and the same
/// namespace/name in two clusters' directories is two resources.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  mz-presync rollouts origin/main..HEAD\n  mz-presync rollouts origin/main..HEAD -- clusters/prod apps/base\n  mz-presync rollouts --format markdown origin/main..HEAD >> \"$GITHUB_STEP_SUMMARY\"\n  mz-presync rollouts --fail-on rollout --format github \"$BASE_SHA..$HEAD_SHA\"\n  mz-presync rollouts --format json HEAD   # the whole history",
    mut_arg("format", |a| a.help("Output format: human (a table), json (stable, versioned), markdown (a pull-request summary), github (workflow annotations)").env("MZ_PRESYNC_ROLLOUTS_FORMAT"))
)]
pub struct Args {
    /// Commits to compare, as git understands them: A..B (reachable from B, not from A; a pull request is BASE..HEAD), A...B, or a single revision (its whole history).
    #[arg(value_name = "RANGE", default_value = "HEAD")]
    range: String,
    /// Only changes to files under these paths (directories or files; relative to the current directory inside the work tree, as git reads a pathspec; literal, no globs).
    #[arg(last = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// The repository; searched upward from here like git does.
    #[arg(long, env = "MZ_PRESYNC_REPO", value_name = "DIR", default_value = ".")]
    repo: PathBuf,
    #[command(flatten)]
    algorithm: HashAlgorithm,
    #[command(flatten)]
    format: args::Format<Format>,
    /// Follow only the first parent of merge commits.
    #[arg(long, env = "MZ_PRESYNC_FIRST_PARENT", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    first_parent: bool,
    /// List every commit, also those that change no Materialize resource.
    #[arg(long, env = "MZ_PRESYNC_ALL", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    all: bool,
    /// Exit 1 when: rollout (a rollout requested, or an error finding), restart (a change that restarts the database for certain, restart yes: maybe does not count; or an error finding), error (an error finding), never. For a range A..B, rollout and restart judge the net effect of merging it (base→head per resource, the JSON's `resources`): a change reverted inside the range does not fail it; for a single revision they judge every commit's changes.
    #[arg(long, env = "MZ_PRESYNC_FAIL_ON", value_parser = ["rollout", "restart", "error", "never"], default_value = "error", value_name = "WHEN")]
    fail_on: String,
    /// Render kustomize and Helm units (kustomize build or kubectl kustomize, helm template) at each commit that changes their inputs, from git objects in a temporary directory, and compare the rendered objects instead of the units' files. A missing tool, a tool error or a timeout fails with exit 2.
    #[arg(long, env = "MZ_PRESYNC_RENDER", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    render: bool,
    /// With --render: how long one render may run before it is killed (Argo CD's default exec timeout).
    #[arg(long, env = "MZ_PRESYNC_RENDER_TIMEOUT", value_name = "DURATION", default_value = "90s", value_parser = parse_timeout)]
    render_timeout: std::time::Duration,
    /// Human format: also show changes that start no rollout.
    #[arg(long, short, env = "MZ_PRESYNC_VERBOSE", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    verbose: bool,
}

pub fn run(args: Args, ctx: &super::Context) -> anyhow::Result<i32> {
    let format = args.format.format;
    let fail_on = FailOn::parse(&args.fail_on).expect("clap restricts the values");
    let options = ScanOptions {
        algorithm: args.algorithm.resolve(ctx.operator),
        operator: ctx.operator,
        first_parent: args.first_parent,
        all: args.all,
        locate_changes: format == Format::Github,
        net: true,
        paths: args.paths,
        cwd: std::env::current_dir().ok(),
        units: ctx.units.clone(),
        render: args.render.then_some(RenderOptions {
            timeout: args.render_timeout,
        }),
    };

    let show_progress = ctx.stderr_is_terminal && !ctx.quiet;
    let mut bar: Option<ProgressBar> = None;
    let mut progress = |done: usize, total: usize| {
        if !show_progress || total < PROGRESS_MIN_COMMITS {
            return;
        }
        let bar = bar.get_or_insert_with(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "comparing commits {wide_bar} {human_pos}/{human_len} ({eta} left)",
            ) {
                bar.set_style(style);
            }
            bar
        });
        bar.set_position(done as u64);
    };
    let result = history::scan(&args.repo, &args.range, &options, &mut progress);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut history = match result {
        Ok(history) => history,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(super::EXIT_USAGE);
        }
    };
    let net = history.net.iter_mut().flat_map(|net| &mut net.changes);
    for change in history
        .commits
        .iter_mut()
        .flat_map(|commit| &mut commit.changes)
        .chain(net)
    {
        ctx.overrides.apply(&mut change.findings);
    }
    if let Some(render) = &history.render {
        for note in &render.notes {
            eprintln!("note: {note}");
        }
        if args.verbose {
            eprintln!(
                "render: {} renders, {} cache hits",
                render.renders, render.cache_hits
            );
        }
    }
    // Said even with --quiet: the report leaves out history it cannot see.
    for boundary in &history.shallow_boundary {
        eprintln!(
            "note: history before {} is not in this shallow clone; changes from it are not reported (fetch more history: `actions/checkout` with `fetch-depth: 0`, or `git fetch --unshallow`)",
            &boundary[..boundary.len().min(7)]
        );
    }

    use std::io::Write as _;
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let options = ReportOptions {
        verbose: args.verbose,
        color: ctx.color_stdout,
        fail_on,
    };
    if let Err(err) =
        rollouts::write(&history, format, &options, &mut stdout).and_then(|()| stdout.flush())
    {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            return Ok(super::EXIT_OK);
        }
        return Err(err.into());
    }
    Ok(if fail_on.fails(&history) {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_OK
    })
}

fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    match crate::crd::duration::parse_rollout_request_timeout(text) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        Ok(_) => Err("the timeout must be longer than 0s".to_owned()),
        Err(err) => Err(err),
    }
}
