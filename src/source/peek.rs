//! A cheap look at a document's `apiVersion` and `kind` without parsing it.
//!
//! Most documents in a repository are not Materialize objects; reading two
//! top-level lines is far cheaper than building the whole value (see
//! `design-notes.md`). The look is conservative: whenever the text is not
//! the plain, common shape (`kind: Materialize` at column 0 in a block
//! mapping), it answers "don't know" and the caller parses.

use super::scan::{Scanner, lines, marker};
use super::split::DocumentSpan;
use super::{FileFormat, SourceFile};

/// The type fields of a document's top-level mapping, as far as a line scan
/// can tell. `None` fields are absent from the document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TypeMeta {
    pub api_version: Option<String>,
    pub kind: Option<String>,
}

/// Read the top-level `apiVersion` and `kind` of a YAML document from its
/// text. Returns `None` when a line scan cannot be sure of the answer the
/// parser would give: JSON files, empty documents, a root that is not a
/// block mapping, quoted or merged (`<<`) top-level keys, duplicate type
/// keys, values that are not simple strings (tags, anchors, aliases,
/// escapes, multi-line, `null`/`true`), lines indented with tabs.
///
/// When it returns `Some`, [`parse_document`](super::parse_document) gives
/// the same two fields or fails. Typical use: skip the full parse when the
/// kind is known and is neither `Materialize` nor a `…List`.
pub fn peek_type_meta(file: &SourceFile, doc: &DocumentSpan) -> Option<TypeMeta> {
    if file.format != FileFormat::Yaml || doc.is_empty() {
        return None;
    }
    // From the range start, not content_start: the indentation of the first
    // content line matters.
    let text = file.text.get(doc.range.start..doc.range.end)?;
    if has_unusual_line_breaks(text) {
        return None;
    }
    let mut scanner = Scanner::new();
    let mut meta = TypeMeta::default();
    // Indentation of the root mapping's keys, from its first line.
    let mut root_indent: Option<usize> = None;
    // The previous top-level line set a type field: an indented line after
    // it would make the value multi-line (or a mapping).
    let mut after_type_line = false;
    for line in lines(text, 0) {
        let b = line.bytes;
        let indent = b.iter().take_while(|&&c| c == b' ').count();
        let blank = b[indent..].iter().all(|&c| c == b' ' || c == b'\t');
        let inside =
            scanner.in_quote() || scanner.in_flow() || scanner.block_continues(indent, blank);
        if !inside {
            if blank || b[indent] == b'#' {
                continue;
            }
            if marker(b).is_some() {
                break;
            }
            let first = b[indent];
            let root = match root_indent {
                None => {
                    // The root must be a block mapping with a plain first key.
                    if !(first.is_ascii_alphanumeric() || first == b'_') {
                        return None;
                    }
                    *root_indent.insert(indent)
                }
                Some(root) => root,
            };
            if indent < root || first == b'\t' {
                return None;
            }
            if indent == root {
                if matches!(first, b'"' | b'\'' | b'<' | b'?') {
                    return None;
                }
                after_type_line = false;
                let key_line = &b[indent..];
                for (key, slot) in [
                    (&b"apiVersion"[..], &mut meta.api_version),
                    (b"kind", &mut meta.kind),
                ] {
                    // YAML allows blanks between a key and its colon
                    // (`kind\t: Foo` is the key `kind`).
                    if let Some(rest) = key_line
                        .strip_prefix(key)
                        .map(|r| r.trim_ascii_start())
                        .and_then(|r| r.strip_prefix(b":"))
                    {
                        if !rest.first().is_none_or(|&c| c == b' ' || c == b'\t') || slot.is_some()
                        {
                            return None;
                        }
                        *slot = Some(simple_value(rest)?);
                        after_type_line = true;
                    }
                }
            } else if after_type_line {
                return None;
            }
        }
        scanner.feed(b, line.start, 0, false);
    }
    Some(meta)
}

/// libyaml also breaks lines at a lone CR and at NEL, LS and PS; the line
/// scanner only knows LF and CRLF.
fn has_unusual_line_breaks(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'\r', b).any(|i| b.get(i + 1) != Some(&b'\n'))
        || text.contains(['\u{85}', '\u{2028}', '\u{2029}'])
}

/// A value that reads the same in YAML 1.2 and as a Kubernetes type name:
/// letters, digits, `.`, `_`, `/`, `-`, starting with a letter, optionally
/// quoted, optionally followed by a comment.
fn simple_value(rest: &[u8]) -> Option<String> {
    let mut v = rest;
    if let Some(i) = v
        .windows(2)
        .position(|w| (w[0] == b' ' || w[0] == b'\t') && w[1] == b'#')
    {
        v = &v[..i];
    }
    let v = v.trim_ascii();
    let inner = match v.first()? {
        q @ (b'"' | b'\'') => v.strip_prefix(&[*q]).and_then(|r| r.strip_suffix(&[*q]))?,
        _ => v,
    };
    let plain = inner.len() == v.len();
    let ok = inner.first().is_some_and(u8::is_ascii_alphabetic)
        && inner
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'/' | b'-'));
    if !ok {
        return None;
    }
    let s = std::str::from_utf8(inner).ok()?;
    // Plain `true`, `Null`, … are not strings.
    let special = ["true", "false", "null"]
        .iter()
        .any(|w| s.eq_ignore_ascii_case(w));
    if plain && special {
        return None;
    }
    Some(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::parse_document;
    use std::path::PathBuf;

    fn peek(text: &str) -> Option<TypeMeta> {
        let f = SourceFile::from_text(
            "t.yaml",
            PathBuf::from("t.yaml"),
            text.into(),
            FileFormat::Yaml,
        );
        let docs = f.documents();
        let meta = peek_type_meta(&f, docs.last().unwrap());
        // Whenever peek answers, the parser agrees.
        if let (Some(m), Ok(Some(v))) = (&meta, parse_document(&f, docs.last().unwrap())) {
            assert_eq!(
                m.api_version.as_deref(),
                v.get("apiVersion").and_then(|x| x.as_str()),
                "{text:?}"
            );
            assert_eq!(
                m.kind.as_deref(),
                v.get("kind").and_then(|x| x.as_str()),
                "{text:?}"
            );
        }
        meta
    }

    fn tm(api: Option<&str>, kind: Option<&str>) -> Option<TypeMeta> {
        Some(TypeMeta {
            api_version: api.map(String::from),
            kind: kind.map(String::from),
        })
    }

    #[test]
    fn common_shapes() {
        assert_eq!(
            peek(
                "# c\napiVersion: apps/v1 # x\nkind: Deployment\nmetadata:\n  name: a\n  kind: nested\n"
            ),
            tm(Some("apps/v1"), Some("Deployment"))
        );
        assert_eq!(
            peek("kind: \"Materialize\"\napiVersion: 'materialize.cloud/v1'\n"),
            tm(Some("materialize.cloud/v1"), Some("Materialize"))
        );
        assert_eq!(peek("metadata:\n  name: x\n"), tm(None, None));
        assert_eq!(
            peek("a: 1\n---\nkind: List\r\nitems: []\r\n"),
            tm(None, Some("List"))
        );
        assert_eq!(
            peek("data:\n  x: |\n    kind: Fake\nkind: Real\n"),
            tm(None, Some("Real"))
        );
        assert_eq!(peek("data: |\nkind: X\n"), tm(None, Some("X")));
        assert_eq!(peek("kind: X\n...\nkind: Y\n"), tm(None, Some("Y")));
        assert_eq!(
            peek("  kind: X\n  apiVersion: v\n"),
            tm(Some("v"), Some("X"))
        );
        assert_eq!(peek("  a:\n    kind: X\n"), tm(None, None));
        assert_eq!(
            peek("kind\t: X\napiVersion : v\n"),
            tm(Some("v"), Some("X"))
        );
    }

    #[test]
    fn unsure_shapes_say_so() {
        for t in [
            "{kind: X}",
            "- kind: X",
            "\"kind\": X",
            "'kind': X",
            "<<: *base\nkind: X",
            "kind: X\nkind: Y",
            "kind: !t X",
            "kind: &a X",
            "kind: *a",
            "kind: \"a\\u0041\"",
            "kind: X\n  continued",
            "kind:\n  X",
            "kind: null",
            "kind\t: ~\\\t*a#x\\#\t",
            "kind: True",
            "kind: 12",
            "kind: [X]",
            "kind:X",
            "? kind\n: X",
            "!tag\nkind: X",
            "&a\nkind: X",
            "\tkind: X",
            "kind: 'it''s'",
            "kind: X Y",
            "a: 1\rkind: X",
            "a: 1\u{2028}kind: X",
        ] {
            assert_eq!(peek(t), None, "{t:?}");
        }
        let f = SourceFile::from_text(
            "t.json",
            PathBuf::from("t.json"),
            "{\"kind\": \"X\"}".into(),
            FileFormat::Json,
        );
        assert_eq!(peek_type_meta(&f, &f.documents()[0]), None);
    }

    #[test]
    fn scalars_and_flows_spanning_lines_hide_their_lines() {
        assert_eq!(
            peek("a: \"x\nkind: Fake\"\nkind: Real\n"),
            tm(None, Some("Real"))
        );
        assert_eq!(
            peek("a: [1,\nkind, 2]\nkind: Real\n"),
            tm(None, Some("Real"))
        );
    }
}
