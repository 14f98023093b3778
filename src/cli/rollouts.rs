//! `mz-presync rollouts` (not written yet).

/// Not written yet.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args, _ctx: &super::Context) -> anyhow::Result<i32> {
    anyhow::bail!("`rollouts` is not implemented yet")
}
