//! Test hook for crash tests: `JQ_NATS_FAILPOINT=NAME` or `NAME:N` kills the process (SIGKILL,
//! nothing flushed) the first or N-th time it reaches the point NAME, so a test can crash a
//! command at an exact step. Used by the `dlq` commands and by `work` (see tests/faults.rs).
//!
//! The variable is read once; without it a point costs one load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Kills the process if this is the point (and the time) `JQ_NATS_FAILPOINT` names.
pub fn failpoint(name: &str) {
    static SPEC: OnceLock<Option<(String, u64)>> = OnceLock::new();
    static HITS: AtomicU64 = AtomicU64::new(0);
    let spec = SPEC.get_or_init(|| {
        let spec = std::env::var("JQ_NATS_FAILPOINT").ok()?;
        Some(match spec.split_once(':') {
            Some((p, n)) => (p.to_string(), n.parse().unwrap_or(1)),
            None => (spec, 1),
        })
    });
    let Some((point, nth)) = spec else { return };
    if point == name && HITS.fetch_add(1, Ordering::SeqCst) + 1 == *nth {
        // SAFETY: kill(2) on our own pid has no memory-safety preconditions.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
}
