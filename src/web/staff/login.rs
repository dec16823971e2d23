//! Logging in and out, and the single-use links that set a password: the
//! first admin's setup link and invitations.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{see_other, Staff};
use crate::app::AppContext;
use crate::service::accounts::{self, LinkCheck, Login};
use crate::web::{csrf, pages, WebError};

#[derive(Serialize)]
struct LoginPage<'a> {
    email: &'a str,
    next: &'a str,
    failed: bool,
    csrf_token: &'a str,
    has_errors: bool,
}

/// Choosing a password: the first admin's set-up, or an invitation.
#[derive(Serialize)]
struct SetupPage<'a> {
    token: &'a str,
    first_admin: bool,
    email: &'a str,
    name: &'a str,
    error: Option<String>,
    has_errors: bool,
    min_chars: usize,
    csrf_token: &'a str,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only our own staff pages are valid places to return to.
fn safe_next(next: &str) -> &str {
    let ok = next.starts_with("/staff") && !next.starts_with("//") && !next.contains('\\');
    if ok {
        next
    } else {
        "/staff"
    }
}

fn login_page(
    req: &HttpRequest,
    ctx: &AppContext,
    email: &str,
    next: &str,
    failed: bool,
) -> Result<HttpResponse, WebError> {
    let (token, cookie) = csrf::token(req, pages::secure_cookies(ctx));
    let status = if failed {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    pages::render(
        ctx,
        "staff/login",
        "Staff login",
        LoginPage {
            email,
            next: safe_next(next),
            failed,
            csrf_token: &token,
            has_errors: failed,
        },
        status,
        cookie,
    )
}

pub async fn get(
    req: HttpRequest,
    query: web::Query<NextQuery>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    login_page(&req, &ctx, "", &query.next, false)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn post(
    req: HttpRequest,
    session: Session,
    form: web::Form<LoginForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, &form.csrf_token)?;
    let form = form.into_inner();
    let (email, password) = (form.email.clone(), form.password);
    let client = crate::web::rate_limit::ClientIp::new(ctx.settings.server.trusted_proxies.clone())
        .of_request(&req);
    let outcome = pages::blocking(&ctx, move |ctx| {
        accounts::login(ctx, &email, &password, &client)
    })
    .await?;
    match outcome {
        Login::Ok(user) => {
            auth_start(&session, &ctx, &user)?;
            log::info!("user {} logged in", user.id.0);
            Ok(see_other(safe_next(&form.next)))
        }
        Login::Refused => login_page(&req, &ctx, &form.email, &form.next, true),
    }
}

fn auth_start(
    session: &Session,
    ctx: &AppContext,
    user: &crate::db::users::User,
) -> Result<(), WebError> {
    super::auth::start(session, user, ctx.clock.now().timestamp())
}

/// Ends every session of the account (this browser's and any other's).
pub async fn logout(
    session: Session,
    staff: Staff,
    form: web::Form<csrf::CsrfForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.verify_csrf(&form.csrf_token)?;
    let id = staff.user.id;
    pages::blocking(&ctx, move |ctx| accounts::logout(ctx, id)).await?;
    session.purge();
    log::info!("user {} logged out", id.0);
    Ok(see_other("/staff/login"))
}

fn setup_page(
    req: &HttpRequest,
    ctx: &AppContext,
    token: &str,
    check: &LinkCheck,
    values: (&str, &str),
    error: Option<String>,
) -> Result<HttpResponse, WebError> {
    let (csrf_token, cookie) = csrf::token(req, pages::secure_cookies(ctx));
    let (title, first_admin, email, name) = match check {
        LinkCheck::Setup => ("Set up the first admin account", true, values.0, values.1),
        LinkCheck::Invite { email, name } => {
            ("Choose your password", false, email.as_str(), name.as_str())
        }
        LinkCheck::Unusable => return pages::notice(
            ctx,
            StatusCode::GONE,
            "This link no longer works",
            "Set-up and invitation links work once and expire. Ask an admin to invite you again."
                .into(),
            crate::web::pages::Notice::default(),
            cookie,
        ),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    pages::render(
        ctx,
        "staff/setup",
        title,
        SetupPage {
            token,
            first_admin,
            email,
            name,
            has_errors: error.is_some(),
            error,
            min_chars: crate::domain::staff::MIN_PASSWORD_CHARS,
            csrf_token: &csrf_token,
        },
        status,
        cookie,
    )
}

pub async fn setup_get(
    req: HttpRequest,
    token: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let t = token.clone();
    let check = pages::blocking(&ctx, move |ctx| accounts::check_link(ctx, &t)).await?;
    setup_page(&req, &ctx, &token, &check, ("", ""), None)
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

pub async fn setup_post(
    req: HttpRequest,
    session: Session,
    token: web::Path<String>,
    form: web::Form<SetupForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, &form.csrf_token)?;
    let token = token.into_inner();
    let form = form.into_inner();
    let t = token.clone();
    let check = pages::blocking(&ctx, move |ctx| accounts::check_link(ctx, &t)).await?;
    if check != LinkCheck::Unusable && form.password != form.password_again {
        return setup_page(
            &req,
            &ctx,
            &token,
            &check,
            (&form.email, &form.name),
            Some("The two passwords are different; type the same one twice".into()),
        );
    }
    let (t, email, name, password) = (
        token.clone(),
        form.email.clone(),
        form.name.clone(),
        form.password.clone(),
    );
    let result = pages::blocking(&ctx, move |ctx| {
        accounts::use_link(ctx, &t, &email, &name, &password)
    })
    .await?;
    match result {
        Ok(user) => {
            auth_start(&session, &ctx, &user)?;
            Ok(see_other("/staff"))
        }
        Err(e) => setup_page(
            &req,
            &ctx,
            &token,
            &check,
            (&form.email, &form.name),
            Some(e.to_string()),
        ),
    }
}
