//! A worker without a command: jobs are written to stdout (the raw payload, ended by a
//! newline, or an NDJSON record under --json) and acked only once written and flushed, so
//! `jq-nats work orders_stream --max-jobs 10 > batch.txt` takes exactly what reached the file.
//! On a stop, jobs still arriving for open requests are written too; only what cannot be
//! written (or is past --max-jobs) is handed back, which spends one of its attempts.
//!
//! Built for throughput: jobs come in pull batches of [`PRINT_BATCH`], writes are buffered, and
//! each run of jobs already received is flushed once, then acked.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use tokio::time::Instant;

use anyhow::{anyhow, Result};
use async_nats::jetstream::{self, AckKind};
use futures::FutureExt;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;

use super::puller::Pulled;
use super::{Options, Session, PRINT_BATCH};

/// How long an `--until-empty` worker waits before asking again when a request found nothing
/// but the queue is not empty yet (jobs held by other workers, acks not yet counted).
pub(crate) const NO_WAIT_PAUSE: Duration = Duration::from_millis(50);
use crate::error::Exit;

/// A job as an NDJSON record.
#[derive(Serialize)]
struct Record<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    stream: &'a str,
    consumer: &'a str,
    subject: &'a str,
    seq: u64,
    attempt: i64,
    published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    msg_id: Option<&'a str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    headers: BTreeMap<&'a str, Vec<&'a str>>,
    /// UTF-8 text as it is, anything else in base64 (and `encoding` says so).
    payload: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding: Option<&'static str>,
}

/// A job's payload as one line: a payload that ends its own line (a whole file published with
/// `--send-on eof`, say) gets no second newline, which a reader would take for an empty job.
/// `work` and `dlq drain` write jobs so.
pub fn write_payload_line(out: &mut impl Write, payload: &[u8]) -> std::io::Result<()> {
    out.write_all(payload)?;
    if !payload.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn write_job(out: &mut impl Write, msg: &jetstream::Message, json: bool) -> Result<()> {
    if !json {
        write_payload_line(out, &msg.payload)?;
        return Ok(());
    }
    let info = msg
        .info()
        .map_err(|e| anyhow!("a job without metadata: {e}"))?;
    let headers = msg
        .headers
        .iter()
        .flat_map(|h| h.iter())
        .map(|(name, values)| (name.as_ref(), values.iter().map(|v| v.as_str()).collect()))
        .collect();
    let (payload, encoding) = match std::str::from_utf8(&msg.payload) {
        Ok(text) => (Cow::Borrowed(text), None),
        Err(_) => (Cow::Owned(base64(&msg.payload)), Some("base64")),
    };
    let record = Record {
        kind: "job",
        stream: info.stream,
        consumer: info.consumer,
        subject: msg.subject.as_str(),
        seq: info.stream_sequence,
        attempt: info.delivered,
        published: info.published.format(&Rfc3339).unwrap_or_default(),
        msg_id: msg
            .headers
            .as_ref()
            .and_then(|h| h.get("Nats-Msg-Id"))
            .map(|v| v.as_str()),
        headers,
        payload,
        encoding,
    };
    serde_json::to_writer(&mut *out, &record)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> shift) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) async fn run(session: &mut Session, opts: &Options) -> Result<()> {
    let json = opts.style.json;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut batch: Vec<jetstream::Message> = Vec::with_capacity(PRINT_BATCH);
    // Jobs that came while stopping, handed back once no request is open.
    let mut held: Vec<jetstream::Message> = Vec::new();
    let mut stopping = opts.until_empty && session.is_empty().await;
    let mut interrupted = false;
    // Our stdout's reader went away: stop, and hand back what is held.
    let mut closed = false;
    let mut failure: Option<anyhow::Error> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let reached = |written: u64| opts.max_jobs.is_some_and(|max| written >= max);
    // Under --until-empty a request ends once it found nothing more to send: that is when to
    // ask whether the queue is empty, not after an expiry.
    session.puller.no_wait = opts.until_empty;

    loop {
        if !stopping && session.can_request() && session.puller.owed() < PRINT_BATCH {
            let mut want = PRINT_BATCH;
            if let Some(max) = opts.max_jobs {
                let left = max.saturating_sub(session.stats.done + session.puller.owed() as u64);
                want = want.min(left as usize);
            }
            if want > 0 {
                let expires = session.puller.expires();
                session.puller.request(want, expires).await?;
            }
        }
        if stopping && session.puller.owed() == 0 {
            for msg in held.drain(..) {
                let _ = msg.ack_with(AckKind::Nak(None)).await;
                session.stats.requeued += 1;
            }
            break;
        }
        tokio::select! {
            biased;
            Some(()) = session.signals.recv() => {
                if interrupted {
                    session.puller.close().await;
                    let _ = tokio::time::timeout(Duration::from_millis(500), session.client.flush()).await;
                    for msg in held.drain(..) {
                        let _ = msg.ack_with(AckKind::Nak(None)).await;
                    }
                    session.log.finish();
                    return Err(anyhow::Error::new(Exit(crate::error::EXIT_INTERRUPTED)));
                }
                interrupted = true;
                stopping = true;
            }
            Some(event) = session.events.recv() => if let Some(e) = session.on_event(event).await {
                failure.get_or_insert(e);
                stopping = true;
            },
            pulled = session.puller.next() => {
                let mut next = pulled;
                // Take every job already here (up to a batch), then flush once and ack them.
                loop {
                    match next {
                        None => {
                            failure.get_or_insert_with(|| anyhow!("the connection to NATS was closed"));
                            stopping = true;
                        }
                        Some(Pulled::Job(message)) => {
                            let msg = jetstream::Message { message, context: session.js.clone() };
                            let full = reached(session.stats.done + batch.len() as u64);
                            // A job delivered while stopping (Ctrl-C, the queue found empty) is
                            // written all the same: it is here, writing it takes no time, and
                            // handing it back would spend one of its attempts unrun. Only what
                            // cannot be written, or is past --max-jobs, goes back.
                            if closed || full || failure.is_some() {
                                held.push(msg);
                            } else {
                                match write_job(&mut out, &msg, json) {
                                    Ok(()) => batch.push(msg),
                                    Err(e) => {
                                        held.push(msg);
                                        failure.get_or_insert(e.context("failed to write jobs to stdout"));
                                        stopping = true;
                                    }
                                }
                            }
                        }
                        Some(Pulled::Ended { status, description }) => {
                            if let Err(e) = session.on_ended(status, description) {
                                failure.get_or_insert(e);
                                stopping = true;
                            } else if opts.until_empty && !stopping {
                                // Jobs written are acked first, so the server counts them done.
                                settle_batch(session, &mut out, &mut batch, &mut held, &mut failure, &mut stopping).await;
                                session.last_empty_check = None;
                                if session.is_empty().await {
                                    stopping = true;
                                } else if session.paused_until.is_none_or(|t| t < Instant::now()) {
                                    // Others still hold jobs (or acks are on their way): ask again shortly.
                                    session.paused_until = Some(Instant::now() + NO_WAIT_PAUSE);
                                }
                            }
                        }
                    }
                    if batch.len() >= PRINT_BATCH {
                        break;
                    }
                    match session.puller.next().now_or_never() {
                        Some(pulled) => next = pulled,
                        None => break,
                    }
                }
                settle_batch(session, &mut out, &mut batch, &mut held, &mut failure, &mut stopping).await;
                if reached(session.stats.done) {
                    stopping = true;
                }
            }
            _ = tick.tick() => {
                session.puller.sweep();
                session.log.status(&session.stats);
                if !stopping && crate::output::stdout_closed() {
                    closed = true;
                    stopping = true;
                }
                if opts.until_empty && !stopping && session.is_empty().await {
                    stopping = true;
                }
            }
        }
    }
    session.stopped_by(failure, closed)?;
    session.log.notice(&session.stats.summary(true));
    Ok(())
}

/// Flushes what was written and acks it; if stdout refuses, the jobs are held to go back.
async fn settle_batch(
    session: &mut Session,
    out: &mut impl Write,
    batch: &mut Vec<jetstream::Message>,
    held: &mut Vec<jetstream::Message>,
    failure: &mut Option<anyhow::Error>,
    stopping: &mut bool,
) {
    if batch.is_empty() {
        return;
    }
    match out.flush() {
        Ok(()) => {
            for msg in batch.iter() {
                session.acks.ack(msg).await;
            }
            session.stats.done += batch.len() as u64;
        }
        Err(e) => {
            held.append(batch);
            failure.get_or_insert(anyhow::Error::new(e).context("failed to write jobs to stdout"));
            *stopping = true;
        }
    }
    batch.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_as_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }
}
