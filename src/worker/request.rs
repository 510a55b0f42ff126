//! `work --request SUBJECT`: each job is a NATS request to SUBJECT, answered by any number of
//! services (a queue group, `nats micro` services in any language). The request carries the
//! job's payload and headers as published plus its metadata in `Jq-*` headers; a reply without
//! an error header is ok, [`H_ERROR`] (or a micro service's `Nats-Service-Error`) a failure,
//! [`H_FATAL`] `true` a fatal one; no responders or no reply in time is a failure too.

use std::time::Duration;

use async_nats::client::RequestErrorKind;
use async_nats::{Client, HeaderMap, Message, Request, Subject};
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::job::{Attempt, Execution, Job, Verdict};
use crate::units::format_duration;

/// A reply header: the job failed, for this reason.
pub const H_ERROR: &str = "Jq-Error";
/// A reply header: `true` to skip the retries (the job goes to the DLQ now).
pub const H_FATAL: &str = "Jq-Fatal";
/// The error headers of a `nats micro` service's error reply.
pub const H_MICRO_ERROR: &str = "Nats-Service-Error";
pub const H_MICRO_CODE: &str = "Nats-Service-Error-Code";
/// How long a request waits for its reply without `--handler-timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Where jobs are sent.
pub struct Service {
    client: Client,
    subject: Subject,
    timeout: Duration,
    consumer: String,
    max_deliver: i64,
}

impl Service {
    pub fn new(
        client: Client,
        subject: &str,
        timeout: Option<Duration>,
        consumer: &str,
        max_deliver: i64,
    ) -> Service {
        Service {
            client,
            subject: Subject::from(subject),
            timeout: timeout.unwrap_or(DEFAULT_TIMEOUT),
            consumer: consumer.to_string(),
            max_deliver,
        }
    }

    /// The request's headers: the job's own, then its metadata.
    fn headers(&self, job: &Job) -> HeaderMap {
        let mut headers = job.msg.headers.clone().unwrap_or_default();
        headers.insert("Jq-Stream", job.stream.as_str());
        headers.insert("Jq-Consumer", self.consumer.as_str());
        headers.insert("Jq-Subject", job.subject.as_str());
        headers.insert("Jq-Seq", job.seq.to_string().as_str());
        headers.insert("Jq-Attempt", job.attempt.to_string().as_str());
        headers.insert("Jq-Max-Deliver", self.max_deliver.to_string().as_str());
        headers
    }

    pub fn start(&self, job: &Job, stop: oneshot::Receiver<()>) -> Execution {
        let request = Request::new()
            .payload(job.msg.payload.clone())
            .headers(self.headers(job))
            .timeout(Some(self.timeout));
        let client = self.client.clone();
        let subject = self.subject.clone();
        let timeout = self.timeout;
        Box::pin(async move {
            let started = Instant::now();
            let stopped = async {
                match stop.await {
                    Ok(()) => {}
                    Err(_) => std::future::pending().await,
                }
            };
            let reply = tokio::select! {
                reply = client.send_request(subject.clone(), request) => reply,
                () = stopped => return Attempt::new(Verdict::Stopped, started.elapsed()),
            };
            let mut attempt = Attempt::new(Verdict::Ok, started.elapsed());
            attempt.verdict = match reply {
                Ok(reply) => verdict_of(&reply),
                Err(e) => match e.kind() {
                    RequestErrorKind::NoResponders => {
                        Verdict::Fail(format!("no responders on {subject}"))
                    }
                    RequestErrorKind::TimedOut => {
                        attempt.timed_out = true;
                        Verdict::Fail(format!(
                            "no reply from {subject} within {}",
                            format_duration(timeout)
                        ))
                    }
                    _ => Verdict::Fail(format!("request to {subject} failed: {e}")),
                },
            };
            attempt
        })
    }
}

/// What a reply says about its job.
pub fn verdict_of(reply: &Message) -> Verdict {
    let get = |name: &str| {
        reply
            .headers
            .as_ref()
            .and_then(|h| h.get(name))
            .map(|v| v.as_str().trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let fatal = get(H_FATAL).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let error = get(H_ERROR).or_else(|| {
        get(H_MICRO_ERROR).map(|text| match get(H_MICRO_CODE) {
            Some(code) => format!("{code} {text}"),
            None => text,
        })
    });
    match (error, fatal) {
        (None, false) => Verdict::Ok,
        (error, true) => Verdict::Fatal(format!(
            "{} (fatal)",
            error.unwrap_or_else(|| format!("the service answered {H_FATAL}: true"))
        )),
        (Some(error), false) => Verdict::Fail(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(headers: &[(&str, &str)]) -> Message {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, *v);
        }
        Message {
            subject: "r".into(),
            reply: None,
            payload: Default::default(),
            headers: (!headers.is_empty()).then_some(map),
            status: None,
            description: None,
            length: 0,
        }
    }

    #[test]
    fn replies_become_verdicts() {
        assert_eq!(verdict_of(&reply(&[])), Verdict::Ok);
        assert_eq!(
            verdict_of(&reply(&[(H_ERROR, "card declined")])),
            Verdict::Fail("card declined".into())
        );
        assert_eq!(
            verdict_of(&reply(&[(H_ERROR, "bad order"), (H_FATAL, "true")])),
            Verdict::Fatal("bad order (fatal)".into())
        );
        assert_eq!(
            verdict_of(&reply(&[
                (H_MICRO_ERROR, "no stock"),
                (H_MICRO_CODE, "409")
            ])),
            Verdict::Fail("409 no stock".into())
        );
    }
}
