//! The append-only, hash-chained audit trail of each case. Every event
//! stores the hash of the case's previous event, so an edit or deletion
//! anywhere breaks the chain and is detectable.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::cases::CaseId;
use super::schema::case_events;
use super::{DbConn, DbError};

/// The `prev_hash` of a case's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it: the requester, a staff member, or the system itself.
pub const ACTOR_REQUESTER: &str = "requester";
pub const ACTOR_SYSTEM: &str = "system";

#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub effective_on: Option<NaiveDate>,
    pub actor: &'a str,
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_events)]
pub struct Event {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub occurred_at: NaiveDateTime,
    pub effective_on: Option<NaiveDate>,
    pub actor: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Insertable)]
#[diesel(table_name = case_events, treat_none_as_null = true)]
struct NewEventRow<'a> {
    case_id: i64,
    kind: &'a str,
    occurred_at: NaiveDateTime,
    effective_on: Option<NaiveDate>,
    actor: &'a str,
    detail: &'a str,
    prev_hash: &'a str,
    hash: &'a str,
}

fn chain_hash(
    prev_hash: &str,
    case_id: i64,
    kind: &str,
    occurred_at: NaiveDateTime,
    effective_on: Option<NaiveDate>,
    actor: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        prev_hash,
        &case_id.to_string(),
        kind,
        &occurred_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        &effective_on.map(|d| d.to_string()).unwrap_or_default(),
        actor,
        detail,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

/// Appends an event to a case's trail. Call inside the transaction that
/// makes the change the event records.
/// The advisory-lock classes of the two chains on PostgreSQL ("RDce" and
/// "RDad" in ASCII), each with the case (or 0) as the second key.
const CASE_CHAIN_LOCK: i32 = 0x5244_6365;
const ADMIN_CHAIN_LOCK: i32 = 0x5244_6164;

/// Serialises appends to one chain until the transaction ends, so two
/// appends never link to the same previous event (a fork). SQLite write
/// transactions are serialised already (BEGIN IMMEDIATE); PostgreSQL takes a
/// transaction-scoped advisory lock. Appends must run inside a transaction.
fn lock_chain(conn: &mut DbConn, class: i32, id: i64) -> Result<(), DbError> {
    if let DbConn::Postgresql(pg) = conn {
        use diesel::connection::SimpleConnection;
        // Ids beyond 32 bits share a lock with another chain: slower, never wrong.
        let key = id as i32;
        pg.batch_execute(&format!("SELECT pg_advisory_xact_lock({class}, {key})"))?;
    }
    Ok(())
}

/// Runs `append` in the caller's transaction, or in a write transaction of
/// its own when there is none: reading the chain's head and adding to it
/// must be one step.
fn in_transaction(
    conn: &mut DbConn,
    append: impl FnOnce(&mut DbConn) -> Result<(), DbError>,
) -> Result<(), DbError> {
    use diesel::connection::TransactionManager;
    let depth = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()?;
    match depth {
        Some(_) => append(conn),
        None => super::write_transaction(conn, append),
    }
}

pub fn append(
    conn: &mut DbConn,
    case: CaseId,
    event: NewEvent<'_>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    in_transaction(conn, |conn| append_in(conn, case, event, now))
}

fn append_in(
    conn: &mut DbConn,
    case: CaseId,
    event: NewEvent<'_>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    lock_chain(conn, CASE_CHAIN_LOCK, case.0)?;
    let prev: Option<String> = case_events::table
        .filter(case_events::case_id.eq(case.0))
        .order(case_events::id.desc())
        .select(case_events::hash)
        .first(conn)
        .optional()?;
    let prev = prev.as_deref().unwrap_or(GENESIS);
    let detail = event.detail.to_string();
    let hash = chain_hash(
        prev,
        case.0,
        event.kind,
        now,
        event.effective_on,
        event.actor,
        &detail,
    );
    diesel::insert_into(case_events::table)
        .values(NewEventRow {
            case_id: case.0,
            kind: event.kind,
            occurred_at: now,
            effective_on: event.effective_on,
            actor: event.actor,
            detail: &detail,
            prev_hash: prev,
            hash: &hash,
        })
        .execute(conn)?;
    Ok(())
}

pub fn list(conn: &mut DbConn, case: CaseId) -> Result<Vec<Event>, DbError> {
    Ok(case_events::table
        .filter(case_events::case_id.eq(case.0))
        .order(case_events::id)
        .select(Event::as_select())
        .load(conn)?)
}

/// Checks a case's chain; returns the id of the first event that does not
/// match, or `None` when the whole trail is intact.
pub fn first_broken_link(conn: &mut DbConn, case: CaseId) -> Result<Option<i64>, DbError> {
    Ok(first_broken_in(&list(conn, case)?))
}

/// The id of the first event of a case's trail (as loaded, in order) that
/// does not match the chain.
pub fn first_broken_in(trail: &[Event]) -> Option<i64> {
    let mut prev = GENESIS;
    for e in trail {
        let expected = chain_hash(
            prev,
            e.case_id,
            &e.kind,
            e.occurred_at,
            e.effective_on,
            &e.actor,
            &e.detail,
        );
        if e.prev_hash != prev || e.hash != expected {
            return Some(e.id);
        }
        prev = &e.hash;
    }
    None
}

/// An event about accounts or settings (no case), on its own chain.
pub fn append_admin(
    conn: &mut DbConn,
    kind: &str,
    actor: &str,
    detail: serde_json::Value,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    in_transaction(conn, |conn| append_admin_in(conn, kind, actor, detail, now))
}

fn append_admin_in(
    conn: &mut DbConn,
    kind: &str,
    actor: &str,
    detail: serde_json::Value,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    use super::schema::admin_events;
    lock_chain(conn, ADMIN_CHAIN_LOCK, 0)?;
    let prev: Option<String> = admin_events::table
        .order(admin_events::id.desc())
        .select(admin_events::hash)
        .first(conn)
        .optional()?;
    let prev = prev.as_deref().unwrap_or(GENESIS);
    let detail = detail.to_string();
    let hash = chain_hash(prev, 0, kind, now, None, actor, &detail);
    diesel::insert_into(admin_events::table)
        .values((
            admin_events::kind.eq(kind),
            admin_events::occurred_at.eq(now),
            admin_events::actor.eq(actor),
            admin_events::detail.eq(&detail),
            admin_events::prev_hash.eq(prev),
            admin_events::hash.eq(&hash),
        ))
        .execute(conn)?;
    Ok(())
}

/// One event of the account and settings trail.
#[derive(Debug, Clone, Queryable)]
pub struct AdminEvent {
    pub id: i64,
    pub kind: String,
    pub occurred_at: NaiveDateTime,
    pub actor: String,
    pub detail: String,
}

/// The account and settings trail, oldest first.
pub fn list_admin(conn: &mut DbConn) -> Result<Vec<AdminEvent>, DbError> {
    use super::schema::admin_events;
    Ok(admin_events::table
        .order(admin_events::id)
        .select((
            admin_events::id,
            admin_events::kind,
            admin_events::occurred_at,
            admin_events::actor,
            admin_events::detail,
        ))
        .load(conn)?)
}

/// Checks the admin chain; the id of the first event that does not match.
pub fn first_broken_admin_link(conn: &mut DbConn) -> Result<Option<i64>, DbError> {
    use super::schema::admin_events;
    let rows: Vec<(i64, String, NaiveDateTime, String, String, String, String)> =
        admin_events::table
            .order(admin_events::id)
            .select((
                admin_events::id,
                admin_events::kind,
                admin_events::occurred_at,
                admin_events::actor,
                admin_events::detail,
                admin_events::prev_hash,
                admin_events::hash,
            ))
            .load(conn)?;
    let mut prev = GENESIS.to_owned();
    for (id, kind, at, actor, detail, prev_hash, hash) in rows {
        let expected = chain_hash(&prev, 0, &kind, at, None, &actor, &detail);
        if prev_hash != prev || hash != expected {
            return Ok(Some(id));
        }
        prev = hash;
    }
    Ok(None)
}
