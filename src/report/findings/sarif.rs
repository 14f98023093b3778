//! `--format sarif`: SARIF 2.1.0, for GitHub code scanning and other
//! viewers. One rule per check of `validate` (all of them, from the rule
//! catalogue, so ids stay stable between runs), one result per finding with a physical location relative to the
//! current directory, columns in Unicode code points, and a
//! `partialFingerprints` entry that does not depend on line numbers, so a
//! finding keeps its identity when lines move above it.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Report;
use crate::finding::{Finding, RuleInfo, Scope, Severity};
use crate::rules;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const FINGERPRINT_KEY: &str = "mzPresyncFinding/v1";

pub fn render(report: Report<'_>) -> String {
    let rules: Vec<Value> = validate_rules()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": rule_name(rule.id),
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.docs},
                "help": {"text": format!("{}\n\nRun `mz-presync explain {}` for this text offline.", rule.docs, rule.id)},
                "defaultConfiguration": {"level": level(rule.severity)},
            })
        })
        .collect();
    let results: Vec<Value> = report.findings.iter().map(result).collect();
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mz-presync",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/MaterializeInc/materialize",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            // SARIF's property bag for what the run assumed: the operator
            // model every verdict of the run follows.
            "properties": {"operator": report.operator},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The directory mz-presync ran in."}}},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

fn result(finding: &Finding) -> Value {
    let rule_index = validate_rules().position(|r| finding.rule == r.id);
    let mut region = json!({
        "startLine": finding.line().max(1),
        "startColumn": finding.column().max(1),
    });
    if finding.end_line() >= finding.line() && finding.end_line() > 0 {
        region["endLine"] = json!(finding.end_line());
        let end_column = if finding.end_line() == finding.line() {
            finding.end_column().max(finding.column()).max(1)
        } else {
            finding.end_column().max(1)
        };
        region["endColumn"] = json!(end_column);
    }
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": artifact(finding.file()),
            "region": region,
        },
    });
    if let Some(resource) = &finding.resource {
        location["logicalLocations"] = json!([{
            "fullyQualifiedName": format!("{}/{}", resource.api_version, resource.display_name()),
            "kind": "object",
        }]);
    }
    let mut message = finding.message.clone();
    if !finding.pointer().is_empty() {
        message.push_str(&format!(" (at {})", finding.pointer()));
    }
    let mut result = json!({
        "ruleId": finding.rule,
        "level": level(finding.severity),
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
    });
    if let Some(unit) = super::named_unit(finding) {
        result["properties"] = json!({"unit": unit});
    }
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    result
}

/// The rules listed in `tool.driver.rules`, whose positions are the
/// results' `ruleIndex`.
fn validate_rules() -> impl Iterator<Item = &'static RuleInfo> {
    rules::of(Scope::Validate)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// `unknown-field` → `UnknownField`, the form SARIF viewers show as a name.
fn rule_name(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn artifact(file: &str) -> Value {
    if file.starts_with('/') {
        return json!({"uri": format!("file://{}", encode_uri_path(file))});
    }
    json!({"uri": encode_uri_path(file), "uriBaseId": "%SRCROOT%"})
}

/// Percent-encode what may not appear in a URI path.
fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'/' | b'-'
                    | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Identity of a finding across runs: rule, file, pointer and resource,
/// not the line (which moves when lines are added above).
fn fingerprint(finding: &Finding) -> String {
    let mut hasher = Sha256::new();
    for part in [
        finding.rule.id(),
        finding.file(),
        finding.pointer(),
        &finding
            .resource
            .as_ref()
            .map(|r| r.display_name())
            .unwrap_or_default(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_and_names() {
        assert_eq!(encode_uri_path("a dir/x#1.yaml"), "a%20dir/x%231.yaml");
        assert_eq!(rule_name("unknown-field"), "UnknownField");
        assert_eq!(artifact("/tmp/a b.yaml")["uri"], "file:///tmp/a%20b.yaml");
    }
}
