//! What a worker tells: a line per job on stderr in the article's words, NDJSON events on stdout
//! under --json, a live status line on a terminal, and a summary at exit.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tokio::time::Instant;

use crate::units::format_duration;

/// How a worker talks; chosen from the global output flags.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// NDJSON events on stdout (command mode) or NDJSON jobs (print mode).
    pub json: bool,
    /// No per-job lines, notices or summary on stderr: only warnings and errors.
    pub quiet: bool,
    /// A live status line (stderr is a terminal, neither --json nor --quiet).
    pub live: bool,
    /// Colour on stderr.
    pub color: bool,
}

/// Lines on stderr, kept clear of the live status line.
pub struct Log {
    style: Style,
    bar: Option<ProgressBar>,
    /// Whether handlers' stdout comes through us, to be written around the bar.
    relay_stdout: bool,
}

impl Log {
    pub fn new(style: Style) -> Log {
        let bar = style.live.then(|| {
            let bar = ProgressBar::with_draw_target(None, crate::output::stderr_target());
            bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let relay_stdout = bar.is_some();
        Log {
            style,
            bar,
            relay_stdout,
        }
    }

    /// Lines written around `bar`, another command's progress bar (`dlq drain` runs its
    /// COMMAND with this), when it is drawn. A handler's stdout comes through us only when
    /// it is that terminal too: a handler writing to a closed pipe (`| head`) must still get
    /// its SIGPIPE.
    pub fn beside(bar: &ProgressBar) -> Log {
        let bar = (!bar.is_hidden()).then(|| bar.clone());
        let relay_stdout = bar.is_some() && std::io::stdout().is_terminal();
        Log {
            style: Style::default(),
            bar,
            relay_stdout,
        }
    }

    fn emit(&self, bytes: &[u8]) {
        let write = || {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(bytes);
            let _ = err.flush();
        };
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    fn line(&self, text: &str) {
        let mut bytes = Vec::with_capacity(text.len() + 1);
        bytes.extend_from_slice(text.as_bytes());
        bytes.push(b'\n');
        self.emit(&bytes);
    }

    /// A line about one job (not under --quiet).
    pub fn job(&self, text: &str) {
        if !self.style.quiet {
            self.line(text);
        }
    }

    /// A notice about the worker (not under --quiet).
    pub fn notice(&self, text: &str) {
        if !self.style.quiet {
            self.line(text);
        }
    }

    /// A warning, always shown.
    pub fn warn(&self, text: &str) {
        let label = if self.style.color {
            "\x1b[1;33mwarning\x1b[0m"
        } else {
            "warning"
        };
        self.line(&format!("{label}: {text}"));
    }

    /// Lines a handler wrote to its stderr, passed on as they are.
    pub fn handler_stderr(&self, bytes: &[u8]) {
        self.emit(bytes);
    }

    /// Lines a handler wrote to its stdout, passed on to ours with the status line out of the
    /// way.
    pub fn handler_stdout(&self, bytes: &[u8]) {
        let write = || {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(bytes);
            let _ = out.flush();
        };
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Whether handlers' stdout must come through us, to go around a live status line.
    pub fn relays_stdout(&self) -> bool {
        self.relay_stdout
    }

    /// Refreshes the live status line.
    pub fn status(&self, stats: &Stats) {
        if let Some(bar) = &self.bar {
            bar.set_message(stats.status_line());
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Counters of one worker run.
#[derive(Debug, Clone)]
pub struct Stats {
    pub started: Instant,
    /// Handler succeeded, job acked (or job written, in print mode).
    pub done: u64,
    /// Failed attempts put back for a later one.
    pub retried: u64,
    /// Jobs written to the dead-letter queue.
    pub dead: u64,
    /// Jobs that ran out of attempts and were left to the server (no DLQ taking copies).
    pub parked: u64,
    /// Jobs handed back unstarted or interrupted when the worker stopped.
    pub requeued: u64,
    pub in_flight: u64,
}

impl Stats {
    pub fn new() -> Stats {
        Stats {
            started: Instant::now(),
            done: 0,
            retried: 0,
            dead: 0,
            parked: 0,
            requeued: 0,
            in_flight: 0,
        }
    }

    /// Jobs that will not come back to this consumer: done, dead or parked.
    pub fn finished(&self) -> u64 {
        self.done + self.dead + self.parked
    }

    pub fn rate(&self) -> f64 {
        let secs = self.started.elapsed().as_secs_f64();
        if secs > 0.0 {
            self.finished() as f64 / secs
        } else {
            0.0
        }
    }

    fn status_line(&self) -> String {
        format!(
            "done {} · retried {} · dead {} · in flight {} · {:.1} jobs/s",
            self.done,
            self.retried,
            self.dead + self.parked,
            self.in_flight,
            self.rate()
        )
    }

    /// The summary on stderr at exit.
    pub fn summary(&self, print_mode: bool) -> String {
        let elapsed = self.started.elapsed();
        let took = if elapsed < Duration::from_secs(1) {
            format!("{}ms", elapsed.as_millis())
        } else {
            format!("{:.1}s", elapsed.as_secs_f64())
        };
        if print_mode {
            let back = if self.requeued > 0 {
                format!(", put back {}", self.requeued)
            } else {
                String::new()
            };
            return format!(
                "wrote {} job{}{back} in {took} ({:.0} jobs/s)",
                self.done,
                if self.done == 1 { "" } else { "s" },
                self.rate()
            );
        }
        let mut text = format!(
            "done {}, retried {}, dead {}",
            self.done, self.retried, self.dead
        );
        if self.parked > 0 {
            text.push_str(&format!(", parked {}", self.parked));
        }
        if self.requeued > 0 {
            text.push_str(&format!(", put back {}", self.requeued));
        }
        text.push_str(&format!(" in {took} ({:.1} jobs/s)", self.rate()));
        text
    }

    pub fn summary_event(&self) -> SummaryEvent {
        SummaryEvent {
            kind: "summary",
            done: self.done,
            retried: self.retried,
            dead: self.dead,
            parked: self.parked,
            requeued: self.requeued,
            duration_ms: self.started.elapsed().as_millis() as u64,
        }
    }
}

impl Default for Stats {
    fn default() -> Self {
        Stats::new()
    }
}

/// One NDJSON event of a command worker, for each outcome of an attempt.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Event {
    /// `done`, `retry`, `dead`, `parked`, `requeued` or `error`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub stream: String,
    pub seq: u64,
    pub subject: String,
    pub attempt: u64,
    /// -1 for unlimited.
    pub max_deliver: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_id: Option<String>,
    pub duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub timed_out: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_in_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dlq: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dlq_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryEvent {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub done: u64,
    pub retried: u64,
    pub dead: u64,
    pub parked: u64,
    pub requeued: u64,
    pub duration_ms: u64,
}

/// One NDJSON line on stdout, flushed.
pub fn ndjson<T: Serialize>(value: &T) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(value).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let mut out = std::io::stdout().lock();
    out.write_all(&line)?;
    out.flush()
}

/// A job's payload for a log line: one line of text, cut at 60 characters.
pub fn preview(payload: &[u8]) -> String {
    const MAX: usize = 60;
    if payload.is_empty() {
        return "(empty job)".into();
    }
    let text = String::from_utf8_lossy(payload);
    let mut out: String = text
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// A delay for a log line: `5s`, `200ms`, `2m`.
pub fn delay(d: Duration) -> String {
    format_duration(d)
}

/// How long a job ran: as [`delay`], and under a millisecond in tenths of one (`0.4ms`), where
/// `0s` would read as if nothing ran.
pub fn took(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1}ms", d.as_secs_f64() * 1000.0)
    } else {
        delay(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_times_under_a_millisecond_are_not_zero() {
        assert_eq!(took(Duration::from_micros(420)), "0.4ms");
        assert_eq!(took(Duration::from_micros(20)), "0.0ms");
        assert_eq!(took(Duration::from_millis(2)), "2ms");
        assert_eq!(
            took(Duration::from_millis(1500)),
            delay(Duration::from_millis(1500))
        );
    }

    #[test]
    fn previews_are_one_short_line() {
        assert_eq!(preview(b"order-3"), "order-3");
        assert_eq!(preview(b"a\nb"), "a b");
        assert_eq!(preview(b""), "(empty job)");
        let long = "x".repeat(100);
        let p = preview(long.as_bytes());
        assert_eq!(p.chars().count(), 61);
        assert!(p.ends_with('…'));
    }

    #[test]
    fn events_leave_out_what_does_not_apply() {
        let e = Event {
            kind: "done",
            stream: "orders_stream".into(),
            seq: 449,
            subject: "orders.new".into(),
            attempt: 1,
            max_deliver: 2,
            ..Default::default()
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["type"], "done");
        assert_eq!(v["seq"], 449);
        assert!(v.get("exit_code").is_none());
        assert!(v.get("timed_out").is_none());
    }
}
