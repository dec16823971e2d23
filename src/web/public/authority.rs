//! The person named on an agent's request confirms or denies the agent:
//! `GET /authority/{token}` only shows the question (mail scanners open
//! links); its buttons post the answer to `POST /authority/{token}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::app::AppContext;
use crate::service::agents::{self, Check};
use crate::web::{csrf, pages, WebError};

/// Asks the person a request names whether its agent acts for them.
#[derive(Serialize)]
struct AuthorityPage<'a> {
    agent_name: &'a str,
    reference: &'a str,
    token: &'a str,
    csrf_token: &'a str,
}

fn answered(ctx: &AppContext, decision: &str) -> Result<HttpResponse, WebError> {
    let message = if decision == "confirmed" {
        "Thank you. You told us they act for you; we will deal with them on your request."
    } else {
        "Thank you. You told us you did not authorise them: we will not give them any of your information, and our privacy team has been told."
    };
    pages::notice(
        ctx,
        StatusCode::OK,
        "We have your answer",
        message.into(),
        crate::web::pages::Notice::default(),
        None,
    )
}

fn unusable(ctx: &AppContext) -> Result<HttpResponse, WebError> {
    pages::notice(
        ctx,
        StatusCode::NOT_FOUND,
        "This link does not work",
        format!(
            "It may have expired. If someone has made a request in your name without your permission, write to {}.",
            ctx.settings.organisation.email
        ),
        crate::web::pages::Notice::default(),
        None,
    )
}

pub async fn get(
    req: HttpRequest,
    token: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let t = token.clone();
    let check = pages::blocking(&ctx, move |ctx| agents::check(ctx, &t)).await?;
    match check {
        Check::Open { case } => {
            let (csrf_token, cookie) = csrf::token(&req, pages::secure_cookies(&ctx));
            pages::render(
                &ctx,
                "authority",
                "Does this person act for you?",
                AuthorityPage {
                    agent_name: case.agent_name.as_deref().unwrap_or_default(),
                    reference: case.reference.as_str(),
                    token: &token,
                    csrf_token: &csrf_token,
                },
                StatusCode::OK,
                cookie,
            )
        }
        Check::Answered { decision } => answered(&ctx, &decision),
        Check::Unusable => unusable(&ctx),
    }
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    decision: String,
}

pub async fn post(
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<DecisionForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, &form.csrf_token)?;
    let confirmed = match form.decision.as_str() {
        "confirmed" => true,
        "denied" => false,
        _ => return Err(WebError::BadForm("choose one of the two buttons".into())),
    };
    let token = token.into_inner();
    let outcome = pages::blocking(&ctx, move |ctx| agents::decide(ctx, &token, confirmed)).await?;
    match outcome {
        Check::Answered { decision } => answered(&ctx, &decision),
        _ => unusable(&ctx),
    }
}
