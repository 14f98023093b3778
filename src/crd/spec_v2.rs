//! The spec and status shared by the hash-driven versions (`v1alpha2` and
//! `v1`). They differ by one field, `rolloutRequestTimeout`, which only `v1`
//! has; the macro keeps the two declarations from drifting apart.

/// Declares `MaterializeSpec` and `MaterializeStatus` for one hash-driven
/// version. `$($after_strategy)*` is spliced in right after
/// `rollout_strategy`, because `v1` serializes in declaration order.
macro_rules! hash_driven_version {
    (version = $version:literal, doc = $doc:literal, after_strategy = { $($after_strategy:tt)* }) => {
        use k8s_openapi::api::core::v1::{EnvVar, ResourceRequirements};
        use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
        use kube::CustomResource;
        use schemars::JsonSchema;
        use serde::{Deserialize, Serialize};
        use uuid::Uuid;

        #[allow(unused_imports)]
        use super::common::default_rollout_request_timeout;
        use super::common::{
            AuthenticatorKind, MaterializeCertSpec, MaterializeRolloutStrategy, StringMap,
        };

        #[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
        #[kube(
            group = "materialize.cloud",
            version = $version,
            kind = "Materialize",
            plural = "materializes",
            shortname = "mzs",
            namespaced,
            status = "MaterializeStatus",
            doc = $doc,
            printcolumn(name = "ImageRefRunning", type_ = "string", json_path = ".status.lastCompletedRolloutEnvironmentdImageRef", priority = "1"),
            printcolumn(name = "ImageRefToDeploy", type_ = "string", json_path = ".spec.environmentdImageRef", priority = "1"),
            printcolumn(name = "UpToDate", type_ = "string", json_path = ".status.conditions[?(@.type==\"UpToDate\")].status", priority = "1")
        )]
        #[serde(rename_all = "camelCase")]
        pub struct MaterializeSpec {
            pub environmentd_image_ref: String,
            #[serde(default)]
            pub environmentd_extra_args: Option<Vec<String>>,
            #[serde(default)]
            pub environmentd_extra_env: Option<Vec<EnvVar>>,
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
            /// Set to status.requestedRolloutHash to promote a waiting rollout.
            #[serde(default)]
            pub force_promote: Option<String>,
            /// Change to a new UUID to force a rollout with an unchanged spec.
            #[serde(default)]
            pub force_rollout: Uuid,
            #[serde(default)]
            pub rollout_strategy: MaterializeRolloutStrategy,
            $($after_strategy)*
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
            #[serde(default)]
            pub last_completed_rollout_environmentd_image_ref: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub last_completed_rollout_hash: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub requested_rollout_hash: Option<String>,
            pub conditions: Vec<Condition>,
        }
    };
}

pub(crate) use hash_driven_version;
