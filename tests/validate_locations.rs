//! Findings deep inside multi-document files point at the right line and
//! column (1-based, in characters) of the key or value they are about, in
//! block and flow style, with quoted keys, CRLF line endings, a BOM, `List`
//! items and JSON.

use std::path::PathBuf;

use mz_presync::check::{CheckOptions, Finding, ValidateOptions, check_object, validate_files};
use mz_presync::source::{FileFormat, SourceFile, objects, parse_document};

fn source(text: &str, format: FileFormat) -> SourceFile {
    let name = if format == FileFormat::Json {
        "t.json"
    } else {
        "t.yaml"
    };
    SourceFile::from_text(name, PathBuf::from(name), text.to_owned(), format)
}

fn findings(file: &SourceFile) -> Vec<Finding> {
    validate_files(vec![file.clone()], |_| false, &ValidateOptions::default()).findings
}

/// (line, column, text found there) of the finding at `pointer`.
fn at(file: &SourceFile, findings: &[Finding], pointer: &str) -> (usize, usize, String) {
    let finding = findings
        .iter()
        .find(|f| f.pointer() == pointer)
        .unwrap_or_else(|| panic!("no finding at {pointer}: {findings:#?}"));
    let line = file.line_text(finding.line());
    let start: String = line.chars().skip(finding.column() - 1).collect();
    let length = if finding.end_line() == finding.line() {
        finding.end_column() - finding.column()
    } else {
        start.chars().count()
    };
    (
        finding.line(),
        finding.column(),
        start.chars().take(length).collect(),
    )
}

const PREAMBLE: &str = "# a ConfigMap first\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  spec: |\n    ---\n    not: a document\n---\n";

#[test]
fn deep_block_keys_in_the_third_document() {
    let text = format!(
        "{PREAMBLE}{}",
        r#"apiVersion: v1
kind: Secret
metadata: {name: s}
---
apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: prod
spec:
  environmentdImageRef: materialize/environmentd:v26.1.0
  backendSecretName: b
  environmentdExtraEnv:
    - name: A
      value: a
    - name: B
      valueFrom:
        secretKeyRef: {name: s, key: k, optional: on}
  environmentdResourceRequirements:
    requests:
      cpu: 0.25
    limitz: {}
"#
    );
    let file = source(&text, FileFormat::Yaml);
    let found = findings(&file);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(
        at(
            &file,
            &found,
            "/spec/environmentdExtraEnv/1/valueFrom/secretKeyRef/optional"
        ),
        (27, 51, "on".to_owned())
    );
    assert_eq!(
        at(
            &file,
            &found,
            "/spec/environmentdResourceRequirements/requests/cpu"
        ),
        (30, 12, "0.25".to_owned())
    );
    assert_eq!(
        at(
            &file,
            &found,
            "/spec/environmentdResourceRequirements/limitz"
        ),
        (31, 5, "limitz".to_owned())
    );
}

#[test]
fn flow_maps_and_quoted_keys() {
    let text = r#"apiVersion: v1
kind: Namespace
metadata: {name: prod}
---
apiVersion: materialize.cloud/v1
kind: Materialize
metadata: {name: mz, 'namespace': prod}
spec: {"environmentdImageRef": 'materialize/environmentd:v26.1.0', backendSecretName: b,
  "rolloutStratgy": WaitUntilReady, 'podLabels': {"app/tier": 3, ok: "x"},
  environmentdExtraEnv: [{name: A, 'vaule': x}]}
"#;
    let file = source(text, FileFormat::Yaml);
    let found = findings(&file);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(
        at(&file, &found, "/spec/rolloutStratgy"),
        (9, 3, "\"rolloutStratgy\"".to_owned())
    );
    assert_eq!(
        at(&file, &found, "/spec/podLabels/app~1tier"),
        (9, 63, "3".to_owned())
    );
    assert_eq!(
        at(&file, &found, "/spec/environmentdExtraEnv/0/vaule"),
        (10, 36, "'vaule'".to_owned())
    );
}

#[test]
fn crlf_bom_and_multi_byte_characters() {
    let text = r#"apiVersion: v1
kind: ConfigMap
metadata: {name: é}
---
apiVersion: materialize.cloud/v1
kind: Materialize
metadata: {name: mz, namespace: prod, labels: {note: "ünïcode"}}
spec:
  environmentdImageRef: "materialize/environmentd:v26.1.0"
  backendSecretName: b
  podAnnotations: {ünï: "é", n: 1}
"#;
    let text = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    let text = text.as_str();
    let file = source(text, FileFormat::Yaml);
    let found = findings(&file);
    assert_eq!(found.len(), 1, "{found:#?}");
    // Columns count characters: `{ünï: "é", n: ` is 13 characters.
    assert_eq!(
        at(&file, &found, "/spec/podAnnotations/n"),
        (11, 33, "1".to_owned())
    );
}

#[test]
fn list_items_carry_their_prefix() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n- apiVersion: materialize.cloud/v1alpha2\n  kind: Materialize\n  metadata: {name: mz, namespace: p}\n  spec:\n    environmentdImageRef: \"\"\n    backendSecretName: b\n";
    let file = source(text, FileFormat::Yaml);
    let found = findings(&file);
    assert_eq!(
        at(&file, &found, "/items/1/spec/environmentdImageRef"),
        (11, 27, "\"\"".to_owned())
    );
}

#[test]
fn json_manifests() {
    let text = "{\n  \"apiVersion\": \"materialize.cloud/v1\",\n  \"kind\": \"Materialize\",\n  \"metadata\": {\"name\": \"mz\", \"namespace\": \"p\"},\n  \"spec\": {\n    \"environmentdImageRef\": \"materialize/environmentd:v26.1.0\",\n    \"backendSecretName\": \"b\",\n    \"environmentdExtraEnv\": [{\"name\": \"A\", \"value\": 5}]\n  }\n}\n";
    let file = source(text, FileFormat::Json);
    let found = findings(&file);
    assert_eq!(
        at(&file, &found, "/spec/environmentdExtraEnv/0/value"),
        (8, 53, "5".to_owned())
    );
}

#[test]
fn check_object_locates_for_other_commands() {
    let text = "kind: Namespace\napiVersion: v1\nmetadata: {name: x}\n---\napiVersion: materialize.cloud/v1\nkind: Materialize\nmetadata: {name: mz}\nspec:\n  environmentdImageRef: i\n  backendSecretName: b\n  requestRollout: 22222222-2222-2222-2222-222222222222\n";
    let file = source(text, FileFormat::Yaml);
    let docs = file.documents();
    let value = parse_document(&file, &docs[1]).unwrap().unwrap();
    let (prefix, object) = objects(&value).into_iter().next().unwrap();
    let found = check_object(&file, &docs[1], &prefix, object, &CheckOptions::default());
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].rule.id(), found[0].line(), found[0].column()),
        ("removed-field", 11, 3)
    );
    assert_eq!((found[0].end_line(), found[0].end_column()), (11, 17));
    assert_eq!(found[0].file(), "t.yaml");
    assert_eq!(
        found[0].resource.as_ref().unwrap().name.as_deref(),
        Some("mz")
    );
    // Non-Materialize objects give nothing.
    let value = parse_document(&file, &docs[0]).unwrap().unwrap();
    assert!(check_object(&file, &docs[0], "", &value, &CheckOptions::default()).is_empty());
}
