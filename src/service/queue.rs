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
        sort: queue::Sort::Due,
    };
    Ok(queue::page(&mut conn, &filter)?.into_iter().next())
}

/// What the staff queue shows: a page of cases (none when the filter was
/// not valid), which of them have tasks past their target, the counts per
/// state, and the people cases can be assigned to.
pub struct StaffQueue {
    pub rows: Vec<QueueRow>,
    pub late_tasks: Vec<crate::db::cases::CaseId>,
    pub counts: Vec<(CaseState, i64)>,
    pub people: Vec<crate::db::users::User>,
}

pub fn staff_queue(
    ctx: &AppContext,
    filter: Option<&QueueFilter>,
    today: chrono::NaiveDate,
) -> Result<StaffQueue, ServiceError> {
    use crate::db::{tasks, users};
    use crate::domain::Role;
    let mut conn = ctx.pool.get()?;
    let rows = match filter {
        Some(f) => queue::page(&mut conn, f)?,
        None => Vec::new(),
    };
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    Ok(StaffQueue {
        late_tasks: tasks::overdue_among(&mut conn, &ids, today)?,
        counts: queue::count_by_state(&mut conn)?,
        people: users::active_with_role(&mut conn, &[Role::Admin, Role::Agent])?,
        rows,
    })
}
