//! `unreadable-file`: a file found by the walk that cannot be read as text.

use crate::finding::{Finding, Location, Rule, RuleInfo, Scope, Severity, Span};
use crate::source::{Position, ReadError, display_path};

pub static RULE: RuleInfo = RuleInfo {
    id: "unreadable-file",
    severity: Severity::Error,
    scopes: &[Scope::Validate],
    summary: "A manifest file that cannot be read as UTF-8 text (binary, too large, bad link)",
    docs: "mz-presync reads every `*.yaml`, `*.yml` and `*.json` file it finds. A \
file that is binary (it contains NUL bytes), not UTF-8 (or UTF-16/32), larger \
than `--max-file-size` (10 MiB by default), a symbolic link that points outside \
the directory being checked (Argo CD refuses those too), a link loop or a \
dangling link cannot be checked, and a file that cannot be checked is never a \
pass: each is an error of its own, so one bad file does not hide the findings \
of the others. Convert the file to UTF-8, raise `--max-file-size`, fix the \
link, or, when the file is not a manifest, exclude it with `.gitignore` or \
`.ignore`. Paths that do not exist and directories that cannot be listed are \
not findings: they stop the run with exit code 2.",
    suppressible: false,
};

/// The finding for a file that cannot be read (`error` names it), in the
/// words of the command that met it (`scope`): `validate` could not check
/// it; `render` could not put its objects in the stream. `rollouts` reads
/// blobs, not files, and uses `validate`'s words. Every command reports
/// `unreadable-file` through here.
pub fn finding(error: &ReadError, scope: Scope) -> Finding {
    let file = display_path(error.path());
    let text = error.to_string();
    let prefix = format!("{}: ", error.path().display());
    let reason = text.strip_prefix(&prefix).unwrap_or(&text);
    let message = match scope {
        Scope::Validate | Scope::Rollouts => {
            let hint = match error {
                ReadError::TooLarge { .. } => "; raise --max-file-size if it really is a manifest",
                ReadError::SymlinkOutsideRoot { .. }
                | ReadError::SymlinkLoop { .. }
                | ReadError::BrokenSymlink { .. } => "; fix the link, or exclude it with .ignore",
                _ => "; if it is not a manifest, exclude it with .gitignore or .ignore",
            };
            format!("cannot check this file: {reason}{hint}")
        }
        Scope::Render => {
            let hint = match error {
                ReadError::TooLarge { .. } => "raise --max-file-size if it is a manifest",
                _ => "fix it, or exclude it with .gitignore or .ignore if it is not a manifest",
            };
            format!("cannot read this file: {reason}; {hint}")
        }
    };
    let start = Position { line: 1, column: 1 };
    Finding::new(
        Rule::new(&RULE),
        Location::at(file, None, Span::at(start, 0)),
        message,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_and_render_word_it_their_way() {
        let error = ReadError::Binary {
            path: "dir/blob.yaml".into(),
        };
        let validate = finding(&error, Scope::Validate);
        assert_eq!(validate.file(), "dir/blob.yaml");
        assert_eq!(
            validate.message,
            "cannot check this file: binary file (contains NUL bytes); if it is not a manifest, exclude it with .gitignore or .ignore"
        );
        assert_eq!(
            finding(&error, Scope::Render).message,
            "cannot read this file: binary file (contains NUL bytes); fix it, or exclude it with .gitignore or .ignore if it is not a manifest"
        );
        assert!(!RULE.suppressible);
    }
}
