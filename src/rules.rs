//! The one catalogue of rules: every rule of every command (`validate`,
//! `rollouts`, `render`), for `explain`, SARIF's `rules`, the README table
//! and the tests that check every printed id is explained.
//!
//! Each rule is defined once, in its own file, by the command that reports
//! it ([`RuleInfo`]); this module only lists them, in the order the README
//! does, so that no reader keeps a list of its own. It sits above the
//! commands' modules and below `report` and `cli`.

use crate::finding::{Rule, RuleInfo, Scope};
use crate::{check, history, render};

/// Every rule, once each, in the README's order: `validate`'s, then those
/// `rollouts` adds, then those `render` adds.
pub fn all() -> impl Iterator<Item = &'static RuleInfo> {
    check::rules()
        .iter()
        .copied()
        .chain(history::RULES.iter().copied())
        .chain(render::RULES.iter().copied())
}

/// The rule with this id.
pub fn find(id: &str) -> Option<Rule> {
    all().find(|rule| rule.id == id).map(Rule::new)
}

/// The rules a command reports, in catalogue order (`downtime-strategy` is
/// reported by `validate` and by `rollouts`).
pub fn of(scope: Scope) -> impl Iterator<Item = &'static RuleInfo> {
    all().filter(move |rule| rule.scopes.contains(&scope))
}

/// The rules a command brought, for `explain`'s list: each rule under the
/// first command of its scopes, so a shared rule is listed once.
pub fn introduced_by(scope: Scope) -> impl Iterator<Item = &'static RuleInfo> {
    all().filter(move |rule| rule.scopes.first() == Some(&scope))
}

/// What each command says about the rule with this id, for `explain`: the
/// rule's own text first, then the text of a command that reports it
/// differently (`rollouts` warns on `downtime-strategy` only when a change
/// starts a rollout).
pub fn texts(id: &str) -> Vec<(Scope, &'static RuleInfo)> {
    let Some(rule) = find(id) else {
        return Vec::new();
    };
    let mut texts = vec![(
        rule.scopes.first().copied().unwrap_or(Scope::Validate),
        rule.info(),
    )];
    if id == history::DOWNTIME_ON_ROLLOUT.id {
        texts.push((Scope::Rollouts, &history::DOWNTIME_ON_ROLLOUT));
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in all() {
            assert!(seen.insert(rule.id), "duplicate id {}", rule.id);
            assert!(
                rule.id.starts_with(|c: char| c.is_ascii_lowercase())
                    && rule
                        .id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{} is not kebab-case",
                rule.id
            );
            assert!(
                !rule.summary.ends_with('.') && !rule.summary.contains('\n'),
                "{}",
                rule.id
            );
            assert!(
                rule.docs.len() > 80,
                "{} needs a paragraph of docs",
                rule.id
            );
            assert!(!rule.scopes.is_empty(), "{} belongs to no command", rule.id);
        }
        assert_eq!(
            find("schema").map(|r| r.severity),
            Some(crate::finding::Severity::Error)
        );
        assert!(find("nope").is_none());
    }

    #[test]
    fn commands_and_their_texts() {
        assert_eq!(of(Scope::Validate).count(), check::rules().len());
        assert!(of(Scope::Rollouts).any(|r| r.id == "downtime-strategy"));
        assert!(introduced_by(Scope::Rollouts).all(|r| r.id != "downtime-strategy"));
        let downtime = texts("downtime-strategy");
        assert_eq!(downtime.len(), 2);
        assert_eq!(
            downtime[0].1.severity, downtime[1].1.severity,
            "a shared id keeps its severity"
        );
        assert_eq!(texts("conversion-failed")[0].0, Scope::Render);
    }
}
