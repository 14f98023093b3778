//! Migrating the files under the command line's paths: walk, find the
//! patch files kustomizations reference, read and migrate in parallel.
//! Reads only; writing is [`super::write`].

use std::path::{Path, PathBuf};

use super::{FileMigration, FileRole, MigrateError, MigrateOptions, migrate_text};
use crate::crd::{Operator, Version};
use crate::source::{self, Inputs, ReadError, SourceFile, WalkOptions};

#[derive(Clone, Debug)]
pub struct BatchOptions {
    pub target: Version,
    pub operator: Operator,
    pub walk: WalkOptions,
}

/// What happened to one file.
#[derive(Debug)]
pub enum Outcome {
    /// Nothing to migrate. The text is kept only for stdin, which a
    /// filter must pass through.
    Unchanged {
        stdin: Option<SourceFile>,
    },
    /// `migration.new_text` is the new content of `source`.
    Migrated {
        source: SourceFile,
        migration: FileMigration,
        role: FileRole,
    },
    /// Left alone on purpose (a template), with the reason; the text is
    /// kept for stdin as for `Unchanged`.
    Skipped {
        reason: MigrateError,
        stdin: Option<SourceFile>,
    },
    Failed(FileFailure),
}

#[derive(Debug, thiserror::Error)]
pub enum FileFailure {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Migrate(MigrateError),
}

#[derive(Debug)]
pub struct FileReport {
    /// The path as walked (`-` for stdin).
    pub path: PathBuf,
    /// The path as shown to users.
    pub display: String,
    pub outcome: Outcome,
}

/// Migrate every file under `paths` (`-` is standard input), in memory.
/// Reports come back sorted by path, one per file found.
pub fn migrate_paths(paths: &[PathBuf], options: &BatchOptions) -> Vec<FileReport> {
    let inputs = Inputs::list(paths, &options.walk);
    let patches = source::patch_files(&inputs.files(), options.walk.max_file_size);
    let mut reports = inputs.read_each(|input| {
        let display = source::display_path(&input.path);
        let outcome = match input.content {
            Err(err) => Outcome::Failed(FileFailure::Read(err)),
            Ok(file) => {
                let is_patch = !source::is_stdin(&input.path)
                    && input
                        .path
                        .canonicalize()
                        .is_ok_and(|canonical| patches.contains(&canonical));
                let role = if is_patch {
                    FileRole::Patch
                } else {
                    FileRole::Manifest
                };
                let options = MigrateOptions {
                    target: options.target,
                    role,
                    operator: options.operator,
                };
                migrate_file(file, &input.path, &options)
            }
        };
        FileReport {
            path: input.path,
            display,
            outcome,
        }
    });
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    reports
}

fn migrate_file(file: SourceFile, path: &Path, options: &MigrateOptions) -> Outcome {
    let stdin = |file| source::is_stdin(path).then_some(file);
    match migrate_text(&file, options) {
        Ok(migration) if migration.changed() => Outcome::Migrated {
            source: file,
            migration,
            role: options.role,
        },
        Ok(_) => Outcome::Unchanged { stdin: stdin(file) },
        Err(err) if err.is_skip() => Outcome::Skipped {
            reason: err,
            stdin: stdin(file),
        },
        Err(err) => Outcome::Failed(FileFailure::Migrate(err)),
    }
}

impl FileReport {
    /// Standard input: its migrated stream goes to stdout, not to a file.
    pub fn is_stdin(&self) -> bool {
        source::is_stdin(&self.path)
    }
}

impl FileFailure {
    /// Whether the failure is outside the file (permissions, I/O), which
    /// makes the run a usage or I/O error. Content that is not text
    /// (binary, not UTF-8, too large) is a file that cannot be migrated.
    pub fn is_io(&self) -> bool {
        matches!(
            self,
            FileFailure::Read(err) if !matches!(
                err,
                ReadError::Binary { .. }
                    | ReadError::NotUtf8 { .. }
                    | ReadError::UnsupportedEncoding { .. }
                    | ReadError::TooLarge { .. }
            )
        )
    }
}

/// What a run did, counted for the summary and the exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub files_changed: usize,
    pub resources: usize,
    pub kustomize_targets: usize,
    /// Resources of manifests (not patches) whose migration is not proven
    /// rollout-neutral.
    pub not_neutral: usize,
    /// Resources of manifests whose migration requests a rollout under the
    /// model (under the design document: those not proven neutral).
    pub rollouts: usize,
    /// Files left untouched because they could not be migrated safely.
    pub failed: usize,
    /// A read or write failed for reasons outside the files.
    pub io_failed: bool,
}

/// How a run ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to do, or everything migrated.
    Clean,
    /// A file could not be migrated safely, or `--check` found something
    /// to migrate.
    Failed,
    /// A read or write failed for reasons outside the files.
    IoError,
}

impl Tally {
    /// Count one report (a migrated file only once it is written).
    pub fn count(&mut self, report: &FileReport) {
        match &report.outcome {
            Outcome::Unchanged { .. } | Outcome::Skipped { .. } => {}
            Outcome::Failed(failure) => {
                self.failed += 1;
                self.io_failed |= failure.is_io();
            }
            Outcome::Migrated {
                migration, role, ..
            } => {
                self.files_changed += 1;
                self.resources += migration.resources.len();
                self.kustomize_targets += migration.kustomize.len();
                if *role == FileRole::Manifest {
                    self.not_neutral += migration
                        .resources
                        .iter()
                        .filter(|r| !r.rollout.is_neutral())
                        .count();
                    self.rollouts += migration
                        .resources
                        .iter()
                        .filter(|r| r.verdict.as_ref().is_some_and(|v| v.rollout))
                        .count();
                }
            }
        }
    }

    /// `check`: the run only checks, and anything left to migrate fails it.
    pub fn verdict(&self, check: bool) -> Verdict {
        if self.io_failed {
            Verdict::IoError
        } else if self.failed > 0 || (check && self.files_changed > 0) {
            Verdict::Failed
        } else {
            Verdict::Clean
        }
    }
}
