//! natscli plugin support (`nats plugins register jq /path/to/jq-nats`).
//!
//! natscli is built on fisk: it asks a plugin for its model with `--fisk-introspect` (one line
//! of JSON on stdout, nothing on stderr) and later runs the plugin with an argv it builds from
//! what the user typed: the leaf's command path, its positional args (non-cumulative ones from a
//! map, in no fixed order), `--flag=value` / `--flag` / `--no-flag`, natscli's own global flags
//! the leaf also declares as `--name=value` (`--tlsfirst=true`), and cumulative args last,
//! without a `--` before them. Only leaf flags are forwarded.
//!
//! The model is generated from the clap model, so it cannot drift:
//! - every leaf lists the global flags (clap propagates them on `build()`); groups and the top
//!   level list none, since natscli would drop them;
//! - a boolean with a `--no-X` twin is one negatable flag; other booleans are not negatable, so
//!   natscli never sends a `--no-X` we do not know;
//! - only a leaf's first positional is a plain arg: the rest become one cumulative arg, which
//!   natscli sends last and in order (two plain args would arrive in either order);
//! - a `-- COMMAND...` arg is cumulative; natscli sends its values without the `--`, so
//!   [`get_matches`] puts the `--` back when clap finds an unexpected value.

use std::ffi::OsString;
use std::io::Write;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, ArgMatches, Command, CommandFactory};
use serde::Serialize;

use crate::cli::Cli;

/// The flag natscli runs a plugin with to read its model.
pub const INTROSPECT_FLAG: &str = "--fisk-introspect";

/// fisk's `ApplicationModel`, as natscli reads it.
#[derive(Debug, Serialize)]
pub struct AppModel {
    pub name: String,
    pub help: String,
    pub version: String,
    pub author: String,
    pub flags: Vec<FlagModel>,
    pub args: Vec<ArgModel>,
    pub commands: Vec<CmdModel>,
}

#[derive(Debug, Serialize)]
pub struct CmdModel {
    pub name: String,
    pub aliases: Vec<String>,
    pub help: String,
    pub help_long: String,
    pub hidden: bool,
    pub default: bool,
    pub flags: Vec<FlagModel>,
    pub args: Vec<ArgModel>,
    pub commands: Vec<CmdModel>,
}

#[derive(Debug, Serialize)]
pub struct FlagModel {
    pub name: String,
    pub help: String,
    /// A character code (`'H'` is 72); 0 for none.
    pub short: u32,
    pub default: Vec<String>,
    pub envar: String,
    pub place_holder: String,
    pub required: bool,
    pub hidden: bool,
    pub boolean: bool,
    pub negatable: bool,
    pub cumulative: bool,
}

#[derive(Debug, Serialize)]
pub struct ArgModel {
    pub name: String,
    pub help: String,
    pub default: Vec<String>,
    pub envar: String,
    pub place_holder: String,
    pub required: bool,
    pub hidden: bool,
    pub cumulative: bool,
}

/// The fisk model of the whole command line.
pub fn model() -> AppModel {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    AppModel {
        name: cmd.get_name().to_string(),
        help: text(cmd.get_about()),
        version: env!("CARGO_PKG_VERSION").to_string(),
        author: String::new(),
        flags: Vec::new(),
        args: Vec::new(),
        commands: subcommands(&cmd),
    }
}

/// The model as natscli reads it: one line of JSON.
pub fn model_json() -> String {
    serde_json::to_string(&model()).expect("the model serializes")
}

fn text(s: Option<&clap::builder::StyledStr>) -> String {
    s.map(|s| s.to_string().trim().to_string())
        .unwrap_or_default()
}

fn subcommands(parent: &Command) -> Vec<CmdModel> {
    let subs: Vec<&Command> = parent
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .collect();
    // A group that runs without a subcommand (`context`) runs its first one in fisk.
    let has_default = !subs.is_empty() && !parent.is_subcommand_required_set();
    subs.iter()
        .enumerate()
        .map(|(i, c)| command(c, has_default && i == 0))
        .collect()
}

fn command(cmd: &Command, default: bool) -> CmdModel {
    let leaf = !cmd.has_subcommands();
    let mut help_long = text(cmd.get_long_about());
    if let Some(after) = cmd.get_after_long_help() {
        if !help_long.is_empty() {
            help_long.push_str("\n\n");
        }
        help_long.push_str(after.to_string().trim());
    }
    CmdModel {
        name: cmd.get_name().to_string(),
        aliases: cmd.get_all_aliases().map(str::to_string).collect(),
        help: text(cmd.get_about()),
        help_long,
        hidden: cmd.is_hide_set(),
        default,
        flags: if leaf { flags(cmd) } else { Vec::new() },
        args: if leaf { args(cmd) } else { Vec::new() },
        commands: subcommands(cmd),
    }
}

fn is_help_or_version(a: &Arg) -> bool {
    matches!(
        a.get_action(),
        ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version
    )
}

/// A flag that takes no value, or only an optional `=true|false` (`--tlsfirst`).
fn is_boolean(a: &Arg) -> bool {
    match a.get_action() {
        ArgAction::SetTrue | ArgAction::SetFalse => true,
        ArgAction::Set => {
            a.get_num_args().is_some_and(|n| n.min_values() == 0)
                && a.get_value_parser().type_id() == clap::builder::ValueParser::bool().type_id()
        }
        _ => false,
    }
}

fn is_cumulative(a: &Arg) -> bool {
    matches!(a.get_action(), ArgAction::Append)
        || a.is_last_set()
        || a.get_num_args().is_some_and(|n| n.max_values() > 1)
}

fn flags(cmd: &Command) -> Vec<FlagModel> {
    let options: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_positional() && !is_help_or_version(a) && a.get_long().is_some())
        .collect();
    let boolean = |name: &str| {
        options
            .iter()
            .any(|a| a.get_long() == Some(name) && is_boolean(a))
    };
    let mut out = Vec::new();
    for a in &options {
        let name = a.get_long().expect("filtered on long");
        let is_bool = is_boolean(a);
        // `--no-X` next to a boolean `--X` is X's negation, not a flag of its own.
        if is_bool && name.strip_prefix("no-").is_some_and(&boolean) {
            continue;
        }
        let negatable = is_bool && boolean(&format!("no-{name}"));
        let mut help = text(a.get_help());
        let values: Vec<String> = a
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !is_bool && !values.is_empty() {
            help.push_str(&format!(" ({})", values.join(", ")));
        }
        out.push(FlagModel {
            name: name.to_string(),
            help,
            short: a.get_short().map(u32::from).unwrap_or(0),
            default: if is_bool {
                Vec::new()
            } else {
                a.get_default_values()
                    .iter()
                    .map(|v| v.to_string_lossy().into_owned())
                    .collect()
            },
            envar: a
                .get_env()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default(),
            place_holder: if is_bool {
                String::new()
            } else {
                placeholder(a)
            },
            required: a.is_required_set(),
            hidden: a.is_hide_set(),
            boolean: is_bool,
            negatable,
            cumulative: !is_bool && is_cumulative(a),
        });
    }
    out
}

fn placeholder(a: &Arg) -> String {
    a.get_value_names()
        .and_then(|n| n.first())
        .map(|n| n.to_string())
        .unwrap_or_else(|| a.get_id().as_str().to_uppercase())
}

fn args(cmd: &Command) -> Vec<ArgModel> {
    let mut positionals: Vec<&Arg> = cmd.get_positionals().collect();
    positionals.sort_by_key(|a| a.get_index());
    let Some((first, rest)) = positionals.split_first() else {
        return Vec::new();
    };
    let mut out = vec![arg_model(
        first,
        is_cumulative(first),
        first.is_required_set(),
    )];
    if let Some(second) = rest.first() {
        // The rest of the positionals, in their order, as one cumulative arg: natscli sends it
        // last and in order. Required only when the first is (fisk wants required args first).
        let mut tail = arg_model(
            second,
            true,
            first.is_required_set() && rest.iter().any(|a| a.is_required_set()),
        );
        for more in &rest[1..] {
            tail.help
                .push_str(&format!(", then {}", text(more.get_help())));
        }
        out.push(tail);
    }
    out
}

fn arg_model(a: &Arg, cumulative: bool, required: bool) -> ArgModel {
    ArgModel {
        name: a.get_id().as_str().to_string(),
        help: text(a.get_help()),
        default: a
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect(),
        envar: a
            .get_env()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default(),
        place_holder: placeholder(a),
        required,
        hidden: a.is_hide_set(),
        cumulative,
    }
}

/// Parses the command line, answering `--fisk-introspect` first (the model, exit 0) and taking
/// natscli's argv as it comes: a `-- COMMAND...` arrives without its `--`, so when clap finds an
/// unexpected value, the `--` is put back before it and the line parsed again.
pub fn get_matches() -> ArgMatches {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.len() == 2 && args[1] == INTROSPECT_FLAG {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", model_json()).and_then(|_| out.flush());
        std::process::exit(0);
    }
    match try_get_matches(args) {
        Ok(m) => m,
        Err(e) => e.exit(),
    }
}

/// [`get_matches`] without the process: the matches, or clap's error for the line as given.
pub fn try_get_matches(args: Vec<OsString>) -> Result<ArgMatches, clap::Error> {
    let error = match Cli::command().try_get_matches_from(&args) {
        Ok(m) => return Ok(m),
        Err(e) => e,
    };
    if error.kind() != ErrorKind::UnknownArgument || args.iter().any(|a| a == "--") {
        return Err(error);
    }
    let Some(ContextValue::String(unexpected)) = error.get(ContextKind::InvalidArg) else {
        return Err(error);
    };
    if unexpected.starts_with('-') {
        return Err(error);
    }
    let Some(at) = args.iter().skip(1).position(|a| a == unexpected.as_str()) else {
        return Err(error);
    };
    let mut fixed = args.clone();
    fixed.insert(at + 1, "--".into());
    Cli::command()
        .try_get_matches_from(fixed)
        .map_err(|_| error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves<'a>(cmds: &'a [CmdModel], path: &str, out: &mut Vec<(String, &'a CmdModel)>) {
        for c in cmds {
            let p = format!("{path} {}", c.name).trim().to_string();
            if c.commands.is_empty() {
                out.push((p.clone(), c));
            }
            leaves(&c.commands, &p, out);
        }
    }

    fn all_leaves(m: &AppModel) -> Vec<(String, &CmdModel)> {
        let mut out = Vec::new();
        leaves(&m.commands, "", &mut out);
        out
    }

    #[test]
    fn model_is_fisks_shape() {
        let v: serde_json::Value = serde_json::from_str(&model_json()).unwrap();
        assert_eq!(v["name"], "jq-nats");
        assert!(!v["help"].as_str().unwrap().is_empty());
        assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(v["flags"], serde_json::json!([]));
        let stream = v["commands"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "stream")
            .unwrap();
        assert_eq!(stream["flags"], serde_json::json!([]));
        let add = stream["commands"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "add")
            .unwrap();
        let flag = |name: &str| {
            add["flags"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["name"] == name)
                .unwrap_or_else(|| panic!("no flag {name}"))
                .clone()
        };
        let server = flag("server");
        assert_eq!(server["short"], 's' as u32);
        assert_eq!(server["envar"], "NATS_URL");
        assert_eq!(server["place_holder"], "URL");
        assert_eq!(server["boolean"], false);
        let deny = flag("deny-delete");
        assert_eq!(deny["boolean"], true);
        assert_eq!(deny["negatable"], true);
        assert!(add["flags"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["name"] != "no-deny-delete" && f["name"] != "help"));
        assert_eq!(flag("no-dlq")["negatable"], false);
        assert_eq!(flag("subjects")["cumulative"], true);
        assert_eq!(flag("tlsfirst")["boolean"], true);
        assert_eq!(flag("color")["default"], serde_json::json!(["auto"]));
        let args = add["args"].as_array().unwrap();
        assert_eq!(args.len(), 1);
        assert_eq!(args[0]["name"], "name");
        assert_eq!(args[0]["required"], true);
        for key in [
            "name",
            "help",
            "short",
            "default",
            "envar",
            "place_holder",
            "required",
            "hidden",
            "boolean",
            "negatable",
            "cumulative",
        ] {
            assert!(server.get(key).is_some(), "flag lacks {key}");
        }
    }

    #[test]
    fn every_leaf_is_a_valid_plugin_command() {
        let m = model();
        let leaves = all_leaves(&m);
        assert!(leaves.iter().any(|(p, _)| p == "work"));
        for (path, leaf) in leaves {
            let names: Vec<&str> = leaf.flags.iter().map(|f| f.name.as_str()).collect();
            for conn in [
                "server",
                "context",
                "timeout",
                "creds",
                "tlsfirst",
                "no-context",
            ] {
                assert!(names.contains(&conn), "{path} lacks --{conn}");
            }
            let mut unique = names.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), names.len(), "{path}: repeated flag");
            let shorts: Vec<u32> = leaf
                .flags
                .iter()
                .map(|f| f.short)
                .filter(|s| *s != 0)
                .collect();
            let mut s2 = shorts.clone();
            s2.sort();
            s2.dedup();
            assert_eq!(s2.len(), shorts.len(), "{path}: repeated short flag");
            // At most one plain arg, so natscli's map order cannot swap two; cumulative last;
            // no required arg after an optional one.
            assert!(
                leaf.args.iter().filter(|a| !a.cumulative).count() <= 1,
                "{path}"
            );
            assert!(
                leaf.args.iter().filter(|a| a.cumulative).count() <= 1,
                "{path}"
            );
            if let Some(pos) = leaf.args.iter().position(|a| a.cumulative) {
                assert_eq!(pos, leaf.args.len() - 1, "{path}");
            }
            let mut optional = false;
            for a in &leaf.args {
                assert!(!(optional && a.required), "{path}: required after optional");
                optional |= !a.required;
            }
            for f in &leaf.flags {
                assert!(!f.negatable || f.boolean, "{path} --{}", f.name);
                assert!(!(f.boolean && f.cumulative), "{path} --{}", f.name);
            }
        }
    }

    #[test]
    fn leaves_take_no_more_than_two_positionals() {
        // Beyond two, the merged tail's help would have to describe several values.
        fn walk(c: &Command) {
            for s in c.get_subcommands() {
                assert!(s.get_positionals().count() <= 2, "{}", s.get_name());
                walk(s);
            }
        }
        walk(&Cli::command());
    }

    #[test]
    fn context_runs_info_by_default() {
        let m = model();
        let ctx = m.commands.iter().find(|c| c.name == "context").unwrap();
        assert!(ctx.commands.iter().any(|c| c.name == "info" && c.default));
    }

    fn parse(line: &[&str]) -> Result<ArgMatches, clap::Error> {
        try_get_matches(
            std::iter::once("jq-nats")
                .chain(line.iter().copied())
                .map(OsString::from)
                .collect(),
        )
    }

    #[test]
    fn parses_what_natscli_sends() {
        use clap::FromArgMatches;
        let m = parse(&[
            "work",
            "orders_stream",
            "--concurrency=4",
            "--context=prod",
            "--timeout=2m0s",
            "--tlsfirst=true",
            "--no-context=false",
            "./handler.sh",
            "--json",
            "x",
        ])
        .unwrap();
        let cli = Cli::from_arg_matches(&m).unwrap();
        assert_eq!(cli.global.context.as_deref(), Some("prod"));
        assert!(cli.global.tlsfirst);
        assert!(!cli.global.no_context);
        let crate::cli::Command::Work(w) = cli.command else {
            panic!()
        };
        assert_eq!(w.concurrency, 4);
        assert_eq!(w.command, ["./handler.sh", "--json", "x"]);

        let m = parse(&[
            "stream",
            "add",
            "orders_stream",
            "--subjects=orders.*",
            "--no-deny-delete",
            "--server=nats://127.0.0.1:4222",
        ])
        .unwrap();
        let cli = Cli::from_arg_matches(&m).unwrap();
        let crate::cli::Command::Stream(crate::cli::StreamCommand::Add(a)) = cli.command else {
            panic!()
        };
        assert!(a.settings.no_deny_delete);
        assert_eq!(a.settings.subjects, ["orders.*"]);

        // Booleans with and without a value; the plain form still works.
        assert!(parse(&["context", "--tlsfirst"]).is_ok());
        assert!(parse(&["context", "--no-context=true"]).is_ok());
        assert!(parse(&["context", "--tlsfirst=maybe"]).is_err());
        // dlq show with its stream, and without.
        assert!(parse(&["dlq", "show", "orders_stream", "448", "--context=x"]).is_ok());
        assert!(parse(&["dlq", "show", "448"]).is_ok());
        // A true usage error stays one.
        let e = parse(&["stream", "info", "a", "b"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownArgument);
    }
}
