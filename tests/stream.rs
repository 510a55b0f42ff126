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
