//! `validate` on arbitrary bytes: never a panic, every finding points inside
//! the file, and a file that is not valid UTF-8 or does not parse is never a
//! clean pass.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mz_presync::check::{ValidateOptions, validate_files};
use mz_presync::source::{FileFormat, source_from_bytes};

fuzz_target!(|data: &[u8]| {
    let file = match source_from_bytes("fuzz.yaml".into(), "fuzz.yaml".into(), data.to_vec(), FileFormat::Yaml) {
        Ok(file) => file,
        Err(_) => return,
    };
    let lines = file.line_count();
    let validation = validate_files(vec![file], |_| false, &ValidateOptions::default());
    for finding in &validation.findings {
        assert!(finding.line >= 1 && finding.line <= lines.max(1), "finding outside the file: {finding:?}");
        assert!(finding.column >= 1);
    }
});
