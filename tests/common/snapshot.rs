//! What a server holds, to show that a command which failed changed nothing: every stream's
//! name, config and state, every message (subject, headers, payload) and every consumer's
//! name and config, read with an independent client.

use async_nats::jetstream::Context;
use futures::StreamExt;
use serde_json::{json, Value};

/// Everything in the server's JetStream account, as JSON that compares equal only when nothing
/// changed.
pub async fn take(js: &Context) -> Value {
    let mut names: Vec<String> = js
        .stream_names()
        .map(|n| n.expect("stream name"))
        .collect()
        .await;
    names.sort();
    let mut streams = Vec::new();
    for name in names {
        let mut stream = js.get_stream(&name).await.expect("get stream");
        let info = stream.info().await.expect("stream info").clone();
        let s = &info.state;
        let mut messages = Vec::new();
        if s.messages > 0 {
            for seq in s.first_sequence..=s.last_sequence {
                if let Some(m) = super::stored_at(&stream, seq).await {
                    let mut headers: Vec<String> = m
                        .headers
                        .iter()
                        .flat_map(|(k, vs)| vs.iter().map(move |v| format!("{k}: {}", v.as_str())))
                        .collect();
                    headers.sort();
                    messages.push(json!({
                        "seq": seq,
                        "subject": m.subject.to_string(),
                        "headers": headers,
                        "payload": m.payload.to_vec(),
                    }));
                }
            }
        }
        let mut consumers = Vec::new();
        let mut list = stream.consumers();
        while let Some(c) = list.next().await {
            let c = c.expect("consumer info");
            consumers.push(json!({
                "name": c.name,
                "delivered": c.delivered.stream_sequence,
                "config": serde_json::to_value(&c.config).unwrap(),
            }));
        }
        consumers.sort_by_key(|c| c["name"].as_str().unwrap_or_default().to_string());
        streams.push(json!({
            "name": name,
            "config": serde_json::to_value(&info.config).unwrap(),
            "messages": s.messages,
            "first_seq": s.first_sequence,
            "last_seq": s.last_sequence,
            "deleted": s.deleted_count,
            "contents": messages,
            "consumers": consumers,
        }));
    }
    Value::Array(streams)
}

/// Counts for a reliability row: "2 streams, 7 messages, 1 consumer".
pub fn describe(snapshot: &Value) -> String {
    let streams = snapshot.as_array().map(Vec::len).unwrap_or(0);
    let messages: u64 = snapshot
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["messages"].as_u64().unwrap_or(0))
        .sum();
    let consumers: usize = snapshot
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["consumers"].as_array().map(Vec::len).unwrap_or(0))
        .sum();
    format!("{streams} streams, {messages} messages, {consumers} consumers")
}

/// Asserts two snapshots are equal, naming `what` was run in between.
pub fn assert_unchanged(before: &Value, after: &Value, what: &str) {
    if before != after {
        panic!(
            "{what} changed the server:\nbefore: {}\nafter:  {}",
            serde_json::to_string_pretty(before).unwrap(),
            serde_json::to_string_pretty(after).unwrap()
        );
    }
}

/// The snapshot without the sequence counters (last sequence, deleted count): what the server
/// holds, for commands that may write and take back a marker (a `dlq replay` whose publish was
/// refused claims the job with a marker and removes it), which advances the counters only.
pub fn held_only(snapshot: &Value) -> Value {
    let mut v = snapshot.clone();
    for s in v.as_array_mut().into_iter().flatten() {
        let o = s.as_object_mut().expect("stream object");
        o.remove("last_seq");
        o.remove("deleted");
    }
    v
}
