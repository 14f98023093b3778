//! The `Materialize` custom resource: typed models of its three versions,
//! the table of their spec fields, generated schemas, the rollout hash,
//! conversion between versions, and the operator's reading of single
//! fields (the rollout request timeout, the image upgrade window).
//! Everything here works on values; files and text belong to `source`.

pub mod admission;
pub mod common;
pub mod convert;
pub mod duration;
pub mod fields;
pub mod hash;
pub mod kustomize;
pub mod live;
pub mod operator;
pub mod read;
pub mod schema;
mod spec_v2;
pub mod upgrade_window;
pub mod v1;
pub mod v1alpha1;
pub mod v1alpha2;
pub mod verdict;

pub use common::{Version, is_materialize, kind_may_hold_materialize, version_of};
pub use convert::{Conversion, Note, convert, convert_for};
pub use duration::parse_rollout_request_timeout;
pub use fields::{Hashing, SpecField};
pub use hash::{Algorithm, RolloutHash, rollout_hash};
pub use operator::Operator;
pub use read::{TypedMaterialize, Unreadable, read_typed};
