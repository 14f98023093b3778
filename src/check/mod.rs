//! Checks over Materialize resources: one file per rule, each with an id, a
//! severity, a one-line description and documentation.
//!
//! Entry points:
//! * [`validate_paths`] — what `mz-presync validate` runs: walk, read, check
//!   every file in parallel, then the cross-file rules.
//! * [`validate_files`] — the same over files already in memory.
//! * [`check_object`] — every single-object rule for one Materialize object
//!   of one document, with locations and suppressions applied; for other
//!   commands (`rollouts`, `render`) that hold their own documents.
//!
//! Suppression (both forms work, see [`suppress`]): an annotation
//! `mz-presync.io/ignore: rule-a,rule-b` on the resource silences those rules
//! for the whole resource; a comment `# mz-presync: ignore[rule-a,rule-b]` on
//! the line of a finding, or alone on the line above it, silences that
//! finding. `yaml-syntax` and `unreadable-file` cannot be silenced: a file
//! that cannot be read is never a pass.

mod deprecated_field;
mod deprecated_version;
mod downtime_strategy;
mod duplicate_resource;
mod empty_required;
mod engine;
mod force_promote;
mod invalid_duration;
mod object;
mod pruned_null;
mod quick_locate;
mod released_version_seen;
mod removed_field;
pub mod schema;
pub mod suppress;
pub mod template_skipped;
mod unknown_field;
pub mod unreadable_file;
mod unserved_version;
mod v1_needs_install_flag;
mod yaml11_scalar;
pub mod yaml_syntax;

pub use engine::{ValidateError, ValidateOptions, Validation, validate_files, validate_paths};
// The shared model, under the names `check`'s users have always imported.
pub use crate::finding::{Finding, ResourceRef, RuleInfo, Severity, Summary};
pub use invalid_duration::parse_duration;
pub use object::{CheckOptions, check_object};

static RULES: [&RuleInfo; 18] = [
    &yaml_syntax::RULE,
    &unreadable_file::RULE,
    &template_skipped::RULE,
    &schema::RULE,
    &pruned_null::RULE,
    &unknown_field::RULE,
    &removed_field::RULE,
    &unserved_version::RULE,
    &deprecated_version::RULE,
    &deprecated_field::RULE,
    &force_promote::RULE,
    &downtime_strategy::RULE,
    &invalid_duration::RULE,
    &empty_required::RULE,
    &yaml11_scalar::RULE,
    &duplicate_resource::RULE,
    &v1_needs_install_flag::RULE,
    &released_version_seen::RULE,
];

/// Every rule `validate` can report, in the order the README lists them
/// (the catalogue of every command's rules is `crate::rules`).
pub fn rules() -> &'static [&'static RuleInfo] {
    &RULES
}

/// The `validate` rule with this id.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().copied().find(|rule| rule.id == id)
}
