//! `jq-nats work`: run a worker. Flags become [`worker::Options`], SIGINT/SIGTERM and the
//! connection's events become channels; the engine in `worker/` does the rest.

use anyhow::Result;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;

use super::Env;
use crate::cli::WorkArgs;
use crate::error::usage;
use crate::worker::{self, consumer, handler, report::Style};

pub async fn run(env: &Env, args: WorkArgs) -> Result<()> {
    super::stream::validate_stream_name(&args.stream)?;
    let flags = consumer::Flags {
        name: args.consumer.clone(),
        filter: args.filter.clone(),
        max_deliver: args.max_deliver,
        backoff: args.backoff.clone(),
        ack_wait: args.ack_wait,
        max_ack_pending: args.max_ack_pending,
    };
    flags.validate()?;
    if args.concurrency == 0 {
        return Err(usage("--concurrency must be 1 or more"));
    }
    if args.max_jobs == Some(0) {
        return Err(usage("--max-jobs must be 1 or more"));
    }
    if args.pipe_inflight == 0 {
        return Err(usage("--pipe-inflight must be 1 or more"));
    }
    if let Some(subject) = &args.request {
        // A wildcard would be "no responders" for every job, sending them all to the DLQ.
        if let Some(problem) = super::publish::subject_problem(subject) {
            return Err(usage(format!("invalid --request subject: {problem}")));
        }
    } else if args.command.is_empty() {
        if args.handler_timeout.is_some() {
            return Err(usage(
                "--handler-timeout needs a handler command (after `--`) or --request",
            ));
        }
    } else {
        handler::resolve_program(&args.command[0])?;
    }

    let settings = crate::context::resolve(&env.global, &env.matches)?;
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let options = env
        .refusals
        .watch(settings.connect_options().await?, Some(event_tx));
    let client = settings.connect_with(options).await?;
    let js = settings.jetstream(client.clone());
    settings.require_jetstream(&client, &js).await?;
    tokio::select! {
        biased;
        found = super::stream::require_info(&js, &args.stream) => found?,
        refusal = env.refusals.first() => return Err(refusal.into_error()),
    };

    let (signal_tx, signal_rx) = mpsc::unbounded_channel();
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            if signal_tx.send(()).is_err() {
                break;
            }
        }
    });

    let p = &env.printer;
    let opts = worker::Options {
        stream: args.stream,
        consumer: flags,
        command: args.command,
        pipe_inflight: args.pipe.then_some(args.pipe_inflight),
        request: args.request,
        concurrency: args.concurrency,
        fatal_exit_code: args.fatal_exit_code,
        handler_timeout: args.handler_timeout,
        max_jobs: args.max_jobs,
        until_empty: args.until_empty,
        grace: args.grace,
        refusals: env.refusals.clone(),
        style: Style {
            json: p.json,
            quiet: p.quiet,
            live: p.live(),
            color: p.color,
        },
    };
    worker::run(client, js, opts, signal_rx, event_rx).await?;
    Ok(())
}
