//! `migrate` on arbitrary bytes: never a panic; when it produces new text,
//! that text parses, every migrated document equals the conversion of the
//! original (migrate checks this itself before returning), and migrating
//! again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mz_presync::migrate::{MigrateOptions, migrate_text};
use mz_presync::source::{FileFormat, SourceFile, source_from_bytes};

fuzz_target!(|data: &[u8]| {
    let Ok(file) = source_from_bytes("fuzz.yaml".into(), "fuzz.yaml".into(), data.to_vec(), FileFormat::Yaml) else {
        return;
    };
    let options = MigrateOptions::default();
    let Ok(migration) = migrate_text(&file, &options) else { return };
    let Some(new_text) = migration.new_text else { return };
    let migrated = SourceFile::from_text("fuzz.yaml", "fuzz.yaml".into(), new_text, FileFormat::Yaml);
    for doc in migrated.documents() {
        mz_presync::source::parse_document(&migrated, &doc).expect("migrated text parses");
    }
    let again = migrate_text(&migrated, &options).expect("migrated text migrates again");
    assert!(again.new_text.is_none(), "migrate is not idempotent");
});
