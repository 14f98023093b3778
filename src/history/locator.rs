//! Positions of findings and changed fields in one version of a resource.
//! Finding a position costs a syntax tree of the document; a change builds
//! it at most once, and only when something needs a position.

use super::ChangeFinding;
use super::pairing::Entry;
use super::resources::Resource;
use crate::check::Severity;
use crate::source::{DocumentIndex, Position, SourceFile, Target};

/// Finds positions in one document, building its syntax tree at most once.
pub struct Locator<'a> {
    file: &'a SourceFile,
    resource: &'a Resource,
    index: Option<DocumentIndex<'a>>,
}

impl<'a> Locator<'a> {
    pub fn new(entry: &Entry<'a>) -> Self {
        Locator {
            file: entry.file(),
            resource: entry.resource,
            index: None,
        }
    }

    /// Position of a pointer inside the object (or of its deepest existing
    /// ancestor), falling back to the start of the document. Annotations on
    /// a changed field use the key (the field's own line, also for block
    /// values); findings about a value use the value.
    pub fn at(&mut self, pointer: &str, target: Target) -> Position {
        let (file, document) = (self.file, &self.resource.document);
        let index = self
            .index
            .get_or_insert_with(|| DocumentIndex::new(file, document));
        let full = format!("{}{pointer}", self.resource.prefix);
        index
            .locate(&full, target)
            .map(|located| located.start)
            .unwrap_or_else(|| file.position(document.content_start))
    }

    pub fn finding(
        &mut self,
        rule: &'static str,
        severity: Severity,
        pointer: &str,
        message: String,
    ) -> ChangeFinding {
        let position = self.at(pointer, Target::Value);
        ChangeFinding {
            rule,
            severity,
            message,
            pointer: format!("{}{pointer}", self.resource.prefix),
            line: position.line,
            column: position.column,
        }
    }
}
