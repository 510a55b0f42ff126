//! `work --pipe -- COMMAND`: long-lived handlers, `--concurrency` of them, each fed jobs as JSON
//! lines on its stdin and answering one JSON line per job on its stdout, in any order, with up
//! to `--pipe-inflight` jobs outstanding each.
//!
//! A handler that exits, closes its stdout, or leaves a job unanswered past `--handler-timeout`
//! is (killed and) restarted. The jobs it held are failed with a reason saying what happened,
//! so the ack policy in [`super::job`] retries or dead-letters them like any other failure;
//! except after a timeout, where only the job that ran out of time is failed and the others,
//! which only waited behind it, are given to the restarted handler on the same attempt.
//!
//! `--handler-timeout` is how long one job may take, not how long it may wait: only the clock
//! of the handler's oldest unanswered job runs, from when its line was written, when the job
//! ahead of it was answered (it became the oldest), or its own last progress line, whichever
//! is latest. A handler answering in order is so never killed while each job takes less than
//! the timeout, however many jobs wait behind a slow one in its stdin (their clocks would
//! otherwise run out while the handler has not even read them); a job that gets no answer for
//! the timeout once nothing is ahead of it is caught even while the handler answers later jobs.
//!
//! Lines of jobs started together are written in one go when the worker flushes (after handing
//! over the jobs it received); answers are read through one buffer per handler.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::ffi::OsString;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::ChildStdin;
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::handler::{self, Groups, Tail, KILL_GRACE};
use super::job::{Attempt, Execution, Job, Progress, Shared, Verdict};
use super::print::base64;
use super::report::Log;
use crate::dlq::entry::stderr_tail;
use crate::units::format_duration;

/// Jobs outstanding per handler unless `--pipe-inflight` says otherwise.
pub const DEFAULT_INFLIGHT: usize = 64;
/// A handler that ends sooner than this after starting is restarted only after this long, so a
/// broken one does not spin.
const RESTART_PAUSE: Duration = Duration::from_secs(1);
/// How often unanswered jobs are checked against `--handler-timeout`.
const HANG_CHECK_EVERY: Duration = Duration::from_millis(100);
/// How much of a line that breaks the protocol is shown.
const SHOWN: usize = 200;
/// The longest answer line kept: the rest of a longer line is dropped as it comes, so a
/// handler writing hundreds of MB with no newline cannot grow the worker's memory with it.
const MAX_ANSWER: usize = 1 << 20;

/// A job as its line on the handler's stdin. `id` comes first, always a number.
#[derive(Serialize)]
struct Line<'a> {
    id: u64,
    stream: &'a str,
    consumer: &'a str,
    subject: &'a str,
    seq: u64,
    attempt: u64,
    max_deliver: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    msg_id: Option<&'a str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    headers: BTreeMap<&'a str, Vec<&'a str>>,
    /// UTF-8 text as it is, anything else in base64 (and `encoding` says so).
    payload: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding: Option<&'static str>,
}

/// A line the handler writes on its stdout.
#[derive(Deserialize)]
struct Answer {
    id: Option<u64>,
    ok: Option<bool>,
    #[serde(default)]
    fatal: bool,
    error: Option<String>,
    #[serde(default)]
    progress: bool,
}

fn write_line(out: &mut Vec<u8>, id: u64, shared: &Shared, job: &Job) {
    let headers = job
        .msg
        .headers
        .iter()
        .flat_map(|h| h.iter())
        .map(|(name, values)| (name.as_ref(), values.iter().map(|v| v.as_str()).collect()))
        .collect();
    let (payload, encoding) = match std::str::from_utf8(&job.msg.payload) {
        Ok(text) => (Cow::Borrowed(text), None),
        Err(_) => (Cow::Owned(base64(&job.msg.payload)), Some("base64")),
    };
    let line = Line {
        id,
        stream: &job.stream,
        consumer: &shared.consumer,
        subject: &job.subject,
        seq: job.seq,
        attempt: job.attempt,
        max_deliver: shared.settings.max_deliver,
        msg_id: job.msg_id.as_deref(),
        headers,
        payload,
        encoding,
    };
    serde_json::to_writer(&mut *out, &line).expect("a job serializes");
    out.push(b'\n');
}

/// How to run the handlers.
pub struct Config {
    pub argv: Vec<String>,
    pub concurrency: usize,
    pub inflight: usize,
    pub timeout: Option<Duration>,
    /// Added to the handler's environment.
    pub env: Vec<(String, String)>,
    /// Inherited variables the handler must not see.
    pub remove_env: Vec<OsString>,
}

/// A job given to a handler and not answered yet.
struct Held {
    reply: oneshot::Sender<Attempt>,
    progress: Progress,
    sent: Instant,
    /// When it was given to the handler (its line goes out at the next flush), or its last
    /// progress line came.
    heard: Instant,
    /// Its line, written again to the next handler should this one hang on an earlier job.
    line: Vec<u8>,
}

struct State {
    /// Lines not written yet.
    buf: Vec<u8>,
    /// By id, which is the order their lines are written in: the first is the oldest.
    held: BTreeMap<u64, Held>,
    /// When the oldest held job became the oldest (the one ahead of it left).
    front_since: Instant,
    /// Jobs given up while the handler had them (the worker stopped): their answers are dropped.
    abandoned: HashSet<u64>,
}

impl State {
    fn new() -> State {
        State {
            buf: Vec::new(),
            held: BTreeMap::new(),
            front_since: Instant::now(),
            abandoned: HashSet::new(),
        }
    }

    /// Removes a held job; the job behind it, if it was the oldest, starts its clock now.
    fn take(&mut self, id: u64) -> Option<Held> {
        let oldest = self.held.keys().next() == Some(&id);
        let held = self.held.remove(&id)?;
        if oldest {
            self.front_since = Instant::now();
        }
        Some(held)
    }

    /// The oldest job, if it has gone `timeout` without an answer since its clock started
    /// (see the module doc).
    fn overdue(&self, timeout: Duration, now: Instant) -> Option<u64> {
        let (id, held) = self.held.iter().next()?;
        let since = held.heard.max(self.front_since);
        (now.saturating_duration_since(since) >= timeout).then_some(*id)
    }
}

/// One handler, across its restarts.
struct Slot {
    index: usize,
    state: Mutex<State>,
    /// Lines are waiting to be written.
    wake: Notify,
    closing: AtomicBool,
    close: Notify,
}

/// The running handlers.
pub struct Pool {
    slots: Vec<Arc<Slot>>,
    next_id: AtomicU64,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    groups: Groups,
}

impl Pool {
    /// Starts `config.concurrency` handlers.
    pub fn new(config: Config, groups: &Groups, log: &Arc<Log>) -> Pool {
        let config = Arc::new(config);
        let slots: Vec<Arc<Slot>> = (0..config.concurrency.max(1))
            .map(|index| {
                Arc::new(Slot {
                    index,
                    state: Mutex::new(State::new()),
                    wake: Notify::new(),
                    closing: AtomicBool::new(false),
                    close: Notify::new(),
                })
            })
            .collect();
        let tasks = slots
            .iter()
            .map(|slot| {
                tokio::spawn(run_slot(
                    slot.clone(),
                    config.clone(),
                    groups.clone(),
                    log.clone(),
                ))
            })
            .collect();
        Pool {
            slots,
            next_id: AtomicU64::new(0),
            tasks: Mutex::new(tasks),
            groups: groups.clone(),
        }
    }

    /// Gives `job` to the handler with the fewest jobs; its line goes out at the next
    /// [`Pool::flush`].
    pub fn start(&self, shared: &Shared, job: &Job, stop: oneshot::Receiver<()>) -> Execution {
        let slot = self
            .slots
            .iter()
            .min_by_key(|s| s.state.lock().unwrap().held.len())
            .expect("at least one handler")
            .clone();
        let (reply, answer) = oneshot::channel();
        let sent = Instant::now();
        let id = {
            let mut state = slot.state.lock().unwrap();
            // Taken under the lock, so a slot's ids follow the order of its lines.
            let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
            let mut line = Vec::new();
            write_line(&mut line, id, shared, job);
            state.buf.extend_from_slice(&line);
            state.held.insert(
                id,
                Held {
                    reply,
                    progress: job.progress(),
                    sent,
                    heard: sent,
                    line,
                },
            );
            id
        };
        Box::pin(async move {
            let stopped = async {
                match stop.await {
                    Ok(()) => {}
                    Err(_) => std::future::pending().await,
                }
            };
            tokio::select! {
                answer = answer => answer.unwrap_or_else(|_| Attempt::new(
                    Verdict::Fail("the pipe handler went away".into()),
                    sent.elapsed(),
                )),
                () = stopped => {
                    let mut state = slot.state.lock().unwrap();
                    if state.take(id).is_some() {
                        state.abandoned.insert(id);
                    }
                    Attempt::new(Verdict::Stopped, sent.elapsed())
                }
            }
        })
    }

    /// Writes the lines of the jobs started since the last flush.
    pub fn flush(&self) {
        for slot in &self.slots {
            if !slot.state.lock().unwrap().buf.is_empty() {
                slot.wake.notify_one();
            }
        }
    }

    /// Closes the handlers' stdin and waits for them to exit (killing those that do not within
    /// [`KILL_GRACE`]).
    pub async fn shutdown(&self) {
        for slot in &self.slots {
            slot.closing.store(true, Ordering::SeqCst);
            slot.close.notify_one();
        }
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap());
        let mut late = false;
        for task in tasks {
            late |= tokio::time::timeout(KILL_GRACE + Duration::from_secs(1), task)
                .await
                .is_err();
        }
        // A handler that ignores both its closed stdin and SIGTERM is still in its kill grace
        // here, and the task that would SIGKILL it ends with the runtime: it would outlive
        // the worker. SIGKILL what is left now.
        if late {
            self.groups.kill_all();
        }
    }
}

/// Why a handler's run ended.
enum End {
    /// Its stdout closed: it exited (or is about to).
    Closed,
    /// This job got no answer within the timeout.
    Hung(u64),
    /// The worker is done.
    Closing,
}

/// Starts the handler, through `/bin/sh` when the kernel cannot exec it (a script without
/// `#!`), as a shell would.
fn start(config: &Config) -> std::io::Result<tokio::process::Child> {
    let command = |argv: &[&std::ffi::OsStr]| {
        let mut cmd = tokio::process::Command::new(argv[0]);
        cmd.args(&argv[1..])
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for name in &config.remove_env {
            cmd.env_remove(name);
        }
        cmd.envs(config.env.iter().map(|(k, v)| (k, v)));
        cmd
    };
    let argv: Vec<&std::ffi::OsStr> = config.argv.iter().map(|a| a.as_ref()).collect();
    match command(&argv).spawn() {
        Err(e) if e.raw_os_error() == Some(libc::ENOEXEC) => {
            let sh: Vec<&std::ffi::OsStr> =
                std::iter::once("/bin/sh".as_ref()).chain(argv).collect();
            command(&sh).spawn()
        }
        result => result,
    }
}

/// Keeps one handler running: start it, feed it, read its answers, and when it goes, fail the
/// jobs it held and start it again.
async fn run_slot(slot: Arc<Slot>, config: Arc<Config>, groups: Groups, log: Arc<Log>) {
    while !slot.closing.load(Ordering::SeqCst) {
        let started = Instant::now();
        let mut child = match start(&config) {
            Ok(child) => child,
            Err(e) => {
                let reason = format!("the pipe handler failed to start: {e}");
                log.warn(&format!(
                    "{reason}; trying again in {}",
                    format_duration(RESTART_PAUSE)
                ));
                fail_all(&slot, |_, held| {
                    Attempt::new(Verdict::Fail(reason.clone()), held.sent.elapsed())
                });
                pause(&slot, RESTART_PAUSE).await;
                continue;
            }
        };
        let pid = child.id().unwrap_or_default() as i32;
        groups.add(pid);
        // Jobs given to the slot while no handler ran get their lines written now: their
        // clocks start with this handler.
        slot.state.lock().unwrap().front_since = Instant::now();
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let tail = Arc::new(Mutex::new(Tail::default()));
        let stderr_task = {
            let log = log.clone();
            tokio::spawn(handler::pass_lines(stderr, Some(tail.clone()), move |l| {
                log.handler_stderr(l)
            }))
        };
        let writer = tokio::spawn(write_lines(slot.clone(), stdin));
        let mut reader = BufReader::with_capacity(1 << 16, stdout);
        let mut line: Vec<u8> = Vec::with_capacity(256);
        // Bytes of the current line dropped past MAX_ANSWER.
        let mut cut = 0u64;
        let mut tick = tokio::time::interval(HANG_CHECK_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let end = loop {
            tokio::select! {
                // Cancel-safe: a partial line stays in `line` for the next call.
                read = read_answer(&mut reader, &mut line, &mut cut) => match read {
                    Ok(false) | Err(_) => break End::Closed,
                    Ok(true) if cut > 0 => {
                        too_long(&slot, pid, &line, cut, &log);
                        line.clear();
                        cut = 0;
                    }
                    Ok(true) => {
                        answered(&slot, pid, &line, &log).await;
                        line.clear();
                    }
                },
                _ = tick.tick() => {
                    let overdue = config.timeout.and_then(|t| {
                        slot.state.lock().unwrap().overdue(t, Instant::now())
                    });
                    if let Some(id) = overdue {
                        break End::Hung(id);
                    }
                }
                _ = slot.close.notified() => break End::Closing,
            }
        };

        // Dropping stdin tells a handler that is being closed to finish.
        writer.abort();
        let _ = writer.await;
        let status = match end {
            End::Hung(_) => {
                handler::kill_group(&mut child, pid).await;
                child.try_wait().ok().flatten()
            }
            End::Closed | End::Closing => {
                match tokio::time::timeout(KILL_GRACE, child.wait()).await {
                    Ok(status) => status.ok(),
                    Err(_) => {
                        handler::kill_group(&mut child, pid).await;
                        child.try_wait().ok().flatten()
                    }
                }
            }
        };
        handler::killpg(pid, libc::SIGKILL);
        groups.remove(pid);
        let _ = tokio::time::timeout(Duration::from_millis(200), stderr_task).await;
        let stderr_tail = stderr_tail(&tail.lock().unwrap().0);
        let ending = status.map(handler::ending_of);
        let (exit_code, signal) = match ending {
            Some(handler::Ending::Exited(code)) => (Some(code), None),
            Some(handler::Ending::Signaled(sig)) => (None, Some(sig)),
            _ => (None, None),
        };
        let what = match (&end, &ending) {
            (End::Hung(_), _) => format!(
                "left a job unanswered for {}",
                format_duration(config.timeout.unwrap_or_default())
            ),
            (_, Some(ending)) => format!("exited ({})", ending.reason()),
            (_, None) => "closed its stdout".to_string(),
        };
        // A hung handler is killed for its oldest job alone (only that one's clock ran): the
        // jobs behind it go to the next handler as they are, on the same attempt. Failing them
        // would spend an attempt of each on a job they only waited behind (and a Nak handing
        // them back would spend a delivery at the server all the same). At-least-once as
        // ever: a handler answering out of order may have begun some of them.
        let hung = match end {
            End::Hung(id) if !slot.closing.load(Ordering::SeqCst) => Some(id),
            _ => None,
        };
        let mut count = 0;
        let kept = settle_held(&slot, hung, |id, held| {
            count += 1;
            let overdue = matches!(end, End::Hung(hung) if hung == id);
            let reason = if overdue {
                format!(
                    "no answer from the pipe handler within {} (it was restarted)",
                    format_duration(config.timeout.unwrap_or_default())
                )
            } else if matches!(end, End::Hung(_)) {
                format!("the pipe handler holding it was restarted: it {what}")
            } else if matches!(end, End::Closing) {
                format!("the pipe handler {what} when the worker stopped")
            } else {
                format!("the pipe handler {what} while holding it")
            };
            Attempt {
                verdict: Verdict::Fail(reason),
                exit_code,
                signal,
                timed_out: overdue,
                stderr_tail: stderr_tail.clone(),
                elapsed: held.sent.elapsed(),
            }
        });
        if slot.closing.load(Ordering::SeqCst) {
            break;
        }
        let mut held = format!(
            "{count} job{} it held will be retried",
            if count == 1 { "" } else { "s" }
        );
        if hung.is_some() && kept > 0 {
            held += &format!(
                ", the {kept} waiting behind it go{} to the new one",
                if kept == 1 { "es" } else { "" }
            );
        }
        log.warn(&format!(
            "pipe handler {} (pid {pid}) {what}; restarting it ({held})",
            slot.index + 1,
        ));
        if started.elapsed() < RESTART_PAUSE {
            pause(&slot, RESTART_PAUSE - started.elapsed()).await;
        }
    }
}

/// Waits `d`, or less if the worker is done.
async fn pause(slot: &Slot, d: Duration) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = slot.close.notified() => {}
    }
}

/// Writes waiting lines whenever there are some, until the handler is gone.
async fn write_lines(slot: Arc<Slot>, mut stdin: ChildStdin) {
    let mut out: Vec<u8> = Vec::with_capacity(1 << 16);
    loop {
        std::mem::swap(&mut slot.state.lock().unwrap().buf, &mut out);
        if !out.is_empty() {
            if stdin.write_all(&out).await.is_err() {
                // The handler is gone: its reader sees that and fails its jobs.
                return;
            }
            out.clear();
        }
        slot.wake.notified().await;
    }
}

/// Fails every job the handler held; lines not written yet belong to those jobs.
fn fail_all(slot: &Slot, attempt: impl FnMut(u64, &Held) -> Attempt) {
    settle_held(slot, None, attempt);
}

/// After a handler ended: fails the hung job alone, when there is one, and queues the lines of
/// the others again, in their order, for the next handler; else fails every job it held (lines
/// not written yet belong to those jobs). Returns how many were kept.
fn settle_held(
    slot: &Slot,
    hung: Option<u64>,
    mut attempt: impl FnMut(u64, &Held) -> Attempt,
) -> usize {
    let (failed, kept): (Vec<(u64, Held)>, usize) = {
        let mut state = slot.state.lock().unwrap();
        let state = &mut *state;
        // Answers to jobs given up would have come from the old handler.
        state.abandoned.clear();
        state.buf.clear();
        match hung {
            Some(id) => {
                let failed = state
                    .held
                    .remove(&id)
                    .map(|h| (id, h))
                    .into_iter()
                    .collect();
                for held in state.held.values() {
                    state.buf.extend_from_slice(&held.line);
                }
                (failed, state.held.len())
            }
            None => (std::mem::take(&mut state.held).into_iter().collect(), 0),
        }
    };
    for (id, held) in failed {
        let a = attempt(id, &held);
        let _ = held.reply.send(a);
    }
    kept
}

/// Reads up to the end of a line into `line`, keeping at most [`MAX_ANSWER`] bytes of it and
/// counting the rest in `cut` (unlike `read_until`, whose buffer grows with the line). True
/// when a whole line is there, false at the end of the output. Cancel-safe: what was read
/// stays in `line` and `cut`.
async fn read_answer(
    reader: &mut (impl tokio::io::AsyncBufRead + Unpin),
    line: &mut Vec<u8>,
    cut: &mut u64,
) -> std::io::Result<bool> {
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(false);
        }
        let (chunk, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(end) => (&buf[..=end], true),
            None => (buf, false),
        };
        let keep = chunk.len().min(MAX_ANSWER.saturating_sub(line.len()));
        line.extend_from_slice(&chunk[..keep]);
        *cut += (chunk.len() - keep) as u64;
        let used = chunk.len();
        reader.consume(used);
        if done {
            return Ok(true);
        }
    }
}

/// Reports a line of the handler's stdout longer than [`MAX_ANSWER`]: a protocol error, shown
/// by its start.
fn too_long(slot: &Slot, pid: i32, line: &[u8], cut: u64, log: &Log) {
    let start = String::from_utf8_lossy(&line[..line.len().min(SHOWN)]).into_owned();
    log.warn(&format!(
        "pipe handler {} (pid {pid}) broke the protocol (a line longer than {} MiB, {} bytes): {start}...",
        slot.index + 1,
        MAX_ANSWER >> 20,
        line.len() as u64 + cut
    ));
}

/// Takes one line of the handler's stdout.
async fn answered(slot: &Slot, pid: i32, line: &[u8], log: &Log) {
    let protocol_error = |why: &str| {
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches(['\n', '\r']);
        let shown: String = text.chars().take(SHOWN).collect();
        let more = if shown.len() < text.len() { "..." } else { "" };
        log.warn(&format!(
            "pipe handler {} (pid {pid}) broke the protocol ({why}): {shown}{more}",
            slot.index + 1
        ));
    };
    let answer: Answer = match serde_json::from_slice(line) {
        Ok(answer) => answer,
        Err(_) => return protocol_error("not a JSON answer"),
    };
    let Some(id) = answer.id else {
        return protocol_error("an answer without an \"id\"");
    };
    if answer.progress && answer.ok.is_none() {
        let progress = {
            let mut state = slot.state.lock().unwrap();
            let state = &mut *state;
            match state.held.get_mut(&id) {
                Some(held) => {
                    // Progress restarts the job's timeout: the handler is not hung.
                    held.heard = Instant::now();
                    Some(held.progress.clone())
                }
                None if state.abandoned.contains(&id) => return,
                None => None,
            }
        };
        match progress {
            Some(progress) => progress.send().await,
            None => protocol_error("progress for a job it does not hold"),
        }
        return;
    }
    let Some(ok) = answer.ok else {
        return protocol_error("neither \"ok\" nor \"progress\"");
    };
    let held = {
        let mut state = slot.state.lock().unwrap();
        match state.take(id) {
            Some(held) => held,
            None if state.abandoned.remove(&id) => return,
            None => {
                drop(state);
                return protocol_error("an answer for a job it does not hold");
            }
        }
    };
    let verdict = match (ok, answer.fatal) {
        (true, _) => Verdict::Ok,
        (false, fatal) => {
            let reason = answer
                .error
                .filter(|e| !e.trim().is_empty())
                .unwrap_or_else(|| "the handler answered \"ok\":false".into());
            if fatal {
                Verdict::Fatal(format!("{reason} (fatal)"))
            } else {
                Verdict::Fail(reason)
            }
        }
    };
    let _ = held.reply.send(Attempt::new(verdict, held.sent.elapsed()));
}
