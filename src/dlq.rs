//! The dead-letter stream: its name, what it captures, its settings (made in one place), and
//! how to find the DLQ of a work stream, whoever made it.
//!
//! A DLQ stream captures three kinds of entries:
//! - `jqnats.dlq.<STREAM>.<SEQ>`: a full copy written by a jq-nats worker when a job dies: the
//!   job's payload and headers, and why it died (see [`entry`]);
//! - `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<STREAM>.*`: the server's pointer when a job ran
//!   out of attempts without a worker dead-lettering it (a worker died on the last attempt, or a
//!   consumer made by another program);
//! - `$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.<STREAM>.*`: the server's pointer when a job
//!   was terminated (its payload is gone from a work-queue stream at that moment).
//!
//! The DLQ uses limits retention, so it can be read by sequence and browsed without taking the
//! work-queue rule of a single consumer, and entries are removed one by one once dealt with.

use std::time::Duration;

use async_nats::jetstream::stream::{Config, DiscardPolicy, RetentionPolicy};
use async_nats::jetstream::Context;

pub mod entry;
pub mod marker;
pub mod read;
pub mod store;

/// Subject prefix of entries written by workers.
pub const ENTRY_PREFIX: &str = "jqnats.dlq";

pub fn default_name(stream: &str) -> String {
    format!("{stream}_dlq")
}

pub fn max_deliveries_subject(stream: &str) -> String {
    format!("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{stream}.*")
}

pub fn terminated_subject(stream: &str) -> String {
    format!("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.{stream}.*")
}

/// Where a worker writes the dead copy of the job with stream sequence `seq`.
pub fn entry_subject(stream: &str, seq: u64) -> String {
    format!("{ENTRY_PREFIX}.{stream}.{seq}")
}

pub fn subjects(stream: &str) -> Vec<String> {
    vec![
        format!("{ENTRY_PREFIX}.{stream}.*"),
        max_deliveries_subject(stream),
        terminated_subject(stream),
    ]
}

/// The DLQ stream of `work`: same storage and replicas, limits retention so nothing ages out
/// silently (no max age), discard new so a full DLQ refuses (and the worker keeps the job)
/// rather than dropping old dead jobs.
pub fn stream_config(work: &Config, name: &str) -> Config {
    Config {
        name: name.to_string(),
        description: Some(format!("dead-letter queue of {} (jq-nats)", work.name)),
        subjects: subjects(&work.name),
        retention: RetentionPolicy::Limits,
        discard: DiscardPolicy::New,
        storage: work.storage,
        num_replicas: work.num_replicas.max(1),
        max_bytes: if work.max_bytes > 0 {
            work.max_bytes
        } else {
            -1
        },
        max_messages: -1,
        max_messages_per_subject: -1,
        max_message_size: -1,
        max_age: Duration::ZERO,
        duplicate_window: Duration::from_secs(120),
        allow_direct: true,
        deny_delete: false,
        deny_purge: false,
        ..Default::default()
    }
}

/// The stream that captures `stream`'s max-deliveries advisories: ours, or one made by hand the
/// article's way (e.g. `orders_unprocessed`).
pub async fn find(js: &Context, stream: &str) -> anyhow::Result<Option<String>> {
    let probe = format!("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{stream}.jqnats_probe");
    match js.stream_by_subject(probe).await {
        Ok(name) => Ok(Some(name)),
        Err(e)
            if e.kind() == async_nats::jetstream::context::GetStreamByNameErrorKind::NotFound =>
        {
            Ok(None)
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!(
            "failed to look up the dead-letter stream of `{stream}`"
        ))),
    }
}

/// Whether a DLQ stream takes full copies from workers (made by jq-nats), rather than only the
/// server's advisories (made the article's way).
pub fn takes_entries(dlq: &Config, stream: &str) -> bool {
    let wanted = entry_subject(stream, 1);
    dlq.subjects.iter().any(|s| subject_matches(s, &wanted))
}

/// NATS subject matching of a concrete subject against a filter with `*` and `>`.
pub fn subject_matches(filter: &str, subject: &str) -> bool {
    let mut f = filter.split('.');
    let mut s = subject.split('.');
    loop {
        match (f.next(), s.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_subjects() {
        assert!(subject_matches("orders.*", "orders.new"));
        assert!(!subject_matches("orders.*", "orders.new.x"));
        assert!(subject_matches("orders.>", "orders.new.x"));
        assert!(!subject_matches("orders.>", "orders"));
        assert!(subject_matches("a.b", "a.b"));
        assert!(!subject_matches("a.b", "a.c"));
    }

    #[test]
    fn dlq_captures_entries_and_both_advisories() {
        let work = Config {
            name: "orders_stream".into(),
            max_bytes: 1 << 28,
            ..Default::default()
        };
        let dlq = stream_config(&work, "orders_stream_dlq");
        assert!(takes_entries(&dlq, "orders_stream"));
        assert!(dlq.subjects.iter().any(|s| subject_matches(
            s,
            "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.orders_stream.processor"
        )));
        assert!(dlq.subjects.iter().any(|s| subject_matches(
            s,
            "$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.orders_stream.processor"
        )));
        assert_eq!(dlq.retention, RetentionPolicy::Limits);
    }
}
