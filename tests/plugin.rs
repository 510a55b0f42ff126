//! jq-nats as a natscli plugin: `--fisk-introspect`, and argv built the way natscli builds it
//! (NATSCLI-FACTS.md: command path, the plain arg, `--flag=value`, `--flag`/`--no-flag`,
//! natscli's globals as `--name=value`, cumulative args last without `--`).

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

#[test]
fn fisk_introspect_prints_the_model_only() {
    let env = TestEnv::new();
    let started = Instant::now();
    // Settings that would fail any connection: introspection must not try one.
    let out = env
        .jq()
        .env("NATS_URL", "nats://127.0.0.1:1")
        .env("NATS_CONTEXT", "does-not-exist")
        .arg("--fisk-introspect")
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(out.stderr.is_empty(), "stderr: {}", stderr_of(&out));
    let stdout = stdout_of(&out);
    assert_eq!(stdout.lines().count(), 1, "one line of JSON");
    assert!(stdout.ends_with('\n'));
    let model: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(model["name"], "jq-nats");
    assert!(!model["help"].as_str().unwrap().is_empty());
    assert_eq!(model["version"], env!("CARGO_PKG_VERSION"));
    let names: Vec<&str> = model["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for name in ["context", "stream", "publish", "work", "dlq"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert!(!names.contains(&"help"));
    let work = model["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "work")
        .unwrap();
    let args = work["args"].as_array().unwrap();
    assert_eq!(args[0]["name"], "stream");
    assert_eq!(args[0]["required"], true);
    assert_eq!(args[1]["name"], "command");
    assert_eq!(args[1]["cumulative"], true);
    let conc = work["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "concurrency")
        .unwrap();
    assert_eq!(conc["short"], 'c' as u32);
    assert_eq!(conc["default"], serde_json::json!(["1"]));
}

/// Runs jq-nats with exactly `argv`, as natscli would exec it, and expects success.
fn plugin(env: &TestEnv, argv: &[&str]) -> String {
    let out = env.jq().args(argv).output().unwrap();
    assert!(
        out.status.success(),
        "{argv:?} failed ({}):\n{}",
        out.status,
        stderr_of(&out)
    );
    stdout_of(&out)
}

#[test]
fn argv_as_natscli_builds_it_runs_against_a_real_server() {
    let server = Server::start();
    let env = TestEnv::new();
    env.write_context("prod", serde_json::json!({"url": server.url}));
    let server_flag = format!("--server={}", server.url);

    // nats jq stream add orders_stream --subjects 'orders.*' --no-deny-delete --server URL
    plugin(
        &env,
        &[
            "stream",
            "add",
            "orders_stream",
            "--subjects=orders.*",
            "--no-deny-delete",
            &server_flag,
        ],
    );
    // nats jq stream edit orders_stream --deny-delete --max-bytes 1GB --server URL
    plugin(
        &env,
        &[
            "stream",
            "edit",
            "orders_stream",
            "--deny-delete",
            "--max-bytes=1GB",
            &server_flag,
        ],
    );
    rt().block_on(async {
        let js = js(&server.url).await;
        let c = js
            .get_stream("orders_stream")
            .await
            .unwrap()
            .info()
            .await
            .unwrap()
            .config
            .clone();
        assert!(c.deny_delete);
        assert_eq!(c.max_bytes, 1 << 30);
    });

    // nats --context prod jq publish orders.new 'order-{{Count}}' --count 5: the body is the
    // cumulative tail, sent last.
    plugin(
        &env,
        &[
            "publish",
            "orders.new",
            "--count=5",
            "--context=prod",
            "--timeout=5s",
            "order-{{Count}}",
        ],
    );

    // nats --context prod --timeout 2m0s jq work orders_stream --concurrency 4 --until-empty
    //   -- sh -c 'cat >/dev/null': the handler arrives after the globals, without `--`.
    plugin(
        &env,
        &[
            "work",
            "orders_stream",
            "--concurrency=4",
            "--until-empty",
            "--context=prod",
            "--timeout=2m0s",
            "--tlsfirst=false",
            "sh",
            "-c",
            "cat >/dev/null",
        ],
    );
    rt().block_on(async {
        let js = js(&server.url).await;
        let info = js
            .get_stream("orders_stream")
            .await
            .unwrap()
            .info()
            .await
            .unwrap()
            .clone();
        assert_eq!(info.state.messages, 0, "all five jobs were done");
        assert_eq!(info.state.last_sequence, 5);
    });

    // natscli's environment is inherited: NATS_URL reaches us as it is.
    let out = env
        .jq()
        .env("NATS_URL", &server.url)
        .args(["stream", "info", "orders_stream", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v: Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    assert!(v["health"].is_object(), "{v}");

    // `dlq show` with the stream (plain arg) and the sequence (the cumulative tail).
    let out = env
        .jq()
        .args(["dlq", "show", "orders_stream", "3", "--context=prod"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "no dead job 3: a failure, not usage"
    );

    // --no-context=true (natscli's global) ignores the context: the default server is used,
    // and nothing answers there... unless --server says where.
    plugin(
        &env,
        &[
            "stream",
            "ls",
            "--json",
            "--context=prod",
            "--no-context=true",
            &server_flag,
        ],
    );
}
