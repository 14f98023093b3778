//! `mz-presync explain`: the documentation of the rules of `validate`,
//! `rollouts` and `render`.

use crate::check::{RuleInfo, rules};
use crate::history;

/// Show what a rule checks and how to fix its findings; without a rule,
/// list every rule.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  mz-presync explain\n  mz-presync explain unknown-field")]
pub struct Args {
    /// A rule id, as shown in brackets in the output of validate or rollouts.
    #[arg(value_name = "RULE")]
    rule: Option<String>,
}

pub fn run(args: Args, _ctx: &super::Context) -> anyhow::Result<i32> {
    let Some(id) = args.rule else {
        let all = rules()
            .iter()
            .copied()
            .chain(history::RULES)
            .chain(crate::render::RULES.iter().copied());
        let width = all.map(|r| r.id.len()).max().unwrap_or(0);
        println!("{:width$}  {:8}  description", "rule", "severity");
        let validate: Vec<&RuleInfo> = rules().to_vec();
        let rollouts: Vec<&RuleInfo> = history::RULES.to_vec();
        let render: Vec<&RuleInfo> = crate::render::RULES.to_vec();
        let groups = [
            ("", validate),
            (
                "Checks that `mz-presync rollouts` adds on a change:",
                rollouts,
            ),
            (
                "Checks that `mz-presync render` adds on the manifest stream:",
                render,
            ),
        ];
        for (heading, group) in groups {
            if !heading.is_empty() {
                println!("\n{heading}");
            }
            for rule in group {
                println!(
                    "{:width$}  {:8}  {}",
                    rule.id,
                    rule.severity.as_str(),
                    rule.summary
                );
            }
        }
        println!("\nRun `mz-presync explain RULE` for the details of one rule.");
        return Ok(super::EXIT_OK);
    };
    let validate_rule = crate::check::rule(&id);
    let rollouts_rule = history::rule(&id);
    let render_rule = crate::render::RULES.iter().copied().find(|r| r.id == id);
    match (validate_rule, rollouts_rule, render_rule) {
        (None, None, None) => {
            eprintln!(
                "error: there is no rule `{id}`; `mz-presync explain` lists them: {}",
                rules()
                    .iter()
                    .copied()
                    .chain(history::RULES)
                    .chain(crate::render::RULES.iter().copied())
                    .map(|r| r.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Ok(super::EXIT_USAGE)
        }
        (first, second, third) => {
            let mut text = String::new();
            for (heading, rule) in [
                ("", first),
                ("In `rollouts`", second),
                ("In `render`", third),
            ] {
                if let Some(rule) = rule {
                    text.push_str(&describe(rule, heading, !text.is_empty()));
                }
            }
            print!("{text}");
            Ok(super::EXIT_OK)
        }
    }
}

fn describe(rule: &RuleInfo, heading: &str, continued: bool) -> String {
    if continued {
        format!(
            "\n{heading} ({}): {}.\n\n{}\n",
            rule.severity,
            rule.summary,
            wrap(rule.docs, 80)
        )
    } else {
        format!(
            "{} ({})\n\n{}.\n\n{}\n",
            rule.id,
            rule.severity,
            rule.summary,
            wrap(rule.docs, 80)
        )
    }
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
