//! Property test: v1alpha1 manifests written in random layouts (indentation,
//! key order, quoting, comments, flow or block maps, CRLF, a BOM, a final
//! newline or not, a second document) always migrate; the result reads back
//! as the conversion (checked inside `migrate_text`), a second migration
//! changes nothing, and the second document keeps its bytes.

use std::path::PathBuf;

use mz_presync::crd::{self, Version};
use mz_presync::migrate::{MigrateOptions, migrate_text};
use mz_presync::source::{self, FileFormat, SourceFile};
use proptest::prelude::*;

/// How one spec field is written.
#[derive(Clone, Debug)]
struct Field {
    key: &'static str,
    /// The value as YAML text (block style).
    value: String,
    comment: Option<&'static str>,
}

fn scalar_field(key: &'static str, values: Vec<&'static str>) -> impl Strategy<Value = Field> {
    (
        proptest::sample::select(values),
        proptest::option::of(proptest::sample::select(vec![
            "# ← MUST set a new UUID every upgrade",
            "#deprecated",
            "# a: b, c",
        ])),
    )
        .prop_map(move |(value, comment)| Field {
            key,
            value: value.to_owned(),
            comment,
        })
}

fn annotations() -> impl Strategy<Value = Field> {
    proptest::sample::select(vec![
        "{}",
        "{team: data}",
        "{\"eks.amazonaws.com/role-arn\": arn:aws:iam::1:role/other}",
        "null",
        "",
        "BLOCK:team: data",
        "BLOCK:eks.amazonaws.com/role-arn: \"arn:aws:iam::1:role/mz\"",
    ])
    .prop_map(|value| Field {
        key: "serviceAccountAnnotations",
        value: value.to_owned(),
        comment: None,
    })
}

fn spec_fields() -> impl Strategy<Value = Vec<Field>> {
    let optional = (
        proptest::option::of(scalar_field(
            "requestRollout",
            vec![
                "1e6ef7bc-bff2-4bd4-90dc-eda5e5c9d3c1",
                "\"1e6ef7bc-bff2-4bd4-90dc-eda5e5c9d3c1\"",
                "'00000000-0000-0000-0000-000000000000'",
                "|-\n  1e6ef7bc-bff2-4bd4-90dc-eda5e5c9d3c1",
            ],
        )),
        proptest::option::of(scalar_field("inPlaceRollout", vec!["false", "true"])),
        proptest::option::of(scalar_field(
            "environmentdIamRoleArn",
            vec![
                "arn:aws:iam::1:role/mz",
                "\"arn:aws:iam::1:role/mz\"",
                "null",
            ],
        )),
        proptest::option::of(annotations()),
        proptest::option::of(scalar_field(
            "forcePromote",
            vec![
                "\"\"",
                "''",
                "00000000-0000-0000-0000-000000000000",
                "1e6ef7bc-bff2-4bd4-90dc-eda5e5c9d3c1",
            ],
        )),
        proptest::option::of(scalar_field("rolloutRequestTimeout", vec!["2h", "\"90m\""])),
        proptest::option::of(scalar_field("podLabels", vec!["{a: b}", "{}"])),
    );
    (optional, any::<u64>()).prop_map(|(o, seed)| {
        let mut fields = vec![
            Field {
                key: "environmentdImageRef",
                value: "materialize/environmentd:v26.1.0".into(),
                comment: None,
            },
            Field {
                key: "backendSecretName",
                value: "materialize-backend".into(),
                comment: None,
            },
        ];
        fields.extend([o.0, o.1, o.2, o.3, o.4, o.5, o.6].into_iter().flatten());
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..fields.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            fields.swap(i, (state % (i as u64 + 1)) as usize);
        }
        fields
    })
}

#[derive(Clone, Debug)]
struct Layout {
    indent: usize,
    crlf: bool,
    bom: bool,
    final_newline: bool,
    comment_lines: bool,
    second_document: bool,
    /// The spec as one flow mapping: `spec: {a: 1, b: 2}`.
    flow_spec: bool,
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        proptest::sample::select(vec![2usize, 3, 4]),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(indent, crlf, bom, final_newline, comment_lines, second_document, flow_spec)| {
                Layout {
                    indent,
                    crlf,
                    bom,
                    final_newline,
                    comment_lines,
                    second_document,
                    flow_spec,
                }
            },
        )
}

fn render(fields: &[Field], layout: &Layout) -> (String, String) {
    let pad = " ".repeat(layout.indent);
    let mut lines = vec![
        "# generated".to_owned(),
        "apiVersion: materialize.cloud/v1alpha1".to_owned(),
        "kind: Materialize".to_owned(),
        "metadata:".to_owned(),
        format!("{pad}name: prop"),
        format!("{pad}namespace: materialize"),
        "spec:".to_owned(),
    ];
    if layout.flow_spec {
        let entries: Vec<String> = fields
            .iter()
            .map(|field| {
                let value = if let Some(entry) = field.value.strip_prefix("BLOCK:") {
                    let (k, v) = entry.split_once(": ").unwrap();
                    format!("{{{k}: {v}}}")
                } else if let Some(rest) = field.value.strip_prefix("|-\n") {
                    rest.trim().to_owned()
                } else if field.value.is_empty() {
                    "null".to_owned()
                } else {
                    field.value.clone()
                };
                format!("{}: {value}", field.key)
            })
            .collect();
        let last = lines.pop().unwrap();
        lines.push(format!("{last} {{{}}}", entries.join(", ")));
    }
    for (i, field) in fields.iter().enumerate().filter(|_| !layout.flow_spec) {
        if layout.comment_lines && i % 2 == 1 {
            lines.push(format!("{pad}# about {}", field.key));
        }
        let comment = field.comment.map(|c| format!("  {c}")).unwrap_or_default();
        if let Some(entry) = field.value.strip_prefix("BLOCK:") {
            lines.push(format!("{pad}{}:{comment}", field.key));
            lines.push(format!("{pad}{pad}{entry}"));
        } else if let Some(rest) = field.value.strip_prefix("|-\n") {
            lines.push(format!("{pad}{}: |-{comment}", field.key));
            lines.push(format!("{pad}{pad}{}", rest.trim_start()));
        } else if field.value.is_empty() {
            lines.push(format!("{pad}{}:{comment}", field.key));
        } else {
            lines.push(format!("{pad}{}: {}{comment}", field.key, field.value));
        }
    }
    let mut second = String::new();
    if layout.second_document {
        lines.push("---".to_owned());
        second = [
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata:",
            "  name: keep  # untouched",
            "data:",
            "  apiVersion: materialize.cloud/v1alpha1",
        ]
        .join(if layout.crlf { "\r\n" } else { "\n" });
        lines.push(second.clone());
    }
    let eol = if layout.crlf { "\r\n" } else { "\n" };
    let mut text = lines.join(eol);
    if layout.final_newline {
        text.push_str(eol);
        if !second.is_empty() {
            second.push_str(eol);
        }
    }
    if layout.bom {
        text.insert(0, '\u{feff}');
    }
    (text, second)
}

fn file(text: String) -> SourceFile {
    SourceFile::from_text(
        "prop.yaml",
        PathBuf::from("prop.yaml"),
        text,
        FileFormat::Yaml,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_layout_migrates_and_keeps_the_rest(fields in spec_fields(), layout in layout(), to_v1 in any::<bool>()) {
        let target = if to_v1 { Version::V1 } else { Version::V1alpha2 };
        let (text, second) = render(&fields, &layout);
        let original = file(text.clone());
        let value = source::parse_document(&original, &original.documents()[0])
            .expect("generated YAML parses")
            .expect("one object");
        let options = MigrateOptions { target, ..MigrateOptions::default() };
        let migration = migrate_text(&original, &options)
            .unwrap_or_else(|err| panic!("{err}\n{text}"));
        let new_text = migration.new_text.clone().expect("something to migrate");
        let migrated = file(new_text.clone());
        let reread = source::parse_document(&migrated, &migrated.documents()[0]).unwrap().unwrap();
        prop_assert_eq!(&reread, &crd::convert(&value, target).unwrap().object);
        prop_assert!(!migrate_text(&migrated, &options).unwrap().changed(), "idempotent:\n{}", new_text);
        prop_assert_eq!(new_text.starts_with('\u{feff}'), layout.bom);
        prop_assert_eq!(new_text.ends_with('\n'), layout.final_newline);
        if layout.crlf {
            prop_assert!(!new_text.replace("\r\n", "").contains('\n'), "CRLF kept:\n{:?}", new_text);
        }
        if layout.second_document {
            prop_assert!(new_text.ends_with(&second), "second document kept");
        }
    }
}
