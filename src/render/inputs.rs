//! Render's inputs: paths walked as `validate` walks them, and stdin under
//! the name the caller gives it.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::Options;
use crate::check::unreadable_file;
use crate::finding::{Finding, Scope};
use crate::source::{self, ReadError, SourceFile, WalkOptions};

/// Every input in path order (stdin where it was named), read in parallel.
/// A path given on the command line that cannot be opened stops the run;
/// a file found inside a directory that cannot be read is an
/// `unreadable-file` error of its own.
pub fn read(options: &Options) -> Result<(Vec<SourceFile>, Vec<Finding>), ReadError> {
    let walk_options = WalkOptions {
        no_ignore: options.no_ignore,
        max_file_size: options.max_file_size,
    };
    let (stdin, others): (Vec<PathBuf>, Vec<PathBuf>) = options
        .paths
        .iter()
        .cloned()
        .partition(|p| p.as_os_str() == "-");
    let mut found: Vec<Result<PathBuf, ReadError>> = stdin.into_iter().map(Ok).collect();
    found.extend(source::walk(&others, &walk_options));
    let read: Vec<Result<SourceFile, ReadError>> = found
        .into_par_iter()
        .map(|path| read_one(&path?, options))
        .collect();
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    for result in read {
        match result {
            Ok(file) => files.push(file),
            Err(
                error
                @ (ReadError::NotFound(_) | ReadError::Io { .. } | ReadError::NotAFile { .. }),
            ) if options.paths.iter().any(|p| p.as_path() == error.path()) => return Err(error),
            Err(error) => unreadable.push(unreadable_file::finding(&error, Scope::Render)),
        }
    }
    Ok((files, unreadable))
}

fn read_one(path: &Path, options: &Options) -> Result<SourceFile, ReadError> {
    let mut file = source::read_path(path, options.max_file_size)?;
    if path.as_os_str() == "-" {
        file.display = options.stdin_name.clone();
    }
    Ok(file)
}
