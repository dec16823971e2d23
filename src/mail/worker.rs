//! Delivers the outbox: claims due messages in batches with a lease, sends
//! each through the transport (one pooled SMTP connection), records the
//! attempts, and retries failures with exponential backoff until
//! `mail.max_attempts`.
//!
//! Delivery is at least once. A message is marked sent after the server
//! took it; a worker killed in between leaves it leased, and once the lease
//! runs out it is sent again. Every message carries a Message-ID made from
//! its outbox row, the same on every attempt, so receiving systems can
//! recognise the repeat. (At most once would instead lose a message
//! whenever a worker dies mid-send, which for a statutory notice is the
//! worse failure.)

use std::sync::atomic::Ordering;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;

use super::transport::{SendError, Transport};
use crate::clock::Clock;
use crate::config::MailSettings;
use crate::db::{self, outbox, DbError, Pool};

/// How long a claimed batch is held before another worker may take what
/// is left of it (covers a worker that died mid-send).
const LEASE: Duration = Duration::minutes(2);
/// A batch stops sending this long after it was claimed and gives the rest
/// back: with one SMTP step at most `mail.smtp_timeout_secs` (and a send a
/// handful of steps), every message sent is still well inside its lease.
const SEND_WINDOW: std::time::Duration = std::time::Duration::from_secs(30);
const BATCH: i64 = 50;
const MAX_BACKOFF_SECS: i64 = 6 * 3600;

/// Wakes the delivery worker as soon as mail is queued. While any waker
/// made by [`MailWaker::new`] (and its clones) lives, the background jobs
/// run; when the last is dropped (the app stopped), they stop.
#[derive(Clone)]
pub struct MailWaker {
    wake: SyncSender<()>,
    _alive: Option<Arc<(SyncSender<()>, SyncSender<()>)>>,
}

/// What the background jobs listen to: wake-ups for the mail thread, and
/// the app's lifeline (disconnected when the last [`MailWaker`] goes).
pub struct Wakeups {
    pub mail: Receiver<()>,
    pub alive: Receiver<()>,
    /// The webhook thread's own lifeline.
    pub hooks_alive: Receiver<()>,
}

impl MailWaker {
    pub fn new() -> (MailWaker, Wakeups) {
        let (wake, mail) = sync_channel(1);
        let (alive_tx, alive) = sync_channel(1);
        let (hooks_tx, hooks_alive) = sync_channel(1);
        (
            MailWaker {
                wake,
                _alive: Some(Arc::new((alive_tx, hooks_tx))),
            },
            Wakeups {
                mail,
                alive,
                hooks_alive,
            },
        )
    }

    /// A waker for the jobs themselves: it wakes the mail thread but does
    /// not keep the jobs running.
    pub fn detached(&self) -> MailWaker {
        MailWaker {
            wake: self.wake.clone(),
            _alive: None,
        }
    }

    pub fn wake(&self) {
        // A full channel already holds a wake-up; a closed one means shutdown
        // (or a web-only node, whose mail a worker elsewhere sends).
        match self.wake.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
    /// Claimed and given back unsent: the server looked down, or the batch
    /// ran out of time.
    pub released: usize,
}

impl std::ops::AddAssign for DeliveryReport {
    fn add_assign(&mut self, other: DeliveryReport) {
        self.sent += other.sent;
        self.retrying += other.retrying;
        self.failed += other.failed;
        self.released += other.released;
    }
}

/// Sends every message that is due, batch after batch, until none is due
/// or the server looks down; returns what happened. Each attempt's time,
/// and so its backoff, is read from `clock` when it is made.
pub fn deliver_due(
    pool: &Pool,
    sealer: &crate::crypto::Sealer,
    transport: &Transport,
    settings: &MailSettings,
    clock: &dyn Clock,
) -> Result<DeliveryReport, DbError> {
    let from: Mailbox = settings
        .from
        .parse()
        .map_err(|e| DbError::Corrupt(format!("mail.from: {e}")))?;
    let reply_to: Mailbox = settings
        .reply_to
        .parse()
        .map_err(|e| DbError::Corrupt(format!("mail.reply_to: {e}")))?;
    let from = Sender { from, reply_to };
    let mut total = DeliveryReport::default();
    loop {
        let (report, claimed) = deliver_batch(pool, sealer, transport, settings, clock, &from)?;
        total += report;
        // A short batch was all there was; one that stopped early will be
        // tried again at the next round.
        if claimed < BATCH as usize || report.released > 0 {
            return Ok(total);
        }
    }
}

fn deliver_batch(
    pool: &Pool,
    sealer: &crate::crypto::Sealer,
    transport: &Transport,
    settings: &MailSettings,
    clock: &dyn Clock,
    from: &Sender,
) -> Result<(DeliveryReport, usize), DbError> {
    let mut conn = pool.get()?;
    let now = clock.now();
    let batch = outbox::claim_due(
        &mut conn,
        sealer,
        db::timestamp(now),
        db::timestamp(now + LEASE),
        BATCH,
    )?;
    let claimed = batch.len();
    let started = Instant::now();
    // Sent on several connections at once: one SMTP connection carries
    // only a few dozen messages a second (each waits on the server's
    // replies, and the end of each message on its acknowledgement).
    let queue = std::sync::Mutex::new(batch.into_iter());
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (tx, rx) =
        std::sync::mpsc::channel::<(outbox::Message, Result<(), SendError>, DateTime<Utc>)>();
    let senders = transport
        .parallel_sends(settings.smtp_connections)
        .min(claimed.max(1) as u32);
    let mut report = DeliveryReport::default();
    let recorded = std::thread::scope(|scope| -> Result<(), DbError> {
        for _ in 0..senders {
            let tx = tx.clone();
            let (queue, stop) = (&queue, &stop);
            scope.spawn(move || loop {
                if stop.load(Ordering::Relaxed) || started.elapsed() > SEND_WINDOW {
                    return;
                }
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                let Some(msg) = next else { return };
                let result = build(&msg, from)
                    .map_err(|message| SendError {
                        message,
                        permanent: true,
                    })
                    .and_then(|m| transport.send(&m));
                if result.as_ref().is_err_and(|e| !e.permanent) {
                    // The server (or the way to it) is at fault: the rest of
                    // the batch waits for the next round.
                    stop.store(true, Ordering::Relaxed);
                }
                if tx.send((msg, result, clock.now())).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        // Each attempt is recorded as soon as it is made (with any others
        // made meanwhile, in one transaction), so that a worker killed
        // mid-batch sends again only the messages in flight.
        while let Ok(first) = rx.recv() {
            let attempts: Vec<_> = std::iter::once(first)
                .chain(rx.try_iter())
                .map(|(msg, result, at)| {
                    let outcome = outcome(settings, &msg, result, at, &mut report);
                    (msg, outcome)
                })
                .collect();
            outbox::record(&mut conn, sealer, &attempts)?;
        }
        Ok(())
    });
    let unsent: Vec<i64> = queue
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .map(|m| m.id)
        .collect();
    report.released = unsent.len();
    outbox::release(&mut conn, &unsent)?;
    recorded?;
    Ok((report, claimed))
}

/// What an attempt comes to (sent, retried later, or failed for good),
/// logged and counted in `report`.
fn outcome(
    settings: &MailSettings,
    msg: &outbox::Message,
    result: Result<(), SendError>,
    at: DateTime<Utc>,
    report: &mut DeliveryReport,
) -> outbox::Outcome {
    let case = msg
        .case_id
        .map(|c| c.to_string())
        .unwrap_or_else(|| "-".into());
    let (id, template) = (msg.id, &msg.template);
    match result {
        Ok(()) => {
            log::info!("mail {id} ({template}) for case {case} delivered");
            report.sent += 1;
            outbox::Outcome::Sent {
                at: db::timestamp(at),
            }
        }
        Err(error) => {
            let attempts = msg.attempts + 1;
            let retry_at = (attempts < settings.max_attempts as i32).then(|| {
                let wait = (settings.retry_base_secs as i64)
                    .saturating_mul(1i64 << (attempts - 1).min(20))
                    .min(MAX_BACKOFF_SECS);
                db::timestamp(at + Duration::seconds(wait))
            });
            let shown = redact_addresses(&error.message);
            match retry_at {
                Some(when) => {
                    log::warn!("mail {id} ({template}) for case {case}: attempt {attempts} failed, retrying at {when}: {shown}");
                    report.retrying += 1;
                }
                None => {
                    log::error!("mail {id} ({template}) for case {case}: gave up after {attempts} attempts: {shown}");
                    report.failed += 1;
                }
            }
            outbox::Outcome::Failed {
                at: db::timestamp(at),
                error: error.message,
                retry_at,
            }
        }
    }
}

/// SMTP errors often quote the recipient ("550 <ada@example.com>: no such
/// user"); logs must not. The stored error keeps it, for staff.
pub fn redact_addresses(error: &str) -> String {
    error
        .split(' ')
        .map(|word| {
            if word.contains('@') {
                "[address]"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The Message-ID of an outbox row: the same on every attempt, so that a
/// message sent twice (a worker killed after the server took it) can be
/// recognised as one.
pub fn message_id(msg: &outbox::Message, from: &Mailbox) -> String {
    format!(
        "<rightsdesk.{}.{}@{}>",
        msg.id,
        msg.created_at.and_utc().timestamp_micros(),
        from.email.domain()
    )
}

/// Who our emails come from, and where replies to them go.
struct Sender {
    from: Mailbox,
    reply_to: Mailbox,
}

fn build(msg: &outbox::Message, sender: &Sender) -> Result<Message, String> {
    let to: Mailbox = msg
        .recipient
        .parse()
        .map_err(|e| format!("recipient address: {e}"))?;
    Message::builder()
        .message_id(Some(message_id(msg, &sender.from)))
        .from(sender.from.clone())
        .reply_to(sender.reply_to.clone())
        .to(to)
        .subject(&msg.subject)
        .multipart(MultiPart::alternative_plain_html(
            msg.body_text.clone(),
            msg.body_html.clone(),
        ))
        .map_err(|e| format!("cannot build message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::redact_addresses;

    #[test]
    fn addresses_are_taken_out_of_errors_before_logging() {
        assert_eq!(
            redact_addresses(
                "permanent error (550): 5.1.1 <ada@example.com>: Recipient address rejected"
            ),
            "permanent error (550): 5.1.1 [address] Recipient address rejected"
        );
        assert_eq!(redact_addresses("connection refused"), "connection refused");
    }
}
