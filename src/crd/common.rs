//! Types shared by every version of the `Materialize` resource.
//!
//! Field order in these structs is serialization order, and serialization
//! order is part of the `v1` rollout hash: do not reorder fields.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::hash::Algorithm;

pub const GROUP: &str = "materialize.cloud";
pub const KIND: &str = "Materialize";
pub const FORCE_ROLLOUT_ANNOTATION: &str = "materialize.cloud/force-rollout";
/// JSON pointer of the force-rollout annotation in a whole object.
pub const FORCE_ROLLOUT_POINTER: &str = "/metadata/annotations/materialize.cloud~1force-rollout";
pub const IAM_ROLE_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
pub const DEFAULT_ROLLOUT_REQUEST_TIMEOUT: &str = "24h";

/// Label and annotation maps: `BTreeMap` so they serialize sorted, as the
/// operator's do.
pub type StringMap = BTreeMap<String, String>;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum MaterializeRolloutStrategy {
    #[default]
    WaitUntilReady,
    ManuallyPromote,
    ImmediatelyPromoteCausingDowntime,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum AuthenticatorKind {
    Frontegg,
    Password,
    Sasl,
    Oidc,
    #[default]
    None,
}

/// cert-manager issuer reference. Members are written alphabetically and
/// absent optional members are omitted, like the Kubernetes sub-objects.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateIssuerRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateSecretTemplate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<StringMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<StringMap>,
}

// `privateKeyAlgorithm` and `privateKeySize`, documented by the operator,
// are deliberately absent: their place in the hash input is unknown, so a
// hash over a resource that sets a certificate spec is best-effort.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MaterializeCertSpec {
    #[serde(default)]
    pub dns_names: Option<Vec<String>>,
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default)]
    pub renew_before: Option<String>,
    #[serde(default)]
    pub issuer_ref: Option<CertificateIssuerRef>,
    #[serde(default)]
    pub secret_template: Option<CertificateSecretTemplate>,
}

pub(crate) fn default_rollout_request_timeout() -> String {
    DEFAULT_ROLLOUT_REQUEST_TIMEOUT.to_owned()
}

/// Which API version an object declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Version {
    #[serde(rename = "v1alpha1")]
    V1alpha1,
    #[serde(rename = "v1alpha2")]
    V1alpha2,
    #[serde(rename = "v1")]
    V1,
}

impl Version {
    pub const ALL: [Version; 3] = [Version::V1alpha1, Version::V1alpha2, Version::V1];

    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1alpha1 => "v1alpha1",
            Version::V1alpha2 => "v1alpha2",
            Version::V1 => "v1",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            Version::V1alpha1 => "materialize.cloud/v1alpha1",
            Version::V1alpha2 => "materialize.cloud/v1alpha2",
            Version::V1 => "materialize.cloud/v1",
        }
    }

    pub fn from_api_version(api_version: &str) -> Option<Version> {
        match api_version {
            "materialize.cloud/v1alpha1" => Some(Version::V1alpha1),
            "materialize.cloud/v1alpha2" => Some(Version::V1alpha2),
            "materialize.cloud/v1" => Some(Version::V1),
            _ => None,
        }
    }

    pub fn parse(name: &str) -> Option<Version> {
        Version::ALL.into_iter().find(|v| v.as_str() == name)
    }

    /// The algorithm an object of this version is hashed with when the
    /// caller does not choose one: its own for `v1alpha2` and `v1`. A
    /// `v1alpha1` object has no hash of its own (it hashes as what it
    /// converts to), so it gets the default, the design document's.
    pub fn algorithm(self) -> Algorithm {
        match self {
            Version::V1alpha1 => Algorithm::default(),
            Version::V1alpha2 => Algorithm::V1alpha2,
            Version::V1 => Algorithm::V1,
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// True when a JSON value is a Kubernetes object of group
/// `materialize.cloud` and kind `Materialize`, whatever its version.
pub fn is_materialize(object: &serde_json::Value) -> bool {
    object.get("kind").and_then(|k| k.as_str()) == Some(KIND)
        && object
            .get("apiVersion")
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.split('/').next() == Some(GROUP) && v.contains('/'))
}

/// Whether a document whose root `kind` is `kind` can hold a Materialize
/// object, alone or in a list ([`objects`](crate::source::objects)): the
/// filter for [`parse_document_when`](crate::source::parse_document_when).
pub fn kind_may_hold_materialize(kind: Option<&str>) -> bool {
    kind.is_some_and(|kind| kind == KIND || kind.ends_with("List"))
}

/// The version of a Materialize object, if it is one of the three known.
pub fn version_of(object: &serde_json::Value) -> Option<Version> {
    if object.get("kind").and_then(|k| k.as_str()) != Some(KIND) {
        return None;
    }
    Version::from_api_version(object.get("apiVersion")?.as_str()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_force_rollout_pointer_escapes_the_annotation_name() {
        assert_eq!(
            FORCE_ROLLOUT_POINTER,
            format!(
                "/metadata/annotations/{}",
                crate::source::escape_pointer_token(FORCE_ROLLOUT_ANNOTATION)
            )
        );
    }
}
