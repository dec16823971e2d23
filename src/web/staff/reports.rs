//! `GET /staff/reports`: the CCPA's yearly metrics (§ 7102) for a calendar
//! year, as a page, and `GET /staff/reports/ccpa.csv` as CSV. Every staff
//! role may read them; each is recorded in the admin trail.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::{render, Staff};
use crate::app::AppContext;
use crate::domain::audit::Actor;
use crate::service::reports::{self, YEARS};
use crate::web::{pages, WebError};

/// The reports page: the year asked for and, once made, its figures.
#[derive(Serialize)]
struct ReportsPage {
    year: String,
    form_error: Option<String>,
    shown: bool,
    figures: Vec<crate::domain::reports::Figures>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

impl YearQuery {
    /// The year asked for (this year where the organisation is, when none).
    fn year(&self, ctx: &AppContext) -> Result<i32, String> {
        match self.year.trim() {
            "" => Ok(ctx.clock.today(ctx.settings.organisation.timezone).year()),
            y => y
                .parse::<i32>()
                .ok()
                .filter(|y| YEARS.contains(y))
                .ok_or_else(|| format!("'{y}' is not a year between 2000 and 2100")),
        }
    }
}

pub async fn get(
    req: HttpRequest,
    staff: Staff,
    query: web::Query<YearQuery>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let year = match query.year(&ctx) {
        Ok(year) => year,
        Err(error) => {
            return render(
                &req,
                &ctx,
                &staff,
                "staff/reports",
                "Reports",
                ReportsPage {
                    year: query.year.clone(),
                    form_error: Some(error),
                    shown: false,
                    figures: Vec::new(),
                },
                StatusCode::BAD_REQUEST,
            )
        }
    };
    let by = Actor::Staff(staff.user.id);
    let figures = pages::blocking(&ctx, move |ctx| reports::ccpa(ctx, by, year)).await?;
    render(
        &req,
        &ctx,
        &staff,
        "staff/reports",
        "Reports",
        ReportsPage {
            year: year.to_string(),
            form_error: None,
            shown: true,
            figures,
        },
        StatusCode::OK,
    )
}

pub async fn ccpa_csv(
    staff: Staff,
    query: web::Query<YearQuery>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let year = query.year(&ctx).map_err(WebError::BadForm)?;
    let by = Actor::Staff(staff.user.id);
    let csv = pages::blocking(&ctx, move |ctx| {
        let figures = reports::ccpa(ctx, by, year)?;
        reports::ccpa_csv(year, &figures)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"ccpa-metrics-{year}.csv\""),
        ))
        .body(csv))
}

/// `GET /staff/reports/register.csv`: the register of requests the queue's
/// filters select (the same query string as `/staff`), as CSV.
pub async fn register_csv(
    staff: Staff,
    query: web::Query<super::queue::QueueQuery>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let filter = query
        .filter(staff.user.id, today)
        .map_err(WebError::BadForm)?;
    let by = Actor::Staff(staff.user.id);
    let csv = pages::blocking(&ctx, move |ctx| reports::register_csv(ctx, by, filter)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"register-{today}.csv\""),
        ))
        .body(csv))
}
