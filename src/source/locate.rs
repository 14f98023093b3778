//! Mapping JSON pointers inside a document to file positions.
//!
//! This is the slow path: it builds a tree-sitter tree (through `yamlpath`)
//! of one document, so it runs only for documents with a finding or an edit.
//! [`DocumentIndex`] keeps the tree to answer many pointers.
//!
//! The tree is built from the document's own slice of the file, never from
//! the whole stream (`yamlpath` only looks at the first document of a
//! stream), and spans are shifted back to file offsets.
//!
//! Known limits, all of which fall back to the deepest ancestor found: keys
//! written with escapes (`"a\u0062"`) are compared as written; a node with a
//! tag (`spec: !foo {…}`) cannot be descended into. A value that is an alias
//! (`b: *x`) is located at the alias, not at the anchored node.

use std::panic::{AssertUnwindSafe, catch_unwind};

use yamlpath::{Component, Document, Route};

use super::split::DocumentSpan;
use super::{Position, SourceFile, Span};

/// What to point at for a mapping entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// The key (e.g. for "unknown field" findings). For a sequence item or the
    /// document root there is no key, and the value is used.
    Key,
    /// The value (for `key:` with no value, the key).
    Value,
}

/// Where a pointer is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// Byte span in the file.
    pub span: Span,
    pub start: Position,
    /// Position just past the end of the span.
    pub end: Position,
    /// The deepest prefix of the requested pointer that exists in the
    /// document (the pointer itself when it exists).
    pub found_pointer: String,
    /// Whether `found_pointer` is the whole requested pointer.
    pub exact: bool,
}

/// Map a JSON pointer (RFC 6901, e.g. `/spec/items/0/name`) inside a document
/// to its location in the file. When the path does not exist, the deepest
/// existing ancestor is located and reported in `found_pointer`. `None` only
/// for an empty document or an invalid pointer.
pub fn locate(
    file: &SourceFile,
    doc: &DocumentSpan,
    pointer: &str,
    target: Target,
) -> Option<Located> {
    DocumentIndex::new(file, doc).locate(pointer, target)
}

/// A document's syntax tree, built once, answering many pointers.
pub struct DocumentIndex<'f> {
    file: &'f SourceFile,
    doc: DocumentSpan,
    tree: Option<Document>,
}

impl<'f> DocumentIndex<'f> {
    pub fn new(file: &'f SourceFile, doc: &DocumentSpan) -> Self {
        let tree = if doc.is_empty() {
            None
        } else {
            file.text
                .get(doc.range.start..doc.range.end)
                .and_then(|text| guard(|| Document::new(text).ok()))
        };
        DocumentIndex {
            file,
            doc: doc.clone(),
            tree,
        }
    }

    /// False when tree-sitter could not read the document (then every
    /// pointer falls back to the document's first content line).
    pub fn has_tree(&self) -> bool {
        self.tree.is_some()
    }

    pub fn locate(&self, pointer: &str, target: Target) -> Option<Located> {
        let tokens = parse_pointer(pointer)?;
        if self.doc.is_empty() {
            return None;
        }
        let Some(tree) = &self.tree else {
            return Some(self.content_fallback(tokens.is_empty()));
        };
        let mut route = guard(|| Some(descend(tree, &tokens))).unwrap_or_default();
        // Should the found route fail to give a span (it should not), walk up.
        loop {
            if let Some((s, e)) = guard(|| span_of(tree, &route, target)) {
                let found = &tokens[..route.len()];
                return Some(self.located(s, e, found, found.len() == tokens.len()));
            }
            if route.pop().is_none() {
                return Some(self.content_fallback(tokens.is_empty()));
            }
        }
    }

    fn located(&self, s: usize, e: usize, found: &[String], exact: bool) -> Located {
        let len = self.doc.range.len();
        let span = Span::new(
            self.doc.range.start + s.min(len),
            self.doc.range.start + e.min(len).max(s.min(len)),
        );
        Located {
            start: self.file.position(span.start),
            end: self.file.position(span.end),
            span,
            found_pointer: found
                .iter()
                .map(|t| format!("/{}", escape_pointer_token(t)))
                .collect(),
            exact,
        }
    }

    /// The first content line of the document, for when there is no tree.
    fn content_fallback(&self, exact: bool) -> Located {
        let start = self.doc.content_start;
        let rest = self.file.text.get(start..self.doc.range.end).unwrap_or("");
        let line_len = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let span = Span::new(start, start + line_len);
        Located {
            start: self.file.position(span.start),
            end: self.file.position(span.end),
            span,
            found_pointer: String::new(),
            exact,
        }
    }
}

/// yamlpath has a few `expect`s on tree shapes; a surprise there must cost a
/// location, not the run.
fn guard<T>(f: impl FnOnce() -> Option<T>) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok().flatten()
}

/// The longest route along `tokens` that exists. A numeric token is tried
/// as a sequence index first, then as a mapping key (`{"0": …}`).
fn descend(tree: &Document, tokens: &[String]) -> Vec<Component<'static>> {
    let mut route: Vec<Component<'static>> = Vec::with_capacity(tokens.len());
    for token in tokens {
        let mut candidates = Vec::with_capacity(2);
        if let Some(i) = array_index(token) {
            candidates.push(Component::Index(i));
        }
        candidates.push(Component::Key(token.clone().into()));
        let next = candidates.into_iter().find(|c| {
            let mut r = route.clone();
            r.push(c.clone());
            tree.query_exists(&Route::from(r))
        });
        match next {
            Some(c) => route.push(c),
            None => break,
        }
    }
    route
}

fn array_index(token: &str) -> Option<usize> {
    let canonical = token == "0" || (!token.starts_with('0') && !token.is_empty());
    if canonical && token.bytes().all(|b| b.is_ascii_digit()) {
        token.parse().ok()
    } else {
        None
    }
}

/// Byte span (relative to the document text) for a route that exists.
fn span_of(
    tree: &Document,
    route: &[Component<'static>],
    target: Target,
) -> Option<(usize, usize)> {
    if route.is_empty() {
        return tree.top_feature().ok().map(|f| f.location.byte_span);
    }
    let r = Route::from(route.to_vec());
    if !matches!(route.last(), Some(Component::Key(_))) {
        // A sequence item: "pretty" keeps the item itself for `- *alias`.
        return tree.query_pretty(&r).ok().map(|f| f.location.byte_span);
    }
    let key = tree.query_key_only(&r).ok().map(|f| f.location.byte_span);
    if target == Target::Key {
        return key;
    }
    match tree.query_exact(&r).ok()? {
        // `key:` with no value: the key is the best there is.
        None => key,
        Some(f) => {
            let exact = f.location.byte_span;
            // An alias resolves to the anchored node, which lies before the
            // key; point at the alias written after the key instead.
            match key {
                Some(k) if exact.0 < k.1 => {
                    Some(alias_after_key(tree.source(), k.1).unwrap_or(exact))
                }
                _ => Some(exact),
            }
        }
    }
}

/// The `*name` token following a key that ends at `key_end`.
fn alias_after_key(source: &str, key_end: usize) -> Option<(usize, usize)> {
    let rest = source.get(key_end..)?;
    let skip = rest.find(|c: char| !(c.is_whitespace() || c == ':'))?;
    let start = key_end + skip;
    let token = source.get(start..)?;
    if !token.starts_with('*') {
        return None;
    }
    let len = token
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | '}' | ']'))
        .unwrap_or(token.len());
    Some((start, start + len))
}

/// Split an RFC 6901 JSON pointer into unescaped tokens. `""` is the root.
/// `None` when it does not start with `/` or has an invalid `~` escape.
pub fn parse_pointer(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    pointer
        .strip_prefix('/')?
        .split('/')
        .map(unescape_token)
        .collect()
}

fn unescape_token(token: &str) -> Option<String> {
    if !token.contains('~') {
        return Some(token.to_string());
    }
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Escape one reference token for a JSON pointer (`~` → `~0`, `/` → `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileFormat;
    use std::path::PathBuf;

    fn yaml(text: &str) -> SourceFile {
        SourceFile::from_text(
            "t.yaml",
            PathBuf::from("t.yaml"),
            text.into(),
            FileFormat::Yaml,
        )
    }

    /// (text at the span, start line, start column, found pointer)
    fn at(
        f: &SourceFile,
        doc: usize,
        pointer: &str,
        target: Target,
    ) -> (String, usize, usize, String) {
        let docs = f.documents();
        let l = locate(f, &docs[doc], pointer, target).expect("located");
        (
            f.text[l.span.range()].to_string(),
            l.start.line,
            l.start.column,
            l.found_pointer,
        )
    }

    const MULTI: &str = "\
# leading comment
apiVersion: v1
kind: ConfigMap
---
# comment before the document
apiVersion: materialize.cloud/v1alpha1
kind: Materialize
metadata:
  name: mz # trailing comment
spec:
  environmentdImageRef: materialize/environmentd:v26.1.0
  environmentdExtraEnv:
    - name: A
      value: '1'
    - name: B
      value: \"2\"
  flow: {a: {b: 1}, 'quoted': x, \"dq\": [10, 20]}
  'single': s
  \"double\": d
  empty:
  weird/key~name: w
";

    #[test]
    fn deep_keys_in_a_multi_document_file() {
        let f = yaml(MULTI);
        assert_eq!(
            at(&f, 1, "/spec/environmentdExtraEnv/1/name", Target::Value),
            (
                "B".into(),
                15,
                13,
                "/spec/environmentdExtraEnv/1/name".into()
            )
        );
        assert_eq!(
            at(&f, 1, "/spec/environmentdExtraEnv/1/name", Target::Key),
            (
                "name".into(),
                15,
                7,
                "/spec/environmentdExtraEnv/1/name".into()
            )
        );
        assert_eq!(
            at(&f, 1, "/spec/environmentdExtraEnv/0/value", Target::Value).0,
            "'1'"
        );
        assert_eq!(at(&f, 1, "/metadata/name", Target::Value).0, "mz");
        assert_eq!(at(&f, 1, "/kind", Target::Key).1, 7);
        assert_eq!(
            at(&f, 0, "/kind", Target::Value),
            ("ConfigMap".into(), 3, 7, "/kind".into())
        );
    }

    #[test]
    fn sequences() {
        let f = yaml(MULTI);
        let (text, line, col, found) = at(&f, 1, "/spec/environmentdExtraEnv/1", Target::Value);
        assert!(text.starts_with("name: B"), "{text}");
        assert_eq!(
            (line, col, found.as_str()),
            (15, 7, "/spec/environmentdExtraEnv/1")
        );
        // Key target on an item: there is no key, the item is used.
        assert_eq!(at(&f, 1, "/spec/environmentdExtraEnv/1", Target::Key).1, 15);
        assert_eq!(at(&f, 1, "/spec/flow/dq/1", Target::Value).0, "20");
    }

    #[test]
    fn flow_maps_and_quoted_keys() {
        let f = yaml(MULTI);
        assert_eq!(at(&f, 1, "/spec/flow/a/b", Target::Value).0, "1");
        assert_eq!(at(&f, 1, "/spec/flow/a/b", Target::Key).0, "b");
        assert_eq!(at(&f, 1, "/spec/flow/quoted", Target::Value).0, "x");
        assert_eq!(at(&f, 1, "/spec/flow/quoted", Target::Key).0, "'quoted'");
        assert_eq!(at(&f, 1, "/spec/single", Target::Value).0, "s");
        assert_eq!(at(&f, 1, "/spec/double", Target::Key).0, "\"double\"");
        assert_eq!(at(&f, 1, "/spec/weird~1key~0name", Target::Value).0, "w");
    }

    #[test]
    fn missing_paths_fall_back_to_the_deepest_ancestor() {
        let f = yaml(MULTI);
        let docs = f.documents();
        let l = locate(&f, &docs[1], "/spec/backendSecretName", Target::Key).unwrap();
        assert_eq!(l.found_pointer, "/spec");
        assert!(!l.exact);
        assert_eq!(&f.text[l.span.range()], "spec");
        let l = locate(
            &f,
            &docs[1],
            "/spec/environmentdExtraEnv/7/name",
            Target::Value,
        )
        .unwrap();
        assert_eq!(l.found_pointer, "/spec/environmentdExtraEnv");
        let l = locate(&f, &docs[1], "/nope/deeper", Target::Value).unwrap();
        assert_eq!(l.found_pointer, "");
        assert_eq!(l.start, Position { line: 6, column: 1 });
        // A key with no value: the key.
        let l = locate(&f, &docs[1], "/spec/empty", Target::Value).unwrap();
        assert_eq!(&f.text[l.span.range()], "empty");
        assert!(l.exact);
        // Descending into a scalar stops at the scalar.
        let l = locate(&f, &docs[1], "/kind/x", Target::Value).unwrap();
        assert_eq!(l.found_pointer, "/kind");
    }

    #[test]
    fn root_pointer() {
        let f = yaml(MULTI);
        let docs = f.documents();
        let l = locate(&f, &docs[1], "", Target::Key).unwrap();
        assert!(l.exact);
        assert_eq!(l.start, Position { line: 6, column: 1 });
    }

    #[test]
    fn crlf_after_separator() {
        let f = yaml(&MULTI.replace('\n', "\r\n"));
        assert_eq!(
            at(&f, 1, "/spec/environmentdExtraEnv/1/name", Target::Value),
            (
                "B".into(),
                15,
                13,
                "/spec/environmentdExtraEnv/1/name".into()
            )
        );
        assert_eq!(at(&f, 1, "/spec/flow/a/b", Target::Value).0, "1");
    }

    #[test]
    fn separator_with_content_and_bom() {
        let f = yaml("\u{feff}a: 1\n--- {x: {y: [1, 2]}}\n--- !tag\nz: 3\n");
        assert_eq!(
            at(&f, 0, "/a", Target::Value),
            ("1".into(), 1, 4, "/a".into())
        );
        assert_eq!(
            at(&f, 1, "/x/y/1", Target::Value),
            ("2".into(), 2, 17, "/x/y/1".into())
        );
        // A tagged root cannot be descended into: falls back to the root.
        let l = locate(&f, &f.documents()[2], "/z", Target::Value).unwrap();
        assert_eq!(l.start.line, 3);
    }

    #[test]
    fn json_files() {
        let text = "{\n  \"spec\": {\n    \"list\": [{\"name\": \"a\"}, {\"name\": \"b\"}],\n    \"0\": \"zero\"\n  }\n}\n";
        let f = SourceFile::from_text(
            "t.json",
            PathBuf::from("t.json"),
            text.into(),
            FileFormat::Json,
        );
        assert_eq!(
            at(&f, 0, "/spec/list/1/name", Target::Value),
            ("\"b\"".into(), 3, 38, "/spec/list/1/name".into())
        );
        assert_eq!(at(&f, 0, "/spec/list/1/name", Target::Key).0, "\"name\"");
        // A numeric token that is a mapping key.
        assert_eq!(at(&f, 0, "/spec/0", Target::Value).0, "\"zero\"");
    }

    #[test]
    fn aliases_point_at_the_alias() {
        let f = yaml("base: &b\n  x: 1\nuse: *b\nlist:\n  - *b\n");
        assert_eq!(at(&f, 0, "/use", Target::Value).0, "*b");
        assert_eq!(at(&f, 0, "/list/0", Target::Value).0, "*b");
        // Through the alias into the anchored mapping.
        assert_eq!(at(&f, 0, "/use/x", Target::Value).0, "1");
    }

    #[test]
    fn unparseable_and_empty_documents() {
        let f = yaml("a: [1\n---\n# only comments\n");
        let docs = f.documents();
        let l = locate(&f, &docs[0], "/a", Target::Value).unwrap();
        assert_eq!(l.found_pointer, "");
        assert_eq!(&f.text[l.span.range()], "a: [1");
        assert!(locate(&f, &docs[1], "/a", Target::Value).is_none());
    }

    #[test]
    fn index_reuses_one_tree() {
        let f = yaml(MULTI);
        let docs = f.documents();
        let idx = DocumentIndex::new(&f, &docs[1]);
        assert!(idx.has_tree());
        for p in [
            "/kind",
            "/metadata/name",
            "/spec/flow/a",
            "/spec/environmentdExtraEnv/0",
        ] {
            assert!(idx.locate(p, Target::Value).unwrap().exact, "{p}");
        }
    }

    #[test]
    fn deeply_nested_documents_do_not_overflow_the_stack() {
        let run = || {
            let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
            let f = yaml(&text);
            let docs = f.documents();
            let idx = DocumentIndex::new(&f, &docs[0]);
            idx.locate("/0/0/0", Target::Value).map(|l| l.found_pointer)
        };
        let found = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
        assert!(found.is_some());
    }

    #[test]
    fn pointers() {
        assert_eq!(parse_pointer(""), Some(vec![]));
        assert_eq!(parse_pointer("/"), Some(vec!["".to_string()]));
        assert_eq!(
            parse_pointer("/a~1b/c~0d/~01"),
            Some(vec!["a/b".into(), "c~d".into(), "~1".into()])
        );
        assert_eq!(parse_pointer("a"), None);
        assert_eq!(parse_pointer("/a~"), None);
        assert_eq!(parse_pointer("/a~2"), None);
        assert_eq!(escape_pointer_token("a/b~c"), "a~1b~0c");
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("12"), Some(12));
        assert_eq!(array_index("01"), None);
        assert_eq!(array_index("-1"), None);
        assert_eq!(array_index(""), None);
        let f = yaml("a: 1\n");
        assert!(locate(&f, &f.documents()[0], "no-slash", Target::Value).is_none());
    }

    #[test]
    fn odd_documents_never_panic() {
        let samples = [
            "a:",
            "- ",
            "-",
            "? a",
            "{a}",
            "[a: b]",
            "&x a",
            "*x",
            "a: &x\nb: *x",
            "!t",
            "'x'",
            "a: |\n  x",
            "a:\n  - \n  -",
            "{ a: }",
            "[,]",
            "a: {b: [c, {d: e}]}",
            "\"\\u0041\": 1",
        ];
        for s in samples {
            let f = yaml(s);
            for d in f.documents() {
                let idx = DocumentIndex::new(&f, &d);
                for p in ["", "/a", "/0", "/a/b", "/a/0", "/a/b/c/d", "/x"] {
                    for t in [Target::Key, Target::Value] {
                        let _ = idx.locate(p, t);
                    }
                }
            }
        }
    }
}
