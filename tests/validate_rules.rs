//! One fixture per case under `fixtures/rules/<rule-id>/<case>.{yaml,json}`,
//! each with a sidecar `<case>.<ext>.expect` listing exactly the findings the
//! case must produce (`RULE LINE:COLUMN SEVERITY POINTER`, `-` for an empty
//! pointer, or `none`), and `~ TEXT` lines for text some message must
//! contain. A case's first line may carry `# options: --strict`,
//! `--require-version V`, `--algorithm V` or `--operator design|released`.

use std::path::{Path, PathBuf};

use mz_presync::check::{self, CheckOptions, ValidateOptions, validate_paths};
use mz_presync::crd::{Algorithm, Operator, Version};

fn cases() -> Vec<PathBuf> {
    let mut cases = Vec::new();
    for dir in std::fs::read_dir("fixtures/rules").expect("fixtures/rules exists") {
        let dir = dir.unwrap().path();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e != "expect") {
                cases.push(path);
            }
        }
    }
    cases.sort();
    cases
}

const ONCE_PER_RUN: [&str; 2] = ["v1-needs-install-flag", "released-version-seen"];

fn options_of(case: &Path) -> ValidateOptions {
    let bytes = std::fs::read(case).unwrap();
    let first_line =
        String::from_utf8_lossy(bytes.split(|b| *b == b'\n').next().unwrap_or_default())
            .into_owned();
    let mut check = CheckOptions::default();
    if let Some(flags) = first_line.strip_prefix("# options:") {
        let mut words = flags.split_whitespace();
        while let Some(flag) = words.next() {
            match flag {
                "--strict" => check.strict = true,
                "--require-version" => {
                    check.require_version = words.next().and_then(Version::parse)
                }
                "--algorithm" => check.algorithm = words.next().and_then(Algorithm::parse),
                "--operator" => {
                    check.operator = words.next().and_then(Operator::parse).unwrap_or_else(|| {
                        panic!("{}: --operator needs design|released", case.display())
                    })
                }
                other => panic!("{}: unknown option {other}", case.display()),
            }
        }
    }
    ValidateOptions {
        check,
        // The once-per-run notes about the model (at the first v1 object)
        // would repeat in every v1 case; only their own cases turn them on.
        model_notes: ONCE_PER_RUN
            .iter()
            .any(|rule| case.parent().is_some_and(|dir| dir.ends_with(rule))),
        ..ValidateOptions::default()
    }
}

#[test]
fn every_case_gives_exactly_its_expected_findings() {
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    for case in &cases {
        let expect_path = PathBuf::from(format!("{}.expect", case.display()));
        let expectations = std::fs::read_to_string(&expect_path)
            .unwrap_or_else(|_| panic!("{} has no .expect sidecar", case.display()));
        let expected: Vec<&str> = expectations
            .lines()
            .filter(|l| !l.starts_with("~ ") && *l != "none" && !l.trim().is_empty())
            .collect();
        let fragments: Vec<&str> = expectations
            .lines()
            .filter_map(|l| l.strip_prefix("~ "))
            .collect();
        let validation =
            validate_paths(std::slice::from_ref(case), &options_of(case)).expect("fixture exists");
        let actual: Vec<String> = validation
            .findings
            .iter()
            .map(|f| {
                let pointer = if f.pointer().is_empty() {
                    "-"
                } else {
                    f.pointer()
                };
                format!(
                    "{} {}:{} {} {pointer}",
                    f.rule,
                    f.line(),
                    f.column(),
                    f.severity
                )
            })
            .collect();
        if actual != expected {
            failures.push(format!(
                "{}:\n  expected {expected:#?}\n  actual   {actual:#?}",
                case.display()
            ));
        }
        for fragment in fragments {
            if !validation
                .findings
                .iter()
                .any(|f| f.message.contains(fragment))
            {
                failures.push(format!(
                    "{}: no message contains {fragment:?}; messages: {:#?}",
                    case.display(),
                    validation
                        .findings
                        .iter()
                        .map(|f| &f.message)
                        .collect::<Vec<_>>()
                ));
            }
        }
        for finding in &validation.findings {
            assert_eq!(finding.file(), case.display().to_string());
            assert!(finding.line() >= 1 && finding.column() >= 1, "{finding:?}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_rule_has_a_fixture_directory_with_a_case_that_reports_it() {
    for rule in check::rules() {
        let dir = Path::new("fixtures/rules").join(rule.id);
        assert!(dir.is_dir(), "no fixtures for rule {}", rule.id);
        let reported = std::fs::read_dir(&dir).unwrap().any(|entry| {
            let path = entry.unwrap().path();
            path.extension().is_some_and(|e| e == "expect")
                && std::fs::read_to_string(&path)
                    .unwrap()
                    .lines()
                    .any(|line| line.split(' ').next() == Some(rule.id))
        });
        assert!(reported, "no case in {} reports {}", dir.display(), rule.id);
    }
}

#[test]
fn clean_cases_exist_for_rules_with_a_negative_case() {
    // A rule is only trustworthy if something close to its trigger passes.
    for case in [
        "downtime-strategy/manually-promote-is-fine.yaml",
        "invalid-duration/hours-and-minutes-is-fine.yaml",
        "force-promote/empty-string-is-fine.yaml",
        "schema/valid-v1.yaml",
        "duplicate-resource/different-namespaces-are-fine.yaml",
        "deprecated-version/v1-is-newer-than-required.yaml",
    ] {
        let path = Path::new("fixtures/rules").join(case);
        let validation = validate_paths(std::slice::from_ref(&path), &options_of(&path)).unwrap();
        assert!(
            validation.findings.is_empty(),
            "{case}: {:#?}",
            validation.findings
        );
        assert_eq!(
            validation.summary.resources,
            if case.starts_with("duplicate") { 2 } else { 1 }
        );
    }
}
