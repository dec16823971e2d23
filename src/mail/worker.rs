//! Delivers the outbox: claims due messages with a lease, sends each through
//! the transport, records the attempt, and retries failures with
//! exponential backoff until `mail.max_attempts`.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};

use chrono::{DateTime, Duration, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;

use super::transport::Transport;
use crate::config::MailSettings;
use crate::db::{self, outbox, DbError, Pool};

/// How long a claimed message is held before another worker may retry it
/// (covers a worker that died mid-send).
const LEASE: Duration = Duration::minutes(5);
const BATCH: i64 = 25;
const MAX_BACKOFF_SECS: i64 = 6 * 3600;

/// Wakes the delivery worker as soon as mail is queued.
#[derive(Clone)]
pub struct MailWaker(SyncSender<()>);

impl MailWaker {
    pub fn new() -> (MailWaker, Receiver<()>) {
        let (tx, rx) = sync_channel(1);
        (MailWaker(tx), rx)
    }

    pub fn wake(&self) {
        // A full channel already holds a wake-up; a closed one means shutdown.
        match self.0.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Sends every message that is due now; returns what happened.
pub fn deliver_due(
    pool: &Pool,
    sealer: &crate::crypto::Sealer,
    transport: &Transport,
    settings: &MailSettings,
    now: DateTime<Utc>,
) -> Result<DeliveryReport, DbError> {
    let from: Mailbox = settings
        .from
        .parse()
        .map_err(|e| DbError::Corrupt(format!("mail.from: {e}")))?;
    let mut conn = pool.get()?;
    let stamp = db::timestamp(now);
    let mut report = DeliveryReport::default();
    for id in outbox::due(&mut conn, stamp, BATCH)? {
        let Some(msg) = outbox::claim(&mut conn, sealer, id, stamp, db::timestamp(now + LEASE))?
        else {
            continue; // another worker took it
        };
        let result = build(&msg, &from).and_then(|m| transport.send(&m));
        let case = msg
            .case_id
            .map(|c| c.to_string())
            .unwrap_or_else(|| "-".into());
        match result {
            Ok(()) => {
                outbox::mark_sent(&mut conn, sealer, &msg, stamp)?;
                log::info!("mail {id} ({}) for case {case} delivered", msg.template);
                report.sent += 1;
            }
            Err(error) => {
                let attempts = msg.attempts + 1;
                let retry_at = (attempts < settings.max_attempts as i32).then(|| {
                    let wait = (settings.retry_base_secs as i64)
                        .saturating_mul(1i64 << (attempts - 1).min(20))
                        .min(MAX_BACKOFF_SECS);
                    db::timestamp(now + Duration::seconds(wait))
                });
                outbox::mark_attempt_failed(&mut conn, id, stamp, &error, retry_at)?;
                match retry_at {
                    Some(at) => {
                        let error = redact_addresses(&error);
                        log::warn!("mail {id} ({}) for case {case}: attempt {attempts} failed, retrying at {at}: {error}", msg.template);
                        report.retrying += 1;
                    }
                    None => {
                        let error = redact_addresses(&error);
                        log::error!("mail {id} ({}) for case {case}: gave up after {attempts} attempts: {error}", msg.template);
                        report.failed += 1;
                    }
                }
            }
        }
    }
    Ok(report)
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

fn build(msg: &outbox::Message, from: &Mailbox) -> Result<Message, String> {
    let to: Mailbox = msg
        .recipient
        .parse()
        .map_err(|e| format!("recipient address: {e}"))?;
    Message::builder()
        .from(from.clone())
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
