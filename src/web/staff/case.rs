//! One case: `GET /staff/cases/{reference}` shows everything about it (and
//! is recorded as a view); `POST /staff/cases/{reference}/actions` takes one
//! action. Actions that email the requester first show the exact email
//! (`step=preview`) and only send it when confirmed (`step=send`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{render, see_other, Staff};
use crate::app::AppContext;
use crate::db::events::Event;
use crate::db::users::{User, UserId};
use crate::domain::audit::{describe_actor, CaseEvent};
use crate::domain::casework::{Action, ExtensionReason, IdentityMethod, Outcome};
use crate::domain::deadline::long;
use crate::domain::rights::Choice;
use crate::domain::{Reference, Right};
use crate::service::casework::{self, ActionError, CaseView, Command, Mode, Performed};
use crate::web::{pages, WebError};

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

async fn show(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    staff: &Staff,
    reference: Reference,
    error: Option<String>,
    flash: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let user = staff.user.clone();
    let view = pages::blocking(ctx, move |ctx| casework::view(ctx, &user, &reference))
        .await?
        .ok_or(WebError::NotFound)?;
    let mut data = view_json(ctx, &view, &staff.user);
    if let Some(map) = data.as_object_mut() {
        map.insert("error".into(), error.into());
        map.insert("flash".into(), flash.into());
    }
    let title = format!("Case {}", view.case.reference);
    render(req, ctx, staff, "staff/case", &title, data, status)
}

fn local(at: NaiveDateTime, tz: Tz) -> String {
    at.and_utc()
        .with_timezone(&tz)
        .format("%-d %b %Y %H:%M")
        .to_string()
}

fn name_of(people: &[User], actor: &str) -> String {
    describe_actor(actor, |id| {
        people.iter().find(|u| u.id == id).map(|u| u.name.clone())
    })
}

fn detail_str<'a>(detail: &'a Value, key: &str) -> Option<&'a str> {
    detail.get(key).and_then(Value::as_str)
}

/// One line, in words, for an audit event.
fn describe(e: &Event, view: &CaseView) -> String {
    let d: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
    let due = detail_str(&d, "due")
        .and_then(|s| s.parse::<NaiveDate>().ok())
        .map(long);
    let due_now = |what: &str| match &due {
        Some(due) => format!("{what}; now due {due}"),
        None => format!("{what}; the clock waits"),
    };
    let on = e.effective_on.map(long).unwrap_or_default();
    let label = |key: Option<&str>, all: &[(&str, &str)]| {
        key.and_then(|k| {
            all.iter()
                .find(|(kk, _)| *kk == k)
                .map(|(_, l)| l.to_string())
        })
        .unwrap_or_else(|| key.unwrap_or("").replace('_', " "))
    };
    let Some(kind) = e.what() else {
        return e.kind.replace('_', " ");
    };
    match kind {
        CaseEvent::RequestSubmitted => format!(
            "Request submitted ({})",
            detail_str(&d, "channel").unwrap_or("web")
        ),
        CaseEvent::RequestEntered => format!(
            "Request entered by staff; received by {} on {on}",
            detail_str(&d, "channel").unwrap_or("?").replace('_', " ")
        ),
        CaseEvent::EmailConfirmed => "Email address confirmed".into(),
        CaseEvent::ConfirmationLinkResent => "New confirmation link sent".into(),
        CaseEvent::ClockStarted => match &due {
            Some(due) => format!("Clock started on {on}; due {due}"),
            None => format!("Received on {on}"),
        },
        CaseEvent::RequestExpired => "Expired unconfirmed; personal data erased".into(),
        CaseEvent::CaseViewed => "Viewed".into(),
        CaseEvent::Assigned => match detail_str(&d, "name") {
            Some(name) => format!("Assigned to {name}"),
            None => "Unassigned".into(),
        },
        CaseEvent::NoteAdded => "Internal note".into(),
        CaseEvent::IdentityVerified => format!(
            "Identity verified: {}",
            label(
                detail_str(&d, "method"),
                &IdentityMethod::ALL
                    .iter()
                    .map(|m| (m.key(), m.label()))
                    .collect::<Vec<_>>()
            )
        ),
        CaseEvent::IdentityRequested => due_now(&format!("Identity proof asked for on {on}")),
        CaseEvent::IdentityReceived => due_now(&format!("Identity proof received on {on}")),
        CaseEvent::ClarificationRequested => format!(
            "Clarification asked for on {on}; {}",
            if view.case.regime.clarification_pauses(
                &view
                    .rights
                    .iter()
                    .map(|r| r.request.right())
                    .collect::<Vec<_>>()
            ) {
                "the clock is paused"
            } else {
                "the clock keeps running (this law does not pause it for this request)"
            }
        ),
        CaseEvent::ClarificationReceived => due_now(&format!("Requester replied on {on}")),
        CaseEvent::DeadlineExtended => due_now(&format!(
            "Deadline extended on {on} ({})",
            label(
                detail_str(&d, "reason"),
                &ExtensionReason::ALL
                    .iter()
                    .map(|r| (r.key(), r.label()))
                    .collect::<Vec<_>>()
            )
        )),
        CaseEvent::FeeRequested => due_now(&format!("Fee asked for on {on}")),
        CaseEvent::FeeReceived => due_now(&format!("Fee received on {on}")),
        CaseEvent::RightOutcomeRecorded => format!(
            "{}: {}",
            detail_str(&d, "right")
                .and_then(|r| r.parse::<Right>().ok())
                .map_or("Right", |r| r.short()),
            label(
                detail_str(&d, "outcome"),
                &Outcome::ALL
                    .iter()
                    .map(|o| (o.key(), o.label()))
                    .collect::<Vec<_>>()
            )
        ),
        CaseEvent::CaseCompleted => "Case completed; final answer sent".into(),
        CaseEvent::CaseRefused => format!(
            "Request refused: {}",
            label(
                detail_str(&d, "ground"),
                &view
                    .case
                    .regime
                    .rules()
                    .refusal_grounds
                    .iter()
                    .map(|g| (g.key, g.label))
                    .collect::<Vec<_>>()
            )
        ),
        CaseEvent::MarkedDuplicate => format!(
            "Closed as a duplicate of {}",
            view.duplicate_of
                .as_ref()
                .map_or("another case", |r| r.as_str())
        ),
        CaseEvent::WithdrawalRecorded => "Withdrawn".into(),
        CaseEvent::CaseReopened => "Reopened".into(),
        CaseEvent::RegimeChanged => due_now(&format!(
            "Law changed from {} to {}",
            detail_str(&d, "from").unwrap_or("?"),
            detail_str(&d, "to").unwrap_or("?")
        )),
        CaseEvent::AgentAuthorityAsked => "The person was asked by email to confirm the agent".into(),
        CaseEvent::IdentityMaterialPurged => format!(
            "Identity documents ({}) and answers to identity questions ({}) deleted: they have served their purpose",
            d.get("documents").and_then(Value::as_u64).unwrap_or(0),
            d.get("questions").and_then(Value::as_u64).unwrap_or(0)
        ),
        CaseEvent::AgentAuthorityNotAsked => "The person was not emailed about the agent: their address had its daily limit of such emails; ask them another way".into(),
        CaseEvent::AgentAuthorityConfirmed => "The person confirmed that the agent acts for them".into(),
        CaseEvent::AgentAuthorityDenied => "The person said the agent does NOT act for them".into(),
        CaseEvent::DocumentsUploaded => format!(
            "The requester sent {} identity document(s)",
            d.get("documents").and_then(Value::as_u64).unwrap_or(0)
        ),
        CaseEvent::DocumentViewed => format!(
            "Viewed document #{}",
            d.get("document").and_then(Value::as_i64).unwrap_or(0)
        ),
        CaseEvent::DataPointsAnswered => "The requester answered our identity questions".into(),
        CaseEvent::DataPointsDecided => format!(
            "Identity details: {}; the answers were deleted",
            if detail_str(&d, "decision") == Some("match") {
                "they match"
            } else {
                "they do not match"
            }
        ),
        CaseEvent::DocumentsDecided => format!(
            "Documents {}; the files were deleted",
            detail_str(&d, "decision").unwrap_or("decided")
        ),
        CaseEvent::RequesterReplied => "The requester wrote on their status page".into(),
        CaseEvent::StatusLinkSent => "New status-page link emailed (asked for by address)".into(),
    }
}

fn choices<C: Choice + PartialEq>(selected: Option<C>) -> Vec<Value> {
    C::ALL
        .iter()
        .map(|c| json!({ "value": c.key(), "label": c.label(), "selected": Some(*c) == selected }))
        .collect()
}

fn view_json(ctx: &AppContext, view: &CaseView, me: &User) -> Value {
    let tz = ctx.settings.organisation.timezone;
    let today = ctx.clock.today(tz);
    let case = &view.case;
    let regime = case.regime;
    let requests: Vec<crate::domain::RightRequest> =
        view.rights.iter().map(|r| r.request.clone()).collect();
    let answerable = |r: &crate::domain::RightRequest| {
        crate::domain::casework::may_answer(case.state, regime, &requests, r)
    };
    let refusable = crate::domain::casework::may_refuse_whole(
        regime,
        view.rights.iter().map(|r| (&r.request, r.outcome)),
    );
    let rights: Vec<Value> = view
        .rights
        .iter()
        .map(|r| {
            json!({
                "answerable": answerable(&r.request),
                "act_by": match &view.deadline {
                    Some(Ok(d)) if regime.is_fast_track(&r.request) => d.opt_out_due.map(long),
                    _ => None,
                },
                "key": r.request.right().key(),
                "title": regime.right_name(r.request.right()),
                "basis": regime.right_basis(r.request.right()),
                "fast_track": regime.is_fast_track(&r.request),
                "summary": r.request.summary(),
                "outcome": r.outcome.map(|o| o.label()),
                "outcome_note": r.outcome_note,
                "outcomes": choices(r.outcome),
            })
        })
        .collect();
    let deadline = match &view.deadline {
        None => json!({ "started": false }),
        Some(Err(e)) => json!({ "started": true, "problem": e.to_string() }),
        Some(Ok(d)) => {
            // The headline is what is due first (an opt-out or limit's date
            // while one is open), as the queue shows it.
            let (text, overdue) = super::queue::due_text(d.next_due(), today);
            json!({
                "started": true,
                "received": long(d.received),
                "clock_start": d.clock_start.map(long),
                "due": d.next_due().map(long),
                "response_due": d.due.filter(|_| d.opt_out_due.is_some()).map(long),
                "original_due": d.original_due.filter(|_| d.extended).map(long),
                "extended": d.extended,
                "paused_days": d.paused_days,
                "acknowledge_by": d.acknowledge_by.map(long),
                "opt_out_due": d.opt_out_due.map(long),
                "clock": if case.state.is_closed() { "stopped: the case is closed".to_owned() } else { match d.clock {
                    crate::domain::deadline::ClockState::Running => "running".to_owned(),
                    crate::domain::deadline::ClockState::Paused { since } => format!("paused since {}", long(since)),
                    crate::domain::deadline::ClockState::NotStarted { waiting_for } => format!("not started: waiting for {waiting_for}"),
                } },
                "days_text": if case.state.is_closed() { "closed".to_owned() } else { text },
                "overdue": overdue && !case.state.is_closed(),
                "derivation": d.derivation,
            })
        }
    };
    let mut timeline: Vec<(NaiveDateTime, Value)> = Vec::new();
    let mut views: Vec<Value> = Vec::new();
    for e in &view.trail {
        let who = name_of(&view.people, &e.actor);
        if e.what() == Some(CaseEvent::CaseViewed) {
            views.push(json!({ "at": local(e.occurred_at, tz), "who": who }));
            continue;
        }
        let detail_id = |key: &str| {
            serde_json::from_str::<Value>(&e.detail)
                .ok()
                .and_then(|d| d.get(key).and_then(Value::as_i64))
        };
        let note = match e.what() {
            Some(CaseEvent::NoteAdded) => detail_id("note")
                .and_then(|id| view.notes.iter().find(|n| n.id == id))
                .map(|n| n.body.clone()),
            Some(CaseEvent::RequesterReplied) => detail_id("reply")
                .and_then(|id| view.replies.iter().find(|r| r.id == id))
                .map(|r| r.body.clone()),
            _ => None,
        };
        timeline.push((
            e.occurred_at,
            json!({ "kind": "event", "at": local(e.occurred_at, tz), "who": who, "what": describe(e, view), "note": note, "id": e.id }),
        ));
    }
    for m in &view.messages {
        let state = match m.status.as_str() {
            "sent" => format!(
                "sent {}",
                m.sent_at.map(|t| local(t, tz)).unwrap_or_default()
            ),
            "failed" => format!("FAILED after {} attempts", m.attempts),
            _ if m.attempts > 0 => format!("retrying ({} failed attempts)", m.attempts),
            _ => "queued".to_owned(),
        };
        timeline.push((
            m.created_at,
            json!({
                "kind": "email",
                "at": local(m.created_at, tz),
                "who": "Email to requester",
                "what": m.subject,
                "delivery": state,
                "failed": m.status == "failed",
                "body": m.body_text,
            }),
        ));
    }
    timeline.sort_by_key(|(at, _)| *at);
    let actions: Vec<&str> = Action::ALL
        .into_iter()
        .filter(|a| a.allowed_in(case.state) && me.role.can_work_cases())
        .map(|a| a.key())
        .collect();
    let can = |a: Action| actions.contains(&a.key());
    let assignee = case
        .assignee
        .and_then(|id| view.people.iter().find(|u| u.id == id))
        .map(|u| u.name.clone());
    let people: Vec<Value> = view
        .people
        .iter()
        .filter(|u| u.active && u.role.can_work_cases())
        .map(|u| json!({ "id": u.id.0, "name": u.name, "selected": Some(u.id) == case.assignee }))
        .collect();
    let open_rights: Vec<Value> = view
        .rights
        .iter()
        .map(
            |r| json!({ "key": r.request.right().key(), "title": regime.right_name(r.request.right()) }),
        )
        .collect();
    let reasons: Vec<Value> = ExtensionReason::ALL
        .iter()
        .filter(|r| r.allowed_under(regime))
        .map(|r| json!({ "value": r.key(), "label": r.label() }))
        .collect();
    json!({
        "reference": case.reference.as_str(),
        "state": case.state.key(),
        "status": case.state.label(),
        "closed": case.state.is_closed(),
        "regime": regime.title(),
        "channel": case.channel.replace('_', " "),
        "location": crate::domain::Location::parse(&case.location).map_or(case.location.clone(), |l| l.name().to_owned()),
        "requester": {
            "name": case.requester_name,
            "email": case.requester_email,
            "agent": case.agent_name,
            "agent_email": case.agent_email,
            "agent_authority": view.agent_authority,
            "description": case.description,
        },
        "assignee": assignee,
        "assigned_to_me": case.assignee == Some(me.id),
        "my_id": me.id.0,
        "duplicate_of": view.duplicate_of.as_ref().map(|r| r.as_str().to_owned()),
        "rights": rights,
        "deadline": deadline,
        "timeline": timeline.into_iter().map(|(_, v)| v).rev().collect::<Vec<_>>(),
        "views_count": views.len().min(50),
        "views": views.into_iter().rev().take(50).collect::<Vec<_>>(),
        "chain_broken": view.broken_link,
        "people": people,
        "today": today.to_string(),
        "can": {
            "assign": can(Action::Assign),
            "note": can(Action::Note),
            "verify_identity": can(Action::VerifyIdentity),
            "request_identity": can(Action::RequestIdentity),
            "request_clarification": can(Action::RequestClarification),
            "record_reply": can(Action::RecordReply),
            "extend": can(Action::Extend),
            "request_fee": can(Action::RequestFee),
            "record_fee": can(Action::RecordFee),
            "record_outcome": can(Action::RecordOutcome),
            "complete": can(Action::Complete) && requests.iter().all(answerable),
            "refuse": can(Action::Refuse) && refusable,
            "mark_duplicate": can(Action::MarkDuplicate),
            "withdraw": can(Action::Withdraw),
            "reopen": can(Action::Reopen),
            "change_regime": can(Action::ChangeRegime),
            "any": !actions.is_empty(),
        },
        "methods": choices::<IdentityMethod>(None),
        "grounds": regime.rules().refusal_grounds.iter().map(|g| json!({
            "value": g.key, "label": g.label, "text": g.requester_text,
        })).collect::<Vec<_>>(),
        "regimes": ctx.jurisdiction.applicable().iter().filter(|r| **r != regime).map(|r| json!({
            "value": r.key(), "label": r.short(),
        })).collect::<Vec<_>>(),
        "clarification_pauses": regime.clarification_pauses(
            &view.rights.iter().map(|r| r.request.right()).collect::<Vec<_>>()
        ),
        "reasons": reasons,
        "identity_message": if view.verification.0 == crate::domain::verification::Level::Documents {
            "Please send a copy of one proof of identity (passport, driving licence or national identity card) and one proof of address dated within the last three months (a utility bill or bank or credit card statement)."
        } else {
            "Please answer a few questions about details we already hold, so that we can be sure the request comes from you."
        },
        "verification": {
            "level": view.verification.0.label(),
            "why": view.verification.1,
            "unconfirmed": case.state == crate::domain::CaseState::Submitted,
        },
        // Where verifying does not stop the clock, an unverified case near
        // its due date must be answered or refused in time.
        "unverified_warning": match (&view.deadline, case.state) {
            (Some(Ok(d)), crate::domain::CaseState::AwaitingIdentity)
                if !regime.restarts_on(crate::domain::regime::Awaited::Identity)
                    && d.days_left(today).is_some_and(|n| n <= CCPA_WARNING_DAYS) =>
            {
                Some(super::queue::due_text(d.due, today).0)
            }
            _ => None,
        },
        "documents": view.documents.iter().map(|d| json!({
            "id": d.id,
            "kind": match d.kind.as_str() {
                "identity" => "Proof of identity",
                "address" => "Proof of address",
                _ => "Signed permission for the agent",
            },
            "type": d.content_type,
            "kb": (d.byte_size + 1023) / 1024,
            "at": local(d.uploaded_at, tz),
        })).collect::<Vec<_>>(),
        "can_decide_documents": !view.documents.is_empty() && can(Action::ApproveDocuments),
        "questions": view.questions.iter().map(|q| json!({
            "question": q.question,
            "answer": q.answer,
        })).collect::<Vec<_>>(),
        "can_decide_details": !view.questions.is_empty()
            && view.questions.iter().all(|q| q.answer.is_some())
            && can(Action::DetailsMatch),
        "open_rights": open_rights,
    })
}

/// An action form as posted: every field a string, nothing trusted.
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ActionForm {
    #[serde(skip_serializing)]
    pub csrf_token: String,
    pub action: String,
    /// "preview" or "send" for actions that email the requester.
    #[serde(skip_serializing)]
    pub step: String,
    pub assignee: String,
    pub body: String,
    pub method: String,
    pub on: String,
    pub message: String,
    pub reason: String,
    pub right: String,
    pub outcome: String,
    pub ground: String,
    pub of: String,
    /// Known data points to ask for, one per line.
    pub questions: String,
    /// The law to handle the case under.
    pub regime: String,
}

fn required(value: &str, what: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(format!("Enter {what}"));
    }
    if v.chars().count() > 10_000 {
        return Err(format!("{what} is too long (10,000 characters at most)"));
    }
    if !crate::domain::text::is_storable_text(v) {
        return Err(format!("{what} contains characters we cannot accept"));
    }
    Ok(v.to_owned())
}

fn optional(value: &str) -> Result<Option<String>, String> {
    match value.trim() {
        "" => Ok(None),
        v => required(v, "the text").map(Some),
    }
}

fn choice<C: Choice>(value: &str, what: &str) -> Result<C, String> {
    C::parse(value).ok_or_else(|| format!("Choose {what}"))
}

/// The date a thing happened: today unless given; never in the future.
fn date(value: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let d = match value.trim() {
        "" => today,
        v => v
            .parse::<NaiveDate>()
            .map_err(|_| format!("'{v}' is not a date (use YYYY-MM-DD)"))?,
    };
    if d > today {
        return Err(format!("{} is in the future", long(d)));
    }
    Ok(d)
}

impl ActionForm {
    pub fn command(&self, today: NaiveDate) -> Result<Command, String> {
        let action = Action::parse(&self.action).ok_or("Unknown action")?;
        Ok(match action {
            Action::Assign => Command::Assign {
                to: match self.assignee.trim() {
                    "" => None,
                    id => Some(UserId(id.parse().map_err(|_| "Choose who to assign")?)),
                },
            },
            Action::Note => Command::Note {
                body: required(&self.body, "the note")?,
            },
            Action::VerifyIdentity => Command::VerifyIdentity {
                method: choice(&self.method, "how identity was verified")?,
                proof_received_on: date(&self.on, today)?,
            },
            Action::RequestIdentity => Command::RequestIdentity {
                message: required(&self.message, "what the requester must send")?,
                on: today,
                questions: self
                    .questions
                    .lines()
                    .map(str::trim)
                    .filter(|q| !q.is_empty())
                    .map(|q| q.chars().take(300).collect())
                    .take(10)
                    .collect(),
            },
            Action::DetailsMatch => Command::DetailsMatch,
            Action::ChangeRegime => Command::ChangeRegime {
                regime: self
                    .regime
                    .parse()
                    .map_err(|_| "Choose the law that applies")?,
                reason: required(&self.body, "why another law applies")?,
            },
            Action::DetailsDoNotMatch => Command::DetailsDoNotMatch {
                reason: required(
                    &self.message,
                    "what did not match, in words for the requester",
                )?,
            },
            Action::RequestClarification => Command::RequestClarification {
                message: required(&self.message, "your question")?,
                on: today,
            },
            Action::RecordReply => Command::RecordReply {
                summary: self.body.trim().to_owned(),
                received_on: date(&self.on, today)?,
            },
            Action::Extend => Command::Extend {
                reason: choice(&self.reason, "the reason for the extension")?,
                message: required(&self.message, "the explanation for the requester")?,
                on: today,
            },
            Action::RequestFee => Command::RequestFee {
                message: required(&self.message, "the fee and how to pay it")?,
                on: today,
            },
            Action::RecordFee => Command::RecordFee {
                received_on: date(&self.on, today)?,
            },
            Action::RecordOutcome => {
                let outcome: Outcome = choice(&self.outcome, "the outcome")?;
                let note = optional(&self.body)?;
                if outcome.needs_reason() && note.is_none() {
                    return Err("Explain the outcome: anything short of 'done in full' needs a reason the requester will read".into());
                }
                Command::RecordOutcome {
                    right: self.right.parse().map_err(|_| "Choose the right")?,
                    outcome,
                    note,
                }
            }
            Action::Complete => Command::Complete {
                message: self.message.trim().to_owned(),
            },
            Action::Refuse => Command::Refuse {
                ground: required(&self.ground, "the ground for refusal")?,
                reason: required(&self.message, "the reasons for the refusal")?,
            },
            Action::MarkDuplicate => Command::MarkDuplicate {
                of: self
                    .of
                    .parse()
                    .map_err(|_| "Enter the reference of the original case, like RD-7K3M-9Q2X")?,
                message: self.message.trim().to_owned(),
            },
            Action::Withdraw => Command::Withdraw {
                note: self.body.trim().to_owned(),
            },
            Action::Reopen => Command::Reopen {
                reason: required(&self.body, "why the case is reopened")?,
            },
            Action::ApproveDocuments => Command::ApproveDocuments,
            Action::RejectDocuments => Command::RejectDocuments {
                reason: required(
                    &self.message,
                    "why the documents do not confirm their identity",
                )?,
            },
        })
    }
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
            return show(
                &req,
                &ctx,
                &staff,
                reference,
                Some(message),
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
        Ok(Performed::Preview(message)) => render(
            &req,
            &ctx,
            &staff,
            "staff/preview",
            "Check the email before sending",
            json!({
                "reference": reference.as_str(),
                "action": action.key(),
                "to": message.recipient,
                "subject": message.subject,
                // A private link must not work from a staff page.
                "body": crate::secret::redact_tokens(&message.body_text),
                "fields": serde_json::to_value(&form).unwrap_or_default(),
            }),
            StatusCode::OK,
        ),
        Err(ActionError::NoSuchCase) => Err(WebError::NotFound),
        Err(ActionError::ReadOnly) => Err(WebError::Forbidden),
        Err(e) => {
            show(
                &req,
                &ctx,
                &staff,
                reference,
                Some(e.to_string()),
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
