//! A blob's Materialize resources, with their rollout hashes. Parsed once
//! per (blob id, format) and shared by every commit that has the blob.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::inline_patches::{inline_patches, operations_object};
use crate::check::{template_skipped, yaml_syntax};
use crate::crd::{self, Algorithm, RolloutHash, Unreadable};
use crate::finding::{Finding, Location, Rule, Span};
use crate::source::{self, DocumentSpan, FileFormat, ParseError, Position, SourceFile, kustomize};

/// Blobs larger than this are reported, not parsed (the same limit as
/// reading files from disk).
pub const MAX_BLOB_SIZE: u64 = source::DEFAULT_MAX_FILE_SIZE;

/// What one blob holds.
#[derive(Debug, Default)]
pub struct ParsedBlob {
    /// The text, kept only when there are resources or problems to locate
    /// findings in.
    pub file: Option<Arc<SourceFile>>,
    pub resources: Vec<Resource>,
    /// Documents (or the whole blob) that could not be read.
    pub problems: Vec<DocumentProblem>,
    /// The blob is a kustomization: its resources are the partial objects
    /// its inline patches write ([`super::inline_patches`]).
    pub inline_patches: bool,
    /// The blob is a JSON 6902 operation list touching a spec or an
    /// annotation: what it patches is known only from the kustomization
    /// that names it (see [`operations_blob`]).
    pub operations: Option<Vec<Value>>,
}

impl ParsedBlob {
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.problems.is_empty() && self.operations.is_none()
    }
}

/// The partial object an operation list writes into the Materialize
/// resource `target` selects, as a blob of one resource.
pub fn operations_blob(parsed: &ParsedBlob, target: &Value, algorithm: Algorithm) -> ParsedBlob {
    let mut out = ParsedBlob {
        file: parsed.file.clone(),
        ..ParsedBlob::default()
    };
    if let (Some(file), Some(operations)) = (&parsed.file, &parsed.operations)
        && let Some(span) = file.documents().into_iter().find(|d| !d.is_empty())
    {
        let object = operations_object(target, operations);
        out.resources
            .push(resource(object, &span, String::new(), algorithm));
    }
    out
}

/// A cheap test that a text may be a JSON 6902 operation list that changes
/// a spec field or an annotation.
fn may_be_operations(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| memchr::memmem::find(bytes, needle).is_some();
    has(b"op") && (has(b"/spec/") || has(b"/metadata/annotations/"))
}

/// The operations of an operation-list blob: a single document that is a
/// sequence of mappings with `op` and `path`.
fn operations_of(file: &SourceFile) -> Option<Vec<Value>> {
    source::parse_single_document(file).and_then(kustomize::operation_list)
}

/// A Materialize object in a blob.
#[derive(Debug)]
pub struct Resource {
    pub document: DocumentSpan,
    /// `""`, or `/items/N` for an item of a `List`.
    pub prefix: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub api_version: String,
    pub value: Value,
    pub hash: Result<RolloutHash, Unreadable>,
}

/// A document that does not parse, or a blob that is not text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentProblem {
    /// `yaml-syntax` or `template-skipped`, at the place the parser
    /// stopped. The wording is `rollouts`' own: it says what the problem
    /// means for the comparison.
    pub finding: Finding,
    /// The document's text names `Materialize`: it may hide a resource.
    pub mentions_materialize: bool,
}

/// A cheap test that a text cannot contain a Materialize object: the kind
/// must be spelled out somewhere, unless an escape sequence hides it.
fn may_hold_materialize(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"Materialize").is_some() || memchr::memchr(b'\\', bytes).is_some()
}

/// Parse a blob's bytes found at `path` (which decides YAML or JSON).
pub fn parse_blob(path: &str, bytes: Vec<u8>, algorithm: Algorithm) -> ParsedBlob {
    let path_buf = PathBuf::from(path);
    let format = FileFormat::from_path(Path::new(path));
    if !may_hold_materialize(&bytes) {
        if !may_be_operations(&bytes) || bytes.len() as u64 > MAX_BLOB_SIZE {
            return ParsedBlob::default();
        }
        let Ok(file) = source::source_from_bytes(path_buf, path.to_owned(), bytes, format) else {
            return ParsedBlob::default();
        };
        return match operations_of(&file) {
            Some(operations) => ParsedBlob {
                file: Some(Arc::new(file)),
                operations: Some(operations),
                ..ParsedBlob::default()
            },
            None => ParsedBlob::default(),
        };
    }
    if bytes.len() as u64 > MAX_BLOB_SIZE {
        return whole_blob_problem(
            path,
            format!(
                "the file is {} bytes, more than the limit of {MAX_BLOB_SIZE}; it was not read, so any Materialize resource in it is not compared",
                bytes.len()
            ),
        );
    }
    let file = match source::source_from_bytes(path_buf, path.to_owned(), bytes, format) {
        Ok(file) => file,
        Err(err) => {
            return whole_blob_problem(
                path,
                format!("{err}; any Materialize resource in it is not compared"),
            );
        }
    };
    let kustomization = kustomize::is_kustomization_path(Path::new(path));
    let mut parsed = ParsedBlob {
        inline_patches: kustomization,
        ..ParsedBlob::default()
    };
    for span in file.documents() {
        let document = if kustomization {
            source::parse_document(&file, &span)
        } else {
            source::parse_document_when(&file, &span, crd::kind_may_hold_materialize)
        };
        match document {
            Ok(Some(value)) if kustomization => {
                collect_inline_patches(&value, &span, algorithm, &mut parsed.resources)
            }
            Ok(Some(value)) => collect_resources(&value, &span, algorithm, &mut parsed.resources),
            Ok(None) => {}
            Err(err) => parsed.problems.push(problem_of(&file, &span, &err)),
        }
    }
    if !parsed.is_empty() {
        parsed.file = Some(Arc::new(file));
    }
    parsed
}

fn whole_blob_problem(path: &str, message: String) -> ParsedBlob {
    ParsedBlob {
        file: None,
        resources: Vec::new(),
        inline_patches: false,
        operations: None,
        problems: vec![DocumentProblem {
            finding: Finding::new(
                Rule::new(&yaml_syntax::RULE),
                Location::at(
                    path.to_owned(),
                    None,
                    Span::at(Position { line: 1, column: 1 }, 0),
                ),
                message,
            ),
            mentions_materialize: true,
        }],
    }
}

fn problem_of(file: &SourceFile, span: &DocumentSpan, err: &ParseError) -> DocumentProblem {
    let position = err.position().unwrap_or(file.position(span.content_start));
    let mentions_materialize = span.text(&file.text).contains("Materialize");
    let (rule, message) = match err {
        ParseError::Template { .. } => (
            &template_skipped::RULE,
            format!(
                "this document is a Helm/Go template, not YAML ({err}); its resources are not compared — render the chart and compare the output instead"
            ),
        ),
        _ => (
            &yaml_syntax::RULE,
            format!(
                "the document does not parse ({err}); fix the syntax, otherwise Argo CD cannot apply it"
            ),
        ),
    };
    let location = Location::at(
        file.display.clone(),
        Some(span.index),
        Span::at(position, 0),
    );
    DocumentProblem {
        finding: Finding::new(Rule::new(rule), location, message),
        mentions_materialize,
    }
}

fn collect_inline_patches(
    kustomization: &Value,
    span: &DocumentSpan,
    algorithm: Algorithm,
    out: &mut Vec<Resource>,
) {
    for patch in inline_patches(kustomization) {
        out.push(resource(patch.object, span, patch.pointer, algorithm));
    }
}

fn resource(object: Value, span: &DocumentSpan, prefix: String, algorithm: Algorithm) -> Resource {
    let text = |pointer: &str| {
        object
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Resource {
        document: span.clone(),
        prefix,
        namespace: text("/metadata/namespace"),
        name: text("/metadata/name"),
        api_version: text("/apiVersion").unwrap_or_default(),
        hash: crd::rollout_hash(&object, algorithm),
        value: object,
    }
}

fn collect_resources(
    value: &Value,
    span: &DocumentSpan,
    algorithm: Algorithm,
    out: &mut Vec<Resource>,
) {
    for (prefix, object) in source::objects(value) {
        if crd::is_materialize(object) {
            out.push(resource(object.clone(), span, prefix, algorithm));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MZ: &str = "apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: prod
spec:
  environmentdImageRef: materialize/environmentd:v26.0.0
  backendSecretName: mz-backend
";

    #[test]
    fn files_without_the_kind_are_not_parsed() {
        let parsed = parse_blob(
            "a.yaml",
            b"kind: ConfigMap\n: : broken".to_vec(),
            Algorithm::V1alpha2,
        );
        assert!(parsed.is_empty());
        assert!(parsed.file.is_none());
    }

    #[test]
    fn finds_resources_in_streams_and_lists() {
        let text = format!(
            "kind: ConfigMap\napiVersion: v1\n---\n{MZ}---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: materialize.cloud/v1\n  kind: Materialize\n  metadata: {{name: other}}\n  spec: {{environmentdImageRef: x, backendSecretName: y}}\n"
        );
        let parsed = parse_blob("a.yaml", text.into_bytes(), Algorithm::V1alpha2);
        assert_eq!(parsed.resources.len(), 2);
        let first = &parsed.resources[0];
        assert_eq!(
            (first.namespace.as_deref(), first.name.as_deref()),
            (Some("prod"), Some("mz"))
        );
        assert_eq!(first.document.index, 1);
        assert!(first.hash.is_ok());
        let second = &parsed.resources[1];
        assert_eq!(second.prefix, "/items/0");
        assert_eq!(second.namespace, None);
        assert!(parsed.file.is_some());
    }

    #[test]
    fn unreadable_objects_keep_the_reason() {
        let text = MZ.replace("backendSecretName: mz-backend", "rolloutStrategy: Bogus");
        let parsed = parse_blob("a.yaml", text.into_bytes(), Algorithm::V1alpha2);
        assert!(parsed.resources[0].hash.is_err());
    }

    #[test]
    fn syntax_errors_and_templates_are_problems() {
        let parsed = parse_blob(
            "a.yaml",
            b"kind: Materialize\nspec: [\n".to_vec(),
            Algorithm::V1alpha2,
        );
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].finding.rule, "yaml-syntax");
        assert!(parsed.problems[0].mentions_materialize);
        let parsed = parse_blob(
            "a.yaml",
            b"kind: Materialize\nspec:\n  {{- toYaml .Values.spec | nindent 2 }}\n".to_vec(),
            Algorithm::V1alpha2,
        );
        assert_eq!(parsed.problems[0].finding.rule, "template-skipped");
        let parsed = parse_blob(
            "a.yaml",
            b"Materialize\0binary".to_vec(),
            Algorithm::V1alpha2,
        );
        assert_eq!(parsed.problems[0].finding.rule, "yaml-syntax");
    }

    #[test]
    fn json_blobs_use_the_json_parser() {
        let json = r#"{"apiVersion":"materialize.cloud/v1","kind":"Materialize","metadata":{"name":"j"},"spec":{"environmentdImageRef":"x","backendSecretName":"y"}}"#;
        let parsed = parse_blob("a.json", json.as_bytes().to_vec(), Algorithm::V1);
        assert_eq!(parsed.resources.len(), 1);
        assert_eq!(parsed.file.as_ref().unwrap().format, FileFormat::Json);
    }
}
