//! Figures and registers for lawyers, regulators and the board: `GET
//! /api/v1/reports/ccpa` (the CCPA's yearly metrics, § 7102), `GET
//! /api/v1/reports/register` (the register of requests as CSV) and `GET
//! /api/v1/dashboard` (the staff dashboard's figures).

use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::cases::{with_case_filters, ListQuery};
use super::ApiError;
use crate::app::AppContext;
use crate::domain::api_token::Scope;
use crate::service::reports::{self, YEARS};
use crate::service::{dashboard, record_api_read};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct YearQuery {
    /// The calendar year (this year where the organisation is, when left out).
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

/// One kind of request's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryFigures {
    /// know, delete, correct, opt_out or limit.
    pub category: String,
    pub received: u64,
    pub complied_in_whole_or_part: u64,
    pub denied: u64,
    /// Days from receipt to response, over the requests responded to.
    pub median_days: Option<f64>,
    pub mean_days: Option<f64>,
}

/// The § 7102 metrics of the CCPA requests received in a calendar year.
#[derive(Debug, Serialize, ToSchema)]
pub struct CcpaReport {
    pub year: i32,
    pub categories: Vec<CategoryFigures>,
}

/// The CCPA's yearly metrics (Cal. Code Regs. tit. 11, § 7102) for the
/// requests received in a calendar year; the report is recorded in the
/// admin trail.
#[utoipa::path(
    get,
    path = "/api/v1/reports/ccpa",
    tag = "reports",
    params(YearQuery),
    security(("token" = ["read"])),
    responses(
        (status = 200, description = "The figures", body = CcpaReport),
        (status = 400, description = "The year is not valid", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the read scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn ccpa(
    caller: Caller,
    query: web::Query<YearQuery>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Read)?;
    let year = query
        .year
        .unwrap_or_else(|| ctx.clock.today(ctx.settings.organisation.timezone).year());
    if !YEARS.contains(&year) {
        return Err(ApiError::BadRequest(format!(
            "year must be between {} and {}",
            YEARS.start(),
            YEARS.end()
        )));
    }
    let by = caller.actor();
    let ctx = ctx.into_inner();
    let figures = web::block(move || reports::ccpa(&ctx, by, year)).await??;
    Ok(HttpResponse::Ok().json(CcpaReport {
        year,
        categories: figures
            .into_iter()
            .map(|f| CategoryFigures {
                category: f.category.key().to_owned(),
                received: f.received,
                complied_in_whole_or_part: f.complied_in_whole_or_part,
                denied: f.denied,
                median_days: f.median_days,
                mean_days: f.mean_days,
            })
            .collect(),
    }))
}

with_case_filters! {
    /// The cases of the register: the queue's filters (the open cases when
    /// none is given).
    pub struct RegisterQuery {}
}

impl From<RegisterQuery> for ListQuery {
    fn from(q: RegisterQuery) -> ListQuery {
        ListQuery {
            status: q.status,
            right: q.right,
            regime: q.regime,
            assignee: q.assignee,
            due_within: q.due_within,
            overdue: q.overdue,
            q: q.q,
            after: None,
            limit: None,
        }
    }
}

/// The register of requests the filters select, as CSV in queue order:
/// reference, law, state, rights, dates and assignee; never names,
/// addresses or free text. The export is recorded in the admin trail.
#[utoipa::path(
    get,
    path = "/api/v1/reports/register",
    tag = "reports",
    params(RegisterQuery),
    security(("token" = ["read"])),
    responses(
        (status = 200, description = "The register", body = String, content_type = "text/csv"),
        (status = 400, description = "A filter is not valid", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the read scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn register(
    caller: Caller,
    query: web::Query<RegisterQuery>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Read)?;
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let (filter, _) = ListQuery::from(query.into_inner()).filter(today)?;
    let by = caller.actor();
    let ctx = ctx.into_inner();
    let csv = web::block(move || reports::register_csv(&ctx, by, filter)).await??;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"register-{today}.csv\""),
        ))
        .body(csv))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StateCount {
    #[schema(value_type = super::types::StateKey)]
    pub state: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RightCount {
    #[schema(value_type = super::types::RightKey)]
    pub right: String,
    /// Open cases exercising it.
    pub count: i64,
}

/// How long one law's cases took to answer, over the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct TurnaroundFigures {
    #[schema(value_type = super::types::RegimeKey)]
    pub regime: String,
    /// Cases answered (closed) in the period.
    pub closed: i64,
    /// Days from receipt to answer; null with no case closed.
    pub median_days: Option<i64>,
    pub p90_days: Option<i64>,
}

/// The staff dashboard's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardFigures {
    /// The day they are as of, where the organisation is.
    pub today: NaiveDate,
    /// Open cases.
    pub open: i64,
    /// Open cases due within seven days (the overdue included).
    pub due_within_week: i64,
    pub overdue: i64,
    /// Every state with its cases.
    pub by_state: Vec<StateCount>,
    /// Every right with the open cases exercising it.
    pub by_right: Vec<RightCount>,
    /// The first day of the turnaround period (the first of the month,
    /// eleven months ago).
    pub turnaround_since: NaiveDate,
    /// One per law the organisation answers under.
    pub turnaround: Vec<TurnaroundFigures>,
    /// Emails waiting to be sent, counted up to `mail.max_backlog`.
    pub mail_waiting: i64,
    /// True while that many wait: the public request form then refuses
    /// new requests (503) until the workers catch up.
    pub request_form_closed: bool,
}

/// The dashboard's figures: open cases by state and by right, due this
/// week, overdue, and per law the median and 90th-percentile days to
/// answer over the last twelve months.
#[utoipa::path(
    get,
    path = "/api/v1/dashboard",
    tag = "reports",
    security(("token" = ["read"])),
    responses(
        (status = 200, description = "The figures", body = DashboardFigures),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the read scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn dashboard(
    caller: Caller,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Read)?;
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let by = caller.actor();
    let ctx = ctx.into_inner();
    let d = web::block(move || -> Result<_, crate::service::ServiceError> {
        let d = dashboard::figures(&ctx, today)?;
        record_api_read(&ctx, by, serde_json::json!({ "what": "dashboard" }))?;
        Ok(d)
    })
    .await??;
    Ok(HttpResponse::Ok().json(DashboardFigures {
        today: d.today,
        open: d.open,
        due_within_week: d.due_week,
        overdue: d.overdue,
        by_state: d
            .by_state
            .iter()
            .map(|(s, n)| StateCount {
                state: s.key().to_owned(),
                count: *n,
            })
            .collect(),
        by_right: d
            .by_right
            .iter()
            .map(|(r, n)| RightCount {
                right: r.key().to_owned(),
                count: *n,
            })
            .collect(),
        turnaround_since: d.since,
        turnaround: d
            .turnaround
            .iter()
            .map(|t| TurnaroundFigures {
                regime: t.regime.key().to_owned(),
                closed: t.closed,
                median_days: t.median,
                p90_days: t.p90,
            })
            .collect(),
        mail_waiting: d.mail_waiting,
        request_form_closed: d.form_closed,
    }))
}
