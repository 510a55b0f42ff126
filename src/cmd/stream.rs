//! `jq-nats stream add|edit|ls|info|rm`: work-queue streams, their dead-letter streams, and
//! queue health (waiting, in flight, redelivered, parked, dead).

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{anyhow, Context as _, Result};
use async_nats::jetstream::consumer::Info as ConsumerInfo;
use async_nats::jetstream::stream::{
    Config, DiscardPolicy, Info as StreamInfo, RetentionPolicy, StorageType,
};
use async_nats::jetstream::Context;
use futures::TryStreamExt;
use serde::Serialize;

use super::Env;
use crate::cli::{
    Discard, Retention, Storage, StreamAddArgs, StreamEditArgs, StreamInfoArgs, StreamLsArgs,
    StreamRmArgs, StreamSettings,
};
use crate::dlq;
use crate::error::{usage, with_hint};
use crate::units::{format_bytes, format_duration};

/// A stream name may not hold `.`, `*`, `>`, whitespace or path separators.
pub fn validate_stream_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(usage("a stream name cannot be empty"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| matches!(c, '.' | '*' | '>' | '/' | '\\') || c.is_whitespace())
    {
        return Err(usage(format!(
            "invalid stream name `{name}`: it cannot contain `{bad}` (no `.`, `*`, `>`, `/`, `\\` or spaces)"
        )));
    }
    Ok(())
}

/// The job-queue defaults, from the article: file, R1, work retention, discard new, 256MB,
/// 1MiB per job, 2m duplicate window, direct get. Deletes stay allowed (unlike the article):
/// once a dead job's copy is safe in the DLQ, its original must be removable, or parked dead
/// jobs fill the stream until it refuses every new job (discard new).
fn default_config(name: &str) -> Config {
    Config {
        name: name.to_string(),
        retention: RetentionPolicy::WorkQueue,
        storage: StorageType::File,
        num_replicas: 1,
        discard: DiscardPolicy::New,
        max_messages: -1,
        max_messages_per_subject: -1,
        max_bytes: 256 << 20,
        max_age: Duration::ZERO,
        max_message_size: 1 << 20,
        duplicate_window: Duration::from_secs(120),
        deny_delete: false,
        deny_purge: false,
        allow_direct: true,
        ..Default::default()
    }
}

/// Settings under which the server itself deletes jobs nobody ran, with no DLQ entry: said
/// every time they are set, so nobody finds out from a job gone missing.
fn warn_dropping(env: &Env, c: &Config) {
    if !c.max_age.is_zero() {
        env.printer.warn(format!(
            "with --max-age {age}, the server deletes a job not done within {age} of its publish (waiting, or between retries), unrun and with no DLQ entry",
            age = format_duration(c.max_age)
        ));
    }
    let limited = c.max_messages > 0 || c.max_bytes > 0 || c.max_messages_per_subject > 0;
    if c.discard == DiscardPolicy::Old && limited {
        env.printer.warn(
            "with --discard old, a full stream makes room for a new job by deleting its oldest, unrun and with no DLQ entry (the default, --discard new, refuses the new job instead)",
        );
    }
}

/// Applies the flags that were given on top of `base`.
fn apply_args(mut c: Config, a: &StreamSettings) -> Result<Config> {
    if !a.subjects.is_empty() {
        c.subjects = a.subjects.clone();
    }
    if let Some(s) = a.storage {
        c.storage = match s {
            Storage::File => StorageType::File,
            Storage::Memory => StorageType::Memory,
        };
    }
    if let Some(r) = a.replicas {
        c.num_replicas = r;
    }
    if let Some(r) = a.retention {
        c.retention = match r {
            Retention::Work => RetentionPolicy::WorkQueue,
            Retention::Limits => RetentionPolicy::Limits,
            Retention::Interest => RetentionPolicy::Interest,
        };
    }
    if let Some(d) = a.discard {
        c.discard = match d {
            Discard::New => DiscardPolicy::New,
            Discard::Old => DiscardPolicy::Old,
        };
    }
    if let Some(v) = a.max_msgs {
        c.max_messages = v.max(-1);
    }
    if let Some(v) = a.max_msgs_per_subject {
        c.max_messages_per_subject = v.max(-1);
    }
    if let Some(v) = a.max_bytes {
        c.max_bytes = v;
    }
    if let Some(v) = a.max_age {
        c.max_age = v;
    }
    if let Some(v) = a.max_msg_size {
        c.max_message_size = v.clamp(-1, i32::MAX as i64) as i32;
    }
    if let Some(v) = a.dupe_window {
        c.duplicate_window = v;
    }
    // The server refuses a duplicate window longer than the max age. Without --dupe-window,
    // the window shrinks to the max age (as natscli does); a window given longer is refused
    // here, naming both flags, before anything is made.
    if !c.max_age.is_zero() && c.duplicate_window > c.max_age {
        if a.dupe_window.is_none() {
            c.duplicate_window = c.max_age;
        } else {
            let max_age = format_duration(c.max_age);
            let given = if a.max_age.is_some() {
                format!("--max-age {max_age}")
            } else {
                format!("the stream's --max-age {max_age}")
            };
            return Err(usage(format!(
                "--dupe-window {} is longer than {given}: the server keeps a job's id no longer than the job itself; give a --dupe-window of at most {max_age} (or leave it out)",
                format_duration(c.duplicate_window),
            )));
        }
    }
    if let Some(v) = StreamSettings::tristate(a.deny_delete, a.no_deny_delete) {
        c.deny_delete = v;
    }
    if let Some(v) = StreamSettings::tristate(a.deny_purge, a.no_deny_purge) {
        c.deny_purge = v;
    }
    if let Some(v) = StreamSettings::tristate(a.allow_direct, a.no_allow_direct) {
        c.allow_direct = v;
    }
    if let Some(d) = &a.description {
        c.description = Some(d.clone()).filter(|d| !d.is_empty());
    }
    // Without it, "discard new" does not hold per subject: a subject at its limit has its
    // oldest job dropped to take the new one, which the publisher is told was stored.
    c.discard_new_per_subject = c.discard == DiscardPolicy::New && c.max_messages_per_subject > 0;
    Ok(c)
}

/// A config as the server stores it (seen on nats-server 2.9.10 and 2.15.1): a limit of 0
/// (or below) is unlimited, -1; a duplicate window of 0 is the default, 2m, or the max age
/// when that is shorter; 0 replicas are 1.
fn as_stored(c: &Config) -> Config {
    let unlimited = |v: i64| if v <= 0 { -1 } else { v };
    let mut c = c.clone();
    c.max_bytes = unlimited(c.max_bytes);
    c.max_messages = unlimited(c.max_messages);
    c.max_messages_per_subject = unlimited(c.max_messages_per_subject);
    c.max_message_size = unlimited(c.max_message_size.into()) as i32;
    if c.duplicate_window.is_zero() {
        let default = Duration::from_secs(120);
        c.duplicate_window = if !c.max_age.is_zero() && c.max_age < default {
            c.max_age
        } else {
            default
        };
    }
    c.num_replicas = c.num_replicas.max(1);
    c
}

/// The settings jq-nats manages, as (field, wanted, existing) for those that differ, both
/// read as the server stores them (a re-run with `--max-bytes 0` changes nothing).
fn differences(want: &Config, have: &Config) -> Vec<(String, String, String)> {
    let (want, have) = (&as_stored(want), &as_stored(have));
    let mut out = Vec::new();
    let mut cmp = |field: &str, w: String, h: String| {
        if w != h {
            out.push((field.to_string(), w, h));
        }
    };
    let mut ws = want.subjects.clone();
    let mut hs = have.subjects.clone();
    ws.sort();
    hs.sort();
    cmp("subjects", ws.join(","), hs.join(","));
    cmp(
        "retention",
        retention_name(want.retention).into(),
        retention_name(have.retention).into(),
    );
    cmp(
        "storage",
        storage_name(want.storage).into(),
        storage_name(have.storage).into(),
    );
    cmp(
        "replicas",
        want.num_replicas.max(1).to_string(),
        have.num_replicas.max(1).to_string(),
    );
    cmp(
        "discard",
        discard_name(want.discard).into(),
        discard_name(have.discard).into(),
    );
    cmp(
        "max-msgs",
        want.max_messages.to_string(),
        have.max_messages.to_string(),
    );
    cmp(
        "max-msgs-per-subject",
        want.max_messages_per_subject.to_string(),
        have.max_messages_per_subject.to_string(),
    );
    cmp(
        "discard-new-per-subject",
        want.discard_new_per_subject.to_string(),
        have.discard_new_per_subject.to_string(),
    );
    cmp(
        "max-bytes",
        want.max_bytes.to_string(),
        have.max_bytes.to_string(),
    );
    cmp(
        "max-age",
        format_duration(want.max_age),
        format_duration(have.max_age),
    );
    cmp(
        "max-msg-size",
        want.max_message_size.to_string(),
        have.max_message_size.to_string(),
    );
    cmp(
        "dupe-window",
        format_duration(want.duplicate_window),
        format_duration(have.duplicate_window),
    );
    cmp(
        "deny-delete",
        want.deny_delete.to_string(),
        have.deny_delete.to_string(),
    );
    cmp(
        "deny-purge",
        want.deny_purge.to_string(),
        have.deny_purge.to_string(),
    );
    cmp(
        "allow-direct",
        want.allow_direct.to_string(),
        have.allow_direct.to_string(),
    );
    cmp(
        "description",
        want.description.clone().unwrap_or_default(),
        have.description.clone().unwrap_or_default(),
    );
    out
}

pub fn retention_name(r: RetentionPolicy) -> &'static str {
    match r {
        RetentionPolicy::WorkQueue => "work",
        RetentionPolicy::Limits => "limits",
        RetentionPolicy::Interest => "interest",
    }
}

fn storage_name(s: StorageType) -> &'static str {
    match s {
        StorageType::File => "file",
        StorageType::Memory => "memory",
    }
}

fn discard_name(d: DiscardPolicy) -> &'static str {
    match d {
        DiscardPolicy::New => "new",
        DiscardPolicy::Old => "old",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Unchanged,
    Updated,
}

#[derive(Serialize)]
struct Changed {
    field: String,
    from: String,
    to: String,
}

#[derive(Serialize)]
struct EnsureView {
    name: String,
    action: Action,
    changes: Vec<Changed>,
}

/// Creates `want`, or checks an existing stream of that name against it: the same settings
/// pass, different ones fail with the fields named unless `update` applies them.
async fn ensure_stream(
    js: &Context,
    want: &Config,
    update: bool,
    role: &str,
) -> Result<EnsureView> {
    let name = &want.name;
    match get_info(js, name).await? {
        None => {
            js.create_stream(want.clone())
                .await
                .map_err(|e| stream_api_error(e.to_string(), name))
                .with_context(|| format!("failed to create {role} `{name}`"))?;
            Ok(EnsureView {
                name: name.clone(),
                action: Action::Created,
                changes: vec![],
            })
        }
        Some(info) => {
            let diffs = differences(want, &info.config);
            if diffs.is_empty() {
                return Ok(EnsureView {
                    name: name.clone(),
                    action: Action::Unchanged,
                    changes: vec![],
                });
            }
            let changes: Vec<Changed> = diffs
                .into_iter()
                .map(|(field, to, from)| Changed { field, from, to })
                .collect();
            if !update {
                return Err(differs_error(role, name, &changes));
            }
            let mut config = want.clone();
            // Keep what jq-nats does not manage (placement, metadata, ...).
            config.placement = info.config.placement.clone();
            config.metadata = info.config.metadata.clone();
            js.update_stream(config)
                .await
                .map_err(|e| stream_api_error(e.to_string(), name))
                .with_context(|| format!("failed to update {role} `{name}`"))?;
            Ok(EnsureView {
                name: name.clone(),
                action: Action::Updated,
                changes,
            })
        }
    }
}

fn differs_error(role: &str, name: &str, changes: &[Changed]) -> anyhow::Error {
    let list = changes
        .iter()
        .map(|c| {
            format!(
                "{}: {} (existing) vs {} (wanted)",
                c.field,
                show(&c.from),
                show(&c.to)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    with_hint(
        anyhow!("{role} `{name}` already exists with different settings: {list}"),
        "add --update (or use `jq-nats stream edit`) to apply the wanted settings",
    )
}

fn show(v: &str) -> &str {
    if v.is_empty() {
        "(none)"
    } else {
        v
    }
}

fn stream_api_error(text: String, name: &str) -> anyhow::Error {
    if text.contains("subjects overlap") {
        with_hint(
            anyhow!("{text}"),
            format!("another stream already captures these subjects; `jq-nats stream ls --all` shows them (`{name}` cannot share them)"),
        )
    } else if text.contains("insufficient resources") {
        with_hint(
            anyhow!("{text}"),
            "lower --max-bytes or free space on the server (its JetStream max_store)",
        )
    } else {
        anyhow!("{text}")
    }
}

/// The stream's info, or None if it does not exist.
pub async fn get_info(js: &Context, name: &str) -> Result<Option<StreamInfo>> {
    match js.get_stream(name).await {
        // `get_stream` just asked for the info.
        Ok(s) => Ok(Some(s.cached_info().clone())),
        Err(e) => {
            if let async_nats::jetstream::context::GetStreamErrorKind::JetStream(j) = e.kind() {
                if j.error_code() == async_nats::jetstream::ErrorCode::STREAM_NOT_FOUND {
                    return Ok(None);
                }
            }
            Err(anyhow::Error::new(e).context(format!("failed to look up stream `{name}`")))
        }
    }
}

/// Fetches a stream that must exist, with a hint listing the streams that do.
pub async fn require_info(js: &Context, name: &str) -> Result<StreamInfo> {
    if let Some(info) = get_info(js, name).await? {
        return Ok(info);
    }
    let mut names: Vec<String> = js.stream_names().try_collect().await.unwrap_or_default();
    names.sort();
    let hint = if names.is_empty() {
        "there are no streams; create one with `jq-nats stream add NAME --subjects SUBJECT`"
            .to_string()
    } else {
        format!("streams on this server: {}", names.join(", "))
    };
    Err(with_hint(anyhow!("stream `{name}` not found"), hint))
}

#[derive(Serialize)]
struct AddView {
    stream: EnsureView,
    dlq: Option<EnsureView>,
}

/// Stream subjects the server would refuse, as a usage error before anything is made: the
/// server only refuses the work stream after its DLQ was created, which would be left behind.
fn validate_subjects(subjects: &[String]) -> Result<()> {
    for subject in subjects {
        let tokens: Vec<&str> = subject.split('.').collect();
        let problem = if subject.is_empty() {
            Some("it is empty")
        } else if subject.contains(char::is_whitespace) {
            Some("it contains whitespace")
        } else if tokens.iter().any(|t| t.is_empty()) {
            Some("it has an empty token (a leading, trailing or double `.`)")
        } else if tokens[..tokens.len() - 1].contains(&">") {
            Some("`>` can only be the last token")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(usage(format!(
                "invalid subject `{subject}` in --subjects: {problem}"
            )));
        }
    }
    Ok(())
}

pub async fn add(env: &Env, args: StreamAddArgs) -> Result<()> {
    validate_stream_name(&args.name)?;
    if args.settings.subjects.is_empty() {
        return Err(usage(format!(
            "stream add needs --subjects: which subjects `{}` takes jobs from (e.g. --subjects 'orders.*')",
            args.name
        )));
    }
    if let Some(d) = &args.dlq {
        validate_stream_name(d)?;
        if *d == args.name {
            return Err(usage(format!(
                "--dlq `{d}` names the work stream itself: its dead-letter stream must be another stream (leave --dlq out for `{}`)",
                dlq::default_name(&args.name)
            )));
        }
    }
    validate_subjects(&args.settings.subjects)?;
    let want = apply_args(default_config(&args.name), &args.settings)?;
    let conn = env.connect().await?;
    let js = &conn.js;

    // A work-queue stream cannot take dead jobs (a DLQ keeps them, with limits retention, and
    // the server will not change a work queue's retention), unless it is the one that already
    // takes this stream's advisories (made the article's way).
    if let Some(d) = &args.dlq {
        if let Some(info) = get_info(js, d).await? {
            if info.config.retention == RetentionPolicy::WorkQueue
                && dlq::find(js, &args.name).await?.as_deref() != Some(d.as_str())
            {
                return Err(usage(format!(
                    "--dlq `{d}` names an existing work-queue stream, which cannot be the dead-letter stream of `{}`: name a stream that does not exist yet, or leave --dlq out for `{}`",
                    args.name,
                    dlq::default_name(&args.name)
                )));
            }
        }
    }

    // A work stream with other settings is refused before anything is made or changed, and
    // the refusal names its fields rather than those of its DLQ (whose size follows it).
    if !args.update {
        if let Some(info) = get_info(js, &args.name).await? {
            let changes: Vec<Changed> = differences(&want, &info.config)
                .into_iter()
                .map(|(field, to, from)| Changed { field, from, to })
                .collect();
            if !changes.is_empty() {
                return Err(differs_error("stream", &args.name, &changes));
            }
        }
    }

    let dlq_name = (!args.no_dlq).then(|| {
        args.dlq
            .clone()
            .unwrap_or_else(|| dlq::default_name(&args.name))
    });
    if let Some(dlq_name) = &dlq_name {
        if let Some(existing) = dlq::find(js, &args.name).await? {
            if existing != *dlq_name {
                return Err(with_hint(
                    anyhow!(
                        "stream `{existing}` already captures the dead-letter advisories of `{}`",
                        args.name
                    ),
                    format!("use it with --dlq {existing}, or go without one with --no-dlq"),
                ));
            }
        }
    }
    let dlq_config = dlq_name.as_ref().map(|n| dlq::stream_config(&want, n));

    // A new DLQ comes first: since nats-server 2.10.25 advisories are only sent when something
    // listens, so it must exist before any consumer can give up on a job. When the stream is
    // being updated, the stream goes first, so a change the server refuses leaves both as
    // they were.
    let (stream_view, dlq_view) = if get_info(js, &args.name).await?.is_some() {
        let stream_view = ensure_stream(js, &want, args.update, "stream").await?;
        let dlq_view = match &dlq_config {
            Some(c) => Some(ensure_stream(js, c, args.update, "dead-letter stream").await?),
            None => None,
        };
        (stream_view, dlq_view)
    } else {
        let dlq_view = match &dlq_config {
            Some(c) => Some(ensure_stream(js, c, args.update, "dead-letter stream").await?),
            None => None,
        };
        match ensure_stream(js, &want, args.update, "stream").await {
            Ok(stream_view) => (stream_view, dlq_view),
            Err(e) => {
                // A DLQ this run made for a stream that could not be made serves nothing:
                // it goes (one that was there before stays), and the stream's error is told.
                if let Some(d) = dlq_view.as_ref().filter(|d| d.action == Action::Created) {
                    if let Err(de) = js.delete_stream(&d.name).await {
                        env.printer.warn(format!(
                            "could not delete dead-letter stream {} made by this run: {de}; delete it with `jq-nats stream rm {} --force`",
                            d.name, d.name
                        ));
                    }
                }
                return Err(e);
            }
        }
    };
    warn_dropping(env, &want);
    let view = AddView {
        stream: stream_view,
        dlq: dlq_view,
    };
    let p = &env.printer;
    if p.json {
        return p.json(&view);
    }
    let describe = |v: &EnsureView, role: &str| -> String {
        match v.action {
            Action::Created => format!("created {role} {}", v.name),
            Action::Unchanged => format!(
                "{role} {} exists with these settings: nothing changed",
                v.name
            ),
            Action::Updated => format!(
                "updated {role} {}: {}",
                v.name,
                v.changes
                    .iter()
                    .map(|c| format!("{} {} -> {}", c.field, show(&c.from), show(&c.to)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    };
    if let Some(d) = &view.dlq {
        p.status(describe(d, "dead-letter stream"));
    }
    p.status(describe(&view.stream, "stream"));
    let info = require_info(js, &args.name).await?;
    print_info(env, js, &info).await
}

pub async fn edit(env: &Env, args: StreamEditArgs) -> Result<()> {
    validate_stream_name(&args.name)?;
    validate_subjects(&args.settings.subjects)?;
    let conn = env.connect().await?;
    let js = &conn.js;
    let info = require_info(js, &args.name).await?;
    let want = apply_args(info.config.clone(), &args.settings)?;
    let view = ensure_stream(js, &want, true, "stream").await?;
    warn_dropping(env, &want);
    // A DLQ made by jq-nats follows its stream's storage, replicas and size.
    if let Some(dlq_name) = dlq::find(js, &args.name).await? {
        if let Some(dlq_info) = get_info(js, &dlq_name).await? {
            if dlq::takes_entries(&dlq_info.config, &args.name) {
                let dlq_view = ensure_stream(
                    js,
                    &dlq::stream_config(&want, &dlq_name),
                    true,
                    "dead-letter stream",
                )
                .await?;
                if dlq_view.action == Action::Updated && !env.printer.json {
                    env.printer.status(format!(
                        "updated dead-letter stream {dlq_name} to follow it"
                    ));
                }
            }
        }
    }
    if env.printer.json {
        return env.printer.json(&view);
    }
    if view.action == Action::Unchanged {
        env.printer
            .status(format!("stream {}: nothing to change", view.name));
    } else {
        env.printer.status(format!(
            "updated stream {}: {}",
            view.name,
            view.changes
                .iter()
                .map(|c| format!("{} {} -> {}", c.field, show(&c.from), show(&c.to)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(())
}

/// Queue health of a work stream, as `ls` and `info` show it.
#[derive(Debug, Serialize)]
pub struct Health {
    pub name: String,
    pub subjects: Vec<String>,
    pub retention: &'static str,
    /// Jobs not yet delivered to any worker.
    pub waiting: u64,
    /// Delivered, not yet acknowledged.
    pub in_flight: u64,
    /// Jobs delivered more than once (now in flight or waiting to be redelivered).
    pub redelivered: u64,
    /// Jobs that ran out of attempts and still sit in the work stream (no consumer will
    /// deliver them again; the DLQ commands deal with them).
    pub parked: u64,
    /// Entries in the dead-letter stream.
    pub dead: Option<u64>,
    pub dlq: Option<String>,
    pub messages: u64,
    pub bytes: u64,
    pub max_bytes: i64,
    pub consumers: usize,
    /// Age of the oldest job in the stream, in seconds.
    pub oldest_age_secs: Option<u64>,
}

pub(crate) fn is_dlq_stream(info: &StreamInfo) -> bool {
    !info.config.subjects.is_empty()
        && info.config.subjects.iter().all(|s| {
            s.starts_with("$JS.EVENT.ADVISORY.")
                || s.starts_with(&format!("{}.", dlq::ENTRY_PREFIX))
        })
}

/// The DLQ of `stream` among `all` streams: the one capturing its max-deliveries advisories.
pub(crate) fn dlq_of<'a>(stream: &str, all: &'a [StreamInfo]) -> Option<&'a StreamInfo> {
    let probe = format!("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{stream}.x");
    all.iter().find(|s| {
        s.config
            .subjects
            .iter()
            .any(|f| dlq::subject_matches(f, &probe))
    })
}

async fn health(
    js: &Context,
    info: &StreamInfo,
    dlq: Option<&StreamInfo>,
) -> Result<(Health, Vec<ConsumerInfo>)> {
    let stream = js.get_stream_no_info(&info.config.name).await?;
    let consumers: Vec<ConsumerInfo> = stream
        .consumers()
        .try_collect()
        .await
        .with_context(|| format!("failed to list the consumers of `{}`", info.config.name))?;
    let state = &info.state;
    let pending: u64 = consumers.iter().map(|c| c.num_pending).sum();
    let in_flight: u64 = consumers.iter().map(|c| c.num_ack_pending as u64).sum();
    let redelivered: u64 = consumers.iter().map(|c| c.num_redelivered as u64).sum();
    let work = info.config.retention == RetentionPolicy::WorkQueue;
    let (waiting, parked) = if consumers.is_empty() {
        (state.messages, 0)
    } else if work {
        (pending, state.messages.saturating_sub(pending + in_flight))
    } else {
        (pending, 0)
    };
    let oldest_age_secs = (state.messages > 0).then(|| {
        let first = state.first_timestamp;
        (time::OffsetDateTime::now_utc() - first)
            .whole_seconds()
            .max(0) as u64
    });
    Ok((
        Health {
            name: info.config.name.clone(),
            subjects: info.config.subjects.clone(),
            retention: retention_name(info.config.retention),
            waiting,
            in_flight,
            redelivered,
            parked,
            dead: dlq.map(|d| d.state.messages),
            dlq: dlq.map(|d| d.config.name.clone()),
            messages: state.messages,
            bytes: state.bytes,
            max_bytes: info.config.max_bytes,
            consumers: consumers.len(),
            oldest_age_secs,
        },
        consumers,
    ))
}

pub(crate) async fn all_streams(js: &Context) -> Result<Vec<StreamInfo>> {
    let mut all: Vec<StreamInfo> = js
        .streams()
        .try_collect()
        .await
        .context("failed to list streams")?;
    all.sort_by(|a, b| a.config.name.cmp(&b.config.name));
    Ok(all)
}

fn bytes_used(h: &Health) -> String {
    if h.max_bytes > 0 {
        format!(
            "{} / {}",
            format_bytes(h.bytes),
            format_bytes(h.max_bytes as u64)
        )
    } else {
        format!("{} / unlimited", format_bytes(h.bytes))
    }
}

fn age(secs: Option<u64>) -> String {
    secs.map(|s| format_duration(Duration::from_secs(s)))
        .unwrap_or_else(|| "-".into())
}

pub async fn ls(env: &Env, args: StreamLsArgs) -> Result<()> {
    let conn = env.connect().await?;
    let js = &conn.js;
    let all = all_streams(js).await?;
    let mut rows = Vec::new();
    for info in all.iter().filter(|s| !is_dlq_stream(s)) {
        if !args.all && info.config.retention != RetentionPolicy::WorkQueue {
            continue;
        }
        let (h, _) = health(js, info, dlq_of(&info.config.name, &all)).await?;
        rows.push(h);
    }
    let p = &env.printer;
    if p.json {
        return p.json(&rows);
    }
    if rows.is_empty() {
        p.status(if args.all {
            "no streams; create one with `jq-nats stream add NAME --subjects SUBJECT`"
        } else {
            "no work-queue streams (`--all` shows the others); create one with `jq-nats stream add NAME --subjects SUBJECT`"
        });
        return Ok(());
    }
    let mut table = p.table(&[
        "STREAM",
        "SUBJECTS",
        "WAITING",
        "IN FLIGHT",
        "REDELIVERED",
        "PARKED",
        "DEAD",
        "BYTES",
        "CONSUMERS",
        "OLDEST",
    ]);
    for h in &rows {
        table.add_row(vec![
            h.name.clone(),
            h.subjects.join(","),
            h.waiting.to_string(),
            h.in_flight.to_string(),
            h.redelivered.to_string(),
            h.parked.to_string(),
            h.dead.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
            bytes_used(h),
            h.consumers.to_string(),
            age(h.oldest_age_secs),
        ]);
    }
    p.out(table.trim_fmt())
}

#[derive(Serialize)]
struct ConsumerView {
    name: String,
    filter: Option<String>,
    max_deliver: i64,
    backoff: Vec<String>,
    ack_wait: String,
    waiting: u64,
    in_flight: usize,
    redelivered: usize,
}

#[derive(Serialize)]
struct InfoView<'a> {
    health: &'a Health,
    config: &'a Config,
    consumers: Vec<ConsumerView>,
}

pub async fn info(env: &Env, args: StreamInfoArgs) -> Result<()> {
    validate_stream_name(&args.name)?;
    let conn = env.connect().await?;
    let info = require_info(&conn.js, &args.name).await?;
    print_info(env, &conn.js, &info).await
}

async fn print_info(env: &Env, js: &Context, info: &StreamInfo) -> Result<()> {
    let all = all_streams(js).await?;
    let (h, consumers) = health(js, info, dlq_of(&info.config.name, &all)).await?;
    let consumers: Vec<ConsumerView> = consumers
        .iter()
        .map(|c| ConsumerView {
            name: c.name.clone(),
            filter: Some(c.config.filter_subject.clone()).filter(|f| !f.is_empty()),
            max_deliver: c.config.max_deliver,
            backoff: c
                .config
                .backoff
                .iter()
                .map(|d| format_duration(*d))
                .collect(),
            ack_wait: format_duration(c.config.ack_wait),
            waiting: c.num_pending,
            in_flight: c.num_ack_pending,
            redelivered: c.num_redelivered,
        })
        .collect();
    let p = &env.printer;
    if p.json {
        return p.json(&InfoView {
            health: &h,
            config: &info.config,
            consumers,
        });
    }
    let c = &info.config;
    let mut table = p.table(&["", ""]);
    let mut kv = |k: &str, v: String| {
        table.add_row(vec![k.to_string(), v]);
    };
    kv("stream", c.name.clone());
    if let Some(d) = c.description.as_ref().filter(|d| !d.is_empty()) {
        kv("description", d.clone());
    }
    kv("subjects", c.subjects.join(", "));
    kv(
        "settings",
        format!(
            "{} retention, {} storage, R{}, discard {}, max job {}, dupe window {}{}{}{}",
            retention_name(c.retention),
            storage_name(c.storage),
            c.num_replicas.max(1),
            discard_name(c.discard),
            if c.max_message_size > 0 {
                format_bytes(c.max_message_size as u64)
            } else {
                "unlimited".into()
            },
            format_duration(c.duplicate_window),
            if c.max_age.is_zero() {
                String::new()
            } else {
                format!(", max age {}", format_duration(c.max_age))
            },
            if c.deny_delete { ", deny delete" } else { "" },
            if c.allow_direct { ", direct get" } else { "" },
        ),
    );
    kv("waiting", h.waiting.to_string());
    kv("in flight", h.in_flight.to_string());
    kv("redelivered", h.redelivered.to_string());
    kv("parked", h.parked.to_string());
    kv(
        "dead",
        match (&h.dlq, h.dead) {
            (Some(d), Some(n)) => format!("{n} (in {d})"),
            _ => "- (no dead-letter stream)".into(),
        },
    );
    kv("bytes", bytes_used(&h));
    kv("oldest job", age(h.oldest_age_secs));
    kv("consumers", h.consumers.to_string());
    let mut text = table.trim_fmt();
    if !consumers.is_empty() {
        let mut ct = p.table(&[
            "CONSUMER",
            "FILTER",
            "MAX DELIVER",
            "BACKOFF",
            "ACK WAIT",
            "WAITING",
            "IN FLIGHT",
            "REDELIVERED",
        ]);
        for cv in &consumers {
            ct.add_row(vec![
                cv.name.clone(),
                cv.filter.clone().unwrap_or_else(|| "-".into()),
                if cv.max_deliver > 0 {
                    cv.max_deliver.to_string()
                } else {
                    "unlimited".into()
                },
                if cv.backoff.is_empty() {
                    "-".into()
                } else {
                    cv.backoff.join(",")
                },
                cv.ack_wait.clone(),
                cv.waiting.to_string(),
                cv.in_flight.to_string(),
                cv.redelivered.to_string(),
            ]);
        }
        text.push('\n');
        text.push_str(&ct.trim_fmt());
    }
    p.out(text)
}

#[derive(Serialize)]
struct RmView {
    deleted: Vec<String>,
}

pub async fn rm(env: &Env, args: StreamRmArgs) -> Result<()> {
    validate_stream_name(&args.name)?;
    let conn = env.connect().await?;
    let js = &conn.js;
    let info = require_info(js, &args.name).await?;
    let all = all_streams(js).await?;
    // Only a DLQ that serves this stream alone goes with it.
    let dlq = if args.keep_dlq {
        None
    } else {
        dlq_of(&args.name, &all).filter(|d| {
            d.config
                .subjects
                .iter()
                .all(|s| s.contains(&format!(".{}.", args.name)))
        })
    };
    let mut names = vec![info.config.name.clone()];
    if let Some(d) = dlq {
        names.push(d.config.name.clone());
    }
    if !args.force {
        if !std::io::stdin().is_terminal() {
            return Err(usage(format!(
                "refusing to delete {} without --force: stdin is not a terminal to ask on",
                names.join(" and ")
            )));
        }
        eprint!(
            "Delete {} ({} jobs{})? [y/N] ",
            names.join(" and "),
            info.state.messages,
            dlq.map(|d| format!(", {} dead", d.state.messages))
                .unwrap_or_default()
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        // No is an answer, not an error (as natscli takes it).
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            env.printer.status("not deleted");
            return Ok(());
        }
    }
    for name in &names {
        js.delete_stream(name)
            .await
            .with_context(|| format!("failed to delete stream `{name}`"))?;
        env.printer.status(format!("deleted stream {name}"));
    }
    if env.printer.json {
        env.printer.json(&RmView { deleted: names })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_names() {
        assert!(validate_stream_name("orders_stream").is_ok());
        for bad in ["a.b", "a*", "a>", "a b", ""] {
            assert!(validate_stream_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn defaults_are_the_articles_except_deny_delete() {
        let c = default_config("orders_stream");
        assert_eq!(c.max_bytes, 268435456);
        assert_eq!(c.max_message_size, 1048576);
        assert_eq!(c.retention, RetentionPolicy::WorkQueue);
        assert!(!c.deny_delete);
        assert!(c.allow_direct);
    }
}
