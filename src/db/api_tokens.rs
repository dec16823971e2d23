//! API tokens (`api_tokens`): their names, scopes and use. Only a token's
//! SHA-256 is stored.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::api_tokens;
use super::{DbConn, DbError};
use crate::domain::api_token::Scopes;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenId(pub i64);

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: TokenId,
    pub name: String,
    pub scopes: Scopes,
    pub rate_per_minute: u32,
    /// Who made it (an actor key).
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
struct Row {
    id: i64,
    name: String,
    scopes: String,
    rate_per_minute: i32,
    created_by: String,
    created_at: NaiveDateTime,
    last_used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

impl TryFrom<Row> for ApiToken {
    type Error = DbError;

    fn try_from(r: Row) -> Result<Self, DbError> {
        Ok(ApiToken {
            id: TokenId(r.id),
            scopes: r
                .scopes
                .parse()
                .map_err(|e| DbError::Corrupt(format!("API token {}: {e}", r.id)))?,
            rate_per_minute: u32::try_from(r.rate_per_minute)
                .map_err(|_| DbError::Corrupt(format!("API token {}: rate", r.id)))?,
            name: r.name,
            created_by: r.created_by,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        })
    }
}

pub struct NewToken<'a> {
    pub name: &'a str,
    pub token_hash: &'a str,
    pub scopes: &'a Scopes,
    pub rate_per_minute: u32,
    pub created_by: &'a str,
}

pub fn insert(conn: &mut DbConn, new: &NewToken, now: NaiveDateTime) -> Result<TokenId, DbError> {
    let rate = i32::try_from(new.rate_per_minute).unwrap_or(i32::MAX);
    let id = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::name.eq(new.name),
            api_tokens::token_hash.eq(new.token_hash),
            api_tokens::scopes.eq(new.scopes.to_string()),
            api_tokens::rate_per_minute.eq(rate),
            api_tokens::created_by.eq(new.created_by),
            api_tokens::created_at.eq(now),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    Ok(TokenId(id))
}

/// Every token, newest first (revoked ones too: they explain the trail).
pub fn list(conn: &mut DbConn) -> Result<Vec<ApiToken>, DbError> {
    api_tokens::table
        .order(api_tokens::id.desc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(ApiToken::try_from)
        .collect()
}

pub fn find(conn: &mut DbConn, id: TokenId) -> Result<Option<ApiToken>, DbError> {
    api_tokens::table
        .find(id.0)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(ApiToken::try_from)
        .transpose()
}

/// The unrevoked token with this hash.
pub fn find_live_by_hash(conn: &mut DbConn, hash: &str) -> Result<Option<ApiToken>, DbError> {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(hash))
        .filter(api_tokens::revoked_at.is_null())
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(ApiToken::try_from)
        .transpose()
}

/// Revokes a live token; false when there is none by that id.
pub fn revoke(conn: &mut DbConn, id: TokenId, now: NaiveDateTime) -> Result<bool, DbError> {
    let changed = diesel::update(
        api_tokens::table
            .find(id.0)
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(changed == 1)
}

/// How stale `last_used_at` may get: a busy integration then costs one
/// write a minute, not one per call.
pub const USE_RECORDED_EVERY: Duration = Duration::minutes(1);

/// Records that the token was used at `now`, when its record is older than
/// [`USE_RECORDED_EVERY`].
pub fn record_use(conn: &mut DbConn, id: TokenId, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(
        api_tokens::table.find(id.0).filter(
            api_tokens::last_used_at
                .is_null()
                .or(api_tokens::last_used_at.lt(now - USE_RECORDED_EVERY)),
        ),
    )
    .set(api_tokens::last_used_at.eq(now))
    .execute(conn)?;
    Ok(())
}
