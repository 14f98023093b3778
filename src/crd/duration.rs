//! How the operator reads `rolloutRequestTimeout` (spec §2, §6): with
//! `humantime::parse_duration`, falling back to 24h without a word when that
//! fails. Reading it with the same crate is what makes "valid" here mean
//! what the operator means.
//!
//! humantime is pinned to 2.1: later releases also accept decimals (`1.5h`),
//! a bare `0` and more unit spellings, which the rule's documentation and
//! tests reject as the operator did when they were written.

use std::time::Duration;

use humantime::DurationError;

/// Parse `text` as the operator parses `rolloutRequestTimeout`. The error
/// says where parsing stopped, in words a manifest author can act on.
pub fn parse_rollout_request_timeout(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|err| explain(text, &err))
}

/// humantime's own messages give byte offsets ("invalid character at 3");
/// quote the rest of the text instead.
fn explain(text: &str, err: &DurationError) -> String {
    match err {
        DurationError::Empty => "it is empty".to_owned(),
        DurationError::NumberExpected(offset) => {
            format!("expected a number at {:?}", text[*offset..].trim_start())
        }
        DurationError::InvalidCharacter(offset) => {
            let (before, rest) = text.split_at(*offset);
            // Right after a unit the text needs a new term, so say so; after
            // a number the character is what is wrong. humantime checks a
            // unit only once the term ends, so a bad unit just before the
            // character is the first mistake a reader meets.
            if before.ends_with(char::is_alphabetic) {
                match humantime::parse_duration(before) {
                    Err(err @ DurationError::UnknownUnit { .. }) => explain(before, &err),
                    _ => format!("expected a number at {rest:?}"),
                }
            } else {
                let c = rest.chars().next().unwrap_or_default();
                format!("unexpected {c:?} at {rest:?}")
            }
        }
        DurationError::UnknownUnit { unit, value, .. } if unit.is_empty() => {
            format!("the number {value} has no unit, such as s, m or h")
        }
        DurationError::UnknownUnit { unit, .. } => format!("unknown unit {unit:?}"),
        DurationError::NumberOverflow => {
            let too_long = text
                .split(|c: char| !c.is_ascii_digit())
                .any(|digits| !digits.is_empty() && digits.parse::<u64>().is_err());
            if too_long {
                "number too large".to_owned()
            } else {
                "duration too large".to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_rollout_request_timeout as parse_duration;

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

    /// The reasons read as they did with the hand-written parser this
    /// replaced (they appear in findings and in snapshot tests).
    #[test]
    fn reasons_quote_where_parsing_stopped() {
        let reason = |t: &str| parse_duration(t).unwrap_err();
        assert_eq!(reason(""), "it is empty");
        assert_eq!(reason("  "), "it is empty");
        assert_eq!(reason("a day"), "expected a number at \"a day\"");
        assert_eq!(reason("  x"), "expected a number at \"x\"");
        assert_eq!(
            reason("24 hours and more"),
            "expected a number at \"and more\""
        );
        assert_eq!(reason("1h."), "expected a number at \".\"");
        assert_eq!(
            reason("3600"),
            "the number 3600 has no unit, such as s, m or h"
        );
        assert_eq!(
            reason("1h30"),
            "the number 30 has no unit, such as s, m or h"
        );
        assert_eq!(reason("1.5h"), "unexpected '.' at \".5h\"");
        assert_eq!(reason("1 ."), "unexpected '.' at \".\"");
        assert_eq!(reason("1x"), "unknown unit \"x\"");
        assert_eq!(reason("99999999999999999999s"), "number too large");
        assert_eq!(reason("9999999999999999999y"), "duration too large");
    }
}
