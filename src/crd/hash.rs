//! The rollout hash (spec §4): SHA-256 over the typed spec of the target
//! version with the non-rollout fields nulled, then the force-rollout
//! annotation's value.

use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::common::{FORCE_ROLLOUT_ANNOTATION, Version};
use super::convert;
use super::read::{Unreadable, declared_version, read_as, read_typed};
use super::{v1, v1alpha2};

/// Which operator generation's algorithm produced a hash. A hash means
/// nothing without it: the two disagree on every input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub enum Algorithm {
    /// The design document: spec serialized with every object's keys sorted.
    #[default]
    #[serde(rename = "v1alpha2")]
    V1alpha2,
    /// As shipped upstream: declaration order, plus `rolloutRequestTimeout`.
    #[serde(rename = "v1")]
    V1,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        self.version().as_str()
    }

    /// The version whose typed spec the algorithm hashes.
    pub fn version(self) -> Version {
        match self {
            Algorithm::V1alpha2 => Version::V1alpha2,
            Algorithm::V1 => Version::V1,
        }
    }

    pub fn parse(name: &str) -> Option<Algorithm> {
        match name {
            "v1alpha2" => Some(Algorithm::V1alpha2),
            "v1" => Some(Algorithm::V1),
            _ => None,
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RolloutHash {
    pub algorithm: Algorithm,
    /// 64 lower-case hex digits.
    pub hex: String,
    /// The serialized spec: the bytes hashed before the annotation value.
    pub preimage: String,
    /// The force-rollout annotation value appended to the preimage, if any.
    pub annotation: Option<String>,
    /// True when a certificate spec is set: the operator documents two
    /// certificate fields whose place in the hash input is unknown.
    pub best_effort: bool,
}

/// The hash the operator computes for `object`, of any version, as admitted
/// by the API server ([`admit`](super::admission::admit)). Fails when the
/// operator could not read the object at all.
pub fn rollout_hash(object: &Value, algorithm: Algorithm) -> Result<RolloutHash, Unreadable> {
    // The operator hashes what the API server stored, not what was written.
    let admitted = super::admission::admit(object);
    let object = admitted.object.as_ref();
    let version = declared_version(object)?;
    read_typed(object)?;
    let spec = if version == algorithm.version() {
        std::borrow::Cow::Borrowed(&object["spec"])
    } else {
        std::borrow::Cow::Owned(
            convert::convert_spec(&object["spec"], version, algorithm.version()).spec,
        )
    };
    hash_spec(&spec, force_rollout_annotation(object), algorithm)
}

/// The value of the force-rollout annotation, if set. An empty value hashes
/// like no annotation.
pub fn force_rollout_annotation(object: &Value) -> Option<&str> {
    object
        .pointer("/metadata/annotations")?
        .get(FORCE_ROLLOUT_ANNOTATION)?
        .as_str()
        .filter(|value| !value.is_empty())
}

/// The seven fields that never start a rollout are hashed as `null`, not
/// left out: both typed specs have them under the same names.
macro_rules! null_fields_outside_the_hash {
    ($spec:ident) => {
        $spec.balancerd_resource_requirements = None;
        $spec.console_resource_requirements = None;
        $spec.balancerd_replicas = None;
        $spec.console_replicas = None;
        $spec.force_promote = None;
        $spec.balancerd_external_certificate_spec = None;
        $spec.console_external_certificate_spec = None;
    };
}

/// Hash a spec that is already in the algorithm's own version.
pub(crate) fn hash_spec(
    spec: &Value,
    annotation: Option<&str>,
    algorithm: Algorithm,
) -> Result<RolloutHash, Unreadable> {
    let (preimage, best_effort) = match algorithm {
        Algorithm::V1alpha2 => {
            let mut typed: v1alpha2::MaterializeSpec = read_as(spec, "/spec")?;
            let best_effort = typed.internal_certificate_spec.is_some();
            null_fields_outside_the_hash!(typed);
            let value = serde_json::to_value(&typed).expect("typed spec serializes");
            (sorted_json(&value), best_effort)
        }
        Algorithm::V1 => {
            let mut typed: v1::MaterializeSpec = read_as(spec, "/spec")?;
            let best_effort = typed.internal_certificate_spec.is_some();
            null_fields_outside_the_hash!(typed);
            (
                serde_json::to_string(&typed).expect("typed spec serializes"),
                best_effort,
            )
        }
    };
    let mut hasher = Sha256::new();
    hasher.update(preimage.as_bytes());
    if let Some(annotation) = annotation {
        hasher.update(annotation.as_bytes());
    }
    Ok(RolloutHash {
        algorithm,
        hex: hex::encode(hasher.finalize()),
        preimage,
        annotation: annotation.map(str::to_owned),
        best_effort,
    })
}

/// Compact JSON with the keys of every object sorted, whatever map type
/// serde_json was built with (a dependency may enable `preserve_order`).
pub fn sorted_json(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (i, (key, value)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    write(value, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// `requestRollout` a `v1` → `v1alpha1` round trip derives from a hash:
/// UUIDv5 in the OID namespace over the 64 hex characters.
pub fn request_rollout_uuid(hash_hex: &str) -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_OID, hash_hex.as_bytes())
}

/// True for a string that looks like a rollout hash (64 lower-case hex).
pub fn is_hash(value: &str) -> bool {
    value.len() == 64
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
