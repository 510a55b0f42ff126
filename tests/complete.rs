//! Completion from the server: `jq-nats __complete` and the hooks in the completion scripts.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;

fn complete(env: &TestEnv, url: &str, args: &[&str]) -> (String, String, Duration) {
    let started = Instant::now();
    let out = env
        .jq()
        .env("NATS_URL", url)
        .arg("__complete")
        .args(args)
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(out.status.success(), "{}", stderr_of(&out));
    (stdout_of(&out), stderr_of(&out), took)
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

/// A server with `orders_stream` (three dead jobs, consumer `processor`) and `emails`.
fn server_with_dead_jobs(env: &TestEnv) -> Server {
    let server = Server::start();
    for (name, subjects) in [("orders_stream", "orders.*"), ("emails", "emails.*")] {
        env.jq()
            .args([
                "-s",
                &server.url,
                "stream",
                "add",
                name,
                "--subjects",
                subjects,
            ])
            .assert()
            .success();
    }
    env.jq()
        .args([
            "-s",
            &server.url,
            "publish",
            "orders.new",
            "o{{Count}}",
            "--count",
            "3",
        ])
        .assert()
        .success();
    // Exit 99 is fatal: every job goes to the DLQ at once.
    env.jq()
        .args(["-s", &server.url, "work", "orders_stream", "--until-empty"])
        .args(["--", "sh", "-c", "exit 99"])
        .assert()
        .success();
    server
}

#[test]
fn lists_streams_consumers_and_dead_jobs_from_the_server() {
    let env = TestEnv::new();
    let server = server_with_dead_jobs(&env);
    let (out, err, _) = complete(&env, &server.url, &["streams"]);
    assert_eq!(
        lines(&out),
        ["emails", "emails_dlq", "orders_stream", "orders_stream_dlq"]
    );
    assert!(err.is_empty());
    let (out, _, _) = complete(&env, &server.url, &["consumers", "orders_stream"]);
    assert_eq!(lines(&out), ["processor"]);
    let (out, _, _) = complete(&env, &server.url, &["dead", "orders_stream"]);
    assert_eq!(lines(&out), ["1", "2", "3"]);

    // From a command line: where it goes decides what is listed.
    let (out, _, _) = complete(&env, &server.url, &["line", "--", "work", "or"]);
    assert_eq!(lines(&out).len(), 4);
    let (out, _, _) = complete(
        &env,
        &server.url,
        &["line", "--", "dlq", "show", "orders_stream", ""],
    );
    assert_eq!(lines(&out), ["1", "2", "3"]);
    let (out, _, _) = complete(
        &env,
        &server.url,
        &["line", "--", "work", "orders_stream", "--consumer", ""],
    );
    assert_eq!(lines(&out), ["processor"]);
    let (out, _, _) = complete(&env, &server.url, &["line", "--", "stream", "add", ""]);
    assert!(out.is_empty());
    // A --server on the line being completed wins over the environment.
    let (out, _, _) = complete(
        &env,
        "nats://127.0.0.1:1",
        &["line", "--", "-s", &server.url, "stream", "info", ""],
    );
    assert_eq!(lines(&out).len(), 4);
    let (out, _, _) = complete(
        &env,
        &server.url,
        &["raw", "--", "jq-nats dlq replay orders_stream --seq "],
    );
    assert_eq!(lines(&out), ["1", "2", "3"]);
}

#[test]
fn prints_nothing_quickly_when_no_server_answers() {
    let env = TestEnv::new();
    // Nothing listens there.
    let (out, err, took) = complete(&env, "nats://127.0.0.1:1", &["streams"]);
    assert!(out.is_empty() && err.is_empty(), "{out}{err}");
    assert!(took < Duration::from_secs(2), "took {took:?}");

    // Something listens but never speaks NATS: the short timeout ends it.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("nats://{}", silent.local_addr().unwrap());
    let (out, err, took) = complete(&env, &url, &["line", "--", "work", ""]);
    assert!(out.is_empty() && err.is_empty(), "{out}{err}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn bash_script_completes_stream_names_from_the_server() {
    let env = TestEnv::new();
    let server = server_with_dead_jobs(&env);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/jq-nats.bash");
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(
        text.contains("__complete raw"),
        "bash script lacks the hook"
    );
    let bin_dir = assert_cmd::cargo::cargo_bin("jq-nats")
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |line: &str, words: &str, cword: usize| {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source '{}'; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; COMP_WORDS=({words}); COMP_CWORD={cword}; _jq_nats_dynamic jq-nats; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                script.display()
            ))
            .env_clear()
            .env("PATH", &path)
            .env("HOME", env.home.path())
            .env("NATS_URL", &server.url)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        stdout_of(&out)
    };
    let out = run("jq-nats stream info or", "jq-nats stream info or", 3);
    assert_eq!(lines(&out), ["orders_stream", "orders_stream_dlq"]);
    let out = run(
        "jq-nats dlq show orders_stream ",
        "jq-nats dlq show orders_stream ''",
        4,
    );
    assert_eq!(lines(&out), ["1", "2", "3"]);
}

#[test]
fn zsh_and_fish_scripts_have_the_hook() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let zsh = std::fs::read_to_string(root.join("completions/_jq-nats")).unwrap();
    assert!(zsh.contains("_jq-nats_static() {"));
    assert!(zsh.contains("__complete line --"));
    let fish = std::fs::read_to_string(root.join("completions/jq-nats.fish")).unwrap();
    assert!(fish.contains("__complete line --"));
}
