//! Lists of cases for other systems (the JSON API): the staff queue's
//! filters and order, each list recorded in the admin trail with who asked.

use serde_json::json;

use super::ServiceError;
use crate::app::AppContext;
use crate::db::queue::{self, QueueFilter, QueueRow, Search};
use crate::db::{self, events};
use crate::domain::audit::{Actor, AdminEvent};
use crate::domain::{CaseState, Reference};

/// One page of cases, as the filter asks; the list (how many, and whether
/// it was a search) is an event of the admin trail.
pub fn list(
    ctx: &AppContext,
    by: Actor,
    filter: &QueueFilter,
) -> Result<Vec<QueueRow>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let rows = queue::page(&mut conn, filter)?;
    let now = db::timestamp(ctx.clock.now());
    let search = filter.search.as_ref().map(|s| match s {
        Search::Reference(_) => "reference",
        Search::Email(_) => "email",
        Search::Text(_) => "text",
    });
    db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        events::append_admin(
            conn,
            &ctx.audit_key,
            AdminEvent::ApiCasesListed,
            by,
            json!({ "cases": rows.len(), "search": search }),
            now,
        )?;
        Ok(())
    })?;
    Ok(rows)
}

/// The queue's row for one case (any state), without recording a view.
pub fn summary(ctx: &AppContext, reference: &Reference) -> Result<Option<QueueRow>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let filter = QueueFilter {
        states: CaseState::ALL.to_vec(),
        right: None,
        regime: None,
        assignee: queue::AssigneeFilter::Anyone,
        due_by: None,
        overdue_before: None,
        search: Some(Search::Reference(reference.clone())),
        after: None,
        limit: 1,
        unconfirmed_with_due: false,
    };
    Ok(queue::page(&mut conn, &filter)?.into_iter().next())
}
