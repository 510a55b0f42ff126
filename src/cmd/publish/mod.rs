//! `jq-nats publish`: enqueue jobs from an argument (`--count` times, with templates) or from
//! stdin (a job per line, or all of stdin as one job), each confirmed by its JetStream ack.
//!
//! The parts: [`input`] reads stdin on its own thread, [`window`] keeps acks pipelined and
//! settles them in order, [`report`] prints what happened. This file checks the arguments,
//! renders templates and runs the loop.

mod input;
mod report;
mod window;

use std::io::IsTerminal;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Result;
use async_nats::header::{HeaderName, HeaderValue, NATS_MESSAGE_ID};
use async_nats::{HeaderMap, Subject};
use bytes::Bytes;
use tokio::sync::{mpsc, Notify};

use self::input::Input;
use self::report::Report;
use self::window::{Failure, FailureKind, Job, Window};
use super::Env;
use crate::cli::PublishArgs;
use crate::error::{usage, with_hint, Exit, EXIT_FAILURE};
use crate::template::{Moment, Template};

/// Why a subject cannot be published to, if it cannot.
pub fn subject_problem(subject: &str) -> Option<String> {
    if subject.is_empty() {
        return Some("a subject cannot be empty".into());
    }
    if let Some(c) = subject.chars().find(|c| c.is_whitespace()) {
        return Some(format!(
            "invalid subject `{subject}`: it cannot contain whitespace ({c:?})"
        ));
    }
    for token in subject.split('.') {
        match token {
            "" => {
                return Some(format!(
                    "invalid subject `{subject}`: it has an empty token (a leading, trailing or double `.`)"
                ))
            }
            "*" | ">" => {
                return Some(format!(
                    "cannot publish to `{subject}`: `{token}` is a wildcard; jobs go to one exact subject like `orders.new`"
                ))
            }
            _ => {}
        }
    }
    None
}

/// The headers of every job: a name and a value template, as given with -H.
struct HeaderSpec {
    name: HeaderName,
    value: Template,
}

/// Everything checked and parsed before connecting.
struct Plan {
    subject: Template,
    /// The subject when it has no templates.
    fixed_subject: Option<Subject>,
    headers: Vec<HeaderSpec>,
    id: Option<Template>,
    /// All headers when none has templates (and there is no --id).
    fixed_headers: Option<HeaderMap>,
    uses_time: bool,
    /// Whether jobs carry a Nats-Msg-Id (from --id or -H), which makes resending them safe.
    has_id: bool,
}

impl Plan {
    fn new(args: &PublishArgs) -> Result<Plan> {
        let subject = Template::parse(&args.subject, "the subject")?;
        let fixed_subject = match subject.text() {
            Some(text) => {
                if let Some(problem) = subject_problem(&text) {
                    return Err(usage(problem));
                }
                Some(Subject::from(text))
            }
            None => None,
        };
        let mut headers = Vec::new();
        for h in &args.headers {
            let Some((name, value)) = h.split_once(':') else {
                return Err(usage(format!(
                    "invalid header `{h}`: expected KEY:VALUE, like `-H 'Priority:high'`"
                )));
            };
            let (name, value) = (name.trim(), value.trim());
            let name = HeaderName::from_str(name)
                .ok()
                .filter(|_| !name.is_empty())
                .ok_or_else(|| {
                    usage(format!(
                        "invalid header name `{name}` in `{h}`: use printable ASCII without `:`"
                    ))
                })?;
            if HeaderValue::from_str(value).is_err() {
                return Err(usage(format!(
                    "invalid header value in `{h}`: it cannot contain line breaks"
                )));
            }
            let value = Template::parse(value, &format!("header `{name}`"))?;
            headers.push(HeaderSpec { name, value });
        }
        let id = match &args.id {
            Some(text) if text.trim().is_empty() => {
                return Err(usage("--id cannot be empty"));
            }
            Some(text) => {
                if HeaderValue::from_str(text).is_err() {
                    return Err(usage("--id cannot contain line breaks"));
                }
                Some(Template::parse(text, "--id")?)
            }
            None => None,
        };
        let fixed_headers =
            (id.is_none() && headers.iter().all(|h| h.value.is_static())).then(|| {
                let mut map = HeaderMap::new();
                for h in &headers {
                    let value = h.value.text().expect("static");
                    map.append(h.name.clone(), value.as_str());
                }
                map
            });
        let uses_time = subject.uses_time()
            || headers.iter().any(|h| h.value.uses_time())
            || id.as_ref().is_some_and(Template::uses_time);
        let has_id = id.is_some() || headers.iter().any(|h| h.name == NATS_MESSAGE_ID);
        Ok(Plan {
            subject,
            fixed_subject,
            headers,
            id,
            fixed_headers,
            uses_time,
            has_id,
        })
    }

    /// The job numbered `line` with `payload`; a usage error when its subject renders invalid.
    fn job(
        &self,
        line: u64,
        payload: Bytes,
        now: &mut Moment,
        scratch: &mut String,
    ) -> Result<Job> {
        let subject = match &self.fixed_subject {
            Some(s) => s.clone(),
            None => {
                self.subject.render_into(line, now, scratch);
                if let Some(problem) = subject_problem(scratch) {
                    return Err(usage(format!("job {line}: {problem}")));
                }
                Subject::from(scratch.as_str())
            }
        };
        let headers = match &self.fixed_headers {
            Some(map) if map.is_empty() => None,
            Some(map) => Some(map.clone()),
            None => {
                let mut map = HeaderMap::new();
                for h in &self.headers {
                    h.value.render_into(line, now, scratch);
                    map.append(h.name.clone(), scratch.as_str());
                }
                if let Some(id) = &self.id {
                    id.render_into(line, now, scratch);
                    map.insert(NATS_MESSAGE_ID, scratch.as_str());
                }
                Some(map)
            }
        };
        Ok(Job {
            line,
            subject,
            payload,
            headers,
            has_id: self.has_id,
        })
    }
}

/// Where the jobs' bodies come from.
enum Source {
    /// BODY, published `count` times.
    Body {
        body: Template,
        count: u64,
    },
    Stdin,
}

/// Ctrl-C: the first stops reading input (in-flight jobs are still confirmed, the summary is
/// printed, exit 1), the second exits at once with 130.
struct Interrupt {
    flag: Arc<AtomicBool>,
    notify: Arc<Notify>,
}

impl Interrupt {
    fn install() -> Interrupt {
        let flag = Arc::new(AtomicBool::new(false));
        let notify = Arc::new(Notify::new());
        let (f, n) = (flag.clone(), notify.clone());
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            f.store(true, Ordering::Relaxed);
            n.notify_one();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(crate::error::EXIT_INTERRUPTED.into());
            }
        });
        Interrupt { flag, notify }
    }

    fn is_set(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }
}

pub async fn run(env: &Env, args: PublishArgs) -> Result<()> {
    let plan = Plan::new(&args)?;
    let source = match &args.body {
        Some(body) => Source::Body {
            body: Template::parse(body, "the body")?,
            count: args.count.unwrap_or(1),
        },
        None if args.count.is_some() => {
            return Err(usage(
                "--count repeats a BODY: give one, like `jq-nats publish orders.new 'order {{Count}}' --count 10` (from stdin, each line is one job)",
            ));
        }
        None if std::io::stdin().is_terminal() => {
            return Err(with_hint(
                usage("no job to publish: give a BODY, or pipe jobs on stdin"),
                "`jq-nats publish orders.new 'order-1'`, or `seq 1 10 | jq-nats publish orders.new`",
            ));
        }
        None => Source::Stdin,
    };

    let conn = env.connect().await?;
    let timeout = conn.settings.timeout.value;
    let mut window = Window::new(conn.js.clone(), conn.client.clone(), args.window, timeout);
    let interrupt = Interrupt::install();
    let (tally, fatal) = match source {
        Source::Body { body, count } => {
            // As natscli: a bar for more than 20 jobs.
            let bar = if count > 20 {
                env.printer.progress(Some(count), "publishing")
            } else {
                indicatif::ProgressBar::hidden()
            };
            let mut report = Report::new(&env.printer, bar);
            let result =
                publish_body(&plan, &body, count, &mut window, &mut report, &interrupt).await;
            window.finish(&mut report).await;
            let (stopped, fatal) = stop_reason(&window, &interrupt, result, |last| {
                format!("jobs after job {last} were not published")
            });
            (report.finish(stopped.as_deref()), fatal)
        }
        Source::Stdin => {
            let limit = conn.client.max_payload();
            let rx = input::spawn(std::io::stdin(), args.send_on, limit);
            let bar = env.printer.progress(None, "publishing");
            let mut report = Report::new(&env.printer, bar);
            let result =
                publish_stdin(&plan, rx, limit, &mut window, &mut report, &interrupt).await;
            window.finish(&mut report).await;
            let (stopped, fatal) = stop_reason(&window, &interrupt, result, |last| {
                format!("input after line {last} was not published")
            });
            (report.finish(stopped.as_deref()), fatal)
        }
    };
    let tally = tally?;
    if let Some(e) = fatal {
        return Err(e);
    }
    // An interrupted run did not publish all of its input: not a success.
    if tally.failed > 0 || window.lost() || interrupt.is_set() {
        return Err(Exit(EXIT_FAILURE).into());
    }
    Ok(())
}

/// Why the loop stopped before the end of its input, and the error to return. `rest` says
/// what was left out after the last job number handed to the window.
fn stop_reason(
    window: &Window,
    interrupt: &Interrupt,
    result: Result<u64>,
    rest: impl Fn(u64) -> String,
) -> (Option<String>, Option<anyhow::Error>) {
    match result {
        // The error itself says why.
        Err(e) => (None, Some(e)),
        Ok(last) if window.lost() => (
            Some(format!(
                "the connection to the server was lost; {}",
                rest(last)
            )),
            None,
        ),
        Ok(last) if interrupt.is_set() => (Some(format!("interrupted; {}", rest(last))), None),
        Ok(_) => (None, None),
    }
}

/// Publishes BODY `count` times; gives the last job number sent.
async fn publish_body(
    plan: &Plan,
    body: &Template,
    count: u64,
    window: &mut Window,
    report: &mut Report,
    interrupt: &Interrupt,
) -> Result<u64> {
    let fixed_body = body.text().map(Bytes::from);
    let clock = plan.uses_time || body.uses_time();
    let mut now = Moment::now();
    let mut scratch = String::new();
    let mut body_text = String::new();
    for line in 1..=count {
        if window.lost() || interrupt.is_set() {
            return Ok(line - 1);
        }
        if clock {
            now = Moment::now();
        }
        let payload = match &fixed_body {
            Some(b) => b.clone(),
            None => {
                body.render_into(line, &mut now, &mut body_text);
                Bytes::copy_from_slice(body_text.as_bytes())
            }
        };
        let job = plan.job(line, payload, &mut now, &mut scratch)?;
        window.send(job, report).await;
    }
    Ok(count)
}

/// Publishes stdin's jobs as they come; gives the last input line number handled.
async fn publish_stdin(
    plan: &Plan,
    mut rx: mpsc::Receiver<Vec<Input>>,
    limit: usize,
    window: &mut Window,
    report: &mut Report,
    interrupt: &Interrupt,
) -> Result<u64> {
    let mut now = Moment::now();
    let mut scratch = String::new();
    let mut line = 0u64;
    loop {
        if window.lost() || interrupt.is_set() {
            return Ok(line);
        }
        let batch = match rx.try_recv() {
            Ok(batch) => batch,
            Err(mpsc::error::TryRecvError::Disconnected) => return Ok(line),
            Err(mpsc::error::TryRecvError::Empty) => {
                // Input is slow: confirm what can be confirmed while waiting for more.
                let mut batch = None;
                while batch.is_none() {
                    window.settle_ready(report).await;
                    window::Sink::flush(report);
                    if window.lost() || interrupt.is_set() {
                        return Ok(line);
                    }
                    tokio::select! {
                        biased;
                        received = rx.recv() => match received {
                            Some(b) => batch = Some(b),
                            None => return Ok(line),
                        },
                        () = interrupt.notify.notified() => {}
                        () = window.front_ready() => {}
                    }
                    window.refresh_clock();
                }
                batch.expect("received")
            }
        };
        for input in batch {
            if window.lost() || interrupt.is_set() {
                return Ok(line);
            }
            line += 1;
            match input {
                Input::Line(payload) if payload.is_empty() => report.empty(),
                Input::Line(payload) => {
                    if plan.uses_time {
                        now = Moment::now();
                    }
                    let job = plan.job(line, payload, &mut now, &mut scratch)?;
                    window.send(job, report).await;
                }
                Input::TooLarge(size) => {
                    let subject = plan
                        .fixed_subject
                        .clone()
                        .unwrap_or_else(|| Subject::from_static(""));
                    let failure = Failure::new(
                        FailureKind::OverMaxPayload,
                        format!(
                            "the job is {} ({size} bytes), over the server's max_payload of {} ({limit} bytes)",
                            crate::units::format_bytes(size),
                            crate::units::format_bytes(limit as u64),
                        ),
                    );
                    window.fail(line, subject, failure, report);
                }
                Input::Failed(e) => {
                    return Err(anyhow::Error::new(e)
                        .context(format!("failed to read stdin after line {}", line - 1)));
                }
            }
        }
    }
}
