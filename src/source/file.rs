//! A file held in memory with a precomputed line index.

use std::path::PathBuf;

use super::split::{DocumentSpan, split_documents};
use super::{FileFormat, Position, Span};

const BOM: &str = "\u{feff}";

/// A file read into memory. `display` is the path as shown to users (relative
/// to the current directory when possible, `-` for stdin).
///
/// `text` is kept exactly as read (BOM and CRLF included) so that byte spans
/// handed out by this module index into it directly. Treat it as read-only:
/// the line index is computed once, in [`SourceFile::from_text`].
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub display: String,
    pub text: String,
    pub format: FileFormat,
    /// Byte offset of the start of each line; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn from_text(
        display: impl Into<String>,
        path: PathBuf,
        text: String,
        format: FileFormat,
    ) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        SourceFile {
            path,
            display: display.into(),
            text,
            format,
            line_starts,
        }
    }

    /// Length of the byte order mark at the start of the file (0 or 3).
    pub fn bom_len(&self) -> usize {
        if self.text.starts_with(BOM) {
            BOM.len()
        } else {
            0
        }
    }

    /// Number of lines; a trailing newline does not start a new line for this
    /// count, but an empty file has one (empty) line.
    pub fn line_count(&self) -> usize {
        let n = self.line_starts.len();
        if n > 1 && self.line_starts[n - 1] == self.text.len() {
            n - 1
        } else {
            n
        }
    }

    /// Line and column of a byte offset. Offsets past the end clamp to the
    /// end, and an offset inside a multi-byte character counts as that
    /// character, so any `usize` is accepted.
    pub fn position(&self, byte_offset: usize) -> Position {
        let offset = floor_char_boundary(&self.text, byte_offset);
        // partition_point is >= 1 because line_starts[0] == 0 <= offset.
        let line_idx = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let mut start = self.line_starts[line_idx];
        if line_idx == 0 {
            // Editors do not show the BOM, so it must not shift columns.
            start = self.bom_len().min(offset);
        }
        let column = self.text[start..offset].chars().count() + 1;
        Position {
            line: line_idx + 1,
            column,
        }
    }

    /// The byte offset of a position, the inverse of [`SourceFile::position`].
    /// A column past the end of the line clamps to the end of the line.
    pub fn offset(&self, pos: Position) -> Option<usize> {
        let line = self.line_text(pos.line);
        let start = self.line_start(pos.line)?;
        let within: usize = line
            .char_indices()
            .nth(pos.column.saturating_sub(1))
            .map(|(i, _)| i)
            .unwrap_or(line.len());
        Some(start + within)
    }

    /// Byte offset where a 1-based line's text starts (after the BOM on line 1).
    pub fn line_start(&self, line: usize) -> Option<usize> {
        let idx = line.checked_sub(1)?;
        let start = *self.line_starts.get(idx)?;
        // The "line" after a trailing newline exists (it is where the end of
        // the file is) but is empty.
        if idx == 0 {
            Some(self.bom_len())
        } else {
            Some(start)
        }
    }

    /// The text of a 1-based line without its line ending (and without the
    /// BOM on line 1). Out-of-range lines give `""`.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let s = &self.text[start..end.max(start)];
        let s = s.strip_suffix('\n').unwrap_or(s);
        s.strip_suffix('\r').unwrap_or(s)
    }

    /// The text of a span, or `""` when the span does not fit the file.
    pub fn slice(&self, span: &Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// The documents of this file. A JSON file is one document spanning the
    /// whole file (after a BOM); a YAML file is split with [`split_documents`].
    pub fn documents(&self) -> Vec<DocumentSpan> {
        match self.format {
            FileFormat::Yaml => split_documents(&self.text),
            FileFormat::Json => {
                let start = self.bom_len();
                let end = self.text.len();
                let content_start = self.text[start..]
                    .find(|c: char| !c.is_whitespace())
                    .map_or(end, |i| start + i);
                vec![DocumentSpan {
                    index: 0,
                    range: Span::new(start, end),
                    content_start,
                    separator: None,
                    end_marker: None,
                }]
            }
        }
    }
}

pub(crate) fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::from_text(
            "t.yaml",
            PathBuf::from("t.yaml"),
            text.into(),
            FileFormat::Yaml,
        )
    }

    #[test]
    fn positions_are_one_based_and_count_chars() {
        let f = file("a: 1\nbé: ü2\n");
        assert_eq!(f.position(0), Position { line: 1, column: 1 });
        assert_eq!(f.position(5), Position { line: 2, column: 1 });
        // "bé: " is 5 bytes but 4 characters.
        let u = f.text.find('ü').unwrap();
        assert_eq!(f.position(u), Position { line: 2, column: 5 });
        // Inside the two bytes of 'ü': counts as the character itself.
        assert_eq!(f.position(u + 1), Position { line: 2, column: 5 });
        // Past the end clamps.
        assert_eq!(f.position(10_000), Position { line: 3, column: 1 });
    }

    #[test]
    fn bom_does_not_shift_columns() {
        let f = file("\u{feff}a: 1\nb: 2");
        assert_eq!(f.position(3), Position { line: 1, column: 1 });
        assert_eq!(f.position(0), Position { line: 1, column: 1 });
        assert_eq!(f.line_text(1), "a: 1");
        assert_eq!(f.offset(Position { line: 1, column: 1 }), Some(3));
    }

    #[test]
    fn line_text_strips_crlf_and_handles_out_of_range() {
        let f = file("a: 1\r\nb: 2\r\nc");
        assert_eq!(f.line_text(1), "a: 1");
        assert_eq!(f.line_text(2), "b: 2");
        assert_eq!(f.line_text(3), "c");
        assert_eq!(f.line_text(0), "");
        assert_eq!(f.line_text(4), "");
        assert_eq!(f.line_count(), 3);
        let g = file("a\n");
        assert_eq!(g.line_count(), 1);
        assert_eq!(g.line_text(2), "");
        assert_eq!(g.offset(g.position(2)), Some(2));
        assert_eq!(file("").line_count(), 1);
        assert_eq!(file("").line_text(1), "");
    }

    #[test]
    fn offset_inverts_position() {
        let f = file("x: é\ny: [1, 2]\n");
        for off in 0..f.text.len() {
            if f.text.is_char_boundary(off) {
                assert_eq!(f.offset(f.position(off)), Some(off), "offset {off}");
            }
        }
    }

    #[test]
    fn json_is_one_document() {
        let f = SourceFile::from_text(
            "a.json",
            PathBuf::from("a.json"),
            "\u{feff}  {\"a\": 1}\n".into(),
            FileFormat::Json,
        );
        let docs = f.documents();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].range, Span::new(3, f.text.len()));
        assert_eq!(docs[0].content_start, 5);
    }
}
