//! What each changed blob of one side of a diff is compared as: whole
//! objects, a kustomize patch (a file a kustomization names, or a
//! kustomization's inline patches), or an operation list read through the
//! target of the entry naming it. Most blobs hold whole objects with hashes;
//! the commit's tree is searched for a kustomization only for the few that
//! may be patches.

use std::sync::Arc;

use git2::{Oid, Repository, Tree};

use super::blobs::BlobCache;
use super::compare::{CompareOptions, Side};
use super::patches::PatchIndex;
use super::resources::{ParsedBlob, operations_blob};
use super::tree_diff::{BlobAt, ManifestDelta};
use super::units::{ScanUnit, UnitIndex};
use crate::crd::kustomize::targets_materialize;

/// A changed blob as `compare` sees it.
pub struct Found<'a> {
    blob: &'a BlobAt,
    held: Held<'a>,
    /// The kustomization that names it as a patch.
    patch_of: Option<String>,
    /// The deploy units its path belongs to.
    units: Arc<[ScanUnit]>,
}

enum Held<'a> {
    Cached(&'a ParsedBlob),
    /// What an operation list writes, known only with its target.
    Written(ParsedBlob),
}

impl<'a> Found<'a> {
    fn new(
        blob: &'a BlobAt,
        held: Held<'a>,
        patch_of: Option<String>,
        units: &mut UnitIndex,
    ) -> Self {
        Found {
            blob,
            held,
            patch_of,
            units: units.of(&blob.path),
        }
    }

    /// The side `compare` reads.
    pub fn side(&'a self) -> Side<'a> {
        Side {
            path: &self.blob.path,
            blob: match &self.held {
                Held::Cached(parsed) => parsed,
                Held::Written(parsed) => parsed,
            },
            patch_of: self.patch_of.as_deref(),
            units: &self.units,
        }
    }
}

/// What the scan learns about paths as it goes: which files are patches,
/// which units a path belongs to.
pub struct Indexes<'i> {
    pub patches: &'i mut PatchIndex,
    pub units: &'i mut UnitIndex,
}

/// The blobs of `deltas` on one side (`pick`), in `tree`, that hold
/// something to compare.
pub fn classify<'a>(
    repo: &Repository,
    deltas: &'a [ManifestDelta],
    pick: fn(&ManifestDelta) -> &Option<BlobAt>,
    tree: Option<Oid>,
    cache: &'a BlobCache,
    indexes: &mut Indexes<'_>,
    options: &CompareOptions,
) -> Result<Vec<Found<'a>>, git2::Error> {
    let Indexes { patches, units } = indexes;
    // Read only when a file may be a patch: most commits need no lookup.
    let mut root: Option<Tree<'_>> = None;
    let mut found = Vec::new();
    for blob in deltas.iter().filter_map(|d| pick(d).as_ref()) {
        let Some(parsed) = cache.get(blob).filter(|p| !p.is_empty()) else {
            continue;
        };
        if parsed.inline_patches {
            found.push(Found::new(
                blob,
                Held::Cached(parsed),
                Some(blob.path.clone()),
                units,
            ));
            continue;
        }
        // A whole object has a hash; only a file whose objects cannot be
        // read, or an operation list, may be a patch, and only then is
        // the tree searched.
        let maybe_patch =
            parsed.operations.is_some() || parsed.resources.iter().any(|r| r.hash.is_err());
        let naming = match (tree, maybe_patch) {
            (Some(id), true) => {
                let root = match &mut root {
                    Some(root) => root,
                    none => none.insert(repo.find_tree(id)?),
                };
                patches.kustomization_naming(repo, root, &blob.path)?
            }
            _ => None,
        };
        match (naming, &parsed.operations) {
            (Some(naming), Some(_)) => {
                // An operation list means something only through the
                // target of the entry that names it.
                let Some(target) = naming.target.filter(targets_materialize) else {
                    continue;
                };
                let written = operations_blob(parsed, &target, options.algorithm);
                found.push(Found::new(
                    blob,
                    Held::Written(written),
                    Some(naming.kustomization),
                    units,
                ));
            }
            (_, Some(_)) => {}
            (naming, None) => found.push(Found::new(
                blob,
                Held::Cached(parsed),
                naming.map(|n| n.kustomization),
                units,
            )),
        }
    }
    Ok(found)
}
