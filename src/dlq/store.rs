//! Changing a DLQ without ever leaving a job nowhere: full copies are written and acked before
//! an original is removed, entries go only after what they stand for is safe elsewhere, and a
//! removal the stream refuses keeps the entry and says so.
//!
//! Removing one message from a stream: `DELETE` by sequence; when the stream denies deletes
//! (the article's `--deny-delete`) and has work-queue retention, an ack through the consumer
//! that delivered it removes it (a `+ACK` on the ack subject `$JS.ACK.<stream>.<consumer>.…`
//! works for a message that consumer already delivered, even a parked one). A DLQ entry that
//! its consumer has not delivered yet is taken through that consumer (or through a consumer of
//! our own when it has none), never a work stream's job.
//!
//! Replay and drain record what they do in markers ([`super::marker`]) next to the job's entry
//! when the DLQ holds a copy: an intent claimed with a compare-and-set on the entry subject
//! before the job is handled, a done marker once it was, both removed after the entry.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _, Result};
use async_nats::jetstream::consumer::{pull, AckPolicy, DeliverPolicy};
use async_nats::jetstream::context::{ConsumerInfoErrorKind, PublishErrorKind};
use async_nats::jetstream::message::Message as JsMessage;
use async_nats::jetstream::stream::{DeleteMessageErrorKind, Info as StreamInfo, RetentionPolicy};
use async_nats::jetstream::{AckKind, Context, ErrorCode};
use async_nats::HeaderMap;
use futures::StreamExt;
use time::OffsetDateTime;

use super::entry::{self, DeadJob};
use super::marker::{self, Batch, BatchMsg, Marker};
use super::read::{self, Copy, Dead, Original, Pointer, PointerKind, Scan};
use crate::failpoint::failpoint;

/// Name prefix of the consumers jq-nats makes on a work-queue DLQ that has none.
pub const OWN_CONSUMER: &str = "jqnats_dlq";

/// How a message left a stream, or why it stayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    Deleted,
    Acked { consumer: String },
    AlreadyGone,
    Kept { why: String },
}

/// Removes messages from one stream, by delete or by ack.
pub struct Remover {
    client: async_nats::Client,
    js: Context,
    stream: String,
    deny_delete: bool,
    work_queue: bool,
    /// Whether messages may be taken through a consumer to ack them: the DLQ only, never a
    /// work stream (that would take jobs from workers).
    pull_through: bool,
    held: BTreeMap<u64, JsMessage>,
    created: Vec<String>,
}

impl Remover {
    pub fn new(
        client: async_nats::Client,
        js: Context,
        info: &StreamInfo,
        pull_through: bool,
    ) -> Remover {
        Remover {
            client,
            js,
            stream: info.config.name.clone(),
            deny_delete: info.config.deny_delete,
            work_queue: info.config.retention == RetentionPolicy::WorkQueue,
            pull_through,
            held: BTreeMap::new(),
            created: vec![],
        }
    }

    /// Removes message `seq` (on `subject`); `consumer` is the one that delivered it, if known.
    pub async fn remove(
        &mut self,
        seq: u64,
        subject: &str,
        consumer: Option<&str>,
    ) -> Result<Removal> {
        if !self.deny_delete {
            let handle = self.js.get_stream_no_info(&self.stream).await?;
            match handle.delete_message(seq).await {
                Ok(true) => return Ok(Removal::Deleted),
                Ok(false) => {
                    return Ok(
                        if read::get_message(&self.js, &self.stream, seq)
                            .await?
                            .is_none()
                        {
                            Removal::AlreadyGone
                        } else {
                            Removal::Kept {
                                why: format!("`{}` did not delete it", self.stream),
                            }
                        },
                    )
                }
                Err(e) => match e.kind() {
                    DeleteMessageErrorKind::JetStream(j)
                        if j.error_code() == ErrorCode::NO_MESSAGE_FOUND
                            || j.error_code() == ErrorCode::SEQUENCE_NOT_FOUND =>
                    {
                        return Ok(Removal::AlreadyGone)
                    }
                    DeleteMessageErrorKind::JetStream(j)
                        if j.error_code() == ErrorCode::STREAM_MESSAGE_DELETE_FAILED =>
                    {
                        // The server says the same of a message purged meanwhile (below the
                        // stream's first sequence, a batch replay's purge) as of deletes denied.
                        if matches!(
                            read::get_message(&self.js, &self.stream, seq).await,
                            Ok(None)
                        ) {
                            return Ok(Removal::AlreadyGone);
                        }
                        // Deletes denied since we looked: try acking.
                        self.deny_delete = true;
                    }
                    _ => {
                        return Err(anyhow::Error::new(e).context(format!(
                            "failed to delete message {seq} from `{}`",
                            self.stream
                        )))
                    }
                },
            }
        }
        if !self.work_queue {
            if self.gone(seq).await? {
                return Ok(Removal::AlreadyGone);
            }
            return Ok(Removal::Kept {
                why: format!(
                    "`{}` denies deletes and has no work-queue retention, so no ack removes it either",
                    self.stream
                ),
            });
        }
        if let Some(m) = self.held.remove(&seq) {
            let name = m.info().map(|i| i.consumer.to_string()).unwrap_or_default();
            m.double_ack()
                .await
                .map_err(|e| anyhow!("{e}"))
                .with_context(|| format!("failed to ack message {seq} of `{}`", self.stream))?;
            return self.confirm(seq, name).await;
        }
        let consumers = read::consumers(&self.js, &self.stream).await?;
        let by_name = consumer.and_then(|n| consumers.iter().find(|c| c.name == n));
        let matching = by_name.or_else(|| read::consumer_for(&consumers, subject));
        if let Some(c) = matching.filter(|c| c.delivered.stream_sequence >= seq) {
            // The reply subject the consumer gave when it delivered the message; only the stream
            // sequence in it matters for an ack.
            let ack = format!("$JS.ACK.{}.{}.1.{seq}.0.0.0", self.stream, c.name);
            self.client
                .publish(ack, "+ACK".into())
                .await
                .map_err(|e| anyhow!("{e}"))?;
            self.client.flush().await.map_err(|e| anyhow!("{e}"))?;
            return self.confirm(seq, c.name.clone()).await;
        }
        // Gone already (another command removed it): no consumer delivers it to be acked.
        if self.gone(seq).await? {
            return Ok(Removal::AlreadyGone);
        }
        if !self.pull_through {
            return Ok(Removal::Kept {
                why: match matching {
                    Some(c) => format!(
                        "`{}` denies deletes and its consumer `{}` has not delivered it (will deliver it again)",
                        self.stream, c.name
                    ),
                    None => format!(
                        "`{}` denies deletes and no consumer delivered it to ack it",
                        self.stream
                    ),
                },
            });
        }
        let name = match matching {
            Some(c) => c.name.clone(),
            None => self.own_consumer(subject).await?,
        };
        self.pull(&name, seq).await?;
        match self.held.remove(&seq) {
            Some(m) => {
                m.double_ack()
                    .await
                    .map_err(|e| anyhow!("{e}"))
                    .with_context(|| format!("failed to ack message {seq} of `{}`", self.stream))?;
                self.confirm(seq, name).await
            }
            None => Ok(Removal::Kept {
                why: format!(
                    "`{}` denies deletes and its consumer `{name}` did not deliver message {seq} to ack it (another client may hold it)",
                    self.stream
                ),
            }),
        }
    }

    async fn gone(&self, seq: u64) -> Result<bool> {
        Ok(read::get_message(&self.js, &self.stream, seq)
            .await?
            .is_none())
    }

    /// Why message `seq` (on `subject`, parked by `consumer` if known) could not be removed
    /// now, or None when [`Remover::remove`] would remove it: a stream that allows deletes
    /// deletes it by sequence; one that denies them needs an ack through the consumer that
    /// delivered it. Asked before a job is handled whose only copy is that message, so a job
    /// is never handled (replayed, run) while its original stays to be delivered again.
    pub async fn blocked(
        &self,
        seq: u64,
        subject: &str,
        consumer: Option<&str>,
    ) -> Result<Option<String>> {
        if !self.deny_delete || self.held.contains_key(&seq) {
            return Ok(None);
        }
        if !self.work_queue {
            return Ok(Some(format!(
                "`{}` denies deletes and has no work-queue retention, so no ack removes it either",
                self.stream
            )));
        }
        // The consumer that parked it, not another one that took its subject since: that one
        // delivers the job again (to a worker), so acking it there is no removal of a dead job.
        let c = match consumer {
            Some(name) => {
                let handle = self.js.get_stream_no_info(&self.stream).await?;
                match handle.consumer_info(name).await {
                    Ok(c) => c,
                    Err(e) if e.kind() == ConsumerInfoErrorKind::NotFound => {
                        return Ok(Some(format!(
                            "`{}` denies deletes and the consumer `{name}` that parked it is gone, so no ack can remove it (a new consumer delivers it again)",
                            self.stream
                        )))
                    }
                    Err(e) => {
                        return Err(anyhow::Error::new(e).context(format!(
                            "failed to look up consumer `{name}` of `{}`",
                            self.stream
                        )))
                    }
                }
            }
            None => {
                match read::consumer_for(&read::consumers(&self.js, &self.stream).await?, subject) {
                    Some(c) => c.clone(),
                    None => {
                        return Ok(Some(format!(
                            "`{}` denies deletes and no consumer delivered it to ack it",
                            self.stream
                        )))
                    }
                }
            }
        };
        if c.delivered.stream_sequence < seq {
            return Ok(Some(format!(
                "`{}` denies deletes and its consumer `{}` has not delivered it (will deliver it again)",
                self.stream, c.name
            )));
        }
        Ok(None)
    }

    /// A consumer of our own on a work-queue DLQ with no consumer for `subject`.
    async fn own_consumer(&mut self, subject: &str) -> Result<String> {
        let name = format!("{OWN_CONSUMER}_{:08x}", fnv(subject));
        let handle = self.js.get_stream_no_info(&self.stream).await?;
        handle
            .get_or_create_consumer(
                &name,
                pull::Config {
                    durable_name: Some(name.clone()),
                    description: Some(
                        "jq-nats: takes dead-letter entries to remove them; removed after use"
                            .into(),
                    ),
                    filter_subject: subject.to_string(),
                    ack_policy: AckPolicy::Explicit,
                    deliver_policy: DeliverPolicy::All,
                    ack_wait: Duration::from_secs(60),
                    max_deliver: -1,
                    // Gone soon after a crash: on a work-queue DLQ it keeps other consumers out.
                    inactive_threshold: Duration::from_secs(60),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("failed to create consumer `{name}` on `{}`", self.stream))?;
        if !self.created.contains(&name) {
            self.created.push(name.clone());
        }
        Ok(name)
    }

    /// Takes messages through `consumer` until `seq` was delivered or nothing more comes.
    async fn pull(&mut self, consumer: &str, seq: u64) -> Result<()> {
        let handle = self.js.get_stream_no_info(&self.stream).await?;
        let c: async_nats::jetstream::consumer::PullConsumer = handle
            .get_consumer(consumer)
            .await
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("failed to use consumer `{consumer}` of `{}`", self.stream))?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.held.contains_key(&seq) && Instant::now() < deadline {
            let mut batch = c
                .fetch()
                .max_messages(64)
                .expires(Duration::from_millis(300))
                .messages()
                .await
                .map_err(|e| anyhow!("{e}"))?;
            let mut got = 0;
            while let Some(m) = batch.next().await {
                let m = m.map_err(|e| anyhow!("{e}"))?;
                let s = m.info().map_err(|e| anyhow!("{e}"))?.stream_sequence;
                got += 1;
                self.held.insert(s, m);
            }
            if got == 0 {
                break;
            }
        }
        Ok(())
    }

    /// Waits until message `seq` is gone.
    async fn confirm(&self, seq: u64, consumer: String) -> Result<Removal> {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            if read::get_message(&self.js, &self.stream, seq)
                .await?
                .is_none()
            {
                return Ok(Removal::Acked { consumer });
            }
            if Instant::now() > deadline {
                return Ok(Removal::Kept {
                    why: format!(
                        "`{}` denies deletes and acking it through consumer `{consumer}` did not remove it",
                        self.stream
                    ),
                });
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Gives back what was taken and not removed, and removes our consumers.
    pub async fn finish(&mut self) {
        for (_, m) in std::mem::take(&mut self.held) {
            let _ = m.ack_with(AckKind::Nak(None)).await;
        }
        if let Ok(handle) = self.js.get_stream_no_info(&self.stream).await {
            for name in std::mem::take(&mut self.created) {
                let _ = handle.delete_consumer(&name).await;
            }
        }
    }
}

/// A job's own entries in the DLQ: its copy and its markers (a batch's messages are shared).
fn job_entries(d: &Dead) -> impl Iterator<Item = u64> + '_ {
    d.copy.iter().map(|c| c.dlq_seq).chain(
        d.markers
            .iter()
            .filter(|m| m.batch.is_none())
            .map(|m| m.dlq_seq),
    )
}

fn fnv(text: &str) -> u32 {
    text.bytes().fold(0x811c9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x01000193)
    })
}

/// Something that stayed where it was, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Kept {
    pub what: String,
    pub why: String,
}

/// What became of a job no marker can claim (its entries are advisories only) since it was
/// read, as [`Store::recheck`] finds it just before the job is handled.
#[derive(Debug)]
pub enum Recheck {
    /// As read: its advisories and its original are there, and no replay of it.
    Same,
    /// Another command replayed it: its replay is in the work stream at this sequence.
    Replayed(u64),
    /// Another command handled or removed it (what is gone).
    Changed(String),
}

/// A dead job's copy is over the server's max payload: the job fits its stream, but not with
/// the copy's metadata (a job within a few hundred bytes of the limit).
#[derive(Debug)]
pub struct TooBigToCopy;

impl std::fmt::Display for TooBigToCopy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("with its metadata it is over the server's max payload")
    }
}

impl std::error::Error for TooBigToCopy {}

/// A work stream and its DLQ, to read and change together.
pub struct Store {
    pub client: async_nats::Client,
    pub js: Context,
    pub work: StreamInfo,
    pub dlq: StreamInfo,
    /// Whether the DLQ takes full copies (made by jq-nats), not only advisories.
    pub takes_entries: bool,
    /// Permission violations on the connection: a replay the server refused is told apart
    /// from one that may have been stored.
    pub refusals: crate::context::Refusals,
    /// The connection's settings, for a second connection reading half of a big DLQ.
    pub settings: Option<crate::context::Resolved>,
    work_rm: Remover,
    dlq_rm: Remover,
    /// DLQ messages this command removed (to tell its own removals from others', see
    /// [`Store::check_batch`]).
    dlq_removed: AtomicU64,
    /// How far this command has read the DLQ, for the claim checks.
    seen: Mutex<Seen>,
}

/// What the claim checks know of the DLQ beyond the scan.
#[derive(Default)]
struct Seen {
    /// Every DLQ message below it was read (by the scan or by [`Store::check_batch`]).
    next: u64,
    /// Every batch message below it was read (by the scan or by [`Store::late_claims`]).
    batch_next: u64,
    /// Batch claims of other commands stored since the scan.
    claims: Vec<Batch>,
}

impl Store {
    pub fn new(
        client: async_nats::Client,
        js: Context,
        work: StreamInfo,
        dlq: StreamInfo,
    ) -> Store {
        let takes_entries = super::takes_entries(&dlq.config, &work.config.name);
        Store {
            work_rm: Remover::new(client.clone(), js.clone(), &work, false),
            dlq_rm: Remover::new(client.clone(), js.clone(), &dlq, true),
            client,
            js,
            work,
            dlq,
            takes_entries,
            refusals: Default::default(),
            settings: None,
            dlq_removed: AtomicU64::new(0),
            seen: Mutex::new(Seen::default()),
        }
    }

    pub fn work_name(&self) -> &str {
        &self.work.config.name
    }

    pub fn dlq_name(&self) -> &str {
        &self.dlq.config.name
    }

    /// Every dead job: the DLQ's entries, resolved, and the parked jobs that have none.
    pub async fn scan(&self, progress: &mut dyn FnMut(u64)) -> Result<Scan> {
        let second = self.settings.as_ref();
        let mut scan = read::read_dlq(&self.js, &self.dlq, self.work_name(), second, progress)
            .await
            .with_context(|| format!("failed to read dead-letter stream `{}`", self.dlq_name()))?;
        // Markers whose job is gone are no dead jobs: not even looked up in the work stream.
        scan.take_orphans();
        read::resolve(&self.js, &self.work, self.dlq_name(), &mut scan, progress)
            .await
            .with_context(|| format!("failed to look up dead jobs in `{}`", self.work_name()))?;
        scan.take_orphans();
        scan.attach_batches(self.work_name());
        {
            let mut seen = self.seen.lock().expect("not poisoned");
            seen.next = scan.next_entry;
            seen.batch_next = scan.next_entry;
        }
        Ok(scan)
    }

    /// The full copy [`Store::write_copy`] writes of a parked job: the job, the entry's
    /// headers, and where it came from.
    fn copy_of(&self, d: &Dead) -> Result<(DeadJob, HeaderMap, String)> {
        let msg = d
            .original_msg()
            .ok_or_else(|| anyhow!("job {} has no payload left to copy", d.seq))?;
        let me = entry::worker_id();
        let (consumer, attempts, reason, died_at, origin) = match d.pointers.first() {
            Some(p) => (
                p.consumer.clone(),
                p.deliveries,
                read::pointer_reason(p),
                p.at,
                format!(
                    "{} advisory {}/{}, copied by {me}",
                    p.kind.name(),
                    self.dlq_name(),
                    p.dlq_seq
                ),
            ),
            None => {
                let by = d.parked_by.clone().unwrap_or(read::ParkedBy {
                    consumer: String::new(),
                    max_deliver: 0,
                });
                (
                    by.consumer,
                    u64::try_from(by.max_deliver).unwrap_or(0),
                    d.reason(),
                    None,
                    format!("found parked in {} by {me}", self.work_name()),
                )
            }
        };
        let died_at = died_at
            .unwrap_or_else(OffsetDateTime::now_utc)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let job = DeadJob {
            stream: self.work_name().to_string(),
            seq: d.seq,
            subject: msg.subject.to_string(),
            consumer,
            attempts,
            reason,
            exit_code: None,
            signal: None,
            timed_out: false,
            stderr_tail: None,
            died_at,
            worker: "unknown".into(),
            payload: msg.payload.clone(),
            headers: Some(msg.headers.clone()),
        };
        let mut headers = job.entry_headers();
        headers.insert(read::H_ORIGIN, origin.as_str());
        Ok((job, headers, origin))
    }

    /// Whether a parked job's full copy, with its metadata, fits the server's max payload
    /// (the client's own check: the headers as sent, plus the payload).
    pub fn fits_a_copy(&self, d: &Dead) -> bool {
        let Ok((job, headers, _)) = self.copy_of(d) else {
            return false;
        };
        let mut size = "NATS/1.0\r\n\r\n".len() + job.payload.len();
        for (name, values) in headers.iter() {
            for value in values {
                size += AsRef::<str>::as_ref(name).len() + ": \r\n".len() + value.as_str().len();
            }
        }
        size <= self.client.server_info().max_payload
    }

    /// Writes a full copy of a dead job that has none, from its parked original, and waits for
    /// the DLQ's ack.
    pub async fn write_copy(&self, d: &mut Dead) -> Result<()> {
        let (job, mut headers, origin) = self.copy_of(d)?;
        let subject = super::entry_subject(self.work_name(), d.seq);
        let mut ack = self.publish_entry(&subject, headers.clone(), &job).await?;
        if ack.duplicate && !self.holds(ack.sequence, &subject).await? {
            // The duplicate window remembers a copy that is gone: write it under a new id.
            headers.insert(
                "Nats-Msg-Id",
                format!(
                    "jqnats-dead-{}-{}-{}",
                    self.work_name(),
                    d.seq,
                    OffsetDateTime::now_utc().unix_timestamp_nanos()
                )
                .as_str(),
            );
            ack = self.publish_entry(&subject, headers, &job).await?;
        }
        d.copy = Some(Box::new(Copy {
            dlq_seq: ack.sequence,
            job,
            stored: OffsetDateTime::now_utc(),
            origin: Some(origin),
        }));
        failpoint("copy.written");
        Ok(())
    }

    async fn publish_entry(
        &self,
        subject: &str,
        headers: HeaderMap,
        job: &DeadJob,
    ) -> Result<async_nats::jetstream::publish::PublishAck> {
        let ack = self
            .js
            .publish_with_headers(subject.to_string(), headers, job.payload.clone())
            .await
            .map_err(|e| match e.kind() {
                PublishErrorKind::MaxPayloadExceeded => anyhow::Error::new(TooBigToCopy),
                _ => anyhow!("{e}"),
            })
            .with_context(|| {
                format!(
                    "failed to copy dead job {} to `{}`",
                    job.seq,
                    self.dlq_name()
                )
            })?
            .await
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| {
                format!(
                    "failed to copy dead job {} to `{}`",
                    job.seq,
                    self.dlq_name()
                )
            })?;
        if ack.stream != self.dlq_name() {
            return Err(anyhow!(
                "the copy of dead job {} went to stream `{}`, not to `{}`",
                job.seq,
                ack.stream,
                self.dlq_name()
            ));
        }
        Ok(ack)
    }

    async fn holds(&self, seq: u64, subject: &str) -> Result<bool> {
        Ok(read::get_message(&self.js, self.dlq_name(), seq)
            .await?
            .is_some_and(|m| m.subject.as_str() == subject))
    }

    /// Puts a MAX_DELIVERIES advisory for a parked job with no entry into a DLQ that takes only
    /// advisories (the article's), so whatever reads that DLQ sees the job.
    pub async fn write_pointer(&self, d: &mut Dead) -> Result<()> {
        let by = d
            .parked_by
            .clone()
            .ok_or_else(|| anyhow!("job {} was not found parked", d.seq))?;
        let now = OffsetDateTime::now_utc();
        let body = serde_json::json!({
            "type": "io.nats.jetstream.advisory.v1.max_deliver",
            "id": format!("jqnats-{}-{}", self.work_name(), d.seq),
            "timestamp": now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            "stream": self.work_name(),
            "consumer": by.consumer,
            "stream_seq": d.seq,
            "deliveries": by.max_deliver,
        });
        let subject = format!(
            "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{}.{}",
            self.work_name(),
            by.consumer
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            read::H_ORIGIN,
            format!(
                "found parked in {} by {}",
                self.work_name(),
                entry::worker_id()
            )
            .as_str(),
        );
        let ack = self
            .js
            .publish_with_headers(subject.clone(), headers, serde_json::to_vec(&body)?.into())
            .await
            .map_err(|e| anyhow!("{e}"))?
            .await
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| {
                format!(
                    "failed to record parked job {} in `{}`",
                    d.seq,
                    self.dlq_name()
                )
            })?;
        if ack.stream != self.dlq_name() {
            return Err(anyhow!(
                "the advisory for job {} went to stream `{}`, not to `{}`",
                d.seq,
                ack.stream,
                self.dlq_name()
            ));
        }
        d.pointers.push(Pointer {
            dlq_seq: ack.sequence,
            subject,
            kind: PointerKind::MaxDeliveries,
            consumer: by.consumer,
            deliveries: u64::try_from(by.max_deliver).unwrap_or(0),
            at: Some(now),
            reason: None,
        });
        Ok(())
    }

    /// Removes a dead job's original from the work stream.
    pub async fn remove_original(&mut self, d: &mut Dead, kept: &mut Vec<Kept>) -> Result<()> {
        let Some(msg) = d.original_msg() else {
            return Ok(());
        };
        let subject = msg.subject.to_string();
        let consumer = d.consumer().map(str::to_string);
        match self
            .work_rm
            .remove(d.seq, &subject, consumer.as_deref())
            .await?
        {
            Removal::Kept { why } => kept.push(Kept {
                what: format!("original {}:{}", self.work_name(), d.seq),
                why,
            }),
            _ => {
                d.original = Original::Gone;
                failpoint("original.removed");
            }
        }
        Ok(())
    }

    /// Why a job's parked original could not be removed now (see [`Remover::blocked`]), or
    /// None (removable, or no original left).
    pub async fn original_blocked(&self, d: &Dead) -> Result<Option<String>> {
        let Some(msg) = d.original_msg() else {
            return Ok(None);
        };
        self.work_rm
            .blocked(d.seq, msg.subject.as_str(), d.consumer())
            .await
    }

    async fn remove_entry(
        &mut self,
        seq: u64,
        subject: &str,
        kept: &mut Vec<Kept>,
    ) -> Result<bool> {
        let removal = self.dlq_rm.remove(seq, subject, None).await?;
        if matches!(removal, Removal::Deleted | Removal::Acked { .. }) {
            self.dlq_removed.fetch_add(1, Ordering::SeqCst);
        }
        failpoint("entry.removed");
        match removal {
            Removal::Kept { why } => {
                kept.push(Kept {
                    what: format!("entry {}/{seq}", self.dlq_name()),
                    why,
                });
                Ok(false)
            }
            _ => Ok(true),
        }
    }

    /// Removes the entries that repeat what another entry holds: every pointer and extra copy
    /// when there is a copy, else the pointers after the first.
    pub async fn remove_duplicates(&mut self, d: &mut Dead, kept: &mut Vec<Kept>) -> Result<usize> {
        let mut removed = 0;
        let keep_first = usize::from(d.copy.is_none());
        let pointers = std::mem::take(&mut d.pointers);
        let mut left = Vec::new();
        for (i, p) in pointers.into_iter().enumerate() {
            if i < keep_first || !self.remove_entry(p.dlq_seq, &p.subject, kept).await? {
                left.push(p);
            } else {
                removed += 1;
            }
        }
        d.pointers = left;
        let copies = std::mem::take(&mut d.extra_copies);
        for c in copies {
            let subject = super::entry_subject(&c.job.stream, c.job.seq);
            if self.remove_entry(c.dlq_seq, &subject, kept).await? {
                removed += 1;
            } else {
                d.extra_copies.push(c);
            }
        }
        Ok(removed)
    }

    /// Makes the DLQ hold the job whole and frees the work stream: a copy first (acked), then
    /// the original goes, then the entries the copy makes redundant. A DLQ that takes only
    /// advisories cannot hold the payload: the original stays where it is, and a parked job with
    /// no entry gets an advisory.
    pub async fn reclaim(&mut self, d: &mut Dead, kept: &mut Vec<Kept>) -> Result<()> {
        if d.original_msg().is_some() {
            if d.copy.is_none() && self.takes_entries {
                match self.write_copy(d).await {
                    Ok(()) => {}
                    // Too big for a copy with its metadata: it stays parked, recorded by its
                    // advisory as in a DLQ that takes only advisories, and replay and drain
                    // take it from the work stream.
                    Err(e) if e.is::<TooBigToCopy>() => {}
                    Err(e) => return Err(e),
                }
            }
            if d.copy.is_some() {
                self.remove_original(d, kept).await?;
            } else if d.pointers.is_empty() {
                self.write_pointer(d).await?;
            }
        }
        self.remove_duplicates(d, kept).await?;
        Ok(())
    }

    /// Removes every trace of a dead job that was dealt with. With a copy: the original, the
    /// other entries, the copy last. With pointers only: the original, then the pointers, only
    /// once the original is gone (a job handled while its original stays would be handled
    /// again; a crash in between leaves a pointer to nothing, listed as lost).
    pub async fn remove_job(&mut self, d: &mut Dead, kept: &mut Vec<Kept>) -> Result<()> {
        if d.copy.is_some() {
            self.remove_original(d, kept).await?;
            if d.original_msg().is_some() {
                // Keep the copy with the original it stands for.
                return Ok(());
            }
            self.remove_duplicates(d, kept).await?;
            if let Some(c) = d.copy.take() {
                let subject = super::entry_subject(&c.job.stream, c.job.seq);
                if !self.remove_entry(c.dlq_seq, &subject, kept).await? {
                    d.copy = Some(c);
                }
            }
            if d.copy.is_none() && d.extra_copies.is_empty() && d.pointers.is_empty() {
                self.remove_markers(d, kept).await?;
            }
        } else {
            // The original first: a pointer goes only once what it points at is gone. An
            // original left without its pointer would be found parked again and handled twice
            // (replayed or run again); a pointer left after its original (a crash in between)
            // only lists the job as lost, until it is purged.
            self.remove_original(d, kept).await?;
            if d.original_msg().is_some() {
                return Ok(());
            }
            let pointers = std::mem::take(&mut d.pointers);
            for p in pointers {
                if !self.remove_entry(p.dlq_seq, &p.subject, kept).await? {
                    d.pointers.push(p);
                }
            }
            if d.pointers.is_empty() {
                self.remove_markers(d, kept).await?;
            }
        }
        Ok(())
    }

    /// Removes a job's markers: only once nothing else of it is left in the DLQ, so a crash
    /// never leaves an entry without the markers that say what was done with it.
    /// A batch's markers stay: its messages are shared, and go once none of its jobs is left
    /// (an orphan, see [`Store::clear_orphans`], or [`Store::remove_batches`]).
    async fn remove_markers(&mut self, d: &mut Dead, kept: &mut Vec<Kept>) -> Result<()> {
        let subject = super::entry_subject(self.work_name(), d.seq);
        for m in std::mem::take(&mut d.markers) {
            if m.batch.is_some() {
                continue;
            }
            if !self.remove_entry(m.dlq_seq, &subject, kept).await? {
                d.markers.push(m);
            }
        }
        Ok(())
    }

    /// Removes a marker whose job is gone (or a message of a batch none of whose jobs is left).
    pub async fn remove_orphan(
        &mut self,
        seq: u64,
        m: &Marker,
        kept: &mut Vec<Kept>,
    ) -> Result<bool> {
        let subject = if m.batch.is_some() {
            self.batch_subject()
        } else {
            super::entry_subject(self.work_name(), seq)
        };
        self.remove_entry(m.dlq_seq, &subject, kept).await
    }

    /// Removes the batches (of earlier, finished runs) none of whose jobs is left now: each
    /// job they claimed and did not give back is `gone`. Records first, the claim last.
    pub async fn clear_finished_batches(
        &mut self,
        batches: &BTreeMap<u64, Batch>,
        gone: impl Fn(u64) -> bool,
    ) {
        let subject = self.batch_subject();
        for b in batches.values() {
            if b.claim.held() || !b.jobs.iter().all(|&j| b.released(j) || gone(j)) {
                continue;
            }
            let mut kept = vec![];
            for m in b.messages().iter().rev() {
                if !matches!(
                    self.remove_entry(m.dlq_seq, &subject, &mut kept).await,
                    Ok(true)
                ) {
                    break;
                }
            }
        }
    }

    /// Where batch claims and records go: `jqnats.dlq.<STREAM>.batch`.
    pub fn batch_subject(&self) -> String {
        format!(
            "{}.{}.{}",
            super::ENTRY_PREFIX,
            self.work_name(),
            marker::BATCH_TOKEN
        )
    }

    /// Removes the markers of jobs that are gone (a command died after removing a job, before
    /// its markers), except those whose command may still be running; how many.
    pub async fn clear_orphans(&mut self, scan: &mut Scan) -> Result<usize> {
        let mut removed = 0;
        let mut left = Vec::new();
        for (seq, m) in std::mem::take(&mut scan.orphan_markers) {
            let mut kept = Vec::new();
            if !m.held() && self.remove_orphan(seq, &m, &mut kept).await? {
                removed += 1;
            } else {
                left.push((seq, m));
            }
        }
        scan.orphan_markers = left;
        Ok(removed)
    }

    /// Whether replay and drain keep markers for this job: the DLQ holds its copy, on the
    /// subject the markers go to.
    pub fn marks(&self, d: &Dead) -> bool {
        self.takes_entries && d.copy.is_some()
    }

    async fn publish_marker(
        &self,
        d: &Dead,
        new: &marker::New,
        expected_last: Option<u64>,
    ) -> Result<Option<Marker>> {
        let subject = super::entry_subject(self.work_name(), d.seq);
        let mut headers = new.headers();
        if let Some(last) = expected_last {
            headers.insert(
                "Nats-Expected-Last-Subject-Sequence",
                last.to_string().as_str(),
            );
        }
        let what = || {
            format!(
                "failed to mark dead job {} as {} in `{}`",
                d.seq,
                new.kind.name(),
                self.dlq_name()
            )
        };
        let ack = match self
            .js
            .publish_with_headers(subject, headers.clone(), bytes::Bytes::new())
            .await
            .map_err(|e| anyhow!("{e}"))
            .with_context(what)?
            .await
        {
            Ok(ack) => ack,
            Err(e) if e.kind() == PublishErrorKind::WrongLastSequence => return Ok(None),
            Err(e) => return Err(anyhow::Error::new(e).context(what())),
        };
        if ack.stream != self.dlq_name() {
            return Err(anyhow!(
                "the marker of dead job {} went to stream `{}`, not to `{}`",
                d.seq,
                ack.stream,
                self.dlq_name()
            ));
        }
        Ok(marker::parse(
            ack.sequence,
            &headers,
            OffsetDateTime::now_utc(),
        ))
    }

    /// Records that this command is about to handle the job, unless another command marked it
    /// since it was read (then the marker found there, when it could be read). A compare-and-set
    /// on the entry subject: the last message there must be one this command knows of.
    ///
    /// Against batch claims (`replay --all`, [`Store::check_batch`] is the other side): once
    /// the marker is stored, the batch claims stored since the scan are read; one of another
    /// command that lists the job and is older (a lower DLQ sequence) than the marker wins,
    /// and the marker is taken back. Those up to the scan were seen by [`super::read`] as the
    /// job's markers (a running command's made the caller skip the job). The job's copy is then
    /// read: a batch removes its copies before its claims, so a claim gone before it could be
    /// read leaves the copy gone too, and the job is skipped as changed.
    pub async fn claim(
        &mut self,
        d: &mut Dead,
        new: marker::New,
    ) -> Result<Result<(), Option<Marker>>> {
        let subject = super::entry_subject(self.work_name(), d.seq);
        let handle = self.js.get_stream_no_info(self.dlq_name()).await?;
        let last = match handle.get_last_raw_message_by_subject(&subject).await {
            Ok(m) => Some(m),
            Err(e) if read::is_not_found(&e.kind()) => None,
            Err(e) => {
                return Err(anyhow::Error::new(e)
                    .context(format!("failed to read the entries of dead job {}", d.seq)))
            }
        };
        if let Some(m) = &last {
            if marker::is_marker(&m.headers) && !d.markers.iter().any(|k| k.dlq_seq == m.sequence) {
                return Ok(Err(marker::parse(m.sequence, &m.headers, m.time)));
            }
        }
        let expected = last.map(|m| m.sequence).unwrap_or(0);
        let Some(mine) = self.publish_marker(d, &new, Some(expected)).await? else {
            return Ok(Err(None));
        };
        let seq = mine.dlq_seq;
        d.markers.push(mine);
        let me = entry::worker_id();
        let winner = self
            .late_claims()
            .await?
            .into_iter()
            .find(|b| b.claim.dlq_seq < seq && b.claim.by != me && b.covers(d.seq));
        let copy_gone = match (&winner, &d.copy) {
            (None, Some(c)) => !self.holds(c.dlq_seq, &subject).await?,
            _ => false,
        };
        if winner.is_none() && !copy_gone {
            return Ok(Ok(()));
        }
        failpoint("claim.lost");
        let mut kept = vec![];
        self.release(d, &mut kept).await?;
        Ok(Err(winner.map(|b| b.claim)))
    }

    /// The batch claims of other commands stored since the scan (read on from where the last
    /// call stopped).
    async fn late_claims(&self) -> Result<Vec<Batch>> {
        let subject = self.batch_subject();
        let mut next = self.seen.lock().expect("not poisoned").batch_next;
        let handle = self.js.get_stream_no_info(self.dlq_name()).await?;
        let mut found = vec![];
        loop {
            let msg = match handle
                .raw_message_builder()
                .sequence(next.max(1))
                .next_by_subject(subject.clone())
                .send()
                .await
            {
                Ok(msg) => msg,
                Err(e) if read::is_not_found(&e.kind()) => break,
                Err(e) => {
                    return Err(anyhow::Error::new(e).context(format!(
                        "failed to read batch claims in `{}`",
                        self.dlq_name()
                    )))
                }
            };
            next = msg.sequence + 1;
            if let Some(BatchMsg::Claim(b)) =
                marker::parse_batch(msg.sequence, &msg.headers, &msg.payload, msg.time)
            {
                found.push(b);
            }
        }
        let mut seen = self.seen.lock().expect("not poisoned");
        seen.batch_next = seen.batch_next.max(next);
        seen.claims.extend(found);
        Ok(seen.claims.clone())
    }

    /// Writes a batch claim: this command is about to replay `jobs` (ascending work-stream
    /// sequences, each a job whose copy is its only entry), the work stream's last sequence
    /// being `after`. Its DLQ sequence.
    pub async fn write_batch_claim(&self, jobs: &[u64], after: u64) -> Result<u64> {
        let mut new = marker::New::of(marker::Kind::Replaying);
        new.after = Some(after);
        let headers = new.headers();
        self.publish_batch(headers, marker::claim_body(jobs)).await
    }

    /// Writes a batch record: of the jobs claim `claim` lists, `replayed` were replayed (as the
    /// work-stream sequences given) and `released` were not published after all.
    pub async fn write_batch_record(
        &self,
        claim: u64,
        replayed: &[(u64, u64)],
        released: &[u64],
    ) -> Result<u64> {
        let mut headers = marker::New::of(marker::Kind::Replayed).headers();
        headers.insert(marker::H_CLAIM, claim.to_string().as_str());
        self.publish_batch(headers, marker::record_body(replayed, released))
            .await
    }

    async fn publish_batch(&self, headers: HeaderMap, body: Vec<u8>) -> Result<u64> {
        let what = || format!("failed to write a batch marker in `{}`", self.dlq_name());
        let ack = self
            .js
            .publish_with_headers(self.batch_subject(), headers, body.into())
            .await
            .map_err(|e| anyhow!("{e}"))
            .with_context(what)?
            .await
            .map_err(|e| anyhow!("{e}"))
            .with_context(what)?;
        if ack.stream != self.dlq_name() {
            return Err(anyhow!(
                "a batch marker went to stream `{}`, not to `{}`",
                ack.stream,
                self.dlq_name()
            ));
        }
        Ok(ack.sequence)
    }

    /// After this command's batch claim `claim` (stored at that DLQ sequence) on `jobs`: which
    /// of them it won. A job is lost to any message about it stored before the claim (a
    /// `replaying`/`draining` marker of a per-job claim, or anything else on its entry
    /// subject) and to another command's batch claim stored before it that lists it; what
    /// comes after the claim loses to it (see [`Store::claim`]). Everything stored since the
    /// scan is read, up to the end (so past the claim); then the DLQ's message count must show
    /// that nothing was removed since the command started other than by itself: else a
    /// message could have gone unseen (a per-job command that finished a job removes its copy
    /// and markers), and every job is given up (None), for the one-at-a-time path.
    pub async fn check_batch(&self, claim: u64, jobs: &[u64]) -> Result<Option<Vec<u64>>> {
        let me = entry::worker_id();
        let mut next = self.seen.lock().expect("not poisoned").next;
        let mut lost = std::collections::BTreeSet::new();
        let mut claims = vec![];
        while let Some(msg) = read::next_message(&self.js, self.dlq_name(), next).await? {
            next = msg.sequence + 1;
            let before = msg.sequence < claim;
            match read::parse(msg, self.work_name()) {
                read::Entry::Batch(BatchMsg::Claim(b)) => {
                    if before && b.claim.by != me {
                        lost.extend(jobs.iter().filter(|&&j| b.covers(j)));
                    }
                    if b.claim.by != me {
                        claims.push(b);
                    }
                }
                read::Entry::Copy(c) if before => {
                    lost.insert(c.job.seq);
                }
                read::Entry::Pointer { seq, .. } | read::Entry::Marker { seq, .. } if before => {
                    lost.insert(seq);
                }
                // Anything else on a job's entry subject: not ours to guess about.
                read::Entry::Foreign(f) if before => {
                    if let Some(seq) = f
                        .subject
                        .strip_prefix(&format!("{}.{}.", super::ENTRY_PREFIX, self.work_name()))
                        .and_then(|t| t.parse::<u64>().ok())
                    {
                        lost.insert(seq);
                    }
                }
                _ => {}
            }
        }
        {
            let mut seen = self.seen.lock().expect("not poisoned");
            seen.next = next;
            seen.batch_next = seen.batch_next.max(next);
            seen.claims.extend(claims);
        }
        // Since `self.dlq` was read (before the scan): only appends and our own removals.
        // One request: `get_stream` would ask for the info once more.
        let now = self
            .js
            .get_stream_no_info(self.dlq_name())
            .await?
            .get_info()
            .await
            .with_context(|| format!("failed to look up stream `{}`", self.dlq_name()))?
            .state;
        let then = &self.dlq.state;
        let appended = now.last_sequence.saturating_sub(then.last_sequence);
        let removed = self.dlq_removed.load(Ordering::SeqCst);
        if now.messages + removed != then.messages + appended {
            return Ok(None);
        }
        Ok(Some(
            jobs.iter().copied().filter(|j| !lost.contains(j)).collect(),
        ))
    }

    /// Records that the job was handled (the replay acked, COMMAND succeeded).
    pub async fn mark_done(&self, d: &mut Dead, new: marker::New) -> Result<()> {
        if let Some(m) = self.publish_marker(d, &new, None).await? {
            d.markers.push(m);
        }
        Ok(())
    }

    /// Takes back this command's intent marker when it did not handle the job after all (the
    /// replay was refused, COMMAND failed), so the next run does not report a duplicate.
    pub async fn release(&mut self, d: &mut Dead, kept: &mut Vec<Kept>) -> Result<()> {
        let me = entry::worker_id();
        let subject = super::entry_subject(self.work_name(), d.seq);
        let (mine, others): (Vec<Marker>, Vec<Marker>) = std::mem::take(&mut d.markers)
            .into_iter()
            .partition(|m| m.by == me && !m.kind.done() && m.batch.is_none());
        d.markers = others;
        for m in mine {
            if !self.remove_entry(m.dlq_seq, &subject, kept).await? {
                d.markers.push(m);
            }
        }
        d.markers.sort_by_key(|m| m.dlq_seq);
        Ok(())
    }

    /// Whether entries can be removed from the DLQ by delete (else by ack, one at a time).
    pub fn dlq_deletes(&self) -> bool {
        !self.dlq_rm.deny_delete
    }

    /// Removes the entries and markers of many replayed jobs in one purge. Each job must be only
    /// its copy and its markers (no original, duplicate or pointer left). Whether they are gone;
    /// when not, nothing was removed and the caller removes them one by one.
    ///
    /// `batch` are the DLQ sequences of batch claims and records to remove with them: they must
    /// be every message on the batch subject.
    ///
    /// When every message `scan` read is an entry of these jobs (a whole DLQ replayed, the
    /// usual case), the purge goes up to where the scan ended, with no request before it: the
    /// scan read every message below that point, and no message is ever stored below it, so
    /// the purge takes these jobs' entries and nothing else (an entry stored meanwhile is
    /// above it and stays). The batch messages, all stored after the scan, are deleted after
    /// it. Otherwise the DLQ's per-subject counts (one request) must be exactly the copies and
    /// markers known for these jobs, and the purge goes up to the last of them only.
    pub async fn purge_jobs(&self, jobs: &[&Dead], batch: &[u64], scan: &Scan) -> bool {
        use std::collections::HashMap;
        if jobs.is_empty() || self.dlq.config.deny_purge || !self.takes_entries {
            return false;
        }
        for d in jobs {
            if d.copy.is_none()
                || d.original_msg().is_some()
                || !d.extra_copies.is_empty()
                || !d.pointers.is_empty()
            {
                return false;
            }
        }
        let seqs: Vec<u64> = jobs.iter().flat_map(|d| job_entries(d)).collect();
        let entries = (seqs.len() + batch.len()) as u64;
        if seqs.len() as u64 == scan.entries
            && seqs.iter().all(|&seq| seq < scan.next_entry)
            && batch.iter().all(|&seq| seq >= scan.next_entry)
        {
            return self.purge_scanned(scan.next_entry, seqs.len(), batch).await;
        }
        let mut known: HashMap<String, usize> = HashMap::with_capacity(jobs.len() + 1);
        if !batch.is_empty() {
            known.insert(self.batch_subject(), batch.len());
        }
        for d in jobs {
            known.insert(
                super::entry_subject(self.work_name(), d.seq),
                job_entries(d).count(),
            );
        }
        let last = seqs.iter().chain(batch).copied().max().unwrap_or(0);
        let filter = format!("{}.{}.*", super::ENTRY_PREFIX, self.work_name());
        #[derive(serde::Deserialize)]
        struct Info {
            state: State,
            #[serde(default)]
            total: Option<usize>,
        }
        #[derive(serde::Deserialize)]
        struct State {
            messages: u64,
            #[serde(default)]
            subjects: Option<HashMap<String, usize>>,
        }
        let info: Result<async_nats::jetstream::response::Response<Info>, _> = self
            .js
            .request(
                format!("STREAM.INFO.{}", self.dlq_name()),
                &serde_json::json!({ "subjects_filter": filter }),
            )
            .await;
        let Ok(async_nats::jetstream::response::Response::Ok(info)) = info else {
            return false;
        };
        let subjects = info.state.subjects.unwrap_or_default();
        if info.total.is_some_and(|t| t != subjects.len())
            || subjects
                .iter()
                .any(|(subject, n)| known.get(subject) != Some(n))
        {
            return false;
        }
        // Nothing else in the whole DLQ: a purge without a filter drops whole blocks (a
        // filtered one takes a second per ten thousand entries on nats-server 2.9).
        let ours: usize = subjects.values().sum();
        let only_ours = ours as u64 == entries && info.state.messages == entries;
        if !self
            .purge_below(last + 1, (!only_ours).then_some(filter.as_str()))
            .await
        {
            return false;
        }
        for _ in 0..entries {
            failpoint("entry.removed");
        }
        true
    }

    /// Purges the DLQ below `end`, where a scan read `entries` messages, all of them entries to
    /// remove; then deletes the `batch` messages (stored after the scan). Whether the purge took
    /// place (a batch message left behind is an orphan, removed by the next command).
    async fn purge_scanned(&self, end: u64, entries: usize, batch: &[u64]) -> bool {
        if !self.purge_below(end, None).await {
            return false;
        }
        for _ in 0..entries {
            failpoint("entry.removed");
        }
        let mut seqs = batch.to_vec();
        // Records before their claims.
        seqs.sort_unstable_by(|a, b| b.cmp(a));
        for gone in self.delete_entries(&seqs).await {
            if gone {
                failpoint("entry.removed");
            }
        }
        true
    }

    /// Purges the DLQ's messages below `end` (those on `filter` only, if given); whether the
    /// server did.
    async fn purge_below(&self, end: u64, filter: Option<&str>) -> bool {
        #[derive(serde::Deserialize)]
        struct Purged {
            success: bool,
            #[serde(default)]
            purged: u64,
        }
        let request = match filter {
            Some(filter) => serde_json::json!({ "filter": filter, "seq": end }),
            None => serde_json::json!({ "seq": end }),
        };
        let purged: Result<async_nats::jetstream::response::Response<Purged>, _> = self
            .js
            .request(format!("STREAM.PURGE.{}", self.dlq_name()), &request)
            .await;
        match purged {
            Ok(async_nats::jetstream::response::Response::Ok(Purged {
                success: true,
                purged,
            })) => {
                self.dlq_removed.fetch_add(purged, Ordering::SeqCst);
                true
            }
            _ => false,
        }
    }

    /// Deletes DLQ entries by sequence, pipelined (up to 256 requests in flight, answers in
    /// order), on a DLQ that allows deletes. Per sequence: whether it was deleted now; what
    /// was not is left to [`Store::remove_job`], which finds out why. No secure erase: an
    /// erase rewrites the block and takes the server milliseconds per entry.
    pub async fn delete_entries(&self, seqs: &[u64]) -> Vec<bool> {
        #[derive(serde::Deserialize)]
        struct Status {
            success: bool,
        }
        let subject = format!("STREAM.MSG.DELETE.{}", self.dlq_name());
        let answers: Vec<bool> = futures::stream::iter(seqs.iter().map(|&seq| {
            let subject = subject.clone();
            async move {
                let body = serde_json::json!({ "seq": seq, "no_erase": true });
                matches!(
                    self.js
                        .request::<_, _, async_nats::jetstream::response::Response<Status>>(
                            subject, &body,
                        )
                        .await,
                    Ok(async_nats::jetstream::response::Response::Ok(Status {
                        success: true
                    }))
                )
            }
        }))
        .buffered(256)
        .collect()
        .await;
        for &deleted in &answers {
            if deleted {
                self.dlq_removed.fetch_add(1, Ordering::SeqCst);
                failpoint("entry.removed");
            }
        }
        answers
    }

    /// Looks for the replay an interrupted `replaying` marker announced in the work stream:
    /// messages on its subject stored after it, with its message id. Its sequence, or None
    /// (never published, or already taken by a worker). Gives up after `limit` messages.
    pub async fn find_replay(&self, m: &Marker, limit: usize) -> Result<Option<u64>> {
        let (Some(subject), Some(id)) = (&m.subject, &m.msg_id) else {
            return Ok(None);
        };
        let handle = self.js.get_stream_no_info(self.work_name()).await?;
        let mut next = m.after.unwrap_or(0) + 1;
        for _ in 0..limit {
            let msg = match handle
                .raw_message_builder()
                .sequence(next)
                .next_by_subject(subject.clone())
                .send()
                .await
            {
                Ok(msg) => msg,
                Err(e) if read::is_not_found(&e.kind()) => return Ok(None),
                Err(e) => {
                    return Err(anyhow::Error::new(e).context(format!(
                        "failed to look for replay {id} in `{}`",
                        self.work_name()
                    )))
                }
            };
            if msg
                .headers
                .get("Nats-Msg-Id")
                .is_some_and(|v| v.as_str() == id)
            {
                return Ok(Some(msg.sequence));
            }
            next = msg.sequence + 1;
        }
        Ok(None)
    }

    /// Just before a job that no marker can claim (a DLQ that takes only advisories) is
    /// replayed or run: whether another command got to it since it was read. Its advisories
    /// must still be in the DLQ and its original in the work stream (replay and drain remove
    /// the original first, the advisories once it is gone), and the last message on its
    /// subject may not be a replay of it (message id `replay_id`, after the original): a
    /// replay stopped between its publish and its removals, even past the duplicate window.
    /// Only the last one is read (one request per job; a replay of many jobs makes this check
    /// once per job): an older replay is left to the duplicate window, as are two commands
    /// that both pass this check at the same moment (two replays); see ARCHITECTURE.md for what
    /// stays open (a drain's running COMMAND).
    pub async fn recheck(&self, d: &Dead, replay_id: &str) -> Result<Recheck> {
        for p in &d.pointers {
            if !self.holds(p.dlq_seq, &p.subject).await? {
                return Ok(Recheck::Changed(format!(
                    "its advisory {}/{} is gone",
                    self.dlq_name(),
                    p.dlq_seq
                )));
            }
        }
        let Some(msg) = d.original_msg() else {
            return Ok(Recheck::Same);
        };
        if self.work_rm.gone(d.seq).await? {
            return Ok(Recheck::Changed(format!(
                "its original {}:{} is gone",
                self.work_name(),
                d.seq
            )));
        }
        let subject = msg.subject.to_string();
        let is_replay = |m: &async_nats::jetstream::message::StreamMessage| {
            m.sequence > d.seq
                && m.headers
                    .get("Nats-Msg-Id")
                    .is_some_and(|v| v.as_str() == replay_id)
        };
        let handle = self.js.get_stream_no_info(self.work_name()).await?;
        match handle.get_last_raw_message_by_subject(&subject).await {
            Ok(m) if is_replay(&m) => Ok(Recheck::Replayed(m.sequence)),
            Ok(_) => Ok(Recheck::Same),
            Err(e) if read::is_not_found(&e.kind()) => Ok(Recheck::Same),
            Err(e) => Err(anyhow::Error::new(e).context(format!(
                "failed to look for a replay of dead job {} in `{}`",
                d.seq,
                self.work_name()
            ))),
        }
    }

    /// The work stream's last sequence now.
    pub async fn work_last_seq(&self) -> Result<u64> {
        let info = self
            .js
            .get_stream_no_info(self.work_name())
            .await?
            .get_info()
            .await
            .with_context(|| format!("failed to look up stream `{}`", self.work_name()))?;
        Ok(info.state.last_sequence)
    }

    /// Gives back DLQ entries taken and not removed, removes consumers made for removal.
    pub async fn finish(&mut self) {
        self.dlq_rm.finish().await;
        self.work_rm.finish().await;
    }
}
