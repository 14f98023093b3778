//! `downtime-strategy`: a rollout strategy that takes the database down.

use serde_json::Value;

use super::object::{Hit, Subject};
use crate::crd::SpecField;
use crate::finding::Severity;
use crate::finding::{RuleInfo, Scope};
use crate::source::Target;

pub static RULE: RuleInfo = RuleInfo {
    id: "downtime-strategy",
    severity: Severity::Warning,
    scopes: &[Scope::Validate, Scope::Rollouts],
    summary: "rolloutStrategy: ImmediatelyPromoteCausingDowntime",
    docs: "With `rolloutStrategy: ImmediatelyPromoteCausingDowntime` the operator \
tears down the running environmentd before the new one is ready, so every \
rollout (an image upgrade, any change of a rollout-relevant field, a \
`forceRollout`) makes the instance unavailable until the new generation has \
hydrated. That is sometimes chosen on purpose for small or development \
instances; in production it usually is not. Use `WaitUntilReady` (the default) \
or `ManuallyPromote`, or silence the finding for this resource with the \
annotation `mz-presync.io/ignore: downtime-strategy`.",
    suppressible: true,
};

pub(crate) fn check(subject: &Subject<'_>, hits: &mut Vec<Hit>) {
    let strategy = subject
        .spec()
        .and_then(|spec| spec.get(SpecField::RolloutStrategy.name()))
        .and_then(Value::as_str);
    if strategy == Some("ImmediatelyPromoteCausingDowntime") {
        hits.push(Hit::new(
            &RULE,
            SpecField::RolloutStrategy.pointer(),
            Target::Value,
            "every rollout of this instance causes downtime: ImmediatelyPromoteCausingDowntime stops the running environmentd before the new one is ready; use WaitUntilReady (the default) or ManuallyPromote unless the downtime is intended".to_owned(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::check::object::{CheckOptions, object_hits};
    use serde_json::json;

    #[test]
    fn warns_on_downtime_only() {
        let mut object = json!({
            "apiVersion": "materialize.cloud/v1", "kind": "Materialize", "metadata": {"name": "mz"},
            "spec": {"environmentdImageRef": "i", "backendSecretName": "b", "rolloutStrategy": "ImmediatelyPromoteCausingDowntime"}
        });
        let hits = object_hits(&object, &CheckOptions::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].rule, "downtime-strategy");
        object["spec"]["rolloutStrategy"] = json!("WaitUntilReady");
        assert!(object_hits(&object, &CheckOptions::default()).is_empty());
    }
}
