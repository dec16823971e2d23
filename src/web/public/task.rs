//! A system owner's task: `GET /tasks/{token}` shows what to do and for
//! whom (mail scanners open links, so it changes nothing); the form posts
//! the answer to `POST /tasks/{token}`, which spends the link.

use std::time::Duration;

use actix_multipart::Multipart;
use actix_web::http::header::{ContentLength, Header};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::app::AppContext;
use crate::db::tasks::Task;
use crate::domain::deadline::long;
use crate::domain::fulfilment::{accept_file, instruction, portable_file, AnswerKind, Answered};
use crate::domain::rights::Choice;
use crate::domain::Right;
use crate::service::fulfilment::{self, TaskLink};
use crate::web::multipart::{self, Caps, TooMuch};
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
        crate::web::pages::Notice::default(),
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
        crate::web::pages::Notice::default(),
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
    #[derive(Serialize)]
    struct TaskPage<'a> {
        token: &'a str,
        csrf_token: String,
        error: Option<String>,
        reference: &'a str,
        system: &'a str,
        right: &'static str,
        instruction: &'static str,
        details: Option<String>,
        target: String,
        person: Person<'a>,
        answers: Vec<Answer>,
        basis: &'a str,
        note: &'a str,
        takes_files: bool,
        portability: bool,
        max_files: u32,
        max_mb: usize,
    }
    #[derive(Serialize)]
    struct Person<'a> {
        name: &'a str,
        email: &'a str,
    }
    #[derive(Serialize)]
    struct Answer {
        value: &'static str,
        label: &'static str,
        checked: bool,
    }
    let answers = AnswerKind::ALL
        .iter()
        .map(|a| Answer {
            value: a.key(),
            label: a.label(),
            checked: form.answer == a.key(),
        })
        .collect();
    pages::render(
        ctx,
        "task",
        TITLE,
        TaskPage {
            token,
            csrf_token,
            error,
            reference: case.reference.as_str(),
            system: &task.system_name,
            right: task.right.short(),
            instruction: instruction(task.right),
            details,
            target: long(task.target_on),
            person: Person {
                name: &case.requester_name,
                email: &case.requester_email,
            },
            answers,
            basis: &form.basis,
            note: &form.note,
            takes_files: takes_files(task),
            portability: task.right == Right::Portability,
            max_files: ctx.settings.uploads.max_files,
            max_mb: ctx.settings.uploads.max_file_bytes / 1_048_576,
        },
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

/// What the owner typed, kept to show the form again.
#[derive(Default)]
pub struct TaskForm {
    answer: String,
    basis: String,
    note: String,
}

#[derive(Deserialize)]
pub struct TaskQuery {
    #[serde(default)]
    csrf_token: String,
}

/// Files are part of the answer only where the data itself is given.
fn takes_files(task: &Task) -> bool {
    matches!(task.right, Right::Access | Right::Portability)
}

pub async fn post(
    req: HttpRequest,
    token: web::Path<String>,
    query: web::Query<TaskQuery>,
    form: Multipart,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    // The token and the link are checked before any of the body is read.
    csrf::verify(&req, &query.csrf_token)?;
    let token = token.into_inner();
    let t = token.clone();
    let (task, case, details) =
        match pages::blocking(&ctx, move |ctx| fulfilment::open_link(ctx, &t)).await? {
            TaskLink::Open {
                task,
                case,
                details,
            } => (task, case, details),
            TaskLink::Answered { task } => return answered_page(&ctx, &task),
            TaskLink::Unusable => return unusable(&ctx),
        };
    let uploads = &ctx.settings.uploads;
    let caps = Caps {
        file: uploads.max_file_bytes,
        files: uploads.max_files,
        request: uploads.max_request_bytes,
        field: 16 * 1024,
    };
    let refuse = |error: String, typed: &TaskForm, status: StatusCode| {
        form_page(
            &req,
            &ctx,
            &token,
            &task,
            &case,
            details.clone(),
            Some(error),
            typed,
            status,
        )
    };
    if let Ok(ContentLength(length)) = ContentLength::parse(&req) {
        if length > caps.request {
            let e = TooMuch::Request(caps.request / 1_048_576);
            return refuse(
                e.to_string(),
                &TaskForm::default(),
                StatusCode::PAYLOAD_TOO_LARGE,
            );
        }
    }
    let timeout = Duration::from_secs(uploads.read_timeout_secs);
    let parts = match actix_web::rt::time::timeout(
        timeout,
        multipart::read(form, caps, |field| field == "files"),
    )
    .await
    {
        Ok(Ok(parts)) => parts,
        Ok(Err(e)) => {
            let status = match e {
                TooMuch::Broken => StatusCode::BAD_REQUEST,
                _ => StatusCode::PAYLOAD_TOO_LARGE,
            };
            return refuse(e.to_string(), &TaskForm::default(), status);
        }
        Err(_) => {
            return refuse(
                WebError::TooSlow(timeout.as_secs()).to_string(),
                &TaskForm::default(),
                StatusCode::REQUEST_TIMEOUT,
            )
        }
    };
    let texts = match parts.texts() {
        Ok(texts) => texts,
        Err(e) => return refuse(e.to_string(), &TaskForm::default(), StatusCode::BAD_REQUEST),
    };
    let field = |name: &str| texts.get(name).copied().unwrap_or_default().to_owned();
    let typed = TaskForm {
        answer: field("answer"),
        basis: field("basis"),
        note: field("note"),
    };
    let answered = match Answered::parse(&typed.answer, &typed.basis, &typed.note) {
        Ok(a) => a,
        Err(e) => return refuse(e.to_string(), &typed, StatusCode::UNPROCESSABLE_ENTITY),
    };
    if !parts.files.is_empty() && !takes_files(&task) {
        return refuse(
            "Files are only attached to access and portability tasks".into(),
            &typed,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let mut files = Vec::new();
    for multipart::FilePart { name, bytes, .. } in parts.files {
        let checked = accept_file(&name, &bytes).and_then(|clean| {
            if task.right == Right::Portability {
                portable_file(&clean, &bytes)?;
            }
            Ok(clean)
        });
        match checked {
            Ok(clean) => files.push((clean, bytes)),
            Err(e) => return refuse(e.to_string(), &typed, StatusCode::UNPROCESSABLE_ENTITY),
        }
    }
    let t = token.clone();
    match pages::blocking(&ctx, move |ctx| {
        fulfilment::answer_by_owner(ctx, &t, &answered, &files)
    })
    .await?
    {
        TaskLink::Answered { task } => answered_page(&ctx, &task),
        _ => unusable(&ctx),
    }
}
