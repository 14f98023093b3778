//! `yaml-syntax`, as `render` words it: a document of the stream that does
//! not parse. The check engine normally reports it first; this one makes
//! sure the stream fails even where a suppression silenced that.

use crate::check::{Finding, Severity};
use crate::source::{DocumentSpan, ParseError, SourceFile};

/// The error for `document` of `file`, at the place the parser stopped.
pub fn finding(file: &SourceFile, document: &DocumentSpan, error: &ParseError) -> Finding {
    let start = error
        .position()
        .unwrap_or_else(|| file.position(document.content_start));
    Finding {
        rule: "yaml-syntax",
        severity: Severity::Error,
        file: file.display.clone(),
        line: start.line,
        column: start.column,
        end_line: start.line,
        end_column: start.column + 1,
        pointer: String::new(),
        message: format!("document {} cannot be read: {error}", document.index + 1),
        resource: None,
    }
}
