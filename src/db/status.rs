//! The replies a requester writes through their status page
//! (`case_replies`). The page's links are in `db::links`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::cases::CaseId;
use super::schema::case_replies;
use super::{DbConn, DbError};

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
