//! Security: secrets never appear in any output or in a handler's environment, payloads and
//! headers never reach a shell, and users with partial permissions get a permission error that
//! names the subject instead of a timeout. TLS verification is in tests/auth.rs.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::auth::{self, AuthServer};
use common::reliability::held;
use common::snapshot;
use common::*;
use serde_json::Value;

fn sh(script: &str) -> Vec<String> {
    vec!["sh".into(), "-c".into(), script.into()]
}

// ---------------------------------------------------------------------------------------------
// Permissions

const ADMIN_PW: &str = "admin-pw-8086";

/// Users with a part of what jq-nats needs.
fn permissions_server() -> Server {
    let user = |name: &str, publish: &str, subscribe: &str| {
        format!(
            "{{ user: {name}, password: \"{name}-pw\", permissions: {{ publish: {publish}, subscribe: {subscribe} }} }}\n"
        )
    };
    let inbox = r#"{ allow: ["_INBOX.>"] }"#;
    Server::start_with_config(&format!(
        "authorization {{ users: [\n{{ user: admin, password: \"{ADMIN_PW}\" }}\n{}{}{}{}] }}\n",
        // Publishes jobs, nothing else.
        user("producer", r#"{ allow: ["orders.>"] }"#, inbox),
        // Works jobs (the JetStream API, acks, DLQ copies), never publishes one.
        user(
            "worker",
            r#"{ allow: ["$JS.API.>", "$JS.ACK.>", "jqnats.dlq.>"] }"#,
            inbox
        ),
        // Like the worker, but may not acknowledge.
        user(
            "noack",
            r#"{ allow: ["$JS.API.>", "jqnats.dlq.>"] }"#,
            inbox
        ),
        // May publish anything, but not receive replies.
        user(
            "noinbox",
            r#"{ allow: [">"] }"#,
            r#"{ deny: ["_INBOX.>"] }"#
        ),
    ))
}

#[test]
fn publish_only_and_consume_only_users_get_a_permission_error_naming_the_subject() {
    let server = permissions_server();
    let env = TestEnv::new();
    let mut slowest = Duration::ZERO;
    let mut jq = |user: &str, args: &[&str]| {
        let pw = if user == "admin" {
            ADMIN_PW.to_string()
        } else {
            format!("{user}-pw")
        };
        let started = Instant::now();
        let out = env
            .jq()
            .args(["-s", &server.url, "--user", user, "--password", &pw])
            // A timeout would take 20s: the errors must come long before.
            .args(["--timeout", "20s"])
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let took = started.elapsed();
        if !out.status.success() {
            slowest = slowest.max(took);
        }
        (out, took)
    };
    let admin = || async {
        let client =
            async_nats::ConnectOptions::with_user_and_password("admin".into(), ADMIN_PW.into())
                .connect(&server.url)
                .await
                .unwrap();
        async_nats::jetstream::new(client)
    };
    let waiting = || {
        rt().block_on(async {
            let mut s = admin().await.get_stream("orders").await.unwrap();
            s.info().await.unwrap().state.messages
        })
    };
    let refused = |out: &Output, took: Duration, operation: &str, subject: &str, what: &str| {
        let err = stderr_of(out);
        assert_eq!(out.status.code(), Some(1), "{what}: {err}");
        // A worker logs what it did before it stopped; the error comes last.
        assert!(
            err.starts_with("error: ") || err.contains("\nerror: "),
            "{what}: {err}"
        );
        assert!(
            err.contains(&format!(
                "error: permission denied: the server does not let this user {operation} `{subject}"
            )),
            "{what}: {err}"
        );
        assert!(err.contains("\nhint: "), "{what}: {err}");
        assert!(took < Duration::from_secs(10), "{what} took {took:?}");
        err
    };

    let (out, _) = jq(
        "admin",
        &["stream", "add", "orders", "--subjects", "orders.*"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));

    // The producer publishes, and may not work or look at the queue.
    let (out, _) = jq(
        "producer",
        &["publish", "orders.new", "job-{{Count}}", "--count", "3"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(waiting(), 3);
    let before = rt().block_on(async { snapshot::take(&admin().await).await });
    for args in [
        vec!["work", "orders", "--until-empty", "--", "true"],
        vec!["dlq", "ls", "orders"],
        vec!["stream", "ls"],
        vec!["stream", "add", "more", "--subjects", "more.*"],
    ] {
        let (out, took) = jq("producer", &args);
        let err = refused(
            &out,
            took,
            "publish to",
            "$JS.API.",
            &format!("producer {args:?}"),
        );
        assert!(
            err.contains("allow the user to publish to `$JS.API.>`"),
            "{err}"
        );
    }
    let after = rt().block_on(async { snapshot::take(&admin().await).await });
    snapshot::assert_unchanged(&before, &after, "the producer's refused commands");

    // The worker works, and may not publish a job.
    let (out, took) = jq("worker", &["publish", "orders.new", "sneaky"]);
    let err = refused(&out, took, "publish to", "orders.new`", "worker publish");
    assert!(
        err.contains("allow the user to publish to `orders.new`"),
        "{err}"
    );
    assert_eq!(waiting(), 3, "nothing was published");
    let (out, _) = jq("worker", &["work", "orders", "--until-empty", "--", "true"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(waiting(), 0, "the worker did the 3 jobs");

    // Nor replay a dead one: refused, and its intent marker taken back.
    let (out, _) = jq("producer", &["publish", "orders.new", "doomed"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let (out, _) = jq(
        "worker",
        &[
            "work",
            "orders",
            "--until-empty",
            "--max-deliver",
            "2",
            "--backoff",
            "100ms",
            "--",
            "false",
        ],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let before = rt().block_on(async { snapshot::take(&admin().await).await });
    let (out, took) = jq("worker", &["dlq", "replay", "orders", "--all"]);
    let err = refused(&out, took, "publish to", "orders.new`", "worker dlq replay");
    assert!(err.contains("1 failed and stayed in orders_dlq"), "{err}");
    let after = rt().block_on(async { snapshot::take(&admin().await).await });
    // Its intent marker was written and taken back: only the DLQ's counters moved.
    snapshot::assert_unchanged(
        &snapshot::held_only(&before),
        &snapshot::held_only(&after),
        "a refused replay",
    );
    let (out, _) = jq("admin", &["dlq", "replay", "orders", "--all"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        !stderr_of(&out).contains("warning"),
        "no marker was left to warn about: {}",
        stderr_of(&out)
    );
    assert_eq!(waiting(), 1, "the admin's replay");
    let (out, _) = jq("worker", &["work", "orders", "--until-empty", "--", "true"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(waiting(), 0);

    // A worker that may not acknowledge stops with the ack subject named; the job stays.
    let (out, _) = jq("producer", &["publish", "orders.new", "kept"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let (out, took) = jq("noack", &["work", "orders", "--until-empty", "--", "true"]);
    let err = refused(
        &out,
        took,
        "publish to",
        "$JS.ACK.orders.processor.",
        "noack work",
    );
    assert!(
        err.contains("workers acknowledge jobs on `$JS.ACK.>`"),
        "{err}"
    );
    assert_eq!(
        waiting(),
        1,
        "the job that could not be acked is still there"
    );
    // The same writing jobs to stdout (once the job comes back after its ack wait).
    let (out, took) = jq("noack", &["work", "orders", "--max-jobs", "1"]);
    assert_eq!(stdout_of(&out), "kept\n", "{}", stderr_of(&out));
    let err = refused(
        &out,
        took.saturating_sub(Duration::from_secs(5)),
        "publish to",
        "$JS.ACK.orders.processor.",
        "noack work to stdout",
    );
    assert!(
        err.contains("workers acknowledge jobs on `$JS.ACK.>`"),
        "{err}"
    );
    assert_eq!(waiting(), 1, "printed but not acked: still there");

    // Replies come on an inbox: a user who may not subscribe to it is told so.
    let (out, took) = jq("noinbox", &["stream", "ls"]);
    let err = refused(&out, took, "subscribe to", "_INBOX.", "noinbox stream ls");
    assert!(err.contains("replies come on `_INBOX.>`"), "{err}");

    held(
        "Security",
        "publish-only, consume-only, no-ack and no-inbox users",
        &format!(
            "producer: publish works, work/dlq ls/stream ls/stream add refused naming `$JS.API...`, server unchanged; worker: publish refused naming `orders.new` (0 published), work does the 3 jobs, dlq replay refused naming `orders.new`, the DLQ holding the same (its marker taken back, no warning on the next replay); no-ack worker (a handler, and to stdout) stops naming `$JS.ACK...`, its job kept; no-inbox: `subscribe to _INBOX...`; each refusal exit 1 within {}ms with a 20s timeout",
            slowest.as_millis()
        ),
    );
}

// ---------------------------------------------------------------------------------------------
// Secrets in output

/// The secret strings of an auth server: what must never be printed.
fn secrets_of(server: &AuthServer) -> Vec<String> {
    let mut secrets = Vec::new();
    let flag = |name: &str| {
        server
            .flags
            .iter()
            .position(|f| f == name)
            .map(|i| server.flags[i + 1].clone())
    };
    if let Some(pw) = flag("--password") {
        secrets.push(pw);
    }
    if let Some(token) = flag("--token") {
        secrets.push(token);
    }
    if let Some(nkey) = flag("--nkey") {
        secrets.push(std::fs::read_to_string(nkey).unwrap().trim().to_string());
    }
    if let Some(creds) = flag("--creds") {
        // The JWT and the seed: every line that is not a banner.
        let text = std::fs::read_to_string(creds).unwrap();
        secrets.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('-') && !l.starts_with('*'))
                .filter(|l| !l.contains(' '))
                .map(str::to_string),
        );
        // Also pieces of them, as an error might quote a part.
        let pieces: Vec<String> = secrets.iter().map(|s| s[..24].to_string()).collect();
        secrets.extend(pieces);
    }
    assert!(!secrets.is_empty());
    secrets
}

/// Every command, including failing ones and `--json`, through `server` with its credentials
/// given by flags, by NATS_* variables and by a context; no output holds a secret, and neither
/// does anything stored on the server.
fn secrets_never_appear(server: AuthServer, kind: &str) {
    let secrets = secrets_of(&server);
    let env = TestEnv::new();
    env.write_context("secret", server.context.clone());
    let dead = {
        let s = Server::start();
        s.url.clone()
    };
    let mut runs = 0;
    let mut check = |out: &Output, what: &str| {
        let text = format!("{}{}", stdout_of(out), stderr_of(out));
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{kind}: {what} printed a secret ({secret}):\n{text}"
            );
        }
        runs += 1;
    };
    for way in ["flags", "env", "context"] {
        let jq = |args: &[&str]| {
            let mut cmd = env.jq();
            match way {
                "flags" => {
                    cmd.args(["-s", server.url()]).args(&server.flags);
                }
                "env" => {
                    cmd.env("NATS_URL", server.url());
                    for (k, v) in &server.env {
                        cmd.env(k, v);
                    }
                }
                _ => {
                    cmd.env("NATS_CONTEXT", "secret");
                }
            }
            cmd.args(args)
                .timeout(Duration::from_secs(60))
                .output()
                .unwrap()
        };
        let ok = |out: &Output, what: &str| {
            assert!(
                out.status.success(),
                "{kind} via {way}: {what}: {}",
                stderr_of(out)
            );
        };
        let stream = format!("jobs_{way}");
        let subjects = format!("{way}.*");
        let subject = format!("{way}.new");
        let out = jq(&["stream", "add", &stream, "--subjects", &subjects, "--json"]);
        ok(&out, "stream add");
        check(&out, "stream add");
        let out = jq(&["publish", &subject, "ok", "--json"]);
        ok(&out, "publish");
        check(&out, "publish");
        let out = jq(&["publish", &subject, "fail"]);
        check(&out, "publish");
        let out = jq(&[
            "work",
            &stream,
            "--until-empty",
            "--max-deliver",
            "1",
            "--json",
            "--",
            "sh",
            "-c",
            "[ \"$(cat)\" = ok ]",
        ]);
        ok(&out, "work");
        check(&out, "work");
        let out = jq(&["dlq", "ls", &stream, "--json"]);
        ok(&out, "dlq ls");
        check(&out, "dlq ls");
        let seq = stdout_of(&out)
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| v["type"] == "job")
            .and_then(|v| v["seq"].as_u64())
            .expect("a dead job")
            .to_string();
        for args in [
            vec!["context"],
            vec!["context", "--json"],
            vec!["stream", "ls"],
            vec!["stream", "ls", "--json"],
            vec!["stream", "info", &stream],
            vec!["stream", "info", &stream, "--json"],
            vec!["dlq", "ls", &stream],
            vec!["dlq", "show", &stream, &seq],
            vec!["dlq", "show", &stream, &seq, "--json"],
            vec!["dlq", "replay", &stream, "--seq", &seq, "--json"],
            vec!["work", &stream, "--until-empty", "--", "true"],
            // Failing ones.
            vec!["stream", "info", "nope"],
            vec!["stream", "add", &stream, "--subjects", "other.*"],
            vec!["publish", "nope.x", "y"],
            vec!["publish", "nope.x", "y", "--json"],
            vec!["dlq", "show", &stream, "999"],
            vec!["dlq", "replay", &stream, "--seq", "999", "--json"],
            vec!["--timeout", "5x", "stream", "ls"],
            vec!["-s", &dead, "stream", "ls"],
            vec!["-s", &dead, "stream", "ls", "--json"],
            vec!["work", "orders.x", "--", "true"],
            vec!["--help"],
            vec!["stream", "rm", &stream, "--force"],
        ] {
            let out = jq(&args);
            check(&out, &format!("{way} {args:?}"));
        }
    }
    // Nothing the commands stored (DLQ entries name their worker) holds a secret.
    let left = rt().block_on(async { snapshot::take(&server.js().await).await });
    let stored = left.to_string();
    for secret in &secrets {
        assert!(!stored.contains(secret.as_str()), "{kind}: stored {secret}");
    }
    held(
        "Security",
        &format!("{kind} given by flags, NATS_* variables and a context: no secret in any output"),
        &format!(
            "{runs} runs (context, stream, publish, work, dlq ls/show/replay, --json, failures, a dead server, --help): {} never in stdout or stderr, nor in what the server stores",
            if secrets.len() == 1 { "the secret string".to_string() } else { format!("{} secret strings", secrets.len()) }
        ),
    );
}

#[test]
fn a_password_never_appears_in_any_output() {
    secrets_never_appear(auth::user_password(), "a password");
}

#[test]
fn a_token_never_appears_in_any_output() {
    secrets_never_appear(auth::token(), "a token");
}

#[test]
fn an_nkey_seed_never_appears_in_any_output() {
    secrets_never_appear(auth::nkey(), "an nkey seed");
}

#[test]
fn creds_contents_never_appear_in_any_output() {
    secrets_never_appear(auth::creds(), "a creds file's JWT and seed");
}

// ---------------------------------------------------------------------------------------------
// The handler's environment and stdin

/// The NAME=VALUE lines of an `env` dump.
fn env_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn handlers_never_see_connection_secrets() {
    let server = auth::user_password();
    let env = TestEnv::new();
    let out_dir = tempfile::tempdir().unwrap();
    let dir = out_dir.path();
    // Every NATS_* variable jq-nats (and natscli) reads, with secrets where they go.
    let creds = dir.join("secret-path.creds");
    let nkey = dir.join("secret-path.nk");
    std::fs::write(&creds, "unused").unwrap();
    std::fs::write(&nkey, "unused").unwrap();
    env.write_context("ctx", server.context.clone());
    let url_with_password = format!(
        "nats://{}:{}@127.0.0.1:{}",
        auth::USER,
        auth::PASSWORD,
        server.server.port
    );
    let vars: Vec<(&str, String)> = vec![
        ("NATS_URL", url_with_password.clone()),
        ("NATS_USER", auth::USER.into()),
        ("NATS_PASSWORD", auth::PASSWORD.into()),
        ("NATS_TOKEN", "tok-in-env-5150".into()),
        ("NATS_CREDS", path_str(&creds)),
        ("NATS_NKEY", path_str(&nkey)),
        ("NATS_CONTEXT", "ctx".into()),
        ("NATS_TIMEOUT", "7s".into()),
        ("NATS_JWT", "jwt-in-env-1234".into()),
        ("NATS_SEED", "SUseed-in-env-5678".into()),
        ("NATS_SOCKS_PROXY", "socks5://u:proxy-pw-42@h:1".into()),
    ];
    let secrets = [
        auth::PASSWORD,
        "tok-in-env-5150",
        "secret-path",
        "jwt-in-env-1234",
        "seed-in-env-5678",
        "proxy-pw-42",
    ];
    let jq = |args: &[&str], handler: &[String]| {
        let mut cmd = env.jq();
        for (k, v) in &vars {
            cmd.env(k, v);
        }
        let out = cmd
            .env("OUT", dir)
            .env("KEEP_ME", "inherited")
            .args(args)
            .args(handler)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            stdout_of(&out),
            stderr_of(&out)
        );
        let text = format!("{}{}", stdout_of(&out), stderr_of(&out));
        for secret in secrets {
            assert!(!text.contains(secret), "{args:?} printed {secret}: {text}");
        }
    };
    jq(&["stream", "add", "orders", "--subjects", "orders.*"], &[]);
    jq(
        &["publish", "orders.new", "job-{{Count}}", "--count", "3"],
        &[],
    );
    // A process per job; the last one dies, for drain.
    jq(
        &[
            "work",
            "orders",
            "--until-empty",
            "--max-deliver",
            "1",
            "--",
        ],
        &sh(r#"env > "$OUT/env.work.$JQ_SEQ"; [ "$JQ_SEQ" -lt 3 ]"#),
    );
    jq(
        &["dlq", "drain", "orders", "--"],
        &sh(r#"env > "$OUT/env.drain""#),
    );
    jq(&["publish", "orders.new", "piped"], &[]);
    jq(
        &["work", "orders", "--until-empty", "--pipe", "--"],
        &sh(
            r#"env > "$OUT/env.pipe"; while IFS= read -r job; do id=${job#*:}; id=${id%%,*}; echo "{\"id\":$id,\"ok\":true}"; done"#,
        ),
    );
    let mut dumps = 0;
    for name in [
        "env.work.1",
        "env.work.2",
        "env.work.3",
        "env.drain",
        "env.pipe",
    ] {
        let lines = env_lines(&dir.join(name));
        assert!(
            lines.iter().any(|l| l == "KEEP_ME=inherited"),
            "{name}: {lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with("JQ_STREAM=orders")),
            "{name}: {lines:?}"
        );
        let nats: Vec<&String> = lines.iter().filter(|l| l.starts_with("NATS_")).collect();
        assert!(nats.is_empty(), "{name} got {nats:?}");
        let all = lines.join("\n");
        for secret in secrets {
            assert!(!all.contains(secret), "{name} got {secret}: {all}");
        }
        dumps += 1;
    }
    assert!(env_lines(&dir.join("env.work.1")).contains(&"JQ_SEQ=1".to_string()));
    held(
        "Security",
        "handlers' environment with every NATS_* variable set (password, token, creds, nkey, JWT, seed, a URL with a password)",
        &format!(
            "{dumps} handler environments (work per job, work --pipe, dlq drain): no NATS_* variable and none of {} secrets; other variables inherited; no secret in jq-nats' own output",
            secrets.len()
        ),
    );
}

#[test]
fn payloads_and_headers_never_reach_a_shell() {
    let server = Server::start();
    let env = TestEnv::new();
    let out_dir = tempfile::tempdir().unwrap();
    let dir = out_dir.path();
    let cwd = tempfile::tempdir().unwrap();
    let payloads = [
        "$(touch PWNED1)",
        "; touch PWNED2",
        "`touch PWNED3`",
        "| touch PWNED4",
        "&& touch PWNED5 #",
        "' ; touch PWNED6 ; '",
        "\" ; touch PWNED7 ; \"",
        "$(rm -rf ~)",
        "; reboot",
    ];
    let jq = |args: &[&str], handler: &[String], stdin: &str| {
        let out = env
            .jq()
            .current_dir(cwd.path())
            .env("OUT", dir)
            .args(["-s", &server.url])
            .args(args)
            .args(handler)
            .write_stdin(stdin.to_string())
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            stdout_of(&out),
            stderr_of(&out)
        );
    };
    jq(
        &["stream", "add", "orders", "--subjects", "orders.*"],
        &[],
        "",
    );
    let headers = [
        "-H",
        "X-Cmd:$(touch PWNED8)",
        "-H",
        "x.weird-Name:`touch PWNED9`",
        "-H",
        "Path:/nowhere",
        "-H",
        "LD_PRELOAD:/tmp/evil.so",
    ];
    let mut args = vec!["publish", "orders.new"];
    args.extend(headers);
    jq(&args, &[], &(payloads.join("\n") + "\n"));
    // The handler is the one place a shell runs, given the payload on stdin only; the last
    // job fails, for drain to get it too.
    let last = payloads.len();
    jq(
        &[
            "work",
            "orders",
            "--until-empty",
            "--max-deliver",
            "1",
            "--",
        ],
        &sh(&format!(
            r#"cat > "$OUT/$JQ_SEQ"; env > "$OUT/env.$JQ_SEQ"; [ "$JQ_SEQ" -lt {last} ]"#
        )),
        "",
    );
    jq(
        &["dlq", "drain", "orders", "--"],
        &sh(r#"cat > "$OUT/drained""#),
        "",
    );
    for (i, payload) in payloads.iter().enumerate() {
        let got = std::fs::read_to_string(dir.join((i + 1).to_string())).unwrap();
        assert_eq!(&got, payload, "the handler's stdin");
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("drained")).unwrap(),
        payloads[last - 1]
    );
    let vars = env_lines(&dir.join("env.1"));
    for expected in [
        "JQ_HEADER_X_CMD=$(touch PWNED8)",
        "JQ_HEADER_X_WEIRD_NAME=`touch PWNED9`",
        "JQ_HEADER_PATH=/nowhere",
        "JQ_HEADER_LD_PRELOAD=/tmp/evil.so",
    ] {
        assert!(vars.iter().any(|l| l == expected), "{expected}: {vars:?}");
    }
    // Headers never set variables of their own name.
    assert!(!vars.iter().any(|l| l == "PATH=/nowhere"), "{vars:?}");
    assert!(
        !vars.iter().any(|l| l.starts_with("LD_PRELOAD=")),
        "{vars:?}"
    );
    // Nothing ran: no file made anywhere the commands could have run.
    for place in [cwd.path(), dir, env.home.path()] {
        let made: Vec<String> = std::fs::read_dir(place)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("PWNED"))
            .collect();
        assert!(made.is_empty(), "{} holds {made:?}", place.display());
    }
    assert!(env.home.path().exists(), "$(rm -rf ~) did not run");
    held(
        "Security",
        "payloads like `$(rm -rf ~)`, `; reboot`, backticks and quotes, and headers named Path or LD_PRELOAD with shell in their values",
        &format!(
            "{} payloads reach work's handler and drain's COMMAND byte-exact on stdin; headers only as JQ_HEADER_* (names sanitised, PATH and LD_PRELOAD untouched); 0 files made by the 9 `touch` attempts",
            payloads.len()
        ),
    );
}
