//! Live-only inputs (spec §3a): what the operator hashes that no manifest
//! in git holds, read from `kubectl get materialize -o yaml|json`.
//!
//! The operator writes `spec.environmentId` once when a manifest leaves it
//! nil, and its node-upgrade watcher may set the force-rollout annotation;
//! both feed the hash, so the absolute hash of such a manifest differs from
//! the live one. Overlaying the live values onto the manifest gives the hash
//! the operator will compute for it, which is what a `forcePromote` must
//! equal. The live status says whether a rollout is in flight or changes
//! wait for approval (the next requested rollout restarts).

use serde::Serialize;
use serde_json::Value;

use super::common::{FORCE_ROLLOUT_ANNOTATION, is_materialize};
use super::fields::SpecField;

const NIL_UUID: &str = "00000000-0000-0000-0000-000000000000";

/// One live object, by namespace/name.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveObject {
    pub namespace: Option<String>,
    pub name: String,
    pub object: Value,
}

/// The Materialize objects of `kubectl get -o yaml|json` output: one
/// object, or a `List` of them. Other kinds are ignored.
pub fn live_objects(document: &Value) -> Vec<LiveObject> {
    let items: Vec<&Value> = match document.get("items").and_then(Value::as_array) {
        Some(items) if document.get("kind").and_then(Value::as_str) == Some("List") => {
            items.iter().collect()
        }
        _ => vec![document],
    };
    items
        .into_iter()
        .filter(|object| is_materialize(object))
        .filter_map(|object| {
            let name = object.pointer("/metadata/name")?.as_str()?.to_owned();
            let namespace = object
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .map(str::to_owned);
            Some(LiveObject {
                namespace,
                name,
                object: object.clone(),
            })
        })
        .collect()
}

/// What was taken from the live object, and what its status says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Overlay {
    /// The live `spec.environmentId`, when the manifest leaves it nil and
    /// the live one is set.
    pub environment_id: Option<String>,
    /// The live force-rollout annotation, when the manifest has none.
    pub force_rollout_annotation: Option<String>,
    pub status: LiveStatus,
}

/// The reading of the live status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveStatus {
    /// A rollout is requested and not yet complete.
    pub rollout_in_progress: bool,
    /// Changes wait for approval (`UpToDate` reason `WaitingForApproval`):
    /// the next requested rollout restarts the database.
    pub pending: bool,
    /// The `UpToDate` condition's status and reason, as written.
    pub up_to_date: Option<String>,
    pub reason: Option<String>,
}

/// Copy the live-only inputs of `live` into `manifest` (where the manifest
/// leaves them unset) and read the live status.
pub fn overlay(manifest: &mut Value, live: &Value) -> Overlay {
    let mut taken = Overlay {
        status: read_status(live),
        ..Overlay::default()
    };
    let environment_id = SpecField::EnvironmentId.name();
    let manifest_id = manifest
        .pointer(SpecField::EnvironmentId.pointer())
        .and_then(Value::as_str);
    let live_id = live
        .pointer(SpecField::EnvironmentId.pointer())
        .and_then(Value::as_str)
        .filter(|id| !is_nil(id));
    if manifest_id.is_none_or(is_nil)
        && let Some(live_id) = live_id
        && let Some(spec) = manifest.get_mut("spec").and_then(Value::as_object_mut)
    {
        spec.insert(environment_id.to_owned(), Value::String(live_id.to_owned()));
        taken.environment_id = Some(live_id.to_owned());
    }
    let live_annotation = live
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(FORCE_ROLLOUT_ANNOTATION))
        .and_then(Value::as_str)
        .filter(|value| !value.is_empty());
    let manifest_has_annotation = manifest
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(FORCE_ROLLOUT_ANNOTATION))
        .is_some();
    if !manifest_has_annotation
        && let Some(value) = live_annotation
        && let Some(metadata) = manifest.get_mut("metadata").and_then(Value::as_object_mut)
        && let Some(annotations) = metadata
            .entry("annotations")
            .or_insert_with(|| Value::Object(Default::default()))
            .as_object_mut()
    {
        annotations.insert(
            FORCE_ROLLOUT_ANNOTATION.to_owned(),
            Value::String(value.to_owned()),
        );
        taken.force_rollout_annotation = Some(value.to_owned());
    }
    taken
}

fn is_nil(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok_and(|uuid| uuid.is_nil()) || id == NIL_UUID
}

/// Whether a manifest's hash covers every live-only input (spec §3a): it
/// sets a non-nil `environmentId`. Without it, the hash differs from the
/// operator's, and a `forcePromote` set to it does not promote.
pub fn hash_is_exact(manifest: &Value) -> bool {
    manifest
        .pointer(SpecField::EnvironmentId.pointer())
        .and_then(Value::as_str)
        .is_some_and(|id| !is_nil(id))
}

fn read_status(live: &Value) -> LiveStatus {
    let condition = live
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|conditions| {
            conditions
                .iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("UpToDate"))
        });
    let text = |key: &str| {
        condition
            .and_then(|c| c.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let up_to_date = text("status");
    let reason = text("reason");
    let pending = reason.as_deref() == Some("WaitingForApproval");
    LiveStatus {
        rollout_in_progress: !pending && up_to_date.as_deref().is_some_and(|s| s != "True"),
        pending,
        up_to_date,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Shaped like `kubectl get materialize -n materialize -o json` of a
    /// v26 instance whose manifest left environmentId out.
    fn kubectl_list() -> Value {
        json!({
            "apiVersion": "v1",
            "kind": "List",
            "metadata": {"resourceVersion": ""},
            "items": [{
                "apiVersion": "materialize.cloud/v1alpha1",
                "kind": "Materialize",
                "metadata": {
                    "annotations": {
                        "kubectl.kubernetes.io/last-applied-configuration": "{}",
                        "materialize.cloud/force-rollout": "0b7e3d1c-2f7b-4f1e-9d3a-5c1f8e2a7b60"
                    },
                    "creationTimestamp": "2026-11-30T09:12:44Z",
                    "generation": 3,
                    "name": "mz",
                    "namespace": "materialize",
                    "resourceVersion": "123456",
                    "uid": "5f0c8d5e-3a57-4b7e-8f3c-2a4f1c9b7d10"
                },
                "spec": {
                    "backendSecretName": "materialize-backend",
                    "environmentId": "c3f6a9b2-1d4e-4f70-8a5b-9e2d7c6b1a03",
                    "environmentdImageRef": "materialize/environmentd:v26.1.0",
                    "requestRollout": "11111111-1111-1111-1111-111111111111",
                    "rolloutStrategy": "WaitUntilReady"
                },
                "status": {
                    "activeGeneration": 2,
                    "conditions": [{
                        "lastTransitionTime": "2026-12-01T10:00:00Z",
                        "message": "Changes are pending: set requestRollout to apply them",
                        "reason": "WaitingForApproval",
                        "status": "False",
                        "type": "UpToDate"
                    }],
                    "lastCompletedRolloutRequest": "11111111-1111-1111-1111-111111111111",
                    "resourceId": "u1",
                    "resourcesHash": "abc"
                }
            }]
        })
    }

    #[test]
    fn overlays_live_only_inputs_and_reads_waiting_for_approval() {
        let live = live_objects(&kubectl_list());
        assert_eq!(live.len(), 1);
        assert_eq!(live[0].namespace.as_deref(), Some("materialize"));
        let mut manifest = json!({
            "apiVersion": "materialize.cloud/v1alpha1", "kind": "Materialize",
            "metadata": {"name": "mz", "namespace": "materialize"},
            "spec": {"environmentdImageRef": "materialize/environmentd:v26.1.0", "backendSecretName": "materialize-backend"}
        });
        assert!(!hash_is_exact(&manifest));
        let taken = overlay(&mut manifest, &live[0].object);
        assert_eq!(
            taken.environment_id.as_deref(),
            Some("c3f6a9b2-1d4e-4f70-8a5b-9e2d7c6b1a03")
        );
        assert!(taken.force_rollout_annotation.is_some());
        assert!(taken.status.pending && !taken.status.rollout_in_progress);
        assert!(hash_is_exact(&manifest));
        assert_eq!(
            manifest["metadata"]["annotations"][FORCE_ROLLOUT_ANNOTATION],
            "0b7e3d1c-2f7b-4f1e-9d3a-5c1f8e2a7b60"
        );
    }

    #[test]
    fn a_manifest_that_sets_the_inputs_keeps_them() {
        let live = live_objects(&kubectl_list());
        let mut manifest = json!({
            "apiVersion": "materialize.cloud/v1", "kind": "Materialize",
            "metadata": {"name": "mz", "annotations": {FORCE_ROLLOUT_ANNOTATION: "mine"}},
            "spec": {"environmentId": "9a2e7c41-0b3d-4c5e-8f6a-1b2c3d4e5f60"}
        });
        let taken = overlay(&mut manifest, &live[0].object);
        assert_eq!(taken.environment_id, None);
        assert_eq!(taken.force_rollout_annotation, None);
        assert_eq!(
            manifest["spec"]["environmentId"],
            "9a2e7c41-0b3d-4c5e-8f6a-1b2c3d4e5f60"
        );
    }

    #[test]
    fn a_single_object_is_read_too_and_other_kinds_are_ignored() {
        let list = kubectl_list();
        assert_eq!(live_objects(&list["items"][0]).len(), 1);
        assert!(
            live_objects(
                &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
            )
            .is_empty()
        );
    }
}
