//! `downtime-strategy` as a two-version rule: a change that starts a
//! rollout of a resource whose rolloutStrategy takes the running environment
//! down first. It shares its id (and suppression) with `validate`'s
//! single-object rule of the same name, which says the strategy is risky;
//! here it says this very change causes the outage, so it is reported only
//! on a change that rolls out.

use serde_json::Value;

use crate::crd::SpecField;
use crate::finding::{Finding, Rule, RuleInfo, Scope, Severity};
use crate::history::locator::Locator;
use crate::history::resources::Resource;

/// What `downtime-strategy` means in `rollouts`, for `explain` to add to the
/// `validate` rule's own text.
pub static DOWNTIME_ON_ROLLOUT: RuleInfo = RuleInfo {
    id: "downtime-strategy",
    severity: Severity::Warning,
    scopes: &[Scope::Rollouts],
    summary: "A change starts a rollout of a resource whose rolloutStrategy is ImmediatelyPromoteCausingDowntime",
    docs: "With rolloutStrategy ImmediatelyPromoteCausingDowntime the operator tears down the running environment before the new one is ready, so every rollout is an outage. `mz-presync rollouts` warns on each updated resource whose change starts a rollout under that strategy (a newly created resource has nothing to take down). Merge it in a maintenance window, or switch to WaitUntilReady.",
    suppressible: true,
};

/// The warning when `new` rolls out under ImmediatelyPromoteCausingDowntime.
pub fn check(new: &Resource, rollout: bool, locator: &mut Locator<'_>) -> Option<Finding> {
    let strategy = new
        .value
        .pointer(SpecField::RolloutStrategy.pointer())
        .and_then(Value::as_str);
    (rollout && strategy == Some("ImmediatelyPromoteCausingDowntime")).then(|| {
        locator.finding(
            Rule::new(&DOWNTIME_ON_ROLLOUT),
            Severity::Warning,
            SpecField::RolloutStrategy.pointer(),
            "this change starts a rollout and rolloutStrategy is ImmediatelyPromoteCausingDowntime: the running environment is taken down before the new one is ready, so merging it causes downtime. Merge it in a maintenance window, or use WaitUntilReady".to_owned(),
        )
    })
}
