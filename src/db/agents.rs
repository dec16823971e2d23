//! The person's answer to "does this agent act for you?" (`agent_confirmations`),
//! asked by email with a single-use link stored as a hash.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::cases::CaseId;
use super::schema::agent_confirmations;
use super::{DbConn, DbError};

/// Agent checks emailed since `since` to the person at `email`.
pub fn asked_of_address_since(
    conn: &mut DbConn,
    email: &str,
    since: NaiveDateTime,
) -> Result<i64, DbError> {
    use super::queue::lower;
    use super::schema::cases;
    let cases_of_address = cases::table
        .filter(lower(cases::requester_email).eq(email.to_lowercase()))
        .select(cases::id);
    Ok(agent_confirmations::table
        .filter(agent_confirmations::created_at.ge(since))
        .filter(agent_confirmations::case_id.eq_any(cases_of_address))
        .count()
        .get_result(conn)?)
}

pub fn insert(
    conn: &mut DbConn,
    case: CaseId,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(agent_confirmations::table)
        .values((
            agent_confirmations::case_id.eq(case.0),
            agent_confirmations::token_hash.eq(token_hash),
            agent_confirmations::created_at.eq(now),
            agent_confirmations::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable)]
pub struct Confirmation {
    pub id: i64,
    pub case_id: i64,
    pub expires_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub decision: Option<String>,
}

fn columns() -> (
    agent_confirmations::id,
    agent_confirmations::case_id,
    agent_confirmations::expires_at,
    agent_confirmations::decided_at,
    agent_confirmations::decision,
) {
    (
        agent_confirmations::id,
        agent_confirmations::case_id,
        agent_confirmations::expires_at,
        agent_confirmations::decided_at,
        agent_confirmations::decision,
    )
}

pub fn find(conn: &mut DbConn, token_hash: &str) -> Result<Option<Confirmation>, DbError> {
    Ok(agent_confirmations::table
        .filter(agent_confirmations::token_hash.eq(token_hash))
        .select(columns())
        .first(conn)
        .optional()?)
}

/// The latest request for confirmation of a case, if any.
pub fn latest(conn: &mut DbConn, case: CaseId) -> Result<Option<Confirmation>, DbError> {
    Ok(agent_confirmations::table
        .filter(agent_confirmations::case_id.eq(case.0))
        .order(agent_confirmations::id.desc())
        .select(columns())
        .first(conn)
        .optional()?)
}

/// Records the person's answer; false if it was already given (a race).
pub fn decide(
    conn: &mut DbConn,
    id: i64,
    decision: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        agent_confirmations::table
            .find(id)
            .filter(agent_confirmations::decided_at.is_null()),
    )
    .set((
        agent_confirmations::decided_at.eq(Some(now)),
        agent_confirmations::decision.eq(Some(decision)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
