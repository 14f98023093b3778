//! `released-version-seen`: a `v1` object checked under the design
//! document, whose operator is not the one that serves `v1` in real
//! clusters. The finding is made by [`super::v1_needs_install_flag`]'s
//! once-per-run pass.

use crate::finding::{RuleInfo, Scope, Severity};

pub static RULE: RuleInfo = RuleInfo {
    id: "released-version-seen",
    severity: Severity::Note,
    scopes: &[Scope::Validate],
    summary: "A materialize.cloud/v1 object checked under the design-document model: consider --operator released (once per run)",
    docs: "mz-presync follows the design document unless told otherwise. \
`materialize.cloud/v1` is the version Materialize's released operator (v26.30 \
and later) serves, and that operator differs: it stores `v1alpha1`, does not \
serve `v1alpha2`, hashes in declaration order (the `v1` algorithm), and \
requests a rollout of a `v1alpha1` object only when `requestRollout` changes. \
Seeing a `v1` object suggests the cluster runs the released operator, so the \
run notes it once, at the first `v1` object. Pass `--operator released`, set \
`MZ_PRESYNC_OPERATOR=released`, or write `operator: released` in \
`.mz-presync.yaml` at the root of the repository; or silence the note with \
`# mz-presync: ignore[released-version-seen]` if the design model is what you \
mean.",
    suppressible: true,
};
