//! `unserved-version`: an apiVersion the chosen operator's API server does
//! not serve, so `kubectl apply` fails before any check of the operator.

use super::object::{Hit, Subject};
use crate::finding::{RuleInfo, Scope, Severity};
use crate::source::Target;

pub static RULE: RuleInfo = RuleInfo {
    id: "unserved-version",
    severity: Severity::Error,
    scopes: &[Scope::Validate],
    summary: "A materialize.cloud/v1alpha2 object under --operator released, which does not serve v1alpha2",
    docs: "The released operator (v26.30 and later) installs a CRD that serves \
`v1alpha1` (its storage version) and, when installed with `--install-v1-crd`, \
`v1`; it does not serve `v1alpha2` at all. The API server rejects such a \
manifest with \"no matches for kind\", so the whole apply (or Argo CD sync) \
fails. Only reported with `--operator released` (or `operator: released` in \
`.mz-presync.yaml`): under the design document `v1alpha2` is the storage \
version. Between `v1alpha2` and `v1` nothing but the name differs, so \
`mz-presync migrate --operator released` renames the object to `v1` without \
changing its rollout hash.",
    suppressible: true,
};

pub(crate) fn check(subject: &Subject<'_>, hits: &mut Vec<Hit>) {
    let operator = subject.options.operator;
    if operator.serves(subject.version) {
        return;
    }
    hits.push(Hit::new(
        &RULE,
        "/apiVersion",
        Target::Value,
        format!(
            "{} does not serve {}: the API server rejects it with 'no matches for kind'; run `mz-presync migrate --operator {operator}` to rename it to {}",
            operator.describe(),
            subject.version.api_version(),
            operator.migration_target().api_version(),
        ),
    ));
}
