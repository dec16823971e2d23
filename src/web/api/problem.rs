//! Errors of the JSON API, answered as RFC 9457 problem details
//! (`application/problem+json`).

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::api_token::Scope;
use crate::domain::FieldError;
use crate::service::ServiceError;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// A problem, as RFC 9457 describes it, with the fields at fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// What kind of problem: `about:blank` when the status says it all,
    /// otherwise a `urn:rightsdesk:problem:...` name.
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind, in words (the same for every problem of the kind).
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// This occurrence, in words.
    pub detail: String,
    /// For a request that failed validation: each field at fault.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One field at fault, and what is wrong with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Send an API token as `Authorization: Bearer <token>`.")]
    NoToken,
    #[error("The token is not one this service knows, or it was revoked.")]
    BadToken,
    #[error("This token may not do this: it needs the '{}' scope.", .0.key())]
    Scope(Scope),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0} is not a method this address takes (it takes {1}).")]
    MethodNotAllowed(String, &'static str),
    #[error("The request is not valid: see `errors` for each field.")]
    Invalid(Vec<FieldProblem>),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Refused(String),
    #[error("The body is larger than {0} bytes.")]
    TooLarge(usize),
    #[error("Send the body as JSON, with `Content-Type: application/json`.")]
    NotJson,
    #[error("The body took longer than {0} seconds to arrive.")]
    TooSlow(u64),
    #[error("This token has made more calls than it may in a minute; try again in {0} seconds.")]
    RateLimited(u64),
    #[error("The service is briefly unavailable; nothing was saved. Try again shortly.")]
    Unavailable,
    #[error("{0}")]
    Storage(String),
    #[error("Something went wrong on our side; what you sent may not have been saved.")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn invalid(errors: &[FieldError]) -> ApiError {
        ApiError::Invalid(
            errors
                .iter()
                .map(|e| FieldProblem {
                    field: e.field.to_owned(),
                    message: e.message.clone(),
                })
                .collect(),
        )
    }

    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid(vec![FieldProblem {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    fn kind_and_title(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::NoToken | ApiError::BadToken => ("about:blank", "Unauthorized"),
            ApiError::Scope(_) => ("urn:rightsdesk:problem:scope", "Token lacks the scope"),
            ApiError::NotFound(_) => ("about:blank", "Not Found"),
            ApiError::BadRequest(_) => ("about:blank", "Bad Request"),
            ApiError::MethodNotAllowed(..) => ("about:blank", "Method Not Allowed"),
            ApiError::Invalid(_) | ApiError::Unprocessable(_) => (
                "urn:rightsdesk:problem:validation",
                "The request is not valid",
            ),
            ApiError::Refused(_) => (
                "urn:rightsdesk:problem:refused",
                "Not allowed now; nothing changed",
            ),
            ApiError::TooLarge(_) => ("about:blank", "Content Too Large"),
            ApiError::NotJson => ("about:blank", "Unsupported Media Type"),
            ApiError::TooSlow(_) => ("about:blank", "Request Timeout"),
            ApiError::RateLimited(_) => ("about:blank", "Too Many Requests"),
            ApiError::Unavailable | ApiError::Storage(_) => ("about:blank", "Service Unavailable"),
            ApiError::Internal(_) => ("about:blank", "Internal Server Error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title) = self.kind_and_title();
        Problem {
            kind: kind.to_owned(),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail: self.to_string(),
            errors: match self {
                ApiError::Invalid(errors) => errors
                    .iter()
                    .map(|e| FieldProblem {
                        field: e.field.clone(),
                        message: e.message.clone(),
                    })
                    .collect(),
                _ => Vec::new(),
            },
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        // The pages' mapping decides what is the database's fault.
        match crate::web::WebError::from(e) {
            crate::web::WebError::Unavailable => ApiError::Unavailable,
            e @ crate::web::WebError::StorageFault(_) => ApiError::Storage(e.to_string()),
            crate::web::WebError::Internal(e) => ApiError::Internal(e),
            other => ApiError::Internal(anyhow::anyhow!("{other}")),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NoToken | ApiError::BadToken => StatusCode::UNAUTHORIZED,
            ApiError::Scope(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::MethodNotAllowed(..) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Invalid(_) | ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Refused(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooSlow(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable | ApiError::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(e) = self {
            log::error!("API: internal error: {e:?}");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(CONTENT_TYPE);
        match self {
            ApiError::NoToken | ApiError::BadToken => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"rightsdesk\""));
            }
            ApiError::MethodNotAllowed(_, allowed) => {
                response.insert_header((header::ALLOW, *allowed));
            }
            ApiError::RateLimited(wait) => {
                response.insert_header((header::RETRY_AFTER, wait.to_string()));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_carries_its_status_and_the_fields_at_fault() {
        let e = ApiError::field("email", "Enter an email address");
        let p = e.problem();
        assert_eq!(p.status, 422);
        assert_eq!(p.kind, "urn:rightsdesk:problem:validation");
        assert_eq!(p.errors[0].field, "email");
        let json = serde_json::to_value(ApiError::NoToken.problem()).unwrap();
        assert_eq!(json["type"], "about:blank");
        assert_eq!(json["status"], 401);
        assert!(json.get("errors").is_none());
    }
}
