//! The durable pull consumer a worker takes jobs from: created with the article's settings when
//! missing, joined as it is when no flag asks for something else, updated (with a notice) when
//! flags differ. The server's rules on backoff are checked here, before anything is sent.

use std::time::Duration;

use anyhow::{anyhow, Context as _, Result};
use async_nats::jetstream::consumer::{pull, AckPolicy, FromConsumer, PullConsumer};
use async_nats::jetstream::context::ConsumerInfoErrorKind;
use async_nats::jetstream::{self, ErrorCode};

use crate::error::{usage, with_hint};
use crate::units::format_duration;

/// The article's consumer name.
pub const DEFAULT_NAME: &str = "processor";
/// The article's MaxDeliver: one try and one retry.
pub const DEFAULT_MAX_DELIVER: i64 = 2;
/// The article's BackOff.
pub const DEFAULT_BACKOFF: Duration = Duration::from_secs(5);

/// The consumer settings asked for on the command line; `None` means "the consumer's, or the
/// default for a new one".
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub name: String,
    pub filter: Option<String>,
    pub max_deliver: Option<i64>,
    pub backoff: Option<Vec<Duration>>,
    pub ack_wait: Option<Duration>,
    pub max_ack_pending: Option<i64>,
}

impl Flags {
    /// Checks what can be checked without the server: names and ranges.
    pub fn validate(&self) -> Result<()> {
        if self.name.is_empty()
            || self
                .name
                .chars()
                .any(|c| matches!(c, '.' | '*' | '>' | '/' | '\\') || c.is_whitespace())
        {
            return Err(usage(format!(
                "invalid consumer name `{}`: it cannot be empty or contain `.`, `*`, `>`, `/`, `\\` or spaces",
                self.name
            )));
        }
        if let Some(f) = &self.filter {
            if f.is_empty() || f.split('.').any(str::is_empty) {
                return Err(usage(format!("invalid --filter subject `{f}`")));
            }
        }
        if let Some(n) = self.max_deliver {
            if n == 0 || n < -1 {
                return Err(usage(format!(
                    "invalid --max-deliver {n}: give the number of attempts (1 or more), or -1 for unlimited"
                )));
            }
        }
        if let Some(steps) = &self.backoff {
            if steps.is_empty() || steps.iter().any(Duration::is_zero) {
                return Err(usage("every --backoff step must be longer than zero"));
            }
        }
        if self.ack_wait.is_some_and(|d| d.is_zero()) {
            return Err(usage("--ack-wait must be longer than zero"));
        }
        if let Some(n) = self.max_ack_pending {
            if n == 0 || n < -1 {
                return Err(usage(format!(
                    "invalid --max-ack-pending {n}: give 1 or more, or -1 for unlimited"
                )));
            }
        }
        Ok(())
    }
}

/// What the worker needs to know of its consumer to pace retries and keep jobs alive.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: String,
    /// Attempts per job; -1 for unlimited.
    pub max_deliver: i64,
    pub backoff: Vec<Duration>,
    pub ack_wait: Duration,
    pub filter: String,
    /// The consumer's limit on one pull request, 0 for none.
    pub max_batch: usize,
    /// The consumer's limit on a pull request's expiry, zero for none.
    pub max_expires: Duration,
}

impl Settings {
    pub fn from_config(c: &pull::Config) -> Settings {
        Settings {
            name: c
                .durable_name
                .clone()
                .or_else(|| c.name.clone())
                .unwrap_or_default(),
            max_deliver: if c.max_deliver <= 0 {
                -1
            } else {
                c.max_deliver
            },
            backoff: c.backoff.clone(),
            ack_wait: c.ack_wait,
            filter: c.filter_subject.clone(),
            max_batch: c.max_batch.max(0) as usize,
            max_expires: c.max_expires,
        }
    }

    /// Whether attempt number `attempt` (1 for the first delivery) is the last one.
    pub fn is_last_attempt(&self, attempt: u64) -> bool {
        self.max_deliver > 0 && attempt >= self.max_deliver as u64
    }

    /// The backoff step of attempt `attempt`: the last step repeats.
    fn step(&self, attempt: u64) -> Option<Duration> {
        let last = self.backoff.len().checked_sub(1)?;
        let index = (attempt.saturating_sub(1) as usize).min(last);
        Some(self.backoff[index])
    }

    /// How long the server waits for an answer to attempt `attempt` before delivering the job
    /// again: its backoff step (the server replaces AckWait with the backoff), else AckWait.
    pub fn deadline(&self, attempt: u64) -> Duration {
        self.step(attempt).unwrap_or(self.ack_wait)
    }

    /// The wait after failed attempt `attempt` before the next one: the same schedule as a
    /// worker that never answered, without holding the slot.
    pub fn retry_delay(&self, attempt: u64) -> Duration {
        self.deadline(attempt)
    }

    /// The delay to put in the Nak of failed attempt `attempt` so that the job comes back after
    /// [`retry_delay`](Self::retry_delay). With a backoff, nats-server (2.9.10 and 2.15.1 alike)
    /// waits the Nak's delay plus `BackOff[attempt-1] - BackOff[0]`, so that term is taken off.
    pub fn nak_delay(&self, attempt: u64) -> Duration {
        let wanted = self.retry_delay(attempt);
        match (self.step(attempt), self.backoff.first()) {
            (Some(step), Some(first)) => wanted.saturating_sub(step.saturating_sub(*first)),
            _ => wanted,
        }
    }

    /// How often a running job is kept alive with an in-progress ack: a third of its deadline,
    /// so one lost ack does not get it redelivered.
    pub fn keepalive_every(&self, attempt: u64) -> Duration {
        (self.deadline(attempt) / 3).max(Duration::from_millis(20))
    }

    /// `attempt 1 of 2`, or `attempt 3` when attempts are unlimited.
    pub fn attempt_text(&self, attempt: u64) -> String {
        if self.max_deliver > 0 {
            format!("attempt {attempt} of {}", self.max_deliver)
        } else {
            format!("attempt {attempt}")
        }
    }
}

/// One setting the worker changed on an existing consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: &'static str,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Created,
    Joined,
    Updated(Vec<Change>),
}

pub struct Ready {
    pub consumer: PullConsumer,
    pub settings: Settings,
    pub action: Action,
}

/// The config of a consumer that does not exist yet: the article's, with the flags on top.
/// A single attempt (`--max-deliver 1`) has no retry to back off from.
pub fn new_config(flags: &Flags, stream: &str) -> pull::Config {
    let max_deliver = flags.max_deliver.unwrap_or(DEFAULT_MAX_DELIVER);
    let backoff = match &flags.backoff {
        Some(steps) => steps.clone(),
        None if max_deliver == 1 => Vec::new(),
        None => vec![DEFAULT_BACKOFF],
    };
    pull::Config {
        name: Some(flags.name.clone()),
        durable_name: Some(flags.name.clone()),
        description: Some(format!("jobs of {stream}, run by jq-nats workers")),
        ack_policy: AckPolicy::Explicit,
        max_deliver,
        ack_wait: flags
            .ack_wait
            .or(backoff.first().copied())
            .unwrap_or(DEFAULT_BACKOFF),
        backoff,
        filter_subject: flags.filter.clone().unwrap_or_default(),
        max_ack_pending: flags.max_ack_pending.unwrap_or(0),
        ..Default::default()
    }
}

/// The existing config with the flags that were given on top, and what that changes.
pub fn merge(existing: &pull::Config, flags: &Flags) -> (pull::Config, Vec<Change>) {
    let mut want = existing.clone();
    if let Some(f) = &flags.filter {
        want.filter_subject = f.clone();
    }
    if let Some(n) = flags.max_deliver {
        want.max_deliver = n;
    }
    if let Some(steps) = &flags.backoff {
        want.backoff = steps.clone();
        want.ack_wait = steps[0];
    }
    if let Some(d) = flags.ack_wait {
        want.ack_wait = d;
    }
    if let Some(n) = flags.max_ack_pending {
        want.max_ack_pending = n;
    }
    let changes = differences(existing, &want);
    (want, changes)
}

fn show_max(n: i64) -> String {
    if n <= 0 {
        "unlimited".into()
    } else {
        n.to_string()
    }
}

pub fn show_backoff(steps: &[Duration]) -> String {
    if steps.is_empty() {
        "(none)".into()
    } else {
        steps
            .iter()
            .map(|d| format_duration(*d))
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn differences(have: &pull::Config, want: &pull::Config) -> Vec<Change> {
    let mut out = Vec::new();
    let mut cmp = |field: &'static str, from: String, to: String| {
        if from != to {
            out.push(Change { field, from, to });
        }
    };
    let filter = |f: &str| {
        if f.is_empty() {
            "(none)".to_string()
        } else {
            f.to_string()
        }
    };
    cmp(
        "filter",
        filter(&have.filter_subject),
        filter(&want.filter_subject),
    );
    cmp(
        "max deliver",
        show_max(have.max_deliver),
        show_max(want.max_deliver),
    );
    cmp(
        "backoff",
        show_backoff(&have.backoff),
        show_backoff(&want.backoff),
    );
    cmp(
        "ack wait",
        format_duration(have.ack_wait),
        format_duration(want.ack_wait),
    );
    cmp(
        "max ack pending",
        show_max(have.max_ack_pending),
        show_max(want.max_ack_pending),
    );
    out
}

/// The server's rules on a config about to be sent, as usage errors naming the flags:
/// - the first backoff step is the ack wait (the server overwrites AckWait with it);
/// - a job gets `max_deliver - 1` retries, so at most that many backoff steps (2.9.x refuses
///   more; later servers take one more step that no retry ever uses);
/// - before 2.10 a backoff needs a limited max-deliver.
pub fn check(want: &pull::Config, flags: &Flags, server_version: &str) -> Result<()> {
    let max_from = if flags.max_deliver.is_some() {
        "--max-deliver"
    } else {
        "max-deliver"
    };
    if let (Some(first), Some(ack_wait)) = (want.backoff.first(), flags.ack_wait) {
        if *first != ack_wait {
            return Err(usage(format!(
                "--ack-wait {} differs from the first backoff step {}: the server uses that step as the ack wait; give --backoff {},... to change both",
                format_duration(ack_wait),
                format_duration(*first),
                format_duration(ack_wait)
            )));
        }
    }
    let steps = want.backoff.len() as i64;
    if want.max_deliver > 0 && steps > 0 && steps >= want.max_deliver {
        let backoff_from = if flags.backoff.is_some() {
            "--backoff"
        } else {
            "the consumer's backoff"
        };
        let retries = want.max_deliver - 1;
        let fewer = if retries > 0 {
            format!(
                ", or at most {retries} --backoff step{}",
                if retries == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        return Err(usage(format!(
            "{backoff_from} has {steps} step{} but {max_from} {} allows only {retries} retr{}: give --max-deliver {} or more{fewer}",
            if steps == 1 { "" } else { "s" },
            want.max_deliver,
            if retries == 1 { "y" } else { "ies" },
            steps + 1
        )));
    }
    if want.max_deliver <= 0 && steps > 0 && version_below(server_version, (2, 10)) {
        return Err(usage(format!(
            "nats-server {server_version} refuses a backoff with unlimited attempts: give --max-deliver {} or more",
            steps + 1
        )));
    }
    Ok(())
}

/// Whether a `2.9.10`-style version is below `(major, minor)`.
fn version_below(version: &str, (major, minor): (u64, u64)) -> bool {
    let mut parts = version
        .trim_start_matches('v')
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u64>().unwrap_or(0));
    let have = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    have < (major, minor)
}

/// Creates the consumer, joins it as it is, or updates it where the flags differ.
pub async fn ensure(
    js: &jetstream::Context,
    stream: &str,
    flags: &Flags,
    server_version: &str,
) -> Result<Ready> {
    let handle = js
        .get_stream_no_info(stream)
        .await
        .with_context(|| format!("failed to look up stream `{stream}`"))?;
    // One patience for both the lookup and the making of the consumer.
    let deadline = patience();
    let existing = patiently(
        deadline,
        || handle.consumer_info(&flags.name),
        // A consumer between two leaders (see below).
        |e| {
            matches!(
                e.kind(),
                ConsumerInfoErrorKind::TimedOut | ConsumerInfoErrorKind::Offline
            )
        },
    )
    .await;
    let existing = match existing {
        Ok(info) => Some(info),
        Err(e) if e.kind() == ConsumerInfoErrorKind::NotFound => None,
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!(
                "failed to look up consumer `{}` of `{stream}`",
                flags.name
            )))
        }
    };
    let (want, action) = match existing {
        Some(info) => {
            let have = pull::Config::try_from_consumer_config(info.config.clone()).map_err(|_| {
                with_hint(
                    anyhow!(
                        "consumer `{}` of `{stream}` is a push consumer; jq-nats work needs a pull consumer",
                        flags.name
                    ),
                    "pick another name with --consumer",
                )
            })?;
            if have.ack_policy != AckPolicy::Explicit {
                return Err(with_hint(
                    anyhow!(
                        "consumer `{}` of `{stream}` does not use explicit acks; jq-nats work acks each job on its own",
                        flags.name
                    ),
                    "pick another name with --consumer",
                ));
            }
            let (want, changes) = merge(&have, flags);
            if changes.is_empty() {
                let consumer = PullConsumer::new(have.clone(), info, js.clone());
                return Ok(Ready {
                    settings: Settings::from_config(&have),
                    consumer,
                    action: Action::Joined,
                });
            }
            // Workers on it go on with the settings they started with (attempt numbers,
            // Nak delays, what they take): a consumer in use is not changed under them.
            if info.num_waiting > 0 || info.num_ack_pending > 0 {
                let list = changes
                    .iter()
                    .map(|c| format!("{} {} -> {}", c.field, c.from, c.to))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(with_hint(
                    anyhow!(
                        "consumer `{}` of `{stream}` is in use ({} pull request{} waiting, {} job{} in flight): not changing it ({list}) under the workers on it, which go on with the settings they started with",
                        flags.name,
                        info.num_waiting,
                        if info.num_waiting == 1 { "" } else { "s" },
                        info.num_ack_pending,
                        if info.num_ack_pending == 1 { "" } else { "s" },
                    ),
                    "leave out the flags that differ to join it as it is, take a consumer of your own with --consumer NAME, or stop its workers first (a worker that just stopped leaves its pull requests for a second or so; a killed one's jobs stay in flight until their ack wait)",
                ));
            }
            (want, Action::Updated(changes))
        }
        None => (new_config(flags, stream), Action::Created),
    };
    check(&want, flags, server_version)?;
    let verb = if action == Action::Created {
        "create"
    } else {
        "update"
    };
    // On a cluster, making an R3 consumer while a node is down or a leader is being elected
    // can take longer than one request's timeout, or be refused as "temporarily unavailable".
    // Sending the same config again is safe (the server answers with the consumer it made), so
    // the request is repeated for a while before the run fails.
    let consumer: PullConsumer =
        patiently(deadline, || handle.create_consumer(want.clone()), transient)
            .await
            .map_err(|e| consumer_api_error(e, stream))
            .with_context(|| format!("failed to {verb} consumer `{}` of `{stream}`", flags.name))?;
    // The server's view: it fills in what it defaults (AckWait from the backoff, ...).
    let stored = pull::Config::try_from_consumer_config(consumer.cached_info().config.clone())
        .map_err(|e| anyhow!("{e}"))?;
    Ok(Ready {
        settings: Settings::from_config(&stored),
        consumer,
        action,
    })
}

/// How long `work` keeps asking for its consumer or its DLQ while the cluster cannot answer.
const CREATE_PATIENCE: Duration = Duration::from_secs(30);

/// The time until which [`patiently`] asks again: [`CREATE_PATIENCE`] from now.
pub(crate) fn patience() -> tokio::time::Instant {
    tokio::time::Instant::now() + CREATE_PATIENCE
}

/// Asks with `ask`, and again every 250 ms until `deadline` while the error is one
/// `transient` says a cluster electing a leader gives; any other answer is returned.
pub(crate) async fn patiently<T, E, Fut>(
    deadline: tokio::time::Instant,
    mut ask: impl FnMut() -> Fut,
    transient: impl Fn(&E) -> bool,
) -> Result<T, E>
where
    Fut: std::future::Future<Output = Result<T, E>>,
{
    loop {
        match ask().await {
            Err(e) if transient(&e) && tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            answer => return answer,
        }
    }
}

/// An error that a cluster electing a leader gives: no answer in time, or 10008.
fn transient(e: &async_nats::jetstream::stream::ConsumerError) -> bool {
    use async_nats::jetstream::stream::ConsumerErrorKind as K;
    match e.kind() {
        K::TimedOut => true,
        K::JetStream(j) => j.error_code() == ErrorCode::CLUSTER_NOT_AVAILABLE,
        _ => false,
    }
}

fn consumer_api_error(
    e: async_nats::jetstream::stream::ConsumerError,
    stream: &str,
) -> anyhow::Error {
    use async_nats::jetstream::stream::ConsumerErrorKind;
    if let ConsumerErrorKind::JetStream(j) = e.kind() {
        let code = j.error_code();
        // 10099: a second unfiltered consumer, 10100: overlapping filters, on a work-queue stream.
        if code == ErrorCode(10099) || code == ErrorCode(10100) {
            return with_hint(
                anyhow::Error::new(e),
                format!("a work-queue stream gives each subject to one consumer: join the existing one of `{stream}` with --consumer NAME (`jq-nats stream info {stream}` lists them)"),
            );
        }
    }
    anyhow::Error::new(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(max_deliver: i64, backoff: &[u64]) -> Settings {
        let backoff: Vec<Duration> = backoff
            .iter()
            .map(|ms| Duration::from_millis(*ms))
            .collect();
        Settings {
            name: "processor".into(),
            max_deliver,
            ack_wait: backoff.first().copied().unwrap_or(Duration::from_secs(30)),
            backoff,
            filter: String::new(),
            max_batch: 0,
            max_expires: Duration::ZERO,
        }
    }

    #[test]
    fn retries_follow_the_backoff_and_naks_take_off_the_servers_extra_wait() {
        let s = settings(4, &[200, 1000, 2000]);
        assert_eq!(s.retry_delay(1), Duration::from_millis(200));
        assert_eq!(s.retry_delay(2), Duration::from_millis(1000));
        assert_eq!(s.retry_delay(3), Duration::from_millis(2000));
        assert_eq!(s.retry_delay(9), Duration::from_millis(2000));
        // The server adds BackOff[attempt-1] - BackOff[0] to a Nak's delay.
        for attempt in 1..5 {
            let extra = s.deadline(attempt) - s.backoff[0];
            assert_eq!(s.nak_delay(attempt) + extra, s.retry_delay(attempt));
        }
        assert!(s.is_last_attempt(4));
        assert!(!s.is_last_attempt(3));
        assert_eq!(s.attempt_text(2), "attempt 2 of 4");
    }

    #[test]
    fn without_backoff_the_ack_wait_paces_retries() {
        let s = settings(-1, &[]);
        assert_eq!(s.retry_delay(3), Duration::from_secs(30));
        assert_eq!(s.nak_delay(3), Duration::from_secs(30));
        assert_eq!(s.keepalive_every(1), Duration::from_secs(10));
        assert!(!s.is_last_attempt(1000));
        assert_eq!(s.attempt_text(3), "attempt 3");
    }

    fn flags() -> Flags {
        Flags {
            name: "processor".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_new_consumer_is_the_articles() {
        let c = new_config(&flags(), "orders_stream");
        assert_eq!(c.durable_name.as_deref(), Some("processor"));
        assert_eq!(c.max_deliver, 2);
        assert_eq!(c.backoff, vec![Duration::from_secs(5)]);
        assert_eq!(c.ack_wait, Duration::from_secs(5));
        assert_eq!(c.ack_policy, AckPolicy::Explicit);
        assert!(check(&c, &flags(), "2.9.10").is_ok());
    }

    #[test]
    fn joining_without_flags_changes_nothing() {
        let have = pull::Config {
            durable_name: Some("processor".into()),
            max_deliver: 2,
            backoff: vec![Duration::from_secs(5)],
            ack_wait: Duration::from_secs(5),
            filter_subject: "orders.*".into(),
            max_ack_pending: 1000,
            ..Default::default()
        };
        let (_, changes) = merge(&have, &flags());
        assert!(changes.is_empty());
        let more = Flags {
            max_deliver: Some(4),
            backoff: Some(vec![
                Duration::from_secs(5),
                Duration::from_secs(30),
                Duration::from_secs(120),
            ]),
            ..flags()
        };
        let (want, changes) = merge(&have, &more);
        assert_eq!(want.max_deliver, 4);
        assert_eq!(
            changes.iter().map(|c| c.field).collect::<Vec<_>>(),
            vec!["max deliver", "backoff"]
        );
        assert!(check(&want, &more, "2.9.10").is_ok());
    }

    #[test]
    fn backoff_rules_are_usage_errors() {
        let too_many = Flags {
            backoff: Some(vec![Duration::from_secs(5), Duration::from_secs(30)]),
            ..flags()
        };
        let c = new_config(&too_many, "s");
        let err = check(&c, &too_many, "2.15.1").unwrap_err().to_string();
        assert!(err.contains("--backoff has 2 steps"), "{err}");
        assert!(err.contains("--max-deliver 3"), "{err}");

        let ack = Flags {
            ack_wait: Some(Duration::from_secs(30)),
            ..flags()
        };
        let c = new_config(&ack, "s");
        let err = check(&c, &ack, "2.15.1").unwrap_err().to_string();
        assert!(err.contains("first backoff step"), "{err}");

        let unlimited = Flags {
            max_deliver: Some(-1),
            ..flags()
        };
        let c = new_config(&unlimited, "s");
        assert!(check(&c, &unlimited, "2.15.1").is_ok());
        assert!(check(&c, &unlimited, "2.9.10").is_err());

        assert!(Flags {
            max_deliver: Some(0),
            ..flags()
        }
        .validate()
        .is_err());
        assert!(Flags {
            name: "a.b".into(),
            ..flags()
        }
        .validate()
        .is_err());
    }
}
