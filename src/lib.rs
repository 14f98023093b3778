//! mz-presync: validate, migrate and diff the rollout hash of Materialize
//! custom resources before a GitOps tool syncs them.
//!
//! The modules follow the data flow: `source` (files → documents with byte
//! spans) → `crd` (typed models, schemas, hash, conversion) → `check` /
//! `migrate` / `history` → `report` → `cli`.

pub mod check;
pub mod cli;
pub mod config;
pub mod crd;
pub mod finding;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
pub mod migrate;
pub mod report;
pub mod source;
