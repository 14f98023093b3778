//! `materialize.cloud/v1alpha1`: the legacy version, where a rollout starts
//! only when `spec.requestRollout` changes.

use k8s_openapi::api::core::v1::{EnvVar, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::common::{
    AuthenticatorKind, MaterializeCertSpec, MaterializeRolloutStrategy, StringMap,
    default_rollout_request_timeout,
};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "materialize.cloud",
    version = "v1alpha1",
    kind = "Materialize",
    plural = "materializes",
    shortname = "mzs",
    namespaced,
    status = "MaterializeStatus",
    doc = "A Materialize environment (legacy version: rollouts are requested with spec.requestRollout).",
    printcolumn = r#"{"name":"ImageRefRunning","type":"string","jsonPath":".status.lastCompletedRolloutEnvironmentdImageRef","priority":1}"#,
    printcolumn = r#"{"name":"ImageRefToDeploy","type":"string","jsonPath":".spec.environmentdImageRef","priority":1}"#,
    printcolumn = r#"{"name":"UpToDate","type":"string","jsonPath":".status.conditions[?(@.type==\"UpToDate\")].status","priority":1}"#
)]
#[serde(rename_all = "camelCase")]
pub struct MaterializeSpec {
    pub environmentd_image_ref: String,
    #[serde(default)]
    pub environmentd_extra_args: Option<Vec<String>>,
    #[serde(default)]
    pub environmentd_extra_env: Option<Vec<EnvVar>>,
    /// Deprecated: use serviceAccountAnnotations["eks.amazonaws.com/role-arn"].
    #[serde(default)]
    pub environmentd_iam_role_arn: Option<String>,
    #[serde(default)]
    pub environmentd_connection_role_arn: Option<String>,
    #[serde(default)]
    pub environmentd_resource_requirements: Option<ResourceRequirements>,
    #[serde(default)]
    pub environmentd_scratch_volume_storage_requirement: Option<Quantity>,
    #[serde(default)]
    pub balancerd_resource_requirements: Option<ResourceRequirements>,
    #[serde(default)]
    pub console_resource_requirements: Option<ResourceRequirements>,
    #[serde(default)]
    pub balancerd_replicas: Option<i32>,
    #[serde(default)]
    pub console_replicas: Option<i32>,
    #[serde(default)]
    pub service_account_name: Option<String>,
    #[serde(default)]
    pub service_account_annotations: Option<StringMap>,
    #[serde(default)]
    pub service_account_labels: Option<StringMap>,
    #[serde(default)]
    pub pod_annotations: Option<StringMap>,
    #[serde(default)]
    pub pod_labels: Option<StringMap>,
    /// Change to a new UUID to start a rollout.
    #[serde(default)]
    pub request_rollout: Uuid,
    /// A UUID equal to requestRollout promotes a waiting rollout; "" promotes nothing.
    #[serde(default)]
    pub force_promote: String,
    #[serde(default)]
    pub force_rollout: Uuid,
    /// Deprecated and ignored.
    #[serde(default)]
    pub in_place_rollout: bool,
    #[serde(default)]
    pub rollout_strategy: MaterializeRolloutStrategy,
    #[serde(default = "default_rollout_request_timeout")]
    pub rollout_request_timeout: String,
    pub backend_secret_name: String,
    #[serde(default)]
    pub authenticator_kind: AuthenticatorKind,
    #[serde(default)]
    pub enable_rbac: bool,
    #[serde(default)]
    pub environment_id: Uuid,
    #[serde(default)]
    pub system_parameter_configmap_name: Option<String>,
    #[serde(default)]
    pub balancerd_external_certificate_spec: Option<MaterializeCertSpec>,
    #[serde(default)]
    pub console_external_certificate_spec: Option<MaterializeCertSpec>,
    #[serde(default)]
    pub internal_certificate_spec: Option<MaterializeCertSpec>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MaterializeStatus {
    pub resource_id: String,
    pub active_generation: u64,
    pub last_completed_rollout_request: Uuid,
    #[serde(default)]
    pub last_completed_rollout_environmentd_image_ref: Option<String>,
    pub resources_hash: String,
    /// Written by newer operators; kept for round trips only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_completed_rollout_hash: Option<String>,
    pub conditions: Vec<Condition>,
}
