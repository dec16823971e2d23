//! The systems inventory for admins: `GET /staff/systems` lists the systems
//! that hold personal data, `POST /staff/systems` adds one and
//! `POST /staff/systems/{id}` changes one or takes it out of use.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{render, see_other, Staff};
use crate::app::AppContext;
use crate::db::systems::SystemId;
use crate::domain::audit::Actor;
use crate::domain::fulfilment::SystemSpec;
use crate::domain::Right;
use crate::service::fulfilment::{self, SystemRefused};
use crate::web::{pages, WebError};

/// A system form as posted (rights repeat, one field per ticked box).
#[derive(Deserialize, Default)]
#[serde(default)]
struct SystemForm {
    csrf_token: String,
    name: String,
    owner: String,
    rights: Vec<String>,
    external_recipient: String,
    retention_note: String,
    active: String,
}

impl SystemForm {
    fn spec(&self) -> Result<SystemSpec, SystemRefused> {
        Ok(SystemSpec::parse(
            &self.name,
            &self.owner,
            &self.rights,
            !self.external_recipient.is_empty(),
            &self.retention_note,
        )?)
    }
}

/// The systems page: the inventory, and the form to add one.
#[derive(Serialize)]
struct SystemsPage<'a> {
    systems: Vec<SystemRow<'a>>,
    new_rights: Vec<RightBox>,
    error: Option<String>,
}

#[derive(Serialize)]
struct SystemRow<'a> {
    id: i64,
    name: &'a str,
    owner: &'a str,
    rights: Vec<RightBox>,
    external_recipient: bool,
    retention_note: &'a str,
    active: bool,
}

#[derive(Serialize)]
struct RightBox {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

fn right_boxes(chosen: &[Right]) -> Vec<RightBox> {
    Right::ALL
        .iter()
        .map(|r| RightBox {
            value: r.key(),
            label: r.short(),
            checked: chosen.contains(r),
        })
        .collect()
}

async fn page(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    staff: &Staff,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let list = pages::blocking(ctx, fulfilment::systems).await?;
    let rows = list
        .iter()
        .map(|s| SystemRow {
            id: s.id.0,
            name: &s.spec.name,
            owner: s.spec.owner.as_str(),
            rights: right_boxes(&s.spec.rights),
            external_recipient: s.spec.external_recipient,
            retention_note: &s.spec.retention_note,
            active: s.active,
        })
        .collect();
    render(
        req,
        ctx,
        staff,
        "staff/systems",
        "Systems",
        SystemsPage {
            systems: rows,
            new_rights: right_boxes(&[]),
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

fn read(body: &[u8]) -> Result<SystemForm, WebError> {
    crate::web::form(body)
}

pub async fn add(
    req: HttpRequest,
    staff: Staff,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let form = read(&body)?;
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_administer()?;
    let refused = match form.spec() {
        Err(e) => Some(e),
        Ok(spec) => {
            let by = Actor::Staff(staff.user.id);
            pages::blocking(&ctx, move |ctx| fulfilment::add_system(ctx, by, &spec))
                .await?
                .err()
        }
    };
    match refused {
        None => Ok(see_other("/staff/systems")),
        Some(e) => {
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

pub async fn update(
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i64>,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let form = read(&body)?;
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_administer()?;
    let id = SystemId(id.into_inner());
    let refused = match form.spec() {
        Err(e) => Some(e),
        Ok(spec) => {
            let by = Actor::Staff(staff.user.id);
            let active = !form.active.is_empty();
            pages::blocking(&ctx, move |ctx| {
                fulfilment::update_system(ctx, by, id, &spec, active)
            })
            .await?
            .err()
        }
    };
    match refused {
        None => Ok(see_other("/staff/systems")),
        Some(SystemRefused::NoSuchSystem) => Err(WebError::NotFound),
        Some(e) => {
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
