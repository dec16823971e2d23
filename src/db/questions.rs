//! Known data points (`identity_questions`): what staff asked the requester
//! to confirm who they are, and the answers until staff decide.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::cases::CaseId;
use super::schema::identity_questions;
use super::{DbConn, DbError};

#[derive(Debug, Clone, Queryable)]
pub struct Question {
    pub id: i64,
    pub question: String,
    pub answer: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
}

pub fn ask(
    conn: &mut DbConn,
    case: CaseId,
    questions: &[String],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    for q in questions {
        diesel::insert_into(identity_questions::table)
            .values((
                identity_questions::case_id.eq(case.0),
                identity_questions::question.eq(q),
                identity_questions::asked_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn list(conn: &mut DbConn, case: CaseId) -> Result<Vec<Question>, DbError> {
    Ok(identity_questions::table
        .filter(identity_questions::case_id.eq(case.0))
        .order(identity_questions::id)
        .select((
            identity_questions::id,
            identity_questions::question,
            identity_questions::answer,
            identity_questions::answered_at,
        ))
        .load(conn)?)
}

/// Records an answer to one of the case's questions; false if it is not one.
pub fn answer(
    conn: &mut DbConn,
    case: CaseId,
    id: i64,
    answer: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        identity_questions::table
            .filter(identity_questions::case_id.eq(case.0))
            .filter(identity_questions::id.eq(id)),
    )
    .set((
        identity_questions::answer.eq(Some(answer)),
        identity_questions::answered_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Deletes the questions and answers once decided.
pub fn delete_for_case(conn: &mut DbConn, case: CaseId) -> Result<usize, DbError> {
    Ok(
        diesel::delete(identity_questions::table.filter(identity_questions::case_id.eq(case.0)))
            .execute(conn)?,
    )
}
