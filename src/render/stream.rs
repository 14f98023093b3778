//! The manifest stream: every document of every input, in input order, as
//! Argo CD will apply it.
//!
//! Stream rules:
//!
//! * every non-empty document of every input, in input order, each exactly
//!   as written in its file (comments, quoting, key order and line endings
//!   kept), except the Materialize objects the migration converted;
//! * documents holding only comments, blank lines or `null` are dropped, as
//!   Argo CD drops them; a `...` end marker is dropped with its document's
//!   separator, since `---` lines separate the output;
//! * documents of `.json` files are written as one-line JSON: JSON's own
//!   layout (tab indentation in particular) is not always valid YAML, and the
//!   output is a YAML stream;
//! * when the first document starts with `{` or `[`, the stream starts with
//!   `---`: Kubernetes' YAML-or-JSON decoder, which Argo CD uses to split the
//!   output, would otherwise read the whole stream as JSON;
//! * the stream ends with a newline.

use std::borrow::Cow;

use rayon::prelude::*;
use serde_json::Value;

use super::convert::Rendered;
use super::rules::not_a_resource;
use crate::check::yaml_syntax;
use crate::finding::{Finding, Scope};
use crate::source::{self, DocumentSpan, FileFormat, SourceFile};

/// The assembled stream of all inputs.
#[derive(Debug, Default)]
pub struct Stream {
    /// The text to print when there is no error finding (`""` when there is
    /// no document).
    pub text: String,
    /// Documents in `text`.
    pub documents: usize,
    /// One `not-a-resource` error per document that is not a Kubernetes
    /// object, located in the original file.
    pub findings: Vec<Finding>,
    /// One error per document that does not parse: the caller keeps those
    /// for files the check engine did not already report an error in.
    pub unparsable: Vec<Finding>,
}

/// Assemble the stream of `files`, in the order given. Files are read in
/// parallel; the stream is joined in order.
pub fn assemble(files: &[Rendered]) -> Stream {
    let parts: Vec<FilePart> = files.par_iter().map(file_part).collect();
    let mut stream = Stream::default();
    for part in parts {
        for text in &part.documents {
            push_document(&mut stream, text);
        }
        stream.findings.extend(part.findings);
        stream.unparsable.extend(part.unparsable);
    }
    stream
}

/// One file's share of the stream.
struct FilePart<'f> {
    documents: Vec<Cow<'f, str>>,
    findings: Vec<Finding>,
    unparsable: Vec<Finding>,
}

fn file_part(rendered: &Rendered) -> FilePart<'_> {
    let output = rendered.output();
    let output_documents = output.documents();
    let original_documents = rendered.original.documents();
    let mut part = FilePart {
        documents: Vec::new(),
        findings: Vec::new(),
        unparsable: Vec::new(),
    };
    for document in &output_documents {
        if document.is_empty() {
            continue;
        }
        // A document that does not parse is normally reported by the check
        // engine (`yaml-syntax`, `template-skipped`); `unparsable` makes sure
        // the stream fails even where a suppression silenced it.
        let value = match source::parse_document(output, document) {
            Ok(value) => value,
            Err(error) => {
                part.unparsable.push(yaml_syntax::finding(
                    output,
                    document,
                    &error,
                    Scope::Render,
                ));
                None
            }
        };
        if value.as_ref().is_some_and(Value::is_null) {
            continue;
        }
        if let Some(value) = &value
            && !not_a_resource::is_resource(value)
        {
            let (file, located) = original_documents
                .get(document.index)
                .filter(|_| original_documents.len() == output_documents.len())
                .map_or((output, document), |d| (&rendered.original, d));
            part.findings
                .push(not_a_resource::finding(file, located, value));
        }
        let text = match (&value, output.format) {
            (Some(value), FileFormat::Json) => {
                let mut json = serde_json::to_string(value).unwrap_or_default();
                json.push('\n');
                Cow::Owned(json)
            }
            _ => Cow::Borrowed(document_text(output, document)),
        };
        part.documents.push(text);
    }
    part
}

fn push_document(stream: &mut Stream, text: &str) {
    if stream.documents == 0 {
        let first = text
            .lines()
            .map(str::trim_start)
            .find(|line| !line.is_empty() && !line.starts_with('#'));
        if first.is_some_and(|line| line.starts_with(['{', '['])) {
            stream.text.push_str("---\n");
        }
    } else {
        stream.text.push_str("---\n");
    }
    stream.text.push_str(text);
    if !text.ends_with('\n') {
        stream.text.push('\n');
    }
    stream.documents += 1;
}

/// A document's bytes without its `...` end marker.
fn document_text<'f>(file: &'f SourceFile, document: &DocumentSpan) -> &'f str {
    let end = document
        .end_marker
        .as_ref()
        .map_or(document.range.end, |marker| marker.start);
    file.text.get(document.range.start..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::{json, yaml};

    #[test]
    fn documents_are_copied_byte_for_byte_and_separated() {
        let a = yaml(
            "a.yaml",
            "# header comment\napiVersion: v1\nkind: Namespace   # trailing\nmetadata: {name: ns}\n---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 'quoted'\n...\n",
        );
        let b = yaml(
            "b.yaml",
            "apiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: s\r\n",
        );
        let stream = assemble(&[Rendered::unchanged(a), Rendered::unchanged(b)]);
        assert_eq!(
            stream.text,
            "# header comment\napiVersion: v1\nkind: Namespace   # trailing\nmetadata: {name: ns}\n\
             ---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 'quoted'\n\
             ---\napiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: s\r\n"
        );
        assert_eq!(stream.documents, 3);
        assert!(stream.findings.is_empty());
    }

    #[test]
    fn converted_text_replaces_the_original() {
        let rendered = Rendered {
            original: yaml(
                "mz.yaml",
                "apiVersion: materialize.cloud/v1alpha1\nkind: Materialize\n",
            ),
            converted: Some(yaml(
                "mz.yaml",
                "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\n",
            )),
        };
        assert_eq!(
            assemble(&[rendered]).text,
            "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\n"
        );
    }

    #[test]
    fn a_missing_final_newline_is_added_and_a_bom_dropped() {
        let stream = assemble(&[Rendered::unchanged(yaml(
            "a.yaml",
            "\u{feff}apiVersion: v1\nkind: Namespace",
        ))]);
        assert_eq!(stream.text, "apiVersion: v1\nkind: Namespace\n");
    }

    #[test]
    fn null_and_empty_documents_are_dropped() {
        let stream = assemble(&[Rendered::unchanged(yaml(
            "a.yaml",
            "---\n---\n~\n---\n# c\n---\napiVersion: v1\nkind: Namespace\n---\n",
        ))]);
        assert_eq!(stream.text, "apiVersion: v1\nkind: Namespace\n");
        assert_eq!(stream.documents, 1);
    }

    #[test]
    fn json_documents_become_one_line_and_a_leading_one_gets_a_separator() {
        let stream = assemble(&[
            Rendered::unchanged(json(
                "a.json",
                "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Namespace\"\n}\n",
            )),
            Rendered::unchanged(yaml("b.yaml", "apiVersion: v1\nkind: Secret\n")),
        ]);
        assert_eq!(
            stream.text,
            "---\n{\"apiVersion\":\"v1\",\"kind\":\"Namespace\"}\n---\napiVersion: v1\nkind: Secret\n"
        );
    }

    #[test]
    fn a_leading_flow_mapping_in_yaml_also_gets_a_separator() {
        let stream = assemble(&[Rendered::unchanged(yaml(
            "a.yaml",
            "# c\n{apiVersion: v1, kind: Namespace}\n",
        ))]);
        assert_eq!(stream.text, "---\n# c\n{apiVersion: v1, kind: Namespace}\n");
    }

    #[test]
    fn documents_that_are_not_objects_are_errors_at_their_first_line() {
        let stream = assemble(&[Rendered::unchanged(yaml(
            "values.yaml",
            "apiVersion: v1\nkind: Namespace\n---\n# values for a chart\nreplicas: 3\n---\n- a\n",
        ))]);
        let places: Vec<(usize, usize, &str)> = stream
            .findings
            .iter()
            .map(|f| (f.line(), f.column(), f.rule.id()))
            .collect();
        assert_eq!(
            places,
            [
                (5, 1, not_a_resource::RULE.id),
                (7, 1, not_a_resource::RULE.id)
            ]
        );
        assert!(
            stream.findings[0]
                .message
                .contains("document 2 is a mapping without apiVersion")
        );
        assert!(stream.findings[1].message.contains("a sequence"));
    }

    #[test]
    fn kustomizations_and_charts_say_to_render_first() {
        let stream = assemble(&[
            Rendered::unchanged(yaml(
                "base/kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n",
            )),
            Rendered::unchanged(yaml(
                "chart/Chart.yaml",
                "apiVersion: v2\nname: x\nversion: 0.1.0\n",
            )),
        ]);
        let messages: Vec<&str> = stream.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 2);
        assert!(
            messages[0].contains("kustomize build DIR | mz-presync render -"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].contains("helm template RELEASE CHART"),
            "{}",
            messages[1]
        );
    }
}
