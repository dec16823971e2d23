//! The mail outbox: messages written in the same transaction as the change
//! that causes them, claimed by the delivery worker with a lease so that no
//! two workers (or nodes) send the same message, and every attempt recorded.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};

use super::cases::CaseId;
use super::schema::{outbox, outbox_attempts};
use super::{DbConn, DbError};

pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

/// A rendered message, ready to queue.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub case: Option<CaseId>,
    pub template: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct Message {
    pub id: i64,
    pub case_id: Option<i64>,
    pub template: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = outbox, treat_none_as_null = true)]
struct NewRow<'a> {
    case_id: Option<i64>,
    template: &'a str,
    recipient: &'a str,
    subject: &'a str,
    body_text: &'a str,
    body_html: &'a str,
    status: &'a str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    lease_until: Option<NaiveDateTime>,
    last_error: Option<&'a str>,
    created_at: NaiveDateTime,
    sent_at: Option<NaiveDateTime>,
}

pub fn enqueue(conn: &mut DbConn, msg: &NewMessage, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::insert_into(outbox::table)
        .values(NewRow {
            case_id: msg.case.map(|c| c.0),
            template: msg.template,
            recipient: &msg.recipient,
            subject: &msg.subject,
            body_text: &msg.body_text,
            body_html: &msg.body_html,
            status: PENDING,
            attempts: 0,
            next_attempt_at: now,
            lease_until: None,
            last_error: None,
            created_at: now,
            sent_at: None,
        })
        .execute(conn)?;
    Ok(())
}

/// Ids of pending messages whose time has come and that no worker holds.
/// Pending, due by `now`, and not leased by a worker.
fn available(
    now: NaiveDateTime,
) -> Box<
    dyn BoxableExpression<outbox::table, <DbConn as Connection>::Backend, SqlType = Nullable<Bool>>,
> {
    Box::new(
        outbox::status
            .eq(PENDING)
            .and(outbox::next_attempt_at.le(now))
            .and(
                outbox::lease_until
                    .is_null()
                    .or(outbox::lease_until.lt(now)),
            ),
    )
}

pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> Result<Vec<i64>, DbError> {
    Ok(outbox::table
        .filter(available(now))
        .order(outbox::id)
        .limit(limit)
        .select(outbox::id)
        .load(conn)?)
}

/// Takes a lease on a message; only one claimant can win. Returns the
/// message if this one did.
pub fn claim(
    conn: &mut DbConn,
    id: i64,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> Result<Option<Message>, DbError> {
    let n = diesel::update(outbox::table.find(id).filter(available(now)))
        .set(outbox::lease_until.eq(Some(lease_until)))
        .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    Ok(Some(
        outbox::table
            .find(id)
            .select(Message::as_select())
            .first(conn)?,
    ))
}

#[derive(Insertable)]
#[diesel(table_name = outbox_attempts, treat_none_as_null = true)]
struct NewAttempt<'a> {
    outbox_id: i64,
    attempted_at: NaiveDateTime,
    succeeded: bool,
    error: Option<&'a str>,
}

fn record_attempt(
    conn: &mut DbConn,
    id: i64,
    now: NaiveDateTime,
    error: Option<&str>,
) -> Result<(), DbError> {
    diesel::insert_into(outbox_attempts::table)
        .values(NewAttempt {
            outbox_id: id,
            attempted_at: now,
            succeeded: error.is_none(),
            error,
        })
        .execute(conn)?;
    Ok(())
}

pub fn mark_sent(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    super::write_transaction::<_, DbError, _>(conn, |conn: &mut DbConn| {
        record_attempt(conn, id, now, None)?;
        diesel::update(outbox::table.find(id))
            .set((
                outbox::status.eq(SENT),
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::sent_at.eq(Some(now)),
                outbox::lease_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(None::<String>),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Records a failed attempt: retried at `retry_at`, or marked failed for good
/// when `retry_at` is `None`.
pub fn mark_attempt_failed(
    conn: &mut DbConn,
    id: i64,
    now: NaiveDateTime,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> Result<(), DbError> {
    super::write_transaction::<_, DbError, _>(conn, |conn: &mut DbConn| {
        record_attempt(conn, id, now, Some(error))?;
        diesel::update(outbox::table.find(id))
            .set((
                outbox::status.eq(if retry_at.is_some() { PENDING } else { FAILED }),
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::next_attempt_at.eq(retry_at.unwrap_or(now)),
                outbox::lease_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(Some(error)),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Deletes a case's messages (they hold its requester's address and words).
pub fn delete_for_case(conn: &mut DbConn, case: CaseId) -> Result<(), DbError> {
    diesel::delete(outbox::table.filter(outbox::case_id.eq(case.0))).execute(conn)?;
    Ok(())
}

pub fn for_case(conn: &mut DbConn, case: CaseId) -> Result<Vec<Message>, DbError> {
    Ok(outbox::table
        .filter(outbox::case_id.eq(case.0))
        .order(outbox::id)
        .select(Message::as_select())
        .load(conn)?)
}

/// Every message, oldest first.
pub fn all(conn: &mut DbConn) -> Result<Vec<Message>, DbError> {
    Ok(outbox::table
        .order(outbox::id)
        .select(Message::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(outbox::table.count().get_result(conn)?)
}

/// How many attempts have been recorded for a message.
pub fn attempts(conn: &mut DbConn, id: i64) -> Result<i64, DbError> {
    Ok(outbox_attempts::table
        .filter(outbox_attempts::outbox_id.eq(id))
        .count()
        .get_result(conn)?)
}

/// Deletes every message to addresses ending in `suffix` (demo data).
pub fn delete_to_domain(conn: &mut DbConn, suffix: &str) -> Result<usize, DbError> {
    Ok(
        diesel::delete(outbox::table.filter(outbox::recipient.like(format!("%{suffix}"))))
            .execute(conn)?,
    )
}
