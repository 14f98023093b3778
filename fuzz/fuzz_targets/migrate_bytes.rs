//! See `mz_presync::fuzzing::migrate_bytes` for the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mz_presync::fuzzing::migrate_bytes(data));
