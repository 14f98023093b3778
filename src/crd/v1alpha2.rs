//! `materialize.cloud/v1alpha2`: the design document's version. A rollout
//! starts whenever the key-sorted hash of the spec changes.

super::spec_v2::hash_driven_version!(
    version = "v1alpha2",
    doc = "A Materialize environment. A rollout starts whenever the hash of the rollout-relevant spec fields changes.",
    after_strategy = {}
);
