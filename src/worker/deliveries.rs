//! What one worker run saw of each job's deliveries: the attempt number it gave the job last,
//! and when a job it Nak'd with a delay is due back.
//!
//! Why the worker counts attempts itself: nats-server before 2.10.14 (2.9.10 included) can
//! deliver a job again with delivered count 1 after it was delivered 2 or more times. When a
//! redelivery is due just as the only waiting pull request expires, and the server's consumer
//! loop sees both before it reaps the request, it takes the job off its redelivery queue, counts
//! the delivery, finds no request to send it to, and "redoes" it by stepping its stream cursor
//! back (`o.sseq--` in `loopAndGatherMsgs`, fixed upstream by nats-io/nats-server#5305). The
//! next pull request then gets the job as a new message: delivered count 1, while the server's
//! own redelivery count (what BackOff and MaxDeliver go by) still counts every delivery,
//! including the one that was never sent. So a job of ours is numbered
//! `max(server's count, last attempt seen + 1)`: the count never goes backwards within a run,
//! and it matches the server's (the lost delivery is counted, the "new" one is not), so the
//! Nak delay arithmetic and the last-attempt decision stay right.
//!
//! A worker that never saw the job before has only the server's number; the server still stops
//! at MaxDeliver (it parks the job and publishes its max-deliveries advisory).

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use tokio::time::Instant;

use super::consumer::Settings;

/// How long after a retry's due time `--until-empty` still waits for it: the redelivery needs a
/// pull request to land on, and the server's timer may run late on a loaded machine.
pub const RETRY_GRACE: Duration = Duration::from_secs(2);
/// How far past a retry's due time a pull request must stay open, so that the redelivery never
/// falls on the request's expiry (see [`Deliveries::expires_for`]).
pub const EXPIRY_GUARD: Duration = Duration::from_millis(150);

#[derive(Debug, Clone, Copy)]
struct Seen {
    attempt: u64,
    at: Instant,
    /// Nak'd with a delay: when it should come back.
    retry_due: Option<Instant>,
    /// Acked after its handler succeeded.
    done: bool,
}

#[derive(Debug)]
pub struct Deliveries {
    seen: HashMap<u64, Seen>,
    /// `(retry_due, seq)` of the entries of `seen` that have one, in due order: what the
    /// questions asked before every pull request look at (`seen` holds every job of the last
    /// ten minutes, a million at a few thousand jobs a second).
    retries: BTreeSet<(Instant, u64)>,
    /// Entries not seen for this long are forgotten (another worker took the job, or it is
    /// parked).
    forget_after: Duration,
    last_prune: Instant,
}

impl Deliveries {
    pub fn new(settings: &Settings) -> Deliveries {
        let longest = settings
            .backoff
            .iter()
            .copied()
            .chain([settings.ack_wait])
            .max()
            .unwrap_or_default();
        Deliveries {
            seen: HashMap::new(),
            retries: BTreeSet::new(),
            forget_after: Duration::from_secs(600).max(longest * 4),
            last_prune: Instant::now(),
        }
    }

    /// A delivery of stream sequence `seq` that the server numbered `delivered`: returns its
    /// attempt number, never below the last one this worker gave the job plus one.
    pub fn delivered(&mut self, seq: u64, delivered: u64) -> u64 {
        let now = Instant::now();
        let attempt = match self.seen.get(&seq) {
            Some(seen) => delivered.max(seen.attempt + 1),
            None => delivered.max(1),
        };
        self.unschedule(seq);
        self.seen.insert(
            seq,
            Seen {
                attempt,
                at: now,
                retry_due: None,
                done: false,
            },
        );
        attempt
    }

    /// The job was Nak'd at `now` to come back after `delay`.
    pub fn retry_after(&mut self, seq: u64, now: Instant, delay: Duration) {
        self.unschedule(seq);
        if let Some(seen) = self.seen.get_mut(&seq) {
            seen.at = now;
            seen.retry_due = Some(now + delay);
            self.retries.insert((now + delay, seq));
        }
    }

    /// Takes the job's retry (if any) out of `retries`.
    fn unschedule(&mut self, seq: u64) {
        if let Some(due) = self.seen.get(&seq).and_then(|s| s.retry_due) {
            self.retries.remove(&(due, seq));
        }
    }

    /// The job was done and acked.
    pub fn forget(&mut self, seq: u64) {
        self.unschedule(seq);
        self.seen.remove(&seq);
    }

    /// The job was done and acked. Kept (until pruned) because nats-server 2.9 can deliver a
    /// job again after its ack (the same upstream bug as above, "multiple deliveries"): such a
    /// delivery is acked again rather than run a second time.
    pub fn done(&mut self, seq: u64) {
        self.unschedule(seq);
        if let Some(seen) = self.seen.get_mut(&seq) {
            seen.done = true;
            seen.at = Instant::now();
            seen.retry_due = None;
        }
    }

    /// Whether this run already did the job with this stream sequence.
    pub fn is_done(&self, seq: u64) -> bool {
        self.seen.get(&seq).is_some_and(|s| s.done)
    }

    /// Whether a job this worker Nak'd with a delay may still come back: its due time plus
    /// [`RETRY_GRACE`] has not passed and it was not delivered again since.
    pub fn awaiting_retry(&self, now: Instant) -> bool {
        self.retries
            .last()
            .is_some_and(|(due, _)| *due + RETRY_GRACE > now)
    }

    /// The expiry for a pull request sent `now` that would normally wait `base`: longer when
    /// one of our retries is due around the time it would expire, so that it outlives the due
    /// time by [`EXPIRY_GUARD`]. A redelivery falling on an expiring request is what makes
    /// nats-server before 2.10.14 deliver the job again as new (see the module's comment), and
    /// a worker that asks again right after its Nak otherwise has its requests expire exactly
    /// when a backoff step that is a multiple of the expiry ends. At most `2 * base + guard`.
    pub fn expires_for(&self, now: Instant, base: Duration) -> Duration {
        let cap = base * 2 + EXPIRY_GUARD;
        let mut expires = base;
        loop {
            // Only retries due before the cap can lengthen the expiry.
            let later = self
                .retries
                .range((now, u64::MAX)..=(now + cap, u64::MAX))
                .map(|(due, _)| *due)
                .filter(|due| *due > now)
                .map(|due| due - now + EXPIRY_GUARD)
                .filter(|needed| *needed > expires && *needed <= expires + EXPIRY_GUARD * 2)
                .max();
            match later {
                Some(needed) if needed <= cap => expires = needed,
                _ => return expires,
            }
        }
    }

    /// Forgets jobs not seen for a long time; cheap enough to call on every tick.
    pub fn prune(&mut self) {
        let now = Instant::now();
        if now.duration_since(self.last_prune) < Duration::from_secs(10) {
            return;
        }
        self.last_prune = now;
        let forget_after = self.forget_after;
        let retries = &mut self.retries;
        self.seen.retain(|seq, s| {
            let keep =
                now.duration_since(s.retry_due.map_or(s.at, |due| due.max(s.at))) < forget_after;
            if !keep {
                if let Some(due) = s.retry_due {
                    retries.remove(&(due, *seq));
                }
            }
            keep
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            name: "processor".into(),
            max_deliver: 3,
            backoff: vec![Duration::from_millis(300), Duration::from_millis(600)],
            ack_wait: Duration::from_millis(300),
            filter: String::new(),
            max_batch: 0,
            max_expires: Duration::ZERO,
        }
    }

    #[test]
    fn retries_are_tracked_apart_from_the_many_jobs_done() {
        let mut d = Deliveries::new(&settings());
        let now = Instant::now();
        for seq in 1..=10_000 {
            d.delivered(seq, 1);
            d.done(seq);
        }
        assert!(!d.awaiting_retry(now));
        d.delivered(20_000, 1);
        // Due just after a request sent now would expire: the request outlives it.
        d.retry_after(20_000, now, Duration::from_millis(4100));
        assert!(d.awaiting_retry(now));
        assert_eq!(
            d.expires_for(now, Duration::from_secs(4)),
            Duration::from_millis(4100) + EXPIRY_GUARD
        );
        // Rescheduled: only the new due time counts.
        d.retry_after(20_000, now, Duration::from_secs(1));
        assert_eq!(d.retries.len(), 1);
        assert!(!d.awaiting_retry(now + Duration::from_secs(4)));
        // Delivered again, then done: nothing is awaited.
        d.delivered(20_000, 2);
        assert!(!d.awaiting_retry(now));
        d.retry_after(20_000, now, Duration::from_secs(1));
        d.done(20_000);
        assert!(d.retries.is_empty() && !d.awaiting_retry(now));
    }

    #[test]
    fn a_count_that_goes_back_to_one_continues_from_the_last_attempt() {
        let mut d = Deliveries::new(&settings());
        assert_eq!(d.delivered(1, 1), 1);
        assert_eq!(d.delivered(1, 2), 2);
        // 2.9.x: the lost redelivery is counted by the server, the job comes back as new.
        assert_eq!(d.delivered(1, 1), 3);
        assert!(settings().is_last_attempt(3));
        // The server's count wins when it is ahead (another worker had the job meanwhile).
        assert_eq!(d.delivered(7, 1), 1);
        assert_eq!(d.delivered(7, 5), 5);
        d.forget(1);
        assert_eq!(d.delivered(1, 1), 1);
    }

    #[test]
    fn a_done_job_is_known_as_done_until_forgotten() {
        let mut d = Deliveries::new(&settings());
        d.delivered(4, 1);
        assert!(!d.is_done(4));
        d.done(4);
        assert!(d.is_done(4));
        assert!(!d.is_done(5));
        d.forget(4);
        assert!(!d.is_done(4));
    }

    #[test]
    fn until_empty_waits_for_a_retry_until_it_comes_or_its_grace_ends() {
        let mut d = Deliveries::new(&settings());
        let t0 = Instant::now();
        d.delivered(1, 1);
        assert!(!d.awaiting_retry(t0));
        d.retry_after(1, t0, Duration::from_millis(300));
        assert!(d.awaiting_retry(t0));
        assert!(d.awaiting_retry(t0 + Duration::from_millis(300)));
        assert!(!d.awaiting_retry(t0 + Duration::from_millis(300) + RETRY_GRACE));
        d.delivered(1, 2);
        assert!(!d.awaiting_retry(t0));
    }

    #[test]
    fn pull_requests_do_not_expire_when_a_retry_is_due() {
        let base = Duration::from_millis(300);
        let ms = Duration::from_millis;
        let mut d = Deliveries::new(&settings());
        let t0 = Instant::now();
        assert_eq!(d.expires_for(t0, base), base);
        d.delivered(1, 1);
        // Asked right after the Nak: the request would expire when the retry is due.
        d.retry_after(1, t0, ms(300));
        assert_eq!(d.expires_for(t0, base), ms(300) + EXPIRY_GUARD);
        assert_eq!(d.expires_for(t0 + ms(1), base), ms(299) + EXPIRY_GUARD);
        // A retry due well before or after the request's expiry changes nothing.
        assert_eq!(d.expires_for(t0 + ms(250), base), base);
        d.retry_after(1, t0, ms(600));
        assert_eq!(d.expires_for(t0, base), base);
        // The next request, asked when the first expired, would expire on the retry.
        assert_eq!(d.expires_for(t0 + ms(300), base), ms(300) + EXPIRY_GUARD);
    }
}
