//! The Data Rights Protocol's endpoints (section 2 of the specification),
//! for authorised agents: `POST`/`GET /v1/agent/{agent-id}`,
//! `POST /v1/data-rights-request`, `GET` and `DELETE
//! /v1/data-rights-request/{request_id}`. Signed bodies are text/plain;
//! answers are JSON, errors `{"code", "message", "fatal"}` (section 3.06).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::app::AppContext;
use crate::db::drp::Agent;
use crate::domain::drp::Refusal;
use crate::service::drp::{self, Lookup, Revoked};

/// An error as section 3.06 shapes it.
pub fn error(status: u16, message: &str, fatal: bool) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    HttpResponse::build(status).json(json!({
        "code": status.as_u16().to_string(),
        "message": message,
        "fatal": fatal,
    }))
}

fn refused(refusal: &Refusal) -> HttpResponse {
    error(refusal.status(), &refusal.to_string(), refusal.fatal())
}

fn server_error(e: &dyn std::fmt::Display) -> HttpResponse {
    log::error!("DRP: {e}");
    error(
        500,
        "Something went wrong on our side; try again later",
        false,
    )
}

fn off() -> HttpResponse {
    error(
        404,
        "This business takes no Data Rights Protocol requests here",
        true,
    )
}

fn lookup(l: Lookup) -> HttpResponse {
    match l {
        Lookup::NotFound => error(404, "No request has this request_id", true),
        Lookup::Foreign => error(403, "This request is another agent's", true),
    }
}

/// The agent the request's bearer token was given to, or the answer to
/// give instead.
async fn bearer(req: &HttpRequest, ctx: &web::Data<AppContext>) -> Result<Agent, HttpResponse> {
    if drp::business_id(ctx).is_none() {
        return Err(off());
    }
    let token = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        });
    let Some(token) = token else {
        return Err(error(
            403,
            "Send the bearer token the pair-wise key set-up gave you (Authorization: Bearer ...)",
            false,
        ));
    };
    let ctx = ctx.clone();
    match web::block(move || drp::agent_for_token(&ctx, &token)).await {
        Ok(Ok(Some(agent))) => Ok(agent),
        Ok(Ok(None)) => Err(error(
            403,
            "The bearer token is not valid: set up a new one with POST /v1/agent/{agent-id}",
            false,
        )),
        Ok(Err(e)) => Err(server_error(&e)),
        Err(e) => Err(server_error(&e)),
    }
}

/// `POST /v1/agent/{agent-id}`: pair-wise key set-up (section 2.05).
async fn pair(
    path: web::Path<String>,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> HttpResponse {
    let agent_id = path.into_inner();
    let id = agent_id.clone();
    let ctx = ctx.into_inner();
    match web::block(move || drp::pair(&ctx, &id, &body)).await {
        Ok(Ok(Some(token))) => HttpResponse::Ok().json(json!({
            "agent-id": agent_id,
            "token": token,
        })),
        // The specification: 403 with no body.
        Ok(Ok(None)) => HttpResponse::Forbidden().finish(),
        Ok(Err(e)) => server_error(&e),
        Err(e) => server_error(&e),
    }
}

/// `GET /v1/agent/{agent-id}`: whether the token still works (section 2.06).
async fn agent_info(
    req: HttpRequest,
    path: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> HttpResponse {
    match bearer(&req, &ctx).await {
        Ok(agent) if agent.agent_id == *path => HttpResponse::Ok().json(json!({})),
        Ok(_) => error(403, "The token is another agent's", false),
        Err(response) => response,
    }
}

/// `POST /v1/data-rights-request`: a request to exercise a right.
async fn exercise(req: HttpRequest, body: web::Bytes, ctx: web::Data<AppContext>) -> HttpResponse {
    let agent = match bearer(&req, &ctx).await {
        Ok(agent) => agent,
        Err(response) => return response,
    };
    let ctx = ctx.into_inner();
    match web::block(move || drp::exercise(&ctx, &agent, &body)).await {
        Ok(Ok(Ok(status))) => HttpResponse::Ok().json(status),
        Ok(Ok(Err(refusal))) => refused(&refusal),
        Ok(Err(e)) => server_error(&e),
        Err(e) => server_error(&e),
    }
}

/// `GET /v1/data-rights-request/{request_id}`: a request's status.
async fn status(
    req: HttpRequest,
    path: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> HttpResponse {
    let agent = match bearer(&req, &ctx).await {
        Ok(agent) => agent,
        Err(response) => return response,
    };
    let ctx = ctx.into_inner();
    let id = path.into_inner();
    match web::block(move || drp::status(&ctx, &agent, &id)).await {
        Ok(Ok(Ok(status))) => HttpResponse::Ok().json(status),
        Ok(Ok(Err(l))) => lookup(l),
        Ok(Err(e)) => server_error(&e),
        Err(e) => server_error(&e),
    }
}

/// `DELETE /v1/data-rights-request/{request_id}`: revoke (section 2.04).
async fn revoke(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> HttpResponse {
    let agent = match bearer(&req, &ctx).await {
        Ok(agent) => agent,
        Err(response) => return response,
    };
    let ctx = ctx.into_inner();
    let id = path.into_inner();
    match web::block(move || drp::revoke(&ctx, &agent, &id, &body)).await {
        Ok(Ok(Revoked::Done(status))) => HttpResponse::Ok().json(status),
        Ok(Ok(Revoked::Missing(l))) => lookup(l),
        Ok(Ok(Revoked::Refused(refusal))) => refused(&refusal),
        Ok(Ok(Revoked::TooLate(status))) => error(
            409,
            &format!(
                "The request can no longer be revoked: it is {}",
                serde_json::to_value(status.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            ),
            true,
        ),
        Ok(Err(e)) => server_error(&e),
        Err(e) => server_error(&e),
    }
}

fn only(path: &str, allowed: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move {
        let mut response = error(405, &format!("This address takes {allowed}"), true);
        if let Ok(value) = actix_web::http::header::HeaderValue::from_str(allowed) {
            response
                .headers_mut()
                .insert(actix_web::http::header::ALLOW, value);
        }
        response
    }))
}

/// The DRP's routes.
pub fn scope() -> actix_web::Scope {
    web::scope("/v1")
        // Bodies are read whole, within `server.max_body_bytes`, by the body
        // middleware.
        .app_data(web::PayloadConfig::default().limit(1024 * 1024))
        .service(
            only("/agent/{agent_id}", "GET, POST")
                .route(web::post().to(pair))
                .route(web::get().to(agent_info)),
        )
        .service(only("/data-rights-request", "POST").route(web::post().to(exercise)))
        // Before 0.9.3 the address had a trailing slash; agents may still send it.
        .service(only("/data-rights-request/", "POST").route(web::post().to(exercise)))
        .service(
            only("/data-rights-request/{request_id}", "GET, DELETE")
                .route(web::get().to(status))
                .route(web::delete().to(revoke)),
        )
        .default_service(web::to(|| async {
            error(
                404,
                "Nothing is at this address in the Data Rights Protocol",
                true,
            )
        }))
}
