//! The `hash` pipeline: every Materialize resource under the command line's
//! paths with its rollout hash, or the reason it has none. Reading is
//! `source`'s and the hash is `crd`'s; this only walks the documents and
//! keeps the order the report prints.

use std::path::PathBuf;

use crate::crd::{self, Algorithm};
use crate::finding::ResourceRef;
use crate::source::{self, Inputs, ParsedDocument, ReadError, WalkOptions};

#[derive(Clone, Debug, Default)]
pub struct HashOptions {
    pub algorithm: Algorithm,
    pub walk: WalkOptions,
}

/// The result of a run.
#[derive(Debug)]
pub struct Hashes {
    pub algorithm: Algorithm,
    /// In file order, then document order.
    pub resources: Vec<HashedResource>,
    /// Files that are Go/Helm templates, by display path: not read.
    pub templates: Vec<String>,
    /// Files and directories that could not be read, in path order.
    pub unreadable: Vec<ReadError>,
}

impl Hashes {
    /// A resource without a hash (its document does not parse, or the
    /// operator cannot read it).
    pub fn any_unhashed(&self) -> bool {
        self.resources.iter().any(|r| r.hash.is_err())
    }

    pub fn any_hashed(&self) -> bool {
        self.resources.iter().any(|r| r.hash.is_ok())
    }
}

/// One Materialize resource, or one document that does not parse (which
/// may hold one: it is listed so that it is not missed silently).
#[derive(Debug)]
pub struct HashedResource {
    pub file: String,
    /// The line where the resource's document starts, or where it fails to
    /// parse.
    pub line: usize,
    /// Empty for a document that does not parse.
    pub resource: ResourceRef,
    pub hash: Result<Hashed, Unhashed>,
}

#[derive(Debug)]
pub struct Hashed {
    /// 64 lower-case hex digits.
    pub hex: String,
    /// `internalCertificateSpec` is set: the operator's certificate fields
    /// without a known place in the hash may change it.
    pub best_effort: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum Unhashed {
    #[error("the document does not parse: {0}")]
    Unparsable(String),
    #[error("the operator cannot read this object, so it has no hash: {0}")]
    Unreadable(String),
}

/// Read every file under `paths` (`-` is standard input) and hash every
/// Materialize object in it.
pub fn hash_paths(paths: &[PathBuf], options: &HashOptions) -> Hashes {
    let per_file = Inputs::list(paths, &options.walk).read_each(|input| {
        let file = input.content?;
        Ok((file.display.clone(), source::parse_documents(&file)))
    });
    let mut hashes = Hashes {
        algorithm: options.algorithm,
        resources: Vec::new(),
        templates: Vec::new(),
        unreadable: Vec::new(),
    };
    let mut documents = Vec::new();
    for read in per_file {
        match read {
            Ok(file) => documents.push(file),
            Err(error) => hashes.unreadable.push(error),
        }
    }
    for (file, parsed) in documents {
        for document in parsed {
            match document {
                ParsedDocument::Unparsable { position, message } => {
                    hashes.resources.push(HashedResource {
                        file: file.clone(),
                        line: position.line,
                        resource: ResourceRef {
                            api_version: String::new(),
                            namespace: None,
                            name: None,
                        },
                        hash: Err(Unhashed::Unparsable(message)),
                    })
                }
                ParsedDocument::Parsed { line, value } => {
                    for (_, object) in source::objects(&value) {
                        if !crd::is_materialize(object) {
                            continue;
                        }
                        let hash = match crd::rollout_hash(object, options.algorithm) {
                            Ok(hash) => Ok(Hashed {
                                hex: hash.hex,
                                best_effort: hash.best_effort,
                            }),
                            Err(err) => Err(Unhashed::Unreadable(err.to_string())),
                        };
                        hashes.resources.push(HashedResource {
                            file: file.clone(),
                            line,
                            resource: ResourceRef::of(object),
                            hash,
                        });
                    }
                }
                ParsedDocument::Template => hashes.templates.push(file.clone()),
            }
        }
    }
    hashes
}
