//! The organisation's answer texts for admins: `GET /staff/texts` shows
//! them, `POST /staff/texts` changes them (each change in the admin trail).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::{render, Staff};
use crate::app::AppContext;
use crate::domain::audit::Actor;
use crate::domain::regime::OrgText;
use crate::service::org_texts::{self, MAX_TEXT};
use crate::web::{pages, WebError};

/// The answer texts page.
#[derive(Serialize)]
struct TextsPage<'a> {
    texts: Vec<Text<'a>>,
    max: usize,
    flash: Option<&'a str>,
    error: Option<String>,
}

#[derive(Serialize)]
struct Text<'a> {
    key: &'static str,
    label: &'static str,
    value: &'a str,
    /// Set in the app, not the configuration.
    set: bool,
}

async fn page(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    staff: &Staff,
    typed: Option<&[(String, String)]>,
    flash: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let current = pages::blocking(ctx, org_texts::current).await?;
    let texts: Vec<_> = current
        .iter()
        .map(|(text, body, set)| {
            let value = typed
                .and_then(|t| t.iter().find(|(k, _)| k == text.key()))
                .map_or(body.as_str(), |(_, v)| v.as_str());
            Text {
                key: text.key(),
                label: text.label(),
                value,
                set: *set,
            }
        })
        .collect();
    render(
        req,
        ctx,
        staff,
        "staff/texts",
        "Answer texts",
        TextsPage {
            texts,
            max: MAX_TEXT,
            flash,
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
    page(&req, &ctx, &staff, None, None, None, StatusCode::OK).await
}

pub async fn post(
    req: HttpRequest,
    staff: Staff,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let fields: Vec<(String, String)> = crate::web::form(&body)?;
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf_token")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    staff.verify_csrf(csrf)?;
    staff.must_administer()?;
    let given: Vec<(String, String)> = fields
        .into_iter()
        .filter(|(k, _)| OrgText::parse(k).is_some())
        .collect();
    let by = Actor::Staff(staff.user.id);
    let wanted = given.clone();
    let result = pages::blocking(&ctx, move |ctx| org_texts::set(ctx, by, &wanted)).await?;
    match result {
        Ok(0) => {
            page(
                &req,
                &ctx,
                &staff,
                None,
                Some("Nothing changed."),
                None,
                StatusCode::OK,
            )
            .await
        }
        Ok(_) => {
            page(
                &req,
                &ctx,
                &staff,
                None,
                Some("Saved: answers given from now on quote these texts."),
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(e) => {
            page(
                &req,
                &ctx,
                &staff,
                Some(&given),
                None,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
