//! The action form: every field a string, parsed into one command.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::db::users::UserId;
use crate::domain::casework::{Action, Outcome};
use crate::domain::deadline::long;
use crate::domain::rights::Choice;
use crate::service::casework::Command;

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
    /// Why a right is answered with tasks still open.
    pub override_reason: String,
    /// A task being answered, its answer and the basis for keeping data.
    pub task: String,
    /// The outbox message to send again.
    pub email: String,
    pub answer: String,
    pub basis: String,
    /// The organisation's answer texts, as changed for this case.
    pub text_purposes: String,
    pub text_categories: String,
    pub text_recipients: String,
    pub text_retention: String,
    pub text_sources: String,
    pub text_automated_decisions: String,
    pub text_transfers: String,
    /// The requester's corrected details (`edit_requester`).
    pub requester_name: String,
    pub requester_email: String,
    pub agent_name: String,
    pub agent_email: String,
}

/// One line of text for a name, within the form's limits.
fn person_name(value: &str, what: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(format!("Enter {what}"));
    }
    if v.chars().count() > crate::domain::intake::MAX_NAME
        || !crate::domain::text::is_single_line(v)
    {
        return Err(format!(
            "{what} must be one line of {} characters at most",
            crate::domain::intake::MAX_NAME
        ));
    }
    Ok(v.to_owned())
}

fn address(value: &str, what: &str) -> Result<crate::domain::Email, String> {
    crate::domain::Email::parse(value.trim())
        .map_err(|_| format!("Enter {what} in the correct format, like name@example.com"))
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
                    override_reason: optional(&self.override_reason)?,
                }
            }
            Action::EditAnswerTexts => {
                use crate::domain::regime::OrgText as T;
                let mut texts = Vec::new();
                for (text, body) in [
                    (T::Purposes, &self.text_purposes),
                    (T::Categories, &self.text_categories),
                    (T::Recipients, &self.text_recipients),
                    (T::Retention, &self.text_retention),
                    (T::Sources, &self.text_sources),
                    (T::AutomatedDecisions, &self.text_automated_decisions),
                    (T::Transfers, &self.text_transfers),
                ] {
                    let body = optional(body)?.unwrap_or_default();
                    if body.chars().count() > 5000 {
                        return Err("Each text must be 5,000 characters or fewer".into());
                    }
                    texts.push((text, body));
                }
                Command::EditAnswerTexts { texts }
            }
            Action::EditRequester => Command::EditRequester {
                name: person_name(&self.requester_name, "the requester's name")?,
                email: address(&self.requester_email, "the requester's email address")?,
                agent: if self.agent_name.trim().is_empty() && self.agent_email.trim().is_empty() {
                    None
                } else {
                    Some((
                        person_name(&self.agent_name, "the agent's name")?,
                        address(&self.agent_email, "the agent's email address")?,
                    ))
                },
                reason: required(
                    &self.body,
                    "why the details change (how the requester told us)",
                )?,
            },
            Action::RetryEmail => Command::RetryEmail {
                message: self.email.trim().parse().map_err(|_| "Choose the email")?,
            },
            Action::AnswerTask => Command::AnswerTask {
                task: self.task.trim().parse().map_err(|_| "Choose the task")?,
                answered: crate::domain::fulfilment::Answered::parse(
                    &self.answer,
                    &self.basis,
                    &self.body,
                )
                .map_err(|e| e.to_string())?,
            },
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
