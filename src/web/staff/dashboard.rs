//! `GET /staff/dashboard`: open cases by status and by right, due this
//! week, overdue, and per regime the median and 90th-percentile days from
//! receipt to answer over the last twelve months.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Days, Months};
use serde_json::json;

use super::{render, Staff};
use crate::app::AppContext;
use crate::db::{self, queue};
use crate::domain::{CaseState, Right};
use crate::service::ServiceError;
use crate::web::{pages, WebError};

/// The value below which `p` of the sorted values fall (nearest rank).
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

pub async fn get(
    req: HttpRequest,
    staff: Staff,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let tz = ctx.settings.organisation.timezone;
    let today = ctx.clock.today(tz);
    let week_end = today.checked_add_days(Days::new(7)).unwrap_or(today);
    let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let since = db::timestamp(year_ago.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    let (by_state, by_right, due_week, overdue, closed) = pages::blocking(&ctx, move |ctx| {
        let mut conn = ctx.pool.get()?;
        Ok::<_, ServiceError>((
            queue::count_by_state(&mut conn)?,
            queue::open_by_right(&mut conn)?,
            queue::count_open_due(&mut conn, Some(week_end), None)?,
            queue::count_open_due(&mut conn, None, Some(today))?,
            queue::closed_since(&mut conn, since)?,
        ))
    })
    .await?;
    let open: i64 = by_state
        .iter()
        .filter(|(s, _)| CaseState::OPEN.contains(s))
        .map(|(_, n)| n)
        .sum();
    let turnaround: Vec<_> = ctx
        .jurisdiction
        .applicable()
        .iter()
        .map(|regime| {
            let mut days: Vec<i64> = closed
                .iter()
                .filter(|c| c.regime == *regime)
                .map(|c| {
                    let closed_on = c.closed_at.and_utc().with_timezone(&tz).date_naive();
                    (closed_on - c.received_on).num_days().max(0)
                })
                .collect();
            days.sort_unstable();
            json!({
                "regime": regime.title(),
                "closed": days.len(),
                // As text: a same-day answer (0 days) is a figure, not "none".
                "median": percentile(&days, 0.5).map(|d| d.to_string()),
                "p90": percentile(&days, 0.9).map(|d| d.to_string()),
            })
        })
        .collect();
    render(
        &req,
        &ctx,
        &staff,
        "staff/dashboard",
        "Dashboard",
        json!({
            "open": open,
            "due_week": due_week,
            "overdue": overdue,
            "by_state": by_state.iter().map(|(s, n)| json!({ "key": s.key(), "label": s.label(), "count": n })).collect::<Vec<_>>(),
            "by_right": Right::ALL.iter().map(|r| json!({
                "key": r.key(),
                "label": r.short(),
                "count": by_right.iter().find(|(k, _)| k == r).map_or(0, |(_, n)| *n),
            })).collect::<Vec<_>>(),
            "turnaround": turnaround,
            "today": today.format("%-d %B %Y").to_string(),
        }),
        StatusCode::OK,
    )
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7], 0.9), Some(7));
        let days: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&days, 0.5), Some(5));
        assert_eq!(percentile(&days, 0.9), Some(9));
        assert_eq!(percentile(&days, 1.0), Some(10));
    }
}
