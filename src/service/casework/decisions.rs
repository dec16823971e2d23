//! Decisions about the case as a whole: who works it, which law applies,
//! and closing it as a duplicate or withdrawn, or reopening it.

use serde_json::json;

use super::{clock_events, ActionError, Flow, Work};
use crate::db::cases;
use crate::db::events;
use crate::db::users::{self, UserId};
use crate::domain::audit::CaseEvent;
use crate::domain::{CaseState, Reference, Regime, Transition};
use crate::mail::messages::CaseMessage;

impl Work<'_> {
    pub(super) fn assign(&mut self, to: Option<UserId>) -> Result<(), Flow> {
        let name = match to {
            Some(id) => Some(
                users::find(self.conn, id)?
                    .filter(|u| u.active && u.role.can_work_cases())
                    .ok_or(ActionError::NoSuchAssignee)?
                    .name,
            ),
            None => None,
        };
        cases::assign(self.conn, self.case.id, to, self.now)?;
        self.event(
            CaseEvent::Assigned,
            None,
            json!({ "to": to.map(|u| u.0), "name": name }),
        )?;
        Ok(())
    }

    pub(super) fn mark_duplicate(&mut self, of: Reference, message: String) -> Result<(), Flow> {
        let original = cases::find_by_reference(self.conn, &of)?
            .ok_or_else(|| ActionError::NoSuchOriginal(of.as_str().to_owned()))?;
        if original.id == self.case.id {
            return Err(ActionError::DuplicateOfItself.into());
        }
        // Only the same person's request that is still being handled
        // can stand in for this one.
        let same_person = original
            .requester_email
            .eq_ignore_ascii_case(&self.case.requester_email);
        if !same_person || original.state.is_closed() || original.state == CaseState::Submitted {
            return Err(ActionError::NotTheSameRequester(original.reference.to_string()).into());
        }
        self.transition(Transition::MarkDuplicate)?;
        cases::set_closure(
            self.conn,
            self.case.id,
            Some("duplicate"),
            Some(original.id),
        )?;
        self.event(
            CaseEvent::MarkedDuplicate,
            None,
            json!({ "of": original.reference.as_str() }),
        )?;
        self.email(CaseMessage::Duplicate {
            original: original.reference.as_str(),
            message: &message,
        })?;
        Ok(())
    }

    pub(super) fn withdraw(&mut self, note: String) -> Result<(), Flow> {
        self.transition(Transition::Withdraw)?;
        self.event(CaseEvent::WithdrawalRecorded, None, json!({}))?;
        if !note.trim().is_empty() && self.author.is_some() {
            self.note(&format!("Withdrawal: {note}"))?;
        }
        // An unconfirmed request has an unconfirmed address: no email.
        if self.case.state != CaseState::Submitted {
            self.email(CaseMessage::Withdrawal)?;
        }
        Ok(())
    }

    pub(super) fn change_regime(&mut self, regime: Regime, reason: String) -> Result<(), Flow> {
        let from = self.case.regime;
        if regime == from {
            return Err(ActionError::SameRegime(regime.title()).into());
        }
        let clock = clock_events(&events::list(self.conn, self.case.id)?);
        let deadline = self.deadline_under(regime, &clock)?;
        cases::set_regime(
            self.conn,
            self.case.id,
            regime,
            deadline.next_due(),
            self.now,
        )?;
        self.event(
            CaseEvent::RegimeChanged,
            None,
            json!({ "from": from.key(), "to": regime.key(), "due": deadline.due, "derivation": deadline.derivation }),
        )?;
        self.note(&format!(
            "Law changed from {} to {}: {reason}",
            from.title(),
            regime.title()
        ))?;
        Ok(())
    }

    pub(super) fn reopen(&mut self, reason: String) -> Result<(), Flow> {
        self.transition(Transition::Reopen)?;
        cases::set_closure(self.conn, self.case.id, None, None)?;
        self.event(CaseEvent::CaseReopened, None, json!({}))?;
        self.note(&format!("Reopened: {reason}"))?;
        Ok(())
    }
}
