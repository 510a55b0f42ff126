//! Exit codes and the rendering of errors as `error:` / `caused by:` / `hint:` on stderr.

use std::fmt;
use std::io::Write;
use std::process::ExitCode;

/// An error that carries advice for the user, shown as `hint:` under the error.
#[derive(Debug)]
pub struct Hinted {
    error: anyhow::Error,
    hint: String,
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for Hinted {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

/// Adds a hint to an error or a result.
pub trait HintExt<T> {
    fn hint(self, hint: impl Into<String>) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> HintExt<T> for Result<T, E> {
    fn hint(self, hint: impl Into<String>) -> anyhow::Result<T> {
        self.map_err(|e| with_hint(e.into(), hint))
    }
}

pub fn with_hint(error: anyhow::Error, hint: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Hinted {
        error,
        hint: hint.into(),
    })
}

/// A usage error found after parsing (a wildcard subject, an ambiguous stream): exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for UsageError {}

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

/// A failure whose details were already printed (a partial failure's summary): only the exit
/// code is left to give.
#[derive(Debug)]
pub struct Exit(pub u8);

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit {}", self.0)
    }
}
impl std::error::Error for Exit {}

pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_INTERRUPTED: u8 = 130;

/// Prints the error (if any) on stderr and gives the process's exit code.
pub fn report(result: anyhow::Result<()>, color: bool) -> ExitCode {
    let Err(error) = result else {
        return ExitCode::SUCCESS;
    };
    if let Some(Exit(code)) = error.downcast_ref::<Exit>() {
        return ExitCode::from(*code);
    }
    // A closed stdout (`jq-nats ... | head`) is not an error.
    if is_broken_pipe(&error) {
        return ExitCode::SUCCESS;
    }
    let code = if error.chain().any(|c| c.is::<UsageError>()) {
        EXIT_USAGE
    } else {
        EXIT_FAILURE
    };
    let _ = std::io::stderr().write_all(render(&error, color).as_bytes());
    ExitCode::from(code)
}

/// Whether the error is a write to a pipe whose reader is gone, made directly or through
/// serde_json (whose error wraps the io error without exposing it as a source).
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    let broken = Some(std::io::ErrorKind::BrokenPipe);
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().map(|e| e.kind()) == broken
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(|e| e.io_error_kind())
                == broken
    })
}

/// `error: ...`, a `caused by:` line per underlying cause, then the hints.
pub fn render(error: &anyhow::Error, color: bool) -> String {
    let (red, yellow, cyan, reset) = if color {
        ("\x1b[1;31m", "\x1b[1;33m", "\x1b[1;36m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    let mut out = format!("{red}error{reset}: {error}\n");
    let mut hints = Vec::new();
    let mut last = error.to_string();
    for cause in error.chain() {
        if let Some(h) = cause.downcast_ref::<Hinted>() {
            hints.push(h.hint.clone());
        }
        let text = cause.to_string();
        // Skip the top line and links that repeat the previous one (wrappers that display
        // their inner error).
        if text == last || out.ends_with(&format!("{text}\n")) {
            continue;
        }
        out.push_str(&format!("  {yellow}caused by{reset}: {text}\n"));
        last = text;
    }
    for hint in hints {
        out.push_str(&format!("{cyan}hint{reset}: {hint}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_broken_pipe_is_seen_through_serde_json_and_context() {
        use std::io::{Error, ErrorKind, Write};
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(Error::from(ErrorKind::BrokenPipe))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let json = serde_json::to_writer(Closed, &[1, 2, 3]).unwrap_err();
        assert!(super::is_broken_pipe(
            &anyhow::Error::new(json).context("failed to write")
        ));
        let io = Error::from(ErrorKind::BrokenPipe);
        assert!(super::is_broken_pipe(&anyhow::Error::new(io)));
        let other = Error::from(ErrorKind::PermissionDenied);
        assert!(!super::is_broken_pipe(&anyhow::Error::new(other)));
    }

    use super::*;
    use anyhow::Context;

    #[test]
    fn renders_causes_and_hints() {
        let inner: anyhow::Result<()> = Err(anyhow::anyhow!("connection refused"));
        let err = inner
            .context("failed to connect to nats://127.0.0.1:4222")
            .hint("start a server")
            .context("failed to list streams")
            .unwrap_err();
        let text = render(&err, false);
        assert_eq!(
            text,
            "error: failed to list streams\n  caused by: failed to connect to nats://127.0.0.1:4222\n  caused by: connection refused\nhint: start a server\n"
        );
    }
}
