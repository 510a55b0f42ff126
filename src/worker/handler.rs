//! Running the handler command for one job: exec'd directly (no shell) in its own process
//! group, the payload on stdin, the job's metadata in `JQ_*` variables and none of jq-nats'
//! `NATS_*` secrets; its stdout and stderr pass through, the last lines of its stderr are kept
//! for the dead-letter queue; on timeout or shutdown its whole group is killed.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::report::Log;
use crate::dlq::entry::{stderr_tail, STDERR_TAIL_BYTES};
use crate::error::usage;
use crate::units::format_duration;

/// How long a handler may take to exit after SIGTERM before its group gets SIGKILL.
pub const KILL_GRACE: Duration = Duration::from_secs(2);
/// How long to wait for the rest of a handler's stderr once it exited (a child it left behind
/// may hold the pipe open).
const STDERR_LINGER: Duration = Duration::from_millis(200);
/// Lines of handler stderr longer than this are passed on in pieces.
const MAX_LINE: usize = 8192;

/// How to run the handler.
#[derive(Debug, Clone)]
pub struct Spec {
    pub argv: Vec<String>,
    pub timeout: Option<Duration>,
    /// Send the handler's stdout to our stderr (stdout carries NDJSON under --json).
    pub stdout_to_stderr: bool,
    /// Inherited variables the handler must not see.
    pub remove_env: Vec<OsString>,
    /// Spawn on the runtime's thread rather than a blocking one: for a worker with one slot,
    /// where nothing else would run meanwhile, it saves two thread hand-offs per job (~5% of a
    /// `work -- true` run; with more slots, spawning off the thread is faster).
    pub spawn_inline: bool,
}

impl Spec {
    pub fn new(argv: Vec<String>, timeout: Option<Duration>, stdout_to_stderr: bool) -> Spec {
        Spec {
            argv,
            timeout,
            stdout_to_stderr,
            remove_env: hidden_vars(std::env::vars_os().map(|(k, _)| k)),
            spawn_inline: false,
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

/// Runs the handler once: `env` on top of ours (minus the hidden variables), `payload` on
/// stdin. `stop` kills it (the worker is shutting down).
pub async fn run(
    spec: &Spec,
    env: Vec<(String, String)>,
    payload: Bytes,
    stop: oneshot::Receiver<()>,
    groups: &Groups,
    log: &Arc<Log>,
) -> Finished {
    let started = Instant::now();
    let mut cmd = tokio::process::Command::new(&spec.argv[0]);
    cmd.args(&spec.argv[1..])
        .process_group(0)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        // Output is relayed a line at a time when it must go elsewhere than our stdout or
        // around the live status line; otherwise the handler writes to our stdout directly.
        .stdout(if spec.stdout_to_stderr || log.is_live() {
            Stdio::piped()
        } else {
            Stdio::inherit()
        });
    for name in &spec.remove_env {
        cmd.env_remove(name);
    }
    cmd.envs(env);
    // Spawning waits for the child's exec (vfork): off the runtime's one thread, so handlers
    // start in parallel and the worker goes on with pulls and acks meanwhile.
    let spawned = if spec.spawn_inline {
        cmd.spawn()
    } else {
        tokio::task::spawn_blocking(move || cmd.spawn())
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    };
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            return Finished {
                ending: Ending::FailedToStart(e.to_string()),
                stderr_tail: None,
                elapsed: started.elapsed(),
            }
        }
    };
    let pgid = child.id().map(|id| id as i32);
    if let Some(pgid) = pgid {
        groups.add(pgid);
    }

    // The payload goes in on the side: a handler that does not read stdin must not block us.
    if let Some(mut stdin) = child.stdin.take() {
        tokio::spawn(async move {
            let _ = stdin.write_all(&payload).await;
        });
    }
    let tail = Arc::new(Mutex::new(Tail::default()));
    let reader = child.stderr.take().map(|stderr| {
        let tail = tail.clone();
        let log = log.clone();
        tokio::spawn(pass_lines(stderr, Some(tail), move |l| {
            log.handler_stderr(l)
        }))
    });
    let out_reader = child.stdout.take().map(|stdout| {
        let log = log.clone();
        let to_stderr = spec.stdout_to_stderr;
        tokio::spawn(pass_lines(stdout, None, move |l| {
            if to_stderr {
                log.handler_stderr(l)
            } else {
                log.handler_stdout(l)
            }
        }))
    });

    let timeout = async {
        match spec.timeout {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    let status = tokio::select! {
        status = child.wait() => Ok(status),
        _ = timeout => Err(Ending::TimedOut(spec.timeout.unwrap_or_default())),
        Ok(()) = stop => Err(Ending::Stopped),
    };
    let ending = match status {
        Ok(Ok(status)) => ending_of(status),
        Ok(Err(e)) => Ending::FailedToStart(format!("failed to wait for the handler: {e}")),
        Err(ending) => {
            if let Some(pgid) = pgid {
                kill_group(&mut child, pgid).await;
            }
            ending
        }
    };
    if let Some(pgid) = pgid {
        groups.remove(pgid);
    }
    // A child left behind may keep a pipe open: stop waiting soon, keep passing it on.
    for mut reader in [reader, out_reader].into_iter().flatten() {
        let _ = tokio::time::timeout(STDERR_LINGER, &mut reader).await;
    }
    let stderr_tail = stderr_tail(&tail.lock().unwrap().0);
    Finished {
        ending,
        stderr_tail,
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

/// Passes a handler's output on a line at a time (so lines of concurrent handlers do not mix),
/// keeping the tail of its stderr.
pub(crate) async fn pass_lines(
    mut pipe: impl tokio::io::AsyncRead + Unpin,
    tail: Option<Arc<Mutex<Tail>>>,
    sink: impl Fn(&[u8]),
) {
    let mut buf = vec![0u8; 8192];
    let mut line: Vec<u8> = Vec::new();
    loop {
        let n = match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some(tail) = &tail {
            tail.lock().unwrap().push(&buf[..n]);
        }
        line.extend_from_slice(&buf[..n]);
        if let Some(end) = line.iter().rposition(|b| *b == b'\n') {
            let rest = line.split_off(end + 1);
            sink(&line);
            line = rest;
        } else if line.len() > MAX_LINE {
            line.push(b'\n');
            sink(&line);
            line.clear();
        }
    }
    if !line.is_empty() {
        line.push(b'\n');
        sink(&line);
    }
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
