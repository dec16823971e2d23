//! What the case page template gets: the case, its clock, its history,
//! and which actions the viewer may take now.

use chrono::NaiveDateTime;
use serde_json::{json, Value};

use super::timeline::{describe, local, name_of};
use super::CCPA_WARNING_DAYS;
use crate::app::AppContext;
use crate::db::users::User;
use crate::domain::audit::CaseEvent;
use crate::domain::casework::{Action, ExtensionReason, IdentityMethod};
use crate::domain::deadline::long;
use crate::domain::fulfilment::AnswerKind;
use crate::domain::rights::Choice;
use crate::service::casework::CaseView;

fn choices<C: Choice + PartialEq>(selected: Option<C>) -> Vec<Value> {
    C::ALL
        .iter()
        .map(|c| json!({ "value": c.key(), "label": c.label(), "selected": Some(*c) == selected }))
        .collect()
}

pub(super) fn view_json(ctx: &AppContext, view: &CaseView, me: &User) -> Value {
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
                "open_tasks": view.tasks.iter().filter(|t| t.right == r.request.right() && t.is_open()).count(),
                "tasks": view.tasks.iter().filter(|t| t.right == r.request.right()).map(|t| json!({
                    "id": t.id,
                    "system": t.system_name,
                    "target": long(t.target_on),
                    "open": t.is_open(),
                    "overdue": t.overdue(today),
                    "answer": t.answer.as_ref().map(|a| a.kind().label()),
                    "basis": t.answer.as_ref().and_then(|a| a.basis()),
                    "note": t.note,
                    "answers": choices::<AnswerKind>(None),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let deadline = match &view.deadline {
        None => json!({ "started": false }),
        Some(Err(e)) => json!({ "started": true, "problem": e.to_string() }),
        Some(Ok(d)) => {
            // The headline is what is due first (an opt-out or limit's date
            // while one is open), as the queue shows it.
            let (text, overdue) = crate::web::staff::queue::due_text(d.next_due(), today);
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
                "email_id": m.id,
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
    let answer_texts: Vec<Value> = regime
        .rules()
        .disclosure
        .items
        .iter()
        .map(|(label, text)| {
            let own = view
                .own_texts
                .iter()
                .find(|(k, _)| k == text.key())
                .map(|(_, b)| b.clone());
            json!({
                "key": text.key(),
                "label": label,
                "changed": own.is_some(),
                "value": own.unwrap_or_else(|| view.general_texts.get(*text).to_owned()),
            })
        })
        .collect();
    let can_json = json!({
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
            "answer_task": can(Action::AnswerTask),
            "retry_email": can(Action::RetryEmail),
            "edit_answer_texts": can(Action::EditAnswerTexts),
            "edit_requester": can(Action::EditRequester),
            "any": !actions.is_empty(),
    });
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
        "answer": view.answer.as_ref().map(|(sections, draft)| json!({ "sections": sections, "draft": draft })),
        "answer_texts": answer_texts,
        "deadline": deadline,
        "timeline": timeline.into_iter().map(|(_, v)| v).rev().collect::<Vec<_>>(),
        "views_count": views.len().min(50),
        "views": views.into_iter().rev().take(50).collect::<Vec<_>>(),
        "chain_broken": view.broken_link,
        "people": people,
        "today": today.to_string(),
        "can": can_json,
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
                Some(crate::web::staff::queue::due_text(d.due, today).0)
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
