//! `jq-nats completions SHELL`: the completion script, generated from the clap model.

use anyhow::Result;
use clap::CommandFactory;

use super::Env;
use crate::cli::{Cli, CompletionsArgs};

pub fn run(_env: &Env, args: CompletionsArgs) -> Result<()> {
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut Cli::command(), "jq-nats", &mut out);
    Ok(())
}
