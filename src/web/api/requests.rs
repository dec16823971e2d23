//! `POST /api/v1/requests`: a request received by another system (a
//! privacy centre, a ticketing system, a call centre's tool), filed with
//! the web form's checks, its date of receipt and its channel.

use actix_web::{web, HttpRequest, HttpResponse};

use super::auth::Caller;
use super::types::{api_channels, CaseSummary, NewRequestBody};
use super::ApiError;
use crate::app::AppContext;
use crate::domain::api_token::Scope;
use crate::domain::casework::Channel;
use crate::domain::intake::IntakeInput;
use crate::domain::rights::Choice;
use crate::domain::{FieldError, NewRequest};
use crate::service::{self, intake};

impl NewRequestBody {
    fn intake_input(&self) -> IntakeInput {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        IntakeInput {
            name: self.name.clone(),
            email: self.email.clone(),
            location: self.location.clone(),
            rights: self.rights.clone(),
            access_scope: text(&self.access_scope),
            rectification_details: text(&self.rectification_details),
            rectification_contact_only: match self.rectification_contact_only {
                Some(true) => "yes".into(),
                _ => String::new(),
            },
            erasure_ground: text(&self.erasure_ground),
            restriction_ground: text(&self.restriction_ground),
            portability_destination: text(&self.portability_destination),
            portability_controller: text(&self.portability_controller),
            objection_ground: text(&self.objection_ground),
            objection_reasons: text(&self.objection_reasons),
            automated_decision_details: text(&self.automated_decision_details),
            consent_purposes: text(&self.consent_purposes),
            description: text(&self.description),
            acting_as: self.acting_as.clone().unwrap_or_else(|| "self".into()),
            agent_name: text(&self.agent_name),
            agent_email: text(&self.agent_email),
        }
    }
}

/// Files a request as a case. The requester is acknowledged by email at
/// once (an agent's request also asks the person to confirm the agent), and
/// the statutory clock starts on `received_on`.
#[utoipa::path(
    post,
    path = "/api/v1/requests",
    tag = "requests",
    request_body = NewRequestBody,
    security(("token" = ["intake"])),
    responses(
        (status = 201, description = "Filed; `Location` names the case", body = CaseSummary,
            headers(("Location" = String, description = "The case's address in this API"))),
        (status = 400, description = "The body is not JSON of this shape", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the intake scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = super::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls", body = super::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    caller: Caller,
    req: HttpRequest,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, ApiError> {
    // The scope first: a token that may not file learns that, whatever it
    // sent.
    caller.require(Scope::Intake)?;
    let body: NewRequestBody = super::json_body(&req, &body)?;
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let input = body.intake_input();
    let parsed = NewRequest::parse(&input, &ctx.jurisdiction);
    let mut errors = parsed.as_ref().err().cloned().unwrap_or_default();
    let channel = match body.channel.as_deref() {
        None => Some(Channel::Api),
        Some(key) => Channel::parse(key).filter(|c| api_channels().contains(c)),
    };
    if channel.is_none() {
        let keys: Vec<&str> = api_channels().iter().map(|c| c.key()).collect();
        errors.push(FieldError {
            field: "channel",
            message: format!("The channel is one of: {}", keys.join(", ")),
        });
    }
    let received = body.received_on.unwrap_or(today);
    if received > today {
        errors.push(FieldError {
            field: "received_on",
            message: "The date of receipt cannot be in the future".into(),
        });
    }
    let (Ok(request), Some(channel), true) = (parsed, channel, errors.is_empty()) else {
        return Err(ApiError::invalid(&errors));
    };
    let by = caller.actor();
    let ctx = ctx.into_inner();
    let filed = web::block(move || -> Result<_, crate::service::ServiceError> {
        match intake::enter_request(&ctx, by, &request, channel, received)? {
            Ok(reference) => Ok(Ok(service::queue::summary(&ctx, &reference)?)),
            Err(e) => Ok(Err(e)),
        }
    })
    .await??;
    let summary = filed
        .map_err(|e| ApiError::field("received_on", e.to_string()))?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a case just filed is not found")))?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/cases/{}", summary.reference)))
        .json(CaseSummary::from(summary)))
}
