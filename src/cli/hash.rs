//! `mz-presync hash`: wiring for `crate::hash`; the formats are
//! `crate::report::hash`.

use std::io::Write;

use super::args::{Format, HashAlgorithm, Paths};
use crate::hash::{HashOptions, hash_paths};
use crate::report::{self, hash};

/// Print the rollout hash of every Materialize resource in the given files.
///
/// The hash is what the operator compares to decide whether to start a
/// rollout: a change of hash restarts the database. Setting
/// `spec.forcePromote` to the new hash in the same change promotes the
/// rollout without waiting.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  mz-presync hash clusters/prod/mz.yaml\n  kustomize build . | mz-presync hash -\n  mz-presync hash --algorithm v1 --format json mz.yaml"
)]
pub struct Args {
    // Declaration order is the order of the help's options.
    #[command(flatten)]
    algorithm: HashAlgorithm,
    #[command(flatten)]
    format: Format<hash::Format>,
    #[command(flatten)]
    paths: Paths,
}

pub fn run(args: Args, ctx: &super::Context) -> anyhow::Result<i32> {
    let options = HashOptions {
        algorithm: args.algorithm.resolve(ctx.operator),
        walk: args.paths.walk(),
    };
    let hashes = hash_paths(&args.paths.paths, &options);
    for error in &hashes.unreadable {
        eprintln!("error: {error}");
    }
    if !ctx.quiet {
        for file in &hashes.templates {
            eprintln!("{}", hash::template_note(file));
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
