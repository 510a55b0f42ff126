//! jq-nats: a job queue you drive from the shell, built on NATS JetStream.
//!
//! `main.rs` parses the command line and hands it to [`cmd::run`]; see ARCHITECTURE.md for how
//! the modules fit together.

pub mod cli;
pub mod cmd;
pub mod context;
pub mod dlq;
pub mod error;
pub mod failpoint;
pub mod fisk;
pub mod generate;
pub mod output;
pub mod template;
pub mod units;
pub mod worker;
