//! Webhooks: admins register endpoints for case events; each delivery is
//! signed as the Standard Webhooks scheme says (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature`) and sent from a durable queue
//! with retries and backoff, on a thread of its own.
//!
//! Delivery is at least once: a receiver that answered 2xx after the
//! attempt timed out here gets the delivery again, with the same
//! `webhook-id`, by which it tells a retry from a new event.

use std::time::Duration as StdDuration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use rand::RngCore;
use serde_json::json;

use super::ServiceError;
use crate::clock::Clock;
use crate::crypto::{AuditKey, Sealer};
use crate::db::webhooks::{self, Attempt, Delivery, Endpoint};
use crate::db::{self, events, DbConn, DbError, Pool};
use crate::domain::audit::{Actor, AdminEvent};
use crate::domain::webhook::{self, parse_endpoint_url, parse_events, SECRET_PREFIX};

const SECRET_AAD: &str = "rightsdesk:webhook-secret";
/// Waits after each failed attempt: the Standard Webhooks schedule, about
/// a day and a half in all; then the delivery has failed for good (staff
/// can send it again).
const BACKOFF_SECS: [i64; 7] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];
/// One attempt may take this long, connection included.
const TIMEOUT: StdDuration = StdDuration::from_secs(10);
const LEASE: Duration = Duration::minutes(2);
const BATCH: i64 = 16;

/// An endpoint just registered, and its secret, to show once.
#[derive(serde::Serialize)]
pub struct Registered {
    pub id: i64,
    pub secret: String,
}

/// Registers an endpoint for `events` (keys); its secret is made here.
pub fn register(
    conn: &mut DbConn,
    sealer: &Sealer,
    audit_key: &AuditKey,
    by: Actor,
    url: &str,
    events: &[String],
    now: NaiveDateTime,
) -> Result<Result<Registered, String>, ServiceError> {
    let url = match parse_endpoint_url(url) {
        Ok(url) => url,
        Err(e) => return Ok(Err(e)),
    };
    let events = match parse_events(events) {
        Ok(events) => events,
        Err(e) => return Ok(Err(e)),
    };
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes));
    let sealed = sealer.seal_text(&secret, SECRET_AAD);
    let id = db::write_transaction::<_, ServiceError, _>(conn, |conn| {
        let id = webhooks::insert_endpoint(conn, &url, &events, &sealed, &by.key(), now)?;
        let keys: Vec<&str> = events.iter().map(|e| e.key()).collect();
        events::append_admin(
            conn,
            audit_key,
            AdminEvent::WebhookAdded,
            by,
            json!({ "endpoint": id, "url": url, "events": keys.join(" ") }),
            now,
        )?;
        Ok(id)
    })?;
    Ok(Ok(Registered { id, secret }))
}

/// Turns an endpoint on or off; false when there is none by that id.
pub fn set_active(
    conn: &mut DbConn,
    audit_key: &AuditKey,
    by: Actor,
    id: i64,
    active: bool,
    now: NaiveDateTime,
) -> Result<bool, ServiceError> {
    db::write_transaction::<_, ServiceError, _>(conn, |conn| {
        if !webhooks::set_active(conn, id, active)? {
            return Ok(false);
        }
        events::append_admin(
            conn,
            audit_key,
            AdminEvent::WebhookChanged,
            by,
            json!({ "endpoint": id, "active": active }),
            now,
        )?;
        Ok(true)
    })
}

/// Re-seals every endpoint's secret under a new data key (inside the key
/// rotation's transaction).
pub fn reseal_secrets(conn: &mut DbConn, old: &Sealer, new: &Sealer) -> Result<usize, DbError> {
    webhooks::reseal_secrets(conn, |sealed| {
        let secret = old.open_text(sealed, SECRET_AAD).map_err(|_| {
            DbError::Corrupt("a webhook secret does not open with the data key".into())
        })?;
        Ok(new.seal_text(&secret, SECRET_AAD))
    })
}

/// Sends webhook deliveries over HTTP.
pub struct Sender {
    agent: ureq::Agent,
}

impl Default for Sender {
    fn default() -> Self {
        Sender {
            agent: ureq::AgentBuilder::new()
                .timeout(TIMEOUT)
                .redirects(0)
                .user_agent(concat!("Rightsdesk-Webhooks/", env!("CARGO_PKG_VERSION")))
                .build(),
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// When the attempt after `attempts` failed ones is due; `None` when the
/// delivery has failed for good.
pub(crate) fn retry_at(attempts: i32, at: NaiveDateTime) -> Option<NaiveDateTime> {
    let wait = BACKOFF_SECS.get(usize::try_from(attempts).ok()?)?;
    Some(at + Duration::seconds(*wait))
}

impl Sender {
    /// The HTTP client, for the DRP's status callbacks too.
    pub fn http(&self) -> &ureq::Agent {
        &self.agent
    }

    fn attempt(
        &self,
        sealer: &Sealer,
        delivery: &Delivery,
        endpoint: &Endpoint,
        now: NaiveDateTime,
    ) -> Attempt {
        let failed = |status: Option<i32>, error: String| Attempt::Failed {
            at: now,
            status,
            error,
            retry_at: retry_at(delivery.attempts, now),
        };
        let secret = match sealer
            .open_text(&endpoint.secret, SECRET_AAD)
            .ok()
            .and_then(|s| webhook::secret_bytes(&s))
        {
            Some(secret) => secret,
            None => {
                return failed(
                    None,
                    "the endpoint's secret does not open with the data key".into(),
                )
            }
        };
        let timestamp = now.and_utc().timestamp();
        let signature =
            webhook::signature(&secret, &delivery.message_id, timestamp, &delivery.payload);
        let sent = self
            .agent
            .post(&endpoint.url)
            .set("content-type", "application/json")
            .set("webhook-id", &delivery.message_id)
            .set("webhook-timestamp", &timestamp.to_string())
            .set("webhook-signature", &signature)
            .send_string(&delivery.payload);
        match sent {
            Ok(response) => Attempt::Delivered {
                at: now,
                status: i32::from(response.status()),
            },
            Err(ureq::Error::Status(code, _)) => failed(
                Some(i32::from(code)),
                format!("the endpoint answered {code}"),
            ),
            Err(ureq::Error::Transport(e)) => failed(None, format!("not delivered: {e}")),
        }
    }

    /// Sends every due delivery, batch after batch, until none is due.
    pub fn deliver_due(
        &self,
        pool: &Pool,
        sealer: &Sealer,
        clock: &dyn Clock,
    ) -> Result<Report, ServiceError> {
        let mut report = Report::default();
        let mut conn = pool.get()?;
        loop {
            let now = db::timestamp(clock.now());
            let batch = webhooks::claim_due(&mut conn, now, now + LEASE, BATCH)?;
            if batch.is_empty() {
                return Ok(report);
            }
            for (delivery, endpoint) in &batch {
                let at = db::timestamp(clock.now());
                let attempt = if endpoint.active {
                    self.attempt(sealer, delivery, endpoint, at)
                } else {
                    Attempt::Failed {
                        at,
                        status: None,
                        error: "the endpoint is turned off".into(),
                        retry_at: None,
                    }
                };
                match &attempt {
                    Attempt::Delivered { .. } => report.delivered += 1,
                    Attempt::Failed {
                        retry_at: Some(_),
                        error,
                        ..
                    } => {
                        log::warn!(
                            "webhook {} to endpoint {}: {error}; will retry",
                            delivery.message_id,
                            endpoint.id
                        );
                        report.retrying += 1;
                    }
                    Attempt::Failed { error, .. } => {
                        log::warn!(
                            "webhook {} to endpoint {} failed for good: {error}",
                            delivery.message_id,
                            endpoint.id
                        );
                        report.failed += 1;
                    }
                }
                webhooks::record(&mut conn, delivery.id, &attempt)?;
            }
        }
    }
}

/// Sends a failed delivery again; false when no failed delivery has that id.
pub fn retry(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<bool, ServiceError> {
    Ok(db::write_transaction::<_, DbError, _>(conn, |conn| {
        webhooks::retry(conn, id, now)
    })?)
}

/// The endpoints and the most recent `limit` deliveries (for the admins'
/// page).
pub fn overview(
    ctx: &crate::app::AppContext,
    limit: i64,
) -> Result<(Vec<webhooks::Endpoint>, Vec<webhooks::Delivery>), ServiceError> {
    let mut conn = ctx.pool.get()?;
    Ok((
        webhooks::endpoints(&mut conn)?,
        webhooks::recent(&mut conn, limit)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_then_stop() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 31)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        assert_eq!(retry_at(0, at), Some(at + Duration::seconds(5)));
        assert_eq!(retry_at(1, at), Some(at + Duration::minutes(5)));
        assert_eq!(retry_at(6, at), Some(at + Duration::hours(10)));
        assert_eq!(retry_at(7, at), None);
        assert_eq!(retry_at(-1, at), None);
    }
}
