//! Background work, on its own thread so nothing blocks the web executor:
//! mail delivery (woken at once when mail is queued, otherwise polled) and
//! the expiry of requests never confirmed, the chasing of overdue tasks,
//! the staff's daily digest, and (hourly) the retention purge.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Pool;
use crate::mail::{deliver_due, Transport};
use crate::service::intake::expire_unconfirmed;
use crate::templates::Templates;

const EXPIRY_EVERY: Duration = Duration::from_secs(60);
const PURGE_EVERY: Duration = Duration::from_secs(60 * 60);

pub struct Jobs {
    pub pool: Pool,
    pub transport: Transport,
    pub settings: Settings,
    pub clock: Arc<dyn Clock>,
    pub templates: Arc<Templates>,
    /// Opens and seals email bodies (the data key).
    pub sealer: crate::crypto::Sealer,
    /// Seals the audit events the jobs record.
    pub audit_key: crate::crypto::AuditKey,
}

impl Jobs {
    /// Delivers due mail once.
    pub fn deliver_mail(&self) {
        match deliver_due(
            &self.pool,
            &self.sealer,
            &self.transport,
            &self.settings.mail,
            self.clock.now(),
        ) {
            Ok(report) if report.sent + report.retrying + report.failed > 0 => {
                log::debug!("mail delivery: {report:?}")
            }
            Ok(_) => {}
            Err(e) => log::error!("mail delivery failed: {e}"),
        }
    }

    pub fn expire_requests(&self) {
        if let Err(e) = expire_unconfirmed(
            &self.pool,
            &self.audit_key,
            self.clock.now(),
            self.settings.requests.unconfirmed_expiry_days,
        ) {
            log::error!("expiring unconfirmed requests failed: {e}");
        }
    }

    pub fn chase_tasks(&self) {
        let chaser = crate::service::fulfilment::Chaser {
            pool: &self.pool,
            templates: &self.templates,
            settings: &self.settings,
            sealer: &self.sealer,
            audit_key: &self.audit_key,
            clock: self.clock.as_ref(),
        };
        match crate::service::fulfilment::chase_overdue(&chaser) {
            Ok(0) => {}
            Ok(_) => self.deliver_mail(),
            Err(e) => log::error!("chasing overdue tasks failed: {e}"),
        }
    }

    pub fn purge(&self) {
        let purger = crate::service::retention::Purger {
            pool: &self.pool,
            settings: &self.settings,
            audit_key: &self.audit_key,
            clock: self.clock.as_ref(),
        };
        if let Err(e) = crate::service::retention::run(&purger) {
            log::error!("purge failed: {e}");
        }
    }

    pub fn send_digest(&self) {
        match crate::service::digest::send_if_due(
            &self.pool,
            &self.sealer,
            &self.templates,
            &self.settings,
            self.clock.as_ref(),
        ) {
            Ok(0) => {}
            Ok(_) => self.deliver_mail(),
            Err(e) => log::error!("daily digest failed: {e}"),
        }
    }

    /// Runs until every [`crate::mail::MailWaker`] is dropped (the app stopped).
    pub fn spawn(self, wake: Receiver<()>) -> std::io::Result<JoinHandle<()>> {
        std::thread::Builder::new()
            .name("rightsdesk-jobs".into())
            .spawn(move || {
                let poll = Duration::from_secs(self.settings.mail.poll_interval_secs.max(1));
                let mut last_expiry: Option<Instant> = None;
                let mut last_purge: Option<Instant> = None;
                loop {
                    // A bug in one round must not stop mail for good: log it and go on.
                    let round = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        self.deliver_mail();
                        if last_expiry.is_none_or(|t| t.elapsed() >= EXPIRY_EVERY) {
                            self.expire_requests();
                            self.chase_tasks();
                            self.send_digest();
                            last_expiry = Some(Instant::now());
                        }
                        if last_purge.is_none_or(|t| t.elapsed() >= PURGE_EVERY) {
                            self.purge();
                            last_purge = Some(Instant::now());
                        }
                    }));
                    if round.is_err() {
                        log::error!("background jobs: a round panicked; retrying at the next tick");
                    }
                    match wake.recv_timeout(poll) {
                        Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                log::debug!("background jobs stopped");
            })
    }
}
