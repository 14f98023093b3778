//! The one finding model every command reports with: a rule, a severity, a
//! place and a sentence, about a resource.
//!
//! It sits below `check`, `history` and `render` (which produce findings)
//! and `report` (which prints them), so that all of them speak the same
//! type: a finding made by `rollouts` can be filtered, suppressed and
//! printed by the code `validate` uses.
//!
//! A rule is typed ([`Rule`]), not a string: it points at the rule's
//! [`RuleInfo`], defined once in the rule's own file, so its id, default
//! severity and documentation cannot drift between the producer, `explain`
//! and SARIF. The catalogue of every rule of every command is
//! `crate::rules`.
//!
//! A place ([`Location`]) is what the producer knows: a file, a document of
//! it, a JSON pointer inside that document and whether the finding is about
//! the key or the value there. Producers rarely need a line and column, and
//! finding them costs a syntax tree, so the span is resolved once, when the
//! finding is kept ([`Location::resolve`]), never recomputed from a line
//! back to a pointer.

mod rule;

pub use rule::{Rule, RuleInfo, Scope};

use serde::Serialize;

pub use crate::source::{Position, Target, UnitRef};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    // Ordered from most to least severe so that sorting puts errors first.
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The resource a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ResourceRef {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

impl ResourceRef {
    pub fn of(object: &serde_json::Value) -> ResourceRef {
        let text = |pointer: &str| {
            object
                .pointer(pointer)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        ResourceRef {
            api_version: text("/apiVersion").unwrap_or_default(),
            namespace: text("/metadata/namespace"),
            name: text("/metadata/name"),
        }
    }

    /// `namespace/name`, or just `name` when the namespace is not set.
    pub fn display_name(&self) -> String {
        let name = self.name.as_deref().unwrap_or("<unnamed>");
        match &self.namespace {
            Some(namespace) => format!("{namespace}/{name}"),
            None => name.to_owned(),
        }
    }
}

/// A highlighted range: 1-based line and column of its start, and its end
/// (exclusive column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: Position,
    pub end: Position,
}

impl Span {
    /// One position, highlighting `width` characters.
    pub fn at(start: Position, width: usize) -> Span {
        Span {
            start,
            end: Position {
                line: start.line,
                column: start.column + width,
            },
        }
    }
}

/// Where a finding is. `pointer` is from the document root (prefixed with
/// `/items/N` for an item of a `List`; `""` for the whole document or a
/// finding about the file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file's display path (as given on the command line, or the path in
    /// the repository for `rollouts`).
    pub file: String,
    /// 0-based index of the document in the file; `None` for a finding about
    /// the file as a whole (it cannot be read, or the stream is empty).
    pub document: Option<usize>,
    pub pointer: String,
    pub target: Target,
    /// Resolved once by whoever holds the file's text; `None` until then.
    pub span: Option<Span>,
}

impl Location {
    /// A place known only by its position (a parse error, an unreadable
    /// file): nothing left to resolve.
    pub fn at(file: String, document: Option<usize>, span: Span) -> Location {
        Location {
            file,
            document,
            pointer: String::new(),
            target: Target::Value,
            span: Some(span),
        }
    }

    /// A place inside document `document`, still to be resolved.
    pub fn pointer(file: String, document: usize, pointer: String, target: Target) -> Location {
        Location {
            file,
            document: Some(document),
            pointer,
            target,
            span: None,
        }
    }

    /// Resolve the span with `locate` unless it is known already: the
    /// syntax tree behind `locate` is built at most once per document by the
    /// caller, and a resolved location is never located again.
    pub fn resolve(&mut self, locate: impl FnOnce(&str, Target) -> Span) -> Span {
        *self
            .span
            .get_or_insert_with(|| locate(&self.pointer, self.target))
    }

    /// The start, or the file's first line when the location was never
    /// resolved.
    pub fn start(&self) -> Position {
        self.span
            .map_or(Position { line: 1, column: 1 }, |s| s.start)
    }

    pub fn end(&self) -> Position {
        self.span.map_or(self.start(), |s| s.end)
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    /// The rule's default severity unless an option or the case changed it
    /// (`--strict`, `--require-version`, `force-promote`, a config file).
    pub severity: Severity,
    pub location: Location,
    pub message: String,
    pub resource: Option<ResourceRef>,
    /// The deploy unit of the finding's file (`validate` over paths sets
    /// it; `None` for standard input, and for commands without units yet).
    pub unit: Option<UnitRef>,
}

impl Finding {
    /// A finding with the rule's default severity.
    pub fn new(rule: Rule, location: Location, message: String) -> Finding {
        Finding {
            rule,
            severity: rule.severity,
            location,
            message,
            resource: None,
            unit: None,
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    pub fn with_resource(mut self, resource: ResourceRef) -> Finding {
        self.resource = Some(resource);
        self
    }

    pub fn file(&self) -> &str {
        &self.location.file
    }

    pub fn pointer(&self) -> &str {
        &self.location.pointer
    }

    pub fn line(&self) -> usize {
        self.location.start().line
    }

    pub fn column(&self) -> usize {
        self.location.start().column
    }

    pub fn end_line(&self) -> usize {
        self.location.end().line
    }

    pub fn end_column(&self) -> usize {
        self.location.end().column
    }
}

/// Counts for the one-line summary and the JSON `summary` object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub documents: usize,
    pub resources: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Summary {
    pub fn count(&mut self, findings: &[Finding]) {
        for finding in findings {
            match finding.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Note => self.notes += 1,
            }
        }
    }

    /// Count the severities again from scratch, after findings were removed
    /// or their severities changed.
    pub fn recount(&mut self, findings: &[Finding]) {
        self.errors = 0;
        self.warnings = 0;
        self.notes = 0;
        self.count(findings);
    }
}

/// What a repository's configuration (`rules:` in `.mz-presync.yaml`) does
/// to a rule's findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Override {
    /// The rule's findings are dropped.
    Off,
    /// The rule's findings get this severity.
    Severity(Severity),
}

/// Rule overrides by rule id, validated against the catalogue by the caller
/// (`crate::rules::overrides`). Empty: findings are left as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides(pub std::collections::BTreeMap<&'static str, Override>);

impl Overrides {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The one place rule overrides are applied: drop the findings of
    /// disabled rules, give the others their configured severity. Callers
    /// count severities (summaries, exit codes) afterwards.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        if self.is_empty() {
            return;
        }
        findings.retain_mut(|finding| match self.0.get(finding.rule.id()) {
            Some(Override::Off) => false,
            Some(Override::Severity(severity)) => {
                finding.severity = *severity;
                true
            }
            None => true,
        });
    }
}
