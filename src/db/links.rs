//! Single-use, expiring links sent by email (`links`), stored only as
//! hashes: what each is for and what it opens. A link is spent atomically,
//! so of two concurrent uses only one succeeds.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::links;
use super::{DbConn, DbError};

/// What a link is for; each purpose opens one kind of thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A system owner answers their task (opens a task).
    Task,
}

impl Purpose {
    fn key(self) -> &'static str {
        match self {
            Purpose::Task => "task",
        }
    }
}

/// What a link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opens {
    Task(i64),
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = links)]
struct Row {
    id: i64,
    purpose: String,
    case_id: Option<i64>,
    task_id: Option<i64>,
    expires_at: NaiveDateTime,
    spent_at: Option<NaiveDateTime>,
}

/// A stored link, found by its token's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: i64,
    pub opens: Opens,
    pub case_id: Option<i64>,
    pub expires_at: NaiveDateTime,
    pub spent_at: Option<NaiveDateTime>,
}

impl Link {
    /// Whether it can still be used at `now`.
    pub fn usable(&self, now: NaiveDateTime) -> bool {
        self.spent_at.is_none() && self.expires_at > now
    }
}

/// Stores a link for a task; the caller emails the token.
pub fn insert_for_task(
    conn: &mut DbConn,
    token_hash: &str,
    case_id: i64,
    task_id: i64,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(links::table)
        .values((
            links::purpose.eq(Purpose::Task.key()),
            links::token_hash.eq(token_hash),
            links::case_id.eq(Some(case_id)),
            links::task_id.eq(Some(task_id)),
            links::created_at.eq(now),
            links::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The link with this hash and purpose, if any.
pub fn find(
    conn: &mut DbConn,
    purpose: Purpose,
    token_hash: &str,
) -> Result<Option<Link>, DbError> {
    let row: Option<Row> = links::table
        .filter(links::token_hash.eq(token_hash))
        .filter(links::purpose.eq(purpose.key()))
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    row.map(|r| {
        let opens = match (r.purpose.as_str(), r.task_id) {
            ("task", Some(task)) => Opens::Task(task),
            _ => return Err(DbError::Corrupt(format!("link {} opens nothing", r.id))),
        };
        Ok(Link {
            id: r.id,
            opens,
            case_id: r.case_id,
            expires_at: r.expires_at,
            spent_at: r.spent_at,
        })
    })
    .transpose()
}

/// Spends a link if it is unspent and unexpired; whether this call did.
pub fn spend(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<bool, DbError> {
    let n = diesel::update(
        links::table
            .filter(links::id.eq(id))
            .filter(links::spent_at.is_null())
            .filter(links::expires_at.gt(now)),
    )
    .set(links::spent_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Spends every unspent link to a task (once it is answered, by anyone).
pub fn spend_for_task(conn: &mut DbConn, task_id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(
        links::table
            .filter(links::task_id.eq(Some(task_id)))
            .filter(links::spent_at.is_null()),
    )
    .set(links::spent_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}
