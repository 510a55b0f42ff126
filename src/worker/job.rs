//! One job in a command worker: run the handler while keeping the job alive, then settle it.
//!
//! The ack policy:
//! - exit 0: ack;
//! - another exit (or a signal, a timeout): a Nak delayed by the next backoff step, so the slot
//!   frees at once and the retry still comes on schedule;
//! - the last attempt, or the fatal exit code: a full copy goes to the dead-letter stream, and
//!   only once the DLQ acknowledged it is the job acked (removed from the work stream). It is
//!   never terminated (+TERM deletes the payload of a work-queue job before anything is safe);
//! - no DLQ that takes copies: the last attempt is Nak'd without delay, so the server parks the
//!   job at once and publishes its max-deliveries advisory (the article's DLQ captures it);
//! - a DLQ that refuses the copy (full, gone): a delayed Nak, the error reported, nothing lost.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind};
use time::format_description::well_known::Rfc3339;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::consumer::Settings;
use super::handler::{self, Ending, Finished};
use super::report::{preview, Log};
use super::DeadLetters;
use crate::dlq::{self, entry::DeadJob};

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
}

/// What the worker knows for every job.
pub struct Shared {
    pub consumer: String,
    pub settings: Settings,
    pub spec: handler::Spec,
    pub fatal_exit_code: i32,
    pub dead_letters: DeadLetters,
    pub worker: String,
    pub groups: handler::Groups,
    pub log: Arc<Log>,
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
    pub preview: String,
    pub finished: Finished,
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

/// Runs the job's handler, keeping the job alive meanwhile, then settles it.
pub async fn work(shared: Arc<Shared>, mut job: Job, stop: oneshot::Receiver<()>) -> Outcome {
    let env = handler_env(&shared, &job);
    let run = handler::run(
        &shared.spec,
        env,
        job.msg.payload.clone(),
        stop,
        &shared.groups,
        &shared.log,
    );
    tokio::pin!(run);
    let every = shared.settings.keepalive_every(job.attempt);
    let mut tick = tokio::time::interval_at(job.touched + every, every);
    let finished = loop {
        tokio::select! {
            finished = &mut run => break finished,
            _ = tick.tick() => job.keep_alive().await,
        }
    };
    settle(&shared, job, finished).await
}

async fn settle(shared: &Shared, job: Job, finished: Finished) -> Outcome {
    let settings = &shared.settings;
    let last = settings.is_last_attempt(job.attempt);
    let fatal = finished.ending == Ending::Exited(shared.fatal_exit_code);
    let mut reason = match &finished.ending {
        Ending::Exited(0) => None,
        Ending::Stopped if last => {
            Some("interrupted on its last attempt (the worker stopped)".into())
        }
        Ending::Stopped => None,
        ending if fatal => Some(format!("{} (fatal)", ending.reason())),
        ending => Some(ending.reason()),
    };
    let settled = match (&finished.ending, &shared.dead_letters) {
        (Ending::Exited(0), _) => {
            let _ = job.msg.ack().await;
            Settled::Done
        }
        (Ending::Stopped, DeadLetters::Entries(dlq)) if last => {
            dead_letter(
                shared,
                &job,
                &finished,
                reason.clone().unwrap_or_default(),
                dlq,
            )
            .await
        }
        // The worker hands it back once its open pull requests ended (see `worker`).
        (Ending::Stopped, _) => Settled::Requeued,
        (_, DeadLetters::Entries(dlq)) if last || fatal => {
            dead_letter(
                shared,
                &job,
                &finished,
                reason.clone().unwrap_or_default(),
                dlq,
            )
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
        preview: job.preview(),
        finished,
        reason,
        settled,
    }
}

/// Writes the dead job to the DLQ, awaits the DLQ's ack, and only then acks the job.
async fn dead_letter(
    shared: &Shared,
    job: &Job,
    finished: &Finished,
    reason: String,
    dlq: &str,
) -> Settled {
    let (exit_code, signal) = match finished.ending {
        Ending::Exited(code) => (Some(code), None),
        Ending::Signaled(sig) => (None, Some(sig)),
        _ => (None, None),
    };
    let dead = DeadJob {
        stream: job.stream.clone(),
        seq: job.seq,
        subject: job.subject.clone(),
        consumer: shared.consumer.clone(),
        attempts: job.attempt,
        reason,
        exit_code,
        signal,
        timed_out: matches!(finished.ending, Ending::TimedOut(_)),
        stderr_tail: finished.stderr_tail.clone(),
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
            let _ = job.msg.ack().await;
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
