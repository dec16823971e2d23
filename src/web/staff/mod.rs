//! The staff workspace under `/staff`: login, the case queue, case pages and
//! their actions, manual intake, the dashboard and account management. Every
//! handler takes a [`Staff`] (or redirects to login) and checks the role the
//! route needs; every form carries the CSRF token.

pub mod audit;
pub mod auth;
pub mod calendars;
pub mod case;
pub mod dashboard;
pub mod drp;
pub mod intake;
pub mod login;
pub mod queue;
pub mod reports;
pub mod settings;
pub mod suppression;
pub mod systems;
pub mod texts;
pub mod tokens;
pub mod users;
pub mod webhooks;

use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::{Key, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::Value;

pub use auth::Staff;

use crate::app::AppContext;
use crate::web::{pages, WebError};

pub const COOKIE: &str = "rd_staff";

/// The session middleware: private (encrypted and signed) cookies, scoped
/// to `/staff`, HTTP-only, `SameSite=Lax` so links in digest emails open
/// the page logged in, and `Secure` when served over https.
pub fn session(key: Key, secure: bool) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(COOKIE.to_owned())
        .cookie_path("/staff".to_owned())
        .cookie_http_only(true)
        .cookie_secure(secure)
        .cookie_same_site(SameSite::Lax)
        .cookie_content_security(CookieContentSecurity::Private)
        .build()
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/staff/login", web::get().to(login::get))
        .route("/staff/login", web::post().to(login::post))
        .route("/staff/logout", web::post().to(login::logout))
        .route("/staff/setup/{token}", web::get().to(login::setup_get))
        .route("/staff/setup/{token}", web::post().to(login::setup_post))
        .route("/staff", web::get().to(queue::get))
        .route("/staff/dashboard", web::get().to(dashboard::get))
        .route("/staff/cases/new", web::get().to(intake::get))
        .route("/staff/cases", web::post().to(intake::post))
        .route("/staff/cases/assign", web::post().to(queue::bulk_assign))
        .route("/staff/cases/{reference}", web::get().to(case::get))
        .route(
            "/staff/cases/{reference}/actions",
            web::post().to(case::post),
        )
        .route(
            "/staff/cases/{reference}/documents/{id}",
            web::get().to(case::document),
        )
        .route("/staff/settings/verification", web::get().to(settings::get))
        .route(
            "/staff/settings/verification",
            web::post().to(settings::post),
        )
        .route("/staff/audit", web::get().to(audit::get))
        .route("/staff/suppression", web::get().to(suppression::get))
        .route("/staff/suppression", web::post().to(suppression::check))
        .route("/staff/texts", web::get().to(texts::get))
        .route("/staff/texts", web::post().to(texts::post))
        .route("/staff/calendars", web::get().to(calendars::get))
        .route("/staff/calendars", web::post().to(calendars::post))
        .route("/staff/systems", web::get().to(systems::get))
        .route("/staff/systems", web::post().to(systems::add))
        .route("/staff/systems/{id}", web::post().to(systems::update))
        .route("/staff/tokens", web::get().to(tokens::get))
        .route("/staff/tokens", web::post().to(tokens::create))
        .route("/staff/tokens/{id}/revoke", web::post().to(tokens::revoke))
        .route("/staff/drp", web::get().to(drp::get))
        .route("/staff/drp", web::post().to(drp::add))
        .route("/staff/drp/{id}/active", web::post().to(drp::set_active))
        .route("/staff/webhooks", web::get().to(webhooks::get))
        .route("/staff/webhooks", web::post().to(webhooks::add))
        .route(
            "/staff/webhooks/{id}/active",
            web::post().to(webhooks::set_active),
        )
        .route(
            "/staff/webhooks/deliveries/{id}/retry",
            web::post().to(webhooks::retry),
        )
        .route("/staff/reports", web::get().to(reports::get))
        .route("/staff/reports/ccpa.csv", web::get().to(reports::ccpa_csv))
        .route(
            "/staff/reports/register.csv",
            web::get().to(reports::register_csv),
        )
        .route("/staff/users", web::get().to(users::get))
        .route("/staff/users", web::post().to(users::invite))
        .route("/staff/users/{id}", web::post().to(users::update))
        .route(
            "/staff/users/{id}/password-link",
            web::post().to(users::password_link),
        )
        .route(
            "/staff/users/{id}/clear-logins",
            web::post().to(users::clear_logins),
        );
}

/// Renders a staff page: adds who is logged in, what their role allows,
/// and the CSRF token every form (and the logout button) needs.
pub fn render(
    req: &HttpRequest,
    ctx: &AppContext,
    staff: &Staff,
    page: &str,
    title: &str,
    data: impl serde::Serialize,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let _ = req;
    let mut data = serde_json::to_value(data).map_err(|e| WebError::Internal(e.into()))?;
    if let Some(map) = data.as_object_mut() {
        /// Who is logged in, as the staff layout shows it.
        #[derive(Serialize)]
        struct Me<'a> {
            name: &'a str,
            role: &'static str,
            can_work: bool,
            can_admin: bool,
        }
        let me = Me {
            name: &staff.user.name,
            role: staff.user.role.key(),
            can_work: staff.user.role.can_work_cases(),
            can_admin: staff.user.role.can_administer(),
        };
        map.insert(
            "me".into(),
            serde_json::to_value(me).map_err(|e| WebError::Internal(e.into()))?,
        );
        // Bound to the session: another session's token does not pass.
        map.insert("csrf_token".into(), staff.csrf_token.clone().into());
        map.entry("flash").or_insert(Value::Null);
        map.entry("error").or_insert(Value::Null);
    }
    pages::render(ctx, page, title, data, status, None)
}

/// A redirect after a successful POST (so a reload does not repeat it).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location.to_owned()))
        .finish()
}
