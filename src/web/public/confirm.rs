//! Confirmation links. `GET /confirm/{token}` only shows a page (mail
//! scanners open links); its button posts to `POST /confirm/{token}`, which
//! spends the token. `POST /confirm/{token}/resend` sends a fresh link.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::app::AppContext;
use crate::domain::deadline::long;
use crate::domain::Reference;
use crate::service::intake::{self, ConfirmOutcome, LinkInfo, LinkState, ResendOutcome};
use crate::web::csrf::{self, CsrfForm};
use crate::web::pages::Notice;
use crate::web::{pages, WebError};

#[derive(Serialize)]
struct ConfirmPage<'a> {
    /// Filed by someone acting for the person it is about.
    for_another: bool,
    reference: &'a str,
    token: &'a str,
    csrf_token: &'a str,
}

#[derive(Serialize)]
struct Confirmed<'a> {
    reference: &'a str,
    due: Option<String>,
    opt_out_due: Option<String>,
    verification: &'static str,
}

pub async fn get(
    req: HttpRequest,
    token: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let lookup = token.clone();
    let info = pages::blocking(&ctx, move |ctx| intake::inspect_link(ctx, &lookup)).await?;
    let (csrf_token, cookie) = csrf::token(&req, pages::secure_cookies(&ctx));
    match info {
        Some(LinkInfo {
            state: LinkState::Valid,
            reference,
            for_another,
        }) => pages::render(
            &ctx,
            "confirm",
            "Confirm your email address",
            ConfirmPage {
                for_another,
                reference: reference.as_str(),
                token: &token,
                csrf_token: &csrf_token,
            },
            StatusCode::OK,
            cookie,
        ),
        other => link_problem(&ctx, other, &token, &csrf_token, cookie),
    }
}

pub async fn post(
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<CsrfForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, &form.csrf_token)?;
    let token = token.into_inner();
    let spend = token.clone();
    let outcome = pages::blocking(&ctx, move |ctx| intake::confirm_email(ctx, &spend)).await?;
    match outcome {
        ConfirmOutcome::Confirmed {
            reference,
            deadline,
        } => pages::render(
            &ctx,
            "confirmed",
            "Your request has started",
            Confirmed {
                reference: reference.as_str(),
                due: deadline.due.map(long),
                opt_out_due: deadline.opt_out_due.map(long),
                verification: deadline.regime.rules().verification_notice,
            },
            StatusCode::OK,
            None,
        ),
        ConfirmOutcome::NotConfirmed(info) => {
            link_problem(&ctx, info, &token, &form.csrf_token, None)
        }
    }
}

pub async fn resend(
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<CsrfForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, &form.csrf_token)?;
    let token = token.into_inner();
    let old = token.clone();
    let outcome = pages::blocking(&ctx, move |ctx| intake::resend_link(ctx, &old)).await?;
    let hours = ctx.settings.requests.confirm_link_ttl_hours;
    match outcome {
        ResendOutcome::Sent { reference } => pages::notice(
            &ctx,
            StatusCode::OK,
            "We have sent you a new link",
            format!("Check your email for a new link to confirm request {reference}. It works for {hours} hours."),
            Notice {
                reference: Some(reference.as_str()),
                ..Notice::default()
            },
            None,
        ),
        ResendOutcome::TooMany { reference } => pages::notice(
            &ctx,
            StatusCode::TOO_MANY_REQUESTS,
            "We have already sent several links",
            format!(
                "To protect your inbox we send at most {} links an hour, and {} in all, for one request. Use the newest link we sent for {reference}, try again in an hour, or make a new request.",
                intake::MAX_LINKS_PER_HOUR,
                intake::MAX_LINKS
            ),
            Notice {
                reference: Some(reference.as_str()),
                start_again: true,
                ..Notice::default()
            },
            None,
        ),
        ResendOutcome::NotApplicable(info) => {
            link_problem(&ctx, info, &token, &form.csrf_token, None)
        }
    }
}

/// The page for a link that cannot confirm anything now, saying why and what
/// to do instead.
fn link_problem(
    ctx: &AppContext,
    info: Option<LinkInfo>,
    token: &str,
    csrf_token: &str,
    cookie: Option<actix_web::cookie::Cookie<'static>>,
) -> Result<HttpResponse, WebError> {
    let hours = ctx.settings.requests.confirm_link_ttl_hours;
    let days = ctx.settings.requests.unconfirmed_expiry_days;
    fn about(reference: &Reference) -> Notice<'_> {
        Notice {
            reference: Some(reference.as_str()),
            ..Notice::default()
        }
    }
    let (status, title, message, extra) = match &info {
        None => (
            StatusCode::NOT_FOUND,
            "We cannot find this link",
            "The link may be incomplete: check that you copied all of it from the email. If it still does not work, make a new request.".to_owned(),
            Notice {
                start_again: true,
                ..Notice::default()
            },
        ),
        Some(LinkInfo { state: LinkState::Valid, reference, .. }) => (
            StatusCode::OK,
            "Confirm your email address",
            format!("Request {reference} is waiting for you to confirm your email address."),
            about(reference),
        ),
        Some(LinkInfo { state: LinkState::AlreadyConfirmed, reference, .. }) => (
            StatusCode::OK,
            "Your email address is already confirmed",
            format!("This link has already been used. Request {reference} has started, and we have emailed you its details and due date."),
            about(reference),
        ),
        Some(LinkInfo { state: LinkState::Expired, reference, .. }) => (
            StatusCode::GONE,
            "This link has expired",
            format!("Links to confirm your email work for {hours} hours, and this one has run out. Request {reference} has not started yet: we can send you a new link."),
            Notice {
                can_resend: true,
                token: Some(token),
                csrf_token: Some(csrf_token),
                ..about(reference)
            },
        ),
        Some(LinkInfo { state: LinkState::RequestClosed, reference, .. }) => (
            StatusCode::GONE,
            "This request has expired",
            format!("Request {reference} was not confirmed within {days} days, so it was closed. To use your rights, please make a new request."),
            Notice {
                start_again: true,
                ..about(reference)
            },
        ),
    };
    pages::notice(ctx, status, title, message, extra, cookie)
}
