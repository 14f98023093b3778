//! Checks over Materialize resources: one file per rule, each with an id, a
//! severity, a one-line description and documentation.

pub mod finding;

pub use finding::{Finding, ResourceRef, Severity, Summary};
