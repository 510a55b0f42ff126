//! A dead job as a DLQ entry: the job's own payload (byte-exact) and headers, plus why it died
//! in `Jq-Dlq-*` headers. The job's `Nats-*` headers are kept as `Jq-Orig-Nats-*`, so the server
//! does not act on them when the entry is written (a reused `Nats-Msg-Id` would be dropped as a
//! duplicate) and a replay can restore them.

use async_nats::HeaderMap;
use bytes::Bytes;
use serde::Serialize;

pub const H_STREAM: &str = "Jq-Dlq-Stream";
pub const H_SEQ: &str = "Jq-Dlq-Seq";
pub const H_SUBJECT: &str = "Jq-Dlq-Subject";
pub const H_CONSUMER: &str = "Jq-Dlq-Consumer";
pub const H_ATTEMPTS: &str = "Jq-Dlq-Attempts";
pub const H_REASON: &str = "Jq-Dlq-Reason";
pub const H_EXIT_CODE: &str = "Jq-Dlq-Exit-Code";
pub const H_SIGNAL: &str = "Jq-Dlq-Signal";
pub const H_TIMED_OUT: &str = "Jq-Dlq-Timed-Out";
pub const H_STDERR: &str = "Jq-Dlq-Stderr";
pub const H_DIED_AT: &str = "Jq-Dlq-Died-At";
pub const H_WORKER: &str = "Jq-Dlq-Worker";
pub const ORIG_PREFIX: &str = "Jq-Orig-";

/// Most bytes of a handler's stderr kept with a dead job.
pub const STDERR_TAIL_BYTES: usize = 2048;
/// Most lines of a handler's stderr kept with a dead job.
pub const STDERR_TAIL_LINES: usize = 10;

/// Why and where a job died, and the job itself.
#[derive(Debug, Clone, Serialize)]
pub struct DeadJob {
    pub stream: String,
    pub seq: u64,
    pub subject: String,
    pub consumer: String,
    pub attempts: u64,
    pub reason: String,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub stderr_tail: Option<String>,
    /// RFC 3339.
    pub died_at: String,
    /// `host/pid` of the worker.
    pub worker: String,
    #[serde(skip)]
    pub payload: Bytes,
    #[serde(skip)]
    pub headers: Option<HeaderMap>,
}

/// The last lines of a handler's stderr, bounded in lines and bytes, lossily decoded.
pub fn stderr_tail(stderr: &[u8]) -> Option<String> {
    let start = stderr.len().saturating_sub(STDERR_TAIL_BYTES);
    let text = String::from_utf8_lossy(&stderr[start..]);
    let lines: Vec<&str> = text.lines().collect();
    let keep = &lines[lines.len().saturating_sub(STDERR_TAIL_LINES)..];
    let tail = keep.join("\n");
    (!tail.trim().is_empty()).then_some(tail)
}

/// `host/pid`, to tell which worker dead-lettered a job.
pub fn worker_id() -> String {
    // Read once: markers ask for it per job.
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let host = HOST.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_string())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "unknown".into())
    });
    format!("{host}/{}", std::process::id())
}

/// A header value must be one line of printable text.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

impl DeadJob {
    /// The headers of the DLQ entry: the job's own (renamed where the server would act on
    /// them) and the `Jq-Dlq-*` metadata.
    pub fn entry_headers(&self) -> HeaderMap {
        let mut out = HeaderMap::new();
        if let Some(headers) = &self.headers {
            for (name, values) in headers.iter() {
                let name: &str = name.as_ref();
                let target = if name.to_ascii_lowercase().starts_with("nats-") {
                    format!("{ORIG_PREFIX}{name}")
                } else {
                    name.to_string()
                };
                for value in values {
                    out.append(target.as_str(), value.as_str());
                }
            }
        }
        out.insert(H_STREAM, self.stream.as_str());
        out.insert(H_SEQ, self.seq.to_string().as_str());
        out.insert(H_SUBJECT, self.subject.as_str());
        out.insert(H_CONSUMER, self.consumer.as_str());
        out.insert(H_ATTEMPTS, self.attempts.to_string().as_str());
        out.insert(H_REASON, one_line(&self.reason).as_str());
        if let Some(code) = self.exit_code {
            out.insert(H_EXIT_CODE, code.to_string().as_str());
        }
        if let Some(signal) = self.signal {
            out.insert(H_SIGNAL, signal.to_string().as_str());
        }
        if self.timed_out {
            out.insert(H_TIMED_OUT, "true");
        }
        if let Some(tail) = &self.stderr_tail {
            // JSON-escaped, so the lines survive in one header value.
            let escaped = serde_json::to_string(tail).unwrap_or_default();
            out.insert(H_STDERR, escaped.as_str());
        }
        out.insert(H_DIED_AT, self.died_at.as_str());
        out.insert(H_WORKER, self.worker.as_str());
        // Writing the same dead job twice (a worker that dies after writing, before acking)
        // is dropped by the DLQ's duplicate window.
        out.insert(
            "Nats-Msg-Id",
            format!("jqnats-dead-{}-{}", self.stream, self.seq).as_str(),
        );
        out
    }

    /// The job's own headers, as they were when it was published, from an entry's headers.
    pub fn original_headers(entry: &HeaderMap) -> HeaderMap {
        let mut out = HeaderMap::new();
        for (name, values) in entry.iter() {
            let name: &str = name.as_ref();
            if name.starts_with("Jq-Dlq-") || name.eq_ignore_ascii_case("Nats-Msg-Id") {
                continue;
            }
            let target = name.strip_prefix(ORIG_PREFIX).unwrap_or(name);
            for value in values {
                out.append(target, value.as_str());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_is_bounded() {
        let text: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let tail = stderr_tail(text.as_bytes()).unwrap();
        assert_eq!(tail.lines().count(), STDERR_TAIL_LINES);
        assert!(tail.ends_with("line 99"));
        assert!(stderr_tail(b"  \n").is_none());
        let big = vec![b'x'; 100_000];
        assert!(stderr_tail(&big).unwrap().len() <= STDERR_TAIL_BYTES);
    }

    #[test]
    fn headers_round_trip() {
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", "order-7");
        headers.insert("Trace", "abc");
        let job = DeadJob {
            stream: "orders_stream".into(),
            seq: 448,
            subject: "orders.new".into(),
            consumer: "processor".into(),
            attempts: 2,
            reason: "exit code 1\nsecond line".into(),
            exit_code: Some(1),
            signal: None,
            timed_out: false,
            stderr_tail: Some("boom\nbang".into()),
            died_at: "2026-01-01T00:00:00Z".into(),
            worker: "host/1".into(),
            payload: Bytes::from_static(b"order-7"),
            headers: Some(headers),
        };
        let entry = job.entry_headers();
        assert_eq!(
            entry.get("Jq-Orig-Nats-Msg-Id").unwrap().as_str(),
            "order-7"
        );
        assert_eq!(
            entry.get("Nats-Msg-Id").unwrap().as_str(),
            "jqnats-dead-orders_stream-448"
        );
        assert_eq!(
            entry.get(H_REASON).unwrap().as_str(),
            "exit code 1 second line"
        );
        let back = DeadJob::original_headers(&entry);
        assert_eq!(back.get("Nats-Msg-Id").unwrap().as_str(), "order-7");
        assert_eq!(back.get("Trace").unwrap().as_str(), "abc");
        assert!(back.get(H_SEQ).is_none());
    }
}
