//! `conversion-failed`: the migration refused a file, and printing it
//! unconverted would apply v1alpha1.

use crate::finding::{Finding, Location, Position, Rule, RuleInfo, Scope, Severity, Span};
use crate::source::SourceFile;

pub static RULE: RuleInfo = RuleInfo {
    id: "conversion-failed",
    severity: Severity::Error,
    scopes: &[Scope::Render],
    summary: "A file could not be converted in memory to the target apiVersion",
    docs: "`mz-presync render` converts v1alpha1 objects to the target version before printing them, with the same text-preserving edit and the same safety check as `mz-presync migrate` (the result must read back as the converted object, with the same rollout hash). When that check fails or the text cannot be edited (keys reached through aliases or merge keys, for instance), printing the file unconverted would apply v1alpha1 to the cluster, so the stream fails closed. Run `mz-presync migrate --diff` on the file to see why, and migrate it in the repository.",
    // The file would reach the cluster unconverted.
    suppressible: false,
};

/// The error for a file the migration could not convert, at the place the
/// migration names (or the file's first line).
pub fn finding(file: &SourceFile, reason: &str, position: Option<Position>) -> Finding {
    let start = position.unwrap_or(Position { line: 1, column: 1 });
    Finding::new(
        Rule::new(&RULE),
        Location::at(file.display.clone(), None, Span::at(start, 1)),
        format!(
            "cannot convert this file in memory: {reason}; run `mz-presync migrate` on it to see the details"
        ),
    )
}
