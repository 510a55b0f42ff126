//! The floors `bench/run` measures jq-nats against, and the helpers it needs around them: the
//! least a program can do with async-nats (or the OS) to get the same work done, so a ratio
//! against it says what jq-nats costs on top.
//!
//! ```text
//! bench_floor publish URL SUBJECT [WINDOW]      stdin lines -> JetStream, WINDOW acks in flight (1024), msg ids set
//! bench_floor fill URL SUBJECT COUNT SIZE       COUNT generated jobs of SIZE bytes (setup, untimed)
//! bench_floor consume URL STREAM COUNT          pull in batches, ack each, until COUNT acked
//! bench_floor spawn CONCURRENCY COUNT CMD...    spawn and reap CMD COUNT times, CONCURRENCY at once
//! bench_floor dead URL STREAM DLQ COUNT SIZE  COUNT dead jobs, as workers leave them (setup)
//! bench_floor raw-replay URL STREAM DLQ SUBJECT COUNT   COUNT dead jobs read, published to SUBJECT, DLQ purged
//! bench_floor reset URL STREAM                  delete the stream's consumers and purge it
//! bench_floor latency-pub URL SUBJECT COUNT GAP_MS   one job at a time carrying its publish time (ns)
//! bench_floor latency-recv URL STREAM COUNT OUT      receive COUNT, write publish-to-receive µs to OUT
//! bench_floor stamp-lines OUT COUNT             publish-to-line µs of each line on stdin (print mode)
//! bench_floor percentiles FILE                  "p50 p99" in ms of the µs values in FILE
//! ```

use std::collections::VecDeque;
use std::io::BufRead;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, consumer::pull, consumer::PullConsumer};
use async_nats::HeaderMap;
use bytes::Bytes;
use futures::StreamExt;
use jq_nats::dlq::{self, entry::DeadJob};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const USAGE: &str = "usage: bench_floor publish|fill|consume|spawn|dead|raw-replay|reset|latency-pub|latency-recv|stamp-lines|percentiles ARGS (see examples/bench_floor.rs)";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("stamp-lines") if args.len() == 3 => stamp_lines(&args[1], num(&args[2])),
        Some("percentiles") if args.len() == 2 => percentiles(&args[1]),
        Some("spawn") if args.len() >= 4 => spawn(num(&args[1]), num(&args[2]), &args[3..]),
        Some(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(nats(&args)),
        None => Err(USAGE.into()),
    };
    if let Err(e) = result {
        eprintln!("bench_floor: {e}");
        std::process::exit(1);
    }
}

async fn nats(args: &[String]) -> Result<()> {
    let arg = |i: usize| args.get(i).map(String::as_str).ok_or(USAGE);
    let client = async_nats::connect(arg(1)?).await?;
    let js = jetstream::new(client.clone());
    match arg(0)? {
        "publish" => {
            let window = args.get(3).map_or(1024, |w| num(w));
            publish_stdin(&js, arg(2)?, window).await?
        }
        "fill" => fill(&js, arg(2)?, num(arg(3)?), num(arg(4)?)).await?,
        "consume" => consume(&js, arg(2)?, num(arg(3)?)).await?,
        "dead" => dead(&js, arg(2)?, arg(3)?, num(arg(4)?), num(arg(5)?)).await?,
        "reset" => reset(&js, arg(2)?).await?,
        "raw-replay" => raw_replay(&js, arg(2)?, arg(3)?, arg(4)?, num(arg(5)?)).await?,
        "latency-pub" => latency_pub(&js, arg(2)?, num(arg(3)?), num(arg(4)?)).await?,
        "latency-recv" => latency_recv(&js, arg(2)?, num(arg(3)?), arg(4)?).await?,
        _ => return Err(USAGE.into()),
    }
    client.flush().await?;
    Ok(())
}

/// Keeps `window` publish acks in flight, settling the oldest first.
struct Pipeline {
    acks: VecDeque<jetstream::context::PublishAckFuture>,
    window: usize,
}

impl Pipeline {
    fn new(window: usize) -> Pipeline {
        Pipeline {
            acks: VecDeque::with_capacity(window),
            window,
        }
    }

    async fn push(&mut self, ack: jetstream::context::PublishAckFuture) -> Result<()> {
        self.acks.push_back(ack);
        if self.acks.len() >= self.window {
            self.acks.pop_front().expect("full").await?;
        }
        Ok(())
    }

    async fn finish(self) -> Result<()> {
        for ack in self.acks {
            ack.await?;
        }
        Ok(())
    }
}

/// The publish floor: a job per stdin line, each with a message id (as `jq-nats publish`
/// would need to resend safely), `window` acks in flight.
async fn publish_stdin(js: &jetstream::Context, subject: &str, window: usize) -> Result<()> {
    let run = nuid::next();
    let subject = async_nats::Subject::from(subject);
    let mut pipeline = Pipeline::new(window);
    let mut input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin().lock());
    let mut line = Vec::with_capacity(256);
    let mut n = 0u64;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        n += 1;
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", format!("{run}-{n}").as_str());
        let ack = js
            .publish_with_headers(subject.clone(), headers, Bytes::copy_from_slice(&line))
            .await?;
        pipeline.push(ack).await?;
    }
    pipeline.finish().await
}

fn payload(i: usize, size: usize) -> Bytes {
    let mut body = format!("job-{i}-").into_bytes();
    body.resize(size.max(body.len()), b'x');
    body.into()
}

async fn fill(js: &jetstream::Context, subject: &str, count: usize, size: usize) -> Result<()> {
    let subject = async_nats::Subject::from(subject);
    let mut pipeline = Pipeline::new(1024);
    for i in 0..count {
        pipeline
            .push(js.publish(subject.clone(), payload(i, size)).await?)
            .await?;
    }
    pipeline.finish().await
}

/// The consume floor: a durable pull consumer, batches of 256 (as `work` asks), a plain ack
/// per message.
async fn consume(js: &jetstream::Context, stream: &str, count: usize) -> Result<()> {
    let consumer = durable(js, stream, "floor").await?;
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(256)
        .messages()
        .await?;
    let mut n = 0;
    while n < count {
        let Some(message) = messages.next().await else {
            return Err(format!("the consumer ended after {n} of {count}").into());
        };
        message?.ack().await?;
        n += 1;
    }
    Ok(())
}

async fn durable(js: &jetstream::Context, stream: &str, name: &str) -> Result<PullConsumer> {
    Ok(js
        .get_stream(stream)
        .await?
        .get_or_create_consumer(
            name,
            pull::Config {
                durable_name: Some(name.to_string()),
                ..Default::default()
            },
        )
        .await?)
}

/// Dead jobs as workers leave them: the jobs published to the work stream, a full copy of
/// each written to the DLQ (entry headers and all), then the originals removed.
async fn dead(
    js: &jetstream::Context,
    stream: &str,
    dlq_stream: &str,
    count: usize,
    size: usize,
) -> Result<()> {
    let work_subject = format!("{stream}.dead");
    let mut acks = VecDeque::new();
    let mut seqs = Vec::with_capacity(count);
    for i in 0..count {
        acks.push_back(js.publish(work_subject.clone(), payload(i, size)).await?);
        if acks.len() >= 1024 {
            seqs.push(acks.pop_front().expect("full").await?.sequence);
        }
    }
    for ack in acks {
        seqs.push(ack.await?.sequence);
    }
    let mut pipeline = Pipeline::new(1024);
    for (i, seq) in seqs.into_iter().enumerate() {
        let job = DeadJob {
            stream: stream.to_string(),
            seq,
            subject: work_subject.clone(),
            consumer: "processor".into(),
            attempts: 1,
            reason: "exit code 1".into(),
            exit_code: Some(1),
            signal: None,
            timed_out: false,
            stderr_tail: None,
            died_at: "2025-01-01T00:00:00Z".into(),
            worker: "bench/1".into(),
            payload: payload(i, size),
            headers: None,
        };
        // The entry as a worker writes it (`worker::job`): its headers and nothing else.
        let ack = js
            .publish_with_headers(
                dlq::entry_subject(stream, seq),
                job.entry_headers(),
                job.payload,
            )
            .await?;
        pipeline.push(ack).await?;
    }
    pipeline.finish().await?;
    let stored = js
        .get_stream(dlq_stream)
        .await?
        .cached_info()
        .state
        .messages;
    if stored < count as u64 {
        return Err(format!("{dlq_stream} holds {stored} entries, not {count}").into());
    }
    js.get_stream(stream).await?.purge().await?;
    Ok(())
}

/// The least a replay can do: read each dead job (a consumer of its own without acks, batches
/// of a thousand, as `dlq` commands read a DLQ in bulk), publish its payload as it arrives
/// (1024 acks in flight, the message id a replay carries), then purge the DLQ. Nothing is
/// checked, claimed or recorded: a second replay running at once would publish every job again.
async fn raw_replay(
    js: &jetstream::Context,
    work: &str,
    dlq: &str,
    subject: &str,
    count: usize,
) -> Result<()> {
    let stream = js.get_stream(dlq).await?;
    let consumer = stream
        .create_consumer(pull::Config {
            ack_policy: jetstream::consumer::AckPolicy::None,
            ..Default::default()
        })
        .await?;
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(1000)
        .messages()
        .await?;
    let subject = async_nats::Subject::from(subject);
    let mut pipeline = Pipeline::new(1024);
    for n in 0..count {
        let Some(message) = messages.next().await else {
            return Err(format!("the consumer ended after {n} of {count}").into());
        };
        let message = message?;
        // The entry's subject ends in the job's sequence: `replay-STREAM-SEQ`, as `dlq replay`.
        let seq = message.subject.rsplit('.').next().unwrap_or_default();
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", format!("replay-{work}-{seq}").as_str());
        let ack = js
            .publish_with_headers(subject.clone(), headers, message.payload.clone())
            .await?;
        pipeline.push(ack).await?;
    }
    pipeline.finish().await?;
    stream.purge().await?;
    Ok(())
}

async fn reset(js: &jetstream::Context, stream: &str) -> Result<()> {
    let mut handle = js.get_stream(stream).await?;
    let names: Vec<String> = handle
        .consumer_names()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<std::result::Result<_, _>>()?;
    for name in names {
        handle.delete_consumer(&name).await?;
    }
    handle.purge().await?;
    let _ = handle.info().await?;
    Ok(())
}

fn now_ns() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos()
}

/// Microseconds from the publish time a payload carries to `at`.
fn since(payload: &[u8], at: u128) -> Option<u128> {
    let sent: u128 = std::str::from_utf8(payload).ok()?.trim().parse().ok()?;
    Some(at.saturating_sub(sent) / 1000)
}

/// One job at a time, each stamped with its publish time and acked before the next; `gap_ms`
/// between them keeps the worker idle when the next one comes.
async fn latency_pub(
    js: &jetstream::Context,
    subject: &str,
    count: usize,
    gap_ms: usize,
) -> Result<()> {
    // Wait for the receiver's consumer, so no job waits for a receiver still starting.
    let stream = js.stream_by_subject(subject).await?;
    let mut handle = js.get_stream(&stream).await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while handle.info().await?.state.consumer_count == 0 {
        if std::time::Instant::now() > deadline {
            return Err("no consumer on the stream after 10s".into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    for _ in 0..count {
        js.publish(subject.to_string(), now_ns().to_string().into())
            .await?
            .await?;
        tokio::time::sleep(Duration::from_millis(gap_ms as u64)).await;
    }
    Ok(())
}

/// The latency floor: a pull consumer waiting for jobs, timing each on receipt.
async fn latency_recv(
    js: &jetstream::Context,
    stream: &str,
    count: usize,
    out: &str,
) -> Result<()> {
    let consumer = durable(js, stream, "floor").await?;
    let mut messages = consumer.messages().await?;
    let mut lines = String::new();
    for _ in 0..count {
        let message = messages.next().await.ok_or("the consumer ended")??;
        let at = now_ns();
        if let Some(us) = since(&message.payload, at) {
            lines.push_str(&format!("{us}\n"));
        }
        message.ack().await?;
    }
    std::fs::write(out, lines)?;
    Ok(())
}

/// As a `work` handler: the job's publish-to-start time, "start" being the first thing this
/// process does (the clock is read before anything else in main).
/// Behind `work` printing jobs: the publish-to-line time of each job as it arrives.
fn stamp_lines(out: &str, count: usize) -> Result<()> {
    let mut lines = String::new();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut line = String::new();
    for _ in 0..count {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        if let Some(us) = since(line.as_bytes(), now_ns()) {
            lines.push_str(&format!("{us}\n"));
        }
    }
    std::fs::write(out, lines)?;
    // Keep reading, so the worker never writes to a closed pipe.
    std::io::copy(&mut input, &mut std::io::sink())?;
    Ok(())
}

fn percentiles(file: &str) -> Result<()> {
    let mut values: Vec<u64> = std::fs::read_to_string(file)?
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    if values.is_empty() {
        return Err(format!("no values in {file}").into());
    }
    values.sort_unstable();
    let at = |p: f64| values[((values.len() - 1) as f64 * p).round() as usize] as f64 / 1000.0;
    println!("{:.3} {:.3}", at(0.5), at(0.99));
    Ok(())
}

/// The spawn floor: CONCURRENCY threads spawning and reaping CMD until COUNT have run.
fn spawn(concurrency: usize, count: usize, cmd: &[String]) -> Result<()> {
    let next = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let next = next.clone();
            let cmd = cmd.to_vec();
            std::thread::spawn(move || -> std::io::Result<()> {
                while next.fetch_add(1, Ordering::Relaxed) < count {
                    let status = std::process::Command::new(&cmd[0])
                        .args(&cmd[1..])
                        .stdin(std::process::Stdio::null())
                        .status()?;
                    if !status.success() {
                        return Err(std::io::Error::other(format!("{cmd:?}: {status}")));
                    }
                }
                Ok(())
            })
        })
        .collect();
    for t in threads {
        t.join().expect("spawner thread")?;
    }
    Ok(())
}

fn num(s: &str) -> usize {
    s.parse()
        .unwrap_or_else(|_| panic!("`{s}` is not a number\n{USAGE}"))
}
