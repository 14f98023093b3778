//! `invalid-duration`: a `rolloutRequestTimeout` that is not a duration.

use std::time::Duration;

use serde_json::Value;

use super::object::{Hit, Subject, quote};
use crate::crd::{self, SpecField};
use crate::finding::Severity;
use crate::finding::{RuleInfo, Scope};
use crate::source::Target;

pub static RULE: RuleInfo = RuleInfo {
    id: "invalid-duration",
    severity: Severity::Warning,
    scopes: &[Scope::Validate],
    summary: "rolloutRequestTimeout does not parse as a duration (the operator silently uses 24h)",
    docs: "`rolloutRequestTimeout` (v1, and v1alpha1 for newer operators) is a \
human-readable duration. When the operator cannot parse it, it does not \
complain: it falls back to 24h, so a timeout meant to be short never fires. \
mz-presync accepts what the `humantime` crate accepts: one or more \
`<number><unit>` terms, optionally separated by blanks, with units ns, us, ms, \
s (sec, second, seconds), m (min, minute, minutes), h (hr, hour, hours), d \
(day, days), w (week, weeks), M (month, months) and y (year, years), e.g. \
`24h`, `90m`, `1h 30m`, `1h30m`, `45s`, `2d`. A bare number (`3600`), a decimal \
(`1.5h`) and ISO 8601 (`PT1H`) are rejected; Go's `1h0m0s` is accepted (three \
terms). The message says where parsing stopped.",
    suppressible: true,
};

pub(crate) fn check(subject: &Subject<'_>, hits: &mut Vec<Hit>) {
    if !SpecField::RolloutRequestTimeout.in_version(subject.version) {
        return;
    }
    let Some(Value::String(text)) = subject
        .spec()
        .and_then(|spec| spec.get(SpecField::RolloutRequestTimeout.name()))
    else {
        return;
    };
    if let Err(reason) = parse_duration(text) {
        hits.push(Hit::new(
            &RULE,
            SpecField::RolloutRequestTimeout.pointer(),
            Target::Value,
            format!(
                "`spec.rolloutRequestTimeout` is {}, which is not a duration ({reason}): the operator silently uses 24h instead; write e.g. \"24h\", \"90m\" or \"1h 30m\"",
                quote(text)
            ),
        ));
    }
}

/// Parse a human duration the way the operator does (see
/// [`crd::parse_rollout_request_timeout`]).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    crd::parse_rollout_request_timeout(text)
}

#[cfg(test)]
mod tests {
    use crate::check::object::{CheckOptions, object_hits};
    use serde_json::json;

    #[test]
    fn only_versions_with_the_field() {
        let mut object = json!({
            "apiVersion": "materialize.cloud/v1", "kind": "Materialize", "metadata": {"name": "mz"},
            "spec": {"environmentdImageRef": "i", "backendSecretName": "b", "rolloutRequestTimeout": "one day"}
        });
        let hits = object_hits(&object, &CheckOptions::default());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].rule, "invalid-duration");
        object["spec"]["rolloutRequestTimeout"] = json!("1h 30m");
        assert!(object_hits(&object, &CheckOptions::default()).is_empty());
    }
}
