//! Old side vs new side of one tree diff → changes: pair the resources
//! ([`super::pairing`]), build each pair's change ([`super::change`]), and
//! report files that stopped parsing where they may hide a resource. The
//! changes come out in a fixed order (path, document, place in it).

use std::collections::HashSet;

use super::Change;
use super::change::{created, deleted, unknown_resource, unreadable_update, updated};
use super::pairing::{SortKey, pair};
use crate::crd::{Algorithm, Operator};
use crate::finding::Severity;

pub use super::pairing::Side;

#[derive(Clone, Copy, Debug, Default)]
pub struct CompareOptions {
    /// Locate each rollout's first changed field in the new text (for
    /// annotations). Costs a syntax tree per rollout.
    pub locate_changes: bool,
    /// The hash algorithm, for the single-object checks that compare hashes.
    pub algorithm: Algorithm,
    /// The operator model that decides rollout requests and restarts.
    pub operator: Operator,
    /// Only the verdicts (rollout, restart, hashes, fields): no findings
    /// and no positions. The net of a range needs no more (its findings
    /// are the commits'), and a single revision's net creates every
    /// resource of the head.
    pub verdicts_only: bool,
}

/// Compare the resources of the old and new sides of a diff.
pub fn compare(old: &[Side<'_>], new: &[Side<'_>], options: &CompareOptions) -> Vec<Change> {
    let pairing = pair(old, new);
    let (old_entries, new_entries) = (&pairing.old, &pairing.new);
    let mut changes: Vec<(SortKey, Change)> = Vec::new();
    for &(i, j) in &pairing.pairs {
        let (before, after) = (&old_entries[i], &new_entries[j]);
        if let Some(change) = updated(before, after, options) {
            changes.push((after.sort_key(), change));
        }
    }
    let mut pinned_problems: HashSet<(&str, usize)> = HashSet::new();
    for &i in &pairing.unmatched_old {
        let before = &old_entries[i];
        let problem = new
            .iter()
            .filter(|side| side.path == before.path)
            .flat_map(|side| side.blob.problems.iter().enumerate())
            .min_by_key(|(_, problem)| !problem.mentions_materialize);
        let change = match problem {
            Some((k, problem)) => {
                pinned_problems.insert((before.path, k));
                unreadable_update(before, problem)
            }
            None => deleted(before, options),
        };
        changes.push((before.sort_key(), change));
    }
    for &j in &pairing.unmatched_new {
        let after = &new_entries[j];
        changes.push((after.sort_key(), created(after, options)));
    }
    for side in new {
        for (k, problem) in side.blob.problems.iter().enumerate() {
            let already_broken = old.iter().filter(|o| o.path == side.path).any(|o| {
                o.blob.problems.iter().any(|p| {
                    p.finding.rule == problem.finding.rule
                        && p.finding.message == problem.finding.message
                })
            });
            if !problem.mentions_materialize
                || pinned_problems.contains(&(side.path, k))
                || already_broken
                || problem.finding.severity != Severity::Error
            {
                continue;
            }
            let Some(unit) = side.units.first() else {
                continue;
            };
            let key = (
                side.path.to_owned(),
                usize::MAX,
                String::new(),
                unit.reference.clone(),
            );
            changes.push((key, unknown_resource(side.path, &unit.reference, problem)));
        }
    }
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    changes.into_iter().map(|(_, change)| change).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::resources::{ParsedBlob, parse_blob};
    use crate::history::units::ScanUnit;
    use crate::history::{ApiVersionChange, ChangeKind};

    const UPGRADE_WINDOW: &str = "upgrade-window";
    const ENVIRONMENT_ID_CHANGED: &str = "environment-id-changed";
    const DOWNTIME_STRATEGY: &str = "downtime-strategy";

    const BASE: &str = "apiVersion: materialize.cloud/v1alpha1
kind: Materialize
metadata:
  name: mz
  namespace: prod
  labels: {team: data}
spec:
  environmentdImageRef: materialize/environmentd:v0.147.20
  backendSecretName: mz-backend
  environmentId: 2c7b1d39-7a3e-4d6c-9a43-2b0c8e8a5f11
  balancerdReplicas: 2
  requestRollout: 11111111-1111-4111-8111-111111111111
";

    fn blob(text: &str) -> ParsedBlob {
        parse_blob(
            "clusters/prod/mz.yaml",
            text.as_bytes().to_vec(),
            Algorithm::V1alpha2,
        )
    }

    fn diff(old: &[(&str, &str)], new: &[(&str, &str)]) -> Vec<Change> {
        let old_blobs: Vec<(&str, ParsedBlob)> = old.iter().map(|(p, t)| (*p, blob(t))).collect();
        let new_blobs: Vec<(&str, ParsedBlob)> = new.iter().map(|(p, t)| (*p, blob(t))).collect();
        let old_sides: Vec<Side> = old_blobs
            .iter()
            .map(|(path, blob)| Side {
                path,
                blob,
                patch_of: None,
                units: std::slice::from_ref(unit()),
            })
            .collect();
        let new_sides: Vec<Side> = new_blobs
            .iter()
            .map(|(path, blob)| Side {
                path,
                blob,
                patch_of: None,
                units: std::slice::from_ref(unit()),
            })
            .collect();
        compare(&old_sides, &new_sides, &CompareOptions::default())
    }

    const PATH: &str = "clusters/prod/mz.yaml";

    /// One unit for every file: these tests are about versions, not units.
    fn unit() -> &'static ScanUnit {
        static UNIT: std::sync::OnceLock<ScanUnit> = std::sync::OnceLock::new();
        UNIT.get_or_init(|| ScanUnit::directory_of(PATH))
    }

    #[test]
    fn excluded_fields_change_nothing_that_rolls_out() {
        let new = BASE
            .replace(
                "balancerdReplicas: 2",
                "balancerdReplicas: 3\n  forcePromote: 22222222-2222-4222-8222-222222222222",
            )
            .replace("{team: data}", "{team: platform}");
        let changes = diff(&[(PATH, BASE)], &[(PATH, &new)]);
        assert_eq!(changes.len(), 1);
        let change = &changes[0];
        assert_eq!(change.change, ChangeKind::Updated);
        assert!(!change.rollout);
        assert!(change.fields.is_empty());
        assert_eq!(change.old_hash, change.new_hash);
    }

    #[test]
    fn formatting_only_is_no_change() {
        let new = format!(
            "# a comment\n{}",
            BASE.replace("{team: data}", "\n    team: data")
        );
        assert!(diff(&[(PATH, BASE)], &[(PATH, &new)]).is_empty());
    }

    #[test]
    fn image_change_names_the_field_and_checks_the_window() {
        let new = BASE.replace("v0.147.20", "v26.0.0");
        let changes = diff(&[(PATH, BASE)], &[(PATH, &new)]);
        assert!(changes[0].rollout);
        assert_eq!(changes[0].fields, ["/spec/environmentdImageRef"]);
        assert!(changes[0].findings.is_empty());
        let back = diff(&[(PATH, &new)], &[(PATH, BASE)]);
        let finding = &back[0].findings[0];
        assert_eq!(finding.rule, UPGRADE_WINDOW);
        assert_eq!(finding.severity, Severity::Error);
        assert_eq!((finding.line(), finding.column()), (8, 25));
        assert_eq!(finding.pointer(), "/spec/environmentdImageRef");
    }

    #[test]
    fn uuid_spelling_is_not_a_field_change_but_a_new_id_is() {
        let upper = BASE.replace(
            "2c7b1d39-7a3e-4d6c-9a43-2b0c8e8a5f11",
            "2C7B1D39-7A3E-4D6C-9A43-2B0C8E8A5F11",
        );
        let changes = diff(&[(PATH, BASE)], &[(PATH, &upper)]);
        assert!(!changes[0].rollout);
        assert!(changes[0].findings.is_empty());
        let other = BASE.replace(
            "2c7b1d39-7a3e-4d6c-9a43-2b0c8e8a5f11",
            "9f0e7c7e-4a41-4a7b-8a7d-7f6f0f3c2d10",
        );
        let changes = diff(&[(PATH, BASE)], &[(PATH, &other)]);
        assert!(changes[0].rollout);
        assert_eq!(changes[0].fields, ["/spec/environmentId"]);
        assert_eq!(changes[0].findings[0].rule, ENVIRONMENT_ID_CHANGED);
        assert_eq!(changes[0].findings[0].line(), 10);
    }

    #[test]
    fn force_rollout_annotation_is_a_field() {
        let new = BASE.replace(
            "  labels: {team: data}",
            "  labels: {team: data}\n  annotations:\n    materialize.cloud/force-rollout: \"1\"",
        );
        let changes = diff(&[(PATH, BASE)], &[(PATH, &new)]);
        assert!(changes[0].rollout);
        assert_eq!(
            changes[0].fields,
            ["/metadata/annotations/materialize.cloud~1force-rollout"]
        );
    }

    #[test]
    fn moving_a_resource_between_files_is_no_change() {
        let other = "clusters/prod/other.yaml";
        assert!(diff(&[(PATH, BASE)], &[(other, BASE)]).is_empty());
        let no_namespace = BASE.replace("  namespace: prod\n", "");
        assert!(diff(&[(PATH, &no_namespace)], &[(other, &no_namespace)]).is_empty());
    }

    #[test]
    fn created_and_deleted() {
        let changes = diff(&[], &[(PATH, BASE)]);
        assert_eq!(
            (changes[0].change, changes[0].rollout),
            (ChangeKind::Created, true)
        );
        let changes = diff(&[(PATH, BASE)], &[]);
        assert_eq!(
            (changes[0].change, changes[0].rollout),
            (ChangeKind::Deleted, false)
        );
        assert_eq!(
            changes[0].api_version,
            ApiVersionChange {
                from: Some("materialize.cloud/v1alpha1".into()),
                to: None
            }
        );
    }

    #[test]
    fn a_file_that_stops_parsing_is_not_a_deletion() {
        let broken = format!("{BASE}  podLabels: [\n");
        let changes = diff(&[(PATH, BASE)], &[(PATH, &broken)]);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].change, ChangeKind::Updated);
        assert_eq!(changes[0].new_hash, None);
        assert_eq!(changes[0].findings[0].rule, "yaml-syntax");
        assert!(!changes[0].rollout);
    }

    #[test]
    fn a_new_unparsable_materialize_file_is_reported() {
        let changes = diff(&[], &[(PATH, "kind: Materialize\nspec: [\n")]);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].name, None);
        assert!(changes[0].has_errors());
    }

    #[test]
    fn unreadable_new_version_has_no_hash_and_an_error() {
        let new = BASE.replace("balancerdReplicas: 2", "rolloutStrategy: Bogus");
        let changes = diff(&[(PATH, BASE)], &[(PATH, &new)]);
        let change = &changes[0];
        assert!(!change.rollout);
        assert_eq!(change.new_hash, None);
        assert_eq!(change.fields, ["/spec/rolloutStrategy"]);
        assert_eq!(change.findings[0].rule, "schema");
        assert_eq!(change.findings[0].pointer(), "/spec/rolloutStrategy");
    }

    #[test]
    fn downtime_strategy_warns_on_rollouts_only() {
        let base = BASE.replace(
            "balancerdReplicas: 2",
            "rolloutStrategy: ImmediatelyPromoteCausingDowntime",
        );
        let bump = base.replace("v0.147.20", "v0.147.21");
        let changes = diff(&[(PATH, &base)], &[(PATH, &bump)]);
        assert_eq!(changes[0].findings[0].rule, DOWNTIME_STRATEGY);
        let labels_only = base.replace("{team: data}", "{team: x}");
        assert!(
            diff(&[(PATH, &base)], &[(PATH, &labels_only)])[0]
                .findings
                .is_empty()
        );
    }

    const PATCH_V26_2: &str = "apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: prod
spec:
  environmentdImageRef: materialize/environmentd:v26.2.0
";

    /// Diff one file that `overlays/prod/kustomization.yaml` names as a patch.
    fn patch_diff(old: Option<&str>, new: Option<&str>) -> Vec<Change> {
        let kustomization = Some("overlays/prod/kustomization.yaml");
        let old_blob = old.map(blob);
        let new_blob = new.map(blob);
        fn sides<'a>(blob: &'a Option<ParsedBlob>, patch_of: Option<&'a str>) -> Vec<Side<'a>> {
            blob.iter()
                .map(|blob| Side {
                    path: "overlays/prod/mz-patch.yaml",
                    blob,
                    patch_of,
                    units: std::slice::from_ref(unit()),
                })
                .collect()
        }
        let (old_sides, new_sides) = (
            sides(&old_blob, kustomization),
            sides(&new_blob, kustomization),
        );
        compare(&old_sides, &new_sides, &CompareOptions::default())
    }

    fn rules(change: &Change) -> Vec<&str> {
        change.findings.iter().map(|f| f.rule.id()).collect()
    }

    #[test]
    fn a_patch_that_overrides_a_hashed_field_rolls_out_the_patched_resource() {
        let newer = PATCH_V26_2.replace("v26.2.0", "v26.3.0");
        let changes = patch_diff(Some(PATCH_V26_2), Some(&newer));
        assert_eq!(changes.len(), 1);
        let change = &changes[0];
        assert!(change.rollout);
        assert_eq!(change.fields, ["/spec/environmentdImageRef"]);
        assert_eq!((&change.old_hash, &change.new_hash), (&None, &None));
        assert_eq!(
            change.kustomize_patch.as_deref(),
            Some("overlays/prod/kustomization.yaml")
        );
        // Partial: no error for the required fields a patch leaves out.
        assert_eq!(rules(change), ["kustomize-patch"]);
        assert!(
            change.findings[0]
                .message
                .contains("kustomize build overlays/prod")
        );
        // The overridden image is the resource's: the upgrade window applies.
        let downgrade = PATCH_V26_2.replace("v26.2.0", "v26.1.0");
        let changes = patch_diff(Some(PATCH_V26_2), Some(&downgrade));
        assert_eq!(rules(&changes[0]), ["kustomize-patch", "upgrade-window"]);
        assert!(changes[0].has_errors());
    }

    #[test]
    fn a_patch_of_fields_outside_the_hash_rolls_out_nothing() {
        let with_replicas = format!("{PATCH_V26_2}  balancerdReplicas: 3\n");
        let more = with_replicas.replace("balancerdReplicas: 3", "balancerdReplicas: 4");
        let change = &patch_diff(Some(&with_replicas), Some(&more))[0];
        assert!(!change.rollout);
        assert!(change.fields.is_empty());
        assert!(
            change.findings[0]
                .message
                .contains("no field of the rollout hash")
        );
    }

    #[test]
    fn adding_or_removing_a_patch_with_hashed_fields_rolls_out() {
        let added = &patch_diff(None, Some(PATCH_V26_2))[0];
        assert_eq!(added.change, ChangeKind::Created);
        assert!(added.rollout);
        let removed = &patch_diff(Some(PATCH_V26_2), None)[0];
        assert_eq!(removed.change, ChangeKind::Deleted);
        assert!(removed.rollout, "its fields fall back to the base's");
        assert_eq!(removed.fields, ["/spec/environmentdImageRef"]);
        let replicas_only = PATCH_V26_2.replace(
            "environmentdImageRef: materialize/environmentd:v26.2.0",
            "balancerdReplicas: 3",
        );
        assert!(!patch_diff(None, Some(&replicas_only))[0].rollout);
    }
}
