//! Dispatch from a parsed command line to the command's file.

use anyhow::Result;
use clap::ArgMatches;

use crate::cli::{Cli, Command, StreamCommand};
use crate::context::{Conn, Refusals};
use crate::output::Printer;

pub mod complete;
pub mod completions;
pub mod context;
pub mod demo;
pub mod dlq;
pub mod publish;
pub mod stream;
pub mod work;

/// What every command gets: the parsed global flags, their sources, and the printer.
pub struct Env {
    pub matches: ArgMatches,
    pub global: crate::cli::GlobalArgs,
    pub printer: Printer,
    /// Permission violations on the command's connections.
    pub refusals: Refusals,
}

impl Env {
    /// Resolves the connection settings and connects.
    pub async fn connect(&self) -> Result<Conn> {
        let settings = crate::context::resolve(&self.global, &self.matches)?;
        Conn::open_watching(settings, &self.refusals).await
    }
}

pub async fn run(cli: Cli, matches: ArgMatches) -> Result<()> {
    let env = Env {
        printer: Printer::new(&cli.global),
        global: cli.global,
        matches,
        refusals: Refusals::default(),
    };
    // A worker stops on a refusal by itself (letting running jobs finish); any other command
    // ends at the first one, with an error naming the subject, instead of timing out.
    if let Command::Work(args) = cli.command {
        return work::run(&env, args).await;
    }
    let command = async {
        match cli.command {
            Command::Context(_) => self::context::run(&env),
            Command::Stream(cmd) => match cmd {
                StreamCommand::Add(args) => stream::add(&env, args).await,
                StreamCommand::Edit(args) => stream::edit(&env, args).await,
                StreamCommand::Ls(args) => stream::ls(&env, args).await,
                StreamCommand::Info(args) => stream::info(&env, args).await,
                StreamCommand::Rm(args) => stream::rm(&env, args).await,
            },
            Command::Publish(args) => publish::run(&env, args).await,
            Command::Work(_) => unreachable!("run above"),
            Command::Dlq(cmd) => dlq::run(&env, cmd).await,
            Command::Completions(args) => completions::run(&env, args),
            Command::Demo(args) => demo::run(&env, args).await,
            Command::Complete(args) => complete::run(&env, args).await,
        }
    };
    tokio::pin!(command);
    tokio::select! {
        biased;
        result = &mut command => result,
        refusal = env.refusals.first() => {
            // A command that saw the refusal itself gets a moment to finish tidying up (dlq
            // replay takes back the intent markers of refused publishes); one still waiting
            // for an answer the server will never send is cut off.
            let _ = tokio::time::timeout(REFUSAL_GRACE, &mut command).await;
            Err(refusal.into_error())
        }
    }
}

/// How long a command may go on after the server refused something it did.
const REFUSAL_GRACE: std::time::Duration = std::time::Duration::from_secs(1);
