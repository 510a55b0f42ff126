//! Handlers die with their worker. A worker killed outright (SIGKILL, the OOM killer) cannot
//! stop its handlers, and their jobs come back to another worker after the ack wait: a handler
//! left running would do its job a second time at once, unseen, past `--handler-timeout`.
//!
//! So the first handler a process starts also starts a reaper: jq-nats itself, run again with
//! [`ARG`], which learns each handler's process group on its stdin (`+PGID` when it starts,
//! `-PGID` when it ended). When its stdin ends (the worker exited, however it died) it sends
//! SIGKILL to every group still listed and exits. It ignores the terminal's signals: a Ctrl-C
//! is for the worker, which stops its handlers in its own time. The spawn path stays as it is
//! (no `pre_exec`, so the child is still spawned with vfork).

use std::io::{Read, Write};
use std::os::fd::FromRawFd;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

/// The hidden first argument that makes jq-nats a reaper.
pub const ARG: &str = "__jq-nats-reaper";

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Lets handlers started from now on be reaped: called by the jq-nats binary (not by tests or
/// other users of the library, whose executable is not jq-nats).
pub fn enable() {
    ENABLED.store(true, Ordering::SeqCst);
}

/// The reaper process: never returns. It reads what it is told in batches, at most every
/// [`BATCH`], not a wake-up per line (two per job): when the worker is gone it notices within
/// that time, and at once while nothing is being said.
pub fn run() -> ! {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
        // SAFETY: setting a signal to be ignored has no memory-safety preconditions.
        unsafe {
            libc::signal(signal, libc::SIG_IGN);
        }
    }
    let mut groups = std::collections::HashSet::new();
    // Unbuffered, so that what poll says about fd 0 is all there is.
    // SAFETY: fd 0 is our stdin, open for the life of this process, owned by nothing else here.
    let mut stdin = unsafe { std::fs::File::from_raw_fd(libc::STDIN_FILENO) };
    let mut said: Vec<u8> = Vec::new();
    let mut buf = [0u8; 8192];
    let mut ended = false;
    while !ended {
        // Everything there is now (it fits the pipe), then a pause to gather more. What came
        // with the end (the worker's last words before it died) is taken like the rest.
        loop {
            match stdin.read(&mut buf) {
                Ok(0) => ended = true,
                Ok(n) => said.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => ended = true,
            }
            if ended || !readable_now(libc::STDIN_FILENO) {
                break;
            }
        }
        let complete = said.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        for line in said.drain(..complete).as_slice().split(|b| *b == b'\n') {
            let line = String::from_utf8_lossy(line);
            let (sign, pgid) = line.split_at(line.len().min(1));
            match (sign, pgid.parse::<i32>()) {
                ("+", Ok(pgid)) if pgid > 1 => {
                    groups.insert(pgid);
                }
                ("-", Ok(pgid)) => {
                    groups.remove(&pgid);
                }
                _ => {}
            }
        }
        if !ended {
            std::thread::sleep(BATCH);
        }
    }
    for pgid in groups {
        super::handler::killpg(pgid, libc::SIGKILL);
    }
    std::process::exit(0)
}

/// How long the reaper gathers what it is told before reading it.
const BATCH: std::time::Duration = std::time::Duration::from_millis(20);

/// Whether a read of `fd` would not block (data, or its end).
fn readable_now(fd: i32) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no wait.
    unsafe { libc::poll(&mut pfd, 1, 0) > 0 }
}

/// The reaper's stdin, once started (`None`: it could not be started, handlers are on their
/// own as before).
fn reaper() -> Option<&'static Mutex<ChildStdin>> {
    static REAPER: OnceLock<Option<Mutex<ChildStdin>>> = OnceLock::new();
    REAPER
        .get_or_init(|| {
            let exe = std::env::current_exe().ok()?;
            let mut child = Command::new(exe)
                .arg(ARG)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .ok()?;
            // Never waited for: it ends when we do (a zombie until then only if it failed).
            child.stdin.take().map(Mutex::new)
        })
        .as_ref()
}

fn tell(line: String) {
    if !ENABLED.load(Ordering::SeqCst) {
        return;
    }
    if let Some(stdin) = reaper() {
        // A few bytes into a pipe the reaper keeps reading, in one write (one wake-up of the
        // reaper per line, not one per formatted piece); a reaper gone is not our failure.
        let _ = stdin.lock().unwrap().write_all(line.as_bytes());
    }
}

/// A handler started in its own process group `pgid`.
pub fn started(pgid: i32) {
    tell(format!("+{pgid}\n"));
}

/// The handler of group `pgid` ended (and its group was killed if it had to be).
pub fn ended(pgid: i32) {
    tell(format!("-{pgid}\n"));
}
