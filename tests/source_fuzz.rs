//! Property tests: on any text, the `source` stage never panics, document
//! ranges tile the file, and the cheap read of unwanted kinds agrees with
//! the parser.

use std::path::{Path, PathBuf};

use mz_presync::source::{self, DocumentIndex, FileFormat, SourceFile, Target};
use proptest::prelude::*;

/// Text made of the characters that matter to YAML's syntax, so that random
/// strings hit markers, quotes, block scalars and flow collections often.
fn yamlish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "---",
        "...",
        "--- ",
        "\n",
        "\r\n",
        "\r",
        " ",
        "  ",
        "\t",
        "-",
        "- ",
        ".",
        ":",
        ": ",
        "#",
        " #",
        "\"",
        "'",
        "\\",
        "{",
        "}",
        "[",
        "]",
        ",",
        "|",
        ">",
        "|-",
        "&a",
        "*a",
        "!t",
        "!!str",
        "%YAML 1.2",
        "?",
        "<<",
        "a",
        "kind",
        "kind: X",
        "kind: Materialize",
        "kind: List",
        "items:",
        "apiVersion: v1",
        "1",
        "é",
        "\u{feff}",
        "{{",
        "}}",
        "{{ .x }}",
        "null",
        "~",
        ".nan",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

thread_local! {
    // Per thread: other tests panicking on purpose must not count here.
    static PANICS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn count_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.with(|p| p.set(p.get() + 1));
            default(info);
        }));
    });
}

fn panics() -> usize {
    PANICS.with(|p| p.get())
}

fn exercise(text: &str, format: FileFormat) {
    let f = SourceFile::from_text("t", PathBuf::from("t"), text.to_string(), format);
    let docs = f.documents();
    // Tiling: BOM, then (separator, range) pairs cover every byte once.
    let mut pos = f.bom_len();
    for (i, d) in docs.iter().enumerate() {
        assert_eq!(d.index, i);
        if let Some(sep) = &d.separator {
            assert_eq!(sep.start, pos);
            pos = sep.end;
        }
        assert_eq!(d.range.start, pos);
        assert!(d.content_start >= d.range.start && d.content_start <= d.range.end);
        assert!(text.is_char_boundary(d.range.start) && text.is_char_boundary(d.range.end));
        pos = d.range.end;
    }
    assert_eq!(pos, text.len());

    for d in &docs {
        let parsed = source::parse_document(&f, d);
        agrees_with_parse_document_when(&f, d, &parsed, text);
        if let Err(e) = &parsed
            && let Some(p) = e.position()
        {
            assert!(p.line >= 1 && p.column >= 1);
        }
        let index = DocumentIndex::new(&f, d);
        for p in ["", "/kind", "/a", "/0", "/a/0/b", "/~01"] {
            for t in [Target::Key, Target::Value] {
                if let Some(l) = index.locate(p, t) {
                    assert!(l.span.start <= l.span.end && l.span.end <= text.len());
                    assert!(l.span.start >= d.range.start && l.span.end <= d.range.end);
                }
            }
        }
    }
    source::looks_like_template(text);
    for off in 0..=text.len() + 1 {
        let p = f.position(off);
        assert!(p.line >= 1 && p.column >= 1);
    }
}

/// The cheap path for unwanted kinds accepts and rejects exactly what the
/// full parse does, and builds the value when the kind is wanted.
fn agrees_with_parse_document_when(
    f: &SourceFile,
    d: &source::DocumentSpan,
    parsed: &Result<Option<serde_json::Value>, source::ParseError>,
    text: &str,
) {
    let skipped = source::parse_document_when(f, d, |_| false);
    match (parsed, &skipped) {
        (Ok(_), Ok(None)) => {}
        (Err(full), Err(cheap)) => assert_eq!(full, cheap, "{text:?}"),
        (full, cheap) => panic!("{text:?}: parse_document {full:?}, skipped {cheap:?}"),
    }
    let kind = parsed
        .as_ref()
        .ok()
        .and_then(Option::as_ref)
        .and_then(|v| v.get("kind"))
        .and_then(|k| k.as_str())
        .map(str::to_owned);
    let wanted = source::parse_document_when(f, d, |k| k == kind.as_deref());
    assert_eq!(&wanted, parsed, "{text:?}");
}

proptest! {
    // PROPTEST_CASES raises the count for a longer local run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn yamlish_text_never_panics(text in yamlish()) {
        count_panics();
        let before = panics();
        exercise(&text, FileFormat::Yaml);
        exercise(&text, FileFormat::Json);
        // Panics caught inside (e.g. in yamlpath) still count here.
        prop_assert_eq!(panics(), before, "a panic was caught for {:?}", text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
        exercise(&text, FileFormat::Yaml);
    }

    #[test]
    fn mutated_real_manifests_never_panic(
        file in 0usize..9,
        edits in prop::collection::vec((any::<prop::sample::Index>(), yamlish()), 1..4),
    ) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/realworld");
        let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        names.sort();
        let mut text = std::fs::read_to_string(&names[file % names.len()]).unwrap();
        for (at, insert) in edits {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            text.insert_str(i, &insert);
        }
        exercise(&text, FileFormat::Yaml);
    }
}
