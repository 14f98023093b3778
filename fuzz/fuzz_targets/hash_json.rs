//! The rollout hash and conversion on arbitrary JSON: never a panic; a hash
//! is 64 hex digits; conversion to v1alpha2 keeps a readable object's hash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mz_presync::crd::{Algorithm, Version, convert, rollout_hash};

fuzz_target!(|data: &[u8]| {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    // Steer most inputs into the interesting code: a Materialize object.
    if let Some(map) = value.as_object_mut() {
        map.entry("kind").or_insert("Materialize".into());
        map.entry("apiVersion").or_insert("materialize.cloud/v1alpha1".into());
    }
    for algorithm in [Algorithm::V1alpha2, Algorithm::V1] {
        if let Ok(hash) = rollout_hash(&value, algorithm) {
            assert_eq!(hash.hex.len(), 64);
            if algorithm == Algorithm::V1alpha2 {
                let converted = convert(&value, Version::V1alpha2).expect("a hashable object converts");
                let again = rollout_hash(&converted.object, Algorithm::V1alpha2).expect("conversion stays readable");
                assert_eq!(again.hex, hash.hex, "conversion changed the hash");
            }
        }
    }
    for version in Version::ALL {
        let _ = convert(&value, version);
    }
});
