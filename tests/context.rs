//! How jq-nats finds its settings, as natscli does: flag > NATS_* variable > context > default,
//! which context is used and why, and the errors when a context or a file it names is wrong.

mod common;

use common::*;
use serde_json::{json, Value};

/// `jq-nats <args> context --json`, which must succeed.
fn resolved(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd.args(["context", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (value, source) of one setting in `context --json` output; nulls as "".
fn setting(view: &Value, name: &str) -> (String, String) {
    let row = view["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["setting"] == name)
        .unwrap_or_else(|| panic!("no setting {name} in {view:#}"));
    (
        row["value"].as_str().unwrap_or_default().to_string(),
        row["source"].as_str().unwrap_or_default().to_string(),
    )
}

fn pair(value: &str, source: &str) -> (String, String) {
    (value.to_string(), source.to_string())
}

/// A URL nothing listens on: a server's port, after the server is gone.
fn dead_url() -> String {
    let server = Server::start();
    server.url.clone()
}

/// Runs `jq-nats` and expects exit code `code`; gives stderr.
fn fails(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout_of(&out),
        stderr_of(&out)
    );
    stderr_of(&out)
}

#[test]
fn precedence_is_flag_then_env_then_context_then_default() {
    let env = TestEnv::new();
    let ca = env.home.path().join("ca.pem");
    std::fs::write(&ca, "not checked before connecting").unwrap();
    env.write_context(
        "ctx",
        json!({"url": "nats://ctx.example:4222", "user": "ctxuser", "password": "ctxpw",
               "ca": path_str(&ca)}),
    );
    env.select_context("ctx");

    let view = resolved(&mut env.jq());
    assert_eq!(view["context"]["name"], "ctx");
    assert_eq!(
        setting(&view, "server"),
        pair("nats://ctx.example:4222", "context:ctx")
    );
    assert_eq!(setting(&view, "user"), pair("ctxuser", "context:ctx"));
    assert_eq!(setting(&view, "tlsca"), pair(&path_str(&ca), "context:ctx"));
    assert_eq!(setting(&view, "timeout"), pair("5s", "default"));

    let view = resolved(
        env.jq()
            .env("NATS_URL", "nats://env.example:4222")
            .env("NATS_USER", "envuser")
            .env("NATS_TIMEOUT", "2s"),
    );
    assert_eq!(
        setting(&view, "server"),
        pair("nats://env.example:4222", "env:NATS_URL")
    );
    assert_eq!(setting(&view, "user"), pair("envuser", "env:NATS_USER"));
    assert_eq!(setting(&view, "timeout"), pair("2s", "env:NATS_TIMEOUT"));
    // Not overridden: still from the context.
    assert_eq!(setting(&view, "password"), pair("***", "context:ctx"));

    let view = resolved(
        env.jq()
            .env("NATS_URL", "nats://env.example:4222")
            .env("NATS_USER", "envuser")
            .env("NATS_TIMEOUT", "2s")
            .args(["-s", "nats://flag.example:4222", "--user", "flaguser"])
            .args(["--timeout", "3s"]),
    );
    assert_eq!(
        setting(&view, "server"),
        pair("nats://flag.example:4222", "flag:--server")
    );
    assert_eq!(setting(&view, "user"), pair("flaguser", "flag:--user"));
    assert_eq!(setting(&view, "timeout"), pair("3s", "flag:--timeout"));

    let view = resolved(env.jq().arg("--no-context"));
    assert_eq!(view["context"], Value::Null);
    assert_eq!(
        setting(&view, "server"),
        pair("nats://127.0.0.1:4222", "default")
    );
    assert_eq!(setting(&view, "user"), pair("", ""));
}

#[test]
fn precedence_decides_where_jq_nats_connects() {
    let server = Server::start();
    let dead = dead_url();
    let env = TestEnv::new();
    env.write_context("ctx", json!({"url": dead}));
    env.select_context("ctx");

    // env over context
    env.jq()
        .env("NATS_URL", &server.url)
        .args(["stream", "add", "a", "--subjects", "a.*"])
        .assert()
        .success();
    // flag over env
    env.jq()
        .env("NATS_URL", &dead)
        .args(["-s", &server.url, "stream", "add", "b", "--subjects", "b.*"])
        .assert()
        .success();
    // and the context alone goes where it says
    let err = fails(env.jq().args(["stream", "ls"]), 1);
    assert!(
        err.contains(&format!("failed to connect to {dead} (from context `ctx`)")),
        "{err}"
    );
    rt().block_on(async {
        let js = js(&server.url).await;
        js.get_stream("a").await.unwrap();
        js.get_stream("b").await.unwrap();
    });
}

#[test]
fn context_flag_takes_a_name_or_a_path_to_a_json_file() {
    let server = Server::start();
    let env = TestEnv::new();
    let named = env.write_context("named", json!({"url": "nats://named.example:4222"}));

    let view = resolved(env.jq().args(["--context", "named"]));
    assert_eq!(view["context"]["name"], "named");
    assert_eq!(view["context"]["path"], path_str(&named));
    assert_eq!(view["context"]["selected_by"], "flag --context");
    assert_eq!(
        setting(&view, "server"),
        pair("nats://named.example:4222", "context:named")
    );

    // A context file outside the context directory, by path.
    let elsewhere = env.home.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let file = elsewhere.join("staging.json");
    std::fs::write(&file, json!({"url": server.url}).to_string()).unwrap();
    let view = resolved(env.jq().args(["--context", &path_str(&file)]));
    assert_eq!(view["context"]["name"], "staging");
    assert_eq!(view["context"]["path"], path_str(&file));
    assert_eq!(
        setting(&view, "server"),
        pair(&server.url, "context:staging")
    );
    env.jq()
        .args(["--context", &path_str(&file)])
        .args(["stream", "add", "jobs", "--subjects", "jobs.*"])
        .assert()
        .success();
    rt().block_on(async {
        js(&server.url).await.get_stream("jobs").await.unwrap();
    });

    // A path that does not exist says so.
    let missing = elsewhere.join("nope.json");
    let err = fails(
        env.jq().args(["--context", &path_str(&missing), "context"]),
        1,
    );
    assert!(
        err.contains(&format!(
            "context file {} (from flag --context) does not exist",
            missing.display()
        )),
        "{err}"
    );
    // Names cannot climb out of the context directory.
    let err = fails(env.jq().args(["--context", "../named", "context"]), 1);
    assert!(err.contains("invalid context name `../named`"), "{err}");
}

#[test]
fn nats_context_selects_a_context_and_the_flag_beats_it() {
    let env = TestEnv::new();
    env.write_context("one", json!({"url": "nats://one.example:4222"}));
    env.write_context("two", json!({"url": "nats://two.example:4222"}));
    env.select_context("one");

    let view = resolved(env.jq().env("NATS_CONTEXT", "two"));
    assert_eq!(view["context"]["name"], "two");
    assert_eq!(view["context"]["selected_by"], "env NATS_CONTEXT");
    assert_eq!(
        setting(&view, "server"),
        pair("nats://two.example:4222", "context:two")
    );

    let view = resolved(
        env.jq()
            .env("NATS_CONTEXT", "two")
            .args(["--context", "one"]),
    );
    assert_eq!(view["context"]["name"], "one");
    assert_eq!(view["context"]["selected_by"], "flag --context");
}

#[test]
fn context_txt_selects_the_context() {
    let env = TestEnv::new();
    env.write_context("picked", json!({"url": "nats://picked.example:4222"}));
    // natscli writes the bare name; a trailing newline (an editor's) is tolerated.
    env.select_context("picked\n");
    let view = resolved(&mut env.jq());
    assert_eq!(view["context"]["name"], "picked");
    let txt = env.config_dir().join("nats").join("context.txt");
    assert_eq!(view["context"]["selected_by"], path_str(&txt));
    assert_eq!(
        setting(&view, "server"),
        pair("nats://picked.example:4222", "context:picked")
    );

    // The human view says the same.
    let out = env.jq().arg("context").output().unwrap();
    let text = stdout_of(&out);
    assert!(text.starts_with("context: picked ("), "{text}");
    assert!(
        text.contains(&format!("selected by {}", txt.display())),
        "{text}"
    );
}

#[test]
fn no_context_ignores_every_context() {
    let env = TestEnv::new();
    env.write_context("picked", json!({"url": "nats://picked.example:4222"}));
    env.select_context("picked");
    let (mut a, mut b, mut c) = (env.jq(), env.jq(), env.jq());
    a.arg("--no-context");
    b.arg("--no-context").env("NATS_CONTEXT", "picked");
    c.args(["--no-context", "--context", "picked"]);
    for mut cmd in [a, b, c] {
        let view = resolved(&mut cmd);
        assert_eq!(view["context"], Value::Null);
        assert_eq!(
            setting(&view, "server"),
            pair("nats://127.0.0.1:4222", "default")
        );
    }
}

#[test]
fn unknown_context_lists_the_known_ones() {
    let env = TestEnv::new();
    let err = fails(env.jq().args(["--context", "prod", "stream", "ls"]), 1);
    assert!(
        err.contains("error: unknown context `prod` (from flag --context)"),
        "{err}"
    );
    assert!(err.contains("hint: there are no contexts in"), "{err}");

    env.write_context("beta", json!({}));
    env.write_context("alpha", json!({}));
    let err = fails(env.jq().args(["--context", "prod", "stream", "ls"]), 1);
    assert!(err.contains("hint: known contexts: alpha, beta"), "{err}");

    // Selected with `nats context select`, then removed.
    env.select_context("gone");
    let err = fails(env.jq().args(["stream", "ls"]), 1);
    assert!(
        err.contains("error: unknown context `gone` (from "),
        "{err}"
    );
    assert!(err.contains("context.txt)"), "{err}");
    assert!(err.contains("known contexts: alpha, beta"), "{err}");
}

#[test]
fn corrupt_context_names_the_file_line_and_column() {
    let env = TestEnv::new();
    let path = env.write_context("broken", json!({}));
    std::fs::write(&path, "{\n  \"url\": \"nats://x:4222\",\n  oops\n}\n").unwrap();
    let err = fails(env.jq().args(["--context", "broken", "stream", "ls"]), 1);
    assert!(
        err.contains(&format!(
            "failed to parse context file {} at line 3 column 3",
            path.display()
        )),
        "{err}"
    );
    assert!(err.contains("hint: fix the JSON"), "{err}");
}

#[test]
fn missing_files_name_the_path_and_who_set_it() {
    let env = TestEnv::new();
    let home = env.home.path();
    env.write_context(
        "ctx",
        json!({"url": "nats://127.0.0.1:1", "creds": path_str(&home.join("ctx.creds"))}),
    );
    let err = fails(env.jq().args(["--context", "ctx", "stream", "ls"]), 1);
    assert!(
        err.contains(&format!(
            "error: creds file {} (from context `ctx`) does not exist",
            home.join("ctx.creds").display()
        )),
        "{err}"
    );

    let nk = home.join("env.nk");
    let err = fails(
        env.jq()
            .env("NATS_NKEY", path_str(&nk))
            .args(["stream", "ls"]),
        1,
    );
    assert!(
        err.contains(&format!(
            "error: nkey seed file {} (from env NATS_NKEY) does not exist",
            nk.display()
        )),
        "{err}"
    );

    let cert = home.join("flag.pem");
    let key = home.join("key.pem");
    std::fs::write(&key, "").unwrap();
    let err = fails(
        env.jq()
            .args(["--tlscert", &path_str(&cert), "--tlskey", &path_str(&key)])
            .args(["stream", "ls"]),
        1,
    );
    assert!(
        err.contains(&format!(
            "error: TLS certificate {} (from flag --tlscert) does not exist",
            cert.display()
        )),
        "{err}"
    );

    env.write_context("tls", json!({"ca": path_str(&home.join("ca.pem"))}));
    let err = fails(env.jq().args(["--context", "tls", "context"]), 1);
    assert!(
        err.contains(&format!(
            "error: TLS CA file {} (from context `tls`) does not exist",
            home.join("ca.pem").display()
        )),
        "{err}"
    );
}

#[test]
fn context_paths_expand_variables_and_tilde() {
    let server = common::auth::nkey();
    let env = TestEnv::new();
    let keys = env.home.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let seed_path = server.flags[1].clone();
    std::fs::copy(&seed_path, keys.join("user.nk")).unwrap();

    for (name, raw) in [
        ("tilde", "~/keys/user.nk"),
        ("var", "$JQ_KEYS/user.nk"),
        ("braces", "${JQ_KEYS}/user.nk"),
    ] {
        env.write_context(name, json!({"url": server.url(), "nkey": raw}));
        let view = resolved(
            env.jq()
                .env("JQ_KEYS", path_str(&keys))
                .args(["--context", name]),
        );
        assert_eq!(
            setting(&view, "nkey"),
            pair(&path_str(&keys.join("user.nk")), &format!("context:{name}")),
            "{raw}"
        );
        let stream = format!("s_{name}");
        env.jq()
            .env("JQ_KEYS", path_str(&keys))
            .args(["--context", name, "stream", "add", &stream])
            .args(["--subjects", &format!("{name}.*"), "--no-dlq"])
            .assert()
            .success();
        rt().block_on(async {
            server.js().await.get_stream(&stream).await.unwrap();
        });
    }
}

#[test]
fn nsc_contexts_and_urls_are_refused_with_a_way_out() {
    let env = TestEnv::new();
    env.write_context("old", json!({"nsc": "nsc://Op/Acct/User"}));
    let err = fails(env.jq().args(["--context", "old", "stream", "ls"]), 1);
    assert!(
        err.contains(
            "error: context `old` uses nsc (`nsc://Op/Acct/User`), which jq-nats does not support"
        ),
        "{err}"
    );
    assert!(err.contains("hint: run `nsc generate profile`"), "{err}");

    let err = fails(
        env.jq().args(["-s", "nsc://Op/Acct/User", "stream", "ls"]),
        1,
    );
    assert!(
        err.contains("error: the server URL (from flag --server) uses nsc (`nsc://Op/Acct/User`)"),
        "{err}"
    );
}

#[test]
fn unreachable_server_names_the_url_its_source_and_what_to_do() {
    let dead = dead_url();
    let env = TestEnv::new();
    env.write_context("gone", json!({"url": dead}));
    let (mut a, mut b, mut c) = (env.jq(), env.jq(), env.jq());
    a.args(["-s", &dead]);
    b.env("NATS_URL", &dead);
    c.args(["--context", "gone"]);
    for (mut cmd, source) in [
        (a, "flag --server"),
        (b, "env NATS_URL"),
        (c, "context `gone`"),
    ] {
        let err = fails(cmd.args(["stream", "ls"]), 1);
        assert!(
            err.starts_with(&format!(
                "error: failed to connect to {dead} (from {source})"
            )),
            "{err}"
        );
        assert!(
            err.contains(
                "hint: is the server running? Point jq-nats at it with --server URL, NATS_URL, or `nats context select NAME`"
            ),
            "{err}"
        );
    }
}

#[test]
fn secrets_are_never_printed() {
    let password = "pw-do-not-print";
    let token = "tok-do-not-print";
    let env = TestEnv::new();
    env.write_context(
        "secret",
        json!({"user": "u", "password": password, "token": token}),
    );
    let via_flags = || {
        let mut c = env.jq();
        c.args([
            "--no-context",
            "--user",
            "u",
            "--password",
            password,
            "--token",
            token,
        ]);
        c
    };
    let via_env = || {
        let mut c = env.jq();
        c.args(["--no-context"])
            .env("NATS_USER", "u")
            .env("NATS_PASSWORD", password)
            .env("NATS_TOKEN", token);
        c
    };
    let via_context = || {
        let mut c = env.jq();
        c.args(["--context", "secret"]);
        c
    };
    for make in [
        &via_flags as &dyn Fn() -> assert_cmd::Command,
        &via_env,
        &via_context,
    ] {
        let view = resolved(&mut make());
        assert_eq!(setting(&view, "password").0, "***");
        assert_eq!(setting(&view, "token").0, "***");
        let text = view.to_string();
        assert!(!text.contains(password) && !text.contains(token), "{text}");

        let out = make().arg("context").output().unwrap();
        let text = format!("{}{}", stdout_of(&out), stderr_of(&out));
        assert!(text.contains("***"), "{text}");
        assert!(!text.contains(password) && !text.contains(token), "{text}");

        let out = make().arg("--help").output().unwrap();
        let text = format!("{}{}", stdout_of(&out), stderr_of(&out));
        assert!(!text.contains(password) && !text.contains(token), "{text}");
    }

    // A user without a password is a token.
    let view = resolved(env.jq().args(["--no-context", "--user", token]));
    assert_eq!(setting(&view, "user"), pair("***", "flag:--user"));

    // In a URL, and through a failing connection.
    let server = common::auth::user_password();
    let port = server.server.port;
    let wrong = format!("nats://{}:{password}@127.0.0.1:{port}", common::auth::USER);
    let view = resolved(env.jq().args(["--no-context", "-s", &wrong]));
    assert_eq!(
        setting(&view, "server").0,
        format!("nats://{}:***@127.0.0.1:{port}", common::auth::USER)
    );
    let err = fails(
        env.jq()
            .args(["--no-context", "-s", &wrong, "stream", "ls"]),
        1,
    );
    assert!(
        err.contains("failed to connect to nats://jqtester:***@"),
        "{err}"
    );
    assert!(!err.contains(password), "{err}");
    let err = fails(via_flags().args(["-s", server.url(), "stream", "ls"]), 1);
    assert!(!err.contains(password) && !err.contains(token), "{err}");

    // The right password in a URL works (and stays hidden).
    let right = format!(
        "nats://{}:{}@127.0.0.1:{port}",
        common::auth::USER,
        common::auth::PASSWORD
    );
    let out = env
        .jq()
        .args([
            "--no-context",
            "-s",
            &right,
            "stream",
            "add",
            "jobs",
            "--subjects",
            "jobs.*",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = format!("{}{}", stdout_of(&out), stderr_of(&out));
    assert!(!text.contains(common::auth::PASSWORD), "{text}");
}

#[test]
fn exit_codes_are_0_1_and_2() {
    let env = TestEnv::new();
    env.jq().args(["--no-context", "context"]).assert().code(0);
    // usage errors, from clap and after parsing: before any connection is tried
    fails(env.jq().arg("--no-such-flag"), 2);
    fails(env.jq().args(["--timeout", "soon", "context"]), 2);
    let err = fails(
        env.jq()
            .args(["-s", "nats://127.0.0.1:1", "stream", "add", "jobs"]),
        2,
    );
    assert!(err.contains("stream add needs --subjects"), "{err}");
    // failures
    fails(env.jq().args(["-s", &dead_url(), "stream", "ls"]), 1);
    fails(env.jq().args(["--context", "nope", "context"]), 1);
}

#[test]
fn a_token_in_the_url_is_used_and_hidden() {
    let server = common::auth::token();
    let env = TestEnv::new();
    let url = format!(
        "nats://{}@127.0.0.1:{}",
        common::auth::TOKEN,
        server.server.port
    );
    let view = resolved(env.jq().args(["-s", &url]));
    assert_eq!(view["auth"], "token (in the URL)");
    assert_eq!(
        setting(&view, "server").0,
        format!("nats://***@127.0.0.1:{}", server.server.port)
    );
    let out = env
        .jq()
        .args(["-s", &url, "stream", "add", "jobs", "--subjects", "jobs.*"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = format!("{}{}", stdout_of(&out), stderr_of(&out));
    assert!(!text.contains(common::auth::TOKEN), "{text}");
    rt().block_on(async {
        server.js().await.get_stream("jobs").await.unwrap();
    });
}

#[test]
fn help_never_shows_the_values_of_nats_variables() {
    let env = TestEnv::new();
    for args in [
        vec!["--help"],
        vec!["work", "--help"],
        vec!["stream", "add", "--help"],
    ] {
        let out = env
            .jq()
            .args(&args)
            .env("NATS_URL", "nats://alice:s3cret-url@127.0.0.1:4222")
            .env("NATS_PASSWORD", "s3cret-pass")
            .env("NATS_CREDS", "/secret/path.creds")
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = stdout_of(&out) + &stderr_of(&out);
        assert!(
            text.contains("NATS_URL"),
            "help names the variable: {args:?}"
        );
        for secret in ["s3cret-url", "s3cret-pass", "/secret/path.creds"] {
            assert!(!text.contains(secret), "{secret} shown by {args:?}");
        }
    }
}
