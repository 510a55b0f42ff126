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

/// A completion script for `shell`: clap's static one, and for bash, zsh and fish a hook that
/// asks `jq-nats __complete` for names only the server knows (streams, consumers, dead jobs).
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "jq-nats", &mut out);
    let script = String::from_utf8(out).expect("clap writes UTF-8");
    dynamic_hook(shell, script).into_bytes()
}

const BASH_HOOK: &str = r#"
# Names only the server knows (streams, consumers, dead jobs) come from `jq-nats __complete`,
# which prints nothing within about a second when no server answers; the rest is static.
_jq_nats_dynamic() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local IFS=$'
'
    local -a found
    found=($("${COMP_WORDS[0]}" __complete raw -- "${COMP_LINE:0:COMP_POINT}" 2>/dev/null))
    if [[ ${#found[@]} -gt 0 ]]; then
        COMPREPLY=($(compgen -W "${found[*]}" -- "${cur}"))
        return 0
    fi
    _jq__nats "$@"
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _jq_nats_dynamic -o nosort -o bashdefault -o default jq-nats
else
    complete -F _jq_nats_dynamic -o bashdefault -o default jq-nats
fi
"#;

const ZSH_HOOK: &str = r#"# Names only the server knows (streams, consumers, dead jobs) come from `jq-nats __complete`,
# which prints nothing within about a second when no server answers; the rest is static.
_jq-nats() {
    local -a found
    found=(${(f)"$(${words[1]} __complete line -- "${(@)words[2,CURRENT]}" 2>/dev/null)"})
    if (( ${#found} )); then
        compadd -a found
        return 0
    fi
    _jq-nats_static "$@"
}

"#;

const FISH_HOOK: &str = r#"
# Names only the server knows (streams, consumers, dead jobs) come from `jq-nats __complete`,
# which prints nothing within about a second when no server answers; the rest is static.
function __jq_nats_dynamic
    set -l tokens (commandline -opc)
    command $tokens[1] __complete line -- $tokens[2..-1] (commandline -ct) 2>/dev/null
end
complete -c jq-nats -f -n '__jq_nats_dynamic | string length -q' -a '(__jq_nats_dynamic)'
"#;

fn dynamic_hook(shell: Shell, script: String) -> String {
    match shell {
        Shell::Bash => script + BASH_HOOK,
        Shell::Zsh => {
            // clap's function becomes the fallback of ours, which takes its name.
            let definition = "\n_jq-nats() {\n";
            assert_eq!(
                script.matches(definition).count(),
                1,
                "clap's zsh script changed"
            );
            let tail = "if [ \"$funcstack[1]\" = \"_jq-nats\" ]; then";
            assert_eq!(script.matches(tail).count(), 1, "clap's zsh script changed");
            script
                .replace(definition, "\n_jq-nats_static() {\n")
                .replace(tail, &format!("{ZSH_HOOK}{tail}"))
        }
        Shell::Fish => script + FISH_HOOK,
        _ => script,
    }
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
