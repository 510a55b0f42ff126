use std::process::ExitCode;

use clap::FromArgMatches;
use jq_nats::cli::Cli;

fn main() -> ExitCode {
    // The helper that kills a killed worker's handlers (see `worker::reaper`).
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == jq_nats::worker::reaper::ARG)
    {
        jq_nats::worker::reaper::run();
    }
    jq_nats::worker::reaper::enable();
    // Usage errors exit 2 from clap itself, before anything starts; `--fisk-introspect` (natscli
    // registering jq-nats as a plugin) answers here too.
    let matches = jq_nats::fisk::get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let color = jq_nats::output::color_enabled(
        cli.global.color,
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("failed to start the tokio runtime");
    let result = runtime.block_on(jq_nats::cmd::run(cli, matches));
    jq_nats::error::report(result, color)
}

// mimalloc instead of glibc's malloc: `dlq replay --all` of 10,000 dead jobs spent a quarter of
// its CPU in glibc's malloc and free (headers of each entry, parsed and rebuilt); with mimalloc
// its user CPU fell from ~115 to ~80 ms (bench/results.md). Without transparent huge pages
// (`no_thp`): with them, one run in three spent 50-100 ms more in the kernel zeroing pages.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
