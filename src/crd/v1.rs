//! `materialize.cloud/v1`: the same design as shipped upstream, plus
//! `rolloutRequestTimeout`. Its hash serializes in declaration order.

super::spec_v2::hash_driven_version!(
    version = "v1",
    doc = "A Materialize environment. A rollout starts whenever the hash of the rollout-relevant spec fields changes.",
    after_strategy = {
        /// How long a requested rollout may take, e.g. "24h" or "1h 30m".
        #[serde(default = "default_rollout_request_timeout")]
        pub rollout_request_timeout: String,
    }
);
