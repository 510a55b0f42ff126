//! The handler behind the latency figure of `bench/run` (`work -- stamp OUT`): the time from
//! the job's publish (nanoseconds since the epoch, its payload) to this process's start, in µs,
//! appended to OUT. A program of its own, with nothing but std, so what is measured is
//! jq-nats starting a handler, not the loading of a large handler binary (bench_floor, linked
//! with async-nats, takes about 0.7 ms longer to start than a small program here). The
//! figure's target row times `bench/stamp-entry.c` instead, at its entry point, before any C
//! library start-up; this one, at main, has the row after it.

use std::io::{Read, Write};

fn main() {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    let Some(out) = std::env::args().nth(1) else {
        eprintln!("usage: stamp OUT (a handler: reads a job carrying its publish time in ns)");
        std::process::exit(2);
    };
    let mut job = String::new();
    let sent: Option<u128> = std::io::stdin()
        .read_to_string(&mut job)
        .ok()
        .and_then(|_| job.trim().parse().ok());
    let Some(sent) = sent else {
        eprintln!("stamp: the job carries no publish time");
        std::process::exit(1);
    };
    let us = started.saturating_sub(sent) / 1000;
    let written = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&out)
        .and_then(|mut f| f.write_all(format!("{us}\n").as_bytes()));
    if let Err(e) = written {
        eprintln!("stamp: {out}: {e}");
        std::process::exit(1);
    }
}
