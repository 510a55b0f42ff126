//! `jq-nats dlq ls|show|drain|replay|purge|reconcile`: dead jobs, whoever made the DLQ.
//!
//! Reading and changing the DLQ is `crate::dlq::{read, store}`; this module resolves which
//! stream is meant, selects jobs, and shows what happened.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{anyhow, Result};
use async_nats::HeaderMap;
use indicatif::ProgressBar;
use serde::Serialize;
use time::OffsetDateTime;

use super::stream::{all_streams, dlq_of, is_dlq_stream, require_info, validate_stream_name};
use super::Env;
use crate::cli::{DlqCommand, DlqFilter, DlqSelect};
use crate::context::Conn;
use crate::dlq::marker::{Kind, Marker};
use crate::dlq::read::{Dead, Original, Scan, State};
use crate::dlq::store::{Kept, Store};
use crate::dlq::subject_matches;
use crate::error::{usage, with_hint};
use crate::output::Printer;
use crate::units::format_duration;

mod drain;
mod replay;
mod runner;
mod show;
mod tidy;

pub async fn run(env: &Env, cmd: DlqCommand) -> Result<()> {
    match cmd {
        DlqCommand::Ls(args) => show::ls(env, args).await,
        DlqCommand::Show(args) => show::show(env, args).await,
        DlqCommand::Drain(args) => drain::run(env, args).await,
        DlqCommand::Replay(args) => replay::run(env, args).await,
        DlqCommand::Purge(args) => tidy::purge(env, args).await,
        DlqCommand::Reconcile(args) => tidy::reconcile(env, args).await,
    }
}

/// The work stream meant by `name` (a work stream, or a DLQ that serves one stream), or the
/// only stream with a DLQ when `name` is left out, with its DLQ.
pub async fn open(conn: &Conn, name: Option<&str>) -> Result<Store> {
    let js = &conn.js;
    if let Some(n) = name {
        validate_stream_name(n)?;
    }
    let all = all_streams(js).await?;
    let with_dlq: Vec<&str> = all
        .iter()
        .filter(|s| !is_dlq_stream(s) && dlq_of(&s.config.name, &all).is_some())
        .map(|s| s.config.name.as_str())
        .collect();
    let work_name = match name {
        Some(n) => {
            let info = match all.iter().find(|s| s.config.name == n) {
                Some(i) => i,
                None => {
                    require_info(js, n).await?;
                    return Err(anyhow!("stream `{n}` not found"));
                }
            };
            if is_dlq_stream(info) {
                let served: Vec<&str> = with_dlq
                    .iter()
                    .copied()
                    .filter(|w| dlq_of(w, &all).is_some_and(|d| d.config.name == n))
                    .collect();
                match served.as_slice() {
                    [one] => one.to_string(),
                    [] => {
                        return Err(anyhow!(
                            "`{n}` is a dead-letter stream, but none of the streams it serves exists"
                        ))
                    }
                    many => {
                        return Err(usage(format!(
                            "`{n}` is the dead-letter stream of several streams: {}; name one of them",
                            many.join(", ")
                        )))
                    }
                }
            } else if dlq_of(n, &all).is_some() {
                n.to_string()
            } else {
                return Err(with_hint(
                    anyhow!("stream `{n}` has no dead-letter stream: no stream captures its max-deliveries advisories"),
                    format!("`jq-nats stream add {n} --subjects SUBJECTS --update` adds one (`{n}_dlq`)"),
                ));
            }
        }
        None => match with_dlq.as_slice() {
            [one] => one.to_string(),
            [] => {
                return Err(with_hint(
                    anyhow!("no stream has a dead-letter queue"),
                    "`jq-nats stream add NAME --subjects SUBJECTS` creates a work stream with one",
                ))
            }
            many => {
                return Err(usage(format!(
                    "several streams have a dead-letter queue: {}; name the stream (e.g. `jq-nats dlq ls {}`)",
                    many.join(", "),
                    many[0]
                )))
            }
        },
    };
    let work = all
        .iter()
        .find(|s| s.config.name == work_name)
        .cloned()
        .expect("listed");
    let dlq = dlq_of(&work_name, &all).cloned().expect("has a DLQ");
    let mut store = Store::new(conn.client.clone(), conn.js.clone(), work, dlq);
    store.refusals = conn.refusals.clone();
    store.settings = Some(conn.settings.clone());
    Ok(store)
}

/// Reads every dead job, with a spinner on a terminal.
pub async fn scan(env: &Env, store: &Store) -> Result<Scan> {
    let bar = env.printer.progress(None, "reading dead jobs");
    let result = store.scan(&mut |n| bar.set_position(n)).await;
    bar.finish_and_clear();
    result
}

/// [`scan`] for a command that changes the DLQ: entries that are not dead jobs (not written by
/// jq-nats or the server) are never touched, and it says how many it left.
pub async fn scan_to_change(env: &Env, store: &Store) -> Result<Scan> {
    let scan = scan(env, store).await?;
    if !scan.foreign.is_empty() {
        env.printer.status(format!(
            "{} in {} skipped: not dead jobs, left as they are (`jq-nats dlq ls {}` lists them)",
            plural(scan.foreign.len(), "foreign entry", "foreign entries"),
            store.dlq_name(),
            store.work_name()
        ));
    }
    Ok(scan)
}

pub fn matches(d: &Dead, f: &DlqFilter) -> bool {
    if let Some(s) = &f.subject {
        if !d.subject().is_some_and(|subj| subject_matches(s, subj)) {
            return false;
        }
    }
    if f.since.is_some() || f.until.is_some() {
        let Some(at) = d.died_at() else {
            return false;
        };
        if f.since.is_some_and(|s| at < s) || f.until.is_some_and(|u| at >= u) {
            return false;
        }
    }
    if let Some(re) = &f.reason {
        if !re.is_match(&d.reason()) {
            return false;
        }
    }
    if let Some(n) = f.min_attempts {
        if d.attempts().is_none_or(|a| a < n) {
            return false;
        }
    }
    true
}

/// The dead jobs chosen by `--seq`, `--all` or filters; an unknown sequence is an error.
pub async fn select(store: &Store, scan: &Scan, sel: &DlqSelect, verb: &str) -> Result<Vec<u64>> {
    if sel.seq.is_empty() && !sel.all && sel.filter.is_empty() {
        return Err(usage(format!(
            "choose what to {verb}: --seq SEQ, --all, or a filter (--subject, --since, --until, --reason, --min-attempts)"
        )));
    }
    if sel.seq.is_empty() {
        return Ok(scan
            .jobs
            .values()
            .filter(|d| matches(d, &sel.filter))
            .map(|d| d.seq)
            .collect());
    }
    let mut out = Vec::new();
    for &seq in &sel.seq {
        match scan.jobs.get(&seq) {
            Some(d) if matches(d, &sel.filter) => out.push(seq),
            Some(_) => {}
            None => return Err(not_found(store, scan, seq).await),
        }
    }
    Ok(out)
}

/// "No dead job with that sequence", saying what the sequence is instead.
pub async fn not_found(store: &Store, scan: &Scan, seq: u64) -> anyhow::Error {
    let work = store.work_name();
    let mut hint = format!("`jq-nats dlq ls {work}` lists the dead jobs and their sequences");
    if let Some(d) = scan.jobs.values().find(|d| d.entry_seqs().contains(&seq)) {
        hint = format!(
            "DLQ entry {}/{seq} is the dead job with sequence {} (`jq-nats dlq show {work} {}`); {hint}",
            store.dlq_name(),
            d.seq,
            d.seq
        );
    }
    let what = match crate::dlq::read::get_message(&store.js, work, seq).await {
        Ok(Some(_)) if scan.uncertain.contains(&seq) => {
            format!("job {seq} is not known to be dead: it is in `{work}`, parked or in flight")
        }
        Ok(Some(_)) => format!("job {seq} is not dead: it is in `{work}`, waiting or in flight"),
        _ => format!(
            "no dead job with sequence {seq} in `{}` (and no such job in `{work}`)",
            store.dlq_name()
        ),
    };
    with_hint(anyhow!(what), hint)
}

#[derive(Serialize)]
pub struct EntryRef {
    pub seq: u64,
    pub kind: &'static str,
}

/// A dead job as `ls --json` and the NDJSON of other commands show it.
#[derive(Serialize)]
pub struct JobView {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub stream: String,
    pub seq: u64,
    pub subject: Option<String>,
    pub attempts: Option<u64>,
    pub reason: String,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub stderr_tail: Option<String>,
    pub died_at: Option<String>,
    pub age_secs: Option<u64>,
    pub worker: Option<String>,
    pub consumer: Option<String>,
    /// Where the payload is: dlq (a full copy), parked (only in the work stream, pointed at),
    /// unrecorded (parked with no entry), lost.
    pub state: &'static str,
    pub payload_bytes: Option<usize>,
    pub dlq: String,
    pub entry: Option<EntryRef>,
    pub duplicates: Vec<EntryRef>,
    /// The original is still in the work stream.
    pub original_in_work_stream: bool,
    /// A consumer that will deliver the original again.
    pub redelivered_by: Option<String>,
    /// What `dlq` commands recorded doing with it (not dead jobs themselves).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<MarkerView>,
}

pub fn job_view(store: &Store, d: &Dead, kind: &'static str) -> JobView {
    let died = d.died_at();
    let copy = d.copy.as_ref().map(|c| &c.job);
    JobView {
        kind,
        stream: d.stream.clone(),
        seq: d.seq,
        subject: d.subject().map(str::to_string),
        attempts: d.attempts(),
        reason: d.reason(),
        exit_code: copy.and_then(|j| j.exit_code),
        signal: copy.and_then(|j| j.signal),
        timed_out: copy.is_some_and(|j| j.timed_out),
        stderr_tail: copy.and_then(|j| j.stderr_tail.clone()),
        died_at: died.map(rfc3339),
        age_secs: died.map(age_secs),
        worker: copy.map(|j| j.worker.clone()).filter(|w| !w.is_empty()),
        consumer: d.consumer().map(str::to_string),
        state: d.state().name(),
        payload_bytes: d.payload().map(|p| p.len()),
        dlq: store.dlq_name().to_string(),
        entry: d.entry().map(|(seq, kind)| EntryRef { seq, kind }),
        duplicates: d
            .duplicates()
            .into_iter()
            .map(|(seq, kind)| EntryRef { seq, kind })
            .collect(),
        original_in_work_stream: d.original_msg().is_some(),
        redelivered_by: match &d.original {
            Original::Present { redelivered_by, .. } => redelivered_by.clone(),
            _ => None,
        },
        markers: d.markers.iter().map(marker_view).collect(),
    }
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn age_secs(t: OffsetDateTime) -> u64 {
    (OffsetDateTime::now_utc() - t).whole_seconds().max(0) as u64
}

pub fn age(t: Option<OffsetDateTime>) -> String {
    t.map(|t| format_duration(std::time::Duration::from_secs(age_secs(t))))
        .unwrap_or_else(|| "-".into())
}

/// Text from a job (its headers, its handler's stderr, its payload ...) made safe to print to a
/// terminal: control characters other than newline and tab are shown escaped (`\x1b`, C1 ones
/// as `\u{9b}`), so an escape sequence in a handler's output cannot act on the terminal.
/// JSON output needs none of this: its strings are escaped already.
pub fn printable(text: &str) -> String {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if c.is_control() && (c as u32) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Headers as a sorted map of name to values.
pub fn header_map(h: &HeaderMap) -> std::collections::BTreeMap<String, Vec<String>> {
    h.iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                v.iter().map(|v| v.as_str().to_string()).collect(),
            )
        })
        .collect()
}

/// A payload in JSON: the text when it is UTF-8, else base64.
#[derive(Serialize)]
pub struct PayloadView {
    pub payload: Option<String>,
    pub payload_base64: Option<String>,
}

pub fn payload_view(bytes: Option<&[u8]>) -> PayloadView {
    match bytes {
        None => PayloadView {
            payload: None,
            payload_base64: None,
        },
        Some(b) => match std::str::from_utf8(b) {
            Ok(text) => PayloadView {
                payload: Some(text.to_string()),
                payload_base64: None,
            },
            Err(_) => PayloadView {
                payload: None,
                payload_base64: Some(base64(b)),
            },
        },
    }
}

pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Per-job status lines on stderr that do not tear a progress bar, and the bar itself.
pub struct Reporter {
    pub bar: ProgressBar,
    printer: Printer,
    /// On a terminal, a run of more than [`LISTED_ON_A_TERMINAL`] jobs shows its bar, its
    /// warnings and its summary, but no line per job.
    unlisted: bool,
}

/// The most jobs a run lists one by one on a terminal (about a screenful); past it the lines
/// would only scroll by. A log (stderr not a terminal) gets every line, `--json` every event.
pub const LISTED_ON_A_TERMINAL: usize = 50;

impl Reporter {
    pub fn new(printer: &Printer, len: usize, what: &str) -> Reporter {
        let bar = printer.progress(Some(len as u64), what);
        let unlisted = !bar.is_hidden() && !printer.quiet && len > LISTED_ON_A_TERMINAL;
        if unlisted {
            bar.suspend(|| {
                eprintln!("{len} jobs: not listed one by one on a terminal (--json lists each)")
            });
        }
        Reporter {
            bar,
            printer: printer.clone(),
            unlisted,
        }
    }

    /// A job's status line; formatted only when shown (`-q` and `--json` show none, and a
    /// replay of thousands of jobs would format each for nothing).
    pub fn line(&self, text: std::fmt::Arguments<'_>) {
        if self.printer.quiet || self.printer.json || self.unlisted {
            return;
        }
        self.bar.suspend(|| eprintln!("{text}"));
    }

    pub fn warn(&self, text: impl AsRef<str>) {
        self.bar.suspend(|| self.printer.warn(text));
    }

    pub fn kept(&self, seq: u64, kept: &[Kept]) {
        for k in kept {
            self.warn(format!("job {seq}: kept {}: {}", k.what, k.why));
        }
    }
}

/// How many work-stream messages on a replay's subject are searched for a replay whose
/// publish an interrupted run never confirmed.
const FIND_REPLAY_LIMIT: usize = 10_000;

/// What earlier commands' markers say about a job about to be replayed or drained.
pub enum Prior {
    /// No marker.
    None,
    /// Another command may be handling it right now: leave it.
    Held(Marker),
    /// An interrupted command handled it (the replay was acked, or COMMAND succeeded): it only
    /// needs removing. What happened, and where the replay is.
    Done {
        text: String,
        replayed_as: Option<u64>,
    },
    /// An interrupted command may have handled it: what it was doing.
    Maybe(String),
}

/// Reads a job's markers; an unconfirmed replay is looked for in the work stream.
pub async fn prior(store: &Store, d: &Dead) -> Result<Prior> {
    if !store.marks(d) || d.markers.is_empty() {
        return Ok(Prior::None);
    }
    if let Some(m) = d.markers.iter().rev().find(|m| m.held()) {
        return Ok(Prior::Held(m.clone()));
    }
    if let Some(m) = d.markers.iter().find(|m| m.kind.done()) {
        return Ok(Prior::Done {
            text: m.describe(),
            replayed_as: m.replayed_as.as_ref().map(|r| r.1),
        });
    }
    for m in d.markers.iter().filter(|m| m.kind == Kind::Replaying) {
        if let Some(seq) = store.find_replay(m, FIND_REPLAY_LIMIT).await? {
            return Ok(Prior::Done {
                text: format!(
                    "{}, and its replay is in {} as {}:{seq}",
                    m.describe(),
                    store.work_name(),
                    store.work_name()
                ),
                replayed_as: Some(seq),
            });
        }
    }
    let text = d
        .markers
        .iter()
        .map(|m| {
            let mut t = m.describe();
            if m.kind == Kind::Replaying {
                t.push_str(&format!(
                    ", its publish never confirmed and no such replay waiting in {}",
                    store.work_name()
                ));
            }
            t
        })
        .collect::<Vec<_>>()
        .join("; ");
    Ok(Prior::Maybe(text))
}

/// Markers as `ls --json` and `show --json` show them.
#[derive(Serialize)]
pub struct MarkerView {
    pub seq: u64,
    pub kind: Kind,
    pub by: String,
    pub at: Option<String>,
    /// The command that wrote it may still be running.
    pub held: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replayed_as: Option<String>,
}

pub fn marker_view(m: &Marker) -> MarkerView {
    MarkerView {
        seq: m.dlq_seq,
        kind: m.kind,
        by: m.by.clone(),
        at: m.at.map(rfc3339),
        held: m.held(),
        replayed_as: m.replayed_as.as_ref().map(|(s, q)| format!("{s}:{q}")),
    }
}

/// A note on a job with markers, for people.
pub fn marker_note(d: &Dead) -> Option<String> {
    if d.markers.is_empty() {
        return None;
    }
    let list = d
        .markers
        .iter()
        .map(|m| {
            let mut t = m.describe();
            if m.held() {
                t.push_str(" (may still be running)");
            }
            t
        })
        .collect::<Vec<_>>()
        .join("; ");
    Some(if d.markers.iter().any(|m| m.held()) {
        format!("a dlq command is handling it: {list}")
    } else if d.markers.iter().any(|m| m.kind.done()) {
        format!("handled by an interrupted dlq command, not yet removed: {list}")
    } else {
        format!("an interrupted dlq command may have handled it: {list}")
    })
}

/// First Ctrl-C: stop after the current job. Second: exit 130 at once.
#[derive(Clone)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// `bar`: the run's progress bar, kept whole around the notice.
    pub fn install(printer: &Printer, bar: &ProgressBar) -> Interrupt {
        let flag = Arc::new(AtomicBool::new(false));
        let set = flag.clone();
        let quiet = printer.quiet;
        let bar = bar.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            set.store(true, Ordering::SeqCst);
            if !quiet {
                bar.suspend(|| {
                    eprintln!("stopping after the current job (Ctrl-C again to stop now)")
                });
            }
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(crate::error::EXIT_INTERRUPTED.into());
            }
        });
        Interrupt(flag)
    }

    pub fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A summary count, as "3 dead jobs".
/// Ends a bulk command (`drain`, `replay`): its summary as NDJSON under --json, the sentence on
/// stderr, and exit 1 when a job failed or could not be removed.
pub fn finish(p: &Printer, sum: &impl Serialize, text: String, failed: bool) -> Result<()> {
    if p.json {
        p.ndjson(sum)?;
    }
    p.status(text);
    if failed {
        return Err(crate::error::Exit(crate::error::EXIT_FAILURE).into());
    }
    Ok(())
}

/// Adds "; N WHAT" to a summary sentence, when N is not 0.
pub fn count_clause(text: &mut String, n: usize, what: &str) {
    if n > 0 {
        text.push_str(&format!("; {n} {what}"));
    }
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The state of a dead job for a table.
pub fn state_cell(d: &Dead) -> String {
    match (d.state(), &d.original) {
        (State::Copied, Original::Present { .. }) => "dlq (+parked)".into(),
        (s, _) => s.name().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_encodes() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[0xff, 0x00, 0x80, 0x01]), "/wCAAQ==");
    }

    #[test]
    fn printable_escapes_control_characters_but_newlines_and_tabs() {
        assert_eq!(printable("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(
            printable("\x1b[31mred\x07\r\u{9b}é"),
            "\\x1b[31mred\\x07\\x0d\\u{9b}é"
        );
    }
}
