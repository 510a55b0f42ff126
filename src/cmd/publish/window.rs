//! The publish window: up to N publishes awaiting their JetStream ack at once, settled oldest
//! first so results come out in input order.
//!
//! Every job ends as an [`Outcome`]: acked (maybe as a duplicate) or failed with a reason. A
//! job refused before it was sent (too large for the server) takes its place in the queue like
//! the others. An ack that does not come within the timeout, counted from the send, is retried
//! when the job carries a `Nats-Msg-Id` (the stream's duplicate window makes that safe) and
//! reported otherwise. When the connection is gone, nothing in flight can be confirmed any
//! more: those jobs are reported as failed and the window stops taking new ones.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use async_nats::connection::State;
use async_nats::jetstream::context::{PublishAckFuture, PublishErrorKind};
use async_nats::jetstream::message::PublishMessage as Publish;
use async_nats::jetstream::publish::PublishAck;
use async_nats::jetstream::{self, ErrorCode};
use async_nats::{HeaderMap, Subject};
use bytes::Bytes;
use tokio::time::Instant;

type PublishError = async_nats::jetstream::context::PublishError;
type AckFuture = Pin<Box<dyn Future<Output = Result<PublishAck, PublishError>> + Send>>;

/// Tries of a timed-out publish that carries a message id, the first one included.
const TRIES: u32 = 3;

/// One job, ready to send.
pub struct Job {
    /// Its input line number (its Count with `--count`).
    pub line: u64,
    pub subject: Subject,
    pub payload: Bytes,
    pub headers: Option<HeaderMap>,
    /// Whether it carries a `Nats-Msg-Id`, which makes resending it safe.
    pub has_id: bool,
}

#[derive(Debug)]
pub enum Outcome {
    Published(PublishAck),
    Failed(Failure),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// No stream captures the subject (no responders).
    NoStream,
    /// Over the stream's max message size.
    TooLarge,
    /// Over the server's max_payload (the client refuses to send it).
    OverMaxPayload,
    /// A stream with discard new at its max bytes or messages.
    StreamFull,
    /// No ack within the timeout.
    TimedOut,
    /// The connection dropped before the ack came.
    ConnectionLost,
    /// Anything else the server or client said.
    Other,
}

#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: FailureKind,
    pub reason: String,
}

impl Failure {
    pub fn new(kind: FailureKind, reason: impl Into<String>) -> Failure {
        Failure {
            kind,
            reason: reason.into(),
        }
    }
}

/// Where settled jobs go, in input order.
pub trait Sink {
    fn settled(&mut self, line: u64, outcome: Outcome);
    /// Called before the window waits, so output so far reaches its reader.
    fn flush(&mut self);
}

// The rare variants are boxed to keep the window's entries small.
enum Slot {
    InFlight(AckFuture),
    /// Sending failed, or the ack came while waiting for input.
    Ready(Box<Result<PublishAck, PublishError>>),
    Done(Box<Outcome>),
}

struct Pending {
    line: u64,
    subject: Subject,
    slot: Slot,
    /// When the ack is overdue: the send time plus the timeout.
    deadline: Instant,
    /// What to send again after a timeout (jobs with a message id only).
    resend: Option<Box<Publish>>,
}

/// Sends between two readings of the clock for deadlines (it is also read after every wait).
const CLOCK_EVERY: u32 = 64;

pub struct Window {
    js: jetstream::Context,
    client: async_nats::Client,
    timeout: Duration,
    capacity: usize,
    queue: VecDeque<Pending>,
    lost: bool,
    /// A recent reading of the clock, and sends since.
    clock: Instant,
    sends: u32,
}

impl Window {
    pub fn new(
        js: jetstream::Context,
        client: async_nats::Client,
        capacity: usize,
        timeout: Duration,
    ) -> Window {
        Window {
            js,
            client,
            timeout,
            capacity: capacity.max(1),
            queue: VecDeque::with_capacity(capacity.max(1)),
            lost: false,
            clock: Instant::now(),
            sends: 0,
        }
    }

    /// Reads the clock again: to call after waiting outside the window (for input).
    pub fn refresh_clock(&mut self) {
        self.clock = Instant::now();
        self.sends = 0;
    }

    /// Whether the connection was lost: no more jobs can be confirmed.
    pub fn lost(&self) -> bool {
        self.lost
    }

    /// Sends `job`, first making room by settling the oldest job if the window is full.
    pub async fn send(&mut self, job: Job, sink: &mut impl Sink) {
        while self.queue.len() >= self.capacity {
            self.settle_front(true, sink).await;
        }
        let mut publish = Publish::build().payload(job.payload);
        if let Some(h) = job.headers {
            publish = publish.headers(h);
        }
        let resend = job.has_id.then(|| Box::new(publish.clone()));
        let slot = match self.js.send_publish(job.subject.clone(), publish).await {
            Ok(ack) => Slot::InFlight(ack_future(ack)),
            Err(e) => Slot::Ready(Box::new(Err(e))),
        };
        self.sends += 1;
        if self.sends >= CLOCK_EVERY {
            self.sends = 0;
            self.clock = Instant::now();
        }
        self.queue.push_back(Pending {
            line: job.line,
            subject: job.subject,
            slot,
            deadline: self.clock + self.timeout,
            resend,
        });
    }

    /// Records a job that failed before it could be sent, in its place in the order.
    pub fn fail(&mut self, line: u64, subject: Subject, failure: Failure, sink: &mut impl Sink) {
        if self.queue.is_empty() {
            sink.settled(line, Outcome::Failed(failure));
            return;
        }
        self.queue.push_back(Pending {
            line,
            subject,
            slot: Slot::Done(Box::new(Outcome::Failed(failure))),
            deadline: Instant::now(),
            resend: None,
        });
    }

    /// Settles the jobs at the front whose ack has already come, without waiting.
    pub async fn settle_ready(&mut self, sink: &mut impl Sink) {
        while self.settle_front(false, sink).await {}
    }

    /// Resolves when the oldest job's ack comes or is overdue; settles nothing itself (cancel
    /// safe, for use in `select!`). Pending forever when the window is empty.
    pub async fn front_ready(&mut self) {
        let Some(front) = self.queue.front_mut() else {
            return std::future::pending().await;
        };
        let deadline = front.deadline;
        let Slot::InFlight(ack) = &mut front.slot else {
            return;
        };
        front.slot = Slot::Ready(Box::new(
            match tokio::time::timeout_at(deadline, ack).await {
                Ok(result) => result,
                Err(_) => Err(PublishError::new(PublishErrorKind::TimedOut)),
            },
        ));
    }

    /// Settles every job left, waiting for their acks (or, once the connection is lost, taking
    /// only the acks that already came).
    pub async fn finish(&mut self, sink: &mut impl Sink) {
        while !self.queue.is_empty() {
            if self.lost {
                self.abandon(sink).await;
                return;
            }
            self.settle_front(true, sink).await;
        }
    }

    /// Settles the oldest job, waiting for its ack when `wait`; false when there is nothing to
    /// settle (now).
    async fn settle_front(&mut self, wait: bool, sink: &mut impl Sink) -> bool {
        let Some(front) = self.queue.front_mut() else {
            return false;
        };
        let result = match &mut front.slot {
            Slot::Done(_) | Slot::Ready(_) => None,
            Slot::InFlight(ack) => Some(match futures::poll!(&mut *ack) {
                Poll::Ready(r) => r,
                Poll::Pending if Instant::now() >= front.deadline => {
                    Err(PublishError::new(PublishErrorKind::TimedOut))
                }
                Poll::Pending if !wait => return false,
                Poll::Pending => {
                    sink.flush();
                    let r = match tokio::time::timeout_at(front.deadline, ack).await {
                        Ok(r) => r,
                        Err(_) => Err(PublishError::new(PublishErrorKind::TimedOut)),
                    };
                    self.clock = Instant::now();
                    r
                }
            }),
        };
        let pending = self.queue.pop_front().expect("the front is there");
        let error = match (result, pending.slot) {
            (Some(Ok(ack)), _) => {
                sink.settled(pending.line, Outcome::Published(ack));
                return true;
            }
            (Some(Err(e)), _) => e,
            (None, Slot::Ready(r)) => match *r {
                Ok(ack) => {
                    sink.settled(pending.line, Outcome::Published(ack));
                    return true;
                }
                Err(e) => e,
            },
            (None, Slot::Done(outcome)) => {
                sink.settled(pending.line, *outcome);
                return true;
            }
            (None, Slot::InFlight(_)) => unreachable!("an in-flight slot was polled"),
        };
        // The rare path, boxed so the common one stays small.
        let outcome =
            Box::pin(self.resolve(Err(error), &pending.subject, pending.resend, sink)).await;
        sink.settled(pending.line, outcome);
        if self.lost {
            self.abandon(sink).await;
        }
        true
    }

    /// Turns an ack or an error into an outcome, resending a timed-out job with a message id.
    async fn resolve(
        &mut self,
        mut result: Result<PublishAck, PublishError>,
        subject: &Subject,
        resend: Option<Box<Publish>>,
        sink: &mut impl Sink,
    ) -> Outcome {
        let mut tries = 1;
        loop {
            let error = match result {
                Ok(ack) => return Outcome::Published(ack),
                Err(e) => e,
            };
            let kind = error.kind();
            if !matches!(
                kind,
                PublishErrorKind::TimedOut | PublishErrorKind::BrokenPipe
            ) {
                return Outcome::Failed(classify(&error, subject));
            }
            if self.client.connection_state() != State::Connected {
                self.lost = true;
                return Outcome::Failed(connection_lost());
            }
            let Some(publish) = resend.as_ref().filter(|_| tries < TRIES) else {
                let why = if resend.is_some() {
                    format!(
                        "no acknowledgement within {} after {tries} tries",
                        humantime::format_duration(self.timeout)
                    )
                } else {
                    format!(
                        "no acknowledgement within {}; the job may or may not be stored (not retried: without --id a retry could store it twice)",
                        humantime::format_duration(self.timeout)
                    )
                };
                return Outcome::Failed(Failure::new(FailureKind::TimedOut, why));
            };
            tries += 1;
            sink.flush();
            result = match self
                .js
                .send_publish(subject.clone(), (**publish).clone())
                .await
            {
                Ok(ack) => tokio::time::timeout(self.timeout, ack_future(ack))
                    .await
                    .unwrap_or_else(|_| Err(PublishError::new(PublishErrorKind::TimedOut))),
                Err(e) => Err(e),
            };
        }
    }

    /// The connection is gone: settles what already has an ack, fails the rest.
    async fn abandon(&mut self, sink: &mut impl Sink) {
        while let Some(mut pending) = self.queue.pop_front() {
            let result = match &mut pending.slot {
                Slot::InFlight(ack) => match futures::poll!(&mut *ack) {
                    Poll::Ready(r) => r,
                    Poll::Pending => Err(PublishError::new(PublishErrorKind::BrokenPipe)),
                },
                _ => match pending.slot {
                    Slot::Ready(r) => *r,
                    Slot::Done(outcome) => {
                        sink.settled(pending.line, *outcome);
                        continue;
                    }
                    Slot::InFlight(_) => unreachable!(),
                },
            };
            let outcome = match result {
                Ok(ack) => Outcome::Published(ack),
                Err(e)
                    if matches!(
                        e.kind(),
                        PublishErrorKind::TimedOut | PublishErrorKind::BrokenPipe
                    ) =>
                {
                    Outcome::Failed(connection_lost())
                }
                Err(e) => Outcome::Failed(classify(&e, &pending.subject)),
            };
            sink.settled(pending.line, outcome);
        }
    }
}

fn ack_future(ack: PublishAckFuture) -> AckFuture {
    std::future::IntoFuture::into_future(ack)
}

fn connection_lost() -> Failure {
    Failure::new(
        FailureKind::ConnectionLost,
        "the connection to the server was lost before the acknowledgement came; the job may or may not be stored",
    )
}

/// A failure as the user should read it.
pub fn classify(error: &PublishError, subject: &Subject) -> Failure {
    use FailureKind as K;
    match error.kind() {
        PublishErrorKind::StreamNotFound => Failure::new(
            K::NoStream,
            format!("no stream captures subject `{subject}` (no responders)"),
        ),
        PublishErrorKind::MaxPayloadExceeded => Failure::new(
            K::OverMaxPayload,
            format!("over the server's max_payload: {}", source_text(error)),
        ),
        PublishErrorKind::TimedOut => Failure::new(K::TimedOut, "no acknowledgement in time"),
        PublishErrorKind::BrokenPipe => connection_lost(),
        _ => {
            let api =
                std::error::Error::source(error).and_then(|s| s.downcast_ref::<jetstream::Error>());
            match api {
                Some(api) => {
                    let kind = match api.error_code() {
                        ErrorCode::STREAM_MESSAGE_EXCEEDS_MAXIMUM => K::TooLarge,
                        ErrorCode::STREAM_STORE_FAILED => K::StreamFull,
                        _ => K::Other,
                    };
                    Failure::new(kind, format!("refused by the server: {api}"))
                }
                None => Failure::new(K::Other, error.to_string()),
            }
        }
    }
}

fn source_text(error: &PublishError) -> String {
    let text = std::error::Error::source(error)
        .map(|s| s.to_string())
        .unwrap_or_else(|| error.to_string());
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}
