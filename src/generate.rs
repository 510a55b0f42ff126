//! The files generated from the clap model and checked in: shell completions (`completions/`)
//! and man pages (`man/`, one per command). `tests/generated.rs` fails when they are stale;
//! `JQ_NATS_REGENERATE=1 cargo test --test generated` writes them anew.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Elvish,
    Shell::PowerShell,
];

/// A completion script for `shell`.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "jq-nats", &mut out);
    out
}

/// The file name a completion script is checked in as.
pub fn completion_file(shell: Shell) -> String {
    match shell {
        Shell::Bash => "jq-nats.bash".into(),
        Shell::Zsh => "_jq-nats".into(),
        Shell::Fish => "jq-nats.fish".into(),
        Shell::Elvish => "jq-nats.elv".into(),
        Shell::PowerShell => "_jq-nats.ps1".into(),
        other => format!("jq-nats.{other}"),
    }
}

/// Every generated file, as (path relative to the repository, contents).
pub fn all_files() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = SHELLS
        .iter()
        .map(|&s| (format!("completions/{}", completion_file(s)), completion(s)))
        .collect();
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    man_pages(&cmd, &mut files);
    files.sort();
    files
}

fn man_pages(cmd: &clap::Command, files: &mut Vec<(String, Vec<u8>)>) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_pages(sub, files);
    }
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render(&mut out).expect("render to memory");
    files.push((format!("man/{}", man.get_filename()), out));
}
