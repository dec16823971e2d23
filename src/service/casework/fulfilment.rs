//! The tasks of a verified case: made when identity is verified, answered
//! by staff here (or by the systems' owners through their links).

use serde_json::json;

use super::{ActionError, Flow, Work};
use crate::db::{cases, systems, tasks};
use crate::domain::audit::CaseEvent;
use crate::domain::casework::Outcome;
use crate::domain::fulfilment::{notices_due, suppression_reason, Answered};
use crate::domain::Right;
use crate::mail::messages;
use crate::service::fulfilment;

impl Work<'_> {
    /// Makes the case's tasks, each emailed to its system's owner.
    pub(super) fn create_tasks(&mut self) -> Result<(), Flow> {
        let mail = fulfilment::create_tasks(
            self.ctx,
            self.conn,
            self.case,
            fulfilment::Which::All,
            self.actor,
            self.today,
            self.now,
        )?;
        self.alerts.extend(mail);
        Ok(())
    }

    /// After completion: tells each external recipient that takes part in
    /// an erasure, rectification or restriction carried out (Art. 19).
    pub(super) fn notify_recipients(&mut self, rights: &[cases::CaseRight]) -> Result<(), Flow> {
        let done: Vec<(Right, Option<Outcome>)> = rights
            .iter()
            .map(|r| (r.request.right(), r.outcome))
            .collect();
        let due = notices_due(&done);
        if due.is_empty() {
            return Ok(());
        }
        let mut told = Vec::new();
        for system in systems::all(self.conn)?
            .into_iter()
            .filter(|s| s.active && s.spec.external_recipient)
        {
            let rights: Vec<Right> = due
                .iter()
                .copied()
                .filter(|r| system.spec.rights.contains(r))
                .collect();
            if rights.is_empty() {
                continue;
            }
            self.alerts.push(messages::recipient_notice(
                &self.ctx.templates,
                &self.ctx.settings,
                self.case,
                &system.spec.name,
                system.spec.owner.as_str(),
                &rights,
            )?);
            told.push(system.spec.name);
        }
        if !told.is_empty() {
            self.event(
                CaseEvent::RecipientsNotified,
                None,
                json!({ "rights": due.iter().map(|r| r.key()).collect::<Vec<_>>(), "recipients": told }),
            )?;
        }
        Ok(())
    }

    /// After completion: puts the person's address on the suppression list
    /// for each right that calls for it (erasure, marketing objection,
    /// opt-out), as a keyed hash only.
    pub(super) fn suppress(&mut self, rights: &[cases::CaseRight]) -> Result<(), Flow> {
        let reasons: Vec<&str> = rights
            .iter()
            .filter_map(|r| suppression_reason(&r.request, r.outcome))
            .collect();
        let Some(reason) = reasons.first() else {
            return Ok(());
        };
        let added = crate::service::suppression::add(
            self.ctx,
            self.conn,
            &self.case.requester_email,
            reason,
            self.today,
        )?;
        self.event(
            CaseEvent::AddressSuppressed,
            None,
            json!({ "reasons": reasons, "new": added }),
        )
    }

    pub(super) fn edit_answer_texts(
        &mut self,
        texts: Vec<(crate::domain::regime::OrgText, String)>,
    ) -> Result<(), Flow> {
        let own = crate::db::answers::texts_of_case(self.conn, self.case.id)?;
        let general_texts = crate::service::org_texts::load(&self.ctx.settings, self.conn)?;
        let mut changed = Vec::new();
        for (text, body) in texts {
            let body = body.trim();
            let general = general_texts.get(text);
            let wanted = (!body.is_empty() && body != general).then_some(body);
            let current = own
                .iter()
                .find(|(k, _)| k == text.key())
                .map(|(_, b)| b.as_str());
            if wanted != current {
                crate::db::answers::set_text(self.conn, self.case.id, text.key(), wanted)?;
                changed.push(text.key());
            }
        }
        if !changed.is_empty() {
            self.event(
                CaseEvent::AnswerTextsEdited,
                None,
                json!({ "texts": changed }),
            )?;
        }
        Ok(())
    }

    /// Puts an email that failed for good back in the queue for one more
    /// attempt, at once.
    pub(super) fn retry_email(&mut self, message: i64) -> Result<(), Flow> {
        let subject = crate::db::outbox::subject_of(self.conn, self.case.id, message)?;
        if !crate::db::outbox::retry_failed(self.conn, self.case.id, message, self.now)? {
            return Err(ActionError::NoSuchFailedEmail.into());
        }
        self.event(
            CaseEvent::EmailRetried,
            None,
            json!({ "email": message, "subject": subject }),
        )?;
        Ok(())
    }

    pub(super) fn answer_task(&mut self, task: i64, answered: Answered) -> Result<(), Flow> {
        let task = tasks::find(self.conn, task)?
            .filter(|t| t.case_id == self.case.id && t.is_open())
            .ok_or(ActionError::NoSuchTask)?;
        if !fulfilment::record_answer(
            &self.ctx.audit_key,
            self.conn,
            &task,
            &answered,
            self.actor,
            self.now,
        )? {
            return Err(ActionError::NoSuchTask.into());
        }
        Ok(())
    }
}
