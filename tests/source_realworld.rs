//! The `source` stage on the real Materialize manifests in
//! `fixtures/realworld/` and the small tricky files in `fixtures/source/`.

use std::path::{Path, PathBuf};

use mz_presync::source::{
    self, DEFAULT_MAX_FILE_SIZE, DocumentIndex, FileFormat, ParseError, Position, SourceFile,
    Target, WalkOptions,
};
use serde_json::Value;

fn fixture(rel: &str) -> SourceFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel);
    source::read_file(&path, rel.to_string(), DEFAULT_MAX_FILE_SIZE).expect("fixture reads")
}

/// Parse every document; panics on errors.
fn values(file: &SourceFile) -> Vec<Option<Value>> {
    file.documents()
        .iter()
        .map(|d| {
            source::parse_document(file, d)
                .unwrap_or_else(|e| panic!("{} doc {}: {e}", file.display, d.index))
        })
        .collect()
}

/// (pointer, apiVersion) of each Materialize object in the file.
fn materialize_objects(file: &SourceFile) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for (i, v) in values(file).iter().enumerate() {
        let Some(v) = v else { continue };
        for (ptr, obj) in source::objects(v) {
            if obj["kind"] == "Materialize" {
                out.push((i, ptr, obj["apiVersion"].as_str().unwrap_or("").to_string()));
            }
        }
    }
    out
}

#[test]
fn realworld_files_parse_and_templates_are_flagged() {
    let expected: &[(&str, usize, &[&str])] = &[
        (
            "05_materialize_misc_helm-charts_testing_materialize.yaml",
            3,
            &["v1alpha1"],
        ),
        (
            "07_materialize_docs_adopting-the-v1-crd.md.excerpt.yaml",
            3,
            &["v1alpha1", "v1"],
        ),
        (
            "08_materialize_docs_configuration-system-parameters.md.excerpt.yaml",
            4,
            &["v1alpha1", "v1", "v1"],
        ),
        (
            "09_materialize_docs_upgrading_materialize-instances_v1alpha2.md.excerpt.yaml",
            1,
            &["v1alpha2"],
        ),
        (
            "10_materialize_docs_password-auth.excerpt.yaml",
            3,
            &["v1alpha1"],
        ),
        (
            "11_materialize_docs_sasl-auth.excerpt.yaml",
            3,
            &["v1alpha1"],
        ),
        (
            "13_materialize_docs_install-on-aws-legacy.excerpt.yaml",
            1,
            &["v1alpha1"],
        ),
        (
            "14_materialize_docs_upgrade-v1alpha1-yaml.excerpt.yaml",
            1,
            &["v1alpha1"],
        ),
    ];
    for (name, docs, versions) in expected {
        let f = fixture(&format!("realworld/{name}"));
        assert!(!source::looks_like_template(&f.text), "{name}");
        assert_eq!(f.documents().len(), *docs, "{name}");
        let found: Vec<String> = materialize_objects(&f)
            .into_iter()
            .map(|(_, _, v)| v.trim_start_matches("materialize.cloud/").to_string())
            .collect();
        assert_eq!(found, *versions, "{name}");
    }
}

#[test]
fn helm_template_fails_to_parse_and_is_flagged() {
    let f =
        fixture("realworld/06_materialize_helm_operator_templates_materialize-environments.yaml");
    assert!(source::looks_like_template(&f.text));
    let docs = f.documents();
    assert_eq!(docs.len(), 2);
    let positions: Vec<Option<Position>> = docs
        .iter()
        .map(|d| match source::parse_document(&f, d) {
            Err(e @ ParseError::Template { .. }) => e.position(),
            other => panic!("doc {}: expected a template error, got {other:?}", d.index),
        })
        .collect();
    // `{{- if …}}` on line 11, `name: {{ .name }}` on line 17.
    assert_eq!(
        positions,
        [
            Some(Position {
                line: 11,
                column: 1
            }),
            Some(Position {
                line: 17,
                column: 9
            })
        ]
    );
}

#[test]
fn hugo_shortcode_in_an_image_tag_is_a_string() {
    let f =
        fixture("realworld/08_materialize_docs_configuration-system-parameters.md.excerpt.yaml");
    let v = values(&f);
    assert_eq!(
        v[1].as_ref().unwrap()["spec"]["environmentdImageRef"],
        "materialize/environmentd:{{< self-managed/versions/get-latest-version >}}"
    );
    // `spec:` followed only by a comment is null.
    assert_eq!(v[3].as_ref().unwrap()["spec"], Value::Null);
    // The block scalar holding JSON stays a string.
    assert!(
        v[0].as_ref().unwrap()["data"]["system-params.json"]
            .as_str()
            .unwrap()
            .contains("max_connections")
    );
}

#[test]
fn trailing_comments_are_outside_located_values() {
    let f = fixture("realworld/07_materialize_docs_adopting-the-v1-crd.md.excerpt.yaml");
    let docs = f.documents();
    let l = source::locate(&f, &docs[0], "/spec/requestRollout", Target::Value).unwrap();
    assert_eq!(
        &f.text[l.span.range()],
        "22222222-2222-2222-2222-222222222222"
    );
    assert_eq!(
        l.start,
        Position {
            line: 10,
            column: 19
        }
    );
    let l = source::locate(&f, &docs[1], "/spec/environmentdImageRef", Target::Key).unwrap();
    assert_eq!(l.start.line, 22);
    assert_eq!(&f.text[l.span.range()], "environmentdImageRef");
    // A field that is only in a comment does not exist: fall back to spec.
    let l = source::locate(&f, &docs[1], "/spec/forceRollout", Target::Key).unwrap();
    assert_eq!(l.found_pointer, "/spec");
    assert_eq!(l.start.line, 21);
}

/// Every leaf (and every key) the serde parser produced can be found by the
/// tree-sitter side at text that spells the same value.
fn check_consistency(f: &SourceFile) {
    let docs = f.documents();
    for d in &docs {
        let Some(value) = source::parse_document(f, d).unwrap() else {
            continue;
        };
        let index = DocumentIndex::new(f, d);
        assert!(index.has_tree(), "{} doc {}", f.display, d.index);
        let mut stack = vec![(String::new(), &value)];
        while let Some((ptr, v)) = stack.pop() {
            let l = index
                .locate(&ptr, Target::Value)
                .unwrap_or_else(|| panic!("{} {ptr}", f.display));
            assert!(
                l.exact,
                "{} doc {} {ptr}: found only {}",
                f.display, d.index, l.found_pointer
            );
            let text = &f.text[l.span.range()];
            match v {
                Value::Object(m) => {
                    for (k, child) in m {
                        let child_ptr = format!("{ptr}/{}", source::escape_pointer_token(k));
                        let key = index.locate(&child_ptr, Target::Key).unwrap();
                        assert_eq!(
                            unquote(&f.text[key.span.range()]),
                            k,
                            "{} {child_ptr}",
                            f.display
                        );
                        stack.push((child_ptr, child));
                    }
                }
                Value::Array(items) => {
                    for (i, child) in items.iter().enumerate() {
                        stack.push((format!("{ptr}/{i}"), child));
                    }
                }
                Value::String(s) if !text.starts_with(['|', '>']) && !text.contains('\n') => {
                    assert_eq!(unquote(text), s, "{} {ptr}", f.display)
                }
                Value::Number(n) => assert_eq!(text.parse::<f64>().ok(), n.as_f64(), "{ptr}"),
                Value::Bool(b) => assert_eq!(text, b.to_string(), "{ptr}"),
                _ => {}
            }
        }
    }
}

/// Reading documents without building their values gives the parser's
/// verdict, and the value whenever the kind is wanted. Returns how many
/// documents hold a value.
fn check_parse_document_when(f: &SourceFile) -> usize {
    let mut with_value = 0;
    for d in f.documents() {
        let full = source::parse_document(f, &d).unwrap();
        let none = source::parse_document_when(f, &d, |_| false).unwrap();
        assert_eq!(none, None, "{} doc {}", f.display, d.index);
        let kind = full.as_ref().and_then(|v| v["kind"].as_str());
        let wanted = source::parse_document_when(f, &d, |k| k == kind).unwrap();
        assert_eq!(wanted, full, "{} doc {}", f.display, d.index);
        with_value += usize::from(full.is_some());
    }
    with_value
}

fn unquote(s: &str) -> &str {
    s.strip_prefix(['"', '\''])
        .and_then(|s| s.strip_suffix(['"', '\'']))
        .unwrap_or(s)
}

#[test]
fn serde_values_and_tree_sitter_spans_agree() {
    let mut files: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/realworld"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") && !n.starts_with("06_"))
            .map(|n| format!("realworld/{n}"))
            .collect();
    files.extend(
        [
            "source/crlf-bom-stream.yaml",
            "source/kind-list.yaml",
            "source/materialize.json",
        ]
        .map(String::from),
    );
    files.sort();
    assert!(files.len() >= 11);
    let mut with_value = 0;
    for name in files {
        let f = fixture(&name);
        check_consistency(&f);
        with_value += check_parse_document_when(&f);
    }
    assert!(with_value >= 20, "{with_value}");
}

#[test]
fn crlf_bom_stream() {
    let f = fixture("source/crlf-bom-stream.yaml");
    assert!(f.text.starts_with('\u{feff}'));
    assert!(f.text.contains("\r\n"));
    let docs = f.documents();
    assert_eq!(docs.len(), 4);
    assert!(docs[0].end_marker.is_some());
    assert!(docs[3].is_empty());
    let v = values(&f);
    assert!(
        v[0].as_ref().unwrap()["data"]["run.sh"]
            .as_str()
            .unwrap()
            .contains("---\necho \"it's fine\"")
    );
    assert_eq!(
        v[1].as_ref().unwrap()["spec"]["environmentdExtraEnv"][0]["value"],
        "multi line"
    );
    assert_eq!(
        v[2].as_ref().unwrap()["metadata"]["name"],
        "flow-on-the-separator-line"
    );
    assert_eq!(v[3], None);
    let l = source::locate(
        &f,
        &docs[1],
        "/spec/environmentdExtraEnv/1/name",
        Target::Value,
    )
    .unwrap();
    assert_eq!(&f.text[l.span.range()], "'B'");
    assert_eq!(
        l.start,
        Position {
            line: 26,
            column: 14
        }
    );
    assert_eq!(f.line_text(26), "    - {name: 'B', value: \"2\"}");
    let l = source::locate(&f, &docs[2], "/metadata/name", Target::Value).unwrap();
    assert_eq!(l.start.line, 28);
}

#[test]
fn kind_list_objects_have_pointer_prefixes() {
    let f = fixture("source/kind-list.yaml");
    let v = values(&f).remove(0).unwrap();
    let objs = source::objects(&v);
    assert_eq!(objs.len(), 2);
    assert_eq!(objs[1].0, "/items/1");
    let docs = f.documents();
    let l = source::locate(
        &f,
        &docs[0],
        &format!("{}/spec/backendSecretName", objs[1].0),
        Target::Value,
    )
    .unwrap();
    assert_eq!(
        l.start,
        Position {
            line: 17,
            column: 24
        }
    );
}

#[test]
fn json_manifest() {
    let f = fixture("source/materialize.json");
    assert_eq!(f.format, FileFormat::Json);
    let v = values(&f).remove(0).unwrap();
    assert_eq!(v["spec"]["rolloutStrategy"], "WaitUntilReady");
    let l = source::locate(&f, &f.documents()[0], "/spec/rolloutStrategy", Target::Key).unwrap();
    assert_eq!(l.start, Position { line: 8, column: 3 });
}

#[test]
fn duplicate_key_fixture() {
    let f = fixture("source/duplicate-key.yaml");
    match source::parse_document(&f, &f.documents()[0]) {
        Err(ParseError::DuplicateKey { key, position }) => {
            assert_eq!(key, "environmentdImageRef");
            assert_eq!(position, Some(Position { line: 8, column: 3 }));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn walking_the_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let found = source::walk(
        &[root.join("realworld"), root.join("source")],
        &WalkOptions::default(),
    );
    let names: Vec<String> = found
        .iter()
        .map(|r| r.as_ref().expect("no walk errors"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 9 + 4, "{names:?}");
    assert!(names.iter().all(|n| !n.ends_with(".md")));
    let mut sorted = found
        .iter()
        .map(|r| r.as_ref().unwrap().clone())
        .collect::<Vec<PathBuf>>();
    sorted.sort();
    assert_eq!(
        sorted,
        found.into_iter().map(Result::unwrap).collect::<Vec<_>>()
    );
}
