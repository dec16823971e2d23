//! Use cases: each function is one thing a person or a job does, run as one
//! database transaction that records the change, its audit events and the
//! emails it causes together.

pub mod accounts;
pub mod agents;
pub mod api_tokens;
pub mod casework;
pub mod digest;
pub mod documents;
pub mod drp;
pub mod fulfilment;
pub mod intake;
pub mod packages;
pub mod queue;
pub mod receipt;
pub mod reports;
pub mod retention;
pub mod status;
pub mod suppression;
pub mod webhooks;

use crate::db::DbError;
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
