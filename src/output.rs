//! Where output goes and how it looks: results on stdout (human text, a table, JSON or NDJSON),
//! status on stderr, colour and progress bars only for a person at a terminal.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use comfy_table::{presets, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use serde::Serialize;

use crate::cli::{ColorChoice, GlobalArgs};

#[derive(Debug, Clone)]
pub struct Printer {
    pub json: bool,
    pub quiet: bool,
    /// Colour on stderr.
    pub color: bool,
    /// Colour on stdout (tables).
    pub color_stdout: bool,
    pub stdout_tty: bool,
    pub stderr_tty: bool,
}

/// Whether colour is wanted on a stream that is (or is not) a terminal.
pub fn color_enabled(choice: ColorChoice, is_tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_tty
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

impl Printer {
    pub fn new(global: &GlobalArgs) -> Printer {
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        Printer {
            json: global.json,
            quiet: global.quiet,
            color: color_enabled(global.color, stderr_tty),
            color_stdout: color_enabled(global.color, stdout_tty),
            stdout_tty,
            stderr_tty,
        }
    }

    /// A status line on stderr (not under --quiet).
    pub fn status(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", message.as_ref());
        }
    }

    /// A warning on stderr, always shown.
    pub fn warn(&self, message: impl AsRef<str>) {
        eprintln!("{}: {}", self.paint("1;33", "warning"), message.as_ref());
    }

    /// `text` in an ANSI style when colour is on for stderr.
    pub fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{style}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// One JSON document on stdout.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, value)?;
        out.write_all(b"\n")?;
        out.flush()?;
        Ok(())
    }

    /// One NDJSON line on stdout, flushed at once.
    pub fn ndjson<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let mut line = serde_json::to_vec(value)?;
        line.push(b'\n');
        let mut out = std::io::stdout().lock();
        out.write_all(&line)?;
        out.flush()?;
        Ok(())
    }

    /// Text on stdout.
    pub fn out(&self, text: impl AsRef<str>) -> Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_ref().as_bytes())?;
        if !text.as_ref().ends_with('\n') {
            out.write_all(b"\n")?;
        }
        out.flush()?;
        Ok(())
    }

    /// A table styled for a terminal (UTF-8 borders) or plain for pipes.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        if self.stdout_tty {
            table.load_style(presets::UTF8_FULL_CONDENSED);
        } else {
            table.load_style(presets::NOTHING);
        }
        if !self.color_stdout {
            table.force_no_tty();
        } else {
            table.enforce_styling();
        }
        // A key-value table has no header: an empty one would print as a blank line.
        if header.iter().all(|h| h.is_empty()) {
            return table;
        }
        table.set_header(header.iter().map(|h| {
            let cell = comfy_table::Cell::new(h);
            if self.color_stdout {
                cell.add_attribute(comfy_table::Attribute::Bold)
            } else {
                cell
            }
        }));
        table
    }

    /// Whether progress bars and live status lines are shown: a terminal on stderr, and
    /// neither --json nor --quiet.
    pub fn live(&self) -> bool {
        self.stderr_tty && !self.json && !self.quiet
    }

    /// A progress bar on stderr, hidden when not [`live`](Self::live).
    pub fn progress(&self, len: Option<u64>, what: &str) -> ProgressBar {
        if !self.live() {
            return ProgressBar::hidden();
        }
        let bar = match len {
            Some(n) => ProgressBar::with_draw_target(Some(n), stderr_target()).with_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:30.cyan/blue}] {pos}/{len} ({per_sec}, eta {eta})",
                )
                .expect("valid template")
                .with_key("per_sec", rate)
                .progress_chars("=> "),
            ),
            None => ProgressBar::with_draw_target(None, stderr_target()).with_style(
                ProgressStyle::with_template("{spinner} {msg} {pos} ({per_sec})")
                    .expect("valid template")
                    .with_key("per_sec", rate),
            ),
        };
        bar.set_message(what.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    }
}

/// Where progress bars and status lines are drawn: stderr, and two columns short of its width
/// when stdout is that terminal too.
///
/// indicatif pads its line to the terminal's full width, which leaves the cursor waiting at the
/// right edge, so that what another process writes to the terminal starts on a line of its
/// own. But the `^C` the terminal echoes on Ctrl-C wraps too: the bar is redrawn below it and
/// a stale copy stays above (seen on every graceful stop of `work`). Two columns leave room
/// for the echo on the bar's own line, which the next draw clears. That is only safe when
/// every other line on the terminal goes through the bar: when stdout is the terminal (a
/// handler's output is then relayed around the bar), not when it is a pipe whose reader may
/// write to the terminal too (`jq-nats work orders | xargs -n1 echo`).
pub fn stderr_target() -> ProgressDrawTarget {
    if std::io::stdout().is_terminal() {
        ProgressDrawTarget::term_like_with_hz(Box::new(Narrowed(console::Term::stderr())), 20)
    } else {
        ProgressDrawTarget::stderr()
    }
}

#[derive(Debug)]
struct Narrowed(console::Term);

impl TermLike for Narrowed {
    fn width(&self) -> u16 {
        self.0.size().1.saturating_sub(2).max(1)
    }
    fn height(&self) -> u16 {
        self.0.size().0
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_up(n)
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.0.write_line(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.0.write_str(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.0.clear_line()
    }
    fn flush(&self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A whole number of items per second: `12,345/s`.
fn rate(state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write) {
    let _ = write!(
        w,
        "{}/s",
        indicatif::HumanCount(state.per_sec().round() as u64)
    );
}

/// Whether our stdout is a pipe whose reader is gone (`jq-nats work ... | head`): the next
/// write would fail (or kill a handler writing to it with SIGPIPE). Asked without writing.
pub fn stdout_closed() -> bool {
    let mut pfd = libc::pollfd {
        fd: libc::STDOUT_FILENO,
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no wait.
    let ready = unsafe { libc::poll(&mut pfd, 1, 0) };
    ready > 0 && pfd.revents & libc::POLLERR != 0
}
