//! Bad input: each case gives a clear error and the documented exit code, and changes nothing
//! on the server (every stream, message and consumer compared before and after with an
//! independent client). Covered elsewhere, with their rows: a job over the stream's
//! max-msg-size and a 10 MB line (tests/publish.rs), a backoff longer than max-deliver allows
//! (tests/work.rs).

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::reliability::held;
use common::snapshot;
use common::*;
use serde_json::{json, Value};

const STREAM: &str = "orders";

struct Setup {
    server: Server,
    env: TestEnv,
}

impl Setup {
    /// A server with stream `orders` (and its DLQ) holding three jobs.
    fn new() -> Setup {
        let s = Setup {
            server: Server::start(),
            env: TestEnv::new(),
        };
        s.ok(&["stream", "add", STREAM, "--subjects", "orders.*"]);
        s.ok(&["publish", "orders.new", "job-{{Count}}", "--count", "3"]);
        s
    }

    fn jq(&self, args: &[&str]) -> Output {
        self.env
            .jq()
            .args(["-s", &self.server.url])
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> Output {
        let out = self.jq(args);
        assert!(
            out.status.success(),
            "jq-nats {args:?}:\n{}{}",
            stdout_of(&out),
            stderr_of(&out)
        );
        out
    }

    fn snapshot(&self) -> Value {
        rt().block_on(async { snapshot::take(&js(&self.server.url).await).await })
    }
}

/// Asserts `out` exited with `code` and its stderr holds `expected`; gives stderr.
fn failed(out: &Output, code: i32, expected: &str, what: &str) -> String {
    let err = stderr_of(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: stdout {}\nstderr {err}",
        stdout_of(out)
    );
    assert!(err.starts_with("error: "), "{what}: {err}");
    assert!(
        err.contains(expected),
        "{what}: wanted {expected:?} in:\n{err}"
    );
    err
}

/// Commands that would change the server if they got that far.
fn changing_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["stream", "add", "other", "--subjects", "other.*"],
        vec!["publish", "orders.new", "one more"],
        vec!["work", STREAM, "--until-empty", "--", "true"],
        vec!["dlq", "purge", STREAM, "--all", "--force"],
        vec!["stream", "rm", STREAM, "--force"],
    ]
}

#[test]
fn broken_contexts_and_missing_files_change_nothing() {
    let s = Setup::new();
    let home = s.env.home.path();
    let url = s.server.url.clone();
    let garbage = home.join("garbage.txt");
    std::fs::write(&garbage, "not a key\n").unwrap();
    let key = home.join("key.pem");
    std::fs::write(&key, "").unwrap();
    let missing = |name: &str| path_str(&home.join(name));

    // (context, its file's text or fields, what the error must say)
    let full = s.env.write_context("full", json!({"url": url}));
    let valid = std::fs::read_to_string(&full).unwrap();
    let mut cases: Vec<(&str, String)> = Vec::new();
    let mut write_text = |name: &'static str, text: &str, expected: String| {
        let path = s.env.write_context(name, json!({}));
        std::fs::write(&path, text).unwrap();
        cases.push((name, expected));
    };
    let ctx_path = |name: &str| {
        s.env
            .config_dir()
            .join("nats/context")
            .join(format!("{name}.json"))
    };
    write_text(
        "malformed",
        &format!("{{\"url\": \"{url}\", oops}}"),
        format!(
            "failed to parse context file {} at line 1 column",
            ctx_path("malformed").display()
        ),
    );
    write_text(
        "truncated",
        &valid[..valid.len() / 2],
        format!(
            "failed to parse context file {}",
            ctx_path("truncated").display()
        ),
    );
    write_text(
        "empty",
        "",
        format!(
            "failed to parse context file {}",
            ctx_path("empty").display()
        ),
    );
    for (name, fields, expected) in [
        (
            "nocreds",
            json!({"creds": missing("gone.creds")}),
            format!(
                "creds file {} (from context `nocreds`) does not exist",
                missing("gone.creds")
            ),
        ),
        (
            "nonkey",
            json!({"nkey": missing("gone.nk")}),
            format!(
                "nkey seed file {} (from context `nonkey`) does not exist",
                missing("gone.nk")
            ),
        ),
        (
            "nocert",
            json!({"cert": missing("gone.pem"), "key": path_str(&key)}),
            format!(
                "TLS certificate {} (from context `nocert`) does not exist",
                missing("gone.pem")
            ),
        ),
        (
            "noca",
            json!({"ca": missing("gone-ca.pem")}),
            format!(
                "TLS CA file {} (from context `noca`) does not exist",
                missing("gone-ca.pem")
            ),
        ),
        (
            "badcreds",
            json!({"creds": path_str(&garbage)}),
            format!(
                "failed to load creds file {} (from context `badcreds`)",
                garbage.display()
            ),
        ),
        (
            "badnkey",
            json!({"nkey": path_str(&garbage)}),
            format!(
                "failed to read nkey seed file {} (from context `badnkey`)",
                garbage.display()
            ),
        ),
    ] {
        let mut fields = fields;
        fields["url"] = json!(url);
        s.env.write_context(name, fields);
        cases.push((name, expected));
    }

    let before = s.snapshot();
    let mut runs = 0;
    for (name, expected) in &cases {
        for args in changing_commands() {
            // The context names the server; no -s, so the context is all there is.
            let out = s
                .env
                .jq()
                .args(["--context", name])
                .args(&args)
                .timeout(Duration::from_secs(30))
                .output()
                .unwrap();
            failed(&out, 1, expected, &format!("context {name}, {args:?}"));
            runs += 1;
        }
    }
    let after = s.snapshot();
    snapshot::assert_unchanged(&before, &after, "a broken context");
    held(
        "Bad input",
        "malformed, truncated or empty context JSON; a context naming a missing or invalid creds, nkey, cert or CA file",
        &format!(
            "{runs} runs ({} contexts x stream add, publish, work, dlq purge, stream rm): each exit 1 naming the file (and line/column for JSON); server unchanged ({})",
            cases.len(),
            snapshot::describe(&after)
        ),
    );
}

/// Runs jq-nats as a user file permissions apply to: as root (tests in containers), as
/// `nobody`, else as ourselves.
fn as_unprivileged(env: &TestEnv) -> std::process::Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = env.jq_std();
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        cmd.uid(65534).gid(65534);
    }
    cmd
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn unreadable_files_are_named_and_change_nothing() {
    let s = Setup::new();
    let home = s.env.home.path();
    let nk = home.join("user.nk");
    let creds = home.join("user.creds");
    std::fs::write(&nk, "SUAxxx\n").unwrap();
    std::fs::write(&creds, "x\n").unwrap();
    let ctx = s.env.write_context("locked", json!({"url": s.server.url}));
    s.env.write_context(
        "withcreds",
        json!({"url": s.server.url, "creds": path_str(&creds)}),
    );
    // Everything readable to the unprivileged user but the three files under test.
    for dir in [
        home.to_path_buf(),
        s.env.config_dir(),
        s.env.config_dir().join("nats"),
        s.env.config_dir().join("nats/context"),
    ] {
        chmod(&dir, 0o755);
    }
    chmod(
        &s.env.config_dir().join("nats/context/withcreds.json"),
        0o644,
    );
    for f in [&ctx, &nk, &creds] {
        chmod(f, 0o000);
    }

    let before = s.snapshot();
    let cases = [
        (
            vec!["--context", "locked"],
            vec![],
            format!("failed to read context file {}", ctx.display()),
        ),
        (
            vec!["--context", "withcreds"],
            vec![],
            format!(
                "creds file {} (from context `withcreds`) is not readable",
                creds.display()
            ),
        ),
        (
            vec!["-s", s.server.url.as_str()],
            vec![("NATS_NKEY", path_str(&nk))],
            format!(
                "nkey seed file {} (from env NATS_NKEY) is not readable",
                nk.display()
            ),
        ),
    ];
    let mut runs = 0;
    for (flags, vars, expected) in &cases {
        for args in changing_commands() {
            let mut cmd = as_unprivileged(&s.env);
            cmd.args(flags).args(&args);
            for (k, v) in vars {
                cmd.env(k, v);
            }
            let out = cmd.output().unwrap();
            let err = failed(&out, 1, expected, &format!("{flags:?} {vars:?} {args:?}"));
            if flags.contains(&"locked") {
                assert!(err.contains("Permission denied"), "{err}");
            }
            runs += 1;
        }
    }
    let after = s.snapshot();
    snapshot::assert_unchanged(&before, &after, "an unreadable file");
    held(
        "Bad input",
        "unreadable context, creds and nkey files",
        &format!(
            "{runs} runs (3 files x stream add, publish, work, dlq purge, stream rm): each exit 1 naming the file and `is not readable`/permission denied; server unchanged ({})",
            snapshot::describe(&after)
        ),
    );
}

const ADMIN_PW: &str = "admin-pw-31337";
const NOJS_PW: &str = "nojs-pw-27182";

#[test]
fn a_wrong_password_and_a_user_without_the_jetstream_api_change_nothing() {
    let server = Server::start_with_config(&format!(
        "authorization {{ users: [\n\
         {{ user: admin, password: \"{ADMIN_PW}\" }}\n\
         {{ user: nojs, password: \"{NOJS_PW}\", permissions: {{ publish: {{ allow: [\"orders.>\"] }}, subscribe: {{ allow: [\"_INBOX.>\"] }} }} }}\n\
         ] }}\n"
    ));
    let env = TestEnv::new();
    let jq = |user: &str, pw: &str, args: &[&str]| {
        let started = Instant::now();
        let out = env
            .jq()
            .args(["-s", &server.url, "--user", user, "--password", pw])
            // A timeout would take 20s: the errors below must come long before.
            .args(["--timeout", "20s"])
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        (out, started.elapsed())
    };
    let (out, _) = jq(
        "admin",
        ADMIN_PW,
        &["stream", "add", STREAM, "--subjects", "orders.*"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let (out, _) = jq("admin", ADMIN_PW, &["publish", "orders.new", "a"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let admin_js = || async {
        let client =
            async_nats::ConnectOptions::with_user_and_password("admin".into(), ADMIN_PW.into())
                .connect(&server.url)
                .await
                .unwrap();
        async_nats::jetstream::new(client)
    };
    let before = rt().block_on(async { snapshot::take(&admin_js().await).await });

    let mut commands = changing_commands();
    commands.push(vec!["stream", "ls"]);
    commands.push(vec!["dlq", "ls", STREAM]);
    let mut slowest = Duration::ZERO;
    for args in &commands {
        let (out, _) = jq("admin", "not-the-password", args);
        let err = failed(
            &out,
            1,
            "authorization violation",
            &format!("wrong password, {args:?}"),
        );
        assert!(
            err.contains("hint: the server refused the credentials (user and password auth)"),
            "{err}"
        );
        assert!(!err.contains("not-the-password"), "{err}");

        // Publishing jobs needs no JetStream API (and this user may): left out.
        if args[0] == "publish" {
            continue;
        }
        let (out, took) = jq("nojs", NOJS_PW, args);
        let err = failed(
            &out,
            1,
            "permission denied: the server does not let this user publish to `$JS.API.",
            &format!("no JetStream API, {args:?}"),
        );
        assert!(
            err.contains("allow the user to publish to `$JS.API.>`"),
            "{err}"
        );
        assert!(took < Duration::from_secs(10), "{args:?} took {took:?}");
        slowest = slowest.max(took);
    }
    let after = rt().block_on(async { snapshot::take(&admin_js().await).await });
    snapshot::assert_unchanged(&before, &after, "a refused user");
    held(
        "Bad input",
        "a wrong password; a user without permission for the JetStream API ($JS.API.>)",
        &format!(
            "{} commands each: wrong password exit 1 `authorization violation` with a hint, password never shown; no-API user exit 1 `permission denied ... publish to $JS.API...` within {}ms (timeout set to 20s); server unchanged ({})",
            commands.len(),
            slowest.as_millis(),
            snapshot::describe(&after)
        ),
    );
}

#[test]
fn invalid_subjects_stream_names_and_durations_are_usage_errors_that_change_nothing() {
    let s = Setup::new();
    let before = s.snapshot();
    let mut runs = 0;
    let mut usage = |args: Vec<&str>, vars: &[(&str, &str)], expected: &str| {
        let mut cmd = s.env.jq();
        cmd.args(["-s", &s.server.url]).args(&args);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let out = cmd.timeout(Duration::from_secs(30)).output().unwrap();
        failed(&out, 2, expected, &format!("{args:?} {vars:?}"));
        runs += 1;
    };
    // Subjects: jobs go to one exact subject; streams take valid ones.
    for subject in [
        "orders.*",
        "orders.>",
        ">",
        "orders..new",
        "orders.new.",
        "orders new",
        "",
    ] {
        usage(vec!["publish", subject, "x"], &[], "");
    }
    usage(vec!["publish", "orders.*", "x"], &[], "`*` is a wildcard");
    for subject in ["a..b", "a.>.b", "a b", ".a", ""] {
        usage(
            vec!["stream", "add", "other", "--subjects", subject],
            &[],
            "in --subjects",
        );
        usage(
            vec!["stream", "edit", STREAM, "--subjects", subject],
            &[],
            "in --subjects",
        );
    }
    for subject in ["svc.*", "svc.>", "svc..x"] {
        usage(
            vec!["work", STREAM, "--request", subject],
            &[],
            "invalid --request subject",
        );
    }
    usage(
        vec!["work", STREAM, "--filter", "orders..x", "--", "true"],
        &[],
        "invalid --filter subject",
    );
    // Stream names with `.`, `*`, `>`.
    for name in ["a.b", "a*", "a>"] {
        let expected = format!("invalid stream name `{name}`");
        usage(
            vec!["stream", "add", name, "--subjects", "x.*"],
            &[],
            &expected,
        );
        usage(vec!["work", name, "--", "true"], &[], &expected);
        usage(
            vec!["stream", "add", "other", "--subjects", "o.*", "--dlq", name],
            &[],
            &expected,
        );
    }
    // Durations like `5x`.
    let bad = "invalid duration `5x`";
    for flag in ["--backoff", "--ack-wait", "--handler-timeout", "--grace"] {
        usage(vec!["work", STREAM, flag, "5x", "--", "true"], &[], bad);
    }
    for flag in ["--max-age", "--dupe-window"] {
        usage(
            vec!["stream", "add", "other", "--subjects", "o.*", flag, "5x"],
            &[],
            bad,
        );
    }
    // A time limit of nothing fails every job; exit codes are 1 to 255.
    usage(
        vec!["work", STREAM, "--handler-timeout", "0s", "--", "true"],
        &[],
        "must be longer than 0",
    );
    usage(
        vec![
            "dlq",
            "drain",
            STREAM,
            "--handler-timeout",
            "0",
            "--",
            "true",
        ],
        &[],
        "must be longer than 0",
    );
    for code in ["0", "256", "-1"] {
        usage(
            vec!["work", STREAM, "--fatal-exit-code", code, "--", "true"],
            &[],
            "is not in 1..=255",
        );
    }
    usage(
        vec!["--timeout", "5x", "stream", "rm", STREAM, "--force"],
        &[],
        bad,
    );
    usage(
        vec!["dlq", "purge", STREAM, "--all", "--force"],
        &[("NATS_TIMEOUT", "5x")],
        "(from env NATS_TIMEOUT)",
    );
    let after = s.snapshot();
    snapshot::assert_unchanged(&before, &after, "a usage error");
    held(
        "Bad input",
        "invalid and wildcard subjects (publish, stream add/edit, --request, --filter); stream names with `.`/`*`/`>`; durations like `5x`; --handler-timeout 0; --fatal-exit-code outside 1-255",
        &format!(
            "{runs} runs: each exit 2 with `error:` naming the value, before connecting; no consumer, stream or message made ({})",
            snapshot::describe(&after)
        ),
    );
}

/// Non-UTF-8 payloads, one per line of stdin.
const BINARY: [&[u8]; 5] = [
    b"\xff\xfe\x00bin",
    b"caf\xe9",
    b"\xc3\x28 broken",
    b"dead \xe2\x82",
    b"\x80\x81\x82 dead too",
];

/// `sh -c SCRIPT` as a handler, writing into `dir` (passed as $OUT).
fn sh(script: &str) -> Vec<String> {
    vec!["sh".into(), "-c".into(), script.into()]
}

#[test]
fn non_utf8_payloads_stay_byte_exact_through_publish_work_dlq_replay_and_drain() {
    let server = Server::start();
    let env = TestEnv::new();
    let out_dir = tempfile::tempdir().unwrap();
    let dir = out_dir.path();
    let jq = |args: &[&str], extra: &[String], stdin: &[u8]| {
        let out = env
            .jq()
            .args(["-s", &server.url])
            .args(args)
            .args(extra)
            .env("OUT", dir)
            .write_stdin(stdin.to_vec())
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            stdout_of(&out),
            stderr_of(&out)
        );
        out
    };
    jq(
        &["stream", "add", STREAM, "--subjects", "orders.*"],
        &[],
        b"",
    );
    let input: Vec<u8> = BINARY.join(&b'\n').into_iter().chain([b'\n']).collect();
    jq(&["publish", "orders.new"], &[], &input);
    let get = |stream: &str, seq: u64| {
        rt().block_on(async {
            let js = js(&server.url).await;
            let s = js.get_stream(stream).await.unwrap();
            s.get_raw_message(seq).await.unwrap()
        })
    };
    for (i, payload) in BINARY.iter().enumerate() {
        assert_eq!(&get(STREAM, i as u64 + 1).payload[..], *payload, "stored");
    }

    // Jobs 4 and 5 fail every attempt: into the DLQ.
    jq(
        &[
            "work",
            STREAM,
            "--until-empty",
            "--max-deliver",
            "2",
            "--backoff",
            "100ms",
            "--",
        ],
        &sh(r#"cat > "$OUT/$JQ_SEQ"; [ "$JQ_SEQ" -le 3 ]"#),
        b"",
    );
    for (i, payload) in BINARY.iter().enumerate() {
        let got = std::fs::read(dir.join((i + 1).to_string())).unwrap();
        assert_eq!(&got[..], *payload, "the handler's stdin for job {}", i + 1);
    }
    // The DLQ copies, read with our own client, and `dlq show --raw`.
    let dlq_payloads: Vec<Vec<u8>> = rt().block_on(async {
        let js = js(&server.url).await;
        let mut s = js.get_stream("orders_dlq").await.unwrap();
        let last = s.info().await.unwrap().state.last_sequence;
        let mut v = Vec::new();
        for seq in 1..=last {
            if let Some(m) = stored_at(&s, seq).await {
                if m.subject.starts_with("jqnats.dlq.") {
                    v.push(m.payload.to_vec());
                }
            }
        }
        v
    });
    assert_eq!(dlq_payloads, vec![BINARY[3].to_vec(), BINARY[4].to_vec()]);
    let shown = jq(&["dlq", "show", STREAM, "4", "--raw"], &[], b"");
    assert_eq!(shown.stdout, BINARY[3]);

    // Replayed and run again; drained.
    jq(&["dlq", "replay", STREAM, "--seq", "4"], &[], b"");
    assert_eq!(&get(STREAM, 6).payload[..], BINARY[3], "the replay");
    jq(
        &["dlq", "drain", STREAM, "--"],
        &sh(r#"cat > "$OUT/drained.$JQ_SEQ""#),
        b"",
    );
    assert_eq!(
        std::fs::read(dir.join("drained.5")).unwrap(),
        BINARY[4],
        "drain's COMMAND stdin"
    );
    jq(
        &["work", STREAM, "--until-empty", "--"],
        &sh(r#"cat > "$OUT/again.$JQ_SEQ""#),
        b"",
    );
    assert_eq!(std::fs::read(dir.join("again.6")).unwrap(), BINARY[3]);
    held(
        "Bad input",
        "non-UTF-8 payloads through publish, work, the DLQ, dlq show --raw, replay and drain",
        "5 binary payloads: stored, handed to handlers, copied to the DLQ (2), shown raw, replayed (1) and drained (1), every one byte-exact",
    );
}

#[test]
fn a_foreign_message_in_the_dlq_is_reported_skipped_and_kept() {
    let s = Setup::new();
    // Jobs 1 and 2 die; 3 is done.
    let out = s
        .env
        .jq()
        .args(["-s", &s.server.url, "work", STREAM, "--until-empty"])
        .args(["--max-deliver", "2", "--backoff", "100ms", "--"])
        .args(sh(r#"[ "$JQ_SEQ" -ge 3 ]"#))
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let foreign: Vec<u64> = rt().block_on(async {
        let js = js(&s.server.url).await;
        let mut seqs = Vec::new();
        for (subject, body) in [
            ("jqnats.dlq.orders.999", "not a dead job"),
            ("jqnats.dlq.orders.abc", "{\"also\":\"not one\"}"),
        ] {
            let ack = js
                .publish(subject, body.into())
                .await
                .unwrap()
                .await
                .unwrap();
            seqs.push(ack.sequence);
        }
        seqs
    });
    let still_there = || {
        rt().block_on(async {
            let js = js(&s.server.url).await;
            let s = js.get_stream("orders_dlq").await.unwrap();
            let mut n = 0;
            for seq in &foreign {
                if stored_at(&s, *seq).await.is_some() {
                    n += 1;
                }
            }
            n
        })
    };
    let out = s.ok(&["dlq", "ls", STREAM]);
    let err = stderr_of(&out);
    assert!(err.contains("2 dead jobs in orders_dlq"), "{err}");
    assert!(err.contains("2 foreign entries skipped"), "{err}");
    assert!(
        err.contains(&format!("skipped foreign entry orders_dlq/{}", foreign[0])),
        "{err}"
    );

    let mut reported = 0;
    for args in [
        vec!["dlq", "replay", STREAM, "--seq", "1"],
        vec!["dlq", "drain", STREAM, "--", "true"],
        vec!["dlq", "reconcile", STREAM],
        vec!["dlq", "purge", STREAM, "--all", "--force"],
    ] {
        let out = s.ok(&args);
        let err = stderr_of(&out);
        assert!(
            err.contains(
                "2 foreign entries in orders_dlq skipped: not dead jobs, left as they are"
            ),
            "{args:?} reports the foreign entries: {err}"
        );
        reported += 1;
        assert_eq!(still_there(), 2, "{args:?} removed a foreign entry");
    }
    // The dead jobs were handled: 1 replayed (and waiting again), 2 drained.
    let summary = stdout_of(&s.ok(&["dlq", "ls", STREAM, "--json"]));
    let summary: Value = serde_json::from_str(summary.lines().last().unwrap()).unwrap();
    assert_eq!(summary["dead"], 0, "{summary}");
    assert_eq!(summary["foreign"], 2, "{summary}");
    held(
        "Bad input",
        "foreign messages in a DLQ stream",
        &format!(
            "2 foreign entries: listed by dlq ls, reported as skipped by {reported} commands (replay, drain, reconcile, purge --all), both still in the DLQ after them; the 2 dead jobs were handled"
        ),
    );
}

#[test]
fn replay_purge_and_show_of_a_seq_that_is_not_dead_change_nothing() {
    let s = Setup::new();
    // Job 1 dies (one attempt, no backoff); 2 and 3 are waiting.
    let out = s
        .env
        .jq()
        .args(["-s", &s.server.url, "work", STREAM, "--max-jobs", "1"])
        .args(["--max-deliver", "1", "--", "false"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let before = s.snapshot();
    let mut runs = 0;
    for (seq, expected) in [
        ("2", "job 2 is not dead: it is in `orders`"),
        ("999", "no dead job with sequence 999 in `orders_dlq`"),
    ] {
        for args in [
            vec!["dlq", "replay", STREAM, "--seq", seq],
            vec!["dlq", "purge", STREAM, "--seq", seq, "--force"],
            vec!["dlq", "show", STREAM, seq],
        ] {
            let out = s.jq(&args);
            failed(&out, 1, expected, &format!("{args:?}"));
            runs += 1;
        }
    }
    let after = s.snapshot();
    snapshot::assert_unchanged(&before, &after, "replay of a job that is not dead");
    // The dead one is still there to be replayed.
    assert!(stdout_of(&s.ok(&["dlq", "ls", STREAM, "--json"])).contains("\"seq\":1"));
    held(
        "Bad input",
        "dlq replay/purge/show of a sequence that is not dead (waiting, or unknown)",
        &format!(
            "{runs} runs: each exit 1 saying `not dead: it is in orders` or `no dead job with sequence 999`; server unchanged ({})",
            snapshot::describe(&after)
        ),
    );
}

/// A server started without JetStream (`nats-server` alone, a common first step) is named as
/// such, with how to start one that has it, rather than "requested JetStream resource does not
/// exist".
#[test]
fn a_server_without_jetstream_is_named_with_how_to_enable_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    /// Killed however the test ends.
    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _server = Killed(
        std::process::Command::new(server_binary())
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let url = format!("nats://127.0.0.1:{port}");
    wait_until(Duration::from_secs(10), "the server to listen", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let env = TestEnv::new();
    for args in [
        vec!["stream", "add", STREAM, "--subjects", "orders.*"],
        vec!["publish", "orders.new", "x"],
        vec!["work", STREAM, "--until-empty"],
        vec!["dlq", "ls", STREAM],
    ] {
        let out = env
            .jq()
            .args(["-s", &url])
            .args(&args)
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        failed(
            &out,
            1,
            &format!("error: JetStream is not enabled on {url}"),
            &format!("{args:?}"),
        );
        assert!(
            stderr_of(&out).contains("hint: jq-nats keeps jobs in JetStream streams: start the server with JetStream, `nats-server -js`"),
            "{}",
            stderr_of(&out)
        );
    }
}
