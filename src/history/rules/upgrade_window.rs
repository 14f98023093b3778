//! `upgrade-window` (spec §6) as a two-version rule: an
//! `environmentdImageRef` change the operator refuses to roll out. What the
//! operator accepts is [`crate::history::upgrade`]'s business; this file
//! turns its verdict into a finding.

use serde_json::Value;

use crate::crd::SpecField;
use crate::crd::upgrade_window::{UpgradeVerdict, check_upgrade};
use crate::finding::{Finding, Rule, RuleInfo, Scope, Severity};
use crate::history::locator::Locator;
use crate::history::resources::Resource;

pub static RULE: RuleInfo = RuleInfo {
    id: "upgrade-window",
    severity: Severity::Error,
    scopes: &[Scope::Rollouts],
    summary: "An environmentdImageRef change the operator refuses (a downgrade or too large a jump)",
    docs: "The operator compares the old and new image tags (the text after the last `:`, `v` + semver, `--` standing for `+`; build metadata ignored) and refuses to roll out a downgrade; within v0.x a jump of more than one minor version (v0.130 → v0.147 is allowed); v0.x → v26 from anything but v0.147.20+ patches or v0.164+; and more than one major version up from v26 on. `mz-presync rollouts` applies the same rule to each commit, so the refusal shows on the pull request instead of in the operator's log after the merge. A tag that is not a version (`latest`, a digest only) is not checked and reported as a note. Upgrade one step at a time.",
    suppressible: true,
};

/// The finding when the image changes in a way the operator refuses (an
/// error) or cannot judge (a note).
pub fn check(old: &Resource, new: &Resource, locator: &mut Locator<'_>) -> Option<Finding> {
    let image = |resource: &Resource| {
        resource
            .value
            .pointer(SpecField::EnvironmentdImageRef.pointer())
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let (Some(old_image), Some(new_image)) = (image(old), image(new)) else {
        return None;
    };
    if old_image == new_image {
        return None;
    }
    let pointer = SpecField::EnvironmentdImageRef.pointer();
    match check_upgrade(&old_image, &new_image) {
        UpgradeVerdict::Allowed => None,
        UpgradeVerdict::Refused(reason) => Some(locator.finding(
            Rule::new(&RULE),
            Severity::Error,
            pointer,
            format!("the operator will refuse this image change: {reason}"),
        )),
        UpgradeVerdict::Unchecked(reason) => {
            Some(locator.finding(Rule::new(&RULE), Severity::Note, pointer, reason))
        }
    }
}
