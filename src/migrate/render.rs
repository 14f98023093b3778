//! Writing new scalars, keys and small values as YAML (block or flow) or
//! JSON text, in the style of the surrounding file.
//!
//! Only values the conversion creates pass through here (an apiVersion, a
//! rollout hash, an IAM role ARN, a one-entry annotation map), so the rules
//! favour output that every YAML 1.1 and 1.2 reader reads back as the same
//! string over the most compact spelling.

use serde_json::{Map, Value};

/// How a scalar was written in the original text, so that a replacement
/// keeps the user's choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Quoting {
    Plain,
    Double,
    Single,
    /// A block scalar (`|`, `>`) or anything else: rewritten double-quoted.
    Other,
}

impl Quoting {
    pub(crate) fn of(scalar_text: &str) -> Quoting {
        match scalar_text.as_bytes().first() {
            Some(b'"') => Quoting::Double,
            Some(b'\'') => Quoting::Single,
            Some(b'|' | b'>') => Quoting::Other,
            Some(_) => Quoting::Plain,
            None => Quoting::Other,
        }
    }
}

/// Where new text goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    /// A YAML block collection.
    Block,
    /// A YAML flow collection (`{…}`, `[…]`): `,[]{}` and `: ` are syntax.
    Flow,
    /// A JSON file: everything is JSON.
    Json,
}

/// True when `s` could read as a number (YAML 1.1 or 1.2: decimal, hex,
/// octal, binary, sexagesimal, float) or a date: it starts with a digit and
/// holds nothing but digits, hex letters and number punctuation.
fn numberish(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| {
            c.is_ascii_hexdigit()
                || matches!(c, 'x' | 'X' | 'o' | 'O' | '_' | '.' | ':' | '+' | '-')
        })
}

/// Hashes and UUIDs are quoted whatever their first character, so that a
/// column of them looks the same.
fn digest_like(s: &str) -> bool {
    s.len() >= 8 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// YAML 1.1 booleans and nulls, which Kubernetes' decoder still honours.
fn reserved_word(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
    )
}

/// True when `s` can be written without quotes and reads back as the same
/// string in every YAML version.
pub(crate) fn plain_safe(s: &str, context: Context) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if context == Context::Json || !first.is_ascii_alphanumeric() {
        return false;
    }
    let allowed =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | ':' | '@' | '-');
    if !s.chars().all(allowed)
        || s.ends_with(':')
        || numberish(s)
        || digest_like(s)
        || reserved_word(s)
    {
        return false;
    }
    // In a flow collection `a:b` is read differently by different parsers.
    if context == Context::Flow && s.contains(':') {
        return false;
    }
    matches!(yaml_serde::from_str::<Value>(s), Ok(Value::String(read)) if read == s)
}

fn double_quoted(s: &str) -> String {
    // A JSON string is a valid YAML double-quoted scalar with the same value.
    Value::String(s.to_owned()).to_string()
}

fn single_quoted_ok(s: &str) -> bool {
    !s.chars().any(|c| c.is_control())
}

/// A scalar value, keeping `quoting` when it can express the value.
pub(crate) fn scalar(value: &Value, context: Context, quoting: Quoting) -> String {
    let Value::String(s) = value else {
        // null, booleans and numbers: JSON spells them as YAML does.
        return value.to_string();
    };
    if context == Context::Json {
        return double_quoted(s);
    }
    match quoting {
        Quoting::Double | Quoting::Other => double_quoted(s),
        Quoting::Single if single_quoted_ok(s) => format!("'{}'", s.replace('\'', "''")),
        Quoting::Single => double_quoted(s),
        Quoting::Plain if plain_safe(s, context) => s.clone(),
        Quoting::Plain => double_quoted(s),
    }
}

/// A mapping key.
pub(crate) fn key(k: &str, context: Context) -> String {
    if plain_safe(k, context) {
        k.to_owned()
    } else {
        double_quoted(k)
    }
}

/// Spacing of a flow mapping or JSON object, taken from the original.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FlowSpacing {
    /// Between a key and its value: `": "` or `":"`.
    pub(crate) key_value: String,
    /// Between two entries on one line: `", "` or `","`.
    pub(crate) entries: String,
}

impl Default for FlowSpacing {
    fn default() -> Self {
        FlowSpacing {
            key_value: ": ".into(),
            entries: ", ".into(),
        }
    }
}

/// Multi-line layout: the indentation of the entries being written and
/// one indentation step, both as found in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) indent: String,
    pub(crate) unit: String,
    pub(crate) eol: &'static str,
}

impl Layout {
    fn deeper(&self) -> Layout {
        Layout {
            indent: format!("{}{}", self.indent, self.unit),
            unit: self.unit.clone(),
            eol: self.eol,
        }
    }
}

/// A value in flow/JSON syntax. With a layout, non-empty collections are
/// written one entry per line: `layout.indent` is the indentation of the
/// line the value starts on, where the closing bracket goes; entries go one
/// step deeper.
pub(crate) fn flow_value(
    value: &Value,
    context: Context,
    spacing: &FlowSpacing,
    layout: Option<&Layout>,
) -> String {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let entries: Vec<(String, &Value)> =
                map.iter().map(|(k, v)| (key(k, context), v)).collect();
            let inner = layout.map(Layout::deeper);
            let items: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| {
                    format!(
                        "{k}{}{}",
                        spacing.key_value,
                        flow_value(v, context, spacing, inner.as_ref())
                    )
                })
                .collect();
            bracketed('{', '}', &items, spacing, layout)
        }
        Value::Array(items) if !items.is_empty() => {
            let inner = layout.map(Layout::deeper);
            let items: Vec<String> = items
                .iter()
                .map(|v| flow_value(v, context, spacing, inner.as_ref()))
                .collect();
            bracketed('[', ']', &items, spacing, layout)
        }
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        scalar_value => scalar(scalar_value, context, Quoting::Plain),
    }
}

fn bracketed(
    open: char,
    close: char,
    items: &[String],
    spacing: &FlowSpacing,
    layout: Option<&Layout>,
) -> String {
    match layout {
        None => format!("{open}{}{close}", items.join(&spacing.entries)),
        Some(layout) => {
            let inner = layout.deeper();
            let mut out = String::new();
            out.push(open);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(layout.eol);
                out.push_str(&inner.indent);
                out.push_str(item);
            }
            out.push_str(layout.eol);
            out.push_str(&layout.indent);
            out.push(close);
            out
        }
    }
}

/// The entries of a mapping in YAML block style, each on a new line at
/// `layout.indent` (every line starts with the line ending, so the result
/// goes right after a `key:`).
pub(crate) fn block_entries(map: &Map<String, Value>, layout: &Layout) -> String {
    let mut out = String::new();
    for (k, v) in map {
        out.push_str(layout.eol);
        out.push_str(&layout.indent);
        out.push_str(&key(k, Context::Block));
        out.push(':');
        out.push_str(&block_value_after_colon(v, layout));
    }
    out
}

/// What follows `key:` for a value written in block style at `layout`
/// (the key's own indentation).
pub(crate) fn block_value_after_colon(value: &Value, layout: &Layout) -> String {
    match value {
        Value::Object(map) if !map.is_empty() => block_entries(map, &layout.deeper()),
        Value::Array(items) if !items.is_empty() => {
            let inner = layout.deeper();
            let mut out = String::new();
            for item in items {
                out.push_str(layout.eol);
                out.push_str(&inner.indent);
                out.push_str("- ");
                out.push_str(&flow_value(
                    item,
                    Context::Flow,
                    &FlowSpacing::default(),
                    None,
                ));
            }
            out
        }
        other => format!(
            " {}",
            flow_value(other, Context::Block, &FlowSpacing::default(), None)
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn plain_only_when_every_yaml_reads_it_back_as_the_same_string() {
        assert!(plain_safe("materialize.cloud/v1alpha2", Context::Block));
        assert!(plain_safe(
            "arn:aws:iam::123456789012:role/mz",
            Context::Block
        ));
        assert!(plain_safe("eks.amazonaws.com/role-arn", Context::Block));
        assert!(!plain_safe(
            "arn:aws:iam::123456789012:role/mz",
            Context::Flow
        ));
        for quoted in [
            "",
            "yes",
            "Off",
            "null",
            "123",
            "1e3",
            "0x1F",
            "12:30",
            "deadbeef",
            "1e6ef7bc-bff2-4bd4-90dc-eda5e5c9d3c1",
            "a b",
            "a#b",
            "-a",
            "x:",
        ] {
            assert!(!plain_safe(quoted, Context::Block), "{quoted:?}");
        }
        assert!(!plain_safe("v1alpha2", Context::Json));
    }

    #[test]
    fn scalars_keep_the_original_quoting_when_they_can() {
        let v = json!("materialize.cloud/v1alpha2");
        assert_eq!(
            scalar(&v, Context::Block, Quoting::Plain),
            "materialize.cloud/v1alpha2"
        );
        assert_eq!(
            scalar(&v, Context::Block, Quoting::Double),
            "\"materialize.cloud/v1alpha2\""
        );
        assert_eq!(
            scalar(&v, Context::Block, Quoting::Single),
            "'materialize.cloud/v1alpha2'"
        );
        assert_eq!(
            scalar(&json!("it's"), Context::Block, Quoting::Single),
            "'it''s'"
        );
        assert_eq!(
            scalar(&json!("a\tb"), Context::Block, Quoting::Single),
            "\"a\\tb\""
        );
        assert_eq!(
            scalar(&json!("abc123"), Context::Block, Quoting::Plain),
            "abc123"
        );
        assert_eq!(
            scalar(&json!("123abc"), Context::Block, Quoting::Plain),
            "\"123abc\""
        );
        assert_eq!(scalar(&json!(3), Context::Json, Quoting::Plain), "3");
        assert_eq!(scalar(&json!("x"), Context::Json, Quoting::Single), "\"x\"");
    }

    #[test]
    fn block_and_flow_values() {
        let layout = Layout {
            indent: "  ".into(),
            unit: "  ".into(),
            eol: "\r\n",
        };
        let map = json!({"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/x"});
        assert_eq!(
            block_value_after_colon(&map, &layout),
            "\r\n    eks.amazonaws.com/role-arn: arn:aws:iam::1:role/x"
        );
        assert_eq!(
            flow_value(&map, Context::Flow, &FlowSpacing::default(), None),
            "{eks.amazonaws.com/role-arn: \"arn:aws:iam::1:role/x\"}"
        );
        let json_layout = Layout {
            indent: "\t".into(),
            unit: "\t".into(),
            eol: "\n",
        };
        assert_eq!(
            flow_value(
                &map,
                Context::Json,
                &FlowSpacing::default(),
                Some(&json_layout)
            ),
            "{\n\t\t\"eks.amazonaws.com/role-arn\": \"arn:aws:iam::1:role/x\"\n\t}"
        );
    }
}
