//! The JSON API under `/api/v1`: bearer tokens with scopes, errors as
//! problem details, and an OpenAPI 3.1 document generated from the code
//! (`/api/v1/openapi.json`), so that it cannot drift from what is served.

mod auth;
mod cases;
mod problem;
mod requests;
pub mod types;

use actix_web::{web, HttpRequest, HttpResponse};
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
            `read`, `act`, `intake`. Errors are problem details (RFC 9457).",
        version = "1.0.0"
    ),
    paths(requests::create, cases::list, cases::get),
    components(schemas(Problem, FieldProblem)),
    modifiers(&BearerToken),
    tags(
        (name = "requests", description = "Filing requests received elsewhere"),
        (name = "cases", description = "Reading cases"),
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
        .route("/openapi.json", web::get().to(openapi_json))
        .route("/requests", web::post().to(requests::create))
        .route("/cases", web::get().to(cases::list))
        .route("/cases/{reference}", web::get().to(cases::get))
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
