//! The publish window: up to N publishes awaiting their JetStream ack at once, settled oldest
//! first so results come out in input order.
//!
//! Every job ends as an [`Outcome`]: acked (maybe as a duplicate) or failed with a reason. A
//! job refused before it was sent (too large for the server) takes its place in the queue like
//! the others. An ack that does not come within the timeout, counted from the send, is retried
//! when the job carries a `Nats-Msg-Id` (the stream's duplicate window makes that safe) and
//! reported otherwise. When the connection is gone, nothing in flight can be confirmed any
//! more: those jobs are reported as failed and the window stops taking new ones.
//!
//! On a cluster, a stream whose leader died has no leader for a while (an election took ~10s on
//! a 3-node loopback cluster): publishes to it get "no responders" at once, or no ack. "No
//! responders" means no server took the message, so it is sent again (with or without an id)
//! as long as a stream still captures the subject, for up to [`FAILOVER`]; a timed-out job with
//! an id goes on waiting through the election too. A job is only reported when the outage
//! outlasts that.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use async_nats::connection::State;
use async_nats::jetstream::context::{
    GetStreamByNameErrorKind, PublishAckFuture, PublishErrorKind,
};
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

/// How long jobs wait for their stream to be served again (a new stream or meta leader
/// elected) before they are reported, counted from the first job that found it unserved.
const FAILOVER: Duration = Duration::from_secs(30);

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
    /// A subject at the stream's max messages per subject (discard new per subject).
    SubjectFull,
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
    /// What to send again: after "no responders" (nothing was stored), or after a timeout
    /// when the job carries a message id.
    resend: Box<Publish>,
    has_id: bool,
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
    /// Since when the stream has not been served (no responders, no acks): cleared by the next
    /// acknowledged job.
    outage: Option<Instant>,
    /// A subject the server said no stream captures, and when it said so.
    no_stream: Option<(Subject, Instant)>,
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
            outage: None,
            no_stream: None,
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
        let resend = Box::new(publish.clone());
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
            has_id: job.has_id,
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
            resend: Box::new(Publish::build()),
            has_id: false,
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
                self.outage = None;
                sink.settled(pending.line, Outcome::Published(ack));
                return true;
            }
            (Some(Err(e)), _) => e,
            (None, Slot::Ready(r)) => match *r {
                Ok(ack) => {
                    self.outage = None;
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
        let outcome = Box::pin(self.resolve(
            Err(error),
            &pending.subject,
            &pending.resend,
            pending.has_id,
            sink,
        ))
        .await;
        sink.settled(pending.line, outcome);
        if self.lost {
            self.abandon(sink).await;
        }
        true
    }

    /// Turns an ack or an error into an outcome: resends a job nobody received while its
    /// stream is between leaders, and a timed-out job with a message id.
    async fn resolve(
        &mut self,
        mut result: Result<PublishAck, PublishError>,
        subject: &Subject,
        resend: &Publish,
        has_id: bool,
        sink: &mut impl Sink,
    ) -> Outcome {
        let mut tries = 1;
        let mut pause = Duration::from_millis(50);
        let mut retried = false;
        loop {
            let error = match result {
                Ok(ack) => {
                    self.outage = None;
                    if retried {
                        self.resend_stalled().await;
                    }
                    return Outcome::Published(ack);
                }
                Err(e) => e,
            };
            let kind = error.kind();
            if kind == PublishErrorKind::StreamNotFound {
                // Nobody received it: sending it again cannot store it twice. Between two
                // stream leaders nobody listens on the subject, while the stream still exists.
                let since = *self.outage.get_or_insert_with(Instant::now);
                if since.elapsed() >= FAILOVER || !self.stream_may_exist(subject).await {
                    return Outcome::Failed(classify(&error, subject));
                }
                retried = true;
                sink.flush();
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(500));
            } else if matches!(
                kind,
                PublishErrorKind::TimedOut | PublishErrorKind::BrokenPipe
            ) {
                // A job with an id may wait for the client to reconnect (to another server of
                // the list) and be sent again.
                if self.client.connection_state() != State::Connected
                    && !(has_id && tries < TRIES && self.reconnected().await)
                {
                    self.lost = true;
                    return Outcome::Failed(connection_lost());
                }
                if !has_id || tries >= TRIES {
                    let why = if has_id {
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
                }
                tries += 1;
                retried = true;
                sink.flush();
            } else {
                return Outcome::Failed(classify(&error, subject));
            }
            result = match self.js.send_publish(subject.clone(), resend.clone()).await {
                Ok(ack) => tokio::time::timeout(self.timeout, ack_future(ack))
                    .await
                    .unwrap_or_else(|_| Err(PublishError::new(PublishErrorKind::TimedOut))),
                Err(e) => Err(e),
            };
        }
    }

    /// The stream is served again after an outage: sends every job behind that nobody took
    /// meanwhile, or (with a message id) whose ack is overdue, at once, rather than one round
    /// trip at a time as each reaches the front.
    async fn resend_stalled(&mut self) {
        let now = Instant::now();
        for p in self.queue.iter_mut() {
            let stalled = match &p.slot {
                Slot::Ready(r) => match &**r {
                    Err(e) if e.kind() == PublishErrorKind::StreamNotFound => true,
                    Err(e) if e.kind() == PublishErrorKind::TimedOut => p.has_id,
                    _ => false,
                },
                Slot::InFlight(_) => p.has_id && p.deadline <= now,
                Slot::Done(_) => false,
            };
            if !stalled {
                continue;
            }
            p.slot = match self
                .js
                .send_publish(p.subject.clone(), (*p.resend).clone())
                .await
            {
                Ok(ack) => Slot::InFlight(ack_future(ack)),
                Err(e) => Slot::Ready(Box::new(Err(e))),
            };
            p.deadline = now + self.timeout;
        }
    }

    /// Waits for the client to be connected again, up to the time the job's tries would take.
    async fn reconnected(&self) -> bool {
        let deadline = Instant::now() + self.timeout * TRIES;
        while Instant::now() < deadline {
            if self.client.connection_state() == State::Connected {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// Whether a stream may capture `subject`: no when the server says none does (remembered
    /// for a second, so a run of lines to a missing stream costs one request), yes when it
    /// says one does or cannot say (its meta leader being elected).
    async fn stream_may_exist(&mut self, subject: &Subject) -> bool {
        if let Some((s, at)) = &self.no_stream {
            if s == subject && at.elapsed() < Duration::from_secs(1) {
                return false;
            }
        }
        match self.js.stream_by_subject(subject.to_string()).await {
            Ok(_) => true,
            Err(e) if e.kind() == GetStreamByNameErrorKind::NotFound || no_jetstream(&e) => {
                self.no_stream = Some((subject.clone(), Instant::now()));
                false
            }
            Err(_) => true,
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

/// Whether nobody answers the JetStream API: a server without JetStream (during an election
/// its servers still answer, with an error, or not in time).
fn no_jetstream(e: &async_nats::jetstream::context::GetStreamByNameError) -> bool {
    use async_nats::jetstream::context::{RequestError, RequestErrorKind};
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.downcast_ref::<RequestError>()
            .is_some_and(|r| r.kind() == RequestErrorKind::NoResponders)
        {
            return true;
        }
        source = s.source();
    }
    false
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
                        // The same code for the whole stream and for one subject.
                        ErrorCode::STREAM_STORE_FAILED
                            if api
                                .to_string()
                                .contains("maximum messages per subject exceeded") =>
                        {
                            K::SubjectFull
                        }
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
