//! `GET /api/v1/reports/ccpa`: the CCPA's yearly metrics (§ 7102).

use actix_web::{web, HttpResponse};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::ApiError;
use crate::app::AppContext;
use crate::domain::api_token::Scope;
use crate::service::reports::{self, YEARS};

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
