//! Admission by the mail backlog: the public form stops taking new requests
//! while `mail.max_backlog` messages wait to be sent, and takes them again
//! once the worker has caught up.
//!
//! Every web filing queues a confirmation email. Filings arriving faster
//! than mail goes out (a flood, or a mail server slower than the web nodes)
//! would otherwise grow the queue, and the wait for every confirmation,
//! without bound. A refused requester is told that nothing was stored and
//! to try again in a few minutes; the staff's own work, whose mail is a
//! trickle, is never refused.
//!
//! The queue is counted (up to the limit) at most once a second per
//! process; in between, each admitted filing adds one to the count. Several
//! web nodes each count their own, so together they may overshoot the
//! limit by about a second's filings.

use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::db::{outbox, DbConn, DbError};

/// How long a count of the queue is trusted.
const FRESH: Duration = Duration::from_secs(1);

pub struct BacklogGate {
    limit: i64,
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    /// When the queue was last counted (or a count began).
    counted: Option<Instant>,
    /// Messages waiting, as counted then, with those admitted since.
    pending: i64,
    /// Whether the last filing was refused (so that a change is logged
    /// once, not at every refusal).
    full: bool,
}

impl BacklogGate {
    pub fn new(limit: u32) -> BacklogGate {
        BacklogGate {
            limit: i64::from(limit),
            seen: Mutex::new(Seen::default()),
        }
    }

    /// Whether the form may queue one more confirmation email; when it may,
    /// that message is counted.
    pub fn admit(&self, conn: &mut DbConn) -> Result<bool, DbError> {
        let stale = {
            let mut seen = self.seen.lock();
            let stale = seen.counted.is_none_or(|at| at.elapsed() >= FRESH);
            if stale {
                // This caller counts; the others meanwhile go by the last count.
                seen.counted = Some(Instant::now());
            }
            stale
        };
        if stale {
            let pending = outbox::pending_up_to(conn, self.limit)?;
            self.seen.lock().pending = pending;
        }
        let mut seen = self.seen.lock();
        let full = seen.pending >= self.limit;
        if full != seen.full {
            seen.full = full;
            if full {
                log::warn!(
                    "mail.max_backlog reached (waiting to be sent: {}): the request form refuses new requests until the workers catch up",
                    seen.pending
                );
            } else {
                log::info!("the mail backlog is below mail.max_backlog again: the request form takes requests");
            }
        }
        if !full {
            seen.pending += 1;
        }
        Ok(!full)
    }
}
