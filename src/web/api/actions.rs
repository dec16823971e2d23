//! `POST /api/v1/cases/{reference}/actions`: what staff do to a case, done
//! by another system with a token that may act. The fields and their checks
//! are the case page's action form's, and so are the rules: which actions a
//! case's state allows, what the law allows, what must be explained.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Caller;
use super::types::CaseSummary;
use super::ApiError;
use crate::app::AppContext;
use crate::domain::api_token::Scope;
use crate::domain::Reference;
use crate::service::casework::{self, Acting, ActionError, Mode, Performed};
use crate::service::{self, ServiceError};
use crate::web::staff::case::form::ActionForm;

/// One action on a case: `action` names it, and the other fields are those
/// it takes (the rest must be left out).
///
/// | action | fields |
/// |---|---|
/// | `assign` | `assignee` (a staff member's id; null or left out: nobody) |
/// | `note` | `body` |
/// | `verify_identity` | `method`, `on` (the day the proof arrived) |
/// | `request_identity` | `message`, `questions` (one per line: known data points) |
/// | `details_match` | |
/// | `details_do_not_match` | `message` |
/// | `approve_documents` | |
/// | `reject_documents` | `message` |
/// | `request_clarification` | `message` |
/// | `record_reply` | `body`, `on` |
/// | `extend` | `reason`, `message` |
/// | `request_fee` | `message` |
/// | `record_fee` | `on` |
/// | `record_outcome` | `right`, `outcome`, `body` (why, unless done in full), `override_reason` |
/// | `answer_task` | `task`, `answer`, `basis`, `body` |
/// | `edit_answer_texts` | `text_purposes`, `text_categories`, ... |
/// | `retry_email` | `email` |
/// | `complete` | `message` |
/// | `refuse` | `ground`, `message` |
/// | `mark_duplicate` | `of`, `message` |
/// | `withdraw` | `body` |
/// | `reopen` | `body` |
/// | `change_regime` | `regime`, `body` |
/// | `edit_requester` | `requester_name`, `requester_email`, `agent_name` and `agent_email` (only when an agent filed it), `body` (why) |
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    #[schema(value_type = super::types::ActionKey)]
    pub action: String,
    pub assignee: Option<i64>,
    #[schema(max_length = 10000)]
    pub body: Option<String>,
    /// How identity was verified (`verify_identity`).
    pub method: Option<String>,
    /// The day something arrived; today when left out; never in the future.
    pub on: Option<NaiveDate>,
    /// The words the requester will read.
    #[schema(max_length = 10000)]
    pub message: Option<String>,
    /// The extension's reason (`extend`).
    pub reason: Option<String>,
    #[schema(value_type = Option<super::types::RightKey>)]
    pub right: Option<String>,
    /// fulfilled, partially_fulfilled, refused or not_applicable.
    pub outcome: Option<String>,
    /// A refusal ground of the case's law (`refuse`).
    pub ground: Option<String>,
    /// The original case's reference (`mark_duplicate`).
    pub of: Option<String>,
    pub questions: Option<String>,
    #[schema(value_type = Option<super::types::RegimeKey>)]
    pub regime: Option<String>,
    pub override_reason: Option<String>,
    pub task: Option<i64>,
    /// The failed email to send again (`retry_email`).
    pub email: Option<i64>,
    pub answer: Option<String>,
    pub basis: Option<String>,
    pub text_purposes: Option<String>,
    pub text_categories: Option<String>,
    pub text_recipients: Option<String>,
    pub text_retention: Option<String>,
    pub text_sources: Option<String>,
    pub text_automated_decisions: Option<String>,
    pub text_transfers: Option<String>,
    #[schema(max_length = 200)]
    pub requester_name: Option<String>,
    pub requester_email: Option<String>,
    #[schema(max_length = 200)]
    pub agent_name: Option<String>,
    pub agent_email: Option<String>,
}

impl ActionBody {
    fn form(self) -> ActionForm {
        let text = |v: Option<String>| v.unwrap_or_default();
        let number = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        ActionForm {
            csrf_token: String::new(),
            action: self.action,
            step: String::new(),
            assignee: number(self.assignee),
            body: text(self.body),
            method: text(self.method),
            on: self.on.map(|d| d.to_string()).unwrap_or_default(),
            message: text(self.message),
            reason: text(self.reason),
            right: text(self.right),
            outcome: text(self.outcome),
            ground: text(self.ground),
            of: text(self.of),
            questions: text(self.questions),
            regime: text(self.regime),
            override_reason: text(self.override_reason),
            task: number(self.task),
            email: number(self.email),
            answer: text(self.answer),
            basis: text(self.basis),
            text_purposes: text(self.text_purposes),
            text_categories: text(self.text_categories),
            text_recipients: text(self.text_recipients),
            text_retention: text(self.text_retention),
            text_sources: text(self.text_sources),
            text_automated_decisions: text(self.text_automated_decisions),
            text_transfers: text(self.text_transfers),
            requester_name: text(self.requester_name),
            requester_email: text(self.requester_email),
            agent_name: text(self.agent_name),
            agent_email: text(self.agent_email),
        }
    }
}

/// Does one action on a case, as a staff member would: the case's state,
/// its law and its trail decide what is allowed; the requester is emailed
/// where the action emails them; the trail records the token.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{reference}/actions",
    tag = "cases",
    params(("reference" = String, Path, description = "The case's reference, like RD-7K3M-9Q2X")),
    request_body = ActionBody,
    security(("token" = ["act"])),
    responses(
        (status = 200, description = "Done: the case as it is now", body = CaseSummary),
        (status = 400, description = "The body is not JSON of this shape", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the act scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case has this reference", body = super::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case, its law or its trail do not allow it now; nothing changed", body = super::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = super::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or not valid", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn perform(
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Act)?;
    let raw = path.into_inner();
    let missing = || ApiError::NotFound(format!("No case has the reference '{raw}'."));
    let reference: Reference = raw.parse().map_err(|_| missing())?;
    let body: ActionBody = super::json_body(&req, &body)?;
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let command = body
        .form()
        .command(today)
        .map_err(ApiError::Unprocessable)?;
    let token = caller.token.id;
    let ctx = ctx.into_inner();
    let done = web::block(move || -> Result<_, ServiceError> {
        match casework::perform_as(
            &ctx,
            Acting::Token(token),
            &reference,
            command,
            Mode::Commit,
        )? {
            Ok(Performed::Done) => Ok(Ok(service::queue::summary(&ctx, &reference)?)),
            Ok(Performed::Preview { .. }) => Ok(Ok(None)),
            Err(e) => Ok(Err(e)),
        }
    })
    .await??;
    match done {
        Ok(Some(summary)) => Ok(HttpResponse::Ok().json(CaseSummary::from(summary))),
        Ok(None) => Err(missing()),
        Err(ActionError::NoSuchCase) => Err(missing()),
        Err(refused) => Err(ApiError::Refused(refused.to_string())),
    }
}
