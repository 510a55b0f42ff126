//! Faults: a worker SIGKILLed at each step of a job (received, running, handled, dead-lettering)
//! and the nats-server killed -9 under `publish` and under `work`. Another worker (or the same
//! one, reconnected) finishes; every job ends done or dead, none is lost, and the jobs run more
//! than once are counted.
//!
//! Exact kill points use the `JQ_NATS_FAILPOINT` hook (src/failpoint.rs).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use async_nats::jetstream::message::StreamMessage;
use common::*;
use serde_json::Value;

const STREAM: &str = "orders_stream";
const DLQ: &str = "orders_stream_dlq";

/// The handler: records each run (`SEQ WORKER_PID SH_PID` in $RUNS), takes $PAUSE seconds,
/// fails `bad-*` jobs (exit 1) and `fatal-*` ones (the fatal exit code 99), and records each
/// success (`SEQ WORKER_PID` in $DONE) as its last step.
const HANDLER: &str = r#"p=$(cat)
echo "$JQ_SEQ $PPID $$" >> "$RUNS"
sleep "$PAUSE"
case "$p" in bad-*) exit 1;; fatal-*) exit 99;; esac
echo "$JQ_SEQ $PPID" >> "$DONE""#;

/// Short waits so a job held by a dead worker comes back quickly: the ack wait is the first
/// backoff step, two attempts. 2s rather than 1s leaves room on a loaded machine: a job still
/// running must not reach its ack wait before its in-progress ack (a redelivery then would
/// use up its last attempt).
const WORK_FLAGS: [&str; 7] = [STREAM, "-c", "4", "--max-deliver", "2", "--backoff", "2s"];

struct Setup {
    server: Server,
    env: TestEnv,
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let s = Setup {
            server: Server::start(),
            env: TestEnv::new(),
            dir: tempfile::tempdir().unwrap(),
        };
        let out = s
            .jq(&["stream", "add", STREAM, "--subjects", "orders.*"])
            .output()
            .unwrap();
        assert_ok(&out);
        s
    }

    fn jq(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.env.jq();
        cmd.arg("-s").arg(&self.server.url).args(args);
        cmd.timeout(Duration::from_secs(90));
        cmd
    }

    fn jq_std(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = self.env.jq_std();
        cmd.arg("-s").arg(&self.server.url).args(args);
        cmd
    }

    fn path(&self, name: &str) -> String {
        path_str(&self.dir.path().join(name))
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    /// `work` with the handler, in the background; stderr goes to `log`.
    fn spawn_work(&self, pause: &str, failpoint: Option<&str>, log: &str) -> Child {
        let mut cmd = self.work_cmd(pause, &[]);
        if let Some(point) = failpoint {
            cmd.env("JQ_NATS_FAILPOINT", point);
        }
        cmd.stdout(Stdio::null())
            .stderr(std::fs::File::create(self.dir.path().join(log)).unwrap())
            .spawn()
            .unwrap()
    }

    fn work_cmd(&self, pause: &str, extra: &[&str]) -> std::process::Command {
        let mut args = vec!["work"];
        args.extend_from_slice(&WORK_FLAGS);
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--", "sh", "-c", HANDLER]);
        let mut cmd = self.jq_std(&args);
        cmd.env("RUNS", self.path("runs"))
            .env("DONE", self.path("done"))
            .env("PAUSE", pause);
        cmd
    }

    /// `work --until-empty` to its end: the worker that finishes the rest.
    fn finish_work(&self) -> Output {
        let mut cmd = self.work_cmd("0.05", &["--until-empty"]);
        let out = run_bounded(&mut cmd, Duration::from_secs(60));
        assert_ok(&out);
        out
    }

    /// Publishes `payloads` with the test's own client; gives their stream sequences.
    fn publish(&self, payloads: &[String]) -> BTreeMap<u64, String> {
        let url = self.server.url.clone();
        rt().block_on(async {
            let js = js(&url).await;
            let mut seqs = BTreeMap::new();
            for p in payloads {
                let ack = js
                    .publish("orders.new", p.clone().into())
                    .await
                    .unwrap()
                    .await
                    .unwrap();
                seqs.insert(ack.sequence, p.clone());
            }
            seqs
        })
    }

    /// Every message of a stream, by sequence.
    fn entries(&self, name: &str) -> Vec<StreamMessage> {
        let url = self.server.url.clone();
        rt().block_on(async { stored_messages(&js(&url).await, name).await })
    }

    fn stream_messages(&self, name: &str) -> u64 {
        let url = self.server.url.clone();
        rt().block_on(async {
            let js = js(&url).await;
            let mut s = js.get_stream(name).await.unwrap();
            s.info().await.unwrap().state.messages
        })
    }

    /// The consumer's (pending, ack pending) counts.
    fn consumer_counts(&self) -> (u64, usize) {
        let url = self.server.url.clone();
        rt().block_on(async {
            let js = js(&url).await;
            let s = js.get_stream(STREAM).await.unwrap();
            let info = s.consumer_info("processor").await.unwrap();
            (info.num_pending, info.num_ack_pending)
        })
    }

    /// Whether the server answers for the work stream again (after a restart).
    fn stream_back(&self) -> bool {
        let url = self.server.url.clone();
        rt().block_on(async {
            let Ok(client) = async_nats::connect(&url).await else {
                return false;
            };
            async_nats::jetstream::new(client)
                .get_stream(STREAM)
                .await
                .is_ok()
        })
    }

    /// Successful runs per job, and which worker pids they ran under.
    fn done(&self) -> BTreeMap<u64, Vec<u32>> {
        let mut done: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
        for line in self.read("done").lines() {
            let mut parts = line.split_whitespace();
            let seq = parts.next().unwrap().parse().unwrap();
            let worker = parts.next().unwrap().parse().unwrap();
            done.entry(seq).or_default().push(worker);
        }
        done
    }

    /// Handler runs: (seq, worker pid, handler pid).
    fn runs(&self) -> Vec<(u64, u32, i32)> {
        self.read("runs")
            .lines()
            .map(|line| {
                let mut parts = line.split_whitespace().map(|p| p.parse::<i64>().unwrap());
                let (a, b, c) = (
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                );
                (a as u64, b as u32, c as i32)
            })
            .collect()
    }

    /// The jobs `dlq ls --json` lists, by sequence.
    fn listed_dead(&self) -> BTreeSet<u64> {
        let out = self.jq(&["dlq", "ls", STREAM, "--json"]).output().unwrap();
        assert_ok(&out);
        stdout_of(&out)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|v| v["type"] == "job")
            .map(|v| v["seq"].as_u64().unwrap())
            .collect()
    }

    /// Work-stream sequences named by a MAX_DELIVERIES advisory in the DLQ (parked jobs).
    fn max_deliveries(&self) -> BTreeSet<u64> {
        self.entries(DLQ)
            .iter()
            .filter(|m| m.subject.contains(".MAX_DELIVERIES."))
            .map(|m| {
                let v: Value = serde_json::from_slice(&m.payload).unwrap();
                v["stream_seq"].as_u64().unwrap()
            })
            .collect()
    }

    /// The full copies in the DLQ: work stream sequence → (payload, reason) of each copy.
    fn copies(&self) -> BTreeMap<u64, Vec<(String, String)>> {
        let mut copies: BTreeMap<u64, Vec<(String, String)>> = BTreeMap::new();
        for m in self.entries(DLQ) {
            if !m.subject.starts_with("jqnats.dlq.") || header(&m, "Jq-Dlq-Stream").is_empty() {
                continue;
            }
            let seq = header(&m, "Jq-Dlq-Seq").parse().unwrap();
            copies.entry(seq).or_default().push((
                String::from_utf8_lossy(&m.payload).into_owned(),
                header(&m, "Jq-Dlq-Reason"),
            ));
        }
        copies
    }
}

fn header(m: &StreamMessage, name: &str) -> String {
    m.headers
        .get(name)
        .map(|v| v.as_str().to_string())
        .unwrap_or_default()
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

/// Runs `cmd` to its end, killing it (and failing) past `limit`.
fn run_bounded(cmd: &mut std::process::Command, limit: Duration) -> Output {
    Reading::spawn(cmd.stdout(Stdio::piped()).stderr(Stdio::piped())).wait(limit)
}

/// A child whose stdout and stderr are read as they come (a full pipe would block it).
struct Reading {
    child: Child,
    out: std::thread::JoinHandle<Vec<u8>>,
    err: std::thread::JoinHandle<Vec<u8>>,
}

impl Reading {
    /// Spawns `cmd`, whose stdout and stderr must be piped.
    fn spawn(cmd: &mut std::process::Command) -> Reading {
        let mut child = cmd.spawn().unwrap();
        fn read(mut pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = pipe.read_to_end(&mut buf);
                buf
            })
        }
        let out = read(child.stdout.take().unwrap());
        let err = read(child.stderr.take().unwrap());
        Reading { child, out, err }
    }

    /// Waits for the end, killing the child (and failing) past `limit`.
    fn wait(mut self, limit: Duration) -> Output {
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "still running after {limit:?}; stderr:\n{}",
                    String::from_utf8_lossy(&self.err.join().unwrap())
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Output {
            status,
            stdout: self.out.join().unwrap(),
            stderr: self.err.join().unwrap(),
        }
    }
}

/// Waits for a worker to die of SIGKILL.
fn killed(child: &mut Child, log: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the worker did not reach its failpoint; its log:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{status:?}\n{log}");
}

/// No live process is left in process group `pgid` (zombies nobody reaped yet do not count:
/// their parent died, and some containers' init never reaps).
fn group_gone(pgid: i32) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return true;
    };
    !dir.flatten().any(|entry| {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // `PID (COMM) STATE PPID PGRP ...`: the fields after the last `)`.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        fields.len() > 2 && fields[0] != "Z" && fields[2] == pgid.to_string()
    })
}

/// `n` jobs: every 8th fails (`bad-`), every 7th is fatal when `fatal` (`fatal-`).
fn jobs(n: usize, bad: bool, fatal: bool) -> Vec<String> {
    (1..=n)
        .map(|i| {
            if bad && i % 8 == 0 {
                format!("bad-{i}")
            } else if fatal && i % 7 == 0 {
                format!("fatal-{i}")
            } else {
                format!("job-{i}")
            }
        })
        .collect()
}

/// What the runs added up to once everything settled.
struct Tally {
    published: usize,
    done: usize,
    dead: usize,
    /// Successful runs beyond the first, over all jobs.
    ran_twice: usize,
}

impl Tally {
    fn outcome(&self) -> String {
        format!(
            "{} published = {} done + {} dead; 0 lost; {} ran twice",
            self.published, self.done, self.dead, self.ran_twice
        )
    }
}

/// Checks the end state through the test's client: every job done (good ones) or in the DLQ
/// as one full copy with its payload and reason (bad and fatal ones), never both; the work
/// stream and the consumer empty; `dlq ls` agreeing. After a server crash (see
/// `a_worker_through_a_server_kill_finishes_every_job`) more is allowed: `also_dead`, done jobs
/// also listed or copied as dead; `parked`, failing jobs whose copy `dlq reconcile` wrote
/// (with the server's reason).
fn check_settled(
    s: &Setup,
    published: &BTreeMap<u64, String>,
    also_dead: &BTreeSet<u64>,
    parked: &BTreeSet<u64>,
) -> Tally {
    let done = s.done();
    let copies = s.copies();
    for (seq, payload) in published {
        if payload.starts_with("job-") {
            assert!(done.contains_key(seq), "job {seq} ({payload}) was not done");
            assert!(
                !copies.contains_key(seq) || also_dead.contains(seq),
                "done job {seq} is in the DLQ"
            );
        } else {
            assert!(!done.contains_key(seq), "failing job {seq} was done");
            let entries = copies
                .get(seq)
                .unwrap_or_else(|| panic!("dead job {seq} ({payload}) is not in the DLQ"));
            assert_eq!(entries.len(), 1, "job {seq}: {entries:?}");
            let (copy, reason) = &entries[0];
            assert_eq!(copy, payload);
            let want = if payload.starts_with("bad-") {
                "exit code 1"
            } else {
                "exit code 99 (fatal)"
            };
            if !parked.contains(seq) {
                assert_eq!(reason, want, "job {seq}");
            }
        }
    }
    let unknown: Vec<_> = done
        .keys()
        .chain(copies.keys())
        .filter(|seq| !published.contains_key(seq))
        .collect();
    assert!(unknown.is_empty(), "runs of unpublished jobs: {unknown:?}");
    let listed = s.listed_dead();
    let copied: BTreeSet<u64> = copies.keys().copied().collect();
    assert!(listed.is_superset(&copied), "{listed:?} {copied:?}");
    let extra: Vec<_> = listed
        .difference(&copied)
        .filter(|seq| !also_dead.contains(seq))
        .collect();
    if !extra.is_empty() {
        let out = s.jq(&["dlq", "ls", STREAM, "--json"]).output().unwrap();
        let shown: Vec<String> = stdout_of(&out)
            .lines()
            .filter(|l| {
                serde_json::from_str::<Value>(l)
                    .is_ok_and(|v| v["seq"].as_u64().is_some_and(|q| extra.contains(&&q)))
            })
            .map(str::to_string)
            .collect();
        panic!(
            "listed as dead, not in the DLQ: {extra:?}: {shown:?}; work stream now: {:?}",
            s.entries(STREAM)
                .iter()
                .map(|m| m.sequence)
                .collect::<Vec<_>>()
        );
    }
    assert_eq!(s.stream_messages(STREAM), 0, "jobs left in the work stream");
    assert_eq!(s.consumer_counts(), (0, 0), "(pending, ack pending)");
    Tally {
        published: published.len(),
        done: done.len(),
        dead: copies.keys().filter(|seq| !done.contains_key(seq)).count(),
        ran_twice: done.values().map(|runs| runs.len() - 1).sum(),
    }
}

/// A worker killed at `point`, then a second worker that finishes; the job mix as given.
/// Gives the end state, the killed worker's pid and the first worker's log.
fn killed_at(point: &str, bad: bool, fatal: bool) -> (Setup, BTreeMap<u64, String>, u32) {
    let s = Setup::new();
    let published = s.publish(&jobs(40, bad, fatal));
    let mut first = s.spawn_work("0.2", Some(point), "first.log");
    let pid = first.id();
    killed(&mut first, &s.read("first.log"));
    (s, published, pid)
}

#[test]
fn a_worker_killed_before_a_handler_starts_loses_no_job() {
    let (s, published, pid) = killed_at("work.received:6", true, true);
    // Four ran at once, the fifth took the first free slot; the sixth was received and never
    // run. (Handlers killed early may not have written their line: two finished for sure.)
    let first_runs: BTreeSet<u64> = s
        .runs()
        .iter()
        .filter(|r| r.1 == pid)
        .map(|r| r.0)
        .collect();
    assert!(
        first_runs.len() >= 2 && first_runs.iter().all(|seq| *seq <= 5),
        "{:?}",
        s.runs()
    );
    s.finish_work();
    let tally = check_settled(&s, &published, &BTreeSet::new(), &BTreeSet::new());
    common::reliability::held(
        "Faults",
        "worker SIGKILLed with a job received, its handler not started (4 at once)",
        &tally.outcome(),
    );
}

/// A handler whose worker died is killed with its whole process group (by the worker's reaper,
/// src/worker/reaper.rs): it must not go on doing a job that is handed to another worker.
#[test]
fn a_worker_killed_while_its_handlers_run_takes_them_down_and_loses_no_job() {
    let s = Setup::new();
    let published = s.publish(&jobs(40, true, true));
    let mut first = s.spawn_work("5", None, "first.log");
    let pid = first.id();
    wait_until(Duration::from_secs(20), "four handlers running", || {
        s.runs().len() >= 4
    });
    first.kill().unwrap();
    let status = first.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGKILL));
    let handlers: Vec<i32> = s
        .runs()
        .iter()
        .filter(|r| r.1 == pid)
        .map(|r| r.2)
        .collect();
    assert_eq!(handlers.len(), 4, "{:?}", s.runs());
    // Each handler is `sh` (its group's leader) running `sleep 5`: both go.
    wait_until(
        Duration::from_secs(3),
        "the killed worker's handlers and their children to die with it",
        || handlers.iter().all(|h| group_gone(*h)),
    );
    s.finish_work();
    let tally = check_settled(&s, &published, &BTreeSet::new(), &BTreeSet::new());
    let by_first: Vec<u64> = s
        .done()
        .into_iter()
        .filter(|(_, workers)| workers.contains(&pid))
        .map(|(seq, _)| seq)
        .collect();
    assert!(
        by_first.is_empty(),
        "handlers of the killed worker finished jobs {by_first:?}"
    );
    assert_eq!(tally.ran_twice, 0);
    common::reliability::held(
        "Faults",
        "worker SIGKILLed while 4 handlers run",
        &format!(
            "{}; its 4 handlers and their children died with it (none finished its job)",
            tally.outcome()
        ),
    );
}

/// The reaper reads what the worker tells it in batches: the groups it was told of just before
/// the worker died (in the same read as the end of its stdin) are killed too.
#[test]
fn the_reaper_kills_groups_it_was_told_of_with_its_last_words() {
    use std::os::unix::process::CommandExt;
    let mut handler = std::process::Command::new("sleep")
        .arg("30")
        .process_group(0)
        .spawn()
        .unwrap();
    let pgid = handler.id() as i32;
    let mut reaper = std::process::Command::new(assert_cmd::cargo::cargo_bin("jq-nats"))
        .arg("__jq-nats-reaper")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    // One write and the end at once, as from a worker killed right after a handler started.
    let mut stdin = reaper.stdin.take().unwrap();
    stdin
        .write_all(format!("+{}\n-1\n+{pgid}\n", pgid + 1_000_000).as_bytes())
        .unwrap();
    drop(stdin);
    let status = reaper.wait().unwrap();
    assert!(status.success(), "{status}");
    wait_until(Duration::from_secs(3), "the group to be killed", || {
        matches!(handler.try_wait(), Ok(Some(_)))
    });
    assert!(group_gone(pgid));
}

#[test]
fn a_worker_killed_between_handler_exit_and_ack_has_the_job_run_again() {
    let (s, published, pid) = killed_at("work.handled:3", true, true);
    // The third handler to exit (one of jobs 1-4, all good) finished under the killed worker.
    let done_first = s.done().values().filter(|w| w.contains(&pid)).count();
    assert!(done_first >= 3, "{:?}", s.done());
    s.finish_work();
    let tally = check_settled(&s, &published, &BTreeSet::new(), &BTreeSet::new());
    // Its ack never left: the job is done a second time (at least once, never lost).
    assert!(tally.ran_twice >= 1, "{:?}", s.done());
    common::reliability::held(
        "Faults",
        "worker SIGKILLed after a handler exited, before the ack",
        &tally.outcome(),
    );
}

/// Fatal job 7 is the first dead-lettered (on its first attempt): the copy is stored, the
/// worker dies before the ack, and the job comes back to the next worker, which runs it again
/// (its last attempt). That copy carries the same `Nats-Msg-Id` (`jqnats-dead-STREAM-SEQ`), so
/// the DLQ drops it as a duplicate: one entry.
#[test]
fn a_worker_killed_after_a_dead_copy_before_the_ack_leaves_one_dead_job() {
    let (s, published, _) = killed_at("work.copy.written:1", false, true);
    assert_eq!(
        s.copies().keys().copied().collect::<Vec<_>>(),
        vec![7],
        "{:?}\n{}",
        s.runs(),
        s.read("first.log")
    );
    let out = s.finish_work();
    let runs_of_7 = s.runs().iter().filter(|r| r.0 == 7).count();
    assert_eq!(runs_of_7, 2, "{:?}", s.runs());
    let err = stderr_of(&out);
    assert!(
        err.contains("fatal-7 will be processed via DLQ (orders_stream_dlq # 1)"),
        "{err}"
    );
    let tally = check_settled(&s, &published, &BTreeSet::new(), &BTreeSet::new());
    common::reliability::held(
        "Faults",
        "worker SIGKILLed after a fatal job's DLQ copy was stored, before the ack",
        &format!(
            "{}; fatal job 7 ran again on its next attempt, its second copy deduplicated: 1 DLQ entry",
            tally.outcome()
        ),
    );
}

/// Bad job 8 is the first dead-lettered, on its last attempt: the copy is stored, the worker
/// dies before the ack, and the server parks the job (no attempt left) and sends its
/// max-deliveries advisory. The copy wins: one dead job; `dlq reconcile` frees the work stream.
#[test]
fn a_worker_killed_after_a_last_attempt_copy_before_the_ack_leaves_a_parked_job() {
    let (s, published, _) = killed_at("work.copy.written:1", true, false);
    assert_eq!(
        s.copies().keys().copied().collect::<Vec<_>>(),
        vec![8],
        "{:?}\n{}",
        s.runs(),
        s.read("first.log")
    );
    s.finish_work();
    let parked: Vec<u64> = s.entries(STREAM).iter().map(|m| m.sequence).collect();
    assert_eq!(parked, vec![8], "the parked original");
    assert!(s.listed_dead().contains(&8));
    let runs_of_8 = s.runs().iter().filter(|r| r.0 == 8).count();
    assert_eq!(runs_of_8, 2, "two attempts, no more");
    let out = s.jq(&["dlq", "reconcile", STREAM]).output().unwrap();
    assert_ok(&out);
    let tally = check_settled(&s, &published, &BTreeSet::new(), &BTreeSet::new());
    common::reliability::held(
        "Faults",
        "worker SIGKILLed after a last attempt's DLQ copy was stored, before the ack",
        &format!(
            "{}; the original stayed parked beside its copy (run 2 times, as allowed) until `dlq reconcile` removed it",
            tally.outcome()
        ),
    );
}

/// Every message of a stream as (payload, message id), by sequence, read by direct get with
/// many requests in flight.
fn contents(url: &str, name: &str) -> BTreeMap<u64, (String, String)> {
    use futures::StreamExt;
    rt().block_on(async {
        let js = js(url).await;
        let mut stream = js.get_stream(name).await.unwrap();
        let state = stream.info().await.unwrap().state.clone();
        if state.messages == 0 {
            return BTreeMap::new();
        }
        let stream = &stream;
        futures::stream::iter(state.first_sequence..=state.last_sequence)
            .map(|seq| async move { (seq, stored_at(stream, seq).await) })
            .buffer_unordered(128)
            .filter_map(|(seq, got)| async move {
                let m = got?;
                Some((
                    seq,
                    (
                        String::from_utf8_lossy(&m.payload).into_owned(),
                        header(&m, "Nats-Msg-Id"),
                    ),
                ))
            })
            .collect()
            .await
    })
}

/// What `publish --json` said, line by line.
#[derive(Debug, Default)]
struct Receipts {
    /// Input line → (stream seq, duplicate).
    confirmed: BTreeMap<u64, (u64, bool)>,
    /// Input line → error.
    failed: BTreeMap<u64, String>,
    stopped: Option<String>,
}

fn receipts(out: &Output) -> Receipts {
    let mut r = Receipts::default();
    let mut summary = false;
    for line in stdout_of(out).lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let n = v["line"].as_u64();
        let fresh = match v["type"].as_str().unwrap() {
            "published" => r
                .confirmed
                .insert(
                    n.unwrap(),
                    (
                        v["seq"].as_u64().unwrap(),
                        v["duplicate"].as_bool().unwrap(),
                    ),
                )
                .is_none(),
            "error" => r
                .failed
                .insert(n.unwrap(), v["error"].as_str().unwrap().to_string())
                .is_none(),
            "summary" => {
                summary = true;
                r.stopped = v["stopped"].as_str().map(str::to_string);
                true
            }
            other => panic!("unexpected event {other}: {line}"),
        };
        assert!(fresh, "a second receipt: {line}");
    }
    assert!(summary, "no summary:\n{}", stdout_of(out));
    for line in r.confirmed.keys() {
        assert!(
            !r.failed.contains_key(line),
            "line {line} both confirmed and failed"
        );
    }
    r
}

/// `publish --json` of `lines` stdin lines (`line-N`, written at a steady pace by a thread) while
/// the server is killed -9 once `kill_at` jobs are stored, and started again after `outage`.
/// Checks the receipts against the stream: every line up to the last one read has exactly one
/// receipt; a confirmed job is stored, with its payload, at the sequence it was confirmed
/// with; a stored job was confirmed or reported as failed; no line is stored twice.
fn publish_through_a_kill(
    s: &mut Setup,
    lines: u64,
    kill_at: u64,
    outage: Duration,
    id: bool,
) -> (Receipts, BTreeMap<u64, (String, String)>, u64) {
    let mut args = vec!["--timeout", "2s", "--json", "publish", "orders.new"];
    if id {
        args.extend_from_slice(&["--id", "job-{{Count}}"]);
    }
    let mut child = Reading::spawn(
        s.jq_std(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let mut stdin = child.child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        // Paced, so the kill lands while jobs are in flight and more input is coming.
        for chunk in (1..=lines).collect::<Vec<_>>().chunks(200) {
            let text: String = chunk.iter().map(|i| format!("line-{i}\n")).collect();
            if stdin.write_all(text.as_bytes()).is_err() {
                return; // publish stopped reading: it says which lines it did not publish
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    let url = s.server.url.clone();
    wait_until(
        Duration::from_secs(30),
        "jobs stored before the kill",
        || {
            rt().block_on(async {
                let js = js(&url).await;
                let mut st = js.get_stream(STREAM).await.unwrap();
                st.info().await.unwrap().state.messages >= kill_at
            })
        },
    );
    s.server.kill();
    std::thread::sleep(outage);
    s.server.restart();
    let out = child.wait(Duration::from_secs(60));
    writer.join().unwrap();
    let r = receipts(&out);
    let last_read = r
        .confirmed
        .keys()
        .chain(r.failed.keys())
        .max()
        .copied()
        .unwrap_or(0);
    match &r.stopped {
        None => {
            assert_eq!(last_read, lines, "{}", stderr_of(&out));
            assert_eq!(
                out.status.code(),
                Some(if r.failed.is_empty() { 0 } else { 1 })
            );
        }
        Some(why) => {
            assert_eq!(
                why,
                &format!(
                    "the connection to the server was lost; input after line {last_read} was not published"
                )
            );
            assert_eq!(out.status.code(), Some(1));
        }
    }
    for line in 1..=last_read {
        assert!(
            r.confirmed.contains_key(&line) || r.failed.contains_key(&line),
            "line {line} has no receipt"
        );
    }
    wait_until(Duration::from_secs(15), "the server back", || {
        s.stream_back()
    });
    let stored = contents(&s.server.url, STREAM);
    for (line, (seq, _)) in &r.confirmed {
        let (payload, msg_id) = stored.get(seq).unwrap_or_else(|| {
            panic!("line {line} was confirmed as seq {seq}, which is not stored")
        });
        assert_eq!(payload, &format!("line-{line}"), "seq {seq}");
        if id {
            assert_eq!(msg_id, &format!("job-{line}"));
        }
    }
    let mut stored_lines: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for (seq, (payload, _)) in &stored {
        let line: u64 = payload.strip_prefix("line-").unwrap().parse().unwrap();
        stored_lines.entry(line).or_default().push(*seq);
    }
    let twice: Vec<_> = stored_lines
        .iter()
        .filter(|(_, seqs)| seqs.len() > 1)
        .collect();
    assert!(twice.is_empty(), "stored twice: {twice:?}");
    for (line, seqs) in &stored_lines {
        assert!(*line <= last_read, "line {line} stored, never sent");
        match r.confirmed.get(line) {
            Some((seq, _)) => assert_eq!(seq, &seqs[0], "line {line}"),
            None => assert!(
                r.failed[line].contains("may or may not be stored"),
                "line {line} is stored, its error says otherwise: {}",
                r.failed[line]
            ),
        }
    }
    (r, stored, last_read)
}

/// With `--id`, the server back within the ack timeout: publish reconnects and resends what it
/// could not confirm; running the same input again stores exactly what is missing.
#[test]
fn publish_with_ids_through_a_server_kill_stores_every_line_once() {
    let mut s = Setup::new();
    let lines = 20_000;
    let (first, _, last_read) =
        publish_through_a_kill(&mut s, lines, 3000, Duration::from_millis(200), true);
    let stored_first = s.stream_messages(STREAM);
    let confirmed_first = first.confirmed.len();
    let failed_first = first.failed.len();

    // The same input again: the stored lines are duplicates within the window, the rest stored.
    let input: String = (1..=lines).map(|i| format!("line-{i}\n")).collect();
    let out = s
        .jq(&["--json", "publish", "orders.new", "--id", "job-{{Count}}"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_ok(&out);
    let again = receipts(&out);
    assert_eq!(again.confirmed.len() as u64, lines);
    assert!(again.stopped.is_none() && again.failed.is_empty());
    let duplicates = again.confirmed.values().filter(|(_, dup)| *dup).count() as u64;
    assert_eq!(
        duplicates, stored_first,
        "every line stored before is a duplicate"
    );
    let stored = contents(&s.server.url, STREAM);
    assert_eq!(stored.len() as u64, lines);
    let distinct: BTreeSet<&String> = stored.values().map(|(p, _)| p).collect();
    assert_eq!(distinct.len() as u64, lines, "a line stored twice");
    common::reliability::held(
        "Faults",
        "nats-server killed -9 under `publish --id` (20000 stdin lines), started again",
        &format!(
            "{last_read} lines read: {confirmed_first} confirmed (each stored at its seq), {failed_first} reported not confirmed; \
             {stored_first} stored; the same input again stored the {} missing, {duplicates} duplicates dropped: {lines} stored once each",
            lines - stored_first
        ),
    );
}

/// Without ids, the server down longer than the ack timeout: publish gives up, naming each
/// line it could not confirm and where it stopped reading; nothing is stored twice.
#[test]
fn publish_without_ids_through_a_long_server_outage_reports_every_unconfirmed_line() {
    let mut s = Setup::new();
    let (r, stored, last_read) =
        publish_through_a_kill(&mut s, 20_000, 3000, Duration::from_secs(4), false);
    assert!(r.stopped.is_some(), "publish went on: {r:?}");
    assert!(!r.failed.is_empty());
    let stored_unconfirmed = stored.len() - r.confirmed.len();
    common::reliability::held(
        "Faults",
        "nats-server killed -9 for 4s under `publish` (no ids, 20000 stdin lines)",
        &format!(
            "stopped after line {last_read}: {} confirmed, all stored at their seq; {} reported not confirmed ({stored_unconfirmed} of them stored); 0 stored twice",
            r.confirmed.len(),
            r.failed.len()
        ),
    );
}

/// A worker with jobs in flight while the server is killed -9 and started again (same store):
/// it reconnects by itself and finishes the queue; jobs whose acks were lost run again.
///
/// What the server does after kill -9 (both versions): a job acked shortly before the kill
/// can be back in the work stream after the restart, behind the consumer's ack floor, so it
/// is never delivered again (the stream's record of the removal was not on disk yet, the
/// consumer's was). Such a ghost must be a job already settled (done, or copied to the DLQ),
/// never a job not yet run; `dlq ls` shows a done one as dead (unrecorded), and `dlq
/// reconcile` moves it to the DLQ, which frees the work stream. A done job can also be named by
/// a MSG_TERMINATED advisory ("Unacknowledged message was deleted", seen on 2.15.1: its ack
/// from before the restart removed the message the restarted server had delivered again).
#[test]
fn a_worker_through_a_server_kill_finishes_every_job() {
    let mut s = Setup::new();
    let published = s.publish(&jobs(300, true, true));
    let log = s.dir.path().join("worker.log");
    let mut worker = s
        .work_cmd("0.1", &[])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    wait_until(Duration::from_secs(30), "100 jobs done", || {
        s.done().len() >= 100
    });
    let before = s.done().len();
    s.server.kill();
    std::thread::sleep(Duration::from_secs(1));
    s.server.restart();
    wait_until(Duration::from_secs(15), "the server back", || {
        s.stream_back()
    });
    // Settled: every good job done, every failing one copied to the DLQ or parked with its
    // max-deliveries advisory there, nothing pending.
    let unsettled = || -> Vec<u64> {
        let (done, copies, advised) = (s.done(), s.copies(), s.max_deliveries());
        published
            .iter()
            .filter(|(seq, payload)| {
                if payload.starts_with("job-") {
                    !done.contains_key(seq)
                } else {
                    !copies.contains_key(seq) && !advised.contains(seq)
                }
            })
            .map(|(seq, _)| *seq)
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(unsettled().is_empty() && s.consumer_counts() == (0, 0)) {
        if Instant::now() > deadline {
            let url = s.server.url.clone();
            let consumer = rt().block_on(async {
                let js = js(&url).await;
                let st = js.get_stream(STREAM).await.unwrap();
                st.consumer_info("processor").await.unwrap().clone()
            });
            panic!(
                "not settled: jobs {:?}; in the work stream {:?}; consumer {consumer:?}; worker log:\n{}",
                unsettled(),
                s.entries(STREAM).iter().map(|m| m.sequence).collect::<Vec<_>>(),
                std::fs::read_to_string(&log).unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // What is still in the work stream now is a failing job parked with its advisory, or a
    // ghost of a settled job.
    let done = s.done();
    let copies = s.copies();
    let advised = s.max_deliveries();
    let left: BTreeSet<u64> = s.entries(STREAM).iter().map(|m| m.sequence).collect();
    let parked: BTreeSet<u64> = left
        .iter()
        .filter(|seq| advised.contains(seq) && !copies.contains_key(seq))
        .copied()
        .collect();
    let ghosts: BTreeSet<u64> = left.difference(&parked).copied().collect();
    for seq in &ghosts {
        assert!(
            done.contains_key(seq) || copies.contains_key(seq),
            "job {seq} is in the work stream, not delivered, never run"
        );
    }
    assert!(
        worker.try_wait().unwrap().is_none(),
        "the worker stopped: {}",
        std::fs::read_to_string(&log).unwrap()
    );
    // SAFETY: a signal to the child we spawned and have not reaped.
    unsafe {
        libc::kill(worker.id() as i32, libc::SIGINT);
    }
    let status = worker.wait().unwrap();
    let err = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status:?}\n{err}");
    assert!(err.contains("disconnected from NATS"), "{err}");
    assert!(err.contains("reconnected to NATS"), "{err}");
    let terminated: BTreeSet<u64> = s
        .entries(DLQ)
        .iter()
        .filter(|m| m.subject.contains(".MSG_TERMINATED."))
        .map(|m| {
            let v: Value = serde_json::from_slice(&m.payload).unwrap();
            assert_eq!(v["reason"], "Unacknowledged message was deleted", "{v}");
            v["stream_seq"].as_u64().unwrap()
        })
        .collect();
    if !left.is_empty() {
        let out = s.jq(&["dlq", "reconcile", STREAM]).output().unwrap();
        assert_ok(&out);
    }
    // nats-server 2.9.10 can also count deliveries during the outage up to MaxDeliver and
    // publish a MAX_DELIVERIES advisory for a job that was then done and acked: `dlq ls` lists
    // the advisory (a dead job whose payload is gone). Counted, like the terminated ones.
    let advised_done: BTreeSet<u64> = advised
        .iter()
        .filter(|seq| done.contains_key(seq) && !left.contains(seq))
        .copied()
        .collect();
    let also_dead: BTreeSet<u64> = ghosts
        .iter()
        .chain(&terminated)
        .chain(&advised_done)
        .filter(|seq| done.contains_key(seq))
        .copied()
        .collect();
    let tally = check_settled(&s, &published, &also_dead, &parked);
    common::reliability::held(
        "Faults",
        "nats-server killed -9 for 1s under `work` (4 handlers running), started again",
        &format!(
            "{}; {before} done before the kill; the worker reconnected by itself; after the restart: \
             {} failing jobs parked by the server (a redelivery during the outage used their last attempt), \
             {} settled jobs back in the work stream behind the ack floor (removed by `dlq reconcile`, \
             {} done ones then also dead), {} done jobs named by a MSG_TERMINATED advisory, \
             {} by a MAX_DELIVERIES advisory",
            tally.outcome(),
            parked.len(),
            ghosts.len(),
            ghosts.iter().filter(|seq| done.contains_key(seq)).count(),
            terminated.len(),
            advised_done.len()
        ),
    );
}
