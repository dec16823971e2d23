//! Reports for the organisation's lawyers and regulators: the CCPA's yearly
//! metrics (§ 7102). Each report made is an event of the admin trail.

use chrono::NaiveDate;
use serde_json::json;

use super::ServiceError;
use crate::app::AppContext;
use crate::db::{self, events, reports};
use crate::domain::audit::{Actor, AdminEvent};
use crate::domain::reports::{ccpa_metrics, Figures};
use crate::domain::Regime;

/// The years a report may cover.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The § 7102 figures for the CCPA requests received in calendar `year`.
pub fn ccpa(ctx: &AppContext, by: Actor, year: i32) -> Result<Vec<Figures>, ServiceError> {
    let (Some(from), Some(until)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year + 1, 1, 1),
    ) else {
        return Ok(Vec::new());
    };
    let mut conn = ctx.pool.get()?;
    let records = reports::rights_received(&mut conn, Regime::CCPA, from, until)?;
    let now = db::timestamp(ctx.clock.now());
    db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        events::append_admin(
            conn,
            &ctx.audit_key,
            AdminEvent::ReportMade,
            by,
            json!({ "report": "ccpa_7102", "year": year }),
            now,
        )?;
        Ok(())
    })?;
    Ok(ccpa_metrics(&records))
}

/// Cases a register export reads at a time.
const REGISTER_PAGE: i64 = 1000;

/// The register of requests the filter selects, as CSV, in queue order:
/// reference, law, state, rights, dates and assignee; no names, addresses
/// or free text. The export is an event of the admin trail.
pub fn register_csv(
    ctx: &AppContext,
    by: Actor,
    mut filter: crate::db::queue::QueueFilter,
) -> Result<String, ServiceError> {
    use crate::db::queue::{self, Cursor};
    let fail = |e: csv::Error| ServiceError::Document(format!("CSV: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "reference",
        "regime",
        "state",
        "rights",
        "received_on",
        "due_on",
        "assignee",
    ])
    .map_err(fail)?;
    let mut conn = ctx.pool.get()?;
    filter.limit = REGISTER_PAGE;
    let mut rows = 0usize;
    loop {
        let page = queue::page(&mut conn, &filter)?;
        for r in &page {
            let rights: Vec<&str> = r.rights.iter().map(|r| r.key()).collect();
            let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            out.write_record([
                r.reference.as_str(),
                r.regime.key(),
                r.state.key(),
                &rights.join(" "),
                &date(r.received_on),
                &date(r.due_on),
                r.assignee.as_deref().unwrap_or(""),
            ])
            .map_err(fail)?;
        }
        rows += page.len();
        match page.last() {
            Some(last) if page.len() as i64 == REGISTER_PAGE && filter.search.is_none() => {
                filter.after = Some(Cursor {
                    due_on: match filter.sort {
                        queue::Sort::Due | queue::Sort::State => last.due_on,
                        queue::Sort::Received => last.received_on,
                    },
                    id: last.id.0,
                    state: (filter.sort == queue::Sort::State).then_some(last.state),
                });
            }
            _ => break,
        }
    }
    let now = db::timestamp(ctx.clock.now());
    db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        events::append_admin(
            conn,
            &ctx.audit_key,
            AdminEvent::ReportMade,
            by,
            json!({ "report": "register", "cases": rows }),
            now,
        )?;
        Ok(())
    })?;
    let bytes = out
        .into_inner()
        .map_err(|e| ServiceError::Document(format!("CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ServiceError::Document(format!("CSV: {e}")))
}

/// The figures as CSV, one line per kind of request.
pub fn ccpa_csv(year: i32, figures: &[Figures]) -> Result<String, ServiceError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ServiceError::Document(format!("CSV: {e}"));
    out.write_record([
        "year",
        "requests",
        "received",
        "complied_in_whole_or_in_part",
        "denied",
        "median_days_to_respond",
        "mean_days_to_respond",
    ])
    .map_err(fail)?;
    let days = |d: Option<f64>| d.map(|d| d.to_string()).unwrap_or_default();
    for f in figures {
        out.write_record([
            year.to_string(),
            f.category.key().to_owned(),
            f.received.to_string(),
            f.complied_in_whole_or_part.to_string(),
            f.denied.to_string(),
            days(f.median_days),
            days(f.mean_days),
        ])
        .map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ServiceError::Document(format!("CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ServiceError::Document(format!("CSV: {e}")))
}
