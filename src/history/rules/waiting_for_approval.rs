//! `waiting-for-approval`: a change of per-generation inputs that requests
//! no rollout (spec §8). Only the released operator reconciling a
//! `v1alpha1` object waits like this: it reads `requestRollout` as the
//! approval, reports `UpToDate=False` with reason `WaitingForApproval`, and
//! applies the change with the next request — possibly long after the
//! commit that made it.

use crate::crd::SpecField;
use crate::crd::verdict::Verdict;
use crate::finding::{Finding, Rule, RuleInfo, Scope, Severity};
use crate::history::locator::Locator;

pub static RULE: RuleInfo = RuleInfo {
    id: "waiting-for-approval",
    severity: Severity::Warning,
    scopes: &[Scope::Rollouts],
    summary: "A change of per-generation inputs requests no rollout: the released operator waits for a requestRollout change to apply it",
    docs: "Under the released operator (v26.30 and later, `--operator released`) a `materialize.cloud/v1alpha1` object rolls out only when `spec.requestRollout` changes; hashed fields do not matter. A commit that changes a per-generation input (the environmentd image, its arguments, environment, resources, pod labels or annotations, `forceRollout`, … — what the StatefulSet of a generation is built from) without changing `requestRollout` is not applied: the operator reports `UpToDate=False` with reason `WaitingForApproval`, and the next change of `requestRollout` — from any later commit, or the operator replacing a removed one — applies it and restarts the database. `mz-presync rollouts` warns on every such change and names the fields. To apply it now, set `spec.requestRollout` to a new UUID in the same change (`uuidgen`); to keep it waiting on purpose, silence the rule. The design-document operator (`--operator design`, the default) rolls out on every hash change and never waits: if the cluster runs that operator, choose that model instead.",
    suppressible: true,
};

/// The warning when `verdict` leaves per-generation changes pending, on
/// the first of them.
pub fn check(verdict: &Verdict, locator: &mut Locator<'_>) -> Option<Finding> {
    if !verdict.pending {
        return None;
    }
    let first = verdict.per_generation.first().map_or("", String::as_str);
    Some(locator.finding(
        Rule::new(&RULE),
        Severity::Warning,
        first,
        format!(
            "this change of {} requests no rollout: the released operator applies nothing until {} changes (it reports UpToDate=False, WaitingForApproval), and the next request restarts the database. Set spec.requestRollout to a new UUID in this change to apply it, or use --operator design if the cluster runs the design-document operator",
            verdict.per_generation.join(", "),
            SpecField::RequestRollout.name(),
        ),
    ))
}
