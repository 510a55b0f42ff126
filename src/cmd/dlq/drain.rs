//! `dlq drain`: every dead job once, to COMMAND (removed only when it succeeds) or to stdout
//! (removed once written), then exit.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::runner::{self, header_var};
use super::{
    header_map, job_view, open, payload_view, plural, scan, Interrupt, JobView, PayloadView,
    Reporter,
};
use crate::cli::DlqDrainArgs;
use crate::cmd::Env;
use crate::dlq::read::{Dead, State};
use crate::dlq::store::{failpoint, Kept, Store};
use crate::error::Exit;

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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    kept: Vec<Kept>,
}

#[derive(Serialize, Default)]
struct Summary {
    #[serde(rename = "type")]
    kind: &'static str,
    drained: usize,
    failed: usize,
    lost: usize,
    kept: usize,
    left: usize,
    interrupted: bool,
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
    let scan = scan(env, store).await?;
    let p = &env.printer;
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
    let interrupt = Interrupt::install(p);
    let report = Reporter::new(p, jobs.len(), "draining");
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
            kept: vec![],
        };
        if with_command {
            let out = runner::run(
                &args.command,
                &payload,
                &vars(store, &d),
                args.handler_timeout,
                p.json,
            )
            .await?;
            if !out.success() {
                sum.failed += 1;
                report.line(format!(
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
                let mut out = std::io::stdout().lock();
                out.write_all(&payload)
                    .and_then(|_| {
                        if payload.ends_with(b"\n") {
                            Ok(())
                        } else {
                            out.write_all(b"\n")
                        }
                    })
                    .and_then(|_| out.flush())
                    .map_err(anyhow::Error::from)
            };
            // Not written: it stays.
            written?;
        }
        failpoint("drain.handled");
        store.remove_job(&mut d, &mut kept).await?;
        sum.drained += 1;
        if !kept.is_empty() {
            sum.kept += 1;
        }
        report.kept(d.seq, &kept);
        if with_command {
            report.line(format!(
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
    report.bar.finish_and_clear();
    let mut text = format!("drained {}", plural(sum.drained, "dead job", "dead jobs"));
    if sum.failed > 0 {
        text.push_str(&format!(
            "; {} failed and stayed in {}",
            sum.failed,
            store.dlq_name()
        ));
    }
    if sum.lost > 0 {
        text.push_str(&format!("; {} skipped (payload lost)", sum.lost));
    }
    if sum.kept > 0 {
        text.push_str(&format!(
            "; {} could not be removed (see warnings)",
            sum.kept
        ));
    }
    if sum.interrupted {
        text.push_str(&format!("; interrupted with {} left", sum.left));
    }
    if p.json {
        p.ndjson(&sum)?;
    }
    p.status(text);
    if sum.failed > 0 || sum.kept > 0 {
        return Err(Exit(crate::error::EXIT_FAILURE).into());
    }
    Ok(())
}
