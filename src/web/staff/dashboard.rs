//! `GET /staff/dashboard`: the figures of [`crate::service::dashboard`].

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::{render, Staff};
use crate::app::AppContext;
use crate::service::dashboard;
use crate::web::{pages, WebError};

pub async fn get(
    req: HttpRequest,
    staff: Staff,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let d = pages::blocking(&ctx, move |ctx| dashboard::figures(ctx, today)).await?;
    let turnaround: Vec<_> = d
        .turnaround
        .iter()
        .map(|t| {
            json!({
                "regime": t.regime.title(),
                "closed": t.closed,
                // As text: a same-day answer (0 days) is a figure, not "none".
                "median": t.median.map(|d| d.to_string()),
                "p90": t.p90.map(|d| d.to_string()),
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
            "open": d.open,
            "due_week": d.due_week,
            "overdue": d.overdue,
            "by_state": d.by_state.iter().map(|(s, n)| json!({ "key": s.key(), "label": s.label(), "count": n })).collect::<Vec<_>>(),
            "by_right": d.by_right.iter().map(|(r, n)| json!({ "key": r.key(), "label": r.short(), "count": n })).collect::<Vec<_>>(),
            "turnaround": turnaround,
            "today": d.today.format("%-d %B %Y").to_string(),
            "since": d.since.format("%-d %B %Y").to_string(),
        }),
        StatusCode::OK,
    )
}
