//! `jq-nats __complete` (hidden): completion candidates that only the server knows, one per
//! line, for the completion scripts (see `generate.rs`): stream names, a stream's consumers, a
//! stream's dead jobs. The scripts hand it the command line being completed; it says what the
//! word under the cursor is, asks the server the current context points at (the connection
//! flags typed on that line win), and prints nothing, exiting 0, when there is nothing to say
//! or no server answers within about a second. The shell then falls back to static completion.

use std::io::Write;
use std::time::Duration;

use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command, CommandFactory, FromArgMatches};
use futures::TryStreamExt;

use super::Env;
use crate::cli::{Cli, CompleteArgs, CompleteKind, GlobalArgs};
use crate::context::Conn;

/// The connect and request timeout for completion.
pub const TIMEOUT: Duration = Duration::from_secs(1);
/// Everything, connection included, ends by then.
const DEADLINE: Duration = Duration::from_millis(1500);

/// What the word under the cursor is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    Streams,
    Consumers(String),
    /// Dead jobs of the stream, or of the only stream with a DLQ.
    Dead(Option<String>),
}

/// What a command line wants completed, and the global flags typed on it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Line {
    pub want: Option<Want>,
    pub globals: Vec<String>,
}

pub async fn run(env: &Env, args: CompleteArgs) -> Result<()> {
    let line = match args.kind {
        CompleteKind::Streams => Line {
            want: Some(Want::Streams),
            globals: vec![],
        },
        CompleteKind::Consumers => Line {
            want: args.words.first().cloned().map(Want::Consumers),
            globals: vec![],
        },
        CompleteKind::Dead => Line {
            want: Some(Want::Dead(args.words.first().cloned())),
            globals: vec![],
        },
        CompleteKind::Line => analyse(&args.words),
        CompleteKind::Raw => analyse(&split_line(args.words.first().map_or("", |s| s))[1..]),
    };
    let Some(want) = line.want else {
        return Ok(());
    };
    let (global, matches) = connection(env, &line.globals);
    if let Ok(Ok(names)) = tokio::time::timeout(DEADLINE, list(&global, &matches, &want)).await {
        let mut out = std::io::stdout().lock();
        for n in names {
            if writeln!(out, "{n}").is_err() {
                break;
            }
        }
        let _ = out.flush();
    }
    Ok(())
}

/// The connection flags typed on the line being completed, else this command's own.
fn connection(env: &Env, globals: &[String]) -> (GlobalArgs, ArgMatches) {
    if !globals.is_empty() {
        let argv = std::iter::once("jq-nats")
            .chain(globals.iter().map(String::as_str))
            .chain(std::iter::once("context"));
        if let Ok(m) = Cli::command().try_get_matches_from(argv) {
            if let Ok(cli) = Cli::from_arg_matches(&m) {
                return (cli.global, m);
            }
        }
    }
    (env.global.clone(), env.matches.clone())
}

async fn list(global: &GlobalArgs, matches: &ArgMatches, want: &Want) -> Result<Vec<String>> {
    let mut settings = crate::context::resolve(global, matches)?;
    settings.timeout.value = settings.timeout.value.min(TIMEOUT);
    let conn = Conn::open(settings).await?;
    let mut names: Vec<String> = match want {
        Want::Streams => conn.js.stream_names().try_collect().await?,
        Want::Consumers(stream) => {
            conn.js
                .get_stream_no_info(stream)
                .await?
                .consumer_names()
                .try_collect()
                .await?
        }
        Want::Dead(stream) => {
            let store = super::dlq::open(&conn, stream.as_deref()).await?;
            let scan = store.scan(&mut |_| {}).await?;
            return Ok(scan.jobs.keys().map(u64::to_string).collect());
        }
    };
    names.sort();
    Ok(names)
}

fn takes_value(a: &Arg) -> bool {
    matches!(a.get_action(), ArgAction::Set | ArgAction::Append)
        && a.get_num_args().is_none_or(|n| n.min_values() > 0)
}

/// What `words` (after `jq-nats`; the last one is under the cursor) want completed.
pub fn analyse(words: &[String]) -> Line {
    let mut root = Cli::command();
    root.build();
    let Some((current, before)) = words.split_last() else {
        return Line::default();
    };
    let mut node: &Command = &root;
    let mut path: Vec<&str> = Vec::new();
    let mut positionals: Vec<&str> = Vec::new();
    let mut globals = Vec::new();
    // The option whose value is under the cursor.
    let mut pending: Option<&Arg> = None;
    let mut i = 0;
    while i < before.len() {
        let w = before[i].as_str();
        i += 1;
        if w == "--" {
            // A handler command follows: nothing of ours.
            return Line::default();
        }
        let found = if let Some(long) = w.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, _)) => (n, true),
                None => (long, false),
            };
            node.get_arguments()
                .find(|a| a.get_long() == Some(name))
                .map(|a| (a, inline))
        } else if w.len() > 1
            && w.starts_with('-')
            && !w[1..].starts_with(|c: char| c.is_ascii_digit())
        {
            let short = w.chars().nth(1).expect("length checked");
            node.get_arguments()
                .find(|a| a.get_short() == Some(short))
                .map(|a| (a, w.len() > 2))
        } else {
            if positionals.is_empty() {
                if let Some(sub) = node.find_subcommand(w) {
                    node = sub;
                    path.push(sub.get_name());
                    continue;
                }
            }
            positionals.push(w);
            continue;
        };
        let Some((arg, inline)) = found else {
            continue;
        };
        let global = arg.is_global_set();
        if global {
            globals.push(w.to_string());
        }
        if takes_value(arg) && !inline {
            match before.get(i) {
                Some(value) => {
                    if global {
                        globals.push(value.clone());
                    }
                    i += 1;
                }
                None => pending = Some(arg),
            }
        }
    }
    let stream = positionals.first().map(|s| s.to_string());
    let want = if let Some(arg) = pending {
        match arg.get_long() {
            Some("consumer") => stream.map(Want::Consumers),
            Some("seq") => Some(Want::Dead(stream)),
            _ => None,
        }
    } else if current.starts_with('-') {
        None
    } else {
        match (path.as_slice(), positionals.len()) {
            (["stream", "info" | "rm" | "edit"], 0) | (["work"], 0) | (["dlq", _], 0) => {
                Some(Want::Streams)
            }
            (["dlq", "show"], 1) => Some(Want::Dead(stream)),
            _ => None,
        }
    };
    Line { want, globals }
}

/// Splits a shell command line into words: whitespace outside quotes separates them; single
/// and double quotes and backslashes are taken off. A line ending in whitespace ends with an
/// empty word (the one being started).
pub fn split_line(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = line.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') | (None, '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => quote = Some(c),
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            (None, c) => word.push(c),
        }
    }
    words.push(word);
    if words.len() == 1 {
        // Only the word under the cursor: there is no program word before it.
        words.insert(0, String::new());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want(line: &[&str]) -> Option<Want> {
        analyse(&line.iter().map(|s| s.to_string()).collect::<Vec<_>>()).want
    }

    #[test]
    fn knows_where_names_from_the_server_go() {
        assert_eq!(want(&["stream", "info", ""]), Some(Want::Streams));
        assert_eq!(want(&["stream", "rm", "or"]), Some(Want::Streams));
        assert_eq!(want(&["stream", "add", ""]), None);
        assert_eq!(want(&["work", ""]), Some(Want::Streams));
        assert_eq!(
            want(&["-s", "nats://h:4222", "work", ""]),
            Some(Want::Streams)
        );
        assert_eq!(
            want(&["work", "--concurrency", "4", "o"]),
            Some(Want::Streams)
        );
        assert_eq!(want(&["work", "orders", ""]), None);
        assert_eq!(want(&["work", "orders", "--", ""]), None);
        assert_eq!(
            want(&["work", "orders", "--consumer", ""]),
            Some(Want::Consumers("orders".into()))
        );
        assert_eq!(want(&["work", "--consumer", ""]), None);
        assert_eq!(want(&["dlq", "ls", ""]), Some(Want::Streams));
        assert_eq!(
            want(&["dlq", "show", "orders", ""]),
            Some(Want::Dead(Some("orders".into())))
        );
        assert_eq!(
            want(&["dlq", "replay", "--seq", ""]),
            Some(Want::Dead(None))
        );
        assert_eq!(
            want(&["dlq", "purge", "orders", "--seq", "4"]),
            Some(Want::Dead(Some("orders".into())))
        );
        assert_eq!(want(&["dlq", "ls", "--"]), None);
        assert_eq!(want(&[""]), None);
        assert_eq!(want(&[]), None);
    }

    #[test]
    fn keeps_the_connection_flags_of_the_line() {
        let words: Vec<String> = [
            "--context",
            "prod",
            "dlq",
            "show",
            "--tlsfirst",
            "-s",
            "u",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let line = analyse(&words);
        assert_eq!(line.globals, ["--context", "prod", "--tlsfirst", "-s", "u"]);
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(split_line("jq-nats work "), ["jq-nats", "work", ""]);
        assert_eq!(
            split_line("jq-nats -s 'nats://a b' dlq show x"),
            ["jq-nats", "-s", "nats://a b", "dlq", "show", "x"]
        );
        assert_eq!(split_line("jq-nats"), ["", "jq-nats"]);
    }
}
