//! Test hook for crash tests: `JQ_NATS_FAILPOINT=NAME` or `NAME:N` kills the process (SIGKILL,
//! nothing flushed) the first or N-th time it reaches the point NAME, so a test can crash a
//! command at an exact step. Used by the `dlq` commands and by `work` (see tests/faults.rs).
//! `NAME:N:stop` stops it there instead (SIGSTOP), for a race test to act before it goes on
//! (SIGCONT).
//!
//! The variable is read once; without it a point costs one load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Kills the process if this is the point (and the time) `JQ_NATS_FAILPOINT` names.
pub fn failpoint(name: &str) {
    static SPEC: OnceLock<Option<(String, u64, i32)>> = OnceLock::new();
    static HITS: AtomicU64 = AtomicU64::new(0);
    let spec = SPEC.get_or_init(|| {
        let spec = std::env::var("JQ_NATS_FAILPOINT").ok()?;
        let (spec, signal) = match spec.strip_suffix(":stop") {
            Some(s) => (s.to_string(), libc::SIGSTOP),
            None => (spec, libc::SIGKILL),
        };
        Some(match spec.split_once(':') {
            Some((p, n)) => (p.to_string(), n.parse().unwrap_or(1), signal),
            None => (spec, 1, signal),
        })
    });
    let Some((point, nth, signal)) = spec else {
        return;
    };
    if point == name && HITS.fetch_add(1, Ordering::SeqCst) + 1 == *nth {
        // SAFETY: kill(2) on our own pid has no memory-safety preconditions.
        unsafe {
            libc::kill(libc::getpid(), *signal);
        }
    }
}
