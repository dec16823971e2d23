//! The requester's private status page. `GET /status/{token}` shows where
//! the request stands (and changes nothing); its forms post a reply or a
//! withdrawal. `GET`/`POST /requests/status` sends a fresh link to an
//! address, answering the same whether or not it has any requests.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::app::AppContext;
use crate::domain::deadline::long;
use crate::domain::Email;
use crate::service::casework::ActionError;
use crate::service::status::{self, PageAccess, PageActionError, StatusView};
use crate::web::{csrf, pages, WebError};

pub use crate::service::status::MAX_REPLY;

/// The page that asks before withdrawing.
#[derive(Serialize)]
struct Withdraw<'a> {
    token: &'a str,
    csrf_token: &'a str,
    reference: &'a str,
    rights: Vec<&'static str>,
}

/// The page that sends a new status link.
#[derive(Serialize)]
struct LinkPage<'a> {
    email: &'a str,
    error: Option<String>,
    has_errors: bool,
    csrf_token: &'a str,
}

fn when(ctx: &AppContext, at: NaiveDateTime) -> String {
    at.and_utc()
        .with_timezone(&ctx.settings.organisation.timezone)
        .format("%-d %B %Y, %H:%M")
        .to_string()
}

/// The status page: where the request stands, its dates, the answer, the
/// messages both ways, and what the requester can do now.
#[derive(Serialize)]
struct StatusPage<'a> {
    reference: &'a str,
    state: &'static str,
    #[serde(rename = "where")]
    stands: &'static str,
    closed: bool,
    regime: &'static str,
    received: Option<String>,
    due: Option<String>,
    /// The clock has not started, or waits for the requester.
    waiting: bool,
    due_if_proof_today: Option<String>,
    paused: bool,
    extended: bool,
    extended_because: &'a Option<String>,
    recipients_told: &'a [String],
    answer: &'a Option<Vec<crate::domain::answer::Section>>,
    package: Option<Package>,
    completed: bool,
    rights: Vec<AskedRight>,
    messages: Vec<Message<'a>>,
    max_reply: usize,
    proof_asked: bool,
    permission_wanted: bool,
    questions: Vec<Question<'a>>,
    questions_open: bool,
    documents_pending: usize,
    max_mb: usize,
    token: String,
    csrf_token: String,
    error: Option<String>,
    has_errors: bool,
    reply: &'a str,
}

#[derive(Serialize)]
struct Package {
    size: String,
    until: String,
}

#[derive(Serialize)]
struct AskedRight {
    title: &'static str,
    summary: String,
    outcome: Option<&'static str>,
}

#[derive(Serialize)]
struct Message<'a> {
    from_us: bool,
    at: String,
    subject: &'a str,
    body: &'a str,
}

#[derive(Serialize)]
struct Question<'a> {
    id: i64,
    question: &'a str,
    answered: bool,
}

/// What the requester can do on the page, as they left it.
struct Form {
    token: String,
    csrf_token: String,
    error: Option<String>,
}

fn status_page<'a>(
    ctx: &AppContext,
    v: &'a StatusView,
    form: Form,
    reply: &'a str,
) -> StatusPage<'a> {
    let regime = v.case.regime;
    let closed = v.case.state.is_closed();
    let deadline = v.deadline.as_ref().and_then(|d| d.as_ref().ok());
    let mut messages: Vec<(NaiveDateTime, Message)> = v
        .messages
        .iter()
        .map(|m| {
            (
                m.created_at,
                Message {
                    from_us: true,
                    at: when(ctx, m.created_at),
                    subject: &m.subject,
                    body: &m.body_text,
                },
            )
        })
        .collect();
    messages.extend(v.replies.iter().map(|r| {
        (
            r.created_at,
            Message {
                from_us: false,
                at: when(ctx, r.created_at),
                subject: "You wrote",
                body: &r.body,
            },
        )
    }));
    messages.sort_by_key(|(at, _)| *at);
    let tz = ctx.settings.organisation.timezone;
    StatusPage {
        reference: v.case.reference.as_str(),
        state: v.case.state.key(),
        stands: v.case.state.for_requester(),
        closed,
        regime: regime.title(),
        received: v.case.received_on.map(long),
        due: if closed {
            None
        } else {
            deadline.and_then(|d| d.due).map(long)
        },
        waiting: !closed && deadline.is_some_and(|d| d.due.is_none()),
        due_if_proof_today: v.due_if_proof_today.map(long),
        paused: !closed
            && deadline.is_some_and(|d| {
                matches!(d.clock, crate::domain::deadline::ClockState::Paused { .. })
            }),
        extended: deadline.is_some_and(|d| d.extended),
        extended_because: &v.extended_because,
        recipients_told: &v.recipients_told,
        answer: &v.answer,
        package: v.package.map(|(bytes, expires)| Package {
            size: if bytes < 1_048_576 {
                format!("{} KB", (bytes + 1023) / 1024)
            } else {
                format!("{:.1} MB", bytes as f64 / 1_048_576.0)
            },
            until: long(expires.and_utc().with_timezone(&tz).date_naive()),
        }),
        completed: v.case.state == crate::domain::CaseState::Completed,
        rights: v
            .rights
            .iter()
            .map(|r| AskedRight {
                title: regime.right_name(r.request.right()),
                summary: r.request.summary(),
                outcome: r.outcome.map(|o| o.for_requester()),
            })
            .collect(),
        messages: messages.into_iter().map(|(_, m)| m).rev().collect(),
        max_reply: MAX_REPLY,
        proof_asked: v.proof_asked && v.questions.is_empty(),
        permission_wanted: v.permission_wanted,
        questions: if v.proof_asked {
            v.questions
                .iter()
                .map(|(id, q, answered)| Question {
                    id: *id,
                    question: q,
                    answered: *answered,
                })
                .collect()
        } else {
            Vec::new()
        },
        questions_open: v.proof_asked && v.questions.iter().any(|(_, _, answered)| !answered),
        documents_pending: v.documents_pending,
        max_mb: ctx.settings.uploads.max_file_bytes / 1_048_576,
        token: form.token,
        csrf_token: form.csrf_token,
        has_errors: form.error.is_some(),
        error: form.error,
        reply,
    }
}

fn access_problem(
    ctx: &AppContext,
    problem: PageAccess,
    cookie: Option<actix_web::cookie::Cookie<'static>>,
) -> Result<HttpResponse, WebError> {
    let (status, title, message) = match problem {
        PageAccess::Stale => (
            StatusCode::GONE,
            "This link no longer works",
            "Links to your request's page stop working after a while, to keep it private. Ask for a new link: we will email it to you.",
        ),
        PageAccess::Unknown => (
            StatusCode::NOT_FOUND,
            "We cannot find that page",
            "Check that you copied the whole link from our email, or ask for a new link.",
        ),
    };
    pages::notice(
        ctx,
        status,
        title,
        message.into(),
        crate::web::pages::Notice {
            new_status_link: true,
            ..crate::web::pages::Notice::default()
        },
        cookie,
    )
}

/// The page for a status link that does not work (unknown or stale).
pub(crate) fn access_problem_page(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    problem: PageAccess,
) -> Result<HttpResponse, WebError> {
    let (_, cookie) = csrf::token(req, pages::secure_cookies(ctx));
    access_problem(ctx, problem, cookie)
}

pub(crate) async fn show(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    token: String,
    error: Option<String>,
    reply: &str,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let t = token.clone();
    let view = pages::blocking(ctx, move |ctx| status::view(ctx, &t)).await?;
    let (csrf_token, cookie) = csrf::token(req, pages::secure_cookies(ctx));
    match view {
        Ok(view) => {
            let form = Form {
                token,
                csrf_token,
                error,
            };
            let data = status_page(ctx, &view, form, reply);
            pages::render(ctx, "status", "Your request", data, status, cookie)
        }
        Err(problem) => access_problem(ctx, problem, cookie),
    }
}

pub async fn get(
    req: HttpRequest,
    token: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    show(&req, &ctx, token.into_inner(), None, "", StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    body: String,
}

pub async fn reply(
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<ReplyForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, &form.csrf_token)?;
    let token = token.into_inner();
    let body = form.body.trim().to_owned();
    let problem = if body.is_empty() {
        Some("Write your message before sending it".to_owned())
    } else if body.chars().count() > MAX_REPLY {
        Some(format!(
            "Your message must be {MAX_REPLY} characters or fewer"
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        return show(
            &req,
            &ctx,
            token,
            Some(problem),
            &form.body,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let t = token.clone();
    let result = pages::blocking(&ctx, move |ctx| status::reply(ctx, &t, &body)).await?;
    after_action(&req, &ctx, token, result, &form.body).await
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf_token: String,
    /// `yes` from the confirmation page; anything else shows that page.
    #[serde(default)]
    confirm: String,
}

/// The page that asks "are you sure?" before a withdrawal: what will stop,
/// that it cannot be undone here, and the two ways out.
async fn withdraw_confirmation(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    token: String,
) -> Result<HttpResponse, WebError> {
    let t = token.clone();
    let view = pages::blocking(ctx, move |ctx| status::view(ctx, &t)).await?;
    let (csrf_token, cookie) = csrf::token(req, pages::secure_cookies(ctx));
    let view = match view {
        Ok(view) => view,
        Err(problem) => return access_problem(ctx, problem, cookie),
    };
    if view.case.state.is_closed() {
        return Ok(HttpResponse::SeeOther()
            .insert_header(("Location", format!("/status/{token}")))
            .finish());
    }
    let regime = view.case.regime;
    pages::render(
        ctx,
        "status_withdraw",
        "Withdraw your request?",
        Withdraw {
            token: &token,
            csrf_token: &csrf_token,
            reference: view.case.reference.as_str(),
            rights: view
                .rights
                .iter()
                .map(|r| regime.right_name(r.request.right()))
                .collect(),
        },
        StatusCode::OK,
        cookie,
    )
}

/// `GET /status/{token}/withdraw`: the confirmation page (changes nothing).
pub async fn withdraw_form(
    req: HttpRequest,
    token: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    withdraw_confirmation(&req, &ctx, token.into_inner()).await
}

/// `POST /status/{token}/withdraw`: withdraws with `confirm=yes`; without
/// it (an old page's one-tap form), asks first.
pub async fn withdraw(
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<WithdrawForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, &form.csrf_token)?;
    let token = token.into_inner();
    if form.confirm != "yes" {
        return withdraw_confirmation(&req, &ctx, token).await;
    }
    let t = token.clone();
    let result = pages::blocking(&ctx, move |ctx| status::withdraw(ctx, &t)).await?;
    after_action(&req, &ctx, token, result, "").await
}

async fn after_action(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    token: String,
    result: Result<(), PageActionError>,
    reply: &str,
) -> Result<HttpResponse, WebError> {
    match result {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", format!("/status/{token}")))
            .finish()),
        Err(PageActionError::Access(problem)) => access_problem(ctx, problem, None),
        Err(PageActionError::Refused(e)) => {
            let message = match &e {
                ActionError::NotNow(state) if state.is_closed() => {
                    "Your request is closed, so it can no longer be changed here. Write to us by email if you need to.".to_owned()
                }
                ActionError::NotNow(_) => {
                    "That is not something your request needs at the moment.".to_owned()
                }
                ActionError::NotAnswered => {
                    "Those questions have changed; reload the page and answer again.".to_owned()
                }
                other => other.to_string(),
            };
            let status = if matches!(e, ActionError::TooManyReplies) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::CONFLICT
            };
            show(req, ctx, token, Some(message), reply, status).await
        }
    }
}

pub async fn link_form(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    link_page(&req, &ctx, "", None, StatusCode::OK)
}

fn link_page(
    req: &HttpRequest,
    ctx: &AppContext,
    email: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let (csrf_token, cookie) = csrf::token(req, pages::secure_cookies(ctx));
    pages::render(
        ctx,
        "status_request",
        "Get a link to your request",
        LinkPage {
            email,
            has_errors: error.is_some(),
            error,
            csrf_token: &csrf_token,
        },
        status,
        cookie,
    )
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
}

pub async fn send_link(
    req: HttpRequest,
    form: web::Form<LinkForm>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, &form.csrf_token)?;
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(e) => {
            return link_page(
                &req,
                &ctx,
                &form.email,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    pages::blocking(&ctx, move |ctx| status::send_links(ctx, &email)).await?;
    // The same answer whatever the address: the form must not tell anyone
    // who has made a request.
    pages::notice(
        &ctx,
        StatusCode::OK,
        "Check your email",
        "If we hold requests made with that address, we have emailed a new link for each of them. \
         Each new link replaces the one before. If nothing arrives within a few minutes, check your spam folder."
            .into(),
        crate::web::pages::Notice::default(),
        None,
    )
}

pub const MAX_ANSWER: usize = 500;

/// The `answer-{id}` fields of the form, each present and not too long.
fn parse_answers(form: &[(String, String)]) -> Result<Vec<(i64, String)>, String> {
    let mut answers = Vec::new();
    for (key, value) in form {
        let Some(id) = key
            .strip_prefix("answer-")
            .and_then(|id| id.parse::<i64>().ok())
        else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            return Err("Answer every question".into());
        }
        if value.chars().count() > MAX_ANSWER {
            return Err(format!(
                "Each answer must be {MAX_ANSWER} characters or fewer"
            ));
        }
        answers.push((id, value.to_owned()));
    }
    if answers.is_empty() {
        return Err("Answer every question".into());
    }
    Ok(answers)
}

/// `POST /status/{token}/details`: answers to our identity questions, as
/// fields `answer-{id}`.
pub async fn details(
    req: HttpRequest,
    token: web::Path<String>,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let form: Vec<(String, String)> = crate::web::form(&body)?;
    let csrf_token = form
        .iter()
        .find(|(k, _)| k == "csrf_token")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    csrf::verify(&req, csrf_token)?;
    let token = token.into_inner();
    let answers = match parse_answers(&form) {
        Ok(answers) => answers,
        Err(problem) => {
            return show(
                &req,
                &ctx,
                token,
                Some(problem),
                "",
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let t = token.clone();
    let result = pages::blocking(&ctx, move |ctx| status::answer(ctx, &t, answers)).await?;
    after_action(&req, &ctx, token, result, "").await
}
