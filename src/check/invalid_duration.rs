//! `invalid-duration`: a `rolloutRequestTimeout` that is not a duration.

use std::time::Duration;

use serde_json::Value;

use super::object::{Hit, Subject, quote};
use crate::crd::Version;
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
    if subject.version == Version::V1alpha2 {
        return;
    }
    let Some(Value::String(text)) = subject
        .spec()
        .and_then(|spec| spec.get("rolloutRequestTimeout"))
    else {
        return;
    };
    if let Err(reason) = parse_duration(text) {
        hits.push(Hit::new(
            &RULE,
            "/spec/rolloutRequestTimeout",
            Target::Value,
            format!(
                "`spec.rolloutRequestTimeout` is {}, which is not a duration ({reason}): the operator silently uses 24h instead; write e.g. \"24h\", \"90m\" or \"1h 30m\"",
                quote(text)
            ),
        ));
    }
}

/// Parse a human duration the way the `humantime` crate does (see the
/// rule's docs for the grammar).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let mut chars = text.char_indices().peekable();
    let mut total = Duration::ZERO;
    let mut terms = 0;
    loop {
        while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
            chars.next();
        }
        let Some(&(start, first)) = chars.peek() else {
            break;
        };
        if !first.is_ascii_digit() {
            return Err(format!("expected a number at {:?}", &text[start..]));
        }
        let mut number: u64 = 0;
        while let Some(&(_, c)) = chars.peek() {
            if let Some(digit) = c.to_digit(10) {
                number = number
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u64::from(digit)))
                    .ok_or("number too large")?;
            } else if !c.is_whitespace() {
                break;
            }
            chars.next();
        }
        let unit_start = chars.peek().map_or(text.len(), |(i, _)| *i);
        while chars.peek().is_some_and(|(_, c)| c.is_alphabetic()) {
            chars.next();
        }
        let unit_end = chars.peek().map_or(text.len(), |(i, _)| *i);
        let unit = &text[unit_start..unit_end];
        if unit.is_empty() {
            return match chars.peek() {
                None => Err(format!(
                    "the number {number} has no unit, such as s, m or h"
                )),
                Some((i, c)) => Err(format!("unexpected {c:?} at {:?}", &text[*i..])),
            };
        }
        let seconds_per_unit: Option<u64> = match unit {
            "nanos" | "nsec" | "ns" | "usec" | "us" | "µs" | "millis" | "msec" | "ms" => None,
            "seconds" | "second" | "secs" | "sec" | "s" => Some(1),
            "minutes" | "minute" | "mins" | "min" | "m" => Some(60),
            "hours" | "hour" | "hrs" | "hr" | "h" => Some(3600),
            "days" | "day" | "d" => Some(86_400),
            "weeks" | "week" | "w" => Some(604_800),
            "months" | "month" | "M" => Some(2_630_016),
            "years" | "year" | "y" => Some(31_557_600),
            other => return Err(format!("unknown unit {other:?}")),
        };
        let term = match (seconds_per_unit, unit) {
            (Some(factor), _) => number.checked_mul(factor).map(Duration::from_secs),
            (None, "nanos" | "nsec" | "ns") => Some(Duration::from_nanos(number)),
            (None, "usec" | "us" | "µs") => Some(Duration::from_micros(number)),
            (None, _) => Some(Duration::from_millis(number)),
        };
        total = term
            .and_then(|term| total.checked_add(term))
            .ok_or("duration too large")?;
        terms += 1;
    }
    if terms == 0 {
        return Err("it is empty".to_owned());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::object::{CheckOptions, object_hits};
    use serde_json::json;

    #[test]
    fn durations() {
        let secs = |t: &str| parse_duration(t).map(|d| d.as_secs());
        assert_eq!(secs("24h"), Ok(86_400));
        assert_eq!(secs("90m"), Ok(5_400));
        assert_eq!(secs("1h 30m"), Ok(5_400));
        assert_eq!(secs("1h30m"), Ok(5_400));
        assert_eq!(secs("1h0m0s"), Ok(3_600));
        assert_eq!(secs("45s"), Ok(45));
        assert_eq!(secs("2d"), Ok(172_800));
        assert_eq!(secs(" 1 hour "), Ok(3_600));
        assert_eq!(parse_duration("250ms").map(|d| d.as_millis()), Ok(250));
        for bad in [
            "",
            "  ",
            "3600",
            "1.5h",
            "PT1H",
            "24 hours and more",
            "1x",
            "h",
            "-1h",
            "99999999999999999999s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
    }

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
