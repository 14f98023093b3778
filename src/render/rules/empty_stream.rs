//! `empty-stream`: the inputs hold no document, and printing nothing would
//! make Argo CD prune every resource of the Application.

use crate::check::{self, Finding};
use crate::finding::{RuleInfo, Scope, Severity};

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
    Finding {
        rule: RULE.id,
        severity: check::Severity::Error,
        file: inputs.first().cloned().unwrap_or_else(|| "-".into()),
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        pointer: String::new(),
        message: format!(
            "no Kubernetes object found in {place}; an empty stream would make Argo CD prune every \
             resource of the application, so this is an error (pass --allow-empty if that is intended)"
        ),
        resource: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_stream_names_the_inputs_and_the_flag() {
        let f = finding(&["apps/".into()]);
        assert_eq!(f.rule, RULE.id);
        assert_eq!(f.severity, check::Severity::Error);
        assert!(f.message.contains("no Kubernetes object found in apps/"));
        assert!(f.message.contains("--allow-empty"));
    }
}
