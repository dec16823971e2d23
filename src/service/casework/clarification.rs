//! Questions to the requester and their answers, which pause and restart
//! the clock where the law allows.

use chrono::NaiveDate;
use serde_json::json;

use super::{ActionError, Flow, Work, MAX_REPLIES_PER_HOUR};
use crate::db::status;
use crate::domain::audit::CaseEvent;
use crate::domain::deadline::ClockEvent;
use crate::domain::{CaseState, Transition};
use crate::mail::messages::CaseMessage;

impl Work<'_> {
    pub(super) fn request_clarification(
        &mut self,
        message: String,
        on: NaiveDate,
    ) -> Result<(), Flow> {
        self.transition(Transition::RequestClarification)?;
        self.clock(ClockEvent::ClarificationRequested(on), json!({}))?;
        self.email(CaseMessage::Clarification { message: &message })?;
        Ok(())
    }

    pub(super) fn record_reply(
        &mut self,
        summary: String,
        received_on: NaiveDate,
    ) -> Result<(), Flow> {
        self.transition(Transition::RequesterReplied)?;
        self.clock(
            ClockEvent::ClarificationReceived(received_on),
            json!({ "summary_chars": summary.chars().count() }),
        )?;
        if !summary.trim().is_empty() {
            self.note(&format!("Requester's reply: {summary}"))?;
        }
        Ok(())
    }

    pub(super) fn requester_reply(&mut self, body: String, by_email: bool) -> Result<(), Flow> {
        let via = if by_email { "email" } else { "status page" };
        // Each reply emails staff: a page must not become a way to flood them.
        let hour_ago = self.now - chrono::Duration::hours(1);
        if status::replies_since(self.conn, self.case.id, hour_ago)? >= MAX_REPLIES_PER_HOUR {
            return Err(ActionError::TooManyReplies.into());
        }
        let reply = status::add_reply(self.conn, self.case.id, &body, self.now)?;
        self.event(
            CaseEvent::RequesterReplied,
            None,
            json!({ "reply": reply, "via": via }),
        )?;
        // An answer to our question restarts the clock from today.
        if self.case.state == CaseState::AwaitingRequester {
            self.transition(Transition::RequesterReplied)?;
            self.clock(
                ClockEvent::ClarificationReceived(self.today),
                json!({ "via": via }),
            )?;
        }
        self.alert_staff(if by_email {
            "has replied to us by email"
        } else {
            "has written to us on their status page"
        })?;
        Ok(())
    }
}
