//! Building the [`Change`] of one resource between two versions: created,
//! updated, deleted, a patch change, or a file that stopped parsing.
//! [`super::judge`] decides whether it requests a rollout and restarts under
//! the operator model; [`super::fields`] says which fields changed and
//! [`super::rules`] what is wrong with it.

use serde_json::Value;

use super::compare::CompareOptions;
use super::fields::{changed_fields, raw_changed_fields};
use super::judge;
use super::locator::Locator;
use super::pairing::Entry;
use super::resources::{DocumentProblem, Resource};
use super::rules::{
    apply_suppressions, kustomize_patch, single_object_findings, two_version_findings,
    waiting_for_approval,
};
use super::{ApiVersionChange, Change, ChangeKind};
use crate::crd::verdict::{Restart, Verdict};
use crate::source::Target;
use crate::source::units::UnitRef;

/// The changed hashed fields, then what else requested the rollout (the
/// released operator's `requestRollout`, an apiVersion switch), sorted.
fn with_triggers(mut fields: Vec<String>, verdict: &Verdict) -> Vec<String> {
    for trigger in &verdict.triggers {
        if !fields.contains(trigger) {
            fields.push(trigger.clone());
        }
    }
    fields.sort();
    fields
}

fn hash_hex(resource: &Resource) -> Option<String> {
    resource.hash.as_ref().ok().map(|hash| hash.hex.clone())
}

fn best_effort(resource: &Resource) -> bool {
    resource.hash.as_ref().is_ok_and(|hash| hash.best_effort)
}

pub fn updated(before: &Entry<'_>, after: &Entry<'_>, options: &CompareOptions) -> Option<Change> {
    let (old, new) = (before.resource, after.resource);
    if old.value == new.value {
        return None;
    }
    if after.patch_of.is_some() {
        return Some(patch_change(
            Some(before),
            Some(after),
            ChangeKind::Updated,
            options,
        ));
    }
    let old_hash = hash_hex(old);
    let new_hash = hash_hex(new);
    let fields = changed_fields(old, new);
    let verdict = judge::updated(options.operator, old, new, &fields);
    let rollout = verdict.rollout;
    let fields = with_triggers(fields, &verdict);
    let (findings, position) = if options.verdicts_only {
        (Vec::new(), None)
    } else {
        let mut locator = Locator::new(after);
        let mut findings = two_version_findings(old, new, rollout, &mut locator);
        findings.extend(waiting_for_approval::check(&verdict, &mut locator));
        apply_suppressions(&mut findings, after.file(), &new.value);
        findings.extend(single_object_findings(after, options));
        let position = (options.locate_changes && rollout)
            .then(|| locator.at(fields.first().map_or("", String::as_str), Target::Key));
        (findings, position)
    };
    Some(Change {
        unit: after.unit.reference.clone(),
        namespace: after.namespace().map(str::to_owned),
        name: new.name.clone(),
        file: after.path.to_owned(),
        change: ChangeKind::Updated,
        rollout,
        restart: verdict.restart,
        pending: verdict.pending,
        old_hash,
        new_hash,
        api_version: ApiVersionChange {
            from: Some(old.api_version.clone()),
            to: Some(new.api_version.clone()),
        },
        fields,
        per_generation: verdict.per_generation,
        findings,
        position,
        best_effort: best_effort(new),
        kustomize_patch: None,
        rendered: None,
    })
}

pub fn created(after: &Entry<'_>, options: &CompareOptions) -> Change {
    if after.patch_of.is_some() {
        return patch_change(None, Some(after), ChangeKind::Created, options);
    }
    let new = after.resource;
    let new_hash = hash_hex(new);
    let verdict = judge::created(new);
    let rollout = verdict.rollout;
    let (findings, position) = if options.verdicts_only {
        (Vec::new(), None)
    } else {
        let mut locator = Locator::new(after);
        let position = (options.locate_changes && rollout).then(|| locator.at("", Target::Key));
        (single_object_findings(after, options), position)
    };
    Change {
        unit: after.unit.reference.clone(),
        namespace: after.namespace().map(str::to_owned),
        name: new.name.clone(),
        file: after.path.to_owned(),
        change: ChangeKind::Created,
        rollout,
        restart: verdict.restart,
        pending: false,
        old_hash: None,
        new_hash,
        api_version: ApiVersionChange {
            from: None,
            to: Some(new.api_version.clone()),
        },
        fields: Vec::new(),
        per_generation: Vec::new(),
        findings,
        position,
        best_effort: best_effort(new),
        kustomize_patch: None,
        rendered: None,
    }
}

pub fn deleted(before: &Entry<'_>, options: &CompareOptions) -> Change {
    if before.patch_of.is_some() {
        return patch_change(Some(before), None, ChangeKind::Deleted, options);
    }
    deleted_change(before)
}

fn deleted_change(before: &Entry<'_>) -> Change {
    let old = before.resource;
    Change {
        unit: before.unit.reference.clone(),
        namespace: before.namespace().map(str::to_owned),
        name: old.name.clone(),
        file: before.path.to_owned(),
        change: ChangeKind::Deleted,
        rollout: false,
        restart: judge::deleted(old).restart,
        pending: false,
        old_hash: hash_hex(old),
        new_hash: None,
        api_version: ApiVersionChange {
            from: Some(old.api_version.clone()),
            to: None,
        },
        fields: Vec::new(),
        per_generation: Vec::new(),
        findings: Vec::new(),
        position: None,
        best_effort: false,
        kustomize_patch: None,
        rendered: None,
    }
}

/// The resource was in a file whose new version cannot be read: it is not
/// deleted (the file still exists), its new state is unknown. Nothing is
/// applied while the file does not parse, so nothing restarts.
pub fn unreadable_update(before: &Entry<'_>, problem: &DocumentProblem) -> Change {
    Change {
        change: ChangeKind::Updated,
        restart: Restart::No,
        findings: vec![problem.finding.clone()],
        position: Some(problem.finding.location.start()),
        ..deleted_change(before)
    }
}

/// A changed document that mentions Materialize but does not parse: it may
/// define a resource, which cannot be named; reported once, in the first
/// unit of its file (a file problem, like `validate`'s findings).
pub fn unknown_resource(path: &str, unit: &UnitRef, problem: &DocumentProblem) -> Change {
    Change {
        unit: unit.clone(),
        namespace: None,
        name: None,
        file: path.to_owned(),
        change: ChangeKind::Created,
        rollout: false,
        restart: Restart::No,
        pending: false,
        old_hash: None,
        new_hash: None,
        api_version: ApiVersionChange {
            from: None,
            to: None,
        },
        fields: Vec::new(),
        per_generation: Vec::new(),
        findings: vec![problem.finding.clone()],
        position: Some(problem.finding.location.start()),
        best_effort: false,
        kustomize_patch: None,
        rendered: None,
    }
}

/// A change to a kustomize patch: the fields it overrides are what changes
/// in the resource it patches, so a changed hashed field means a rollout of
/// that resource when the overlay is applied — also when the patch goes
/// away, since its fields fall back to the base's values. No hash: the
/// patch has none, only the built overlay has. Request and restart follow
/// [`judge::patch`].
fn patch_change(
    before: Option<&Entry<'_>>,
    after: Option<&Entry<'_>>,
    kind: ChangeKind,
    options: &CompareOptions,
) -> Change {
    let entry = after.or(before).expect("a change has a side");
    fn value<'a>(side: Option<&Entry<'a>>) -> &'a Value {
        side.map_or(&Value::Null, |entry| &entry.resource.value)
    }
    let fields = raw_changed_fields(value(before), value(after));
    let verdict = judge::patch(options.operator, value(before), value(after), &fields);
    let rollout = verdict.rollout;
    let fields = with_triggers(fields, &verdict);
    let kustomization = entry.patch_of.unwrap_or_default();
    let verb = if after.is_some() {
        "it changes"
    } else {
        "removing it reverts"
    };
    let mut locator = Locator::new(entry);
    let mut findings = vec![kustomize_patch::finding(
        &mut locator,
        kustomization,
        entry.path == kustomization,
        &fields,
        verb,
        rollout,
    )];
    let mut position = None;
    let waiting = waiting_for_approval::check(&verdict, &mut locator);
    if let Some(after) = after {
        // An overridden image or environmentId is the resource's new value:
        // the same two-version checks apply.
        let new = after.resource;
        let mut two_version = match before {
            Some(before) => two_version_findings(before.resource, new, rollout, &mut locator),
            None => Vec::new(),
        };
        two_version.extend(waiting);
        apply_suppressions(&mut two_version, after.file(), &new.value);
        findings.extend(two_version);
        findings.extend(single_object_findings(after, options));
        position = (options.locate_changes && rollout)
            .then(|| locator.at(fields.first().map_or("", String::as_str), Target::Key));
    } else {
        findings.extend(waiting);
    }
    if options.verdicts_only {
        // Patches are few: built whole, then only the verdict is kept.
        findings.clear();
        position = None;
    }
    let api_version = |side: Option<&Entry<'_>>| side.map(|e| e.resource.api_version.clone());
    Change {
        unit: entry.unit.reference.clone(),
        namespace: entry.namespace().map(str::to_owned),
        name: entry.resource.name.clone(),
        file: entry.path.to_owned(),
        change: kind,
        rollout,
        restart: verdict.restart,
        pending: verdict.pending,
        old_hash: None,
        new_hash: None,
        api_version: ApiVersionChange {
            from: api_version(before),
            to: api_version(after),
        },
        fields,
        per_generation: verdict.per_generation,
        findings,
        position,
        best_effort: false,
        kustomize_patch: Some(kustomization.to_owned()),
        rendered: None,
    }
}
