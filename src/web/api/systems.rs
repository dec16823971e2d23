//! The systems inventory: `GET /api/v1/systems` and `GET
//! /api/v1/systems/{id}` read it (scope `read`); `POST /api/v1/systems`
//! adds a system and `PUT /api/v1/systems/{id}` changes one or takes it out
//! of use (scope `systems`), with the admin page's checks, audited as the
//! token.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Caller;
use super::ApiError;
use crate::app::AppContext;
use crate::db::systems::{System, SystemId};
use crate::domain::api_token::Scope;
use crate::domain::fulfilment::{SystemError, SystemSpec};
use crate::service::fulfilment::{self, SystemRefused};

/// A system that holds personal data, and takes part in some rights.
#[derive(Debug, Serialize, ToSchema)]
pub struct SystemView {
    pub id: i64,
    pub name: String,
    /// Who carries out its tasks: they are emailed a link to each.
    pub owner: String,
    /// The rights it takes part in.
    #[schema(value_type = Vec<super::types::RightKey>)]
    pub rights: Vec<String>,
    /// Whether the organisation discloses data to it (told of
    /// rectification, erasure and restriction).
    pub external_recipient: bool,
    /// How long it keeps data, in words (for the access answer).
    pub retention_note: String,
    /// Whether new cases get tasks in it.
    pub active: bool,
}

impl From<System> for SystemView {
    fn from(s: System) -> Self {
        SystemView {
            id: s.id.0,
            name: s.spec.name,
            owner: s.spec.owner.as_str().to_owned(),
            rights: s.spec.rights.iter().map(|r| r.key().to_owned()).collect(),
            external_recipient: s.spec.external_recipient,
            retention_note: s.spec.retention_note,
            active: s.active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SystemList {
    /// Active systems first, then by name.
    pub systems: Vec<SystemView>,
}

/// A system as the caller describes it (the whole of it: a `PUT` replaces
/// what was there).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemBody {
    /// One line, 100 characters at most, unique.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// The owner's email address.
    #[schema(format = Email)]
    pub owner: String,
    /// At least one.
    #[schema(value_type = Vec<super::types::RightKey>, min_items = 1)]
    pub rights: Vec<String>,
    /// False when left out.
    #[serde(default)]
    pub external_recipient: bool,
    /// Empty when left out; 1,000 characters at most.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub retention_note: String,
    /// Whether new cases get tasks in it: true when left out. A new system
    /// is always active.
    pub active: Option<bool>,
}

impl SystemBody {
    fn spec(&self) -> Result<SystemSpec, ApiError> {
        SystemSpec::parse(
            &self.name,
            &self.owner,
            &self.rights,
            self.external_recipient,
            &self.retention_note,
        )
        .map_err(|e| {
            let field = match e {
                SystemError::Name => "name",
                SystemError::Owner => "owner",
                SystemError::NoRights => "rights",
                SystemError::Retention => "retention_note",
            };
            ApiError::field(field, e.to_string())
        })
    }
}

fn refused(e: SystemRefused, id: Option<SystemId>) -> ApiError {
    match e {
        SystemRefused::Invalid(e) => ApiError::Unprocessable(e.to_string()),
        SystemRefused::NameTaken => {
            ApiError::Refused("Another system is already called that; nothing changed.".into())
        }
        SystemRefused::NoSuchSystem => missing(id.map_or(0, |id| id.0)),
    }
}

fn missing(id: i64) -> ApiError {
    ApiError::NotFound(format!("No system has the id {id}."))
}

/// Every system in the inventory.
#[utoipa::path(
    get,
    path = "/api/v1/systems",
    tag = "systems",
    security(("token" = ["read"])),
    responses(
        (status = 200, description = "The systems", body = SystemList),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the read scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(caller: Caller, ctx: web::Data<AppContext>) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Read)?;
    let by = caller.actor();
    let ctx = ctx.into_inner();
    let all = web::block(move || -> Result<_, crate::service::ServiceError> {
        let all = fulfilment::systems(&ctx)?;
        crate::service::record_api_read(
            &ctx,
            by,
            serde_json::json!({ "what": "systems", "count": all.len() }),
        )?;
        Ok(all)
    })
    .await??;
    Ok(HttpResponse::Ok().json(SystemList {
        systems: all.into_iter().map(SystemView::from).collect(),
    }))
}

/// One system.
#[utoipa::path(
    get,
    path = "/api/v1/systems/{id}",
    tag = "systems",
    params(("id" = i64, Path, description = "The system's id")),
    security(("token" = ["read"])),
    responses(
        (status = 200, description = "The system", body = SystemView),
        (status = 400, description = "The id is not a number", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the read scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No system has this id", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    caller: Caller,
    path: web::Path<i64>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Read)?;
    let id = path.into_inner();
    let by = caller.actor();
    let ctx = ctx.into_inner();
    let found = web::block(move || -> Result<_, crate::service::ServiceError> {
        let found = fulfilment::system(&ctx, SystemId(id))?;
        let detail = serde_json::json!({ "what": "system", "system": id });
        crate::service::record_api_read(&ctx, by, detail)?;
        Ok(found)
    })
    .await??;
    let system = found.ok_or_else(|| missing(id))?;
    Ok(HttpResponse::Ok().json(SystemView::from(system)))
}

/// Adds a system: cases verified from now on get tasks in it for the
/// rights it takes part in. Recorded in the admin trail as the token.
#[utoipa::path(
    post,
    path = "/api/v1/systems",
    tag = "systems",
    request_body = SystemBody,
    security(("token" = ["systems"])),
    responses(
        (status = 201, description = "Added", body = SystemView, headers(("Location" = String, description = "The system's address"))),
        (status = 400, description = "The body is not JSON of this shape", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the systems scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another system has this name", body = super::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = super::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or not valid", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    caller: Caller,
    req: HttpRequest,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Systems)?;
    let body: SystemBody = super::json_body(&req, &body)?;
    if body.active == Some(false) {
        return Err(ApiError::field(
            "active",
            "A new system is active; take it out of use with PUT",
        ));
    }
    let spec = body.spec()?;
    let by = caller.actor();
    let ctx = ctx.into_inner();
    let added = web::block(move || -> Result<_, crate::service::ServiceError> {
        Ok(match fulfilment::add_system(&ctx, by, &spec)? {
            Ok(id) => Ok(fulfilment::system(&ctx, id)?),
            Err(e) => Err(e),
        })
    })
    .await??
    .map_err(|e| refused(e, None))?;
    let system = added.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("system vanished")))?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/systems/{}", system.id.0)))
        .json(SystemView::from(system)))
}

/// Changes a system, or takes it out of use (`active: false`): tasks
/// already made stay, and it gets no new ones. Recorded in the admin trail
/// as the token.
#[utoipa::path(
    put,
    path = "/api/v1/systems/{id}",
    tag = "systems",
    params(("id" = i64, Path, description = "The system's id")),
    request_body = SystemBody,
    security(("token" = ["systems"])),
    responses(
        (status = 200, description = "Changed", body = SystemView),
        (status = 400, description = "The body is not JSON of this shape", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the systems scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No system has this id", body = super::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another system has this name", body = super::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = super::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or not valid", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update(
    caller: Caller,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Systems)?;
    let id = SystemId(path.into_inner());
    let body: SystemBody = super::json_body(&req, &body)?;
    let spec = body.spec()?;
    let active = body.active.unwrap_or(true);
    let by = caller.actor();
    let ctx = ctx.into_inner();
    let changed = web::block(move || -> Result<_, crate::service::ServiceError> {
        Ok(
            match fulfilment::update_system(&ctx, by, id, &spec, active)? {
                Ok(()) => Ok(fulfilment::system(&ctx, id)?),
                Err(e) => Err(e),
            },
        )
    })
    .await??
    .map_err(|e| refused(e, Some(id)))?;
    let system = changed.ok_or_else(|| missing(id.0))?;
    Ok(HttpResponse::Ok().json(SystemView::from(system)))
}
