//! Rules as types: [`RuleInfo`] is a rule's definition, written once in the
//! rule's own file; [`Rule`] is the typed id findings carry.

use serde::{Serialize, Serializer};

use super::Severity;

/// Which command reports a rule. A rule may belong to several (the
/// file-level rules are reported by every command that reads files).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// `validate`: one object, or the set of files given (and, through
    /// them, `render` and the single-object checks of `rollouts`).
    Validate,
    /// `rollouts`: two versions of a resource in git history.
    Rollouts,
    /// `render`: the manifest stream a GitOps tool applies.
    Render,
}

/// A rule's definition: what `explain`, SARIF `rules`, the README table
/// and every finding read.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// Kebab-case id, as used in reports and suppressions.
    pub id: &'static str,
    /// The default severity; options (`--strict`, `--require-version`) or
    /// the case (`force-promote`) may change a finding's.
    pub severity: Severity,
    /// Which commands report it, for `explain`'s grouping.
    pub scopes: &'static [Scope],
    /// One line, no final period.
    pub summary: &'static str,
    /// A paragraph: what is checked, why it matters, how to fix it.
    pub docs: &'static str,
    /// Whether the ignore annotation or comment may silence it. A file that
    /// cannot be read is never a pass, so its rules say no.
    pub suppressible: bool,
}

/// A rule, as findings carry it: a reference to its one definition.
/// Compares, hashes and orders by id; serializes as the id.
#[derive(Clone, Copy)]
pub struct Rule(&'static RuleInfo);

impl Rule {
    pub const fn new(info: &'static RuleInfo) -> Rule {
        Rule(info)
    }

    pub fn id(self) -> &'static str {
        self.0.id
    }

    pub fn info(self) -> &'static RuleInfo {
        self.0
    }
}

impl std::ops::Deref for Rule {
    type Target = RuleInfo;

    fn deref(&self) -> &RuleInfo {
        self.0
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for Rule {}

impl PartialEq<str> for Rule {
    fn eq(&self, other: &str) -> bool {
        self.0.id == other
    }
}

impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.0.id == *other
    }
}

impl std::hash::Hash for Rule {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.id.hash(state);
    }
}

impl PartialOrd for Rule {
    fn partial_cmp(&self, other: &Rule) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rule {
    fn cmp(&self, other: &Rule) -> std::cmp::Ordering {
        self.0.id.cmp(other.0.id)
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.id)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.id)
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.id)
    }
}
