//! `dlq replay`: publish dead jobs again to their original subjects; an entry goes only after
//! the work stream acked the new job. A crash in between leaves the job twice (the new one and
//! the dead one). The next run finds out from the job's markers: a `replayed` marker (written
//! after the ack) or the replay found in the work stream means it is only removed, not
//! published again; a `replaying` marker alone means it may have been published, which is
//! reported (and, within the work stream's duplicate window, the replay's deterministic
//! `Nats-Msg-Id` makes the server drop the second publish). A DLQ that takes only advisories
//! keeps no markers: there each job is looked at again just before its publish
//! ([`Store::recheck`]): gone meanwhile, it is skipped; its replay found in the work stream
//! (an interrupted or concurrent replay), it is only removed; else the duplicate window catches
//! a repeated replay.

use std::collections::HashSet;
use std::future::IntoFuture;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _, Result};
use async_nats::jetstream::context::{PublishAckFuture, PublishError, PublishErrorKind};
use async_nats::jetstream::publish::PublishAck;
use async_nats::HeaderMap;
use bytes::Bytes;
use serde::Serialize;

use super::{count_clause, job_view, open, plural, prior, select, Interrupt, Prior, Reporter};
use crate::cli::DlqReplayArgs;
use crate::cmd::Env;
use crate::dlq::marker::{self, Kind};
use crate::dlq::read::{Dead, Scan, State};
use crate::dlq::store::{Kept, Recheck, Store};
use crate::failpoint::failpoint;

/// On a replayed job: the dead entry it came from, as `<dlq stream>/<dlq seq>`.
pub const H_REPLAY_OF: &str = "Jq-Replay-Of";
/// On a replayed job: the dead job it came from, as `<stream>:<seq>`.
pub const H_REPLAY_OF_JOB: &str = "Jq-Replay-Of-Job";
/// On a replayed job whose payload was changed with `--edit`.
pub const H_REPLAY_EDITED: &str = "Jq-Replay-Edited";

/// The replay's message id: fresh next to the job's own, the same for every replay of one
/// dead job, so the duplicate window catches a replay repeated after a crash.
pub fn replay_msg_id(stream: &str, seq: u64) -> String {
    format!("replay-{stream}-{seq}")
}

/// The job's own headers, minus what would make the server drop or refuse the replay, plus the
/// replay's id and its links to the dead entry.
pub fn replay_headers(store: &Store, d: &Dead, edited: bool) -> HeaderMap {
    use async_nats::header::HeaderName;
    let mut out = HeaderMap::new();
    let own = |name: &str| {
        name.eq_ignore_ascii_case("nats-msg-id")
            || name
                .get(..14)
                .is_some_and(|p| p.eq_ignore_ascii_case("nats-expected-"))
            || name.eq_ignore_ascii_case(H_REPLAY_OF)
            || name.eq_ignore_ascii_case(H_REPLAY_OF_JOB)
            || name.eq_ignore_ascii_case(H_REPLAY_EDITED)
    };
    let job = d.copy.as_ref().and_then(|c| c.job.headers.as_ref());
    let original = if d.copy.is_none() {
        d.original_msg().map(|m| &m.headers)
    } else {
        None
    };
    for h in job.into_iter().chain(original) {
        for (name, values) in h.iter() {
            if own(name.as_ref()) {
                continue;
            }
            for v in values {
                out.append(name.clone(), v.clone());
            }
        }
    }
    out.insert(
        HeaderName::from_static("Nats-Msg-Id"),
        replay_msg_id(store.work_name(), d.seq).as_str(),
    );
    // Refused unless the work stream takes it, rather than stored wherever the subject leads.
    out.insert(
        HeaderName::from_static("Nats-Expected-Stream"),
        store.work_name(),
    );
    if let Some((seq, _)) = d.entry() {
        out.insert(
            HeaderName::from_static(H_REPLAY_OF),
            format!("{}/{seq}", store.dlq_name()).as_str(),
        );
    }
    out.insert(
        HeaderName::from_static(H_REPLAY_OF_JOB),
        format!("{}:{}", store.work_name(), d.seq).as_str(),
    );
    if edited {
        out.insert(HeaderName::from_static(H_REPLAY_EDITED), "true");
    }
    out
}

#[derive(Serialize)]
struct Event<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    seq: u64,
    subject: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_seq: Option<u64>,
    /// The work stream had this replay already (an interrupted earlier run published it).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    duplicate: bool,
    /// An interrupted run may have published it already (its markers say so).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    possible_duplicate: bool,
    /// What earlier, interrupted or running, commands recorded doing with the job.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    kept: Vec<Kept>,
}

#[derive(Serialize, Default)]
struct Summary {
    #[serde(rename = "type")]
    kind: &'static str,
    replayed: usize,
    duplicates: usize,
    /// Replayed by an interrupted run and only removed now.
    replayed_before: usize,
    /// Published again though an interrupted run may have published them already.
    possible_duplicates: usize,
    /// Left alone: another command is handling them.
    held: usize,
    failed: usize,
    kept: usize,
    left: usize,
    interrupted: bool,
}

/// Opens `$VISUAL`/`$EDITOR` (else vi) on a copy of the payload; the saved file is the new one.
async fn edit(payload: &[u8], seq: u64) -> Result<Bytes> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path =
        std::env::temp_dir().join(format!("jq-nats-replay-{}-{seq}.txt", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("failed to create {}", path.display()))?;
    file.write_all(payload)?;
    drop(file);
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|e| !e.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".into());
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let status = tokio::process::Command::new(program)
        .args(words)
        .arg(&path)
        .status()
        .await
        .with_context(|| format!("failed to run the editor `{editor}`"));
    let result = match status {
        Ok(s) if s.success() => std::fs::read(&path)
            .map(Bytes::from)
            .with_context(|| format!("failed to read {}", path.display())),
        Ok(s) => Err(anyhow!(
            "the editor `{editor}` exited with {s}: job {seq} not replayed"
        )),
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_file(&path);
    result
}

pub async fn run(env: &Env, args: DlqReplayArgs) -> Result<()> {
    let conn = env.connect().await?;
    let mut store = open(&conn, args.stream.as_deref()).await?;
    let result = replay(env, &mut store, &args).await;
    // Whatever happened: give back DLQ entries taken and not removed, remove our consumers.
    store.finish().await;
    result
}

async fn replay(env: &Env, store: &mut Store, args: &DlqReplayArgs) -> Result<()> {
    let mut scan = super::scan_to_change(env, store).await?;
    let chosen = select(store, &scan, &args.select, "replay").await?;
    if !args.dry_run {
        store.clear_orphans(&mut scan).await?;
    }
    let p = &env.printer;
    if args.dry_run {
        for seq in &chosen {
            let d = &scan.jobs[seq];
            if p.json {
                p.ndjson(&job_view(store, d, "would_replay"))?;
            } else {
                p.status(format!(
                    "would replay {} to {}{}",
                    d.seq,
                    d.subject().unwrap_or("?"),
                    if d.state() == State::Lost {
                        " (no: its payload is lost)"
                    } else {
                        ""
                    }
                ));
            }
        }
        p.status(format!(
            "{} to replay (dry run: nothing changed)",
            plural(chosen.len(), "dead job", "dead jobs")
        ));
        return Ok(());
    }
    let report = Reporter::new(p, chosen.len(), "replaying");
    let interrupt = Interrupt::install(p, &report.bar);
    let mut sum = Summary {
        kind: "summary",
        ..Default::default()
    };
    let gap = args.rate.map(|r| Duration::from_secs_f64(1.0 / r));
    let total = chosen.len();
    // Without a rate or an editor, jobs go in pipelined windows; with one, one at a time.
    let window = if gap.is_some() || args.edit {
        1
    } else {
        window_for(store.js.client().server_info().max_payload)
    };
    let mut batches = Batches::new();
    // The jobs there were: for the batch claims of earlier runs, which go once none of their
    // jobs is left.
    let present: HashSet<u64> = scan.jobs.keys().copied().collect();
    let mut run = Run {
        p,
        report: &report,
        args,
        gap,
        next_at: Instant::now(),
        done: 0,
        waiting: Vec::new(),
        gone: HashSet::new(),
        sum: &mut sum,
    };
    // The window whose publishes were sent last, its acks awaited once the next window's
    // publishes are on their way too (the server is never left idle between windows).
    let mut sent: Option<Open> = None;
    for seqs in chosen.chunks(window) {
        if interrupt.requested() {
            break;
        }
        let jobs: Vec<Dead> = seqs
            .iter()
            .map(|seq| scan.jobs.remove(seq).expect("selected"))
            .collect();
        // Before anything is removed: a removed copy takes the subject with it.
        let subjects: Vec<Option<String>> = jobs
            .iter()
            .map(|d| d.subject().map(str::to_string))
            .collect();
        let outcomes: Vec<Option<(Result<Replayed>, Vec<Kept>)>> =
            seqs.iter().map(|_| None).collect();
        let publishes = if window > 1 {
            send_window(store, &jobs, &mut batches).await
        } else {
            None
        };
        let open = Open {
            jobs,
            subjects,
            outcomes,
            publishes,
        };
        if let Some(before) = sent.take() {
            run.complete(store, before, &mut batches, &interrupt)
                .await?;
        }
        if open.publishes.is_some() {
            sent = Some(open);
        } else {
            run.complete(store, open, &mut batches, &interrupt).await?;
        }
    }
    if let Some(last) = sent.take() {
        run.complete(store, last, &mut batches, &interrupt).await?;
    }
    let Run {
        done,
        mut waiting,
        mut gone,
        ..
    } = run;
    if done < total && interrupt.requested() {
        sum.interrupted = true;
        sum.left = total - done;
    }
    remove_replayed(store, &scan, &mut waiting, &batches).await;
    for w in &waiting {
        note_gone(w, &mut gone);
    }
    store
        .clear_finished_batches(&scan.batches, |j| {
            !present.contains(&j) || gone.contains(&j)
        })
        .await;
    for window in waiting {
        settle_window(p, &report, &mut sum, window)?;
    }
    report.bar.finish_and_clear();
    let mut text = format!("replayed {}", plural(sum.replayed, "dead job", "dead jobs"));
    if sum.duplicates > 0 {
        text.push_str(&format!(
            " ({} had been replayed already by an interrupted run)",
            sum.duplicates
        ));
    }
    count_clause(
        &mut text,
        sum.replayed_before,
        "replayed before by an interrupted run, removed without publishing again",
    );
    count_clause(
        &mut text,
        sum.possible_duplicates,
        "possibly published twice (see warnings)",
    );
    count_clause(
        &mut text,
        sum.held,
        "skipped: another dlq command is handling them",
    );
    count_clause(
        &mut text,
        sum.failed,
        &format!("failed and stayed in {}", store.dlq_name()),
    );
    count_clause(
        &mut text,
        sum.kept,
        "replayed but left in place (see warnings)",
    );
    if sum.interrupted {
        text.push_str(&format!("; interrupted with {} left", sum.left));
    }
    super::finish(p, &sum, text, sum.failed > 0 || sum.kept > 0)
}

/// The most jobs sent together when no rate is set and nothing is edited. Two windows are in
/// flight at once (the acks of one awaited while the next is sent), so two must stay below
/// async-nats' limit of acks awaited at once (5000, past which a publish waits for a permit
/// that only an awaited ack gives back), with room for the batch claims and records.
const WINDOW: usize = 2048;

/// Jobs per window for a server taking payloads up to `max_payload`: a window's record lists
/// each job's two sequences (up to ~42 bytes a job in JSON), and must be taken.
fn window_for(max_payload: usize) -> usize {
    (max_payload / 64).clamp(16, WINDOW)
}

/// A window of jobs and what became of them; `unremoved` are the jobs replayed whose copy and
/// markers are still to be removed.
struct Window {
    jobs: Vec<Dead>,
    subjects: Vec<Option<String>>,
    outcomes: Vec<Option<(Result<Replayed>, Vec<Kept>)>>,
    unremoved: Vec<usize>,
}

/// Notes the window's jobs of which nothing is left.
fn note_gone(w: &Window, gone: &mut HashSet<u64>) {
    for d in &w.jobs {
        if d.copy.is_none()
            && d.extra_copies.is_empty()
            && d.pointers.is_empty()
            && d.original_msg().is_none()
        {
            gone.insert(d.seq);
        }
    }
}

/// Reports a window's jobs, in order.
fn settle_window(
    p: &crate::output::Printer,
    report: &Reporter,
    sum: &mut Summary,
    w: Window,
) -> Result<()> {
    for ((d, subject), outcome) in w.jobs.iter().zip(w.subjects).zip(w.outcomes) {
        if let Some((outcome, kept)) = outcome {
            settle(p, report, sum, d.seq, subject, outcome, kept)?;
        }
    }
    Ok(())
}

/// Removes the jobs the windows replayed: all in one purge when nothing else is on their
/// subjects (a whole DLQ replayed, the usual case: see [`Store::purge_jobs`], which `scan`
/// tells what lies below where it ended), else one by one,
/// each job's copy before its markers. Until then each has its `replayed` marker, so a crash
/// here leaves jobs the next run only removes.
async fn remove_replayed(
    store: &mut Store,
    scan: &Scan,
    windows: &mut [Window],
    batches: &Batches,
) {
    // The batch claims go with the jobs when none of them can be left to look for.
    let batch: &[u64] = if batches.settled {
        &batches.messages
    } else {
        &[]
    };
    let all: Vec<&Dead> = windows
        .iter()
        .flat_map(|w| w.unremoved.iter().map(|&i| &w.jobs[i]))
        .collect();
    if store.purge_jobs(&all, batch, scan).await {
        for w in windows.iter_mut() {
            for &i in &w.unremoved {
                w.jobs[i].copy = None;
                w.jobs[i].markers.clear();
            }
            w.unremoved.clear();
        }
        return;
    }
    let mut all_gone = true;
    for w in windows.iter_mut() {
        let unremoved = std::mem::take(&mut w.unremoved);
        let copies: Vec<u64> = unremoved
            .iter()
            .map(|&i| w.jobs[i].copy.as_ref().map_or(0, |c| c.dlq_seq))
            .collect();
        let gone = store.delete_entries(&copies).await;
        let mut markers = Vec::new();
        for (&i, gone) in unremoved.iter().zip(gone) {
            if gone {
                w.jobs[i].copy = None;
                markers.extend(w.jobs[i].markers.iter().map(|m| (i, m.dlq_seq)));
            }
        }
        let seqs: Vec<u64> = markers.iter().map(|(_, s)| *s).collect();
        let gone = store.delete_entries(&seqs).await;
        for ((i, seq), gone) in markers.into_iter().zip(gone) {
            if gone {
                w.jobs[i].markers.retain(|m| m.dlq_seq != seq);
            }
        }
        // Whatever is left of a job is removed the slow way, what cannot be is reported.
        for i in unremoved {
            let d = &mut w.jobs[i];
            if d.copy.is_some() || !d.markers.is_empty() {
                if let Some((_, kept)) = &mut w.outcomes[i] {
                    remove(store, d, kept).await;
                }
            }
            all_gone &= d.copy.is_none();
        }
    }
    // Then the batch claims, each after its records; a claim whose jobs are not all gone
    // stays (the next run removes it once they are).
    if batch.len() == batches.messages.len() && all_gone {
        let mut seqs = batch.to_vec();
        seqs.reverse();
        store.delete_entries(&seqs).await;
    }
}

/// Reports what became of one dead job and counts it.
fn settle(
    p: &crate::output::Printer,
    report: &Reporter,
    sum: &mut Summary,
    seq: u64,
    subject: Option<String>,
    outcome: Result<Replayed>,
    kept: Vec<Kept>,
) -> Result<()> {
    let mut event = Event {
        kind: "replayed",
        seq,
        subject: subject.as_deref(),
        new_seq: None,
        duplicate: false,
        possible_duplicate: false,
        note: None,
        error: None,
        kept,
    };
    match outcome {
        Ok(Replayed::Before { text, new_seq }) => {
            sum.replayed_before += 1;
            event.kind = "replayed_before";
            event.new_seq = new_seq;
            report.warn(format!(
                "dead job {seq} was replayed before by an interrupted run ({text}): not published again; its entry is now removed"
            ));
            event.note = Some(text);
            if !event.kept.is_empty() {
                sum.kept += 1;
                report.kept(seq, &event.kept);
            }
        }
        Ok(Replayed::Held(text)) => {
            sum.held += 1;
            event.kind = "held";
            report.warn(format!(
                "dead job {seq} skipped: another dlq command is handling it ({text}); run again once it is done"
            ));
            event.note = Some(text);
        }
        Ok(Replayed::Published { ack, maybe }) => {
            if let Some(text) = maybe {
                if !ack.duplicate {
                    sum.possible_duplicates += 1;
                    event.possible_duplicate = true;
                    let what = if text.starts_with("draining") {
                        "processed"
                    } else {
                        "replayed"
                    };
                    report.warn(format!(
                        "dead job {seq} may have been {what} already by an interrupted run ({text}); published again"
                    ));
                }
                event.note = Some(text);
            }
            sum.replayed += 1;
            event.new_seq = Some(ack.sequence);
            event.duplicate = ack.duplicate;
            if ack.duplicate {
                sum.duplicates += 1;
                report.warn(format!(
                    "dead job {seq} was already replayed as {}:{} by an interrupted run (the duplicate window caught this one); its entry is now removed",
                    ack.stream, ack.sequence
                ));
            } else {
                report.line(format_args!(
                    "replayed {seq} ({}) as {}:{}",
                    subject.as_deref().unwrap_or("?"),
                    ack.stream,
                    ack.sequence
                ));
            }
            if !event.kept.is_empty() {
                sum.kept += 1;
                report.kept(seq, &event.kept);
            }
        }
        Err(e) => {
            sum.failed += 1;
            event.kind = "failed";
            event.error = Some(format!("{e:#}"));
            report.warn(format!("dead job {seq} not replayed: {e:#}"));
        }
    }
    if p.json {
        p.ndjson(&event)?;
    }
    Ok(())
}

/// What became of one dead job.
enum Replayed {
    /// Published now; `maybe` when an interrupted run may have published it already.
    Published {
        ack: PublishAck,
        maybe: Option<String>,
    },
    /// Handled by an interrupted run (its markers say so): removed, not published again.
    Before { text: String, new_seq: Option<u64> },
    /// Another command is handling it: left alone.
    Held(String),
}

async fn replay_one(
    store: &mut Store,
    d: &mut Dead,
    args: &DlqReplayArgs,
    gap: Option<Duration>,
    next_at: &mut Instant,
    kept: &mut Vec<Kept>,
) -> Result<Replayed> {
    if d.state() == State::Lost {
        return Err(anyhow!(
            "its payload is lost: the advisory points at a job gone from `{}`",
            store.work_name()
        ));
    }
    // Only parked: copy it into the DLQ first, so the entry that stays until the replay is
    // acked holds the payload. A job too big for a copy stays without one (see
    // `Store::reclaim`): it is replayed from its parked original, as on a DLQ that takes only
    // advisories (looked at again just before the publish, its original removed after it).
    if d.copy.is_none() && store.takes_entries {
        store.reclaim(d, kept).await?;
    }
    let maybe = match prior(store, d).await? {
        Prior::None => None,
        Prior::Held(m) => return Ok(Replayed::Held(m.describe())),
        Prior::Done { text, replayed_as } => {
            remove(store, d, kept).await;
            return Ok(Replayed::Before {
                text,
                new_seq: replayed_as,
            });
        }
        Prior::Maybe(text) => Some(text),
    };
    // Nothing lost, nothing run twice: the replay is published only if the original can be
    // removed after it (removing it first would lose the job if the publish failed). An
    // original nothing can remove (its stream denies deletes and the consumer that parked it
    // is gone) would run beside its replay: the job is refused, its entry stays.
    if let Some(why) = store.original_blocked(d).await? {
        return Err(anyhow!(
            "its original {}:{} cannot be removed after a replay ({why}); not published, so it cannot run twice, and its DLQ entry stays",
            store.work_name(),
            d.seq
        ));
    }
    let subject = d
        .subject()
        .ok_or_else(|| anyhow!("its original subject is unknown"))?
        .to_string();
    let mut payload = d.payload().cloned().unwrap_or_default();
    if args.edit {
        payload = edit(&payload, d.seq).await?;
    }
    let headers = replay_headers(store, d, args.edit);
    if let Some(gap) = gap {
        let now = Instant::now();
        if *next_at > now {
            tokio::time::sleep(*next_at - now).await;
        }
        *next_at = Instant::now().max(*next_at) + gap;
    }
    let marks = store.marks(d);
    if marks {
        failpoint("replay.claiming");
        let mut intent = marker::New::of(Kind::Replaying);
        intent.subject = Some(subject.clone());
        intent.msg_id = Some(replay_msg_id(store.work_name(), d.seq));
        intent.after = Some(store.work_last_seq().await?);
        if let Err(holder) = store.claim(d, intent).await? {
            return Ok(Replayed::Held(
                holder
                    .map(|m| m.describe())
                    .unwrap_or_else(|| "its entry changed since it was read".into()),
            ));
        }
    }
    if !marks {
        // No marker can claim it (a DLQ that takes only advisories): another command may
        // have replayed or run it since it was read. Looked at last thing before the publish.
        match store
            .recheck(d, &replay_msg_id(store.work_name(), d.seq))
            .await?
        {
            Recheck::Same => {}
            Recheck::Replayed(seq) => {
                remove(store, d, kept).await;
                return Ok(Replayed::Before {
                    text: format!(
                        "another dlq command replayed it as {}:{seq}",
                        store.work_name()
                    ),
                    new_seq: Some(seq),
                });
            }
            Recheck::Changed(why) => {
                return Ok(Replayed::Held(format!("{why} since it was read")));
            }
        }
    }
    let sent = store
        .js
        .publish_with_headers(subject.clone(), headers, payload)
        .await;
    let ack = match ack_of(store, &subject, sent).await {
        Ok(ack) => ack,
        Err((e, unanswered)) => {
            // A publish that may have been stored keeps its intent, for the next run to look
            // for; a refused one takes it back, so the next run reports no duplicate.
            if marks && !unanswered {
                let _ = store.release(d, kept).await;
            }
            return Err(e);
        }
    };
    failpoint("replay.acked");
    if marks {
        let mut done = marker::New::of(Kind::Replayed);
        done.replayed_as = Some((ack.stream.clone(), ack.sequence));
        // Without it the intent still tells the next run to look for this replay.
        let _ = store.mark_done(d, done).await;
    }
    failpoint("replay.published");
    remove(store, d, kept).await;
    Ok(Replayed::Published { ack, maybe })
}

/// The ack of a replay published to `subject`, or why there is none and whether the job may
/// have been stored all the same (no answer) rather than refused.
async fn ack_of(
    store: &Store,
    subject: &str,
    sent: Result<PublishAckFuture, PublishError>,
) -> std::result::Result<PublishAck, (anyhow::Error, bool)> {
    match sent {
        Ok(ack) => tokio::select! {
            acked = ack.into_future() => acked.map_err(|e| {
                let unanswered = e.kind() == PublishErrorKind::TimedOut;
                (
                    anyhow::Error::new(e).context(format!(
                        "failed to publish to {subject} (`{}` did not ack it)",
                        store.work_name()
                    )),
                    unanswered,
                )
            }),
            // The server dropped it (the user may not publish there): nothing was stored.
            refusal = store.refusals.of_publish(subject) => Err((refusal.into_error(), false)),
        },
        Err(e) => Err((
            anyhow!("{e}").context(format!("failed to publish to {subject}")),
            false,
        )),
    }
}

/// Removes a replayed job; what could not be removed is kept and said.
async fn remove(store: &mut Store, d: &mut Dead, kept: &mut Vec<Kept>) {
    if let Err(e) = store.remove_job(d, kept).await {
        kept.push(Kept {
            what: format!("dead job {}", d.seq),
            why: format!("{e:#}"),
        });
    }
}

/// Whether a job can go in a pipelined window: its copy is its only entry and its entry
/// subject ends at it as far as the scan saw (no marker, no duplicate, no original left, no
/// pointer), and the DLQ allows deletes. Anything else goes one at a time.
fn pipelinable(store: &Store, d: &Dead) -> bool {
    store.marks(d)
        && store.dlq_deletes()
        && d.state() != State::Lost
        && d.original_msg().is_none()
        && d.pointers.is_empty()
        && d.extra_copies.is_empty()
        && d.markers.is_empty()
        && d.subject().is_some()
        && d.copy
            .as_ref()
            .is_some_and(|c| c.job.stream == store.work_name() && c.job.seq == d.seq)
}

/// This run's batch claims, for their removal.
#[derive(Default)]
struct Batches {
    /// DLQ sequences of the claims and records written.
    messages: Vec<u64>,
    /// Whether every claimed job was replayed or given back (none may have been published
    /// without an ack saying so): then the claims can go once the replayed jobs are gone.
    settled: bool,
    /// A check found the DLQ changed by someone else: no more batches this run.
    off: bool,
    /// The work stream's last sequence before the first batch publish: every replay of this
    /// run comes after it, which is all a claim's `after` must say (the next run looks for
    /// the replays past it). Asked once: asked per window, the answer waited behind the
    /// previous window's publishes.
    after: Option<u64>,
}

impl Batches {
    fn new() -> Batches {
        Batches {
            settled: true,
            ..Default::default()
        }
    }
}

/// One window of jobs: what was sent of it, what became of each.
struct Open {
    jobs: Vec<Dead>,
    subjects: Vec<Option<String>>,
    outcomes: Vec<Option<(Result<Replayed>, Vec<Kept>)>>,
    publishes: Option<Publishes>,
}

/// A window's batch publishes, sent, their acks not yet awaited.
struct Publishes {
    claim: u64,
    /// Jobs claimed and given back (another command has them).
    released: Vec<u64>,
    sent: Vec<(usize, String, Result<PublishAckFuture, PublishError>)>,
}

/// The state of a replay across its windows.
struct Run<'a> {
    p: &'a crate::output::Printer,
    report: &'a Reporter,
    args: &'a DlqReplayArgs,
    gap: Option<Duration>,
    next_at: Instant,
    done: usize,
    /// Windows whose replayed jobs wait to be removed together (see `remove_replayed`).
    waiting: Vec<Window>,
    /// Jobs whose every entry is gone by now: for the batch claims of earlier runs.
    gone: HashSet<u64>,
    sum: &'a mut Summary,
}

impl Run<'_> {
    /// Awaits a window's batch publishes, then replays the rest of its jobs one by one, and
    /// reports it (or leaves it for `remove_replayed`).
    async fn complete(
        &mut self,
        store: &mut Store,
        open: Open,
        batches: &mut Batches,
        interrupt: &Interrupt,
    ) -> Result<()> {
        let Open {
            mut jobs,
            subjects,
            mut outcomes,
            publishes,
        } = open;
        let unremoved = match publishes {
            Some(publishes) => await_window(store, &jobs, &mut outcomes, batches, publishes).await,
            None => vec![],
        };
        for (i, d) in jobs.iter_mut().enumerate() {
            if outcomes[i].is_some() {
                continue;
            }
            if i > 0 && interrupt.requested() {
                break;
            }
            let mut kept = vec![];
            let outcome =
                replay_one(store, d, self.args, self.gap, &mut self.next_at, &mut kept).await;
            outcomes[i] = Some((outcome, kept));
        }
        let finished = outcomes.iter().filter(|o| o.is_some()).count();
        self.done += finished;
        self.report.bar.inc(finished as u64);
        let window = Window {
            jobs,
            subjects,
            outcomes,
            unremoved,
        };
        if window.unremoved.is_empty() {
            note_gone(&window, &mut self.gone);
            settle_window(self.p, self.report, self.sum, window)?;
        } else {
            self.waiting.push(window);
        }
        Ok(())
    }
}

/// Replays a window of jobs under one batch claim ([`Store::write_batch_claim`]), checked
/// against other commands' claims ([`Store::check_batch`]): the jobs it won are published
/// together, all sent before any ack is awaited, and [`await_window`] awaits them once the
/// next window is sent too; then one record says which were replayed (and as what) and which
/// were given back (refused). Their removal is left to [`remove_replayed`], which the jobs
/// `await_window` returns (replayed, not removed) wait for. A job the check lost, and every job
/// when the claim or its check fails, is given back and left with no outcome, for
/// [`replay_one`]; a publish that may have been stored (no ack) fails the job and keeps the
/// claim, for the next run to look for the replay. Only the jobs that need nothing but a
/// publish ([`pipelinable`]) go this way; None when there are none.
///
/// A kill leaves: after the claim, its jobs each with a `replaying` marker as far as readers
/// see (the next run looks for their replays, else publishes them again with a warning); after
/// the record, the replayed jobs marked `replayed` (only removed next time).
async fn send_window(store: &mut Store, jobs: &[Dead], batches: &mut Batches) -> Option<Publishes> {
    if batches.off {
        return None;
    }
    let picked: Vec<usize> = (0..jobs.len())
        .filter(|&i| pipelinable(store, &jobs[i]))
        .collect();
    if picked.is_empty() {
        return None;
    }
    let after = match batches.after {
        Some(after) => after,
        None => {
            let Ok(after) = store.work_last_seq().await else {
                return None;
            };
            *batches.after.insert(after)
        }
    };
    let seqs: Vec<u64> = picked.iter().map(|&i| jobs[i].seq).collect();
    // 1. The claim, then what came before it.
    failpoint("replay.claiming");
    let claim = match store.write_batch_claim(&seqs, after).await {
        Ok(claim) => claim,
        // Perhaps stored: our own claim never keeps our per-job claims out.
        Err(_) => {
            batches.settled = false;
            return None;
        }
    };
    batches.messages.push(claim);
    failpoint("replay.claimed");
    let won = match store.check_batch(claim, &seqs).await {
        Ok(Some(won)) => won,
        _ => {
            batches.off = true;
            match store.write_batch_record(claim, &[], &seqs).await {
                Ok(record) => batches.messages.push(record),
                Err(_) => batches.settled = false,
            }
            return None;
        }
    };
    let won: std::collections::HashSet<u64> = won.into_iter().collect();
    let released: Vec<u64> = seqs.iter().copied().filter(|s| !won.contains(s)).collect();
    let won: Vec<usize> = picked
        .into_iter()
        .filter(|&i| won.contains(&jobs[i].seq))
        .collect();
    // 2. The publishes.
    let mut sent = Vec::with_capacity(won.len());
    for &i in &won {
        let d = &jobs[i];
        let subject = d.subject().unwrap_or_default().to_string();
        let payload = d.payload().cloned().unwrap_or_default();
        let headers = replay_headers(store, d, false);
        let ack = store
            .js
            .publish_with_headers(subject.clone(), headers, payload)
            .await;
        sent.push((i, subject, ack));
    }
    Some(Publishes {
        claim,
        released,
        sent,
    })
}

/// Awaits the acks of a window [`send_window`] sent, writes its record; the jobs replayed,
/// whose removal waits for the other windows (see `remove_replayed`).
async fn await_window(
    store: &Store,
    jobs: &[Dead],
    outcomes: &mut [Option<(Result<Replayed>, Vec<Kept>)>],
    batches: &mut Batches,
    publishes: Publishes,
) -> Vec<usize> {
    let Publishes {
        claim,
        mut released,
        sent,
    } = publishes;
    let mut acked = Vec::with_capacity(sent.len());
    for (i, subject, ack) in sent {
        match ack_of(store, &subject, ack).await {
            Ok(ack) => {
                failpoint("replay.acked");
                acked.push((i, ack));
            }
            Err((e, unanswered)) => {
                // A refused publish is given back; one that may have been stored keeps the
                // claim, for the next run to look for.
                if unanswered {
                    batches.settled = false;
                } else {
                    released.push(jobs[i].seq);
                }
                outcomes[i] = Some((Err(e), vec![]));
            }
        }
    }
    // 3. The record (without it the claim still tells the next run to look for the replays).
    let replayed: Vec<(u64, u64)> = acked
        .iter()
        .map(|(i, ack)| (jobs[*i].seq, ack.sequence))
        .collect();
    released.sort_unstable();
    match store.write_batch_record(claim, &replayed, &released).await {
        Ok(record) => batches.messages.push(record),
        Err(_) => batches.settled = false,
    }
    for _ in &acked {
        failpoint("replay.published");
    }
    // 4. Removal waits for the other windows (see `remove_replayed`).
    let mut unremoved = Vec::with_capacity(acked.len());
    for (i, ack) in acked {
        outcomes[i] = Some((Ok(Replayed::Published { ack, maybe: None }), vec![]));
        unremoved.push(i);
    }
    unremoved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_record_fits_the_servers_max_payload() {
        assert_eq!(window_for(1 << 20), WINDOW);
        for max_payload in [1 << 20, 64 << 10, 8 << 10, 2 << 10] {
            let n = window_for(max_payload) as u64;
            // The longest sequences there are.
            let replayed: Vec<(u64, u64)> = (0..n).map(|i| (u64::MAX - i, u64::MAX - i)).collect();
            let body = crate::dlq::marker::record_body(&replayed, &[]);
            assert!(
                body.len() <= max_payload,
                "{n} jobs: a record of {} bytes, max payload {max_payload}",
                body.len()
            );
        }
    }
}
