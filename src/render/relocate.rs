//! Findings back to the file the user can open: `validate` runs on the
//! converted text, and a line of that text is not a line of the repository.
//!
//! The migration edits inside documents and never adds or removes one, so
//! document `i` of the converted text is document `i` of the original. A
//! finding keeps its JSON pointer and moves to the same pointer in the
//! original document. A pointer the original lacks (a value the conversion
//! created, such as the IAM role annotation) lands on its deepest existing
//! ancestor. Each file is split once and each document's syntax trees are
//! built once, however many findings it has.

use std::collections::HashMap;

use super::convert::Rendered;
use crate::finding::{Finding, Span};
use crate::source::{DocumentIndex, DocumentSpan, SourceFile, Target};

/// Move every finding reported against a converted text of `rendered` to
/// its place in the file as read; other findings are left alone.
pub fn relocate(findings: &mut [Finding], rendered: &[Rendered]) {
    let by_display: HashMap<&str, &Rendered> = rendered
        .iter()
        .map(|r| (r.original.display.as_str(), r))
        .collect();
    let mut files: HashMap<&str, Option<ConvertedFile>> = HashMap::new();
    for finding in findings {
        let Some(rendered) = by_display.get(finding.file()) else {
            continue;
        };
        let file = files
            .entry(rendered.original.display.as_str())
            .or_insert_with(|| ConvertedFile::of(rendered));
        if let Some(file) = file {
            file.relocate(finding);
        }
    }
}

/// A converted file and its original, split into documents once; the
/// syntax trees of a document are built when a finding first needs them.
struct ConvertedFile<'r> {
    converted: &'r SourceFile,
    original: &'r SourceFile,
    converted_documents: Vec<DocumentSpan>,
    original_documents: Vec<DocumentSpan>,
    /// The original's tree by document index.
    trees: HashMap<usize, DocumentIndex<'r>>,
}

impl<'r> ConvertedFile<'r> {
    /// `None` when there is nothing to move: the file was not converted,
    /// or (never by the migration's contract) its documents do not pair up.
    fn of(rendered: &'r Rendered) -> Option<ConvertedFile<'r>> {
        let converted = rendered.converted.as_ref()?;
        let converted_documents = converted.documents();
        let original_documents = rendered.original.documents();
        (converted_documents.len() == original_documents.len()).then(|| ConvertedFile {
            converted,
            original: &rendered.original,
            converted_documents,
            original_documents,
            trees: HashMap::new(),
        })
    }

    fn relocate(&mut self, finding: &mut Finding) {
        // The finding names its document; one made without (a file-level
        // finding) is placed by its position in the converted text.
        let index = match finding.location.document {
            Some(index) => index,
            None => {
                let Some(offset) = self.converted.offset(finding.location.start()) else {
                    return;
                };
                let Some(document) = self.converted_documents.iter().find(|d| {
                    d.range.start <= offset && offset < d.range.end.max(d.range.start + 1)
                }) else {
                    return;
                };
                document.index
            }
        };
        let Some(original_document) = self.original_documents.get(index) else {
            return;
        };
        let original = self.original;
        let original_index = self
            .trees
            .entry(index)
            .or_insert_with(|| DocumentIndex::new(original, original_document));
        // The finding says which end of a mapping entry it is about (the
        // key for an unknown field, the value for a wrong value); the
        // original gets the same.
        let Some(mut located) =
            original_index.locate(&finding.location.pointer, finding.location.target)
        else {
            return;
        };
        if !located.exact {
            // The ancestor's key reads as "in here"; its value could start
            // on an unrelated line.
            if let Some(key) = original_index.locate(&located.found_pointer, Target::Key) {
                located = key;
            }
        }
        finding.location.span = Some(Span {
            start: located.start,
            end: located.end,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::{finding, yaml};

    fn relocate_one(finding: &mut Finding, rendered: &Rendered) {
        relocate(
            std::slice::from_mut(finding),
            std::slice::from_ref(rendered),
        );
    }

    #[test]
    fn findings_move_back_to_the_original_lines() {
        let original = yaml(
            "mz.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n---\napiVersion: materialize.cloud/v1alpha1\nkind: Materialize\nspec:\n  requestRollout: 11111111-1111-1111-1111-111111111111\n  inPlaceRollout: false\n  rolloutStrategy: Bogus\n  bogusField: 1\n",
        );
        let converted = yaml(
            "mz.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n---\napiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nspec:\n  rolloutStrategy: Bogus\n  bogusField: 1\n",
        );
        let rendered = Rendered {
            original,
            converted: Some(converted),
        };
        // A value finding on line 8 col 20 of the converted text.
        let mut value = finding(8, 20, "/spec/rolloutStrategy");
        relocate_one(&mut value, &rendered);
        assert_eq!(
            (value.line(), value.column(), value.end_column()),
            (10, 20, 25)
        );
        // A key finding on line 9 col 3.
        let mut key = finding(9, 3, "/spec/bogusField");
        key.location.target = Target::Key;
        relocate_one(&mut key, &rendered);
        assert_eq!((key.line(), key.column()), (11, 3));
    }

    #[test]
    fn a_pointer_the_original_lacks_lands_on_its_ancestor() {
        let rendered = Rendered {
            original: yaml(
                "mz.yaml",
                "kind: Materialize\nspec:\n  environmentdIamRoleArn: arn\n",
            ),
            converted: Some(yaml(
                "mz.yaml",
                "kind: Materialize\nspec:\n  serviceAccountAnnotations:\n    eks.amazonaws.com/role-arn: arn\n",
            )),
        };
        let mut f = finding(
            4,
            33,
            "/spec/serviceAccountAnnotations/eks.amazonaws.com~1role-arn",
        );
        relocate_one(&mut f, &rendered);
        assert_eq!(f.line(), 2);
    }

    #[test]
    fn unchanged_files_keep_their_locations() {
        let mut f = finding(3, 4, "/spec/x");
        relocate_one(&mut f, &Rendered::unchanged(yaml("mz.yaml", "a: 1\n")));
        assert_eq!((f.line(), f.column()), (3, 4));
    }
}
