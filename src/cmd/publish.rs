//! `jq-nats publish`: enqueue jobs.

use anyhow::{bail, Result};

use super::Env;
use crate::cli::PublishArgs;

pub async fn run(_env: &Env, _args: PublishArgs) -> Result<()> {
    bail!("publish is not built yet")
}
