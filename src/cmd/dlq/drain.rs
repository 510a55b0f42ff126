//! `dlq drain`: every dead job once, to COMMAND (removed only when it succeeds) or to stdout
//! (removed once written), then exit.
//!
//! At least once: a drain killed after COMMAND succeeded and before the entry was removed
//! leaves the job dead. Markers make that visible: `draining` is written before COMMAND runs,
//! `drained` once it succeeded. The next drain removes a job marked `drained` without running
//! it again, and runs a job marked only `draining` again with a warning that it may have been
//! processed already (COMMAND may have succeeded just before the kill); `--skip-interrupted`
//! leaves those in the DLQ instead, for a person to check. A DLQ that takes only advisories
//! keeps no markers: there a job is run again without a warning, unless a look just before
//! COMMAND ([`Store::recheck`]) finds it gone meanwhile (skipped) or replayed (only removed).

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::runner::{self, header_var};
use super::{
    count_clause, header_map, job_view, open, payload_view, plural, prior, Interrupt, JobView,
    PayloadView, Prior, Reporter,
};
use crate::cli::DlqDrainArgs;
use crate::cmd::Env;
use crate::dlq::marker::{self, Kind};
use crate::dlq::read::{Dead, State};
use crate::dlq::store::{Kept, Recheck, Store};
use crate::failpoint::failpoint;
use crate::worker::print::write_payload_line;

#[derive(Serialize)]
struct JobOut {
    #[serde(flatten)]
    job: JobView,
    headers: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(flatten)]
    payload: PayloadView,
}

#[derive(Serialize)]
struct Event<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    seq: u64,
    subject: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stderr_tail: Option<String>,
    /// An interrupted drain may have processed it already (its markers say so).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    possible_duplicate: bool,
    /// What earlier, interrupted or running, commands recorded doing with the job.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    kept: Vec<Kept>,
}

#[derive(Serialize, Default)]
struct Summary {
    #[serde(rename = "type")]
    kind: &'static str,
    drained: usize,
    /// Handled by an interrupted run (drained, or replayed) and only removed now.
    done_before: usize,
    /// Handled again though an interrupted drain may have processed them already.
    possible_duplicates: usize,
    /// Left in the DLQ: an interrupted drain may have processed them (`--skip-interrupted`).
    skipped_interrupted: usize,
    /// Left alone: another command is handling them.
    held: usize,
    failed: usize,
    lost: usize,
    kept: usize,
    left: usize,
    interrupted: bool,
    /// Stopped because the reader of our stdout went away (`dlq drain ... | head`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stdout_closed: bool,
}

/// The environment of COMMAND for one dead job.
fn vars(store: &Store, d: &Dead) -> Vec<(String, String)> {
    let mut v = vec![
        ("JQ_STREAM".to_string(), store.work_name().to_string()),
        (
            "JQ_CONSUMER".into(),
            d.consumer().unwrap_or_default().to_string(),
        ),
        (
            "JQ_SUBJECT".into(),
            d.subject().unwrap_or_default().to_string(),
        ),
        ("JQ_SEQ".into(), d.seq.to_string()),
        (
            "JQ_ATTEMPTS".into(),
            d.attempts().map(|a| a.to_string()).unwrap_or_default(),
        ),
        ("JQ_DLQ_REASON".into(), d.reason()),
        ("JQ_DLQ_STREAM".into(), store.dlq_name().to_string()),
        (
            "JQ_DLQ_SEQ".into(),
            d.entry().map(|(s, _)| s.to_string()).unwrap_or_default(),
        ),
        (
            "JQ_DLQ_DIED_AT".into(),
            d.died_at().map(super::rfc3339).unwrap_or_default(),
        ),
    ];
    if let Some(h) = d.job_headers() {
        if let Some(id) = h.get("Nats-Msg-Id") {
            v.push(("JQ_MSG_ID".into(), id.as_str().to_string()));
        }
        for (name, values) in header_map(&h) {
            // As `work` does: control characters (a NUL would fail the spawn) become spaces.
            let values: Vec<String> = values
                .iter()
                .map(|v| crate::worker::handler::env_value(v))
                .collect();
            v.push((header_var(&name), values.join(",")));
        }
    }
    v
}

pub async fn run(env: &Env, args: DlqDrainArgs) -> Result<()> {
    let conn = env.connect().await?;
    let mut store = open(&conn, args.stream.as_deref()).await?;
    let result = drain(env, &mut store, &args).await;
    // Whatever happened: give back DLQ entries taken and not removed, remove our consumers.
    store.finish().await;
    result
}

async fn drain(env: &Env, store: &mut Store, args: &DlqDrainArgs) -> Result<()> {
    let mut scan = super::scan_to_change(env, store).await?;
    let p = &env.printer;
    if !args.dry_run {
        store.clear_orphans(&mut scan).await?;
    }
    let batches = std::mem::take(&mut scan.batches);
    let present: std::collections::HashSet<u64> = scan.jobs.keys().copied().collect();
    let mut gone = std::collections::HashSet::new();
    let mut jobs: Vec<Dead> = scan.jobs.into_values().collect();
    if let Some(max) = args.max {
        jobs.truncate(max as usize);
    }
    if args.dry_run {
        for d in &jobs {
            if p.json {
                p.ndjson(&job_view(store, d, "would_drain"))?;
            } else {
                p.status(format!(
                    "would drain {} ({}): {}",
                    d.seq,
                    d.subject().unwrap_or("?"),
                    d.reason()
                ));
            }
        }
        p.status(format!(
            "{} to drain (dry run: nothing changed)",
            plural(jobs.len(), "dead job", "dead jobs")
        ));
        return Ok(());
    }
    let report = Reporter::new(p, jobs.len(), "draining");
    let interrupt = Interrupt::install(p, &report.bar);
    let mut sum = Summary {
        kind: "summary",
        ..Default::default()
    };
    let with_command = !args.command.is_empty();
    let total = jobs.len();
    for (i, mut d) in jobs.into_iter().enumerate() {
        if interrupt.requested() {
            sum.interrupted = true;
            sum.left = total - i;
            break;
        }
        report.bar.inc(1);
        if d.state() == State::Lost {
            sum.lost += 1;
            report.warn(format!(
                "dead job {} skipped: its payload is lost (`jq-nats dlq purge --seq {}` removes the entry)",
                d.seq, d.seq
            ));
            continue;
        }
        let mut kept = Vec::new();
        // Copy it into the DLQ first when it is only parked: if COMMAND fails, it stays there.
        // A job too big for a copy is run from its parked original, which stays where it is
        // if COMMAND fails.
        if let Err(e) = store.reclaim(&mut d, &mut kept).await {
            report.warn(format!("dead job {}: {e:#}", d.seq));
        }
        let payload = d.payload().cloned().unwrap_or_default();
        let subject = d.subject().map(str::to_string);
        let mut event = Event {
            kind: "drained",
            seq: d.seq,
            subject: None,
            outcome: None,
            stderr_tail: None,
            possible_duplicate: false,
            note: None,
            kept: vec![],
        };
        match prior(store, &d).await? {
            Prior::None => {}
            Prior::Held(m) => {
                sum.held += 1;
                report.warn(format!(
                    "dead job {} skipped: another dlq command is handling it ({}); run again once it is done",
                    d.seq,
                    m.describe()
                ));
                event.kind = "held";
                event.note = Some(m.describe());
                emit(p, &mut event, subject.as_deref(), kept)?;
                continue;
            }
            Prior::Done { text, .. } => {
                remove_handled(store, &mut d, &mut kept, &mut gone, &mut sum).await?;
                report.warn(format!(
                    "dead job {} was handled before by an interrupted run ({text}): not run again; its entry is now removed",
                    d.seq
                ));
                report.kept(d.seq, &kept);
                event.kind = "done_before";
                event.note = Some(text);
                emit(p, &mut event, subject.as_deref(), kept)?;
                continue;
            }
            Prior::Maybe(text) if args.skip_interrupted => {
                sum.skipped_interrupted += 1;
                report.warn(format!(
                    "dead job {} skipped: it may have been processed already by an interrupted drain ({text}); `jq-nats dlq drain` without --skip-interrupted runs it again",
                    d.seq
                ));
                event.kind = "skipped_interrupted";
                event.note = Some(text);
                emit(p, &mut event, subject.as_deref(), kept)?;
                continue;
            }
            Prior::Maybe(text) => {
                sum.possible_duplicates += 1;
                let by = if text.starts_with("replaying") {
                    "replay"
                } else {
                    "drain"
                };
                report.warn(format!(
                    "dead job {} may have been processed already by an interrupted {by} ({text}); running it again",
                    d.seq
                ));
                event.possible_duplicate = true;
                event.note = Some(text);
            }
        }
        // As `replay`: a job whose original nothing can remove would be run here and again by
        // the next consumer of the work stream. It is not run, and its entry stays.
        if let Some(why) = store.original_blocked(&d).await? {
            sum.failed += 1;
            let text = format!(
                "its original {}:{} cannot be removed afterwards ({why}); not run, so it cannot run twice, and its DLQ entry stays",
                store.work_name(),
                d.seq
            );
            report.warn(format!("dead job {} not drained: {text}", d.seq));
            event.kind = "failed";
            event.outcome = Some(text);
            emit(p, &mut event, subject.as_deref(), kept)?;
            continue;
        }
        let marks = store.marks(&d);
        if !marks {
            // No marker can claim it (a DLQ that takes only advisories): another command may
            // have replayed or run it since it was read.
            let replay_id = super::replay::replay_msg_id(store.work_name(), d.seq);
            match store.recheck(&d, &replay_id).await? {
                Recheck::Same => {}
                Recheck::Replayed(seq) => {
                    remove_handled(store, &mut d, &mut kept, &mut gone, &mut sum).await?;
                    let text = format!(
                        "another dlq command replayed it as {}:{seq}",
                        store.work_name()
                    );
                    report.warn(format!(
                        "dead job {} was handled before ({text}): not run again; its entry is now removed",
                        d.seq
                    ));
                    report.kept(d.seq, &kept);
                    event.kind = "done_before";
                    event.note = Some(text);
                    emit(p, &mut event, subject.as_deref(), kept)?;
                    continue;
                }
                Recheck::Changed(why) => {
                    sum.held += 1;
                    let text = format!("{why} since it was read");
                    report.warn(format!(
                        "dead job {} skipped: another dlq command handled it ({text})",
                        d.seq
                    ));
                    event.kind = "held";
                    event.note = Some(text);
                    emit(p, &mut event, subject.as_deref(), kept)?;
                    continue;
                }
            }
        }
        if marks {
            if let Err(holder) = store.claim(&mut d, marker::New::of(Kind::Draining)).await? {
                let text = holder
                    .map(|m| m.describe())
                    .unwrap_or_else(|| "its entry changed since it was read".into());
                sum.held += 1;
                report.warn(format!(
                    "dead job {} skipped: another dlq command is handling it ({text}); run again once it is done",
                    d.seq
                ));
                event.kind = "held";
                event.note = Some(text);
                emit(p, &mut event, subject.as_deref(), kept)?;
                continue;
            }
        }
        // Whether the reader of our stdout went away (`dlq drain | head`) while this job was
        // written to it, by COMMAND (killed by SIGPIPE) or by the drain itself.
        let mut stdout_closed = false;
        if with_command {
            let out = runner::run(
                &args.command,
                &payload,
                &vars(store, &d),
                args.handler_timeout,
                p.json,
                &report.bar,
            )
            .await?;
            stdout_closed = out.signal == Some(libc::SIGPIPE) && crate::output::stdout_closed();
            if !out.success() && !stdout_closed {
                sum.failed += 1;
                if marks {
                    // Not processed: the next run has no duplicate to report.
                    store.release(&mut d, &mut kept).await?;
                }
                report.line(format_args!(
                    "failed {} ({}): {}; kept in {}",
                    d.seq,
                    d.subject().unwrap_or("?"),
                    out.describe(),
                    store.dlq_name()
                ));
                if p.json {
                    p.ndjson(&Event {
                        kind: "failed",
                        seq: d.seq,
                        subject: d.subject(),
                        outcome: Some(out.describe()),
                        stderr_tail: out.stderr_tail,
                        possible_duplicate: event.possible_duplicate,
                        note: event.note,
                        kept,
                    })?;
                }
                continue;
            }
            event.outcome = Some(out.describe());
        } else {
            let written = if p.json {
                p.ndjson(&JobOut {
                    job: job_view(store, &d, "job"),
                    headers: d.job_headers().map(|h| header_map(&h)).unwrap_or_default(),
                    payload: payload_view(Some(&payload)),
                })
            } else {
                report.bar.suspend(|| {
                    let mut out = std::io::stdout().lock();
                    write_payload_line(&mut out, &payload)
                        .and_then(|_| out.flush())
                        .map_err(anyhow::Error::from)
                })
            };
            // Not written: it stays (and so does its claim, should the write fail otherwise).
            match written {
                Ok(()) => {}
                Err(e) if crate::error::is_broken_pipe(&e) => stdout_closed = true,
                Err(e) => return Err(e),
            }
        }
        if stdout_closed {
            // That says nothing of the job, which stays, its claim given back; the drain
            // stops, as `work` does.
            if marks {
                store.release(&mut d, &mut kept).await?;
            }
            report.kept(d.seq, &kept);
            sum.stdout_closed = true;
            sum.left = total - i;
            break;
        }
        failpoint("drain.succeeded");
        if marks {
            // Without it the intent still tells the next run it may have been processed.
            let _ = store
                .mark_done(&mut d, marker::New::of(Kind::Drained))
                .await;
        }
        failpoint("drain.handled");
        store.remove_job(&mut d, &mut kept).await?;
        if d.copy.is_none() && d.pointers.is_empty() {
            gone.insert(d.seq);
        }
        sum.drained += 1;
        if !kept.is_empty() {
            sum.kept += 1;
        }
        report.kept(d.seq, &kept);
        if with_command {
            report.line(format_args!(
                "drained {} ({})",
                d.seq,
                subject.as_deref().unwrap_or("?")
            ));
            if p.json {
                event.subject = subject.as_deref();
                event.kept = kept;
                p.ndjson(&event)?;
            }
        }
    }
    // Batch claims of interrupted replays go with the last of their jobs.
    store
        .clear_finished_batches(&batches, |j| !present.contains(&j) || gone.contains(&j))
        .await;
    report.bar.finish_and_clear();
    let mut text = format!("drained {}", plural(sum.drained, "dead job", "dead jobs"));
    count_clause(
        &mut text,
        sum.failed,
        &format!("failed and stayed in {}", store.dlq_name()),
    );
    count_clause(&mut text, sum.lost, "skipped (payload lost)");
    count_clause(
        &mut text,
        sum.done_before,
        "handled before by an interrupted run, removed without running again",
    );
    count_clause(
        &mut text,
        sum.possible_duplicates,
        "possibly processed twice (see warnings)",
    );
    count_clause(
        &mut text,
        sum.skipped_interrupted,
        "skipped: possibly processed by an interrupted drain (see warnings)",
    );
    count_clause(
        &mut text,
        sum.held,
        "skipped: another dlq command is handling them",
    );
    count_clause(&mut text, sum.kept, "could not be removed (see warnings)");
    if sum.interrupted {
        text.push_str(&format!("; interrupted with {} left", sum.left));
    }
    if sum.stdout_closed {
        text.push_str(&format!(
            "; stopped: stdout was closed with {} left",
            sum.left
        ));
    }
    super::finish(p, &sum, text, sum.failed > 0 || sum.kept > 0)
}

/// Removes what is left of a job handled before (by an interrupted run, or by another command
/// since it was read), without running it, and counts it.
async fn remove_handled(
    store: &mut Store,
    d: &mut Dead,
    kept: &mut Vec<Kept>,
    gone: &mut std::collections::HashSet<u64>,
    sum: &mut Summary,
) -> Result<()> {
    store.remove_job(d, kept).await?;
    if d.copy.is_none() && d.pointers.is_empty() {
        gone.insert(d.seq);
    }
    sum.done_before += 1;
    if !kept.is_empty() {
        sum.kept += 1;
    }
    Ok(())
}

/// An NDJSON event about a job that was not run (skipped, or only removed).
fn emit<'a>(
    p: &crate::output::Printer,
    event: &mut Event<'a>,
    subject: Option<&'a str>,
    kept: Vec<Kept>,
) -> Result<()> {
    if p.json {
        event.subject = subject;
        event.kept = kept;
        p.ndjson(&*event)?;
    }
    Ok(())
}
