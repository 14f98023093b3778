//! `mz-presync hash`: wiring for `crate::hash`; the formats are
//! `crate::report::hash`.

use std::io::Write;
use std::path::PathBuf;

use super::args::{Format, HashAlgorithm, Paths};
use crate::crd::Operator;
use crate::hash::{HashOptions, hash_paths, read_live};
use crate::report::{self, hash};
use crate::source;

/// Print the rollout hash of every Materialize resource in the given files.
///
/// The hash is what the operator compares to decide whether to start a
/// rollout: a change of hash restarts the database. Setting
/// `spec.forcePromote` to the new hash in the same change promotes the
/// rollout without waiting. A hash marked `~` is not the live one: the
/// manifest leaves `spec.environmentId` unset and the operator hashes the id
/// it assigned; `--live` takes it from the cluster.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  mz-presync hash clusters/prod/mz.yaml\n  kustomize build . | mz-presync hash -\n  mz-presync hash --algorithm v1 --format json mz.yaml\n  kubectl get materialize -A -o yaml | mz-presync hash --live - clusters/prod/",
    mut_arg("format", |a| a.env("MZ_PRESYNC_HASH_FORMAT"))
)]
pub struct Args {
    // Declaration order is the order of the help's options.
    #[command(flatten)]
    algorithm: HashAlgorithm,
    /// `kubectl get materialize -o yaml|json` output (`-` is stdin): the manifests take the live environmentId and force-rollout annotation of the object with their namespace/name, so the hash is the operator's, and the live status says whether a rollout is in progress or changes are pending.
    #[arg(long, env = "MZ_PRESYNC_LIVE", value_name = "FILE|-")]
    live: Option<PathBuf>,
    #[command(flatten)]
    format: Format<hash::Format>,
    #[command(flatten)]
    paths: Paths,
}

pub fn run(args: Args, ctx: &super::Context) -> anyhow::Result<i32> {
    let live = match &args.live {
        Some(path) => {
            if source::is_stdin(path) && args.paths.paths.iter().any(|p| source::is_stdin(p)) {
                eprintln!("error: {}", hash::STDIN_TWICE);
                return Ok(super::EXIT_USAGE);
            }
            match read_live(path, args.paths.max_file_size) {
                Ok(live) => Some(live),
                Err(error) => {
                    eprintln!("error: {error}");
                    return Ok(super::EXIT_USAGE);
                }
            }
        }
        None => None,
    };
    let options = HashOptions {
        algorithm: args.algorithm.resolve(ctx.operator),
        operator: ctx.operator,
        walk: args.paths.walk(ctx),
        live,
    };
    let hashes = hash_paths(&args.paths.paths, &options);
    for error in &hashes.unreadable {
        eprintln!("error: {error}");
    }
    if !ctx.quiet {
        for file in &hashes.templates {
            eprintln!("{}", hash::template_note(file));
        }
        for object in &hashes.live_unmatched {
            eprintln!("{}", hash::live_unmatched_note(&hashes, object));
        }
        if hashes.saw_v1 && ctx.operator == Operator::Design {
            eprintln!("{}", hash::V1_UNDER_DESIGN_NOTE);
        }
    }
    let format = args.format.format;
    let color = format == hash::Format::Human && ctx.color_stdout;
    let text = hash::render(&hashes, format, color);
    let mut stdout = report::style::stream(std::io::stdout().lock(), color);
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(if !hashes.unreadable.is_empty() {
        super::EXIT_USAGE
    } else if hashes.any_unhashed() {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_OK
    })
}
