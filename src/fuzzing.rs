//! Properties checked by the fuzz targets (`fuzz/`) and replayed over the
//! kept corpus and crash reproducers by `tests/fuzz_regressions.rs`, so the
//! same assertions run under libFuzzer and under `cargo test`.

use crate::check::{ValidateOptions, validate_files};
use crate::crd::{Algorithm, Version, convert, rollout_hash};
use crate::migrate::{MigrateOptions, migrate_text};
use crate::source::{self, FileFormat, SourceFile, Target, source_from_bytes};

/// Splitter, parser and pointer mapper: spans tile the file in order on
/// character boundaries; the cheap read of unwanted kinds agrees with the
/// full parse; locating a parsed key never panics and stays in the file.
pub fn split_locate(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::from_text(
        "fuzz.yaml",
        "fuzz.yaml".into(),
        text.to_owned(),
        FileFormat::Yaml,
    );
    let mut previous_end = 0;
    for doc in file.documents() {
        assert!(doc.range.start >= previous_end, "documents overlap");
        assert!(doc.range.end <= text.len(), "document beyond the file");
        assert!(text.is_char_boundary(doc.range.start) && text.is_char_boundary(doc.range.end));
        previous_end = doc.range.end;
        let parsed = source::parse_document(&file, &doc);
        // Reading a document of an unwanted kind without building its value
        // must accept and reject exactly what the full parse does.
        match (&parsed, source::parse_document_when(&file, &doc, |_| false)) {
            (Ok(_), Ok(None)) => {}
            (Err(full), Err(cheap)) => assert_eq!(full, &cheap, "errors differ"),
            (full, cheap) => panic!("parse_document {full:?}, parse_document_when {cheap:?}"),
        }
        if let Ok(Some(value)) = parsed
            && let Some(map) = value.as_object()
        {
            for key in map.keys().take(4) {
                let pointer = format!("/{}", source::escape_pointer_token(key));
                if let Some(found) = source::locate(&file, &doc, &pointer, Target::Key) {
                    assert!(found.span.end <= text.len(), "located beyond the file");
                    let _ = file.position(found.span.start);
                }
            }
        }
    }
}

/// Hash and conversion on arbitrary JSON: a hash is 64 hex digits, and a
/// hashable object keeps its hash through conversion to v1alpha2.
pub fn hash_json(data: &[u8]) {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    // Steer most inputs into the interesting code: a Materialize object.
    if let Some(map) = value.as_object_mut() {
        map.entry("kind").or_insert("Materialize".into());
        map.entry("apiVersion")
            .or_insert("materialize.cloud/v1alpha1".into());
    }
    for algorithm in [Algorithm::V1alpha2, Algorithm::V1] {
        if let Ok(hash) = rollout_hash(&value, algorithm) {
            assert_eq!(hash.hex.len(), 64);
            if algorithm == Algorithm::V1alpha2 {
                let converted =
                    convert(&value, Version::V1alpha2).expect("a hashable object converts");
                let again = rollout_hash(&converted.object, Algorithm::V1alpha2)
                    .expect("conversion keeps the object readable");
                assert_eq!(again.hex, hash.hex, "conversion changed the hash");
            }
        }
    }
    for version in Version::ALL {
        let _ = convert(&value, version);
    }
}

/// `validate` on arbitrary bytes: never a panic; every finding points at a
/// line of the file.
pub fn validate_bytes(data: &[u8]) {
    let Some(file) = yaml_file(data) else {
        return;
    };
    // The end of the stream is a valid place for an error ("unexpected end of
    // stream"): the first column of the line after a final newline.
    let lines = file.line_count().max(1) + 1;
    let validation = validate_files(vec![file], |_| false, &ValidateOptions::default());
    for finding in &validation.findings {
        assert!(
            finding.line() >= 1 && finding.line() <= lines,
            "finding outside the file: {finding:?}"
        );
        assert!(finding.column() >= 1);
    }
}

/// `migrate` on arbitrary bytes: new text parses and migrating it again
/// changes nothing (migrate itself proves convert-equality before it
/// returns new text).
pub fn migrate_bytes(data: &[u8]) {
    let Some(file) = yaml_file(data) else {
        return;
    };
    let options = MigrateOptions::default();
    let Ok(migration) = migrate_text(&file, &options) else {
        return;
    };
    let Some(new_text) = migration.new_text else {
        return;
    };
    let migrated =
        SourceFile::from_text("fuzz.yaml", "fuzz.yaml".into(), new_text, FileFormat::Yaml);
    for doc in migrated.documents() {
        source::parse_document(&migrated, &doc).expect("migrated text parses");
    }
    let again = migrate_text(&migrated, &options).expect("migrated text migrates again");
    assert!(again.new_text.is_none(), "migrate is not idempotent");
}

/// The bytes as a YAML file, when the reader accepts them (UTF-8, no NUL).
fn yaml_file(data: &[u8]) -> Option<SourceFile> {
    source_from_bytes(
        "fuzz.yaml".into(),
        "fuzz.yaml".into(),
        data.to_vec(),
        FileFormat::Yaml,
    )
    .ok()
}
