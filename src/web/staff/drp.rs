//! Data Rights Protocol agents for admins: `GET /staff/drp` lists the
//! registered agents (whether each has set up its token, how many requests
//! it filed), `POST /staff/drp` registers one with its verify key, and
//! `POST /staff/drp/{id}/active` turns one on or off.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{render, Staff};
use crate::app::AppContext;
use crate::domain::audit::Actor;
use crate::service::drp as service;
use crate::web::{pages, WebError};

const TITLE: &str = "Data Rights Protocol";

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AgentForm {
    csrf_token: String,
    agent_id: String,
    name: String,
    verify_key: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    csrf_token: String,
    active: String,
}

#[derive(Default)]
struct Shown<'a> {
    form: Option<&'a AgentForm>,
    error: Option<String>,
    flash: Option<&'a str>,
}

/// The DRP agents page.
#[derive(Serialize)]
struct DrpPage<'a> {
    business_id: Option<&'a str>,
    base_url: &'a str,
    agents: Vec<AgentRow<'a>>,
    agent_id: String,
    name: String,
    verify_key: String,
    form_error: Option<String>,
    flash: Option<&'a str>,
}

#[derive(Serialize)]
struct AgentRow<'a> {
    id: i64,
    agent_id: &'a str,
    name: &'a str,
    verify_key: &'a str,
    active: bool,
    paired: Option<String>,
    requests: i64,
    created: String,
}

fn time(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

async fn page(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    staff: &Staff,
    shown: Shown<'_>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let agents = pages::blocking(ctx, |ctx| {
        crate::service::with_conn(ctx, |conn, _| service::agents(conn))
    })
    .await?;
    let field = |f: fn(&AgentForm) -> &str| shown.form.map(f).unwrap_or_default().to_owned();
    render(
        req,
        ctx,
        staff,
        "staff/drp",
        TITLE,
        DrpPage {
            business_id: service::business_id(ctx),
            base_url: ctx.settings.base_url(),
            agents: agents
                .iter()
                .map(|(a, requests)| AgentRow {
                    id: a.id,
                    agent_id: &a.agent_id,
                    name: &a.name,
                    verify_key: &a.verify_key,
                    active: a.active,
                    paired: a.paired_at.map(time),
                    requests: *requests,
                    created: time(a.created_at),
                })
                .collect(),
            agent_id: field(|f| &f.agent_id),
            name: field(|f| &f.name),
            verify_key: field(|f| &f.verify_key),
            form_error: shown.error,
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

pub async fn add(
    req: HttpRequest,
    staff: Staff,
    form: web::Form<AgentForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_administer()?;
    let by = Actor::Staff(staff.user.id);
    let (id, name, key) = (
        form.agent_id.clone(),
        form.name.clone(),
        form.verify_key.clone(),
    );
    let added = pages::blocking(&ctx, move |ctx| {
        crate::service::with_conn(ctx, |conn, now| {
            service::register_agent(conn, &ctx.audit_key, by, &id, &name, &key, now)
        })
    })
    .await?;
    let (shown, status) = match added {
        Ok(_) => (
            Shown {
                flash: Some("Agent registered: it can now set up its token and file requests."),
                ..Shown::default()
            },
            StatusCode::OK,
        ),
        Err(error) => (
            Shown {
                form: Some(&form),
                error: Some(error),
                ..Shown::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    page(&req, &ctx, &staff, shown, status).await
}

pub async fn set_active(
    req: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    form: web::Form<ActiveForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_administer()?;
    let id = path.into_inner();
    let active = form.active == "1";
    let by = Actor::Staff(staff.user.id);
    let changed = pages::blocking(&ctx, move |ctx| {
        crate::service::with_conn(ctx, |conn, now| {
            service::set_agent_active(conn, &ctx.audit_key, by, id, active, now)
        })
    })
    .await?;
    if !changed {
        return Err(WebError::NotFound);
    }
    let flash = if active {
        "Agent turned on: it sets up a new token before filing again."
    } else {
        "Agent turned off: its token no longer works."
    };
    let shown = Shown {
        flash: Some(flash),
        ..Shown::default()
    };
    page(&req, &ctx, &staff, shown, StatusCode::OK).await
}
