//! Reading a DLQ: its entries by sequence (no consumer needed, so a work-retention DLQ that
//! already has the article's consumer can be read too), parsed into the three kinds, grouped
//! per dead job `(stream, stream_seq)` with duplicates kept aside, pointers resolved against
//! the work stream, and parked jobs that never got an entry found in the work stream.
//!
//! Entry kinds:
//! - a full copy on `jqnats.dlq.<STREAM>.<SEQ>` ([`entry`](super::entry) format): the payload
//!   and headers are in the DLQ;
//! - a MAX_DELIVERIES or MSG_TERMINATED advisory: a pointer, resolved by fetching `stream_seq`
//!   from the work stream (the job is "parked" there, or "lost" when it is gone);
//! - a marker ([`marker`](super::marker)) on a job's entry subject: what a `dlq` command was
//!   doing with it; kept with the job, never a dead job itself (one whose job is gone is an
//!   orphan, left for `dlq reconcile`);
//! - anything else is foreign: reported, never touched.
//!
//! One dead job may have several entries (a server before 2.12.9 can repeat an advisory, a
//! worker that died after writing its copy leaves the advisory too): a full copy wins, the
//! others are its duplicates.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, Info as ConsumerInfo};
use async_nats::jetstream::message::StreamMessage;
use async_nats::jetstream::stream::{Info as StreamInfo, RawMessageErrorKind, RetentionPolicy};
use async_nats::jetstream::Context;
use async_nats::HeaderMap;
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;
use time::OffsetDateTime;

use super::entry::{self, DeadJob};
use super::marker::{self, Marker};
use super::subject_matches;
use crate::context::{Conn, Resolved};

/// Set on entries that jq-nats itself wrote while reconciling (not by a worker), saying what
/// the entry was made from.
pub const H_ORIGIN: &str = "Jq-Dlq-Origin";

/// The kind of a pointer entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointerKind {
    MaxDeliveries,
    Terminated,
}

impl PointerKind {
    pub fn name(self) -> &'static str {
        match self {
            PointerKind::MaxDeliveries => "max_deliveries",
            PointerKind::Terminated => "terminated",
        }
    }
}

/// A server advisory in the DLQ: it names the dead job, it does not hold it.
#[derive(Debug, Clone)]
pub struct Pointer {
    pub dlq_seq: u64,
    /// The entry's subject in the DLQ.
    pub subject: String,
    pub kind: PointerKind,
    pub consumer: String,
    pub deliveries: u64,
    pub at: Option<OffsetDateTime>,
    /// The reason a client gave with `+TERM`.
    pub reason: Option<String>,
}

/// A full copy of a dead job in the DLQ.
#[derive(Debug, Clone)]
pub struct Copy {
    pub dlq_seq: u64,
    pub job: DeadJob,
    /// When the entry was stored.
    pub stored: OffsetDateTime,
    /// What jq-nats made the copy from, when it was not written by a worker.
    pub origin: Option<String>,
}

/// An entry that is not a dead job of the stream: kept as it is.
#[derive(Debug, Clone)]
pub struct Foreign {
    pub dlq_seq: u64,
    pub subject: String,
    pub why: String,
}

/// One parsed DLQ entry.
#[derive(Debug)]
pub enum Entry {
    Copy(Box<Copy>),
    Pointer {
        seq: u64,
        pointer: Pointer,
    },
    Foreign(Foreign),
    /// A marker about the job with work-stream sequence `seq`.
    Marker {
        seq: u64,
        marker: Marker,
    },
    /// A batch claim or record of `replay --all`, about many jobs.
    Batch(marker::BatchMsg),
    /// A dead job of another work stream (a DLQ may serve several).
    OtherStream,
}

#[derive(Deserialize)]
struct AdvisoryJson {
    #[serde(rename = "type", default)]
    kind: String,
    stream: String,
    #[serde(default)]
    consumer: String,
    stream_seq: u64,
    #[serde(default)]
    deliveries: u64,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

pub fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

/// A header's value. The name is made without allocating (a `&str` key would be copied per
/// lookup, a dozen per entry of a DLQ read in bulk).
fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Option<&'a str> {
    headers
        .get(async_nats::header::HeaderName::from_static(name))
        .map(|v| v.as_str())
}

/// The dead job held by a full-copy entry, read back from its headers.
pub fn dead_job_from_entry(headers: &HeaderMap, payload: Bytes) -> Result<DeadJob, String> {
    // One pass over the headers: a lookup per field (hashing the name) costs more, a dozen
    // per entry of a DLQ read in bulk.
    use entry::*;
    const NAMES: [&str; 12] = [
        H_STREAM,
        H_SEQ,
        H_SUBJECT,
        H_CONSUMER,
        H_ATTEMPTS,
        H_REASON,
        H_EXIT_CODE,
        H_SIGNAL,
        H_TIMED_OUT,
        H_STDERR,
        H_DIED_AT,
        H_WORKER,
    ];
    let mut found: [Option<&str>; 12] = [None; 12];
    for (name, values) in headers.iter() {
        let name: &str = name.as_ref();
        if !name.starts_with("Jq-Dlq-") {
            continue;
        }
        if let Some(i) = NAMES.iter().position(|n| *n == name) {
            found[i] = values.first().map(|v| v.as_str());
        }
    }
    let header =
        |_: &HeaderMap, name: &str| NAMES.iter().position(|n| *n == name).and_then(|i| found[i]);
    let stream = header(headers, entry::H_STREAM)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("no {} header", entry::H_STREAM))?;
    let seq: u64 = header(headers, entry::H_SEQ)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no valid {} header", entry::H_SEQ))?;
    let subject = header(headers, entry::H_SUBJECT)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("no {} header", entry::H_SUBJECT))?;
    let text = |name: &str| header(headers, name).unwrap_or_default().to_string();
    let number = |name: &str| header(headers, name).and_then(|v| v.trim().parse::<i32>().ok());
    let stderr_tail = header(headers, entry::H_STDERR)
        .map(|raw| serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_string()));
    Ok(DeadJob {
        stream: stream.to_string(),
        seq,
        subject: subject.to_string(),
        consumer: text(entry::H_CONSUMER),
        attempts: header(headers, entry::H_ATTEMPTS)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0),
        reason: text(entry::H_REASON),
        exit_code: number(entry::H_EXIT_CODE),
        signal: number(entry::H_SIGNAL),
        timed_out: header(headers, entry::H_TIMED_OUT).is_some_and(|v| v == "true"),
        stderr_tail,
        died_at: text(entry::H_DIED_AT),
        worker: text(entry::H_WORKER),
        payload,
        headers: Some(DeadJob::original_headers(headers)),
    })
}

/// Classifies one DLQ message for the work stream `work`. Allocates nothing to classify: a DLQ
/// read in bulk parses every entry.
pub fn parse(msg: StreamMessage, work: &str) -> Entry {
    let subject = msg.subject.as_str();
    let foreign = |why: String| {
        Entry::Foreign(Foreign {
            dlq_seq: msg.sequence,
            subject: subject.to_string(),
            why,
        })
    };
    // `jqnats.dlq.STREAM.TOKEN`: a job's entry subject (TOKEN its sequence) or the batch subject.
    let entry = subject
        .strip_prefix(super::ENTRY_PREFIX)
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|rest| rest.split_once('.'))
        .filter(|(_, token)| !token.contains('.'));
    if let Some((stream, token)) = entry {
        if stream != work {
            return Entry::OtherStream;
        }
        if marker::is_marker(&msg.headers) && token == marker::BATCH_TOKEN {
            return match marker::parse_batch(msg.sequence, &msg.headers, &msg.payload, msg.time) {
                Some(b) => Entry::Batch(b),
                None => foreign(format!(
                    "a batch marker ({}) that does not parse",
                    header(&msg.headers, marker::H_MARKER).unwrap_or_default()
                )),
            };
        }
        if marker::is_marker(&msg.headers) {
            let seq = token.parse::<u64>().ok();
            return match (seq, marker::parse(msg.sequence, &msg.headers, msg.time)) {
                (Some(seq), Some(marker)) => Entry::Marker { seq, marker },
                _ => foreign(format!(
                    "a marker ({}) that does not parse",
                    header(&msg.headers, marker::H_MARKER).unwrap_or_default()
                )),
            };
        }
        return match dead_job_from_entry(&msg.headers, msg.payload.clone()) {
            Ok(job) if job.stream == work && names_seq(token, job.seq) => {
                Entry::Copy(Box::new(Copy {
                    dlq_seq: msg.sequence,
                    origin: header(&msg.headers, H_ORIGIN).map(str::to_string),
                    stored: msg.time,
                    job,
                }))
            }
            Ok(job) => foreign(format!(
                "its headers name {}:{}, its subject another job",
                job.stream, job.seq
            )),
            Err(why) => foreign(format!("not a jq-nats dead-job entry: {why}")),
        };
    }
    let tokens: Vec<&str> = subject.split('.').collect();
    let kind = match tokens.as_slice() {
        ["$JS", "EVENT", "ADVISORY", "CONSUMER", "MAX_DELIVERIES", _, _] => {
            PointerKind::MaxDeliveries
        }
        ["$JS", "EVENT", "ADVISORY", "CONSUMER", "MSG_TERMINATED", _, _] => PointerKind::Terminated,
        _ => return foreign("not a dead-job entry or advisory".into()),
    };
    if tokens[5] != work {
        return Entry::OtherStream;
    }
    match serde_json::from_slice::<AdvisoryJson>(&msg.payload) {
        Ok(a) if a.stream == work => Entry::Pointer {
            seq: a.stream_seq,
            pointer: Pointer {
                dlq_seq: msg.sequence,
                subject: subject.to_string(),
                kind,
                consumer: if a.consumer.is_empty() {
                    tokens[6].to_string()
                } else {
                    a.consumer
                },
                deliveries: a.deliveries,
                at: a
                    .timestamp
                    .as_deref()
                    .and_then(parse_time)
                    .or(Some(msg.time)),
                reason: a.reason.filter(|r| !r.is_empty()),
            },
        },
        Ok(a) => foreign(format!(
            "advisory ({}) names stream `{}`, its subject `{work}`",
            a.kind, a.stream
        )),
        Err(e) => foreign(format!("advisory that does not parse: {e}")),
    }
}

/// Whether a subject token is `seq` written as `entry_subject` writes it (no sign, no leading
/// zero).
fn names_seq(token: &str, seq: u64) -> bool {
    token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'))
        && token.parse::<u64>() == Ok(seq)
}

/// Where a dead job's original message is.
#[derive(Debug, Clone)]
pub enum Original {
    /// Not looked up.
    Unchecked,
    /// Gone from the work stream (acked by a worker after its copy, terminated, deleted).
    Gone,
    /// Still in the work stream.
    Present {
        msg: StreamMessage,
        /// The consumer that will deliver it again (a consumer re-created since it died).
        redelivered_by: Option<String>,
    },
}

/// The consumer that gave up on a job that has no entry.
#[derive(Debug, Clone)]
pub struct ParkedBy {
    pub consumer: String,
    pub max_deliver: i64,
}

/// Where a dead job's payload can be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// A full copy is in the DLQ.
    Copied,
    /// Only a pointer in the DLQ; the payload is parked in the work stream.
    Parked,
    /// Only a pointer in the DLQ, and the work stream no longer has the payload.
    Lost,
    /// Parked in the work stream with no DLQ entry at all (the advisory never arrived).
    Unrecorded,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Copied => "dlq",
            State::Parked => "parked",
            State::Lost => "lost",
            State::Unrecorded => "unrecorded",
        }
    }
}

/// One dead job and every DLQ entry about it.
#[derive(Debug, Clone)]
pub struct Dead {
    pub stream: String,
    pub seq: u64,
    /// The full copy that wins (the first written); boxed, as it comes from [`parse`], so a
    /// DLQ read in bulk does not move it again into its map.
    pub copy: Option<Box<Copy>>,
    /// Further full copies of the same job.
    pub extra_copies: Vec<Copy>,
    pub pointers: Vec<Pointer>,
    /// What `dlq` commands recorded doing with the job, oldest first.
    pub markers: Vec<Marker>,
    pub original: Original,
    /// Set for jobs found parked in the work stream.
    pub parked_by: Option<ParkedBy>,
}

impl Dead {
    pub fn new(stream: &str, seq: u64) -> Dead {
        Dead {
            stream: stream.to_string(),
            seq,
            copy: None,
            extra_copies: vec![],
            pointers: vec![],
            markers: vec![],
            original: Original::Unchecked,
            parked_by: None,
        }
    }

    pub fn original_msg(&self) -> Option<&StreamMessage> {
        match &self.original {
            Original::Present { msg, .. } => Some(msg),
            _ => None,
        }
    }

    pub fn state(&self) -> State {
        if self.copy.is_some() {
            State::Copied
        } else if self.original_msg().is_none() {
            State::Lost
        } else if self.pointers.is_empty() {
            State::Unrecorded
        } else {
            State::Parked
        }
    }

    pub fn subject(&self) -> Option<&str> {
        if let Some(c) = &self.copy {
            return Some(&c.job.subject);
        }
        self.original_msg().map(|m| m.subject.as_str())
    }

    /// The job's bytes, from its copy or its parked original.
    pub fn payload(&self) -> Option<&Bytes> {
        if let Some(c) = &self.copy {
            return Some(&c.job.payload);
        }
        self.original_msg().map(|m| &m.payload)
    }

    /// The job's own headers, as it was published.
    pub fn job_headers(&self) -> Option<HeaderMap> {
        if let Some(c) = &self.copy {
            return Some(c.job.headers.clone().unwrap_or_default());
        }
        self.original_msg().map(|m| m.headers.clone())
    }

    pub fn attempts(&self) -> Option<u64> {
        if let Some(c) = &self.copy {
            return Some(c.job.attempts);
        }
        if let Some(p) = self.pointers.first() {
            return Some(p.deliveries);
        }
        self.parked_by
            .as_ref()
            .and_then(|p| u64::try_from(p.max_deliver).ok())
    }

    pub fn consumer(&self) -> Option<&str> {
        if let Some(c) = self.copy.as_ref().filter(|c| !c.job.consumer.is_empty()) {
            return Some(&c.job.consumer);
        }
        if let Some(p) = self.pointers.first() {
            return Some(&p.consumer);
        }
        self.parked_by.as_ref().map(|p| p.consumer.as_str())
    }

    pub fn reason(&self) -> String {
        if let Some(c) = &self.copy {
            return c.job.reason.clone();
        }
        if let Some(p) = self.pointers.first() {
            return pointer_reason(p);
        }
        "parked after its last attempt; no advisory reached the DLQ".into()
    }

    pub fn died_at(&self) -> Option<OffsetDateTime> {
        if let Some(c) = &self.copy {
            return parse_time(&c.job.died_at).or(Some(c.stored));
        }
        self.pointers.first().and_then(|p| p.at)
    }

    /// The entry that stands for the job: (DLQ sequence, kind).
    pub fn entry(&self) -> Option<(u64, &'static str)> {
        if let Some(c) = &self.copy {
            return Some((c.dlq_seq, "copy"));
        }
        self.pointers.first().map(|p| (p.dlq_seq, p.kind.name()))
    }

    /// The other entries about the same job.
    pub fn duplicates(&self) -> Vec<(u64, &'static str)> {
        let mut out: Vec<(u64, &'static str)> = self
            .extra_copies
            .iter()
            .map(|c| (c.dlq_seq, "copy"))
            .collect();
        let skip = usize::from(self.copy.is_none());
        out.extend(
            self.pointers
                .iter()
                .skip(skip)
                .map(|p| (p.dlq_seq, p.kind.name())),
        );
        out.sort();
        out
    }

    /// Every DLQ sequence holding an entry about this job.
    pub fn entry_seqs(&self) -> Vec<u64> {
        let mut out: Vec<u64> = self.copy.iter().map(|c| c.dlq_seq).collect();
        out.extend(self.extra_copies.iter().map(|c| c.dlq_seq));
        out.extend(self.pointers.iter().map(|p| p.dlq_seq));
        out.sort();
        out
    }

    fn add(&mut self, entry: Entry) {
        match entry {
            Entry::Copy(c) => {
                if self.copy.is_none() {
                    self.copy = Some(c);
                } else {
                    self.extra_copies.push(*c);
                }
            }
            Entry::Pointer { pointer, .. } => self.pointers.push(pointer),
            Entry::Marker { marker, .. } => self.markers.push(marker),
            Entry::Foreign(_) | Entry::OtherStream | Entry::Batch(_) => {}
        }
    }
}

pub fn pointer_reason(p: &Pointer) -> String {
    match (p.kind, &p.reason) {
        (PointerKind::MaxDeliveries, _) if p.deliveries == 1 => {
            "max deliveries reached (1 attempt)".into()
        }
        (PointerKind::MaxDeliveries, _) => {
            format!("max deliveries reached ({} attempts)", p.deliveries)
        }
        (PointerKind::Terminated, Some(r)) => format!("terminated: {r}"),
        (PointerKind::Terminated, None) => "terminated".into(),
    }
}

/// Everything known about a work stream's dead jobs.
#[derive(Debug, Default)]
pub struct Scan {
    /// Dead jobs by their work-stream sequence.
    pub jobs: BTreeMap<u64, Dead>,
    pub foreign: Vec<Foreign>,
    /// DLQ entries read (all kinds).
    pub entries: u64,
    /// Work-stream sequences that may be parked or may be in flight: left alone.
    pub uncertain: Vec<u64>,
    /// The DLQ sequence to read from next.
    pub next_entry: u64,
    /// Markers about jobs that have no entry left (a command died after removing the job,
    /// before its markers): `(job seq, marker)`. Also the messages of batches none of whose
    /// jobs is left (job seq 0, [`Marker::batch`] set).
    pub orphan_markers: Vec<(u64, Marker)>,
    /// Batch claims of `replay --all` (by their DLQ sequence), with their records.
    pub batches: BTreeMap<u64, marker::Batch>,
    /// Batch records read before their claim was found (or whose claim is gone).
    pub stray_records: Vec<marker::Record>,
}

impl Scan {
    /// Moves the jobs that are only markers out of the dead jobs.
    pub fn take_orphans(&mut self) {
        let orphans: Vec<u64> = self
            .jobs
            .values()
            .filter(|d| {
                d.copy.is_none()
                    && d.extra_copies.is_empty()
                    && d.pointers.is_empty()
                    && d.parked_by.is_none()
            })
            .map(|d| d.seq)
            .collect();
        for seq in orphans {
            if let Some(d) = self.jobs.remove(&seq) {
                // A batch's markers go with the batch (see `attach_batches`).
                self.orphan_markers.extend(
                    d.markers
                        .into_iter()
                        .filter(|m| m.batch.is_none())
                        .map(|m| (seq, m)),
                );
            }
        }
    }

    /// Gives each job the markers the batches stand for ([`marker::Batch::markers_of`]),
    /// and moves the batches none of whose jobs is left (and records whose claim is gone) to
    /// the orphans. Called once every entry was read; again after more were read.
    pub fn attach_batches(&mut self, work: &str) {
        for r in std::mem::take(&mut self.stray_records) {
            match self.batches.get_mut(&r.marker.batch.unwrap_or(0)) {
                Some(b) => b.records.push(r),
                None => self.stray_records.push(r),
            }
        }
        for d in self.jobs.values_mut() {
            d.markers.retain(|m| m.batch.is_none());
        }
        let mut orphans = Vec::new();
        for (&seq, b) in &self.batches {
            let mut live = false;
            for &job in &b.jobs {
                if let Some(d) = self.jobs.get_mut(&job) {
                    let subject = d.subject().map(str::to_string);
                    let markers = b.markers_of(job, work, subject.as_deref());
                    live |= !markers.is_empty();
                    d.markers.extend(markers);
                }
            }
            if !live {
                orphans.push(seq);
            }
        }
        for d in self.jobs.values_mut() {
            d.markers.sort_by_key(|m| m.dlq_seq);
        }
        for seq in orphans {
            if let Some(b) = self.batches.remove(&seq) {
                self.orphan_markers
                    .extend(b.messages().into_iter().map(|m| (0, m)));
            }
        }
        for r in std::mem::take(&mut self.stray_records) {
            self.orphan_markers.push((0, r.marker));
        }
    }

    pub fn duplicate_count(&self) -> usize {
        self.jobs.values().map(|d| d.duplicates().len()).sum()
    }
}

/// Whether `err` means "no such message".
pub fn is_not_found(kind: &RawMessageErrorKind) -> bool {
    matches!(kind, RawMessageErrorKind::NoMessageFound)
}

/// The message at `seq`, or the first one after it, or None.
pub async fn next_message(js: &Context, stream: &str, from: u64) -> Result<Option<StreamMessage>> {
    let handle = js.get_stream_no_info(stream).await?;
    match handle
        .raw_message_builder()
        .sequence(from)
        .next_by_subject(">".to_string())
        .send()
        .await
    {
        Ok(m) => Ok(Some(m)),
        Err(e) if is_not_found(&e.kind()) => Ok(None),
        Err(e) => Err(anyhow::Error::new(e).context(format!(
            "failed to read message {from} of stream `{stream}`"
        ))),
    }
}

/// The message at exactly `seq`, or None when it is gone.
pub async fn get_message(js: &Context, stream: &str, seq: u64) -> Result<Option<StreamMessage>> {
    let handle = js.get_stream_no_info(stream).await?;
    match handle.get_raw_message(seq).await {
        Ok(m) => Ok(Some(m)),
        Err(e) if is_not_found(&e.kind()) => Ok(None),
        Err(e) => Err(anyhow::Error::new(e)
            .context(format!("failed to read message {seq} of stream `{stream}`"))),
    }
}

/// Entries asked for at once while reading a dense DLQ.
const READ_AHEAD: u64 = 256;

/// Reads every entry of `dlq` about `work`'s jobs, `progress` called per entry.
pub async fn read_dlq(
    js: &Context,
    dlq: &StreamInfo,
    work: &str,
    second: Option<&Resolved>,
    progress: &mut dyn FnMut(u64),
) -> Result<Scan> {
    let mut scan = Scan {
        next_entry: dlq.state.first_sequence.max(1),
        ..Default::default()
    };
    // Many entries: one consumer streams them all. Should it fail (a user allowed to read
    // messages but not to make consumers, say), what it did not read is read below.
    let last = dlq.state.last_sequence;
    if dlq.state.messages >= BULK_READ_FROM {
        // Very many: the second half on a connection and thread of its own (see `Helper`).
        let helper = second
            .filter(|_| dlq.state.messages >= SPLIT_READ_FROM)
            .map(|settings| {
                let from = scan.next_entry + (last + 1 - scan.next_entry) / 2;
                Helper::start(settings.clone(), dlq.config.name.clone(), work, from, last)
            });
        let first_half = helper.as_ref().map_or(last, |h| h.from - 1);
        // Whatever they did not read is read by sequence below.
        let mut next = scan.next_entry;
        let mut add = |msg| add_entry(&mut scan, msg, work, progress);
        let _ = read_bulk(js, &dlq.config.name, &mut next, first_half, &mut add).await;
        scan.next_entry = next;
        if let Some(helper) = helper {
            let from = helper.from;
            if let (Ok((entries, next)), true) = (helper.join(), next == from) {
                for entry in entries {
                    add_parsed(&mut scan, entry, work, progress);
                }
                scan.next_entry = next;
            }
        }
    }
    // A dense DLQ (few deleted entries) is read by exact sequence, many reads in flight, up to
    // its last entry; a sparse one would make most of them misses. What is left (entries
    // stored since) is read one after another.
    let span = (last + 1).saturating_sub(scan.next_entry);
    if dlq.state.messages > 0 && dlq.state.messages.saturating_mul(2) >= span {
        while scan.next_entry <= last {
            let end = (scan.next_entry + READ_AHEAD).min(last + 1);
            let reads = (scan.next_entry..end).map(|seq| get_message(js, &dlq.config.name, seq));
            for msg in futures::future::try_join_all(reads)
                .await?
                .into_iter()
                .flatten()
            {
                add_entry(&mut scan, msg, work, progress);
            }
            scan.next_entry = end;
        }
    }
    read_more(js, &dlq.config.name, work, &mut scan, progress).await?;
    Ok(scan)
}

/// DLQs with at least this many messages are read through a consumer (see [`read_bulk`]).
const BULK_READ_FROM: u64 = 512;

/// Reads the DLQ from `next` up to `last` through a pull consumer of its own (no acks, batches
/// of a thousand): one request per batch for what would be one get per entry. Each entry goes
/// to `add`, in order, and `next` past it (a failed read leaves it after the last entry read).
/// The consumer is removed afterwards (and by the server, should we die, once idle).
async fn read_bulk(
    js: &Context,
    dlq: &str,
    next: &mut u64,
    last: u64,
    add: &mut dyn FnMut(StreamMessage),
) -> Result<()> {
    let from = *next;
    use async_nats::jetstream::consumer::pull::Config;
    let stream = js.get_stream_no_info(dlq).await?;
    let name = format!("jqnats_read_{}_{from}", std::process::id());
    let consumer = stream
        .create_consumer(Config {
            name: Some(name.clone()),
            deliver_policy: DeliverPolicy::ByStartSequence {
                start_sequence: from,
            },
            ack_policy: AckPolicy::None,
            memory_storage: true,
            num_replicas: 1,
            inactive_threshold: std::time::Duration::from_secs(30),
            ..Default::default()
        })
        .await
        .with_context(|| format!("failed to make a consumer to read `{dlq}`"))?;
    let read = async {
        let mut messages = consumer
            .stream()
            .max_messages_per_batch(1000)
            .messages()
            .await
            .with_context(|| format!("failed to read `{dlq}`"))?;
        while *next <= last {
            let msg = match tokio::time::timeout(BULK_READ_IDLE, messages.next()).await {
                Ok(Some(Ok(msg))) => msg,
                Ok(Some(Err(e))) => {
                    return Err(anyhow::Error::new(e).context(format!("failed to read `{dlq}`")))
                }
                // Nothing more (entries removed meanwhile): the rest is read by sequence.
                Ok(None) | Err(_) => break,
            };
            let (seq, time) = {
                let info = msg.info().map_err(|e| anyhow::anyhow!("{e}"))?;
                (info.stream_sequence, info.published)
            };
            // In order: nothing is left up to `last` (the first half of a DLQ whose entries
            // there were all removed ends here too).
            if seq > last {
                *next = last + 1;
                break;
            }
            let msg = msg.split().0;
            *next = seq + 1;
            add(StreamMessage {
                subject: msg.subject,
                sequence: seq,
                headers: msg.headers.unwrap_or_default(),
                payload: msg.payload,
                time,
            });
        }
        Ok(())
    }
    .await;
    let _ = stream.delete_consumer(&name).await;
    read
}

/// DLQs with at least this many messages are read in two halves at once (see [`Helper`]).
const SPLIT_READ_FROM: u64 = 4096;

/// Reads the second half of a big DLQ on a connection and a thread of its own, parsing its
/// entries there. Reading is bound by the client's CPU (parsing each entry's headers, in
/// async-nats and here) more than by the server: 10,000 entries took ~65 ms on one
/// connection, ~55 ms in two halves at once. Its entries are only taken if the first half
/// was read up to where this one starts; whatever is not taken is read again on the main
/// connection, as a failed bulk read is.
struct Helper {
    from: u64,
    thread: std::thread::JoinHandle<Result<(Vec<Entry>, u64)>>,
}

impl Helper {
    fn start(settings: Resolved, dlq: String, work: &str, from: u64, last: u64) -> Helper {
        let work = work.to_string();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let conn = Conn::open(settings).await?;
                let mut entries = Vec::new();
                let mut next = from;
                let mut add = |msg| entries.push(parse(msg, &work));
                read_bulk(&conn.js, &dlq, &mut next, last, &mut add).await?;
                Ok((entries, next))
            })
        });
        Helper { from, thread }
    }

    fn join(self) -> Result<(Vec<Entry>, u64)> {
        self.thread
            .join()
            .map_err(|_| anyhow::anyhow!("the second reader panicked"))?
    }
}

/// How long the bulk read waits for the next entry before reading the rest by sequence.
const BULK_READ_IDLE: std::time::Duration = std::time::Duration::from_secs(2);

/// Reads the entries stored after the last one read; how many.
pub async fn read_more(
    js: &Context,
    dlq: &str,
    work: &str,
    scan: &mut Scan,
    progress: &mut dyn FnMut(u64),
) -> Result<u64> {
    let before = scan.entries;
    while let Some(msg) = next_message(js, dlq, scan.next_entry).await? {
        scan.next_entry = msg.sequence + 1;
        add_entry(scan, msg, work, progress);
    }
    Ok(scan.entries - before)
}

fn add_entry(scan: &mut Scan, msg: StreamMessage, work: &str, progress: &mut dyn FnMut(u64)) {
    add_parsed(scan, parse(msg, work), work, progress);
}

/// Counts an entry and files it under its job, its batch, or as foreign.
fn add_parsed(scan: &mut Scan, entry: Entry, work: &str, progress: &mut dyn FnMut(u64)) {
    scan.entries += 1;
    progress(scan.entries);
    let seq = match entry {
        Entry::Foreign(f) => {
            scan.foreign.push(f);
            return;
        }
        Entry::OtherStream => return,
        Entry::Batch(marker::BatchMsg::Claim(b)) => {
            scan.batches.insert(b.claim.dlq_seq, b);
            return;
        }
        Entry::Batch(marker::BatchMsg::Record(r)) => {
            match scan.batches.get_mut(&r.marker.batch.unwrap_or(0)) {
                Some(b) => b.records.push(r),
                None => scan.stray_records.push(r),
            }
            return;
        }
        ref e => match e {
            Entry::Copy(c) => c.job.seq,
            Entry::Pointer { seq, .. } | Entry::Marker { seq, .. } => *seq,
            _ => return,
        },
    };
    scan.jobs
        .entry(seq)
        .or_insert_with(|| Dead::new(work, seq))
        .add(entry);
}

/// The subjects a consumer takes.
pub fn consumer_filters(c: &ConsumerInfo) -> Vec<String> {
    let mut out = c.config.filter_subjects.clone();
    if !c.config.filter_subject.is_empty() {
        out.push(c.config.filter_subject.clone());
    }
    out
}

/// The consumer of a work-queue stream that takes `subject` (work-queue consumers do not overlap).
pub fn consumer_for<'a>(consumers: &'a [ConsumerInfo], subject: &str) -> Option<&'a ConsumerInfo> {
    consumers.iter().find(|c| {
        let filters = consumer_filters(c);
        filters.is_empty() || filters.iter().any(|f| subject_matches(f, subject))
    })
}

pub async fn consumers(js: &Context, stream: &str) -> Result<Vec<ConsumerInfo>> {
    let handle = js.get_stream_no_info(stream).await?;
    handle
        .consumers()
        .try_collect()
        .await
        .with_context(|| format!("failed to list the consumers of `{stream}`"))
}

/// How long a parked job with no entry is given for its advisory to arrive before it is
/// taken as unrecorded (the server parks the job, then stores the advisory).
const ADVISORY_GRACE: std::time::Duration = std::time::Duration::from_millis(300);

/// Looks up each dead job's original in the work stream, and finds the parked jobs that have no
/// entry: messages every matching consumer has passed, with max deliveries set, while that
/// consumer has nothing in flight. With jobs in flight a passed message may be one of them:
/// those are only counted as uncertain.
pub async fn resolve(
    js: &Context,
    work: &StreamInfo,
    dlq: &str,
    scan: &mut Scan,
    progress: &mut dyn FnMut(u64),
) -> Result<()> {
    let name = &work.config.name;
    let consumers = consumers(js, name).await?;
    let mut jobs: Vec<&mut Dead> = scan.jobs.values_mut().collect();
    let mut checked = 0;
    for chunk in jobs.chunks_mut(READ_AHEAD as usize) {
        resolve_jobs(js, work, &consumers, chunk).await?;
        checked += chunk.len() as u64;
        progress(checked);
    }
    if work.config.retention != RetentionPolicy::WorkQueue {
        return Ok(());
    }
    let bound = consumers
        .iter()
        .filter(|c| c.config.max_deliver > 0)
        .map(|c| c.delivered.stream_sequence)
        .max()
        .unwrap_or(0);
    let mut found = Vec::new();
    let mut next = work.state.first_sequence.max(1);
    while next <= bound {
        let Some(msg) = next_message(js, name, next).await? else {
            break;
        };
        next = msg.sequence + 1;
        if msg.sequence > bound || scan.jobs.contains_key(&msg.sequence) {
            continue;
        }
        let Some(c) = consumer_for(&consumers, &msg.subject) else {
            continue;
        };
        // Only a consumer that delivers everything, acks explicitly and gives up after max
        // deliveries parks a job it passed (one made with deliver-new skips older jobs).
        if c.config.max_deliver <= 0
            || c.config.deliver_policy != DeliverPolicy::All
            || c.config.ack_policy == AckPolicy::None
            || msg.sequence > c.delivered.stream_sequence
        {
            continue;
        }
        if c.num_ack_pending > 0 {
            scan.uncertain.push(msg.sequence);
            continue;
        }
        let mut dead = Dead::new(name, msg.sequence);
        dead.parked_by = Some(ParkedBy {
            consumer: c.name.clone(),
            max_deliver: c.config.max_deliver,
        });
        dead.original = Original::Present {
            msg,
            redelivered_by: None,
        };
        found.push(dead);
    }
    if found.is_empty() {
        return Ok(());
    }
    // Their advisories may be on the way: read what came since, then take the rest as unrecorded.
    tokio::time::sleep(ADVISORY_GRACE).await;
    if read_more(js, dlq, name, scan, progress).await? > 0 {
        for dead in scan.jobs.values_mut() {
            if matches!(dead.original, Original::Unchecked) {
                resolve_one(js, work, &consumers, dead).await?;
            }
        }
    }
    for mut dead in found {
        match scan.jobs.get_mut(&dead.seq) {
            // Its entry came: keep the original found and who parked it.
            Some(known) => {
                known.original = std::mem::replace(&mut dead.original, Original::Gone);
                known.parked_by = dead.parked_by;
            }
            None => {
                scan.jobs.insert(dead.seq, dead);
            }
        }
    }
    Ok(())
}

/// Looks up the originals of `jobs` in the work stream, the lookups in flight together (a job
/// below the work stream's first sequence needs none). One after another, a DLQ of thousands
/// behind a single job still waiting in the work stream took a request's round trip per job.
async fn resolve_jobs(
    js: &Context,
    work: &StreamInfo,
    consumers: &[ConsumerInfo],
    jobs: &mut [&mut Dead],
) -> Result<()> {
    let mut lookups = Vec::new();
    for dead in jobs.iter_mut() {
        if dead.seq < work.state.first_sequence {
            dead.original = Original::Gone;
        } else {
            lookups.push(resolve_one(js, work, consumers, dead));
        }
    }
    futures::future::try_join_all(lookups).await?;
    Ok(())
}

async fn resolve_one(
    js: &Context,
    work: &StreamInfo,
    consumers: &[ConsumerInfo],
    dead: &mut Dead,
) -> Result<()> {
    let name = &work.config.name;
    dead.original = if dead.seq < work.state.first_sequence {
        Original::Gone
    } else {
        match get_message(js, name, dead.seq).await? {
            None => Original::Gone,
            Some(msg) if !same_job(dead, &msg) => Original::Gone,
            Some(msg) => {
                let redelivered_by = consumer_for(consumers, &msg.subject)
                    .filter(|c| c.delivered.stream_sequence < msg.sequence)
                    .map(|c| c.name.clone());
                Original::Present {
                    msg,
                    redelivered_by,
                }
            }
        }
    };
    Ok(())
}

/// Whether `msg`, found at the dead job's sequence, is that job (a stream deleted and made
/// again reuses sequences).
fn same_job(dead: &Dead, msg: &StreamMessage) -> bool {
    if let Some(c) = &dead.copy {
        return c.job.subject == msg.subject.as_str();
    }
    match dead.pointers.first().and_then(|p| p.at) {
        Some(at) => msg.time <= at,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(subject: &str, seq: u64, headers: HeaderMap, payload: &[u8]) -> StreamMessage {
        StreamMessage {
            subject: subject.into(),
            sequence: seq,
            headers,
            payload: Bytes::copy_from_slice(payload),
            time: OffsetDateTime::now_utc(),
        }
    }

    fn job() -> DeadJob {
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", "order-7");
        DeadJob {
            stream: "orders".into(),
            seq: 448,
            subject: "orders.new".into(),
            consumer: "processor".into(),
            attempts: 2,
            reason: "exit code 3".into(),
            exit_code: Some(3),
            signal: None,
            timed_out: true,
            stderr_tail: Some("a\nb".into()),
            died_at: "2026-01-01T00:00:00Z".into(),
            worker: "h/1".into(),
            payload: Bytes::from_static(b"order-7"),
            headers: Some(headers),
        }
    }

    #[test]
    fn copies_round_trip() {
        let j = job();
        let m = msg("jqnats.dlq.orders.448", 3, j.entry_headers(), b"order-7");
        let Entry::Copy(c) = parse(m, "orders") else {
            panic!("not a copy")
        };
        assert_eq!(c.dlq_seq, 3);
        assert_eq!(c.job.seq, 448);
        assert_eq!(c.job.subject, "orders.new");
        assert_eq!(c.job.exit_code, Some(3));
        assert!(c.job.timed_out);
        assert_eq!(c.job.stderr_tail.as_deref(), Some("a\nb"));
        assert_eq!(&c.job.payload[..], b"order-7");
        let h = c.job.headers.unwrap();
        assert_eq!(h.get("Nats-Msg-Id").unwrap().as_str(), "order-7");
    }

    #[test]
    fn a_copy_is_known_by_its_exact_entry_subject() {
        let j = job();
        let parsed = |subject: &str| parse(msg(subject, 3, j.entry_headers(), b"x"), "orders");
        assert!(matches!(parsed("jqnats.dlq.orders.448"), Entry::Copy(_)));
        // The subject must name the job the headers name, written as `entry_subject` does.
        for subject in [
            "jqnats.dlq.orders.0448",
            "jqnats.dlq.orders.+448",
            "jqnats.dlq.orders.449",
            "jqnats.dlq.orders.448.x",
            "jqnats.dlq.orders",
            "jqnats.dlqx.orders.448",
        ] {
            assert!(
                matches!(parsed(subject), Entry::Foreign(_)),
                "{subject}: {:?}",
                parsed(subject)
            );
        }
        assert!(matches!(parsed("jqnats.dlq.other.448"), Entry::OtherStream));
        assert!(names_seq("0", 0));
        assert!(!names_seq("", 0));
    }

    #[test]
    fn advisories_are_pointers_and_others_foreign() {
        let adv = br#"{"type":"io.nats.jetstream.advisory.v1.max_deliver","id":"x","timestamp":"2026-01-01T00:00:00.5Z","stream":"orders","consumer":"processor","stream_seq":5,"deliveries":2}"#;
        let m = msg(
            "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.orders.processor",
            1,
            HeaderMap::new(),
            adv,
        );
        match parse(m, "orders") {
            Entry::Pointer { seq, mut pointer } => {
                assert_eq!(seq, 5);
                assert_eq!(pointer.deliveries, 2);
                assert_eq!(pointer.kind, PointerKind::MaxDeliveries);
                assert!(pointer.at.is_some());
                assert_eq!(
                    pointer_reason(&pointer),
                    "max deliveries reached (2 attempts)"
                );
                pointer.deliveries = 1;
                assert_eq!(
                    pointer_reason(&pointer),
                    "max deliveries reached (1 attempt)"
                );
            }
            other => panic!("{other:?}"),
        }
        let term = br#"{"type":"io.nats.jetstream.advisory.v1.terminated","stream":"orders","consumer":"c","consumer_seq":1,"stream_seq":9,"deliveries":1,"reason":"bad input"}"#;
        let m = msg(
            "$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.orders.c",
            2,
            HeaderMap::new(),
            term,
        );
        match parse(m, "orders") {
            Entry::Pointer { seq, pointer } => {
                assert_eq!(seq, 9);
                assert_eq!(pointer_reason(&pointer), "terminated: bad input");
            }
            other => panic!("{other:?}"),
        }
        let m = msg(
            "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.other.c",
            3,
            HeaderMap::new(),
            adv,
        );
        assert!(matches!(parse(m, "orders"), Entry::OtherStream));
        let m = msg("jqnats.dlq.orders.5", 4, HeaderMap::new(), b"x");
        assert!(matches!(parse(m, "orders"), Entry::Foreign(_)));
        let m = msg(
            "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.orders.c",
            5,
            HeaderMap::new(),
            b"not json",
        );
        assert!(matches!(parse(m, "orders"), Entry::Foreign(_)));
    }

    #[test]
    fn a_copy_wins_over_pointers() {
        let mut d = Dead::new("orders", 448);
        d.add(Entry::Pointer {
            seq: 448,
            pointer: Pointer {
                dlq_seq: 1,
                subject: "x".into(),
                kind: PointerKind::MaxDeliveries,
                consumer: "p".into(),
                deliveries: 2,
                at: None,
                reason: None,
            },
        });
        assert_eq!(d.entry(), Some((1, "max_deliveries")));
        assert!(d.duplicates().is_empty());
        let j = job();
        d.add(Entry::Copy(Box::new(Copy {
            dlq_seq: 2,
            job: j,
            stored: OffsetDateTime::now_utc(),
            origin: None,
        })));
        assert_eq!(d.entry(), Some((2, "copy")));
        assert_eq!(d.duplicates(), vec![(1, "max_deliveries")]);
        assert_eq!(d.state(), State::Copied);
        assert_eq!(d.reason(), "exit code 3");
    }
}
