//! `empty-stream`: the inputs hold no document, and printing nothing would
//! make Argo CD prune every resource of the Application.

use crate::finding::{Finding, Location, Position, Rule, RuleInfo, Scope, Severity, Span};

pub static RULE: RuleInfo = RuleInfo {
    id: "empty-stream",
    severity: Severity::Error,
    scopes: &[Scope::Render],
    summary: "The inputs hold no Kubernetes object at all",
    docs: "An empty manifest stream tells Argo CD that the application has no resources: a sync with pruning then deletes every resource it manages, the Materialize instance included (automated sync refuses to prune everything unless `allowEmpty` is set; a manual sync with prune does not refuse). An empty result is far more often a mistake (a wrong path, a kustomize overlay that filtered everything out, a Helm condition) than an intent, so `mz-presync render` fails instead of printing nothing. Pass `--allow-empty` (or set MZ_PRESYNC_ALLOW_EMPTY in the plugin) when an empty application is what you mean.",
    // Only `--allow-empty` says an empty application is intended: there is
    // no document to carry an annotation.
    suppressible: false,
};

/// The error for a stream with no document, naming the inputs (display
/// paths, in stream order).
pub fn finding(inputs: &[String]) -> Finding {
    let place = match inputs {
        [] => "the input".to_owned(),
        [one] => one.clone(),
        many => many.join(", "),
    };
    let file = inputs.first().cloned().unwrap_or_else(|| "-".into());
    Finding::new(
        Rule::new(&RULE),
        Location::at(file, None, Span::at(Position { line: 1, column: 1 }, 0)),
        format!(
            "no Kubernetes object found in {place}; an empty stream would make Argo CD prune every \
             resource of the application, so this is an error (pass --allow-empty if that is intended)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_stream_names_the_inputs_and_the_flag() {
        let f = finding(&["apps/".into()]);
        assert_eq!(f.rule, RULE.id);
        assert_eq!(f.severity, Severity::Error);
        assert!(f.message.contains("no Kubernetes object found in apps/"));
        assert!(f.message.contains("--allow-empty"));
    }
}
