//! Render's inputs: paths walked as `validate` walks them, and stdin under
//! the name the caller gives it.

use super::Options;
use crate::check::unreadable_file;
use crate::finding::{Finding, Scope};
use crate::source::{Inputs, ReadError, SourceFile, WalkOptions, is_stdin};

/// Every input in path order (stdin first, under `--stdin-name`), read in
/// parallel by the one input reader. A path given on the command line that
/// cannot be opened stops the run; a file found inside a directory that
/// cannot be read is an `unreadable-file` error of its own.
pub fn read(options: &Options) -> Result<(Vec<SourceFile>, Vec<Finding>), ReadError> {
    let walk_options = WalkOptions {
        exclude: options.exclude.clone(),
        no_ignore: options.no_ignore,
        max_file_size: options.max_file_size,
    };
    let read = Inputs::list(&options.paths, &walk_options).read_each(|input| {
        input.content.map(|mut file| {
            if is_stdin(&input.path) {
                file.display = options.stdin_name.clone();
            }
            file
        })
    });
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
