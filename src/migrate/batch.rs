//! Migrating the files under the command line's paths: walk, find the
//! patch files kustomizations reference, read and migrate in parallel.
//! Reads only; writing is [`super::write`].

use std::path::PathBuf;

use rayon::prelude::*;

use super::{FileMigration, FileRole, MigrateError, MigrateOptions, migrate_text};
use crate::crd::Version;
use crate::source::{self, ReadError, SourceFile, WalkOptions};

#[derive(Clone, Debug)]
pub struct BatchOptions {
    pub target: Version,
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
    let (stdin, others): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| p.as_os_str() == "-");
    let mut reports = Vec::new();
    let mut files = Vec::new();
    for found in source::walk(&others, &options.walk) {
        match found {
            Ok(path) => files.push(path),
            Err(err) => reports.push(FileReport {
                path: err.path().to_path_buf(),
                display: source::display_path(err.path()),
                outcome: Outcome::Failed(FileFailure::Read(err)),
            }),
        }
    }
    files.extend(stdin.into_iter().take(1));
    let max_size = options.walk.max_file_size;
    let patches = source::patch_files(&files, max_size);
    reports.par_extend(files.into_par_iter().map(|path| {
        let role = if path.as_os_str() != "-"
            && path
                .canonicalize()
                .is_ok_and(|canonical| patches.contains(&canonical))
        {
            FileRole::Patch
        } else {
            FileRole::Manifest
        };
        let display = if path.as_os_str() == "-" {
            "-".to_owned()
        } else {
            source::display_path(&path)
        };
        let outcome = match source::read_path(&path, max_size) {
            Err(err) => Outcome::Failed(FileFailure::Read(err)),
            Ok(file) => {
                let migrate_options = MigrateOptions {
                    target: options.target,
                    role,
                };
                match migrate_text(&file, &migrate_options) {
                    Ok(migration) if migration.changed() => Outcome::Migrated {
                        source: file,
                        migration,
                        role,
                    },
                    Ok(_) => Outcome::Unchanged {
                        stdin: (path.as_os_str() == "-").then_some(file),
                    },
                    Err(err) if err.is_skip() => Outcome::Skipped {
                        reason: err,
                        stdin: (path.as_os_str() == "-").then_some(file),
                    },
                    Err(err) => Outcome::Failed(FileFailure::Migrate(err)),
                }
            }
        };
        FileReport {
            path,
            display,
            outcome,
        }
    }));
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    reports
}
