//! Every clap type of the command line: the global connection and output flags, and one `*Args`
//! struct per leaf command. Behaviour lives in `cmd/`; this file only describes the shape.

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    failure (also: some of several jobs failed; the summary says which)
  2    usage error (bad flag, bad value, missing argument)
  130  interrupted by a second Ctrl-C";

/// A job queue you drive from the shell, built on NATS JetStream.
///
/// jq-nats creates work-queue streams with a dead-letter queue, publishes jobs, runs workers
/// that retry with backoff and dead-letter what keeps failing. It connects the way natscli
/// does: flags, NATS_* environment variables, then the selected `nats context`.
#[derive(Debug, Parser)]
#[command(
    name = "jq-nats",
    version,
    propagate_version = true,
    after_long_help = EXIT_CODES,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Connection flags, named as natscli names them, and output flags. All are global: they are
/// accepted before or after the subcommand.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// NATS server URLs, comma-separated
    #[arg(
        short = 's',
        long,
        env = "NATS_URL",
        global = true,
        hide_env_values = true,
        value_name = "URL",
        help_heading = "Connection"
    )]
    pub server: Option<String>,

    /// Username, or a token when no password is given
    #[arg(
        long,
        env = "NATS_USER",
        global = true,
        hide_env_values = true,
        help_heading = "Connection"
    )]
    pub user: Option<String>,

    /// Password
    #[arg(
        long,
        env = "NATS_PASSWORD",
        global = true,
        hide_env_values = true,
        help_heading = "Connection"
    )]
    pub password: Option<String>,

    /// Authentication token
    #[arg(
        long,
        env = "NATS_TOKEN",
        global = true,
        hide_env_values = true,
        help_heading = "Connection"
    )]
    pub token: Option<String>,

    /// User credentials file (JWT and seed)
    #[arg(
        long,
        env = "NATS_CREDS",
        global = true,
        hide_env_values = true,
        value_name = "FILE",
        help_heading = "Connection"
    )]
    pub creds: Option<String>,

    /// User NKEY seed file
    #[arg(
        long,
        env = "NATS_NKEY",
        global = true,
        hide_env_values = true,
        value_name = "FILE",
        help_heading = "Connection"
    )]
    pub nkey: Option<String>,

    /// TLS client certificate file
    #[arg(
        long,
        env = "NATS_CERT",
        global = true,
        hide_env_values = true,
        value_name = "FILE",
        help_heading = "Connection"
    )]
    pub tlscert: Option<String>,

    /// TLS client private key file
    #[arg(
        long,
        env = "NATS_KEY",
        global = true,
        hide_env_values = true,
        value_name = "FILE",
        help_heading = "Connection"
    )]
    pub tlskey: Option<String>,

    /// TLS certificate authority chain file, trusted to verify the server
    #[arg(
        long,
        env = "NATS_CA",
        global = true,
        hide_env_values = true,
        value_name = "FILE",
        help_heading = "Connection"
    )]
    pub tlsca: Option<String>,

    /// Open the connection with a TLS handshake before the server's INFO
    #[arg(long, global = true, help_heading = "Connection", value_name = "BOOL",
          num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", hide_default_value = true, action = clap::ArgAction::Set,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub tlsfirst: bool,

    /// Time to wait for the connection and for each request [default: 5s]
    #[arg(
        long,
        env = "NATS_TIMEOUT",
        global = true,
        hide_env_values = true,
        value_name = "DURATION",
        help_heading = "Connection"
    )]
    pub timeout: Option<String>,

    /// natscli context to use: a name, or a path to a context .json file
    #[arg(
        long,
        env = "NATS_CONTEXT",
        global = true,
        hide_env_values = true,
        value_name = "NAME",
        help_heading = "Connection"
    )]
    pub context: Option<String>,

    /// Ignore natscli contexts, even the selected one
    #[arg(long, global = true, help_heading = "Connection", value_name = "BOOL",
          num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", hide_default_value = true, action = clap::ArgAction::Set,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub no_context: bool,

    /// JetStream domain
    #[arg(
        long,
        global = true,
        value_name = "DOMAIN",
        help_heading = "Connection"
    )]
    pub js_domain: Option<String>,

    /// JetStream API subject prefix
    #[arg(
        long,
        global = true,
        value_name = "PREFIX",
        help_heading = "Connection"
    )]
    pub js_api_prefix: Option<String>,

    /// Custom inbox prefix for replies
    #[arg(
        long,
        global = true,
        value_name = "PREFIX",
        help_heading = "Connection"
    )]
    pub inbox_prefix: Option<String>,

    /// Name of the connection, as the server shows it [default: jq-nats]
    #[arg(long, global = true, value_name = "NAME", help_heading = "Connection")]
    pub connection_name: Option<String>,

    /// Print results as JSON (NDJSON for streaming commands)
    #[arg(long, global = true, help_heading = "Output")]
    pub json: bool,

    /// When to use colour (NO_COLOR is respected)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto,
          value_name = "WHEN", help_heading = "Output")]
    pub color: ColorChoice,

    /// Print nothing on stderr but errors
    #[arg(short = 'q', long, global = true, help_heading = "Output")]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show how jq-nats connects: each setting and where it came from
    #[command(after_long_help = CONTEXT_EXAMPLES)]
    Context(ContextArgs),

    /// Create, inspect and remove work-queue streams and their dead-letter queues
    #[command(subcommand)]
    Stream(StreamCommand),

    /// Enqueue jobs from an argument, a template or stdin
    #[command(after_long_help = PUBLISH_EXAMPLES)]
    Publish(PublishArgs),

    /// Run a worker: pull jobs, run a handler, ack, retry with backoff, dead-letter
    #[command(after_long_help = WORK_EXAMPLES)]
    Work(WorkArgs),

    /// Dead jobs: list, inspect, replay, drain, purge, and bring parked jobs in
    #[command(subcommand)]
    Dlq(DlqCommand),

    /// Print a shell completion script
    #[command(after_long_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),

    /// Run the whole job-queue scenario on a throwaway server: streams, 20 orders, two
    /// failing workers, retries, the DLQ
    #[command(after_long_help = DEMO_EXAMPLES)]
    Demo(DemoArgs),

    /// Completion candidates from the server, one per line, for the completion scripts
    #[command(name = "__complete", hide = true)]
    Complete(CompleteArgs),
}

const CONTEXT_EXAMPLES: &str = "\
Examples:
  jq-nats context
  jq-nats --context prod context --json
  NATS_URL=nats://10.0.0.5:4222 jq-nats context info";

#[derive(Debug, Args)]
pub struct ContextArgs {
    #[command(subcommand)]
    pub command: Option<ContextCommand>,
}

#[derive(Debug, Subcommand)]
pub enum ContextCommand {
    /// Show the resolved connection settings and their sources (the default)
    Info,
}

#[derive(Debug, Subcommand)]
pub enum StreamCommand {
    /// Create a work-queue stream and its dead-letter stream
    #[command(after_long_help = STREAM_ADD_EXAMPLES)]
    Add(StreamAddArgs),

    /// Change an existing stream's settings
    #[command(after_long_help = STREAM_EDIT_EXAMPLES)]
    Edit(StreamEditArgs),

    /// List streams with their queue health
    #[command(alias = "list", after_long_help = STREAM_LS_EXAMPLES)]
    Ls(StreamLsArgs),

    /// Show one stream's settings and queue health
    #[command(after_long_help = STREAM_INFO_EXAMPLES)]
    Info(StreamInfoArgs),

    /// Delete a stream, and its dead-letter stream
    #[command(alias = "delete", after_long_help = STREAM_RM_EXAMPLES)]
    Rm(StreamRmArgs),
}

const STREAM_ADD_EXAMPLES: &str = "\
Examples:
  jq-nats stream add orders_stream --subjects 'orders.*'
  jq-nats stream add emails --subjects 'emails.>' --max-bytes 1GB --replicas 3
  jq-nats stream add orders_stream --subjects 'orders.*' --max-age 24h --update

Defaults (a job queue, as the article this tool comes from sets it up):
  file storage, 1 replica, work-queue retention, discard new, 256MB, 1MiB per job,
  2m duplicate window, direct get allowed, deletes allowed (the DLQ removes dead jobs
  from the work stream once their copy is safe), and a dead-letter stream NAME_dlq.";

const STREAM_EDIT_EXAMPLES: &str = "\
Examples:
  jq-nats stream edit orders_stream --max-bytes 1GB
  jq-nats stream edit orders_stream --subjects 'orders.*' --subjects 'refunds.*'";

const STREAM_LS_EXAMPLES: &str = "\
Examples:
  jq-nats stream ls
  jq-nats stream ls --json | jq '.[] | select(.dead > 0)'";

const STREAM_INFO_EXAMPLES: &str = "\
Examples:
  jq-nats stream info orders_stream
  jq-nats stream info orders_stream --json";

const STREAM_RM_EXAMPLES: &str = "\
Examples:
  jq-nats stream rm orders_stream --force
  jq-nats stream rm orders_stream --keep-dlq --force";

#[derive(Debug, Args, Clone, Default)]
pub struct StreamAddArgs {
    /// Stream name
    pub name: String,

    #[command(flatten)]
    pub settings: StreamSettings,

    /// Name of the dead-letter stream [default: NAME_dlq]
    #[arg(long, value_name = "NAME", conflicts_with = "no_dlq")]
    pub dlq: Option<String>,

    /// Do not create a dead-letter stream
    #[arg(long)]
    pub no_dlq: bool,

    /// Apply settings that differ from the existing stream's
    #[arg(long)]
    pub update: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct StreamEditArgs {
    /// Stream name
    pub name: String,

    #[command(flatten)]
    pub settings: StreamSettings,
}

/// Settings of `stream add` and `stream edit`. Every setting is optional here: `add` fills what
/// is missing with the job-queue defaults, `edit` keeps what the stream has.
#[derive(Debug, Args, Clone, Default)]
pub struct StreamSettings {
    /// Subjects the stream captures, comma-separated or repeated
    #[arg(long, value_delimiter = ',', value_name = "SUBJECTS")]
    pub subjects: Vec<String>,

    /// Storage backend [default: file]
    #[arg(long, value_enum)]
    pub storage: Option<Storage>,

    /// Number of replicas [default: 1]
    #[arg(long, value_name = "N")]
    pub replicas: Option<usize>,

    /// Retention policy [default: work]
    #[arg(long, value_enum)]
    pub retention: Option<Retention>,

    /// What to do when the stream is full [default: new, refuse new jobs]
    #[arg(long, value_enum)]
    pub discard: Option<Discard>,

    /// Most messages kept, -1 for unlimited [default: -1]
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub max_msgs: Option<i64>,

    /// Most jobs kept per subject, -1 for unlimited; with discard new, a subject at its limit
    /// refuses new jobs [default: -1]
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub max_msgs_per_subject: Option<i64>,

    /// Most bytes kept, like 256MB or 1GiB, -1 for unlimited [default: 256MB]
    #[arg(long, value_name = "BYTES", value_parser = crate::units::parse_size,
          allow_hyphen_values = true)]
    pub max_bytes: Option<i64>,

    /// Oldest message kept, like 24h, -1 for unlimited [default: -1]
    #[arg(long, value_name = "DURATION", value_parser = crate::units::parse_max_age,
          allow_hyphen_values = true)]
    pub max_age: Option<std::time::Duration>,

    /// Largest message accepted, like 1MiB, -1 for unlimited [default: 1MiB]
    #[arg(long, value_name = "BYTES", value_parser = crate::units::parse_size,
          allow_hyphen_values = true)]
    pub max_msg_size: Option<i64>,

    /// Window in which a repeated Nats-Msg-Id is dropped as a duplicate, at most the max age
    /// [default: 2m, or the max age if shorter]
    #[arg(long, value_name = "DURATION", value_parser = crate::units::parse_duration)]
    pub dupe_window: Option<std::time::Duration>,

    /// Refuse deleting single messages [default: no]
    #[arg(long, overrides_with = "no_deny_delete")]
    pub deny_delete: bool,
    /// Allow deleting single messages
    #[arg(long, overrides_with = "deny_delete")]
    pub no_deny_delete: bool,

    /// Refuse purging the stream [default: no]
    #[arg(long, overrides_with = "no_deny_purge")]
    pub deny_purge: bool,
    /// Allow purging the stream
    #[arg(long, overrides_with = "deny_purge")]
    pub no_deny_purge: bool,

    /// Allow direct get of messages [default: yes]
    #[arg(long, overrides_with = "no_allow_direct")]
    pub allow_direct: bool,
    /// Refuse direct get of messages
    #[arg(long, overrides_with = "allow_direct")]
    pub no_allow_direct: bool,

    /// Stream description
    #[arg(long)]
    pub description: Option<String>,
}

impl StreamSettings {
    /// The value of a `--flag/--no-flag` pair: None when neither was given.
    pub fn tristate(yes: bool, no: bool) -> Option<bool> {
        match (yes, no) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Storage {
    File,
    Memory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Retention {
    #[value(alias = "workqueue", alias = "wq")]
    Work,
    #[value(alias = "limit", alias = "old")]
    Limits,
    Interest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Discard {
    New,
    Old,
}

#[derive(Debug, Args)]
pub struct StreamLsArgs {
    /// Show streams made by anyone, not only work-queue streams
    #[arg(long, short = 'a')]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct StreamInfoArgs {
    /// Stream name
    pub name: String,
}

#[derive(Debug, Args)]
pub struct StreamRmArgs {
    /// Stream name
    pub name: String,

    /// Delete without asking (required when stdin is not a terminal)
    #[arg(long, short = 'f')]
    pub force: bool,

    /// Keep the dead-letter stream
    #[arg(long)]
    pub keep_dlq: bool,
}

const PUBLISH_EXAMPLES: &str = "\
Examples:
  jq-nats publish orders.new 'order-1'
  jq-nats publish orders.new 'order-{{Count}} at {{TimeStamp}}' --count 20
  jq-nats publish orders.new --id 'order-{{Count}}' --count 5 'hello'
  seq 1 1000 | jq-nats publish orders.new
  cat report.pdf | jq-nats publish reports.render --send-on eof
  producer | jq-nats publish orders.new --json > receipts.ndjson

Templates (body, subject, header values, --id):
  {{Count}} {{ID}} {{Time}} {{TimeStamp}} {{Unix}} {{UnixNano}} {{Random a b}}";

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Subject to publish to (no wildcards)
    pub subject: String,

    /// Job body, with templates; left out, jobs are read from stdin (not a terminal), whose
    /// bytes are published as they are, without templates
    pub body: Option<String>,

    /// Publish the body this many times, expanding templates each time ({{Count}} is 1..N)
    #[arg(long, value_name = "N", value_parser = |s: &str| s.parse::<u64>().ok()
          .filter(|n| *n > 0).ok_or("expected a whole number, at least 1"))]
    pub count: Option<u64>,

    /// Header as KEY:VALUE, repeatable; values may use templates
    #[arg(short = 'H', long = "header", value_name = "KEY:VALUE")]
    pub headers: Vec<String>,

    /// Nats-Msg-Id template, for de-duplication within the stream's window; a job with an id
    /// is also resent safely when its acknowledgement times out. From stdin, {{Count}} is the
    /// input line number
    #[arg(long, value_name = "TEMPLATE")]
    pub id: Option<String>,

    /// How stdin is split into jobs: a job per line (empty lines are skipped), or all of stdin
    /// as one job. Bytes are kept exactly; a line loses its "\n" and a "\r" before it
    #[arg(long, value_enum, default_value_t = SendOn::Newline)]
    pub send_on: SendOn,

    /// Publishes awaiting their acknowledgement at once (at most 5000, the client's limit)
    #[arg(long, value_name = "N", default_value_t = 1024,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=5000))]
    pub window: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SendOn {
    Newline,
    Eof,
}

const WORK_EXAMPLES: &str = "\
Examples:
  jq-nats work orders_stream -- ./process-order.sh
  jq-nats work orders_stream --concurrency 8 --backoff 5s,30s,2m --max-deliver 4 -- python3 job.py
  jq-nats work orders_stream --max-jobs 10 > batch.txt
  jq-nats work orders_stream --until-empty --json | jq .

The handler gets the job's payload on stdin and its metadata in the environment:
  JQ_STREAM JQ_CONSUMER JQ_SUBJECT JQ_SEQ JQ_ATTEMPT JQ_MAX_DELIVER JQ_MSG_ID
  JQ_HEADER_<NAME> (one per header, name upper-cased, other characters as _)
Exit 0 acks the job; another code retries it after the next backoff step; the
--fatal-exit-code (99 unless set) sends it to the dead-letter queue at once. The handler
does not see jq-nats' NATS_* variables. Its stdout and stderr pass through (its stdout goes
to stderr under --json), and the last lines of its stderr go with a dead job.

Without a command, jobs are written to stdout (the payload, ended by a newline unless it
ends with one, or an NDJSON record under --json, base64 when not UTF-8) and acked once
written.

Ctrl-C (or SIGTERM) stops pulling, hands back jobs not started, waits --grace for running
handlers, then kills them and hands their jobs back; a second Ctrl-C quits at once (130).
Without a command, the jobs still arriving for open pull requests are written, not handed
back (a hand-back spends one of a job's attempts).

PIPE PROTOCOL (--pipe): one handler process serves many jobs, so there is no process per job.
  jq-nats work orders_stream --pipe --concurrency 2 -- python3 handler.py
COMMAND starts once per --concurrency and keeps running. Each job is one JSON line on its
stdin; \"id\" always comes first, as a number:
  {\"id\":7,\"stream\":\"orders_stream\",\"consumer\":\"processor\",\"subject\":\"orders.new\",
   \"seq\":42,\"attempt\":1,\"max_deliver\":2,\"msg_id\":\"o-1\",\"headers\":{\"Trace\":[\"x\"]},
   \"payload\":\"the job\"}
(\"payload\" is the text as published, or base64 with \"encoding\":\"base64\" when it is not
UTF-8; \"msg_id\" and \"headers\" only when the job has them). The handler answers each job
with one JSON line on its stdout, in any order, and may hold up to --pipe-inflight jobs:
  {\"id\":7,\"ok\":true}                                 done: acked
  {\"id\":7,\"ok\":false,\"error\":\"reason\"}               retried after the backoff
  {\"id\":7,\"ok\":false,\"fatal\":true,\"error\":\"reason\"}  to the dead-letter queue now
  {\"id\":7,\"progress\":true}                           an in-progress ack; restarts
                                                     the job's --handler-timeout
Any other line on its stdout is a protocol error, reported with the line (the job stays
unanswered); its stderr passes through. Flush stdout after each answer (or batch). A
handler that exits, or leaves a job unanswered for --handler-timeout (counted from when the
job was written, or its last progress; the global --timeout is the connection's), is
killed and restarted; every job it held is
retried, and the dead-letter reason says what happened. Its environment has JQ_STREAM,
JQ_CONSUMER and JQ_PIPE_INFLIGHT, not jq-nats' NATS_* variables. On stop, its stdin is
closed once its jobs are answered; it should then exit.
A handler in sh (see examples/handlers/ for Python, Node and C):
  while IFS= read -r job; do
    id=${job#*:}; id=${id%%,*}              # \"id\" comes first
    case $job in
      *'\"payload\":\"poison'*) echo \"{\\\"id\\\":$id,\\\"ok\\\":false,\\\"fatal\\\":true,\\\"error\\\":\\\"poison\\\"}\" ;;
      *) echo \"{\\\"id\\\":$id,\\\"ok\\\":true}\" ;;
    esac
  done

REQUEST HANDLERS (--request SUBJECT): each job is a NATS request to SUBJECT, answered by any
number of services subscribed to it (a queue group, `nats micro` services in any language).
  jq-nats work orders_stream --request svc.orders --concurrency 64
The request has the job's payload and headers as published, plus Jq-Stream, Jq-Consumer,
Jq-Subject, Jq-Seq, Jq-Attempt and Jq-Max-Deliver. A reply without an error header acks the
job; a reply with `Jq-Error: reason` (or a micro service's Nats-Service-Error) retries it;
with `Jq-Fatal: true` as well it goes to the dead-letter queue now. No responders, or no
reply within --handler-timeout (30s unless set), is a failure with that reason.";

#[derive(Debug, Args)]
pub struct WorkArgs {
    /// Stream to take jobs from
    pub stream: String,

    /// Handler command and its arguments, run once per job (no shell), or kept running with
    /// --pipe
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,

    /// Keep COMMAND running (--concurrency copies) and give it jobs as JSON lines on its stdin,
    /// one JSON answer line per job on its stdout (see PIPE PROTOCOL below)
    #[arg(long, requires = "command")]
    pub pipe: bool,

    /// Jobs a --pipe handler may hold unanswered at once
    #[arg(long, value_name = "N", default_value_t = crate::worker::pipe::DEFAULT_INFLIGHT,
          requires = "pipe")]
    pub pipe_inflight: usize,

    /// Send each job as a NATS request to SUBJECT, where services answer it (see REQUEST
    /// HANDLERS below), instead of running a command
    #[arg(long, value_name = "SUBJECT", conflicts_with_all = ["command", "pipe"])]
    pub request: Option<String>,

    /// Durable consumer name
    #[arg(long, default_value = "processor")]
    pub consumer: String,

    /// Only take jobs whose subject matches
    #[arg(long, value_name = "SUBJECT")]
    pub filter: Option<String>,

    /// Attempts per job before it is dead-lettered, -1 for unlimited [default: 2, or the
    /// consumer's]
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub max_deliver: Option<i64>,

    /// Delays before each retry, comma-separated, the last one repeating; at most
    /// max-deliver - 1 steps. The server also takes the first step as the ack wait
    /// [default: 5s, or the consumer's]
    #[arg(long, value_name = "DURATIONS", value_delimiter = ',',
          value_parser = crate::units::parse_duration)]
    pub backoff: Option<Vec<std::time::Duration>>,

    /// How long a delivered job may go unacknowledged before it is redelivered; with a backoff
    /// it must equal the first step [default: the first backoff step, or the consumer's]
    #[arg(long, value_name = "DURATION", value_parser = crate::units::parse_duration)]
    pub ack_wait: Option<std::time::Duration>,

    /// Most jobs delivered and not yet acknowledged, over all workers, -1 for unlimited
    /// [default: 1000, or the consumer's]
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub max_ack_pending: Option<i64>,

    /// Jobs run at once in this process
    #[arg(short = 'c', long, value_name = "N", default_value_t = 1)]
    pub concurrency: usize,

    /// Handler exit code meaning "do not retry": the job goes to the dead-letter queue now
    /// (with no dead-letter stream taking copies, it is retried like any failure)
    #[arg(
        long,
        value_name = "CODE",
        default_value_t = 99,
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(i32).range(1..=255)
    )]
    pub fatal_exit_code: i32,

    /// Kill a handler (its whole process group) that runs longer, counting a failure; with
    /// --pipe, the longest a job may go unanswered once every job written before it was
    /// answered (the handler is restarted); with --request, how long to wait for a reply
    /// [default with --request: 30s]
    #[arg(long = "handler-timeout", value_name = "DURATION",
          value_parser = crate::units::parse_positive_duration)]
    pub handler_timeout: Option<std::time::Duration>,

    /// Stop after this many jobs were finished (done or dead)
    #[arg(long, value_name = "N")]
    pub max_jobs: Option<u64>,

    /// Exit once nothing is waiting or in flight, retries included
    #[arg(long)]
    pub until_empty: bool,

    /// On SIGINT/SIGTERM, how long running handlers may take to finish
    #[arg(long, value_name = "DURATION", default_value = "30s",
          value_parser = crate::units::parse_duration)]
    pub grace: std::time::Duration,
}

#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// List dead jobs: sequence, subject, attempts, reason, age, and where the payload is
    #[command(alias = "list", after_long_help = DLQ_LS_EXAMPLES)]
    Ls(DlqLsArgs),

    /// Show one dead job whole: why it died, its headers, its history and its payload
    #[command(after_long_help = DLQ_SHOW_EXAMPLES, allow_missing_positional = true)]
    Show(DlqShowArgs),

    /// Process every dead job once, with a command or by writing it out, then exit
    #[command(after_long_help = DLQ_DRAIN_EXAMPLES)]
    Drain(DlqDrainArgs),

    /// Publish dead jobs again to their original subjects, then remove them from the DLQ
    #[command(after_long_help = DLQ_REPLAY_EXAMPLES)]
    Replay(DlqReplayArgs),

    /// Delete dead jobs for good
    #[command(after_long_help = DLQ_PURGE_EXAMPLES)]
    Purge(DlqPurgeArgs),

    /// Copy parked jobs into the DLQ and free the work stream; clean up duplicate entries
    #[command(after_long_help = DLQ_RECONCILE_EXAMPLES)]
    Reconcile(DlqReconcileArgs),
}

/// What STREAM and SEQ mean, under every `dlq` command's examples.
macro_rules! dlq_note {
    () => {
        "

STREAM is the work stream (e.g. orders_stream) or its dead-letter stream; it may be left
out when only one stream has a dead-letter queue. SEQ is a dead job's sequence in the work
stream, as `dlq ls` and the worker's logs show it."
    };
}

const DLQ_LS_EXAMPLES: &str = concat!(
    "\
Examples:
  jq-nats dlq ls
  jq-nats dlq ls orders_stream --reason 'exit code (3|4)' --since 1h
  jq-nats dlq ls --subject 'orders.eu.*' --min-attempts 3 --json | jq -c 'select(.type == \"job\")'

PAYLOAD says where the job's bytes are: dlq (a full copy), parked (only in the work
stream, pointed at by an advisory: run `dlq reconcile`), unrecorded (parked with no DLQ
entry at all: run `dlq reconcile`), lost (the advisory points at nothing). A parked job too
big for a copy with its metadata stays parked (the summary says how many): `dlq replay` and
`dlq drain` take it from the work stream.",
    dlq_note!()
);

const DLQ_SHOW_EXAMPLES: &str = concat!(
    "\
Examples:
  jq-nats dlq show 448
  jq-nats dlq show orders_stream 448 --json
  jq-nats dlq show 448 --raw > job.bin",
    dlq_note!()
);

const DLQ_DRAIN_EXAMPLES: &str = concat!(
    "\
Examples:
  jq-nats dlq drain -- ./fix-order.sh
  jq-nats dlq drain orders_stream --max 10 -- python3 reprocess.py
  jq-nats dlq drain orders_stream > dead-jobs.txt
  jq-nats dlq drain --json > dead-jobs.ndjson
  jq-nats dlq drain --dry-run

With COMMAND, each dead job goes to it as in `work`: the payload on stdin, metadata in
  JQ_STREAM JQ_CONSUMER JQ_SUBJECT JQ_SEQ JQ_MSG_ID JQ_HEADER_<NAME>
  JQ_ATTEMPTS JQ_DLQ_REASON JQ_DLQ_STREAM JQ_DLQ_SEQ JQ_DLQ_DIED_AT
and leaves the DLQ only when COMMAND exits 0. Without COMMAND, each dead job is written
to stdout (the raw payload, ended by a newline unless it ends with one, or an NDJSON
object with --json) and removed once written.

At least once: a drain killed after COMMAND succeeded leaves the job in the DLQ with a
marker. The next drain removes a job marked as drained without running it again, and runs
a job an interrupted drain may have processed again with a warning (--skip-interrupted
leaves it in the DLQ instead). A job marked by a dlq command that is still running is
skipped with a notice.",
    dlq_note!()
);

const DLQ_REPLAY_EXAMPLES: &str = concat!(
    "\
Examples:
  jq-nats dlq replay --seq 448
  jq-nats dlq replay orders_stream --all --rate 50
  jq-nats dlq replay --reason 'timed out' --since 2h --dry-run
  jq-nats dlq replay --seq 448 --edit

Each job is published to its original subject with its headers, a new Nats-Msg-Id
(replay-STREAM-SEQ) and Jq-Replay-Of / Jq-Replay-Of-Job headers naming the dead entry;
the entry is removed only after the work stream acked the new job. A replay killed before
the entry was removed is noticed by the next one from the job's markers: it removes the
entry without publishing again, or warns that the job may have been published twice.",
    dlq_note!()
);

const DLQ_PURGE_EXAMPLES: &str = concat!(
    "\
Examples:
  jq-nats dlq purge --seq 448 --force
  jq-nats dlq purge orders_stream --reason 'invalid input' --force
  jq-nats dlq purge --all --dry-run",
    dlq_note!()
);

const DLQ_RECONCILE_EXAMPLES: &str = concat!(
    "\
Examples:
  jq-nats dlq reconcile
  jq-nats dlq reconcile orders_stream --dry-run

Jobs that ran out of attempts stay parked in the work stream, where a re-created consumer
would run them again. reconcile copies each one into the DLQ (when the DLQ takes copies),
waits for the copy's ack, then removes the original, and removes duplicate entries.",
    dlq_note!()
);

/// Which dead jobs, by what they hold.
#[derive(Debug, Args, Clone, Default)]
pub struct DlqFilter {
    /// Only jobs whose original subject matches (wildcards allowed)
    #[arg(long, value_name = "SUBJECT")]
    pub subject: Option<String>,

    /// Only jobs that died at or after this time: RFC 3339, or a duration ago like 1h
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub since: Option<time::OffsetDateTime>,

    /// Only jobs that died before this time: RFC 3339, or a duration ago like 30m
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub until: Option<time::OffsetDateTime>,

    /// Only jobs whose reason matches this regular expression
    #[arg(long, value_name = "REGEX", value_parser = parse_regex)]
    pub reason: Option<regex::Regex>,

    /// Only jobs tried at least N times
    #[arg(long, value_name = "N")]
    pub min_attempts: Option<u64>,
}

impl DlqFilter {
    pub fn is_empty(&self) -> bool {
        self.subject.is_none()
            && self.since.is_none()
            && self.until.is_none()
            && self.reason.is_none()
            && self.min_attempts.is_none()
    }
}

/// `--since`/`--until`: an RFC 3339 time, or a duration before now.
pub fn parse_when(input: &str) -> Result<time::OffsetDateTime, String> {
    if let Ok(t) =
        time::OffsetDateTime::parse(input.trim(), &time::format_description::well_known::Rfc3339)
    {
        return Ok(t);
    }
    match crate::units::parse_duration(input) {
        Ok(d) => Ok(time::OffsetDateTime::now_utc() - d),
        Err(_) => Err(format!(
            "invalid time `{input}`: expected RFC 3339 (2026-05-01T12:00:00Z) or a duration ago (90m, 2h, 1d)"
        )),
    }
}

fn parse_regex(input: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(input).map_err(|e| e.to_string())
}

/// `--rate`: jobs per second, as `N` or `N/s`.
pub fn parse_rate(input: &str) -> Result<f64, String> {
    let n = input.trim().trim_end_matches("/s");
    match n.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!(
            "invalid rate `{input}`: expected jobs per second, like 10 or 10/s"
        )),
    }
}

/// Which dead jobs a command changes: by sequence, all, or by filters.
#[derive(Debug, Args, Clone, Default)]
pub struct DlqSelect {
    /// Dead job by its sequence in the work stream, comma-separated or repeated
    #[arg(long, value_name = "SEQ", value_delimiter = ',')]
    pub seq: Vec<u64>,

    /// Every dead job (filters still apply)
    #[arg(long, conflicts_with = "seq")]
    pub all: bool,

    #[command(flatten)]
    pub filter: DlqFilter,
}

#[derive(Debug, Args)]
pub struct DlqLsArgs {
    /// Work stream whose dead jobs to list
    pub stream: Option<String>,

    #[command(flatten)]
    pub filter: DlqFilter,
}

#[derive(Debug, Args)]
pub struct DlqShowArgs {
    /// Work stream
    pub stream: Option<String>,

    /// The dead job's sequence in the work stream
    pub seq: u64,

    /// Write only the payload, byte for byte
    #[arg(long, conflicts_with = "json")]
    pub raw: bool,
}

#[derive(Debug, Args)]
pub struct DlqDrainArgs {
    /// Work stream whose dead jobs to drain
    pub stream: Option<String>,

    /// Command run once per dead job, and its arguments (no shell)
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,

    /// Stop after N dead jobs
    #[arg(long, value_name = "N")]
    pub max: Option<u64>,

    /// Show what would be drained, change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Kill COMMAND (its whole process group) when it runs longer, counting a failure
    #[arg(long = "handler-timeout", value_name = "DURATION",
          value_parser = crate::units::parse_positive_duration)]
    pub handler_timeout: Option<std::time::Duration>,

    /// Leave jobs an interrupted drain may have processed in the DLQ instead of running them
    /// again (by default they run again, with a warning: at least once)
    #[arg(long)]
    pub skip_interrupted: bool,
}

#[derive(Debug, Args)]
pub struct DlqReplayArgs {
    /// Work stream whose dead jobs to replay
    pub stream: Option<String>,

    #[command(flatten)]
    pub select: DlqSelect,

    /// Most jobs published per second, as N or N/s
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Show what would be replayed, change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Open $VISUAL or $EDITOR on each payload before it is published
    #[arg(long, conflicts_with = "dry_run")]
    pub edit: bool,
}

#[derive(Debug, Args)]
pub struct DlqPurgeArgs {
    /// Work stream whose dead jobs to purge
    pub stream: Option<String>,

    #[command(flatten)]
    pub select: DlqSelect,

    /// Delete without asking (required when stdin is not a terminal)
    #[arg(long, short = 'f')]
    pub force: bool,

    /// Show what would be deleted, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct DlqReconcileArgs {
    /// Work stream to reconcile with its DLQ
    pub stream: Option<String>,

    /// Show what would change, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  jq-nats completions bash > ~/.local/share/bash-completion/completions/jq-nats
  jq-nats completions zsh > ~/.zfunc/_jq-nats
  jq-nats completions fish > ~/.config/fish/completions/jq-nats.fish";

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to print the script for
    pub shell: clap_complete::Shell,
}

const DEMO_EXAMPLES: &str = "\
Examples:
  jq-nats demo
  jq-nats demo --backoff 1s
  jq-nats demo --server nats://127.0.0.1:4222 --keep
  jq-nats demo --replay --json

What it does, as the article this tool comes from does it:
  1. starts nats-server (from PATH) on a free port with its storage in a temp dir,
     unless --server names one (the selected context and NATS_URL are not used)
  2. jq-nats stream add orders_stream --subjects 'orders.*'
  3. jq-nats publish orders.new 'order-{{Count}}' --count 20
  4. two of: jq-nats work orders_stream --max-deliver 2 --backoff 5s --until-empty
     -- HANDLER, where HANDLER fails half of its jobs at random
  5. jq-nats dlq drain orders_stream (or dlq replay --all, then a worker that succeeds)
  6. prints what happened; removes the streams and stops the server";

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Delay before a failed job's retry, as the consumer's BackOff
    #[arg(long, value_name = "DURATION", default_value = "5s",
          value_parser = crate::units::parse_duration)]
    pub backoff: std::time::Duration,

    /// Orders to publish
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..=100_000))]
    pub jobs: u64,

    /// Workers run side by side
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..=64))]
    pub workers: u64,

    /// Percentage of attempts the handler fails
    #[arg(long, value_name = "PERCENT", default_value_t = 50,
          value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(0..=100))]
    pub failure_rate: u64,

    /// Replay the dead jobs to the work stream (and run them again) instead of draining them
    #[arg(long)]
    pub replay: bool,

    /// Name of the work stream; its subjects are PREFIX.* where PREFIX is the name without
    /// `_stream`
    #[arg(long, value_name = "NAME", default_value = "orders_stream")]
    pub stream: String,

    /// With --server, leave the streams in place afterwards, to look at them
    #[arg(long)]
    pub keep: bool,

    /// The nats-server binary for the throwaway server [default: nats-server on PATH]
    #[arg(long, value_name = "PATH", env = "JQ_NATS_SERVER_BIN", hide = true)]
    pub server_bin: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompleteArgs {
    /// What to list
    #[arg(value_enum)]
    pub kind: CompleteKind,

    /// The stream (consumers, dead), or the words of the command line after `jq-nats`, the
    /// last one being completed (line)
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "WORDS"
    )]
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompleteKind {
    /// Stream names
    Streams,
    /// Consumer names of STREAM
    Consumers,
    /// Sequences of STREAM's dead jobs (or of the only stream with a DLQ)
    Dead,
    /// Whatever the command line being completed wants there, if it comes from the server
    Line,
    /// The same, from the command line up to the cursor as one string (bash)
    Raw,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_valid() {
        Cli::command().debug_assert();
    }
}
