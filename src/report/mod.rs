//! Output formats, one file per format. Machine formats go to stdout;
//! everything for humans goes to stderr unless it is the requested output.

pub mod explain;
pub mod findings;
pub mod manifests;
pub mod rollouts;
