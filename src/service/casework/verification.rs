//! Checking who is asking: asking for proof (documents or known details),
//! deciding on what arrives, and deleting it once it has served its purpose.

use chrono::NaiveDate;
use serde_json::json;

use super::{asked_for_identity, ActionError, Command, Flow, Work};
use crate::db::events;
use crate::db::{documents, questions};
use crate::domain::audit::CaseEvent;
use crate::domain::casework::IdentityMethod;
use crate::domain::deadline::{self, ClockEvent};
use crate::domain::regime::Awaited;
use crate::domain::rights::Choice;
use crate::domain::{CaseState, Transition};
use crate::mail::messages::CaseMessage;

impl Work<'_> {
    pub(super) fn verify_identity(
        &mut self,
        method: IdentityMethod,
        proof_received_on: NaiveDate,
    ) -> Result<(), Flow> {
        // An agent the person disowned cannot be the basis of anything.
        let disowned = self.case.agent_email.is_some()
            && crate::db::links::latest_for_case(
                self.conn,
                crate::db::links::Purpose::AgentCheck,
                self.case.id,
            )?
            .is_some_and(|c| c.decision.as_deref() == Some("denied"));
        if disowned {
            return Err(ActionError::AgentDenied.into());
        }
        let waiting = matches!(
            self.current_deadline()?.clock,
            deadline::ClockState::NotStarted { .. }
        );
        let to = self.transition(Transition::VerifyIdentity)?;
        self.create_tasks()?;
        self.event(
            CaseEvent::IdentityVerified,
            Some(proof_received_on),
            json!({ "method": method.key(), "to": to.key() }),
        )?;
        if asked_for_identity(&events::list(self.conn, self.case.id)?) {
            self.clock(
                ClockEvent::IdentityReceived(proof_received_on),
                json!({ "waiting_before": waiting }),
            )?;
        }
        Ok(())
    }

    pub(super) fn request_identity(
        &mut self,
        message: String,
        on: NaiveDate,
        questions: Vec<String>,
    ) -> Result<(), Flow> {
        if asked_for_identity(&events::list(self.conn, self.case.id)?) {
            return Err(ActionError::AlreadyAsked.into());
        }
        self.not_late(Awaited::Identity, on)?;
        questions::delete_for_case(self.conn, self.case.id)?;
        questions::ask(self.conn, self.case.id, &questions, self.now)?;
        let method = if questions.is_empty() {
            "documents"
        } else {
            "data_points"
        };
        self.clock(
            ClockEvent::IdentityRequested(on),
            json!({ "method": method, "questions": questions.len() }),
        )?;
        self.email(CaseMessage::IdentityRequest {
            message: &message,
            questions: &questions,
        })?;
        Ok(())
    }

    pub(super) fn details_match(&mut self) -> Result<(), Flow> {
        let asked = questions::list(self.conn, self.case.id)?;
        let answered = asked.iter().filter_map(|q| q.answered_at).max();
        let (Some(last), true) = (
            answered,
            !asked.is_empty() && asked.iter().all(|q| q.answer.is_some()),
        ) else {
            return Err(ActionError::NotAnswered.into());
        };
        let tz = self.ctx.settings.organisation.timezone;
        self.run(Command::VerifyIdentity {
            method: IdentityMethod::KnownDataPoints,
            proof_received_on: last.and_utc().with_timezone(&tz).date_naive(),
        })?;
        questions::delete_for_case(self.conn, self.case.id)?;
        self.event(
            CaseEvent::DataPointsDecided,
            None,
            json!({ "decision": "match", "questions": asked.len(), "answers_deleted": true }),
        )?;
        Ok(())
    }

    pub(super) fn details_do_not_match(&mut self, reason: String) -> Result<(), Flow> {
        let asked = questions::list(self.conn, self.case.id)?;
        if asked.is_empty() || asked.iter().any(|q| q.answer.is_none()) {
            return Err(ActionError::NotAnswered.into());
        }
        // Ask the same questions again, without the answers given.
        let again: Vec<String> = asked.iter().map(|q| q.question.clone()).collect();
        questions::delete_for_case(self.conn, self.case.id)?;
        questions::ask(self.conn, self.case.id, &again, self.now)?;
        self.event(
            CaseEvent::DataPointsDecided,
            None,
            json!({ "decision": "no_match", "questions": asked.len(), "answers_deleted": true }),
        )?;
        self.email(CaseMessage::DetailsNotMatched { reason: &reason })?;
        Ok(())
    }

    pub(super) fn requester_answers(&mut self, answers: Vec<(i64, String)>) -> Result<(), Flow> {
        let asked = questions::list(self.conn, self.case.id)?;
        if asked.is_empty() || self.case.state != CaseState::AwaitingIdentity {
            return Err(ActionError::NotNow(self.case.state).into());
        }
        // Once answered, the answers wait for staff (each set alerts them).
        if asked.iter().all(|q| q.answer.is_some()) {
            return Err(ActionError::AlreadyAnswered.into());
        }
        for (id, answer) in &answers {
            if !questions::answer(self.conn, self.case.id, *id, answer, self.now)? {
                return Err(ActionError::NotAnswered.into());
            }
        }
        self.event(
            CaseEvent::DataPointsAnswered,
            None,
            json!({ "answers": answers.len() }),
        )?;
        self.alert_staff("has answered our identity questions")?;
        Ok(())
    }

    pub(super) fn approve_documents(&mut self) -> Result<(), Flow> {
        let docs = documents::list(self.conn, self.case.id)?;
        let first = docs.first().ok_or(ActionError::NoDocuments)?.uploaded_at;
        let tz = self.ctx.settings.organisation.timezone;
        let arrived = first.and_utc().with_timezone(&tz).date_naive();
        // (VerifyIdentity refuses a case whose person disowned the agent.)
        let for_agent = docs.iter().any(|d| d.kind == "authority");
        self.run(Command::VerifyIdentity {
            method: if for_agent {
                IdentityMethod::AgentAuthority
            } else {
                IdentityMethod::Documents
            },
            proof_received_on: arrived,
        })?;
        self.decided_documents("approved", docs.len())?;
        Ok(())
    }

    pub(super) fn reject_documents(&mut self, reason: String) -> Result<(), Flow> {
        let docs = documents::list(self.conn, self.case.id)?;
        if docs.is_empty() {
            return Err(ActionError::NoDocuments.into());
        }
        self.decided_documents("rejected", docs.len())?;
        self.email(CaseMessage::DocumentsRejected { reason: &reason })?;
        Ok(())
    }

    /// Deletes identity documents and answers to identity questions still
    /// held, and records that it did (nothing is recorded when none were).
    pub(super) fn purge_identity_material(&mut self) -> Result<(), Flow> {
        let documents = documents::delete_for_case(self.conn, self.case.id)?;
        let answers = questions::delete_for_case(self.conn, self.case.id)?;
        if documents + answers > 0 {
            self.event(
                CaseEvent::IdentityMaterialPurged,
                None,
                json!({ "documents": documents, "questions": answers }),
            )?;
        }
        Ok(())
    }

    /// Deletes the case's documents once decided, keeping only the fact.
    pub(super) fn decided_documents(&mut self, decision: &str, count: usize) -> Result<(), Flow> {
        documents::delete_for_case(self.conn, self.case.id)?;
        self.event(
            CaseEvent::DocumentsDecided,
            None,
            json!({ "decision": decision, "documents": count, "files_deleted": true }),
        )
    }
}
