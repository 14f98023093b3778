//! `mz-presync explain`: the documentation of the rules of `validate`,
//! `rollouts` and `render` (the text is `report::explain`'s).

use crate::report::explain;

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
        print!("{}", explain::list());
        return Ok(super::EXIT_OK);
    };
    match explain::rule(&id) {
        Ok(text) => {
            print!("{text}");
            Ok(super::EXIT_OK)
        }
        Err(error) => {
            eprintln!("{error}");
            Ok(super::EXIT_USAGE)
        }
    }
}
