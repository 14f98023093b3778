//! The two operator generations the tool models (spec §7): what the design
//! document describes, and what Materialize released (v26.30 and later).
//!
//! They differ in which versions a cluster serves, the hash algorithm, what
//! requests a rollout of a `v1alpha1` object and whether adopting the new
//! version is rollout-neutral. Every verdict names the model it came from,
//! so this is a value passed down, never a global.

use serde::{Deserialize, Serialize};

use super::common::Version;
use super::hash::Algorithm;

/// Which operator reconciles the resources.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Operator {
    /// The design document: `v1alpha2` stored, hash-triggered rollouts,
    /// key-sorted hash, migration rollout-neutral.
    #[default]
    Design,
    /// Operator v26.30 and later: `v1alpha1` stored, `v1` served with
    /// `--install-v1-crd`, `v1alpha2` not served, declaration-order hash,
    /// `requestRollout` derived from the hash.
    Released,
}

impl Operator {
    pub const ALL: [Operator; 2] = [Operator::Design, Operator::Released];

    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Design => "design",
            Operator::Released => "released",
        }
    }

    pub fn parse(name: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|o| o.as_str() == name)
    }

    /// The hash algorithm the operator computes.
    pub fn algorithm(self) -> Algorithm {
        match self {
            Operator::Design => Algorithm::V1alpha2,
            Operator::Released => Algorithm::V1,
        }
    }

    /// The version `migrate` converts `v1alpha1` manifests to.
    pub fn migration_target(self) -> Version {
        match self {
            Operator::Design => Version::V1alpha2,
            Operator::Released => Version::V1,
        }
    }

    /// The version the API server stores and the controller reconciles.
    pub fn storage_version(self) -> Version {
        match self {
            Operator::Design => Version::V1alpha2,
            Operator::Released => Version::V1alpha1,
        }
    }

    /// Whether the API server accepts objects of `version` at all. Under
    /// `released`, `v1` is served only when the operator runs with
    /// `--install-v1-crd`; it counts as served (with a note elsewhere).
    pub fn serves(self, version: Version) -> bool {
        !(self == Operator::Released && version == Version::V1alpha2)
    }

    /// The versions in the CRD `schema` writes for this operator.
    pub fn served_versions(self) -> &'static [Version] {
        match self {
            Operator::Design => &Version::ALL,
            Operator::Released => &[Version::V1alpha1, Version::V1],
        }
    }

    /// A human name for summaries: "the design-document operator".
    pub fn describe(self) -> &'static str {
        match self {
            Operator::Design => "the design-document operator",
            Operator::Released => "the released operator (v26.30+)",
        }
    }
}

impl std::fmt::Display for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn released_implies_v1_and_serves_no_v1alpha2() {
        assert_eq!(Operator::Released.algorithm(), Algorithm::V1);
        assert_eq!(Operator::Released.migration_target(), Version::V1);
        assert!(!Operator::Released.serves(Version::V1alpha2));
        assert!(Operator::Design.serves(Version::V1alpha2));
        assert_eq!(Operator::default(), Operator::Design);
        assert_eq!(Operator::parse("released"), Some(Operator::Released));
        assert_eq!(Operator::parse("Released"), None);
    }
}
