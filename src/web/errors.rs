//! Errors a handler can return, each with its status and a page written for
//! the person who sees it. Internal causes are logged, never shown.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use handlebars::html_escape;

use crate::service::ServiceError;

#[derive(thiserror::Error)]
pub enum WebError {
    #[error("This form has expired or was sent from another site. Go back, reload the page and try again.")]
    Csrf,
    #[error("What you sent is too large (the limit is {0} bytes). Shorten the longest answers and try again.")]
    PayloadTooLarge(usize),
    #[error("We could not read what you sent: {0}")]
    BadForm(String),
    #[error("What you sent took longer than {0} seconds to arrive, so we stopped waiting. Nothing was saved; check your connection and send it again.")]
    TooSlow(u64),
    #[error("Page not found. Check the address, or start again from the home page.")]
    NotFound,
    #[error("Please log in to continue.")]
    LoginRequired(String),
    #[error("Your role does not allow this. Ask an admin if you need it.")]
    Forbidden,
    #[error("The service is busy or briefly unavailable, so nothing was saved. Please try again in a minute.")]
    Unavailable,
    #[error("We cannot store anything just now ({}), so what you sent was not saved. Please try again later; if it keeps happening, write to us.", .0.describe())]
    StorageFault(crate::db::StorageFault),
    #[error("Something went wrong on our side, so what you sent may not have been saved. Please try again in a few minutes; if it keeps happening, write to us.")]
    Internal(#[source] anyhow::Error),
}

impl std::fmt::Debug for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebError::Internal(e) => write!(f, "internal error: {e:?}"),
            other => write!(f, "{other}"),
        }
    }
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        let ServiceError::Db(db) = &e else {
            return WebError::Internal(e.into());
        };
        if db.is_unavailable() {
            log::error!("database unavailable: {db}");
            return WebError::Unavailable;
        }
        match db.storage_fault() {
            Some(fault) => {
                log::error!("database refused a write: {db}");
                WebError::StorageFault(fault)
            }
            None => WebError::Internal(e.into()),
        }
    }
}

impl From<actix_web::error::BlockingError> for WebError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        WebError::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl WebError {
    fn title(&self) -> &'static str {
        match self {
            WebError::Csrf => "Please try again",
            WebError::PayloadTooLarge(_) => "Your request is too large",
            WebError::BadForm(_) => "We could not read your request",
            WebError::TooSlow(_) => "Your request took too long to arrive",
            WebError::NotFound => "Page not found",
            WebError::LoginRequired(_) => "Log in",
            WebError::Forbidden => "Not allowed",
            WebError::Unavailable => "Please try again in a minute",
            WebError::StorageFault(_) => "Please try again later",
            WebError::Internal(_) => "Sorry, there is a problem with the service",
        }
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::BadForm(_) => StatusCode::BAD_REQUEST,
            WebError::TooSlow(_) => StatusCode::REQUEST_TIMEOUT,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::LoginRequired(_) => StatusCode::SEE_OTHER,
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::Unavailable | WebError::StorageFault(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let WebError::Internal(_) = self {
            log::error!("{self:?}");
        }
        if let WebError::LoginRequired(next) = self {
            let to = format!(
                "/staff/login?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            return HttpResponse::SeeOther()
                .insert_header(("Location", to))
                .finish();
        }
        HttpResponse::build(self.status_code())
            .content_type("text/html; charset=utf-8")
            .body(error_page(self.title(), &self.to_string()))
    }
}

/// A self-contained page for errors raised before or outside a handler's
/// templates (framework errors, template failures).
pub fn error_page(title: &str, message: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head>\
         <body><main id=\"main\" class=\"wrap\"><h1>{t}</h1><p>{m}</p>\
         <p><a href=\"/\">Go to the start page</a></p></main></body></html>",
        t = html_escape(title),
        m = html_escape(message)
    )
}
