//! Load against a real nats-server: 200,000 jobs published with `jq-nats publish` from stdin,
//! four `jq-nats work --pipe --concurrency 16` processes on one consumer, a handler failing
//! about 10% of attempts, MaxDeliver 3. Every job must end done or dead (in the DLQ, with its
//! payload), never both, with nothing left in the work stream or the consumer.
//!
//! Why `--pipe`: a process per attempt costs ~3ms of CPU (PERF-FACTS). Measured on this 2-core
//! machine, four workers × `--concurrency 16` running `sh -c 'cat >/dev/null'` per job did
//! ~660 jobs/s: the ~220,000 attempts would take five and a half minutes, per server. A
//! long-lived handler (tests/handlers/flaky.c) keeps the run to the queue's own cost (~30s),
//! which is what this test loads.
//!
//! Why a hash rather than a random draw: the handler fails an attempt when a hash of the job's
//! payload and the attempt number says so (1 in 10). Each attempt is still an independent draw,
//! as with a random failure, but the run is reproducible and the test knows exactly which jobs
//! must die (those whose attempts 1, 2 and 3 all draw a failure) and which must be done.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

use common::*;

const STREAM: &str = "orders_stream";
const DLQ: &str = "orders_stream_dlq";
const JOBS: usize = 200_000;
const WORKERS: usize = 4;
const MAX_DELIVER: u64 = 3;

/// What tests/handlers/flaky.c computes: FNV-1a of the payload, the attempt mixed in, then
/// splitmix64's finalizer; 1 in 10 fails.
fn fails(payload: &str, attempt: u64) -> bool {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in payload.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h ^= attempt;
    h = h.wrapping_mul(0x100000001b3);
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58476d1ce4e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d049bb133111eb);
    h ^= h >> 31;
    h % 10 == 0
}

/// tests/handlers/flaky.c, compiled once.
fn flaky() -> String {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("flaky");
    let status = std::process::Command::new("cc")
        .args(["-O2", "-o"])
        .arg(&out)
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/handlers/flaky.c"))
        .status()
        .expect("cc (a C compiler) runs");
    assert!(status.success(), "flaky.c compiles");
    path_str(&out)
}

/// A live process's peak resident set (VmHWM), in KiB.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Workers killed if the test fails before they end.
struct Workers(Vec<Child>);

impl Drop for Workers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn four_workers_work_through_200k_jobs_with_random_failures_and_every_job_ends_done_or_dead() {
    let server = Server::start();
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let jq = |args: &[&str]| {
        let mut cmd = env.jq();
        cmd.arg("-s").arg(&server.url).args(args);
        cmd.timeout(Duration::from_secs(120));
        cmd
    };
    jq(&["stream", "add", STREAM, "--subjects", "orders.*"])
        .assert()
        .success();
    let handler = flaky();

    // Publish: one job per line of stdin.
    let payloads: Vec<String> = (0..JOBS).map(|i| format!("job-{i:06}")).collect();
    let mut input = payloads.join("\n");
    input.push('\n');
    let started = Instant::now();
    let out = jq(&["publish", "orders.new"])
        .write_stdin(input)
        .output()
        .unwrap();
    let publish_took = started.elapsed();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let url = server.url.clone();
    let stream_state = |name: &str| {
        rt().block_on(async {
            let js = js(&url).await;
            let mut s = js.get_stream(name).await.unwrap();
            s.info().await.unwrap().state.clone()
        })
    };
    let state = stream_state(STREAM);
    // Each job stored once: no retried publish was stored twice.
    assert_eq!(
        (state.messages, state.last_sequence),
        (JOBS as u64, JOBS as u64)
    );

    // Work: four workers on the one consumer.
    let log = path_str(&dir.path().join("attempts"));
    let started = Instant::now();
    let mut workers = Workers(Vec::new());
    for i in 0..WORKERS {
        let stdout = std::fs::File::create(dir.path().join(format!("events-{i}"))).unwrap();
        let stderr = std::fs::File::create(dir.path().join(format!("stderr-{i}"))).unwrap();
        let child = env
            .jq_std()
            .arg("-s")
            .arg(&server.url)
            .args([
                "work",
                STREAM,
                "--pipe",
                "--concurrency",
                "16",
                "--max-deliver",
                &MAX_DELIVER.to_string(),
                "--backoff",
                "1s",
                "--until-empty",
                "--json",
                "-q",
                "--",
                &handler,
                &log,
            ])
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .unwrap();
        workers.0.push(child);
    }
    // Waits for every worker, noting the largest peak RSS (VmHWM) seen among them.
    let deadline = Instant::now() + Duration::from_secs(150);
    let mut statuses: Vec<Option<std::process::ExitStatus>> = vec![None; WORKERS];
    let mut peak_rss_kib = 0u64;
    while statuses.iter().any(Option::is_none) {
        for (child, status) in workers.0.iter_mut().zip(&mut statuses) {
            if status.is_some() {
                continue;
            }
            if let Some(hwm) = vm_hwm_kib(child.id()) {
                peak_rss_kib = peak_rss_kib.max(hwm);
            }
            *status = child.try_wait().unwrap();
        }
        assert!(Instant::now() < deadline, "the workers did not finish");
        std::thread::sleep(Duration::from_millis(100));
    }
    let statuses: Vec<_> = statuses.into_iter().flatten().collect();
    let work_took = started.elapsed();
    let read = |name: String| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let stderrs: Vec<String> = (0..WORKERS).map(|i| read(format!("stderr-{i}"))).collect();
    for (status, err) in statuses.iter().zip(&stderrs) {
        assert!(status.success(), "{status:?}: {err}");
    }

    // The workers' own counts.
    let mut counted: BTreeMap<&str, u64> = BTreeMap::new();
    for i in 0..WORKERS {
        let events = read(format!("events-{i}"));
        let summary: serde_json::Value =
            serde_json::from_str(events.lines().last().expect("a summary")).unwrap();
        assert_eq!(summary["type"], "summary");
        for key in ["done", "dead", "retried", "parked", "requeued"] {
            *counted.entry(key).or_default() += summary[key].as_u64().unwrap();
        }
    }

    // What the handler did: every attempt, by payload.
    let mut attempts: HashMap<String, Vec<(u64, bool)>> = HashMap::new();
    for line in read("attempts".into()).lines() {
        let mut parts = line.split(' ');
        let (payload, attempt, outcome) = (
            parts.next().unwrap(),
            parts.next().unwrap().parse::<u64>().unwrap(),
            parts.next().unwrap(),
        );
        attempts
            .entry(payload.to_string())
            .or_default()
            .push((attempt, outcome == "ok"));
    }

    // The DLQ, through the independent client: one entry per dead job, with its payload.
    let dlq_state = stream_state(DLQ);
    let entries = rt().block_on(async {
        let js = js(&url).await;
        let s = js.get_stream(DLQ).await.unwrap();
        let mut out = Vec::new();
        if dlq_state.messages > 0 {
            for seq in dlq_state.first_sequence..=dlq_state.last_sequence {
                out.extend(stored_at(&s, seq).await);
            }
        }
        out
    });
    let mut dead = BTreeSet::new();
    for e in &entries {
        let payload = String::from_utf8_lossy(&e.payload).into_owned();
        let header = |name: &str| e.headers.get(name).map(|v| v.as_str().to_string());
        assert_eq!(header("Jq-Dlq-Reason").as_deref(), Some("random failure"));
        assert_eq!(
            header("Jq-Dlq-Attempts"),
            Some(MAX_DELIVER.to_string()),
            "{payload}"
        );
        assert!(dead.insert(payload.clone()), "{payload} dead twice");
    }

    // Nothing left: the work stream and the consumer are empty.
    let state = stream_state(STREAM);
    assert_eq!(state.messages, 0);
    let info = rt().block_on(async {
        let js = js(&url).await;
        let s = js.get_stream(STREAM).await.unwrap();
        s.consumer_info("processor").await.unwrap().clone()
    });
    assert_eq!((info.num_pending, info.num_ack_pending), (0, 0));

    // Every job done or dead, never both; the dead ones exactly those that draw a failure on
    // every attempt.
    let mut done = 0u64;
    // Jobs done more than once, and the runs past the first.
    let (mut ran_twice, mut extra_runs) = (0u64, 0u64);
    let mut lost = Vec::new();
    for p in &payloads {
        let oks = attempts
            .get(p)
            .map_or(0, |a| a.iter().filter(|(_, ok)| *ok).count());
        match (oks, dead.contains(p)) {
            (0, false) => lost.push(p.clone()),
            (0, true) => {}
            (_, true) => panic!("{p} is done and dead: {:?}", attempts.get(p)),
            (n, false) => {
                done += 1;
                if n > 1 {
                    ran_twice += 1;
                    extra_runs += n as u64 - 1;
                }
            }
        }
    }
    assert!(
        lost.is_empty(),
        "{} jobs lost: {:?}",
        lost.len(),
        &lost[..10.min(lost.len())]
    );
    assert_eq!(done + dead.len() as u64, JOBS as u64);
    let must_die: BTreeSet<String> = payloads
        .iter()
        .filter(|p| (1..=MAX_DELIVER).all(|a| fails(p, a)))
        .cloned()
        .collect();
    assert_eq!(
        dead, must_die,
        "dead jobs are the ones failing every attempt"
    );
    // The handler's hash and ours agree (else `must_die` above would mean nothing).
    for (p, seen) in &attempts {
        for (attempt, ok) in seen {
            assert_eq!(!fails(p, *attempt), *ok, "{p} attempt {attempt}");
        }
    }
    let failed_attempts: u64 = attempts
        .values()
        .map(|a| a.iter().filter(|(_, ok)| !ok).count() as u64)
        .sum();
    let rate = failed_attempts as f64 / attempts.values().map(|a| a.len()).sum::<usize>() as f64;
    assert!((0.09..0.11).contains(&rate), "failure rate {rate}");
    assert_eq!(counted["dead"], dead.len() as u64);
    assert_eq!(counted["done"], done + extra_runs, "{counted:?}");
    assert_eq!(counted["parked"], 0);
    // Every failed attempt was either retried or the last one, sending its job to the DLQ.
    assert_eq!(
        counted["retried"] + counted["dead"],
        failed_attempts,
        "{counted:?}"
    );

    common::reliability::held(
        "Load",
        "4 workers × --pipe --concurrency 16, 200,000 jobs, 10% of attempts fail, MaxDeliver 3",
        &format!(
            "{JOBS} published (in {:.1}s) = {done} done + {} dead (exactly the jobs failing all 3 attempts, in the DLQ with payload), 0 lost, 0 both; {ran_twice} done twice; {failed_attempts} failed attempts ({:.1}%); work stream and consumer empty; worked in {:.1}s, largest worker peak RSS {:.1} MiB",
            publish_took.as_secs_f64(),
            dead.len(),
            rate * 100.0,
            work_took.as_secs_f64(),
            peak_rss_kib as f64 / 1024.0
        ),
    );
}
