//! Moving the deadline with reasons: extensions and fees.

use chrono::NaiveDate;
use serde_json::json;

use super::{ActionError, Flow, Work};
use crate::domain::casework::ExtensionReason;
use crate::domain::deadline::ClockEvent;
use crate::domain::regime::Awaited;
use crate::domain::rights::Choice;
use crate::mail::messages::CaseMessage;

impl Work<'_> {
    pub(super) fn extend(
        &mut self,
        reason: ExtensionReason,
        message: String,
        on: NaiveDate,
    ) -> Result<(), Flow> {
        if !reason.allowed_under(self.case.regime) {
            return Err(ActionError::ReasonNotAllowed(reason.label()).into());
        }
        self.clock(ClockEvent::Extended(on), json!({ "reason": reason.key() }))?;
        self.email(CaseMessage::Extension {
            reason: reason.label(),
            message: &message,
        })?;
        Ok(())
    }

    pub(super) fn request_fee(&mut self, message: String, on: NaiveDate) -> Result<(), Flow> {
        self.not_late(Awaited::Fee, on)?;
        self.clock(ClockEvent::FeeRequested(on), json!({}))?;
        self.email(CaseMessage::Fee { message: &message })?;
        Ok(())
    }

    pub(super) fn record_fee(&mut self, received_on: NaiveDate) -> Result<(), Flow> {
        self.clock(ClockEvent::FeeReceived(received_on), json!({}))?;
        Ok(())
    }
}
