//! A fast path for locating findings, before the tree-sitter index.
//!
//! Most findings point at a key path in plain block style (`/apiVersion`,
//! `/spec/rolloutStrategey`), and building a syntax tree for each such
//! document costs as much as every check together. In a block mapping at
//! indentation `c`, a line indented exactly `c` can only be a key of that
//! mapping, a compact sequence item (`- …`) or a comment: values, block
//! scalars and continuation lines of flow scalars are all indented further.
//! So the key is found by scanning lines, and the rest of the block by
//! indentation.
//!
//! Anything unusual gives up (`None`) and the caller falls back to the
//! syntax tree: a flow, quoted, tagged, anchored or complex key on the way,
//! tabs in indentation, a value that is not a one-line scalar, or a scalar
//! whose text does not equal the parsed value.

use serde_json::Value;

use crate::source::{DocumentSpan, Position, SourceFile, Target, parse_pointer};

/// Start and end of the key or value at `pointer` (keys only, no indices)
/// in a document whose root value is `root`.
pub(crate) fn quick_locate(
    file: &SourceFile,
    doc: &DocumentSpan,
    pointer: &str,
    target: Target,
    root: &Value,
) -> Option<(Position, Position)> {
    let tokens = parse_pointer(pointer)?;
    if tokens.is_empty() || tokens.iter().any(|t| !is_plain_key(t)) {
        return None;
    }
    let value = root.pointer(pointer)?;
    let text = file.text.get(doc.content_start..doc.range.end)?;
    let lines = split_lines(text, doc.content_start);
    let mut block = 0..lines.len();
    let mut parent_indent: Option<usize> = None;
    let mut found = None;
    for (depth, token) in tokens.iter().enumerate() {
        let (index, indent) = find_key(&lines, block.clone(), parent_indent, token)?;
        if depth + 1 < tokens.len() {
            // Descend only into a block collection: after `key:` nothing
            // but a comment (a flow collection, anchor or tag gives up).
            let after = lines[index].text[indent + token.len() + 1..].trim_start();
            if !(after.is_empty() || after.starts_with('#')) {
                return None;
            }
        }
        block = index + 1..block_end(&lines, index + 1, block.end, indent);
        parent_indent = Some(indent);
        found = Some((index, indent));
    }
    let (index, indent) = found?;
    let line = &lines[index];
    let key = token_last(&tokens);
    let key_start = line.start + indent;
    let span = match target {
        Target::Key => (key_start, key_start + key.len()),
        Target::Value => {
            let after_key = indent + key.len() + 1;
            let rest = &line.text[after_key..];
            let skip = rest.len() - rest.trim_start_matches(' ').len();
            let (start, end) = scalar(&line.text[after_key + skip..], value)?;
            let base = line.start + after_key + skip;
            (base + start, base + end)
        }
    };
    Some((file.position(span.0), file.position(span.1)))
}

fn token_last(tokens: &[String]) -> &str {
    tokens.last().map(String::as_str).unwrap_or_default()
}

struct Line<'a> {
    /// Byte offset of the line in the file.
    start: usize,
    text: &'a str,
}

impl Line<'_> {
    fn indent(&self) -> usize {
        self.text.len() - self.text.trim_start_matches(' ').len()
    }

    /// Blank, or only a comment: belongs to no block.
    fn is_filler(&self) -> bool {
        let rest = self.text.trim_start_matches(' ');
        rest.is_empty() || rest.starts_with('#')
    }
}

fn split_lines(text: &str, base: usize) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let content = piece.strip_suffix('\n').unwrap_or(piece);
        let content = content.strip_suffix('\r').unwrap_or(content);
        lines.push(Line {
            start: base + start,
            text: content,
        });
        start += piece.len();
    }
    lines
}

/// Keys this scanner can match as written: what YAML reads as a plain
/// scalar without any doubt.
fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'))
        && !key.starts_with(['-', '.'])
}

/// The line of `key` in the block mapping on `range`, whose indentation
/// must be deeper than the parent's. Gives up on anything but plain keys,
/// compact sequence items and comments at the mapping's indentation.
fn find_key(
    lines: &[Line<'_>],
    range: std::ops::Range<usize>,
    parent_indent: Option<usize>,
    key: &str,
) -> Option<(usize, usize)> {
    let first = range.clone().find(|&i| !lines[i].is_filler())?;
    let indent = lines[first].indent();
    if parent_indent.is_some_and(|p| indent <= p) {
        return None;
    }
    let mut found = None;
    for i in range {
        let line = &lines[i];
        if line.is_filler() {
            continue;
        }
        let line_indent = line.indent();
        if line_indent < indent {
            return None;
        }
        if line_indent > indent {
            continue;
        }
        let rest = &line.text[indent..];
        if rest.starts_with("- ") || rest == "-" {
            continue;
        }
        if rest.starts_with('\t') {
            return None;
        }
        let name_end = rest.find(':')?;
        let name = &rest[..name_end];
        if !is_plain_key(name) {
            return None;
        }
        let after = &rest[name_end + 1..];
        if !(after.is_empty() || after.starts_with(' ')) {
            return None;
        }
        if name == key {
            if found.is_some() {
                return None;
            }
            found = Some((i, indent));
        }
    }
    found
}

/// End (exclusive line index) of the block that starts after a key at
/// `indent`: the next content line indented less, or as much but not a
/// compact sequence item.
fn block_end(lines: &[Line<'_>], from: usize, limit: usize, indent: usize) -> usize {
    lines[from..limit]
        .iter()
        .position(|line| {
            if line.is_filler() {
                return false;
            }
            let line_indent = line.indent();
            let rest = &line.text[line_indent..];
            let compact_item = line_indent == indent && (rest.starts_with("- ") || rest == "-");
            line_indent < indent || (line_indent == indent && !compact_item)
        })
        .map_or(limit, |offset| from + offset)
}

/// The byte range, within `text` (what follows `key: `), of a one-line
/// scalar whose reading equals `value`.
fn scalar(text: &str, value: &Value) -> Option<(usize, usize)> {
    let first = text.chars().next()?;
    if matches!(
        first,
        '#' | '&' | '*' | '!' | '|' | '>' | '{' | '[' | '%' | '@' | '`'
    ) {
        return None;
    }
    let expected = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null | Value::Array(_) | Value::Object(_) => return None,
    };
    let (end, reading) = match first {
        '"' => {
            let close = text[1..].find('"')? + 1;
            let inner = &text[1..close];
            if inner.contains('\\') {
                return None;
            }
            (close + 1, inner)
        }
        '\'' => {
            let close = text[1..].find('\'')? + 1;
            if text[close + 1..].starts_with('\'') {
                return None;
            }
            (close + 1, &text[1..close])
        }
        _ => {
            let end = text.find(" #").unwrap_or(text.len());
            let plain = text[..end].trim_end();
            (plain.len(), plain)
        }
    };
    let tail = text[end..].trim_start();
    if !(tail.is_empty() || tail.starts_with('#')) {
        return None;
    }
    (reading == expected).then_some((0, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{DocumentIndex, FileFormat, parse_document};
    use std::path::PathBuf;

    /// Every key-only path of `value`.
    fn key_paths(value: &Value, prefix: String, out: &mut Vec<String>) {
        if let Value::Object(map) = value {
            for (key, child) in map {
                let pointer = format!("{prefix}/{}", crate::source::escape_pointer_token(key));
                out.push(pointer.clone());
                key_paths(child, pointer, out);
            }
        }
    }

    /// The fast path must agree with the syntax tree wherever it answers.
    fn agrees_on(text: &str) -> usize {
        let file = SourceFile::from_text(
            "t.yaml",
            PathBuf::from("t.yaml"),
            text.to_owned(),
            FileFormat::Yaml,
        );
        let mut answered = 0;
        for doc in file.documents() {
            let Ok(Some(root)) = parse_document(&file, &doc) else {
                continue;
            };
            let index = DocumentIndex::new(&file, &doc);
            let mut paths = Vec::new();
            key_paths(&root, String::new(), &mut paths);
            for pointer in paths {
                for target in [Target::Key, Target::Value] {
                    if let Some(quick) = quick_locate(&file, &doc, &pointer, target, &root) {
                        let tree = index.locate(&pointer, target).expect("tree locates");
                        assert_eq!(
                            quick,
                            (tree.start, tree.end),
                            "{pointer} {target:?} in:\n{}",
                            doc.text(&file.text)
                        );
                        answered += 1;
                    }
                }
            }
        }
        answered
    }

    #[test]
    fn agrees_with_the_syntax_tree_on_every_fixture() {
        let mut answered = 0;
        let mut stack = vec![PathBuf::from("fixtures")];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).unwrap() {
                    stack.push(entry.unwrap().path());
                }
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                answered += agrees_on(&text);
            }
        }
        assert!(
            answered > 500,
            "the fast path answered only {answered} times"
        );
    }

    #[test]
    fn agrees_on_awkward_documents() {
        let answered = agrees_on(
            "metadata: {name: y, labels: {a: b,\n  name: x}}\n---\n# comment\napiVersion: materialize.cloud/v1 # trailing\nkind: 'Materialize'\nmetadata:\n  name: \"mz\"\n# a comment at column 1 inside the block\n  namespace: prod\nspec:\n  environmentdExtraArgs:\n  - --a\n  - --b: c\n    nested: x\n  script: |\n    spec: not a key\n    backendSecretName: nope\n  backendSecretName: b   \n  number: 10\n  flag: true\n  empty:\n  quoted: 'it''s'\n  escaped: \"a\\tb\"\n  url: http://x#y\n---\n{flow: {a: 1}}\n---\n--- !tag\na: 1\n",
        );
        assert!(answered >= 20, "{answered}");
    }

    #[test]
    fn gives_up_on_what_it_cannot_read() {
        let text = "a:\n\tb: 1\nc: &x 1\nd: *x\n\"e\": 1\n";
        let file = SourceFile::from_text(
            "t.yaml",
            PathBuf::from("t.yaml"),
            text.to_owned(),
            FileFormat::Yaml,
        );
        let doc = &file.documents()[0];
        let root = serde_json::json!({"a": {"b": 1}, "c": 1, "d": 1, "e": 1});
        assert!(quick_locate(&file, doc, "/c", Target::Value, &root).is_none());
        assert!(quick_locate(&file, doc, "/d", Target::Value, &root).is_none());
        assert!(quick_locate(&file, doc, "/e", Target::Key, &root).is_none());
        assert!(
            quick_locate(&file, doc, "/c", Target::Key, &root).is_none(),
            "a quoted key at this level"
        );
    }
}
