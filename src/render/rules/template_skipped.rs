//! `template-skipped` in `render`: `validate` may skip a template, render
//! cannot, since the template's objects would be missing from the stream and
//! Argo CD would prune them. The rule is `validate`'s; render makes its
//! finding an error and says how to render the template first.

use crate::check::{Finding, Severity};

/// Whether `finding` is a skipped template.
pub fn is_template_skipped(finding: &Finding) -> bool {
    finding.rule == "template-skipped"
}

/// Make a skipped template an error that says how to render it.
pub fn escalate(finding: &mut Finding) {
    finding.severity = Severity::Error;
    finding.message = "this file is a Go/Helm template, not YAML, so it cannot be \
         rendered as is; render the chart and pipe it in (`helm template RELEASE CHART \
         | mz-presync render -`), or move the file out of the application's directory"
        .to_owned();
}
