//! The JSON API under `/api/v1`: bearer tokens with scopes, errors as
//! problem details, and an OpenAPI 3.1 document generated from the code
//! (`/api/v1/openapi.json`), so that it cannot drift from what is served.

mod actions;
mod auth;
mod cases;
mod problem;
mod reports;
mod requests;
mod systems;
mod tasks;
pub mod types;

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub use auth::TokenLimits;
pub use problem::{ApiError, FieldProblem, Problem};

/// The JSON bodies the API reads are capped here (the body middleware's
/// `server.max_body_bytes` caps them first).
pub const MAX_JSON_BYTES: usize = 64 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rightsdesk API",
        description = "Data-subject-rights requests: file them, follow them, act on them. \
            Every call needs `Authorization: Bearer <token>`; admins make tokens \
            (Staff → API tokens, or `rightsdesk token create`) with the scopes it needs: \
            `read`, `act`, `intake`, `systems`. Errors are problem details (RFC 9457).",
        version = "1.0.0"
    ),
    paths(
        requests::create,
        cases::list,
        cases::get,
        actions::perform,
        tasks::list,
        tasks::get,
        tasks::answer,
        systems::list,
        systems::get,
        systems::create,
        systems::update,
        reports::ccpa,
        reports::register,
        reports::dashboard,
    ),
    components(schemas(Problem, FieldProblem, types::StatusFilter, types::TaskStateKey)),
    modifiers(&BearerToken),
    tags(
        (name = "requests", description = "Filing requests received elsewhere"),
        (name = "cases", description = "Reading cases and acting on them"),
        (name = "tasks", description = "What each system must do for a case, and its answer"),
        (name = "systems", description = "The systems that hold personal data"),
        (name = "reports", description = "Figures for lawyers, regulators and the board"),
    )
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (rdk_...), made by an admin, with the scopes the call needs",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document, once per process.
fn document() -> &'static str {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    })
}

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document())
}

/// The last part of a `$ref` ("#/components/schemas/CaseList" → "CaseList").
fn ref_name(v: &Value) -> Option<String> {
    let r = v
        .get("$ref")
        .or_else(|| v.get("items").and_then(|i| i.get("$ref")))?;
    r.as_str()?.rsplit('/').next().map(str::to_owned)
}

/// What the docs page shows, read from the document itself.
fn docs_view(doc: &Value) -> Value {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let mut operations = Vec::new();
    for (path, methods) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in methods.as_object().into_iter().flatten() {
            let scope = op["security"]
                .as_array()
                .and_then(|s| s.first())
                .and_then(|s| s["token"].as_array())
                .map(|s| {
                    s.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|| "none".into());
            let params: Vec<Value> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    json!({
                        "name": text(p, "name"),
                        "in": text(p, "in"),
                        "required": p["required"].as_bool().unwrap_or(false),
                        "description": text(p, "description"),
                    })
                })
                .collect();
            let responses: Vec<Value> = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(status, r)| {
                    let schema = r["content"]
                        .as_object()
                        .and_then(|c| c.values().next())
                        .and_then(|c| ref_name(&c["schema"]));
                    json!({ "status": status, "description": text(r, "description"), "schema": schema })
                })
                .collect();
            let body = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.values().next())
                .and_then(|c| ref_name(&c["schema"]));
            operations.push(json!({
                "id": text(op, "operationId"),
                "method": method.to_uppercase(),
                "path": path,
                "summary": text(op, "summary"),
                "description": text(op, "description"),
                "scope": scope,
                "params": params,
                "body": body,
                "responses": responses,
            }));
        }
    }
    let schemas: Vec<Value> = doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| {
            let required: Vec<&str> = s["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut properties: Vec<Value> = Vec::new();
            let mut add = |props: &Value| {
                for (p, v) in props.as_object().into_iter().flatten() {
                    properties.push(json!({
                        "name": p,
                        "required": required.contains(&p.as_str()),
                        "description": text(v, "description"),
                    }));
                }
            };
            add(&s["properties"]);
            // A flattened part (allOf) lists its fields too.
            for part in s["allOf"].as_array().into_iter().flatten() {
                add(&part["properties"]);
            }
            json!({
                "name": name,
                "description": text(s, "description"),
                "values": s["enum"],
                "properties": properties,
            })
        })
        .collect();
    json!({
        "description": text(&doc["info"], "description"),
        "operations": operations,
        "schemas": schemas,
    })
}

/// `GET /api/v1/docs`: the document, for people.
async fn docs(
    ctx: web::Data<crate::app::AppContext>,
) -> Result<HttpResponse, crate::web::WebError> {
    let doc: Value =
        serde_json::from_str(document()).map_err(|e| crate::web::WebError::Internal(e.into()))?;
    crate::web::pages::render(
        &ctx,
        "api_docs",
        "Rightsdesk API",
        docs_view(&doc),
        actix_web::http::StatusCode::OK,
        None,
    )
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "Nothing is at {} {} in this API: see /api/v1/openapi.json.",
        req.method(),
        req.path()
    )))
}

/// A JSON body, read as `T`, after its type and size are checked.
pub fn json_body<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    body: &[u8],
) -> Result<T, ApiError> {
    let json = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
    if !json {
        return Err(ApiError::NotJson);
    }
    if body.len() > MAX_JSON_BYTES {
        return Err(ApiError::TooLarge(MAX_JSON_BYTES));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("The body is not a valid request: {e}")))
}

/// A page position as lists give it in `next`: the day the list is in the
/// order of (`none` for a row without one) and the last row's id.
fn page_position(s: &str) -> Result<(Option<chrono::NaiveDate>, i64), ApiError> {
    let wrong = || ApiError::BadRequest(format!("'{s}' is not a page position this API gave"));
    let (day, id) = s.split_once('.').ok_or_else(wrong)?;
    let day = match day {
        "none" => None,
        d => Some(d.parse().map_err(|_| wrong())?),
    };
    Ok((day, id.parse().map_err(|_| wrong())?))
}

/// Keeps the first `limit` of `rows` (read one more than a page) and, when
/// there were more, gives the position of the last one kept (`next`).
fn split_page<T>(
    rows: &mut Vec<T>,
    limit: u32,
    position: impl Fn(&T) -> (Option<chrono::NaiveDate>, i64),
) -> Option<String> {
    if rows.len() <= limit as usize {
        return None;
    }
    rows.truncate(limit as usize);
    rows.last().map(|row| {
        let (day, id) = position(row);
        format!(
            "{}.{id}",
            day.map_or_else(|| "none".to_owned(), |d| d.to_string())
        )
    })
}

/// A resource answering 405, with the methods it takes, to any other.
fn only(path: &str, allowed: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move |req: HttpRequest| async move {
        let e = ApiError::MethodNotAllowed(req.method().to_string(), allowed);
        Err::<HttpResponse, _>(e)
    }))
}

/// The body or query string could not be read as the call's shape.
fn unreadable(message: String) -> actix_web::Error {
    ApiError::BadRequest(message).into()
}

/// The API's routes, with its own body and error handling.
pub fn scope(limits: web::Data<TokenLimits>) -> actix_web::Scope {
    web::scope("/api/v1")
        .app_data(limits)
        // Bodies are read whole by the body middleware (within
        // `server.max_body_bytes`) and checked by `json_body`.
        .app_data(web::PayloadConfig::default().limit(1024 * 1024))
        .app_data(
            web::QueryConfig::default().error_handler(|err, _| {
                unreadable(format!("The query string is not valid: {err}"))
            }),
        )
        .app_data(
            web::PathConfig::default()
                .error_handler(|err, _| unreadable(format!("The path is not valid: {err}"))),
        )
        .service(only("/openapi.json", "GET").route(web::get().to(openapi_json)))
        .service(only("/docs", "GET").route(web::get().to(docs)))
        .service(only("/requests", "POST").route(web::post().to(requests::create)))
        .service(only("/cases", "GET").route(web::get().to(cases::list)))
        .service(only("/cases/{reference}", "GET").route(web::get().to(cases::get)))
        .service(only("/cases/{reference}/actions", "POST").route(web::post().to(actions::perform)))
        .service(only("/tasks", "GET").route(web::get().to(tasks::list)))
        .service(only("/tasks/{id}", "GET").route(web::get().to(tasks::get)))
        .service(only("/tasks/{id}/answer", "POST").route(web::post().to(tasks::answer)))
        .service(
            only("/systems", "GET, POST")
                .route(web::get().to(systems::list))
                .route(web::post().to(systems::create)),
        )
        .service(
            only("/systems/{id}", "GET, PUT")
                .route(web::get().to(systems::get))
                .route(web::put().to(systems::update)),
        )
        .service(only("/reports/ccpa", "GET").route(web::get().to(reports::ccpa)))
        .service(only("/reports/register", "GET").route(web::get().to(reports::register)))
        .service(only("/dashboard", "GET").route(web::get().to(reports::dashboard)))
        .default_service(web::to(not_found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_with_every_route_and_the_token_scheme() {
        let doc: serde_json::Value = serde_json::from_str(document()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        for path in [
            "/api/v1/requests",
            "/api/v1/cases",
            "/api/v1/cases/{reference}",
            "/api/v1/tasks",
            "/api/v1/tasks/{id}/answer",
            "/api/v1/systems/{id}",
            "/api/v1/reports/register",
            "/api/v1/dashboard",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path} is documented");
        }
        assert_eq!(
            doc["components"]["securitySchemes"]["token"]["scheme"],
            "bearer"
        );
        // Enumerations come from the domain's own lists.
        let states = doc["components"]["schemas"]["StateKey"]["enum"]
            .as_array()
            .unwrap();
        assert_eq!(states.len(), crate::domain::CaseState::ALL.len());
    }
}
