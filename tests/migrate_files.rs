//! `migrate` on whole files: the real Materialize manifests of
//! `fixtures/realworld/` and the edge cases of `fixtures/migrate/`.
//!
//! * snapshots of every migrated file (report and full text);
//! * byte-level: every document that is not migrated is byte-identical,
//!   and every changed line is one the migration has to change;
//! * idempotence: migrating the result changes nothing;
//! * CRLF, BOM, files without a final newline, JSON layouts.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use mz_presync::crd::Version;
use mz_presync::migrate::{FileMigration, MigrateError, MigrateOptions, migrate_text};
use mz_presync::source::{self, DEFAULT_MAX_FILE_SIZE, SourceFile};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| source::has_manifest_extension(path))
        .collect();
    files.sort();
    files
}

fn read(path: &Path) -> SourceFile {
    let display = path.file_name().unwrap().to_string_lossy().into_owned();
    source::read_file(path, display, DEFAULT_MAX_FILE_SIZE).expect("fixture reads")
}

fn migrate(file: &SourceFile, target: Version) -> Result<FileMigration, MigrateError> {
    migrate_text(
        file,
        &MigrateOptions {
            target,
            ..MigrateOptions::default()
        },
    )
}

fn reparse(file: &SourceFile, text: &str) -> SourceFile {
    SourceFile::from_text(
        file.display.clone(),
        file.path.clone(),
        text.to_owned(),
        file.format,
    )
}

/// The report and the whole new text, with CR and BOM made visible.
fn snapshot_text(file: &SourceFile, result: &Result<FileMigration, MigrateError>) -> String {
    let visible = |text: &str| text.replace('\u{feff}', "<BOM>").replace('\r', "␍");
    match result {
        Err(err) if err.is_skip() => format!("SKIPPED: {err}\n"),
        Err(err) => format!("ERROR at {:?}: {err}\n", err.position()),
        Ok(migration) => {
            let mut out = String::new();
            for r in &migration.resources {
                out.push_str(&format!(
                    "{}:{}: {}: {}; {}\n",
                    file.display,
                    r.position.line,
                    r.identity(),
                    r.describe_changes(),
                    r.rollout
                ));
                for note in &r.notes {
                    out.push_str(&format!("  note: {note}\n"));
                }
                if r.mid_rollout {
                    out.push_str("  warning: mid-rollout\n");
                }
            }
            match &migration.new_text {
                None => out.push_str("UNCHANGED\n"),
                Some(text) => {
                    out.push_str("---------------- migrated file ----------------\n");
                    out.push_str(&visible(text));
                }
            }
            out
        }
    }
}

fn snapshot_dir(dir: &str) {
    for path in fixtures(dir) {
        let file = read(&path);
        let result = migrate(&file, Version::V1alpha2);
        let name = format!(
            "{dir}__{}",
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .replace('.', "_")
        );
        insta::assert_snapshot!(name, snapshot_text(&file, &result));
    }
}

#[test]
fn realworld_manifests_snapshot() {
    snapshot_dir("realworld");
}

#[test]
fn edge_case_fixtures_snapshot() {
    snapshot_dir("migrate");
}

#[test]
fn edge_cases_to_v1_keep_the_rollout_request_timeout() {
    let file = read(
        &fixtures("migrate")
            .into_iter()
            .find(|p| p.ends_with("force-promote-and-timeout.yaml"))
            .unwrap(),
    );
    let migration = migrate(&file, Version::V1).unwrap();
    let text = migration.new_text.unwrap();
    assert!(text.contains("apiVersion: materialize.cloud/v1\n"));
    assert!(text.contains("  rolloutRequestTimeout: 2h   # newer operators only\n"));
    assert!(!text.contains("inPlaceRollout"));
}

/// Keys whose lines a migration may remove or rewrite, and keys it may add.
const EDITED_KEYS: [&str; 10] = [
    "apiVersion",
    // Rewritten when it is a flow map or null and gains the IAM role ARN.
    "serviceAccountAnnotations",
    "requestRollout",
    "inPlaceRollout",
    "environmentdIamRoleArn",
    "forcePromote",
    "rolloutRequestTimeout",
    "lastCompletedRolloutRequest",
    "resourcesHash",
    "version",
];
const ADDED_KEYS: [&str; 6] = [
    "apiVersion",
    "serviceAccountAnnotations",
    "eks.amazonaws.com/role-arn",
    "lastCompletedRolloutHash",
    "requestedRolloutHash",
    "version",
];

fn mentions(line: &str, keys: &[&str]) -> bool {
    keys.iter().any(|k| line.contains(k))
}

/// Every migrated file differs from its original only in lines that name a
/// field the migration edits; every other document is byte-identical.
#[test]
fn only_the_necessary_bytes_change() {
    let mut checked = 0;
    for path in fixtures("realworld").into_iter().chain(fixtures("migrate")) {
        let file = read(&path);
        let Ok(migration) = migrate(&file, Version::V1alpha2) else {
            continue;
        };
        let Some(new_text) = &migration.new_text else {
            continue;
        };
        let name = &file.display;
        let migrated = reparse(&file, new_text);
        let old_docs = file.documents();
        let new_docs = migrated.documents();
        assert_eq!(old_docs.len(), new_docs.len(), "{name}");
        assert_eq!(
            file.text[..file.bom_len()],
            migrated.text[..migrated.bom_len()],
            "{name}: BOM"
        );
        let edited: BTreeSet<usize> = migration
            .resources
            .iter()
            .map(|r| r.document)
            .chain(migration.kustomize.iter().map(|k| k.document))
            .collect();
        for (old, new) in old_docs.iter().zip(&new_docs) {
            let old_sep = old.separator.as_ref().map(|s| file.slice(s));
            let new_sep = new.separator.as_ref().map(|s| migrated.slice(s));
            assert_eq!(
                old_sep, new_sep,
                "{name}: separator of document {}",
                old.index
            );
            if !edited.contains(&old.index) {
                assert_eq!(
                    file.slice(&old.range),
                    migrated.slice(&new.range),
                    "{name}: document {} is not migrated but changed",
                    old.index
                );
            }
        }
        let diff = similar::TextDiff::from_lines(file.text.as_str(), new_text.as_str());
        let (mut removed, mut added) = (Vec::new(), Vec::new());
        let indent = |l: &str| l.len() - l.trim_start().len();
        // The indentation of the last removed line naming an edited key, while
        // the removal goes on: more indented lines are its multi-line value.
        let mut removing_under: Option<usize> = None;
        for change in diff.iter_all_changes() {
            let line = change.value();
            match change.tag() {
                similar::ChangeTag::Delete => {
                    if removing_under.is_some_and(|at| indent(line) > at) {
                        continue;
                    }
                    removing_under = mentions(line, &EDITED_KEYS).then(|| indent(line));
                    removed.push(line.to_owned());
                }
                similar::ChangeTag::Insert => added.push(line.to_owned()),
                similar::ChangeTag::Equal => removing_under = None,
            }
        }
        // JSON: a kept line may lose or gain its trailing comma.
        let strip = |l: &str| l.trim_end().trim_end_matches(',').to_owned();
        let added_stripped: BTreeSet<String> = added.iter().map(|l| strip(l)).collect();
        let removed_stripped: BTreeSet<String> = removed.iter().map(|l| strip(l)).collect();
        // `spec:` whose every entry is removed becomes `spec: {}`.
        let emptied = |line: &str| {
            let key = line.split('#').next().unwrap_or("").trim_end();
            key.ends_with(':') && added.iter().any(|a| a.starts_with(&format!("{key} {{}}")))
        };
        for line in &removed {
            assert!(
                mentions(line, &EDITED_KEYS)
                    || added_stripped.contains(&strip(line))
                    || emptied(line),
                "{name}: removed a line the migration has no reason to touch: {line:?}"
            );
        }
        for line in &added {
            let closing_brace = matches!(line.trim(), "}" | "},");
            let emptied_mapping = line.trim_end().ends_with(": {}");
            assert!(
                mentions(line, &ADDED_KEYS)
                    || closing_brace
                    || emptied_mapping
                    || removed_stripped.contains(&strip(line)),
                "{name}: added an unexpected line: {line:?}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} migrated files checked");
}

#[test]
fn migrating_twice_changes_nothing() {
    for target in [Version::V1alpha2, Version::V1] {
        for path in fixtures("realworld").into_iter().chain(fixtures("migrate")) {
            let file = read(&path);
            let Ok(FileMigration {
                new_text: Some(text),
                ..
            }) = migrate(&file, target)
            else {
                continue;
            };
            let again = migrate(&reparse(&file, &text), target)
                .unwrap_or_else(|err| panic!("{}: {err}", file.display));
            assert!(
                !again.changed(),
                "{} --to {target}: changed again",
                file.display
            );
        }
    }
}

#[test]
fn crlf_and_bom_survive() {
    let path = fixtures("migrate")
        .into_iter()
        .find(|p| p.ends_with("crlf-bom.yaml"))
        .unwrap();
    let file = read(&path);
    let text = migrate(&file, Version::V1alpha2).unwrap().new_text.unwrap();
    assert!(text.starts_with('\u{feff}'), "BOM kept");
    let lone_lf = text
        .match_indices('\n')
        .filter(|(i, _)| !text[..*i].ends_with('\r'))
        .count();
    assert_eq!(lone_lf, 0, "every line ends in CRLF:\n{text:?}");
    assert!(text.contains("\r\n  serviceAccountAnnotations:\r\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/mz\r\n"));
    assert!(text.ends_with(
        "---\r\napiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: materialize\r\n"
    ));
}

#[test]
fn a_file_without_a_final_newline_still_has_none() {
    let path = fixtures("migrate")
        .into_iter()
        .find(|p| p.ends_with("no-final-newline.yaml"))
        .unwrap();
    let text = migrate(&read(&path), Version::V1alpha2)
        .unwrap()
        .new_text
        .unwrap();
    assert!(
        text.ends_with("  backendSecretName: materialize-backend"),
        "{text:?}"
    );
}

#[test]
fn files_that_cannot_be_migrated_safely_are_errors_or_skips() {
    for (name, expected) in [
        ("syntax-error.yaml", "parse"),
        ("anchors-and-aliases.yaml", "edit"),
        ("helm-template.yaml", "template"),
    ] {
        let path = fixtures("migrate")
            .into_iter()
            .find(|p| p.ends_with(name))
            .unwrap();
        let err = migrate(&read(&path), Version::V1alpha2).unwrap_err();
        let kind = match err {
            MigrateError::Parse { .. } => "parse",
            MigrateError::Edit { .. } => "edit",
            MigrateError::Template { .. } => "template",
            MigrateError::Verify { .. } => "verify",
        };
        assert_eq!(kind, expected, "{name}: {err}");
        assert!(err.position().is_some(), "{name}: the error has a position");
    }
}

#[test]
fn files_without_v1alpha1_are_not_even_parsed() {
    // Not YAML at all, but there is nothing to migrate: no error.
    let file = SourceFile::from_text(
        "x.yaml",
        PathBuf::from("x.yaml"),
        "apiVersion: materialize.cloud/v1alpha2\nkind: [".into(),
        source::FileFormat::Yaml,
    );
    assert!(!migrate(&file, Version::V1alpha2).unwrap().changed());
}
