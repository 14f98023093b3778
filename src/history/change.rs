//! Building the [`Change`] of one resource between two versions: created,
//! updated, deleted, a patch change, or a file that stopped parsing. Hashes
//! decide whether it rolls out; [`super::fields`] says which fields changed
//! and [`super::rules`] what is wrong with it.

use serde_json::Value;

use super::compare::CompareOptions;
use super::fields::{changed_fields, raw_changed_fields};
use super::locator::Locator;
use super::pairing::Entry;
use super::resources::{DocumentProblem, Resource};
use super::rules::{
    apply_suppressions, kustomize_patch, single_object_findings, two_version_findings,
};
use super::{ApiVersionChange, Change, ChangeKind};
use crate::source::Target;

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
    let rollout = new_hash.is_some() && old_hash != new_hash;
    let fields = changed_fields(old, new);
    let mut locator = Locator::new(after);
    let mut findings = two_version_findings(old, new, rollout, &mut locator);
    apply_suppressions(&mut findings, after.file(), &new.value);
    findings.extend(single_object_findings(after, options));
    let position = (options.locate_changes && rollout)
        .then(|| locator.at(fields.first().map_or("", String::as_str), Target::Key));
    Some(Change {
        namespace: new.namespace.clone(),
        name: new.name.clone(),
        file: after.path.to_owned(),
        change: ChangeKind::Updated,
        rollout,
        old_hash,
        new_hash,
        api_version: ApiVersionChange {
            from: Some(old.api_version.clone()),
            to: Some(new.api_version.clone()),
        },
        fields,
        findings,
        position,
        best_effort: best_effort(new),
        kustomize_patch: None,
    })
}

pub fn created(after: &Entry<'_>, options: &CompareOptions) -> Change {
    if after.patch_of.is_some() {
        return patch_change(None, Some(after), ChangeKind::Created, options);
    }
    let new = after.resource;
    let new_hash = hash_hex(new);
    let mut locator = Locator::new(after);
    let findings = single_object_findings(after, options);
    let rollout = new_hash.is_some();
    let position = (options.locate_changes && rollout).then(|| locator.at("", Target::Key));
    Change {
        namespace: new.namespace.clone(),
        name: new.name.clone(),
        file: after.path.to_owned(),
        change: ChangeKind::Created,
        rollout,
        old_hash: None,
        new_hash,
        api_version: ApiVersionChange {
            from: None,
            to: Some(new.api_version.clone()),
        },
        fields: Vec::new(),
        findings,
        position,
        best_effort: best_effort(new),
        kustomize_patch: None,
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
        namespace: old.namespace.clone(),
        name: old.name.clone(),
        file: before.path.to_owned(),
        change: ChangeKind::Deleted,
        rollout: false,
        old_hash: hash_hex(old),
        new_hash: None,
        api_version: ApiVersionChange {
            from: Some(old.api_version.clone()),
            to: None,
        },
        fields: Vec::new(),
        findings: Vec::new(),
        position: None,
        best_effort: false,
        kustomize_patch: None,
    }
}

/// The resource was in a file whose new version cannot be read: it is not
/// deleted (the file still exists), its new state is unknown.
pub fn unreadable_update(before: &Entry<'_>, problem: &DocumentProblem) -> Change {
    Change {
        change: ChangeKind::Updated,
        findings: vec![problem.finding.clone()],
        position: Some(problem.finding.location.start()),
        ..deleted_change(before)
    }
}

/// A changed document that mentions Materialize but does not parse: it may
/// define a resource, which cannot be named.
pub fn unknown_resource(path: &str, problem: &DocumentProblem) -> Change {
    Change {
        namespace: None,
        name: None,
        file: path.to_owned(),
        change: ChangeKind::Created,
        rollout: false,
        old_hash: None,
        new_hash: None,
        api_version: ApiVersionChange {
            from: None,
            to: None,
        },
        fields: Vec::new(),
        findings: vec![problem.finding.clone()],
        position: Some(problem.finding.location.start()),
        best_effort: false,
        kustomize_patch: None,
    }
}

/// A change to a kustomize patch: the fields it overrides are what changes
/// in the resource it patches, so a changed hashed field means a rollout of
/// that resource when the overlay is applied — also when the patch goes
/// away, since its fields fall back to the base's values. No hash: the
/// patch has none, only the built overlay has.
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
    let rollout = !fields.is_empty();
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
    )];
    let mut position = None;
    if let Some(after) = after {
        // An overridden image or environmentId is the resource's new value:
        // the same two-version checks apply.
        if let Some(before) = before {
            let new = after.resource;
            let mut two_version = two_version_findings(before.resource, new, rollout, &mut locator);
            apply_suppressions(&mut two_version, after.file(), &new.value);
            findings.extend(two_version);
        }
        findings.extend(single_object_findings(after, options));
        position = (options.locate_changes && rollout)
            .then(|| locator.at(fields.first().map_or("", String::as_str), Target::Key));
    }
    let api_version = |side: Option<&Entry<'_>>| side.map(|e| e.resource.api_version.clone());
    Change {
        namespace: entry.resource.namespace.clone(),
        name: entry.resource.name.clone(),
        file: entry.path.to_owned(),
        change: kind,
        rollout,
        old_hash: None,
        new_hash: None,
        api_version: ApiVersionChange {
            from: api_version(before),
            to: api_version(after),
        },
        fields,
        findings,
        position,
        best_effort: false,
        kustomize_patch: Some(kustomization.to_owned()),
    }
}
