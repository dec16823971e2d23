//! One case: `GET /staff/cases/{reference}` shows everything about it (and
//! is recorded as a view); `POST /staff/cases/{reference}/actions` takes one
//! action. Actions that email the requester first show the exact email
//! (`step=preview`) and only send it when confirmed (`step=send`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::BTreeMap;

use serde::Serialize;

use super::{render, see_other, Staff};
use crate::app::AppContext;
use crate::domain::Reference;
use crate::service::casework::{self, ActionError, Mode, Performed};
use crate::web::{pages, WebError};

pub(crate) mod form;
mod page;
mod timeline;

pub use form::ActionForm;
use page::{case_page, CasePage};

/// The email an action would send, shown before it is sent, with the
/// action's fields to send it.
#[derive(Serialize)]
struct Preview<'a> {
    reference: &'a str,
    action: &'static str,
    to: &'a str,
    subject: &'a str,
    body: String,
    answer: Option<Vec<crate::domain::answer::Section>>,
    fields: &'a ActionForm,
}

/// A CCPA case still unverified this close to its due date is flagged:
/// verification never stops the CCPA clock.
pub const CCPA_WARNING_DAYS: i64 = 10;

fn parse_reference(raw: &str) -> Result<Reference, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

pub async fn get(
    req: HttpRequest,
    staff: Staff,
    reference: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let reference = parse_reference(&reference)?;
    show(&req, &ctx, &staff, reference, None, None, StatusCode::OK).await
}

/// Each action's form as the page fills it: empty, but for the action that
/// was just refused, which keeps what was typed, is open, and says why
/// beside its fields.
fn forms<'a>(
    failed: Option<(&'a ActionForm, &'a str)>,
    empty: &'a ActionForm,
) -> BTreeMap<&'static str, ActionFormView<'a>> {
    crate::domain::casework::Action::ALL
        .into_iter()
        .map(|action| {
            let failed = failed.filter(|(f, _)| f.action == action.key());
            let view = ActionFormView {
                typed: failed.map_or(empty, |(typed, _)| typed),
                error: failed.map(|(_, error)| error),
                open: failed.is_some(),
            };
            (action.key(), view)
        })
        .collect()
}

/// An action's form: what was typed, and why it was refused.
#[derive(Serialize)]
struct ActionFormView<'a> {
    #[serde(flatten)]
    typed: &'a ActionForm,
    error: Option<&'a str>,
    open: bool,
}

/// The case page with its forms, and what just happened.
#[derive(Serialize)]
struct ShownCase<'a> {
    #[serde(flatten)]
    case: CasePage<'a>,
    failed: BTreeMap<&'static str, ActionFormView<'a>>,
    error: Option<String>,
    flash: Option<&'a str>,
}

async fn show(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    staff: &Staff,
    reference: Reference,
    error: Option<String>,
    flash: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    show_with(req, ctx, staff, reference, error, None, flash, status).await
}

/// The case page, with `failed` (the form of an action just refused) kept.
#[allow(clippy::too_many_arguments)]
async fn show_with(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    staff: &Staff,
    reference: Reference,
    error: Option<String>,
    failed: Option<&ActionForm>,
    flash: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let user = staff.user.clone();
    let view = pages::blocking(ctx, move |ctx| {
        casework::view(ctx, crate::domain::audit::Actor::Staff(user.id), &reference)
    })
    .await?
    .ok_or(WebError::NotFound)?;
    let title = format!("Case {}", view.case.reference);
    let empty = ActionForm::default();
    let data = ShownCase {
        case: case_page(ctx, &view, &staff.user),
        failed: forms(failed.zip(error.as_deref()), &empty),
        error: error.clone(),
        flash,
    };
    render(req, ctx, staff, "staff/case", &title, data, status)
}

pub async fn post(
    req: HttpRequest,
    staff: Staff,
    reference: web::Path<String>,
    form: web::Form<ActionForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_work()?;
    let reference = parse_reference(&reference)?;
    let form = form.into_inner();
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let command = match form.command(today) {
        Ok(c) => c,
        Err(message) => {
            return show_with(
                &req,
                &ctx,
                &staff,
                reference,
                Some(message),
                Some(&form),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let action = command.action();
    let mode = if action.emails_requester() && form.step != "send" {
        Mode::Preview
    } else {
        Mode::Commit
    };
    let user = staff.user.clone();
    let r = reference.clone();
    let result = pages::blocking(&ctx, move |ctx| {
        casework::perform(ctx, &user, &r, command, mode)
    })
    .await?;
    match result {
        Ok(Performed::Done) => Ok(see_other(&format!(
            "/staff/cases/{}#top",
            reference.as_str()
        ))),
        Ok(Performed::Preview { message, answer }) => render(
            &req,
            &ctx,
            &staff,
            "staff/preview",
            "Check the email before sending",
            Preview {
                reference: reference.as_str(),
                action: action.key(),
                to: &message.recipient,
                subject: &message.subject,
                // A private link must not work from a staff page.
                body: crate::secret::redact_tokens(&message.body_text),
                answer,
                fields: &form,
            },
            StatusCode::OK,
        ),
        Err(ActionError::NoSuchCase) => Err(WebError::NotFound),
        Err(ActionError::ReadOnly) => Err(WebError::Forbidden),
        Err(e) => {
            show_with(
                &req,
                &ctx,
                &staff,
                reference,
                Some(e.to_string()),
                Some(&form),
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
    }
}

/// `GET /staff/cases/{reference}/documents/{id}`: one identity document,
/// decrypted, an image shown inline (sandboxed) and a PDF downloaded, never
/// cached. Recorded as a view.
pub async fn document(
    staff: Staff,
    path: web::Path<(String, i64)>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.must_work()?;
    let (reference, id) = path.into_inner();
    let reference = parse_reference(&reference)?;
    let user = staff.user.clone();
    let opened = pages::blocking(&ctx, move |ctx| {
        crate::service::documents::open(ctx, &user, &reference, id)
    })
    .await?
    .ok_or(WebError::NotFound)?;
    // Nothing else may run alongside the file. Images are shown inline in
    // a sandbox; a PDF can carry scripts and a sandbox would stop the
    // browser's own viewer, so it is downloaded, never opened in the app's
    // origin.
    let (policy, disposition) = if opened.content_type == "application/pdf" {
        (
            "default-src 'none'; frame-ancestors 'none'; sandbox",
            format!("attachment; filename=\"document-{id}.pdf\""),
        )
    } else {
        (
            "default-src 'none'; img-src 'self'; frame-ancestors 'none'; sandbox",
            "inline".to_owned(),
        )
    };
    Ok(HttpResponse::Ok()
        .content_type(opened.content_type)
        .insert_header(("Content-Disposition", disposition))
        .insert_header(("Cache-Control", "no-store, max-age=0"))
        .insert_header(("Pragma", "no-cache"))
        .insert_header(("Content-Security-Policy", policy))
        .body(opened.bytes))
}
