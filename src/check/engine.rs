//! The validate pipeline: walk → read (parallel) → split → parse → objects →
//! rules, then the cross-file rules, sorted findings and counts.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use super::duplicate_resource::{self, Seen};
use super::object::{CheckOptions, check_object};
use super::v1_needs_install_flag::{self, FirstV1};
use super::{suppress, template_skipped, unreadable_file, yaml_syntax};
use crate::crd;
use crate::finding::{Finding, ResourceRef, Scope, Summary};
use crate::source::units::{self, root_for};
use crate::source::{
    ConfiguredUnits, ParseError, ReadError, SourceFile, Unit, UnitRef, Units, WalkOptions, objects,
    parse_document, parse_document_when, patch_files, read_path, walk,
};

#[derive(Clone, Debug)]
pub struct ValidateOptions {
    pub check: CheckOptions,
    pub walk: WalkOptions,
    /// Read, split and parse every document into a value and count, but run
    /// no rule (the baseline for benchmarks: what any tool that parses the
    /// files has to pay).
    pub parse_only: bool,
    /// The command the findings are for. It decides how a template is
    /// reported ([`template_skipped::finding`]): `validate` skips it with a
    /// note, `render` fails on it, since a stream without its objects would
    /// make Argo CD prune them.
    pub command: Scope,
    /// Add the once-per-run notes about the operator model at the first
    /// `v1` object (`v1-needs-install-flag`, `released-version-seen`):
    /// `validate` wants them; `render`, which writes `v1` objects itself,
    /// does not.
    pub model_notes: bool,
    /// Discover deploy units ([`Units`]) under the paths' repository and
    /// compare `duplicate-resource` within a unit; findings name their
    /// file's unit. `validate` over paths wants it; commands that hold
    /// files in memory (`render`) have no repository to read.
    pub units: bool,
    /// `units:` of the configuration, replacing discovery when given.
    pub configured_units: Option<Arc<ConfiguredUnits>>,
}

impl Default for ValidateOptions {
    fn default() -> ValidateOptions {
        ValidateOptions {
            check: CheckOptions::default(),
            walk: WalkOptions::default(),
            parse_only: false,
            command: Scope::Validate,
            model_notes: false,
            units: false,
            configured_units: None,
        }
    }
}

/// A problem with the command line rather than with a file: the run stops.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error("{0}")]
    Path(ReadError),
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Validation {
    /// Sorted by file, line, column, rule.
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Files with findings, by display path, for reports that quote lines.
    pub sources: BTreeMap<String, Arc<SourceFile>>,
    /// Directories or files that could not be read for reasons outside the
    /// files themselves (permissions, I/O): the run must exit 2.
    pub io_errors: Vec<ReadError>,
    /// The model the rules followed, for reports to name.
    pub operator: crd::Operator,
}

impl Validation {
    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }

    pub fn source(&self, display: &str) -> Option<&SourceFile> {
        self.sources.get(display).map(Arc::as_ref)
    }
}

/// Validate files and directories (`-` is standard input). Paths that do
/// not exist or cannot be opened are a [`ValidateError`]; everything found
/// inside them is reported as findings or [`Validation::io_errors`].
pub fn validate_paths(
    paths: &[PathBuf],
    options: &ValidateOptions,
) -> Result<Validation, ValidateError> {
    let entries = walk(paths, &options.walk);
    let mut files = Vec::new();
    let mut walk_findings = Vec::new();
    let mut io_errors = Vec::new();
    for entry in entries {
        match entry {
            Ok(path) => files.push(path),
            Err(error) => {
                let is_argument = paths.iter().any(|p| p.as_path() == error.path());
                match error {
                    ReadError::NotFound(_) | ReadError::Io { .. } | ReadError::NotAFile { .. }
                        if is_argument =>
                    {
                        return Err(ValidateError::Path(error));
                    }
                    ReadError::Io { .. } => io_errors.push(error),
                    _ => walk_findings.push(unreadable_file::finding(&error, options.command)),
                }
            }
        }
    }
    let patches = patch_files(&files, options.walk.max_file_size);
    let mut outcomes: Vec<FileOutcome> = files
        .par_iter()
        .map(|path| match read_path(path, options.walk.max_file_size) {
            Ok(file) => {
                let partial = !patches.is_empty()
                    && path
                        .canonicalize()
                        .is_ok_and(|canonical| patches.contains(&canonical));
                check_file(file, partial, options)
            }
            Err(error @ ReadError::Io { .. }) => FileOutcome::io_error(error),
            Err(error) => FileOutcome::unreadable(&error, options.command),
        })
        .collect();
    // Units are discovered under the repository of the first path (git's
    // work tree, else the current directory): the repository decides what
    // is deployed together, not which of its paths were named. The files
    // just checked are not read again: each outcome says whether its text
    // names Argo CD's or Flux's API group.
    let units = if options.units {
        root_for(paths).map(|root| {
            let read: HashMap<PathBuf, bool> = files
                .iter()
                .zip(&outcomes)
                .filter_map(|(path, outcome)| {
                    let absolute = std::path::absolute(path).ok()?;
                    Some((absolute, outcome.mentions_unit_groups))
                })
                .collect();
            // `validate DIR` from the repository's root walked the very tree
            // discovery needs: hand it over instead of walking it again.
            let same_tree = matches!(paths, [only] if std::path::absolute(only)
                .ok()
                .and_then(|p| p.canonicalize().ok())
                .is_some_and(|p| p == root.canonicalize().unwrap_or_else(|_| root.clone())));
            let canonical_root = root.canonicalize().unwrap_or_else(|_| root.clone());
            // Only when every path is spelled under the canonical root (a
            // symbolic link in the working directory's path would not be).
            let walked =
                (same_tree && read.keys().all(|p| p.starts_with(&canonical_root))).then(|| {
                    let mut walked: Vec<PathBuf> = read.keys().cloned().collect();
                    walked.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
                    walked
                });
            let config = options
                .configured_units
                .as_ref()
                .map(|configured| configured.for_root(&root));
            Units::discover_configured(
                &root,
                &options.walk,
                |path| read.get(path).copied(),
                walked,
                config.as_deref(),
            )
        })
    } else {
        None
    };
    let units_of = |path: &std::path::Path| -> Arc<[Unit]> {
        units
            .as_ref()
            .map(|units| units.of_path(path))
            .unwrap_or_default()
            .into()
    };
    files
        .par_iter()
        .zip(&mut outcomes)
        .for_each(|(path, outcome)| {
            let file_units = units_of(path);
            for seen in &mut outcome.seen {
                seen.units = Arc::clone(&file_units);
            }
            outcome.unit = file_units.first().map(Unit::reference);
            for finding in &mut outcome.findings {
                if finding.unit.is_none() {
                    finding.unit.clone_from(&outcome.unit);
                }
            }
        });
    for finding in &mut walk_findings {
        finding.unit = units_of(std::path::Path::new(finding.file()))
            .first()
            .map(Unit::reference);
    }
    let mut validation = combine(outcomes, options);
    validation.summary.files += walk_findings.len();
    validation.findings.extend(walk_findings);
    validation.io_errors.splice(0..0, io_errors);
    finish(&mut validation);
    Ok(validation)
}

/// Validate files already in memory (as `rollouts` and `render` hold them).
/// `partial` says which of them are kustomize patches.
pub fn validate_files(
    files: Vec<SourceFile>,
    partial: impl Fn(&SourceFile) -> bool + Sync,
    options: &ValidateOptions,
) -> Validation {
    let outcomes: Vec<FileOutcome> = files
        .into_par_iter()
        .map(|file| {
            let is_partial = partial(&file);
            check_file(file, is_partial, options)
        })
        .collect();
    let mut validation = combine(outcomes, options);
    finish(&mut validation);
    validation
}

#[derive(Default)]
struct FileOutcome {
    files: usize,
    documents: usize,
    resources: usize,
    findings: Vec<Finding>,
    seen: Vec<Seen>,
    first_v1: Option<FirstV1>,
    source: Option<Arc<SourceFile>>,
    io_error: Option<ReadError>,
    /// The unit that names the file in reports.
    unit: Option<UnitRef>,
    /// The text names Argo CD's or Flux's API group, so it may declare a
    /// deploy unit (asked while the text is in memory).
    mentions_unit_groups: bool,
}

impl FileOutcome {
    fn unreadable(error: &ReadError, command: Scope) -> FileOutcome {
        FileOutcome {
            files: 1,
            findings: vec![unreadable_file::finding(error, command)],
            ..FileOutcome::default()
        }
    }

    fn io_error(error: ReadError) -> FileOutcome {
        FileOutcome {
            files: 1,
            io_error: Some(error),
            ..FileOutcome::default()
        }
    }
}

/// Check one file. Its resources' deploy units are filled in by the caller
/// once discovery is done (`Seen::units` starts empty).
fn check_file(file: SourceFile, partial: bool, options: &ValidateOptions) -> FileOutcome {
    let file = Arc::new(file);
    let mut outcome = FileOutcome {
        files: 1,
        mentions_unit_groups: units::mentions_unit_groups(file.text.as_bytes()),
        ..FileOutcome::default()
    };
    let check_options = CheckOptions {
        partial: partial || options.check.partial,
        ..options.check.clone()
    };
    for doc in file.documents() {
        if doc.is_empty() {
            continue;
        }
        outcome.documents += 1;
        // Only Materialize objects (alone or in a list) are checked; the
        // other documents are read for syntax errors without building values.
        // The benchmark baseline builds every value, as a plain parse does.
        let parsed = if options.parse_only {
            parse_document(&file, &doc)
        } else {
            parse_document_when(&file, &doc, crd::kind_may_hold_materialize)
        };
        let value = match parsed {
            Ok(Some(value)) => value,
            Ok(None) => continue,
            Err(_) if options.parse_only => continue,
            Err(error @ ParseError::Template { .. }) => {
                // Whatever was found in the file so far is as meaningless as
                // the rest of a template: report the template alone.
                let note = template_skipped::finding(&file, &doc, &error, options.command);
                outcome.findings.clear();
                outcome.seen.clear();
                outcome.first_v1 = None;
                outcome.resources = 0;
                if !suppress::suppressed_by_comment(&file, &note) {
                    outcome.findings.push(note);
                }
                outcome.documents = file.documents().iter().filter(|d| !d.is_empty()).count();
                break;
            }
            Err(error) => {
                // In `validate`'s words for every command: `render` prints
                // these as they are, and words only its own stream guard's.
                outcome
                    .findings
                    .push(yaml_syntax::finding(&file, &doc, &error, Scope::Validate));
                continue;
            }
        };
        for (prefix, object) in objects(&value) {
            if !crd::is_materialize(object) {
                continue;
            }
            outcome.resources += 1;
            if options.parse_only {
                continue;
            }
            outcome
                .findings
                .extend(check_object(&file, &doc, &prefix, object, &check_options));
            if options.model_notes
                && outcome.first_v1.is_none()
                && crd::version_of(object) == Some(crd::Version::V1)
            {
                outcome.first_v1 = Some(FirstV1 {
                    file: Arc::clone(&file),
                    doc: doc.clone(),
                    prefix: prefix.clone(),
                    resource: ResourceRef::of(object),
                    ignored: suppress::annotation_rules(object),
                });
            }
            if !check_options.partial {
                outcome.seen.push(Seen {
                    file: Arc::clone(&file),
                    doc: doc.clone(),
                    prefix,
                    resource: ResourceRef::of(object),
                    units: Arc::from([]),
                    suppressed: suppress::annotation_rules(object)
                        .iter()
                        .any(|rule| rule == duplicate_resource::RULE.id),
                });
            }
        }
    }
    if !outcome.findings.is_empty() {
        outcome.source = Some(file);
    }
    outcome
}

fn combine(outcomes: Vec<FileOutcome>, options: &ValidateOptions) -> Validation {
    let mut validation = Validation {
        operator: options.check.operator,
        ..Validation::default()
    };
    let mut seen = Vec::new();
    let mut first_v1 = None;
    let mut first_v1_unit = None;
    for outcome in outcomes {
        if first_v1.is_none() {
            first_v1 = outcome.first_v1;
            first_v1_unit = outcome.unit;
        }
        validation.summary.files += outcome.files;
        validation.summary.documents += outcome.documents;
        validation.summary.resources += outcome.resources;
        validation.findings.extend(outcome.findings);
        seen.extend(outcome.seen);
        if let Some(source) = outcome.source {
            validation.sources.insert(source.display.clone(), source);
        }
        validation.io_errors.extend(outcome.io_error);
    }
    let duplicates = duplicate_resource::check(&seen);
    for finding in &duplicates {
        if let Some(entry) = seen.iter().find(|s| s.file.display == finding.file()) {
            validation
                .sources
                .entry(finding.file().to_owned())
                .or_insert_with(|| Arc::clone(&entry.file));
        }
    }
    validation.findings.extend(duplicates);
    // Files come in walk order, so this is the run's first v1 object.
    if let Some(note) =
        v1_needs_install_flag::once_per_run(first_v1.as_ref(), options.check.operator)
    {
        if let Some(entry) = &first_v1 {
            validation
                .sources
                .entry(entry.file.display.clone())
                .or_insert_with(|| Arc::clone(&entry.file));
        }
        validation.findings.push(Finding {
            unit: first_v1_unit,
            ..note
        });
    }
    validation
}

fn finish(validation: &mut Validation) {
    validation.findings.sort_by(|a, b| {
        (a.file(), a.line(), a.column(), a.rule, &a.message).cmp(&(
            b.file(),
            b.line(),
            b.column(),
            b.rule,
            &b.message,
        ))
    });
    let mut seen_exact = HashSet::new();
    validation.findings.retain(|f| {
        seen_exact.insert((
            f.file().to_owned(),
            f.line(),
            f.column(),
            f.rule,
            f.pointer().to_owned(),
            f.message.clone(),
        ))
    });
    validation.summary.recount(&validation.findings);
}
