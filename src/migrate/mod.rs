//! `migrate`: rewrite v1alpha1 `Materialize` resources to v1alpha2 (or v1)
//! in place, changing only the bytes that have to change.
//!
//! For each document of a file, [`crd::convert`] says what the migrated
//! object *is* (the ground truth, golden-tested); [`edit`] turns the
//! difference between the old and new values into byte edits of that
//! document's text, and the edited documents are spliced back between the
//! untouched bytes. Before anything is returned, the whole new text is split
//! and parsed again: every migrated document must read back as exactly the
//! converted value, and every other document, separator and the BOM must be
//! byte-identical. Anything else is a [`MigrateError`] and the file is left
//! as it was.
//!
//! [`migrate_text`] is pure (no I/O), for commands that convert in memory;
//! [`migrate_paths`] reads files (in parallel) and [`write::write_atomic`]
//! writes them.

mod batch;
mod edit;
mod kustomize;
mod render;
pub mod write;

use serde_json::Value;

use crate::crd::verdict::{self, Restart};
use crate::crd::{self, Algorithm, Note, Operator, Version};
use crate::source::{self, DocumentSpan, FileFormat, ParseError, Position, SourceFile, Target};

pub use batch::{BatchOptions, FileFailure, FileReport, Outcome, Tally, Verdict, migrate_paths};
pub use edit::{Change, ChangeKind, EditError};
pub use kustomize::TargetUpdate;

/// What a file is to the migration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FileRole {
    /// Whole objects: rollout neutrality is proven per resource.
    #[default]
    Manifest,
    /// A strategic-merge patch referenced from a kustomization: partial
    /// objects, migrated with the same rules but never read as whole objects.
    Patch,
}

#[derive(Clone, Copy, Debug)]
pub struct MigrateOptions {
    pub target: Version,
    pub role: FileRole,
    /// The model whose conversion rules and rollout verdict apply.
    pub operator: Operator,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        MigrateOptions {
            target: Version::V1alpha2,
            role: FileRole::Manifest,
            operator: Operator::Design,
        }
    }
}

impl MigrateOptions {
    /// The versions this run rewrites: `v1alpha1`, and under the released
    /// operator `v1alpha2` too, which it does not serve (a rename to `v1`).
    pub fn sources(&self) -> &'static [Version] {
        if self.operator == Operator::Released && self.target == Version::V1 {
            &[Version::V1alpha1, Version::V1alpha2]
        } else {
            &[Version::V1alpha1]
        }
    }
}

/// The algorithm whose hash must not change when migrating to `target`.
pub fn algorithm_for(target: Version) -> Algorithm {
    target.algorithm()
}

/// Whether merging the migrated resource starts a rollout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rollout {
    /// The hash of the migrated object equals the hash the operator computes
    /// for the original through its conversion.
    Neutral {
        algorithm: Algorithm,
        hash: String,
        /// A certificate spec is set: see [`crd::RolloutHash::best_effort`].
        best_effort: bool,
    },
    /// The two hashes differ (the migration is wrong; never expected).
    Changes {
        algorithm: Algorithm,
        before: String,
        after: String,
    },
    /// The operator cannot read the object, so it has no hash.
    Unreadable { reason: String },
    /// A patch file: a partial object has no hash.
    Partial,
}

impl Rollout {
    pub fn is_neutral(&self) -> bool {
        matches!(self, Rollout::Neutral { .. })
    }
}

impl std::fmt::Display for Rollout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rollout::Neutral {
                best_effort: false, ..
            } => f.write_str("rollout-neutral"),
            Rollout::Neutral {
                best_effort: true, ..
            } => f.write_str(
                "rollout-neutral (best effort: a certificate spec is set, see `explain`)",
            ),
            Rollout::Changes {
                algorithm,
                before,
                after,
            } => write!(
                f,
                "NOT rollout-neutral: the {algorithm} hash changes from {before} to {after}"
            ),
            Rollout::Unreadable { reason } => write!(
                f,
                "rollout neutrality unknown: the operator cannot read this object ({reason})"
            ),
            Rollout::Partial => {
                f.write_str("patch file: partial object, rollout neutrality not checked")
            }
        }
    }
}

/// One migrated resource.
#[derive(Clone, Debug)]
pub struct ResourceMigration {
    /// 0-based document index in the file.
    pub document: usize,
    /// Where the object sits in its document (`""`, or `/items/3` in a List).
    pub pointer: String,
    /// Position of the object's `apiVersion` key in the original file.
    pub position: Position,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub from: Version,
    pub to: Version,
    /// What changed, with pointers relative to the object.
    pub changes: Vec<Change>,
    /// What the conversion has to say (moved ARN, dropped timeout, …).
    pub notes: Vec<Note>,
    pub rollout: Rollout,
    /// Whether applying the migrated manifest requests a rollout and
    /// restarts, under the model (spec §7, §8); `None` for a patch file.
    pub verdict: Option<verdict::Verdict>,
    /// The model the verdict follows.
    pub operator: Operator,
    /// The status shows a rollout in progress.
    pub mid_rollout: bool,
    /// `status.lastCompletedRolloutHash` as recorded, when it differs from
    /// the hash of the migrated spec: the operator will roll out, with or
    /// without this migration.
    pub recorded_hash_differs: Option<String>,
}

impl ResourceMigration {
    /// `namespace/name`, with `-` for what is missing.
    pub fn identity(&self) -> String {
        format!(
            "{}/{}",
            self.namespace.as_deref().unwrap_or("-"),
            self.name.as_deref().unwrap_or("-")
        )
    }

    /// What the migration did, one entry per change: `apiVersion →
    /// materialize.cloud/v1`, `removed spec.requestRollout`, …
    pub fn change_list(&self) -> Vec<String> {
        let mut list = vec![format!("apiVersion → {}", self.to.api_version())];
        for change in self.changes.iter().filter(|c| c.pointer != "/apiVersion") {
            let label = match change.kind {
                ChangeKind::Removed => "removed",
                ChangeKind::Added => "added",
                ChangeKind::Updated => "updated",
            };
            list.push(format!("{label} {}", dotted(&change.pointer)));
        }
        list
    }

    /// The rollout verdict in words, for the human line: the design
    /// document's neutrality proof, or what the released operator does.
    pub fn describe_rollout(&self) -> String {
        let (Operator::Released, Rollout::Neutral { best_effort, .. }, Some(verdict)) =
            (self.operator, &self.rollout, &self.verdict)
        else {
            return self.rollout.to_string();
        };
        let mut words = match (verdict.rollout, verdict.restart) {
            (true, Restart::Maybe) => {
                "requests one rollout; nothing restarts unless changes are already pending"
                    .to_owned()
            }
            (true, _) => "requests one rollout, which restarts the database".to_owned(),
            (false, _) if self.from == Version::V1alpha1 => "requests no rollout: the hand-set requestRollout already equals the one the operator derives from the v1 hash".to_owned(),
            (false, _) => "requests no rollout: a rename, the v1 hash is unchanged".to_owned(),
        };
        if *best_effort {
            words.push_str(" (best effort: a certificate spec is set, see `explain`)");
        }
        words
    }

    /// What changed, for one line: `apiVersion → …; removed spec.requestRollout, …`.
    pub fn describe_changes(&self) -> String {
        let mut parts = vec![format!("apiVersion → {}", self.to.api_version())];
        for (kind, label) in [
            (ChangeKind::Removed, "removed"),
            (ChangeKind::Added, "added"),
            (ChangeKind::Updated, "updated"),
        ] {
            let names: Vec<String> = self
                .changes
                .iter()
                .filter(|c| c.kind == kind && c.pointer != "/apiVersion")
                .map(|c| dotted(&c.pointer))
                .collect();
            if !names.is_empty() {
                parts.push(format!("{label} {}", names.join(", ")));
            }
        }
        parts.join("; ")
    }
}

/// A pointer as a dotted field name: `/spec/requestRollout` →
/// `spec.requestRollout`.
fn dotted(pointer: &str) -> String {
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

/// A kustomization patch target moved to the new version.
#[derive(Clone, Debug)]
pub struct KustomizeUpdate {
    pub document: usize,
    pub position: Position,
    pub to: Version,
    pub update: TargetUpdate,
}

/// The result of migrating one file.
#[derive(Clone, Debug, Default)]
pub struct FileMigration {
    /// The migrated text; `None` when nothing changes.
    pub new_text: Option<String>,
    pub resources: Vec<ResourceMigration>,
    pub kustomize: Vec<KustomizeUpdate>,
}

impl FileMigration {
    pub fn changed(&self) -> bool {
        self.new_text.is_some()
    }
}

/// Why a file was not migrated. The file is always left untouched.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "a Go/Helm template, not YAML: left alone; edit its apiVersion by hand, or migrate the rendered output (helm template … | mz-presync migrate -)"
    )]
    Template { position: Option<Position> },
    #[error("document {} does not parse ({error}); fix the syntax error, then migrate again", document + 1)]
    Parse { document: usize, error: ParseError },
    #[error("document {} cannot be migrated as text: {error}", document + 1)]
    Edit {
        document: usize,
        position: Option<Position>,
        error: EditError,
    },
    #[error(
        "document {}: the migrated text failed the safety check ({reason}); the file was left untouched — please report this",
        document + 1
    )]
    Verify {
        document: usize,
        position: Option<Position>,
        reason: String,
    },
}

impl MigrateError {
    /// A skip (a template) rather than a failure.
    pub fn is_skip(&self) -> bool {
        matches!(self, MigrateError::Template { .. })
    }

    pub fn position(&self) -> Option<Position> {
        match self {
            MigrateError::Template { position }
            | MigrateError::Edit { position, .. }
            | MigrateError::Verify { position, .. } => *position,
            MigrateError::Parse { error, .. } => error.position(),
        }
    }
}

/// A document about to be rewritten.
struct Planned {
    doc: DocumentSpan,
    old: Value,
    new: Value,
    /// (pointer of the object in the document, original object, conversion).
    objects: Vec<(String, Value, crd::Conversion)>,
    kustomize: Vec<TargetUpdate>,
}

/// Migrate one file's text. Pure: reads nothing, writes nothing.
///
/// A file that contains no `v1alpha1` at all is returned unchanged without
/// being parsed (the fast path for a repository of unrelated manifests).
pub fn migrate_text(
    file: &SourceFile,
    options: &MigrateOptions,
) -> Result<FileMigration, MigrateError> {
    if options
        .sources()
        .iter()
        .all(|v| memchr::memmem::find(file.text.as_bytes(), v.as_str().as_bytes()).is_none())
    {
        return Ok(FileMigration::default());
    }
    let kustomization_file = crate::source::is_kustomization_path(&file.path);
    let docs = file.documents();
    let mut planned = Vec::new();
    // Every document is parsed before any is edited: a file with a syntax
    // error anywhere is left alone as a whole.
    for doc in &docs {
        let value = match source::parse_document(file, doc) {
            Ok(Some(value)) => value,
            Ok(None) => continue,
            Err(ParseError::Template { position, .. }) => {
                return Err(MigrateError::Template { position });
            }
            Err(error) => {
                return Err(MigrateError::Parse {
                    document: doc.index,
                    error,
                });
            }
        };
        if let Some(plan) = plan_document(doc, value, kustomization_file, options)? {
            planned.push(plan);
        }
    }
    if planned.is_empty() {
        return Ok(FileMigration::default());
    }

    let syntax = match file.format {
        FileFormat::Json => edit::Syntax::Json,
        FileFormat::Yaml => edit::Syntax::Yaml,
    };
    let mut new_text = String::with_capacity(file.text.len() + 256);
    let mut cursor = 0;
    let mut changes_by_doc = Vec::with_capacity(planned.len());
    for plan in &planned {
        let range = plan.doc.range.range();
        let (text, changes) =
            edit::edit_document(&file.text[range.clone()], syntax, &plan.old, &plan.new).map_err(
                |error| MigrateError::Edit {
                    document: plan.doc.index,
                    position: position_of(file, &plan.doc, &error.pointer),
                    error,
                },
            )?;
        new_text.push_str(&file.text[cursor..range.start]);
        new_text.push_str(&text);
        cursor = range.end;
        changes_by_doc.push(changes);
    }
    new_text.push_str(&file.text[cursor..]);

    let migrated = verify(file, &docs, &planned, new_text)?;
    let mut result = FileMigration {
        new_text: Some(migrated.text.clone()),
        ..FileMigration::default()
    };
    for ((plan, changes), reread) in planned.iter().zip(changes_by_doc).zip(&migrated.values) {
        for (pointer, original, conversion) in &plan.objects {
            let migrated_object = reread.pointer(pointer).unwrap_or(&Value::Null);
            let rollout = rollout(original, migrated_object, options);
            let verdict = judge(original, migrated_object, &rollout, options);
            let own_changes = changes
                .iter()
                .filter_map(|c| {
                    let rest = c.pointer.strip_prefix(pointer.as_str())?;
                    rest.starts_with('/').then(|| Change {
                        pointer: rest.to_owned(),
                        kind: c.kind,
                    })
                })
                .collect();
            result.resources.push(ResourceMigration {
                document: plan.doc.index,
                pointer: pointer.clone(),
                position: position_of(file, &plan.doc, &format!("{pointer}/apiVersion"))
                    .unwrap_or_else(|| file.position(plan.doc.content_start)),
                namespace: metadata(original, "namespace"),
                name: metadata(original, "name"),
                from: crd::version_of(original).unwrap_or(Version::V1alpha1),
                to: options.target,
                changes: own_changes,
                notes: conversion.notes.clone(),
                recorded_hash_differs: recorded_hash_differs(migrated_object, &rollout),
                rollout,
                verdict,
                operator: options.operator,
                mid_rollout: original.get("status").is_some_and(|s| !s.is_null())
                    && crd::convert::mid_rollout(original),
            });
        }
        for update in &plan.kustomize {
            result.kustomize.push(KustomizeUpdate {
                document: plan.doc.index,
                position: position_of(file, &plan.doc, &update.pointer)
                    .unwrap_or_else(|| file.position(plan.doc.content_start)),
                to: options.target,
                update: update.clone(),
            });
        }
    }
    Ok(result)
}

fn plan_document(
    doc: &DocumentSpan,
    value: Value,
    kustomization_file: bool,
    options: &MigrateOptions,
) -> Result<Option<Planned>, MigrateError> {
    let mut new = value.clone();
    let mut objects = Vec::new();
    for (pointer, object) in source::objects(&value) {
        if !crd::version_of(object).is_some_and(|v| options.sources().contains(&v)) {
            continue;
        }
        let conversion =
            crd::convert_for(object, options.target, options.operator).map_err(|err| {
                MigrateError::Verify {
                    document: doc.index,
                    position: None,
                    reason: format!("conversion failed: {err}"),
                }
            })?;
        if let Some(slot) = new.pointer_mut(&pointer) {
            *slot = conversion.object.clone();
        }
        objects.push((pointer, object.clone(), conversion));
    }
    let kustomize = if kustomization_file || crate::source::kustomize::is_kustomization(&value) {
        kustomize::update_targets(&mut new, options.sources(), options.target)
    } else {
        Vec::new()
    };
    if new == value {
        return Ok(None);
    }
    Ok(Some(Planned {
        doc: doc.clone(),
        old: value,
        new,
        objects,
        kustomize,
    }))
}

fn metadata(object: &Value, field: &str) -> Option<String> {
    object
        .pointer(&format!("/metadata/{field}"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn position_of(file: &SourceFile, doc: &DocumentSpan, pointer: &str) -> Option<Position> {
    source::locate(file, doc, pointer, Target::Key).map(|located| located.start)
}

fn rollout(original: &Value, migrated: &Value, options: &MigrateOptions) -> Rollout {
    if options.role == FileRole::Patch {
        return Rollout::Partial;
    }
    let algorithm = algorithm_for(options.target);
    let before = match crd::rollout_hash(original, algorithm) {
        Ok(hash) => hash,
        Err(err) => {
            return Rollout::Unreadable {
                reason: err.to_string(),
            };
        }
    };
    let after = match crd::rollout_hash(migrated, algorithm) {
        Ok(hash) => hash,
        Err(err) => {
            return Rollout::Unreadable {
                reason: err.to_string(),
            };
        }
    };
    if before.hex != after.hex {
        return Rollout::Changes {
            algorithm,
            before: before.hex,
            after: after.hex,
        };
    }
    Rollout::Neutral {
        algorithm,
        hash: after.hex,
        best_effort: after.best_effort,
    }
}

/// Spec §7/§8 for the migration commit: the original as the cluster holds
/// it, the migrated object as applied. Hashes follow the model's algorithm
/// (the design's is the target's, as the neutrality proof).
fn judge(
    original: &Value,
    migrated: &Value,
    rollout: &Rollout,
    options: &MigrateOptions,
) -> Option<verdict::Verdict> {
    if *rollout == Rollout::Partial {
        return None;
    }
    let algorithm = match options.operator {
        Operator::Design => algorithm_for(options.target),
        Operator::Released => options.operator.algorithm(),
    };
    let hash = |object: &Value| crd::rollout_hash(object, algorithm).ok().map(|h| h.hex);
    let (before, after) = (hash(original), hash(migrated));
    Some(verdict::updated(
        options.operator,
        original,
        migrated,
        before.as_deref(),
        after.as_deref(),
    ))
}

/// The recorded `status.lastCompletedRolloutHash` of a migrated object when
/// it is not the hash of its spec.
fn recorded_hash_differs(migrated: &Value, rollout: &Rollout) -> Option<String> {
    let Rollout::Neutral { hash, .. } = rollout else {
        return None;
    };
    migrated
        .pointer("/status/lastCompletedRolloutHash")
        .and_then(Value::as_str)
        .filter(|recorded| recorded != hash)
        .map(str::to_owned)
}

struct Verified {
    text: String,
    /// The re-read value of each planned document, in order.
    values: Vec<Value>,
}

/// Split and parse the new text again; see the module docs for the rules.
fn verify(
    file: &SourceFile,
    docs: &[DocumentSpan],
    planned: &[Planned],
    new_text: String,
) -> Result<Verified, MigrateError> {
    let new_file = SourceFile::from_text(
        file.display.clone(),
        file.path.clone(),
        new_text,
        file.format,
    );
    let new_docs = new_file.documents();
    let failure = |document: usize, reason: String| MigrateError::Verify {
        document,
        position: docs.get(document).map(|d| file.position(d.content_start)),
        reason,
    };
    if new_docs.len() != docs.len() {
        return Err(failure(
            0,
            format!(
                "the new text has {} documents instead of {}",
                new_docs.len(),
                docs.len()
            ),
        ));
    }
    if file.bom_len() != new_file.bom_len() {
        return Err(failure(0, "the byte order mark changed".into()));
    }
    let mut values = Vec::with_capacity(planned.len());
    let mut plans = planned.iter().peekable();
    for (old_doc, new_doc) in docs.iter().zip(&new_docs) {
        let slice = |f: &SourceFile, span: &Option<source::Span>| {
            span.as_ref().map(|s| f.slice(s).to_owned())
        };
        if slice(file, &old_doc.separator) != slice(&new_file, &new_doc.separator)
            || slice(file, &old_doc.end_marker) != slice(&new_file, &new_doc.end_marker)
        {
            return Err(failure(
                old_doc.index,
                "a document separator changed".into(),
            ));
        }
        match plans.next_if(|p| p.doc.index == old_doc.index) {
            None => {
                if file.slice(&old_doc.range) != new_file.slice(&new_doc.range) {
                    return Err(failure(
                        old_doc.index,
                        "a document that needs no change was modified".into(),
                    ));
                }
            }
            Some(plan) => {
                let reread = source::parse_document(&new_file, new_doc)
                    .map_err(|err| failure(old_doc.index, format!("it does not parse: {err}")))?
                    .ok_or_else(|| failure(old_doc.index, "the document became empty".into()))?;
                if let Some(pointer) = first_difference(&reread, &plan.new, String::new()) {
                    return Err(failure(
                        old_doc.index,
                        format!(
                            "it reads back differently from the converted object at {}",
                            if pointer.is_empty() { "/" } else { &pointer }
                        ),
                    ));
                }
                values.push(reread);
            }
        }
    }
    Ok(Verified {
        text: new_file.text,
        values,
    })
}

/// The JSON pointer of the first place two values differ.
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    if a == b {
        return None;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let here = format!("{at}/{}", source::escape_pointer_token(key));
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => {
                        if let Some(found) = first_difference(p, q, here) {
                            return Some(found);
                        }
                    }
                    _ => return Some(here),
                }
            }
            Some(at)
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, format!("{at}/{i}"))),
        _ => Some(at),
    }
}
