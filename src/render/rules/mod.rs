//! The rules `render` adds to `validate`'s, one file each, and the way it
//! words or weighs some of `validate`'s own (`unreadable-file`,
//! `yaml-syntax`, `template-skipped`) for a stream that must be all or
//! nothing.

pub mod conversion_failed;
pub mod empty_stream;
pub mod not_a_resource;
pub mod template_skipped;
pub mod unreadable_file;
pub mod yaml_syntax;

use crate::finding::RuleInfo;

/// The rules only `render` reports, in the order `explain` lists them.
pub static RULES: [&RuleInfo; 3] = [
    &not_a_resource::RULE,
    &empty_stream::RULE,
    &conversion_failed::RULE,
];

/// [`RULES`] as `check::RuleInfo`, for `explain` until `check` speaks
/// `crate::finding` (branch `findings`); goes with that merge.
pub const LEGACY_RULES: &[crate::check::RuleInfo] = &[
    legacy(&not_a_resource::RULE),
    legacy(&empty_stream::RULE),
    legacy(&conversion_failed::RULE),
];

const fn legacy(rule: &'static RuleInfo) -> crate::check::RuleInfo {
    crate::check::RuleInfo {
        id: rule.id,
        severity: match rule.severity {
            crate::finding::Severity::Error => crate::check::Severity::Error,
            crate::finding::Severity::Warning => crate::check::Severity::Warning,
            crate::finding::Severity::Note => crate::check::Severity::Note,
        },
        summary: rule.summary,
        docs: rule.docs,
    }
}
