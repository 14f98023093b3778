//! The single-object entry point: run every object rule on one Materialize
//! object, then locate and filter what they found.

use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::quick_locate::quick_locate;
use super::{
    deprecated_field, deprecated_version, downtime_strategy, empty_required, force_promote,
    invalid_duration, pruned_null, schema, suppress, unserved_version, yaml11_scalar,
};
use crate::crd::{self, Algorithm, Operator, Version};
use crate::finding::{Finding, Location, ResourceRef, Rule, RuleInfo, Severity, Span};
use crate::source::{DocumentIndex, DocumentSpan, SourceFile, Target, parse_pointer};

/// Options that change what the rules report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// `--strict`: unknown fields are errors, not warnings.
    pub strict: bool,
    /// `--require-version`: objects older than this are errors
    /// (`deprecated-version`), and this is the version `migrate` is said to
    /// convert them to (default v1alpha2).
    pub require_version: Option<Version>,
    /// `--algorithm`: the rollout hash algorithm for hash comparisons. `None`
    /// uses the algorithm that matches the object's own version (v1 → v1,
    /// otherwise v1alpha2).
    pub algorithm: Option<Algorithm>,
    /// The object is a kustomize patch (a partial object): required fields
    /// are not required, and rules that need the whole object are skipped.
    pub partial: bool,
    /// The operator model whose semantics the rules follow.
    pub operator: Operator,
}

/// What a rule found, before it has a place in a file. `pointer` is relative
/// to the object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    pub rule: Rule,
    pub severity: Severity,
    pub pointer: String,
    pub target: Target,
    pub message: String,
}

impl Hit {
    pub fn new(
        rule: &'static RuleInfo,
        pointer: impl Into<String>,
        target: Target,
        message: String,
    ) -> Hit {
        Hit {
            rule: Rule::new(rule),
            severity: rule.severity,
            pointer: pointer.into(),
            target,
            message,
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Hit {
        self.severity = severity;
        self
    }
}

/// The object a rule looks at, with its version already known.
pub(crate) struct Subject<'a> {
    pub object: &'a Value,
    pub version: Version,
    pub options: &'a CheckOptions,
}

impl Subject<'_> {
    pub fn spec(&self) -> Option<&Map<String, Value>> {
        self.object.get("spec").and_then(Value::as_object)
    }

    /// The algorithm hashes are compared with (see [`CheckOptions::algorithm`]).
    /// The released operator hashes every version with the v1 algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.options
            .algorithm
            .unwrap_or(match self.options.operator {
                Operator::Design => self.version.algorithm(),
                Operator::Released => Operator::Released.algorithm(),
            })
    }
}

/// Run every single-object rule on `object`, a value found at JSON pointer
/// `prefix` (`""`, or `/items/N` inside a `List`) of document `doc` of
/// `file`, and return its findings located in the file (1-based line and
/// column of the key or value each finding is about), with suppressions
/// applied. Objects that are not `materialize.cloud` `Materialize` give
/// nothing. Cross-object rules (`duplicate-resource`) and file rules
/// (`yaml-syntax`, `template-skipped`) are not run here.
///
/// The document's syntax tree is built only when there is something to
/// locate, so a clean object costs a schema validation and a typed read.
pub fn check_object(
    file: &SourceFile,
    doc: &DocumentSpan,
    prefix: &str,
    object: &Value,
    options: &CheckOptions,
) -> Vec<Finding> {
    let hits = object_hits(object, options);
    if hits.is_empty() {
        return Vec::new();
    }
    let ignored = suppress::annotation_rules(object);
    let hits: Vec<Hit> = hits
        .into_iter()
        .filter(|hit| !(ignored.iter().any(|r| hit.rule == r.as_str()) && hit.rule.suppressible))
        .collect();
    if hits.is_empty() {
        return Vec::new();
    }
    // The object is the document's root unless it is a `List` item; only
    // then can the quick locator compare its findings with the text.
    let root = prefix.is_empty().then_some(object);
    let mut locator = Locator::new(file, doc, root);
    let resource = ResourceRef::of(object);
    // A YAML 1.1 reading only matters for a value written without quotes:
    // its text is then exactly the string.
    let hits: Vec<Hit> = hits
        .into_iter()
        .filter(|hit| {
            hit.rule != Rule::new(&yaml11_scalar::RULE)
                || locator
                    .value_text(&format!("{prefix}{}", hit.pointer))
                    .is_some_and(|text| {
                        Some(text) == object.pointer(&hit.pointer).and_then(Value::as_str)
                    })
        })
        .collect();
    hits.into_iter()
        .map(|hit| {
            locator.finding(FindingDraft {
                rule: hit.rule,
                severity: hit.severity,
                pointer: format!("{prefix}{}", hit.pointer),
                target: hit.target,
                message: hit.message,
                resource: Some(resource.clone()),
            })
        })
        .filter(|finding| !suppress::suppressed_by_comment(file, finding))
        .collect()
}

/// The rules' raw output for one object (no locations, no suppressions).
pub(crate) fn object_hits(object: &Value, options: &CheckOptions) -> Vec<Hit> {
    if !crd::is_materialize(object) {
        return Vec::new();
    }
    let Some(version) = crd::version_of(object) else {
        return schema::unknown_version(object);
    };
    // The rules judge what the API server stores (spec §3a), as the
    // operator does.
    let admitted = crd::admission::admit(object);
    let subject = Subject {
        object: admitted.object.as_ref(),
        version,
        options,
    };
    let mut hits = Vec::new();
    pruned_null::check(&admitted.pruned, &mut hits);
    schema::check(&subject, &mut hits);
    unserved_version::check(&subject, &mut hits);
    deprecated_version::check(&subject, &mut hits);
    deprecated_field::check(&subject, &mut hits);
    force_promote::check(&subject, &mut hits);
    downtime_strategy::check(&subject, &mut hits);
    invalid_duration::check(&subject, &mut hits);
    empty_required::check(&subject, &mut hits);
    yaml11_scalar::check(&subject, &mut hits);
    hits
}

/// A finding that still needs its place in the file.
pub(crate) struct FindingDraft {
    pub rule: Rule,
    pub severity: Severity,
    /// Pointer from the document root.
    pub pointer: String,
    pub target: Target,
    pub message: String,
    pub resource: Option<ResourceRef>,
}

/// Places findings in one document: by scanning lines when the pointer
/// allows it, else with the document's syntax tree, built on first need.
pub(crate) struct Locator<'f> {
    file: &'f SourceFile,
    doc: &'f DocumentSpan,
    root: Option<&'f Value>,
    index: Option<DocumentIndex<'f>>,
}

impl<'f> Locator<'f> {
    /// `root` is the document's parsed value, when the caller has it.
    pub fn new(file: &'f SourceFile, doc: &'f DocumentSpan, root: Option<&'f Value>) -> Self {
        Locator {
            file,
            doc,
            root,
            index: None,
        }
    }

    pub fn finding(&mut self, draft: FindingDraft) -> Finding {
        let mut location = Location::pointer(
            self.file.display.clone(),
            self.doc.index,
            draft.pointer,
            draft.target,
        );
        location.resolve(|pointer, target| self.locate(pointer, target));
        Finding {
            rule: draft.rule,
            severity: draft.severity,
            location,
            message: draft.message,
            resource: draft.resource,
            unit: None,
        }
    }

    /// The source text of the value at `pointer` (from the document root),
    /// when the syntax tree has exactly that node.
    pub fn value_text(&mut self, pointer: &str) -> Option<&'f str> {
        let (file, doc) = (self.file, self.doc);
        let index = self
            .index
            .get_or_insert_with(|| DocumentIndex::new(file, doc));
        let located = index.locate(pointer, Target::Value)?;
        if !located.exact {
            return None;
        }
        file.text.get(located.span.start..located.span.end)
    }

    fn locate(&mut self, pointer: &str, target: Target) -> Span {
        if let Some(root) = self.root
            && let Some((start, end)) = quick_locate(self.file, self.doc, pointer, target, root)
        {
            return Span { start, end };
        }
        let (file, doc) = (self.file, self.doc);
        let index = self
            .index
            .get_or_insert_with(|| DocumentIndex::new(file, doc));
        match index.locate(pointer, target) {
            Some(located) => Span {
                start: located.start,
                end: located.end,
            },
            None => {
                let start = file.position(doc.content_start.min(doc.range.end));
                Span { start, end: start }
            }
        }
    }
}

/// A pointer as users read a field: `/spec/env/0/name` → `spec.env[0].name`.
pub(crate) fn field_path(pointer: &str) -> String {
    let Some(tokens) = parse_pointer(pointer) else {
        return pointer.to_owned();
    };
    if tokens.is_empty() {
        return "the object".to_owned();
    }
    let mut out = String::new();
    for token in tokens {
        let plain = !token.is_empty()
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if token.bytes().all(|b| b.is_ascii_digit()) && !token.is_empty() && !out.is_empty() {
            out.push_str(&format!("[{token}]"));
        } else if plain {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        } else {
            out.push_str(&format!("[{token:?}]"));
        }
    }
    out
}

/// Append one token to a pointer.
pub(crate) fn child_pointer(parent: &str, key: &str) -> String {
    format!("{parent}/{}", crate::source::escape_pointer_token(key))
}

/// The embedded JSON schema of a version, parsed once (for lookups such as
/// "which fields exist here?").
pub(crate) fn schema_document(version: Version) -> &'static Value {
    static SCHEMAS: [OnceLock<Value>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let index = Version::ALL
        .iter()
        .position(|v| *v == version)
        .unwrap_or_default();
    SCHEMAS[index].get_or_init(|| {
        serde_json::from_str(crd::schema::embedded_json_schema(version)).unwrap_or(Value::Null)
    })
}

/// The schema node describing the value at `pointer` of an object.
pub(crate) fn schema_node(version: Version, pointer: &str) -> Option<&'static Value> {
    let mut node = schema_document(version);
    for token in parse_pointer(pointer)? {
        node = if let Some(sub) = node.pointer(&format!(
            "/properties/{}",
            crate::source::escape_pointer_token(&token)
        )) {
            sub
        } else if let Some(items) = node.get("items").filter(|_| token.parse::<usize>().is_ok()) {
            items
        } else {
            node.get("additionalProperties").filter(|v| v.is_object())?
        };
    }
    Some(node)
}

/// How a value reads to someone looking at YAML.
pub(crate) fn describe_value(value: &Value) -> String {
    match value {
        Value::Null => "null (an empty value)".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {}", quote(s)),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

/// A string in double quotes, shortened when long.
pub(crate) fn quote(text: &str) -> String {
    const MAX: usize = 80;
    if text.chars().count() > MAX {
        let short: String = text.chars().take(MAX).collect();
        format!("{:?}…", short)
    } else {
        format!("{text:?}")
    }
}

/// The closest name to `wanted` among `candidates`, for "did you mean".
/// Case-insensitive; at most a quarter of the name may differ (1 to 3
/// edits).
pub(crate) fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted: Vec<char> = wanted.chars().flat_map(char::to_lowercase).collect();
    let limit = (wanted.len() / 4).clamp(1, 3);
    let mut row = Vec::new();
    candidates
        .into_iter()
        .filter_map(|candidate| {
            // Most candidates differ in length by more than the limit, and
            // then their distance does too: skip the table.
            if candidate.len().abs_diff(wanted.len()) > limit + 2 {
                return None;
            }
            let lower: Vec<char> = candidate.chars().flat_map(char::to_lowercase).collect();
            if lower.len().abs_diff(wanted.len()) > limit {
                return None;
            }
            let distance = edit_distance(&wanted, &lower, &mut row);
            (distance <= limit).then_some((distance, candidate))
        })
        .min()
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &[char], b: &[char], row: &mut Vec<usize>) -> usize {
    row.clear();
    row.extend(0..=b.len());
    for (i, ca) in a.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_read_like_yaml() {
        assert_eq!(
            field_path("/spec/environmentdExtraEnv/0/name"),
            "spec.environmentdExtraEnv[0].name"
        );
        assert_eq!(
            field_path("/spec/serviceAccountAnnotations/eks.amazonaws.com~1role-arn"),
            "spec.serviceAccountAnnotations[\"eks.amazonaws.com/role-arn\"]"
        );
        assert_eq!(field_path(""), "the object");
    }

    #[test]
    fn closest_names() {
        let names = [
            "environmentdImageRef",
            "backendSecretName",
            "rolloutStrategy",
        ];
        assert_eq!(
            closest("enviromentdImageRef", names),
            Some("environmentdImageRef")
        );
        assert_eq!(closest("rolloutstrategy", names), Some("rolloutStrategy"));
        assert_eq!(closest("somethingElse", names), None);
    }

    #[test]
    fn schema_nodes_follow_items_and_maps() {
        let node = schema_node(Version::V1alpha2, "/spec/environmentdExtraEnv/3").unwrap();
        assert!(node.pointer("/properties/valueFrom").is_some());
        let node = schema_node(Version::V1, "/spec/podLabels/app").unwrap();
        assert_eq!(node["type"], "string");
        assert!(schema_node(Version::V1, "/spec/nope").is_none());
    }
}
