//! Pull requests on one inbox subscription, with the worker deciding how many jobs to ask for
//! each time (a command worker asks only for its free slots, so no job waits in this process
//! burning its attempts).
//!
//! Each request gets its own reply subject `<inbox>.<id>`, so the server's status for it
//! (`408 Request Timeout` when it expires, `409` when refused) says which request ended and, in
//! `Nats-Pending-Messages`, how many of its jobs were never sent. Jobs themselves arrive under
//! their own subject, so only the total still owed is known; it is enough to decide when to ask
//! for more and when nothing more can arrive.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{anyhow, Result};
use async_nats::jetstream::consumer::pull::BatchConfig;
use async_nats::jetstream::consumer::PullConsumer;
use async_nats::{Client, StatusCode, Subscriber};
use futures::StreamExt;
use tokio::time::Instant;

/// Extra time after a request's expiry before it is taken for lost (its status never came).
const LOST_AFTER: Duration = Duration::from_secs(2);

struct Open {
    batch: usize,
    deadline: Instant,
}

/// What the inbox delivered.
pub enum Pulled {
    /// A job.
    Job(async_nats::Message),
    /// A request ended before it was filled: expired (408) or refused (409, 503, ...).
    Ended {
        status: StatusCode,
        description: Option<String>,
    },
}

pub struct Puller {
    consumer: PullConsumer,
    inbox: String,
    sub: Subscriber,
    next_id: u64,
    open: HashMap<u64, Open>,
    owed: usize,
    expires: Duration,
    /// The consumer's cap on a request's expiry, zero for none.
    max_expires: Duration,
    /// Requests end as soon as nothing is left to send (`--until-empty` printing jobs), rather
    /// than wait for jobs until they expire.
    pub no_wait: bool,
}

impl Puller {
    pub async fn new(client: &Client, consumer: PullConsumer, expires: Duration) -> Result<Puller> {
        let inbox = client.new_inbox();
        let sub = client
            .subscribe(format!("{inbox}.*"))
            .await
            .map_err(|e| anyhow!("failed to subscribe to the worker's inbox: {e}"))?;
        // A consumer may cap how long a request waits.
        let max_expires = consumer.cached_info().config.max_expires;
        let expires = if max_expires.is_zero() {
            expires
        } else {
            expires.min(max_expires)
        };
        Ok(Puller {
            consumer,
            inbox,
            sub,
            next_id: 0,
            open: HashMap::new(),
            owed: 0,
            expires,
            max_expires,
            no_wait: false,
        })
    }

    /// Jobs asked for and not yet received.
    pub fn owed(&self) -> usize {
        self.owed
    }

    /// How long a request normally waits on the server.
    pub fn expires(&self) -> Duration {
        self.expires
    }

    /// Asks for up to `batch` jobs, capped by the consumer's max batch, waiting up to `expires`
    /// (normally [`expires`](Self::expires)), capped by the consumer's max expires.
    pub async fn request(&mut self, batch: usize, expires: Duration) -> Result<()> {
        let expires = if self.max_expires.is_zero() {
            expires
        } else {
            expires.min(self.max_expires)
        };
        let max = self.consumer.cached_info().config.max_batch;
        let batch = if max > 0 {
            batch.min(max as usize)
        } else {
            batch
        };
        if batch == 0 {
            return Ok(());
        }
        self.next_id += 1;
        let id = self.next_id;
        let reply = format!("{}.{id}", self.inbox);
        self.consumer
            .request_batch(
                BatchConfig {
                    batch,
                    expires: (!self.no_wait).then_some(expires),
                    no_wait: self.no_wait,
                    ..Default::default()
                },
                reply.into(),
            )
            .await
            .map_err(|e| anyhow!("failed to send a pull request: {e}"))?;
        self.open.insert(
            id,
            Open {
                batch,
                deadline: Instant::now() + expires + LOST_AFTER,
            },
        );
        self.owed += batch;
        Ok(())
    }

    /// The next job or request status; `None` once the connection is closed for good.
    pub async fn next(&mut self) -> Option<Pulled> {
        loop {
            let message = self.sub.next().await?;
            if let Some(pulled) = self.account(message) {
                return Some(pulled);
            }
        }
    }

    fn account(&mut self, message: async_nats::Message) -> Option<Pulled> {
        match message.status {
            None | Some(StatusCode::OK) => {
                self.owed = self.owed.saturating_sub(1);
                if self.owed == 0 {
                    self.open.clear();
                }
                Some(Pulled::Job(message))
            }
            Some(StatusCode::IDLE_HEARTBEAT) => None,
            Some(status) => {
                let id = message
                    .subject
                    .as_str()
                    .rsplit('.')
                    .next()
                    .and_then(|id| id.parse::<u64>().ok());
                if let Some(open) = id.and_then(|id| self.open.remove(&id)) {
                    let unsent = message
                        .headers
                        .as_ref()
                        .and_then(|h| h.get("Nats-Pending-Messages"))
                        .and_then(|v| v.as_str().parse::<usize>().ok())
                        .unwrap_or(open.batch);
                    self.owed = self.owed.saturating_sub(unsent);
                }
                if self.open.is_empty() {
                    self.owed = 0;
                }
                Some(Pulled::Ended {
                    status,
                    description: message.description,
                })
            }
        }
    }

    /// Forgets requests whose status never came long after they expired.
    pub fn sweep(&mut self) {
        let now = Instant::now();
        self.open.retain(|_, o| o.deadline > now);
        if self.open.is_empty() {
            self.owed = 0;
        }
    }

    /// Stops listening: the server drops open requests that nobody listens to any more.
    pub async fn close(&mut self) {
        let _ = self.sub.unsubscribe().await;
        self.reset();
    }

    /// Forgets every request: after a reconnect the server may have lost them, and new ones
    /// are due. A job from an old one may still come; the worker takes it as any other.
    pub fn reset(&mut self) {
        self.open.clear();
        self.owed = 0;
    }
}
