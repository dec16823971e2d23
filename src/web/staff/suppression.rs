//! `GET /staff/suppression`: agents and admins check whether an address is
//! on the suppression list (before a marketing send or a data import);
//! `POST /staff/suppression` runs the check. The list holds keyed hashes
//! only, so it can be checked but not read.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{render, Staff};
use crate::app::AppContext;
use crate::domain::deadline::long;
use crate::domain::Email;
use crate::service::suppression;
use crate::web::{pages, WebError};

const TITLE: &str = "Suppression list";

/// The check form, and the answer for the address checked.
#[derive(Default, Serialize)]
struct CheckPage<'a> {
    error: Option<&'static str>,
    address: &'a str,
    checked: Option<&'a str>,
    result: Option<Listed>,
}

#[derive(Serialize)]
struct Listed {
    listed: bool,
    reason: Option<String>,
    since: Option<String>,
}

pub async fn get(
    req: HttpRequest,
    staff: Staff,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.must_work()?;
    render(
        &req,
        &ctx,
        &staff,
        "staff/suppression",
        TITLE,
        CheckPage::default(),
        StatusCode::OK,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckForm {
    csrf_token: String,
    address: String,
}

pub async fn check(
    req: HttpRequest,
    staff: Staff,
    form: web::Form<CheckForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_work()?;
    let Ok(address) = Email::parse(&form.address) else {
        return render(
            &req,
            &ctx,
            &staff,
            "staff/suppression",
            TITLE,
            CheckPage {
                error: Some("Enter an email address, like name@example.com"),
                address: &form.address,
                ..CheckPage::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let a = address.clone();
    let found = pages::blocking(&ctx, move |ctx| suppression::check(ctx, a.as_str())).await?;
    let result = match found {
        Some((reason, since)) => Listed {
            listed: true,
            reason: Some(reason.replace('_', " ")),
            since: Some(long(since)),
        },
        None => Listed {
            listed: false,
            reason: None,
            since: None,
        },
    };
    render(
        &req,
        &ctx,
        &staff,
        "staff/suppression",
        TITLE,
        CheckPage {
            error: None,
            checked: Some(address.as_str()),
            result: Some(result),
            address: address.as_str(),
        },
        StatusCode::OK,
    )
}
