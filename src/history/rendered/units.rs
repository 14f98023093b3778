//! The rendered units of a commit's tree, from the deploy units
//! [`crate::source::units`] discovers there: kustomize and Helm units are
//! rendered; directory units are not (their files are compared as files);
//! plugin units are compared as mz-presync reads them, with a note.

use git2::{Repository, Tree};

use super::{How, InputDirectory, Inputs, RenderUnit};
use crate::history::range::HistoryError;
use crate::source::units::UnitRef;

/// PROVISIONAL until the units API lands: kustomize roots only.
pub fn units_at(
    repo: &Repository,
    tree: &Tree<'_>,
    _notes: &mut Vec<String>,
) -> Result<Vec<RenderUnit>, HistoryError> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut kustomizations: BTreeMap<String, Vec<String>> = BTreeMap::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.name().is_ok_and(|n| n == "kustomization.yaml")
            && let Ok(blob) = repo.find_blob(entry.id())
        {
            let dir = dir.trim_end_matches('/').to_owned();
            let text = String::from_utf8_lossy(blob.content());
            let refs = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("- "))
                .map(|r| normalize(&dir, r.trim()))
                .collect();
            kustomizations.insert(dir, refs);
        }
        git2::TreeWalkResult::Ok
    })?;
    let referenced: BTreeSet<&String> = kustomizations.values().flatten().collect();
    let mut units = Vec::new();
    for (dir, refs) in &kustomizations {
        if referenced.contains(dir) {
            continue;
        }
        let mut directories = vec![dir.clone()];
        let mut todo = refs.clone();
        while let Some(r) = todo.pop() {
            if let Some(more) = kustomizations.get(&r)
                && !directories.contains(&r)
            {
                directories.push(r.clone());
                todo.extend(more.iter().cloned());
            }
        }
        directories.sort();
        units.push(RenderUnit {
            unit: UnitRef {
                kind: crate::source::units::UnitKind::Kustomization,
                name: dir.clone(),
                path: dir.clone(),
            },
            how: How::Kustomize,
            inputs: Inputs {
                directories: directories
                    .into_iter()
                    .map(|path| InputDirectory {
                        path,
                        recursive: false,
                    })
                    .collect(),
                files: Vec::new(),
            },
        });
    }
    Ok(units)
}

fn normalize(dir: &str, reference: &str) -> String {
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for part in reference.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}
