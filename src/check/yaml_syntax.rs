//! `yaml-syntax`: a document that does not parse.

use crate::finding::{Finding, Location, Rule, RuleInfo, Scope, Severity, Span};
use crate::source::{DocumentSpan, FileFormat, ParseError, Position, SourceFile};

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

/// The finding for document `doc` of `file`, which does not parse, in the
/// words of the command that reads it (`scope`): `validate` names the
/// language and how to fix the usual causes; `rollouts` says what the
/// change means for Argo CD; `render` names the document of the stream.
/// The place is the parser's, or the document's start when it has none.
/// Every command reports `yaml-syntax` through here, so the rule, its
/// severity and its place cannot drift between them; the words may, until
/// the commands agree on one text (which would change their output).
pub fn finding(file: &SourceFile, doc: &DocumentSpan, error: &ParseError, scope: Scope) -> Finding {
    let position = error_position(file, doc, error);
    let number = doc.index + 1;
    let message = match scope {
        Scope::Validate => {
            let language = match file.format {
                FileFormat::Json => "JSON",
                FileFormat::Yaml => "YAML",
            };
            let hint = match error {
                ParseError::DuplicateKey { .. } => {
                    ": tools disagree about which value wins; keep one"
                }
                ParseError::AliasLimit { .. } => {
                    ": expand the aliases by hand if this is a real manifest"
                }
                _ => "",
            };
            format!("document {number} is not valid {language}: {error}{hint}")
        }
        Scope::Rollouts => format!(
            "the document does not parse ({error}); fix the syntax, otherwise Argo CD cannot apply it"
        ),
        Scope::Render => format!("document {number} cannot be read: {error}"),
    };
    let location = Location::at(file.display.clone(), Some(doc.index), Span::at(position, 1));
    Finding::new(Rule::new(&RULE), location, message)
}

/// Where the parser stopped, or the start of the document when it cannot
/// say.
pub(crate) fn error_position(
    file: &SourceFile,
    doc: &DocumentSpan,
    error: &ParseError,
) -> Position {
    error
        .position()
        .unwrap_or_else(|| file.position(doc.content_start.min(doc.range.end)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::parse_document;
    use std::path::PathBuf;

    #[test]
    fn one_place_three_wordings() {
        let text = "a: 1\n---\nb: [\n";
        let file = SourceFile::from_text(
            "t.yaml",
            PathBuf::from("t.yaml"),
            text.into(),
            FileFormat::Yaml,
        );
        let doc = &file.documents()[1];
        let error = parse_document(&file, doc).expect_err("unclosed flow sequence");
        let of = |scope| finding(&file, doc, &error, scope);
        let validate = of(Scope::Validate);
        assert_eq!(
            (validate.rule, validate.severity),
            (Rule::new(&RULE), Severity::Error)
        );
        assert!(
            validate
                .message
                .starts_with("document 2 is not valid YAML: "),
            "{}",
            validate.message
        );
        assert!(
            of(Scope::Rollouts)
                .message
                .starts_with("the document does not parse (")
        );
        assert!(
            of(Scope::Render)
                .message
                .starts_with("document 2 cannot be read: ")
        );
        for scope in [Scope::Rollouts, Scope::Render] {
            assert_eq!(of(scope).location, validate.location);
        }
        assert!(
            !RULE.suppressible,
            "a file that does not parse is never a pass"
        );
    }
}
