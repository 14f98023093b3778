//! Reading a JSON value as a typed object, the way the operator's
//! deserializer does: defaults filled in, unknown fields dropped, a wrong
//! type anywhere makes the whole object unreadable.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::common::{Version, version_of};
use super::{v1, v1alpha1, v1alpha2};

/// Why the operator could not read an object, and so could not hash it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    #[error("not a Materialize object (apiVersion materialize.cloud/…, kind Materialize)")]
    NotMaterialize,
    #[error(
        "apiVersion {0:?} is not a known Materialize version (expected materialize.cloud/v1alpha1, v1alpha2 or v1)"
    )]
    UnknownVersion(String),
    #[error("{}: {reason}", if pointer.is_empty() { "the object" } else { pointer.as_str() })]
    Invalid {
        /// JSON pointer of the offending value ("" for the whole object).
        pointer: String,
        /// serde's own explanation, e.g. "unknown variant `Bogus`, expected …".
        reason: String,
    },
}

impl Unreadable {
    pub fn pointer(&self) -> &str {
        match self {
            Unreadable::Invalid { pointer, .. } => pointer,
            Unreadable::UnknownVersion(_) => "/apiVersion",
            Unreadable::NotMaterialize => "",
        }
    }
}

/// A whole object of one of the three versions, read as typed data.
#[derive(Clone, Debug)]
pub enum TypedMaterialize {
    V1alpha1(Box<v1alpha1::Materialize>),
    V1alpha2(Box<v1alpha2::Materialize>),
    V1(Box<v1::Materialize>),
}

/// Deserialize `value` as `T`, turning serde's error into a JSON pointer
/// (relative to `base`) and a reason.
pub fn read_as<T: DeserializeOwned>(value: &Value, base: &str) -> Result<T, Unreadable> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let mut pointer = base.to_owned();
        for segment in err.path().iter() {
            use serde_path_to_error::Segment;
            let part = match segment {
                Segment::Seq { index } => index.to_string(),
                Segment::Map { key } | Segment::Enum { variant: key } => key.clone(),
                Segment::Unknown => continue,
            };
            pointer.push('/');
            pointer.push_str(&crate::source::escape_pointer_token(&part));
        }
        Unreadable::Invalid {
            pointer,
            reason: err.into_inner().to_string(),
        }
    })
}

/// The version an object declares, or why it is not a Materialize object
/// this tool knows.
pub fn declared_version(object: &Value) -> Result<Version, Unreadable> {
    if let Some(version) = version_of(object) {
        return Ok(version);
    }
    if super::is_materialize(object) {
        let api_version = object["apiVersion"].as_str().unwrap_or_default();
        return Err(Unreadable::UnknownVersion(api_version.to_owned()));
    }
    Err(Unreadable::NotMaterialize)
}

/// Read a whole object (metadata, spec and status) as its own version.
pub fn read_typed(object: &Value) -> Result<TypedMaterialize, Unreadable> {
    let version = declared_version(object)?;
    if object.get("spec").is_none_or(Value::is_null) {
        return Err(Unreadable::Invalid {
            pointer: "/spec".into(),
            reason: "missing field `spec`".into(),
        });
    }
    Ok(match version {
        Version::V1alpha1 => TypedMaterialize::V1alpha1(Box::new(read_as(object, "")?)),
        Version::V1alpha2 => TypedMaterialize::V1alpha2(Box::new(read_as(object, "")?)),
        Version::V1 => TypedMaterialize::V1(Box::new(read_as(object, "")?)),
    })
}
