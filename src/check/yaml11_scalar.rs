//! `yaml11-scalar`: an unquoted value that the tools which apply manifests
//! read as another type than mz-presync does.

use serde_json::Value;

use super::object::{Hit, Subject, child_pointer, field_path, quote, schema_node};
use crate::crd::Version;
use crate::finding::Severity;
use crate::finding::{RuleInfo, Scope};
use crate::source::Target;

pub static RULE: RuleInfo = RuleInfo {
    id: "yaml11-scalar",
    severity: Severity::Error,
    scopes: &[Scope::Validate],
    summary: "An unquoted value that kubectl and Argo CD read as a boolean or a number (YAML 1.1), not as the string written",
    docs: "mz-presync reads YAML 1.2, where `yes`, `on`, `n` and `0755` are \
strings. kubectl, Argo CD and every tool built on sigs.k8s.io/yaml read YAML \
1.1, where the plain scalars `y`, `yes`, `on` (any case form: `Yes`, `YES`, \
`On`, `ON`) are the boolean true, `n`, `no`, `off` are false, a number with a \
leading zero (`0755`, `08`) is a number, and underscores inside digits \
(`1_000`) are dropped. The API server then receives a boolean or a number \
where the manifest meant a string — for a field typed as a string, such as \
`backendSecretName`, an annotation or a label, it rejects the object, and the \
sync fails after the pull request was merged. (Where the schema expects a \
boolean or a number, the YAML 1.1 reading is what works, and the `schema` \
rule reports the difference instead.) Quote the value (`\"yes\"`), or \
write the boolean you meant as `true`/`false`. Only unquoted values are \
reported: quoted ones, block scalars and JSON files read the same everywhere.",
    suppressible: true,
};

/// Every string of the object that YAML 1.1 would type differently *if it
/// were written plain*. Whether it was is a question for the text:
/// `check_object` keeps a hit only when the value's source is exactly the
/// string, i.e. an unquoted scalar.
pub(crate) fn check(subject: &Subject<'_>, hits: &mut Vec<Hit>) {
    visit(subject.version, subject.object, String::new(), hits);
}

fn visit(version: Version, value: &Value, pointer: String, hits: &mut Vec<Hit>) {
    match value {
        Value::String(text) => {
            if let Some(reading) = yaml11_reading(text)
                && expects_string(version, &pointer)
            {
                hits.push(Hit::new(
                    &RULE,
                    pointer.clone(),
                    Target::Value,
                    format!(
                        "`{}` is written `{}` without quotes: kubectl and Argo CD read YAML 1.1 and send {reading} instead of the string; write {} in quotes",
                        field_path(&pointer),
                        text,
                        quote(text)
                    ),
                ));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                visit(version, item, format!("{pointer}/{i}"), hits);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                visit(version, item, child_pointer(&pointer, key), hits);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Whether Kubernetes holds the value at `pointer` to be a string: label
/// and annotation values, and fields the schema types as strings. Where a
/// boolean or a number is expected, the YAML 1.1 reading is the one that
/// works (the `schema` rule says so); unknown fields are `unknown-field`'s.
fn expects_string(version: Version, pointer: &str) -> bool {
    let in_string_map = ["/metadata/labels/", "/metadata/annotations/"]
        .iter()
        .any(|map| {
            pointer
                .strip_prefix(map)
                .is_some_and(|key| !key.contains('/'))
        });
    // `["string", "null"]` is a nullable string.
    let string_type = |node: &Value| match node.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => false,
    };
    in_string_map || schema_node(version, pointer).is_some_and(string_type)
}

/// How YAML 1.1 (go-yaml v2, under sigs.k8s.io/yaml) reads `text` as a plain
/// scalar, when that is not the string YAML 1.2's core schema reads.
pub(crate) fn yaml11_reading(text: &str) -> Option<String> {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return Some("the boolean true".to_owned());
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return Some("the boolean false".to_owned());
        }
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let numeric = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && digits.bytes().any(|b| b.is_ascii_digit());
    if !numeric || !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let plain: String = digits.chars().filter(|c| *c != '_').collect();
    let leading_zero = plain.len() > 1 && plain.starts_with('0');
    if !leading_zero && !digits.contains('_') {
        // An ordinary integer: a number in both versions already.
        return None;
    }
    let sign = if text.starts_with('-') { "-" } else { "" };
    if leading_zero {
        match i64::from_str_radix(&plain, 8) {
            Ok(n) => Some(format!("the number {sign}{n} (octal)")),
            Err(_) => Some(format!(
                "the number {sign}{}",
                plain.trim_start_matches('0').max("0")
            )),
        }
    } else {
        Some(format!("the number {sign}{plain}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings() {
        for word in ["y", "Yes", "YES", "on", "ON", "On"] {
            assert_eq!(
                yaml11_reading(word).as_deref(),
                Some("the boolean true"),
                "{word}"
            );
        }
        for word in ["n", "no", "NO", "off", "Off"] {
            assert_eq!(
                yaml11_reading(word).as_deref(),
                Some("the boolean false"),
                "{word}"
            );
        }
        assert_eq!(
            yaml11_reading("0755").as_deref(),
            Some("the number 493 (octal)")
        );
        assert_eq!(yaml11_reading("08").as_deref(), Some("the number 8"));
        assert_eq!(
            yaml11_reading("-010").as_deref(),
            Some("the number -8 (octal)")
        );
        assert_eq!(yaml11_reading("1_000").as_deref(), Some("the number 1000"));
        assert_eq!(
            yaml11_reading("00").as_deref(),
            Some("the number 0 (octal)")
        );
        for same in [
            "", "yess", "true", "0", "10", "-3", "0x1F", "1.5", "_1", "1_", "_", "yes ", "Y2K",
            "o", "NaN",
        ] {
            if same == "1_" {
                // Underscores are dropped: `1_` is 1 in YAML 1.1.
                assert_eq!(yaml11_reading(same).as_deref(), Some("the number 1"));
                continue;
            }
            assert_eq!(yaml11_reading(same), None, "{same:?}");
        }
    }
}
