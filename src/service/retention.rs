//! The purge: closed cases past their retention period are reduced to a
//! minimal accountability record (each reduction an audit event), and
//! spent or expired links and old staff emails are deleted. Run by the
//! background jobs, or once by `rightsdesk purge`.

use chrono::{Days, Duration};
use serde_json::json;

use super::ServiceError;
use crate::clock::Clock;
use crate::config::Settings;
use crate::crypto::AuditKey;
use crate::db::events::{self, NewEvent};
use crate::db::{self, retention};
use crate::domain::audit::{Actor, CaseEvent};
use crate::domain::retention::closed_by;
use crate::domain::Regime;

/// What the purge needs (it runs apart from the web app's context).
pub struct Purger<'a> {
    pub pool: &'a db::Pool,
    pub settings: &'a Settings,
    pub audit_key: &'a AuditKey,
    pub clock: &'a dyn Clock,
}

/// What one purge did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub cases: usize,
    pub swept: usize,
}

/// Runs the purge once.
pub fn run(p: &Purger<'_>) -> Result<Purged, ServiceError> {
    let mut conn = p.pool.get()?;
    let now = db::timestamp(p.clock.now());
    let today = p.clock.today(p.settings.organisation.timezone);
    let configured = p.settings.retention.closed_case_months;
    let mut purged = Purged::default();
    for regime in Regime::ALL {
        let last_day = closed_by(today, regime, configured);
        let before =
            retention::start_of(last_day.checked_add_days(Days::new(1)).unwrap_or(last_day));
        let months = configured.max(regime.rules().records_kept_months);
        for id in retention::due(&mut conn, regime, before)? {
            db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
                let removed = retention::reduce(conn, id, now)?;
                events::append(
                    conn,
                    p.audit_key,
                    id,
                    NewEvent {
                        kind: CaseEvent::CaseReduced,
                        effective_on: None,
                        actor: Actor::System,
                        detail: json!({
                            "months": months,
                            "emails": removed.emails,
                            "notes": removed.notes,
                            "replies": removed.replies,
                            "links": removed.links,
                        }),
                    },
                    now,
                )?;
                Ok(())
            })?;
            purged.cases += 1;
        }
    }
    purged.swept += super::packages::delete_expired(p.pool, p.audit_key, now)?;
    let before = now - Duration::days(p.settings.retention.spent_link_days.into());
    purged.swept += db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        Ok(retention::sweep(conn, before)?)
    })?;
    if purged.cases + purged.swept > 0 {
        log::info!(
            "purge: {} case(s) reduced to their minimal record, {} spent link(s) and old staff email(s) deleted",
            purged.cases,
            purged.swept
        );
    }
    Ok(purged)
}
