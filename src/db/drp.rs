//! Data Rights Protocol records: the agents admins registered
//! (`drp_agents`), the requests they filed and the cases those became
//! (`drp_requests`), and the queue of status callbacks (`drp_callbacks`),
//! claimed with leases as webhook deliveries are.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::cases::CaseId;
use super::schema::{drp_agents, drp_callbacks, drp_requests};
use super::webhooks::{Attempt, DELIVERED, FAILED, PENDING};
use super::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = drp_agents)]
pub struct Agent {
    pub id: i64,
    pub agent_id: String,
    pub name: String,
    pub verify_key: String,
    pub token_hash: Option<String>,
    pub paired_at: Option<NaiveDateTime>,
    pub active: bool,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = drp_requests)]
pub struct Request {
    pub id: i64,
    pub request_id: String,
    pub agent_id: i64,
    pub case_id: i64,
    pub agent_request_id: Option<String>,
    pub exercise: String,
    pub regime: Option<String>,
    pub status_callback: Option<String>,
    pub message_hash: String,
    pub last_told: Option<String>,
    pub received_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = drp_callbacks)]
pub struct Callback {
    pub id: i64,
    pub drp_request_id: i64,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub last_status: Option<i32>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

pub fn insert_agent(
    conn: &mut DbConn,
    agent_id: &str,
    name: &str,
    verify_key: &str,
    created_by: &str,
    now: NaiveDateTime,
) -> Result<i64, DbError> {
    Ok(diesel::insert_into(drp_agents::table)
        .values((
            drp_agents::agent_id.eq(agent_id),
            drp_agents::name.eq(name),
            drp_agents::verify_key.eq(verify_key),
            drp_agents::created_by.eq(created_by),
            drp_agents::created_at.eq(now),
        ))
        .returning(drp_agents::id)
        .get_result(conn)?)
}

pub fn agents(conn: &mut DbConn) -> Result<Vec<Agent>, DbError> {
    Ok(drp_agents::table
        .order(drp_agents::id)
        .select(Agent::as_select())
        .load(conn)?)
}

pub fn agent_named(conn: &mut DbConn, agent_id: &str) -> Result<Option<Agent>, DbError> {
    Ok(drp_agents::table
        .filter(drp_agents::agent_id.eq(agent_id))
        .select(Agent::as_select())
        .first(conn)
        .optional()?)
}

/// The active agent a bearer token (by its hash) was given to.
pub fn agent_with_token(conn: &mut DbConn, token_hash: &str) -> Result<Option<Agent>, DbError> {
    Ok(drp_agents::table
        .filter(drp_agents::token_hash.eq(token_hash))
        .filter(drp_agents::active.eq(true))
        .select(Agent::as_select())
        .first(conn)
        .optional()?)
}

/// Gives an agent a new bearer token (by its hash); the old one stops working.
pub fn set_token(
    conn: &mut DbConn,
    id: i64,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(drp_agents::table.find(id))
        .set((
            drp_agents::token_hash.eq(Some(token_hash)),
            drp_agents::paired_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Turns an agent on or off (off also ends its token); false when there
/// is none by that id.
pub fn set_active(conn: &mut DbConn, id: i64, active: bool) -> Result<bool, DbError> {
    let row = drp_agents::table.find(id);
    let changed = if active {
        diesel::update(row)
            .set(drp_agents::active.eq(true))
            .execute(conn)?
    } else {
        diesel::update(row)
            .set((
                drp_agents::active.eq(false),
                drp_agents::token_hash.eq(None::<String>),
            ))
            .execute(conn)?
    };
    Ok(changed == 1)
}

/// How many requests each agent filed, by the agent's row id.
pub fn request_counts(conn: &mut DbConn) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(drp_requests::table
        .group_by(drp_requests::agent_id)
        .select((drp_requests::agent_id, diesel::dsl::count_star()))
        .load(conn)?)
}

pub struct NewRequest<'a> {
    pub request_id: &'a str,
    pub agent: i64,
    pub case: CaseId,
    pub agent_request_id: Option<&'a str>,
    pub exercise: &'a str,
    pub regime: Option<&'a str>,
    pub status_callback: Option<&'a str>,
    pub message_hash: &'a str,
    pub received_at: NaiveDateTime,
}

pub fn insert_request(conn: &mut DbConn, new: &NewRequest<'_>) -> Result<i64, DbError> {
    Ok(diesel::insert_into(drp_requests::table)
        .values((
            drp_requests::request_id.eq(new.request_id),
            drp_requests::agent_id.eq(new.agent),
            drp_requests::case_id.eq(new.case.0),
            drp_requests::agent_request_id.eq(new.agent_request_id),
            drp_requests::exercise.eq(new.exercise),
            drp_requests::regime.eq(new.regime),
            drp_requests::status_callback.eq(new.status_callback),
            drp_requests::message_hash.eq(new.message_hash),
            drp_requests::received_at.eq(new.received_at),
        ))
        .returning(drp_requests::id)
        .get_result(conn)?)
}

pub fn request(conn: &mut DbConn, request_id: &str) -> Result<Option<Request>, DbError> {
    Ok(drp_requests::table
        .filter(drp_requests::request_id.eq(request_id))
        .select(Request::as_select())
        .first(conn)
        .optional()?)
}

/// The request an agent already filed as this message, or under this
/// `agent-request-id`: sending it again is not a second request.
pub fn already_filed(
    conn: &mut DbConn,
    agent: i64,
    message_hash: &str,
    agent_request_id: Option<&str>,
) -> Result<Option<Request>, DbError> {
    let same_message = drp_requests::message_hash.eq(message_hash);
    let query = drp_requests::table
        .select(Request::as_select())
        .filter(drp_requests::agent_id.eq(agent));
    Ok(match agent_request_id {
        Some(id) => query
            .filter(same_message.or(drp_requests::agent_request_id.eq(id)))
            .first(conn)
            .optional()?,
        None => query.filter(same_message).first(conn).optional()?,
    })
}

pub fn request_for_case(conn: &mut DbConn, case: CaseId) -> Result<Option<Request>, DbError> {
    Ok(drp_requests::table
        .filter(drp_requests::case_id.eq(case.0))
        .select(Request::as_select())
        .first(conn)
        .optional()?)
}

/// Queues a status callback when `case` came through the DRP with a
/// callback address (called by `events::append` for every case event; the
/// status is worked out when it is sent, and only a change is told). A
/// callback still waiting for its first attempt already carries this
/// change.
pub fn raise(conn: &mut DbConn, case: CaseId, now: NaiveDateTime) -> Result<(), DbError> {
    let found: Option<(i64, Option<String>)> = drp_requests::table
        .filter(drp_requests::case_id.eq(case.0))
        .select((drp_requests::id, drp_requests::status_callback))
        .first(conn)
        .optional()?;
    let Some((request, Some(_))) = found else {
        return Ok(());
    };
    let waiting: i64 = drp_callbacks::table
        .filter(drp_callbacks::drp_request_id.eq(request))
        .filter(drp_callbacks::status.eq(PENDING))
        .filter(drp_callbacks::attempts.eq(0))
        .filter(drp_callbacks::lease_until.is_null())
        .count()
        .get_result(conn)?;
    if waiting > 0 {
        return Ok(());
    }
    diesel::insert_into(drp_callbacks::table)
        .values((
            drp_callbacks::drp_request_id.eq(request),
            drp_callbacks::status.eq(PENDING),
            drp_callbacks::next_attempt_at.eq(now),
            drp_callbacks::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Takes a lease until `lease_until` on up to `limit` due callbacks, oldest
/// first, with their requests (PostgreSQL: skipping rows others claim).
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(Callback, Request)>, DbError> {
    super::write_transaction::<_, DbError, _>(conn, |conn: &mut DbConn| {
        let due = drp_callbacks::status.eq(PENDING).and(
            drp_callbacks::next_attempt_at.le(now).and(
                drp_callbacks::lease_until
                    .is_null()
                    .or(drp_callbacks::lease_until.lt(now)),
            ),
        );
        let query = drp_callbacks::table
            .filter(due)
            .order(drp_callbacks::id)
            .limit(limit)
            .select(drp_callbacks::id);
        let ids: Vec<i64> = match conn {
            DbConn::Postgresql(pg) => query.for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(sqlite) => query.load(sqlite)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(drp_callbacks::table.filter(drp_callbacks::id.eq_any(&ids)))
            .set(drp_callbacks::lease_until.eq(Some(lease_until)))
            .execute(conn)?;
        Ok(drp_callbacks::table
            .inner_join(drp_requests::table)
            .filter(drp_callbacks::id.eq_any(&ids))
            .order(drp_callbacks::id)
            .select((Callback::as_select(), Request::as_select()))
            .load(conn)?)
    })
}

/// Records an attempt; a delivered one also records what it told.
pub fn record(
    conn: &mut DbConn,
    callback: &Callback,
    attempt: &Attempt,
    told: Option<&str>,
) -> Result<(), DbError> {
    super::write_transaction::<_, DbError, _>(conn, |conn: &mut DbConn| {
        let row = drp_callbacks::table.find(callback.id);
        match attempt {
            Attempt::Delivered { at, status } => {
                diesel::update(row)
                    .set((
                        drp_callbacks::status.eq(DELIVERED),
                        drp_callbacks::attempts.eq(drp_callbacks::attempts + 1),
                        drp_callbacks::delivered_at.eq(Some(*at)),
                        drp_callbacks::last_status.eq(Some(*status)),
                        drp_callbacks::last_error.eq(None::<String>),
                        drp_callbacks::lease_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute(conn)?;
                if let Some(told) = told {
                    diesel::update(drp_requests::table.find(callback.drp_request_id))
                        .set(drp_requests::last_told.eq(Some(told)))
                        .execute(conn)?;
                }
            }
            Attempt::Failed {
                at,
                status,
                error,
                retry_at,
            } => {
                diesel::update(row)
                    .set((
                        drp_callbacks::status.eq(if retry_at.is_some() { PENDING } else { FAILED }),
                        drp_callbacks::attempts.eq(drp_callbacks::attempts + 1),
                        drp_callbacks::next_attempt_at.eq(retry_at.unwrap_or(*at)),
                        drp_callbacks::last_status.eq(*status),
                        drp_callbacks::last_error.eq(Some(error)),
                        drp_callbacks::lease_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}

/// Records the status the agent was last told (in the answer to its call).
pub fn set_last_told(conn: &mut DbConn, request: i64, told: &str) -> Result<(), DbError> {
    diesel::update(drp_requests::table.find(request))
        .set(drp_requests::last_told.eq(Some(told)))
        .execute(conn)?;
    Ok(())
}

/// A request's callbacks, newest first.
pub fn callbacks(conn: &mut DbConn, request: i64) -> Result<Vec<Callback>, DbError> {
    Ok(drp_callbacks::table
        .filter(drp_callbacks::drp_request_id.eq(request))
        .order(drp_callbacks::id.desc())
        .select(Callback::as_select())
        .load(conn)?)
}
