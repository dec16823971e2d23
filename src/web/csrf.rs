//! CSRF protection by double submission: a random token in a strict,
//! HTTP-only cookie that every form must echo in a hidden field.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;

use super::WebError;
use crate::secret;

pub const COOKIE: &str = "rd_csrf";

/// A form whose only field is the CSRF token (a button that posts).
#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf_token: String,
}

/// The token for a form, and the cookie to set when the browser has none.
pub fn token(req: &HttpRequest, secure: bool) -> (String, Option<Cookie<'static>>) {
    if let Some(c) = req.cookie(COOKIE) {
        if secret::looks_like_token(c.value()) {
            return (c.value().to_owned(), None);
        }
    }
    let (token, _) = secret::new_token();
    let cookie = Cookie::build(COOKIE, token.clone())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish();
    (token, Some(cookie))
}

pub fn verify(req: &HttpRequest, submitted: &str) -> Result<(), WebError> {
    match req.cookie(COOKIE) {
        Some(c) if !submitted.is_empty() && secret::constant_time_eq(c.value(), submitted) => {
            Ok(())
        }
        _ => Err(WebError::Csrf),
    }
}
