//! Webhook endpoints (`webhook_endpoints`) and the durable queue of their
//! deliveries (`webhook_deliveries`), claimed with leases as the outbox is.
//!
//! A delivery is queued in the transaction that records the case event it
//! tells of ([`raise`], called by `events::append`), so an event is told
//! if and only if it happened.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use rand::RngCore;

use super::cases::CaseId;
use super::schema::{cases, webhook_deliveries, webhook_endpoints};
use super::{DbConn, DbError};
use crate::domain::audit::CaseEvent;
use crate::domain::webhook::WebhookEvent;

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub struct Endpoint {
    pub id: i64,
    pub url: String,
    /// Space-separated event types.
    pub events: String,
    /// Sealed with the data key.
    pub secret: String,
    pub active: bool,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

impl Endpoint {
    pub fn wants(&self, event: WebhookEvent) -> bool {
        self.active && self.events.split(' ').any(|e| e == event.key())
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub message_id: String,
    pub event_type: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub last_status: Option<i32>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

pub fn insert_endpoint(
    conn: &mut DbConn,
    url: &str,
    events: &[WebhookEvent],
    sealed_secret: &str,
    created_by: &str,
    now: NaiveDateTime,
) -> Result<i64, DbError> {
    let events: Vec<&str> = events.iter().map(|e| e.key()).collect();
    Ok(diesel::insert_into(webhook_endpoints::table)
        .values((
            webhook_endpoints::url.eq(url),
            webhook_endpoints::events.eq(events.join(" ")),
            webhook_endpoints::secret.eq(sealed_secret),
            webhook_endpoints::created_by.eq(created_by),
            webhook_endpoints::created_at.eq(now),
        ))
        .returning(webhook_endpoints::id)
        .get_result(conn)?)
}

pub fn endpoints(conn: &mut DbConn) -> Result<Vec<Endpoint>, DbError> {
    Ok(webhook_endpoints::table
        .order(webhook_endpoints::id)
        .select(Endpoint::as_select())
        .load(conn)?)
}

pub fn endpoint(conn: &mut DbConn, id: i64) -> Result<Option<Endpoint>, DbError> {
    Ok(webhook_endpoints::table
        .find(id)
        .select(Endpoint::as_select())
        .first(conn)
        .optional()?)
}

/// Turns an endpoint on or off; false when there is none by that id.
pub fn set_active(conn: &mut DbConn, id: i64, active: bool) -> Result<bool, DbError> {
    let changed = diesel::update(webhook_endpoints::table.find(id))
        .set(webhook_endpoints::active.eq(active))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Replaces every endpoint's sealed secret (key rotation).
pub fn reseal_secrets(
    conn: &mut DbConn,
    reseal: impl Fn(&str) -> Result<String, DbError>,
) -> Result<usize, DbError> {
    let all = endpoints(conn)?;
    for e in &all {
        diesel::update(webhook_endpoints::table.find(e.id))
            .set(webhook_endpoints::secret.eq(reseal(&e.secret)?))
            .execute(conn)?;
    }
    Ok(all.len())
}

fn message_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("msg_{}", hex::encode(bytes))
}

/// Queues the webhook `event` raises, if it raises one, for every active
/// endpoint subscribed to it. The payload names the case (its reference
/// and law) and the event, never the requester: receivers read the rest
/// through the API.
pub fn raise(
    conn: &mut DbConn,
    event: CaseEvent,
    case: CaseId,
    effective_on: Option<chrono::NaiveDate>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let Some(hook) = WebhookEvent::raised_by(event) else {
        return Ok(());
    };
    let endpoints: Vec<Endpoint> = endpoints(conn)?
        .into_iter()
        .filter(|e| e.wants(hook))
        .collect();
    if endpoints.is_empty() {
        return Ok(());
    }
    let (reference, regime): (String, String) = cases::table
        .find(case.0)
        .select((cases::reference, cases::regime))
        .first(conn)?;
    let at: DateTime<Utc> = now.and_utc();
    for endpoint in endpoints {
        let payload = serde_json::json!({
            "type": hook.key(),
            "timestamp": at,
            "data": {
                "reference": reference,
                "regime": regime,
                "event": event.key(),
                "effective_on": effective_on,
            },
        });
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::endpoint_id.eq(endpoint.id),
                webhook_deliveries::message_id.eq(message_id()),
                webhook_deliveries::event_type.eq(hook.key()),
                webhook_deliveries::payload.eq(payload.to_string()),
                webhook_deliveries::status.eq(PENDING),
                webhook_deliveries::next_attempt_at.eq(now),
                webhook_deliveries::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Takes a lease until `lease_until` on up to `limit` due deliveries,
/// oldest first, with their endpoints. On PostgreSQL each worker skips the
/// rows another is claiming.
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(Delivery, Endpoint)>, DbError> {
    super::write_transaction::<_, DbError, _>(conn, |conn: &mut DbConn| {
        let due = webhook_deliveries::status.eq(PENDING).and(
            webhook_deliveries::next_attempt_at.le(now).and(
                webhook_deliveries::lease_until
                    .is_null()
                    .or(webhook_deliveries::lease_until.lt(now)),
            ),
        );
        let ids: Vec<i64> = match conn {
            DbConn::Postgresql(pg) => webhook_deliveries::table
                .filter(due)
                .order(webhook_deliveries::id)
                .limit(limit)
                .select(webhook_deliveries::id)
                .for_update()
                .skip_locked()
                .load(pg)?,
            DbConn::Sqlite(sqlite) => webhook_deliveries::table
                .filter(due)
                .order(webhook_deliveries::id)
                .limit(limit)
                .select(webhook_deliveries::id)
                .load(sqlite)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
            .set(webhook_deliveries::lease_until.eq(Some(lease_until)))
            .execute(conn)?;
        let rows: Vec<(Delivery, Endpoint)> = webhook_deliveries::table
            .inner_join(webhook_endpoints::table)
            .filter(webhook_deliveries::id.eq_any(&ids))
            .order(webhook_deliveries::id)
            .select((Delivery::as_select(), Endpoint::as_select()))
            .load(conn)?;
        Ok(rows)
    })
}

/// What became of one attempt.
#[derive(Debug, Clone)]
pub enum Attempt {
    Delivered {
        at: NaiveDateTime,
        status: i32,
    },
    /// Tried again at `retry_at`, or failed for good when that is `None`.
    Failed {
        at: NaiveDateTime,
        status: Option<i32>,
        error: String,
        retry_at: Option<NaiveDateTime>,
    },
}

pub fn record(conn: &mut DbConn, id: i64, attempt: &Attempt) -> Result<(), DbError> {
    super::write_transaction::<_, DbError, _>(conn, |conn: &mut DbConn| {
        let row = webhook_deliveries::table.find(id);
        match attempt {
            Attempt::Delivered { at, status } => diesel::update(row)
                .set((
                    webhook_deliveries::status.eq(DELIVERED),
                    webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
                    webhook_deliveries::delivered_at.eq(Some(*at)),
                    webhook_deliveries::last_status.eq(Some(*status)),
                    webhook_deliveries::last_error.eq(None::<String>),
                    webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?,
            Attempt::Failed {
                at,
                status,
                error,
                retry_at,
            } => diesel::update(row)
                .set((
                    webhook_deliveries::status.eq(if retry_at.is_some() {
                        PENDING
                    } else {
                        FAILED
                    }),
                    webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
                    webhook_deliveries::next_attempt_at.eq(retry_at.unwrap_or(*at)),
                    webhook_deliveries::last_status.eq(*status),
                    webhook_deliveries::last_error.eq(Some(error)),
                    webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?,
        };
        Ok(())
    })
}

/// The latest deliveries, newest first.
pub fn recent(conn: &mut DbConn, limit: i64) -> Result<Vec<Delivery>, DbError> {
    Ok(webhook_deliveries::table
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select(Delivery::as_select())
        .load(conn)?)
}

/// Sends a failed delivery again (its attempts start over); false when no
/// failed delivery has that id.
pub fn retry(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<bool, DbError> {
    let changed = diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::status.eq(FAILED)),
    )
    .set((
        webhook_deliveries::status.eq(PENDING),
        webhook_deliveries::attempts.eq(0),
        webhook_deliveries::next_attempt_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}
