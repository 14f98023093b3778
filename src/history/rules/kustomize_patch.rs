//! `kustomize-patch`: a changed file (or a kustomization's inline patch) is
//! a kustomize patch, so the verdict is about the resource it patches and
//! there is no hash to show. A note on every patch change, saying which
//! hashed fields it writes and how to see the hash of the built overlay.

use crate::finding::{Finding, Rule, RuleInfo, Scope, Severity};
use crate::history::locator::Locator;

pub static RULE: RuleInfo = RuleInfo {
    id: "kustomize-patch",
    severity: Severity::Note,
    scopes: &[Scope::Rollouts],
    summary: "A changed file (or inline patch) is a kustomize patch: the verdict is about the resource it patches",
    docs: "A strategic-merge patch named by a kustomization (`patches: [{path: …}]`, `patchesStrategicMerge`) holds only the fields an overlay overrides. It is not a resource: it has no rollout hash and misses required fields. `mz-presync rollouts` finds the kustomization that names a changed file in the commit's tree (in the file's directory or above, as kustomize's default load restrictor requires), checks the patch as a partial object, and calls the change a rollout when it changes a field of the rollout hash (or the force-rollout annotation): an overridden field wins over the base, so its new value reaches the resource the overlay builds. Adding a patch with such fields, or removing one (its fields fall back to the base's values), counts the same way. Patches written inside the kustomization (`patches: [{target: {kind: Materialize}, patch: …}]`, inline `patchesStrategicMerge` entries) are judged alike: a JSON 6902 operation list is read as the object it writes (an `add`/`replace` of a whole spec member sets it; operations below a member, `remove`, `move` and `copy` count as a change of that member whenever they change). A JSON 6902 patch file is read through the `target` of the entry that names it: with a Materialize target it writes into that resource; retargeting it elsewhere counts as removing it. The hash of the result exists only for the built overlay: `kustomize build overlays/prod | mz-presync hash -`.",
    suppressible: true,
};

/// The note on a patch change: `fields` are the hashed fields it changes,
/// `verb` says whether it changes them or reverts them by going away,
/// `rollout` whether that requests a rollout under the operator model (the
/// released operator waits for a `requestRollout` change on `v1alpha1`).
pub fn finding(
    locator: &mut Locator<'_>,
    kustomization: &str,
    inline: bool,
    fields: &[String],
    verb: &str,
    rollout: bool,
) -> Finding {
    locator.finding(
        Rule::new(&RULE),
        Severity::Note,
        "",
        patch_message(kustomization, inline, fields, verb, rollout),
    )
}

fn patch_message(
    kustomization: &str,
    inline: bool,
    fields: &[String],
    verb: &str,
    rollout: bool,
) -> String {
    let effect = if fields.is_empty() {
        format!("{verb} no field of the rollout hash, so the resource it patches does not roll out")
    } else if !rollout {
        format!(
            "{verb} {}, but requests no rollout of the resource it patches: the operator applies it with the next requestRollout change",
            fields.join(", ")
        )
    } else {
        format!(
            "{verb} {}, so the resource it patches rolls out when the overlay is applied",
            fields.join(", ")
        )
    };
    let overlay = kustomization.rsplit_once('/').map_or(".", |(dir, _)| dir);
    let what = if inline {
        "this inline kustomize patch:".to_owned()
    } else {
        format!("this file is a kustomize patch named by {kustomization}:")
    };
    format!(
        "{what} {effect}; the hash itself exists only for the built overlay (`kustomize build {overlay} | mz-presync hash -`)"
    )
}
