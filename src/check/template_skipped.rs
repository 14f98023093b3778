//! `template-skipped`: a Go/Helm template file that is not YAML yet.

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

pub(crate) fn finding(file: &SourceFile, doc: &DocumentSpan, error: &ParseError) -> Finding {
    let position = error
        .position()
        .unwrap_or_else(|| file.position(doc.content_start.min(doc.range.end)));
    let line = file.line_text(position.line);
    let width = line.chars().count().max(position.column) + 1 - position.column;
    let span = Span::at(position, width);
    Finding::new(Rule::new(&RULE), Location::at(file.display.clone(), Some(doc.index), span), "this file is a Go/Helm template, not YAML, so it was not checked: render it and pipe the output in, e.g. `helm template RELEASE CHART | mz-presync validate -`".to_owned())
}
