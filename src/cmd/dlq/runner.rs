//! Runs `dlq drain`'s COMMAND for one dead job as `work` runs its handler: no shell, the payload
//! on stdin, the job's metadata in `JQ_*` variables, NATS credentials removed from the
//! environment, its own process group (killed whole on timeout), stderr passed through and its
//! tail kept.
//!
//! Small and self-contained for now; `src/worker/` has the worker's handler runner, and the two
//! should become one.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context as _, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::dlq::entry::stderr_tail;

/// Variables a handler never sees: they hold credentials.
const SECRET_VARS: &[&str] = &[
    "NATS_USER",
    "NATS_PASSWORD",
    "NATS_TOKEN",
    "NATS_CREDS",
    "NATS_NKEY",
    "NATS_JWT",
    "NATS_SEED",
    "NATS_KEY",
];

#[derive(Debug)]
pub struct Outcome {
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub stderr_tail: Option<String>,
}

impl Outcome {
    pub fn success(&self) -> bool {
        self.exit_code == Some(0) && !self.timed_out
    }

    pub fn describe(&self) -> String {
        if self.timed_out {
            "timed out".into()
        } else if let Some(s) = self.signal {
            format!("killed by signal {s}")
        } else {
            format!("exit code {}", self.exit_code.unwrap_or(-1))
        }
    }
}

/// `JQ_HEADER_<NAME>`: upper case, anything but letters and digits as `_`.
pub fn header_var(name: &str) -> String {
    let mut out = String::from("JQ_HEADER_");
    out.extend(name.chars().map(|c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        }
    }));
    out
}

/// Runs `command` once with `payload` on stdin and `vars` added to the environment. The
/// handler's stdout goes to ours, or to our stderr when `stdout_to_stderr` (our stdout carries
/// NDJSON then).
pub async fn run(
    command: &[String],
    payload: &[u8],
    vars: &[(String, String)],
    timeout: Option<Duration>,
    stdout_to_stderr: bool,
) -> Result<Outcome> {
    let (program, args) = command.split_first().expect("a command");
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    if stdout_to_stderr {
        cmd.stdout(Stdio::from(std::io::stderr().as_fd_owned()?));
    }
    for var in SECRET_VARS {
        cmd.env_remove(var);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let mut child = cmd
        .spawn()
        .with_context(|| format!("failed to run `{}`", command.join(" ")))?;
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("piped stdin");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let payload = payload.to_vec();
    let feed = async move {
        // A handler that does not read its stdin is fine.
        let _ = stdin.write_all(&payload).await;
        drop(stdin);
    };
    let collect = async move {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        let mut err = tokio::io::stderr();
        loop {
            match stderr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let _ = err.write_all(&buf[..n]).await;
                    kept.extend_from_slice(&buf[..n]);
                    let excess = kept
                        .len()
                        .saturating_sub(crate::dlq::entry::STDERR_TAIL_BYTES * 2);
                    kept.drain(..excess);
                }
            }
        }
        kept
    };
    let wait = async {
        match timeout {
            Some(t) => match tokio::time::timeout(t, child.wait()).await {
                Ok(status) => (status, false),
                Err(_) => {
                    if let Some(pid) = pid {
                        // SAFETY: kill(2) on the child's process group.
                        unsafe {
                            libc::kill(-(pid as i32), libc::SIGKILL);
                        }
                    }
                    (child.wait().await, true)
                }
            },
            None => (child.wait().await, false),
        }
    };
    let (_, kept, (status, timed_out)) = tokio::join!(feed, collect, wait);
    let status = status.context("failed to wait for the command")?;
    use std::os::unix::process::ExitStatusExt;
    Ok(Outcome {
        exit_code: status.code(),
        signal: status.signal(),
        timed_out,
        stderr_tail: stderr_tail(&kept),
    })
}

trait AsFdOwned {
    fn as_fd_owned(&self) -> std::io::Result<std::os::fd::OwnedFd>;
}

impl AsFdOwned for std::io::Stderr {
    fn as_fd_owned(&self) -> std::io::Result<std::os::fd::OwnedFd> {
        use std::os::fd::AsFd;
        self.as_fd().try_clone_to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_vars() {
        assert_eq!(header_var("Trace-Id"), "JQ_HEADER_TRACE_ID");
        assert_eq!(header_var("x.y"), "JQ_HEADER_X_Y");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn runs_with_stdin_env_and_stderr_tail() {
        let cmd: Vec<String> = ["sh", "-c", "read x; echo \"got $x $JQ_SEQ\" >&2; exit 3"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let out = run(
            &cmd,
            b"hello\n",
            &[("JQ_SEQ".into(), "7".into())],
            None,
            true,
        )
        .await
        .unwrap();
        assert_eq!(out.exit_code, Some(3));
        assert!(!out.success());
        assert_eq!(out.stderr_tail.as_deref(), Some("got hello 7"));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn times_out() {
        let cmd: Vec<String> = ["sleep", "5"].iter().map(|s| s.to_string()).collect();
        let out = run(&cmd, b"", &[], Some(Duration::from_millis(100)), true)
            .await
            .unwrap();
        assert!(out.timed_out);
        assert!(!out.success());
    }
}
