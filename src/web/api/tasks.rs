//! Fulfilment tasks, for the systems that carry them out: `GET
//! /api/v1/tasks` lists them across cases (open ones by default, by target
//! day), `GET /api/v1/tasks/{id}` reads one, and `POST
//! /api/v1/tasks/{id}/answer` records what the system did, as its owner's
//! link or a staff member would.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::types::{utc, AnswerKey, TaskStateKey};
use super::ApiError;
use crate::app::AppContext;
use crate::db::systems::SystemId;
use crate::db::tasks::{Task, TaskFilter, TaskState};
use crate::domain::api_token::Scope;
use crate::domain::fulfilment::{AnswerError, Answered};
use crate::service::casework::Acting;
use crate::service::fulfilment::{self, TaskRefused};

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 200;

/// What one system must do for one right of one case, and how it answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskView {
    pub id: i64,
    /// The case's reference.
    pub case: String,
    pub system_id: i64,
    pub system: String,
    #[schema(value_type = super::types::RightKey)]
    pub right: String,
    pub created_at: DateTime<Utc>,
    /// The day it should be answered by (the organisation's own target,
    /// well within the legal deadline).
    pub target_on: NaiveDate,
    /// Open past its target day.
    pub overdue: bool,
    /// Null while open.
    #[schema(value_type = Option<AnswerKey>)]
    pub answer: Option<String>,
    /// The legal basis for keeping the data (`kept`).
    pub basis: Option<String>,
    pub note: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    /// Who answered: the owner's address, a staff member or a token.
    pub answered_by: Option<String>,
    /// When its owner was last reminded.
    pub chased_at: Option<DateTime<Utc>>,
}

impl TaskView {
    pub fn new(task: Task, case: String, today: NaiveDate) -> TaskView {
        TaskView {
            overdue: task.overdue(today),
            id: task.id,
            case,
            system_id: task.system_id.0,
            system: task.system_name,
            right: task.right.key().to_owned(),
            created_at: utc(task.created_at),
            target_on: task.target_on,
            answer: task.answer.as_ref().map(|a| a.kind_key().to_owned()),
            basis: task
                .answer
                .as_ref()
                .and_then(|a| a.basis())
                .map(str::to_owned),
            note: task.note,
            answered_at: task.answered_at.map(utc),
            answered_by: task.answered_by,
            chased_at: task.chased_at.map(utc),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskList {
    pub tasks: Vec<TaskView>,
    /// Pass as `after` for the next page; absent on the last.
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    /// `open` (the default), `answered` or `all`.
    #[param(value_type = Option<TaskStateKey>)]
    pub state: Option<String>,
    /// Only this system's tasks.
    pub system: Option<i64>,
    /// Only open tasks past their target day.
    pub overdue: Option<bool>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// Tasks per page.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl TaskQuery {
    fn filter(&self, today: NaiveDate) -> Result<(TaskFilter, u32), ApiError> {
        let bad = |m: String| ApiError::BadRequest(m);
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(bad(format!("limit must be between 1 and {MAX_LIMIT}")));
        }
        let state = match self.state.as_deref() {
            None | Some("open") => TaskState::Open,
            Some("answered") => TaskState::Answered,
            Some("all") => TaskState::All,
            Some(s) => return Err(bad(format!("unknown state '{s}' (open, answered or all)"))),
        };
        let after = match self.after.as_deref() {
            None => None,
            Some(a) => match super::page_position(a)? {
                // Every task has a target day.
                (Some(day), id) => Some((day, id)),
                (None, _) => {
                    return Err(bad(format!("'{a}' is not a page position this API gave")))
                }
            },
        };
        let filter = TaskFilter {
            state,
            system: self.system.map(SystemId),
            overdue_before: (self.overdue == Some(true)).then_some(today),
            after,
            limit: i64::from(limit) + 1,
        };
        Ok((filter, limit))
    }
}

/// Lists tasks across cases, those due first, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/tasks",
    tag = "tasks",
    params(TaskQuery),
    security(("token" = ["read"])),
    responses(
        (status = 200, description = "A page of tasks", body = TaskList),
        (status = 400, description = "A filter is not valid", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the read scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    caller: Caller,
    query: web::Query<TaskQuery>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Read)?;
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let (filter, limit) = query.filter(today)?;
    let by = caller.actor();
    let ctx = ctx.into_inner();
    let mut rows = web::block(move || fulfilment::list_tasks(&ctx, by, &filter)).await??;
    let next = super::split_page(&mut rows, limit, |(t, _)| (Some(t.target_on), t.id));
    Ok(HttpResponse::Ok().json(TaskList {
        tasks: rows
            .into_iter()
            .map(|(t, case)| TaskView::new(t, case, today))
            .collect(),
        next,
    }))
}

fn missing(id: i64) -> ApiError {
    ApiError::NotFound(format!("No task has the id {id}."))
}

/// One task.
#[utoipa::path(
    get,
    path = "/api/v1/tasks/{id}",
    tag = "tasks",
    params(("id" = i64, Path, description = "The task's id")),
    security(("token" = ["read"])),
    responses(
        (status = 200, description = "The task", body = TaskView),
        (status = 400, description = "The id is not a number", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the read scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No task has this id", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    caller: Caller,
    path: web::Path<i64>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Read)?;
    let id = path.into_inner();
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let by = caller.actor();
    let ctx = ctx.into_inner();
    let found = web::block(move || fulfilment::task_for(&ctx, by, id)).await??;
    let (task, case) = found.ok_or_else(|| missing(id))?;
    Ok(HttpResponse::Ok().json(TaskView::new(task, case, today)))
}

/// What a system did for its task.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    #[schema(value_type = AnswerKey)]
    pub answer: String,
    /// The legal basis for keeping the data: needed for `kept` (the
    /// requester is told it).
    #[schema(max_length = 5000)]
    pub basis: Option<String>,
    /// Needed for `not_possible` (why); otherwise optional.
    #[schema(max_length = 5000)]
    pub note: Option<String>,
}

/// Records a task's answer, once: the case's trail records it as the
/// token's, and a case whose tasks are all answered is ready for staff to
/// give its answer.
#[utoipa::path(
    post,
    path = "/api/v1/tasks/{id}/answer",
    tag = "tasks",
    params(("id" = i64, Path, description = "The task's id")),
    request_body = AnswerBody,
    security(("token" = ["act"])),
    responses(
        (status = 200, description = "Answered: the task as it is now", body = TaskView),
        (status = 400, description = "The body is not JSON of this shape", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the act scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No task has this id", body = super::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already answered, or its case does not take answers now; nothing changed", body = super::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = super::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or not valid", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn answer(
    caller: Caller,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Act)?;
    let id = path.into_inner();
    let body: AnswerBody = super::json_body(&req, &body)?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let answered =
        Answered::parse(&body.answer, &text(&body.basis), &text(&body.note)).map_err(|e| {
            let field = match e {
                AnswerError::Kind => "answer",
                AnswerError::Basis => "basis",
                AnswerError::Reason | AnswerError::Text => "note",
            };
            ApiError::field(field, e.to_string())
        })?;
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let token = caller.token.id;
    let ctx = ctx.into_inner();
    let done =
        web::block(move || fulfilment::answer_task_as(&ctx, Acting::Token(token), id, answered))
            .await??;
    match done {
        Ok((task, case)) => Ok(HttpResponse::Ok().json(TaskView::new(task, case, today))),
        Err(TaskRefused::NoSuchTask) => Err(missing(id)),
        Err(refused) => Err(ApiError::Refused(format!("{refused}; nothing changed."))),
    }
}
