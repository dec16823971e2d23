//! Account management for admins: `GET /staff/users` lists accounts,
//! `POST /staff/users` invites someone by email, `POST /staff/users/{id}`
//! changes a role or disables (or re-enables) an account.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{render, see_other, Staff};
use crate::app::AppContext;
use crate::db::users::UserId;
use crate::domain::Role;
use crate::service::accounts;
use crate::web::view::Opt;
use crate::web::{csrf, pages, WebError};

/// The accounts page.
#[derive(Serialize)]
struct UsersPage<'a> {
    users: Vec<Account<'a>>,
    /// The invitation form's roles.
    roles: Vec<Opt<'static>>,
    error: Option<String>,
}

#[derive(Serialize)]
struct Account<'a> {
    id: i64,
    name: &'a str,
    email: &'a str,
    role: &'static str,
    active: bool,
    invited: bool,
    me: bool,
    failed_logins: Option<i64>,
    last_login: Option<String>,
    roles: Vec<Opt<'static>>,
}

fn roles(selected: Role) -> Vec<Opt<'static>> {
    Opt::list(
        Role::ALL.iter().map(|r| (r.key(), r.label())),
        selected.key(),
    )
}

async fn page(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    staff: &Staff,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let accounts::Accounts {
        users: list,
        throttled,
    } = pages::blocking(ctx, accounts::accounts).await?;
    let tz = ctx.settings.organisation.timezone;
    let rows: Vec<_> = list
        .iter()
        .map(|u| Account {
            id: u.id.0,
            name: &u.name,
            email: &u.email,
            role: u.role.key(),
            active: u.active,
            invited: u.password_hash.is_none(),
            me: u.id == staff.user.id,
            failed_logins: throttled
                .iter()
                .find(|(id, _)| *id == u.id)
                .map(|(_, n)| *n),
            last_login: u.last_login_at.map(|t| {
                t.and_utc()
                    .with_timezone(&tz)
                    .format("%-d %b %Y %H:%M")
                    .to_string()
            }),
            roles: roles(u.role),
        })
        .collect();

    render(
        req,
        ctx,
        staff,
        "staff/users",
        "Staff accounts",
        UsersPage {
            users: rows,
            roles: roles(Role::Agent),
            error,
        },
        status,
    )
}

pub async fn get(
    req: HttpRequest,
    staff: Staff,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.must_administer()?;
    page(&req, &ctx, &staff, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

pub async fn invite(
    req: HttpRequest,
    staff: Staff,
    form: web::Form<InviteForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_administer()?;
    let form = form.into_inner();
    let Ok(role) = form.role.parse::<Role>() else {
        return page(
            &req,
            &ctx,
            &staff,
            Some("Choose a role".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let by = staff.user.clone();
    let result = pages::blocking(&ctx, move |ctx| {
        accounts::invite(ctx, &by, &form.email, &form.name, role)
    })
    .await?;
    match result {
        Ok(_) => Ok(see_other("/staff/users")),
        Err(e) => {
            page(
                &req,
                &ctx,
                &staff,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    role: String,
    /// "1" for active, anything else for disabled.
    #[serde(default)]
    active: String,
}

pub async fn update(
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<UpdateForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_administer()?;
    let Ok(role) = form.role.parse::<Role>() else {
        return page(
            &req,
            &ctx,
            &staff,
            Some("Choose a role".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let active = form.active == "1";
    let by = staff.user.clone();
    let id = UserId(id.into_inner());
    let result = pages::blocking(&ctx, move |ctx| {
        accounts::update(ctx, &by, id, role, active)
    })
    .await?;
    match result {
        Ok(()) => Ok(see_other("/staff/users")),
        Err(accounts::AccountError::NoSuchUser) => Err(WebError::NotFound),
        Err(e) => {
            page(
                &req,
                &ctx,
                &staff,
                Some(e.to_string()),
                StatusCode::CONFLICT,
            )
            .await
        }
    }
}

/// `POST /staff/users/{id}/password-link`: emails a fresh set-password link.
pub async fn password_link(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<csrf::CsrfForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_administer()?;
    let by = staff.user.clone();
    let id = UserId(id.into_inner());
    let result =
        pages::blocking(&ctx, move |ctx| accounts::send_password_link(ctx, &by, id)).await?;
    match result {
        Ok(()) => Ok(see_other("/staff/users")),
        Err(_) => Err(WebError::NotFound),
    }
}

/// `POST /staff/users/{id}/clear-logins`: forgets an account's failed
/// logins, so whoever was slowed down can try again at once.
pub async fn clear_logins(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<csrf::CsrfForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_administer()?;
    let by = staff.user.clone();
    let id = UserId(id.into_inner());
    pages::blocking(&ctx, move |ctx| accounts::clear_failed_logins(ctx, &by, id)).await?;
    Ok(see_other("/staff/users"))
}
