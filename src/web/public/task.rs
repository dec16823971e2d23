//! A system owner's task: `GET /tasks/{token}` shows what to do and for
//! whom (mail scanners open links, so it changes nothing); the form posts
//! the answer to `POST /tasks/{token}`, which spends the link.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::app::AppContext;
use crate::db::tasks::Task;
use crate::domain::deadline::long;
use crate::domain::fulfilment::{instruction, AnswerKind, Answered};
use crate::domain::rights::Choice;
use crate::service::fulfilment::{self, TaskLink};
use crate::web::{csrf, pages, WebError};

const TITLE: &str = "Your task for a privacy request";

fn answered_page(ctx: &AppContext, task: &Task) -> Result<HttpResponse, WebError> {
    let what = task
        .answer
        .as_ref()
        .map_or("answered", |a| a.kind().label());
    pages::notice(
        ctx,
        StatusCode::OK,
        "This task has been answered",
        format!(
            "{} in {}: {what}. Thank you. Nothing more is needed from you for it; the privacy team has been told.",
            task.right.short(),
            task.system_name
        ),
        json!({}),
        None,
    )
}

fn unusable(ctx: &AppContext) -> Result<HttpResponse, WebError> {
    pages::notice(
        ctx,
        StatusCode::NOT_FOUND,
        "This link does not work",
        format!(
            "It may have expired, or the request it belongs to is closed. If you still need to act on it, write to {}.",
            ctx.settings.organisation.email
        ),
        json!({}),
        None,
    )
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    req: &HttpRequest,
    ctx: &AppContext,
    token: &str,
    task: &Task,
    case: &crate::db::cases::Case,
    details: Option<String>,
    error: Option<String>,
    form: &TaskForm,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let (csrf_token, cookie) = csrf::token(req, pages::secure_cookies(ctx));
    let answers: Vec<_> = AnswerKind::ALL
        .iter()
        .map(|a| json!({ "value": a.key(), "label": a.label(), "checked": form.answer == a.key() }))
        .collect();
    pages::render(
        ctx,
        "task",
        TITLE,
        json!({
            "token": token,
            "csrf_token": csrf_token,
            "error": error,
            "reference": case.reference.as_str(),
            "system": task.system_name,
            "right": task.right.short(),
            "instruction": instruction(task.right),
            "details": details,
            "target": long(task.target_on),
            "person": { "name": case.requester_name, "email": case.requester_email },
            "answers": answers,
            "basis": form.basis,
            "note": form.note,
        }),
        status,
        cookie,
    )
}

pub async fn get(
    req: HttpRequest,
    token: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let t = token.clone();
    match pages::blocking(&ctx, move |ctx| fulfilment::open_link(ctx, &t)).await? {
        TaskLink::Open {
            task,
            case,
            details,
        } => form_page(
            &req,
            &ctx,
            &token,
            &task,
            &case,
            details,
            None,
            &TaskForm::default(),
            StatusCode::OK,
        ),
        TaskLink::Answered { task } => answered_page(&ctx, &task),
        TaskLink::Unusable => unusable(&ctx),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TaskForm {
    csrf_token: String,
    answer: String,
    basis: String,
    note: String,
}

pub async fn post(
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<TaskForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, &form.csrf_token)?;
    let token = token.into_inner();
    let parsed = Answered::parse(&form.answer, &form.basis, &form.note);
    let answered = match parsed {
        Ok(a) => a,
        Err(e) => {
            let t = token.clone();
            return match pages::blocking(&ctx, move |ctx| fulfilment::open_link(ctx, &t)).await? {
                TaskLink::Open {
                    task,
                    case,
                    details,
                } => form_page(
                    &req,
                    &ctx,
                    &token,
                    &task,
                    &case,
                    details,
                    Some(e.to_string()),
                    &form,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                TaskLink::Answered { task } => answered_page(&ctx, &task),
                TaskLink::Unusable => unusable(&ctx),
            };
        }
    };
    let t = token.clone();
    match pages::blocking(&ctx, move |ctx| {
        fulfilment::answer_by_owner(ctx, &t, &answered)
    })
    .await?
    {
        TaskLink::Answered { task } => answered_page(&ctx, &task),
        _ => unusable(&ctx),
    }
}
