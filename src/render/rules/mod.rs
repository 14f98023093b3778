//! The rules `render` adds to `validate`'s, one file each, and the way it
//! words or weighs some of `validate`'s own (`unreadable-file`,
//! `yaml-syntax`, `template-skipped`) for a stream that must be all or
//! nothing.

pub mod conversion_failed;
pub mod empty_stream;
pub mod not_a_resource;

use crate::finding::RuleInfo;

/// The rules only `render` reports, in the order `explain` lists them.
pub static RULES: [&RuleInfo; 3] = [
    &not_a_resource::RULE,
    &empty_stream::RULE,
    &conversion_failed::RULE,
];
