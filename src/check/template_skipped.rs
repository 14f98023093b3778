//! `template-skipped`: a Go/Helm template file that is not YAML yet.

use super::yaml_syntax::error_position;
use crate::finding::{Finding, Location, Rule, RuleInfo, Scope, Severity, Span};
use crate::source::{DocumentSpan, ParseError, SourceFile};

pub static RULE: RuleInfo = RuleInfo {
    id: "template-skipped",
    severity: Severity::Note,
    scopes: &[Scope::Validate],
    summary: "A Helm/Go template that is not YAML until rendered; reported, not checked",
    docs: "A file with template actions (`{{ … }}`) where YAML expects a node — at \
the start of a line, after `key: `, after `- ` — and that does not parse as YAML \
is a template, typically a Helm chart's `templates/` file. Its YAML exists only \
after rendering, so checking it as written would report nonsense; the whole \
file is skipped with this note, which does not fail the run. To check what \
the template produces, render it and pipe the result in: `helm template \
RELEASE CHART | mz-presync validate -` (or `kustomize build DIR | mz-presync \
validate -`). Template expressions inside quoted strings or plain scalars \
(`image: repo:{{< version >}}`) do not make a file a template: such files \
parse and are checked normally.",
    suppressible: true,
};

/// The finding for a template found at document `doc` of `file` (the
/// parse error says where its first action is), in the words and at the
/// severity of the command that reads it (`scope`): a note for `validate`
/// (the file is skipped, not failed) and for `rollouts` (its resources are
/// not compared); an error for `render`, which cannot leave a file's
/// objects out of the stream (Argo CD would prune them). It highlights the
/// rest of the line. Every command reports `template-skipped` through here.
pub fn finding(file: &SourceFile, doc: &DocumentSpan, error: &ParseError, scope: Scope) -> Finding {
    let position = error_position(file, doc, error);
    let line = file.line_text(position.line);
    let width = line.chars().count().max(position.column) + 1 - position.column;
    let location = Location::at(
        file.display.clone(),
        Some(doc.index),
        Span::at(position, width),
    );
    let (severity, message) = match scope {
        Scope::Validate => (
            RULE.severity,
            "this file is a Go/Helm template, not YAML, so it was not checked: render it and pipe \
             the output in, e.g. `helm template RELEASE CHART | mz-presync validate -`"
                .to_owned(),
        ),
        Scope::Rollouts => (
            RULE.severity,
            format!(
                "this document is a Helm/Go template, not YAML ({error}); its resources are not \
                 compared — render the chart and compare the output instead"
            ),
        ),
        Scope::Render => (Severity::Error, RENDER_MESSAGE.to_owned()),
    };
    Finding::new(Rule::new(&RULE), location, message).with_severity(severity)
}

const RENDER_MESSAGE: &str = "this file is a Go/Helm template, not YAML, so it cannot be rendered \
     as is; render the chart and pipe it in (`helm template RELEASE CHART | mz-presync render -`), \
     or move the file out of the application's directory";

/// Turn a finding `validate` made (a note: the file is skipped) into the
/// one `render` makes (an error: the file's objects cannot be left out of
/// the stream), where `render` reuses `validate`'s run.
pub fn escalate_for_render(finding: &mut Finding) {
    if finding.rule == Rule::new(&RULE) {
        finding.severity = Severity::Error;
        finding.message = RENDER_MESSAGE.to_owned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileFormat, parse_document};
    use std::path::PathBuf;

    #[test]
    fn each_command_words_a_template_its_way() {
        let text = "{{- if .Values.enabled }}\nkind: Materialize\n{{- end }}\n";
        let file = SourceFile::from_text(
            "t.yaml",
            PathBuf::from("t.yaml"),
            text.into(),
            FileFormat::Yaml,
        );
        let doc = &file.documents()[0];
        let error = parse_document(&file, doc).expect_err("a template");
        let of = |scope| finding(&file, doc, &error, scope);
        let validate = of(Scope::Validate);
        assert_eq!(validate.rule, "template-skipped");
        assert_eq!(
            (validate.severity, validate.line(), validate.column()),
            (Severity::Note, 1, 1)
        );
        assert!(validate.message.contains("so it was not checked"));
        assert_eq!(of(Scope::Rollouts).severity, Severity::Note);
        assert!(
            of(Scope::Rollouts)
                .message
                .contains("its resources are not compared")
        );
        let render = of(Scope::Render);
        assert_eq!(
            render.severity,
            Severity::Error,
            "render cannot skip a file"
        );
        assert_eq!(render.location, validate.location);
    }
}
