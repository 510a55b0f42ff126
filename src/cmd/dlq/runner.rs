//! Runs `dlq drain`'s COMMAND for one dead job the way `work` runs its handler, with the same
//! runner ([`crate::worker::handler`]): no shell, the payload on stdin, the job's metadata in
//! `JQ_*` variables, no `NATS_*` variables, its own process group (killed whole on timeout),
//! stderr passed through and its tail kept.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Result};
use bytes::Bytes;
use indicatif::ProgressBar;
use tokio::sync::oneshot;

use crate::worker::handler::{self, Ending, Groups, Spec};
use crate::worker::report::Log;
use crate::worker::watch;

pub use crate::worker::handler::header_var;

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

/// Runs `command` once with `payload` on stdin and `vars` added to the environment. The
/// handler's stdout goes to ours, or to our stderr when `stdout_to_stderr` (our stdout carries
/// NDJSON then); both go around `bar`, the drain's progress bar, when it is drawn.
pub async fn run(
    command: &[String],
    payload: &[u8],
    vars: &[(String, String)],
    timeout: Option<Duration>,
    stdout_to_stderr: bool,
    bar: &ProgressBar,
) -> Result<Outcome> {
    assert!(!command.is_empty(), "a command");
    let spec = Arc::new(Spec::new(command.to_vec(), timeout, stdout_to_stderr));
    // Nothing stops a drain's command but its timeout.
    let (_never, stop) = oneshot::channel();
    let log = Arc::new(Log::beside(bar));
    let finished = handler::run(
        &watch::Pool::new(1),
        &spec,
        vars.to_vec(),
        Bytes::copy_from_slice(payload),
        stop,
        &Groups::default(),
        &log,
    )
    .await;
    let (exit_code, signal, timed_out) = match finished.ending {
        Ending::Exited(code) => (Some(code), None, false),
        Ending::Signaled(sig) => (None, Some(sig), false),
        Ending::TimedOut(_) => (None, None, true),
        Ending::Stopped | Ending::NotStarted => (None, None, false),
        Ending::FailedToStart(e) => {
            return Err(anyhow!("failed to run `{}`: {e}", command.join(" ")))
        }
    };
    Ok(Outcome {
        exit_code,
        signal,
        timed_out,
        stderr_tail: finished.stderr_tail,
    })
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
            &ProgressBar::hidden(),
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
        let out = run(
            &cmd,
            b"",
            &[],
            Some(Duration::from_millis(100)),
            true,
            &ProgressBar::hidden(),
        )
        .await
        .unwrap();
        assert!(out.timed_out);
        assert!(!out.success());
    }
}
