//! `dlq purge` (delete dead jobs for good) and `dlq reconcile` (copy parked jobs into the DLQ,
//! free the work stream, remove duplicate entries).

use std::io::IsTerminal;

use anyhow::Result;
use serde::Serialize;

use super::{count_clause, job_view, open, plural, select, Interrupt, Reporter};
use crate::cli::{DlqPurgeArgs, DlqReconcileArgs};
use crate::cmd::Env;
use crate::dlq::read::State;
use crate::dlq::store::{Kept, Store};
use crate::error::{usage, Exit};

#[derive(Serialize)]
struct Event {
    #[serde(rename = "type")]
    kind: &'static str,
    seq: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    done: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    kept: Vec<Kept>,
}

pub async fn purge(env: &Env, args: DlqPurgeArgs) -> Result<()> {
    let conn = env.connect().await?;
    let mut store = open(&conn, args.stream.as_deref()).await?;
    let result = purge_jobs(env, &mut store, &args).await;
    // Whatever happened: give back DLQ entries taken and not removed, remove our consumers.
    store.finish().await;
    result
}

async fn purge_jobs(env: &Env, store: &mut Store, args: &DlqPurgeArgs) -> Result<()> {
    let mut scan = super::scan_to_change(env, store).await?;
    let chosen = select(store, &scan, &args.select, "purge").await?;
    let p = &env.printer;
    if !args.dry_run && (args.force || chosen.is_empty()) {
        store.clear_orphans(&mut scan).await?;
    }
    if args.dry_run || chosen.is_empty() {
        for seq in &chosen {
            let d = &scan.jobs[seq];
            if p.json {
                p.ndjson(&job_view(store, d, "would_purge"))?;
            } else {
                p.status(format!(
                    "would purge {} ({}): {}",
                    d.seq,
                    d.subject().unwrap_or("?"),
                    d.reason()
                ));
            }
        }
        p.status(format!(
            "{} to purge{}",
            plural(chosen.len(), "dead job", "dead jobs"),
            if args.dry_run {
                " (dry run: nothing changed)"
            } else {
                ""
            }
        ));
        return Ok(());
    }
    if !args.force {
        if !std::io::stdin().is_terminal() {
            return Err(usage(format!(
                "refusing to delete {} without --force: stdin is not a terminal to ask on",
                plural(chosen.len(), "dead job", "dead jobs")
            )));
        }
        eprint!(
            "Delete {} of {} for good? [y/N] ",
            plural(chosen.len(), "dead job", "dead jobs"),
            store.work_name()
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        // No is an answer, not an error (as natscli takes it).
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            p.status("nothing deleted");
            return Ok(());
        }
    }
    let report = Reporter::new(p, chosen.len(), "purging");
    let interrupt = Interrupt::install(p, &report.bar);
    let mut sum = PurgeSummary {
        kind: "summary",
        ..Default::default()
    };
    let total = chosen.len();
    let present: std::collections::HashSet<u64> = scan.jobs.keys().copied().collect();
    let mut gone = std::collections::HashSet::new();
    for (i, seq) in chosen.into_iter().enumerate() {
        if interrupt.requested() {
            sum.interrupted = true;
            sum.left = total - i;
            break;
        }
        report.bar.inc(1);
        let mut d = scan.jobs.remove(&seq).expect("selected");
        let subject = d.subject().unwrap_or("?").to_string();
        let mut kept = Vec::new();
        store.remove_job(&mut d, &mut kept).await?;
        if kept.is_empty() {
            sum.purged += 1;
            gone.insert(seq);
            report.line(format_args!("purged {seq} ({subject})"));
        } else {
            sum.kept += 1;
            report.kept(seq, &kept);
        }
        if p.json {
            p.ndjson(&Event {
                kind: if kept.is_empty() { "purged" } else { "kept" },
                seq,
                done: vec![],
                kept,
            })?;
        }
    }
    // Batch claims of interrupted replays go with the last of their jobs.
    store
        .clear_finished_batches(&scan.batches, |j| {
            !present.contains(&j) || gone.contains(&j)
        })
        .await;
    report.bar.finish_and_clear();
    let mut text = format!("purged {}", plural(sum.purged, "dead job", "dead jobs"));
    count_clause(&mut text, sum.kept, "could not be removed (see warnings)");
    if sum.interrupted {
        text.push_str(&format!("; interrupted with {} left", sum.left));
    }
    super::finish(p, &sum, text, sum.kept > 0)
}

/// The last line of `dlq purge --json`, as `drain` and `replay` end theirs.
#[derive(Serialize, Default)]
struct PurgeSummary {
    #[serde(rename = "type")]
    kind: &'static str,
    purged: usize,
    kept: usize,
    left: usize,
    interrupted: bool,
}

pub async fn reconcile(env: &Env, args: DlqReconcileArgs) -> Result<()> {
    let conn = env.connect().await?;
    let mut store = open(&conn, args.stream.as_deref()).await?;
    let result = reconcile_jobs(env, &mut store, &args).await;
    // Whatever happened: give back DLQ entries taken and not removed, remove our consumers.
    store.finish().await;
    result
}

async fn reconcile_jobs(env: &Env, store: &mut Store, args: &DlqReconcileArgs) -> Result<()> {
    let mut scan = super::scan_to_change(env, store).await?;
    let p = &env.printer;
    let todo: Vec<u64> = scan
        .jobs
        .values()
        .filter(|d| d.original_msg().is_some() || !d.duplicates().is_empty())
        .map(|d| d.seq)
        .collect();
    let lost: Vec<u64> = scan
        .jobs
        .values()
        .filter(|d| d.state() == State::Lost)
        .map(|d| d.seq)
        .collect();
    let work = store.work_name().to_string();
    let dlq = store.dlq_name().to_string();
    let report = Reporter::new(p, todo.len(), "reconciling");
    let interrupt = Interrupt::install(p, &report.bar);
    let (mut copied, mut freed, mut recorded, mut dups, mut kept_jobs) = (0, 0, 0, 0, 0);
    let mut stays_parked = 0;
    for seq in &todo {
        if interrupt.requested() {
            break;
        }
        report.bar.inc(1);
        let mut d = scan.jobs.remove(seq).expect("listed");
        if args.dry_run {
            let mut plan = Vec::new();
            if d.original_msg().is_some() {
                if d.copy.is_none() && store.takes_entries {
                    plan.push(format!("copy it into {dlq}"));
                }
                if d.copy.is_some() || store.takes_entries {
                    plan.push(format!("remove it from {work}"));
                } else if d.pointers.is_empty() {
                    plan.push(format!("record it in {dlq} with an advisory"));
                }
            }
            let n = if d.copy.is_some() || (d.original_msg().is_some() && store.takes_entries) {
                d.pointers.len() + d.extra_copies.len()
            } else {
                d.duplicates().len()
            };
            if n > 0 {
                plan.push(format!(
                    "remove {}",
                    plural(n, "redundant entry", "redundant entries")
                ));
            }
            if p.json {
                p.ndjson(&Event {
                    kind: "would_reconcile",
                    seq: *seq,
                    done: plan,
                    kept: vec![],
                })?;
            } else if !plan.is_empty() {
                p.status(format!("would {} (job {seq})", plan.join(", then ")));
            }
            continue;
        }
        let had_copy = d.copy.is_some();
        let had_original = d.original_msg().is_some();
        let had_pointers = !d.pointers.is_empty();
        let entries_before = d.entry_seqs().len();
        let mut kept = Vec::new();
        match store.reclaim(&mut d, &mut kept).await {
            Err(e) => kept.push(Kept {
                what: format!("job {seq}"),
                why: format!("{e:#}"),
            }),
            // Still parked with no copy in a DLQ that takes them: too big for one.
            Ok(()) if store.takes_entries && d.copy.is_none() && d.original_msg().is_some() => {
                kept.push(Kept {
                    what: format!("parked in {work}"),
                    why: format!(
                        "too big for a copy in {dlq} with its metadata (`jq-nats dlq replay` and `dlq drain` take it from {work})"
                    ),
                })
            }
            Ok(()) => {}
        }
        let mut done = Vec::new();
        if !had_copy && d.copy.is_some() {
            copied += 1;
            done.push(format!("copied into {dlq}"));
        }
        if had_original && d.original_msg().is_none() {
            freed += 1;
            done.push(format!("removed from {work}"));
        }
        if !had_pointers && !d.pointers.is_empty() {
            recorded += 1;
            done.push(format!("recorded in {dlq} with an advisory"));
        }
        let entries_after = d.entry_seqs().len();
        let added = usize::from(!had_copy && d.copy.is_some())
            + usize::from(!had_pointers && !d.pointers.is_empty());
        let removed = (entries_before + added).saturating_sub(entries_after);
        if removed > 0 {
            dups += removed;
            done.push(format!(
                "removed {}",
                plural(removed, "redundant entry", "redundant entries")
            ));
        }
        if !store.takes_entries && d.original_msg().is_some() {
            stays_parked += 1;
        }
        if !done.is_empty() {
            report.line(format_args!("job {seq}: {}", done.join(", ")));
        }
        if !kept.is_empty() {
            kept_jobs += 1;
            report.kept(*seq, &kept);
        }
        if p.json {
            p.ndjson(&Event {
                kind: "reconciled",
                seq: *seq,
                done,
                kept,
            })?;
        }
    }
    report.bar.finish_and_clear();
    if args.dry_run {
        p.status(format!(
            "{} to reconcile (dry run: nothing changed)",
            plural(todo.len(), "dead job", "dead jobs")
        ));
        return Ok(());
    }
    let mut text = format!(
        "checked {}: {copied} copied into {dlq}, {freed} removed from {work}",
        plural(todo.len(), "dead job", "dead jobs")
    );
    if recorded > 0 {
        text.push_str(&format!(", {recorded} recorded with an advisory"));
    }
    if dups > 0 {
        text.push_str(&format!(
            ", {}",
            plural(dups, "redundant entry removed", "redundant entries removed")
        ));
    }
    if !lost.is_empty() {
        text.push_str(&format!(
            "; {} lost (advisories pointing at jobs gone from {work}; `jq-nats dlq purge --seq {}` removes them)",
            lost.len(),
            lost.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
        ));
    }
    if !scan.uncertain.is_empty() {
        text.push_str(&format!(
            "; {} in {work} may be parked or in flight and were left alone (run again when the workers are idle)",
            plural(scan.uncertain.len(), "message", "messages")
        ));
    }
    if stays_parked > 0 {
        text.push_str(&format!("; {stays_parked} stay parked in {work}"));
    }
    if p.json {
        p.ndjson(&serde_json::json!({
            "type": "summary",
            "reconciled": todo.len(),
            "copied": copied,
            "freed": freed,
            "recorded": recorded,
            "duplicates_removed": dups,
            "stays_parked": stays_parked,
            "lost": lost,
            "uncertain": scan.uncertain,
            "kept": kept_jobs,
        }))?;
    }
    p.status(text);
    if !scan.orphan_markers.is_empty() && !args.dry_run {
        let removed = store.clear_orphans(&mut scan).await?;
        let held = scan.orphan_markers.len();
        p.status(format!(
            "removed {} about jobs that are gone{}",
            plural(removed, "leftover marker", "leftover markers"),
            if held > 0 {
                format!("; {held} left: their dlq command may still be running")
            } else {
                String::new()
            }
        ));
    }
    if stays_parked > 0 {
        p.status(format!(
            "hint: `{dlq}` takes only advisories, so a parked payload cannot move out of `{work}` (and a re-created consumer of `{work}` would run it again); to let the DLQ hold full copies add the subject `{}` to it (a DLQ handler that expects only advisories must then skip other entries)",
            crate::dlq::subjects(&work)[0]
        ));
    }
    if kept_jobs > 0 {
        return Err(Exit(crate::error::EXIT_FAILURE).into());
    }
    Ok(())
}
