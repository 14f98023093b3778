//! mz-presync: validate, migrate and diff the rollout hash of Materialize
//! custom resources before a GitOps tool syncs them.
//!
//! The modules follow the data flow: `source` (files → documents with byte
//! spans) → `crd` (typed models, schemas, hash, conversion) → `check` /
//! `migrate` / `history` / `hash` → `report` → `cli`.

pub mod check;
pub mod cli;
pub mod crd;
pub mod finding;
#[doc(hidden)]
pub mod fuzzing;
pub mod hash;
pub mod history;
pub mod migrate;
pub mod render;
pub mod report;
pub mod source;
