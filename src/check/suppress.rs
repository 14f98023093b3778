//! Silencing findings on purpose.
//!
//! * Per resource: the annotation `mz-presync.io/ignore: rule-a,rule-b`
//!   (comma-separated rule ids, blanks allowed) silences those rules for the
//!   whole resource. Annotations other than the force-rollout one never
//!   start a rollout, so adding it is free.
//! * Per line: a comment `# mz-presync: ignore[rule-a,rule-b]` on the line a
//!   finding points at, or alone on the line just above it, silences that
//!   finding. This also works for findings outside a resource.
//!
//! `yaml-syntax` and `unreadable-file` cannot be silenced: a file nobody can
//! read is never a pass.

use serde_json::Value;

use crate::finding::Finding;
use crate::source::SourceFile;

pub const IGNORE_ANNOTATION: &str = "mz-presync.io/ignore";

/// Whether findings of the rule with this id may be silenced: what the
/// rule's definition says (a rule `validate` does not know, such as one of
/// `rollouts`, may be).
pub fn can_suppress(rule: &str) -> bool {
    super::rule(rule).is_none_or(|rule| rule.suppressible)
}

/// The rule ids listed in the object's ignore annotation.
pub fn annotation_rules(object: &Value) -> Vec<String> {
    object
        .pointer("/metadata/annotations")
        .and_then(|annotations| annotations.get(IGNORE_ANNOTATION))
        .and_then(Value::as_str)
        .map(split_rules)
        .unwrap_or_default()
}

fn split_rules(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The rule ids of a `# mz-presync: ignore[…]` comment on this line.
pub fn comment_rules(line: &str) -> Option<Vec<String>> {
    let bytes = line.as_bytes();
    let mut rules = None;
    for (at, _) in line.match_indices('#') {
        // A `#` starts a comment only at the start of a line or after a blank.
        if at > 0 && !matches!(bytes[at - 1], b' ' | b'\t') {
            continue;
        }
        let comment = line[at + 1..].trim_start();
        let Some(rest) = comment.strip_prefix("mz-presync:") else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix("ignore[") else {
            continue;
        };
        let Some(end) = rest.find(']') else {
            continue;
        };
        rules
            .get_or_insert_with(Vec::new)
            .extend(split_rules(&rest[..end]));
    }
    rules
}

/// True when a comment on the finding's line, or a comment-only line right
/// above it, names the finding's rule.
pub fn suppressed_by_comment(file: &SourceFile, finding: &Finding) -> bool {
    finding.rule.suppressible && named_by_comment(file, finding.rule.id(), finding.line())
}

/// True when a comment on `line`, or a comment-only line right above it,
/// names the rule `rule` (whether the rule may be silenced is the caller's
/// question).
pub fn named_by_comment(file: &SourceFile, rule: &str, line: usize) -> bool {
    let names =
        |text: &str| comment_rules(text).is_some_and(|rules| rules.iter().any(|r| r == rule));
    if names(file.line_text(line)) {
        return true;
    }
    line > 1 && {
        let above = file.line_text(line - 1);
        above.trim_start().starts_with('#') && names(above)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn annotation_lists_rules() {
        let object = json!({"metadata": {"annotations": {IGNORE_ANNOTATION: " unknown-field, downtime-strategy ,"}}});
        assert_eq!(
            annotation_rules(&object),
            ["unknown-field", "downtime-strategy"]
        );
        assert!(annotation_rules(&json!({"metadata": {}})).is_empty());
    }

    #[test]
    fn comments() {
        assert_eq!(
            comment_rules("  foo: 1 # mz-presync: ignore[unknown-field]"),
            Some(vec!["unknown-field".to_owned()])
        );
        assert_eq!(
            comment_rules("# mz-presync: ignore[a, b]"),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(comment_rules("url: http://x#mz-presync: ignore[a]"), None);
        assert_eq!(comment_rules("# mz-presync: ignore"), None);
        assert_eq!(comment_rules("a: 1"), None);
    }

    #[test]
    fn syntax_errors_cannot_be_silenced() {
        assert!(!can_suppress("yaml-syntax"));
        assert!(can_suppress("schema"));
    }
}
