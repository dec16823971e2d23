//! Manual intake: `GET /staff/cases/new` and `POST /staff/cases` enter a
//! request that arrived by email, phone, post or in person, with its real
//! date of receipt (which starts the clock; a future date is refused).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{render, see_other, Staff};
use crate::app::AppContext;
use crate::domain::casework::Channel;
use crate::domain::intake::{FieldError, IntakeInput};
use crate::domain::rights::Choice;
use crate::domain::NewRequest;
use crate::service::intake;
use crate::web::public::request_form::{form_view, FormView};
use crate::web::{pages, WebError};

const TITLE: &str = "Enter a request received another way";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ManualFields {
    csrf_token: String,
    channel: String,
    received_on: String,
}

fn page(
    req: &HttpRequest,
    ctx: &AppContext,
    staff: &Staff,
    input: &IntakeInput,
    manual: &ManualFields,
    errors: &[FieldError],
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    #[derive(Serialize)]
    struct NewCase<'a> {
        #[serde(flatten)]
        form: FormView,
        channels: Vec<ChannelChoice>,
        received_on: &'a str,
        channel_error: Option<String>,
        received_on_error: Option<String>,
    }
    #[derive(Serialize)]
    struct ChannelChoice {
        key: &'static str,
        label: &'static str,
        checked: bool,
    }
    let error_of = |field: &str| {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    };
    let view = NewCase {
        form: form_view(input, errors, "", &ctx.jurisdiction),
        channels: Channel::MANUAL
            .iter()
            .map(|c| ChannelChoice {
                key: c.key(),
                label: c.label(),
                checked: c.key() == manual.channel,
            })
            .collect(),
        received_on: &manual.received_on,
        channel_error: error_of("channel"),
        received_on_error: error_of("received_on"),
    };
    render(req, ctx, staff, "staff/new_case", TITLE, view, status)
}

pub async fn get(
    req: HttpRequest,
    staff: Staff,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.must_work()?;
    let manual = ManualFields {
        received_on: ctx
            .clock
            .today(ctx.settings.organisation.timezone)
            .to_string(),
        ..ManualFields::default()
    };
    page(
        &req,
        &ctx,
        &staff,
        &IntakeInput::default(),
        &manual,
        &[],
        StatusCode::OK,
    )
}

pub async fn post(
    req: HttpRequest,
    staff: Staff,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let manual: ManualFields = crate::web::form(&body)?;
    staff.verify_csrf(&manual.csrf_token)?;
    staff.must_work()?;
    let input: IntakeInput = crate::web::form(&body)?;
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let mut errors = match NewRequest::parse(&input, &ctx.jurisdiction) {
        Ok(_) => Vec::new(),
        Err(errors) => errors,
    };
    let channel = Channel::parse(&manual.channel).filter(|c| Channel::MANUAL.contains(c));
    if channel.is_none() {
        errors.push(FieldError {
            field: "channel",
            message: "Choose how the request reached us".into(),
        });
    }
    let received = match manual.received_on.trim().parse::<NaiveDate>() {
        Ok(d) if d > today => {
            errors.push(FieldError {
                field: "received_on",
                message: "The date of receipt cannot be in the future".into(),
            });
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError {
                field: "received_on",
                message: "Enter the date the request was received, like 2026-03-31".into(),
            });
            None
        }
    };
    let (Ok(request), Some(channel), Some(received), true) = (
        NewRequest::parse(&input, &ctx.jurisdiction),
        channel,
        received,
        errors.is_empty(),
    ) else {
        return page(
            &req,
            &ctx,
            &staff,
            &input,
            &manual,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let user = staff.user.clone();
    let result = pages::blocking(&ctx, move |ctx| {
        intake::enter_request(
            ctx,
            crate::domain::audit::Actor::Staff(user.id),
            &request,
            channel,
            received,
        )
    })
    .await?;
    match result {
        Ok(reference) => Ok(see_other(&format!("/staff/cases/{}", reference.as_str()))),
        Err(e) => page(
            &req,
            &ctx,
            &staff,
            &input,
            &manual,
            &[FieldError {
                field: "received_on",
                message: e.to_string(),
            }],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}
