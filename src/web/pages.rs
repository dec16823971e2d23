//! Rendering pages: every page gets the organisation and a title, and is
//! served as HTML with its status.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::Value;

use super::WebError;
use crate::app::AppContext;
use crate::service::ServiceError;

pub fn render(
    ctx: &AppContext,
    page: &str,
    title: &str,
    data: impl serde::Serialize,
    status: StatusCode,
    cookie: Option<Cookie<'static>>,
) -> Result<HttpResponse, WebError> {
    let mut data = serde_json::to_value(data).map_err(|e| WebError::Internal(e.into()))?;
    if let Some(map) = data.as_object_mut() {
        map.insert(
            "org".into(),
            serde_json::to_value(&ctx.settings.organisation).unwrap_or_default(),
        );
        map.insert("title".into(), title.into());
        map.entry("has_errors").or_insert(false.into());
    }
    let html = ctx
        .templates
        .page(page, &data)
        .map_err(|e| WebError::Internal(e.into()))?;
    let mut response = HttpResponse::build(status);
    if let Some(c) = cookie {
        response.cookie(c);
    }
    Ok(response.content_type("text/html; charset=utf-8").body(html))
}

/// The notice page: a title, a message, and optionally the request's
/// `reference`, a `can_resend` button or a `start_again` link (off unless
/// set in `extra`).
pub fn notice(
    ctx: &AppContext,
    status: StatusCode,
    title: &str,
    message: String,
    mut extra: Value,
    cookie: Option<Cookie<'static>>,
) -> Result<HttpResponse, WebError> {
    if let Some(map) = extra.as_object_mut() {
        map.insert("message".into(), message.into());
        for key in ["can_resend", "start_again", "new_status_link"] {
            map.entry(key).or_insert(false.into());
        }
        map.entry("reference").or_insert(Value::Null);
    }
    render(ctx, "notice", title, extra, status, cookie)
}

/// Runs blocking work (database, templates) off the async executor.
pub async fn blocking<T, F>(ctx: &web::Data<AppContext>, f: F) -> Result<T, WebError>
where
    T: Send + 'static,
    F: FnOnce(&AppContext) -> Result<T, ServiceError> + Send + 'static,
{
    let ctx = ctx.clone().into_inner();
    Ok(web::block(move || f(&ctx)).await??)
}

/// Whether cookies must be marked Secure (the app is served over https).
pub fn secure_cookies(ctx: &AppContext) -> bool {
    ctx.settings.base_url().starts_with("https://")
}
