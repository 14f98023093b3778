//! The render pipeline: the manifest stream a GitOps tool applies, with
//! every v1alpha1 Materialize object converted and every Materialize object
//! validated, or no stream at all.
//!
//! Argo CD applies whatever a config management plugin prints on stdout and,
//! with pruning, deletes what it does not print. So the stream is all or
//! nothing: it is assembled here, in memory, and returned only when no
//! finding is an error. The pipeline is `migrate` (convert in memory, same
//! edit and safety check), then `check` (validate what will be printed),
//! then the stream ([`stream`]) and render's own policy: a skipped template,
//! an empty stream, a document that is not an object and a file the
//! migration refused are errors, and findings are reported at lines of the
//! files as read ([`relocate`]), not of the converted text. Printing is the
//! report's (`report::manifests`) and the command's.

mod convert;
mod inputs;
mod relocate;
pub mod rules;
mod stream;

use std::path::PathBuf;

pub use convert::Rendered;
pub use rules::RULES;
pub use stream::{Stream, assemble};

use crate::check::{self, CheckOptions, Finding, Severity, ValidateOptions};
use crate::crd::{Algorithm, Operator, Version};
use crate::source::{self, ReadError, SourceFile};

/// What to render and how.
#[derive(Clone, Debug)]
pub struct Options {
    /// Files or directories, walked as `validate` walks them; `-` is stdin.
    pub paths: Vec<PathBuf>,
    /// What v1alpha1 objects are converted to.
    pub target: Version,
    /// The operator model whose conversion and rules apply.
    pub operator: Operator,
    /// Unknown fields are errors, not warnings.
    pub strict: bool,
    /// An input with no document is a success (printing nothing).
    pub allow_empty: bool,
    /// The display name of stdin in findings.
    pub stdin_name: String,
    /// Do not honour .gitignore / .ignore files when walking directories.
    pub no_ignore: bool,
    /// Files larger than this many bytes are errors, not read.
    pub max_file_size: u64,
    /// Files and directories a directory walk skips (`ignore:` in the
    /// configuration file).
    pub exclude: Option<std::sync::Arc<source::Exclude>>,
    /// The configuration's rule overrides; applied before the stream is
    /// decided, so a disabled error no longer withholds it.
    pub overrides: crate::finding::Overrides,
}

/// The result of a render.
#[derive(Debug)]
pub struct Rendering {
    /// The stream to print: `None` when any finding is an error (then
    /// nothing may be printed); `Some("")` for an allowed empty stream.
    pub stream: Option<String>,
    /// In stream order (by input, then line, column and rule).
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

/// Counts for the closing line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Inputs read (files and stdin).
    pub inputs: usize,
    /// Documents in the stream.
    pub documents: usize,
    /// Materialize objects converted.
    pub converted: usize,
    pub errors: usize,
    pub warnings: usize,
}

/// Render `options.paths`. A path given on the command line that cannot be
/// opened is an `Err` (a usage error, as for `validate`); everything else is
/// a finding.
pub fn render(options: &Options) -> Result<Rendering, ReadError> {
    let (files, unreadable) = inputs::read(options)?;
    let conversion = convert::convert(files, options.target, options.operator);
    let rendered = conversion.rendered;

    let mut findings = unreadable;
    findings.extend(validate(&rendered, options.strict, options.operator));
    // A file the migration refused, or whose documents do not parse, has
    // usually been reported by the checks already (a syntax error, a
    // template); these make sure it fails even when it has not.
    add_unless_failed(&mut findings, conversion.failures);
    let stream = assemble(&rendered);
    findings.extend(stream.findings);
    add_unless_failed(&mut findings, stream.unparsable);
    let order: Vec<&str> = rendered
        .iter()
        .map(|r| r.original.display.as_str())
        .collect();
    options.overrides.apply(&mut findings);
    let failed = findings.iter().any(|f| f.severity == Severity::Error);
    if stream.documents == 0 && !options.allow_empty && !failed {
        let inputs: Vec<String> = if order.is_empty() {
            options
                .paths
                .iter()
                .map(|p| source::display_path(p))
                .collect()
        } else {
            order.iter().map(|s| s.to_string()).collect()
        };
        findings.push(rules::empty_stream::finding(&inputs));
        options.overrides.apply(&mut findings);
    }
    sort_findings(&mut findings, &order);

    let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
    let summary = Summary {
        inputs: rendered.len(),
        documents: stream.documents,
        converted: conversion.converted,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
    };
    Ok(Rendering {
        stream: (summary.errors == 0).then_some(stream.text),
        findings,
        summary,
    })
}

/// Validate what will be printed (the converted texts) with every rule of
/// `validate`, and report each finding at its line in the original file.
fn validate(rendered: &[Rendered], strict: bool, operator: Operator) -> Vec<Finding> {
    let options = ValidateOptions {
        check: CheckOptions {
            strict,
            // A v1alpha1 object the migration left behind must not reach
            // the cluster: make it an error, not a deprecation warning.
            require_version: Some(Version::V1alpha2),
            // Under `released` a v1alpha2 object is `unserved-version`, and
            // hashes are the v1 algorithm's.
            algorithm: (operator == Operator::Released).then_some(Algorithm::V1),
            operator,
            ..CheckOptions::default()
        },
        ..ValidateOptions::default()
    };
    let outputs: Vec<SourceFile> = rendered.iter().map(|r| r.output().clone()).collect();
    let validation = check::validate_files(outputs, |_| false, &options);
    let mut findings = validation.findings;
    relocate::relocate(&mut findings, rendered);
    findings
        .iter_mut()
        .for_each(check::template_skipped::escalate_for_render);
    findings
}

/// Add each of `extra` unless its file already has an error in `findings`:
/// a stream fails on one reason per file as well as on two.
fn add_unless_failed(findings: &mut Vec<Finding>, extra: Vec<Finding>) {
    for finding in extra {
        let failed = findings
            .iter()
            .any(|f| f.severity == Severity::Error && f.file() == finding.file());
        if !failed {
            findings.push(finding);
        }
    }
}

/// Sort findings as the stream is ordered: by input (`order` holds the
/// display names in stream order; other files go last, by name), then
/// line, column and rule.
fn sort_findings(findings: &mut [Finding], order: &[&str]) {
    let rank = |file: &str| order.iter().position(|o| *o == file).unwrap_or(usize::MAX);
    findings.sort_by(|a, b| {
        (rank(a.file()), a.file(), a.line(), a.column(), a.rule).cmp(&(
            rank(b.file()),
            b.file(),
            b.line(),
            b.column(),
            b.rule,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::testing::finding;
    use super::*;

    #[test]
    fn extra_findings_are_added_only_for_files_without_an_error() {
        let mut findings = vec![finding(1, 1, "")];
        let mut warning = finding(2, 1, "");
        warning.severity = Severity::Warning;
        warning.location.file = "other.yaml".into();
        findings.push(warning);
        let mut same_file = finding(3, 1, "");
        same_file.rule = crate::finding::Rule::new(&check::yaml_syntax::RULE);
        let mut other_file = same_file.clone();
        other_file.location.file = "other.yaml".into();
        add_unless_failed(&mut findings, vec![same_file, other_file]);
        let added: Vec<(&str, &str)> = findings[2..]
            .iter()
            .map(|f| (f.file(), f.rule.id()))
            .collect();
        assert_eq!(added, [("other.yaml", "yaml-syntax")]);
    }

    #[test]
    fn findings_sort_by_stream_order_then_line() {
        let at = |file: &str, line: usize| {
            let mut f = finding(line, 1, "");
            f.location.file = file.into();
            f
        };
        let mut findings = vec![
            at("a.yaml", 9),
            at("-", 3),
            at("zz.yaml", 1),
            at("a.yaml", 2),
        ];
        sort_findings(&mut findings, &["-", "a.yaml"]);
        let order: Vec<(&str, usize)> = findings.iter().map(|f| (f.file(), f.line())).collect();
        assert_eq!(
            order,
            [("-", 3), ("a.yaml", 2), ("a.yaml", 9), ("zz.yaml", 1)]
        );
    }
}

/// Inputs for the unit tests of the pipeline's stages.
#[cfg(test)]
pub(crate) mod testing {
    use std::path::PathBuf;

    use crate::finding::{Finding, Location, Position, Rule, Span, Target};
    use crate::source::{FileFormat, SourceFile};

    fn file(display: &str, text: &str, format: FileFormat) -> SourceFile {
        SourceFile::from_text(display, PathBuf::from(display), text.into(), format)
    }

    pub fn yaml(display: &str, text: &str) -> SourceFile {
        file(display, text, FileFormat::Yaml)
    }

    pub fn json(display: &str, text: &str) -> SourceFile {
        file(display, text, FileFormat::Json)
    }

    /// A `schema` error in `mz.yaml`.
    pub fn finding(line: usize, column: usize, pointer: &str) -> Finding {
        let mut location = Location::pointer("mz.yaml".into(), 0, pointer.into(), Target::Value);
        location.document = None;
        location.span = Some(Span::at(Position { line, column }, 1));
        Finding::new(
            Rule::new(&crate::check::schema::RULE),
            location,
            "bad".into(),
        )
    }
}
