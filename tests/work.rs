//! `jq-nats work` against a real nats-server per test: handlers, retries on the backoff schedule,
//! the DLQ, timeouts, keep-alive, sharing, stopping, print mode, and the article's own setup.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use async_nats::jetstream::consumer::{pull, AckPolicy};
use async_nats::jetstream::stream::{self, RetentionPolicy};
use async_nats::HeaderMap;
use common::*;

const STREAM: &str = "orders_stream";
const DLQ: &str = "orders_stream_dlq";

/// A server, a clean environment and `orders_stream` (with its DLQ) made by `jq-nats stream add`.
struct Setup {
    server: Server,
    env: TestEnv,
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let setup = Setup::bare();
        setup
            .jq(&["stream", "add", STREAM, "--subjects", "orders.*"])
            .assert()
            .success();
        setup
    }

    /// No stream yet.
    fn bare() -> Setup {
        Setup {
            server: Server::start(),
            env: TestEnv::new(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn jq(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.env.jq();
        cmd.arg("-s").arg(&self.server.url).args(args);
        cmd.timeout(Duration::from_secs(60));
        cmd
    }

    fn jq_std(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = self.env.jq_std();
        cmd.arg("-s").arg(&self.server.url).args(args);
        cmd
    }

    /// `orders_stream` and its DLQ `orders_unprocessed` exactly as the article makes them with
    /// natscli (the DLQ only captures the max-deliveries advisories).
    fn article_streams(&self) {
        let url = self.server.url.clone();
        rt().block_on(async {
            let js = js(&url).await;
            js.create_stream(stream::Config {
                name: STREAM.into(),
                subjects: vec!["orders.*".into()],
                retention: RetentionPolicy::WorkQueue,
                discard: stream::DiscardPolicy::New,
                max_bytes: 256 << 20,
                max_message_size: 1 << 20,
                duplicate_window: Duration::from_secs(120),
                deny_delete: true,
                allow_direct: true,
                ..Default::default()
            })
            .await
            .unwrap();
            js.create_stream(stream::Config {
                name: "orders_unprocessed".into(),
                subjects: vec!["$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.orders_stream.*".into()],
                retention: RetentionPolicy::WorkQueue,
                discard: stream::DiscardPolicy::New,
                max_bytes: 256 << 20,
                duplicate_window: Duration::from_secs(120),
                deny_delete: true,
                allow_direct: true,
                ..Default::default()
            })
            .await
            .unwrap();
        });
    }

    /// `jq-nats work ARGS` in the background, stderr captured, stdout as given.
    fn spawn_work(&self, args: &[&str], stdout: Stdio) -> Spawned {
        let mut full = vec!["work"];
        full.extend_from_slice(args);
        let child = self
            .jq_std(&full)
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Spawned(Some(child))
    }

    /// `jq-nats work ARGS`, to its end.
    fn work(&self, args: &[&str]) -> Output {
        let mut full = vec!["work"];
        full.extend_from_slice(args);
        self.jq(&full).output().unwrap()
    }

    fn path(&self, name: &str) -> String {
        path_str(&self.dir.path().join(name))
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    fn publish(&self, subject: &str, payloads: &[&str]) {
        let url = self.server.url.clone();
        rt().block_on(async {
            let js = js(&url).await;
            for p in payloads {
                js.publish(subject.to_string(), p.to_string().into())
                    .await
                    .unwrap()
                    .await
                    .unwrap();
            }
        });
    }

    fn publish_n(&self, n: usize) -> Vec<String> {
        let payloads: Vec<String> = (0..n).map(|i| format!("order-{i}")).collect();
        let refs: Vec<&str> = payloads.iter().map(String::as_str).collect();
        self.publish("orders.new", &refs);
        payloads
    }

    fn stream_messages(&self, name: &str) -> u64 {
        let url = self.server.url.clone();
        rt().block_on(async {
            let js = js(&url).await;
            let mut s = js.get_stream(name).await.unwrap();
            s.info().await.unwrap().state.messages
        })
    }

    fn consumer_info(&self, name: &str) -> async_nats::jetstream::consumer::Info {
        self.try_consumer_info(name).expect("consumer info")
    }

    fn try_consumer_info(&self, name: &str) -> Option<async_nats::jetstream::consumer::Info> {
        let url = self.server.url.clone();
        rt().block_on(async {
            let js = js(&url).await;
            let s = js.get_stream(STREAM).await.ok()?;
            s.consumer_info(name).await.ok()
        })
    }

    /// Every entry of a stream, by sequence.
    fn entries(&self, name: &str) -> Vec<async_nats::jetstream::message::StreamMessage> {
        let url = self.server.url.clone();
        rt().block_on(async { stored_messages(&js(&url).await, name).await })
    }
}

fn stderr(out: &Output) -> String {
    stderr_of(out)
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        stdout_of(out),
        stderr_of(out)
    );
}

fn header(m: &async_nats::jetstream::message::StreamMessage, name: &str) -> String {
    m.headers
        .get(name)
        .map(|v| v.as_str().to_string())
        .unwrap_or_default()
}

/// Lines of `ATTEMPT NANOS` a handler recorded.
fn attempts(text: &str) -> Vec<(u64, u128)> {
    text.lines()
        .map(|l| {
            let mut parts = l.split_whitespace();
            (
                parts.next().unwrap().parse().unwrap(),
                parts.next().unwrap().parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_successful_handler_acks_every_job() {
    let s = Setup::new();
    let payloads = s.publish_n(5);
    let out_file = s.path("out");
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "--",
        "sh",
        "-c",
        &format!("cat >> {out_file}; echo >> {out_file}"),
    ]);
    assert_ok(&out);
    let got: Vec<String> = s.read("out").lines().map(str::to_string).collect();
    assert_eq!(got, payloads);
    assert_eq!(s.stream_messages(STREAM), 0);
    let info = s.consumer_info("processor");
    assert_eq!(info.num_ack_pending, 0);
    assert_eq!(info.num_redelivered, 0);
    let err = stderr(&out);
    assert!(
        err.contains("received order-3 from stream sequence # 4"),
        "{err}"
    );
    assert!(err.contains("done 5, retried 0, dead 0"), "{err}");
}

/// A payload of a page or less is written into the handler's stdin before it starts, a larger
/// one as the handler reads it; a handler that never reads its stdin still ends its job.
#[test]
fn handlers_get_payloads_of_any_size_whole_and_need_not_read_them() {
    let s = Setup::new();
    let sizes = [0usize, 1, 4095, 4096, 4097, 65536, 65537, 900_000];
    let payloads: Vec<String> = sizes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (0..*n)
                .map(|j| (b'a' + ((i + j) % 26) as u8) as char)
                .collect()
        })
        .collect();
    let refs: Vec<&str> = payloads.iter().map(String::as_str).collect();
    s.publish("orders.new", &refs);
    let out_file = s.path("sizes");
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "-c",
        "3",
        "--",
        "sh",
        "-c",
        &format!("echo \"$JQ_SEQ $(cksum)\" >> {out_file}"),
    ]);
    assert_ok(&out);
    let mut got: Vec<String> = s.read("sizes").lines().map(str::to_string).collect();
    got.sort_by_key(|l| l.split(' ').next().unwrap().parse::<u64>().unwrap());
    let want: Vec<String> = payloads
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut cksum = std::process::Command::new("cksum")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            std::io::Write::write_all(&mut cksum.stdin.take().unwrap(), p.as_bytes()).unwrap();
            let sum = String::from_utf8(cksum.wait_with_output().unwrap().stdout).unwrap();
            format!("{} {}", i + 1, sum.trim())
        })
        .collect();
    assert_eq!(got, want, "each handler read its payload whole");

    // Handlers that exit without reading: the large payloads must not hold their slots.
    s.publish("orders.new", &refs);
    let started = Instant::now();
    let out = s.work(&[STREAM, "--until-empty", "-c", "1", "--", "true"]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains(&format!("done {}, retried 0", sizes.len())),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(s.stream_messages(STREAM), 0);
}

#[test]
fn the_handler_gets_the_payload_on_stdin_and_metadata_in_its_environment() {
    let s = Setup::new();
    let url = s.server.url.clone();
    rt().block_on(async {
        let js = js(&url).await;
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", "order-7");
        headers.insert("Trace-Id", "abc");
        headers.insert("x.weird-name", "one\ttwo");
        js.publish_with_headers("orders.new", headers, "payload\nwith two lines".into())
            .await
            .unwrap()
            .await
            .unwrap();
    });
    let dir = s.path("");
    let script =
        format!("cat > {dir}/stdin; env | grep -E '^(JQ_|NATS_|SECRET_CHECK)' | sort > {dir}/env");
    let mut cmd = s.env.jq();
    cmd.args([
        "-s",
        &url,
        "work",
        STREAM,
        "--max-jobs",
        "1",
        "--",
        "sh",
        "-c",
        &script,
    ])
    .env("NATS_PASSWORD", "hunter2")
    .env("NATS_USER", "someone")
    .env("NATS_TOKEN", "t0ken")
    .env("NATS_CONTEXT_EXTRA", "x")
    .env("SECRET_CHECK", "kept")
    .timeout(Duration::from_secs(30));
    let out = cmd.output().unwrap();
    assert_ok(&out);
    assert_eq!(s.read("stdin"), "payload\nwith two lines");
    let env: BTreeMap<String, String> = s
        .read("env")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(env["JQ_STREAM"], STREAM);
    assert_eq!(env["JQ_CONSUMER"], "processor");
    assert_eq!(env["JQ_SUBJECT"], "orders.new");
    assert_eq!(env["JQ_SEQ"], "1");
    assert_eq!(env["JQ_ATTEMPT"], "1");
    assert_eq!(env["JQ_MAX_DELIVER"], "2");
    assert_eq!(env["JQ_MSG_ID"], "order-7");
    assert_eq!(env["JQ_HEADER_TRACE_ID"], "abc");
    assert_eq!(env["JQ_HEADER_NATS_MSG_ID"], "order-7");
    assert_eq!(env["JQ_HEADER_X_WEIRD_NAME"], "one two");
    assert_eq!(env["SECRET_CHECK"], "kept");
    assert!(
        !env.keys().any(|k| k.starts_with("NATS_")),
        "NATS_* leaked into the handler: {env:?}"
    );
    assert_eq!(s.stream_messages(STREAM), 0);
}

#[test]
fn retries_follow_the_backoff_schedule_then_the_job_is_dead_lettered() {
    let s = Setup::new();
    let url = s.server.url.clone();
    rt().block_on(async {
        let js = js(&url).await;
        let mut headers = HeaderMap::new();
        headers.insert("Trace-Id", "t-1");
        headers.insert("Nats-Msg-Id", "order-9");
        js.publish_with_headers("orders.eu", headers, "order-9".into())
            .await
            .unwrap()
            .await
            .unwrap();
    });
    let log = s.path("attempts");
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "--max-deliver",
        "3",
        "--backoff",
        "300ms,600ms",
        "--",
        "sh",
        "-c",
        &format!(
            "echo \"$JQ_ATTEMPT $(date +%s%N)\" >> {log}; cat >/dev/null; echo \"warming up\" >&2; echo \"boom on attempt $JQ_ATTEMPT\" >&2; exit 3"
        ),
    ]);
    assert_ok(&out);
    let err = stderr(&out);
    let seen = attempts(&s.read("attempts"));
    assert_eq!(
        seen.iter().map(|a| a.0).collect::<Vec<_>>(),
        vec![1, 2, 3],
        "{err}"
    );
    let gaps: Vec<u128> = seen
        .windows(2)
        .map(|w| (w[1].1 - w[0].1) / 1_000_000)
        .collect();
    // On schedule: not before the step, and not much after it.
    assert!(gaps[0] >= 290 && gaps[0] < 800, "gaps {gaps:?}\n{err}");
    assert!(gaps[1] >= 590 && gaps[1] < 1100, "gaps {gaps:?}\n{err}");
    assert!(
        err.contains("error processing order-9: exit code 3 (attempt 1 of 3, retry in 300ms)"),
        "{err}"
    );
    assert!(
        err.contains("order-9 will be processed via DLQ (orders_stream_dlq # 1)"),
        "{err}"
    );

    // The work stream is empty; the DLQ holds the job, whole, and why it died.
    assert_eq!(s.stream_messages(STREAM), 0);
    let entries = s.entries(DLQ);
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e.subject.as_str(), "jqnats.dlq.orders_stream.1");
    assert_eq!(&e.payload[..], b"order-9");
    assert_eq!(header(e, "Trace-Id"), "t-1");
    assert_eq!(header(e, "Jq-Orig-Nats-Msg-Id"), "order-9");
    assert_eq!(header(e, "Jq-Dlq-Subject"), "orders.eu");
    assert_eq!(header(e, "Jq-Dlq-Stream"), STREAM);
    assert_eq!(header(e, "Jq-Dlq-Seq"), "1");
    assert_eq!(header(e, "Jq-Dlq-Consumer"), "processor");
    assert_eq!(header(e, "Jq-Dlq-Attempts"), "3");
    assert_eq!(header(e, "Jq-Dlq-Reason"), "exit code 3");
    assert_eq!(header(e, "Jq-Dlq-Exit-Code"), "3");
    let tail: String = serde_json::from_str(&header(e, "Jq-Dlq-Stderr")).unwrap();
    assert_eq!(tail, "warming up\nboom on attempt 3");
    assert!(header(e, "Jq-Dlq-Worker").contains('/'));
    assert!(!header(e, "Jq-Dlq-Died-At").is_empty());
}

#[test]
fn the_fatal_exit_code_skips_the_retries() {
    let s = Setup::new();
    s.publish("orders.new", &["poison"]);
    let log = s.path("attempts");
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "--max-deliver",
        "5",
        "--backoff",
        "10s",
        "--fatal-exit-code",
        "42",
        "--json",
        "--",
        "sh",
        "-c",
        &format!("echo \"$JQ_ATTEMPT 0\" >> {log}; exit 42"),
    ]);
    assert_ok(&out);
    assert_eq!(attempts(&s.read("attempts")).len(), 1);
    assert_eq!(s.stream_messages(STREAM), 0);
    let entries = s.entries(DLQ);
    assert_eq!(entries.len(), 1);
    assert_eq!(header(&entries[0], "Jq-Dlq-Attempts"), "1");
    assert_eq!(header(&entries[0], "Jq-Dlq-Reason"), "exit code 42 (fatal)");
    let events = ndjson(&out);
    assert_eq!(events[0]["type"], "dead");
    assert_eq!(events[0]["exit_code"], 42);
    assert_eq!(events[0]["dlq"], DLQ);
    assert_eq!(events.last().unwrap()["type"], "summary");
    assert_eq!(events.last().unwrap()["dead"], 1);
}

fn process_gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())) {
        Err(_) => true,
        // A zombie is dead; it only waits for its parent to reap it.
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn a_handler_timeout_kills_the_handler_and_its_children() {
    let s = Setup::new();
    s.publish("orders.new", &["slow"]);
    let (leader, child) = (s.path("leader"), s.path("child"));
    let started = Instant::now();
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "--max-deliver",
        "1",
        "--handler-timeout",
        "500ms",
        "--",
        "sh",
        "-c",
        &format!("echo $$ > {leader}; sleep 30 & echo $! > {child}; sleep 30"),
    ]);
    let took = started.elapsed();
    assert_ok(&out);
    assert!(took < Duration::from_secs(15));
    let (leader_pid, child_pid) = (s.read("leader"), s.read("child"));
    assert!(!leader_pid.is_empty() && !child_pid.is_empty());
    wait_until(
        Duration::from_secs(5),
        "the handler and its child to die",
        || process_gone(&leader_pid) && process_gone(&child_pid),
    );
    let err = stderr(&out);
    assert!(err.contains("timed out after 500ms"), "{err}");
    let entries = s.entries(DLQ);
    assert_eq!(entries.len(), 1);
    assert_eq!(
        header(&entries[0], "Jq-Dlq-Reason"),
        "timed out after 500ms"
    );
    assert_eq!(header(&entries[0], "Jq-Dlq-Timed-Out"), "true");
    common::reliability::held(
        "Handlers",
        "handler that never exits, --handler-timeout 500ms",
        &format!(
            "handler and its child killed, worker done in {:.1}s; job dead-lettered, reason \"timed out after 500ms\"",
            took.as_secs_f64()
        ),
    );
}

#[test]
fn in_progress_acks_keep_a_long_job_alive_past_its_ack_wait() {
    let s = Setup::new();
    s.publish("orders.new", &["long"]);
    let log = s.path("runs");
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "--ack-wait",
        "1s",
        "--backoff",
        "1s",
        "--max-deliver",
        "3",
        "--",
        "sh",
        "-c",
        &format!("echo \"$JQ_ATTEMPT\" >> {log}; sleep 3"),
    ]);
    assert_ok(&out);
    assert_eq!(s.read("runs"), "1\n", "{}", stderr(&out));
    assert_eq!(s.stream_messages(STREAM), 0);
    let info = s.consumer_info("processor");
    assert_eq!(info.num_redelivered, 0);
    assert_eq!(info.delivered.stream_sequence, 1);
    assert_eq!(info.config.ack_wait, Duration::from_secs(1));
}

#[test]
fn two_workers_share_one_consumer_and_do_each_job_once() {
    let s = Setup::new();
    s.publish_n(40);
    let log = s.path("done");
    let script = format!("echo \"$JQ_SEQ $PPID\" >> {log}; sleep 0.05");
    let spawn = || {
        s.spawn_work(
            &[
                STREAM,
                "--until-empty",
                "-c",
                "2",
                "--",
                "sh",
                "-c",
                &script,
            ],
            Stdio::null(),
        )
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait(), b.wait());
    assert_ok(&a);
    assert_ok(&b);
    let mut seqs = BTreeMap::<u64, u32>::new();
    let mut workers = BTreeSet::new();
    for line in s.read("done").lines() {
        let (seq, pid) = line.split_once(' ').unwrap();
        *seqs.entry(seq.parse().unwrap()).or_default() += 1;
        workers.insert(pid.to_string());
    }
    assert_eq!(seqs.len(), 40, "{seqs:?}");
    assert!(seqs.values().all(|n| *n == 1), "a job ran twice: {seqs:?}");
    assert_eq!(workers.len(), 2, "both workers took jobs");
    assert_eq!(s.stream_messages(STREAM), 0);
}

/// A worker running in the background, killed if the test fails before it ends.
struct Spawned(Option<Child>);

impl Spawned {
    fn interrupt(&self) {
        let pid = self.0.as_ref().expect("running").id() as i32;
        // SAFETY: sending a signal to a child we spawned and have not reaped.
        unsafe {
            libc::kill(pid, libc::SIGINT);
        }
    }

    fn close_stdout(&mut self) {
        drop(self.0.as_mut().expect("running").stdout.take());
    }

    fn wait(mut self) -> Output {
        self.0.take().unwrap().wait_with_output().unwrap()
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Interrupts a worker running `sleep`-then-log jobs at `concurrency` once `stop_after` are
/// done, checks its stop, then finishes the queue with a second worker: every one of `jobs` must
/// be done exactly once, and none may have waited for its ack wait (30s, the consumer's).
fn interrupt_then_finish(jobs: usize, sleep: &str, concurrency: &str, stop_after: usize) {
    let s = Setup::new();
    s.publish_n(jobs);
    let log = s.path("done");
    let script = format!("{sleep}echo \"$JQ_SEQ\" >> {log}");
    let child = s.spawn_work(
        &[
            STREAM,
            "-c",
            concurrency,
            "--backoff",
            "30s",
            "--",
            "sh",
            "-c",
            &script,
        ],
        Stdio::null(),
    );
    wait_until(Duration::from_secs(20), "some jobs done", || {
        s.read("done").lines().count() >= stop_after
    });
    child.interrupt();
    let out = child.wait();
    assert_ok(&out);
    let err = stderr(&out);
    assert!(err.contains("stopping: waiting up to 30s"), "{err}");
    let first_run = s.read("done").lines().count();
    assert!(first_run < jobs, "the stop came too late to test anything");

    let started = Instant::now();
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "-c",
        concurrency,
        "--",
        "sh",
        "-c",
        &script,
    ]);
    assert_ok(&out);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "a job waited for its ack wait: {}",
        stderr(&out)
    );
    let mut seqs: Vec<u64> = s.read("done").lines().map(|l| l.parse().unwrap()).collect();
    seqs.sort();
    assert_eq!(
        seqs,
        (1..=jobs as u64).collect::<Vec<_>>(),
        "each job done once"
    );
    assert_eq!(s.stream_messages(STREAM), 0);
}

#[test]
fn sigint_in_the_middle_loses_nothing() {
    interrupt_then_finish(20, "sleep 0.3; ", "3", 4);
}

/// Short jobs are held ahead in the handler pool's queue: a stop hands back those not started
/// yet (never started, never left to their ack wait) and lets the running ones finish.
#[test]
fn sigint_with_jobs_held_ahead_hands_back_those_not_started() {
    interrupt_then_finish(400, "", "2", 50);
}

#[test]
fn handlers_still_running_after_the_grace_are_killed_and_their_jobs_handed_back() {
    let s = Setup::new();
    s.publish_n(1);
    let pid_file = s.path("pid");
    let child = s.spawn_work(
        &[
            STREAM,
            "--grace",
            "500ms",
            "--backoff",
            "30s",
            "--json",
            "--",
            "sh",
            "-c",
            &format!("echo $$ > {pid_file}; sleep 30"),
        ],
        Stdio::piped(),
    );
    wait_until(Duration::from_secs(10), "the handler running", || {
        !s.read("pid").is_empty()
    });
    let started = Instant::now();
    child.interrupt();
    let out = child.wait();
    let stopped_in = started.elapsed();
    assert_ok(&out);
    assert!(stopped_in < Duration::from_secs(6));
    assert!(process_gone(&s.read("pid")));
    let events = ndjson(&out);
    assert_eq!(events[0]["type"], "requeued", "{events:?}");

    // Handed back: the next run gets it at once, not after the 30s ack wait.
    let started = Instant::now();
    let out = s.work(&[STREAM, "--until-empty", "--", "true"]);
    let next_in = started.elapsed();
    assert_ok(&out);
    assert!(next_in < Duration::from_secs(10));
    assert!(
        stderr(&out).contains("(attempt 2 of 2)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.stream_messages(STREAM), 0);
    common::reliability::held(
        "Handlers",
        "Ctrl-C with a handler running past --grace 500ms",
        &format!(
            "handler killed, worker exited 0 in {:.1}s; job handed back (requeued), the next run did it (attempt 2) in {}ms, not after the 30s ack wait",
            stopped_in.as_secs_f64(),
            next_in.as_millis()
        ),
    );
}

#[test]
fn a_second_sigint_quits_at_once_with_130_and_hands_the_jobs_back() {
    let s = Setup::new();
    s.publish_n(2);
    let child = s.spawn_work(
        &[STREAM, "--backoff", "30s", "--", "sh", "-c", "sleep 30"],
        Stdio::null(),
    );
    wait_until(Duration::from_secs(10), "a job in flight", || {
        s.try_consumer_info("processor")
            .is_some_and(|i| i.num_ack_pending > 0)
    });
    let started = Instant::now();
    child.interrupt();
    std::thread::sleep(Duration::from_millis(300));
    child.interrupt();
    let out = child.wait();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(5));

    // The interrupted job is not left to its 30s ack wait.
    let started = Instant::now();
    let out = s.work(&[STREAM, "--until-empty", "--", "true"]);
    assert_ok(&out);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("done 2"), "{}", stderr(&out));
    assert_eq!(s.stream_messages(STREAM), 0);
}

#[test]
fn until_empty_waits_for_retries_in_their_backoff() {
    let s = Setup::new();
    s.publish("orders.new", &["flaky"]);
    let marker = s.path("marker");
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "--max-deliver",
        "2",
        "--backoff",
        "700ms",
        "--",
        "sh",
        "-c",
        &format!(
            "if [ -e {marker} ]; then echo ok >> {marker}; else echo first > {marker}; exit 1; fi"
        ),
    ]);
    assert_ok(&out);
    assert_eq!(s.read("marker"), "first\nok\n", "{}", stderr(&out));
    assert_eq!(s.stream_messages(STREAM), 0);
    assert!(stderr(&out).contains("done 1, retried 1, dead 0"));
}

#[test]
fn until_empty_on_an_empty_queue_ends_at_once() {
    let s = Setup::new();
    let started = Instant::now();
    let out = s.work(&[STREAM, "--until-empty", "--", "true"]);
    assert_ok(&out);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn print_mode_writes_exactly_max_jobs_and_acks_exactly_those() {
    let s = Setup::new();
    let payloads = s.publish_n(25);
    let out = s.work(&[STREAM, "--max-jobs", "10"]);
    assert_ok(&out);
    let text = stdout_of(&out);
    let got: Vec<&str> = text.lines().collect();
    assert_eq!(
        got,
        payloads[..10]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert_eq!(s.stream_messages(STREAM), 15);
    let info = s.consumer_info("processor");
    assert_eq!(info.num_ack_pending, 0);
    assert_eq!(info.num_redelivered, 0);
    assert_eq!(info.num_pending, 15);
    assert_eq!(info.delivered.stream_sequence, 10);

    // The rest, with --until-empty, as NDJSON.
    let out = s.work(&[STREAM, "--until-empty", "--json"]);
    assert_ok(&out);
    let records = ndjson(&out);
    assert_eq!(records.len(), 15);
    assert_eq!(records[0]["type"], "job");
    assert_eq!(records[0]["payload"], "order-10");
    assert_eq!(records[0]["seq"], 11);
    assert_eq!(records[0]["subject"], "orders.new");
    assert_eq!(records[0]["attempt"], 1);
    assert!(records[0].get("encoding").is_none());
    assert_eq!(s.stream_messages(STREAM), 0);
}

#[test]
fn print_mode_json_gives_binary_payloads_in_base64() {
    let s = Setup::new();
    let url = s.server.url.clone();
    rt().block_on(async {
        let js = js(&url).await;
        let mut headers = HeaderMap::new();
        headers.insert("Kind", "bin");
        js.publish_with_headers("orders.bin", headers, vec![0xffu8, 0xfe, 0x00, b'a'].into())
            .await
            .unwrap()
            .await
            .unwrap();
    });
    let out = s.work(&[STREAM, "--max-jobs", "1", "--json"]);
    assert_ok(&out);
    let record: serde_json::Value = serde_json::from_str(stdout_of(&out).trim()).unwrap();
    assert_eq!(record["encoding"], "base64");
    assert_eq!(record["payload"], "//4AYQ==");
    assert_eq!(record["headers"]["Kind"][0], "bin");
}

/// One job per line: a payload that ends with a newline gets no second one (which a reader
/// of lines would take for an empty job); one that does not gets one.
#[test]
fn print_mode_ends_each_job_with_one_newline() {
    let s = Setup::new();
    s.publish("orders.new", &["first\n", "second", "two\nlines\n"]);
    let out = s.work(&[STREAM, "--until-empty"]);
    assert_ok(&out);
    assert_eq!(stdout_of(&out), "first\nsecond\ntwo\nlines\n");
    assert_eq!(s.stream_messages(STREAM), 0);
}

/// Ctrl-C under a big backlog: the jobs already delivered for the open pull requests are
/// written, not handed back (a hand-back spends one of a job's attempts without running it; a
/// few such stops used to leave hundreds of jobs on their last attempt). Every job is then
/// either written once or still waiting on its first attempt.
#[test]
fn print_mode_writes_what_came_after_ctrl_c_instead_of_spending_its_attempts() {
    let s = Setup::new();
    let n = 50_000;
    let input: String = (0..n).map(|i| format!("job-{i}\n")).collect();
    s.jq(&["publish", "orders.new"])
        .write_stdin(input)
        .assert()
        .success();
    let file = std::fs::File::create(s.path("printed")).unwrap();
    let child = s.spawn_work(&[STREAM, "--max-deliver", "2"], Stdio::from(file));
    wait_until(Duration::from_secs(30), "jobs printed", || {
        s.read("printed").lines().count() >= 1000
    });
    child.interrupt();
    let out = child.wait();
    assert_ok(&out);
    let printed = s.read("printed");
    let printed: Vec<&str> = printed.lines().collect();
    assert!(printed.len() < n, "the backlog outlasted the run");
    assert!(!stderr(&out).contains("put back"), "{}", stderr(&out));

    let rest = s.work(&[STREAM, "--until-empty", "--json"]);
    assert_ok(&rest);
    let records = ndjson(&rest);
    let spent: Vec<&serde_json::Value> = records.iter().filter(|r| r["attempt"] != 1).collect();
    assert!(
        spent.is_empty(),
        "{} jobs came back with an attempt spent, as {}",
        spent.len(),
        spent[0]
    );
    let mut all: Vec<&str> = printed.clone();
    all.extend(records.iter().map(|r| r["payload"].as_str().unwrap()));
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "each job exactly once");
    assert_eq!(printed.len() + records.len(), n);
}

#[test]
fn print_mode_hands_jobs_back_when_stdout_closes() {
    let s = Setup::new();
    s.publish_n(5);
    // stdout closed from the start: nothing can be written, nothing may be acked.
    let mut child = s.spawn_work(
        &[STREAM, "--until-empty", "--backoff", "30s"],
        Stdio::piped(),
    );
    child.close_stdout();
    let out = child.wait();
    assert_ok(&out);
    assert_eq!(s.stream_messages(STREAM), 5);
    // Handed back, not left to their 30s ack wait.
    let started = Instant::now();
    let out = s.work(&[STREAM, "--until-empty"]);
    assert_ok(&out);
    assert_eq!(stdout_of(&out).lines().count(), 5);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(s.stream_messages(STREAM), 0);
}

/// A worker waiting for jobs notices its reader is gone (`work ORDERS | head -n 2`) without
/// a job to write: it stops, and takes no more.
#[test]
fn an_idle_printing_worker_stops_when_its_reader_goes_away() {
    use std::io::BufRead;
    let s = Setup::new();
    s.publish_n(2);
    let mut child = s.spawn_work(&[STREAM], Stdio::piped());
    let stdout = child.0.as_mut().unwrap().stdout.take().unwrap();
    let mut reader = std::io::BufReader::new(stdout);
    let mut lines = Vec::new();
    for _ in 0..2 {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        lines.push(line);
    }
    assert_eq!(lines, ["order-0\n", "order-1\n"]);
    drop(reader);
    wait_until(Duration::from_secs(10), "the worker to stop", || {
        child.0.as_mut().unwrap().try_wait().unwrap().is_some()
    });
    let out = child.wait();
    assert_ok(&out);
    let err = stderr(&out);
    assert!(err.contains("stopped: stdout was closed"), "{err}");
    assert!(err.contains("wrote 2 jobs"), "{err}");
    s.publish_n(1);
    assert_eq!(s.stream_messages(STREAM), 1);
}

/// Handlers writing to the worker's stdout after its reader went away die of SIGPIPE: not the
/// jobs' fault. The worker stops and hands them back, rather than retry and dead-letter the
/// whole queue.
#[test]
fn handlers_killed_by_a_closed_stdout_are_handed_back_not_failed() {
    let s = Setup::new();
    s.publish_n(20);
    let go = s.path("go");
    let started = s.path("started");
    let mut child = s.spawn_work(
        &[
            STREAM,
            "-c",
            "4",
            "--backoff",
            "30s",
            "--",
            "sh",
            "-c",
            &format!(
                "echo $JQ_SEQ >> {started}; while [ ! -e {go} ]; do sleep 0.05; done; cat; echo"
            ),
        ],
        Stdio::piped(),
    );
    wait_until(Duration::from_secs(10), "four handlers running", || {
        s.read("started").lines().count() >= 4
    });
    child.close_stdout();
    std::fs::write(&go, "").unwrap();
    wait_until(Duration::from_secs(20), "the worker to stop", || {
        child.0.as_mut().unwrap().try_wait().unwrap().is_some()
    });
    let out = child.wait();
    assert_ok(&out);
    let err = stderr(&out);
    assert!(err.contains("stopped: stdout was closed"), "{err}");
    assert!(err.contains("done 0, retried 0, dead 0, put back"), "{err}");
    assert!(!err.contains("error processing"), "{err}");
    assert_eq!(s.stream_messages(DLQ), 0);
    assert_eq!(s.stream_messages(STREAM), 20);

    // Handed back: the next run does them all at once, not after the 30s ack wait.
    let started = Instant::now();
    let out = s.work(&[STREAM, "--until-empty", "--", "true"]);
    assert_ok(&out);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        stderr(&out).contains("done 20, retried 0, dead 0"),
        "{}",
        stderr(&out)
    );
}

/// A handler script without `#!` is run by /bin/sh, as a shell runs it, rather than fail every
/// job with "Exec format error": one started per job, and a long-lived `--pipe` one.
#[test]
fn a_handler_script_without_a_shebang_runs_under_sh() {
    use std::os::unix::fs::PermissionsExt;
    let s = Setup::new();
    let script = |name: &str, body: &str| {
        let path = s.dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path_str(&path)
    };
    let log = s.path("log");
    let each = script("each", &format!("cat >> {log}; echo >> {log}\n"));
    s.publish_n(3);
    let out = s.work(&[STREAM, "--until-empty", "--", &each]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("done 3, retried 0, dead 0"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.read("log"), "order-0\norder-1\norder-2\n");

    let piped = script(
        "piped",
        "while read -r line; do\n  id=$(echo \"$line\" | sed 's/.*\"id\":\\([0-9]*\\).*/\\1/')\n  echo \"{\\\"id\\\":$id,\\\"ok\\\":true}\"\ndone\n",
    );
    s.publish_n(3);
    let out = s.work(&[STREAM, "--until-empty", "--pipe", "--", &piped]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("done 3, retried 0, dead 0"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.stream_messages(DLQ), 0);
    assert_eq!(s.stream_messages(STREAM), 0);
}

/// A DLQ that refuses copies (full, discard new): a job out of attempts stays in the work
/// stream, parked by the server, and the summary counts it so, not as a retry.
#[test]
fn jobs_the_full_dlq_refuses_are_counted_parked_not_retried() {
    let s = Setup::new();
    s.jq(&["stream", "edit", DLQ, "--max-msgs", "2"])
        .assert()
        .success();
    s.publish_n(4);
    let out = s.work(&[STREAM, "--backoff", "200ms", "--until-empty", "--", "false"]);
    assert_ok(&out);
    let err = stderr(&out);
    assert!(err.contains("done 0, retried 4, dead 2, parked 2"), "{err}");
    assert_eq!(
        err.matches("where the server parks it, out of attempts")
            .count(),
        2,
        "{err}"
    );
    assert_eq!(s.stream_messages(DLQ), 2);
    assert_eq!(s.stream_messages(STREAM), 2);
}

/// A worker whose flags differ from the consumer's does not change it under workers that are
/// on it (they would go on with the settings they started with: attempts, delays, filter).
#[test]
fn a_consumer_in_use_is_not_changed_under_its_workers() {
    let s = Setup::new();
    s.publish_n(2);
    let started = s.path("started");
    let _running = s.spawn_work(
        &[
            STREAM,
            "--max-deliver",
            "5",
            "--backoff",
            "30s",
            "--",
            "sh",
            "-c",
            &format!("echo $JQ_SEQ >> {started}; sleep 30"),
        ],
        Stdio::null(),
    );
    wait_until(
        Duration::from_secs(10),
        "the first worker's jobs running",
        || s.read("started").lines().count() >= 1,
    );
    for flags in [vec!["--max-deliver", "2"], vec!["--filter", "orders.other"]] {
        let mut args = vec![STREAM, "--max-jobs", "1"];
        args.extend(flags);
        args.extend(["--", "true"]);
        let out = s.work(&args);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("consumer `processor` of `orders_stream` is in use"),
            "{err}"
        );
        assert!(
            err.contains("hint: leave out the flags that differ"),
            "{err}"
        );
    }
    let info = s.consumer_info("processor");
    assert_eq!(info.config.max_deliver, 5);
    assert_eq!(info.config.filter_subject, "");
}

/// The article's Go flow with jq-nats in the middle: `orders_stream` and `orders_unprocessed`
/// made as natscli makes them, the `processor` consumer made as the Go consumer makes it, jobs
/// published with plain JetStream publishes.
#[test]
fn the_articles_flow_with_jq_nats_as_the_worker() {
    let s = Setup::bare();
    let url = s.server.url.clone();
    let article_consumer = pull::Config {
        name: Some("processor".into()),
        durable_name: Some("processor".into()),
        description: Some("Orders processor".into()),
        backoff: vec![Duration::from_secs(5)],
        max_deliver: 2,
        filter_subject: "orders.*".into(),
        ack_policy: AckPolicy::Explicit,
        ..Default::default()
    };
    s.article_streams();
    rt().block_on(async {
        let js = js(&url).await;
        let stream = js.get_stream(STREAM).await.unwrap();
        stream
            .create_consumer(article_consumer.clone())
            .await
            .unwrap();
        for i in 0..20 {
            js.publish("orders.new", format!("order-{i}").into())
                .await
                .unwrap()
                .await
                .unwrap();
        }
    });
    let before = s.consumer_info("processor").config;
    let out_file = s.path("out");
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "--",
        "sh",
        "-c",
        &format!("cat >> {out_file}; echo >> {out_file}"),
    ]);
    assert_ok(&out);
    let err = stderr(&out);
    assert!(err.contains("joined consumer processor"), "{err}");
    assert!(
        err.contains("received order-3 from stream sequence # 4"),
        "{err}"
    );
    assert!(
        err.contains("only captures the server's max-deliveries advisories"),
        "{err}"
    );
    assert_eq!(s.read("out").lines().count(), 20);
    assert_eq!(s.stream_messages(STREAM), 0);
    let after = s.consumer_info("processor").config;
    assert_eq!(after.max_deliver, 2);
    assert_eq!(after.backoff, vec![Duration::from_secs(5)]);
    assert_eq!(after.ack_wait, before.ack_wait);
    assert_eq!(after.filter_subject, "orders.*");
    assert_eq!(after.description.as_deref(), Some("Orders processor"));
    assert_eq!(after.ack_policy, AckPolicy::Explicit);
    assert_eq!(after.max_ack_pending, before.max_ack_pending);
}

/// With only an article-style DLQ (advisories), a job out of attempts stays in the work stream
/// and the server's advisory lands in the DLQ: jq-nats never deletes or terminates it.
#[test]
fn without_a_dlq_taking_copies_a_dead_job_is_left_to_the_servers_advisory() {
    let s = Setup::bare();
    s.article_streams();
    s.publish("orders.new", &["order-0"]);
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "--backoff",
        "200ms",
        "--",
        "sh",
        "-c",
        "exit 1",
    ]);
    assert_ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("order-0 will be processed via DLQ (orders_unprocessed"),
        "{err}"
    );
    assert_eq!(s.stream_messages(STREAM), 1, "the job stays, whole");
    let advisories = s.entries("orders_unprocessed");
    assert_eq!(advisories.len(), 1, "{err}");
    let advisory: serde_json::Value = serde_json::from_slice(&advisories[0].payload).unwrap();
    assert_eq!(advisory["stream_seq"], 1);
    assert_eq!(advisory["deliveries"], 2);
}

#[test]
fn without_any_dlq_a_dead_job_stays_parked_and_the_worker_says_so() {
    let s = Setup::bare();
    s.jq(&[
        "stream",
        "add",
        STREAM,
        "--subjects",
        "orders.*",
        "--no-dlq",
    ])
    .assert()
    .success();
    s.publish("orders.new", &["order-0"]);
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "--max-deliver",
        "1",
        "--",
        "sh",
        "-c",
        "exit 1",
    ]);
    assert_ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("orders_stream has no dead-letter stream"),
        "{err}"
    );
    assert!(
        err.contains("order-0 ran out of attempts and stays parked in orders_stream"),
        "{err}"
    );
    assert!(err.contains("parked 1"), "{err}");
    assert_eq!(s.stream_messages(STREAM), 1);
}

#[test]
fn a_full_dlq_keeps_the_job_in_the_work_stream() {
    let s = Setup::new();
    let url = s.server.url.clone();
    rt().block_on(async {
        let js = js(&url).await;
        let mut dlq = js.get_stream(DLQ).await.unwrap();
        let mut config = dlq.info().await.unwrap().config.clone();
        config.max_messages = 1;
        js.update_stream(config).await.unwrap();
        js.publish("jqnats.dlq.orders_stream.999", "filler".into())
            .await
            .unwrap()
            .await
            .unwrap();
    });
    s.publish("orders.new", &["order-0"]);
    let out = s.work(&[
        STREAM,
        "--max-deliver",
        "1",
        "--ack-wait",
        "1s",
        "--json",
        "--until-empty",
        "--",
        "sh",
        "-c",
        "exit 1",
    ]);
    assert_ok(&out);
    let err = stderr(&out);
    assert!(err.contains("failed to write order-0"), "{err}");
    assert!(err.contains("it stays in orders_stream"), "{err}");
    assert_eq!(s.stream_messages(STREAM), 1, "the job is kept");
    assert_eq!(s.stream_messages(DLQ), 1);
    let first: serde_json::Value =
        serde_json::from_str(stdout_of(&out).lines().next().unwrap()).unwrap();
    // Its last attempt: it does not come back, the server parks it.
    assert_eq!(first["type"], "parked", "{first}");
    assert!(first["error"].is_string(), "{first}");
    assert!(first.get("retry_in_ms").is_none(), "{first}");
}

#[test]
fn a_second_worker_joins_the_consumer_and_explicit_flags_update_it() {
    let s = Setup::new();
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "--max-deliver",
        "4",
        "--backoff",
        "1s,2s,3s",
        "--",
        "true",
    ]);
    assert_ok(&out);
    assert!(stderr(&out).contains("created consumer processor"));
    let out = s.work(&[STREAM, "--until-empty", "--", "true"]);
    assert_ok(&out);
    assert!(stderr(&out).contains("joined consumer processor on orders_stream: max deliver 4, backoff 1s,2s,3s, ack wait 1s"), "{}", stderr(&out));
    let c = s.consumer_info("processor").config;
    assert_eq!(c.max_deliver, 4);
    assert_eq!(c.backoff.len(), 3);

    let out = s.work(&[STREAM, "--until-empty", "--max-deliver", "5", "--", "true"]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("updated consumer processor on orders_stream (shared by every worker on it): max deliver 4 -> 5"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.consumer_info("processor").config.max_deliver, 5);
}

#[test]
fn backoff_steps_beyond_max_deliver_are_a_usage_error() {
    let s = Setup::new();
    let out = s.work(&[STREAM, "--backoff", "5s,30s,2m", "--", "true"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("--backoff has 3 steps"), "{err}");
    assert!(err.contains("--max-deliver 4"), "{err}");
    let url = s.server.url.clone();
    let exists = rt().block_on(async {
        let js = js(&url).await;
        let stream = js.get_stream(STREAM).await.unwrap();
        stream.consumer_info("processor").await.is_ok()
    });
    assert!(!exists, "nothing was created");

    let out = s.work(&[STREAM, "--", "no-such-handler-anywhere"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not found in PATH"));
    common::reliability::held(
        "Bad input",
        "a backoff longer than max-deliver allows",
        "--backoff with 3 steps: exit 2 naming the steps and the --max-deliver needed, no consumer made; a handler not in PATH: exit 2",
    );
}

#[test]
fn the_worker_keeps_working_after_the_server_restarts() {
    let mut s = Setup::new();
    let log = s.path("done");
    let child = s.spawn_work(
        &[
            STREAM,
            "--",
            "sh",
            "-c",
            &format!("cat >> {log}; echo >> {log}"),
        ],
        Stdio::null(),
    );
    s.publish("orders.new", &["before"]);
    wait_until(Duration::from_secs(10), "the first job", || {
        s.read("done").contains("before")
    });
    s.server.restart();
    wait_until(Duration::from_secs(15), "the stream back", || {
        let url = s.server.url.clone();
        rt().block_on(async {
            let Ok(client) = async_nats::connect(&url).await else {
                return false;
            };
            async_nats::jetstream::new(client)
                .get_stream(STREAM)
                .await
                .is_ok()
        })
    });
    s.publish("orders.new", &["after"]);
    wait_until(
        Duration::from_secs(20),
        "the job published after the restart",
        || s.read("done").contains("after"),
    );
    child.interrupt();
    let out = child.wait();
    assert_ok(&out);
    let err = stderr(&out);
    assert!(err.contains("disconnected from NATS"), "{err}");
    assert!(err.contains("reconnected to NATS"), "{err}");
    assert_eq!(s.read("done"), "before\nafter\n");
    assert_eq!(s.stream_messages(STREAM), 0);
}

/// On a terminal the status line is drawn two columns short of the terminal's width. Drawn to
/// the full width (indicatif pads it so), it leaves the cursor at the right edge, and the `^C`
/// the terminal echoes on Ctrl-C wraps to a line of its own: the line is then drawn again
/// below, and a stale copy stays above the "stopping" notice.
#[test]
fn the_status_line_leaves_room_for_the_terminals_ctrl_c_echo() {
    let s = Setup::new();
    s.publish_n(4);
    let cmd = s.jq_std(&[
        "work",
        STREAM,
        "--until-empty",
        "-c",
        "1",
        "--",
        "sleep",
        "0.3",
    ]);
    let text = on_a_terminal(&cmd, 100);
    let widths: Vec<usize> = text
        .split("\x1b[2K")
        .filter(|seg| seg.contains(" · in flight "))
        .map(|seg| seg.split(['\r', '\n']).next().unwrap().chars().count())
        .collect();
    assert!(!widths.is_empty(), "no status line drawn:\n{text:?}");
    assert!(
        widths.iter().all(|&w| w <= 98),
        "status line widths {widths:?} on a 100-column terminal:\n{text:?}"
    );
    assert!(text.contains("done 4, retried 0, dead 0"), "{text:?}");
}

/// Jobs printed to a terminal are the progress: no status line is drawn between them (they
/// would tear it, and it theirs). With a command, the status line is drawn.
#[test]
fn printing_jobs_to_a_terminal_draws_no_status_line_between_them() {
    let s = Setup::new();
    let jobs = s.publish_n(3);
    let text = on_a_terminal(&s.jq_std(&["work", STREAM, "--until-empty"]), 100);
    assert!(!text.contains(" · in flight "), "{text:?}");
    for job in &jobs {
        assert!(
            text.contains(&format!("{job}\r\n")),
            "{job} not printed:\n{text:?}"
        );
    }
    assert!(text.contains("wrote 3 jobs"), "{text:?}");
}
