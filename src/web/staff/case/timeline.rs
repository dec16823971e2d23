//! The case's history in words: one line per audit event, and who did it.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use serde_json::Value;

use crate::db::events::Event;
use crate::db::users::User;
use crate::domain::audit::{describe_actor, CaseEvent};
use crate::domain::casework::{ExtensionReason, IdentityMethod, Outcome};
use crate::domain::deadline::long;
use crate::domain::fulfilment::AnswerKind;
use crate::domain::rights::Choice;
use crate::domain::Right;
use crate::service::casework::CaseView;

pub(super) fn local(at: NaiveDateTime, tz: Tz) -> String {
    at.and_utc()
        .with_timezone(&tz)
        .format("%-d %b %Y %H:%M")
        .to_string()
}

pub(super) fn name_of(people: &[User], actor: &str) -> String {
    describe_actor(actor, |id| {
        people.iter().find(|u| u.id == id).map(|u| u.name.clone())
    })
}

fn detail_str<'a>(detail: &'a Value, key: &str) -> Option<&'a str> {
    detail.get(key).and_then(Value::as_str)
}

/// One line, in words, for an audit event.
pub(super) fn describe(e: &Event, view: &CaseView) -> String {
    let d: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
    let due = detail_str(&d, "due")
        .and_then(|s| s.parse::<NaiveDate>().ok())
        .map(long);
    let due_now = |what: &str| match &due {
        Some(due) => format!("{what}; now due {due}"),
        None => format!("{what}; the clock waits"),
    };
    let on = e.effective_on.map(long).unwrap_or_default();
    let date_of = |d: &Value, key: &str| {
        detail_str(d, key)
            .and_then(|s| s.parse::<NaiveDate>().ok())
            .map_or_else(|| "no date (the clock waits)".to_owned(), long)
    };
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
        CaseEvent::DueDateMoved => format!(
            "Due date moved from {} to {}: {}",
            date_of(&d, "from"),
            date_of(&d, "to"),
            detail_str(&d, "change").map_or_else(
                || format!("the holiday calendar changed for {}", date_of(&d, "calendar_day")),
                str::to_owned
            ),
        ),
        CaseEvent::RegimeChanged => due_now(&format!(
            "Law changed from {} to {}",
            detail_str(&d, "from").unwrap_or("?"),
            detail_str(&d, "to").unwrap_or("?")
        )),
        CaseEvent::RequesterEdited => format!(
            "Requester's details corrected ({}); the old and new values are in the internal note",
            d.get("fields")
                .and_then(Value::as_array)
                .map(|f| f.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        ),
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
        CaseEvent::RequesterReplied => match detail_str(&d, "via") {
            Some("email") => "The requester replied by email".into(),
            _ => "The requester wrote on their status page".into(),
        },
        CaseEvent::EmailRetried => format!(
            "A failed email (\"{}\") was queued to be sent again",
            detail_str(&d, "subject").unwrap_or("?")
        ),
        CaseEvent::TasksCreated => format!(
            "{} task(s) sent to the systems' owners",
            d.get("tasks").and_then(Value::as_u64).unwrap_or(0)
        ),
        CaseEvent::TaskAnswered => format!(
            "{} task in {}: {}{}",
            detail_str(&d, "right")
                .and_then(|r| r.parse::<Right>().ok())
                .map_or("Right", |r| r.short()),
            detail_str(&d, "system").unwrap_or("?"),
            label(
                detail_str(&d, "answer"),
                &AnswerKind::ALL
                    .iter()
                    .map(|a| (a.key(), a.label()))
                    .collect::<Vec<_>>()
            ),
            detail_str(&d, "basis")
                .map(|b| format!(" ({b})"))
                .unwrap_or_default()
        ),
        CaseEvent::TaskChased => format!(
            "Overdue task in {} chased by email",
            detail_str(&d, "system").unwrap_or("?")
        ),
        CaseEvent::OpenTasksOverridden => format!(
            "{} answered with {} task(s) still open: {}",
            detail_str(&d, "right")
                .and_then(|r| r.parse::<Right>().ok())
                .map_or("Right", |r| r.short()),
            d.get("open").and_then(Value::as_u64).unwrap_or(0),
            detail_str(&d, "reason").unwrap_or("")
        ),
        CaseEvent::RecipientsNotified => format!(
            "Recipients told of the {}: {}",
            d.get("rights")
                .and_then(Value::as_array)
                .map(|a| a
                    .iter()
                    .filter_map(Value::as_str)
                    .filter_map(|r| r.parse::<Right>().ok())
                    .map(|r| r.short().to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default(),
            d.get("recipients")
                .and_then(Value::as_array)
                .map(|a| a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default()
        ),
        CaseEvent::AddressSuppressed => format!(
            "The requester's address was put on the suppression list ({}){}",
            d.get("reasons")
                .and_then(Value::as_array)
                .map(|a| a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|r| r.replace('_', " "))
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default(),
            if d.get("new").and_then(Value::as_bool) == Some(false) {
                "; it was there already"
            } else {
                ""
            }
        ),
        CaseEvent::CaseReduced => format!(
            "Reduced to its minimal record after {} months: names, addresses, free text, {} email(s), {} note(s) and {} reply(ies) deleted",
            d.get("months").and_then(Value::as_u64).unwrap_or(0),
            d.get("emails").and_then(Value::as_u64).unwrap_or(0),
            d.get("notes").and_then(Value::as_u64).unwrap_or(0),
            d.get("replies").and_then(Value::as_u64).unwrap_or(0)
        ),
        CaseEvent::PackageMade => format!(
            "Data package made: {} file(s), {} bytes, for download until {}",
            d.get("files").and_then(Value::as_u64).unwrap_or(0),
            d.get("bytes").and_then(Value::as_u64).unwrap_or(0),
            detail_str(&d, "expires")
                .and_then(|s| s.get(..10))
                .and_then(|s| s.parse::<NaiveDate>().ok())
                .map(long)
                .unwrap_or_default()
        ),
        CaseEvent::PackageDownloaded => "The requester downloaded their data package".into(),
        CaseEvent::PackageDeleted => "Data package deleted: its link expired".into(),
        CaseEvent::AnswerTextsEdited => format!(
            "The answer's texts changed for this case: {}",
            d.get("texts")
                .and_then(Value::as_array)
                .map(|a| a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|k| k.replace('_', " "))
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default()
        ),
        CaseEvent::StatusLinkSent => "New status-page link emailed (asked for by address)".into(),
    }
}
