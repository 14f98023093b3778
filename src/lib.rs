//! mz-presync: validate, migrate and diff the rollout hash of Materialize
//! custom resources before a GitOps tool syncs them.
//!
//! The modules follow the data flow: `source` (files → documents with byte
//! spans) → `crd` (typed models, schemas, hash, conversion) → `finding`
//! (the one finding model) → `check` / `migrate` / `history` / `hash` /
//! `render` → `rules` (the one catalogue of rules) → `report` → `cli`.
//! `docs/architecture.md` says what each module owns.

pub mod check;
pub mod cli;
pub mod config;
pub mod crd;
pub mod finding;
#[doc(hidden)]
pub mod fuzzing;
pub mod hash;
pub mod history;
pub mod migrate;
pub mod render;
pub mod report;
pub mod rules;
pub mod source;
