//! `jq-nats publish` against a real server, outcomes checked with an independent client.
mod common;

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use async_nats::jetstream::stream::{Config, DiscardPolicy, StorageType};
use common::*;

/// A server and a clean environment, with stream `orders_stream` on `orders.*` (and any extra
/// `stream add` flags).
fn setup(extra: &[&str]) -> (Server, TestEnv) {
    let server = Server::start();
    let env = TestEnv::new();
    add_stream(&server, &env, "orders_stream", "orders.*", extra);
    (server, env)
}

fn add_stream(server: &Server, env: &TestEnv, name: &str, subjects: &str, extra: &[&str]) {
    let mut args = vec![
        "-s",
        &server.url,
        "stream",
        "add",
        name,
        "--subjects",
        subjects,
        "--no-dlq",
    ];
    args.extend_from_slice(extra);
    env.jq().args(&args).assert().success();
}

/// Runs `jq-nats -s URL publish ARGS` with `stdin`.
fn publish(server: &Server, env: &TestEnv, args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut cmd = env.jq();
    cmd.args(["-s", &server.url, "publish"]).args(args);
    cmd.write_stdin(stdin.to_vec());
    cmd.output().expect("run jq-nats publish")
}

/// A stored message: subject, payload, headers as (name, value).
struct Stored {
    subject: String,
    payload: Vec<u8>,
    headers: Vec<(String, String)>,
}

impl Stored {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Every message of `stream`, by sequence, read with the test's own client.
fn stored(server: &Server, stream: &str) -> Vec<Stored> {
    rt().block_on(async {
        let js = js(&server.url).await;
        let mut s = js.get_stream(stream).await.unwrap();
        let state = s.info().await.unwrap().state.clone();
        let mut out = Vec::new();
        if state.messages == 0 {
            return out;
        }
        for seq in state.first_sequence..=state.last_sequence {
            let Some(m) = stored_at(&s, seq).await else {
                continue;
            };
            let mut headers = Vec::new();
            for (name, values) in m.headers.iter() {
                for v in values {
                    headers.push((name.to_string(), v.to_string()));
                }
            }
            out.push(Stored {
                subject: m.subject.to_string(),
                payload: m.payload.to_vec(),
                headers,
            });
        }
        out
    })
}

fn message_count(server: &Server, stream: &str) -> u64 {
    rt().block_on(async {
        let js = js(&server.url).await;
        let mut s = js.get_stream(stream).await.unwrap();
        s.info().await.unwrap().state.messages
    })
}

fn payloads(messages: &[Stored]) -> Vec<String> {
    messages
        .iter()
        .map(|m| String::from_utf8_lossy(&m.payload).into_owned())
        .collect()
}

#[test]
fn publishes_the_body_as_one_job() {
    let (server, env) = setup(&[]);
    let out = publish(&server, &env, &["orders.new", "order-1"], b"");
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("published 1 job to orders_stream, seq 1, 0 duplicates"),
        "{}",
        stderr_of(&out)
    );
    let msgs = stored(&server, "orders_stream");
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].subject, "orders.new");
    assert_eq!(msgs[0].payload, b"order-1");
}

#[test]
fn count_expands_templates_in_body_subject_and_headers() {
    let (server, env) = setup(&[]);
    let out = publish(
        &server,
        &env,
        &[
            "orders.n{{Count}}",
            "order-{{Count}} id={{ID}} at {{Unix}} {{Random 3 3}}",
            "--count",
            "5",
            "-H",
            "X-Trace: t-{{ Count }}-{{ID}}",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("published 5 jobs to orders_stream, seq 1–5, 0 duplicates"),
        "{}",
        stderr_of(&out)
    );
    let msgs = stored(&server, "orders_stream");
    assert_eq!(msgs.len(), 5);
    let mut ids = std::collections::HashSet::new();
    for (i, m) in msgs.iter().enumerate() {
        let n = i + 1;
        assert_eq!(m.subject, format!("orders.n{n}"));
        let body = String::from_utf8(m.payload.clone()).unwrap();
        let words: Vec<&str> = body.split(' ').collect();
        assert_eq!(words[0], format!("order-{n}"), "{body}");
        let id = words[1].strip_prefix("id=").unwrap();
        assert_eq!(id.len(), 22, "a NUID: {body}");
        assert!(ids.insert(id.to_string()), "IDs are unique: {body}");
        assert!(words[3].parse::<u64>().unwrap() > 1_600_000_000, "{body}");
        assert_eq!(words[4].len(), 3, "{body}");
        let trace = m.header("X-Trace").unwrap();
        assert!(trace.starts_with(&format!("t-{n}-")), "{trace}");
        assert!(ids.insert(trace.to_string()));
    }
}

#[test]
fn stdin_lines_are_jobs_and_empty_lines_are_skipped_and_counted() {
    let (server, env) = setup(&[]);
    let out = publish(
        &server,
        &env,
        &["orders.new", "--json"],
        b"first\n\nsecond\r\n\r\n  \nlast",
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains(
            "published 4 jobs to orders_stream, seq 1–4, 0 duplicates, 2 empty lines skipped"
        ),
        "{err}"
    );
    assert_eq!(
        payloads(&stored(&server, "orders_stream")),
        vec!["first", "second", "  ", "last"]
    );
    let events = ndjson(&out);
    let lines: Vec<u64> = events
        .iter()
        .filter(|e| e["type"] == "published")
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        vec![1, 3, 5, 6],
        "line numbers count the empty lines"
    );
    let summary = events.last().unwrap();
    assert_eq!(summary["empty_skipped"], 2);
}

#[test]
fn send_on_eof_publishes_all_of_stdin_byte_exact() {
    let (server, env) = setup(&[]);
    let mut data = b"line one\r\n\x00\xff\xfe binary \x80\nend\n".to_vec();
    data.extend((0u8..=255).collect::<Vec<_>>());
    let out = publish(&server, &env, &["orders.blob", "--send-on", "eof"], &data);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let msgs = stored(&server, "orders_stream");
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].payload, data);
}

#[test]
fn stdin_lines_keep_non_utf8_bytes() {
    let (server, env) = setup(&[]);
    let out = publish(&server, &env, &["orders.new"], b"a\x00b\n\xff\xfe\r\n");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let msgs = stored(&server, "orders_stream");
    assert_eq!(msgs[0].payload, b"a\x00b");
    assert_eq!(msgs[1].payload, b"\xff\xfe");
}

#[test]
fn headers_and_id_deduplicate_a_second_publish() {
    let (server, env) = setup(&[]);
    let args = [
        "orders.new",
        "hello",
        "--count",
        "3",
        "-H",
        "Priority: high",
        "-H",
        "X-Tag:t-{{Count}}",
        "--id",
        "order-{{Count}}",
    ];
    let first = publish(&server, &env, &args, b"");
    assert!(first.status.success(), "{}", stderr_of(&first));
    assert!(
        stderr_of(&first).contains("0 duplicates"),
        "{}",
        stderr_of(&first)
    );
    let msgs = stored(&server, "orders_stream");
    assert_eq!(msgs.len(), 3);
    for (i, m) in msgs.iter().enumerate() {
        assert_eq!(m.header("Priority"), Some("high"));
        assert_eq!(m.header("X-Tag"), Some(format!("t-{}", i + 1).as_str()));
        assert_eq!(
            m.header("Nats-Msg-Id"),
            Some(format!("order-{}", i + 1).as_str())
        );
    }

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let again = publish(&server, &env, &json_args, b"");
    assert!(
        again.status.success(),
        "duplicates are not errors: {}",
        stderr_of(&again)
    );
    assert!(
        stderr_of(&again).contains("published 3 jobs to orders_stream, 3 duplicates"),
        "{}",
        stderr_of(&again)
    );
    let events = ndjson(&again);
    assert!(
        events[..3].iter().all(|e| e["duplicate"] == true),
        "{events:?}"
    );
    assert_eq!(events[3]["duplicates"], 3);
    assert_eq!(message_count(&server, "orders_stream"), 3);

    // From stdin, {{Count}} is the input line number: lines 2 and 3 repeat ids 2 and 3.
    let out = publish(
        &server,
        &env,
        &["orders.new", "--id", "order-{{Count}}"],
        b"x\n\ny\nz\n",
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("published 3 jobs to orders_stream, seq 4, 2 duplicates"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(message_count(&server, "orders_stream"), 4);
    assert_eq!(
        stored(&server, "orders_stream")[3].header("Nats-Msg-Id"),
        Some("order-4")
    );
}

#[test]
fn json_gives_one_object_per_job_in_order_then_a_summary() {
    let (server, env) = setup(&["--max-msg-size", "64"]);
    let big = "x".repeat(100);
    let input = format!("a\n{big}\nb\n");
    let out = publish(&server, &env, &["orders.new", "--json"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let events = ndjson(&out);
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(
        events[0],
        serde_json::json!({"type":"published","line":1,"stream":"orders_stream","seq":1,"duplicate":false})
    );
    assert_eq!(events[1]["type"], "error");
    assert_eq!(events[1]["line"], 2);
    assert!(
        events[1]["error"].as_str().unwrap().contains("maximum"),
        "{events:?}"
    );
    assert_eq!(
        events[2],
        serde_json::json!({"type":"published","line":3,"stream":"orders_stream","seq":2,"duplicate":false})
    );
    let summary = &events[3];
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["published"], 2);
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["duplicates"], 0);
    assert_eq!(summary["streams"][0]["stream"], "orders_stream");
    assert_eq!(summary["streams"][0]["first_seq"], 1);
    assert_eq!(summary["streams"][0]["last_seq"], 2);
}

#[test]
fn no_stream_for_the_subject_reports_every_line() {
    let server = Server::start();
    let env = TestEnv::new();
    let out = publish(&server, &env, &["nowhere.new"], b"a\nb\nc\n");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    for line in 1..=3 {
        assert!(
            err.contains(&format!(
                "line {line}: no stream captures subject `nowhere.new`"
            )),
            "{err}"
        );
    }
    assert!(
        err.contains("published 0 jobs, 0 duplicates; 3 failed (lines 1, 2, 3)"),
        "{err}"
    );
    assert!(err.contains("hint: "), "{err}");
}

#[test]
fn a_job_over_the_max_message_size_is_reported_and_the_others_go_in() {
    let (server, env) = setup(&["--max-msg-size", "100"]);
    let big = "y".repeat(200);
    let input = format!("one\n{big}\nthree\n");
    let out = publish(&server, &env, &["orders.new"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("line 2: refused by the server: message size exceeds maximum"),
        "{err}"
    );
    assert!(
        err.contains("published 2 jobs to orders_stream, seq 1–2, 0 duplicates; 1 failed (line 2)"),
        "{err}"
    );
    assert_eq!(
        payloads(&stored(&server, "orders_stream")),
        vec!["one", "three"]
    );
    common::reliability::held(
        "Bad input",
        "a job larger than the stream's max-msg-size among others",
        "3 lines, the 2nd 200 B over a 100 B limit: it is refused and reported by line, exit 1; the other 2 stored in order",
    );
}

#[test]
fn a_full_stream_with_discard_new_refuses_lines_and_they_are_reported() {
    let (server, env) = setup(&["--max-bytes", "2KB", "--discard", "new"]);
    let input: String = (1..=40).map(|i| format!("{i:0>100}\n")).collect();
    let out = publish(&server, &env, &["orders.new", "--json"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let events = ndjson(&out);
    let summary = events.last().unwrap();
    let published = summary["published"].as_u64().unwrap();
    let failed = summary["failed"].as_u64().unwrap();
    assert!(published > 0 && failed > 0, "{summary}");
    assert_eq!(published + failed, 40);
    assert_eq!(message_count(&server, "orders_stream"), published);
    let refused: Vec<u64> = events
        .iter()
        .filter(|e| e["type"] == "error")
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(refused, ((published + 1)..=40).collect::<Vec<_>>());
    let err = stderr_of(&out);
    assert!(
        err.contains("line 40: refused by the server: maximum bytes exceeded"),
        "{err}"
    );
    assert!(err.contains("the stream is full"), "{err}");
}

#[test]
fn a_subject_at_its_job_limit_is_reported_with_the_per_subject_hint() {
    let (server, env) = setup(&["--max-msgs-per-subject", "2"]);
    let out = publish(&server, &env, &["orders.new"], b"a\nb\nc\n");
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("line 3: refused by the server: maximum messages per subject exceeded"),
        "{err}"
    );
    assert!(
        err.contains("raise --max-msgs-per-subject with `jq-nats stream edit`"),
        "{err}"
    );
    assert!(!err.contains("--max-bytes"), "{err}");
    assert_eq!(message_count(&server, "orders_stream"), 2);
}

#[test]
fn wildcard_and_invalid_subjects_are_usage_errors() {
    let env = TestEnv::new();
    for subject in [
        "orders.*",
        "orders.>",
        ">",
        "orders..new",
        "orders.new.",
        "orders new",
        "",
    ] {
        let out = env
            .jq()
            .args(["-s", "nats://127.0.0.1:1", "publish", subject, "x"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{subject:?}: {}",
            stderr_of(&out)
        );
        assert!(
            stderr_of(&out).starts_with("error: "),
            "{}",
            stderr_of(&out)
        );
    }
    let out = env
        .jq()
        .args([
            "-s",
            "nats://127.0.0.1:1",
            "publish",
            "orders.new",
            "{{Nope 1}}",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("unknown template function `Nope`"),
        "{}",
        stderr_of(&out)
    );
    let out = env
        .jq()
        .args([
            "-s",
            "nats://127.0.0.1:1",
            "publish",
            "orders.new",
            "--count",
            "2",
        ])
        .write_stdin("x\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--count needs a BODY");
}

#[test]
fn a_subject_invalid_after_expansion_is_a_usage_error() {
    let (server, env) = setup(&[]);
    let out = publish(&server, &env, &["orders.{{Random 0 0}}", "x"], b"");
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("empty token"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(message_count(&server, "orders_stream"), 0);
}

#[test]
fn output_keeps_input_order_under_pipelining() {
    let (server, env) = setup(&[]);
    let input: String = (1..=5000).map(|i| format!("job-{i}\n")).collect();
    let out = publish(
        &server,
        &env,
        &["orders.new", "--json", "--window", "256"],
        input.as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let events = ndjson(&out);
    assert_eq!(events.len(), 5001);
    for (i, e) in events[..5000].iter().enumerate() {
        assert_eq!(e["line"], i as u64 + 1);
        assert_eq!(e["seq"], i as u64 + 1);
    }
    let msgs = stored(&server, "orders_stream");
    assert_eq!(msgs.len(), 5000);
    assert!(msgs
        .iter()
        .enumerate()
        .all(|(i, m)| m.payload == format!("job-{}", i + 1).as_bytes()));
}

#[test]
fn a_line_over_the_server_max_payload_is_reported_without_buffering_it() {
    let (server, env) = setup(&[]);
    let mut input = b"small\n".to_vec();
    input.extend(vec![b'z'; 10 << 20]);
    input.extend(b"\nafter\n");
    let out = publish(&server, &env, &["orders.new"], &input);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("line 2: the job is 10 MiB"), "{err}");
    assert!(err.contains("max_payload"), "{err}");
    assert_eq!(
        payloads(&stored(&server, "orders_stream")),
        vec!["small", "after"]
    );
    common::reliability::held(
        "Bad input",
        "a 10 MB line on stdin, over the server's max_payload",
        "the 10 MiB line is refused by line number naming max_payload, exit 1; the lines before and after it are stored",
    );
}

#[test]
fn a_ten_megabyte_line_goes_in_when_server_and_stream_allow_it() {
    let server = Server::start_with_config("max_payload: 16MB\n");
    let env = TestEnv::new();
    add_stream(
        &server,
        &env,
        "big",
        "big.*",
        &["--max-msg-size", "12MiB", "--max-bytes", "64MiB"],
    );
    let line: Vec<u8> = (0..(10usize << 20)).map(|i| (i % 251) as u8 + 1).collect();
    let line: Vec<u8> = line
        .into_iter()
        .map(|b| if b == b'\n' { b'n' } else { b })
        .collect();
    let mut input = line.clone();
    input.extend(b"\nsmall\n");
    let out = publish(&server, &env, &["big.one"], &input);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let msgs = stored(&server, "big");
    assert_eq!(msgs.len(), 2);
    assert!(
        msgs[0].payload == line,
        "the 10 MB line is stored byte-exact"
    );
    assert_eq!(msgs[1].payload, b"small");
    common::reliability::held(
        "Bad input",
        "a 10 MB line on stdin that the server and stream allow",
        "the 10 MiB line is stored byte-exact, and the line after it",
    );
}

#[test]
fn a_timed_out_job_is_retried_only_with_an_id() {
    let server = Server::start();
    let env = TestEnv::new();
    // A stream that never acknowledges: every publish times out.
    rt().block_on(async {
        js(&server.url)
            .await
            .create_stream(Config {
                name: "silent".into(),
                subjects: vec!["silent.*".into()],
                no_ack: true,
                storage: StorageType::Memory,
                discard: DiscardPolicy::New,
                ..Default::default()
            })
            .await
            .unwrap();
    });
    let out = publish(
        &server,
        &env,
        &["--timeout", "300ms", "silent.a", "x", "--id", "fixed-1"],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("line 1: no acknowledgement within 300ms after 3 tries"),
        "{err}"
    );
    assert_eq!(
        message_count(&server, "silent"),
        1,
        "the retries were deduplicated"
    );

    // An id given as a header counts too.
    let out = publish(
        &server,
        &env,
        &[
            "--timeout",
            "300ms",
            "silent.a",
            "x",
            "-H",
            "Nats-Msg-Id: fixed-2",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("after 3 tries"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(message_count(&server, "silent"), 2);

    let out = publish(&server, &env, &["--timeout", "300ms", "silent.b", "y"], b"");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("line 1: no acknowledgement within 300ms"),
        "{err}"
    );
    assert!(err.contains("not retried"), "{err}");
    assert_eq!(message_count(&server, "silent"), 3, "sent once");
}

#[test]
fn ctrl_c_stops_reading_confirms_what_was_sent_and_exits_1() {
    let (server, env) = setup(&[]);
    let mut child = env
        .jq_std()
        .args(["-s", &server.url, "publish", "orders.new", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for i in 1..=3 {
        writeln!(stdin, "job-{i}").unwrap();
    }
    stdin.flush().unwrap();
    wait_until(Duration::from_secs(10), "3 jobs", || {
        message_count(&server, "orders_stream") == 3
    });
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "jq-nats did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("published 3 jobs to orders_stream, seq 1–3"),
        "{err}"
    );
    assert!(
        err.contains("interrupted; input after line 3 was not published"),
        "{err}"
    );
    let events = ndjson(&out);
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(
        events[3]["stopped"],
        "interrupted; input after line 3 was not published"
    );
}

#[test]
fn jobs_in_flight_when_the_connection_drops_are_reported_by_line() {
    let (mut server, env) = setup(&[]);
    let mut child = env
        .jq_std()
        .args([
            "-s",
            &server.url,
            "--timeout",
            "1s",
            "publish",
            "orders.new",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for i in 1..=10 {
        writeln!(stdin, "before-{i}").unwrap();
    }
    stdin.flush().unwrap();
    wait_until(Duration::from_secs(10), "the first 10 jobs", || {
        message_count(&server, "orders_stream") == 10
    });
    server.kill();
    for i in 11..=15 {
        writeln!(stdin, "after-{i}").unwrap();
    }
    stdin.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "jq-nats did not give up");
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    for line in 11..=15 {
        assert!(
            err.contains(&format!(
                "line {line}: the connection to the server was lost"
            )),
            "{err}"
        );
    }
    assert!(
        err.contains("published 10 jobs to orders_stream, seq 1–10"),
        "{err}"
    );
    assert!(err.contains("5 failed (lines 11, 12, 13, 14, 15)"), "{err}");
    assert!(err.contains("stopped early"), "{err}");
}
