//! `unreadable-file`, as `render` words it: a file found inside a directory
//! that cannot be read would drop its objects from the stream. The rule is
//! `validate`'s; only the hint differs (render cannot skip the file).

use crate::check::{Finding, Severity};
use crate::source::{self, ReadError};

/// The error for a file found inside a directory that cannot be read
/// (binary, not UTF-8, too large, a bad link).
pub fn finding(error: &ReadError) -> Finding {
    let text = error.to_string();
    let prefix = format!("{}: ", error.path().display());
    let reason = text.strip_prefix(&prefix).unwrap_or(&text);
    let hint = match error {
        ReadError::TooLarge { .. } => "raise --max-file-size if it is a manifest",
        _ => "fix it, or exclude it with .gitignore or .ignore if it is not a manifest",
    };
    Finding {
        rule: "unreadable-file",
        severity: Severity::Error,
        file: source::display_path(error.path()),
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        pointer: String::new(),
        message: format!("cannot read this file: {reason}; {hint}"),
        resource: None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn unreadable_files_are_errors_without_the_path_twice() {
        let error = source::ReadError::Binary {
            path: PathBuf::from("dir/blob.yaml"),
        };
        let f = finding(&error);
        assert_eq!(f.rule, "unreadable-file");
        assert_eq!(f.file, "dir/blob.yaml");
        assert!(
            f.message.starts_with("cannot read this file: binary file"),
            "{}",
            f.message
        );
    }
}
