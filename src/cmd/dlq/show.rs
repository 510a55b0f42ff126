//! `dlq ls` and `dlq show`: reading only.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{
    age, header_map, job_view, marker_note, not_found, open, payload_view, plural, printable,
    rfc3339, scan, state_cell, JobView, PayloadView,
};
use crate::cli::{DlqLsArgs, DlqShowArgs};
use crate::cmd::Env;
use crate::dlq::read::{parse_time, Dead, Original, Scan, State};
use crate::dlq::store::Store;

#[derive(Serialize)]
struct ForeignView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    dlq: &'a str,
    seq: u64,
    subject: &'a str,
    why: &'a str,
}

#[derive(Serialize, Default)]
struct Summary {
    #[serde(rename = "type")]
    kind: &'static str,
    stream: String,
    dlq: String,
    /// Dead jobs in all.
    dead: usize,
    /// Dead jobs that passed the filters.
    listed: usize,
    parked: usize,
    unrecorded: usize,
    /// Of the parked and unrecorded: too big for a full copy with its metadata, so
    /// `dlq reconcile` cannot bring them into a DLQ that takes copies.
    too_big_to_copy: usize,
    lost: usize,
    /// Jobs whose original a consumer will deliver again.
    redelivered: usize,
    duplicates: usize,
    foreign: usize,
    /// Work-stream messages that may be parked or in flight, left alone.
    uncertain: usize,
    /// Markers of `dlq` commands whose job is gone (a command died before removing them).
    leftover_markers: usize,
}

fn summarize(store: &Store, scan: &Scan, listed: &[&Dead]) -> Summary {
    let count = |s: State| listed.iter().filter(|d| d.state() == s).count();
    Summary {
        kind: "summary",
        stream: store.work_name().to_string(),
        dlq: store.dlq_name().to_string(),
        dead: scan.jobs.len(),
        listed: listed.len(),
        parked: count(State::Parked),
        unrecorded: count(State::Unrecorded),
        too_big_to_copy: listed
            .iter()
            .filter(|d| matches!(d.state(), State::Parked | State::Unrecorded))
            .filter(|d| store.takes_entries && !store.fits_a_copy(d))
            .count(),
        lost: count(State::Lost),
        redelivered: listed
            .iter()
            .filter(|d| {
                matches!(
                    &d.original,
                    Original::Present {
                        redelivered_by: Some(_),
                        ..
                    }
                )
            })
            .count(),
        duplicates: listed.iter().map(|d| d.duplicates().len()).sum(),
        foreign: scan.foreign.len(),
        uncertain: scan.uncertain.len(),
        leftover_markers: scan.orphan_markers.len(),
    }
}

fn summary_text(s: &Summary, filtered: bool) -> String {
    let mut text = if filtered {
        format!(
            "{} of {}",
            s.listed,
            plural(s.dead, "dead job", "dead jobs")
        )
    } else {
        plural(s.dead, "dead job", "dead jobs")
    };
    text.push_str(&format!(" in {}", s.dlq));
    let mut parts = Vec::new();
    let copyable = s.parked + s.unrecorded - s.too_big_to_copy;
    if copyable > 0 {
        parts.push(format!(
            "{copyable} only in {} (`jq-nats dlq reconcile {}` copies them into the DLQ)",
            s.stream, s.stream
        ));
    }
    if s.too_big_to_copy > 0 {
        parts.push(format!(
            "{} only in {}, too big for a copy with its metadata (`jq-nats dlq replay` and `dlq drain` take them from there)",
            s.too_big_to_copy, s.stream
        ));
    }
    if s.lost > 0 {
        parts.push(format!(
            "{} lost (the advisory points at a job gone from the stream: deleted, or done after all by an ack that came late, as after a server restart)",
            s.lost
        ));
    }
    if s.duplicates > 0 {
        parts.push(plural(s.duplicates, "duplicate entry", "duplicate entries"));
    }
    if s.foreign > 0 {
        parts.push(format!(
            "{} skipped",
            plural(s.foreign, "foreign entry", "foreign entries")
        ));
    }
    if s.uncertain > 0 {
        parts.push(format!(
            "{} in {} that may be parked or in flight, left alone",
            plural(s.uncertain, "message", "messages"),
            s.stream
        ));
    }
    if s.leftover_markers > 0 {
        parts.push(format!(
            "{} of dlq commands about jobs that are gone (`jq-nats dlq reconcile {}` removes them)",
            plural(s.leftover_markers, "leftover marker", "leftover markers"),
            s.stream
        ));
    }
    if !parts.is_empty() {
        text.push_str("; ");
        text.push_str(&parts.join("; "));
    }
    text
}

fn truncate(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() <= max && !text.contains('\n') {
        return line.to_string();
    }
    let cut: String = line.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

pub async fn ls(env: &Env, args: DlqLsArgs) -> Result<()> {
    let conn = env.connect().await?;
    let store = open(&conn, args.stream.as_deref()).await?;
    let scan = scan(env, &store).await?;
    let listed: Vec<&Dead> = scan
        .jobs
        .values()
        .filter(|d| super::matches(d, &args.filter))
        .collect();
    let summary = summarize(&store, &scan, &listed);
    let p = &env.printer;
    if p.json {
        for d in &listed {
            p.ndjson(&job_view(&store, d, "job"))?;
        }
        for f in &scan.foreign {
            p.ndjson(&ForeignView {
                kind: "foreign",
                dlq: store.dlq_name(),
                seq: f.dlq_seq,
                subject: &f.subject,
                why: &f.why,
            })?;
        }
        return p.ndjson(&summary);
    }
    if !listed.is_empty() {
        let mut table = p.table(&[
            "SEQ", "SUBJECT", "ATTEMPTS", "REASON", "AGE", "PAYLOAD", "ENTRY",
        ]);
        for d in &listed {
            let entry = match (d.entry(), d.duplicates().len()) {
                (Some((seq, _)), 0) => seq.to_string(),
                (Some((seq, _)), n) => format!("{seq} (+{n} dup)"),
                (None, _) => "none".into(),
            };
            table.add_row(vec![
                d.seq.to_string(),
                printable(d.subject().unwrap_or("?")),
                d.attempts()
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "-".into()),
                printable(&truncate(&d.reason(), 60)),
                age(d.died_at()),
                state_cell(d),
                entry,
            ]);
        }
        p.out(table.trim_fmt())?;
    }
    for d in &listed {
        if let Original::Present {
            redelivered_by: Some(c),
            ..
        } = &d.original
        {
            p.warn(format!(
                "dead job {} is back in {}'s queue: consumer `{c}` will run it again (`jq-nats dlq reconcile {}` prevents it)",
                d.seq,
                store.work_name(),
                store.work_name()
            ));
        }
    }
    for d in &listed {
        if let Some(note) = marker_note(d) {
            p.status(format!("dead job {}: {}", d.seq, super::printable(&note)));
        }
    }
    for f in &scan.foreign {
        p.status(format!(
            "skipped foreign entry {}/{} ({}): {}",
            store.dlq_name(),
            f.dlq_seq,
            super::printable(&f.subject),
            super::printable(&f.why)
        ));
    }
    p.status(summary_text(&summary, !args.filter.is_empty()));
    Ok(())
}

#[derive(Serialize)]
struct HistoryItem {
    at: Option<String>,
    event: String,
}

#[derive(Serialize)]
struct ShowView {
    #[serde(flatten)]
    job: JobView,
    headers: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(flatten)]
    payload: PayloadView,
    history: Vec<HistoryItem>,
}

fn history(store: &Store, d: &Dead) -> Vec<HistoryItem> {
    let mut out = Vec::new();
    if let Some(m) = d.original_msg() {
        out.push(HistoryItem {
            at: Some(rfc3339(m.time)),
            event: format!(
                "published to {} as {}:{}",
                m.subject,
                store.work_name(),
                d.seq
            ),
        });
    }
    if let Some(h) = d.job_headers() {
        if let Some(of) = h.get(crate::cmd::dlq::replay::H_REPLAY_OF) {
            out.push(HistoryItem {
                at: None,
                event: format!("a replay of dead entry {}", of.as_str()),
            });
        }
    }
    if let Some(c) = &d.copy {
        let j = &c.job;
        let mut what = format!("died after {} attempts: {}", j.attempts, j.reason);
        if !j.worker.is_empty() && j.worker != "unknown" {
            what.push_str(&format!(" (worker {})", j.worker));
        }
        out.push(HistoryItem {
            at: parse_time(&j.died_at).map(rfc3339),
            event: what,
        });
    }
    let mut entries: Vec<HistoryItem> = Vec::new();
    for p in &d.pointers {
        entries.push(HistoryItem {
            at: p.at.map(rfc3339),
            event: format!(
                "{} advisory from consumer {} ({} deliveries) stored as {}/{}",
                p.kind.name(),
                p.consumer,
                p.deliveries,
                store.dlq_name(),
                p.dlq_seq
            ),
        });
    }
    for (i, c) in d
        .copy
        .as_deref()
        .into_iter()
        .chain(&d.extra_copies)
        .enumerate()
    {
        entries.push(HistoryItem {
            at: Some(rfc3339(c.stored)),
            event: format!(
                "{}copy stored as {}/{}{}",
                if i > 0 { "duplicate " } else { "" },
                store.dlq_name(),
                c.dlq_seq,
                c.origin
                    .as_ref()
                    .map(|o| format!(" ({o})"))
                    .unwrap_or_default()
            ),
        });
    }
    for m in &d.markers {
        entries.push(HistoryItem {
            at: m.at.map(rfc3339),
            event: format!(
                "{} (marker {}/{}){}",
                m.describe(),
                store.dlq_name(),
                m.dlq_seq,
                if m.held() {
                    ", may still be running"
                } else {
                    ""
                }
            ),
        });
    }
    entries.sort_by_key(|e| e.at.clone());
    out.extend(entries);
    out.push(HistoryItem {
        at: None,
        event: match (&d.original, d.state()) {
            (
                Original::Present {
                    redelivered_by: Some(c),
                    ..
                },
                _,
            ) => format!(
                "original still in {}, and consumer {c} will deliver it again",
                store.work_name()
            ),
            (Original::Present { .. }, _) => {
                format!(
                    "original parked in {} (no consumer delivers it again)",
                    store.work_name()
                )
            }
            (_, State::Lost) => format!(
                "original gone from {}: the payload is lost",
                store.work_name()
            ),
            _ => format!("original removed from {}", store.work_name()),
        },
    });
    out
}

pub async fn show(env: &Env, args: DlqShowArgs) -> Result<()> {
    let conn = env.connect().await?;
    let store = open(&conn, args.stream.as_deref()).await?;
    let scan = scan(env, &store).await?;
    let Some(d) = scan.jobs.get(&args.seq) else {
        return Err(not_found(&store, &scan, args.seq).await);
    };
    let p = &env.printer;
    if args.raw {
        let Some(payload) = d.payload() else {
            return Err(anyhow::anyhow!(
                "the payload of dead job {} is lost: its advisory points at a job gone from `{}`",
                d.seq,
                store.work_name()
            ));
        };
        let mut out = std::io::stdout().lock();
        out.write_all(payload)?;
        out.flush()?;
        return Ok(());
    }
    let headers = d.job_headers().map(|h| header_map(&h)).unwrap_or_default();
    if p.json {
        return p.json(&ShowView {
            job: job_view(&store, d, "job"),
            headers,
            payload: payload_view(d.payload().map(|b| &b[..])),
            history: history(&store, d),
        });
    }
    let v = job_view(&store, d, "job");
    let mut table = p.table(&["", ""]);
    // Every value may come from the job or its handler (headers, stderr, reason, payload).
    let mut kv = |k: &str, v: String| {
        table.add_row(vec![k.to_string(), printable(&v)]);
    };
    kv("job", format!("{}:{}", v.stream, v.seq));
    kv(
        "subject",
        v.subject.clone().unwrap_or_else(|| "? (lost)".into()),
    );
    kv(
        "attempts",
        v.attempts
            .map(|a| a.to_string())
            .unwrap_or_else(|| "-".into()),
    );
    kv("reason", v.reason.clone());
    if let Some(c) = v.exit_code {
        kv("exit code", c.to_string());
    }
    if let Some(s) = v.signal {
        kv("signal", s.to_string());
    }
    if v.timed_out {
        kv("timed out", "yes".into());
    }
    kv(
        "died",
        match &v.died_at {
            Some(t) => format!("{t} ({} ago)", age(d.died_at())),
            None => "-".into(),
        },
    );
    if let Some(w) = &v.worker {
        kv("worker", w.clone());
    }
    if let Some(c) = &v.consumer {
        kv("consumer", c.clone());
    }
    kv(
        "payload",
        match d.payload() {
            Some(b) => format!(
                "{} bytes, {}",
                b.len(),
                match d.state() {
                    State::Copied => format!("copy in {}", store.dlq_name()),
                    _ => format!("only in {} (not yet copied)", store.work_name()),
                }
            ),
            None => "lost".into(),
        },
    );
    let entries: Vec<String> = d
        .entry()
        .into_iter()
        .map(|(s, k)| format!("{s} {k}"))
        .chain(
            d.duplicates()
                .into_iter()
                .map(|(s, k)| format!("{s} {k} (duplicate)")),
        )
        .collect();
    kv(
        "entries",
        if entries.is_empty() {
            "none (found parked in the work stream)".into()
        } else {
            format!("{}: {}", store.dlq_name(), entries.join(", "))
        },
    );
    if !headers.is_empty() {
        kv(
            "headers",
            headers
                .iter()
                .flat_map(|(k, vs)| vs.iter().map(move |v| format!("{k}: {v}")))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    if let Some(tail) = &v.stderr_tail {
        kv("stderr", tail.clone());
    }
    if let Some(note) = marker_note(d) {
        kv("note", note);
    }
    kv(
        "history",
        history(&store, d)
            .into_iter()
            .map(|h| match h.at {
                Some(at) => format!("{at}  {}", h.event),
                None => h.event,
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let mut text = table.trim_fmt();
    text.push('\n');
    match d.payload() {
        Some(b) => match std::str::from_utf8(b) {
            Ok(s) => {
                text.push_str("payload:\n");
                text.push_str(&printable(s));
            }
            Err(_) => text.push_str(&format!(
                "payload: {} bytes of binary data (--raw writes them)",
                b.len()
            )),
        },
        None => text.push_str("payload: lost"),
    }
    p.out(text)
}
