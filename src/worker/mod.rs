//! The worker engine behind `jq-nats work`: consumer setup, pulling, dispatch to handlers, the
//! ack policy, dead-lettering, stopping, and what it reports. `cmd/work.rs` only turns flags
//! into [`Options`] and signals into a channel.
//!
//! Two modes:
//! - a handler runs each job ([`job`]): a command per job ([`handler`]), a long-lived `--pipe`
//!   handler ([`pipe`]) or a service behind `--request` ([`request`]), one ack policy for all.
//!   The worker pulls only as many jobs as it has free slots (`concurrency`, times
//!   `--pipe-inflight` for pipe handlers), since a job waiting in a worker that dies has burnt an
//!   attempt; only while its jobs are short (see [`Pace`]) does it hold more, so the next
//!   job is there when a slot frees rather than one round trip later: a command per job three
//!   times as many again, asked for half a window at a time (the server serves a request per
//!   several jobs), on a pool of threads ([`watch`]) that starts the jobs held ahead itself as
//!   its slots free; pipe and request workers as many again;
//! - without a command, jobs are written to stdout and acked once written and flushed
//!   ([`print`]), pulled in batches.
//!
//! Stopping (SIGINT/SIGTERM, `--max-jobs`, `--until-empty`) never leaves a job invisible until
//! its ack wait runs out: the worker stops asking for jobs, waits for its open pull requests to
//! end (they are short), and then Naks every job it holds but did not start, so the server
//! redelivers them at once to another worker. Nak'ing while requests are still open would send
//! the job straight back to this worker, burning an attempt.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Result};
use async_nats::jetstream::{self, consumer::PullConsumer};
use async_nats::{Client, StatusCode, Subject};
use futures::stream::FuturesUnordered;
use futures::StreamExt;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::dlq;
use crate::error::Exit;

pub mod acks;
pub mod consumer;
pub mod deliveries;
pub mod handler;
pub mod job;
pub mod pipe;
pub mod print;
pub mod puller;
pub mod reaper;
pub mod report;
pub mod request;
pub mod spawn;
pub mod watch;

use deliveries::Deliveries;
use job::{Job, Outcome, Runner, Settled, Shared};
use puller::{Pulled, Puller};
use report::{Event, Log, Stats, Style};

/// How long a pull request waits on the server. Short, because a stopping worker waits for its
/// open requests to end rather than leave jobs they bring invisible.
pub const PULL_EXPIRES: Duration = Duration::from_secs(1);
/// The same for `--until-empty`, whose end is expected: a shorter wait at the end, for a few
/// more requests while retries wait for their backoff.
pub const PULL_EXPIRES_UNTIL_EMPTY: Duration = Duration::from_millis(300);
/// Jobs per pull request when writing jobs to stdout.
pub const PRINT_BATCH: usize = 256;
/// A Nak without delay: redeliver now.
const NAK: &str = "-NAK";
/// How long a stopping worker waits for its last acks to reach the server.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);
/// How often an idle `--until-empty` worker asks the server whether anything is left.
const EMPTY_CHECK_EVERY: Duration = Duration::from_millis(200);

/// How long an idle `--until-empty` worker gives the server to count its last acks before it
/// asks again whether the queue is empty.
const ACK_SETTLE: Duration = Duration::from_millis(15);

/// What `jq-nats work` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub stream: String,
    pub consumer: consumer::Flags,
    /// The handler and its arguments; empty to write jobs to stdout (or with `request`).
    pub command: Vec<String>,
    /// `--pipe`: the command is a long-lived handler with this many jobs outstanding at once.
    pub pipe_inflight: Option<usize>,
    /// `--request SUBJECT`: jobs are NATS requests to SUBJECT.
    pub request: Option<String>,
    pub concurrency: usize,
    pub fatal_exit_code: i32,
    pub handler_timeout: Option<Duration>,
    pub max_jobs: Option<u64>,
    pub until_empty: bool,
    pub grace: Duration,
    /// Permission violations on the worker's connection (see [`crate::context::Refusals`]).
    pub refusals: crate::context::Refusals,
    pub style: Style,
}

impl Options {
    /// No handler: jobs are written to stdout.
    fn prints(&self) -> bool {
        self.command.is_empty() && self.request.is_none()
    }
}

/// Where jobs that run out of attempts go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadLetters {
    /// A DLQ taking full copies from workers (made by jq-nats).
    Entries(String),
    /// A DLQ made the article's way: it captures only the server's max-deliveries advisory.
    AdvisoriesOnly(String),
    /// No DLQ: dead jobs stay parked in the work stream.
    None,
}

impl DeadLetters {
    /// Finds the DLQ of `stream`. On a cluster the lookups time out while a leader is being
    /// elected (the DLQ's own, or the meta leader): they are asked again for a while rather
    /// than failing the run.
    pub async fn find(js: &jetstream::Context, stream: &str) -> Result<DeadLetters> {
        // The lookups' error kinds fold a timeout into "request": it is known by its text.
        consumer::patiently(
            consumer::patience(),
            || DeadLetters::find_once(js, stream),
            |e: &anyhow::Error| format!("{e:#}").contains("timed out"),
        )
        .await
    }

    async fn find_once(js: &jetstream::Context, stream: &str) -> Result<DeadLetters> {
        let Some(name) = dlq::find(js, stream).await? else {
            return Ok(DeadLetters::None);
        };
        // `get_stream` asks for the info.
        let handle = js
            .get_stream(&name)
            .await
            .map_err(|e| anyhow!("failed to look up dead-letter stream `{name}`: {e}"))?;
        Ok(
            if dlq::takes_entries(&handle.cached_info().config, stream) {
                DeadLetters::Entries(name)
            } else {
                DeadLetters::AdvisoriesOnly(name)
            },
        )
    }
}

/// The parts of a run both modes share: the connection's state, pulling, counters, output.
pub(crate) struct Session {
    pub js: jetstream::Context,
    pub client: Client,
    pub stream: String,
    pub consumer: PullConsumer,
    pub settings: consumer::Settings,
    pub puller: Puller,
    pub log: Arc<Log>,
    pub style: Style,
    pub stats: Stats,
    pub signals: mpsc::UnboundedReceiver<()>,
    pub events: mpsc::UnboundedReceiver<async_nats::Event>,
    /// Attempts given and retries awaited by this run (command mode), see [`deliveries`].
    pub deliveries: Deliveries,
    /// The last acks sent, to send again after a reconnect.
    pub acks: Arc<acks::RecentAcks>,
    connected: bool,
    paused_until: Option<Instant>,
    last_empty_check: Option<Instant>,
    warned: HashSet<String>,
}

impl Session {
    /// Whether a pull request may go out now: connected, and not pausing after a refusal.
    pub fn can_request(&self) -> bool {
        self.connected && self.paused_until.is_none_or(|t| Instant::now() >= t)
    }

    fn warn_once(&mut self, key: &str, text: &str) {
        if self.warned.insert(key.to_string()) {
            self.log.warn(text);
        }
    }

    /// Follows the connection's state; a permission violation is the run's failure (given
    /// back, so the caller stops the worker: its pulls, acks or DLQ copies are being dropped).
    pub async fn on_event(&mut self, event: async_nats::Event) -> Option<anyhow::Error> {
        use async_nats::Event as E;
        if let E::ServerError(e) = &event {
            if let Some(refusal) = crate::context::Refusal::parse(e) {
                return Some(refusal.into_error());
            }
        }
        match event {
            E::Disconnected => {
                if self.connected {
                    self.log.warn(
                        "disconnected from NATS; reconnecting (running jobs go on, their acks wait)",
                    );
                }
                self.connected = false;
            }
            E::Connected => {
                if !self.connected {
                    // Acks sent just before the drop may be lost: sent again before any new
                    // pull request, so the server has them before it redelivers (or parks) a
                    // job that was done.
                    let sent = self.acks.resend(&self.client).await;
                    self.log.warn(&format!(
                        "reconnected to NATS (sent the last {sent} ack{} again, in case they were lost)",
                        if sent == 1 { "" } else { "s" }
                    ));
                    // The server may have lost the open pull requests with the connection.
                    self.puller.reset();
                }
                self.connected = true;
            }
            E::LameDuckMode => self
                .log
                .warn("the server is going away (lame duck mode); the client will move to another"),
            E::SlowConsumer(_) => self.warn_once(
                "slow",
                "the client is falling behind the server (slow consumer): jobs may be redelivered",
            ),
            E::ServerError(e) => self.log.warn(&format!("server error: {e}")),
            E::ClientError(e) => self.log.warn(&format!("client error: {e}")),
            E::Draining | E::Closed => {}
        }
        None
    }

    /// How a run that stopped ends: with its failure, unless that was only our stdout's reader
    /// going away, which (like `closed`: a tick or a handler found it gone) is a stop, said as
    /// such. Returns whether it was.
    pub fn stopped_by(&self, failure: Option<anyhow::Error>, closed: bool) -> Result<bool> {
        let closed = match failure {
            Some(e) if !crate::error::is_broken_pipe(&e) => return Err(e),
            Some(_) => true,
            None => closed,
        };
        if closed {
            self.log.notice("stopped: stdout was closed");
        }
        Ok(closed)
    }

    /// A pull request ended without all its jobs: usually it expired; some refusals pause
    /// pulling for a moment, a deleted consumer ends the run.
    pub fn on_ended(&mut self, status: StatusCode, description: Option<String>) -> Result<()> {
        let text = description.unwrap_or_default();
        let pause = |s: &mut Session, d: Duration| s.paused_until = Some(Instant::now() + d);
        match status {
            StatusCode::TIMEOUT | StatusCode::NOT_FOUND => {}
            StatusCode::REQUEST_TERMINATED => {
                if text.contains("Deleted") {
                    return Err(anyhow!(
                        "consumer `{}` of `{}` was deleted",
                        self.settings.name,
                        self.stream
                    ));
                }
                if text.contains("MaxWaiting") {
                    pause(self, Duration::from_millis(250));
                } else if !text.contains("Leadership") {
                    self.warn_once(&text, &format!("pull request refused: 409 {text}"));
                    pause(self, Duration::from_secs(1));
                }
            }
            StatusCode::NO_RESPONDERS => {
                self.warn_once(
                    "503",
                    "JetStream did not answer a pull request (no responders); retrying",
                );
                pause(self, Duration::from_secs(1));
            }
            other => {
                self.warn_once(
                    &format!("{other}"),
                    &format!("pull request ended with status {other} {text}"),
                );
                pause(self, Duration::from_secs(1));
            }
        }
        Ok(())
    }

    /// For `--until-empty`: true once nothing is waiting or unacknowledged on the consumer
    /// (retries waiting for their backoff count as unacknowledged), and no job this worker
    /// Nak'd with a delay is still due back (its due time plus [`deliveries::RETRY_GRACE`]):
    /// the server's counters are not the only witness, a job whose redelivery went astray on
    /// nats-server 2.9 (see [`deliveries`]) must not end the run while it waits. Asks the
    /// server at most every [`EMPTY_CHECK_EVERY`].
    pub async fn is_empty(&mut self) -> bool {
        if !self.connected {
            return false;
        }
        let now = Instant::now();
        if self.deliveries.awaiting_retry(now) {
            return false;
        }
        if self
            .last_empty_check
            .is_some_and(|t| now.duration_since(t) < EMPTY_CHECK_EVERY)
        {
            return false;
        }
        self.last_empty_check = Some(now);
        match self.consumer.get_info().await {
            Ok(info) => info.num_pending == 0 && info.num_ack_pending == 0,
            Err(e) => {
                self.warn_once(
                    "empty-check",
                    &format!("failed to ask the server whether the queue is empty: {e}"),
                );
                false
            }
        }
    }
}

/// Runs a worker until it is told to stop, or `--max-jobs`/`--until-empty` ends it. `signals`
/// carries SIGINT/SIGTERM (the second one exits at once with [`Exit`] 130); `events` the
/// connection's events (from `ConnectOptions::event_callback`).
pub async fn run(
    client: Client,
    js: jetstream::Context,
    opts: Options,
    signals: mpsc::UnboundedReceiver<()>,
    events: mpsc::UnboundedReceiver<async_nats::Event>,
) -> Result<Stats> {
    let mut style = opts.style;
    // Jobs printed to a terminal are the progress; a status line between them, which they
    // would tear, is not drawn.
    if opts.prints() && std::io::stdout().is_terminal() {
        style.live = false;
    }
    let log = Arc::new(Log::new(style));
    let version = client.server_info().version;
    // A user who may not use the consumer API gets that said, not a timeout.
    let ready = tokio::select! {
        biased;
        ready = consumer::ensure(&js, &opts.stream, &opts.consumer, &version) => ready?,
        refusal = opts.refusals.first() => return Err(refusal.into_error()),
    };
    announce_consumer(&log, &opts.stream, &ready);
    let expires = if opts.until_empty {
        PULL_EXPIRES_UNTIL_EMPTY
    } else {
        PULL_EXPIRES
    };
    let puller = Puller::new(&client, ready.consumer.clone(), expires).await?;
    let deliveries = Deliveries::new(&ready.settings);
    let mut session = Session {
        js,
        client,
        stream: opts.stream.clone(),
        consumer: ready.consumer,
        settings: ready.settings,
        puller,
        log: log.clone(),
        style,
        stats: Stats::new(),
        signals,
        events,
        deliveries,
        acks: Arc::new(acks::RecentAcks::default()),
        connected: true,
        paused_until: None,
        last_empty_check: None,
        warned: HashSet::new(),
    };
    let result = if opts.prints() {
        print::run(&mut session, &opts).await
    } else {
        run_commands(&mut session, &opts).await
    };
    // Acks and Naks are buffered in the client: they must reach the server before we go.
    let flushed = tokio::time::timeout(FLUSH_TIMEOUT, session.client.flush()).await;
    log.finish();
    result?;
    match flushed {
        Ok(Ok(())) => {
            // The server answers a refused ack (permissions) only with an error on the
            // connection. A round trip through the server brings any such error in before its
            // answer (and one yield lets the event callback run), so a run whose last acks
            // were dropped says so instead of ending well.
            let _ = tokio::time::timeout(FLUSH_TIMEOUT, session.consumer.info()).await;
            tokio::task::yield_now().await;
            match opts.refusals.seen() {
                Some(refusal) => Err(refusal.into_error()),
                None => Ok(session.stats),
            }
        }
        Ok(Err(e)) => Err(anyhow!("failed to send the last acks to NATS: {e}")),
        Err(_) => Err(anyhow!(
            "failed to send the last acks to NATS within {}: the jobs will be redelivered",
            crate::units::format_duration(FLUSH_TIMEOUT)
        )),
    }
}

fn announce_consumer(log: &Log, stream: &str, ready: &consumer::Ready) {
    let s = &ready.settings;
    let describe = format!(
        "max deliver {}, backoff {}, ack wait {}{}",
        if s.max_deliver > 0 {
            s.max_deliver.to_string()
        } else {
            "unlimited".into()
        },
        consumer::show_backoff(&s.backoff),
        crate::units::format_duration(s.ack_wait),
        if s.filter.is_empty() {
            String::new()
        } else {
            format!(", filter {}", s.filter)
        }
    );
    match &ready.action {
        consumer::Action::Created => {
            log.notice(&format!(
                "created consumer {} on {stream}: {describe}",
                s.name
            ));
        }
        consumer::Action::Joined => {
            log.notice(&format!(
                "joined consumer {} on {stream}: {describe}",
                s.name
            ));
        }
        consumer::Action::Updated(changes) => {
            let list = changes
                .iter()
                .map(|c| format!("{} {} -> {}", c.field, c.from, c.to))
                .collect::<Vec<_>>()
                .join(", ");
            log.notice(&format!(
                "updated consumer {} on {stream} (shared by every worker on it): {list}",
                s.name
            ));
        }
    }
}

/// Why a command worker stops.
enum Stop {
    /// SIGINT/SIGTERM: running handlers get until `kill_at`.
    Signal { kill_at: Instant, killed: bool },
    /// `--max-jobs` reached, queue empty, or an error: running handlers finish.
    Finish,
}

struct Running {
    stop: Option<oneshot::Sender<()>>,
    ack_subject: Option<Subject>,
}

async fn run_commands(session: &mut Session, opts: &Options) -> Result<()> {
    let dead_letters = DeadLetters::find(&session.js, &opts.stream).await?;
    announce_dead_letters(&session.log, &opts.stream, &dead_letters);
    let groups = handler::Groups::default();
    let (runner, slots) = match &opts.request {
        Some(subject) => (
            Runner::Request(request::Service::new(
                session.client.clone(),
                subject,
                opts.handler_timeout,
                &session.settings.name,
                session.settings.max_deliver,
            )),
            opts.concurrency,
        ),
        None => {
            let program = handler::resolve_program(&opts.command[0])?;
            let mut argv = opts.command.clone();
            argv[0] = program.display().to_string();
            match opts.pipe_inflight {
                Some(inflight) => {
                    let config = pipe::Config {
                        argv,
                        concurrency: opts.concurrency,
                        inflight,
                        timeout: opts.handler_timeout,
                        env: vec![
                            ("JQ_STREAM".into(), opts.stream.clone()),
                            ("JQ_CONSUMER".into(), session.settings.name.clone()),
                            ("JQ_PIPE_INFLIGHT".into(), inflight.to_string()),
                        ],
                        remove_env: handler::hidden_vars(std::env::vars_os().map(|(k, _)| k)),
                    };
                    (
                        Runner::Pipe(pipe::Pool::new(config, &groups, &session.log)),
                        opts.concurrency * inflight,
                    )
                }
                None => {
                    let spec = handler::Spec::new(argv, opts.handler_timeout, opts.style.json);
                    (
                        Runner::Process {
                            spec: Arc::new(spec),
                            fatal_exit_code: opts.fatal_exit_code,
                            pool: watch::Pool::new(opts.concurrency),
                        },
                        opts.concurrency,
                    )
                }
            }
        }
    };
    let shared = Arc::new(Shared {
        consumer: session.settings.name.clone(),
        settings: session.settings.clone(),
        runner,
        dead_letters,
        worker: dlq::entry::worker_id(),
        groups,
        log: session.log.clone(),
        acks: session.acks.clone(),
    });
    // Jobs held ahead go to a process pool's queue at once, and its threads start each the
    // moment a slot frees; other runners start a job only once a slot is free.
    let starts_ahead = matches!(shared.runner, Runner::Process { .. });

    let mut running: FuturesUnordered<JoinHandle<Outcome>> = FuturesUnordered::new();
    let mut in_hand: HashMap<u64, Running> = HashMap::new();
    let mut queued: VecDeque<Job> = VecDeque::new();
    // Jobs interrupted by a stop, handed back with the queued ones at the end.
    let mut interrupted: Vec<Subject> = Vec::new();
    let mut stopping: Option<Stop> = None;
    // A no-wait request found nothing while jobs were in hand: no more until one is done.
    let mut drained = false;
    let mut failure: Option<anyhow::Error> = None;
    // Our stdout's reader went away (`work ... | head`): stop, handing back what is held.
    let mut closed = false;
    let mut pace = Pace::new(starts_ahead);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    if opts.until_empty && session.is_empty().await {
        stopping = Some(Stop::Finish);
    }

    loop {
        let mut started = false;
        let start_limit = if starts_ahead {
            slots + pace.prefetch(slots)
        } else {
            slots
        };
        while stopping.is_none() && running.len() < start_limit {
            let Some(job) = queued.pop_front() else { break };
            if !opts.style.quiet {
                session.log.job(&received_line(&session.settings, &job));
            }
            let (stop_tx, stop_rx) = oneshot::channel();
            in_hand.insert(
                job.seq,
                Running {
                    stop: Some(stop_tx),
                    ack_subject: job.msg.reply.clone(),
                },
            );
            crate::failpoint::failpoint("work.received");
            let run = job::start(&shared, &job, stop_rx);
            running.push(tokio::spawn(job::work(shared.clone(), job, run)));
            started = true;
        }
        if started {
            job::flush(&shared);
        }
        session.stats.in_flight = (running.len() + queued.len()) as u64;

        if stopping.is_none() && !drained && session.can_request() {
            let held = running.len() + queued.len() + session.puller.owed();
            let room = (slots + pace.prefetch(slots)).saturating_sub(held);
            let min_request = pace.min_request(slots);
            let mut want = room;
            if let Some(max) = opts.max_jobs {
                let left = max.saturating_sub(session.stats.finished() + held as u64);
                want = want.min(left as usize);
            }
            if want > 0 && (want >= min_request || want < room) {
                let now = Instant::now();
                // Under --until-empty a request ends at once when nothing is left to send, so
                // the run ends without waiting for it to expire; but not while one of our
                // retries waits for its backoff: that one must land on a waiting request.
                session.puller.no_wait =
                    opts.until_empty && !session.deliveries.awaiting_retry(now);
                let expires = session
                    .deliveries
                    .expires_for(now, session.puller.expires());
                session.puller.request(want, expires).await?;
            }
        }
        if stopping.is_some() {
            job::close(&shared);
        }
        if stopping.is_some() && running.is_empty() && session.puller.owed() == 0 {
            requeue_all(session, &mut queued).await;
            for subject in interrupted.drain(..) {
                let _ = session.client.publish(subject, NAK.into()).await;
            }
            break;
        }

        tokio::select! {
            biased;
            Some(()) = session.signals.recv() => {
                if matches!(stopping, Some(Stop::Signal { .. })) {
                    return hard_exit(session, &shared, &running, &in_hand, &queued, &interrupted).await;
                }
                session.log.notice(&format!(
                    "stopping: waiting up to {} for {} running job{} (Ctrl-C again to quit now)",
                    crate::units::format_duration(opts.grace),
                    running.len(),
                    if running.len() == 1 { "" } else { "s" }
                ));
                stopping = Some(Stop::Signal { kill_at: Instant::now() + opts.grace, killed: false });
            }
            Some(event) = session.events.recv() => if let Some(e) = session.on_event(event).await {
                failure.get_or_insert(e);
                stopping.get_or_insert(Stop::Finish);
            },
            pulled = session.puller.next() => match pulled {
                None => {
                    failure.get_or_insert_with(|| anyhow!("the connection to NATS was closed"));
                    break;
                }
                // While stopping, jobs are held, to be handed back once no request is open.
                Some(Pulled::Job(message)) => match Job::new(message, &session.js) {
                    // A second delivery of a job this run did, or is doing: nats-server 2.9
                    // can send one (see `deliveries`). Done: acked again, not run again.
                    // Running or queued: the first delivery settles it.
                    Ok(job) if session.deliveries.is_done(job.seq) => {
                        session.log.notice(&format!(
                            "stream sequence # {} delivered again after it was done or dead-lettered: acked, not run again",
                            job.seq
                        ));
                        session.acks.ack(&job.msg).await;
                    }
                    Ok(job) if in_hand.contains_key(&job.seq) || queued.iter().any(|q| q.seq == job.seq) => {
                        session.log.notice(&format!(
                            "stream sequence # {} delivered again while it runs: left to the running attempt",
                            job.seq
                        ));
                    }
                    Ok(mut job) => {
                        // Never below the last attempt this run gave the job (see `deliveries`).
                        job.attempt = session.deliveries.delivered(job.seq, job.attempt);
                        queued.push_back(job);
                    }
                    Err(e) => session.log.warn(&format!("skipped {e}")),
                },
                Some(Pulled::Ended { status, description }) => {
                    let found_nothing = matches!(status, StatusCode::NOT_FOUND | StatusCode::TIMEOUT);
                    if let Err(e) = session.on_ended(status, description) {
                        failure.get_or_insert(e);
                        stopping.get_or_insert(Stop::Finish);
                    } else if found_nothing && session.puller.no_wait && stopping.is_none() {
                        // A no-wait request found nothing. With jobs in hand, ask again when
                        // one of them is done; idle, ask whether the queue is empty now, and
                        // if not (others hold jobs), ask for jobs again shortly.
                        if !running.is_empty() || !queued.is_empty() {
                            drained = true;
                        } else if session.puller.owed() == 0 {
                            if is_empty_now(session).await {
                                stopping = Some(Stop::Finish);
                            } else if session.paused_until.is_none_or(|t| t < Instant::now()) {
                                session.paused_until = Some(Instant::now() + print::NO_WAIT_PAUSE);
                            }
                        }
                    }
                }
            },
            Some(done) = running.next(), if !running.is_empty() => {
                let outcome = done.map_err(|e| anyhow!("a job's task failed: {e}"))?;
                drained = false;
                let held = in_hand.remove(&outcome.seq);
                if matches!(outcome.settled, Settled::Requeued) {
                    interrupted.extend(held.and_then(|r| r.ack_subject));
                }
                if !matches!(outcome.settled, Settled::Requeued) {
                    pace.ran(outcome.run.elapsed);
                }
                match &outcome.settled {
                    // Dead-lettered: its copy is in the DLQ and its original was acked. Should
                    // that ack be lost (a server killed at the moment), the server delivers the
                    // job again: acked again then, not run again (it would be done and dead).
                    Settled::Done | Settled::Dead { .. } => session.deliveries.done(outcome.seq),
                    Settled::Retry { delay } | Settled::DeadLetterFailed { delay, .. } => {
                        session.deliveries.retry_after(outcome.seq, Instant::now(), *delay)
                    }
                    // Kept (until pruned): should the server deliver a parked job again, it is
                    // numbered past its last attempt and goes back to the DLQ.
                    Settled::Parked { .. } | Settled::Requeued => {}
                }
                if let Err(e) = record(session, &outcome) {
                    failure.get_or_insert(e);
                    stopping.get_or_insert(Stop::Finish);
                }
                if opts.max_jobs.is_some_and(|max| session.stats.finished() >= max) {
                    stopping.get_or_insert(Stop::Finish);
                }
                if outcome.run.verdict == job::Verdict::OutputClosed {
                    closed = true;
                    stopping.get_or_insert(Stop::Finish);
                }
            }
            _ = tick.tick() => {
                session.puller.sweep();
                session.deliveries.prune();
                session.log.status(&session.stats);
                for job in queued.iter_mut() {
                    if job.touched.elapsed() >= session.settings.keepalive_every(job.attempt) {
                        job.keep_alive().await;
                    }
                }
                if let Some(Stop::Signal { kill_at, killed }) = &mut stopping {
                    if !*killed && Instant::now() >= *kill_at {
                        *killed = true;
                        for stop in in_hand.values_mut().filter_map(|r| r.stop.take()) {
                            let _ = stop.send(());
                        }
                    }
                }
                if stopping.is_none() && crate::output::stdout_closed() {
                    closed = true;
                    stopping = Some(Stop::Finish);
                }
                if opts.until_empty
                    && stopping.is_none()
                    && running.is_empty()
                    && queued.is_empty()
                    && session.is_empty().await
                {
                    stopping = Some(Stop::Finish);
                }
            }
        }
    }
    session.stats.in_flight = 0;
    if let Runner::Pipe(pool) = &shared.runner {
        pool.shutdown().await;
    }
    if !session.stopped_by(failure, closed)? && opts.style.json {
        report::ndjson(&session.stats.summary_event())?;
    }
    session.log.notice(&session.stats.summary(false));
    Ok(())
}

/// How long the worker's jobs take, to decide whether to hold jobs beyond its free slots.
/// With jobs of a few milliseconds, pulling only when a slot frees leaves the slot idle for a
/// round trip to the server per job (a third of the time for `true`), and a pull request per
/// job costs the server more CPU than the job's delivery and ack (on 2 cores, CPU the
/// handlers lack); holding three times as many jobs again as there are slots, asked for half
/// that window at a time, hides the one and divides the other (a worker running a command
/// per job; pipe and request workers hold as many again). Longer jobs gain nothing from
/// it and would keep jobs from idle workers, and a held job burns an attempt if the worker
/// dies: none are held then.
struct Pace {
    /// A moving average of the last attempts' run times; `None` before the first.
    mean: Option<Duration>,
    /// Hold three times the slots ahead, asked for in half windows (a process pool, which
    /// starts them itself); else as many as the slots, asked for as slots free.
    batched: bool,
}

/// Jobs taking less than this on average are pulled ahead.
const PREFETCH_BELOW: Duration = Duration::from_millis(20);

impl Pace {
    fn new(batched: bool) -> Pace {
        Pace {
            mean: None,
            batched,
        }
    }

    fn ran(&mut self, elapsed: Duration) {
        self.mean = Some(match self.mean {
            None => elapsed,
            Some(mean) => (mean * 7 + elapsed) / 8,
        });
    }

    /// Jobs to hold beyond `slots` (none while jobs are long): batched, three times as many
    /// again, so that they can be asked for half the window at a time and those in hand still
    /// last a round trip to the server; else as many again.
    fn prefetch(&self, slots: usize) -> usize {
        match self.mean {
            Some(mean) if mean < PREFETCH_BELOW && self.batched => 3 * slots,
            Some(mean) if mean < PREFETCH_BELOW => slots,
            _ => 0,
        }
    }

    /// The fewest jobs worth a pull request: half the window while a batched pace holds jobs
    /// ahead (each request costs the server more than a job it brings), else a quarter of many
    /// slots. Pipe and request workers keep the smaller requests: their much larger windows
    /// in halves left requests open long enough for nats-server 2.9's lost-redelivery bug
    /// (see `deliveries`) to cost jobs an attempt under tests/load.rs.
    fn min_request(&self, slots: usize) -> usize {
        let window = slots + self.prefetch(slots);
        if self.batched && window > slots {
            window.div_ceil(2)
        } else {
            (slots / 4).max(1)
        }
    }
}

/// Asks the server now whether the queue is empty, and once more shortly if not: the server
/// may not have counted our last ack yet.
async fn is_empty_now(session: &mut Session) -> bool {
    session.last_empty_check = None;
    if session.is_empty().await {
        return true;
    }
    tokio::time::sleep(ACK_SETTLE).await;
    session.last_empty_check = None;
    session.is_empty().await
}

fn announce_dead_letters(log: &Log, stream: &str, dead_letters: &DeadLetters) {
    match dead_letters {
        DeadLetters::Entries(_) => {}
        DeadLetters::AdvisoriesOnly(name) => log.notice(&format!(
            "dead-letter stream {name} only captures the server's max-deliveries advisories: \
             jobs that run out of attempts stay in {stream}, where the advisory points"
        )),
        DeadLetters::None => log.warn(&format!(
            "{stream} has no dead-letter stream: jobs that run out of attempts stay parked in it \
             (`jq-nats stream add {stream} --subjects ...` adds one)"
        )),
    }
}

fn received_line(settings: &consumer::Settings, job: &Job) -> String {
    let mut line = format!(
        "received {} from stream sequence # {}",
        job.preview(),
        job.seq
    );
    if job.attempt > 1 {
        line.push_str(&format!(" ({})", settings.attempt_text(job.attempt)));
    }
    line
}

/// Hands back jobs fetched but not started, for immediate redelivery.
async fn requeue_all(session: &mut Session, queued: &mut VecDeque<Job>) {
    for job in queued.drain(..) {
        job.requeue().await;
        session.stats.requeued += 1;
    }
}

/// A second Ctrl-C: kill every handler, hand every job back, quit with 130. The job tasks go
/// first (a killed handler must not be settled as a failure), then the inbox, so the open
/// requests cannot take the handed-back jobs to a worker that is leaving.
async fn hard_exit(
    session: &mut Session,
    shared: &Shared,
    running: &FuturesUnordered<JoinHandle<Outcome>>,
    in_hand: &HashMap<u64, Running>,
    queued: &VecDeque<Job>,
    interrupted: &[Subject],
) -> Result<()> {
    for task in running.iter() {
        task.abort();
    }
    shared.groups.kill_all();
    session.puller.close().await;
    let _ = tokio::time::timeout(Duration::from_millis(500), session.client.flush()).await;
    let subjects = in_hand
        .values()
        .filter_map(|r| r.ack_subject.clone())
        .chain(queued.iter().filter_map(|j| j.msg.reply.clone()))
        .chain(interrupted.iter().cloned());
    for subject in subjects {
        let _ = session.client.publish(subject, NAK.into()).await;
    }
    let _ = tokio::time::timeout(Duration::from_millis(500), session.client.flush()).await;
    session.log.finish();
    Err(anyhow::Error::new(Exit(crate::error::EXIT_INTERRUPTED)))
}

/// Counts an outcome, writes its line(s) on stderr and its event on stdout.
fn record(session: &mut Session, o: &Outcome) -> Result<()> {
    // The common case, with nothing to say: only counted.
    if matches!(o.settled, Settled::Done) && session.style.quiet && !session.style.json {
        session.stats.done += 1;
        return Ok(());
    }
    let settings = &session.settings;
    let log = &session.log;
    let stats = &mut session.stats;
    let p = &report::preview(&o.payload);
    let reason = o.reason.clone().unwrap_or_default();
    let attempt = settings.attempt_text(o.attempt);
    let mut event = Event {
        stream: o.stream.clone(),
        seq: o.seq,
        subject: o.subject.clone(),
        attempt: o.attempt,
        max_deliver: settings.max_deliver,
        msg_id: o.msg_id.clone(),
        duration_ms: o.run.elapsed.as_millis() as u64,
        reason: o.reason.clone(),
        exit_code: o.run.exit_code,
        signal: o.run.signal,
        timed_out: o.run.timed_out,
        ..Default::default()
    };
    match &o.settled {
        Settled::Done => {
            stats.done += 1;
            event.kind = "done";
            log.job(&format!("done {p} in {}", report::took(o.run.elapsed)));
        }
        Settled::Retry { delay } => {
            stats.retried += 1;
            event.kind = "retry";
            event.retry_in_ms = Some(delay.as_millis() as u64);
            log.job(&format!(
                "error processing {p}: {reason} ({attempt}, retry in {})",
                report::delay(*delay)
            ));
        }
        Settled::Dead { dlq, dlq_seq } => {
            stats.dead += 1;
            event.kind = "dead";
            event.dlq = Some(dlq.clone());
            event.dlq_seq = Some(*dlq_seq);
            log.job(&format!("error processing {p}: {reason} ({attempt})"));
            log.job(&format!(
                "{p} will be processed via DLQ ({dlq} # {dlq_seq})"
            ));
        }
        Settled::Parked { advisory_dlq } => {
            stats.parked += 1;
            event.kind = "parked";
            event.dlq = advisory_dlq.clone();
            log.job(&format!("error processing {p}: {reason} ({attempt})"));
            match advisory_dlq {
                Some(dlq) => log.job(&format!(
                    "{p} will be processed via DLQ ({dlq}, through the server's max-deliveries advisory; the job stays in {})",
                    o.stream
                )),
                None => log.job(&format!(
                    "{p} ran out of attempts and stays parked in {} (no dead-letter stream)",
                    o.stream
                )),
            }
        }
        Settled::Requeued => {
            stats.requeued += 1;
            event.kind = "requeued";
            log.job(&format!("{p} handed back for redelivery (worker stopping)"));
        }
        Settled::DeadLetterFailed { dlq, error, delay } => {
            // On its last attempt it does not come back: the server parks it.
            if settings.is_last_attempt(o.attempt) {
                stats.parked += 1;
                event.kind = "parked";
            } else {
                stats.retried += 1;
                event.kind = "error";
                event.retry_in_ms = Some(delay.as_millis() as u64);
            }
            event.dlq = Some(dlq.clone());
            event.error = Some(error.clone());
            log.job(&format!("error processing {p}: {reason} ({attempt})"));
            let next = if settings.is_last_attempt(o.attempt) {
                "where the server parks it, out of attempts".to_string()
            } else {
                format!("and comes back in {}", report::delay(*delay))
            };
            log.warn(&format!(
                "failed to write {p} (stream sequence # {}) to dead-letter stream {dlq}: {error}; it stays in {} {next}",
                o.seq, o.stream
            ));
        }
    }
    if session.style.json {
        report::ndjson(&event)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_jobs_are_pulled_ahead() {
        let mut unbatched = Pace::new(false);
        unbatched.ran(Duration::from_millis(2));
        assert_eq!(unbatched.prefetch(4), 4, "as many again");
        assert_eq!(unbatched.min_request(16), 4, "a quarter of many slots");
        let mut pace = Pace::new(true);
        assert_eq!(pace.prefetch(4), 0, "nothing known yet: nothing held");
        assert_eq!(pace.min_request(4), 1, "a job per free slot");
        assert_eq!(pace.min_request(16), 4, "a quarter of many slots");
        pace.ran(Duration::from_millis(2));
        assert_eq!(pace.prefetch(4), 12);
        assert_eq!(pace.min_request(4), 8, "half of a window of 16");
        for _ in 0..20 {
            pace.ran(Duration::from_secs(2));
        }
        assert_eq!(pace.prefetch(4), 0, "long jobs: nothing held");
        assert_eq!(pace.min_request(4), 1);
        for _ in 0..40 {
            pace.ran(Duration::from_millis(1));
        }
        assert_eq!(pace.prefetch(1), 3, "short again");
        assert_eq!(pace.min_request(1), 2);
    }
}
