//! `mz-presync explain`: the rules of every command, as a list or one
//! rule's documentation, read from the catalogue (`crate::rules`).

use crate::finding::{RuleInfo, Scope};
use crate::rules;

/// The headings of the list, one per command; `validate`'s rules come
/// first, without one.
const GROUPS: [(Scope, &str); 3] = [
    (Scope::Validate, ""),
    (
        Scope::Rollouts,
        "Checks that `mz-presync rollouts` adds on a change:",
    ),
    (
        Scope::Render,
        "Checks that `mz-presync render` adds on the manifest stream:",
    ),
];

/// Every rule: id, severity and summary, grouped by the command that
/// brought it, and a last line on how to see one rule.
pub fn list() -> String {
    let width = rules::all().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = format!("{:width$}  {:8}  description\n", "rule", "severity");
    for (scope, heading) in GROUPS {
        if !heading.is_empty() {
            out.push_str(&format!("\n{heading}\n"));
        }
        for rule in rules::introduced_by(scope) {
            out.push_str(&format!(
                "{:width$}  {:8}  {}\n",
                rule.id,
                rule.severity.as_str(),
                rule.summary
            ));
        }
    }
    out.push_str("\nRun `mz-presync explain RULE` for the details of one rule.\n");
    out
}

/// The documentation of the rule with this id, then what another command
/// says about it; for an unknown id, the error to print (it lists the ids).
pub fn rule(id: &str) -> Result<String, String> {
    let texts = rules::texts(id);
    if texts.is_empty() {
        let ids: Vec<&str> = rules::all().map(|r| r.id).collect();
        return Err(format!(
            "error: there is no rule `{id}`; `mz-presync explain` lists them: {}",
            ids.join(", ")
        ));
    }
    let mut text = String::new();
    for (index, (scope, rule)) in texts.into_iter().enumerate() {
        if index == 0 {
            text.push_str(&describe(rule));
        } else {
            text.push_str(&describe_in(rule, scope));
        }
    }
    Ok(text)
}

fn describe(rule: &RuleInfo) -> String {
    format!(
        "{} ({})\n\n{}.\n\n{}\n",
        rule.id,
        rule.severity,
        rule.summary,
        wrap(rule.docs, 80)
    )
}

/// What another command says about a rule, after the rule's own text.
fn describe_in(rule: &RuleInfo, scope: Scope) -> String {
    let heading = match scope {
        Scope::Validate => "In `validate`",
        Scope::Rollouts => "In `rollouts`",
        Scope::Render => "In `render`",
    };
    format!(
        "\n{heading} ({}): {}.\n\n{}\n",
        rule.severity,
        rule.summary,
        wrap(rule.docs, 80)
    )
}

/// Wrap a paragraph at word boundaries.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        if line_len > 0 && line_len + 1 + word.chars().count() > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += word.chars().count();
    }
    out
}
