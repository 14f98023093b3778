//! The formats of `hash`: `human` (one line per resource, then how to
//! promote) and `json` (stable, versioned).

use serde::Serialize;

use super::style::{self, Painter};
use crate::crd::Algorithm;
use crate::hash::{HashedResource, Hashes};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
}

/// The whole report in `format`, ending with a newline.
pub fn render(hashes: &Hashes, format: Format, color: bool) -> String {
    match format {
        Format::Human => human(hashes, Painter::new(color)),
        Format::Json => json(hashes),
    }
}

/// What `hash` says on stderr about a file it did not read.
pub fn template_note(file: &str) -> String {
    format!(
        "note: {file}: skipped, it is a Helm/Go template and not YAML; render it first (helm template … | mz-presync hash -)"
    )
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    algorithm: Algorithm,
    resources: Vec<JsonEntry<'a>>,
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    file: &'a str,
    line: usize,
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
    hash: Option<&'a str>,
    error: Option<String>,
}

fn json(hashes: &Hashes) -> String {
    let report = JsonReport {
        version: 1,
        algorithm: hashes.algorithm,
        resources: hashes
            .resources
            .iter()
            .map(|entry| JsonEntry {
                file: &entry.file,
                line: entry.line,
                api_version: &entry.resource.api_version,
                namespace: entry.resource.namespace.as_deref(),
                name: entry.resource.name.as_deref(),
                hash: entry.hash.as_ref().ok().map(|h| h.hex.as_str()),
                error: entry.hash.as_ref().err().map(ToString::to_string),
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&report).expect("strings and numbers serialize");
    out.push('\n');
    out
}

fn human(hashes: &Hashes, painter: Painter) -> String {
    let mut out = String::new();
    for entry in &hashes.resources {
        out.push_str(&human_line(entry, painter));
        out.push('\n');
    }
    if hashes.resources.is_empty() {
        out.push_str("no Materialize resources found\n");
    } else if hashes.any_hashed() {
        out.push_str(&format!(
            "\nhashes computed with the {} algorithm. To promote a rollout without waiting, set spec.forcePromote to the new hash in the same change.\n",
            hashes.algorithm
        ));
    }
    out
}

fn human_line(entry: &HashedResource, painter: Painter) -> String {
    let resource = &entry.resource;
    let name = match (&resource.namespace, &resource.name) {
        (Some(ns), Some(name)) => format!("{ns}/{name}"),
        (None, Some(name)) => name.clone(),
        _ => "<unnamed>".to_owned(),
    };
    let name = painter.paint(style::EMPHASIS, &name);
    let at = format!(
        "{}:{}  {}  {name}",
        entry.file, entry.line, resource.api_version
    );
    match &entry.hash {
        Ok(hash) => format!(
            "{at}  {}{}",
            hash.hex,
            if hash.best_effort {
                "  (best-effort: internalCertificateSpec is set, and the operator's certificate fields privateKeyAlgorithm/privateKeySize have no known place in the hash)"
            } else {
                ""
            }
        ),
        Err(error) => format!(
            "{at}  {}: {error}",
            painter.paint(style::FAILURE, "no hash")
        ),
    }
}
