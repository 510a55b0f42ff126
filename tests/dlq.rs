//! `jq-nats dlq`: the five guarantees, each against a real nats-server (2.15.1, and 2.9.10 with
//! JQ_NATS_TEST_SERVER). Dead jobs are made without `work`: the test's own client fetches jobs
//! and never acks them (the server parks them and sends its advisories), and writes full-copy
//! entries in the entry format as a worker does.

mod common;

use std::collections::BTreeMap;
use std::process::Output;
use std::time::{Duration, Instant};

use async_nats::jetstream::consumer::{pull, AckPolicy, PullConsumer};
use async_nats::jetstream::stream::{Config, DiscardPolicy, RetentionPolicy, StorageType};
use async_nats::jetstream::Context;
use async_nats::HeaderMap;
use bytes::Bytes;
use common::*;
use futures::StreamExt;
use jq_nats::dlq::entry::DeadJob;
use serde_json::Value;

const WORK: &str = "orders_stream";
const DLQ: &str = "orders_stream_dlq";
const ARTICLE_DLQ: &str = "orders_unprocessed";

struct Setup {
    server: Server,
    env: TestEnv,
}

impl Setup {
    fn new() -> Setup {
        Setup::with_config("")
    }

    /// On a server whose config file holds `config`.
    fn with_config(config: &str) -> Setup {
        Setup {
            server: Server::start_with_config(config),
            env: TestEnv::new(),
        }
    }

    /// `jq-nats -s URL ARGS...`, its output.
    fn jq(&self, args: &[&str]) -> Output {
        self.env
            .jq()
            .arg("-s")
            .arg(&self.server.url)
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap()
    }

    /// `jq-nats -s URL ARGS...`, to run as the test needs.
    fn jq_std(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = self.env.jq_std();
        cmd.arg("-s").arg(&self.server.url).args(args);
        cmd
    }

    fn jq_ok(&self, args: &[&str]) -> Output {
        let out = self.jq(args);
        assert!(
            out.status.success(),
            "jq-nats {args:?} failed ({}):\n{}\n{}",
            out.status,
            stdout_of(&out),
            stderr_of(&out)
        );
        out
    }

    /// `jq-nats stream add orders_stream`: a work stream and its DLQ, jq-nats' way.
    fn add_stream(&self) {
        self.jq_ok(&["stream", "add", WORK, "--subjects", "orders.*"]);
    }

    /// The NDJSON lines of `dlq ls --json` of type `job`, by sequence.
    fn ls(&self, extra: &[&str]) -> BTreeMap<u64, Value> {
        let mut args = vec!["dlq", "ls", "--json"];
        args.extend_from_slice(extra);
        let out = self.jq_ok(&args);
        ndjson(&out)
            .into_iter()
            .filter(|v| v["type"] == "job")
            .map(|v| (v["seq"].as_u64().unwrap(), v))
            .collect()
    }

    fn summary(&self, extra: &[&str]) -> Value {
        let mut args = vec!["dlq", "ls", "--json"];
        args.extend_from_slice(extra);
        let out = self.jq_ok(&args);
        ndjson(&out)
            .into_iter()
            .find(|v| v["type"] == "summary")
            .expect("a summary line")
    }
}

/// The article's two streams, exactly as its natscli commands make them.
async fn article_streams(js: &Context) {
    js.create_stream(Config {
        name: ARTICLE_DLQ.into(),
        subjects: vec!["$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.orders_stream.*".into()],
        storage: StorageType::File,
        num_replicas: 1,
        retention: RetentionPolicy::WorkQueue,
        discard: DiscardPolicy::New,
        max_messages: -1,
        max_messages_per_subject: -1,
        max_bytes: 256 << 20,
        max_message_size: -1,
        duplicate_window: Duration::from_secs(120),
        deny_delete: true,
        deny_purge: false,
        allow_direct: true,
        ..Default::default()
    })
    .await
    .unwrap();
    work_stream_article(js).await;
}

async fn work_stream_article(js: &Context) {
    js.create_stream(Config {
        name: WORK.into(),
        subjects: vec!["orders.*".into()],
        storage: StorageType::File,
        num_replicas: 1,
        retention: RetentionPolicy::WorkQueue,
        discard: DiscardPolicy::New,
        max_messages: -1,
        max_messages_per_subject: -1,
        max_bytes: 256 << 20,
        max_message_size: 1 << 20,
        duplicate_window: Duration::from_secs(120),
        deny_delete: true,
        deny_purge: false,
        allow_direct: true,
        ..Default::default()
    })
    .await
    .unwrap();
}

/// Publishes jobs (with a Nats-Msg-Id and a Trace header each); their sequences.
async fn publish(js: &Context, payloads: &[&str]) -> Vec<u64> {
    let mut seqs = Vec::new();
    for p in payloads {
        let mut h = HeaderMap::new();
        h.insert("Nats-Msg-Id", format!("id-{p}").as_str());
        h.insert("Trace", format!("trace-{p}").as_str());
        let ack = js
            .publish_with_headers("orders.new", h, Bytes::from(p.to_string()))
            .await
            .unwrap()
            .await
            .unwrap();
        seqs.push(ack.sequence);
    }
    seqs
}

/// The article's `processor`: max 2 deliveries, explicit ack; a short ack wait instead of
/// its 5s backoff, so jobs die in a second.
async fn processor(js: &Context) -> PullConsumer {
    let stream = js.get_stream(WORK).await.unwrap();
    stream
        .get_or_create_consumer(
            "processor",
            pull::Config {
                durable_name: Some("processor".into()),
                ack_policy: AckPolicy::Explicit,
                max_deliver: 2,
                ack_wait: Duration::from_millis(300),
                filter_subject: "orders.*".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

async fn fetch(c: &PullConsumer, wait: Duration) -> Vec<async_nats::jetstream::Message> {
    let mut out = Vec::new();
    let mut batch = c
        .fetch()
        .max_messages(100)
        .expires(wait)
        .messages()
        .await
        .unwrap();
    while let Some(m) = batch.next().await {
        out.push(m.unwrap());
    }
    out
}

async fn messages(js: &Context, stream: &str) -> u64 {
    js.get_stream(stream)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .state
        .messages
}

/// Fetches without acking until the consumer gave up on every job (none waiting, none in
/// flight), then waits for `advisories` messages in `dlq`.
async fn let_die(js: &Context, c: &mut PullConsumer, dlq: Option<(&str, u64)>) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let _ = fetch(c, Duration::from_millis(350)).await;
        let info = c.info().await.unwrap();
        if info.num_pending == 0 && info.num_ack_pending == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "jobs did not die: {info:?}");
    }
    if let Some((dlq, n)) = dlq {
        while messages(js, dlq).await < n {
            assert!(Instant::now() < deadline, "advisories did not reach {dlq}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A worker's full copy of the job `msg`, as `work` writes it.
async fn write_copy(js: &Context, msg: &async_nats::jetstream::Message, reason: &str, code: i32) {
    let info = msg.info().unwrap();
    let job = DeadJob {
        stream: WORK.into(),
        seq: info.stream_sequence,
        subject: msg.subject.to_string(),
        consumer: info.consumer.to_string(),
        attempts: info.delivered as u64,
        reason: reason.into(),
        exit_code: Some(code),
        signal: None,
        timed_out: false,
        stderr_tail: Some("line one\nboom: bad order".into()),
        died_at: "2026-01-01T00:00:00Z".into(),
        worker: "testhost/42".into(),
        payload: msg.payload.clone(),
        headers: msg.headers.clone(),
    };
    js.publish_with_headers(
        jq_nats::dlq::entry_subject(WORK, job.seq),
        job.entry_headers(),
        job.payload.clone(),
    )
    .await
    .unwrap()
    .await
    .unwrap();
}

async fn next_msg(
    s: &async_nats::jetstream::stream::Stream,
    from: u64,
) -> Option<async_nats::jetstream::message::StreamMessage> {
    match s
        .raw_message_builder()
        .sequence(from)
        .next_by_subject(">".to_string())
        .send()
        .await
    {
        Ok(m) => Some(m),
        Err(e)
            if e.kind() == async_nats::jetstream::stream::RawMessageErrorKind::NoMessageFound =>
        {
            None
        }
        Err(e) => panic!("reading message {from}: {e}"),
    }
}

/// Every payload in a stream (the work stream: waiting, parked and replayed jobs) or every
/// full copy's payload (a DLQ), with its subject and headers.
async fn contents(js: &Context, stream: &str) -> Vec<(u64, String, String, HeaderMap)> {
    let s = js.get_stream(stream).await.unwrap();
    let mut out = Vec::new();
    let mut next = 1;
    while let Some(m) = next_msg(&s, next).await {
        next = m.sequence + 1;
        out.push((
            m.sequence,
            m.subject.to_string(),
            String::from_utf8_lossy(&m.payload).into_owned(),
            m.headers,
        ));
    }
    out
}

/// Guarantee 5's invariant: every job is still somewhere, in the work stream (waiting,
/// parked or replayed) or as a full copy in the DLQ, unless `done` (a drain command's log)
/// says it was done.
async fn assert_nothing_lost(
    js: &Context,
    dlq: &str,
    payloads: &[String],
    done: Option<&std::path::Path>,
    when: &str,
) {
    let mut found: Vec<String> = done
        .and_then(|d| std::fs::read_to_string(d).ok())
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default();
    found.extend(contents(js, WORK).await.into_iter().map(|(_, _, p, _)| p));
    found.extend(
        contents(js, dlq)
            .await
            .into_iter()
            .filter(|(_, s, _, _)| s.starts_with("jqnats.dlq."))
            .map(|(_, _, p, _)| p),
    );
    for p in payloads {
        assert!(found.contains(p), "job {p} lost {when}; found {found:?}");
    }
}

#[test]
fn ls_lists_every_kind_once_with_duplicates_foreign_and_a_count() {
    let s = Setup::new();
    s.add_stream();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let seqs = publish(&js, &["a", "b", "c"]).await;
        let mut c = processor(&js).await;
        // b: a worker dead-letters it (copy, then ack). c: a worker writes its copy and dies
        // before acking, so the server parks it and advises too. a: nobody records anything.
        for m in fetch(&c, Duration::from_millis(500)).await {
            match &m.payload[..] {
                b"b" => {
                    write_copy(&js, &m, "exit code 3", 3).await;
                    m.double_ack().await.unwrap();
                }
                b"c" => write_copy(&js, &m, "exit code 4", 4).await,
                _ => {}
            }
        }
        let_die(&js, &mut c, Some((DLQ, 4))).await;
        // A server before 2.12.9 can send an advisory twice: emulate that for a.
        let first = contents(&js, DLQ).await;
        let (_, subj, body, _) = first
            .iter()
            .find(|(_, s, b, _)| {
                s.contains("MAX_DELIVERIES") && b.contains(&format!("\"stream_seq\":{}", seqs[0]))
            })
            .cloned()
            .unwrap();
        js.publish(subj, body.into()).await.unwrap().await.unwrap();
        // Something that is not a dead job.
        js.publish("jqnats.dlq.orders_stream.999", "junk".into())
            .await
            .unwrap()
            .await
            .unwrap();
    });
    let jobs = s.ls(&[]);
    assert_eq!(jobs.len(), 3, "{jobs:?}");
    let (a, b, c) = (&jobs[&1], &jobs[&2], &jobs[&3]);
    assert_eq!(a["state"], "parked");
    assert_eq!(a["entry"]["kind"], "max_deliveries");
    assert_eq!(a["duplicates"].as_array().unwrap().len(), 1);
    assert_eq!(a["attempts"], 2);
    assert_eq!(a["subject"], "orders.new");
    assert_eq!(b["state"], "dlq");
    assert_eq!(b["reason"], "exit code 3");
    assert_eq!(b["exit_code"], 3);
    assert_eq!(b["worker"], "testhost/42");
    assert_eq!(b["stderr_tail"], "line one\nboom: bad order");
    assert_eq!(b["original_in_work_stream"], false);
    assert_eq!(c["entry"]["kind"], "copy");
    assert_eq!(c["duplicates"][0]["kind"], "max_deliveries");
    assert_eq!(c["original_in_work_stream"], true);
    let sum = s.summary(&[]);
    assert_eq!(sum["dead"], 3);
    assert_eq!(sum["parked"], 1);
    assert_eq!(sum["duplicates"], 2);
    assert_eq!(sum["foreign"], 1);
    // Filters.
    assert_eq!(s.ls(&["--reason", "exit code [34]"]).len(), 2);
    assert_eq!(s.ls(&["--reason", "^max deliveries"]).len(), 1);
    assert_eq!(s.ls(&["--min-attempts", "2"]).len(), 1);
    assert_eq!(s.ls(&["--subject", "orders.*"]).len(), 3);
    assert_eq!(s.ls(&["--subject", "refunds.*"]).len(), 0);
    assert_eq!(
        s.ls(&["--since", "1h"]).len(),
        1,
        "a died now, b and c (their copies say) on 2026-01-01"
    );
    assert_eq!(s.ls(&["--until", "2026-06-01T00:00:00Z"]).len(), 2);
    // The table, and the count at the end.
    let out = s.jq_ok(&["dlq", "ls"]);
    let table = stdout_of(&out);
    assert!(
        table.contains("SEQ") && table.contains("exit code 3"),
        "{table}"
    );
    let err = stderr_of(&out);
    assert!(err.contains("3 dead jobs in orders_stream_dlq"), "{err}");
    assert!(err.contains("2 duplicate entries"), "{err}");
    assert!(err.contains("1 foreign entry skipped"), "{err}");
    // The foreign entry is never removed, reconcile cleans duplicates up.
    s.jq_ok(&["dlq", "reconcile"]);
    let sum = s.summary(&[]);
    assert_eq!(sum["duplicates"], 0);
    assert_eq!(sum["parked"], 0);
    assert_eq!(sum["foreign"], 1);
    assert_eq!(s.ls(&[]).len(), 3);
}

#[test]
fn a_dead_job_survives_its_deleted_original_and_a_recreated_consumer() {
    let s = Setup::new();
    s.add_stream();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        publish(&js, &["copied", "parked"]).await;
        let mut c = processor(&js).await;
        for m in fetch(&c, Duration::from_millis(500)).await {
            if &m.payload[..] == b"copied" {
                write_copy(&js, &m, "exit code 3", 3).await;
            }
        }
        let_die(&js, &mut c, Some((DLQ, 3))).await;
        // The original of the copied job goes (a worker's ack, a delete: either way).
        js.get_stream(WORK)
            .await
            .unwrap()
            .delete_message(1)
            .await
            .unwrap();
        // The consumer is re-created: every parked job is delivered again...
        js.get_stream(WORK)
            .await
            .unwrap()
            .delete_consumer("processor")
            .await
            .unwrap();
        processor(&js).await;
    });
    // ...which ls says before it happens.
    let jobs = s.ls(&[]);
    assert_eq!(jobs[&2]["redelivered_by"], "processor");
    let out = s.jq_ok(&["dlq", "ls"]);
    assert!(
        stderr_of(&out).contains("will run it again"),
        "{}",
        stderr_of(&out)
    );
    // reconcile copies the parked job into the DLQ, then removes it from the work stream.
    s.jq_ok(&["dlq", "reconcile"]);
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(messages(&js, WORK).await, 0);
        // Re-created once more: nothing runs again.
        js.get_stream(WORK)
            .await
            .unwrap()
            .delete_consumer("processor")
            .await
            .unwrap();
        let c = processor(&js).await;
        assert!(fetch(&c, Duration::from_millis(500)).await.is_empty());
    });
    let out = s.jq_ok(&["dlq", "show", "1", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["payload"], "copied");
    assert_eq!(v["reason"], "exit code 3");
    assert_eq!(v["exit_code"], 3);
    assert_eq!(v["attempts"], 1);
    assert_eq!(v["stderr_tail"], "line one\nboom: bad order");
    assert_eq!(v["headers"]["Trace"][0], "trace-copied");
    assert_eq!(v["headers"]["Nats-Msg-Id"][0], "id-copied");
    let out = s.jq_ok(&["dlq", "show", "2", "--raw"]);
    assert_eq!(out.stdout, b"parked");
    let out = s.jq_ok(&["dlq", "show", WORK, "2", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["payload"], "parked");
    assert_eq!(v["entry"]["kind"], "copy");
    assert!(v["reason"].as_str().unwrap().contains("max deliveries"));
    assert_eq!(v["attempts"], 2);
    // The human view has it all too.
    let text = stdout_of(&s.jq_ok(&["dlq", "show", "1"]));
    for want in [
        "exit code 3",
        "boom: bad order",
        "Trace: trace-copied",
        "history",
        "copied",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
}

#[test]
fn a_parked_job_whose_advisory_never_came_is_found_and_brought_in() {
    let s = Setup::new();
    s.jq_ok(&["stream", "add", WORK, "--subjects", "orders.*", "--no-dlq"]);
    rt().block_on(async {
        let js = js(&s.server.url).await;
        publish(&js, &["orphan"]).await;
        let mut c = processor(&js).await;
        // No DLQ yet: the advisory goes nowhere.
        let_die(&js, &mut c, None).await;
    });
    s.add_stream();
    let jobs = s.ls(&[]);
    assert_eq!(jobs[&1]["state"], "unrecorded");
    assert_eq!(jobs[&1]["attempts"], 2);
    assert!(jobs[&1]["entry"].is_null());
    s.jq_ok(&["dlq", "reconcile"]);
    let jobs = s.ls(&[]);
    assert_eq!(jobs[&1]["state"], "dlq");
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(messages(&js, WORK).await, 0);
        assert_eq!(messages(&js, DLQ).await, 1);
    });
}

#[test]
fn replay_publishes_the_job_again_and_it_runs_once() {
    let s = Setup::new();
    s.add_stream();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        publish(&js, &["order-7", "order-8"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((DLQ, 2))).await;
    });
    let out = s.jq_ok(&["dlq", "replay", "--seq", "1", "--json"]);
    let events = ndjson(&out);
    let ev = events.iter().find(|e| e["type"] == "replayed").unwrap();
    assert_eq!(ev["seq"], 1);
    assert_eq!(ev["duplicate"], Value::Null);
    let new_seq = ev["new_seq"].as_u64().unwrap();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let work = contents(&js, WORK).await;
        // The parked original is gone, the replay and the other dead job are there.
        assert_eq!(
            work.iter().map(|w| w.0).collect::<Vec<_>>(),
            vec![2, new_seq]
        );
        let (_, subject, payload, h) = work.iter().find(|w| w.0 == new_seq).unwrap();
        assert_eq!(subject, "orders.new");
        assert_eq!(payload, "order-7");
        assert_eq!(h.get("Trace").unwrap().as_str(), "trace-order-7");
        assert_eq!(
            h.get("Nats-Msg-Id").unwrap().as_str(),
            "replay-orders_stream-1"
        );
        assert!(h
            .get("Jq-Replay-Of")
            .unwrap()
            .as_str()
            .starts_with("orders_stream_dlq/"));
        assert_eq!(
            h.get("Jq-Replay-Of-Job").unwrap().as_str(),
            "orders_stream:1"
        );
        // A worker takes every job: the replayed one runs once, the dead ones never.
        let c = processor(&js).await;
        let mut ran = Vec::new();
        for _ in 0..3 {
            for m in fetch(&c, Duration::from_millis(400)).await {
                ran.push(String::from_utf8_lossy(&m.payload).into_owned());
                m.double_ack().await.unwrap();
            }
        }
        assert_eq!(ran, vec!["order-7"]);
        let dlq = contents(&js, DLQ).await;
        assert_eq!(dlq.len(), 1, "only order-8's entry is left: {dlq:?}");
    });
    assert_eq!(s.ls(&[]).keys().copied().collect::<Vec<_>>(), vec![2]);
    // Replay of what is no longer dead is an error, not a second run.
    let out = s.jq(&["dlq", "replay", "--seq", "1"]);
    assert_eq!(out.status.code(), Some(1));
    // --edit: the payload as the editor left it.
    let out = s
        .env
        .jq()
        .env("EDITOR", "sed -i s/order/edited/")
        .args(["-s", &s.server.url, "dlq", "replay", "--seq", "2", "--edit"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let work = contents(&js, WORK).await;
        let (_, _, payload, h) = work.last().unwrap();
        assert_eq!(payload, "edited-8");
        assert_eq!(h.get("Jq-Replay-Edited").unwrap().as_str(), "true");
    });
}

/// A job terminated by another program (`+TERM` removes it from a work-queue stream at once):
/// its advisory points at nothing. It is listed as lost, cannot be replayed, can be purged.
/// Hundreds of dead jobs go in pipelined windows (and the few parked ones one at a time, in
/// the same run): each lands in the work stream exactly once, and the DLQ is left empty,
/// markers included.
#[test]
fn replay_of_hundreds_of_jobs_publishes_each_once_and_empties_the_dlq() {
    replay_of_hundreds(Setup::new());
}

/// The same in many windows: a server taking payloads of 2 KiB at most leaves room in a batch
/// record for 32 jobs (one for all of them would be refused).
#[test]
fn replay_of_hundreds_of_jobs_in_many_windows_publishes_each_once_and_empties_the_dlq() {
    replay_of_hundreds(Setup::with_config("max_payload: 2048\n"));
}

fn replay_of_hundreds(s: Setup) {
    s.add_stream();
    let n = 300;
    let payloads: Vec<String> = (0..n).map(|i| format!("job-{i}")).collect();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let refs: Vec<&str> = payloads.iter().map(String::as_str).collect();
        publish(&js, &refs).await;
        let mut c = processor(&js).await;
        // All but the last 3 die the way workers leave them: copied, then acked. The last 3
        // are left to die by max deliveries (parked, with an advisory).
        let mut got = 0;
        while got < n {
            for m in fetch(&c, Duration::from_millis(400)).await {
                got += 1;
                if m.info().unwrap().stream_sequence <= (n - 3) as u64 {
                    write_copy(&js, &m, "exit 1", 1).await;
                    m.double_ack().await.unwrap();
                }
            }
        }
        let_die(&js, &mut c, Some((DLQ, n as u64))).await;
        js.get_stream(WORK)
            .await
            .unwrap()
            .delete_consumer("processor")
            .await
            .unwrap();
    });
    let out = s.jq_ok(&["dlq", "replay", "--all", "--json"]);
    let events = ndjson(&out);
    let replayed = events.iter().filter(|e| e["type"] == "replayed").count();
    assert_eq!(replayed, n, "{}", stderr_of(&out));
    let sum = events.iter().find(|e| e["type"] == "summary").unwrap();
    assert_eq!(sum["replayed"], n);
    assert_eq!(sum["failed"], 0);
    assert_eq!(sum["kept"], 0);
    assert_eq!(sum["possible_duplicates"], 0);
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let work = contents(&js, WORK).await;
        let mut seen: Vec<String> = work.iter().map(|w| w.2.clone()).collect();
        seen.sort();
        let mut want = payloads.clone();
        want.sort();
        assert_eq!(seen, want, "every job in the work stream exactly once");
        for (_, subject, payload, h) in &work {
            assert_eq!(subject, "orders.new");
            assert_eq!(h.get("Trace").unwrap().as_str(), format!("trace-{payload}"));
            assert!(h
                .get("Nats-Msg-Id")
                .unwrap()
                .as_str()
                .starts_with("replay-orders_stream-"));
        }
        assert_eq!(messages(&js, DLQ).await, 0, "no entry or marker left");
    });
    assert!(s.ls(&[]).is_empty());
}

/// `n` dead jobs as workers leave them, written fast: the jobs published, a copy of each
/// written to the DLQ (many acks in flight), then the work stream purged (acked, as a worker's
/// last ack removes each). Their payloads, in work-stream order.
async fn many_dead(js: &Context, n: usize) -> Vec<String> {
    let payloads: Vec<String> = (0..n).map(|i| format!("job-{i}")).collect();
    let mut acks = Vec::with_capacity(n);
    for p in &payloads {
        acks.push(
            js.publish("orders.new", Bytes::from(p.clone()))
                .await
                .unwrap(),
        );
    }
    let mut seqs = Vec::with_capacity(n);
    for ack in acks {
        seqs.push(ack.await.unwrap().sequence);
    }
    let mut acks = Vec::with_capacity(n);
    for (p, &seq) in payloads.iter().zip(&seqs) {
        let job = DeadJob {
            stream: WORK.into(),
            seq,
            subject: "orders.new".into(),
            consumer: "processor".into(),
            attempts: 2,
            reason: "exit code 1".into(),
            exit_code: Some(1),
            signal: None,
            timed_out: false,
            stderr_tail: None,
            died_at: "2026-01-01T00:00:00Z".into(),
            worker: "testhost/42".into(),
            payload: Bytes::from(p.clone()),
            headers: None,
        };
        let subject = jq_nats::dlq::entry_subject(WORK, seq);
        let ack = js
            .publish_with_headers(subject, job.entry_headers(), job.payload.clone())
            .await
            .unwrap();
        acks.push(ack);
        if acks.len() == 1000 {
            for ack in acks.drain(..) {
                ack.await.unwrap();
            }
        }
    }
    for ack in acks {
        ack.await.unwrap();
    }
    js.get_stream(WORK).await.unwrap().purge().await.unwrap();
    payloads
}

/// A DLQ of thousands of entries is read in two halves at once, the second on a connection of
/// its own: every dead job is listed once, with its sequence, and a replay publishes each once.
#[test]
fn a_dlq_of_thousands_read_in_two_halves_lists_and_replays_every_job_once() {
    let s = Setup::new();
    s.add_stream();
    let n = 5000;
    let payloads = rt().block_on(async {
        let js = js(&s.server.url).await;
        many_dead(&js, n).await
    });
    let jobs = s.ls(&[]);
    assert_eq!(jobs.len(), n);
    // The work stream's sequences 1..=n, each once: none missed or doubled where the halves meet.
    assert_eq!(
        jobs.keys().copied().collect::<Vec<u64>>(),
        (1..=n as u64).collect::<Vec<_>>()
    );
    for (seq, j) in &jobs {
        assert_eq!(j["subject"], "orders.new", "{seq}: {j}");
    }
    let out = s.jq_ok(&["dlq", "replay", "--all", "--json"]);
    let sum = ndjson(&out)
        .into_iter()
        .find(|e| e["type"] == "summary")
        .unwrap();
    assert_eq!(sum["replayed"], n, "{}", stderr_of(&out));
    assert_each_replayed_once(&s, &payloads, "after the replay");
}

/// A server that refuses the second connection (`max_connections: 1`): the whole DLQ is read
/// on the one connection there is, and nothing is missed.
#[test]
fn a_dlq_of_thousands_is_read_whole_when_a_second_connection_is_refused() {
    let s = Setup::with_config("max_connections: 1\n");
    s.add_stream();
    let n = 5000;
    rt().block_on(async {
        let js = js(&s.server.url).await;
        many_dead(&js, n).await;
    });
    // The test's own connection is gone: jq-nats' first one is the only one allowed.
    let jobs = s.ls(&[]);
    assert_eq!(
        jobs.keys().copied().collect::<Vec<u64>>(),
        (1..=n as u64).collect::<Vec<_>>()
    );
}

/// Dead jobs as workers leave them: copied to the DLQ, then acked.
async fn copy_all(js: &Context, payloads: &[String]) {
    let refs: Vec<&str> = payloads.iter().map(String::as_str).collect();
    publish(js, &refs).await;
    let c = processor(js).await;
    let mut got = 0;
    while got < payloads.len() {
        for m in fetch(&c, Duration::from_millis(400)).await {
            got += 1;
            write_copy(js, &m, "exit 1", 1).await;
            m.double_ack().await.unwrap();
        }
    }
}

/// On a terminal a replay lists its jobs one by one up to about a screenful; past it, the bar,
/// the warnings and the summary, and a line saying so instead of a line per job (20,000 lines
/// would only scroll by). A log (stderr not a terminal) lists every job.
#[test]
fn a_replay_on_a_terminal_lists_jobs_one_by_one_only_up_to_a_screenful() {
    let s = Setup::new();
    s.add_stream();
    let listed = jq_nats::cmd::dlq::LISTED_ON_A_TERMINAL;
    for (round, n, terminal) in [
        (0, 3, true),
        (1, listed + 10, true),
        (2, listed + 10, false),
    ] {
        let payloads: Vec<String> = (0..n).map(|i| format!("r{round}-job-{i}")).collect();
        rt().block_on(async {
            let js = js(&s.server.url).await;
            copy_all(&js, &payloads).await;
            let _ = js
                .get_stream(WORK)
                .await
                .unwrap()
                .delete_consumer("processor")
                .await;
        });
        let args = ["dlq", "replay", WORK, "--all"];
        let text = if terminal {
            on_a_terminal(&s.jq_std(&args), 100)
        } else {
            stderr_of(&s.jq_ok(&args))
        };
        let lines = text.matches("(orders.new) as orders_stream:").count();
        let note = format!("{n} jobs: not listed one by one on a terminal (--json lists each)");
        if terminal && n > listed {
            assert_eq!(lines, 0, "round {round}:\n{text}");
            assert!(text.contains(&note), "round {round}:\n{text}");
        } else {
            assert_eq!(lines, n, "round {round}:\n{text}");
            assert!(
                !text.contains("not listed one by one"),
                "round {round}:\n{text}"
            );
        }
        assert!(
            text.contains(&format!("replayed {n} dead jobs")),
            "round {round}:\n{text}"
        );
        rt().block_on(async {
            let js = js(&s.server.url).await;
            assert_eq!(messages(&js, WORK).await, n as u64, "round {round}");
            js.get_stream(WORK).await.unwrap().purge().await.unwrap();
        });
    }
}

/// On a terminal, what a drain's COMMAND writes goes around the bar: each of its lines starts
/// a line of the terminal; none is written after the bar on the bar's own line.
#[test]
fn a_drain_on_a_terminal_writes_its_commands_output_around_the_bar() {
    let (s, payloads) = batch_setup(3);
    let cmd = s.jq_std(&[
        "dlq",
        "drain",
        WORK,
        "--",
        "sh",
        "-c",
        "sleep 0.4; cat; echo; echo from-stderr >&2",
    ]);
    let text = on_a_terminal(&cmd, 100);
    assert!(text.contains("draining ["), "no bar drawn:\n{text:?}");
    for line in payloads.iter().map(String::as_str).chain(["from-stderr"]) {
        let found: Vec<usize> = text.match_indices(line).map(|(i, _)| i).collect();
        assert!(!found.is_empty(), "{line} not shown:\n{text:?}");
        for i in found {
            let before = &text[..i];
            assert!(
                before.is_empty() || before.ends_with('\n') || before.ends_with("\x1b[2K"),
                "{line} written after {:?}:\n{text:?}",
                &before[before.len().saturating_sub(40)..]
            );
        }
    }
    assert!(text.contains("drained 3 dead jobs"), "{text:?}");
}

/// A whole DLQ replayed is read in bulk and removed in one purge; a purge that would take
/// what is not the replayed jobs' (a foreign message beside them, or on their subjects) is
/// not made, or made only up to them on their subjects: the foreign messages stay.
#[test]
fn replaying_a_whole_dlq_removes_only_the_replayed_jobs() {
    let s = Setup::new();
    s.add_stream();
    for (round, foreign_subject) in [
        "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.orders_stream.someone",
        "jqnats.dlq.orders_stream.notes",
    ]
    .into_iter()
    .enumerate()
    {
        let payloads: Vec<String> = (0..600).map(|i| format!("r{round}-job-{i}")).collect();
        let before = rt().block_on(async {
            let js = js(&s.server.url).await;
            copy_all(&js, &payloads[..300]).await;
            let seq = js
                .publish(foreign_subject, Bytes::from_static(b"not ours"))
                .await
                .unwrap()
                .await
                .unwrap()
                .sequence;
            copy_all(&js, &payloads[300..]).await;
            seq
        });
        let out = s.jq_ok(&["dlq", "replay", "--all", "--json"]);
        let sum = ndjson(&out)
            .into_iter()
            .find(|e| e["type"] == "summary")
            .unwrap();
        assert_eq!(sum["replayed"], 600, "{}", stderr_of(&out));
        assert_eq!(sum["kept"], 0, "{}", stderr_of(&out));
        rt().block_on(async {
            let js = js(&s.server.url).await;
            let dlq = contents(&js, DLQ).await;
            let left: Vec<(u64, String)> = dlq.iter().map(|m| (m.0, m.1.clone())).collect();
            // Round 2 also keeps round 1's foreign message.
            assert!(
                left.contains(&(before, foreign_subject.to_string())),
                "round {round}: the foreign message stays: {left:?}"
            );
            assert_eq!(
                left.len(),
                round + 1,
                "round {round}: only foreign messages left"
            );
            let mut seen: Vec<String> = contents(&js, WORK)
                .await
                .into_iter()
                .map(|w| w.2)
                .filter(|p| p.starts_with(&format!("r{round}-")))
                .collect();
            seen.sort();
            let mut want = payloads.clone();
            want.sort();
            assert_eq!(seen, want, "round {round}: every job replayed exactly once");
            js.get_stream(WORK).await.unwrap().purge().await.unwrap();
            let _ = js
                .get_stream(WORK)
                .await
                .unwrap()
                .delete_consumer("processor")
                .await;
        });
    }
}

#[test]
fn a_terminated_job_is_listed_as_lost() {
    let s = Setup::new();
    s.add_stream();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        publish(&js, &["poison"]).await;
        let c = processor(&js).await;
        for m in fetch(&c, Duration::from_millis(300)).await {
            m.ack_with(async_nats::jetstream::AckKind::Term)
                .await
                .unwrap();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while messages(&js, DLQ).await < 1 {
            assert!(Instant::now() < deadline, "no MSG_TERMINATED advisory");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let jobs = s.ls(&[]);
    assert_eq!(jobs[&1]["state"], "lost");
    assert_eq!(jobs[&1]["entry"]["kind"], "terminated");
    assert!(jobs[&1]["reason"]
        .as_str()
        .unwrap()
        .starts_with("terminated"));
    let out = s.jq(&["dlq", "replay", "--seq", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("payload is lost"),
        "{}",
        stderr_of(&out)
    );
    let out = s.jq(&["dlq", "show", "1", "--raw"]);
    assert_eq!(out.status.code(), Some(1));
    s.jq_ok(&["dlq", "purge", "--seq", "1", "--force"]);
    assert!(s.ls(&[]).is_empty());
}

#[test]
fn replay_of_an_unknown_seq_is_a_clear_error() {
    let s = Setup::new();
    s.add_stream();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        publish(&js, &["dead"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((DLQ, 1))).await;
        publish(&js, &["waiting"]).await;
    });
    let out = s.jq(&["dlq", "replay", "--seq", "999"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("error: no dead job with sequence 999 in `orders_stream_dlq`"),
        "{err}"
    );
    assert!(
        err.contains("hint: `jq-nats dlq ls orders_stream`"),
        "{err}"
    );
    let out = s.jq(&["dlq", "replay", "--seq", "2"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("job 2 is not dead: it is in `orders_stream`"),
        "{err}"
    );
    let out = s.jq(&["dlq", "show", "999"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("no dead job with sequence 999"));
    // Nothing chosen at all is a usage error.
    let out = s.jq(&["dlq", "replay"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("--seq SEQ, --all, or a filter"));
    // Nothing was touched.
    assert_eq!(s.ls(&[]).len(), 1);
}

#[test]
fn drain_keeps_a_job_its_command_fails_and_removes_it_once_it_succeeds() {
    let s = Setup::new();
    s.add_stream();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        publish(&js, &["d1", "d2"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((DLQ, 2))).await;
    });
    let out = s.jq(&[
        "dlq",
        "drain",
        "--json",
        "--",
        "sh",
        "-c",
        "cat >/dev/null; echo boom >&2; exit 3",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let events = ndjson(&out);
    let failed: Vec<&Value> = events.iter().filter(|e| e["type"] == "failed").collect();
    assert_eq!(failed.len(), 2, "{events:?}");
    assert_eq!(failed[0]["outcome"], "exit code 3");
    assert_eq!(failed[0]["stderr_tail"], "boom");
    // Both still dead, now copied into the DLQ, the work stream freed.
    let jobs = s.ls(&[]);
    assert_eq!(jobs.len(), 2);
    assert!(jobs.values().all(|j| j["state"] == "dlq"));
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("drained");
    let script = format!(
        "{{ cat; echo \" seq=$JQ_SEQ attempts=$JQ_ATTEMPTS subject=$JQ_SUBJECT trace=$JQ_HEADER_TRACE reason=$JQ_DLQ_REASON\"; }} >> {}",
        log.display()
    );
    let out = s.jq_ok(&["dlq", "drain", "--", "sh", "-c", &script]);
    assert!(
        stderr_of(&out).contains("drained 2 dead jobs"),
        "{}",
        stderr_of(&out)
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("d1 seq=1 attempts=2 subject=orders.new trace=trace-d1 reason=max deliveries reached (2 attempts)"), "{text}");
    assert!(text.contains("d2 seq=2"), "{text}");
    assert!(s.ls(&[]).is_empty());
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(messages(&js, WORK).await, 0);
        assert_eq!(messages(&js, DLQ).await, 0);
    });
}

#[test]
fn drain_without_a_command_writes_each_job_then_removes_it() {
    let s = Setup::new();
    s.add_stream();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        publish(&js, &["x1", "x2", "x3"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((DLQ, 3))).await;
    });
    let out = s.jq_ok(&["dlq", "drain", "--dry-run"]);
    assert!(stderr_of(&out).contains("3 dead jobs to drain"));
    assert_eq!(s.ls(&[]).len(), 3);
    let out = s.jq_ok(&["dlq", "drain", "--max", "1"]);
    assert_eq!(stdout_of(&out), "x1\n");
    let out = s.jq_ok(&["dlq", "drain", "--json"]);
    let jobs: Vec<Value> = ndjson(&out)
        .into_iter()
        .filter(|v| v["type"] == "job")
        .collect();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0]["payload"], "x2");
    assert_eq!(jobs[0]["headers"]["Trace"][0], "trace-x2");
    assert_eq!(jobs[1]["payload"], "x3");
    assert!(s.ls(&[]).is_empty());
}

/// `dlq drain ... | head`: when the reader of our stdout goes away, the drain stops there and
/// exits 0. The job whose COMMAND died of SIGPIPE writing to it is not counted failed, and no
/// job is left claimed: the next drain runs them all with no "interrupted drain" warning. The
/// same without a COMMAND, where the drain itself finds the pipe closed.
#[test]
fn a_drain_whose_stdout_is_closed_stops_and_keeps_its_jobs() {
    let s = Setup::new();
    s.add_stream();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        publish(&js, &["x1", "x2", "x3", "x4", "x5"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((DLQ, 5))).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let go = dir.path().join("go");
    let go = go.to_str().unwrap();
    let started = dir.path().join("started");
    let started = started.to_str().unwrap();
    let mut cmd = s.env.jq_std();
    cmd.args(["-s", &s.server.url, "dlq", "drain", "--", "sh", "-c"])
        .arg(format!(
            "touch {started}; while [ ! -e {go} ]; do sleep 0.05; done; cat; echo"
        ))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::path::Path::new(started).exists() {
        assert!(
            Instant::now() < deadline,
            "the drain's command never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(child.stdout.take());
    std::fs::write(go, "").unwrap();
    let out = child.wait_with_output().unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{}: {err}", out.status);
    assert!(
        err.contains("drained 0 dead jobs; stopped: stdout was closed with 5 left"),
        "{err}"
    );
    assert!(!err.contains("failed"), "{err}");
    assert_eq!(s.ls(&[]).len(), 5);

    // Without a COMMAND: the drain writes the jobs itself.
    let mut cmd = s.env.jq_std();
    cmd.args(["-s", &s.server.url, "dlq", "drain"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{}: {err}", out.status);
    assert!(
        err.contains("stopped: stdout was closed with 5 left"),
        "{err}"
    );
    assert_eq!(s.ls(&[]).len(), 5);

    let out = s.jq_ok(&["dlq", "drain", "--", "true"]);
    let err = stderr_of(&out);
    assert!(err.contains("drained 5 dead jobs"), "{err}");
    assert!(!err.contains("interrupted"), "{err}");
    assert!(s.ls(&[]).is_empty());
}

/// A job a few hundred bytes under the server's max payload fits its stream, but its DLQ copy
/// with the copy's metadata does not: the worker leaves it parked (its advisory in the DLQ),
/// and `dlq replay` publishes it again from that parked original, byte for byte, once.
#[test]
fn a_job_too_big_for_a_dlq_copy_is_replayed_from_its_parked_original() {
    let s = Setup::with_config("max_payload: 4096\n");
    s.add_stream();
    let big = "b".repeat(3900);
    s.jq_ok(&["publish", "orders.new", &big]);
    s.jq_ok(&["publish", "orders.new", "small"]);
    let out = s.jq_ok(&[
        "work",
        WORK,
        "--until-empty",
        "--max-deliver",
        "1",
        "--",
        "false",
    ]);
    let err = stderr_of(&out);
    assert!(err.contains("dead 1, parked 1"), "{err}");
    let jobs = s.ls(&[]);
    assert_eq!(jobs.len(), 2, "{jobs:?}");
    assert_eq!(jobs[&1]["state"], "parked", "{jobs:?}");
    // `ls` says so, and does not send the user to `dlq reconcile`, which could not copy it.
    assert_eq!(s.summary(&[])["too_big_to_copy"], 1);
    let err = stderr_of(&s.jq_ok(&["dlq", "ls"]));
    assert!(
        err.contains("1 only in orders_stream, too big for a copy with its metadata"),
        "{err}"
    );
    assert!(!err.contains("dlq reconcile"), "{err}");

    // Reconcile cannot copy it either, and says where it can be handled from; a drain runs it
    // from the work stream without a warning about the copy, and keeps it when COMMAND fails.
    let out = s.jq(&["dlq", "reconcile"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("too big for a copy in orders_stream_dlq with its metadata"),
        "{err}"
    );
    let out = s.jq(&["dlq", "drain", "--", "false"]);
    let err = stderr_of(&out);
    assert!(err.contains("2 failed"), "{err}");
    assert!(!err.contains("failed to copy"), "{err}");
    assert_eq!(s.ls(&[]).len(), 2);

    let out = s.jq_ok(&["dlq", "replay", "--all"]);
    let err = stderr_of(&out);
    assert!(err.contains("replayed 2 dead jobs"), "{err}");
    assert!(s.ls(&[]).is_empty());
    let mut work = rt().block_on(async { work_payloads(&js(&s.server.url).await).await });
    work.sort();
    assert_eq!(work, vec![big, "small".to_string()]);
}

/// Crashes `dlq replay --all` at each step where a job is in two places at once, runs it again
/// each time, and checks after every crash that no job is lost; a replay repeated after a crash
/// is caught by the duplicate window and reported.
#[test]
fn sigkill_during_replay_at_every_step_loses_nothing() {
    let s = Setup::new();
    s.add_stream();
    let payloads: Vec<String> = (0..6).map(|i| format!("job-{i}")).collect();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let refs: Vec<&str> = payloads.iter().map(String::as_str).collect();
        publish(&js, &refs).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((DLQ, 6))).await;
    });
    let mut duplicates = 0;
    for point in [
        "copy.written",
        "original.removed",
        "entry.removed:2",
        "replay.acked",
        "replay.published",
    ] {
        // One job at a time (per-job markers); batches have a test of their own.
        replay_killed_at(&s, point, &["--json", "--rate", "1000"], &payloads);
        if point.starts_with("replay.") {
            // The next run finds the job already replayed (its marker, or the replay itself
            // in the work stream), removes it without publishing again, and says so.
            let marked: Vec<String> = s
                .ls(&[])
                .into_iter()
                .filter(|(_, j)| j["markers"].is_array())
                .map(|(seq, _)| seq.to_string())
                .collect();
            assert_eq!(marked.len(), 1, "{point}");
            let out = s.jq(&["dlq", "replay", "--seq", &marked[0], "--json"]);
            assert!(out.status.success(), "{}", stderr_of(&out));
            duplicates += ndjson(&out)
                .iter()
                .filter(|e| e["type"] == "replayed_before")
                .count();
            assert!(
                stderr_of(&out).contains("was replayed before by an interrupted run"),
                "{}",
                stderr_of(&out)
            );
        }
    }
    assert_eq!(duplicates, 2, "a replay repeated after a crash is reported");
    s.jq_ok(&["dlq", "replay", "--all"]);
    assert!(s.ls(&[]).is_empty());
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let work: Vec<String> = contents(&js, WORK).await.into_iter().map(|w| w.2).collect();
        for p in &payloads {
            assert_eq!(
                work.iter().filter(|w| *w == p).count(),
                1,
                "{p} in {work:?}"
            );
        }
        assert_eq!(messages(&js, DLQ).await, 0);
    });
}

/// Dead jobs made by copying, with no consumer left on the work stream (so what is replayed
/// stays there to be counted).
fn batch_setup(n: usize) -> (Setup, Vec<String>) {
    batch_setup_in(Setup::new(), n)
}

fn batch_setup_in(s: Setup, n: usize) -> (Setup, Vec<String>) {
    s.add_stream();
    let payloads: Vec<String> = (0..n).map(|i| format!("job-{i}")).collect();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        copy_all(&js, &payloads).await;
        js.get_stream(WORK)
            .await
            .unwrap()
            .delete_consumer("processor")
            .await
            .unwrap();
    });
    (s, payloads)
}

/// Each payload exactly once in the work stream, nothing left in the DLQ (no batch claim or
/// record either).
fn assert_each_replayed_once(s: &Setup, payloads: &[String], when: &str) {
    assert!(s.ls(&[]).is_empty(), "{when}");
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let work: Vec<String> = contents(&js, WORK).await.into_iter().map(|w| w.2).collect();
        for p in payloads {
            assert_eq!(
                work.iter().filter(|w| *w == p).count(),
                1,
                "{when}: {p} in {work:?}"
            );
        }
        assert_eq!(
            messages(&js, DLQ).await,
            0,
            "{when}: nothing left in the DLQ"
        );
    });
}

/// `dlq replay --all` (with `extra` arguments) SIGKILLed at failpoint `point`: it died there,
/// and no job is lost.
fn replay_killed_at(s: &Setup, point: &str, extra: &[&str], payloads: &[String]) {
    let out = s
        .env
        .jq()
        .env("JQ_NATS_FAILPOINT", point)
        .args(["-s", &s.server.url, "dlq", "replay", "--all"])
        .args(extra)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(9), "{point}: {}", stderr_of(&out));
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let after = format!("after a crash at {point}");
        assert_nothing_lost(&js, DLQ, payloads, None, &after).await;
    });
}

/// The events of a `dlq replay --all --json` that succeeds, its summary left out, and its
/// stderr.
fn replay_all_events(s: &Setup) -> (Vec<Value>, String) {
    let out = s.jq_ok(&["dlq", "replay", "--all", "--json"]);
    let events = ndjson(&out)
        .into_iter()
        .filter(|e| e["type"] != "summary")
        .collect();
    (events, stderr_of(&out))
}

/// `replay --all` claims its jobs in a batch: killed after the claim, between the publishes
/// and the batch's `replayed` record, after the record, and in the removal, nothing is lost;
/// the next run removes what was replayed, publishes again (with a warning) what may not have
/// been, and each job ends up in the work stream once.
#[test]
fn sigkill_during_a_batch_replay_at_every_step_loses_nothing() {
    for point in [
        "replay.claimed",
        "replay.acked:3",
        "replay.published:6",
        "entry.removed:3",
    ] {
        let (s, payloads) = batch_setup(6);
        replay_killed_at(&s, point, &[], &payloads);
        let jobs = s.ls(&[]);
        if point != "entry.removed:3" {
            assert_eq!(jobs.len(), 6, "{point}: {jobs:?}");
            for j in jobs.values() {
                assert_eq!(j["markers"][0]["kind"], "replaying", "{point}: {j}");
                assert_eq!(j["markers"][0]["held"], false, "{point}: {j}");
            }
        }
        let (events, err) = replay_all_events(&s);
        match point {
            "replay.claimed" => {
                assert_eq!(events.len(), 6, "{err}");
                for e in &events {
                    assert_eq!(e["type"], "replayed", "{point}: {e}");
                    assert_eq!(e["possible_duplicate"], true, "{point}: {e}");
                }
                assert!(err.contains("may have been replayed already"), "{err}");
            }
            "replay.acked:3" => {
                assert_eq!(events.len(), 6, "{err}");
                // The first two acked are found in the work stream; the others were sent
                // too, or are published again (the duplicate window drops a repeat).
                for e in &events[..2] {
                    assert_eq!(e["type"], "replayed_before", "{point}: {e}");
                }
                for e in &events {
                    assert!(
                        e["type"] == "replayed_before"
                            || e["duplicate"] == true
                            || e["possible_duplicate"] == true,
                        "{point}: {e}"
                    );
                }
            }
            "replay.published:6" => {
                assert_eq!(events.len(), 6, "{err}");
                for e in &events {
                    assert_eq!(e["type"], "replayed_before", "{point}: {e}");
                }
            }
            _ => assert!(events.is_empty(), "{point}: {events:?}"),
        }
        assert_each_replayed_once(&s, &payloads, point);
    }
}

/// Two windows are in flight at once: the next window's claim is written and its jobs sent
/// before the acks of the one before are awaited. Killed at the second window's claim, with
/// the first window's publishes sent and no record written, nothing is lost and the next run
/// publishes no job twice (a server taking payloads of 2 KiB at most makes windows of 32).
#[test]
fn sigkill_with_two_replay_windows_in_flight_loses_nothing_and_publishes_nothing_twice() {
    let (s, payloads) = batch_setup_in(Setup::with_config("max_payload: 2048\n"), 80);
    replay_killed_at(&s, "replay.claimed:2", &[], &payloads);
    let (events, err) = replay_all_events(&s);
    assert_eq!(events.len(), 80, "{err}");
    // The first window was sent before the kill: found in the work stream (only removed now)
    // or dropped by the duplicate window; none of it is a new publish.
    let first_window = events
        .iter()
        .filter(|e| e["type"] == "replayed_before" || e["duplicate"] == true)
        .count();
    assert!(
        first_window >= 32,
        "{first_window} of the first 32 found: {err}"
    );
    assert_each_replayed_once(&s, &payloads, "after the second run");
}

/// Waits until process `pid` is stopped (a `:stop` failpoint), then gives `act` its turn and
/// lets the process go on.
fn while_stopped(pid: u32, act: impl FnOnce()) {
    wait_until(Duration::from_secs(20), "the command to stop", || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                s.rsplit_once(')')
                    .map(|(_, r)| r.trim_start().starts_with('T'))
            })
            .unwrap_or(false)
    });
    act();
    let ok = std::process::Command::new("kill")
        .args(["-CONT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

/// `dlq replay --all --json`, started to stop between its read of the DLQ and its batch claim
/// (see [`while_stopped`]).
fn batch_replay_stopping_before_its_claim(s: &Setup) -> std::process::Child {
    let mut replay = s.env.jq_std();
    replay
        .env("JQ_NATS_FAILPOINT", "replay.claiming:1:stop")
        .args(["-s", &s.server.url, "dlq", "replay", "--all", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    replay.spawn().unwrap()
}

/// A batch replay races per-job claims: a `draining` marker stored after the batch read the
/// DLQ and before its claim wins that job (the batch leaves it with a notice and replays the
/// rest); a drain that finishes jobs meanwhile makes the batch give up its claim and leave the
/// jobs it finds gone.
#[test]
fn a_batch_replay_leaves_a_job_a_per_job_claim_took_first() {
    let (s, payloads) = batch_setup(5);
    // A per-job claim of job 2 by a command that is still running (this test's process).
    let replay = batch_replay_stopping_before_its_claim(&s);
    while_stopped(replay.id(), || {
        rt().block_on(async {
            let js = js(&s.server.url).await;
            let mut h = HeaderMap::new();
            h.insert("Jq-Dlq-Marker", "draining");
            let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
            h.insert(
                "Jq-Dlq-Marker-By",
                format!("{}/{}", host.trim(), std::process::id()).as_str(),
            );
            js.publish_with_headers("jqnats.dlq.orders_stream.2", h, Bytes::new())
                .await
                .unwrap()
                .await
                .unwrap();
        });
    });
    let out = replay.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("dead job 2 skipped: another dlq command is handling it (draining by "),
        "{err}"
    );
    let jobs = s.ls(&[]);
    assert_eq!(
        jobs.keys().copied().collect::<Vec<_>>(),
        vec![2],
        "{jobs:?}"
    );
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let work: Vec<String> = contents(&js, WORK).await.into_iter().map(|w| w.2).collect();
        assert_eq!(work.len(), 4, "{work:?}");
        assert!(!work.contains(&payloads[1]), "{work:?}");
    });

    // A drain that finishes every job while the batch is between its read and its claim.
    let (s, payloads) = batch_setup(5);
    let replay = batch_replay_stopping_before_its_claim(&s);
    let mut drained = String::new();
    while_stopped(replay.id(), || {
        drained = stdout_of(&s.jq_ok(&["dlq", "drain"]));
    });
    let out = replay.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let lines: Vec<&str> = drained.lines().collect();
    assert_eq!(lines.len(), 5, "{drained}");
    assert!(s.ls(&[]).is_empty());
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(messages(&js, WORK).await, 0, "none replayed: {payloads:?}");
        assert_eq!(messages(&js, DLQ).await, 0);
    });
}

/// A dead job stored while a whole DLQ is replayed (after the replay read it) is not the
/// replay's to remove: the purge of the replayed jobs stops where the replay's read ended, and
/// the new job's copy stays, with nothing else.
#[test]
fn a_job_dead_lettered_during_a_replay_stays_in_the_dlq() {
    let (s, payloads) = batch_setup(600);
    let replay = batch_replay_stopping_before_its_claim(&s);
    while_stopped(replay.id(), || {
        rt().block_on(async {
            let js = js(&s.server.url).await;
            copy_all(&js, &["late-job".to_string()]).await;
        });
    });
    let out = replay.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let sum = ndjson(&out)
        .into_iter()
        .find(|e| e["type"] == "summary")
        .unwrap();
    assert_eq!(sum["replayed"], 600, "{}", stderr_of(&out));
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let dlq = contents(&js, DLQ).await;
        assert_eq!(
            dlq.len(),
            1,
            "only the late job's copy: {:?}",
            dlq.iter().map(|m| &m.1).collect::<Vec<_>>()
        );
        assert_eq!(dlq[0].2, "late-job");
        let mut work: Vec<String> = contents(&js, WORK).await.into_iter().map(|w| w.2).collect();
        work.sort();
        let mut want = payloads.clone();
        want.sort();
        assert_eq!(work, want, "every job replayed once, the late one not");
    });
    let jobs = s.ls(&[]);
    assert_eq!(jobs.len(), 1, "{jobs:?}");
}

/// A per-job claim races a batch: a batch claim of another command stored after the per-job
/// command read the DLQ, and before its marker, wins the job; the per-job command takes its
/// marker back and leaves the job with a notice.
#[test]
fn a_per_job_replay_leaves_a_job_a_batch_claimed_first() {
    let (s, _payloads) = batch_setup(3);
    let mut replay = s.env.jq_std();
    replay
        .env("JQ_NATS_FAILPOINT", "replay.claiming:1:stop")
        // One at a time: a per-job claim.
        .args([
            "-s",
            &s.server.url,
            "dlq",
            "replay",
            "--seq",
            "2",
            "--rate",
            "1000",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let replay = replay.spawn().unwrap();
    while_stopped(replay.id(), || {
        rt().block_on(async {
            let js = js(&s.server.url).await;
            let mut h = HeaderMap::new();
            h.insert("Jq-Dlq-Marker", "replaying");
            h.insert("Jq-Dlq-Marker-By", "some-other-host/1");
            h.insert("Jq-Dlq-Marker-After", "0");
            js.publish_with_headers(
                "jqnats.dlq.orders_stream.batch",
                h,
                Bytes::from_static(br#"{"jobs":[[1,3]]}"#),
            )
            .await
            .unwrap()
            .await
            .unwrap();
        });
    });
    let out = replay.wait_with_output().unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(
            "dead job 2 skipped: another dlq command is handling it (replaying by some-other-host/1"
        ),
        "{err}"
    );
    let jobs = s.ls(&[]);
    assert_eq!(jobs.len(), 3);
    // Its own marker was taken back: only the batch's claim stands for job 2.
    let markers = jobs[&2]["markers"].as_array().unwrap();
    assert_eq!(markers.len(), 1, "{markers:?}");
    assert_eq!(markers[0]["by"], "some-other-host/1");
    assert_eq!(markers[0]["held"], true);
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(messages(&js, WORK).await, 0);
    });
}

/// SIGKILL at moments that are not chosen: a slow replay and a slow drain killed again and
/// again; every job stays somewhere, and in the end every job is done.
#[test]
fn sigkill_at_random_moments_of_replay_and_drain_loses_nothing() {
    let s = Setup::new();
    s.add_stream();
    let payloads: Vec<String> = (0..8).map(|i| format!("job-{i}")).collect();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let refs: Vec<&str> = payloads.iter().map(String::as_str).collect();
        publish(&js, &refs).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((DLQ, 8))).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("done");
    let script = format!(
        "cat >> {}; echo >> {}; sleep 0.05",
        log.display(),
        log.display()
    );
    for (round, delay) in [150u64, 330, 90, 260, 200, 420].into_iter().enumerate() {
        let replay = round % 2 == 0;
        let mut cmd = s.env.jq_std();
        cmd.arg("-s").arg(&s.server.url).arg("dlq");
        if replay {
            cmd.args(["replay", "--all", "--rate", "40"]);
        } else {
            cmd.args(["drain", "--", "sh", "-c", &script]);
        }
        cmd.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        rt().block_on(async {
            let js = js(&s.server.url).await;
            assert_nothing_lost(
                &js,
                DLQ,
                &payloads,
                Some(&log),
                &format!("after kill {round}"),
            )
            .await;
            if replay {
                // Replayed jobs fail again (nothing acks them here) and come back dead.
                let mut c = processor(&js).await;
                let info = c.info().await.unwrap();
                let coming = info.num_pending + info.num_ack_pending as u64;
                let dead = messages(&js, DLQ).await;
                let_die(&js, &mut c, Some((DLQ, dead + coming))).await;
                assert_nothing_lost(&js, DLQ, &payloads, Some(&log), "after replays died").await;
            }
        });
    }
    s.jq_ok(&["dlq", "drain", "--", "sh", "-c", &script]);
    assert!(s.ls(&[]).is_empty());
    let done = std::fs::read_to_string(&log).unwrap();
    for p in &payloads {
        assert!(done.lines().any(|l| l == p), "{p} never done:\n{done}");
    }
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(messages(&js, WORK).await, 0);
        assert_eq!(messages(&js, DLQ).await, 0);
    });
}

/// `dlq drain` killed after COMMAND succeeded: once its `drained` marker is stored, the next
/// run removes the job without running it again; killed before that, the next run runs it
/// again and says it may have been processed already (or leaves it, with --skip-interrupted).
/// The markers are never dead jobs of their own.
#[test]
fn drain_killed_after_its_command_succeeded_is_reported_by_the_next_run() {
    let s = Setup::new();
    s.add_stream();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        publish(&js, &["one", "two"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((DLQ, 2))).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("done");
    let script = format!("cat >> {}; echo >> {}", log.display(), log.display());
    let killed = |point: &str, extra: &[&str]| {
        let mut args = vec!["-s", &s.server.url, "dlq", "drain"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--", "sh", "-c", &script]);
        let out = s
            .env
            .jq()
            .env("JQ_NATS_FAILPOINT", point)
            .args(&args)
            .output()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(9), "{}", stderr_of(&out));
    };
    // Killed once COMMAND succeeded and `drained` was stored.
    killed("drain.handled", &["--max", "1"]);
    let jobs = s.ls(&[]);
    assert_eq!(jobs.len(), 2, "markers are no dead jobs: {jobs:?}");
    assert_eq!(s.summary(&[])["dead"], 2);
    let kinds: Vec<&str> = jobs[&1]["markers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["draining", "drained"]);
    assert_eq!(jobs[&1]["markers"][0]["held"], false);
    let text = stdout_of(&s.jq_ok(&["dlq", "show", "1"]));
    assert!(
        text.contains("handled by an interrupted dlq command"),
        "{text}"
    );
    let out = s.jq_ok(&[
        "dlq", "drain", "--max", "1", "--json", "--", "sh", "-c", &script,
    ]);
    let err = stderr_of(&out);
    assert!(
        err.contains("dead job 1 was handled before by an interrupted run (drained by "),
        "{err}"
    );
    assert!(
        ndjson(&out)
            .iter()
            .any(|e| e["type"] == "done_before" && e["seq"] == 1),
        "{}",
        stdout_of(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "one\n",
        "not run again"
    );
    // Killed after COMMAND succeeded, before `drained` was stored: it may have run.
    killed("drain.succeeded", &[]);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "one\ntwo\n");
    let jobs = s.ls(&[]);
    assert_eq!(jobs.keys().copied().collect::<Vec<_>>(), vec![2]);
    assert_eq!(jobs[&2]["markers"][0]["kind"], "draining");
    let out = s.jq_ok(&["dlq", "ls"]);
    assert!(
        stderr_of(&out).contains("an interrupted dlq command may have handled it: draining by "),
        "{}",
        stderr_of(&out)
    );
    let out = s.jq_ok(&[
        "dlq",
        "drain",
        "--skip-interrupted",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    assert!(
        stderr_of(&out).contains("dead job 2 skipped: it may have been processed already"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(s.ls(&[]).len(), 1);
    let out = s.jq_ok(&["dlq", "drain", "--json", "--", "sh", "-c", &script]);
    let err = stderr_of(&out);
    assert!(
        err.contains(
            "dead job 2 may have been processed already by an interrupted drain (draining by "
        ),
        "{err}"
    );
    assert!(err.contains("1 possibly processed twice"), "{err}");
    assert!(ndjson(&out)
        .iter()
        .any(|e| e["type"] == "drained" && e["possible_duplicate"] == true));
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "one\ntwo\ntwo\n",
        "at least once"
    );
    assert!(s.ls(&[]).is_empty());
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(messages(&js, DLQ).await, 0, "markers go with their job");
    });
}

/// Killed after the job's entry was removed, before its markers: the markers are no dead job,
/// `ls` counts them apart, and the next command that changes the DLQ removes them.
#[test]
fn markers_left_by_a_killed_command_are_never_dead_jobs() {
    let s = Setup::new();
    s.add_stream();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        publish(&js, &["gone"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((DLQ, 1))).await;
    });
    // The advisory is entry.removed:1 (after the copy was written), the copy :2.
    let out = s
        .env
        .jq()
        .env("JQ_NATS_FAILPOINT", "entry.removed:2")
        .args(["-s", &s.server.url, "dlq", "drain", "--", "cat"])
        .output()
        .unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(9), "{}", stderr_of(&out));
    assert!(s.ls(&[]).is_empty());
    let sum = s.summary(&[]);
    assert_eq!(sum["dead"], 0);
    assert_eq!(sum["leftover_markers"], 2);
    let out = s.jq_ok(&["dlq", "ls"]);
    assert!(
        stderr_of(&out).contains("2 leftover markers"),
        "{}",
        stderr_of(&out)
    );
    let out = s.jq(&["dlq", "show", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let out = s.jq_ok(&["dlq", "reconcile"]);
    assert!(
        stderr_of(&out).contains("removed 2 leftover markers"),
        "{}",
        stderr_of(&out)
    );
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(messages(&js, DLQ).await, 0);
    });
}

/// A replay killed after the work stream acked it, run again after the duplicate window (1s
/// here) when the server no longer drops a repeated publish: the job is in the work stream
/// once, and the rerun says so. When the replay was already taken by a worker and its ack
/// never recorded, the rerun cannot know: it publishes again and warns.
#[test]
fn replay_killed_after_its_ack_is_not_published_again_after_the_duplicate_window() {
    let s = Setup::new();
    s.jq_ok(&[
        "stream",
        "add",
        WORK,
        "--subjects",
        "orders.*",
        "--dupe-window",
        "1s",
    ]);
    rt().block_on(async {
        let js = js(&s.server.url).await;
        publish(&js, &["a", "b", "c"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((DLQ, 3))).await;
    });
    let killed = |point: &str, seq: &str| {
        let out = s
            .env
            .jq()
            .env("JQ_NATS_FAILPOINT", point)
            .args(["-s", &s.server.url, "dlq", "replay", "--seq", seq])
            .output()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(9), "{}", stderr_of(&out));
    };
    // 1: killed once `replayed` was stored. 2 and 3: killed right after the ack.
    killed("replay.published", "1");
    killed("replay.acked", "2");
    killed("replay.acked", "3");
    let jobs = s.ls(&[]);
    assert_eq!(jobs.len(), 3, "{jobs:?}");
    assert_eq!(jobs[&1]["markers"][1]["kind"], "replayed");
    assert!(jobs[&1]["markers"][1]["replayed_as"]
        .as_str()
        .unwrap()
        .starts_with("orders_stream:"));
    assert_eq!(jobs[&2]["markers"][0]["kind"], "replaying");
    rt().block_on(async {
        let js = js(&s.server.url).await;
        // A worker takes c's replay (and finishes it) before the next run.
        let c = processor(&js).await;
        let mut taken = 0;
        let deadline = Instant::now() + Duration::from_secs(5);
        while taken == 0 {
            for m in fetch(&c, Duration::from_millis(300)).await {
                if &m.payload[..] == b"c" {
                    taken += 1;
                    m.double_ack().await.unwrap();
                } else {
                    m.ack_with(async_nats::jetstream::AckKind::Nak(None))
                        .await
                        .unwrap();
                }
            }
            assert!(Instant::now() < deadline, "c's replay never came");
        }
        js.get_stream(WORK)
            .await
            .unwrap()
            .delete_consumer("processor")
            .await
            .unwrap();
    });
    // Past the duplicate window: the server would store a second publish.
    std::thread::sleep(Duration::from_millis(1500));
    let out = s.jq_ok(&["dlq", "replay", "--all", "--json"]);
    let err = stderr_of(&out);
    let events = ndjson(&out);
    let kind = |seq: u64| {
        events
            .iter()
            .find(|e| e["seq"] == seq && e["type"] != "summary")
            .map(|e| e["type"].as_str().unwrap().to_string())
    };
    assert_eq!(kind(1).as_deref(), Some("replayed_before"), "{err}");
    assert_eq!(kind(2).as_deref(), Some("replayed_before"), "{err}");
    assert_eq!(kind(3).as_deref(), Some("replayed"), "{err}");
    assert!(
        err.contains("dead job 1 was replayed before by an interrupted run (replayed by "),
        "{err}"
    );
    assert!(err.contains("not published again"), "{err}");
    assert!(
        err.contains("dead job 3 may have been replayed already by an interrupted run"),
        "{err}"
    );
    assert!(events
        .iter()
        .any(|e| e["seq"] == 3 && e["possible_duplicate"] == true));
    assert!(s.ls(&[]).is_empty());
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let work: Vec<String> = contents(&js, WORK).await.into_iter().map(|w| w.2).collect();
        assert_eq!(work, vec!["a", "b", "c"], "each exactly once");
        assert_eq!(messages(&js, DLQ).await, 0);
    });
}

/// Two dlq commands at once: the one that comes second leaves the job the first is handling.
#[test]
fn a_job_another_dlq_command_is_handling_is_skipped() {
    let s = Setup::new();
    s.add_stream();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        publish(&js, &["slow"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((DLQ, 1))).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let started = dir.path().join("started");
    let release = dir.path().join("release");
    let log = dir.path().join("done");
    // The first drain's command holds the job until the test lets it go (30s at most).
    let script = format!(
        "touch {}; i=0; while [ ! -e {} ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; cat >> {}",
        started.display(),
        release.display(),
        log.display()
    );
    let mut first = s.env.jq_std();
    first
        .args([
            "-s",
            &s.server.url,
            "dlq",
            "drain",
            "--",
            "sh",
            "-c",
            &script,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut first = first.spawn().unwrap();
    wait_until(Duration::from_secs(10), "the first drain's command", || {
        started.exists()
    });
    let out = s.jq_ok(&["dlq", "drain", "--", "sh", "-c", &script]);
    assert!(
        stderr_of(&out)
            .contains("dead job 1 skipped: another dlq command is handling it (draining by "),
        "{}",
        stderr_of(&out)
    );
    let out = s.jq_ok(&["dlq", "replay", "--all"]);
    assert!(
        stderr_of(&out).contains("another dlq command is handling it"),
        "{}",
        stderr_of(&out)
    );
    let jobs = s.ls(&[]);
    assert_eq!(jobs[&1]["markers"][0]["held"], true);
    std::fs::write(&release, "").unwrap();
    assert!(first.wait().unwrap().success());
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "slow", "ran once");
    assert!(s.ls(&[]).is_empty());
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(messages(&js, WORK).await, 0);
        assert_eq!(messages(&js, DLQ).await, 0);
    });
}

#[test]
fn purge_deletes_for_good_and_asks_first() {
    let s = Setup::new();
    s.add_stream();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        publish(&js, &["p1", "p2"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((DLQ, 2))).await;
    });
    let out = s.jq(&["dlq", "purge", "--seq", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("without --force"));
    s.jq_ok(&["dlq", "purge", "--all", "--dry-run"]);
    assert_eq!(s.ls(&[]).len(), 2);
    let out = s.jq_ok(&["dlq", "purge", "--seq", "1", "--force", "--json"]);
    let lines = ndjson(&out);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["type"], "purged");
    assert_eq!(lines[0]["seq"], 1);
    assert_eq!(lines[1]["type"], "summary");
    assert_eq!(lines[1]["purged"], 1);
    assert_eq!(lines[1]["kept"], 0);
    assert_eq!(s.ls(&[]).keys().copied().collect::<Vec<_>>(), vec![2]);
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let work: Vec<u64> = contents(&js, WORK).await.into_iter().map(|w| w.0).collect();
        assert_eq!(
            work,
            vec![2],
            "the purged job's parked original is gone too"
        );
    });
}

#[test]
fn the_stream_may_be_left_out_only_when_one_has_a_dlq() {
    let s = Setup::new();
    s.add_stream();
    assert!(s.ls(&[]).is_empty());
    // The DLQ's own name means its work stream.
    assert!(s.ls(&[DLQ]).is_empty());
    s.jq_ok(&["stream", "add", "emails", "--subjects", "emails.*"]);
    let out = s.jq(&["dlq", "ls"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("emails") && err.contains("orders_stream"),
        "{err}"
    );
    s.jq_ok(&["dlq", "ls", "emails"]);
    s.jq_ok(&[
        "stream",
        "add",
        "plain",
        "--subjects",
        "plain.*",
        "--no-dlq",
    ]);
    let out = s.jq(&["dlq", "ls", "plain"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("has no dead-letter stream"));
    let out = s.jq(&["dlq", "ls", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("stream `nope` not found"));
}

/// Streams made with the article's exact natscli settings: a work-retention DLQ capturing only
/// MAX_DELIVERIES advisories, deny-delete on both streams, and the article's DLQ consumer
/// holding one advisory. Every command works; nothing is left parked or half-done.
#[test]
fn the_articles_streams_work_with_every_command() {
    let s = Setup::new();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        // The work stream first, with no DLQ yet: job 1 dies unrecorded.
        work_stream_article(&js).await;
        publish(&js, &["order-0"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, None).await;
        js.create_stream(Config {
            name: ARTICLE_DLQ.into(),
            subjects: vec!["$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.orders_stream.*".into()],
            retention: RetentionPolicy::WorkQueue,
            discard: DiscardPolicy::New,
            max_bytes: 256 << 20,
            duplicate_window: Duration::from_secs(120),
            deny_delete: true,
            allow_direct: true,
            ..Default::default()
        })
        .await
        .unwrap();
        publish(
            &js,
            &["order-1", "order-2", "order-3", "order-4", "order-5"],
        )
        .await;
        let_die(&js, &mut c, Some((ARTICLE_DLQ, 5))).await;
        // The article's DLQ handler: it took the first advisory and has not acked it yet.
        let dlq = js.get_stream(ARTICLE_DLQ).await.unwrap();
        let handler: PullConsumer = dlq
            .get_or_create_consumer(
                "unprocessed_order_handler",
                pull::Config {
                    durable_name: Some("unprocessed_order_handler".into()),
                    description: Some("handle unprocessed jobs".into()),
                    ack_policy: AckPolicy::Explicit,
                    max_deliver: 2,
                    backoff: vec![Duration::from_secs(5)],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let mut b = handler.fetch().max_messages(1).messages().await.unwrap();
        assert!(b.next().await.is_some());
    });
    let jobs = s.ls(&[]);
    assert_eq!(jobs.len(), 6, "{jobs:?}");
    assert_eq!(jobs[&1]["state"], "unrecorded");
    assert!((2..=6).all(|i| jobs[&i]["state"] == "parked"));
    let out = s.jq_ok(&["dlq", "show", "3", "--raw"]);
    assert_eq!(out.stdout, b"order-2");
    // reconcile: the DLQ takes only advisories, so payloads stay parked; the unrecorded job
    // gets an advisory the article's handler can read.
    let out = s.jq_ok(&["dlq", "reconcile", ARTICLE_DLQ]);
    assert!(
        stderr_of(&out).contains("takes only advisories"),
        "{}",
        stderr_of(&out)
    );
    let jobs = s.ls(&[]);
    assert_eq!(jobs[&1]["state"], "parked");
    // replay: the advisory the handler holds, and one it never saw.
    s.jq_ok(&["dlq", "replay", "--seq", "2,4"]);
    // drain one, purge one.
    let out = s.jq_ok(&["dlq", "drain", "--max", "1", "--", "cat"]);
    assert_eq!(stdout_of(&out), "order-0");
    s.jq_ok(&["dlq", "purge", "--seq", "5", "--force"]);
    assert_eq!(
        s.ls(&[]).keys().copied().collect::<Vec<_>>(),
        vec![3, 6],
        "left: those neither replayed, drained nor purged"
    );
    s.jq_ok(&["dlq", "drain", "--", "cat"]);
    assert!(s.ls(&[]).is_empty());
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let work: Vec<String> = contents(&js, WORK).await.into_iter().map(|w| w.2).collect();
        assert_eq!(
            work,
            vec!["order-1", "order-3"],
            "only the replays are left"
        );
        assert_eq!(messages(&js, ARTICLE_DLQ).await, 0);
        let dlq = js.get_stream(ARTICLE_DLQ).await.unwrap();
        let names: Vec<String> = dlq
            .consumer_names()
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .map(|n| n.unwrap())
            .collect();
        assert_eq!(
            names,
            vec!["unprocessed_order_handler"],
            "no consumer of ours left"
        );
        let info = js
            .get_stream(ARTICLE_DLQ)
            .await
            .unwrap()
            .consumer_info("unprocessed_order_handler")
            .await
            .unwrap();
        assert_eq!(info.num_ack_pending, 0);
    });
}

/// The article's DLQ without its handler: jq-nats removes advisories through a consumer of its
/// own, and removes that consumer afterwards (the DLQ is a work queue: it would block the
/// article's handler from being created).
#[test]
fn an_article_dlq_without_a_consumer_is_drained_through_one_of_ours() {
    let s = Setup::new();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        article_streams(&js).await;
        publish(&js, &["a", "b"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((ARTICLE_DLQ, 2))).await;
    });
    let out = s.jq_ok(&["dlq", "drain", WORK, "--json"]);
    let payloads: Vec<Value> = ndjson(&out)
        .into_iter()
        .filter(|v| v["type"] == "job")
        .map(|v| v["payload"].clone())
        .collect();
    assert_eq!(payloads, vec!["a", "b"]);
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(messages(&js, WORK).await, 0);
        assert_eq!(messages(&js, ARTICLE_DLQ).await, 0);
        let dlq = js.get_stream(ARTICLE_DLQ).await.unwrap();
        assert_eq!(dlq.consumer_names().count().await, 0);
    });
}

/// The payloads in the work stream, in order.
async fn work_payloads(js: &Context) -> Vec<String> {
    contents(js, WORK).await.into_iter().map(|w| w.2).collect()
}

/// On the article's streams (an advisory-only DLQ, a work stream that denies deletes), a parked
/// original can only be removed by an ack through the consumer that parked it. With that
/// consumer deleted, `dlq replay` refuses the job (naming it and why) before publishing
/// anything, and keeps its advisory: a new consumer would otherwise run the original and the
/// replay. `dlq drain` does not run it either. With the consumer there, each is replayed once.
#[test]
fn replay_on_an_advisory_only_dlq_refuses_a_job_whose_original_cannot_be_removed() {
    let s = Setup::new();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        article_streams(&js).await;
        publish(&js, &["a", "b"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((ARTICLE_DLQ, 2))).await;
        js.get_stream(WORK)
            .await
            .unwrap()
            .delete_consumer("processor")
            .await
            .unwrap();
    });
    let out = s.jq(&["dlq", "replay", "--seq", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("dead job 1 not replayed") && err.contains("`processor`"),
        "{err}"
    );
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(
            work_payloads(&js).await,
            vec!["a", "b"],
            "nothing published"
        );
        assert_eq!(messages(&js, ARTICLE_DLQ).await, 2, "both advisories kept");
    });
    // `dlq drain` does not run them either.
    let out = s.jq(&["dlq", "drain", "--", "cat"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "", "no job run");
    assert!(
        stderr_of(&out).contains("dead job 2 not drained"),
        "{}",
        stderr_of(&out)
    );
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(work_payloads(&js).await, vec!["a", "b"]);
        assert_eq!(messages(&js, ARTICLE_DLQ).await, 2, "both advisories kept");
    });
    assert_eq!(s.ls(&[]).keys().copied().collect::<Vec<_>>(), vec![1, 2]);
    // With the consumer back (it delivers the parked jobs again) and the jobs parked again,
    // replay removes each original by an ack and publishes it once.
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((ARTICLE_DLQ, 4))).await;
    });
    s.jq_ok(&["dlq", "replay", "--all"]);
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(work_payloads(&js).await, vec!["a", "b"], "each job once");
        assert_eq!(
            contents(&js, WORK)
                .await
                .iter()
                .filter(|w| w.0 <= 2)
                .count(),
            0,
            "the originals are gone"
        );
        assert_eq!(messages(&js, ARTICLE_DLQ).await, 0);
    });
}

/// `dlq show` in text mode never writes a control character from a job to the terminal: an
/// escape sequence in its handler's stderr (stored by `work` in the dead job's copy), in one of
/// its headers or in its payload is shown escaped (`\x1b`). `--json` keeps the text as it is.
#[test]
fn show_escapes_control_characters_from_the_job_and_its_handler() {
    let s = Setup::new();
    s.add_stream();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let mut h = HeaderMap::new();
        h.insert("Trace", "bell\x07and\x1b[2Jclear");
        js.publish_with_headers("orders.new", h, Bytes::from("pay\x1b[5mload"))
            .await
            .unwrap()
            .await
            .unwrap();
    });
    s.jq_ok(&[
        "work",
        WORK,
        "--until-empty",
        "--max-deliver",
        "1",
        "--",
        "sh",
        "-c",
        "printf 'before \\033[31mred\\033[0m after\\n' >&2; exit 1",
    ]);
    let out = s.jq_ok(&["dlq", "show", "1"]);
    let text = stdout_of(&out);
    assert!(
        !out.stdout.contains(&0x1b) && !out.stdout.contains(&0x07),
        "raw control bytes in:\n{text}"
    );
    assert!(text.contains("before \\x1b[31mred\\x1b[0m after"), "{text}");
    assert!(text.contains("bell\\x07and\\x1b[2Jclear"), "{text}");
    assert!(text.contains("pay\\x1b[5mload"), "{text}");
    let json: Value =
        serde_json::from_slice(&s.jq_ok(&["dlq", "show", "1", "--json"]).stdout).unwrap();
    assert_eq!(json["stderr_tail"], "before \x1b[31mred\x1b[0m after");
    assert_eq!(json["headers"]["Trace"][0], "bell\x07and\x1b[2Jclear");
}

/// The article's streams, with a work stream whose duplicate window is `window`.
async fn article_streams_with_window(js: &Context, window: Duration) {
    article_streams(js).await;
    let mut config = js
        .get_stream(WORK)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .config
        .clone();
    config.duplicate_window = window;
    js.update_stream(config).await.unwrap();
}

/// `dlq ARGS...` started to stop (SIGSTOP) at the failpoint `point`.
fn dlq_stopping_at(s: &Setup, point: &str, args: &[&str]) -> std::process::Child {
    let mut cmd = s.env.jq_std();
    cmd.env("JQ_NATS_FAILPOINT", point)
        .args(["-s", &s.server.url, "dlq"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd.spawn().unwrap()
}

/// The work stream's payloads, sorted.
fn work_sorted(s: &Setup) -> Vec<String> {
    rt().block_on(async {
        let js = js(&s.server.url).await;
        let mut w = work_payloads(&js).await;
        w.sort();
        w
    })
}

/// Two `dlq replay` at once on an advisory-only DLQ (no markers there): the first stops after
/// publishing job 1, before removing its original and advisory, for longer than the work
/// stream's duplicate window; the second replays everything meanwhile. Each job is in the work
/// stream exactly once afterwards: the second finds the first one's replay of job 1 and only
/// removes it, and the first, resumed, leaves the jobs the second handled.
#[test]
fn two_replays_at_once_on_an_advisory_only_dlq_replay_each_job_once() {
    let s = Setup::new();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        article_streams_with_window(&js, Duration::from_millis(500)).await;
        publish(&js, &["a", "b", "c"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((ARTICLE_DLQ, 3))).await;
    });
    let first = dlq_stopping_at(&s, "replay.acked:1:stop", &["replay", "--all"]);
    while_stopped(first.id(), || {
        // Past the duplicate window: only a look at the work stream tells job 1 was replayed.
        std::thread::sleep(Duration::from_millis(800));
        s.jq_ok(&["dlq", "replay", "--all"]);
    });
    let out = first.wait_with_output().unwrap();
    assert_eq!(
        work_sorted(&s),
        vec!["a", "b", "c"],
        "each job once; first replay: {}",
        stderr_of(&out)
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(messages(&js, ARTICLE_DLQ).await, 0);
        let parked = contents(&js, WORK)
            .await
            .iter()
            .filter(|w| w.0 <= 3)
            .count();
        assert_eq!(parked, 0, "no original left");
    });
}

/// A `dlq drain` while a `dlq replay` on an advisory-only DLQ is stopped between publishing
/// job 1 and removing its original: the drain does not run job 1 (its replay is in the work
/// stream) and only removes it; it runs the others. Each job is done once: in the work stream
/// (replayed) or by the drain.
#[test]
fn a_drain_during_a_replay_on_an_advisory_only_dlq_runs_no_replayed_job() {
    let s = Setup::new();
    rt().block_on(async {
        let js = js(&s.server.url).await;
        article_streams(&js).await;
        publish(&js, &["a", "b", "c"]).await;
        let mut c = processor(&js).await;
        let_die(&js, &mut c, Some((ARTICLE_DLQ, 3))).await;
    });
    let replay = dlq_stopping_at(&s, "replay.acked:1:stop", &["replay", "--seq", "1"]);
    let mut drain = None;
    while_stopped(replay.id(), || drain = Some(s.jq_ok(&["dlq", "drain"])));
    let drain = drain.unwrap();
    let out = replay.wait_with_output().unwrap();
    let mut done: Vec<String> = stdout_of(&drain).lines().map(str::to_string).collect();
    done.extend(work_sorted(&s));
    done.sort();
    assert_eq!(done, vec!["a", "b", "c"], "each job done once");
    assert!(
        stderr_of(&drain).contains("another dlq command replayed it as orders_stream:4"),
        "{}",
        stderr_of(&drain)
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    rt().block_on(async {
        let js = js(&s.server.url).await;
        assert_eq!(work_payloads(&js).await, vec!["a"], "the replay only");
        assert_eq!(messages(&js, ARTICLE_DLQ).await, 0);
    });
}
