//! The append-only audit trails: one per case, and one for accounts, keys
//! and settings. Every event stores the seal of the event before it, an
//! HMAC-SHA256 under the audit key over that seal and the event's own
//! fields, so an edit or deletion anywhere breaks the chain, and nobody
//! without the key can recompute it.
//!
//! Trails written before the audit key existed were chained with plain
//! SHA-256. On the first start with a key, [`seal_trails`] checks each
//! chain the old way and re-seals it with the key up to its first broken
//! link (which stays broken, so the tampering stays visible).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::batch::Batch;
use super::cases::CaseId;
use super::schema::{admin_events, audit_seal, case_events};
use super::{DbConn, DbError};
use crate::crypto::AuditKey;
use crate::domain::audit::{Actor, AdminEvent, CaseEvent};

/// The `prev_hash` of a trail's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: CaseEvent,
    pub effective_on: Option<NaiveDate>,
    pub actor: Actor,
    pub detail: serde_json::Value,
}

/// One event of a case's trail, as stored (kind and actor as their keys,
/// since a trail may hold kinds this version does not know).
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

impl Event {
    /// What happened; `None` for a kind this version does not know.
    pub fn what(&self) -> Option<CaseEvent> {
        CaseEvent::parse(&self.kind)
    }

    /// Who did it; `None` for an actor this version does not know.
    pub fn who(&self) -> Option<Actor> {
        Actor::parse(&self.actor)
    }

    fn link(&self) -> ChainLink<'_> {
        ChainLink {
            id: self.id,
            fields: self.sealed_fields(),
            prev_hash: &self.prev_hash,
            hash: &self.hash,
        }
    }

    fn sealed_fields(&self) -> Fields<'_> {
        Fields {
            chain: self.case_id,
            kind: &self.kind,
            occurred_at: self.occurred_at,
            effective_on: self.effective_on,
            actor: &self.actor,
            detail: &self.detail,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = case_events, treat_none_as_default_value = false)]
struct NewEventRow<'a> {
    case_id: i64,
    kind: &'a str,
    occurred_at: NaiveDateTime,
    effective_on: Option<NaiveDate>,
    actor: String,
    detail: String,
    prev_hash: &'a str,
    hash: String,
}

/// What an event's seal covers besides the previous seal. The admin trail
/// is chain 0 and has no effective dates.
struct Fields<'a> {
    chain: i64,
    kind: &'a str,
    occurred_at: NaiveDateTime,
    effective_on: Option<NaiveDate>,
    actor: &'a str,
    detail: &'a str,
}

/// One stored link of a chain: an event's id, what its seal covers, and
/// the previous seal and its own as stored.
struct ChainLink<'a> {
    id: i64,
    fields: Fields<'a>,
    prev_hash: &'a str,
    hash: &'a str,
}

/// How links are sealed: with the audit key, or (trails from before it)
/// with plain SHA-256.
#[derive(Clone, Copy)]
enum Sealing<'a> {
    Unkeyed,
    Keyed(&'a AuditKey),
}

impl Sealing<'_> {
    fn seal(self, prev_hash: &str, f: &Fields<'_>) -> String {
        let chain = f.chain.to_string();
        let at = f.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
        let on = f.effective_on.map(|d| d.to_string()).unwrap_or_default();
        let parts = [prev_hash, &chain, f.kind, &at, &on, f.actor, f.detail];
        match self {
            Sealing::Keyed(key) => key.mac(&parts),
            Sealing::Unkeyed => {
                let mut h = Sha256::new();
                for part in parts {
                    h.update(part.as_bytes());
                    h.update([0u8]);
                }
                hex::encode(h.finalize())
            }
        }
    }
}

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
        // Ids beyond 32 bits share a lock with another chain: slower, never wrong.
        let key = id as i32;
        diesel::select(pg_advisory_xact_lock(class, key)).execute(pg)?;
    }
    Ok(())
}

diesel::define_sql_function! {
    /// PostgreSQL's transaction-scoped advisory lock on a pair of keys. It
    /// returns nothing (`void`): it is only ever executed, never read.
    fn pg_advisory_xact_lock(class: diesel::sql_types::Integer, key: diesel::sql_types::Integer) -> diesel::sql_types::Bool;
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

/// Appends an event to a case's trail. Call inside the transaction that
/// makes the change the event records.
pub fn append(
    conn: &mut DbConn,
    key: &AuditKey,
    case: CaseId,
    event: NewEvent,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    in_transaction(conn, |conn| {
        lock_chain(conn, CASE_CHAIN_LOCK, case.0)?;
        let prev: Option<String> = case_events::table
            .filter(case_events::case_id.eq(case.0))
            .order(case_events::id.desc())
            .select(case_events::hash)
            .first(conn)
            .optional()?;
        insert_sealed(
            conn,
            key,
            case,
            &event,
            prev.as_deref().unwrap_or(GENESIS),
            now,
        )?;
        // An agent that filed it through the DRP is told of a new status.
        super::drp::raise(conn, case, now)
    })
}

/// Starts the trail of a case inserted in this same transaction with its
/// first event. No other transaction can see the case yet, so there is no
/// head to read or lock, and no DRP request to tell.
pub fn start_chain(
    conn: &mut DbConn,
    key: &AuditKey,
    case: CaseId,
    event: NewEvent,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    insert_sealed(conn, key, case, &event, GENESIS, now)
}

/// [`start_chain`] in a batch (on PostgreSQL; the case may be in the same
/// batch). Only for events no other system subscribes to: telling them
/// reads the case, which is not stored before the batch runs.
pub fn start_chain_in_batch(
    batch: &mut Batch<'_>,
    key: &AuditKey,
    case: CaseId,
    event: NewEvent,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    if crate::domain::webhook::WebhookEvent::raised_by(event.kind).is_some() {
        return Err(DbError::Corrupt(format!(
            "the event {} is sent to webhooks: it cannot start a chain in a batch",
            event.kind.key()
        )));
    }
    batch.push(
        diesel::insert_into(case_events::table).values(sealed_row(key, case, &event, GENESIS, now)),
    );
    Ok(())
}

/// An event sealed onto `prev`, as it is stored.
fn sealed_row<'a>(
    key: &AuditKey,
    case: CaseId,
    event: &NewEvent,
    prev: &'a str,
    now: NaiveDateTime,
) -> NewEventRow<'a> {
    let detail = event.detail.to_string();
    let actor = event.actor.key();
    let hash = Sealing::Keyed(key).seal(
        prev,
        &Fields {
            chain: case.0,
            kind: event.kind.key(),
            occurred_at: now,
            effective_on: event.effective_on,
            actor: &actor,
            detail: &detail,
        },
    );
    NewEventRow {
        case_id: case.0,
        kind: event.kind.key(),
        occurred_at: now,
        effective_on: event.effective_on,
        actor,
        detail,
        prev_hash: prev,
        hash,
    }
}

/// Seals an event onto `prev` and stores it; other systems subscribed to
/// it are told, from the same transaction.
fn insert_sealed(
    conn: &mut DbConn,
    key: &AuditKey,
    case: CaseId,
    event: &NewEvent,
    prev: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(case_events::table)
        .values(sealed_row(key, case, event, prev, now))
        .execute(conn)?;
    super::webhooks::raise(conn, event.kind, case, event.effective_on, now)
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
pub fn first_broken_link(
    conn: &mut DbConn,
    key: &AuditKey,
    case: CaseId,
) -> Result<Option<i64>, DbError> {
    Ok(first_broken_in(key, &list(conn, case)?))
}

/// The id of the first event of a case's trail (as loaded, in order) that
/// does not match the chain.
pub fn first_broken_in(key: &AuditKey, trail: &[Event]) -> Option<i64> {
    let links = trail.iter().map(|e| e.link());
    first_break(Sealing::Keyed(key), links)
}

/// Walks a chain's links; the id of the first that does not match.
fn first_break<'a>(
    sealing: Sealing<'_>,
    links: impl IntoIterator<Item = ChainLink<'a>>,
) -> Option<i64> {
    let mut prev = GENESIS;
    for link in links {
        if link.prev_hash != prev || link.hash != sealing.seal(prev, &link.fields) {
            return Some(link.id);
        }
        prev = link.hash;
    }
    None
}

/// Appends an event to the account, key and settings trail.
pub fn append_admin(
    conn: &mut DbConn,
    key: &AuditKey,
    kind: AdminEvent,
    actor: Actor,
    detail: serde_json::Value,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    in_transaction(conn, |conn| {
        lock_chain(conn, ADMIN_CHAIN_LOCK, 0)?;
        let prev: Option<String> = admin_events::table
            .order(admin_events::id.desc())
            .select(admin_events::hash)
            .first(conn)
            .optional()?;
        let prev = prev.as_deref().unwrap_or(GENESIS);
        let detail = detail.to_string();
        let actor = actor.key();
        let fields = Fields {
            chain: 0,
            kind: kind.key(),
            occurred_at: now,
            effective_on: None,
            actor: &actor,
            detail: &detail,
        };
        let hash = Sealing::Keyed(key).seal(prev, &fields);
        diesel::insert_into(admin_events::table)
            .values((
                admin_events::kind.eq(fields.kind),
                admin_events::occurred_at.eq(now),
                admin_events::actor.eq(&actor),
                admin_events::detail.eq(&detail),
                admin_events::prev_hash.eq(prev),
                admin_events::hash.eq(&hash),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// One event of the account, key and settings trail, as stored.
#[derive(Debug, Clone, Queryable)]
pub struct AdminEntry {
    pub id: i64,
    pub kind: String,
    pub occurred_at: NaiveDateTime,
    pub actor: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AdminEntry {
    /// What happened; `None` for a kind this version does not know.
    pub fn what(&self) -> Option<AdminEvent> {
        AdminEvent::parse(&self.kind)
    }

    fn link(&self) -> ChainLink<'_> {
        ChainLink {
            id: self.id,
            fields: self.sealed_fields(),
            prev_hash: &self.prev_hash,
            hash: &self.hash,
        }
    }

    fn sealed_fields(&self) -> Fields<'_> {
        Fields {
            chain: 0,
            kind: &self.kind,
            occurred_at: self.occurred_at,
            effective_on: None,
            actor: &self.actor,
            detail: &self.detail,
        }
    }
}

/// The account, key and settings trail, oldest first.
pub fn list_admin(conn: &mut DbConn) -> Result<Vec<AdminEntry>, DbError> {
    Ok(admin_events::table
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
        .load(conn)?)
}

/// Checks the admin chain; the id of the first event that does not match.
pub fn first_broken_admin_link(conn: &mut DbConn, key: &AuditKey) -> Result<Option<i64>, DbError> {
    let trail = list_admin(conn)?;
    Ok(first_break(
        Sealing::Keyed(key),
        trail.iter().map(|e| e.link()),
    ))
}

/// Why the trails cannot be opened with the configured key.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error(
        "audit.key is not the key the audit trails were sealed with: start with that key \
         (or, to change keys, run `rightsdesk audit rekey` with the old key configured)"
    )]
    WrongKey,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for SealError {
    fn from(e: diesel::result::Error) -> Self {
        SealError::Db(e.into())
    }
}

/// What re-sealing the trails did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resealed {
    /// Case trails re-sealed.
    pub cases: usize,
    /// Events re-sealed, on every trail.
    pub events: usize,
    /// References of the cases whose trails were already broken: re-sealed
    /// up to the break only, so they still show it.
    pub broken_cases: Vec<String>,
    /// Whether the account and settings trail was already broken.
    pub admin_broken: bool,
}

/// Makes sure the trails are sealed with `key`: nothing to do when they
/// are; when they were written before the audit key existed, checks each
/// chain the old way and re-seals it with the key (returning what it did);
/// when another key sealed them, refuses.
pub fn seal_trails(
    conn: &mut DbConn,
    key: &AuditKey,
    now: NaiveDateTime,
) -> Result<Option<Resealed>, SealError> {
    super::write_transaction(conn, |conn| {
        lock_trails(conn)?;
        let sealed_with: Option<String> = audit_seal::table
            .select(audit_seal::key_check)
            .first(conn)
            .optional()?;
        match sealed_with {
            Some(check) if check == key.check_value() => Ok(None),
            Some(_) => Err(SealError::WrongKey),
            None => {
                let done = reseal(conn, Sealing::Unkeyed, key)?;
                diesel::insert_into(audit_seal::table)
                    .values((
                        audit_seal::id.eq(1),
                        audit_seal::key_check.eq(key.check_value()),
                        audit_seal::sealed_at.eq(now),
                    ))
                    .execute(conn)?;
                append_admin(
                    conn,
                    key,
                    AdminEvent::AuditTrailKeyed,
                    Actor::System,
                    summary(&done),
                    now,
                )?;
                Ok(Some(done))
            }
        }
    })
}

/// Re-seals every trail from the key `old` to the key `new`, in one
/// transaction; chains already broken are re-sealed up to the break.
pub fn rotate_key(
    conn: &mut DbConn,
    old: &AuditKey,
    new: &AuditKey,
    now: NaiveDateTime,
) -> Result<Resealed, SealError> {
    super::write_transaction(conn, |conn| {
        lock_trails(conn)?;
        let sealed_with: Option<String> = audit_seal::table
            .select(audit_seal::key_check)
            .first(conn)
            .optional()?;
        if sealed_with.as_deref() != Some(old.check_value().as_str()) {
            return Err(SealError::WrongKey);
        }
        let done = reseal(conn, Sealing::Keyed(old), new)?;
        diesel::update(audit_seal::table)
            .set((
                audit_seal::key_check.eq(new.check_value()),
                audit_seal::sealed_at.eq(now),
            ))
            .execute(conn)?;
        append_admin(
            conn,
            new,
            AdminEvent::AuditKeyRotated,
            Actor::CommandLine,
            summary(&done),
            now,
        )?;
        Ok(done)
    })
}

fn summary(done: &Resealed) -> serde_json::Value {
    serde_json::json!({
        "cases": done.cases,
        "events": done.events,
        "broken_cases": done.broken_cases,
        "admin_broken": done.admin_broken,
    })
}

/// Keeps every other writer off the trails while they are re-sealed.
fn lock_trails(conn: &mut DbConn) -> Result<(), DbError> {
    if let DbConn::Postgresql(pg) = conn {
        use diesel::connection::SimpleConnection;
        pg.batch_execute("LOCK TABLE case_events, admin_events, audit_seal IN EXCLUSIVE MODE")?;
    }
    Ok(())
}

/// Case trails re-sealed per batch (each batch's events are held in memory).
const RESEAL_BATCH: usize = 500;

fn reseal(conn: &mut DbConn, old: Sealing<'_>, new: &AuditKey) -> Result<Resealed, DbError> {
    let mut done = Resealed::default();
    let chains: Vec<i64> = case_events::table
        .select(case_events::case_id)
        .distinct()
        .order(case_events::case_id)
        .load(conn)?;
    let mut broken = Vec::new();
    for batch in chains.chunks(RESEAL_BATCH) {
        let events: Vec<Event> = case_events::table
            .filter(case_events::case_id.eq_any(batch))
            .order((case_events::case_id, case_events::id))
            .select(Event::as_select())
            .load(conn)?;
        for trail in events.chunk_by(|a, b| a.case_id == b.case_id) {
            let links = trail.iter().map(|e| e.link());
            let (updates, intact) = reseal_chain(old, new, links);
            for (id, prev_hash, hash) in &updates {
                diesel::update(case_events::table.find(id))
                    .set((
                        case_events::prev_hash.eq(prev_hash),
                        case_events::hash.eq(hash),
                    ))
                    .execute(conn)?;
            }
            if !intact {
                broken.push(trail[0].case_id);
            }
            done.cases += 1;
            done.events += updates.len();
        }
    }
    done.broken_cases = super::cases::references_of(conn, &broken)?;
    let admin = list_admin(conn)?;
    let links = admin.iter().map(|e| e.link());
    let (updates, intact) = reseal_chain(old, new, links);
    for (id, prev_hash, hash) in &updates {
        diesel::update(admin_events::table.find(id))
            .set((
                admin_events::prev_hash.eq(prev_hash),
                admin_events::hash.eq(hash),
            ))
            .execute(conn)?;
    }
    done.events += updates.len();
    done.admin_broken = !intact;
    Ok(done)
}

/// The new (id, previous seal, seal) of each link of a chain that checks
/// under `old`, up to its first broken link, and whether the whole chain
/// checked. Links from the break on are left as they are, so the chain
/// still breaks there under the new key.
fn reseal_chain<'a>(
    old: Sealing<'_>,
    new: &AuditKey,
    links: impl IntoIterator<Item = ChainLink<'a>>,
) -> (Vec<(i64, String, String)>, bool) {
    let mut updates = Vec::new();
    let mut old_prev = GENESIS;
    let mut new_prev = GENESIS.to_owned();
    for link in links {
        if link.prev_hash != old_prev || link.hash != old.seal(old_prev, &link.fields) {
            return (updates, false);
        }
        let sealed = Sealing::Keyed(new).seal(&new_prev, &link.fields);
        updates.push((link.id, new_prev, sealed.clone()));
        old_prev = link.hash;
        new_prev = sealed;
    }
    (updates, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: i64, kind: &str, detail: &str) -> Event {
        Event {
            id,
            case_id: 9,
            kind: kind.into(),
            occurred_at: NaiveDate::from_ymd_opt(2026, 1, 5)
                .and_then(|d| d.and_hms_opt(10, 0, id as u32))
                .unwrap_or_default(),
            effective_on: None,
            actor: "requester".into(),
            detail: detail.into(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    /// Chains `trail` under `sealing`, as appending would.
    fn chained(sealing: Sealing<'_>, mut trail: Vec<Event>) -> Vec<Event> {
        let mut prev = GENESIS.to_owned();
        for e in &mut trail {
            e.prev_hash = prev.clone();
            e.hash = sealing.seal(&prev, &e.sealed_fields());
            prev = e.hash.clone();
        }
        trail
    }

    fn resealed(old: Sealing<'_>, new: &AuditKey, trail: &[Event]) -> (Vec<Event>, bool) {
        let links = trail.iter().map(|e| e.link());
        let (updates, intact) = reseal_chain(old, new, links);
        let mut out = trail.to_vec();
        for (id, prev, hash) in updates {
            if let Some(e) = out.iter_mut().find(|e| e.id == id) {
                e.prev_hash = prev;
                e.hash = hash;
            }
        }
        (out, intact)
    }

    fn three() -> Vec<Event> {
        vec![
            event(1, "request_submitted", "{}"),
            event(2, "email_confirmed", "{}"),
            event(3, "case_viewed", "{}"),
        ]
    }

    #[test]
    fn a_keyed_chain_checks_only_under_its_own_key() {
        let key = AuditKey::new(&[1; 32]);
        let trail = chained(Sealing::Keyed(&key), three());
        assert_eq!(first_broken_in(&key, &trail), None);
        assert_eq!(first_broken_in(&AuditKey::new(&[2; 32]), &trail), Some(1));
    }

    #[test]
    fn an_edit_recomputed_without_the_key_is_caught() {
        let key = AuditKey::new(&[1; 32]);
        let mut trail = chained(Sealing::Keyed(&key), three());
        // An attacker edits event 2 and recomputes the chain the way the
        // unkeyed trail allowed: it no longer matches.
        trail[1].detail = r#"{"forged":true}"#.into();
        let forged = chained(Sealing::Unkeyed, trail);
        assert_eq!(first_broken_in(&key, &forged), Some(1));
    }

    #[test]
    fn an_unkeyed_chain_is_resealed_whole_when_intact() {
        let key = AuditKey::new(&[1; 32]);
        let legacy = chained(Sealing::Unkeyed, three());
        assert_eq!(first_broken_in(&key, &legacy), Some(1));
        let (sealed, intact) = resealed(Sealing::Unkeyed, &key, &legacy);
        assert!(intact);
        assert_eq!(first_broken_in(&key, &sealed), None);
    }

    #[test]
    fn a_broken_unkeyed_chain_stays_broken_at_the_same_event() {
        let key = AuditKey::new(&[1; 32]);
        let mut legacy = chained(Sealing::Unkeyed, three());
        legacy[1].detail = r#"{"edited":true}"#.into();
        let (sealed, intact) = resealed(Sealing::Unkeyed, &key, &legacy);
        assert!(!intact);
        assert_eq!(first_broken_in(&key, &sealed), Some(2));
    }

    #[test]
    fn a_rotated_chain_checks_under_the_new_key_only() {
        let old = AuditKey::new(&[1; 32]);
        let new = AuditKey::new(&[2; 32]);
        let trail = chained(Sealing::Keyed(&old), three());
        let (rotated, intact) = resealed(Sealing::Keyed(&old), &new, &trail);
        assert!(intact);
        assert_eq!(first_broken_in(&new, &rotated), None);
        assert_eq!(first_broken_in(&old, &rotated), Some(1));
    }

    #[test]
    fn a_deleted_event_breaks_the_chain_at_the_next_one() {
        let key = AuditKey::new(&[1; 32]);
        let mut trail = chained(Sealing::Keyed(&key), three());
        trail.remove(1);
        assert_eq!(first_broken_in(&key, &trail), Some(3));
    }
}
