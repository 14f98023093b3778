//! What a check reports: a rule, a severity, a place and a sentence.

use serde::Serialize;

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

/// One finding. `line`/`column` are 1-based; `end_line`/`end_column` close
/// the highlighted range (exclusive column).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub end_line: usize,
    #[serde(skip)]
    pub end_column: usize,
    /// JSON pointer of the offending value inside the object ("" = the whole
    /// document), prefixed with `/items/N` for items of a `List`.
    pub pointer: String,
    pub message: String,
    pub resource: Option<ResourceRef>,
}

impl Finding {
    /// A finding about a file or a document as a whole, not about a field of
    /// a resource: no pointer, no resource, one line.
    pub fn in_file(
        rule: &super::RuleInfo,
        file: String,
        position: crate::source::Position,
        end_column: usize,
        message: String,
    ) -> Finding {
        Finding {
            rule: rule.id,
            severity: rule.severity,
            file,
            line: position.line,
            column: position.column,
            end_line: position.line,
            end_column,
            pointer: String::new(),
            message,
            resource: None,
        }
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
}
