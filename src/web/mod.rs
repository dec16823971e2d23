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
pub mod view;

use actix_web::middleware::{DefaultHeaders, Logger};
use actix_web::{web, HttpResponse};

pub use errors::WebError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(public::home::get))
        .route("/requests/new", web::get().to(public::request_form::get))
        .route(
            "/requests/new",
            web::post().to(public::request_form::revise),
        )
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
/// Reads a url-encoded form body (repeated fields into lists), or says it
/// is malformed.
pub fn form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, WebError> {
    serde_html_form::from_bytes(body)
        .map_err(|_| WebError::BadForm("the form data is malformed".into()))
}

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

#[cfg(test)]
mod layering {
    use std::path::{Path, PathBuf};

    fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/web") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }

    /// Whether a line (comments aside) reaches into the database: opens a
    /// connection, calls a `db::` function, or imports a `db` module (to
    /// call its functions). Its types (rows, ids) may be named.
    fn reaches_the_database(line: &str) -> bool {
        let code = line.split("//").next().unwrap_or("");
        if code.contains("pool.get()") {
            return true;
        }
        let calls = code.match_indices("db::").any(|(at, _)| {
            let rest = &code[at + 4..];
            let path: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_' || *c == ':')
                .collect();
            rest[path.len()..].starts_with('(')
        });
        let imports_module = code.trim_start().starts_with("use crate::db")
            && (code.contains("self")
                || code
                    .trim_end()
                    .trim_end_matches(';')
                    .rsplit("::")
                    .next()
                    .is_some_and(|last| last.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
        calls || imports_module
    }

    #[test]
    fn the_check_finds_what_it_looks_for() {
        assert!(reaches_the_database("let mut conn = ctx.pool.get()?;"));
        assert!(reaches_the_database(
            "crate::db::tasks::overdue_among(&mut conn, &ids)?"
        ));
        assert!(reaches_the_database("let now = db::timestamp(now);"));
        assert!(reaches_the_database("use crate::db::webhooks;"));
        assert!(reaches_the_database("use crate::db::users::{self, User};"));
        assert!(!reaches_the_database(
            "use crate::db::users::{User, UserId};"
        ));
        assert!(!reaches_the_database("case: &crate::db::cases::Case,"));
        assert!(!reaches_the_database("// db::ping(&mut conn) in a comment"));
    }

    /// Handlers go through the service layer for every read and write:
    /// none opens a connection or calls into `db` itself.
    #[test]
    fn no_handler_reaches_into_the_database() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web"),
            &mut files,
        );
        let mut found = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).expect("a source file");
            // This check's own examples are not handlers.
            let text = text.split("mod layering {").next().unwrap_or("");
            for (n, line) in text.lines().enumerate() {
                if reaches_the_database(line) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
        assert!(
            found.is_empty(),
            "web/ must call the service layer, not db:\n{}",
            found.join("\n")
        );
    }
}
