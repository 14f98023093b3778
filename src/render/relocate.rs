//! Findings back to the file the user can open: `validate` runs on the
//! converted text, and a line of that text is not a line of the repository.

use super::convert::Rendered;
use crate::check::Finding;
use crate::source::{self, DocumentIndex, Target};

/// Move a finding reported against the converted text of `rendered` to the
/// same JSON pointer in the original file. The migration edits inside
/// documents and never adds or removes one, so document `i` of the converted
/// text is document `i` of the original. A pointer the original lacks (a
/// value the conversion created, such as the IAM role annotation) lands on
/// its deepest existing ancestor.
pub fn relocate(finding: &mut Finding, rendered: &Rendered) {
    let Some(converted) = &rendered.converted else {
        return;
    };
    let converted_documents = converted.documents();
    let original_documents = rendered.original.documents();
    if converted_documents.len() != original_documents.len() {
        return;
    }
    let Some(offset) = converted.offset(source::Position {
        line: finding.line,
        column: finding.column,
    }) else {
        return;
    };
    let Some(converted_document) = converted_documents
        .iter()
        .find(|d| d.range.start <= offset && offset < d.range.end.max(d.range.start + 1))
    else {
        return;
    };
    let original_document = &original_documents[converted_document.index];

    // Which end of a mapping entry the finding points at (its key for an
    // unknown field, its value for a wrong value) is read off the converted
    // location, so the original gets the same.
    let converted_index = DocumentIndex::new(converted, converted_document);
    let at_key = converted_index
        .locate(&finding.pointer, Target::Key)
        .is_some_and(|l| l.start.line == finding.line && l.start.column == finding.column);
    let target = if at_key { Target::Key } else { Target::Value };
    let original_index = DocumentIndex::new(&rendered.original, original_document);
    let Some(mut located) = original_index.locate(&finding.pointer, target) else {
        return;
    };
    if !located.exact {
        // The ancestor's key reads as "in here"; its value could start on
        // an unrelated line.
        if let Some(key) = original_index.locate(&located.found_pointer, Target::Key) {
            located = key;
        }
    }
    finding.line = located.start.line;
    finding.column = located.start.column;
    finding.end_line = located.end.line;
    finding.end_column = located.end.column;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::{finding, yaml};

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
        relocate(&mut value, &rendered);
        assert_eq!((value.line, value.column, value.end_column), (10, 20, 25));
        // A key finding on line 9 col 3.
        let mut key = finding(9, 3, "/spec/bogusField");
        relocate(&mut key, &rendered);
        assert_eq!((key.line, key.column), (11, 3));
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
        relocate(&mut f, &rendered);
        assert_eq!(f.line, 2);
    }

    #[test]
    fn unchanged_files_keep_their_locations() {
        let mut f = finding(3, 4, "/spec/x");
        relocate(&mut f, &Rendered::unchanged(yaml("a.yaml", "a: 1\n")));
        assert_eq!((f.line, f.column), (3, 4));
    }
}
