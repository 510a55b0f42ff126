//! `jq-nats demo` end to end: against a server given with --server, and with its own
//! throwaway server; the numbers add up, and nothing is left behind.

mod common;

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn n(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("no {key} in {v}"))
}

/// published = done first time + done after retry + dead; dead = drained + replayed.
fn assert_adds_up(v: &Value, jobs: u64) {
    assert_eq!(n(v, "published"), jobs, "{v}");
    assert_eq!(
        n(v, "done_first_time") + n(v, "done_after_retry") + n(v, "dead"),
        jobs,
        "{v}"
    );
    // MaxDeliver 2: a job that failed once is done on its second attempt or dead.
    assert_eq!(
        n(v, "retried"),
        n(v, "done_after_retry") + n(v, "dead"),
        "{v}"
    );
    assert_eq!(n(v, "dead"), n(v, "drained") + n(v, "replayed"), "{v}");
}

fn demo_json(env: &TestEnv, args: &[&str], extra_env: &[(&str, &str)]) -> Value {
    let mut cmd = env.jq();
    cmd.arg("demo").args(args).arg("--json");
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.timeout(Duration::from_secs(60)).output().unwrap();
    assert!(out.status.success(), "demo failed:\n{}", stderr_of(&out));
    serde_json::from_str(&stdout_of(&out)).unwrap_or_else(|e| {
        panic!("not JSON ({e}):\n{}", stdout_of(&out));
    })
}

async fn stream_names(url: &str) -> Vec<String> {
    use futures::TryStreamExt;
    js(url).await.stream_names().try_collect().await.unwrap()
}

#[test]
fn demo_against_a_given_server_adds_up_and_removes_its_streams() {
    let server = Server::start();
    let env = TestEnv::new();
    let v = demo_json(
        &env,
        &[
            "--server",
            &server.url,
            "--backoff",
            "200ms",
            "--jobs",
            "30",
        ],
        &[],
    );
    assert_adds_up(&v, 30);
    assert_eq!(v["server"], server.url.as_str());
    assert!(rt().block_on(stream_names(&server.url)).is_empty());

    // Everything fails: every job is dead, and drained.
    let v = demo_json(
        &env,
        &[
            "--server",
            &server.url,
            "--backoff",
            "100ms",
            "--failure-rate",
            "100",
            "--jobs",
            "5",
        ],
        &[],
    );
    assert_adds_up(&v, 5);
    assert_eq!(n(&v, "dead"), 5);
    assert_eq!(n(&v, "drained"), 5);
}

#[test]
fn demo_replays_dead_jobs_and_keeps_streams_when_asked() {
    let server = Server::start();
    let env = TestEnv::new();
    let v = demo_json(
        &env,
        &[
            "--server",
            &server.url,
            "--backoff",
            "100ms",
            "--failure-rate",
            "100",
            "--jobs",
            "4",
            "--replay",
            "--keep",
        ],
        &[],
    );
    assert_adds_up(&v, 4);
    assert_eq!(n(&v, "replayed"), 4);
    assert_eq!(n(&v, "replayed_done"), 4);
    let mut names = rt().block_on(stream_names(&server.url));
    names.sort();
    assert_eq!(names, ["orders_stream", "orders_stream_dlq"]);

    // A stream of that name exists now: the demo refuses to touch it.
    let out = env
        .jq()
        .args(["demo", "--server", &server.url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("already exists"), "{err}");
    assert!(err.contains("--stream"), "{err}");
    assert_eq!(rt().block_on(stream_names(&server.url)).len(), 2);
}

#[test]
fn demo_with_its_own_server_cleans_up() {
    let env = TestEnv::new();
    let tmp = tempfile::tempdir().unwrap();
    let bin = path_str(&server_binary());
    let tmpdir = path_str(tmp.path());
    let v = demo_json(
        &env,
        &["--backoff", "200ms"],
        &[("JQ_NATS_SERVER_BIN", &bin), ("TMPDIR", &tmpdir)],
    );
    assert_adds_up(&v, 20);
    assert!(v["server"]
        .as_str()
        .unwrap()
        .starts_with("nats://127.0.0.1:"));
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn demo_without_nats_server_says_how_to_get_it() {
    let env = TestEnv::new();
    let out = env
        .jq()
        .args(["demo"])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("nats-server not found on PATH"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(err.contains("--server URL"), "{err}");

    let out = env
        .jq()
        .args(["demo"])
        .env("JQ_NATS_SERVER_BIN", "/nonexistent/nats-server")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("/nonexistent/nats-server"));
}

#[test]
fn demo_interrupted_stops_its_server_and_removes_its_storage() {
    let env = TestEnv::new();
    let tmp = tempfile::tempdir().unwrap();
    // A long backoff keeps the workers waiting for their retries.
    let mut child = env
        .jq_std()
        .args(["demo", "--backoff", "30s", "--failure-rate", "100"])
        .env("JQ_NATS_SERVER_BIN", server_binary())
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    // The demo is running once its server wrote its ports file.
    let ports_file = || {
        std::fs::read_dir(tmp.path())
            .into_iter()
            .flatten()
            .flatten()
            .any(|d| {
                std::fs::read_dir(d.path())
                    .into_iter()
                    .flatten()
                    .flatten()
                    .any(|f| f.file_name().to_string_lossy().ends_with(".ports"))
            })
    };
    wait_until(Duration::from_secs(10), "the demo's server", ports_file);
    std::thread::sleep(Duration::from_millis(1500));
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let mut stderr = child.stderr.take().unwrap();
    let mut guard = Kill(child);
    let started = Instant::now();
    let status = loop {
        if let Some(s) = guard.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "demo did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    stderr.read_to_string(&mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("stopped nats-server"), "{err}");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
