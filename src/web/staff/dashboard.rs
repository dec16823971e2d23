//! `GET /staff/dashboard`: open cases by status and by right, due this
//! week, overdue, and per regime the median and 90th-percentile days from
//! receipt to answer over the last twelve months (this month and the eleven
//! before it). Every figure is read from counts the database keeps, so the
//! page costs the same at a thousand cases or a million.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, Days, Months};
use serde_json::json;

use super::{render, Staff};
use crate::app::AppContext;
use crate::db::queue;
use crate::domain::{CaseState, Right};
use crate::service::ServiceError;
use crate::web::{pages, WebError};

/// The value below which `p` of the values fall (nearest rank), the values
/// given as `(value, how many)` in increasing order of value.
pub fn percentile(counts: &[(i64, i64)], p: f64) -> Option<i64> {
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    if total <= 0 {
        return None;
    }
    let rank = ((p * total as f64).ceil() as i64).clamp(1, total);
    let mut seen = 0;
    counts.iter().find_map(|&(value, n)| {
        seen += n;
        (seen >= rank).then_some(value)
    })
}

pub async fn get(
    req: HttpRequest,
    staff: Staff,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let tz = ctx.settings.organisation.timezone;
    let today = ctx.clock.today(tz);
    let week_end = today.checked_add_days(Days::new(7)).unwrap_or(today);
    let since = today
        .with_day(1)
        .and_then(|first| first.checked_sub_months(Months::new(11)))
        .unwrap_or(today);
    let (by_state, by_right, due_week, overdue, closed) = pages::blocking(&ctx, move |ctx| {
        let mut conn = ctx.pool.get()?;
        Ok::<_, ServiceError>((
            queue::count_by_state(&mut conn)?,
            queue::open_by_right(&mut conn)?,
            queue::count_open_due(&mut conn, Some(week_end), None)?,
            queue::count_open_due(&mut conn, None, Some(today))?,
            queue::turnaround_since(&mut conn, since)?,
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
            let days: Vec<(i64, i64)> = closed
                .iter()
                .filter(|(r, _, _)| r == regime)
                .map(|&(_, days, n)| (days, n))
                .collect();
            json!({
                "regime": regime.title(),
                "closed": days.iter().map(|(_, n)| n).sum::<i64>(),
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
            "since": since.format("%-d %B %Y").to_string(),
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
        assert_eq!(percentile(&[(3, 0)], 0.5), None);
        assert_eq!(percentile(&[(7, 1)], 0.9), Some(7));
        let days: Vec<(i64, i64)> = (1..=10).map(|d| (d, 1)).collect();
        assert_eq!(percentile(&days, 0.5), Some(5));
        assert_eq!(percentile(&days, 0.9), Some(9));
        assert_eq!(percentile(&days, 1.0), Some(10));
        // Counted: four cases of 2 days, one of 30.
        assert_eq!(percentile(&[(2, 4), (30, 1)], 0.5), Some(2));
        assert_eq!(percentile(&[(2, 4), (30, 1)], 0.8), Some(2));
        assert_eq!(percentile(&[(2, 4), (30, 1)], 0.9), Some(30));
    }
}
