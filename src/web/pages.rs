//! Rendering pages: every page gets the organisation and a title, and is
//! served as HTML with its status.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;

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

/// What a notice page offers besides its message (nothing by default).
#[derive(Debug, Default, Serialize)]
pub struct Notice<'a> {
    /// The request it is about, to quote when writing in.
    pub reference: Option<&'a str>,
    /// A button for a new confirmation link: needs `token` and `csrf_token`.
    pub can_resend: bool,
    pub token: Option<&'a str>,
    pub csrf_token: Option<&'a str>,
    /// A link to make a new request.
    pub start_again: bool,
    /// A link to ask for a new status-page link.
    pub new_status_link: bool,
}

/// The notice page: a title, a message, and what `extra` offers.
pub fn notice(
    ctx: &AppContext,
    status: StatusCode,
    title: &str,
    message: String,
    extra: Notice<'_>,
    cookie: Option<Cookie<'static>>,
) -> Result<HttpResponse, WebError> {
    #[derive(Serialize)]
    struct NoticePage<'a> {
        message: String,
        #[serde(flatten)]
        extra: Notice<'a>,
    }
    render(
        ctx,
        "notice",
        title,
        NoticePage { message, extra },
        status,
        cookie,
    )
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
