//! The baseline `jq-nats work` (print mode) is measured against: a raw async-nats pull consumer
//! (`messages()`, a plain `ack()` per message), and a windowed publisher to fill a stream.
//!
//! ```text
//! cargo build --release --bin jq-nats --example consume_baseline
//! B=target/release/examples/consume_baseline J=target/release/jq-nats U=nats://127.0.0.1:4222
//! $J -s $U stream add braw --subjects 'braw.>' --max-bytes 1GB --no-dlq
//! $J -s $U stream add bjq --subjects 'bjq.>' --max-bytes 1GB
//! $B publish $U braw.x 200000 128 && $B consume $U braw raw 200000
//! $B publish $U bjq.x 200000 128 && $J -s $U work bjq --max-jobs 200000 > /dev/null
//! ```

use std::collections::VecDeque;
use std::time::Instant;

use async_nats::jetstream::{self, consumer::pull, consumer::PullConsumer};
use futures::StreamExt;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: consume_baseline publish URL SUBJECT COUNT SIZE | consume URL STREAM CONSUMER COUNT";
    if args.len() < 6 {
        eprintln!("{usage}");
        std::process::exit(2);
    }
    let client = async_nats::connect(&args[2]).await.expect("connect");
    let js = jetstream::new(client.clone());
    match args[1].as_str() {
        "publish" => {
            let (subject, count, size) = (&args[3], num(&args[4]), num(&args[5]));
            let mut acks = VecDeque::new();
            for i in 0..count {
                let mut body = format!("job-{i}-");
                while body.len() < size {
                    body.push('x');
                }
                acks.push_back(
                    js.publish(subject.clone(), body.into())
                        .await
                        .expect("publish"),
                );
                if acks.len() >= 1024 {
                    acks.pop_front().unwrap().await.expect("publish ack");
                }
            }
            for ack in acks {
                ack.await.expect("publish ack");
            }
        }
        "consume" => {
            let (stream, name, count) = (&args[3], &args[4], num(&args[5]));
            let consumer: PullConsumer = js
                .get_stream(stream)
                .await
                .expect("stream")
                .get_or_create_consumer(
                    name,
                    pull::Config {
                        durable_name: Some(name.clone()),
                        ..Default::default()
                    },
                )
                .await
                .expect("consumer");
            let started = Instant::now();
            let mut messages = consumer.messages().await.expect("messages");
            let mut n = 0;
            while let Some(message) = messages.next().await {
                message.expect("message").ack().await.expect("ack");
                n += 1;
                if n == count {
                    break;
                }
            }
            client.flush().await.expect("flush");
            let secs = started.elapsed().as_secs_f64();
            println!(
                "raw: {n} jobs in {secs:.2}s ({:.0} jobs/s)",
                n as f64 / secs
            );
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}

fn num(s: &str) -> usize {
    s.parse().expect("a number")
}
