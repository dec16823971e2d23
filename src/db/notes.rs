//! Internal notes on a case (`case_notes`): seen by staff only, never sent.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::api_tokens::TokenId;
use super::cases::CaseId;
use super::schema::{api_tokens, case_notes, users};
use super::users::UserId;
use super::{DbConn, DbError};

#[derive(Debug, Clone)]
pub struct Note {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// Who wrote a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Staff(UserId),
    /// Another system, through the API.
    Token(TokenId),
}

/// Adds a note; returns its id (the audit event names it).
pub fn add(
    conn: &mut DbConn,
    case: CaseId,
    author: Author,
    body: &str,
    now: NaiveDateTime,
) -> Result<i64, DbError> {
    let (user, token) = match author {
        Author::Staff(id) => (Some(id.0), None),
        Author::Token(id) => (None, Some(id.0)),
    };
    diesel::insert_into(case_notes::table)
        .values((
            case_notes::case_id.eq(case.0),
            case_notes::author_id.eq(user),
            case_notes::author_token_id.eq(token),
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
    type Row = (i64, Option<String>, Option<String>, String, NaiveDateTime);
    let rows: Vec<Row> = case_notes::table
        .left_join(users::table)
        .left_join(api_tokens::table)
        .filter(case_notes::case_id.eq(case.0))
        .order(case_notes::id)
        .select((
            case_notes::id,
            users::name.nullable(),
            api_tokens::name.nullable(),
            case_notes::body,
            case_notes::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, user, token, body, created_at)| Note {
            id,
            author: match (user, token) {
                (Some(name), _) => name,
                (None, Some(token)) => format!("API token \"{token}\""),
                (None, None) => "unknown".to_owned(),
            },
            body,
            created_at,
        })
        .collect())
}
