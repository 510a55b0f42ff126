//! The acks a worker sent last, sent again after a reconnect.
//!
//! An ack is a plain publish: one written just before the connection dropped, or taken by a
//! server killed before it kept it, is lost without a word, and the job comes back once its ack
//! wait is over. With attempts left it only runs again (at least once); on its last attempt the
//! server parks it, a job that was done counted as dead (seen with `kill -9` of nats-server
//! under `work`, on 2.9.10 and 2.15.1). Acks are idempotent (the server ignores one for a job
//! it no longer holds), so after a reconnect, before any new pull request, the worker sends the
//! last [`KEEP`] again.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_nats::jetstream::Message;
use async_nats::{Client, Subject};

/// Acks kept to send again: several seconds of a worker running a command per job, a fraction
/// of a second of one printing jobs; ~1.5 MB.
pub const KEEP: usize = 10_000;

#[derive(Default)]
pub struct RecentAcks {
    subjects: Mutex<VecDeque<Subject>>,
}

impl RecentAcks {
    /// Acks `msg` and keeps its ack subject.
    pub async fn ack(&self, msg: &Message) {
        let _ = msg.ack().await;
        if let Some(reply) = &msg.reply {
            // The client parses a reply into a buffer of its own (not the payload's): kept
            // without a copy.
            let mut subjects = self.subjects.lock().unwrap();
            if subjects.len() == KEEP {
                subjects.pop_front();
            }
            subjects.push_back(reply.clone());
        }
    }

    /// Sends every kept ack again; returns how many.
    pub async fn resend(&self, client: &Client) -> usize {
        let subjects: Vec<Subject> = self.subjects.lock().unwrap().iter().cloned().collect();
        for subject in &subjects {
            let _ = client.publish(subject.clone(), "+ACK".into()).await;
        }
        subjects.len()
    }
}
