//! What a completed request gives the requester, from their status page:
//! the receipt, `GET /status/{token}/receipt` (a page to read or print) and
//! `GET /status/{token}/receipt.json` (the same, to keep); and the data
//! package, `GET /status/{token}/package` (each download audited).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::status::access_problem_page;
use crate::app::AppContext;
use crate::domain::deadline::long;
use crate::service::receipt::{self, Receipt};
use crate::web::{pages, WebError};

async fn load(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    token: String,
) -> Result<Result<Receipt, HttpResponse>, WebError> {
    let found = pages::blocking(ctx, move |ctx| receipt::for_link(ctx, &token)).await?;
    match found {
        Ok(Some(receipt)) => Ok(Ok(receipt)),
        Ok(None) => Err(WebError::NotFound),
        Err(problem) => Ok(Err(access_problem_page(req, ctx, problem)?)),
    }
}

pub async fn page(
    req: HttpRequest,
    token: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let r = match load(&req, &ctx, token.clone()).await? {
        Ok(r) => r,
        Err(page) => return Ok(page),
    };
    #[derive(Serialize)]
    struct ReceiptPage<'a> {
        token: &'a str,
        receipt: &'a Receipt,
        received: Option<String>,
        completed: Option<String>,
        rights: Vec<RightLine<'a>>,
        systems: Vec<SystemLine<'a>>,
    }
    #[derive(Serialize)]
    struct RightLine<'a> {
        name: &'a str,
        outcome: &'a Option<String>,
        decided: Option<String>,
    }
    #[derive(Serialize)]
    struct SystemLine<'a> {
        system: &'a str,
        right: &'a str,
        answer: &'a Option<String>,
        basis: &'a Option<String>,
        answered: Option<String>,
    }
    let data = ReceiptPage {
        token: &token,
        receipt: &r,
        received: r.received_on.map(long),
        completed: r.completed_on.map(long),
        rights: r
            .rights
            .iter()
            .map(|x| RightLine {
                name: &x.name,
                outcome: &x.outcome,
                decided: x.decided_on.map(long),
            })
            .collect(),
        systems: r
            .systems
            .iter()
            .map(|x| SystemLine {
                system: &x.system,
                right: &x.right,
                answer: &x.answer,
                basis: &x.basis,
                answered: x.answered_on.map(long),
            })
            .collect(),
    };
    pages::render(
        &ctx,
        "receipt",
        "Receipt for your privacy request",
        data,
        StatusCode::OK,
        None,
    )
}

pub async fn json(
    req: HttpRequest,
    token: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let r = match load(&req, &ctx, token.into_inner()).await? {
        Ok(r) => r,
        Err(page) => return Ok(page),
    };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"receipt-{}.json\"", r.reference),
        ))
        .json(r))
}

/// `GET /status/{token}/package`: the requester's data package (audited).
pub async fn package(
    req: HttpRequest,
    token: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    use crate::service::packages::{self, Download};
    let token = token.into_inner();
    let found = pages::blocking(&ctx, move |ctx| packages::download(ctx, &token)).await?;
    match found {
        Err(problem) => access_problem_page(&req, &ctx, problem),
        Ok(Download::NoPackage) => Err(WebError::NotFound),
        Ok(Download::Expired) => pages::notice(
            &ctx,
            StatusCode::GONE,
            "Your data package has expired",
            format!(
                "We delete data packages after {} days, so that copies of your data do not stay with us longer than needed. Write to {} if you need it again.",
                ctx.settings.fulfilment.package_days, ctx.settings.organisation.email
            ),
            crate::web::pages::Notice::default(),
            None,
        ),
        Ok(Download::Ready { file_name, bytes }) => Ok(HttpResponse::Ok()
            .content_type("application/zip")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{file_name}\""),
            ))
            .body(bytes)),
    }
}
