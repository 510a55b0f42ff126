//! What `publish` tells the user: a line on stderr per failed job, NDJSON on stdout under
//! `--json` (one object per job, then a summary), a progress bar on a terminal, and the summary.
//!
//! Output is buffered and flushed whenever the publisher is about to wait, so a slow producer's
//! receipts still come out at once while a fast one does not pay a write per job.

use std::io::{BufWriter, Write};

use anyhow::Result;
use indicatif::ProgressBar;
use serde::Serialize;

use super::window::{FailureKind, Outcome, Sink};
use crate::output::Printer;

/// Failed line numbers listed in the summary; the rest are counted.
const LINES_LISTED: usize = 10;

#[derive(Debug, Default, Clone, Serialize)]
pub struct StreamTally {
    pub stream: String,
    /// Jobs acked by this stream, duplicates included.
    pub published: u64,
    pub duplicates: u64,
    /// Sequence range of the jobs stored (duplicates point at older messages).
    pub first_seq: Option<u64>,
    pub last_seq: Option<u64>,
}

/// Counts of everything that happened.
#[derive(Debug, Default)]
pub struct Tally {
    pub published: u64,
    pub duplicates: u64,
    pub failed: u64,
    pub empty: u64,
    pub streams: Vec<StreamTally>,
    pub failed_lines: Vec<u64>,
    pub failed_kinds: Vec<FailureKind>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Event<'a> {
    Published {
        line: u64,
        stream: &'a str,
        seq: u64,
        duplicate: bool,
    },
    Error {
        line: u64,
        error: &'a str,
    },
}

#[derive(Serialize)]
struct SummaryView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    published: u64,
    duplicates: u64,
    failed: u64,
    empty_skipped: u64,
    streams: &'a [StreamTally],
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped: Option<&'a str>,
}

pub struct Report {
    pub tally: Tally,
    printer: Printer,
    json: Option<BufWriter<std::io::Stdout>>,
    errors: BufWriter<std::io::Stderr>,
    bar: Option<ProgressBar>,
    /// The first error writing stdout (a closed pipe): reported at the end.
    write_error: Option<std::io::Error>,
}

impl Report {
    pub fn new(printer: &Printer, bar: ProgressBar) -> Report {
        Report {
            tally: Tally::default(),
            printer: printer.clone(),
            json: printer
                .json
                .then(|| BufWriter::with_capacity(64 * 1024, std::io::stdout())),
            errors: BufWriter::new(std::io::stderr()),
            bar: (!bar.is_hidden()).then_some(bar),
            write_error: None,
        }
    }

    /// An empty input line, skipped.
    pub fn empty(&mut self) {
        self.tally.empty += 1;
    }

    fn event(&mut self, event: &Event) {
        let Some(out) = self.json.as_mut() else {
            return;
        };
        if self.write_error.is_some() {
            return;
        }
        let result = serde_json::to_writer(&mut *out, event)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"));
        if let Err(e) = result {
            self.write_error = Some(e);
        }
    }

    /// Flushes everything and prints the summary: the human one on stderr, the JSON one on
    /// stdout. `stopped` says why input was not read to the end, if it was not.
    pub fn finish(mut self, stopped: Option<&str>) -> Result<Tally> {
        self.flush();
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if let Some(out) = self.json.as_mut() {
            let view = SummaryView {
                kind: "summary",
                published: self.tally.published,
                duplicates: self.tally.duplicates,
                failed: self.tally.failed,
                empty_skipped: self.tally.empty,
                streams: &self.tally.streams,
                stopped,
            };
            if self.write_error.is_none() {
                let result = serde_json::to_writer(&mut *out, &view)
                    .map_err(std::io::Error::from)
                    .and_then(|()| out.write_all(b"\n"))
                    .and_then(|()| out.flush());
                if let Err(e) = result {
                    self.write_error = Some(e);
                }
            }
        }
        self.printer.status(summary_line(&self.tally));
        if let Some(why) = stopped {
            self.printer.warn(format!("stopped early: {why}"));
        }
        for hint in hints(&self.tally) {
            if !self.printer.quiet {
                eprintln!("{}: {hint}", self.printer.paint("1;36", "hint"));
            }
        }
        if let Some(e) = self.write_error {
            return Err(anyhow::Error::new(e).context("failed to write to stdout"));
        }
        Ok(self.tally)
    }
}

impl Sink for Report {
    fn settled(&mut self, line: u64, outcome: Outcome) {
        match outcome {
            Outcome::Published(ack) => {
                let t = &mut self.tally;
                t.published += 1;
                t.duplicates += u64::from(ack.duplicate);
                let stream = match t.streams.iter().position(|s| s.stream == ack.stream) {
                    Some(i) => &mut t.streams[i],
                    None => {
                        t.streams.push(StreamTally {
                            stream: ack.stream.clone(),
                            ..Default::default()
                        });
                        t.streams.last_mut().expect("just pushed")
                    }
                };
                stream.published += 1;
                if ack.duplicate {
                    stream.duplicates += 1;
                } else {
                    let seq = ack.sequence;
                    stream.first_seq = Some(stream.first_seq.map_or(seq, |f| f.min(seq)));
                    stream.last_seq = Some(stream.last_seq.map_or(seq, |l| l.max(seq)));
                }
                self.event(&Event::Published {
                    line,
                    stream: &ack.stream,
                    seq: ack.sequence,
                    duplicate: ack.duplicate,
                });
            }
            Outcome::Failed(failure) => {
                let t = &mut self.tally;
                t.failed += 1;
                if t.failed_lines.len() < LINES_LISTED {
                    t.failed_lines.push(line);
                }
                if !t.failed_kinds.contains(&failure.kind) {
                    t.failed_kinds.push(failure.kind);
                }
                let label = self.printer.paint("1;31", "error");
                let _ = writeln!(self.errors, "{label}: line {line}: {}", failure.reason);
                self.event(&Event::Error {
                    line,
                    error: &failure.reason,
                });
            }
        }
    }

    fn flush(&mut self) {
        if let Some(out) = self.json.as_mut() {
            if self.write_error.is_none() {
                if let Err(e) = out.flush() {
                    self.write_error = Some(e);
                }
            }
        }
        let errors = &mut self.errors;
        match &self.bar {
            Some(bar) => {
                // Suspending redraws the bar: only when there is something to print.
                if !errors.buffer().is_empty() {
                    bar.suspend(|| {
                        let _ = errors.flush();
                    });
                }
                bar.set_position(self.tally.published + self.tally.failed);
            }
            None => {
                let _ = errors.flush();
            }
        }
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn seq_range(s: &StreamTally) -> Option<String> {
    match (s.first_seq, s.last_seq) {
        (Some(a), Some(b)) if a == b => Some(format!("seq {a}")),
        (Some(a), Some(b)) => Some(format!("seq {a}–{b}")),
        _ => None,
    }
}

/// "published 20 jobs to orders_stream, seq 448–467, 0 duplicates", and what was skipped or
/// failed.
pub fn summary_line(t: &Tally) -> String {
    let mut line = format!("published {}", plural(t.published, "job", "jobs"));
    match t.streams.as_slice() {
        [] => {}
        [s] => {
            line.push_str(&format!(" to {}", s.stream));
            if let Some(r) = seq_range(s) {
                line.push_str(&format!(", {r}"));
            }
        }
        many => {
            let parts: Vec<String> = many
                .iter()
                .map(|s| match seq_range(s) {
                    Some(r) => format!("{} {r}", s.stream),
                    None => s.stream.clone(),
                })
                .collect();
            line.push_str(&format!(
                " to {} streams ({})",
                many.len(),
                parts.join(", ")
            ));
        }
    }
    line.push_str(&format!(
        ", {}",
        plural(t.duplicates, "duplicate", "duplicates")
    ));
    // Counted among the published (the server acked them), but not stored a second time.
    if t.duplicates > 0 {
        line.push_str(" (already in the stream: not stored again)");
    }
    if t.empty > 0 {
        line.push_str(&format!(
            ", {} skipped",
            plural(t.empty, "empty line", "empty lines")
        ));
    }
    if t.failed > 0 {
        let listed: Vec<String> = t.failed_lines.iter().map(u64::to_string).collect();
        let more = t.failed - t.failed_lines.len() as u64;
        let lines = if more > 0 {
            format!("{} and {more} more", listed.join(", "))
        } else {
            listed.join(", ")
        };
        line.push_str(&format!(
            "; {} failed (line{} {lines})",
            t.failed,
            if t.failed == 1 { "" } else { "s" }
        ));
    }
    line
}

/// Advice for the kinds of failure seen.
fn hints(t: &Tally) -> Vec<&'static str> {
    t.failed_kinds
        .iter()
        .filter_map(|k| match k {
            FailureKind::NoStream => Some(
                "no stream captures the subject: create one with `jq-nats stream add NAME --subjects SUBJECT`",
            ),
            FailureKind::TooLarge => Some(
                "raise the stream's limit with `jq-nats stream edit NAME --max-msg-size SIZE` (up to the server's max_payload)",
            ),
            FailureKind::OverMaxPayload => Some(
                "the server's max_payload limits every message: raise it in the server's configuration, or publish a reference to the data instead",
            ),
            FailureKind::StreamFull => Some(
                "the stream is full and refuses new jobs (discard new): let workers drain it, or raise --max-bytes/--max-msgs with `jq-nats stream edit`",
            ),
            FailureKind::SubjectFull => Some(
                "the job's subject holds as many jobs as the stream allows per subject (discard new): let workers take them, or raise --max-msgs-per-subject with `jq-nats stream edit`",
            ),
            FailureKind::TimedOut => Some(
                "give --id TEMPLATE so timed-out jobs are retried safely, or a longer --timeout",
            ),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(name: &str, first: Option<u64>, last: Option<u64>) -> StreamTally {
        StreamTally {
            stream: name.into(),
            published: 1,
            duplicates: 0,
            first_seq: first,
            last_seq: last,
        }
    }

    #[test]
    fn summary_reads_well() {
        let mut t = Tally {
            published: 20,
            streams: vec![stream("orders_stream", Some(448), Some(467))],
            ..Default::default()
        };
        assert_eq!(
            summary_line(&t),
            "published 20 jobs to orders_stream, seq 448–467, 0 duplicates"
        );
        t.empty = 1;
        t.failed = 12;
        t.failed_lines = (1..=10).collect();
        assert_eq!(
            summary_line(&t),
            "published 20 jobs to orders_stream, seq 448–467, 0 duplicates, 1 empty line skipped; 12 failed (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more)"
        );
        let t = Tally {
            published: 1,
            duplicates: 1,
            streams: vec![stream("a", None, None)],
            ..Default::default()
        };
        assert_eq!(
            summary_line(&t),
            "published 1 job to a, 1 duplicate (already in the stream: not stored again)"
        );
        let t = Tally {
            failed: 1,
            failed_lines: vec![3],
            ..Default::default()
        };
        assert_eq!(
            summary_line(&t),
            "published 0 jobs, 0 duplicates; 1 failed (line 3)"
        );
    }
}
