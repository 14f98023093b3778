//! The first stage of the pipeline: find files, read them, split YAML
//! streams into documents with byte spans, parse values, and map JSON
//! pointers back to lines and columns.
//!
//! Two parsers, two jobs (see `design-notes.md`):
//!
//! * [`split_documents`] is a line scanner, not a parser: it finds document
//!   boundaries (`---`, `...`) once per file and hands back byte ranges that
//!   keep comments, a BOM and CRLF line endings, so later stages can rewrite
//!   one document and copy the rest of the file byte for byte.
//! * [`parse_document`] reads one document's value with the serde parser
//!   (`yaml_serde`, or `serde_json` for `.json` files): duplicate keys, alias
//!   bombs, deep nesting and non-finite numbers are named errors, and a parse
//!   failure in a Go/Helm template is reported as [`ParseError::Template`].
//!   [`parse_document_when`] reads documents of unwanted kinds to the same
//!   verdict without building their values (nine in ten documents of a
//!   repository are not Materialize objects).
//! * [`locate`] / [`DocumentIndex`] build a tree-sitter tree (`yamlpath`) for
//!   one document, and only when a finding or an edit needs a position.
//! * [`walk`] lists files (gitignore-aware, parallel, sorted); [`read_file`]
//!   reads one with named errors ([`ReadError`]); [`Inputs`] does both for
//!   the command line's paths and `-`, for every command.
//!
//! Measured on 35,000 small files (2.2 documents each, release build, one
//! thread): split + parse ≈ 25–36 ms per 1,000 files; reading without
//! building values saves about a tenth of that (`tests/source_perf.rs`).
//!
//! Everything here reports problems as values ([`ReadError`], [`ParseError`])
//! and never panics on any input: files are user data.

mod file;
mod inputs;
pub mod kustomize;
mod locate;
mod objects;
mod parse;
mod read;
mod scan;
mod skim;
mod split;
mod template;
pub mod units;
mod walk;

pub use file::SourceFile;
pub use inputs::{Input, Inputs, ParsedDocument, is_stdin, parse_documents};
pub use kustomize::{PatchReference, is_kustomization_path, patch_files, patch_references};
pub use locate::{DocumentIndex, Located, Target, escape_pointer_token, locate, parse_pointer};
pub use objects::objects;
pub use parse::{
    ALIAS_BUDGET_PER_BYTE, MAX_DEPTH, ParseError, parse_document, parse_document_when,
    parse_single_document,
};
pub use read::{
    DEFAULT_MAX_FILE_SIZE, ReadError, read_file, read_path, read_stdin, source_from_bytes,
};
pub use split::{DocumentSpan, split_documents};
pub use template::{find_template_action, looks_like_template};
pub use units::{
    ConfigUnit, ConfiguredUnits, InputDirectory, MemoryFiles, Renderer, RepoFiles, Unit,
    UnitInputs, UnitKind, UnitRef, Units, discover_git,
};
pub use walk::{Exclude, WalkOptions, display_path, has_manifest_extension, walk};

/// 1-based line and column (column counted in Unicode scalar values, 1-based).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A half-open byte range `start..end` into the text of a [`SourceFile`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

/// How a file's text is parsed: JSON files get the JSON parser (exact JSON
/// semantics, faster); everything else is read as a YAML stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    Yaml,
    Json,
}

impl FileFormat {
    /// `.json` (any case) is JSON; every other name, including none, is YAML,
    /// because explicit arguments are read whatever their extension and YAML
    /// is a superset of what people put in manifests.
    pub fn from_path(path: &std::path::Path) -> FileFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => FileFormat::Json,
            _ => FileFormat::Yaml,
        }
    }
}
