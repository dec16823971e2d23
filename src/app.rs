//! What every request handler and background job shares.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{Backend, Pool};
use crate::domain::Jurisdiction;
use crate::mail::MailWaker;
use crate::templates::Templates;

pub struct AppContext {
    pub settings: Settings,
    pub pool: Pool,
    pub backend: Backend,
    pub templates: Arc<Templates>,
    /// The holiday calendars, with the days admins changed over them.
    pub calendars: crate::service::calendars::CalendarBook,
    /// Which law applies to whom (`organisation.regimes`).
    pub jurisdiction: Jurisdiction,
    pub clock: Arc<dyn Clock>,
    pub mail: MailWaker,
    /// Stops the request form while too much mail waits to be sent.
    pub mail_backlog: Arc<crate::mail::BacklogGate>,
    /// Bounds the password hashes running at once.
    pub hashing: Arc<crate::service::accounts::HashGate>,
    /// Encrypts and decrypts uploaded documents.
    pub sealer: crate::crypto::Sealer,
    /// Seals the audit trails.
    pub audit_key: crate::crypto::AuditKey,
    /// Hashes addresses on the suppression list.
    pub suppression_key: crate::crypto::MacKey,
}
