//! Old side vs new side of one tree diff → changes. Resources are paired by
//! identity, not by path, so renames and moves between files are not
//! changes; each pair's fields and two-version findings are derived here.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::LazyLock;

use serde_json::Value;

use super::environment_id::environment_id_changed;
use super::resources::{DocumentProblem, ParsedBlob, Resource};
use super::upgrade::{UpgradeVerdict, check_upgrade};
use super::{
    ApiVersionChange, Change, ChangeFinding, ChangeKind, DOWNTIME_STRATEGY, ENVIRONMENT_ID_CHANGED,
    KUSTOMIZE_PATCH, UPGRADE_WINDOW,
};
use crate::check::{CheckOptions, Finding, Severity, check_object, suppress};
use crate::crd::common::FORCE_ROLLOUT_ANNOTATION;
use crate::crd::hash::force_rollout_annotation;
use crate::crd::{Algorithm, SpecField};
use crate::source::{DocumentIndex, Position, SourceFile, Target, escape_pointer_token};

/// The files of one side of a diff that may hold resources: a path and what
/// its blob holds.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub path: &'a str,
    pub blob: &'a ParsedBlob,
    /// The kustomization that names this file as a patch (see
    /// [`super::patches`]): its objects are partial.
    pub patch_of: Option<&'a str>,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct CompareOptions {
    /// Locate each rollout's first changed field in the new text (for
    /// annotations). Costs a syntax tree per rollout.
    pub locate_changes: bool,
    /// The hash algorithm, for the single-object checks that compare hashes.
    pub algorithm: Algorithm,
}

/// Spec fields that never feed the hash (spec §2): the seven **out** fields,
/// and the v1alpha1 rollout triggers that conversion removes. Used only when
/// a side is unreadable and the typed preimages cannot be compared.
static NOT_HASHED: LazyLock<Vec<&str>> = LazyLock::new(|| {
    SpecField::iter()
        .filter(|field| !field.hashed())
        .map(SpecField::name)
        .collect()
});

/// `/metadata/annotations/materialize.cloud~1force-rollout`.
pub fn force_rollout_pointer() -> String {
    format!(
        "/metadata/annotations/{}",
        escape_pointer_token(FORCE_ROLLOUT_ANNOTATION)
    )
}

/// How a resource is recognised across versions. A resource without a
/// namespace is only unique within its file; one without a name only at its
/// place in the file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Identity<'a> {
    Namespaced {
        namespace: &'a str,
        name: &'a str,
    },
    InFile {
        name: &'a str,
        path: &'a str,
    },
    Anonymous {
        path: &'a str,
        document: usize,
        prefix: &'a str,
    },
    /// A patch changes the resource it patches without being it: never
    /// paired with a whole object of the same name.
    Patch {
        path: &'a str,
        document: usize,
        prefix: &'a str,
    },
}

#[derive(Clone, Copy)]
struct Entry<'a> {
    path: &'a str,
    blob: &'a ParsedBlob,
    resource: &'a Resource,
    patch_of: Option<&'a str>,
}

impl<'a> Entry<'a> {
    fn identity(&self) -> Identity<'a> {
        let resource = self.resource;
        if self.patch_of.is_some() {
            return Identity::Patch {
                path: self.path,
                document: resource.document.index,
                prefix: &resource.prefix,
            };
        }
        match (&resource.namespace, &resource.name) {
            (Some(namespace), Some(name)) => Identity::Namespaced { namespace, name },
            (None, Some(name)) => Identity::InFile {
                name,
                path: self.path,
            },
            (_, None) => Identity::Anonymous {
                path: self.path,
                document: resource.document.index,
                prefix: &resource.prefix,
            },
        }
    }

    fn file(&self) -> &'a SourceFile {
        self.blob
            .file
            .as_deref()
            .expect("a blob with resources keeps its text")
    }

    fn sort_key(&self) -> (String, usize, String) {
        (
            self.path.to_owned(),
            self.resource.document.index,
            self.resource.prefix.clone(),
        )
    }
}

fn entries<'a>(sides: &[Side<'a>]) -> Vec<Entry<'a>> {
    sides
        .iter()
        .flat_map(|side| {
            side.blob.resources.iter().map(move |resource| Entry {
                path: side.path,
                blob: side.blob,
                resource,
                patch_of: side.patch_of,
            })
        })
        .collect()
}

/// Compare the resources of the old and new sides of a diff.
pub fn compare(old: &[Side<'_>], new: &[Side<'_>], options: &CompareOptions) -> Vec<Change> {
    let old_entries = entries(old);
    let new_entries = entries(new);

    let mut old_by_identity: HashMap<Identity, VecDeque<usize>> = HashMap::new();
    for (i, entry) in old_entries.iter().enumerate() {
        old_by_identity
            .entry(entry.identity())
            .or_default()
            .push_back(i);
    }
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut unmatched_new: Vec<usize> = Vec::new();
    for (j, entry) in new_entries.iter().enumerate() {
        match old_by_identity
            .get_mut(&entry.identity())
            .and_then(VecDeque::pop_front)
        {
            Some(i) => pairs.push((i, j)),
            None => unmatched_new.push(j),
        }
    }
    let mut unmatched_old: Vec<usize> = old_by_identity.into_values().flatten().collect();
    unmatched_old.sort_unstable();
    pair_moved_files(
        &old_entries,
        &new_entries,
        &mut unmatched_old,
        &mut unmatched_new,
        &mut pairs,
    );

    let mut changes: Vec<((String, usize, String), Change)> = Vec::new();
    for (i, j) in pairs {
        let (before, after) = (&old_entries[i], &new_entries[j]);
        if let Some(change) = updated(before, after, options) {
            changes.push((after.sort_key(), change));
        }
    }
    let mut pinned_problems: HashSet<(&str, usize)> = HashSet::new();
    for i in unmatched_old {
        let before = &old_entries[i];
        let problem = new
            .iter()
            .filter(|side| side.path == before.path)
            .flat_map(|side| side.blob.problems.iter().enumerate())
            .min_by_key(|(_, problem)| !problem.mentions_materialize);
        let change = match problem {
            Some((k, problem)) => {
                pinned_problems.insert((before.path, k));
                unreadable_update(before, problem)
            }
            None => deleted(before, options),
        };
        changes.push((before.sort_key(), change));
    }
    for j in unmatched_new {
        let after = &new_entries[j];
        changes.push((after.sort_key(), created(after, options)));
    }
    for side in new {
        for (k, problem) in side.blob.problems.iter().enumerate() {
            let already_broken = old.iter().filter(|o| o.path == side.path).any(|o| {
                o.blob
                    .problems
                    .iter()
                    .any(|p| p.rule == problem.rule && p.message == problem.message)
            });
            if !problem.mentions_materialize
                || pinned_problems.contains(&(side.path, k))
                || already_broken
                || problem.severity != Severity::Error
            {
                continue;
            }
            let key = (side.path.to_owned(), usize::MAX, String::new());
            changes.push((key, unknown_resource(side.path, problem)));
        }
    }
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    changes.into_iter().map(|(_, change)| change).collect()
}

/// A resource without a namespace whose file was renamed: same name, one
/// candidate on each side, is the same resource.
fn pair_moved_files(
    old_entries: &[Entry<'_>],
    new_entries: &[Entry<'_>],
    unmatched_old: &mut Vec<usize>,
    unmatched_new: &mut Vec<usize>,
    pairs: &mut Vec<(usize, usize)>,
) {
    let by_name = |entries: &[Entry<'_>], indices: &[usize]| {
        let mut map: HashMap<String, Vec<usize>> = HashMap::new();
        for &i in indices {
            if let Identity::InFile { name, .. } = entries[i].identity() {
                map.entry(name.to_owned()).or_default().push(i);
            }
        }
        map
    };
    let old_names = by_name(old_entries, unmatched_old);
    let new_names = by_name(new_entries, unmatched_new);
    for (name, olds) in &old_names {
        if let (1, Some(news)) = (olds.len(), new_names.get(name))
            && news.len() == 1
        {
            pairs.push((olds[0], news[0]));
            unmatched_old.retain(|&i| i != olds[0]);
            unmatched_new.retain(|&j| j != news[0]);
        }
    }
}

/// Finds positions in one document, building its syntax tree at most once.
struct Locator<'a> {
    file: &'a SourceFile,
    resource: &'a Resource,
    index: Option<DocumentIndex<'a>>,
}

impl<'a> Locator<'a> {
    fn new(entry: &Entry<'a>) -> Self {
        Locator {
            file: entry.file(),
            resource: entry.resource,
            index: None,
        }
    }

    /// Position of a pointer inside the object (or of its deepest existing
    /// ancestor), falling back to the start of the document. Annotations on
    /// a changed field use the key (the field's own line, also for block
    /// values); findings about a value use the value.
    fn at(&mut self, pointer: &str, target: Target) -> Position {
        let (file, document) = (self.file, &self.resource.document);
        let index = self
            .index
            .get_or_insert_with(|| DocumentIndex::new(file, document));
        let full = format!("{}{pointer}", self.resource.prefix);
        index
            .locate(&full, target)
            .map(|located| located.start)
            .unwrap_or_else(|| file.position(document.content_start))
    }

    fn finding(
        &mut self,
        rule: &'static str,
        severity: Severity,
        pointer: &str,
        message: String,
    ) -> ChangeFinding {
        let position = self.at(pointer, Target::Value);
        ChangeFinding {
            rule,
            severity,
            message,
            pointer: format!("{}{pointer}", self.resource.prefix),
            line: position.line,
            column: position.column,
        }
    }
}

fn hash_hex(resource: &Resource) -> Option<String> {
    resource.hash.as_ref().ok().map(|hash| hash.hex.clone())
}

fn best_effort(resource: &Resource) -> bool {
    resource.hash.as_ref().is_ok_and(|hash| hash.best_effort)
}

fn updated(before: &Entry<'_>, after: &Entry<'_>, options: &CompareOptions) -> Option<Change> {
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

fn created(after: &Entry<'_>, options: &CompareOptions) -> Change {
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

fn deleted(before: &Entry<'_>, options: &CompareOptions) -> Change {
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
fn unreadable_update(before: &Entry<'_>, problem: &DocumentProblem) -> Change {
    Change {
        change: ChangeKind::Updated,
        findings: vec![problem_finding(problem)],
        position: Some(problem.position),
        ..deleted_change(before)
    }
}

/// A changed document that mentions Materialize but does not parse: it may
/// define a resource, which cannot be named.
fn unknown_resource(path: &str, problem: &DocumentProblem) -> Change {
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
        findings: vec![problem_finding(problem)],
        position: Some(problem.position),
        best_effort: false,
        kustomize_patch: None,
    }
}

fn problem_finding(problem: &DocumentProblem) -> ChangeFinding {
    ChangeFinding {
        rule: problem.rule,
        severity: problem.severity,
        message: problem.message.clone(),
        pointer: String::new(),
        line: problem.position.line,
        column: problem.position.column,
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
    let mut findings = vec![locator.finding(
        KUSTOMIZE_PATCH,
        Severity::Note,
        "",
        patch_message(kustomization, entry.path == kustomization, &fields, verb),
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

fn patch_message(kustomization: &str, inline: bool, fields: &[String], verb: &str) -> String {
    let effect = if fields.is_empty() {
        format!("{verb} no field of the rollout hash, so the resource it patches does not roll out")
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

/// The hash-relevant fields whose normalized values differ. With both
/// hashes known, the typed preimages are compared member by member, so
/// spelling (UUID case, quantity numbers), defaults and v1alpha1 conversion
/// do not count; otherwise the raw specs are, minus the fields that never
/// feed the hash.
pub fn changed_fields(old: &Resource, new: &Resource) -> Vec<String> {
    let mut fields = Vec::new();
    let (old_annotation, new_annotation) = match (&old.hash, &new.hash) {
        (Ok(a), Ok(b)) => {
            if a.hex == b.hex {
                return fields;
            }
            let parse =
                |preimage: &str| serde_json::from_str::<Value>(preimage).unwrap_or(Value::Null);
            differing_members(&parse(&a.preimage), &parse(&b.preimage), &[], &mut fields);
            (a.annotation.clone(), b.annotation.clone())
        }
        _ => return raw_changed_fields(&old.value, &new.value),
    };
    if old_annotation != new_annotation {
        fields.push(force_rollout_pointer());
    }
    fields.sort();
    fields
}

/// The hash-relevant fields whose values differ as written (`Null` for a
/// side that does not exist): the spec members except those that never
/// feed the hash, and the force-rollout annotation.
fn raw_changed_fields(old: &Value, new: &Value) -> Vec<String> {
    let mut fields = Vec::new();
    differing_members(&old["spec"], &new["spec"], &NOT_HASHED, &mut fields);
    let annotation = |value: &Value| force_rollout_annotation(value).map(str::to_owned);
    if annotation(old) != annotation(new) {
        fields.push(force_rollout_pointer());
    }
    fields.sort();
    fields
}

fn differing_members(old: &Value, new: &Value, skip: &[&str], out: &mut Vec<String>) {
    let empty = serde_json::Map::new();
    let old = old.as_object().unwrap_or(&empty);
    let new = new.as_object().unwrap_or(&empty);
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let absent_is_null = |map: &serde_json::Map<String, Value>| {
            map.get(key.as_str()).unwrap_or(&Value::Null).clone()
        };
        if !skip.contains(&key.as_str()) && absent_is_null(old) != absent_is_null(new) {
            out.push(format!("/spec/{}", escape_pointer_token(key)));
        }
    }
}

fn two_version_findings(
    old: &Resource,
    new: &Resource,
    rollout: bool,
    locator: &mut Locator<'_>,
) -> Vec<ChangeFinding> {
    let mut findings = Vec::new();
    if let Some(message) = environment_id_changed(&old.value, &new.value) {
        findings.push(locator.finding(
            ENVIRONMENT_ID_CHANGED,
            Severity::Error,
            SpecField::EnvironmentId.pointer(),
            message,
        ));
    }
    let image = |resource: &Resource| {
        resource
            .value
            .pointer(SpecField::EnvironmentdImageRef.pointer())
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if let (Some(old_image), Some(new_image)) = (image(old), image(new))
        && old_image != new_image
    {
        let pointer = SpecField::EnvironmentdImageRef.pointer();
        match check_upgrade(&old_image, &new_image) {
            UpgradeVerdict::Allowed => {}
            UpgradeVerdict::Refused(reason) => findings.push(locator.finding(
                UPGRADE_WINDOW,
                Severity::Error,
                pointer,
                format!("the operator will refuse this image change: {reason}"),
            )),
            UpgradeVerdict::Unchecked(reason) => {
                findings.push(locator.finding(UPGRADE_WINDOW, Severity::Note, pointer, reason))
            }
        }
    }
    let strategy = new
        .value
        .pointer(SpecField::RolloutStrategy.pointer())
        .and_then(Value::as_str);
    if rollout && strategy == Some("ImmediatelyPromoteCausingDowntime") {
        findings.push(locator.finding(
            DOWNTIME_STRATEGY,
            Severity::Warning,
            SpecField::RolloutStrategy.pointer(),
            "this change starts a rollout and rolloutStrategy is ImmediatelyPromoteCausingDowntime: the running environment is taken down before the new one is ready, so merging it causes downtime. Merge it in a maintenance window, or use WaitUntilReady".to_owned(),
        ));
    }
    findings
}

/// Silence two-version findings the way `validate` silences its own: the
/// resource's `mz-presync.io/ignore` annotation, or a
/// `# mz-presync: ignore[rule]` comment on (or just above) the line.
fn apply_suppressions(findings: &mut Vec<ChangeFinding>, file: &SourceFile, object: &Value) {
    if findings.is_empty() {
        return;
    }
    let ignored = suppress::annotation_rules(object);
    findings.retain(|finding| {
        if !suppress::can_suppress(finding.rule) {
            return true;
        }
        if ignored.iter().any(|rule| rule == finding.rule) {
            return false;
        }
        let as_validate_finding = Finding {
            rule: finding.rule,
            severity: finding.severity,
            file: file.display.clone(),
            line: finding.line,
            column: finding.column,
            end_line: finding.line,
            end_column: finding.column,
            pointer: finding.pointer.clone(),
            message: String::new(),
            resource: None,
        };
        !suppress::suppressed_by_comment(file, &as_validate_finding)
    });
}

/// The single-object checks of `validate` on the new version, errors only
/// (warnings about a version are `validate`'s business; here they would
/// repeat on every commit that touches the resource). Suppressions apply as
/// in `validate`. An object the operator cannot read always gets an error,
/// even when the schema admits it, so a missing hash is never silent.
fn single_object_findings(after: &Entry<'_>, options: &CompareOptions) -> Vec<ChangeFinding> {
    let resource = after.resource;
    let file = after.file();
    let partial = after.patch_of.is_some();
    let check_options = CheckOptions {
        algorithm: Some(options.algorithm),
        partial,
        ..CheckOptions::default()
    };
    let mut findings: Vec<ChangeFinding> = check_object(
        file,
        &resource.document,
        &resource.prefix,
        &resource.value,
        &check_options,
    )
    .into_iter()
    .filter(|finding| finding.severity == Severity::Error)
    .map(|finding| ChangeFinding {
        rule: finding.rule,
        severity: finding.severity,
        message: finding.message,
        pointer: finding.pointer,
        line: finding.line,
        column: finding.column,
    })
    .collect();
    if let Err(err) = &resource.hash
        && findings.is_empty()
        && !partial
    {
        findings.push(Locator::new(after).finding(
            "schema",
            Severity::Error,
            err.pointer(),
            format!(
                "the operator cannot read this object, so it has no rollout hash and will not roll out: {err}. Fix the value; `mz-presync validate` shows every problem"
            ),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::resources::parse_blob;

    const BASE: &str = "apiVersion: materialize.cloud/v1alpha1
kind: Materialize
metadata:
  name: mz
  namespace: prod
  labels: {team: data}
spec:
  environmentdImageRef: materialize/environmentd:v0.147.20
  backendSecretName: mz-backend
  environmentId: 2c7b1d39-7a3e-4d6c-9a43-2b0c8e8a5f11
  balancerdReplicas: 2
  requestRollout: 11111111-1111-4111-8111-111111111111
";

    fn blob(text: &str) -> ParsedBlob {
        parse_blob(
            "clusters/prod/mz.yaml",
            text.as_bytes().to_vec(),
            Algorithm::V1alpha2,
        )
    }

    fn diff(old: &[(&str, &str)], new: &[(&str, &str)]) -> Vec<Change> {
        let old_blobs: Vec<(&str, ParsedBlob)> = old.iter().map(|(p, t)| (*p, blob(t))).collect();
        let new_blobs: Vec<(&str, ParsedBlob)> = new.iter().map(|(p, t)| (*p, blob(t))).collect();
        let old_sides: Vec<Side> = old_blobs
            .iter()
            .map(|(path, blob)| Side {
                path,
                blob,
                patch_of: None,
            })
            .collect();
        let new_sides: Vec<Side> = new_blobs
            .iter()
            .map(|(path, blob)| Side {
                path,
                blob,
                patch_of: None,
            })
            .collect();
        compare(&old_sides, &new_sides, &CompareOptions::default())
    }

    const PATH: &str = "clusters/prod/mz.yaml";

    #[test]
    fn excluded_fields_change_nothing_that_rolls_out() {
        let new = BASE
            .replace(
                "balancerdReplicas: 2",
                "balancerdReplicas: 3\n  forcePromote: 22222222-2222-4222-8222-222222222222",
            )
            .replace("{team: data}", "{team: platform}");
        let changes = diff(&[(PATH, BASE)], &[(PATH, &new)]);
        assert_eq!(changes.len(), 1);
        let change = &changes[0];
        assert_eq!(change.change, ChangeKind::Updated);
        assert!(!change.rollout);
        assert!(change.fields.is_empty());
        assert_eq!(change.old_hash, change.new_hash);
    }

    #[test]
    fn formatting_only_is_no_change() {
        let new = format!(
            "# a comment\n{}",
            BASE.replace("{team: data}", "\n    team: data")
        );
        assert!(diff(&[(PATH, BASE)], &[(PATH, &new)]).is_empty());
    }

    #[test]
    fn image_change_names_the_field_and_checks_the_window() {
        let new = BASE.replace("v0.147.20", "v26.0.0");
        let changes = diff(&[(PATH, BASE)], &[(PATH, &new)]);
        assert!(changes[0].rollout);
        assert_eq!(changes[0].fields, ["/spec/environmentdImageRef"]);
        assert!(changes[0].findings.is_empty());
        let back = diff(&[(PATH, &new)], &[(PATH, BASE)]);
        let finding = &back[0].findings[0];
        assert_eq!(finding.rule, UPGRADE_WINDOW);
        assert_eq!(finding.severity, Severity::Error);
        assert_eq!((finding.line, finding.column), (8, 25));
        assert_eq!(finding.pointer, "/spec/environmentdImageRef");
    }

    #[test]
    fn uuid_spelling_is_not_a_field_change_but_a_new_id_is() {
        let upper = BASE.replace(
            "2c7b1d39-7a3e-4d6c-9a43-2b0c8e8a5f11",
            "2C7B1D39-7A3E-4D6C-9A43-2B0C8E8A5F11",
        );
        let changes = diff(&[(PATH, BASE)], &[(PATH, &upper)]);
        assert!(!changes[0].rollout);
        assert!(changes[0].findings.is_empty());
        let other = BASE.replace(
            "2c7b1d39-7a3e-4d6c-9a43-2b0c8e8a5f11",
            "9f0e7c7e-4a41-4a7b-8a7d-7f6f0f3c2d10",
        );
        let changes = diff(&[(PATH, BASE)], &[(PATH, &other)]);
        assert!(changes[0].rollout);
        assert_eq!(changes[0].fields, ["/spec/environmentId"]);
        assert_eq!(changes[0].findings[0].rule, ENVIRONMENT_ID_CHANGED);
        assert_eq!(changes[0].findings[0].line, 10);
    }

    #[test]
    fn force_rollout_annotation_is_a_field() {
        let new = BASE.replace(
            "  labels: {team: data}",
            "  labels: {team: data}\n  annotations:\n    materialize.cloud/force-rollout: \"1\"",
        );
        let changes = diff(&[(PATH, BASE)], &[(PATH, &new)]);
        assert!(changes[0].rollout);
        assert_eq!(
            changes[0].fields,
            ["/metadata/annotations/materialize.cloud~1force-rollout"]
        );
    }

    #[test]
    fn moving_a_resource_between_files_is_no_change() {
        let other = "clusters/prod/other.yaml";
        assert!(diff(&[(PATH, BASE)], &[(other, BASE)]).is_empty());
        let no_namespace = BASE.replace("  namespace: prod\n", "");
        assert!(diff(&[(PATH, &no_namespace)], &[(other, &no_namespace)]).is_empty());
    }

    #[test]
    fn created_and_deleted() {
        let changes = diff(&[], &[(PATH, BASE)]);
        assert_eq!(
            (changes[0].change, changes[0].rollout),
            (ChangeKind::Created, true)
        );
        let changes = diff(&[(PATH, BASE)], &[]);
        assert_eq!(
            (changes[0].change, changes[0].rollout),
            (ChangeKind::Deleted, false)
        );
        assert_eq!(
            changes[0].api_version,
            ApiVersionChange {
                from: Some("materialize.cloud/v1alpha1".into()),
                to: None
            }
        );
    }

    #[test]
    fn a_file_that_stops_parsing_is_not_a_deletion() {
        let broken = format!("{BASE}  podLabels: [\n");
        let changes = diff(&[(PATH, BASE)], &[(PATH, &broken)]);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].change, ChangeKind::Updated);
        assert_eq!(changes[0].new_hash, None);
        assert_eq!(changes[0].findings[0].rule, "yaml-syntax");
        assert!(!changes[0].rollout);
    }

    #[test]
    fn a_new_unparsable_materialize_file_is_reported() {
        let changes = diff(&[], &[(PATH, "kind: Materialize\nspec: [\n")]);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].name, None);
        assert!(changes[0].has_errors());
    }

    #[test]
    fn unreadable_new_version_has_no_hash_and_an_error() {
        let new = BASE.replace("balancerdReplicas: 2", "rolloutStrategy: Bogus");
        let changes = diff(&[(PATH, BASE)], &[(PATH, &new)]);
        let change = &changes[0];
        assert!(!change.rollout);
        assert_eq!(change.new_hash, None);
        assert_eq!(change.fields, ["/spec/rolloutStrategy"]);
        assert_eq!(change.findings[0].rule, "schema");
        assert_eq!(change.findings[0].pointer, "/spec/rolloutStrategy");
    }

    #[test]
    fn downtime_strategy_warns_on_rollouts_only() {
        let base = BASE.replace(
            "balancerdReplicas: 2",
            "rolloutStrategy: ImmediatelyPromoteCausingDowntime",
        );
        let bump = base.replace("v0.147.20", "v0.147.21");
        let changes = diff(&[(PATH, &base)], &[(PATH, &bump)]);
        assert_eq!(changes[0].findings[0].rule, DOWNTIME_STRATEGY);
        let labels_only = base.replace("{team: data}", "{team: x}");
        assert!(
            diff(&[(PATH, &base)], &[(PATH, &labels_only)])[0]
                .findings
                .is_empty()
        );
    }

    const PATCH_V26_2: &str = "apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: prod
spec:
  environmentdImageRef: materialize/environmentd:v26.2.0
";

    /// Diff one file that `overlays/prod/kustomization.yaml` names as a patch.
    fn patch_diff(old: Option<&str>, new: Option<&str>) -> Vec<Change> {
        let kustomization = Some("overlays/prod/kustomization.yaml");
        let old_blob = old.map(blob);
        let new_blob = new.map(blob);
        fn sides<'a>(blob: &'a Option<ParsedBlob>, patch_of: Option<&'a str>) -> Vec<Side<'a>> {
            blob.iter()
                .map(|blob| Side {
                    path: "overlays/prod/mz-patch.yaml",
                    blob,
                    patch_of,
                })
                .collect()
        }
        let (old_sides, new_sides) = (
            sides(&old_blob, kustomization),
            sides(&new_blob, kustomization),
        );
        compare(&old_sides, &new_sides, &CompareOptions::default())
    }

    fn rules(change: &Change) -> Vec<&str> {
        change.findings.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn a_patch_that_overrides_a_hashed_field_rolls_out_the_patched_resource() {
        let newer = PATCH_V26_2.replace("v26.2.0", "v26.3.0");
        let changes = patch_diff(Some(PATCH_V26_2), Some(&newer));
        assert_eq!(changes.len(), 1);
        let change = &changes[0];
        assert!(change.rollout);
        assert_eq!(change.fields, ["/spec/environmentdImageRef"]);
        assert_eq!((&change.old_hash, &change.new_hash), (&None, &None));
        assert_eq!(
            change.kustomize_patch.as_deref(),
            Some("overlays/prod/kustomization.yaml")
        );
        // Partial: no error for the required fields a patch leaves out.
        assert_eq!(rules(change), ["kustomize-patch"]);
        assert!(
            change.findings[0]
                .message
                .contains("kustomize build overlays/prod")
        );
        // The overridden image is the resource's: the upgrade window applies.
        let downgrade = PATCH_V26_2.replace("v26.2.0", "v26.1.0");
        let changes = patch_diff(Some(PATCH_V26_2), Some(&downgrade));
        assert_eq!(rules(&changes[0]), ["kustomize-patch", "upgrade-window"]);
        assert!(changes[0].has_errors());
    }

    #[test]
    fn a_patch_of_fields_outside_the_hash_rolls_out_nothing() {
        let with_replicas = format!("{PATCH_V26_2}  balancerdReplicas: 3\n");
        let more = with_replicas.replace("balancerdReplicas: 3", "balancerdReplicas: 4");
        let change = &patch_diff(Some(&with_replicas), Some(&more))[0];
        assert!(!change.rollout);
        assert!(change.fields.is_empty());
        assert!(
            change.findings[0]
                .message
                .contains("no field of the rollout hash")
        );
    }

    #[test]
    fn adding_or_removing_a_patch_with_hashed_fields_rolls_out() {
        let added = &patch_diff(None, Some(PATCH_V26_2))[0];
        assert_eq!(added.change, ChangeKind::Created);
        assert!(added.rollout);
        let removed = &patch_diff(Some(PATCH_V26_2), None)[0];
        assert_eq!(removed.change, ChangeKind::Deleted);
        assert!(removed.rollout, "its fields fall back to the base's");
        assert_eq!(removed.fields, ["/spec/environmentdImageRef"]);
        let replicas_only = PATCH_V26_2.replace(
            "environmentdImageRef: materialize/environmentd:v26.2.0",
            "balancerdReplicas: 3",
        );
        assert!(!patch_diff(None, Some(&replicas_only))[0].rollout);
    }
}
