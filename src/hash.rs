//! The `hash` pipeline: every Materialize resource under the command line's
//! paths with its rollout hash, or the reason it has none. Reading is
//! `source`'s and the hash is `crd`'s; this only walks the documents and
//! keeps the order the report prints.
//!
//! With live objects (`hash --live`, spec §3a) each manifest first takes
//! the live-only inputs of the object with its namespace/name, so that its
//! hash is the one the operator computes, and carries the live status.

use std::path::{Path, PathBuf};

use crate::crd::live::{self, LiveObject, Overlay};
use crate::crd::{self, Algorithm, Operator, Version};
use crate::finding::ResourceRef;
use crate::source::{self, Inputs, ParsedDocument, ReadError, WalkOptions};

#[derive(Clone, Debug, Default)]
pub struct HashOptions {
    pub algorithm: Algorithm,
    /// The model the run is for: reports name it.
    pub operator: Operator,
    pub walk: WalkOptions,
    /// `kubectl get materialize -o yaml|json` output, read by [`read_live`].
    pub live: Option<LiveInput>,
}

/// The live objects of one `--live` input.
#[derive(Clone, Debug, Default)]
pub struct LiveInput {
    /// How the input is shown: its path, or `-`.
    pub display: String,
    pub objects: Vec<LiveObject>,
}

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(
        "{file}:{line}: the live objects do not parse ({message}); pass the output of `kubectl get materialize -o yaml` or `-o json`"
    )]
    Unparsable {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{0} is a Helm/Go template, not `kubectl get materialize -o yaml` output")]
    Template(String),
}

/// Read `kubectl get materialize -o yaml|json` output (one object, a
/// `List`, or several documents) from `path` (`-` is standard input).
pub fn read_live(path: &Path, max_size: u64) -> Result<LiveInput, LiveError> {
    let file = source::read_path(path, max_size)?;
    let mut objects = Vec::new();
    for document in source::parse_documents(&file) {
        match document {
            ParsedDocument::Parsed { value, .. } => objects.extend(live::live_objects(&value)),
            ParsedDocument::Unparsable { position, message } => {
                return Err(LiveError::Unparsable {
                    file: file.display.clone(),
                    line: position.line,
                    message,
                });
            }
            ParsedDocument::Template => return Err(LiveError::Template(file.display.clone())),
        }
    }
    Ok(LiveInput {
        display: file.display.clone(),
        objects,
    })
}

/// The result of a run.
#[derive(Debug)]
pub struct Hashes {
    pub algorithm: Algorithm,
    pub operator: Operator,
    /// Where the live objects came from, when `--live` was given.
    pub live_source: Option<String>,
    /// Live objects no manifest has the namespace/name of, as
    /// `namespace/name`.
    pub live_unmatched: Vec<String>,
    /// A `materialize.cloud/v1` object was read (a manifest or a live one):
    /// worth a hint under the design model, whose clusters serve
    /// `v1alpha2`.
    pub saw_v1: bool,
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

    /// A hash that is not the operator's: `environmentId` is unset.
    pub fn any_inexact(&self) -> bool {
        self.resources.iter().any(|r| r.hash.is_ok() && !r.exact)
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
    /// The hash covers every live-only input (spec §3a): the manifest, or
    /// the live object overlaid on it, sets a non-nil `environmentId`.
    /// Without it the operator hashes the id it assigned, so the hash and a
    /// `forcePromote` set to it are not the live ones.
    pub exact: bool,
    /// With `--live`: what was taken from the live object of the same
    /// namespace/name and its status; `None` when there was none.
    pub live: Option<Overlay>,
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
    let mut hashes = hash_manifests(paths, options);
    if let Some(live) = &options.live {
        hashes.saw_v1 |= live
            .objects
            .iter()
            .any(|o| crd::version_of(&o.object) == Some(Version::V1));
        hashes.live_unmatched = live
            .objects
            .iter()
            .filter(|object| {
                !hashes.resources.iter().any(|entry| {
                    live_counterpart(&entry.resource, &live.objects)
                        .is_some_and(|found| std::ptr::eq(found, *object))
                })
            })
            .map(|object| match &object.namespace {
                Some(namespace) => format!("{namespace}/{}", object.name),
                None => object.name.clone(),
            })
            .collect();
    }
    hashes
}

/// The live object a manifest is for: the same namespace and name, or, for
/// a manifest that sets no namespace (kustomize or `kubectl apply -n` adds
/// it), the only live object of that name.
fn live_counterpart<'a>(manifest: &ResourceRef, live: &'a [LiveObject]) -> Option<&'a LiveObject> {
    let name = manifest.name.as_deref()?;
    let mut same_name = live.iter().filter(|object| object.name == name);
    match &manifest.namespace {
        Some(_) => same_name.find(|object| object.namespace == manifest.namespace),
        None => {
            let first = same_name.next()?;
            same_name.next().is_none().then_some(first)
        }
    }
}

fn hash_manifests(paths: &[PathBuf], options: &HashOptions) -> Hashes {
    let per_file = Inputs::list(paths, &options.walk).read_each(|input| {
        let file = input.content?;
        Ok((file.display.clone(), source::parse_documents(&file)))
    });
    let mut hashes = Hashes {
        algorithm: options.algorithm,
        operator: options.operator,
        live_source: options.live.as_ref().map(|live| live.display.clone()),
        live_unmatched: Vec::new(),
        saw_v1: false,
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
                        exact: false,
                        live: None,
                    })
                }
                ParsedDocument::Parsed { line, value } => {
                    for (_, object) in source::objects(&value) {
                        if !crd::is_materialize(object) {
                            continue;
                        }
                        hashes.saw_v1 |= crd::version_of(object) == Some(Version::V1);
                        let resource = ResourceRef::of(object);
                        let counterpart = options
                            .live
                            .as_ref()
                            .and_then(|live| live_counterpart(&resource, &live.objects));
                        let mut overlaid;
                        let mut live = None;
                        let object = match counterpart {
                            Some(found) => {
                                overlaid = object.clone();
                                live = Some(live::overlay(&mut overlaid, &found.object));
                                &overlaid
                            }
                            None => object,
                        };
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
                            resource,
                            hash,
                            exact: live::hash_is_exact(object),
                            live,
                        });
                    }
                }
                ParsedDocument::Template => hashes.templates.push(file.clone()),
            }
        }
    }
    hashes
}
