//! The HTTP layer: routes, security headers, request logging without
//! personal data, and the mapping of errors to pages.

pub mod api;
pub mod body;
pub mod csrf;
pub mod drp;
pub mod errors;
pub mod health;
pub mod multipart;
pub mod pages;
pub mod public;
pub mod rate_limit;
pub mod staff;

use actix_web::middleware::{DefaultHeaders, Logger};
use actix_web::{web, HttpResponse};

pub use errors::WebError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(public::home::get))
        .route("/requests/new", web::get().to(public::request_form::get))
        .route("/requests", web::post().to(public::request_form::post))
        .route(
            "/requests/submitted",
            web::get().to(public::request_form::submitted),
        )
        .route("/confirm/{token}", web::get().to(public::confirm::get))
        .route("/confirm/{token}", web::post().to(public::confirm::post))
        .route(
            "/confirm/{token}/resend",
            web::post().to(public::confirm::resend),
        )
        .route("/requests/status", web::get().to(public::status::link_form))
        .route(
            "/requests/status",
            web::post().to(public::status::send_link),
        )
        .route("/status/{token}", web::get().to(public::status::get))
        .route("/authority/{token}", web::get().to(public::authority::get))
        .route(
            "/authority/{token}",
            web::post().to(public::authority::post),
        )
        .route(
            "/status/{token}/reply",
            web::post().to(public::status::reply),
        )
        .route(
            "/status/{token}/details",
            web::post().to(public::status::details),
        )
        .route(
            "/status/{token}/documents",
            web::post().to(public::documents::post),
        )
        .route(
            "/status/{token}/withdraw",
            web::get().to(public::status::withdraw_form),
        )
        .route(
            "/status/{token}/withdraw",
            web::post().to(public::status::withdraw),
        )
        .route(
            "/status/{token}/receipt",
            web::get().to(public::receipt::page),
        )
        .route(
            "/status/{token}/receipt.json",
            web::get().to(public::receipt::json),
        )
        .route(
            "/status/{token}/package",
            web::get().to(public::receipt::package),
        )
        .route("/tasks/{token}", web::get().to(public::task::get))
        .route("/tasks/{token}", web::post().to(public::task::post))
        .configure(staff::routes)
        .route("/healthz", web::get().to(health::get))
        .route("/static/app.css", web::get().to(stylesheet))
        .default_service(web::to(not_found));
}

const STYLESHEET: &str = include_str!("../../templates/assets/app.css");

async fn stylesheet(ctx: web::Data<crate::app::AppContext>) -> HttpResponse {
    let rights = public::request_form::rights_css(&ctx.jurisdiction);
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(format!("{STYLESHEET}{rights}"))
}

async fn not_found() -> Result<HttpResponse, WebError> {
    Err(WebError::NotFound)
}

/// Headers every response carries. Pages hold personal data and links
/// carry tokens: nothing is cached, no referrer leaves, no framing; served
/// over https, browsers are told to use nothing else (HSTS).
pub fn security_headers(https: bool) -> DefaultHeaders {
    let headers = if https {
        DefaultHeaders::new().add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        DefaultHeaders::new()
    };
    headers
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        .add(("Cache-Control", "no-store"))
}

/// Answers `HEAD` as `GET` is answered (the server sends the headers
/// only): every page and API read that takes GET takes HEAD too.
pub async fn head_as_get(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

/// Logs method, route pattern (never the path: it may hold a token), status
/// and time. Never bodies, query strings, emails or cookies.
pub fn request_logger() -> Logger {
    Logger::new("%{method}xi %{route}xi %s %Dms")
        .custom_request_replace("method", |req| req.method().to_string())
        .custom_request_replace("route", |req| {
            req.match_pattern().unwrap_or_else(|| "(unmatched)".into())
        })
}
