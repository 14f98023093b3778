//! Where findings and changed fields are in one version of a resource.
//! Finding a place costs a syntax tree of the document; a change builds it
//! at most once, and only when something needs a place. A finding's
//! location is resolved here, once, through [`Location::resolve`].

use super::pairing::Entry;
use super::resources::Resource;
use crate::finding::{Finding, Location, Rule, Severity, Span};
use crate::source::{DocumentIndex, Position, SourceFile, Target};

/// Finds places in one document, building its syntax tree at most once.
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

    /// Span of a pointer from the document root (or of its deepest existing
    /// ancestor), falling back to the start of the document.
    fn span(&mut self, full_pointer: &str, target: Target) -> Span {
        let (file, document) = (self.file, &self.resource.document);
        let index = self
            .index
            .get_or_insert_with(|| DocumentIndex::new(file, document));
        index.locate(full_pointer, target).map_or_else(
            || Span::at(file.position(document.content_start), 0),
            |located| Span {
                start: located.start,
                end: located.end,
            },
        )
    }

    /// Position of a pointer inside the object. Annotations on a changed
    /// field use the key (the field's own line, also for block values);
    /// findings about a value use the value.
    pub fn at(&mut self, pointer: &str, target: Target) -> Position {
        let full = format!("{}{pointer}", self.resource.prefix);
        self.span(&full, target).start
    }

    /// A finding about the value at `pointer` inside the object.
    pub fn finding(
        &mut self,
        rule: Rule,
        severity: Severity,
        pointer: &str,
        message: String,
    ) -> Finding {
        let mut location = Location::pointer(
            self.file.display.clone(),
            self.resource.document.index,
            format!("{}{pointer}", self.resource.prefix),
            Target::Value,
        );
        location.resolve(|pointer, target| self.span(pointer, target));
        Finding::new(rule, location, message).with_severity(severity)
    }
}
