//! One job in a handler worker: run it while keeping the job alive, then settle it.
//!
//! The seam: a job is run by a [`Runner`] — a process per job ([`handler`]), a long-lived
//! `--pipe` handler ([`super::pipe`]) or a NATS service behind `--request` ([`super::request`])
//! — which tells an [`Attempt`] with its [`Verdict`]: ok, fail(reason), fatal(reason), or
//! stopped. The ack policy is here, once, for all three:
//! - ok: ack;
//! - fail (an exit code, a signal, a timeout, an error answer): a Nak delayed by the next
//!   backoff step, so the slot frees at once and the retry still comes on schedule;
//! - the last attempt, or fatal: a full copy goes to the dead-letter stream, and
//!   only once the DLQ acknowledged it is the job acked (removed from the work stream). It is
//!   never terminated (+TERM deletes the payload of a work-queue job before anything is safe);
//! - no DLQ that takes copies: the last attempt is Nak'd without delay, so the server parks the
//!   job at once and publishes its max-deliveries advisory (the article's DLQ captures it);
//! - a DLQ that refuses the copy (full, gone): a delayed Nak, the error reported, nothing lost.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind};
use async_nats::{Client, Subject};
use time::format_description::well_known::Rfc3339;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::consumer::Settings;
use super::handler::{self, Ending, Finished};
use super::report::{preview, Log};
use super::DeadLetters;
use crate::dlq::{self, entry::DeadJob};
use crate::failpoint::failpoint;

/// A delivered job and what its ack subject says about it.
pub struct Job {
    pub msg: jetstream::Message,
    pub stream: String,
    pub seq: u64,
    pub attempt: u64,
    pub subject: String,
    pub msg_id: Option<String>,
    pub published: time::OffsetDateTime,
    /// When it was last kept alive (delivered, or an in-progress ack).
    pub touched: Instant,
}

impl Job {
    pub fn new(message: async_nats::Message, js: &jetstream::Context) -> Result<Job, String> {
        let msg = jetstream::Message {
            message,
            context: js.clone(),
        };
        let (stream, seq, attempt, published) = {
            let info = msg
                .info()
                .map_err(|e| format!("a message without JetStream metadata: {e}"))?;
            (
                info.stream.to_string(),
                info.stream_sequence,
                info.delivered.max(1) as u64,
                info.published,
            )
        };
        let msg_id = msg
            .headers
            .as_ref()
            .and_then(|h| h.get("Nats-Msg-Id"))
            .map(|v| v.as_str().to_string());
        Ok(Job {
            subject: msg.subject.to_string(),
            msg,
            stream,
            seq,
            attempt,
            msg_id,
            published,
            touched: Instant::now(),
        })
    }

    pub fn preview(&self) -> String {
        preview(&self.msg.payload)
    }

    /// Hands the job back for immediate redelivery.
    pub async fn requeue(&self) {
        let _ = self.msg.ack_with(AckKind::Nak(None)).await;
    }

    /// An in-progress ack: the server restarts the job's ack wait.
    pub async fn keep_alive(&mut self) {
        let _ = self.msg.ack_with(AckKind::Progress).await;
        self.touched = Instant::now();
    }

    /// A handle a runner keeps to send in-progress acks for the job when its handler says so.
    pub fn progress(&self) -> Progress {
        Progress {
            client: self.msg.context.client(),
            ack_subject: self.msg.reply.clone(),
        }
    }
}

/// Sends in-progress acks for one job from wherever its handler reports progress.
#[derive(Clone)]
pub struct Progress {
    client: Client,
    ack_subject: Option<Subject>,
}

impl Progress {
    pub async fn send(&self) {
        if let Some(subject) = &self.ack_subject {
            let _ = self.client.publish(subject.clone(), "+WPI".into()).await;
        }
    }
}

/// What a handler made of one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Retry after the next backoff step (dead-lettered on the last attempt).
    Fail(String),
    /// Dead-letter now (retried, when no DLQ takes copies).
    Fatal(String),
    /// Interrupted by the worker stopping: not the job's fault.
    Stopped,
    /// Never started (the worker began stopping first): handed back like a job held ahead.
    NotStarted,
    /// Killed by SIGPIPE writing to our stdout, whose reader is gone (`work ... | head`): not
    /// the job's fault either; the worker stops.
    OutputClosed,
}

/// One run of a job's handler, whichever kind.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub verdict: Verdict,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    /// The last lines of the handler's stderr, kept with a dead job.
    pub stderr_tail: Option<String>,
    pub elapsed: Duration,
}

impl Attempt {
    pub fn new(verdict: Verdict, elapsed: Duration) -> Attempt {
        Attempt {
            verdict,
            exit_code: None,
            signal: None,
            timed_out: false,
            stderr_tail: None,
            elapsed,
        }
    }

    /// A process per job: exit 0 is ok, the fatal exit code fatal, anything else a failure.
    pub fn of_process(finished: Finished, fatal_exit_code: i32) -> Attempt {
        let verdict = match &finished.ending {
            Ending::Exited(0) => Verdict::Ok,
            Ending::Stopped => Verdict::Stopped,
            Ending::NotStarted => Verdict::NotStarted,
            Ending::Signaled(libc::SIGPIPE) if crate::output::stdout_closed() => {
                Verdict::OutputClosed
            }
            ending @ Ending::Exited(code) if *code == fatal_exit_code => {
                Verdict::Fatal(format!("{} (fatal)", ending.reason()))
            }
            ending => Verdict::Fail(ending.reason()),
        };
        let (exit_code, signal) = match finished.ending {
            Ending::Exited(code) => (Some(code), None),
            Ending::Signaled(sig) => (None, Some(sig)),
            _ => (None, None),
        };
        Attempt {
            verdict,
            exit_code,
            signal,
            timed_out: matches!(finished.ending, Ending::TimedOut(_)),
            stderr_tail: finished.stderr_tail,
            elapsed: finished.elapsed,
        }
    }
}

/// A job's run under way; it ends with the attempt's verdict.
pub type Execution = Pin<Box<dyn Future<Output = Attempt> + Send>>;

/// How jobs are run.
pub enum Runner {
    /// `work -- COMMAND`: a process per job.
    Process {
        spec: Arc<handler::Spec>,
        fatal_exit_code: i32,
        /// The threads the handlers run on.
        pool: super::watch::Pool,
    },
    /// `work --pipe -- COMMAND`: long-lived handlers fed JSON lines.
    Pipe(super::pipe::Pool),
    /// `work --request SUBJECT`: a NATS request per job.
    Request(super::request::Service),
}

/// Starts running `job`; `stop` interrupts it (the worker is stopping and the grace is over).
/// A pipe handler gets the job's line once [`flush`] is called.
pub fn start(shared: &Arc<Shared>, job: &Job, stop: oneshot::Receiver<()>) -> Execution {
    match &shared.runner {
        Runner::Process {
            spec,
            fatal_exit_code,
            pool,
        } => {
            // Queued for a slot now, not when the job's task first runs.
            let finished = handler::run(
                pool,
                spec,
                handler_env(shared, job),
                job.msg.payload.clone(),
                stop,
                &shared.groups,
                &shared.log,
            );
            let fatal_exit_code = *fatal_exit_code;
            Box::pin(async move { Attempt::of_process(finished.await, fatal_exit_code) })
        }
        Runner::Pipe(pool) => pool.start(shared, job, stop),
        Runner::Request(service) => service.start(job, stop),
    }
}

/// The worker is stopping: jobs handed to a process pool and not started yet are not started.
pub fn close(shared: &Shared) {
    if let Runner::Process { pool, .. } = &shared.runner {
        pool.close();
    }
}

/// Hands the jobs started since the last call to the pipe handlers (one write each).
pub fn flush(shared: &Shared) {
    if let Runner::Pipe(pool) = &shared.runner {
        pool.flush();
    }
}

/// What the worker knows for every job.
pub struct Shared {
    pub consumer: String,
    pub settings: Settings,
    pub runner: Runner,
    pub dead_letters: DeadLetters,
    pub worker: String,
    pub groups: handler::Groups,
    pub log: Arc<Log>,
    /// The last acks sent, to send again after a reconnect.
    pub acks: Arc<super::acks::RecentAcks>,
}

/// How an attempt was settled.
#[derive(Debug, Clone)]
pub enum Settled {
    Done,
    /// Nak'd, back after `delay`.
    Retry {
        delay: Duration,
    },
    /// Copied to the DLQ, then acked.
    Dead {
        dlq: String,
        dlq_seq: u64,
    },
    /// Out of attempts and no DLQ taking copies: left to the server (and its advisory).
    Parked {
        advisory_dlq: Option<String>,
    },
    /// Interrupted without a verdict (the worker is stopping): to be handed back by the worker.
    Requeued,
    /// The DLQ refused the copy: Nak'd, back after `delay`.
    DeadLetterFailed {
        dlq: String,
        error: String,
        delay: Duration,
    },
}

/// One finished attempt, for the log, the events and the counters.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub stream: String,
    pub seq: u64,
    pub subject: String,
    pub attempt: u64,
    pub msg_id: Option<String>,
    /// The payload, for the log's preview (made only when a line is written).
    pub payload: bytes::Bytes,
    pub run: Attempt,
    /// Why the attempt failed, `None` when it did not.
    pub reason: Option<String>,
    pub settled: Settled,
}

/// The job's metadata as `JQ_*` variables for its handler.
pub fn handler_env(shared: &Shared, job: &Job) -> Vec<(String, String)> {
    let mut env = vec![
        ("JQ_STREAM".to_string(), job.stream.clone()),
        ("JQ_CONSUMER".to_string(), shared.consumer.clone()),
        ("JQ_SUBJECT".to_string(), job.subject.clone()),
        ("JQ_SEQ".to_string(), job.seq.to_string()),
        ("JQ_ATTEMPT".to_string(), job.attempt.to_string()),
        (
            "JQ_MAX_DELIVER".to_string(),
            shared.settings.max_deliver.to_string(),
        ),
        (
            "JQ_MSG_ID".to_string(),
            handler::env_value(job.msg_id.as_deref().unwrap_or("")),
        ),
    ];
    // Values of names that map to the same variable are joined, in a stable order.
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(h) = &job.msg.headers {
        let mut named: Vec<(&str, Vec<String>)> = h
            .iter()
            .map(|(name, values)| {
                (
                    name.as_ref(),
                    values
                        .iter()
                        .map(|v| handler::env_value(v.as_str()))
                        .collect(),
                )
            })
            .collect();
        named.sort_by(|a, b| a.0.cmp(b.0));
        for (name, values) in named {
            headers
                .entry(handler::header_var(name))
                .or_default()
                .extend(values);
        }
    }
    // Joined with `,` as `dlq drain` does.
    env.extend(headers.into_iter().map(|(k, v)| (k, v.join(","))));
    env
}

/// Runs the job, keeping it alive meanwhile, then settles it.
pub async fn work(shared: Arc<Shared>, mut job: Job, run: Execution) -> Outcome {
    tokio::pin!(run);
    let every = shared.settings.keepalive_every(job.attempt);
    let mut tick = tokio::time::interval_at(job.touched + every, every);
    let attempt = loop {
        tokio::select! {
            attempt = &mut run => break attempt,
            _ = tick.tick() => Box::pin(job.keep_alive()).await,
        }
    };
    failpoint("work.handled");
    // Boxed: the task spawned per job stays small (its future is copied when spawned).
    Box::pin(settle(&shared, job, attempt)).await
}

async fn settle(shared: &Shared, job: Job, attempt: Attempt) -> Outcome {
    let settings = &shared.settings;
    let last = settings.is_last_attempt(job.attempt);
    let fatal = matches!(attempt.verdict, Verdict::Fatal(_));
    let mut reason = match &attempt.verdict {
        Verdict::Ok => None,
        Verdict::Stopped if last => {
            Some("interrupted on its last attempt (the worker stopped)".into())
        }
        Verdict::OutputClosed if last => Some(
            "killed by signal 13 (SIGPIPE) on its last attempt: the worker's stdout was closed"
                .into(),
        ),
        Verdict::Stopped | Verdict::NotStarted | Verdict::OutputClosed => None,
        Verdict::Fail(reason) | Verdict::Fatal(reason) => Some(reason.clone()),
    };
    let settled = match (&attempt.verdict, &shared.dead_letters) {
        (Verdict::Ok, _) => {
            shared.acks.ack(&job.msg).await;
            Settled::Done
        }
        (Verdict::Stopped | Verdict::OutputClosed, DeadLetters::Entries(dlq)) if last => {
            Box::pin(dead_letter(
                shared,
                &job,
                &attempt,
                reason.clone().unwrap_or_default(),
                dlq,
            ))
            .await
        }
        // The worker hands it back once its open pull requests ended (see `worker`).
        (Verdict::Stopped | Verdict::NotStarted | Verdict::OutputClosed, _) => Settled::Requeued,
        (_, DeadLetters::Entries(dlq)) if last || fatal => {
            Box::pin(dead_letter(
                shared,
                &job,
                &attempt,
                reason.clone().unwrap_or_default(),
                dlq,
            ))
            .await
        }
        (_, dead_letters) if last => {
            // The server parks the job at its next pull and publishes the advisory.
            job.requeue().await;
            Settled::Parked {
                advisory_dlq: match dead_letters {
                    DeadLetters::AdvisoriesOnly(name) => Some(name.clone()),
                    _ => None,
                },
            }
        }
        _ => {
            let _ = job
                .msg
                .ack_with(AckKind::Nak(Some(settings.nak_delay(job.attempt))))
                .await;
            Settled::Retry {
                delay: settings.retry_delay(job.attempt),
            }
        }
    };
    if matches!(settled, Settled::Requeued) {
        reason = None;
    }
    Outcome {
        stream: job.stream.clone(),
        seq: job.seq,
        subject: job.subject.clone(),
        attempt: job.attempt,
        msg_id: job.msg_id.clone(),
        payload: job.msg.payload.clone(),
        run: attempt,
        reason,
        settled,
    }
}

/// Writes the dead job to the DLQ, awaits the DLQ's ack, and only then acks the job.
async fn dead_letter(
    shared: &Shared,
    job: &Job,
    attempt: &Attempt,
    reason: String,
    dlq: &str,
) -> Settled {
    let dead = DeadJob {
        stream: job.stream.clone(),
        seq: job.seq,
        subject: job.subject.clone(),
        consumer: shared.consumer.clone(),
        attempts: job.attempt,
        reason,
        exit_code: attempt.exit_code,
        signal: attempt.signal,
        timed_out: attempt.timed_out,
        stderr_tail: attempt.stderr_tail.clone(),
        died_at: time::OffsetDateTime::now_utc()
            .format(&Rfc3339)
            .unwrap_or_default(),
        worker: shared.worker.clone(),
        payload: job.msg.payload.clone(),
        headers: job.msg.headers.clone(),
    };
    let written = async {
        job.msg
            .context
            .publish_with_headers(
                dlq::entry_subject(&job.stream, job.seq),
                dead.entry_headers(),
                dead.payload.clone(),
            )
            .await?
            .await
    }
    .await;
    match written {
        Ok(ack) => {
            failpoint("work.copy.written");
            shared.acks.ack(&job.msg).await;
            Settled::Dead {
                dlq: dlq.to_string(),
                dlq_seq: ack.sequence,
            }
        }
        Err(e) => {
            let delay = shared.settings.retry_delay(job.attempt);
            let _ = job
                .msg
                .ack_with(AckKind::Nak(Some(shared.settings.nak_delay(job.attempt))))
                .await;
            Settled::DeadLetterFailed {
                dlq: dlq.to_string(),
                error: e.to_string(),
                delay,
            }
        }
    }
}
