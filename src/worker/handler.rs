//! Running the handler command for one job: exec'd directly (no shell) in its own process
//! group, the payload on stdin, the job's metadata in `JQ_*` variables and none of jq-nats'
//! `NATS_*` secrets; its stdout and stderr pass through, the last lines of its stderr are kept
//! for the dead-letter queue; on timeout or shutdown its whole group is killed.

use std::collections::HashSet;
use std::ffi::{CString, OsString};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use bytes::Bytes;
use tokio::io::AsyncReadExt;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::report::Log;
use super::{spawn, watch};
use crate::dlq::entry::STDERR_TAIL_BYTES;
use crate::error::usage;
use crate::units::format_duration;

/// How long a handler may take to exit after SIGTERM before its group gets SIGKILL.
pub const KILL_GRACE: Duration = Duration::from_secs(2);
/// Lines of handler stderr longer than this are passed on in pieces.
const MAX_LINE: usize = 8192;

/// How to run the handler.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The program (its path, found once) and its arguments.
    pub argv: Vec<String>,
    pub timeout: Option<Duration>,
    /// Send the handler's stdout to our stderr (stdout carries NDJSON under --json).
    pub stdout_to_stderr: bool,
    /// Our environment without the variables the handler must not see, read once.
    pub inherited: Vec<CString>,
}

impl Spec {
    /// A program named without a `/` is looked for in `PATH` now (left as it is if not
    /// found, for its spawn to fail saying so).
    pub fn new(mut argv: Vec<String>, timeout: Option<Duration>, stdout_to_stderr: bool) -> Spec {
        if let Some(path) = argv.first().and_then(|p| resolve_program(p).ok()) {
            argv[0] = path.display().to_string();
        }
        let ours: Vec<(OsString, OsString)> = std::env::vars_os().collect();
        let hidden = hidden_vars(ours.iter().map(|(k, _)| k.clone()));
        Spec {
            argv,
            timeout,
            stdout_to_stderr,
            inherited: spawn::inherited(ours.into_iter(), &hidden),
        }
    }
}

/// The inherited variables a handler does not get: every `NATS_*` one (passwords, tokens, creds
/// and nkey paths, and URLs that may carry a user and password), and `JQ_HEADER_*` ones of an
/// outer job, which would pass for headers of this one.
pub fn hidden_vars(names: impl Iterator<Item = OsString>) -> Vec<OsString> {
    names
        .filter(|k| {
            let k = k.to_string_lossy();
            k.starts_with("NATS_") || k.starts_with("JQ_HEADER_")
        })
        .collect()
}

/// `JQ_HEADER_<NAME>` for a header name: upper-cased, anything not a letter or digit as `_`.
pub fn header_var(name: &str) -> String {
    let mut var = String::from("JQ_HEADER_");
    var.extend(name.chars().map(|c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        }
    }));
    var
}

/// A header value as an environment value: control characters (newlines, NUL, escapes) become
/// spaces.
pub fn env_value(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Finds the handler program up front, so a typo is one error rather than every job failing.
pub fn resolve_program(program: &str) -> Result<PathBuf> {
    let executable = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    };
    if program.contains('/') {
        let p = PathBuf::from(program);
        if executable(&p) {
            return Ok(p);
        }
        return Err(usage(format!(
            "handler `{program}` is not an executable file"
        )));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| executable(p))
        .ok_or_else(|| usage(format!("handler `{program}` not found in PATH")))
}

/// How a handler run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Exited(i32),
    Signaled(i32),
    TimedOut(Duration),
    /// Killed because the worker is stopping: not the job's fault.
    Stopped,
    /// Never started: the worker began stopping while it waited for a free slot.
    NotStarted,
    FailedToStart(String),
}

impl Ending {
    /// Why a run failed, for people and the DLQ: `exit code 1`, `killed by signal 9 (SIGKILL)`,
    /// `timed out after 30s`.
    pub fn reason(&self) -> String {
        match self {
            Ending::Exited(code) => format!("exit code {code}"),
            Ending::Signaled(sig) => match signal_name(*sig) {
                Some(name) => format!("killed by signal {sig} ({name})"),
                None => format!("killed by signal {sig}"),
            },
            Ending::TimedOut(d) => format!("timed out after {}", format_duration(*d)),
            Ending::Stopped => "stopped with the worker".into(),
            Ending::NotStarted => "not started (the worker stopped)".into(),
            Ending::FailedToStart(e) => format!("failed to start: {e}"),
        }
    }
}

fn signal_name(sig: i32) -> Option<&'static str> {
    Some(match sig {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        libc::SIGUSR1 => "SIGUSR1",
        libc::SIGUSR2 => "SIGUSR2",
        _ => return None,
    })
}

#[derive(Debug, Clone)]
pub struct Finished {
    pub ending: Ending,
    pub stderr_tail: Option<String>,
    pub elapsed: Duration,
}

/// Process groups of running handlers, so a hard exit can kill them all (and the reaper, if
/// the worker is killed outright).
#[derive(Debug, Default, Clone)]
pub struct Groups(Arc<Mutex<HashSet<i32>>>);

impl Groups {
    pub(crate) fn add(&self, pgid: i32) {
        self.0.lock().unwrap().insert(pgid);
        super::reaper::started(pgid);
    }
    pub(crate) fn remove(&self, pgid: i32) {
        self.0.lock().unwrap().remove(&pgid);
        super::reaper::ended(pgid);
    }
    /// SIGKILL to every running handler's group.
    pub fn kill_all(&self) {
        for pgid in self.0.lock().unwrap().drain() {
            killpg(pgid, libc::SIGKILL);
        }
    }
}

pub(crate) fn killpg(pgid: i32, signal: i32) {
    // SAFETY: killpg has no memory-safety preconditions; a stale group only gives ESRCH.
    unsafe {
        libc::killpg(pgid, signal);
    }
}

/// The last bytes of a handler's stderr, enough for [`stderr_tail`].
#[derive(Default)]
pub(crate) struct Tail(pub(crate) Vec<u8>);

impl Tail {
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
        let keep = STDERR_TAIL_BYTES * 2;
        if self.0.len() > keep * 2 {
            let cut = self.0.len() - keep;
            self.0.drain(..cut);
        }
    }
}

/// Runs the handler once on `pool`: `env` on top of ours (minus the hidden variables),
/// `payload` on stdin. It is queued for a slot at once; the future tells how it ended. `stop`
/// kills it (the worker is shutting down); the time limit counts from its start, not from its
/// wait for a free slot.
pub fn run(
    pool: &watch::Pool,
    spec: &Arc<Spec>,
    env: Vec<(String, String)>,
    payload: Bytes,
    stop: oneshot::Receiver<()>,
    groups: &Groups,
    log: &Arc<Log>,
) -> impl Future<Output = Finished> + Send + 'static {
    let control = Arc::new(watch::Control::default());
    let (started, mut done) = pool.start(watch::Handler {
        spec: spec.clone(),
        env,
        payload,
        // Output is relayed a line at a time when it must go elsewhere than our stdout or
        // around the live status line; otherwise the handler writes to our stdout directly.
        relay_stdout: spec.stdout_to_stderr || log.relays_stdout(),
        control: control.clone(),
        groups: groups.clone(),
        log: log.clone(),
    });
    let since = Instant::now();
    let limit = spec.timeout;
    async move {
        let timeout = async {
            let Some(limit) = limit else {
                // Not waited for: nothing to wake the runtime for when the handler starts.
                return std::future::pending().await;
            };
            if started.await.is_err() {
                return std::future::pending().await;
            }
            tokio::time::sleep(limit).await
        };
        let cut_short = tokio::select! {
            finished = &mut done => return finished.unwrap_or_else(|_| lost(since)),
            _ = timeout => Ending::TimedOut(limit.unwrap_or_default()),
            Ok(()) = stop => Ending::Stopped,
        };
        // SIGTERM to the group, SIGKILL after [`KILL_GRACE`] if the handler is still there, and
        // SIGKILL to whatever else is left of the group once it is gone. A handler still
        // waiting for its slot is not started at all.
        control.signal(libc::SIGTERM);
        let finished = match tokio::time::timeout(KILL_GRACE, &mut done).await {
            Ok(finished) => finished,
            Err(_) => {
                control.signal(libc::SIGKILL);
                done.await
            }
        };
        control.signal(libc::SIGKILL);
        let finished = finished.unwrap_or_else(|_| lost(since));
        if finished.ending == Ending::NotStarted {
            return finished;
        }
        Finished {
            ending: cut_short,
            stderr_tail: finished.stderr_tail,
            elapsed: finished.elapsed,
        }
    }
}

/// The handler's thread ended without a word (it panicked).
fn lost(started: Instant) -> Finished {
    Finished {
        ending: Ending::FailedToStart("the handler's thread failed".into()),
        stderr_tail: None,
        elapsed: started.elapsed(),
    }
}

pub(crate) fn ending_of(status: std::process::ExitStatus) -> Ending {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Ending::Exited(code),
        (None, Some(sig)) => Ending::Signaled(sig),
        (None, None) => Ending::Exited(-1),
    }
}

/// SIGTERM to the group, SIGKILL after [`KILL_GRACE`] if the handler is still there, and
/// SIGKILL to whatever else is left of the group once it is gone.
pub(crate) async fn kill_group(child: &mut tokio::process::Child, pgid: i32) {
    killpg(pgid, libc::SIGTERM);
    if tokio::time::timeout(KILL_GRACE, child.wait())
        .await
        .is_err()
    {
        killpg(pgid, libc::SIGKILL);
        let _ = child.wait().await;
    } else {
        killpg(pgid, libc::SIGKILL);
    }
}

/// A handler's output cut into lines, each passed on whole (so lines of concurrent handlers do
/// not mix), keeping the tail of its stderr.
pub(crate) struct Lines {
    line: Vec<u8>,
    tail: Option<Arc<Mutex<Tail>>>,
    sink: Sink,
}

/// Where a handler's lines go.
pub(crate) type Sink = Box<dyn Fn(&[u8]) + Send>;

impl Lines {
    pub(crate) fn new(tail: Option<Arc<Mutex<Tail>>>, sink: Sink) -> Lines {
        Lines {
            line: Vec::new(),
            tail,
            sink,
        }
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) {
        if let Some(tail) = &self.tail {
            tail.lock().unwrap().push(bytes);
        }
        self.line.extend_from_slice(bytes);
        if let Some(end) = self.line.iter().rposition(|b| *b == b'\n') {
            let rest = self.line.split_off(end + 1);
            (self.sink)(&self.line);
            self.line = rest;
        } else if self.line.len() > MAX_LINE {
            self.line.push(b'\n');
            (self.sink)(&self.line);
            self.line.clear();
        }
    }

    /// The output ended: a last line without its newline is passed on with one.
    pub(crate) fn finish(mut self) {
        if !self.line.is_empty() {
            self.line.push(b'\n');
            (self.sink)(&self.line);
        }
    }
}

/// Passes a handler's output on a line at a time (see [`Lines`]), from a pipe in the runtime.
pub(crate) async fn pass_lines(
    mut pipe: impl tokio::io::AsyncRead + Unpin,
    tail: Option<Arc<Mutex<Tail>>>,
    sink: impl Fn(&[u8]) + Send + 'static,
) {
    let mut buf = vec![0u8; 8192];
    let mut lines = Lines::new(tail, Box::new(sink));
    loop {
        match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => lines.push(&buf[..n]),
        }
    }
    lines.finish();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_and_values_for_the_environment() {
        assert_eq!(header_var("Trace-Id"), "JQ_HEADER_TRACE_ID");
        assert_eq!(header_var("x.weird name"), "JQ_HEADER_X_WEIRD_NAME");
        assert_eq!(env_value("a\tb\r\nc\u{1b}[31m"), "a b  c [31m");
    }

    #[test]
    fn nats_secrets_are_hidden() {
        let names = [
            "NATS_PASSWORD",
            "NATS_URL",
            "PATH",
            "JQ_HEADER_X",
            "JQ_STREAM",
        ]
        .map(OsString::from)
        .into_iter();
        assert_eq!(
            hidden_vars(names),
            vec![
                OsString::from("NATS_PASSWORD"),
                OsString::from("NATS_URL"),
                OsString::from("JQ_HEADER_X")
            ]
        );
    }

    #[test]
    fn reasons_read_well() {
        assert_eq!(Ending::Exited(1).reason(), "exit code 1");
        assert_eq!(Ending::Signaled(9).reason(), "killed by signal 9 (SIGKILL)");
        assert_eq!(
            Ending::TimedOut(Duration::from_millis(500)).reason(),
            "timed out after 500ms"
        );
    }

    #[test]
    fn programs_are_found_in_path() {
        assert!(resolve_program("sh").is_ok());
        assert!(resolve_program("/bin/sh").is_ok());
        assert!(resolve_program("no-such-handler-here").is_err());
    }
}
