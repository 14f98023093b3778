//! The stable machine format (version 1): the [`History`] as serialized.

use crate::history::History;

pub fn render(history: &History) -> String {
    let mut out = serde_json::to_string_pretty(history).expect("the history serializes");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::Algorithm;
    use crate::history::{ApiVersionChange, Change, ChangeKind, CommitChanges};

    #[test]
    fn key_order_and_names_follow_the_documented_format() {
        let history = History {
            version: 1,
            algorithm: Algorithm::V1alpha2,
            range: "A..B".into(),
            commits: vec![CommitChanges {
                commit: "c".repeat(40),
                parents: vec!["p".repeat(40)],
                summary: "bump".into(),
                author: "A <a@example.com>".into(),
                time: "2026-11-25T10:00:00Z".into(),
                changes: vec![Change {
                    namespace: Some("prod".into()),
                    name: Some("mz".into()),
                    file: "clusters/prod/mz.yaml".into(),
                    change: ChangeKind::Updated,
                    rollout: true,
                    old_hash: Some("a".repeat(64)),
                    new_hash: Some("b".repeat(64)),
                    api_version: ApiVersionChange {
                        from: Some("materialize.cloud/v1alpha1".into()),
                        to: Some("materialize.cloud/v1alpha1".into()),
                    },
                    fields: vec!["/spec/environmentdImageRef".into()],
                    findings: vec![],
                    position: None,
                    best_effort: false,
                    kustomize_patch: None,
                }],
            }],
            scanned_commits: 1,
            net: None,
        };
        let value: serde_json::Value = serde_json::from_str(&render(&history)).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            keys.sort();
            keys
        };
        assert_eq!(keys(&value), ["algorithm", "commits", "range", "version"]);
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
                "rollout"
            ]
        );
        assert_eq!(change["change"], "updated");
        assert_eq!(value["algorithm"], "v1alpha2");
    }
}
