//! `GET /api/v1/cases` (a page of the queue) and
//! `GET /api/v1/cases/{reference}` (one case, whole).

use actix_web::{web, HttpResponse};
use chrono::{Days, NaiveDate};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::Caller;
use super::tasks::TaskView;
use super::types::{
    utc, AgentView, CaseDetail, CaseList, CaseSummary, DeadlineView, EventView, MessageView,
    RequesterView, RightView,
};
use super::ApiError;
use crate::app::AppContext;
use crate::db::queue::{AssigneeFilter, Cursor, QueueFilter, Search};
use crate::db::users::UserId;
use crate::domain::api_token::Scope;
use crate::domain::{CaseState, Reference, Regime, Right};
use crate::service::{self, casework};

/// The most cases one page holds.
pub const MAX_LIMIT: u32 = 100;
const DEFAULT_LIMIT: u32 = 50;

/// Declares a query-string struct with the staff queue's filters (and
/// `$extra` fields after them).
macro_rules! with_case_filters {
    ($(#[$meta:meta])* pub struct $name:ident { $($extra:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Default, Deserialize, IntoParams)]
        #[into_params(parameter_in = Query)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// A state (`verifying`, `in_progress`, ...), `open` (the
            /// default) or `all`.
            #[param(value_type = Option<super::types::StatusFilter>)]
            pub status: Option<String>,
            /// Only cases exercising this right.
            #[param(value_type = Option<super::types::RightKey>)]
            pub right: Option<String>,
            /// Only cases under this law (`uk-gdpr`, `eu-gdpr`, `ccpa`).
            #[param(value_type = Option<super::types::RegimeKey>)]
            pub regime: Option<String>,
            /// `unassigned`, or a staff member's id.
            pub assignee: Option<String>,
            /// Only cases due within this many days from today.
            #[param(minimum = 0, maximum = 3650)]
            pub due_within: Option<u32>,
            /// Only overdue cases.
            pub overdue: Option<bool>,
            /// A reference (`RD-7K3M-9Q2X`) or an email address (exact, any
            /// case); a search looks at cases in every state.
            pub q: Option<String>,
            $($extra)*
        }
    };
}
pub(crate) use with_case_filters;

with_case_filters! {
    /// Filters, as the staff queue has them. With none, the open cases, most
    /// urgent first.
    pub struct ListQuery {
        /// The `next` of the previous page.
        pub after: Option<String>,
        /// Cases per page.
        #[param(minimum = 1, maximum = 100)]
        pub limit: Option<u32>,
    }
}

fn bad(message: String) -> ApiError {
    ApiError::BadRequest(message)
}

fn parse_cursor(s: &str) -> Result<Cursor, ApiError> {
    let (due_on, id) = super::page_position(s)?;
    Ok(Cursor {
        due_on,
        id,
        state: None,
    })
}

/// A free-text parameter's value; an empty one counts as not given (as
/// forms send). Parameters with a list of values take only those.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl ListQuery {
    pub(super) fn filter(&self, today: NaiveDate) -> Result<(QueueFilter, u32), ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(bad(format!("limit must be between 1 and {MAX_LIMIT}")));
        }
        let search = match given(&self.q) {
            None => None,
            Some(q) if q.contains('@') => Some(Search::Email(q.to_owned())),
            Some(q) => Some(Search::Reference(q.parse::<Reference>().map_err(|_| {
                bad(format!(
                    "'{q}' is neither a reference (like RD-7K3M-9Q2X) nor an email address"
                ))
            })?)),
        };
        let states = match self.status.as_deref() {
            None if search.is_some() => CaseState::ALL.to_vec(),
            None | Some("open") => CaseState::OPEN.to_vec(),
            Some("all") => CaseState::ALL.to_vec(),
            Some(s) => vec![s
                .parse::<CaseState>()
                .map_err(|_| bad(format!("unknown status '{s}'")))?],
        };
        let right = self
            .right
            .as_deref()
            .map(|r| {
                r.parse::<Right>()
                    .map_err(|_| bad(format!("unknown right '{r}'")))
            })
            .transpose()?;
        let regime = self
            .regime
            .as_deref()
            .map(|r| {
                r.parse::<Regime>()
                    .map_err(|_| bad(format!("unknown regime '{r}'")))
            })
            .transpose()?;
        let assignee = match given(&self.assignee) {
            None => AssigneeFilter::Anyone,
            Some("unassigned") => AssigneeFilter::Unassigned,
            Some(id) => AssigneeFilter::User(UserId(
                id.parse()
                    .map_err(|_| bad(format!("unknown assignee '{id}'")))?,
            )),
        };
        let due_by = match self.due_within {
            None => None,
            Some(days) if days <= 3650 => today.checked_add_days(Days::new(days.into())),
            Some(_) => return Err(bad("due_within is at most 3650 days".into())),
        };
        let after = given(&self.after).map(parse_cursor).transpose()?;
        let filter = QueueFilter {
            states,
            right,
            regime,
            assignee,
            due_by,
            overdue_before: (self.overdue == Some(true)).then_some(today),
            search,
            after,
            limit: i64::from(limit) + 1,
            unconfirmed_with_due: self.status.is_none(),
            sort: crate::db::queue::Sort::Due,
        };
        Ok((filter, limit))
    }
}

/// Lists cases, most urgent first (those whose clock has not started
/// last), a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "cases",
    params(ListQuery),
    security(("token" = ["read"])),
    responses(
        (status = 200, description = "A page of cases", body = CaseList),
        (status = 400, description = "A filter is not valid", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the read scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    caller: Caller,
    query: web::Query<ListQuery>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Read)?;
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let (filter, limit) = query.filter(today)?;
    let by = caller.actor();
    let ctx = ctx.into_inner();
    let mut rows = web::block(move || service::queue::list(&ctx, by, &filter)).await??;
    let next = super::split_page(&mut rows, limit, |r| (r.due_on, r.id.0));
    Ok(HttpResponse::Ok().json(CaseList {
        cases: rows.into_iter().map(CaseSummary::from).collect(),
        next,
    }))
}

/// One case with its rights, deadline and how it was computed, its audit
/// trail and its emails (never their bodies). The view is recorded in the
/// case's trail.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{reference}",
    tag = "cases",
    params(("reference" = String, Path, description = "The case's reference, like RD-7K3M-9Q2X")),
    security(("token" = ["read"])),
    responses(
        (status = 200, description = "The case", body = CaseDetail),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the read scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case has this reference", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    caller: Caller,
    path: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Read)?;
    let raw = path.into_inner();
    let missing = || ApiError::NotFound(format!("No case has the reference '{raw}'."));
    let reference: Reference = raw.parse().map_err(|_| missing())?;
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let by = caller.actor();
    let ctx = ctx.into_inner();
    let found = web::block(move || -> Result<_, crate::service::ServiceError> {
        let Some(view) = casework::view(&ctx, by, &reference)? else {
            return Ok(None);
        };
        let summary = service::queue::summary(&ctx, &reference)?;
        Ok(summary.map(|s| (view, s)))
    })
    .await??;
    let (view, summary) = found.ok_or_else(missing)?;
    Ok(HttpResponse::Ok().json(detail(view, summary.into(), today)))
}

fn detail(view: casework::CaseView, summary: CaseSummary, today: NaiveDate) -> CaseDetail {
    let case = view.case;
    let tasks = view
        .tasks
        .into_iter()
        .map(|t| TaskView::new(t, case.reference.as_str().to_owned(), today))
        .collect();
    let (deadline, deadline_error) = match view.deadline {
        Some(Ok(d)) => (
            Some(DeadlineView {
                due_on: d.due,
                original_due_on: d.original_due,
                extended: d.extended,
                clock_start: d.clock_start,
                paused_days: d.paused_days,
                acknowledge_by: d.acknowledge_by,
                opt_out_due: d.opt_out_due,
                derivation: d.derivation,
            }),
            None,
        ),
        Some(Err(e)) => (None, Some(e.to_string())),
        None => (None, None),
    };
    CaseDetail {
        summary,
        channel: case.channel,
        location: case.location,
        requester: RequesterView {
            name: case.requester_name,
            email: case.requester_email,
            agent: case.agent_name.map(|name| AgentView {
                name,
                email: case.agent_email,
            }),
        },
        description: case.description,
        submitted_at: utc(case.submitted_at),
        confirmed_at: case.confirmed_at.map(utc),
        closed_at: case.closed_at.map(utc),
        closure: case.closure,
        rights_detail: view
            .rights
            .into_iter()
            .map(|r| RightView {
                right: r.request.right().key().to_owned(),
                request: serde_json::to_value(&r.request).unwrap_or_default(),
                outcome: r
                    .outcome
                    .and_then(|o| serde_json::to_value(o).ok())
                    .and_then(|v| v.as_str().map(str::to_owned)),
                outcome_note: r.outcome_note,
                decided_at: r.decided_at.map(utc),
            })
            .collect(),
        deadline,
        deadline_error,
        events: view
            .trail
            .into_iter()
            .map(|e| EventView {
                at: utc(e.occurred_at),
                detail: serde_json::from_str::<serde_json::Value>(&e.detail)
                    .ok()
                    .filter(serde_json::Value::is_object)
                    .unwrap_or_else(|| serde_json::json!({})),
                kind: e.kind,
                actor: e.actor,
                effective_on: e.effective_on,
            })
            .collect(),
        messages: view
            .messages
            .into_iter()
            .map(|m| MessageView {
                created_at: utc(m.created_at),
                template: m.template,
                recipient: m.recipient,
                subject: m.subject,
                status: m.status,
                attempts: m.attempts,
                sent_at: m.sent_at.map(utc),
            })
            .collect(),
        tasks,
    }
}
