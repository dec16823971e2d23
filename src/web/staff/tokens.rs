//! API tokens for admins: `GET /staff/tokens` lists them (never the tokens
//! themselves), `POST /staff/tokens` makes one and shows it once, and
//! `POST /staff/tokens/{id}/revoke` revokes one for good.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{render, Staff};
use crate::app::AppContext;
use crate::db::api_tokens::{ApiToken, TokenId};
use crate::domain::api_token::Scope;
use crate::domain::audit::Actor;
use crate::domain::deadline::long;
use crate::service::api_tokens::{self, Made};
use crate::web::{pages, WebError};

const TITLE: &str = "API tokens";

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    csrf_token: String,
    name: String,
    scopes: Vec<String>,
    rate_per_minute: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RevokeForm {
    csrf_token: String,
}

fn when(t: Option<chrono::NaiveDateTime>) -> Option<String> {
    t.map(|t| long(t.date()))
}

/// The tokens page.
#[derive(Serialize)]
struct TokensPage<'a> {
    tokens: Vec<Row<'a>>,
    scopes: Vec<ScopeBox>,
    name: &'a str,
    rate: String,
    form_error: Option<String>,
    made: Option<JustMade<'a>>,
    flash: Option<&'a str>,
}

#[derive(Serialize)]
struct Row<'a> {
    id: i64,
    name: &'a str,
    scopes: String,
    rate: u32,
    created: String,
    last_used: Option<String>,
    revoked: Option<String>,
}

#[derive(Serialize)]
struct ScopeBox {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

/// A token just made, shown this once.
#[derive(Serialize)]
struct JustMade<'a> {
    secret: &'a str,
    name: &'a str,
}

fn row(t: &ApiToken) -> Row<'_> {
    Row {
        id: t.id.0,
        name: &t.name,
        scopes: t.scopes.to_string(),
        rate: t.rate_per_minute,
        created: long(t.created_at.date()),
        last_used: when(t.last_used_at),
        revoked: when(t.revoked_at),
    }
}

/// What the page shows besides the list: the form as typed, an error, and a
/// token just made.
#[derive(Default)]
struct Shown<'a> {
    form: Option<&'a TokenForm>,
    error: Option<String>,
    made: Option<&'a Made>,
    flash: Option<&'a str>,
}

async fn page(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    staff: &Staff,
    shown: Shown<'_>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let tokens = pages::blocking(ctx, |ctx| {
        crate::service::with_conn(ctx, |conn, _| api_tokens::list(conn))
    })
    .await?;
    let chosen = |s: Scope| {
        shown
            .form
            .is_some_and(|f| f.scopes.iter().any(|k| k == s.key()))
    };
    let scopes = Scope::ALL
        .iter()
        .map(|s| ScopeBox {
            value: s.key(),
            label: s.label(),
            checked: chosen(*s),
        })
        .collect();
    render(
        req,
        ctx,
        staff,
        "staff/tokens",
        TITLE,
        TokensPage {
            tokens: tokens.iter().map(row).collect(),
            scopes,
            name: shown.form.map(|f| f.name.as_str()).unwrap_or(""),
            rate: shown.form.map_or_else(
                || api_tokens::DEFAULT_RATE_PER_MINUTE.to_string(),
                |f| f.rate_per_minute.clone(),
            ),
            form_error: shown.error,
            made: shown.made.map(|m| JustMade {
                secret: &m.secret,
                name: &m.token.name,
            }),
            flash: shown.flash,
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
    page(&req, &ctx, &staff, Shown::default(), StatusCode::OK).await
}

pub async fn create(
    req: HttpRequest,
    staff: Staff,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    // Scopes repeat, one field per ticked box.
    let form: TokenForm = crate::web::form(&body)?;
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_administer()?;
    let refuse = |error: String| Shown {
        form: Some(&form),
        error: Some(error),
        ..Shown::default()
    };
    let Ok(rate) = form.rate_per_minute.trim().parse::<u32>() else {
        let error = "Calls a minute must be a whole number, like 600".to_owned();
        return page(
            &req,
            &ctx,
            &staff,
            refuse(error),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let by = Actor::Staff(staff.user.id);
    let (name, scopes) = (form.name.clone(), form.scopes.join(" "));
    let made = pages::blocking(&ctx, move |ctx| {
        crate::service::with_conn(ctx, |conn, now| {
            api_tokens::create(conn, &ctx.audit_key, by, &name, &scopes, rate, now)
        })
    })
    .await?;
    match made {
        Ok(made) => {
            let shown = Shown {
                made: Some(&made),
                ..Shown::default()
            };
            page(&req, &ctx, &staff, shown, StatusCode::OK).await
        }
        Err(e) => {
            page(
                &req,
                &ctx,
                &staff,
                refuse(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn revoke(
    req: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    form: web::Form<RevokeForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_administer()?;
    let id = TokenId(path.into_inner());
    let by = Actor::Staff(staff.user.id);
    let revoked = pages::blocking(&ctx, move |ctx| {
        crate::service::with_conn(ctx, |conn, now| {
            api_tokens::revoke(conn, &ctx.audit_key, by, id, now)
        })
    })
    .await?;
    if !revoked {
        return Err(WebError::NotFound);
    }
    let shown = Shown {
        flash: Some("Token revoked: calls with it are refused from now on."),
        ..Shown::default()
    };
    page(&req, &ctx, &staff, shown, StatusCode::OK).await
}
