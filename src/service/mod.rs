//! Use cases: each function is one thing a person or a job does, run as one
//! database transaction that records the change, its audit events and the
//! emails it causes together.

pub mod accounts;
pub mod agents;
pub mod api_tokens;
pub mod calendars;
pub mod casework;
pub mod dashboard;
pub mod digest;
pub mod documents;
pub mod drp;
pub mod fulfilment;
pub mod inbound;
pub mod intake;
pub mod org_texts;
pub mod packages;
pub mod policies;
pub mod queue;
pub mod receipt;
pub mod reports;
pub mod retention;
pub mod status;
pub mod suppression;
pub mod webhooks;

use crate::app::AppContext;
use crate::db::DbError;
use crate::domain::audit::{Actor, AdminEvent};
use crate::domain::DeadlineError;
use crate::templates::TemplateError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("deadline: {0}")]
    Deadline(#[from] DeadlineError),
    #[error("could not draw an unused case reference")]
    NoReference,
    #[error("password hashing failed: {0}")]
    Password(String),
    #[error("document: {0}")]
    Document(String),
}

impl From<diesel::r2d2::PoolError> for ServiceError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        ServiceError::Db(DbError::Pool(e))
    }
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> Self {
        ServiceError::Db(DbError::Query(e))
    }
}

/// Records in the admin trail a call to the JSON API that read records
/// other than one case (what it read in `detail`).
pub fn record_api_read(
    ctx: &AppContext,
    by: Actor,
    detail: serde_json::Value,
) -> Result<(), ServiceError> {
    let now = crate::db::timestamp(ctx.clock.now());
    let mut conn = ctx.pool.get()?;
    crate::db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        crate::db::events::append_admin(
            conn,
            &ctx.audit_key,
            AdminEvent::ApiRead,
            by,
            detail,
            now,
        )?;
        Ok(())
    })
}

/// Runs `f` on a pooled connection with the time now, for the service
/// functions that take their caller's connection (the pages call them
/// through this, the command line and the jobs with their own).
pub fn with_conn<T>(
    ctx: &AppContext,
    f: impl FnOnce(&mut crate::db::DbConn, chrono::NaiveDateTime) -> Result<T, ServiceError>,
) -> Result<T, ServiceError> {
    let mut conn = ctx.pool.get()?;
    f(&mut conn, crate::db::timestamp(ctx.clock.now()))
}

/// The database answers, takes a write, and (SQLite) how many bytes are
/// free on its disk.
pub fn database_health(ctx: &AppContext) -> Result<Option<u64>, DbError> {
    let mut conn = ctx.pool.get()?;
    crate::db::ping(&mut conn)?;
    crate::db::probe_write(&mut conn, crate::db::timestamp(ctx.clock.now()))?;
    Ok(crate::db::sqlite_free_bytes(&ctx.settings.database_url()))
}
