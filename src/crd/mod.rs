//! The `Materialize` custom resource: typed models of its three versions,
//! generated schemas, the rollout hash and conversion between versions.
//! Everything here works on values; files and text belong to `source`.

pub mod admission;
pub mod common;
pub mod convert;
pub mod hash;
pub mod operator;
pub mod read;
pub mod schema;
mod spec_v2;
pub mod v1;
pub mod v1alpha1;
pub mod v1alpha2;

pub use common::{Version, is_materialize, kind_may_hold_materialize, version_of};
pub use convert::{Conversion, Note, convert};
pub use hash::{Algorithm, RolloutHash, rollout_hash};
pub use operator::Operator;
pub use read::{TypedMaterialize, Unreadable, read_typed};
