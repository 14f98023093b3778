//! The rendered units of a commit's tree, from the deploy units
//! [`crate::source::units::discover_git`] finds there: kustomize and Helm
//! units are rendered; directory units are not (their files are compared
//! as files); units built by a config management plugin are compared as
//! mz-presync reads their files, with a note. mz-presync's own plugin
//! hands Argo CD the converted files of the directory, so reading them is
//! what it renders; another plugin's output cannot be known without it,
//! and the note says that too.

use git2::{Repository, Tree};

use super::{How, RenderUnit, describe};
use crate::history::range::HistoryError;
use crate::history::resources::MAX_BLOB_SIZE;
use crate::source::units::{ConfigUnit, Renderer, Unit, Units, discover_git};

/// The units of `tree` to render; notes about units left unrendered go to
/// `notes`.
pub fn units_at(
    repo: &Repository,
    tree: &Tree<'_>,
    config: Option<&[ConfigUnit]>,
    notes: &mut Vec<String>,
) -> Result<Vec<RenderUnit>, HistoryError> {
    let units = discover_git(repo, tree, MAX_BLOB_SIZE, config)?;
    Ok(render_units(&units, notes))
}

/// The units of `units` to render (discovered already).
pub fn render_units(units: &Units, notes: &mut Vec<String>) -> Vec<RenderUnit> {
    units
        .all()
        .iter()
        .filter_map(|unit| render_unit(unit, notes))
        .collect()
}

fn render_unit(unit: &Unit, notes: &mut Vec<String>) -> Option<RenderUnit> {
    let how = match &unit.renderer {
        Renderer::Kustomize => How::Kustomize,
        Renderer::Helm {
            values,
            release,
            namespace,
        } => How::Helm {
            chart: unit.path.clone(),
            release: release.clone(),
            namespace: namespace.clone(),
            values: values.clone(),
        },
        Renderer::Directory { .. } => return None,
        Renderer::Plugin { name } => {
            let plugin = if name.is_empty() {
                "a config management plugin".to_owned()
            } else {
                format!("the config management plugin {name:?}")
            };
            notes.push(format!(
                "{} is built by {plugin}: not rendered, its files are compared as mz-presync reads them (what the mz-presync plugin hands Argo CD; another plugin's output may differ)",
                describe(&unit.reference())
            ));
            return None;
        }
    };
    Some(RenderUnit {
        unit: unit.reference(),
        how,
        inputs: unit.inputs(),
        destination_namespace: unit.destination_namespace.clone(),
    })
}
