//! Which resource of the old side of a diff is which of the new side.
//! Resources are paired by identity (deploy unit, namespace, name), not by
//! path, so a renamed file or a resource moving between files of one unit
//! is not a change, while the same namespace/name in two units (two
//! clusters' directories) is two resources. A file several units reach (a
//! shared kustomize base) holds its resources once per unit: each unit
//! deploys them. A resource without a namespace takes its unit's
//! destination namespace; without either it is matched across a renamed
//! file when its name is unambiguous in its unit; a patch is never paired
//! with a whole object.

use std::collections::{HashMap, VecDeque};

use super::resources::{ParsedBlob, Resource};
use super::units::ScanUnit;
use crate::source::SourceFile;
use crate::source::units::UnitRef;

/// The files of one side of a diff that may hold resources: a path and what
/// its blob holds.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub path: &'a str,
    pub blob: &'a ParsedBlob,
    /// The kustomization that names this file as a patch (see
    /// [`super::patches`]): its objects are partial.
    pub patch_of: Option<&'a str>,
    /// The deploy units the file belongs to (at least one).
    pub units: &'a [ScanUnit],
}

/// How a resource is recognised across versions. A resource without a
/// namespace is only unique within its file; one without a name only at its
/// place in the file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Identity<'a> {
    Namespaced {
        unit: &'a UnitRef,
        namespace: &'a str,
        name: &'a str,
    },
    InFile {
        unit: &'a UnitRef,
        name: &'a str,
        path: &'a str,
    },
    Anonymous {
        unit: &'a UnitRef,
        path: &'a str,
        document: usize,
        prefix: &'a str,
    },
    /// A patch changes the resource it patches without being it: never
    /// paired with a whole object of the same name.
    Patch {
        unit: &'a UnitRef,
        path: &'a str,
        document: usize,
        prefix: &'a str,
    },
}

/// One resource of one side.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    pub path: &'a str,
    pub blob: &'a ParsedBlob,
    pub resource: &'a Resource,
    /// The kustomization that names the file as a patch.
    pub patch_of: Option<&'a str>,
    /// The unit this entry is the resource of.
    pub unit: &'a ScanUnit,
}

impl<'a> Entry<'a> {
    /// The resource's namespace, or its unit's destination namespace.
    pub fn namespace(&self) -> Option<&'a str> {
        self.resource
            .namespace
            .as_deref()
            .or(self.unit.destination_namespace.as_deref())
    }

    fn identity(&self) -> Identity<'a> {
        let resource = self.resource;
        let unit = &self.unit.reference;
        if self.patch_of.is_some() {
            return Identity::Patch {
                unit,
                path: self.path,
                document: resource.document.index,
                prefix: &resource.prefix,
            };
        }
        match (self.namespace(), &resource.name) {
            (Some(namespace), Some(name)) => Identity::Namespaced {
                unit,
                namespace,
                name,
            },
            (None, Some(name)) => Identity::InFile {
                unit,
                name,
                path: self.path,
            },
            (_, None) => Identity::Anonymous {
                unit,
                path: self.path,
                document: resource.document.index,
                prefix: &resource.prefix,
            },
        }
    }

    pub fn file(&self) -> &'a SourceFile {
        self.blob
            .file
            .as_deref()
            .expect("a blob with resources keeps its text")
    }

    pub fn sort_key(&self) -> SortKey {
        (
            self.path.to_owned(),
            self.resource.document.index,
            self.resource.prefix.clone(),
            self.unit.reference.clone(),
        )
    }
}

/// The order changes come out in: path, document, place in it, unit.
pub type SortKey = (String, usize, String, UnitRef);

/// Every resource of every side, once per unit of its file.
fn entries<'a>(sides: &[Side<'a>]) -> Vec<Entry<'a>> {
    sides
        .iter()
        .flat_map(|side| {
            side.units.iter().flat_map(move |unit| {
                side.blob.resources.iter().map(move |resource| Entry {
                    path: side.path,
                    blob: side.blob,
                    resource,
                    patch_of: side.patch_of,
                    unit,
                })
            })
        })
        .collect()
}

/// The entries of both sides, and which go together.
pub struct Pairing<'a> {
    pub old: Vec<Entry<'a>>,
    pub new: Vec<Entry<'a>>,
    /// Indices into `old` and `new` of the same resource.
    pub pairs: Vec<(usize, usize)>,
    /// Old entries without a counterpart, in order.
    pub unmatched_old: Vec<usize>,
    /// New entries without a counterpart, in order.
    pub unmatched_new: Vec<usize>,
}

/// Pair the resources of the old and new sides of a diff.
pub fn pair<'a>(old: &[Side<'a>], new: &[Side<'a>]) -> Pairing<'a> {
    let old_entries = entries(old);
    let new_entries = entries(new);

    let mut old_by_identity: HashMap<Identity, VecDeque<usize>> = HashMap::new();
    for (i, entry) in old_entries.iter().enumerate() {
        old_by_identity
            .entry(entry.identity())
            .or_default()
            .push_back(i);
    }
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut unmatched_new: Vec<usize> = Vec::new();
    for (j, entry) in new_entries.iter().enumerate() {
        match old_by_identity
            .get_mut(&entry.identity())
            .and_then(VecDeque::pop_front)
        {
            Some(i) => pairs.push((i, j)),
            None => unmatched_new.push(j),
        }
    }
    let mut unmatched_old: Vec<usize> = old_by_identity.into_values().flatten().collect();
    unmatched_old.sort_unstable();
    pair_moved_files(
        &old_entries,
        &new_entries,
        &mut unmatched_old,
        &mut unmatched_new,
        &mut pairs,
    );
    Pairing {
        old: old_entries,
        new: new_entries,
        pairs,
        unmatched_old,
        unmatched_new,
    }
}

/// A resource without a namespace whose file was renamed: same name, one
/// candidate on each side, is the same resource.
fn pair_moved_files(
    old_entries: &[Entry<'_>],
    new_entries: &[Entry<'_>],
    unmatched_old: &mut Vec<usize>,
    unmatched_new: &mut Vec<usize>,
    pairs: &mut Vec<(usize, usize)>,
) {
    let by_name = |entries: &[Entry<'_>], indices: &[usize]| {
        let mut map: HashMap<(UnitRef, String), Vec<usize>> = HashMap::new();
        for &i in indices {
            if let Identity::InFile { unit, name, .. } = entries[i].identity() {
                map.entry((unit.clone(), name.to_owned()))
                    .or_default()
                    .push(i);
            }
        }
        map
    };
    let old_names = by_name(old_entries, unmatched_old);
    let new_names = by_name(new_entries, unmatched_new);
    for (name, olds) in &old_names {
        if let (1, Some(news)) = (olds.len(), new_names.get(name))
            && news.len() == 1
        {
            pairs.push((olds[0], news[0]));
            unmatched_old.retain(|&i| i != olds[0]);
            unmatched_new.retain(|&j| j != news[0]);
        }
    }
}
