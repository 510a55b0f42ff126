mod common;

use common::*;

#[test]
fn stream_add_creates_work_queue_and_dlq_with_job_queue_defaults() {
    let server = Server::start();
    let env = TestEnv::new();
    env.jq()
        .args([
            "-s",
            &server.url,
            "stream",
            "add",
            "orders_stream",
            "--subjects",
            "orders.*",
        ])
        .assert()
        .success();
    rt().block_on(async {
        let js = js(&server.url).await;
        let mut s = js.get_stream("orders_stream").await.unwrap();
        let c = s.info().await.unwrap().config.clone();
        assert_eq!(c.subjects, vec!["orders.*"]);
        assert_eq!(
            c.retention,
            async_nats::jetstream::stream::RetentionPolicy::WorkQueue
        );
        assert_eq!(c.discard, async_nats::jetstream::stream::DiscardPolicy::New);
        assert_eq!(c.max_bytes, 268435456);
        assert_eq!(c.max_message_size, 1048576);
        assert_eq!(c.duplicate_window, std::time::Duration::from_secs(120));
        assert!(c.allow_direct);
        assert!(!c.deny_delete);
        let mut d = js.get_stream("orders_stream_dlq").await.unwrap();
        let dc = d.info().await.unwrap().config.clone();
        assert!(dc
            .subjects
            .contains(&"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.orders_stream.*".to_string()));
        assert!(dc
            .subjects
            .contains(&"$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.orders_stream.*".to_string()));
    });
}

use std::time::Duration;

use async_nats::jetstream::consumer::{pull, AckPolicy};
use async_nats::jetstream::stream::{Config, DiscardPolicy, RetentionPolicy, StorageType};
use async_nats::jetstream::AckKind;
use futures::StreamExt;
use serde_json::Value;

/// `jq-nats -s URL <args>`, which must succeed; gives (stdout, stderr).
fn ok(server: &Server, env: &TestEnv, args: &[&str]) -> (String, String) {
    let out = env
        .jq()
        .args(["-s", &server.url])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "jq-nats {args:?} failed:\n{}",
        stderr_of(&out)
    );
    (stdout_of(&out), stderr_of(&out))
}

/// `jq-nats -s URL <args>`, which must exit with `code`; gives stderr.
fn fails(server: &Server, env: &TestEnv, args: &[&str], code: i32) -> String {
    let out = env
        .jq()
        .args(["-s", &server.url])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "jq-nats {args:?}:\nstdout: {}\nstderr: {}",
        stdout_of(&out),
        stderr_of(&out)
    );
    stderr_of(&out)
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Lines with their runs of spaces (table padding) made single.
fn squeezed(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn has_line(text: &str, line: &str) -> bool {
    squeezed(text).iter().any(|l| l == line)
}

async fn config_of(js: &async_nats::jetstream::Context, name: &str) -> Config {
    js.get_stream(name)
        .await
        .unwrap_or_else(|e| panic!("stream {name}: {e}"))
        .info()
        .await
        .unwrap()
        .config
        .clone()
}

async fn stream_names(js: &async_nats::jetstream::Context) -> Vec<String> {
    let mut names: Vec<String> = js.stream_names().map(|n| n.unwrap()).collect().await;
    names.sort();
    names
}

const ORDERS: [&str; 4] = ["stream", "add", "orders_stream", "--subjects"];

#[test]
fn stream_add_again_with_the_same_settings_changes_nothing() {
    let server = Server::start();
    let env = TestEnv::new();
    ok(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*,refunds.*"]].concat(),
    );
    let created = rt().block_on(async {
        let js = js(&server.url).await;
        let info = js
            .get_stream("orders_stream")
            .await
            .unwrap()
            .info()
            .await
            .unwrap()
            .clone();
        info.created
    });

    // The same subjects in another order are the same settings.
    let (_, err) = ok(
        &server,
        &env,
        &[&ORDERS[..], &["refunds.*", "--subjects", "orders.*"]].concat(),
    );
    assert!(
        err.contains("stream orders_stream exists with these settings: nothing changed"),
        "{err}"
    );
    assert!(
        err.contains(
            "dead-letter stream orders_stream_dlq exists with these settings: nothing changed"
        ),
        "{err}"
    );
    let (out, _) = ok(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*,refunds.*", "--json"]].concat(),
    );
    let view = json_of(&out);
    assert_eq!(view["stream"]["action"], "unchanged");
    assert_eq!(view["dlq"]["action"], "unchanged");
    assert_eq!(view["dlq"]["name"], "orders_stream_dlq");

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
        assert_eq!(info.created, created, "the stream was made again");
        assert_eq!(
            stream_names(&js).await,
            ["orders_stream", "orders_stream_dlq"]
        );
    });
}

#[test]
fn stream_add_with_other_settings_fails_naming_each_difference() {
    let server = Server::start();
    let env = TestEnv::new();
    ok(&server, &env, &[&ORDERS[..], &["orders.*"]].concat());
    let err = fails(
        &server,
        &env,
        &[
            &ORDERS[..],
            &[
                "orders.*",
                "--max-bytes",
                "1GB",
                "--deny-delete",
                "--max-age",
                "1h",
            ],
        ]
        .concat(),
        1,
    );
    assert!(
        err.starts_with("error: stream `orders_stream` already exists with different settings: "),
        "{err}"
    );
    for field in [
        "max-bytes: 268435456 (existing) vs 1073741824 (wanted)",
        "deny-delete: false (existing) vs true (wanted)",
        "max-age: ",
    ] {
        assert!(err.contains(field), "{field} not in: {err}");
    }
    assert!(err.contains("hint: add --update"), "{err}");

    rt().block_on(async {
        let js = js(&server.url).await;
        let c = config_of(&js, "orders_stream").await;
        assert_eq!(c.max_bytes, 268435456);
        assert!(!c.deny_delete);
        assert_eq!(c.max_age, Duration::ZERO);
        // Nothing was applied to the DLQ either.
        assert_eq!(
            config_of(&js, "orders_stream_dlq").await.max_bytes,
            268435456
        );
    });
}

#[test]
fn stream_add_update_applies_the_differences() {
    let server = Server::start();
    let env = TestEnv::new();
    ok(&server, &env, &[&ORDERS[..], &["orders.*"]].concat());
    let (out, err) = ok(
        &server,
        &env,
        &[
            &ORDERS[..],
            &[
                "orders.*",
                "--max-bytes",
                "1GB",
                "--deny-delete",
                "--max-age",
                "1h",
            ],
            &["--update"],
        ]
        .concat(),
    );
    assert!(err.contains("updated stream orders_stream: "), "{err}");
    assert!(err.contains("max-bytes 268435456 -> 1073741824"), "{err}");
    assert!(has_line(&out, "bytes 0 B / 1 GiB"), "{out}");

    rt().block_on(async {
        let js = js(&server.url).await;
        let c = config_of(&js, "orders_stream").await;
        assert_eq!(c.max_bytes, 1 << 30);
        assert!(c.deny_delete);
        assert_eq!(c.max_age, Duration::from_secs(3600));
        assert_eq!(c.subjects, ["orders.*"]);
        // The DLQ follows the work stream's size.
        assert_eq!(config_of(&js, "orders_stream_dlq").await.max_bytes, 1 << 30);
    });

    // Once applied, the same flags change nothing.
    let (out, _) = ok(
        &server,
        &env,
        &[
            &ORDERS[..],
            &[
                "orders.*",
                "--max-bytes",
                "1GB",
                "--deny-delete",
                "--max-age",
                "1h",
            ],
            &["--update", "--json"],
        ]
        .concat(),
    );
    assert_eq!(json_of(&out)["stream"]["action"], "unchanged");
}

#[test]
fn stream_edit_changes_only_what_is_given() {
    let server = Server::start();
    let env = TestEnv::new();
    ok(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*", "--max-age", "1h"]].concat(),
    );
    let (_, err) = ok(
        &server,
        &env,
        &[
            "stream",
            "edit",
            "orders_stream",
            "--max-bytes",
            "512MB",
            "--description",
            "orders to ship",
        ],
    );
    assert!(
        err.contains("updated stream orders_stream: max-bytes 268435456 -> 536870912, description (none) -> orders to ship"),
        "{err}"
    );
    rt().block_on(async {
        let js = js(&server.url).await;
        let c = config_of(&js, "orders_stream").await;
        assert_eq!(c.max_bytes, 512 << 20);
        assert_eq!(c.description.as_deref(), Some("orders to ship"));
        assert_eq!(c.max_age, Duration::from_secs(3600));
        assert_eq!(c.subjects, ["orders.*"]);
        assert_eq!(c.retention, RetentionPolicy::WorkQueue);
    });

    let (_, err) = ok(
        &server,
        &env,
        &["stream", "edit", "orders_stream", "--max-bytes", "512MB"],
    );
    assert!(
        err.contains("stream orders_stream: nothing to change"),
        "{err}"
    );

    let (out, _) = ok(
        &server,
        &env,
        &[
            "stream",
            "edit",
            "orders_stream",
            "--subjects",
            "orders.>",
            "--json",
        ],
    );
    let view = json_of(&out);
    assert_eq!(view["action"], "updated");
    assert_eq!(view["changes"][0]["field"], "subjects");
    assert_eq!(view["changes"][0]["from"], "orders.*");
    assert_eq!(view["changes"][0]["to"], "orders.>");
    rt().block_on(async {
        let js = js(&server.url).await;
        assert_eq!(config_of(&js, "orders_stream").await.subjects, ["orders.>"]);
    });

    let err = fails(
        &server,
        &env,
        &["stream", "edit", "shipments", "--max-bytes", "1GB"],
        1,
    );
    assert!(err.contains("error: stream `shipments` not found"), "{err}");
    assert!(
        err.contains("hint: streams on this server: orders_stream, orders_stream_dlq"),
        "{err}"
    );
}

#[test]
fn a_subject_at_its_job_limit_refuses_new_jobs_and_keeps_the_old_ones() {
    let server = Server::start();
    let env = TestEnv::new();
    ok(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*", "--max-msgs-per-subject", "1"]].concat(),
    );
    // The second job on orders.a must be refused, not stored in place of the first.
    let (_, err) = ok(&server, &env, &["publish", "orders.a", "first"]);
    assert!(err.contains("published 1 job"), "{err}");
    let err = fails(&server, &env, &["publish", "orders.a", "second"], 1);
    assert!(err.contains("error:"), "{err}");
    rt().block_on(async {
        let js = js(&server.url).await;
        assert!(
            config_of(&js, "orders_stream")
                .await
                .discard_new_per_subject
        );
        let stored = stored_messages(&js, "orders_stream").await;
        let payloads: Vec<&[u8]> = stored.iter().map(|m| &m.payload[..]).collect();
        assert_eq!(payloads, [&b"first"[..]]);
    });
}

#[test]
fn stream_add_no_dlq_makes_no_dead_letter_stream() {
    let server = Server::start();
    let env = TestEnv::new();
    let (out, _) = ok(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*", "--no-dlq"]].concat(),
    );
    assert!(has_line(&out, "dead - (no dead-letter stream)"), "{out}");
    rt().block_on(async {
        assert_eq!(
            stream_names(&js(&server.url).await).await,
            ["orders_stream"]
        );
    });
    let (out, _) = ok(&server, &env, &["stream", "ls", "--json"]);
    let rows = json_of(&out);
    assert_eq!(rows[0]["name"], "orders_stream");
    assert_eq!(rows[0]["dead"], Value::Null);
    assert_eq!(rows[0]["dlq"], Value::Null);
    // --dlq and --no-dlq contradict each other.
    fails(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*", "--no-dlq", "--dlq", "x"]].concat(),
        2,
    );
}

#[test]
fn stream_add_dlq_names_the_dead_letter_stream() {
    let server = Server::start();
    let env = TestEnv::new();
    ok(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*", "--dlq", "orders_dead"]].concat(),
    );
    rt().block_on(async {
        let js = js(&server.url).await;
        assert_eq!(stream_names(&js).await, ["orders_dead", "orders_stream"]);
        let d = config_of(&js, "orders_dead").await;
        assert!(d
            .subjects
            .contains(&"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.orders_stream.*".to_string()));
        assert!(d
            .subjects
            .contains(&"jqnats.dlq.orders_stream.*".to_string()));
    });
    let (out, _) = ok(
        &server,
        &env,
        &["stream", "info", "orders_stream", "--json"],
    );
    assert_eq!(json_of(&out)["health"]["dlq"], "orders_dead");

    // Without --dlq the default name would make a second DLQ for the same advisories.
    let err = fails(&server, &env, &[&ORDERS[..], &["orders.*"]].concat(), 1);
    assert!(
        err.contains(
            "stream `orders_dead` already captures the dead-letter advisories of `orders_stream`"
        ),
        "{err}"
    );
    assert!(err.contains("use it with --dlq orders_dead"), "{err}");
    rt().block_on(async {
        assert_eq!(
            stream_names(&js(&server.url).await).await,
            ["orders_dead", "orders_stream"]
        );
    });
}

/// Puts five jobs in `orders_stream`, pulls two with a `processor` consumer without acking them,
/// and writes one dead entry into the DLQ, as a worker does. Returns the stream's bytes.
async fn busy_queue(url: &str) -> u64 {
    let js = js(url).await;
    for i in 1..=5 {
        js.publish("orders.new", format!("order-{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    js.publish("jqnats.dlq.orders_stream.99", "dead order".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let stream = js.get_stream("orders_stream").await.unwrap();
    let consumer = stream
        .create_consumer(pull::Config {
            durable_name: Some("processor".into()),
            ack_policy: AckPolicy::Explicit,
            max_deliver: 3,
            ack_wait: Duration::from_secs(60),
            ..Default::default()
        })
        .await
        .unwrap();
    let got: Vec<_> = consumer
        .fetch()
        .max_messages(2)
        .expires(Duration::from_secs(5))
        .messages()
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(got.len(), 2);
    let mut consumer = consumer;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let info = consumer.info().await.unwrap();
        if info.num_ack_pending == 2 && info.num_pending == 3 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "consumer state: {info:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut stream = stream;
    stream.info().await.unwrap().state.bytes
}

#[test]
fn stream_ls_and_info_show_queue_health() {
    let server = Server::start();
    let env = TestEnv::new();
    ok(&server, &env, &[&ORDERS[..], &["orders.*"]].concat());
    // A stream of someone else's, not a work queue: only in `ls --all`.
    rt().block_on(async {
        js(&server.url)
            .await
            .create_stream(Config {
                name: "audit".into(),
                subjects: vec!["audit.>".into()],
                ..Default::default()
            })
            .await
            .unwrap();
    });
    let bytes = rt().block_on(busy_queue(&server.url));
    assert!(bytes > 0);

    let (out, _) = ok(&server, &env, &["stream", "ls", "--json"]);
    let rows = json_of(&out);
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows:#}");
    let h = &rows[0];
    assert_eq!(h["name"], "orders_stream");
    assert_eq!(h["waiting"], 3);
    assert_eq!(h["in_flight"], 2);
    assert_eq!(h["parked"], 0);
    assert_eq!(h["dead"], 1);
    assert_eq!(h["dlq"], "orders_stream_dlq");
    assert_eq!(h["messages"], 5);
    assert_eq!(h["bytes"], bytes);
    assert_eq!(h["max_bytes"], 268435456);
    assert_eq!(h["consumers"], 1);

    let (out, _) = ok(&server, &env, &["stream", "ls"]);
    let row = squeezed(&out)
        .into_iter()
        .find(|l| l.starts_with("orders_stream "))
        .unwrap_or_else(|| panic!("{out}"));
    // STREAM SUBJECTS WAITING IN-FLIGHT REDELIVERED PARKED DEAD BYTES...
    assert!(
        row.starts_with(&format!(
            "orders_stream orders.* 3 2 0 0 1 {} / 256 MiB 1 ",
            jq_nats::units::format_bytes(bytes)
        )),
        "{row}"
    );
    assert!(!out.contains("audit"), "{out}");
    // For `cut` and `awk`: a table's rows carry no padding after their last column.
    assert!(out.lines().all(|l| !l.ends_with(' ')), "{out:?}");
    let (out, _) = ok(&server, &env, &["stream", "ls", "--all", "--json"]);
    let names: Vec<String> = json_of(&out)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["audit", "orders_stream"]);

    let (out, _) = ok(&server, &env, &["stream", "info", "orders_stream"]);
    assert_eq!(squeezed(&out)[0], "stream orders_stream", "{out}");
    assert!(out.lines().all(|l| !l.ends_with(' ')), "{out:?}");
    let used = jq_nats::units::format_bytes(bytes);
    assert!(has_line(&out, &format!("bytes {used} / 256 MiB")), "{out}");
    for line in [
        "waiting 3",
        "in flight 2",
        "parked 0",
        "dead 1 (in orders_stream_dlq)",
        "consumers 1",
    ] {
        assert!(has_line(&out, line), "{line} not in:\n{out}");
    }
    assert!(
        squeezed(&out)
            .iter()
            .any(|l| l.starts_with("processor - 3 - 1m 3 2 ")),
        "{out}"
    );

    let (out, _) = ok(
        &server,
        &env,
        &["stream", "info", "orders_stream", "--json"],
    );
    let view = json_of(&out);
    assert_eq!(view["health"]["waiting"], 3);
    assert_eq!(view["health"]["in_flight"], 2);
    assert_eq!(view["health"]["dead"], 1);
    assert_eq!(view["health"]["bytes"], bytes);
    assert_eq!(view["config"]["retention"], "workqueue");
    assert_eq!(view["consumers"][0]["name"], "processor");
    assert_eq!(view["consumers"][0]["max_deliver"], 3);
    assert_eq!(view["consumers"][0]["waiting"], 3);
    assert_eq!(view["consumers"][0]["in_flight"], 2);

    let err = fails(&server, &env, &["stream", "info", "shipments"], 1);
    assert!(err.contains("error: stream `shipments` not found"), "{err}");
}

#[test]
fn stream_rm_needs_force_without_a_terminal_and_takes_the_dlq_along() {
    let server = Server::start();
    let env = TestEnv::new();
    ok(&server, &env, &[&ORDERS[..], &["orders.*"]].concat());
    ok(
        &server,
        &env,
        &["stream", "add", "emails", "--subjects", "emails.>"],
    );

    // stdin is not a terminal here: no question can be asked.
    let err = fails(&server, &env, &["stream", "rm", "orders_stream"], 2);
    assert!(
        err.contains("refusing to delete orders_stream and orders_stream_dlq without --force"),
        "{err}"
    );
    rt().block_on(async {
        assert_eq!(
            stream_names(&js(&server.url).await).await,
            ["emails", "emails_dlq", "orders_stream", "orders_stream_dlq"]
        );
    });

    let (_, err) = ok(&server, &env, &["stream", "rm", "orders_stream", "--force"]);
    assert!(err.contains("deleted stream orders_stream\n"), "{err}");
    assert!(err.contains("deleted stream orders_stream_dlq\n"), "{err}");
    rt().block_on(async {
        assert_eq!(
            stream_names(&js(&server.url).await).await,
            ["emails", "emails_dlq"]
        );
    });

    let (out, _) = ok(
        &server,
        &env,
        &["stream", "rm", "emails", "--keep-dlq", "-f", "--json"],
    );
    assert_eq!(json_of(&out)["deleted"], serde_json::json!(["emails"]));
    rt().block_on(async {
        assert_eq!(stream_names(&js(&server.url).await).await, ["emails_dlq"]);
    });

    let err = fails(&server, &env, &["stream", "rm", "emails", "--force"], 1);
    assert!(err.contains("stream `emails` not found"), "{err}");
}

#[test]
fn invalid_stream_names_are_usage_errors() {
    let server = Server::start();
    let env = TestEnv::new();
    for name in ["a.b", "a*", "a>", "a b"] {
        for args in [
            vec!["stream", "add", name, "--subjects", "x.*"],
            vec!["stream", "edit", name, "--max-bytes", "1GB"],
            vec!["stream", "info", name],
            vec!["stream", "rm", name, "--force"],
        ] {
            let err = fails(&server, &env, &args, 2);
            assert!(
                err.contains(&format!("error: invalid stream name `{name}`")),
                "{args:?}: {err}"
            );
        }
    }
    let err = fails(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*", "--dlq", "orders.dead"]].concat(),
        2,
    );
    assert!(err.contains("invalid stream name `orders.dead`"), "{err}");
    rt().block_on(async {
        assert!(stream_names(&js(&server.url).await).await.is_empty());
    });
}

/// The streams of the article, made the way it makes them with natscli.
async fn article_streams(js: &async_nats::jetstream::Context) {
    let limits = Config {
        retention: RetentionPolicy::WorkQueue,
        storage: StorageType::File,
        num_replicas: 1,
        discard: DiscardPolicy::New,
        max_bytes: 256 << 20,
        max_message_size: 1 << 20,
        duplicate_window: Duration::from_secs(120),
        deny_delete: true,
        deny_purge: false,
        allow_direct: true,
        max_messages: -1,
        max_messages_per_subject: -1,
        max_consumers: -1,
        ..Default::default()
    };
    js.create_stream(Config {
        name: "orders_stream".into(),
        subjects: vec!["orders.*".into()],
        ..limits.clone()
    })
    .await
    .unwrap();
    js.create_stream(Config {
        name: "orders_unprocessed".into(),
        subjects: vec!["$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.orders_stream.*".into()],
        ..limits
    })
    .await
    .unwrap();
}

#[test]
fn streams_made_the_articles_way_show_their_dead_jobs() {
    let server = Server::start();
    let env = TestEnv::new();
    rt().block_on(async {
        let js = js(&server.url).await;
        article_streams(&js).await;
        js.publish("orders.new", "order-1".into())
            .await
            .unwrap()
            .await
            .unwrap();
        let stream = js.get_stream("orders_stream").await.unwrap();
        let consumer = stream
            .create_consumer(pull::Config {
                durable_name: Some("processor".into()),
                filter_subject: "orders.*".into(),
                ack_policy: AckPolicy::Explicit,
                max_deliver: 2,
                ack_wait: Duration::from_secs(60),
                ..Default::default()
            })
            .await
            .unwrap();
        // Fail order-1 until the server gives up on it and its advisory lands in the DLQ.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let mut dlq = js.get_stream("orders_unprocessed").await.unwrap();
            if dlq.info().await.unwrap().state.messages == 1 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no max-deliveries advisory in orders_unprocessed"
            );
            let mut batch = consumer
                .fetch()
                .max_messages(1)
                .expires(Duration::from_millis(100))
                .messages()
                .await
                .unwrap();
            while let Some(m) = batch.next().await {
                m.unwrap().ack_with(AckKind::Nak(None)).await.unwrap();
            }
        }
        // Then two more jobs, one of them taken and not acked yet.
        for i in 2..=3 {
            js.publish("orders.new", format!("order-{i}").into())
                .await
                .unwrap()
                .await
                .unwrap();
        }
        let got: Vec<_> = consumer
            .fetch()
            .max_messages(1)
            .expires(Duration::from_secs(5))
            .messages()
            .await
            .unwrap()
            .collect()
            .await;
        assert_eq!(got.len(), 1);
    });

    let (out, _) = ok(&server, &env, &["stream", "ls", "--json"]);
    let rows = json_of(&out);
    // orders_unprocessed is a DLQ, not a work queue of its own.
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows:#}");
    let h = &rows[0];
    assert_eq!(h["name"], "orders_stream");
    assert_eq!(h["dlq"], "orders_unprocessed");
    assert_eq!(h["dead"], 1);
    // order-1 ran out of attempts and stays in the work stream: parked.
    assert_eq!(h["parked"], 1);
    assert_eq!(h["in_flight"], 1);
    assert_eq!(h["waiting"], 1);
    assert_eq!(h["messages"], 3);

    let (out, _) = ok(&server, &env, &["stream", "info", "orders_stream"]);
    for line in [
        "subjects orders.*",
        "dead 1 (in orders_unprocessed)",
        "parked 1",
        "waiting 1",
        "in flight 1",
    ] {
        assert!(has_line(&out, line), "{line} not in:\n{out}");
    }
    assert!(out.contains("deny delete"), "{out}");
    let (out, _) = ok(
        &server,
        &env,
        &["stream", "info", "orders_stream", "--json"],
    );
    let view = json_of(&out);
    assert_eq!(view["config"]["deny_delete"], true);
    assert_eq!(view["config"]["max_bytes"], 268435456);
    assert_eq!(view["health"]["dead"], 1);
    assert_eq!(view["consumers"][0]["name"], "processor");
    assert_eq!(view["consumers"][0]["filter"], "orders.*");
    assert_eq!(view["consumers"][0]["max_deliver"], 2);
}

#[test]
fn a_max_age_under_the_default_dupe_window_shortens_the_window() {
    let server = Server::start();
    let env = TestEnv::new();
    // The default duplicate window (2m) would be longer than the max age, which the server
    // refuses: without --dupe-window it becomes the max age.
    ok(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*", "--max-age", "1m"]].concat(),
    );
    rt().block_on(async {
        let js = js(&server.url).await;
        let c = config_of(&js, "orders_stream").await;
        assert_eq!(c.max_age, Duration::from_secs(60));
        assert_eq!(c.duplicate_window, Duration::from_secs(60));
        assert_eq!(
            stream_names(&js).await,
            ["orders_stream", "orders_stream_dlq"]
        );
    });
    // The same command again is the same settings.
    let (out, _) = ok(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*", "--max-age", "1m", "--json"]].concat(),
    );
    assert_eq!(json_of(&out)["stream"]["action"], "unchanged");
    // A window within the max age is kept as given.
    ok(
        &server,
        &env,
        &[
            "stream",
            "add",
            "emails",
            "--subjects",
            "emails.*",
            "--max-age",
            "90s",
            "--dupe-window",
            "30s",
        ],
    );

    // A window given longer than the max age is a usage error naming both flags, and
    // nothing is made.
    let err = fails(
        &server,
        &env,
        &[
            "stream",
            "add",
            "refunds",
            "--subjects",
            "refunds.*",
            "--max-age",
            "1m",
            "--dupe-window",
            "5m",
        ],
        2,
    );
    assert!(
        err.starts_with("error: --dupe-window 5m is longer than --max-age 1m"),
        "{err}"
    );
    // So is one longer than the max age the stream already has.
    let err = fails(
        &server,
        &env,
        &["stream", "edit", "orders_stream", "--dupe-window", "2m"],
        2,
    );
    assert!(err.contains("--dupe-window 2m"), "{err}");
    assert!(err.contains("--max-age 1m"), "{err}");
    rt().block_on(async {
        let js = js(&server.url).await;
        assert_eq!(
            config_of(&js, "emails").await.duplicate_window,
            Duration::from_secs(30)
        );
        assert_eq!(
            stream_names(&js).await,
            ["emails", "emails_dlq", "orders_stream", "orders_stream_dlq"]
        );
        assert_eq!(
            config_of(&js, "orders_stream").await.duplicate_window,
            Duration::from_secs(60)
        );
    });
    // An edit to a max age under the window shortens the window with it.
    let (_, err) = ok(
        &server,
        &env,
        &["stream", "edit", "emails", "--max-age", "20s"],
    );
    assert!(
        err.contains("updated stream emails: max-age 1m30s -> 20s, dupe-window 30s -> 20s"),
        "{err}"
    );
}

#[test]
fn a_stream_add_that_fails_takes_back_the_dlq_it_made_and_only_that() {
    let server = Server::start();
    let env = TestEnv::new();
    // Another stream already captures orders.*: the DLQ (first) can be made, the work
    // stream cannot.
    rt().block_on(async {
        let js = js(&server.url).await;
        js.create_stream(Config {
            name: "legacy".into(),
            subjects: vec!["orders.*".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    });
    let err = fails(&server, &env, &[&ORDERS[..], &["orders.*"]].concat(), 1);
    assert!(
        err.starts_with("error: failed to create stream `orders_stream`"),
        "{err}"
    );
    assert!(err.contains("subjects overlap"), "{err}");
    assert!(!err.contains("warning"), "{err}");
    rt().block_on(async {
        assert_eq!(stream_names(&js(&server.url).await).await, ["legacy"]);
    });

    // A DLQ that was there before the run stays, entries and all.
    ok(&server, &env, &[&ORDERS[..], &["shipments.*"]].concat());
    ok(
        &server,
        &env,
        &["stream", "rm", "orders_stream", "--keep-dlq", "--force"],
    );
    rt().block_on(async {
        let js = js(&server.url).await;
        js.publish("jqnats.dlq.orders_stream.7", "dead job".into())
            .await
            .unwrap()
            .await
            .unwrap();
    });
    let err = fails(&server, &env, &[&ORDERS[..], &["orders.*"]].concat(), 1);
    assert!(err.contains("subjects overlap"), "{err}");
    rt().block_on(async {
        let js = js(&server.url).await;
        assert_eq!(stream_names(&js).await, ["legacy", "orders_stream_dlq"]);
        let mut dlq = js.get_stream("orders_stream_dlq").await.unwrap();
        assert_eq!(dlq.info().await.unwrap().state.messages, 1);
    });
}

#[test]
fn dlq_naming_the_stream_itself_or_another_work_queue_is_a_usage_error() {
    let server = Server::start();
    let env = TestEnv::new();
    let err = fails(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*", "--dlq", "orders_stream"]].concat(),
        2,
    );
    assert!(
        err.starts_with("error: --dlq `orders_stream` names the work stream itself"),
        "{err}"
    );
    rt().block_on(async {
        assert!(stream_names(&js(&server.url).await).await.is_empty());
    });

    ok(
        &server,
        &env,
        &["stream", "add", "emails", "--subjects", "emails.*"],
    );
    for update in [&[][..], &["--update"][..]] {
        let err = fails(
            &server,
            &env,
            &[&ORDERS[..], &["orders.*", "--dlq", "emails"], update].concat(),
            2,
        );
        assert!(
            err.starts_with("error: --dlq `emails` names an existing work-queue stream"),
            "{err}"
        );
        assert!(
            err.contains("leave --dlq out for `orders_stream_dlq`"),
            "{err}"
        );
    }
    rt().block_on(async {
        let js = js(&server.url).await;
        assert_eq!(stream_names(&js).await, ["emails", "emails_dlq"]);
        assert_eq!(config_of(&js, "emails").await.subjects, ["emails.*"]);
    });
}

#[test]
fn dlq_naming_the_articles_work_queue_dlq_is_not_refused_as_a_work_queue() {
    let server = Server::start();
    let env = TestEnv::new();
    rt().block_on(async { article_streams(&js(&server.url).await).await });
    // orders_unprocessed is a work-queue stream, but it already takes the advisories of
    // orders_stream: it is what the hint without --dlq names.
    let err = fails(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*", "--deny-delete"]].concat(),
        1,
    );
    assert!(
        err.contains("use it with --dlq orders_unprocessed"),
        "{err}"
    );
    let err = fails(
        &server,
        &env,
        &[
            &ORDERS[..],
            &["orders.*", "--deny-delete", "--dlq", "orders_unprocessed"],
        ]
        .concat(),
        1,
    );
    assert!(
        !err.contains("names an existing work-queue stream"),
        "{err}"
    );
}

#[test]
fn zero_limits_and_windows_are_compared_as_the_server_stores_them() {
    let server = Server::start();
    let env = TestEnv::new();
    let zeros = [
        "--dupe-window",
        "0",
        "--max-bytes",
        "0",
        "--max-msg-size",
        "0",
        "--max-msgs",
        "0",
        "--max-msgs-per-subject",
        "0",
    ];
    ok(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*"], &zeros].concat(),
    );
    rt().block_on(async {
        let c = config_of(&js(&server.url).await, "orders_stream").await;
        // What the server made of the zeros.
        assert_eq!(c.duplicate_window, Duration::from_secs(120));
        assert_eq!(c.max_bytes, -1);
        assert_eq!(c.max_message_size, -1);
        assert_eq!(c.max_messages, -1);
        assert_eq!(c.max_messages_per_subject, -1);
    });
    // The same command again, and an edit with the same values, change nothing.
    let (out, _) = ok(
        &server,
        &env,
        &[&ORDERS[..], &["orders.*"], &zeros, &["--json"]].concat(),
    );
    assert_eq!(json_of(&out)["stream"]["action"], "unchanged", "{out}");
    let (out, _) = ok(
        &server,
        &env,
        &[
            &["stream", "edit", "orders_stream"][..],
            &zeros,
            &["--json"],
        ]
        .concat(),
    );
    assert_eq!(json_of(&out)["action"], "unchanged", "{out}");
    assert_eq!(json_of(&out)["changes"], serde_json::json!([]), "{out}");

    // A window of 0 with a shorter max age is the max age.
    let emails = [
        "stream",
        "add",
        "emails",
        "--subjects",
        "emails.*",
        "--max-age",
        "1m",
        "--dupe-window",
        "0",
    ];
    ok(&server, &env, &emails);
    rt().block_on(async {
        let c = config_of(&js(&server.url).await, "emails").await;
        assert_eq!(c.duplicate_window, Duration::from_secs(60));
    });
    let (out, _) = ok(&server, &env, &[&emails[..], &["--json"]].concat());
    assert_eq!(json_of(&out)["stream"]["action"], "unchanged", "{out}");
}

#[test]
fn a_stream_without_discard_new_per_subject_differs_and_edit_sets_it() {
    let server = Server::start();
    let env = TestEnv::new();
    // orders_stream as jq-nats made it before it set discard_new_per_subject.
    rt().block_on(async {
        js(&server.url)
            .await
            .create_stream(Config {
                name: "orders_stream".into(),
                subjects: vec!["orders.*".into()],
                retention: RetentionPolicy::WorkQueue,
                storage: StorageType::File,
                num_replicas: 1,
                discard: DiscardPolicy::New,
                max_messages: -1,
                max_messages_per_subject: 1,
                max_bytes: 256 << 20,
                max_message_size: 1 << 20,
                duplicate_window: Duration::from_secs(120),
                allow_direct: true,
                discard_new_per_subject: false,
                ..Default::default()
            })
            .await
            .unwrap();
    });
    let add = [&ORDERS[..], &["orders.*", "--max-msgs-per-subject", "1"]].concat();
    let err = fails(&server, &env, &add, 1);
    assert!(
        err.starts_with(
            "error: stream `orders_stream` already exists with different settings: discard-new-per-subject: false (existing) vs true (wanted)\n"
        ),
        "{err}"
    );
    let (out, _) = ok(
        &server,
        &env,
        &["stream", "edit", "orders_stream", "--json"],
    );
    let view = json_of(&out);
    assert_eq!(view["action"], "updated", "{out}");
    assert_eq!(
        view["changes"],
        serde_json::json!([{"field": "discard-new-per-subject", "from": "false", "to": "true"}]),
        "{out}"
    );
    rt().block_on(async {
        let c = config_of(&js(&server.url).await, "orders_stream").await;
        assert!(c.discard_new_per_subject);
    });
    let (out, _) = ok(&server, &env, &[&add[..], &["--json"]].concat());
    assert_eq!(json_of(&out)["stream"]["action"], "unchanged", "{out}");
}

/// Settings under which the server deletes jobs nobody ran, with no DLQ entry, are said out
/// loud when set; the defaults say nothing of the kind.
#[test]
fn settings_that_delete_unrun_jobs_are_warned_about() {
    let server = Server::start();
    let env = TestEnv::new();
    let (_, err) = ok(
        &server,
        &env,
        &["stream", "add", "plain", "--subjects", "pl.*"],
    );
    assert!(!err.contains("warning:"), "{err}");
    let (_, err) = ok(
        &server,
        &env,
        &[
            "stream",
            "add",
            "aging",
            "--subjects",
            "ag.*",
            "--max-age",
            "1h",
        ],
    );
    assert!(
        err.contains("warning: with --max-age 1h, the server deletes a job not done within 1h of its publish"),
        "{err}"
    );
    let (_, err) = ok(
        &server,
        &env,
        &[
            "stream",
            "add",
            "old",
            "--subjects",
            "od.*",
            "--discard",
            "old",
            "--max-msgs",
            "10",
        ],
    );
    assert!(
        err.contains("warning: with --discard old, a full stream makes room for a new job by deleting its oldest"),
        "{err}"
    );
    let (_, err) = ok(
        &server,
        &env,
        &["stream", "edit", "plain", "--max-age", "10m"],
    );
    assert!(err.contains("warning: with --max-age 10m"), "{err}");
}
