//! The requester's status page: its links (`status_links`, stored as
//! hashes; each works until it expires, so asking for a new one never
//! breaks one already sent) and the replies written through it
//! (`case_replies`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::cases::CaseId;
use super::schema::{case_replies, status_links};
use super::{DbConn, DbError};

/// Stores a new link for a case. Earlier links keep working until they
/// expire: anyone who knows an address can ask for a link to be sent to it,
/// and that must not cut the requester off from a link they hold.
pub fn add_link(
    conn: &mut DbConn,
    case: CaseId,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(status_links::table)
        .values((
            status_links::case_id.eq(case.0),
            status_links::token_hash.eq(token_hash),
            status_links::created_at.eq(now),
            status_links::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// What a status link leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkLookup {
    Valid(CaseId),
    /// Expired (or revoked).
    Stale,
    Unknown,
}

pub fn lookup(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<LinkLookup, DbError> {
    let row: Option<(i64, NaiveDateTime, Option<NaiveDateTime>)> = status_links::table
        .filter(status_links::token_hash.eq(token_hash))
        .select((
            status_links::case_id,
            status_links::expires_at,
            status_links::revoked_at,
        ))
        .first(conn)
        .optional()?;
    Ok(match row {
        None => LinkLookup::Unknown,
        Some((case, expires, None)) if expires > now => LinkLookup::Valid(CaseId(case)),
        Some(_) => LinkLookup::Stale,
    })
}

/// Links made since `since` for any of these cases.
pub fn links_since(
    conn: &mut DbConn,
    cases: &[CaseId],
    since: NaiveDateTime,
) -> Result<i64, DbError> {
    let ids: Vec<i64> = cases.iter().map(|c| c.0).collect();
    Ok(status_links::table
        .filter(status_links::case_id.eq_any(ids))
        .filter(status_links::created_at.ge(since))
        .count()
        .get_result(conn)?)
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub id: i64,
    pub body: String,
    pub created_at: NaiveDateTime,
}

pub fn add_reply(
    conn: &mut DbConn,
    case: CaseId,
    body: &str,
    now: NaiveDateTime,
) -> Result<i64, DbError> {
    diesel::insert_into(case_replies::table)
        .values((
            case_replies::case_id.eq(case.0),
            case_replies::body.eq(body),
            case_replies::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(case_replies::table
        .filter(case_replies::case_id.eq(case.0))
        .order(case_replies::id.desc())
        .select(case_replies::id)
        .first(conn)?)
}

pub fn replies(conn: &mut DbConn, case: CaseId) -> Result<Vec<Reply>, DbError> {
    let rows: Vec<(i64, String, NaiveDateTime)> = case_replies::table
        .filter(case_replies::case_id.eq(case.0))
        .order(case_replies::id)
        .select((
            case_replies::id,
            case_replies::body,
            case_replies::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, body, created_at)| Reply {
            id,
            body,
            created_at,
        })
        .collect())
}

/// Replies written on a case since `since`.
pub fn replies_since(
    conn: &mut DbConn,
    case: CaseId,
    since: NaiveDateTime,
) -> Result<i64, DbError> {
    Ok(case_replies::table
        .filter(case_replies::case_id.eq(case.0))
        .filter(case_replies::created_at.ge(since))
        .count()
        .get_result(conn)?)
}
