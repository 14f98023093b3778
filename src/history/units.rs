//! Which deploy units a changed file belongs to, for identity in `rollouts`
//! (a resource is (unit, namespace, name): the same `materialize/mz` in two
//! clusters' directories is two resources).
//!
//! The units come from the repository at the range's head and at its base
//! (the union: a unit deleted inside the range still names its files, so
//! its resources keep their identity up to the deletion), found once per
//! run ([`crate::source::units`] owns how). A changed path is looked up
//! once and remembered: most commits change few paths and the same paths
//! recur, so the lookup costs follow distinct changed paths, not commits.

use std::collections::HashMap;
use std::sync::Arc;

use crate::source::units::{Unit, UnitKind, UnitRef, Units};

/// A deploy unit as the scan uses it: its reference (what reports name)
/// and the namespace objects without one end up in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanUnit {
    pub reference: UnitRef,
    pub destination_namespace: Option<String>,
}

impl ScanUnit {
    fn of(unit: &Unit) -> ScanUnit {
        ScanUnit {
            reference: unit.reference(),
            destination_namespace: unit.destination_namespace.clone(),
        }
    }

    /// The fallback unit of a file's own directory, as [`Units`] makes it.
    pub fn directory_of(file: &str) -> ScanUnit {
        let fallback = Units::default().of_relative(file);
        ScanUnit::of(&fallback[0])
    }
}

/// The units of the repository at the range's ends, and what each looked-up
/// path belongs to.
#[derive(Default)]
pub struct UnitIndex {
    /// Head first: its destination namespace wins when both ends define
    /// the same unit differently.
    sources: Vec<Units>,
    by_path: HashMap<String, Arc<[ScanUnit]>>,
}

impl UnitIndex {
    pub fn new(sources: Vec<Units>) -> UnitIndex {
        UnitIndex {
            sources,
            by_path: HashMap::new(),
        }
    }

    /// The units `path` (repository-relative) belongs to, in the units'
    /// order (kind, path, name); its own directory when no unit reaches it.
    pub fn of(&mut self, path: &str) -> Arc<[ScanUnit]> {
        if let Some(units) = self.by_path.get(path) {
            return Arc::clone(units);
        }
        let mut found: Vec<ScanUnit> = Vec::new();
        for units in &self.sources {
            for unit in units.of_relative(path) {
                // The fallback directory unit of one end is not a unit the
                // other end lacks: only discovered units are united.
                if unit.kind == UnitKind::Directory {
                    continue;
                }
                let unit = ScanUnit::of(&unit);
                if found.iter().all(|f| f.reference != unit.reference) {
                    found.push(unit);
                }
            }
        }
        if found.is_empty() {
            found.push(ScanUnit::directory_of(path));
        }
        found.sort_by(|a, b| {
            let key = |u: &ScanUnit| {
                (
                    u.reference.kind,
                    u.reference.path.clone(),
                    u.reference.name.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        let units: Arc<[ScanUnit]> = found.into();
        self.by_path.insert(path.to_owned(), Arc::clone(&units));
        units
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_no_unit_reaches_are_in_their_directory() {
        let mut index = UnitIndex::new(vec![Units::default()]);
        let units = index.of("clusters/us-east/mz.yaml");
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].reference.kind, UnitKind::Directory);
        assert_eq!(units[0].reference.path, "clusters/us-east");
        assert_eq!(index.of("top.yaml")[0].reference.name, ".");
    }
}
