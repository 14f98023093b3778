//! `v1-needs-install-flag`: under the released operator, `v1` objects exist
//! only where the operator was installed to serve them. One note per run,
//! at the first `v1` object: the flag is a property of the cluster, not of
//! each object.

use std::sync::Arc;

use super::object::{FindingDraft, Locator};
use super::suppress;
use crate::crd::Operator;
use crate::finding::{Finding, ResourceRef, Rule, RuleInfo, Scope, Severity};
use crate::source::{DocumentSpan, SourceFile, Target};

pub static RULE: RuleInfo = RuleInfo {
    id: "v1-needs-install-flag",
    severity: Severity::Note,
    scopes: &[Scope::Validate],
    summary: "Under --operator released, materialize.cloud/v1 is served only when the operator runs with --install-v1-crd (once per run)",
    docs: "The released operator (v26.30 and later) always serves `v1alpha1`, \
its storage version, but serves `v1` only when it runs with `--install-v1-crd` \
(Helm value `operator.args.installV1CRD=true`). `v1` objects reach the \
controller through a conversion webhook, which needs a serving certificate: \
cert-manager, or a certificate you supply. Without the flag the API server \
rejects every `v1` manifest with \"no matches for kind\". mz-presync cannot \
see how the operator was installed, so it says this once per run, at the \
first `v1` object, and does not repeat it for every object. Check the Helm \
values of the operator; silence the note with \
`# mz-presync: ignore[v1-needs-install-flag]` or the annotation on that \
object once you have.",
    suppressible: true,
};

/// The first `v1` object of a file, for the once-per-run notes.
#[derive(Clone)]
pub(crate) struct FirstV1 {
    pub file: Arc<SourceFile>,
    pub doc: DocumentSpan,
    pub prefix: String,
    pub resource: ResourceRef,
    /// Rules the object's ignore annotation names.
    pub ignored: Vec<String>,
}

/// The note a run gets for its first `v1` object under `operator`: this
/// rule under `released`, `released-version-seen` under `design`.
pub(crate) fn once_per_run(first: Option<&FirstV1>, operator: Operator) -> Option<Finding> {
    let first = first?;
    let (rule, message) = match operator {
        Operator::Released => (
            &RULE,
            "the released operator serves materialize.cloud/v1 only when it runs with \
             --install-v1-crd (Helm value operator.args.installV1CRD=true, which needs \
             cert-manager or a supplied certificate for the conversion webhook); without it \
             the API server rejects v1 objects. Said once per run, for every v1 object"
                .to_owned(),
        ),
        Operator::Design => (
            &super::released_version_seen::RULE,
            "materialize.cloud/v1 is the version the released operator (v26.30+) serves; if \
             your cluster runs it, validate with `--operator released` (or `operator: \
             released` in .mz-presync.yaml), whose rollout and hash rules differ from the \
             design document's. Said once per run"
                .to_owned(),
        ),
    };
    if first.ignored.iter().any(|id| id == rule.id) {
        return None;
    }
    let finding = Locator::new(&first.file, &first.doc, None).finding(FindingDraft {
        rule: Rule::new(rule),
        severity: rule.severity,
        pointer: format!("{}/apiVersion", first.prefix),
        target: Target::Value,
        message,
        resource: Some(first.resource.clone()),
    });
    (!suppress::suppressed_by_comment(&first.file, &finding)).then_some(finding)
}
