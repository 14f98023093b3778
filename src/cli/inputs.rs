//! Reading the command line's paths into parsed documents, for the commands
//! that only need values (hash).

use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::Value;

use crate::source::{self, Position, ReadError, SourceFile, WalkOptions};

pub enum Document {
    Parsed {
        file: String,
        line: usize,
        value: Value,
    },
    Unparsable {
        file: String,
        position: Position,
        message: String,
    },
    Skipped {
        file: String,
    },
}

pub struct Loaded {
    pub documents: Vec<Document>,
    pub failures: Vec<ReadError>,
}

pub fn load(paths: &[PathBuf], no_ignore: bool) -> anyhow::Result<Loaded> {
    let options = WalkOptions {
        no_ignore,
        max_file_size: source::DEFAULT_MAX_FILE_SIZE,
    };
    let (stdin, others): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| p.as_os_str() == "-");
    let mut found: Vec<Result<PathBuf, ReadError>> = stdin.into_iter().map(Ok).collect();
    found.extend(source::walk(&others, &options));
    let per_file: Vec<Result<Vec<Document>, ReadError>> = found
        .into_par_iter()
        .map(|path| {
            let path = path?;
            let file = source::read_path(&path, options.max_file_size)?;
            Ok(documents_of(&file))
        })
        .collect();
    let mut loaded = Loaded {
        documents: Vec::new(),
        failures: Vec::new(),
    };
    for result in per_file {
        match result {
            Ok(documents) => loaded.documents.extend(documents),
            Err(err) => loaded.failures.push(err),
        }
    }
    Ok(loaded)
}

fn documents_of(file: &SourceFile) -> Vec<Document> {
    let mut out = Vec::new();
    for span in file.documents() {
        match source::parse_document(file, &span) {
            Ok(Some(value)) => out.push(Document::Parsed {
                file: file.display.clone(),
                line: file.position(span.content_start).line,
                value,
            }),
            Ok(None) => {}
            Err(err) => {
                // parse_document already tells a template from broken YAML.
                if matches!(err, source::ParseError::Template { .. }) {
                    out.push(Document::Skipped {
                        file: file.display.clone(),
                    });
                    break;
                }
                out.push(Document::Unparsable {
                    file: file.display.clone(),
                    position: err.position().unwrap_or(file.position(span.content_start)),
                    message: err.to_string(),
                });
            }
        }
    }
    out
}
