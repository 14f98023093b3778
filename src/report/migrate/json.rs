//! `migrate --format json`: one document on stdout for the whole run.
//!
//! ```json
//! {"version": 1, "operator": "design" | "released",
//!  "resources": [{"file", "line", "namespace", "name", "from", "to",
//!                 "rollout", "restart", "changes": [..], "notes": [..]}]}
//! ```
//!
//! `from`/`to` are apiVersions. `rollout` says whether applying the
//! migrated manifest requests a rollout under the model and `restart`
//! whether the database restarts (`yes`|`maybe`|`no`); both are `null` for
//! a kustomize patch file, a partial object whose verdict belongs to its
//! base.

use serde::Serialize;

use crate::crd::Operator;
use crate::migrate::{FileMigration, FileRole};

/// Bumped only when a field changes meaning or disappears.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    operator: Operator,
    resources: &'a [Resource],
}

/// One migrated resource, as the report shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Resource {
    file: String,
    line: usize,
    namespace: Option<String>,
    name: Option<String>,
    from: &'static str,
    to: &'static str,
    rollout: Option<bool>,
    restart: Option<&'static str>,
    changes: Vec<String>,
    notes: Vec<String>,
}

/// The records of one migrated file.
pub fn resources(display: &str, migration: &FileMigration, role: FileRole) -> Vec<Resource> {
    migration
        .resources
        .iter()
        .map(|resource| {
            let verdict = resource
                .verdict
                .as_ref()
                .filter(|_| role == FileRole::Manifest);
            Resource {
                file: display.to_owned(),
                line: resource.position.line,
                namespace: resource.namespace.clone(),
                name: resource.name.clone(),
                from: resource.from.api_version(),
                to: resource.to.api_version(),
                rollout: verdict.map(|v| v.rollout),
                restart: verdict.map(|v| v.restart.as_str()),
                changes: resource.change_list(),
                notes: resource.notes.iter().map(ToString::to_string).collect(),
            }
        })
        .collect()
}

/// The whole document, ending with a newline.
pub fn render(operator: Operator, resources: &[Resource]) -> String {
    let document = Document {
        version: VERSION,
        operator,
        resources,
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}
