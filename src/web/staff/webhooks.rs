//! Webhook endpoints for admins: `GET /staff/webhooks` lists them and their
//! latest deliveries, `POST /staff/webhooks` registers one (its signing
//! secret shown once), `POST /staff/webhooks/{id}/active` turns one on or
//! off, and `POST /staff/webhooks/deliveries/{id}/retry` sends a failed
//! delivery again.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{render, Staff};
use crate::app::AppContext;
use crate::db::webhooks::{FAILED, PENDING};
use crate::domain::audit::Actor;
use crate::domain::webhook::WebhookEvent;
use crate::service::webhooks::{self as service, Registered};
use crate::web::{pages, WebError};

const TITLE: &str = "Webhooks";
/// Deliveries the page shows.
const SHOWN: i64 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndpointForm {
    csrf_token: String,
    url: String,
    events: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    csrf_token: String,
    active: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RetryForm {
    csrf_token: String,
}

#[derive(Default)]
struct Shown<'a> {
    form: Option<&'a EndpointForm>,
    error: Option<String>,
    registered: Option<&'a Registered>,
    flash: Option<&'a str>,
}

/// The webhooks page.
#[derive(Serialize)]
struct WebhooksPage<'a> {
    endpoints: Vec<EndpointRow<'a>>,
    deliveries: Vec<DeliveryRow<'a>>,
    events: Vec<EventBox>,
    url: &'a str,
    form_error: Option<String>,
    /// An endpoint just registered, its secret shown this once.
    registered: Option<&'a Registered>,
    flash: Option<&'a str>,
}

#[derive(Serialize)]
struct EndpointRow<'a> {
    id: i64,
    url: &'a str,
    events: &'a str,
    active: bool,
    created: String,
}

#[derive(Serialize)]
struct DeliveryRow<'a> {
    id: i64,
    endpoint: i64,
    event: &'a str,
    message_id: &'a str,
    status: &'a str,
    failed: bool,
    attempts: i32,
    last_status: Option<i32>,
    last_error: &'a Option<String>,
    created: String,
    next: Option<String>,
}

#[derive(Serialize)]
struct EventBox {
    value: &'static str,
    label: &'static str,
    checked: bool,
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
    let (endpoints, deliveries) = pages::blocking(ctx, |ctx| service::overview(ctx, SHOWN)).await?;
    let chosen = |e: WebhookEvent| {
        shown
            .form
            .is_some_and(|f| f.events.iter().any(|k| k == e.key()))
    };
    let events = WebhookEvent::ALL
        .iter()
        .map(|e| EventBox {
            value: e.key(),
            label: e.label(),
            checked: chosen(*e),
        })
        .collect();
    render(
        req,
        ctx,
        staff,
        "staff/webhooks",
        TITLE,
        WebhooksPage {
            endpoints: endpoints
                .iter()
                .map(|e| EndpointRow {
                    id: e.id,
                    url: &e.url,
                    events: &e.events,
                    active: e.active,
                    created: time(e.created_at),
                })
                .collect(),
            deliveries: deliveries
                .iter()
                .map(|d| DeliveryRow {
                    id: d.id,
                    endpoint: d.endpoint_id,
                    event: &d.event_type,
                    message_id: &d.message_id,
                    status: &d.status,
                    failed: d.status == FAILED,
                    attempts: d.attempts,
                    last_status: d.last_status,
                    last_error: &d.last_error,
                    created: time(d.created_at),
                    next: (d.status == PENDING).then(|| time(d.next_attempt_at)),
                })
                .collect(),
            events,
            url: shown.form.map(|f| f.url.as_str()).unwrap_or(""),
            form_error: shown.error,
            registered: shown.registered,
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
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    // Events repeat, one field per ticked box.
    let form: EndpointForm = crate::web::form(&body)?;
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_administer()?;
    let by = Actor::Staff(staff.user.id);
    let (url, events) = (form.url.clone(), form.events.clone());
    let registered = pages::blocking(&ctx, move |ctx| {
        crate::service::with_conn(ctx, |conn, now| {
            service::register(conn, &ctx.sealer, &ctx.audit_key, by, &url, &events, now)
        })
    })
    .await?;
    match registered {
        Ok(registered) => {
            let shown = Shown {
                registered: Some(&registered),
                ..Shown::default()
            };
            page(&req, &ctx, &staff, shown, StatusCode::OK).await
        }
        Err(error) => {
            let shown = Shown {
                form: Some(&form),
                error: Some(error),
                ..Shown::default()
            };
            page(&req, &ctx, &staff, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
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
            service::set_active(conn, &ctx.audit_key, by, id, active, now)
        })
    })
    .await?;
    if !changed {
        return Err(WebError::NotFound);
    }
    let flash = if active {
        "Endpoint turned on."
    } else {
        "Endpoint turned off: nothing more is sent to it."
    };
    let shown = Shown {
        flash: Some(flash),
        ..Shown::default()
    };
    page(&req, &ctx, &staff, shown, StatusCode::OK).await
}

pub async fn retry(
    req: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    form: web::Form<RetryForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_administer()?;
    let id = path.into_inner();
    let retried = pages::blocking(&ctx, move |ctx| {
        crate::service::with_conn(ctx, |conn, now| service::retry(conn, id, now))
    })
    .await?;
    if !retried {
        return Err(WebError::NotFound);
    }
    let shown = Shown {
        flash: Some("The delivery will be sent again within a few seconds."),
        ..Shown::default()
    };
    page(&req, &ctx, &staff, shown, StatusCode::OK).await
}
