//! `yaml-syntax`: a document that does not parse.

use crate::finding::{Finding, Location, Rule, RuleInfo, Scope, Severity, Span};
use crate::source::{DocumentSpan, FileFormat, ParseError, SourceFile};

pub static RULE: RuleInfo = RuleInfo {
    id: "yaml-syntax",
    severity: Severity::Error,
    scopes: &[Scope::Validate],
    summary: "A document does not parse as YAML (or a .json file as JSON)",
    docs: "Every document of every file is parsed; one that does not parse is an \
error at the place the parser stopped, and the other documents of the file are \
still checked. Besides plain syntax errors this covers a key given twice in one \
mapping (tools disagree about which value wins), alias expansions that explode \
(a \"billion laughs\" document), nesting deeper than 100 levels, keys that are \
not scalars, and `.nan`/`.inf` where JSON has no such number. A file that fails \
to parse is never a pass, so this finding cannot be silenced. Files with Go or \
Helm template syntax are reported by `template-skipped` instead.",
    suppressible: false,
};

pub(crate) fn finding(file: &SourceFile, doc: &DocumentSpan, error: &ParseError) -> Finding {
    let position = error
        .position()
        .unwrap_or_else(|| file.position(doc.content_start.min(doc.range.end)));
    let language = match file.format {
        FileFormat::Json => "JSON",
        FileFormat::Yaml => "YAML",
    };
    let hint = match error {
        ParseError::DuplicateKey { .. } => ": tools disagree about which value wins; keep one",
        ParseError::AliasLimit { .. } => ": expand the aliases by hand if this is a real manifest",
        _ => "",
    };
    Finding::new(
        Rule::new(&RULE),
        Location::at(file.display.clone(), Some(doc.index), Span::at(position, 1)),
        format!(
            "document {} is not valid {language}: {error}{hint}",
            doc.index + 1
        ),
    )
}
