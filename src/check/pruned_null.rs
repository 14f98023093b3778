//! `pruned-null`: a `null` the API server removes before anyone reads it.

use super::object::Hit;
use crate::finding::{RuleInfo, Scope, Severity};
use crate::source::Target;

pub static RULE: RuleInfo = RuleInfo {
    id: "pruned-null",
    severity: Severity::Note,
    scopes: &[Scope::Validate],
    summary: "A null in a field that has a default: the API server prunes it and applies the default",
    docs: "Fields such as `requestRollout`, `forceRollout`, `environmentId`, \
`rolloutStrategy`, `authenticatorKind` and `enableRbac` have a default and are not \
nullable in the CRD. The API server prunes a `null` written there (Terraform \
modules and templates emit them) and then applies the default, so the operator \
sees the field as absent: the object is accepted, and its rollout hash is the \
hash without that line. mz-presync validates and hashes the admitted object the \
same way and notes the line, because it does not do what it seems to (it does \
not clear a value set earlier by another tool). Delete the line, or write the \
value you mean. A `null` in a required field (`environmentdImageRef`, \
`backendSecretName`) is pruned too and then rejected as missing: that is a \
`schema` error.",
    suppressible: true,
};

/// One note per pruned `null` (`pruned` holds pointers from the object, as
/// [`crate::crd::admission::admit`] reports them).
pub(crate) fn check(pruned: &[String], hits: &mut Vec<Hit>) {
    for pointer in pruned {
        hits.push(Hit::new(
            &RULE,
            pointer.clone(),
            Target::Value,
            "the API server prunes this null and applies the field's default, so it reads and \
             hashes as if the line were absent; delete it, or write the value you mean"
                .to_owned(),
        ));
    }
}
