//! The answer: each right's outcome, then completing or refusing the case.

use serde_json::{json, Value};

use super::{ActionError, Flow, Work};
use crate::db::cases;
use crate::domain::audit::CaseEvent;
use crate::domain::casework::{ready_to_complete, Outcome};
use crate::domain::rights::Choice;
use crate::domain::{CaseState, Right, Transition};
use crate::mail::messages::CaseMessage;

impl Work<'_> {
    pub(super) fn record_outcome(
        &mut self,
        right: Right,
        outcome: Outcome,
        note: Option<String>,
        override_reason: Option<String>,
    ) -> Result<(), Flow> {
        let rights = cases::rights_with_outcomes(self.conn, self.case.id)?;
        let regime = self.case.regime;
        let request = rights
            .iter()
            .find(|r| r.request.right() == right)
            .ok_or_else(|| ActionError::NoSuchRight(right.key().to_owned()))?;
        if !self.may_answer_unverified(&rights, &request.request) {
            return Err(ActionError::NotVerifiedYet.into());
        }
        if !crate::domain::casework::outcome_allowed(&request.request, outcome) {
            return Err(ActionError::NeverRefused.into());
        }
        let open = crate::db::tasks::for_case(self.conn, self.case.id)?
            .iter()
            .filter(|t| t.right == right && t.is_open())
            .count();
        if open > 0 {
            let reason = override_reason.ok_or(ActionError::OpenTasks(open))?;
            self.event(
                CaseEvent::OpenTasksOverridden,
                None,
                json!({ "right": right.key(), "open": open, "reason": reason }),
            )?;
        }
        if !cases::set_outcome(
            self.conn,
            self.case.id,
            right,
            outcome,
            note.as_deref(),
            self.now,
        )? {
            return Err(ActionError::NoSuchRight(right.key().to_owned()).into());
        }
        self.event(
            CaseEvent::RightOutcomeRecorded,
            None,
            json!({
                "right": right.key(),
                "outcome": outcome.key(),
                "fast_track": regime.is_fast_track(&request.request),
            }),
        )?;
        self.refresh_due()?;
        Ok(())
    }

    pub(super) fn complete(&mut self, message: String) -> Result<(), Flow> {
        let rights = cases::rights_with_outcomes(self.conn, self.case.id)?;
        let regime = self.case.regime;
        if rights
            .iter()
            .any(|r| !self.may_answer_unverified(&rights, &r.request))
        {
            return Err(ActionError::NotVerifiedYet.into());
        }
        ready_to_complete(
            rights
                .iter()
                .map(|r| (regime.right_name(r.request.right()), r.outcome)),
        )
        .map_err(ActionError::from)?;
        self.transition(Transition::Complete)?;
        self.notify_recipients(&rights)?;
        self.suppress(&rights)?;
        let outcomes: Vec<Value> = rights
            .iter()
            .map(|r| json!({ "right": r.request.right().key(), "outcome": r.outcome.map(|o| o.key()) }))
            .collect();
        self.event(
            CaseEvent::CaseCompleted,
            None,
            json!({ "outcomes": outcomes }),
        )?;
        let answer =
            crate::service::fulfilment::compose_answer(self.ctx, self.conn, self.case, &message)?;
        crate::db::answers::put(self.conn, self.case.id, &answer, self.now)?;
        self.answer = Some(answer.clone());
        crate::service::packages::build(self.ctx, self.conn, self.case, &answer, self.now)?;
        // An address never confirmed may not be the requester's:
        // an opt-out is honoured, but no one is written to.
        if self.case.state != CaseState::Submitted {
            // The email carries no answer, only the way to it: the answer
            // is on the requester's private page.
            let link =
                crate::service::status::issue_link(self.ctx, self.conn, self.case.id, self.now)?;
            self.email(CaseMessage::Completion {
                rights: &rights,
                link: &link,
            })?;
        }
        Ok(())
    }

    pub(super) fn refuse(&mut self, ground: String, reason: String) -> Result<(), Flow> {
        let rights = cases::rights_with_outcomes(self.conn, self.case.id)?;
        if !crate::domain::casework::may_refuse_whole(
            self.case.regime,
            rights.iter().map(|r| (&r.request, r.outcome)),
        ) {
            return Err(ActionError::NotWhole.into());
        }
        let ground = self
            .case
            .regime
            .refusal_ground(&ground)
            .ok_or(ActionError::NoSuchGround(ground))?;
        self.transition(Transition::Refuse)?;
        self.event(
            CaseEvent::CaseRefused,
            None,
            json!({ "ground": ground.key, "source": ground.source }),
        )?;
        self.email(CaseMessage::Refusal {
            ground: ground.requester_text,
            reason: &reason,
        })?;
        Ok(())
    }
}
