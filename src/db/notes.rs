//! Internal notes on a case (`case_notes`): seen by staff only, never sent.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::cases::CaseId;
use super::schema::{case_notes, users};
use super::users::UserId;
use super::{DbConn, DbError};

#[derive(Debug, Clone)]
pub struct Note {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// Adds a note; returns its id (the audit event names it).
pub fn add(
    conn: &mut DbConn,
    case: CaseId,
    author: UserId,
    body: &str,
    now: NaiveDateTime,
) -> Result<i64, DbError> {
    diesel::insert_into(case_notes::table)
        .values((
            case_notes::case_id.eq(case.0),
            case_notes::author_id.eq(author.0),
            case_notes::body.eq(body),
            case_notes::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(case_notes::table
        .filter(case_notes::case_id.eq(case.0))
        .order(case_notes::id.desc())
        .select(case_notes::id)
        .first(conn)?)
}

pub fn for_case(conn: &mut DbConn, case: CaseId) -> Result<Vec<Note>, DbError> {
    let rows: Vec<(i64, String, String, NaiveDateTime)> = case_notes::table
        .inner_join(users::table)
        .filter(case_notes::case_id.eq(case.0))
        .order(case_notes::id)
        .select((
            case_notes::id,
            users::name,
            case_notes::body,
            case_notes::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, author, body, created_at)| Note {
            id,
            author,
            body,
            created_at,
        })
        .collect())
}
