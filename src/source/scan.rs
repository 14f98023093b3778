//! A line scanner that knows just enough YAML lexing to find document markers
//! and Go/Helm template actions without being fooled by block scalars or
//! quoted strings. It is not a parser: it never rejects input, and when it is
//! unsure it errs towards treating a column-0 `---` as a marker, which is what
//! the YAML spec says it is in every valid file.
//!
//! All the characters it looks at are ASCII, so every index it produces is a
//! char boundary of the original `&str`.

/// One line of the text: `bytes` excludes the line ending (`\n` or `\r\n`).
pub(crate) struct Line<'a> {
    /// Byte offset of the first byte of the line in the whole text.
    pub start: usize,
    /// Byte offset just past the line ending (start of the next line).
    pub end: usize,
    pub bytes: &'a [u8],
}

/// Lines of `text` starting at byte `from` (which must be a line start or the
/// position right after a BOM).
pub(crate) fn lines(text: &str, from: usize) -> impl Iterator<Item = Line<'_>> {
    let bytes = text.as_bytes();
    let mut pos = from.min(bytes.len());
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let (content_end, end) = match memchr::memchr(b'\n', &bytes[start..]) {
            Some(i) => (start + i, start + i + 1),
            None => (bytes.len(), bytes.len()),
        };
        pos = end;
        let mut line = &bytes[start..content_end];
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        Some(Line {
            start,
            end,
            bytes: line,
        })
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// `---`: starts a document.
    Start,
    /// `...`: ends a document.
    End,
}

/// A document marker is `---` or `...` at column 0 followed by a space, a tab
/// or the end of the line. (`----` or `---x` are ordinary content.)
pub(crate) fn marker(line: &[u8]) -> Option<Marker> {
    let kind = match line.get(..3)? {
        b"---" => Marker::Start,
        b"..." => Marker::End,
        _ => return None,
    };
    match line.get(3) {
        None | Some(b' ') | Some(b'\t') => Some(kind),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Normal,
    /// Inside a quoted scalar that continues on the next line.
    Quote(u8),
    /// Inside a block scalar (`|`, `>`): lines indented more than the
    /// threshold, and blank lines, are its content.
    Block(isize),
}

pub(crate) struct Scanner {
    mode: Mode,
    flow_depth: usize,
    /// Whether the last line with tokens ended where a node was expected
    /// (`key:`, `- `, `[`, …): only then may a quote at the start of the next
    /// line begin a multi-line scalar.
    prev_expect: bool,
    /// Byte offset of the first `{{ … }}` found where a YAML node starts.
    pub first_template: Option<usize>,
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

/// Index just past the closing quote, or None when the scalar goes on past
/// the end of this line.
fn close_quote(line: &[u8], mut i: usize, quote: u8) -> Option<usize> {
    while i < line.len() {
        let b = line[i];
        if quote == b'"' && b == b'\\' {
            i += 2;
            continue;
        }
        if b == quote {
            if quote == b'\'' && line.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

impl Scanner {
    pub fn new() -> Self {
        Scanner {
            mode: Mode::Normal,
            flow_depth: 0,
            prev_expect: true,
            first_template: None,
        }
    }

    /// A document marker resets everything: no construct spans documents.
    pub fn reset_document(&mut self) {
        self.mode = Mode::Normal;
        self.flow_depth = 0;
        self.prev_expect = true;
    }

    pub fn in_quote(&self) -> bool {
        matches!(self.mode, Mode::Quote(_))
    }

    /// Scan one line from byte `from`. `doc_level` is set for the rest of a
    /// `---` line, where the node is the document's root.
    pub fn feed(&mut self, line: &[u8], abs_start: usize, from: usize, doc_level: bool) {
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        let mut i = from.min(line.len());
        let mut expect = true;
        // True right after a quoted scalar or a flow collection closes: a
        // `:` straight after it is a value indicator (JSON-like keys).
        let mut just_closed = false;
        // A token other than node properties has been seen on this line.
        let mut had_token = false;
        // A block indicator (`key:`, `- `, `? `) has been seen on this line.
        let mut block_structure = false;

        match self.mode {
            Mode::Block(threshold) => {
                let blank = line.iter().all(|&b| is_blank(b));
                if blank || indent as isize > threshold {
                    return;
                }
                self.mode = Mode::Normal;
            }
            Mode::Quote(q) => match close_quote(line, i, q) {
                Some(j) => {
                    self.mode = Mode::Normal;
                    i = j;
                    expect = false;
                    just_closed = true;
                    had_token = true;
                }
                None => return,
            },
            Mode::Normal => {}
        }

        while i < line.len() {
            let b = line[i];
            if is_blank(b) {
                i += 1;
                continue;
            }
            if b == b'#' && (i == 0 || is_blank(line[i - 1])) {
                break;
            }
            let next = line.get(i + 1).copied();
            let next_ends = next.is_none_or(is_blank);
            if expect {
                match b {
                    b'"' | b'\'' => {
                        let may_span = had_token || doc_level || self.prev_expect;
                        match close_quote(line, i + 1, b) {
                            Some(j) => {
                                i = j;
                                expect = false;
                                just_closed = true;
                                had_token = true;
                            }
                            None => {
                                // A quote that starts a line after a complete
                                // node cannot legally span lines (implicit
                                // keys are single-line; otherwise it is text
                                // inside a plain scalar): do not carry it.
                                if may_span {
                                    self.mode = Mode::Quote(b);
                                }
                                self.prev_expect = false;
                                return;
                            }
                        }
                    }
                    b'|' | b'>' if self.flow_depth == 0 => {
                        let mut j = i + 1;
                        while j < line.len() && matches!(line[j], b'1'..=b'9' | b'+' | b'-') {
                            j += 1;
                        }
                        if j == line.len() || is_blank(line[j]) {
                            // Content must be indented more than the parent
                            // node. The line's own indentation is a lower
                            // bound of that; without a `key:`/`- ` on the line
                            // the parent is unknown, so everything up to the
                            // next marker counts as content. Ending too late
                            // only costs quote tracking; ending too early
                            // could mistake content for structure.
                            let threshold = if block_structure { indent as isize } else { -1 };
                            self.mode = Mode::Block(threshold);
                            self.prev_expect = false;
                            return;
                        }
                        expect = false;
                        had_token = true;
                        i += 1;
                    }
                    b'[' | b'{' => {
                        if b == b'{'
                            && next == Some(b'{')
                            && self.first_template.is_none()
                            && memchr::memmem::find(&line[i + 2..], b"}}").is_some()
                        {
                            self.first_template = Some(abs_start + i);
                        }
                        self.flow_depth += 1;
                        had_token = true;
                        i += 1;
                    }
                    b'!' | b'&' | b'*' => {
                        let mut j = i + 1;
                        while j < line.len()
                            && !is_blank(line[j])
                            && !(self.flow_depth > 0 && is_flow_indicator(line[j]))
                        {
                            j += 1;
                        }
                        if b == b'*' {
                            expect = false;
                            just_closed = true;
                            had_token = true;
                        }
                        i = j;
                    }
                    b'-' | b'?' | b':' if next_ends => {
                        block_structure |= self.flow_depth == 0;
                        had_token = true;
                        i += 1;
                    }
                    b']' | b'}' if self.flow_depth > 0 => {
                        self.flow_depth -= 1;
                        expect = false;
                        just_closed = true;
                        had_token = true;
                        i += 1;
                    }
                    b',' if self.flow_depth > 0 => {
                        had_token = true;
                        i += 1;
                    }
                    _ => {
                        expect = false;
                        had_token = true;
                        i += 1;
                    }
                }
            } else {
                match b {
                    b':' if next_ends
                        || just_closed
                        || (self.flow_depth > 0 && next.is_some_and(is_flow_indicator)) =>
                    {
                        block_structure |= self.flow_depth == 0;
                        expect = true;
                    }
                    b',' if self.flow_depth > 0 => expect = true,
                    b']' | b'}' if self.flow_depth > 0 => {
                        self.flow_depth -= 1;
                        just_closed = true;
                        i += 1;
                        continue;
                    }
                    _ => {}
                }
                just_closed = false;
                i += 1;
            }
        }
        if had_token {
            self.prev_expect = expect;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert_eq!(marker(b"---"), Some(Marker::Start));
        assert_eq!(marker(b"--- x"), Some(Marker::Start));
        assert_eq!(marker(b"---\t"), Some(Marker::Start));
        assert_eq!(marker(b"..."), Some(Marker::End));
        assert_eq!(marker(b"... # end"), Some(Marker::End));
        assert_eq!(marker(b"----"), None);
        assert_eq!(marker(b"---x"), None);
        assert_eq!(marker(b" ---"), None);
        assert_eq!(marker(b"--"), None);
        assert_eq!(marker(b""), None);
    }

    #[test]
    fn lines_strip_line_endings() {
        let v: Vec<_> = lines("a\r\nb\n\nc", 0)
            .map(|l| (l.start, l.end, l.bytes.to_vec()))
            .collect();
        assert_eq!(
            v,
            vec![
                (0, 3, b"a".to_vec()),
                (3, 5, b"b".to_vec()),
                (5, 6, b"".to_vec()),
                (6, 7, b"c".to_vec()),
            ]
        );
    }

    fn quote_open_after(text: &str) -> bool {
        let mut s = Scanner::new();
        for l in lines(text, 0) {
            s.feed(l.bytes, l.start, 0, false);
        }
        s.in_quote()
    }

    #[test]
    fn quotes_are_tracked_only_where_nodes_start() {
        assert!(quote_open_after("a: \"open\n"));
        assert!(quote_open_after("a: 'it''s\n"));
        assert!(quote_open_after("- \"x\n"));
        assert!(quote_open_after("a: [1, \"x\n"));
        assert!(quote_open_after("{\"a\":\"x\n"));
        assert!(quote_open_after("a:\n  \"x\n"));
        assert!(!quote_open_after("a: it's\n"));
        assert!(!quote_open_after("a: \"closed\" # it's\n"));
        assert!(!quote_open_after("# it's\n"));
        assert!(!quote_open_after("a: x#'y\n"));
        assert!(!quote_open_after("a: \"esc \\\" still\"\n"));
        // A quote at the start of a line after a complete node is text in a
        // plain multi-line scalar (or an invalid multi-line key).
        assert!(!quote_open_after("a: b\n  'c\n"));
        // Block scalar content is opaque.
        assert!(!quote_open_after("a: |\n  it's \"x\n"));
        assert!(!quote_open_after("a: >-\n  'x\n\n  \"y\n"));
        // After the block scalar ends, quotes count again.
        assert!(quote_open_after("a: |\n  x\nb: 'y\n"));
    }

    #[test]
    fn template_actions_are_found_at_node_starts_only() {
        fn find(text: &str) -> Option<usize> {
            let mut s = Scanner::new();
            for l in lines(text, 0) {
                s.feed(l.bytes, l.start, 0, false);
            }
            s.first_template
        }
        assert_eq!(find("{{- if .x }}\n"), Some(0));
        assert_eq!(find("a: {{ .x }}\n"), Some(3));
        assert_eq!(find("  - {{ .x }}\n"), Some(4));
        assert_eq!(find("a: repo:{{< v >}}\n"), None);
        assert_eq!(find("a: \"{{ .x }}\"\n"), None);
        assert_eq!(find("# {{ .x }}\n"), None);
        assert_eq!(find("a: |\n  {{ .x }}\n"), None);
        // A flow mapping with a mapping key is not a template action.
        assert_eq!(find("a: {{b: 1}: 2}\n"), None);
    }
}
