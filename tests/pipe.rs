//! `jq-nats work --pipe` and `--request` against a real nats-server per test: the example
//! handlers in examples/handlers/ (sh, Python, Node, C), answers in any order, crashing and
//! hanging handlers, non-UTF-8 payloads, protocol errors, and request services that answer,
//! fail, are slow or are missing.

mod common;

use std::path::PathBuf;
use std::process::Output;
use std::sync::OnceLock;
use std::time::Duration;

use async_nats::HeaderMap;
use common::*;
use futures::StreamExt;

const STREAM: &str = "orders_stream";
const DLQ: &str = "orders_stream_dlq";

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
        let out = s.jq(&["stream", "add", STREAM, "--subjects", "orders.*"]);
        assert_ok(&out);
        s
    }

    fn jq(&self, args: &[&str]) -> Output {
        let mut cmd = self.env.jq();
        cmd.arg("-s").arg(&self.server.url).args(args);
        cmd.timeout(Duration::from_secs(60));
        cmd.output().unwrap()
    }

    /// `jq-nats work STREAM --until-empty ARGS`, with `--max-deliver 2 --backoff 100ms` unless
    /// ARGS say otherwise.
    fn work(&self, args: &[&str]) -> Output {
        let mut full = vec!["work", STREAM, "--until-empty"];
        for (flag, default) in [("--max-deliver", "2"), ("--backoff", "100ms")] {
            if !args.contains(&flag) {
                full.extend([flag, default]);
            }
        }
        full.extend_from_slice(args);
        self.jq(&full)
    }

    fn path(&self, name: &str) -> String {
        path_str(&self.dir.path().join(name))
    }

    fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.dir.path().join(name), text).unwrap();
        self.path(name)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    fn publish(&self, payloads: &[&[u8]]) {
        let url = self.server.url.clone();
        rt().block_on(async {
            let js = js(&url).await;
            for p in payloads {
                js.publish("orders.new", p.to_vec().into())
                    .await
                    .unwrap()
                    .await
                    .unwrap();
            }
        });
    }

    fn publish_n(&self, n: usize) -> Vec<String> {
        let payloads: Vec<String> = (0..n).map(|i| format!("order-{i}")).collect();
        let refs: Vec<&[u8]> = payloads.iter().map(|p| p.as_bytes()).collect();
        self.publish(&refs);
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

    /// Every DLQ entry, by sequence.
    fn dead(&self) -> Vec<async_nats::jetstream::message::StreamMessage> {
        let url = self.server.url.clone();
        rt().block_on(async { stored_messages(&js(&url).await, DLQ).await })
    }

    /// The DLQ's entries as `payload -> (attempts, reason)`.
    fn dead_reasons(&self) -> Vec<(String, String, String)> {
        let mut out: Vec<(String, String, String)> = self
            .dead()
            .iter()
            .map(|m| {
                (
                    String::from_utf8_lossy(&m.payload).into_owned(),
                    header(m, "Jq-Dlq-Attempts"),
                    header(m, "Jq-Dlq-Reason"),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// A responder on `subject` in a thread of its own, answering with `reply(payload,
    /// headers)`, after `delay`.
    fn responder(
        &self,
        subject: &str,
        delay: Duration,
        reply: fn(&[u8], &HeaderMap) -> HeaderMap,
    ) -> std::sync::mpsc::Receiver<HeaderMap> {
        let url = self.server.url.clone();
        let subject = subject.to_string();
        let (seen_tx, seen_rx) = std::sync::mpsc::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            rt().block_on(async move {
                let client = client(&url).await;
                let mut sub = client.subscribe(subject).await.unwrap();
                client.flush().await.unwrap();
                ready_tx.send(()).unwrap();
                while let Some(msg) = sub.next().await {
                    let headers = msg.headers.clone().unwrap_or_default();
                    let _ = seen_tx.send(headers.clone());
                    let answer = reply(&msg.payload, &headers);
                    let client = client.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(delay).await;
                        if let Some(to) = msg.reply {
                            let _ = client.publish_with_headers(to, answer, "".into()).await;
                            let _ = client.flush().await;
                        }
                    });
                }
            });
        });
        ready_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        seen_rx
    }
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

fn handlers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/handlers")
}

/// examples/handlers/pipe_echo.c, compiled once per test run.
fn pipe_echo() -> String {
    static BUILT: OnceLock<String> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pipe_echo");
            let status = std::process::Command::new("cc")
                .args(["-O2", "-o"])
                .arg(&out)
                .arg(handlers_dir().join("pipe_echo.c"))
                .status()
                .expect("cc (a C compiler) runs");
            assert!(status.success(), "pipe_echo.c compiles");
            path_str(&out)
        })
        .clone()
}

fn have(interpreter: &str) -> bool {
    std::process::Command::new(interpreter)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_example_handlers_settle_jobs_by_their_answers() {
    for (interpreter, file) in [
        ("sh", "pipe.sh"),
        ("python3", "pipe.py"),
        ("node", "pipe.js"),
    ] {
        if interpreter != "sh" && !have(interpreter) {
            eprintln!("{interpreter} is not installed: examples/handlers/{file} not tested");
            continue;
        }
        let s = Setup::new();
        s.publish(&[b"a", b"poison 1", b"\xff\xfe binary", b"fail 1", b"b"]);
        let handler = path_str(&handlers_dir().join(file));
        let out = s.work(&["--pipe", "-c", "2", "--", interpreter, &handler]);
        assert_ok(&out);
        let err = stderr_of(&out);
        assert!(err.contains("done 3, retried 1, dead 2"), "{file}: {err}");
        assert_eq!(s.stream_messages(STREAM), 0, "{file}");
        assert_eq!(
            s.dead_reasons(),
            vec![
                ("fail 1".into(), "2".into(), "try again later".into()),
                ("poison 1".into(), "1".into(), "poison pill (fatal)".into()),
            ],
            "{file}: {err}"
        );
    }
}

#[test]
fn a_compiled_handler_serves_many_jobs_without_a_process_each() {
    let s = Setup::new();
    s.publish_n(2000);
    let echo = pipe_echo();
    let out = s.work(&["--pipe", "-c", "2", "-q", "--json", "--", &echo]);
    assert_ok(&out);
    let summary: serde_json::Value =
        serde_json::from_str(stdout_of(&out).lines().last().unwrap()).unwrap();
    assert_eq!(summary["done"], 2000, "{}", stderr_of(&out));
    assert_eq!(summary["retried"], 0);
    assert_eq!(s.stream_messages(STREAM), 0);
}

#[test]
fn answers_come_in_any_order() {
    let s = Setup::new();
    let payloads = s.publish_n(10);
    // Holds the first ten jobs, then answers them last first (and any later job at once):
    // even orders are done, odd ones fail with their own payload as the reason.
    let handler = s.write(
        "reverse.py",
        "import json, sys\n\
         held, first = [], True\n\
         def answer(job):\n\
         \x20   n = int(job['payload'].split('-')[1])\n\
         \x20   ok = {'id': job['id'], 'ok': n % 2 == 0}\n\
         \x20   if n % 2: ok['error'] = 'failed ' + job['payload']\n\
         \x20   print(json.dumps(ok), flush=True)\n\
         for line in sys.stdin:\n\
         \x20   held.append(json.loads(line))\n\
         \x20   if not first or len(held) == 10:\n\
         \x20       for job in reversed(held): answer(job)\n\
         \x20       held, first = [], False\n",
    );
    let out = s.work(&["--pipe", "--", "python3", &handler]);
    assert_ok(&out);
    let err = stderr_of(&out);
    assert!(err.contains("done 5, retried 5, dead 5"), "{err}");
    assert_eq!(s.stream_messages(STREAM), 0);
    // Each answer settled its own job.
    let expected: Vec<(String, String, String)> = payloads
        .iter()
        .skip(1)
        .step_by(2)
        .map(|p| (p.clone(), "2".to_string(), format!("failed {p}")))
        .collect();
    assert_eq!(s.dead_reasons(), expected, "{err}");
}

#[test]
fn a_crashing_handler_is_restarted_and_its_jobs_retried_none_lost() {
    let s = Setup::new();
    s.publish_n(10);
    let marker = s.path("crashed");
    // The first one reads three jobs and dies without answering; the next answers everything.
    let handler = s.write(
        "crash.sh",
        &format!(
            "if [ ! -e {marker} ]; then\n\
             \x20 touch {marker}; read -r a; read -r b; read -r c\n\
             \x20 echo 'going down' >&2; exit 3\n\
             fi\n\
             while IFS= read -r job; do id=${{job#*:}}; echo \"{{\\\"id\\\":${{id%%,*}},\\\"ok\\\":true}}\"; done\n"
        ),
    );
    let out = s.work(&["--pipe", "--max-deliver", "3", "--", "sh", &handler]);
    assert_ok(&out);
    let err = stderr_of(&out);
    assert!(err.contains("exited (exit code 3); restarting it"), "{err}");
    assert!(err.contains("going down"), "{err}");
    assert!(
        err.contains("the pipe handler exited (exit code 3) while holding it"),
        "{err}"
    );
    // Every job done once in the end, nothing dead, nothing left.
    assert!(err.contains("done 10,"), "{err}");
    assert!(err.contains("dead 0"), "{err}");
    assert!(!err.contains("done 10, retried 0"), "{err}");
    assert_eq!(s.stream_messages(STREAM), 0);
    assert!(s.dead().is_empty());
}

#[test]
fn a_handler_that_dies_on_every_attempt_sends_the_job_to_the_dlq_with_why() {
    let s = Setup::new();
    s.publish(&[b"crash"]);
    let handler = s.write("die.sh", "read -r job; echo 'cannot cope' >&2; exit 7\n");
    let out = s.work(&["--pipe", "--", "sh", &handler]);
    assert_ok(&out);
    let dead = s.dead();
    assert_eq!(dead.len(), 1, "{}", stderr_of(&out));
    assert_eq!(
        header(&dead[0], "Jq-Dlq-Reason"),
        "the pipe handler exited (exit code 7) while holding it"
    );
    assert_eq!(header(&dead[0], "Jq-Dlq-Exit-Code"), "7");
    assert!(header(&dead[0], "Jq-Dlq-Stderr").contains("cannot cope"));
}

#[test]
fn a_hanging_handler_is_restarted_after_the_handler_timeout() {
    let s = Setup::new();
    s.publish(&[b"a", b"b", b"hang", b"c"]);
    let pids = s.path("pids");
    let handler = s.write(
        "hang.sh",
        &format!(
            "echo $$ >> {pids}\n\
             while IFS= read -r job; do\n\
             \x20 id=${{job#*:}}; id=${{id%%,*}}\n\
             \x20 case $job in *'\"payload\":\"hang'*) continue ;; esac\n\
             \x20 echo \"{{\\\"id\\\":$id,\\\"ok\\\":true}}\"\n\
             done\n"
        ),
    );
    let out = s.work(&["--pipe", "--handler-timeout", "500ms", "--", "sh", &handler]);
    assert_ok(&out);
    let err = stderr_of(&out);
    assert!(err.contains("done 3, retried 1, dead 1"), "{err}");
    assert!(
        err.contains("left a job unanswered for 500ms; restarting it"),
        "{err}"
    );
    let dead = s.dead();
    assert_eq!(dead.len(), 1);
    assert_eq!(&dead[0].payload[..], b"hang");
    assert_eq!(
        header(&dead[0], "Jq-Dlq-Reason"),
        "no answer from the pipe handler within 500ms (it was restarted)"
    );
    assert_eq!(header(&dead[0], "Jq-Dlq-Timed-Out"), "true");
    // Started, restarted after each hang; the last one ended with the worker.
    assert!(s.read("pids").lines().count() >= 2);
}

#[test]
fn jobs_queued_behind_a_slow_one_are_not_timed_out() {
    let s = Setup::new();
    let mut payloads: Vec<&[u8]> = vec![b"slow"];
    payloads.extend([b"quick" as &[u8]; 10]);
    s.publish(&payloads);
    let pids = s.path("pids");
    // Answers in order, one at a time: 600ms for the slow job, 100ms for each of the ten
    // behind it, so the last one is answered 1.6s after its line was written, under a 1s
    // timeout that no single job comes near.
    let handler = s.write(
        "in_order.sh",
        &format!(
            "echo $$ >> {pids}\n\
             while IFS= read -r job; do\n\
             \x20 id=${{job#*:}}; id=${{id%%,*}}\n\
             \x20 case $job in *'\"payload\":\"slow'*) sleep 0.6 ;; *) sleep 0.1 ;; esac\n\
             \x20 echo \"{{\\\"id\\\":$id,\\\"ok\\\":true}}\"\n\
             done\n"
        ),
    );
    // --backoff 1s: the server's ack wait is the first step, and jobs are held for seconds.
    let out = s.work(&[
        "--pipe",
        "--handler-timeout",
        "1s",
        "--backoff",
        "1s",
        "--",
        "sh",
        &handler,
    ]);
    assert_ok(&out);
    let err = stderr_of(&out);
    assert!(err.contains("done 11, retried 0, dead 0"), "{err}");
    assert!(!err.contains("restarting"), "{err}");
    assert_eq!(s.read("pids").lines().count(), 1, "{err}");
    assert_eq!(s.stream_messages(STREAM), 0);
    assert!(s.dead().is_empty(), "{err}");
}

#[test]
fn jobs_waiting_behind_a_hung_one_go_to_the_restarted_handler_on_the_same_attempt() {
    let s = Setup::new();
    s.publish(&[b"hang", b"a", b"b", b"c", b"d", b"e"]);
    let done = s.path("done");
    // Answers in order and never answers "hang": the five jobs behind it are still unread in
    // its stdin when it is killed.
    let handler = s.write(
        "stuck.sh",
        &format!(
            "while IFS= read -r job; do\n\
             \x20 id=${{job#*:}}; id=${{id%%,*}}\n\
             \x20 case $job in *'\"payload\":\"hang'*) sleep 1000 ;; esac\n\
             \x20 attempt=${{job#*\\\"attempt\\\":}}; payload=${{job#*\\\"payload\\\":\\\"}}\n\
             \x20 echo \"${{payload%%\\\"*}} ${{attempt%%,*}}\" >> {done}\n\
             \x20 echo \"{{\\\"id\\\":$id,\\\"ok\\\":true}}\"\n\
             done\n"
        ),
    );
    let out = s.work(&[
        "--pipe",
        "--handler-timeout",
        "500ms",
        "--backoff",
        "1s",
        "--",
        "sh",
        &handler,
    ]);
    assert_ok(&out);
    let err = stderr_of(&out);
    assert!(err.contains("done 5, retried 1, dead 1"), "{err}");
    assert!(
        err.contains(
            "left a job unanswered for 500ms; restarting it (1 job it held will be retried, the 5 waiting behind it go to the new one)"
        ),
        "{err}"
    );
    // Each innocent job ran once, on its first attempt.
    let mut ran: Vec<String> = s.read("done").lines().map(String::from).collect();
    ran.sort();
    assert_eq!(ran, ["a 1", "b 1", "c 1", "d 1", "e 1"], "{err}");
    assert_eq!(
        s.dead_reasons(),
        vec![(
            "hang".into(),
            "2".into(),
            "no answer from the pipe handler within 500ms (it was restarted)".into()
        )],
        "{err}"
    );
    assert_eq!(s.stream_messages(STREAM), 0);
}

#[test]
fn a_job_stuck_while_later_ones_are_answered_still_times_out() {
    let s = Setup::new();
    let mut payloads: Vec<&[u8]> = vec![b"stuck"];
    payloads.extend([b"quick" as &[u8]; 10]);
    s.publish(&payloads);
    // Reads every line at once and answers the others one every 200ms on a thread of its
    // own, out of order, while "stuck" never gets an answer: answers keep coming for 2s,
    // well past the 500ms timeout.
    let handler = s.write(
        "stuck.py",
        "import json, queue, sys, threading, time\n\
         todo = queue.Queue()\n\
         def answer():\n\
         \x20   while True:\n\
         \x20       job = todo.get(); time.sleep(0.2)\n\
         \x20       print(json.dumps({'id': job['id'], 'ok': True}), flush=True)\n\
         threading.Thread(target=answer, daemon=True).start()\n\
         for line in sys.stdin:\n\
         \x20   job = json.loads(line)\n\
         \x20   if job['payload'] != 'stuck': todo.put(job)\n",
    );
    let out = s.work(&[
        "--pipe",
        "--handler-timeout",
        "500ms",
        "--backoff",
        "1s",
        "--",
        "python3",
        &handler,
    ]);
    assert_ok(&out);
    let err = stderr_of(&out);
    // The first kill comes while the handler still answers (an answer to a later job does
    // not restart the clock of the oldest): the quick jobs it had not answered yet go to the
    // next one, none fails.
    assert!(err.contains("done 10, retried 1, dead 1"), "{err}");
    assert!(err.contains("waiting behind it go"), "{err}");
    assert_eq!(
        s.dead_reasons(),
        vec![(
            "stuck".into(),
            "2".into(),
            "no answer from the pipe handler within 500ms (it was restarted)".into()
        )],
        "{err}"
    );
    assert_eq!(s.stream_messages(STREAM), 0);
}

#[test]
fn progress_answers_keep_a_slow_job_within_its_timeout() {
    let s = Setup::new();
    s.publish(&[b"slow"]);
    // 1.2s of work under a 500ms timeout, saying so every 200ms.
    let handler = s.write(
        "slow.sh",
        "while IFS= read -r job; do\n\
         \x20 id=${job#*:}; id=${id%%,*}\n\
         \x20 for i in 1 2 3 4 5 6; do sleep 0.2; echo \"{\\\"id\\\":$id,\\\"progress\\\":true}\"; done\n\
         \x20 echo \"{\\\"id\\\":$id,\\\"ok\\\":true}\"\n\
         done\n",
    );
    let out = s.work(&[
        "--pipe",
        "--handler-timeout",
        "500ms",
        "--backoff",
        "1s",
        "--",
        "sh",
        &handler,
    ]);
    assert_ok(&out);
    let err = stderr_of(&out);
    assert!(err.contains("done 1, retried 0, dead 0"), "{err}");
    assert!(!err.contains("restarting"), "{err}");
}

#[test]
fn jobs_reach_the_handler_whole_non_utf8_in_base64() {
    let s = Setup::new();
    let url = s.server.url.clone();
    rt().block_on(async {
        let js = js(&url).await;
        let mut headers = HeaderMap::new();
        headers.insert("Trace-Id", "t-1");
        headers.insert("Nats-Msg-Id", "m-1");
        js.publish_with_headers("orders.new", headers, "line 1\nline \"2\"".into())
            .await
            .unwrap()
            .await
            .unwrap();
        js.publish("orders.bin", vec![0xff, 0x00, b'\n', b'A'].into())
            .await
            .unwrap()
            .await
            .unwrap();
    });
    let seen = s.path("seen");
    let handler = s.write(
        "record.py",
        &format!(
            "import base64, json, sys\n\
             out = open('{seen}', 'a')\n\
             for line in sys.stdin:\n\
             \x20   job = json.loads(line)\n\
             \x20   data = base64.b64decode(job['payload']) if job.get('encoding') == 'base64' else job['payload'].encode()\n\
             \x20   job['hex'] = data.hex()\n\
             \x20   out.write(json.dumps(job) + '\\n'); out.flush()\n\
             \x20   print(json.dumps({{'id': job['id'], 'ok': True}}), flush=True)\n"
        ),
    );
    let out = s.work(&["--pipe", "--", "python3", &handler]);
    assert_ok(&out);
    let jobs: Vec<serde_json::Value> = s
        .read("seen")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(jobs.len(), 2);
    let text = &jobs[0];
    assert_eq!(text["payload"], "line 1\nline \"2\"");
    assert!(text.get("encoding").is_none());
    assert_eq!(text["subject"], "orders.new");
    assert_eq!(text["stream"], STREAM);
    assert_eq!(text["consumer"], "processor");
    assert_eq!(text["seq"], 1);
    assert_eq!(text["attempt"], 1);
    assert_eq!(text["max_deliver"], 2);
    assert_eq!(text["msg_id"], "m-1");
    assert_eq!(text["headers"]["Trace-Id"][0], "t-1");
    let binary = &jobs[1];
    assert_eq!(binary["encoding"], "base64");
    assert_eq!(binary["hex"], "ff000a41");
    assert_eq!(binary["subject"], "orders.bin");
    assert_eq!(s.stream_messages(STREAM), 0);
}

#[test]
fn anything_else_on_the_handlers_stdout_is_a_protocol_error() {
    let s = Setup::new();
    s.publish(&[b"a"]);
    let handler = s.write(
        "chatty.sh",
        "while IFS= read -r job; do\n\
         \x20 id=${job#*:}; id=${id%%,*}\n\
         \x20 echo \"working on $id\"\n\
         \x20 echo \"{\\\"id\\\":999,\\\"ok\\\":true}\"\n\
         \x20 echo \"{\\\"id\\\":$id,\\\"ok\\\":true}\"\n\
         done\n",
    );
    let out = s.work(&["--pipe", "--", "sh", &handler]);
    assert_ok(&out);
    let err = stderr_of(&out);
    assert!(
        err.contains("pipe handler 1 (pid ")
            && err.contains("broke the protocol (not a JSON answer): working on 1"),
        "{err}"
    );
    assert!(
        err.contains("broke the protocol (an answer for a job it does not hold): {\"id\":999"),
        "{err}"
    );
    assert!(err.contains("done 1, retried 0, dead 0"), "{err}");
}

#[test]
fn pipe_needs_a_command() {
    let s = Setup::new();
    let out = s.jq(&["work", STREAM, "--pipe"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let out = s.jq(&["work", STREAM, "--request", "svc", "--", "true"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
}

fn answer(payload: &[u8], _: &HeaderMap) -> HeaderMap {
    let mut h = HeaderMap::new();
    if payload.starts_with(b"fail") {
        h.insert("Jq-Error", "card declined");
    } else if payload.starts_with(b"poison") {
        h.insert("Jq-Error", "unknown product");
        h.insert("Jq-Fatal", "true");
    } else if payload.starts_with(b"micro") {
        h.insert("Nats-Service-Error", "out of stock");
        h.insert("Nats-Service-Error-Code", "409");
    }
    h
}

#[test]
fn requests_are_settled_by_their_replies() {
    let s = Setup::new();
    let seen = s.responder("svc.orders", Duration::ZERO, answer);
    let url = s.server.url.clone();
    rt().block_on(async {
        let js = js(&url).await;
        let mut headers = HeaderMap::new();
        headers.insert("Trace-Id", "t-9");
        js.publish_with_headers("orders.new", headers, "ok 1".into())
            .await
            .unwrap()
            .await
            .unwrap();
    });
    s.publish(&[b"fail 1", b"poison 1", b"micro 1", b"ok 2"]);
    let out = s.work(&["--request", "svc.orders", "-c", "4"]);
    assert_ok(&out);
    let err = stderr_of(&out);
    assert!(err.contains("done 2, retried 2, dead 3"), "{err}");
    assert_eq!(s.stream_messages(STREAM), 0);
    assert_eq!(
        s.dead_reasons(),
        vec![
            ("fail 1".into(), "2".into(), "card declined".into()),
            ("micro 1".into(), "2".into(), "409 out of stock".into()),
            (
                "poison 1".into(),
                "1".into(),
                "unknown product (fatal)".into()
            ),
        ]
    );
    let first = seen.recv_timeout(Duration::from_secs(5)).unwrap();
    let get = |name: &str| first.get(name).map(|v| v.as_str().to_string());
    assert_eq!(get("Trace-Id").as_deref(), Some("t-9"));
    assert_eq!(get("Jq-Stream").as_deref(), Some(STREAM));
    assert_eq!(get("Jq-Consumer").as_deref(), Some("processor"));
    assert_eq!(get("Jq-Subject").as_deref(), Some("orders.new"));
    assert_eq!(get("Jq-Seq").as_deref(), Some("1"));
    assert_eq!(get("Jq-Attempt").as_deref(), Some("1"));
    assert_eq!(get("Jq-Max-Deliver").as_deref(), Some("2"));
}

#[test]
fn a_request_nobody_answers_fails_with_no_responders() {
    let s = Setup::new();
    s.publish(&[b"a"]);
    let out = s.work(&["--request", "svc.nobody"]);
    assert_ok(&out);
    let err = stderr_of(&out);
    assert!(
        err.contains("error processing a: no responders on svc.nobody (attempt 1 of 2"),
        "{err}"
    );
    assert_eq!(
        s.dead_reasons(),
        vec![("a".into(), "2".into(), "no responders on svc.nobody".into())]
    );
}

#[test]
fn a_slow_responder_times_out() {
    let s = Setup::new();
    let _seen = s.responder("svc.slow", Duration::from_secs(2), answer);
    s.publish(&[b"a"]);
    let out = s.work(&["--request", "svc.slow", "--handler-timeout", "300ms"]);
    assert_ok(&out);
    let dead = s.dead();
    assert_eq!(dead.len(), 1, "{}", stderr_of(&out));
    assert_eq!(
        header(&dead[0], "Jq-Dlq-Reason"),
        "no reply from svc.slow within 300ms"
    );
    assert_eq!(header(&dead[0], "Jq-Dlq-Timed-Out"), "true");
}
