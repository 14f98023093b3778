//! Splitting a YAML stream into documents with byte spans.

use super::Span;
use super::scan::{Marker, Scanner, lines, marker};

/// One document of a YAML stream.
///
/// The ranges of all documents, their separators and a leading BOM tile the
/// file: every byte belongs to exactly one of them, so a file can be rebuilt
/// by concatenating them in order (which is what edits rely on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSpan {
    /// 0-based index in the stream. Text before the first `---` counts as a
    /// document when it is not empty (as `kubectl` counts it), so a license
    /// header followed by `---` makes an empty document 0.
    pub index: usize,
    /// The bytes of this document: from after the `---` separator (or the
    /// file start after a BOM, or the previous `...` line) up to and
    /// including its `...` end marker line if any. Leading comments are
    /// included; the separator is not. When the `---` line carries content
    /// (`--- {a: 1}`, `--- !tag`, `--- |`), the range starts at that content.
    pub range: Span,
    /// Byte offset of the first content that is not a comment, a blank line
    /// or a directive; `== range.end` for an empty or comment-only document.
    pub content_start: usize,
    /// The `---` marker that opened this document: the whole line (with its
    /// line ending) when nothing follows it, else the marker and the blanks
    /// after it, so that `separator.end == range.start` always.
    pub separator: Option<Span>,
    /// The `...` line (with its line ending) that closed this document.
    pub end_marker: Option<Span>,
}

impl DocumentSpan {
    /// True when the document has no content (only comments, blank lines,
    /// directives or nothing at all).
    pub fn is_empty(&self) -> bool {
        self.content_start >= self.range.end
    }

    /// This document's text within the whole file's text (`""` when the span
    /// does not fit `file_text`).
    pub fn text<'a>(&self, file_text: &'a str) -> &'a str {
        file_text
            .get(self.range.start..self.range.end)
            .unwrap_or("")
    }
}

struct Pending {
    start: usize,
    separator: Option<Span>,
    content: Option<usize>,
    end_marker: Option<Span>,
}

impl Pending {
    fn at(start: usize, separator: Option<Span>) -> Self {
        Pending {
            start,
            separator,
            content: None,
            end_marker: None,
        }
    }

    /// An empty range is only a document when a `---` opened it (`---` at
    /// the end of a file, or two `---` in a row): otherwise it is the nothing
    /// before a leading `---` or between `...` and `---`.
    fn finish(self, end: usize, docs: &mut Vec<DocumentSpan>) {
        if end > self.start || self.separator.is_some() {
            docs.push(DocumentSpan {
                index: docs.len(),
                range: Span::new(self.start, end),
                content_start: self.content.unwrap_or(end),
                separator: self.separator,
                end_marker: self.end_marker,
            });
        }
    }
}

/// Split a YAML stream into documents.
///
/// A document start marker is `---` at column 0 followed by a space, a tab or
/// the end of the line; `...` at column 0 ends a document. The YAML spec
/// forbids such lines inside any scalar or flow collection, so a column-0
/// marker is a marker in every valid file, including inside a block scalar
/// (the marker ends it). Indented `---` lines are never markers. One
/// exception, for invalid files: a marker line inside a quoted string that
/// was opened where a multi-line string may start does not split, so the
/// parse error points at the string instead of cutting it in two.
///
/// Handles a BOM, CRLF line endings, a last line without a newline, and
/// `%YAML`/`%TAG` directive lines (which are not content).
pub fn split_documents(text: &str) -> Vec<DocumentSpan> {
    scan_stream(text, &mut Scanner::new())
}

pub(crate) fn scan_stream(text: &str, scanner: &mut Scanner) -> Vec<DocumentSpan> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut docs = Vec::new();
    let mut cur = Pending::at(bom, None);

    for line in lines(text, bom) {
        let bytes = line.bytes;
        if !scanner.in_quote() {
            match marker(bytes) {
                Some(Marker::Start) => {
                    cur.finish(line.start, &mut docs);
                    scanner.reset_document();
                    let mut j = 3;
                    while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
                        j += 1;
                    }
                    if j < bytes.len() {
                        let sep = Span::new(line.start, line.start + j);
                        cur = Pending::at(sep.end, Some(sep));
                        if bytes[j] != b'#' {
                            cur.content = Some(line.start + j);
                        }
                        scanner.feed(bytes, line.start, j, true);
                    } else {
                        let sep = Span::new(line.start, line.end);
                        cur = Pending::at(line.end, Some(sep));
                    }
                    continue;
                }
                Some(Marker::End) => {
                    cur.end_marker = Some(Span::new(line.start, line.end));
                    cur.finish(line.end, &mut docs);
                    scanner.reset_document();
                    cur = Pending::at(line.end, None);
                    continue;
                }
                None => {}
            }
        }
        if cur.content.is_none() {
            match bytes.iter().position(|&b| b != b' ' && b != b'\t') {
                None => continue,
                Some(k) if bytes[k] == b'#' => continue,
                // Directives are only allowed before a document's content.
                Some(0) if bytes[0] == b'%' => continue,
                Some(k) => cur.content = Some(line.start + k),
            }
        }
        scanner.feed(bytes, line.start, 0, false);
    }
    cur.finish(text.len(), &mut docs);
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (range text, content text from content_start, separator text)
    fn parts(text: &str) -> Vec<(String, String, Option<String>)> {
        split_documents(text)
            .iter()
            .map(|d| {
                (
                    text[d.range.range()].to_string(),
                    text[d.content_start..d.range.end].to_string(),
                    d.separator.as_ref().map(|s| text[s.range()].to_string()),
                )
            })
            .collect()
    }

    fn ranges(text: &str) -> Vec<String> {
        split_documents(text)
            .iter()
            .map(|d| text[d.range.range()].to_string())
            .collect()
    }

    /// Every byte is in the BOM, exactly one separator or exactly one range.
    fn assert_tiles(text: &str) {
        let docs = split_documents(text);
        let mut pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
        for (i, d) in docs.iter().enumerate() {
            assert_eq!(d.index, i);
            if let Some(sep) = &d.separator {
                assert_eq!(sep.start, pos, "separator of doc {i} in {text:?}");
                pos = sep.end;
            }
            assert_eq!(d.range.start, pos, "range of doc {i} in {text:?}");
            assert!(d.range.start <= d.content_start && d.content_start <= d.range.end);
            pos = d.range.end;
        }
        assert_eq!(pos, text.len(), "docs do not reach the end of {text:?}");
    }

    #[test]
    fn simple_stream() {
        let t = "a: 1\n---\nb: 2\n---\nc: 3";
        assert_eq!(ranges(t), ["a: 1\n", "b: 2\n", "c: 3"]);
        let docs = split_documents(t);
        assert_eq!(docs[0].separator, None);
        assert_eq!(docs[1].separator, Some(Span::new(5, 9)));
        assert_tiles(t);
    }

    #[test]
    fn leading_separator_makes_no_empty_document() {
        let t = "---\na: 1\n---\nb: 2\n";
        assert_eq!(ranges(t), ["a: 1\n", "b: 2\n"]);
        assert_eq!(split_documents(t)[0].index, 0);
        assert_tiles(t);
    }

    #[test]
    fn leading_comments_stay_with_their_document() {
        let t = "# header\n# more\n---\n# about b\n\nb: 2\n";
        let p = parts(t);
        assert_eq!(p.len(), 2);
        // The header before the first `---` is a comment-only document.
        assert_eq!(p[0].0, "# header\n# more\n");
        assert_eq!(p[0].1, "");
        assert_eq!(p[1].0, "# about b\n\nb: 2\n");
        assert_eq!(p[1].1, "b: 2\n");
        assert_tiles(t);
    }

    #[test]
    fn empty_and_comment_only_documents() {
        let t = "a: 1\n---\n---\n# only a comment\n---\n\n   \n---\n";
        let docs = split_documents(t);
        assert_eq!(docs.len(), 5);
        assert!(!docs[0].is_empty());
        assert!(docs[1].is_empty());
        assert!(docs[1].range.is_empty());
        assert!(docs[2].is_empty());
        assert!(docs[3].is_empty());
        // Trailing `---` opens a last, empty document.
        assert!(docs[4].is_empty());
        assert_eq!(docs[4].range, Span::new(t.len(), t.len()));
        assert_tiles(t);
        assert!(split_documents("").is_empty());
        assert_eq!(split_documents("\n").len(), 1);
        assert!(split_documents("\n")[0].is_empty());
    }

    #[test]
    fn dashes_inside_block_scalars_are_not_markers() {
        let t = "a: |\n  line\n  ---\n  more\nb: >\n    ---\n\n    x\n---\nc: 1\n";
        let p = parts(t);
        assert_eq!(p.len(), 2);
        assert!(p[0].0.contains("  ---\n  more"));
        assert_eq!(p[1].0, "c: 1\n");
        assert_tiles(t);
    }

    #[test]
    fn quotes_inside_block_scalars_do_not_open_strings() {
        // The apostrophe in the script must not make the splitter think a
        // quoted string is open when it reaches the `---`.
        let t = "script: |\n  echo 'it\n  say \"hi\n---\nb: 1\n";
        assert_eq!(ranges(t).len(), 2);
        let t = "- name: x\n  run: >-\n    don't\n---\nb: 1\n";
        assert_eq!(ranges(t).len(), 2);
    }

    #[test]
    fn column_zero_marker_ends_a_top_level_block_scalar() {
        let t = "--- |\nliteral at column 0\n'quote\n---\nb: 1\n";
        let p = parts(t);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].0, "|\nliteral at column 0\n'quote\n");
        assert_eq!(p[0].2.as_deref(), Some("--- "));
        assert_eq!(p[1].0, "b: 1\n");
        assert_tiles(t);
    }

    #[test]
    fn indented_dashes_are_not_markers() {
        let t = "a:\n  ---\n - ---\nb: \"x\n  --- y\"\n";
        assert_eq!(ranges(t).len(), 1);
    }

    #[test]
    fn marker_inside_open_quoted_string_does_not_split() {
        // Invalid YAML either way; not splitting keeps the string in one
        // piece so the parse error points at it.
        let t = "a: \"first\n---\nstill the string\"\nb: 'x\n...\ny'\n---\nc: 1\n";
        let p = parts(t);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[1].0, "c: 1\n");
        assert_tiles(t);
    }

    #[test]
    fn apostrophes_in_plain_scalars_do_not_open_strings() {
        let t = "a: it's\nb: don't 'x\n# it's\nc: x\n  'continued plain\n---\nd: 1\n";
        assert_eq!(ranges(t).len(), 2);
    }

    #[test]
    fn document_end_markers() {
        let t = "a: 1\n...\n---\nb: 2\n...\n# trailing\n";
        let docs = split_documents(t);
        let p = parts(t);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].0, "a: 1\n...\n");
        assert_eq!(docs[0].end_marker, Some(Span::new(5, 9)));
        assert_eq!(p[1].0, "b: 2\n...\n");
        assert_eq!(p[1].1, "b: 2\n...\n");
        assert_eq!(p[2].0, "# trailing\n");
        assert!(docs[2].is_empty());
        assert_tiles(t);
        // `...` then a bare document (no `---`).
        let t = "a: 1\n...\nb: 2\n";
        assert_eq!(ranges(t), ["a: 1\n...\n", "b: 2\n"]);
        // An empty document closed by `...` has no content.
        let t = "---\n...\n";
        let docs = split_documents(t);
        assert_eq!(docs.len(), 1);
        assert!(docs[0].is_empty());
        assert_tiles(t);
    }

    #[test]
    fn content_on_the_separator_line() {
        let t = "--- {a: 1}\n--- !tag\nb: 2\n--- # just a comment\nc: 3\n---   |\n  text\n";
        let p = parts(t);
        assert_eq!(p.len(), 4);
        assert_eq!(
            p[0],
            ("{a: 1}\n".into(), "{a: 1}\n".into(), Some("--- ".into()))
        );
        assert_eq!(p[1].0, "!tag\nb: 2\n");
        assert_eq!(p[1].1, "!tag\nb: 2\n");
        assert_eq!(p[2].0, "# just a comment\nc: 3\n");
        assert_eq!(p[2].1, "c: 3\n");
        assert_eq!(p[3].0, "|\n  text\n");
        assert_eq!(p[3].2.as_deref(), Some("---   "));
        assert_tiles(t);
    }

    #[test]
    fn bom_crlf_and_no_trailing_newline() {
        let t = "\u{feff}# c\r\na: 1\r\n---\r\nb: 2\r\n---\r\nc: 3";
        let docs = split_documents(t);
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].range.start, 3);
        assert_eq!(&t[docs[0].content_start..docs[0].range.end], "a: 1\r\n");
        assert_eq!(&t[docs[1].separator.clone().unwrap().range()], "---\r\n");
        assert_eq!(docs[1].text(t), "b: 2\r\n");
        assert_eq!(docs[2].text(t), "c: 3");
        assert_tiles(t);
        // A marker on the last line without a newline, with CR.
        let t = "a: 1\r\n---\r";
        let docs = split_documents(t);
        assert_eq!(docs.len(), 2);
        assert!(docs[1].is_empty());
        assert_tiles(t);
    }

    #[test]
    fn directives_are_not_content() {
        let t = "%YAML 1.2\n%TAG ! tag:example.com,2000:\n---\na: 1\n...\n%YAML 1.2\n---\nb: 2\n";
        let docs = split_documents(t);
        let p = parts(t);
        assert_eq!(p.len(), 4);
        assert!(docs[0].is_empty());
        assert_eq!(p[1].0, "a: 1\n...\n");
        assert!(docs[2].is_empty());
        assert_eq!(p[3].0, "b: 2\n");
        assert_tiles(t);
    }

    #[test]
    fn marker_lookalikes() {
        let t = "a: 1\n----\n---x\n--\n ---\n";
        assert_eq!(ranges(t).len(), 1);
        let t = "a: 1\n---\tb: 2\n";
        assert_eq!(ranges(t), ["a: 1\n", "b: 2\n"]);
    }

    #[test]
    fn never_panics_and_always_tiles_on_odd_inputs() {
        let samples = [
            "",
            "-",
            "--",
            "---",
            "...",
            "--- ",
            "---\n---",
            "\u{feff}",
            "\u{feff}---",
            "\r",
            "\r\n",
            "a: \"",
            "a: '",
            "a: |",
            "[",
            "{{",
            "é---\n---é",
            "--- \"x\n---\ny\"",
            "- - - '\n",
            "? |\n  x\n: >\n  y\n---\n",
            "\"\\",
            "a: \"\\\n---\n",
            "key: [a, 'b\n---\n",
            "%YAML\n",
            "%\n---\n%\n",
        ];
        for s in samples {
            assert_tiles(s);
        }
        // Every prefix of a tricky stream, at every char boundary.
        let t = "\u{feff}# h\r\na: 'x''y'\r\nb: |\r\n  ---\r\n---\r\n\"k\": [1, {c: \"d\"}]\r\n...\r\n%YAML 1.2\r\n--- >\r\n é\r\n";
        for end in 0..=t.len() {
            if t.is_char_boundary(end) {
                assert_tiles(&t[..end]);
            }
        }
    }
}
