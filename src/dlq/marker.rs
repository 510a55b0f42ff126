//! Markers: what a `dlq` command is doing (or did) with a dead job, recorded in the DLQ next to
//! the job's entry, so a command killed half-way is noticed by the next one.
//!
//! A marker is a header-only message on the job's own entry subject `jqnats.dlq.<STREAM>.<SEQ>`
//! (the subject the DLQ already captures, see [`super::subjects`]) with `Jq-Dlq-Marker` set:
//! - `replaying` / `draining`: written before the replay is published / COMMAND runs (or the
//!   job is written to stdout); the job may have been handled once this is stored;
//! - `replayed` (with the new job's `stream:seq`) / `drained`: written once the publish was
//!   acked / COMMAND succeeded, before the entry is removed: the job was handled.
//!
//! Markers go only after the entry they are about (so a crash in between leaves a marker with
//! no job, which is no dead job and `dlq reconcile` removes). They carry none of the entry
//! headers (`Jq-Dlq-Stream`, `Jq-Dlq-Subject` ...), so an older jq-nats sees them as foreign
//! entries and leaves them alone. A DLQ that takes only advisories (the article's) has no
//! subject to hold markers: commands on it work as before, without them.
//!
//! The `replaying`/`draining` marker is written with `Nats-Expected-Last-Subject-Sequence`, so
//! of two commands that read the same entry only one gets to handle it.
//!
//! `replay --all` claims its simple jobs in batches instead ([`Batch`]): one `replaying` claim
//! on `jqnats.dlq.<STREAM>.batch` lists the jobs (their sequences in the payload), and one
//! `replayed` record per window of publishes names the claim and says which of its jobs were
//! replayed (and as what) and which were given back. For everything that reads the DLQ a batch
//! stands for per-job markers ([`Marker::batch`] set): the claim is a `replaying` marker of each
//! job it lists and has not given back, a record a `replayed` one. Which of two claims on one job
//! wins is decided by their order in the DLQ (see `Store::claim` and `Store::check_batch`).

use async_nats::HeaderMap;
use serde::Serialize;
use time::OffsetDateTime;

use super::entry;
use super::read::parse_time;

pub const H_MARKER: &str = "Jq-Dlq-Marker";
/// `host/pid` of the command that wrote the marker.
pub const H_BY: &str = "Jq-Dlq-Marker-By";
/// RFC 3339.
pub const H_AT: &str = "Jq-Dlq-Marker-At";
/// `replaying`: the subject the replay goes to.
pub const H_SUBJECT: &str = "Jq-Dlq-Marker-Subject";
/// `replaying`: the replay's `Nats-Msg-Id`.
pub const H_MSG_ID: &str = "Jq-Dlq-Marker-Msg-Id";
/// `replaying`: the work stream's last sequence before the replay was published.
pub const H_AFTER: &str = "Jq-Dlq-Marker-After";
/// `replayed`: where the replay was stored, as `<stream>:<seq>`.
pub const H_REPLAYED_AS: &str = "Jq-Dlq-Marker-Replayed-As";

/// A batch record: the DLQ sequence of the claim it is about.
pub const H_CLAIM: &str = "Jq-Dlq-Marker-Claim";

/// The last token of the subject batch claims and records go to, `jqnats.dlq.<STREAM>.batch`
/// (captured by the DLQ's `jqnats.dlq.<STREAM>.*`; no job sequence looks like it).
pub const BATCH_TOKEN: &str = "batch";

/// A marker written by another process, on another host, is taken as held by a running
/// command for this long (its process cannot be checked from here).
pub const HELD_FOR: std::time::Duration = std::time::Duration::from_secs(600);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Replaying,
    Replayed,
    Draining,
    Drained,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Replaying => "replaying",
            Kind::Replayed => "replayed",
            Kind::Draining => "draining",
            Kind::Drained => "drained",
        }
    }

    fn parse(text: &str) -> Option<Kind> {
        Some(match text.trim() {
            "replaying" => Kind::Replaying,
            "replayed" => Kind::Replayed,
            "draining" => Kind::Draining,
            "drained" => Kind::Drained,
            _ => return None,
        })
    }

    /// Whether the marker says the job was handled (not only that it was about to be).
    pub fn done(self) -> bool {
        matches!(self, Kind::Replayed | Kind::Drained)
    }
}

/// One marker read from the DLQ.
#[derive(Debug, Clone)]
pub struct Marker {
    pub dlq_seq: u64,
    pub kind: Kind,
    pub by: String,
    pub at: Option<OffsetDateTime>,
    pub subject: Option<String>,
    pub msg_id: Option<String>,
    pub after: Option<u64>,
    pub replayed_as: Option<(String, u64)>,
    /// Set when the marker stands for a batch claim or record: the claim's DLQ sequence. Such
    /// a message is shared by many jobs: it is removed once none of its jobs is left, never
    /// with one job.
    pub batch: Option<u64>,
}

/// What to write for a new marker.
#[derive(Debug, Clone)]
pub struct New {
    pub kind: Kind,
    pub subject: Option<String>,
    pub msg_id: Option<String>,
    pub after: Option<u64>,
    pub replayed_as: Option<(String, u64)>,
}

impl New {
    pub fn of(kind: Kind) -> New {
        New {
            kind,
            subject: None,
            msg_id: None,
            after: None,
            replayed_as: None,
        }
    }

    pub fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(H_MARKER, self.kind.name());
        h.insert(H_BY, entry::worker_id().as_str());
        h.insert(
            H_AT,
            OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
                .as_str(),
        );
        if let Some(s) = &self.subject {
            h.insert(H_SUBJECT, s.as_str());
        }
        if let Some(id) = &self.msg_id {
            h.insert(H_MSG_ID, id.as_str());
        }
        if let Some(after) = self.after {
            h.insert(H_AFTER, after.to_string().as_str());
        }
        if let Some((stream, seq)) = &self.replayed_as {
            h.insert(H_REPLAYED_AS, format!("{stream}:{seq}").as_str());
        }
        h
    }
}

/// Whether a DLQ message's headers make it a marker.
pub fn is_marker(headers: &HeaderMap) -> bool {
    headers
        .get(async_nats::header::HeaderName::from_static(H_MARKER))
        .is_some()
}

/// A marker from a DLQ message's headers; None when `Jq-Dlq-Marker` names no known kind.
pub fn parse(dlq_seq: u64, headers: &HeaderMap, stored: OffsetDateTime) -> Option<Marker> {
    let get = |n: &str| headers.get(n).map(|v| v.as_str().to_string());
    let kind = Kind::parse(&get(H_MARKER)?)?;
    Some(Marker {
        dlq_seq,
        kind,
        by: get(H_BY).unwrap_or_else(|| "unknown".into()),
        at: get(H_AT).as_deref().and_then(parse_time).or(Some(stored)),
        subject: get(H_SUBJECT),
        msg_id: get(H_MSG_ID),
        after: get(H_AFTER).and_then(|v| v.trim().parse().ok()),
        replayed_as: get(H_REPLAYED_AS).and_then(|v| {
            let (stream, seq) = v.rsplit_once(':')?;
            Some((stream.to_string(), seq.parse().ok()?))
        }),
        batch: None,
    })
}

/// A batch claim of `replay --all` with its records, as read from the DLQ.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The claim itself (`replaying`, `batch` set to its own sequence).
    pub claim: Marker,
    /// The work-stream sequences of the jobs it claims, ascending.
    pub jobs: Vec<u64>,
    pub records: Vec<Record>,
}

/// A `replayed` record of a batch claim.
#[derive(Debug, Clone)]
pub struct Record {
    pub marker: Marker,
    /// Jobs replayed: (work-stream sequence, the replay's sequence).
    pub replayed: Vec<(u64, u64)>,
    /// Jobs given back: not published (another command had them, or the publish was refused).
    pub released: Vec<u64>,
}

/// A batch message read from the DLQ.
#[derive(Debug, Clone)]
pub enum BatchMsg {
    Claim(Batch),
    Record(Record),
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct ClaimBody {
    /// Ranges of job sequences, `[first, last]`.
    jobs: Vec<(u64, u64)>,
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct RecordBody {
    #[serde(default)]
    replayed: Vec<(u64, u64)>,
    #[serde(default)]
    released: Vec<u64>,
}

/// The payload of a batch claim of `jobs` (ascending): ranges, so a run of dead jobs is short.
pub fn claim_body(jobs: &[u64]) -> Vec<u8> {
    let mut ranges: Vec<(u64, u64)> = Vec::new();
    for &j in jobs {
        match ranges.last_mut() {
            Some((_, last)) if *last + 1 == j => *last = j,
            _ => ranges.push((j, j)),
        }
    }
    serde_json::to_vec(&ClaimBody { jobs: ranges }).unwrap_or_default()
}

/// The payload of a batch record.
pub fn record_body(replayed: &[(u64, u64)], released: &[u64]) -> Vec<u8> {
    serde_json::to_vec(&RecordBody {
        replayed: replayed.to_vec(),
        released: released.to_vec(),
    })
    .unwrap_or_default()
}

/// A batch message from its headers and payload; None when it does not parse.
pub fn parse_batch(
    dlq_seq: u64,
    headers: &HeaderMap,
    payload: &[u8],
    stored: OffsetDateTime,
) -> Option<BatchMsg> {
    let mut m = parse(dlq_seq, headers, stored)?;
    match m.kind {
        Kind::Replaying => {
            let body: ClaimBody = serde_json::from_slice(payload).ok()?;
            m.batch = Some(dlq_seq);
            let mut jobs = Vec::new();
            for (first, last) in body.jobs {
                if last < first || last - first > 1 << 20 {
                    return None;
                }
                jobs.extend(first..=last);
            }
            jobs.sort_unstable();
            jobs.dedup();
            Some(BatchMsg::Claim(Batch {
                claim: m,
                jobs,
                records: vec![],
            }))
        }
        Kind::Replayed => {
            let claim = headers.get(H_CLAIM)?.as_str().trim().parse().ok()?;
            let body: RecordBody = serde_json::from_slice(payload).ok()?;
            m.batch = Some(claim);
            Some(BatchMsg::Record(Record {
                marker: m,
                replayed: body.replayed,
                released: body.released,
            }))
        }
        _ => None,
    }
}

impl Batch {
    pub fn covers(&self, seq: u64) -> bool {
        self.jobs.binary_search(&seq).is_ok()
    }

    pub fn released(&self, seq: u64) -> bool {
        self.records.iter().any(|r| r.released.contains(&seq))
    }

    /// The markers it stands for on job `seq` (none when it does not claim it or gave it
    /// back): its claim as `replaying` (to `subject`, with the replay's id), and `replayed` when
    /// a record says so.
    pub fn markers_of(&self, seq: u64, work: &str, subject: Option<&str>) -> Vec<Marker> {
        if !self.covers(seq) || self.released(seq) {
            return vec![];
        }
        let mut intent = self.claim.clone();
        intent.subject = subject.map(str::to_string);
        intent.msg_id = Some(format!("replay-{work}-{seq}"));
        let mut out = vec![intent];
        for r in &self.records {
            if let Some((_, new)) = r.replayed.iter().find(|(s, _)| *s == seq) {
                let mut done = r.marker.clone();
                done.replayed_as = Some((work.to_string(), *new));
                out.push(done);
            }
        }
        out
    }

    /// Its messages, the claim first.
    pub fn messages(&self) -> Vec<Marker> {
        std::iter::once(self.claim.clone())
            .chain(self.records.iter().map(|r| r.marker.clone()))
            .collect()
    }
}
impl Marker {
    /// Whether the command that wrote it may still be running: a live process of this host
    /// (other than this one), or a recent marker from another host.
    pub fn held(&self) -> bool {
        let me = entry::worker_id();
        if self.by == me {
            return false;
        }
        let (host, pid) = match self.by.rsplit_once('/') {
            Some((h, p)) => (h, p.parse::<i32>().ok()),
            None => (self.by.as_str(), None),
        };
        let my_host = me.rsplit_once('/').map(|(h, _)| h).unwrap_or_default();
        if host == my_host {
            if let Some(pid) = pid.filter(|p| *p > 0) {
                // SAFETY: kill(2) with signal 0 only checks that the process exists.
                let rc = unsafe { libc::kill(pid, 0) };
                return rc == 0
                    || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
            }
        }
        self.at
            .is_some_and(|at| OffsetDateTime::now_utc() - at < HELD_FOR)
    }

    /// "replayed by host/123 at 2026-…", for messages.
    pub fn describe(&self) -> String {
        let at = self
            .at
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| "?".into());
        let mut text = format!("{} by {} at {at}", self.kind.name(), self.by);
        if let Some((stream, seq)) = &self.replayed_as {
            text.push_str(&format!(" as {stream}:{seq}"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_no_entry() {
        let mut new = New::of(Kind::Replayed);
        new.replayed_as = Some(("orders_stream".into(), 26));
        let h = new.headers();
        assert!(is_marker(&h));
        // An older jq-nats must not take it for a dead job's copy.
        assert!(h.get(entry::H_STREAM).is_none() && h.get(entry::H_SUBJECT).is_none());
        let m = parse(9, &h, OffsetDateTime::now_utc()).unwrap();
        assert_eq!(m.kind, Kind::Replayed);
        assert!(m.kind.done());
        assert_eq!(m.replayed_as, Some(("orders_stream".into(), 26)));
        assert_eq!(m.by, entry::worker_id());
        assert!(!m.held(), "our own marker is not held by someone else");
        let mut other = m.clone();
        other.by = "some-other-host/1".into();
        assert!(other.held(), "recent, from another host");
        other.at = Some(OffsetDateTime::now_utc() - HELD_FOR * 2);
        assert!(!other.held());
        let host = entry::worker_id().rsplit_once('/').unwrap().0.to_string();
        other.by = format!("{host}/999999999");
        other.at = Some(OffsetDateTime::now_utc());
        assert!(!other.held(), "a dead process of this host");
    }

    #[test]
    fn batches_round_trip_and_stand_for_per_job_markers() {
        let jobs = [3, 4, 5, 9, 11, 12];
        let body = claim_body(&jobs);
        assert_eq!(body, br#"{"jobs":[[3,5],[9,9],[11,12]]}"#);
        let mut claim = New::of(Kind::Replaying);
        claim.after = Some(40);
        let Some(BatchMsg::Claim(mut b)) =
            parse_batch(7, &claim.headers(), &body, OffsetDateTime::now_utc())
        else {
            panic!("not a claim")
        };
        assert_eq!(b.jobs, jobs);
        assert_eq!(b.claim.batch, Some(7));
        let mut h = New::of(Kind::Replayed).headers();
        h.insert(H_CLAIM, "7");
        let body = record_body(&[(3, 41), (4, 42)], &[5]);
        let Some(BatchMsg::Record(r)) = parse_batch(8, &h, &body, OffsetDateTime::now_utc()) else {
            panic!("not a record")
        };
        assert_eq!(r.marker.batch, Some(7));
        b.records.push(r);
        let m = b.markers_of(3, "orders", Some("orders.new"));
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].kind, Kind::Replaying);
        assert_eq!(m[0].after, Some(40));
        assert_eq!(m[0].msg_id.as_deref(), Some("replay-orders-3"));
        assert_eq!(m[1].replayed_as, Some(("orders".into(), 41)));
        assert!(b.markers_of(5, "orders", None).is_empty(), "given back");
        assert_eq!(b.markers_of(9, "orders", None).len(), 1, "claimed only");
        assert!(b.markers_of(10, "orders", None).is_empty(), "not claimed");
        assert!(parse_batch(9, &h, b"nonsense", OffsetDateTime::now_utc()).is_none());
    }
}
