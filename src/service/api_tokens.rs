//! API tokens: made by admins (in the app or with `rightsdesk token
//! create`), shown once, kept as SHA-256 hashes, revoked for good. Making
//! and revoking one is an event of the admin trail.

use chrono::NaiveDateTime;
use serde_json::json;

use super::ServiceError;
use crate::crypto::AuditKey;
use crate::db::api_tokens::{self, ApiToken, NewToken, TokenId};
use crate::db::{self, events, DbConn};
use crate::domain::api_token::{token_name, Scopes};
use crate::domain::audit::{Actor, AdminEvent};
use crate::secret;

/// What every API token starts with, so that secret scanners (and people)
/// can tell one when they see it.
pub const PREFIX: &str = "rdk_";

/// The default calls a minute of a new token.
pub const DEFAULT_RATE_PER_MINUTE: u32 = 600;
/// The most calls a minute a token may be given.
pub const MAX_RATE_PER_MINUTE: u32 = 60_000;

/// A token just made: its record, and the token itself, to show once.
pub struct Made {
    pub token: ApiToken,
    pub secret: String,
}

/// Why a token was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("{0}")]
    Name(String),
    #[error("{0}")]
    Scopes(String),
    #[error("calls a minute must be between 1 and {MAX_RATE_PER_MINUTE}")]
    Rate,
}

/// Makes a token named `name` for `scopes` (keys, separated by spaces or
/// commas), allowed `rate_per_minute` calls a minute.
pub fn create(
    conn: &mut DbConn,
    audit_key: &AuditKey,
    by: Actor,
    name: &str,
    scopes: &str,
    rate_per_minute: u32,
    now: NaiveDateTime,
) -> Result<Result<Made, TokenError>, ServiceError> {
    let name = match token_name(name) {
        Ok(name) => name,
        Err(e) => return Ok(Err(TokenError::Name(e))),
    };
    let scopes: Scopes = match scopes.parse() {
        Ok(scopes) => scopes,
        Err(e) => return Ok(Err(TokenError::Scopes(e))),
    };
    if !(1..=MAX_RATE_PER_MINUTE).contains(&rate_per_minute) {
        return Ok(Err(TokenError::Rate));
    }
    let (random, _) = secret::new_token();
    let secret = format!("{PREFIX}{random}");
    let created_by = by.key();
    let id = db::write_transaction::<_, ServiceError, _>(conn, |conn| {
        let id = api_tokens::insert(
            conn,
            &NewToken {
                name: &name,
                token_hash: &secret::hash(&secret),
                scopes: &scopes,
                rate_per_minute,
                created_by: &created_by,
            },
            now,
        )?;
        events::append_admin(
            conn,
            audit_key,
            AdminEvent::ApiTokenCreated,
            by,
            json!({ "token": id.0, "name": name, "scopes": scopes.to_string() }),
            now,
        )?;
        Ok(id)
    })?;
    let token = api_tokens::find(conn, id)?
        .ok_or_else(|| db::DbError::Corrupt(format!("API token {} vanished", id.0)))?;
    Ok(Ok(Made { token, secret }))
}

/// Revokes a token for good; false when no live token has that id.
pub fn revoke(
    conn: &mut DbConn,
    audit_key: &AuditKey,
    by: Actor,
    id: TokenId,
    now: NaiveDateTime,
) -> Result<bool, ServiceError> {
    db::write_transaction::<_, ServiceError, _>(conn, |conn| {
        if !api_tokens::revoke(conn, id, now)? {
            return Ok(false);
        }
        events::append_admin(
            conn,
            audit_key,
            AdminEvent::ApiTokenRevoked,
            by,
            json!({ "token": id.0 }),
            now,
        )?;
        Ok(true)
    })
}

pub fn list(conn: &mut DbConn) -> Result<Vec<ApiToken>, ServiceError> {
    Ok(api_tokens::list(conn)?)
}

/// The live token `presented` is, if any; records its use (at most once a
/// minute).
pub fn authenticate(
    conn: &mut DbConn,
    presented: &str,
    now: NaiveDateTime,
) -> Result<Option<ApiToken>, ServiceError> {
    let Some(random) = presented.strip_prefix(PREFIX) else {
        return Ok(None);
    };
    if !secret::looks_like_token(random) {
        return Ok(None);
    }
    let Some(token) = api_tokens::find_live_by_hash(conn, &secret::hash(presented))? else {
        return Ok(None);
    };
    let stale = token
        .last_used_at
        .is_none_or(|at| at < now - api_tokens::USE_RECORDED_EVERY);
    if stale {
        db::write_transaction::<_, ServiceError, _>(conn, |conn| {
            Ok(api_tokens::record_use(conn, token.id, now)?)
        })?;
    }
    Ok(Some(token))
}

/// The live token `presented` is, if it is one (its last use recorded).
pub fn authenticate_now(
    ctx: &crate::app::AppContext,
    presented: &str,
) -> Result<Option<ApiToken>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    authenticate(&mut conn, presented, crate::db::timestamp(ctx.clock.now()))
}
