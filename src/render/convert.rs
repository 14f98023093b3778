//! In-memory conversion of every input with `migrate`'s text-preserving
//! edit and safety check, so that what render prints is what `migrate`
//! would have written.

use rayon::prelude::*;

use super::rules::conversion_failed;
use crate::crd::{Operator, Version};
use crate::finding::Finding;
use crate::migrate::{self, FileRole, MigrateOptions};
use crate::source::SourceFile;

/// One input after conversion.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The file as read. Findings are reported against it, so that a line
    /// number is one the user can open in the repository.
    pub original: SourceFile,
    /// The converted text, when the migration changed the file.
    pub converted: Option<SourceFile>,
}

impl Rendered {
    pub fn unchanged(original: SourceFile) -> Rendered {
        Rendered {
            original,
            converted: None,
        }
    }

    /// What goes to the stream.
    pub fn output(&self) -> &SourceFile {
        self.converted.as_ref().unwrap_or(&self.original)
    }
}

/// Every file converted, in order.
pub struct Conversion {
    pub rendered: Vec<Rendered>,
    /// One `conversion-failed` error per file the migration refused.
    pub failures: Vec<Finding>,
    /// Materialize objects converted.
    pub converted: usize,
}

/// Convert every file in memory. A file the migration refuses is kept as
/// read, with a `conversion-failed` error, so that the stream fails closed.
pub fn convert(files: Vec<SourceFile>, target: Version, operator: Operator) -> Conversion {
    // The model's conversion rules: under `released`, v1alpha2 (not served)
    // is renamed to v1 as well, and forcePromote follows its rule.
    let options = MigrateOptions {
        target,
        role: FileRole::Manifest,
        operator,
    };
    let results: Vec<(Rendered, Option<Finding>, usize)> = files
        .into_par_iter()
        .map(
            |original| match migrate::migrate_text(&original, &options) {
                Ok(migration) => {
                    let count = migration.resources.len();
                    let converted = migration.new_text.map(|text| {
                        SourceFile::from_text(
                            original.display.clone(),
                            original.path.clone(),
                            text,
                            original.format,
                        )
                    });
                    let rendered = Rendered {
                        original,
                        converted,
                    };
                    (rendered, None, count)
                }
                Err(error) => {
                    let failure =
                        conversion_failed::finding(&original, &error.to_string(), error.position());
                    (Rendered::unchanged(original), Some(failure), 0)
                }
            },
        )
        .collect();
    let mut conversion = Conversion {
        rendered: Vec::with_capacity(results.len()),
        failures: Vec::new(),
        converted: 0,
    };
    for (file, failure, count) in results {
        conversion.rendered.push(file);
        conversion.failures.extend(failure);
        conversion.converted += count;
    }
    conversion
}
