//! The command line's paths, listed and read: the one reader behind every
//! command that takes `PATH…` arguments (`-` is standard input).
//!
//! Commands differ in what a failure means (`validate` stops on a path that
//! does not exist, `hash` reports it and goes on), not in how files are
//! found and read; so this hands back every entry, error or file, in one
//! order, and leaves the verdict to the caller.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::parse::{ParseError, parse_document};
use super::read::{ReadError, read_path};
use super::walk::{WalkOptions, walk};
use super::{Position, SourceFile};

/// True for `-`, the path that names standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The files under the command line's paths, not read yet.
#[derive(Debug)]
pub struct Inputs {
    /// Standard input first (once, however often `-` is named), then the
    /// walk's sorted files; an entry the walk could not list is an error in
    /// its place.
    entries: Vec<Result<PathBuf, ReadError>>,
    max_file_size: u64,
}

/// One entry of [`Inputs`], read.
#[derive(Debug)]
pub struct Input {
    /// The path as walked (`-` for standard input; for an entry that could
    /// not be listed, the path of the error).
    pub path: PathBuf,
    pub content: Result<SourceFile, ReadError>,
}

impl Inputs {
    /// Walk `paths` as [`walk`] does, with standard input put first.
    pub fn list(paths: &[PathBuf], options: &WalkOptions) -> Inputs {
        let (stdin, others): (Vec<PathBuf>, Vec<PathBuf>) =
            paths.iter().cloned().partition(|p| is_stdin(p));
        let mut entries: Vec<Result<PathBuf, ReadError>> =
            stdin.into_iter().take(1).map(Ok).collect();
        entries.extend(walk(&others, options));
        Inputs {
            entries,
            max_file_size: options.max_file_size,
        }
    }

    /// The files listed (not the entries that could not be), in order; for
    /// what needs the whole list before reading, as finding kustomize
    /// patch files does.
    pub fn files(&self) -> Vec<PathBuf> {
        self.entries
            .iter()
            .filter_map(|entry| entry.as_ref().ok().cloned())
            .collect()
    }

    /// Read every entry in parallel and hand each to `each`; the results
    /// keep the order of the entries.
    pub fn read_each<T: Send>(self, each: impl Fn(Input) -> T + Sync + Send) -> Vec<T> {
        let max_file_size = self.max_file_size;
        self.entries
            .into_par_iter()
            .map(|entry| {
                let input = match entry {
                    Ok(path) => Input {
                        content: read_path(&path, max_file_size),
                        path,
                    },
                    Err(error) => Input {
                        path: error.path().to_path_buf(),
                        content: Err(error),
                    },
                };
                each(input)
            })
            .collect()
    }

    /// Read every entry in parallel, in order.
    pub fn read(self) -> Vec<Input> {
        self.read_each(|input| input)
    }
}

/// One document of a file, parsed for a command that needs values only.
#[derive(Debug)]
pub enum ParsedDocument {
    Parsed {
        /// The line where the document's content starts.
        line: usize,
        value: serde_json::Value,
    },
    Unparsable {
        position: Position,
        message: String,
    },
    /// The file is a Go/Helm template: it and the documents after this one
    /// are not YAML, so none of them is listed.
    Template,
}

/// Every non-empty document of `file`, parsed; a template ends the list.
pub fn parse_documents(file: &SourceFile) -> Vec<ParsedDocument> {
    let mut out = Vec::new();
    for span in file.documents() {
        match parse_document(file, &span) {
            Ok(Some(value)) => out.push(ParsedDocument::Parsed {
                line: file.position(span.content_start).line,
                value,
            }),
            Ok(None) => {}
            // parse_document already tells a template from broken YAML.
            Err(ParseError::Template { .. }) => {
                out.push(ParsedDocument::Template);
                break;
            }
            Err(err) => out.push(ParsedDocument::Unparsable {
                position: err.position().unwrap_or(file.position(span.content_start)),
                message: err.to_string(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_comes_first_and_once_and_errors_keep_their_place() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.yaml"), "kind: B\n").unwrap();
        std::fs::write(dir.path().join("a.yaml"), "kind: A\n---\n{{ x }}\n").unwrap();
        let missing = dir.path().join("missing");
        let paths = [
            dir.path().to_path_buf(),
            PathBuf::from("-"),
            missing.clone(),
            PathBuf::from("-"),
        ];
        let inputs = Inputs::list(&paths, &WalkOptions::default());
        let files = inputs.files();
        assert_eq!(files[0], PathBuf::from("-"));
        assert_eq!(files.len(), 3, "{files:?}");
        let names: Vec<(PathBuf, bool)> = Inputs::list(&paths[..1], &WalkOptions::default())
            .read()
            .into_iter()
            .map(|input| (input.path, input.content.is_ok()))
            .collect();
        assert_eq!(
            names,
            [
                (dir.path().join("a.yaml"), true),
                (dir.path().join("b.yaml"), true)
            ]
        );
        let errors: Vec<PathBuf> =
            Inputs::list(std::slice::from_ref(&missing), &WalkOptions::default())
                .read_each(|input| input.content.err().map(|e| e.path().to_path_buf()))
                .into_iter()
                .flatten()
                .collect();
        assert_eq!(errors, [missing]);
    }

    #[test]
    fn a_template_ends_the_documents() {
        let file = SourceFile::from_text(
            "a.yaml",
            PathBuf::from("a.yaml"),
            "kind: A\n---\nkind: [\n---\nname: {{ .Values.x }}\n---\nkind: C\n".into(),
            super::super::FileFormat::Yaml,
        );
        let documents = parse_documents(&file);
        assert!(matches!(
            documents[0],
            ParsedDocument::Parsed { line: 1, .. }
        ));
        assert!(matches!(documents[1], ParsedDocument::Unparsable { .. }));
        assert!(matches!(documents[2], ParsedDocument::Template));
        assert_eq!(documents.len(), 3);
    }
}
