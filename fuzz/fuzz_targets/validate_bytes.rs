//! See `mz_presync::fuzzing::validate_bytes` for the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mz_presync::fuzzing::validate_bytes(data));
