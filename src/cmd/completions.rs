//! `jq-nats completions SHELL`: the completion script, generated from the clap model.

use std::io::Write;

use anyhow::Result;

use super::Env;
use crate::cli::CompletionsArgs;

pub fn run(_env: &Env, args: CompletionsArgs) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(&crate::generate::completion(args.shell))?;
    out.flush()?;
    Ok(())
}
