//! A trivial NATS service for `bench/pipe.sh` and `jq-nats work --request`: answers every
//! request on SUBJECT (in queue group `jq`) with an empty reply, which acks the job.
//!
//! ```text
//! cargo build --release --example echo_responder
//! target/release/examples/echo_responder nats://127.0.0.1:4222 svc.orders
//! ```

use futures::StreamExt;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: echo_responder URL SUBJECT");
        std::process::exit(2);
    }
    let client = async_nats::connect(&args[1]).await.expect("connect");
    let mut requests = client
        .queue_subscribe(args[2].clone(), "jq".into())
        .await
        .expect("subscribe");
    client.flush().await.expect("flush");
    println!("ready");
    while let Some(request) = requests.next().await {
        if let Some(reply) = request.reply {
            let _ = client.publish(reply, bytes::Bytes::new()).await;
        }
    }
}
