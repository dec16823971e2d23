//! Background work, on threads of its own so nothing blocks the web
//! executor, and mail on a thread apart from the rest so that a slow or
//! silent mail server never holds up the other jobs:
//!
//! - mail delivery: woken at once when mail is queued (otherwise every
//!   `mail.poll_interval_secs`), it sends until nothing is due;
//! - webhook deliveries: every second, on a thread of their own;
//! - the scheduled jobs: each minute the expiry of requests never confirmed
//!   and the chasing of overdue tasks, each day the staff's digest, each
//!   hour the retention purge. Each period is claimed in the database
//!   (`job_runs`), so however many workers run, one runs it.
//!
//! `rightsdesk serve` runs these beside the web server; `serve --no-jobs`
//! leaves them to `rightsdesk worker` processes.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{self, job_runs, Pool};
use crate::mail::{deliver_due, MailWaker, Transport, Wakeups};
use crate::service::intake::expire_unconfirmed;
use crate::templates::Templates;

/// How often the scheduler looks whether a period has begun.
const TICK: Duration = Duration::from_secs(10);
/// How often due webhook deliveries are looked for.
const WEBHOOK_POLL: Duration = Duration::from_secs(1);
const MINUTE: i64 = 60;
const HOUR: i64 = 60 * 60;

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

/// Runs one round of a job loop; a bug in one round must not stop the
/// loop for good: it is logged and the loop goes on.
fn guarded(what: &str, round: impl FnOnce()) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(round)).is_err() {
        log::error!("background jobs: a {what} round panicked; retrying at the next one");
    }
}

impl Jobs {
    /// Delivers due mail until none is due.
    pub fn deliver_mail(&self) {
        match deliver_due(
            &self.pool,
            &self.sealer,
            &self.transport,
            &self.settings.mail,
            self.clock.as_ref(),
        ) {
            Ok(report) if report != Default::default() => log::debug!("mail delivery: {report:?}"),
            Ok(_) => {}
            Err(e) => log::error!("mail delivery failed: {e}"),
        }
    }

    /// Whether this worker is the one to run period `slot` of `job`.
    fn claim(&self, job: &str, period_secs: i64) -> bool {
        let slot = self.clock.now().timestamp().div_euclid(period_secs);
        let claimed = self
            .pool
            .get()
            .map_err(db::DbError::from)
            .and_then(|mut conn| {
                db::write_transaction(&mut conn, |conn| job_runs::claim_slot(conn, job, slot))
            });
        claimed.unwrap_or_else(|e| {
            log::error!("cannot claim the {job} job: {e}");
            false
        })
    }

    pub fn expire_requests(&self) {
        if let Err(e) = expire_unconfirmed(
            &self.pool,
            &self.audit_key,
            self.clock.now(),
            self.settings.requests.unconfirmed_expiry_days,
            self.settings.organisation.timezone,
        ) {
            log::error!("expiring unconfirmed requests failed: {e}");
        }
    }

    /// Chases overdue tasks; true when mail was queued.
    pub fn chase_tasks(&self) -> bool {
        let chaser = crate::service::fulfilment::Chaser {
            pool: &self.pool,
            templates: &self.templates,
            settings: &self.settings,
            sealer: &self.sealer,
            audit_key: &self.audit_key,
            clock: self.clock.as_ref(),
        };
        match crate::service::fulfilment::chase_overdue(&chaser) {
            Ok(n) => n > 0,
            Err(e) => {
                log::error!("chasing overdue tasks failed: {e}");
                false
            }
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

    /// Sends the daily digest if it is due; true when mail was queued.
    pub fn send_digest(&self) -> bool {
        match crate::service::digest::send_if_due(
            &self.pool,
            &self.sealer,
            &self.templates,
            &self.settings,
            self.clock.as_ref(),
        ) {
            Ok(n) => n > 0,
            Err(e) => {
                log::error!("daily digest failed: {e}");
                false
            }
        }
    }

    /// The scheduled jobs whose period has begun and that no other worker
    /// has claimed.
    fn run_scheduled(&self, mail: &MailWaker) {
        let mut queued = false;
        if self.claim("expiry", MINUTE) {
            self.expire_requests();
            queued |= self.chase_tasks();
        }
        queued |= self.send_digest();
        if self.claim("purge", HOUR) {
            self.purge();
        }
        if queued {
            mail.wake();
        }
    }

    /// Starts the mail thread and the scheduler thread. Both run until
    /// every [`MailWaker`] made with `wakeups` is dropped (the app stopped).
    pub fn spawn(
        self,
        waker: &MailWaker,
        wakeups: Wakeups,
    ) -> std::io::Result<Vec<JoinHandle<()>>> {
        let jobs = Arc::new(self);
        let Wakeups {
            mail,
            alive,
            hooks_alive,
        } = wakeups;
        let hooks = {
            let jobs = jobs.clone();
            std::thread::Builder::new()
                .name("rightsdesk-webhooks".into())
                .spawn(move || jobs.webhook_loop(hooks_alive))?
        };
        let mailer = {
            let jobs = jobs.clone();
            std::thread::Builder::new()
                .name("rightsdesk-mail".into())
                .spawn(move || jobs.mail_loop(mail))?
        };
        let waker = waker.detached();
        let scheduler = std::thread::Builder::new()
            .name("rightsdesk-jobs".into())
            .spawn(move || jobs.schedule_loop(&waker, alive))?;
        Ok(vec![mailer, scheduler, hooks])
    }

    /// Sends due webhook deliveries and DRP status callbacks every second,
    /// on a thread of its own: a slow receiver holds up neither mail nor the
    /// scheduled jobs.
    fn webhook_loop(&self, alive: Receiver<()>) {
        let sender = crate::service::webhooks::Sender::default();
        loop {
            guarded("webhook", || {
                if let Err(e) = sender.deliver_due(&self.pool, &self.sealer, self.clock.as_ref()) {
                    log::error!("webhook delivery failed: {e}");
                }
                let clock = self.clock.as_ref();
                if let Err(e) =
                    crate::service::drp::send_callbacks(sender.http(), &self.pool, clock)
                {
                    log::error!("DRP status callbacks failed: {e}");
                }
            });
            match alive.recv_timeout(WEBHOOK_POLL) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        log::debug!("webhook delivery stopped");
    }

    fn mail_loop(&self, wake: Receiver<()>) {
        let poll = Duration::from_secs(self.settings.mail.poll_interval_secs.max(1));
        loop {
            guarded("mail", || self.deliver_mail());
            match wake.recv_timeout(poll) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        log::debug!("mail delivery stopped");
    }

    fn schedule_loop(&self, mail: &MailWaker, alive: Receiver<()>) {
        loop {
            guarded("scheduled jobs", || self.run_scheduled(mail));
            match alive.recv_timeout(TICK) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        log::debug!("scheduled jobs stopped");
    }
}
