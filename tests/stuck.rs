//! Slow and stuck handlers against a real nats-server per test: handlers that ignore SIGTERM
//! (on a timeout and when the worker is stopped), handlers killed by a signal, and handlers
//! that flood their stdout and stderr while the worker's memory is measured.
//!
//! A handler that never exits (`--handler-timeout`) and one still running after the grace of a
//! Ctrl-C are tested in tests/work.rs.

mod common;

use std::io::Read;
use std::process::{Child, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use async_nats::jetstream::message::StreamMessage;
use common::*;

const STREAM: &str = "orders_stream";
const DLQ: &str = "orders_stream_dlq";
/// How long a handler gets between SIGTERM and SIGKILL (`handler::KILL_GRACE`).
const KILL_GRACE: Duration = Duration::from_secs(2);

/// A server, a clean environment and `orders_stream` (with its DLQ) made by `jq-nats stream add`.
struct Setup {
    server: Server,
    env: TestEnv,
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let setup = Setup {
            server: Server::start(),
            env: TestEnv::new(),
            dir: tempfile::tempdir().unwrap(),
        };
        setup
            .jq(&["stream", "add", STREAM, "--subjects", "orders.*"])
            .assert()
            .success();
        setup
    }

    fn jq(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.env.jq();
        cmd.arg("-s").arg(&self.server.url).args(args);
        cmd.timeout(Duration::from_secs(60));
        cmd
    }

    /// `jq-nats work ARGS` to its end.
    fn work(&self, args: &[&str]) -> Output {
        let mut full = vec!["work"];
        full.extend_from_slice(args);
        self.jq(&full).output().unwrap()
    }

    /// `jq-nats work ARGS` in the background, stdout and stderr piped.
    fn spawn_work(&self, args: &[&str]) -> Worker {
        let mut cmd = self.env.jq_std();
        cmd.arg("-s").arg(&self.server.url).arg("work").args(args);
        let child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Worker(Some(child))
    }

    fn path(&self, name: &str) -> String {
        path_str(&self.dir.path().join(name))
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    fn publish(&self, payloads: &[&str]) {
        let url = self.server.url.clone();
        rt().block_on(async {
            let js = js(&url).await;
            for p in payloads {
                js.publish("orders.new", p.to_string().into())
                    .await
                    .unwrap()
                    .await
                    .unwrap();
            }
        });
    }

    fn stream_messages(&self, name: &str) -> u64 {
        let url = self.server.url.clone();
        rt().block_on(async {
            let js = js(&url).await;
            let mut s = js.get_stream(name).await.unwrap();
            s.info().await.unwrap().state.messages
        })
    }

    fn consumer_exists(&self) -> bool {
        let url = self.server.url.clone();
        rt().block_on(async {
            let js = js(&url).await;
            match js.get_stream(STREAM).await {
                Ok(s) => s.consumer_info("processor").await.is_ok(),
                Err(_) => false,
            }
        })
    }

    /// Every entry of a stream, by sequence.
    fn entries(&self, name: &str) -> Vec<StreamMessage> {
        let url = self.server.url.clone();
        rt().block_on(async { stored_messages(&js(&url).await, name).await })
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

fn signal(pid: u32, sig: i32) {
    // SAFETY: sending a signal to a child we spawned and have not reaped.
    unsafe {
        libc::kill(pid as i32, sig);
    }
}

/// A worker in the background, killed if the test fails before it ends.
struct Worker(Option<Child>);

impl Worker {
    fn pid(&self) -> u32 {
        self.0.as_ref().expect("running").id()
    }

    fn signal(&self, sig: i32) {
        signal(self.pid(), sig);
    }

    /// Takes the worker's stdout and stderr, each read to its end on a thread of its own (so a
    /// flood never blocks the worker on a full pipe).
    fn drain(&mut self) -> (Drained, Drained) {
        let child = self.0.as_mut().expect("running");
        (
            Drained::spawn(child.stdout.take().unwrap()),
            Drained::spawn(child.stderr.take().unwrap()),
        )
    }

    /// Waits for the worker's exit, at most `timeout` (it is killed after that).
    fn wait_exit(mut self, timeout: Duration) -> std::process::ExitStatus {
        let mut child = self.0.take().unwrap();
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the worker did not exit within {timeout:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A pipe read to its end on a thread: how many bytes came, the last 64 KiB of them, and the
/// start of every line that is not part of a flood (no "flood" in it, not starting with NUL).
struct Drained {
    seen: Arc<Mutex<Seen>>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Seen {
    count: u64,
    tail: Vec<u8>,
    /// The start of the line being read.
    line: Vec<u8>,
    lines: Vec<String>,
}

impl Seen {
    fn take(&mut self, bytes: &[u8]) {
        const KEEP: usize = 400;
        self.count += bytes.len() as u64;
        self.tail.extend_from_slice(bytes);
        let len = self.tail.len();
        if len > 1 << 17 {
            self.tail.drain(..len - (1 << 16));
        }
        for part in bytes.split_inclusive(|b| *b == b'\n') {
            let room = KEEP.saturating_sub(self.line.len());
            self.line.extend_from_slice(&part[..part.len().min(room)]);
            if part.ends_with(b"\n") {
                let line = String::from_utf8_lossy(&self.line).into_owned();
                if !line.contains("flood") && !line.starts_with('\0') && self.lines.len() < 1000 {
                    self.lines.push(line.trim_end().to_string());
                }
                self.line.clear();
            }
        }
    }
}

impl Drained {
    fn spawn(mut pipe: impl Read + Send + 'static) -> Drained {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let shared = seen.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 16];
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => shared.lock().unwrap().take(&buf[..n]),
                }
            }
        });
        Drained {
            seen,
            thread: Some(thread),
        }
    }

    fn count(&self) -> u64 {
        self.seen.lock().unwrap().count
    }

    /// Waits for the end of the pipe; gives its lines (NDJSON events have no flood in them).
    fn lines(mut self) -> String {
        self.thread.take().unwrap().join().unwrap();
        self.seen.lock().unwrap().lines.join("\n")
    }

    /// Waits for the end of the pipe; gives the lines that were not flood, then the tail, as
    /// text.
    fn finish(mut self) -> String {
        self.thread.take().unwrap().join().unwrap();
        let seen = self.seen.lock().unwrap();
        let mut text = seen.lines.join("\n");
        text.push_str("\n--- tail:\n");
        text.push_str(&String::from_utf8_lossy(&seen.tail));
        text
    }
}

/// A process's peak resident set (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status")
}

#[test]
fn a_handler_ignoring_sigterm_is_killed_after_the_kill_grace_when_it_times_out() {
    let s = Setup::new();
    s.publish(&["stubborn"]);
    let (leader, child) = (s.path("leader"), s.path("child"));
    let started = Instant::now();
    // `trap '' TERM` is inherited by the sleeps: nothing in the group dies of SIGTERM.
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
        &format!("trap '' TERM; echo $$ > {leader}; sleep 60 & echo $! > {child}; sleep 60"),
    ]);
    let took = started.elapsed();
    assert_ok(&out);
    let err = stderr_of(&out);
    // Timed out, SIGTERM ignored, SIGKILL after the kill grace; not the 60s of the handler.
    assert!(
        took >= Duration::from_millis(500) + KILL_GRACE,
        "the handler was killed before its kill grace ({took:?}): {err}"
    );
    assert!(took < Duration::from_secs(20), "took {took:?}: {err}");
    let (leader_pid, child_pid) = (s.read("leader"), s.read("child"));
    assert!(!leader_pid.is_empty() && !child_pid.is_empty());
    wait_until(
        Duration::from_secs(5),
        "the handler and its child to die",
        || process_gone(&leader_pid) && process_gone(&child_pid),
    );
    assert!(err.contains("timed out after 500ms"), "{err}");
    assert_eq!(s.stream_messages(STREAM), 0);
    let entries = s.entries(DLQ);
    assert_eq!(entries.len(), 1, "{err}");
    assert_eq!(&entries[0].payload[..], b"stubborn");
    assert_eq!(
        header(&entries[0], "Jq-Dlq-Reason"),
        "timed out after 500ms"
    );
    assert_eq!(header(&entries[0], "Jq-Dlq-Timed-Out"), "true");
    common::reliability::held(
        "Handlers",
        "handler ignoring SIGTERM past --handler-timeout",
        &format!(
            "handler and its child SIGKILLed {:.1}s after start (500ms timeout + 2s kill grace); job dead-lettered with payload, reason \"timed out after 500ms\"",
            took.as_secs_f64()
        ),
    );
}

#[test]
fn sigterm_to_the_worker_with_a_handler_ignoring_sigterm_hands_the_job_to_another_worker() {
    let s = Setup::new();
    s.publish(&["stuck-job"]);
    let (leader, child) = (s.path("leader"), s.path("child"));
    // A 30s ack wait: a job not handed back would keep the second worker waiting that long.
    let mut first = s.spawn_work(&[
        STREAM,
        "--grace",
        "500ms",
        "--backoff",
        "30s",
        "--max-deliver",
        "3",
        "--json",
        "--",
        "sh",
        "-c",
        &format!("trap '' TERM; echo $$ > {leader}; sleep 60 & echo $! > {child}; sleep 60"),
    ]);
    let (stdout, stderr) = first.drain();
    wait_until(Duration::from_secs(15), "the handler running", || {
        !s.read("child").is_empty()
    });
    let started = Instant::now();
    first.signal(libc::SIGTERM);
    let status = first.wait_exit(Duration::from_secs(20));
    let took = started.elapsed();
    let (events, err) = (stdout.lines(), stderr.finish());
    assert!(status.success(), "{status:?}\n{events}\n{err}");
    // The grace, the handler's kill grace, and at most a pull request's 1s expiry and a bit.
    let bound = Duration::from_millis(500) + KILL_GRACE + Duration::from_secs(3);
    assert!(took < bound, "the worker took {took:?} to stop: {err}");
    assert!(err.contains("stopping: waiting up to 500ms"), "{err}");
    let (leader_pid, child_pid) = (s.read("leader"), s.read("child"));
    assert!(process_gone(&leader_pid), "the handler outlived the worker");
    wait_until(Duration::from_secs(5), "the handler's child to die", || {
        process_gone(&child_pid)
    });
    let events: Vec<serde_json::Value> = events
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events[0]["type"], "requeued", "{events:?}");
    assert_eq!(events.last().unwrap()["type"], "summary", "{events:?}");
    assert_eq!(events.last().unwrap()["done"], 0, "{events:?}");

    // Not acked: the job is still in the work stream, whole.
    let entries = s.entries(STREAM);
    assert_eq!(entries.len(), 1);
    assert_eq!(&entries[0].payload[..], b"stuck-job");
    assert_eq!(s.stream_messages(DLQ), 0);

    // Handed back: a second worker gets it at once, not after the 30s ack wait.
    let got = s.path("got");
    let started = Instant::now();
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "--",
        "sh",
        "-c",
        &format!("cat > {got}; echo \" $JQ_ATTEMPT\" >> {got}"),
    ]);
    let second_took = started.elapsed();
    assert_ok(&out);
    assert!(
        second_took < Duration::from_secs(10),
        "the job waited for its ack wait: {}",
        stderr_of(&out)
    );
    assert_eq!(s.read("got"), "stuck-job 2\n");
    assert_eq!(s.stream_messages(STREAM), 0);
    assert_eq!(s.stream_messages(DLQ), 0);
    common::reliability::held(
        "Handlers",
        "SIGTERM to the worker, handler ignoring SIGTERM",
        &format!(
            "worker exited 0 {:.1}s after SIGTERM (grace 500ms + 2s kill grace); handler group SIGKILLed; job not acked, handed back; a second worker did it (attempt 2) in {}ms, not after the 30s ack wait",
            took.as_secs_f64(),
            second_took.as_millis()
        ),
    );
}

#[test]
fn handlers_killed_by_a_signal_are_retried_then_dead_lettered_naming_the_signal() {
    let s = Setup::new();
    s.publish(&["segv", "kill9", "fine"]);
    let log = s.path("attempts");
    // No core file for the SIGSEGV (`ulimit -c 0`).
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "--max-deliver",
        "3",
        "--backoff",
        "200ms",
        "--",
        "sh",
        "-c",
        &format!(
            "p=$(cat); echo \"$p $JQ_ATTEMPT\" >> {log}; ulimit -c 0; \
             case $p in segv) kill -SEGV $$ ;; kill9) kill -9 $$ ;; esac"
        ),
    ]);
    assert_ok(&out);
    let err = stderr_of(&out);
    let mut seen: Vec<String> = s.read("attempts").lines().map(str::to_string).collect();
    seen.sort();
    assert_eq!(
        seen,
        ["fine 1", "kill9 1", "kill9 2", "kill9 3", "segv 1", "segv 2", "segv 3"],
        "{err}"
    );
    assert!(
        err.contains("killed by signal 11 (SIGSEGV) (attempt 1 of 3, retry in 200ms)"),
        "{err}"
    );
    assert!(err.contains("done 1, retried 4, dead 2"), "{err}");
    assert_eq!(s.stream_messages(STREAM), 0);
    let mut dead: Vec<(String, String, String, String)> = s
        .entries(DLQ)
        .iter()
        .map(|e| {
            (
                String::from_utf8_lossy(&e.payload).into_owned(),
                header(e, "Jq-Dlq-Reason"),
                header(e, "Jq-Dlq-Signal"),
                header(e, "Jq-Dlq-Attempts"),
            )
        })
        .collect();
    dead.sort();
    assert_eq!(
        dead,
        vec![
            (
                "kill9".into(),
                "killed by signal 9 (SIGKILL)".into(),
                "9".into(),
                "3".into()
            ),
            (
                "segv".into(),
                "killed by signal 11 (SIGSEGV)".into(),
                "11".into(),
                "3".into()
            ),
        ],
        "{err}"
    );
    common::reliability::held(
        "Handlers",
        "handler killed by SIGSEGV / SIGKILL",
        "each retried to MaxDeliver 3 (3 runs seen), then dead-lettered with its payload and reason \"killed by signal 11 (SIGSEGV)\" / \"killed by signal 9 (SIGKILL)\"; the other job done",
    );
}

/// Bytes a flooding handler writes to each of its stdout and stderr.
const FLOOD: u64 = 256 << 20;
/// How much the worker's peak RSS may grow over its size before the flood.
const RSS_GROWTH_BOUND_KIB: u64 = 32 << 10;

/// Runs `args` as a worker, waits until its consumer exists, takes its peak RSS, publishes
/// `payloads`, waits until `settled` and every flooded byte went through (`min_stderr` on its
/// stderr), then takes its peak RSS again and stops it with SIGTERM. Gives the two peaks (KiB),
/// the NDJSON on its stdout and the tail of its stderr.
fn flood_run(
    s: &Setup,
    args: &[&str],
    payloads: &[&str],
    min_stderr: u64,
    settled: impl Fn() -> bool,
) -> (u64, u64, String, String) {
    let mut worker = s.spawn_work(args);
    let (stdout, stderr) = worker.drain();
    wait_until(Duration::from_secs(15), "the worker's consumer", || {
        s.consumer_exists()
    });
    let before = peak_rss_kib(worker.pid());
    s.publish(payloads);
    wait_until(Duration::from_secs(50), "the flooded jobs settled", || {
        settled() && stderr.count() >= min_stderr
    });
    let peak = peak_rss_kib(worker.pid());
    worker.signal(libc::SIGTERM);
    let status = worker.wait_exit(Duration::from_secs(15));
    let (events, err) = (stdout.lines(), stderr.finish());
    assert!(status.success(), "{status:?}\n{err}");
    (before, peak, events, err)
}

#[test]
fn a_handler_flooding_stdout_and_stderr_leaves_the_worker_s_memory_bounded() {
    let s = Setup::new();
    // stdout: one line with no newline at all; stderr: short lines. Under --json both come
    // through the worker (the handler's stdout goes to its stderr). The job "fail" ends with a
    // last line on stderr and exit 3, with one attempt: dead, with that line in its tail.
    let script = format!(
        "p=$(cat); head -c {FLOOD} /dev/zero; yes 'a line of stderr flood' | head -c {FLOOD} >&2; \
         echo; echo \"last words of $p\" >&2; [ \"$p\" = ok ] || exit 3"
    );
    let (before, peak, events, err) = flood_run(
        &s,
        &[
            STREAM,
            "--json",
            "-c",
            "2",
            "--max-deliver",
            "1",
            "--",
            "sh",
            "-c",
            &script,
        ],
        &["ok", "fail"],
        4 * FLOOD,
        || s.stream_messages(STREAM) == 0 && s.stream_messages(DLQ) == 1,
    );
    let events: Vec<serde_json::Value> = events
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = events.last().unwrap();
    assert_eq!(summary["type"], "summary", "{events:?}");
    assert_eq!((&summary["done"], &summary["dead"]), (&1.into(), &1.into()));
    let entries = s.entries(DLQ);
    assert_eq!(&entries[0].payload[..], b"fail");
    assert_eq!(header(&entries[0], "Jq-Dlq-Reason"), "exit code 3");
    let tail: String = serde_json::from_str(&header(&entries[0], "Jq-Dlq-Stderr")).unwrap();
    assert!(tail.ends_with("last words of fail"), "{tail}");
    assert!(tail.len() <= 2048, "the DLQ's stderr tail is bounded");
    assert!(
        peak < before + RSS_GROWTH_BOUND_KIB,
        "peak RSS {peak} KiB, {before} KiB before the flood\n{err}"
    );
    let mib = |kib: u64| kib as f64 / 1024.0;
    common::reliability::held(
        "Handlers",
        "handlers flooding stdout and stderr",
        &format!(
            "2 handlers wrote {} MiB each to stdout (no newline) and stderr, all passed through; worker peak RSS {:.1} MiB ({:.1} MiB before); 1 done, 1 dead with its stderr tail",
            FLOOD >> 20,
            mib(peak),
            mib(before)
        ),
    );
}

#[test]
fn a_pipe_handler_flooding_stdout_and_stderr_leaves_the_worker_s_memory_bounded() {
    let s = Setup::new();
    // For each job: a line of FLOOD bytes with no newline until its end (a protocol error),
    // stderr lines, then the answer.
    let script = format!(
        "while IFS= read -r job; do id=${{job#*:}}; id=${{id%%,*}}; \
         head -c {FLOOD} /dev/zero; echo; yes 'pipe stderr flood' | head -c {FLOOD} >&2; \
         echo \"{{\\\"id\\\":$id,\\\"ok\\\":true}}\"; done"
    );
    let (before, peak, events, err) = flood_run(
        &s,
        &[STREAM, "--json", "--pipe", "--", "sh", "-c", &script],
        &["one", "two"],
        2 * FLOOD,
        || s.stream_messages(STREAM) == 0,
    );
    let summary: serde_json::Value = serde_json::from_str(events.lines().last().unwrap()).unwrap();
    assert_eq!(summary["type"], "summary", "{events}");
    assert_eq!(summary["done"], 2, "{events}");
    assert_eq!(s.stream_messages(DLQ), 0);
    assert!(
        peak < before + RSS_GROWTH_BOUND_KIB,
        "peak RSS {peak} KiB, {before} KiB before the flood"
    );
    assert!(
        err.contains("broke the protocol (a line longer than"),
        "{err}"
    );
    let mib = |kib: u64| kib as f64 / 1024.0;
    common::reliability::held(
        "Handlers",
        "pipe handler flooding stdout and stderr",
        &format!(
            "2 jobs, each answered after a {} MiB stdout line (reported as a protocol error, cut) and {} MiB of stderr; worker peak RSS {:.1} MiB ({:.1} MiB before); both done",
            FLOOD >> 20,
            FLOOD >> 20,
            mib(peak),
            mib(before)
        ),
    );
}

#[test]
fn sigterm_to_the_worker_with_a_pipe_handler_ignoring_sigterm_leaves_no_handler_behind() {
    let s = Setup::new();
    s.publish(&["held-by-pipe"]);
    let (pid_file, child_file) = (s.path("pid"), s.path("child"));
    // Takes the job and never answers; ignores SIGTERM, and so does its sleep.
    let script = format!(
        "trap '' TERM; echo $$ > {pid_file}; \
         while IFS= read -r job; do sleep 60 & echo $! > {child_file}; wait; done"
    );
    let mut worker = s.spawn_work(&[
        STREAM,
        "--grace",
        "500ms",
        "--backoff",
        "30s",
        "--max-deliver",
        "3",
        "--json",
        "--pipe",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    let (stdout, stderr) = worker.drain();
    wait_until(Duration::from_secs(15), "the job in the handler", || {
        !s.read("child").is_empty()
            && rt().block_on(async {
                let js = js(&s.server.url).await;
                let s = js.get_stream(STREAM).await.unwrap();
                s.consumer_info("processor")
                    .await
                    .is_ok_and(|i| i.num_ack_pending == 1)
            })
    });
    let (handler_pid, child_pid) = (s.read("pid"), s.read("child"));
    let started = Instant::now();
    worker.signal(libc::SIGTERM);
    let status = worker.wait_exit(Duration::from_secs(20));
    let took = started.elapsed();
    let (events, err) = (stdout.lines(), stderr.finish());
    assert!(status.success(), "{status:?}\n{events}\n{err}");
    // The grace, then closing the handler's stdin (the kill grace), then SIGTERM and SIGKILL
    // (the kill grace again), and a bit.
    let bound = Duration::from_millis(500) + 2 * KILL_GRACE + Duration::from_secs(3);
    assert!(took < bound, "the worker took {took:?} to stop: {err}");
    wait_until(
        Duration::from_secs(3),
        "the handler and its child to die with the worker",
        || process_gone(&handler_pid) && process_gone(&child_pid),
    );
    let events: Vec<serde_json::Value> = events
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events[0]["type"], "requeued", "{events:?}");

    // Not acked, handed back: the next worker does it at once.
    let entries = s.entries(STREAM);
    assert_eq!(entries.len(), 1);
    assert_eq!(&entries[0].payload[..], b"held-by-pipe");
    let got = s.path("got");
    let started = Instant::now();
    let out = s.work(&[
        STREAM,
        "--until-empty",
        "--",
        "sh",
        "-c",
        &format!("cat > {got}; echo \" $JQ_ATTEMPT\" >> {got}"),
    ]);
    let second_took = started.elapsed();
    assert_ok(&out);
    assert!(second_took < Duration::from_secs(10), "{}", stderr_of(&out));
    assert_eq!(s.read("got"), "held-by-pipe 2\n");
    assert_eq!(s.stream_messages(STREAM), 0);
    common::reliability::held(
        "Handlers",
        "SIGTERM to the worker, --pipe handler ignoring SIGTERM",
        &format!(
            "worker exited 0 {:.1}s after SIGTERM (grace 500ms, then stdin closed, SIGTERM ignored, SIGKILL); the handler's group did not outlive it; job handed back, the next worker did it (attempt 2) in {}ms",
            took.as_secs_f64(),
            second_took.as_millis()
        ),
    );
}
