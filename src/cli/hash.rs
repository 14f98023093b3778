//! `mz-presync hash`: the rollout hash of every Materialize resource.

use std::path::PathBuf;

use serde::Serialize;

use super::inputs::{self, Document};
use crate::crd::{self, Algorithm};

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
    /// Files or directories to read; `-` reads a stream from stdin.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    /// Which operator's hash to compute: v1alpha2 (the design document) or v1 (as shipped upstream).
    #[arg(long, value_parser = ["v1alpha2", "v1"], default_value = "v1alpha2")]
    algorithm: String,
    /// Output format.
    #[arg(long, value_parser = ["human", "json"], default_value = "human")]
    format: String,
    /// Do not honour .gitignore / .ignore files when walking directories.
    #[arg(long)]
    no_ignore: bool,
}

#[derive(Serialize)]
struct Entry {
    file: String,
    line: usize,
    #[serde(rename = "apiVersion")]
    api_version: String,
    namespace: Option<String>,
    name: Option<String>,
    hash: Option<String>,
    error: Option<String>,
    /// Not part of the versioned JSON: said in human output only.
    #[serde(skip)]
    best_effort: bool,
}

#[derive(Serialize)]
struct Report {
    version: u32,
    algorithm: Algorithm,
    resources: Vec<Entry>,
}

pub fn run(args: Args, ctx: &super::Context) -> anyhow::Result<i32> {
    let algorithm = Algorithm::parse(&args.algorithm).expect("clap restricts the values");
    let loaded = inputs::load(&args.paths, args.no_ignore)?;
    let mut resources = Vec::new();
    let mut io_failed = false;
    for failure in &loaded.failures {
        eprintln!("error: {failure}");
        io_failed = true;
    }
    for document in &loaded.documents {
        match document {
            Document::Unparsable {
                file,
                position,
                message,
            } => resources.push(Entry {
                file: file.clone(),
                line: position.line,
                api_version: String::new(),
                namespace: None,
                name: None,
                hash: None,
                error: Some(format!("the document does not parse: {message}")),
                best_effort: false,
            }),
            Document::Parsed {
                file, line, value, ..
            } => {
                for (_, object) in crate::source::objects(value) {
                    if !crd::is_materialize(object) {
                        continue;
                    }
                    let resource = crate::check::ResourceRef::of(object);
                    let mut best_effort = false;
                    let (hash, error) = match crd::rollout_hash(object, algorithm) {
                        Ok(hash) => {
                            best_effort = hash.best_effort;
                            (Some(hash.hex), None)
                        }
                        Err(err) => (
                            None,
                            Some(format!(
                                "the operator cannot read this object, so it has no hash: {err}"
                            )),
                        ),
                    };
                    resources.push(Entry {
                        file: file.clone(),
                        line: *line,
                        api_version: resource.api_version,
                        namespace: resource.namespace,
                        name: resource.name,
                        hash,
                        error,
                        best_effort,
                    });
                }
            }
            Document::Skipped { file } => {
                if !ctx.quiet {
                    eprintln!(
                        "note: {file}: skipped, it is a Helm/Go template and not YAML; render it first (helm template … | mz-presync hash -)"
                    );
                }
            }
        }
    }
    let any_unhashed = resources.iter().any(|r| r.hash.is_none());
    if args.format == "json" {
        let report = Report {
            version: 1,
            algorithm,
            resources,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_human(&resources, algorithm, ctx);
    }
    Ok(if io_failed {
        super::EXIT_USAGE
    } else if any_unhashed {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_OK
    })
}

fn print_human(resources: &[Entry], algorithm: Algorithm, ctx: &super::Context) {
    let bold = if ctx.color_stdout { "\x1b[1m" } else { "" };
    let red = if ctx.color_stdout { "\x1b[31m" } else { "" };
    let reset = if ctx.color_stdout { "\x1b[0m" } else { "" };
    for entry in resources {
        let name = match (&entry.namespace, &entry.name) {
            (Some(ns), Some(name)) => format!("{ns}/{name}"),
            (None, Some(name)) => name.clone(),
            _ => "<unnamed>".to_owned(),
        };
        match (&entry.hash, &entry.error) {
            (Some(hash), _) => println!(
                "{}:{}  {}  {bold}{name}{reset}  {hash}{}",
                entry.file,
                entry.line,
                entry.api_version,
                if entry.best_effort {
                    "  (best-effort: internalCertificateSpec is set, and the operator's certificate fields privateKeyAlgorithm/privateKeySize have no known place in the hash)"
                } else {
                    ""
                }
            ),
            (None, error) => println!(
                "{}:{}  {}  {bold}{name}{reset}  {red}no hash{reset}: {}",
                entry.file,
                entry.line,
                entry.api_version,
                error.as_deref().unwrap_or_default()
            ),
        }
    }
    if resources.is_empty() {
        println!("no Materialize resources found");
    } else if resources.iter().any(|r| r.hash.is_some()) {
        println!(
            "\nhashes computed with the {algorithm} algorithm. To promote a rollout without waiting, set spec.forcePromote to the new hash in the same change."
        );
    }
}
