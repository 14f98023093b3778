//! The formats of `hash`: `human` (one line per resource, then how to
//! promote) and `json` (stable, versioned).

use serde::Serialize;

use super::style::{self, Painter};
use crate::crd::live::Overlay;
use crate::crd::{Algorithm, Operator};
use crate::hash::{HashedResource, Hashes};

/// The marker after a hash that is not the live one, explained once below
/// the list.
const INEXACT_MARK: &str = "~";

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

/// `--live -` and a manifest path `-` would both read standard input.
pub const STDIN_TWICE: &str = "`--live -` reads the live objects from standard input, so no PATH can be `-` too; write the manifests (or the kubectl output) to a file and pass its path";

/// Said once per run under the design model when a `materialize.cloud/v1`
/// object is read: clusters that serve `v1` run the released operator.
pub const V1_UNDER_DESIGN_NOTE: &str = "note: materialize.cloud/v1 is the version the released operator (v26.30+) serves; if your cluster runs it, pass --operator released (or set `operator: released` in .mz-presync.yaml) for its hash and verdicts";

/// What `hash --live` says on stderr about a live object that no manifest
/// is for.
pub fn live_unmatched_note(hashes: &Hashes, object: &str) -> String {
    format!(
        "note: {}: live object {object} has no manifest with its namespace/name under the given paths",
        hashes.live_source.as_deref().unwrap_or("-")
    )
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    operator: Operator,
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
    exact: bool,
    /// Only with `--live`: the overlay, or `null` when no live object has
    /// the manifest's namespace/name.
    #[serde(skip_serializing_if = "Option::is_none")]
    live: Option<Option<&'a Overlay>>,
}

fn json(hashes: &Hashes) -> String {
    let report = JsonReport {
        version: 1,
        operator: hashes.operator,
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
                exact: entry.exact,
                live: hashes.live_source.as_ref().map(|_| entry.live.as_ref()),
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
        if let Some(source) = &hashes.live_source {
            for line in live_lines(entry, source) {
                out.push_str("  live: ");
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    if hashes.resources.is_empty() {
        out.push_str("no Materialize resources found\n");
    } else if hashes.any_hashed() {
        if hashes.any_inexact() {
            out.push_str(&format!(
                "\n{INEXACT_MARK} environmentId unset: not the live hash. The operator hashes the environmentId it assigned to the instance, so a forcePromote set to a hash marked {INEXACT_MARK} does not promote; set spec.environmentId, or pass `--live` with `kubectl get materialize -o yaml` output.\n"
            ));
        }
        out.push_str(&format!(
            "\nhashes computed with the {} algorithm (operator: {}){}. To promote a rollout without waiting, set spec.forcePromote to the new hash in the same change.\n",
            hashes.algorithm,
            hashes.operator,
            match &hashes.live_source {
                Some(source) => format!(" with the live-only inputs of {source}"),
                None => String::new(),
            }
        ));
    }
    out
}

/// What `--live` found for one resource: what was overlaid, and the
/// reading of the live status.
fn live_lines(entry: &HashedResource, source: &str) -> Vec<String> {
    if entry.hash.is_err() && entry.resource.name.is_none() {
        return Vec::new();
    }
    let Some(overlay) = &entry.live else {
        return vec![format!(
            "no live object with this namespace/name in {source}; the hash is the manifest's own"
        )];
    };
    let mut taken = Vec::new();
    if let Some(id) = &overlay.environment_id {
        taken.push(format!("environmentId {id}"));
    }
    if let Some(value) = &overlay.force_rollout_annotation {
        taken.push(format!("force-rollout annotation {value}"));
    }
    let first = if taken.is_empty() {
        "nothing taken from the live object (the manifest sets its live-only inputs, or the live object has none)".to_owned()
    } else {
        format!("took {} from the live object", taken.join(" and "))
    };
    let status = &overlay.status;
    let condition = match (&status.up_to_date, &status.reason) {
        (Some(value), Some(reason)) => format!("UpToDate {value}, {reason}"),
        (Some(value), None) => format!("UpToDate {value}"),
        (None, _) => String::new(),
    };
    let second = if status.pending {
        format!(
            "changes are pending ({condition}): the operator applies nothing until a rollout is requested, and the next requested rollout restarts"
        )
    } else if status.rollout_in_progress {
        format!("a rollout is in progress ({condition})")
    } else if status.up_to_date.is_some() {
        format!("up to date ({condition})")
    } else {
        "the live status has no UpToDate condition".to_owned()
    };
    vec![first, second]
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
            "{at}  {}{}{}",
            hash.hex,
            if entry.exact {
                String::new()
            } else {
                format!(" {INEXACT_MARK}")
            },
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
