//! The stable machine format (version 1): the [`History`] as documented.
//! The shape (key names and order) is this file's: the history's own types
//! are not serialized directly, so a finding can be the one model every
//! command shares while the report keeps its version-1 fields.

use serde::Serialize;

use crate::crd::verdict::Restart;
use crate::crd::{Algorithm, Operator};
use crate::finding::{Finding, Rule, Severity};
use crate::history::rendered::RenderedBy;
use crate::history::{
    ApiVersionChange, Change, ChangeKind, CommitChanges, History, NetKind, NetResource,
};
use crate::source::units::UnitRef;

pub fn render(history: &History) -> String {
    let mut out = Vec::new();
    write(history, &mut out).expect("the history serializes");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// [`render`] into `out` as it serializes: the whole history's report is
/// tens of megabytes, not worth holding in memory before stdout.
pub fn write(history: &History, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let report = Report {
        version: history.version,
        operator: history.operator,
        algorithm: history.algorithm,
        range: &history.range,
        base: history.net.as_ref().and_then(|net| net.base.as_deref()),
        head: history.net.as_ref().map(|net| net.head.as_str()),
        shallow_boundary: &history.shallow_boundary,
        commits: history.commits.iter().map(Commit::of).collect(),
        resources: history.net.as_ref().map(|_| {
            history
                .resources
                .iter()
                .map(|resource| ResourceJson::of(history, resource))
                .collect()
        }),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    operator: Operator,
    algorithm: Algorithm,
    range: &'a str,
    /// What `resources` compares: the range's base (its merge base; for a
    /// single revision none, or a shallow clone's boundary) and head.
    base: Option<&'a str>,
    head: Option<&'a str>,
    shallow_boundary: &'a [String],
    commits: Vec<Commit<'a>>,
    resources: Option<Vec<ResourceJson<'a>>>,
}

/// The net verdict of the range on one (unit, namespace, name).
#[derive(Serialize)]
struct ResourceJson<'a> {
    unit: &'a UnitRef,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
    /// The unit-qualified name reports and the Action's outputs use
    /// (`UNIT:NAMESPACE/NAME`), so that no consumer spells it again.
    resource: String,
    file: &'a str,
    change: NetKind,
    rollout: bool,
    restart: Restart,
    pending: bool,
    old_hash: Option<&'a str>,
    new_hash: Option<&'a str>,
    fields: &'a [String],
    commits: Vec<&'a str>,
}

impl<'a> ResourceJson<'a> {
    fn of(history: &'a History, resource: &'a NetResource) -> Self {
        let net = history
            .net
            .as_ref()
            .and_then(|net| resource.net_change(net));
        let mut commits: Vec<&str> = Vec::new();
        for (commit, _) in resource.commit_changes(&history.commits) {
            if commits.last() != Some(&commit.commit.as_str()) {
                commits.push(&commit.commit);
            }
        }
        let mut changes = resource.commit_changes(&history.commits).map(|(_, c)| c);
        let first = changes.next();
        let last = changes.last().or(first);
        // Unchanged: the hashes the commits started from and ended at
        // (equal when they reverted a change).
        let (old_hash, new_hash) = match net {
            Some(change) => (change.old_hash.as_deref(), change.new_hash.as_deref()),
            None => (
                first.and_then(|c| c.old_hash.as_deref()),
                last.and_then(|c| c.new_hash.as_deref()),
            ),
        };
        ResourceJson {
            unit: &resource.unit,
            namespace: resource.namespace.as_deref(),
            name: resource.name.as_deref(),
            resource: resource.qualified_name(),
            file: &resource.file,
            change: resource.change,
            rollout: net.is_some_and(|c| c.rollout),
            restart: net.map_or(Restart::No, |c| c.restart),
            pending: net.is_some_and(|c| c.pending),
            old_hash,
            new_hash,
            fields: net.map_or(&[][..], |c| &c.fields),
            commits,
        }
    }
}

#[derive(Serialize)]
struct Commit<'a> {
    commit: &'a str,
    parents: &'a [String],
    summary: &'a str,
    author: &'a str,
    time: &'a str,
    changes: Vec<ChangeJson<'a>>,
}

impl<'a> Commit<'a> {
    fn of(commit: &'a CommitChanges) -> Self {
        Commit {
            commit: &commit.commit,
            parents: &commit.parents,
            summary: &commit.summary,
            author: &commit.author,
            time: &commit.time,
            changes: commit.changes.iter().map(ChangeJson::of).collect(),
        }
    }
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    unit: &'a UnitRef,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
    file: &'a str,
    change: ChangeKind,
    rollout: bool,
    restart: Restart,
    pending: bool,
    old_hash: Option<&'a str>,
    new_hash: Option<&'a str>,
    api_version: &'a ApiVersionChange,
    fields: &'a [String],
    findings: Vec<FindingJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kustomize_patch: Option<&'a str>,
    /// `kustomize` or `helm`: the change is to the unit's rendered output.
    #[serde(skip_serializing_if = "Option::is_none")]
    rendered: Option<RenderedBy>,
}

impl<'a> ChangeJson<'a> {
    fn of(change: &'a Change) -> Self {
        ChangeJson {
            unit: &change.unit,
            namespace: change.namespace.as_deref(),
            name: change.name.as_deref(),
            file: &change.file,
            change: change.change,
            rollout: change.rollout,
            restart: change.restart,
            pending: change.pending,
            old_hash: change.old_hash.as_deref(),
            new_hash: change.new_hash.as_deref(),
            api_version: &change.api_version,
            fields: &change.fields,
            findings: change
                .findings
                .iter()
                .map(|finding| FindingJson::of(finding, &change.unit))
                .collect(),
            kustomize_patch: change.kustomize_patch.as_deref(),
            rendered: change.rendered,
        }
    }
}

/// A finding on a change: the file is the change's; `pointer` is inside
/// the document (prefixed with `/items/N` for an item of a `List`).
#[derive(Serialize)]
struct FindingJson<'a> {
    rule: Rule,
    severity: Severity,
    message: &'a str,
    pointer: &'a str,
    line: usize,
    column: usize,
    /// The change's unit, as `validate`'s findings carry theirs.
    unit: &'a UnitRef,
}

impl<'a> FindingJson<'a> {
    fn of(finding: &'a Finding, unit: &'a UnitRef) -> Self {
        FindingJson {
            unit,
            rule: finding.rule,
            severity: finding.severity,
            message: &finding.message,
            pointer: finding.pointer(),
            line: finding.line(),
            column: finding.column(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::Algorithm;
    use crate::history::units::ScanUnit;
    use crate::history::{ApiVersionChange, Change, ChangeKind, CommitChanges};

    #[test]
    fn key_order_and_names_follow_the_documented_format() {
        let history = History {
            version: 1,
            operator: Operator::Design,
            algorithm: Algorithm::V1alpha2,
            range: "A..B".into(),
            commits: vec![CommitChanges {
                commit: "c".repeat(40),
                parents: vec!["p".repeat(40)],
                summary: "bump".into(),
                author: "A <a@example.com>".into(),
                time: "2026-11-25T10:00:00Z".into(),
                changes: vec![Change {
                    unit: ScanUnit::directory_of("clusters/prod/mz.yaml").reference,
                    namespace: Some("prod".into()),
                    name: Some("mz".into()),
                    file: "clusters/prod/mz.yaml".into(),
                    change: ChangeKind::Updated,
                    rollout: true,
                    restart: Restart::Yes,
                    pending: false,
                    old_hash: Some("a".repeat(64)),
                    new_hash: Some("b".repeat(64)),
                    api_version: ApiVersionChange {
                        from: Some("materialize.cloud/v1alpha1".into()),
                        to: Some("materialize.cloud/v1alpha1".into()),
                    },
                    fields: vec!["/spec/environmentdImageRef".into()],
                    per_generation: vec!["/spec/environmentdImageRef".into()],
                    findings: vec![],
                    position: None,
                    best_effort: false,
                    kustomize_patch: None,
                    rendered: None,
                }],
            }],
            scanned_commits: 1,
            shallow_boundary: Vec::new(),
            net: None,
            resources: Vec::new(),
            render: None,
        };
        let value: serde_json::Value = serde_json::from_str(&render(&history)).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            keys.sort();
            keys
        };
        assert_eq!(
            keys(&value),
            [
                "algorithm",
                "base",
                "commits",
                "head",
                "operator",
                "range",
                "resources",
                "shallow_boundary",
                "version"
            ]
        );
        // Without the net (no base to compare with), `resources` is null.
        assert_eq!(value["resources"], serde_json::Value::Null);
        let commit = &value["commits"][0];
        assert_eq!(
            keys(commit),
            ["author", "changes", "commit", "parents", "summary", "time"]
        );
        let change = &commit["changes"][0];
        assert_eq!(
            keys(change),
            [
                "api_version",
                "change",
                "fields",
                "file",
                "findings",
                "name",
                "namespace",
                "new_hash",
                "old_hash",
                "pending",
                "restart",
                "rollout",
                "unit"
            ]
        );
        assert_eq!(
            change["unit"],
            serde_json::json!({"kind": "directory", "name": "clusters/prod", "path": "clusters/prod"})
        );
        // The written order is part of the format: the new keys follow
        // `rollout`, `operator` follows `version`.
        let text = render(&history);
        let at = |key: &str| text.find(&format!("\"{key}\"")).unwrap();
        assert!(at("version") < at("operator") && at("operator") < at("algorithm"));
        assert!(at("rollout") < at("restart") && at("restart") < at("pending"));
        assert!(at("pending") < at("old_hash"));
        assert!(at("unit") < at("namespace"));
        assert!(at("commits") < at("resources"));
        assert_eq!(change["change"], "updated");
        assert_eq!(change["restart"], "yes");
        assert_eq!(value["algorithm"], "v1alpha2");
        assert_eq!(value["operator"], "design");
    }
}
