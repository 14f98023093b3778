//! The rules `rollouts` adds to `validate`'s single-object checks: the ones
//! that need two versions of a resource (one file per rule, holding its
//! definition and its check), and how a change's findings are gathered and
//! silenced. `explain` lists [`RULES`] and [`DOWNTIME_ON_ROLLOUT`].

pub mod downtime_strategy;
pub mod environment_id_changed;
pub mod kustomize_patch;
pub mod upgrade_window;
pub mod waiting_for_approval;

use serde_json::Value;

use super::compare::CompareOptions;
use super::locator::Locator;
use super::pairing::Entry;
use super::resources::Resource;
use crate::check::{CheckOptions, check_object, suppress};
use crate::finding::{Finding, Rule, RuleInfo, Severity};
use crate::source::SourceFile;

pub use downtime_strategy::DOWNTIME_ON_ROLLOUT;

/// The rules `rollouts` adds to the single-object checks of `validate`
/// (ids distinct from [`crate::check::rules`], so `explain` can list both).
pub static RULES: [&RuleInfo; 4] = [
    &environment_id_changed::RULE,
    &upgrade_window::RULE,
    &kustomize_patch::RULE,
    &waiting_for_approval::RULE,
];

/// The rule with this id among [`RULES`] and [`DOWNTIME_ON_ROLLOUT`].
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES
        .iter()
        .copied()
        .chain(std::iter::once(&DOWNTIME_ON_ROLLOUT))
        .find(|rule| rule.id == id)
}

/// The findings that need both versions of a resource, in a fixed order.
pub fn two_version_findings(
    old: &Resource,
    new: &Resource,
    rollout: bool,
    locator: &mut Locator<'_>,
) -> Vec<Finding> {
    [
        environment_id_changed::check(old, new, locator),
        upgrade_window::check(old, new, locator),
        downtime_strategy::check(new, rollout, locator),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Silence two-version findings the way `validate` silences its own: the
/// resource's `mz-presync.io/ignore` annotation, or a
/// `# mz-presync: ignore[rule]` comment on (or just above) the line.
pub fn apply_suppressions(findings: &mut Vec<Finding>, file: &SourceFile, object: &Value) {
    if findings.is_empty() {
        return;
    }
    let ignored = suppress::annotation_rules(object);
    findings.retain(|finding| {
        if !finding.rule.suppressible {
            return true;
        }
        if ignored.iter().any(|rule| finding.rule == rule.as_str()) {
            return false;
        }
        !suppress::suppressed_by_comment(file, finding)
    });
}

/// The single-object checks of `validate` on the new version, errors only
/// (warnings about a version are `validate`'s business; here they would
/// repeat on every commit that touches the resource). Suppressions apply as
/// in `validate`. An object the operator cannot read always gets an error,
/// even when the schema admits it, so a missing hash is never silent.
pub fn single_object_findings(after: &Entry<'_>, options: &CompareOptions) -> Vec<Finding> {
    let resource = after.resource;
    let file = after.file();
    let partial = after.patch_of.is_some();
    let check_options = CheckOptions {
        algorithm: Some(options.algorithm),
        partial,
        operator: options.operator,
        ..CheckOptions::default()
    };
    let mut findings: Vec<Finding> = check_object(
        file,
        &resource.document,
        &resource.prefix,
        &resource.value,
        &check_options,
    )
    .into_iter()
    .filter(|finding| finding.severity == Severity::Error)
    .collect();
    if let Err(err) = &resource.hash
        && findings.is_empty()
        && !partial
    {
        findings.push(Locator::new(after).finding(
            Rule::new(&crate::check::schema::RULE),
            Severity::Error,
            err.pointer(),
            format!(
                "the operator cannot read this object, so it has no rollout hash and will not roll out: {err}. Fix the value; `mz-presync validate` shows every problem"
            ),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_do_not_collide_with_validate_and_are_documented() {
        for rule in RULES {
            assert!(
                crate::check::rule(rule.id).is_none(),
                "{} is also a validate rule",
                rule.id
            );
            assert!(
                !rule.summary.ends_with('.') && rule.docs.len() > 80,
                "{}",
                rule.id
            );
        }
        assert_eq!(
            crate::check::rule(DOWNTIME_ON_ROLLOUT.id).map(|r| r.severity),
            Some(DOWNTIME_ON_ROLLOUT.severity),
            "the shared id keeps the validate rule's severity"
        );
        assert!(rule(upgrade_window::RULE.id).is_some() && rule(DOWNTIME_ON_ROLLOUT.id).is_some());
    }
}
