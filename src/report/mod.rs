//! Output formats, one file per format. Machine formats go to stdout;
//! everything for humans goes to stderr unless it is the requested output.

pub mod explain;
pub mod findings;
pub mod github_escape;
pub mod hash;
pub mod manifests;
pub mod migrate;
pub mod rollouts;
pub mod style;
