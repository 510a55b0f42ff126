//! `jq-nats work`: run a worker.

use anyhow::{bail, Result};

use super::Env;
use crate::cli::WorkArgs;

pub async fn run(_env: &Env, _args: WorkArgs) -> Result<()> {
    bail!("work is not built yet")
}
