//! The tasks of a verified case: made when identity is verified, answered
//! by staff here (or by the systems' owners through their links).

use serde_json::json;

use super::{ActionError, Flow, Work};
use crate::db::tasks;
use crate::domain::audit::CaseEvent;
use crate::domain::fulfilment::Answered;
use crate::service::fulfilment;

impl Work<'_> {
    /// Makes the case's tasks, each emailed to its system's owner.
    pub(super) fn create_tasks(&mut self) -> Result<(), Flow> {
        let (made, mail) =
            fulfilment::create_tasks(self.ctx, self.conn, self.case, self.today, self.now)?;
        if made.is_empty() {
            return Ok(());
        }
        let systems: Vec<&str> = made.iter().map(|t| t.system_name.as_str()).collect();
        self.event(
            CaseEvent::TasksCreated,
            None,
            json!({ "tasks": made.len(), "systems": systems }),
        )?;
        self.alerts.extend(mail);
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
