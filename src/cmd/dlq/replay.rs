//! `dlq replay`: publish dead jobs again to their original subjects; an entry goes only after
//! the work stream acked the new job. A crash in between leaves the job twice (the new one and
//! the dead one); replaying it again within the work stream's duplicate window is caught by the
//! replay's deterministic `Nats-Msg-Id` and reported.

use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _, Result};
use async_nats::jetstream::publish::PublishAck;
use async_nats::HeaderMap;
use bytes::Bytes;
use serde::Serialize;

use super::{job_view, open, plural, scan, select, Interrupt, Reporter};
use crate::cli::DlqReplayArgs;
use crate::cmd::Env;
use crate::dlq::read::{Dead, State};
use crate::dlq::store::{failpoint, Kept, Store};
use crate::error::Exit;
use crate::output::Printer;

/// On a replayed job: the dead entry it came from, as `<dlq stream>/<dlq seq>`.
pub const H_REPLAY_OF: &str = "Jq-Replay-Of";
/// On a replayed job: the dead job it came from, as `<stream>:<seq>`.
pub const H_REPLAY_OF_JOB: &str = "Jq-Replay-Of-Job";
/// On a replayed job whose payload was changed with `--edit`.
pub const H_REPLAY_EDITED: &str = "Jq-Replay-Edited";
/// Dead jobs replayed together (see [`replay_window`]): about the publish floor's window.
const WINDOW: usize = 1024;

/// The replay's message id: fresh next to the job's own, the same for every replay of one
/// dead job, so the duplicate window catches a replay repeated after a crash.
pub fn replay_msg_id(stream: &str, seq: u64) -> String {
    format!("replay-{stream}-{seq}")
}

/// The job's own headers, minus what would make the server drop or refuse the replay, plus the
/// replay's id and its links to the dead entry.
pub fn replay_headers(store: &Store, d: &Dead, edited: bool) -> HeaderMap {
    let mut out = HeaderMap::new();
    if let Some(h) = d.job_headers() {
        for (name, values) in h.iter() {
            let name: &str = name.as_ref();
            let lower = name.to_ascii_lowercase();
            if lower == "nats-msg-id"
                || lower.starts_with("nats-expected-")
                || lower == H_REPLAY_OF.to_ascii_lowercase()
                || lower == H_REPLAY_OF_JOB.to_ascii_lowercase()
                || lower == H_REPLAY_EDITED.to_ascii_lowercase()
            {
                continue;
            }
            for v in values {
                out.append(name, v.as_str());
            }
        }
    }
    out.insert(
        "Nats-Msg-Id",
        replay_msg_id(store.work_name(), d.seq).as_str(),
    );
    // Refused unless the work stream takes it, rather than stored wherever the subject leads.
    out.insert("Nats-Expected-Stream", store.work_name());
    if let Some((seq, _)) = d.entry() {
        out.insert(H_REPLAY_OF, format!("{}/{seq}", store.dlq_name()).as_str());
    }
    out.insert(
        H_REPLAY_OF_JOB,
        format!("{}:{}", store.work_name(), d.seq).as_str(),
    );
    if edited {
        out.insert(H_REPLAY_EDITED, "true");
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
    let mut scan = scan(env, store).await?;
    let chosen = select(store, &scan, &args.select, "replay").await?;
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
    let interrupt = Interrupt::install(p);
    let report = Reporter::new(p, chosen.len(), "replaying");
    let mut sum = Summary {
        kind: "summary",
        ..Default::default()
    };
    let gap = args.rate.map(|r| Duration::from_secs_f64(1.0 / r));
    let mut next_at = Instant::now();
    let total = chosen.len();
    // Without --edit or --rate, jobs whose entry is all that is left go in windows: their
    // publishes pipelined, their entries deleted together once each one's ack is in.
    let pipelined = !args.edit && gap.is_none();
    let mut i = 0;
    while i < total {
        if interrupt.requested() {
            sum.interrupted = true;
            sum.left = total - i;
            break;
        }
        let mut window = Vec::new();
        while pipelined && i < total && window.len() < WINDOW {
            let d = &scan.jobs[&chosen[i]];
            if !store.only_copy_left(d) || d.subject().is_none() {
                break;
            }
            window.push(scan.jobs.remove(&chosen[i]).expect("selected"));
            i += 1;
        }
        if window.is_empty() {
            let mut d = scan.jobs.remove(&chosen[i]).expect("selected");
            i += 1;
            let mut kept = vec![];
            let outcome = replay_one(store, &mut d, args, gap, &mut next_at, &mut kept).await;
            settle(p, &report, &mut sum, &d, outcome, kept)?;
        } else {
            for (d, outcome, kept) in replay_window(store, window).await {
                settle(p, &report, &mut sum, &d, outcome, kept)?;
            }
        }
    }
    report.bar.finish_and_clear();
    let mut text = format!("replayed {}", plural(sum.replayed, "dead job", "dead jobs"));
    if sum.duplicates > 0 {
        text.push_str(&format!(
            " ({} had been replayed already by an interrupted run)",
            sum.duplicates
        ));
    }
    if sum.failed > 0 {
        text.push_str(&format!(
            "; {} failed and stayed in {}",
            sum.failed,
            store.dlq_name()
        ));
    }
    if sum.kept > 0 {
        text.push_str(&format!(
            "; {} replayed but left in place (see warnings)",
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

/// Counts and reports how one dead job's replay went.
fn settle(
    p: &Printer,
    report: &Reporter,
    sum: &mut Summary,
    d: &Dead,
    outcome: Result<PublishAck>,
    kept: Vec<Kept>,
) -> Result<()> {
    report.bar.inc(1);
    let seq = d.seq;
    let subject = d.subject();
    let mut event = Event {
        kind: "replayed",
        seq,
        subject,
        new_seq: None,
        duplicate: false,
        error: None,
        kept,
    };
    match outcome {
        Ok(ack) => {
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
                report.line(format!(
                    "replayed {seq} ({}) as {}:{}",
                    subject.unwrap_or("?"),
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

/// Replays dead jobs that pass [`Store::only_copy_left`]: every publish sent before the first
/// ack is awaited, then the entries of those acked are deleted together.
async fn replay_window(
    store: &mut Store,
    window: Vec<Dead>,
) -> Vec<(Dead, Result<PublishAck>, Vec<Kept>)> {
    let mut sent = Vec::with_capacity(window.len());
    for d in &window {
        let subject = d.subject().unwrap_or_default().to_string();
        let payload = d.payload().cloned().unwrap_or_default();
        let headers = replay_headers(store, d, false);
        let publish = store
            .js
            .publish_with_headers(subject.clone(), headers, payload)
            .await;
        sent.push((subject, publish));
    }
    let mut done = Vec::with_capacity(window.len());
    for (d, (subject, publish)) in window.into_iter().zip(sent) {
        let ack = match publish {
            Ok(ack) => ack.await.map_err(|e| anyhow!("{e}")).with_context(|| {
                format!(
                    "failed to publish to {subject} (`{}` did not ack it)",
                    store.work_name()
                )
            }),
            Err(e) => {
                Err(anyhow!("{e}")).with_context(|| format!("failed to publish to {subject}"))
            }
        };
        if ack.is_ok() {
            failpoint("replay.published");
        }
        done.push((d, ack, vec![]));
    }
    let mut acked: Vec<(&mut Dead, &mut Vec<Kept>)> = done
        .iter_mut()
        .filter(|(_, ack, _)| ack.is_ok())
        .map(|(d, _, kept)| (d, kept))
        .collect();
    store.remove_copies(&mut acked).await;
    done
}

async fn replay_one(
    store: &mut Store,
    d: &mut Dead,
    args: &DlqReplayArgs,
    gap: Option<Duration>,
    next_at: &mut Instant,
    kept: &mut Vec<Kept>,
) -> Result<PublishAck> {
    if d.state() == State::Lost {
        return Err(anyhow!(
            "its payload is lost: the advisory points at a job gone from `{}`",
            store.work_name()
        ));
    }
    // Only parked: copy it into the DLQ first, so the entry that stays until the replay is
    // acked holds the payload.
    if d.copy.is_none() && store.takes_entries {
        store.reclaim(d, kept).await?;
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
    let ack = store
        .js
        .publish_with_headers(subject.clone(), headers, payload)
        .await
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("failed to publish to {subject}"))?
        .await
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| {
            format!(
                "failed to publish to {subject} (`{}` did not ack it)",
                store.work_name()
            )
        })?;
    failpoint("replay.published");
    if let Err(e) = store.remove_job(d, kept).await {
        kept.push(Kept {
            what: format!("dead job {}", d.seq),
            why: format!("{e:#}"),
        });
    }
    Ok(ack)
}
