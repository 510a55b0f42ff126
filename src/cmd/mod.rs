//! Dispatch from a parsed command line to the command's file.

use anyhow::Result;
use clap::ArgMatches;

use crate::cli::{Cli, Command, StreamCommand};
use crate::context::Conn;
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
}

impl Env {
    /// Resolves the connection settings and connects.
    pub async fn connect(&self) -> Result<Conn> {
        let settings = crate::context::resolve(&self.global, &self.matches)?;
        Conn::open(settings).await
    }
}

pub async fn run(cli: Cli, matches: ArgMatches) -> Result<()> {
    let env = Env {
        printer: Printer::new(&cli.global),
        global: cli.global,
        matches,
    };
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
        Command::Work(args) => work::run(&env, args).await,
        Command::Dlq(cmd) => dlq::run(&env, cmd).await,
        Command::Completions(args) => completions::run(&env, args),
        Command::Demo(args) => demo::run(&env, args).await,
        Command::Complete(args) => complete::run(&env, args).await,
    }
}
