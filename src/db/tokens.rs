//! Single-use, expiring email-confirmation tokens, stored only as hashes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::cases::CaseId;
use super::schema::email_tokens;
use super::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_tokens)]
pub struct Token {
    pub id: i64,
    pub case_id: i64,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = email_tokens, treat_none_as_null = true)]
struct NewToken<'a> {
    case_id: i64,
    token_hash: &'a str,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut DbConn,
    case: CaseId,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(email_tokens::table)
        .values(NewToken {
            case_id: case.0,
            token_hash,
            created_at: now,
            expires_at,
            used_at: None,
        })
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, token_hash: &str) -> Result<Option<Token>, DbError> {
    Ok(email_tokens::table
        .filter(email_tokens::token_hash.eq(token_hash))
        .select(Token::as_select())
        .first(conn)
        .optional()?)
}

/// Spends a token if it is unused and unexpired, atomically: of two
/// concurrent attempts only one succeeds. Returns whether this one did.
pub fn spend(conn: &mut DbConn, token_hash: &str, now: NaiveDateTime) -> Result<bool, DbError> {
    let n = diesel::update(
        email_tokens::table
            .filter(email_tokens::token_hash.eq(token_hash))
            .filter(email_tokens::used_at.is_null())
            .filter(email_tokens::expires_at.gt(now)),
    )
    .set(email_tokens::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Marks every unused token of a case as spent (once the address is
/// confirmed, older links must not work either).
pub fn spend_all_for_case(
    conn: &mut DbConn,
    case: CaseId,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(
        email_tokens::table
            .filter(email_tokens::case_id.eq(case.0))
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}

pub fn count_for_case(conn: &mut DbConn, case: CaseId) -> Result<i64, DbError> {
    Ok(email_tokens::table
        .filter(email_tokens::case_id.eq(case.0))
        .count()
        .get_result(conn)?)
}

/// Links made for a case since `since`.
pub fn count_for_case_since(
    conn: &mut DbConn,
    case: CaseId,
    since: NaiveDateTime,
) -> Result<i64, DbError> {
    Ok(email_tokens::table
        .filter(email_tokens::case_id.eq(case.0))
        .filter(email_tokens::created_at.ge(since))
        .count()
        .get_result(conn)?)
}
