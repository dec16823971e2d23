//! `GET /staff/dashboard`: the figures of [`crate::service::dashboard`].

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::{render, Staff};
use crate::app::AppContext;
use crate::service::dashboard;
use crate::web::view::Count;
use crate::web::{pages, WebError};

/// The dashboard: open cases, what is due, and how fast each law's are
/// answered.
#[derive(Serialize)]
struct Dashboard<'a> {
    open: i64,
    due_week: i64,
    overdue: i64,
    by_state: Vec<Count<'a>>,
    by_right: Vec<Count<'a>>,
    turnaround: Vec<Turnaround>,
    today: String,
    since: String,
    mail_waiting: i64,
    /// `mail.max_backlog`, when that many emails wait and the public form
    /// refuses new requests.
    form_closed_at: Option<u32>,
}

#[derive(Serialize)]
struct Turnaround {
    regime: &'static str,
    closed: i64,
    /// As text: a same-day answer (0 days) is a figure, not "none".
    median: Option<String>,
    p90: Option<String>,
}

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
        .map(|t| Turnaround {
            regime: t.regime.title(),
            closed: t.closed,
            median: t.median.map(|d| d.to_string()),
            p90: t.p90.map(|d| d.to_string()),
        })
        .collect();
    render(
        &req,
        &ctx,
        &staff,
        "staff/dashboard",
        "Dashboard",
        Dashboard {
            open: d.open,
            due_week: d.due_week,
            overdue: d.overdue,
            by_state: d
                .by_state
                .iter()
                .map(|(s, n)| Count {
                    key: s.key(),
                    label: s.label(),
                    count: *n,
                })
                .collect(),
            by_right: d
                .by_right
                .iter()
                .map(|(r, n)| Count {
                    key: r.key(),
                    label: r.short(),
                    count: *n,
                })
                .collect(),
            turnaround,
            today: d.today.format("%-d %B %Y").to_string(),
            since: d.since.format("%-d %B %Y").to_string(),
            mail_waiting: d.mail_waiting,
            form_closed_at: d.form_closed.then_some(ctx.settings.mail.max_backlog),
        },
        StatusCode::OK,
    )
}
