//! Fulfilment tasks (`tasks`): what one system must do for one right of one
//! case, and how its owner answered.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::cases::CaseId;
use super::schema::{systems, tasks};
use super::systems::SystemId;
use super::{DbConn, DbError};
use crate::domain::fulfilment::{Answered, TaskAnswer};
use crate::domain::Right;

#[derive(Debug, Clone)]
pub struct Task {
    pub id: i64,
    pub case_id: CaseId,
    pub system_id: SystemId,
    pub system_name: String,
    pub owner_email: String,
    pub external_recipient: bool,
    pub right: Right,
    pub created_at: NaiveDateTime,
    pub target_on: NaiveDate,
    pub answer: Option<TaskAnswer>,
    pub note: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
    pub answered_by: Option<String>,
    pub chased_at: Option<NaiveDateTime>,
}

impl Task {
    pub fn is_open(&self) -> bool {
        self.answer.is_none()
    }

    /// Open past its internal target.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.target_on < today
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = tasks)]
struct TaskRow {
    id: i64,
    case_id: i64,
    system_id: i64,
    right_key: String,
    created_at: NaiveDateTime,
    target_on: NaiveDate,
    answer: Option<String>,
    basis: Option<String>,
    note: Option<String>,
    answered_at: Option<NaiveDateTime>,
    answered_by: Option<String>,
    chased_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = systems)]
struct SystemPart {
    name: String,
    owner_email: String,
    external_recipient: bool,
}

type Row = (TaskRow, SystemPart);

fn task((t, system): Row) -> Result<Task, DbError> {
    let id = t.id;
    let right = t
        .right_key
        .parse()
        .map_err(|e| DbError::Corrupt(format!("task {id}: {e}")))?;
    let answer = match t.answer {
        Some(kind) => Some(
            TaskAnswer::from_stored(&kind, t.basis.as_deref())
                .ok_or_else(|| DbError::Corrupt(format!("task {id}: answer '{kind}'")))?,
        ),
        None => None,
    };
    Ok(Task {
        id,
        case_id: CaseId(t.case_id),
        system_id: SystemId(t.system_id),
        system_name: system.name,
        owner_email: system.owner_email,
        external_recipient: system.external_recipient,
        right,
        created_at: t.created_at,
        target_on: t.target_on,
        answer,
        note: t.note,
        answered_at: t.answered_at,
        answered_by: t.answered_by,
        chased_at: t.chased_at,
    })
}

/// Adds a task unless the case already has one for this system and right;
/// its id when added.
pub fn insert(
    conn: &mut DbConn,
    case: CaseId,
    system: SystemId,
    right: Right,
    target_on: NaiveDate,
    now: NaiveDateTime,
) -> Result<Option<i64>, DbError> {
    let exists: i64 = tasks::table
        .filter(tasks::case_id.eq(case.0))
        .filter(tasks::system_id.eq(system.0))
        .filter(tasks::right_key.eq(right.key()))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(None);
    }
    let id = diesel::insert_into(tasks::table)
        .values((
            tasks::case_id.eq(case.0),
            tasks::system_id.eq(system.0),
            tasks::right_key.eq(right.key()),
            tasks::created_at.eq(now),
            tasks::target_on.eq(target_on),
        ))
        .returning(tasks::id)
        .get_result(conn)?;
    Ok(Some(id))
}

/// A case's tasks, by right then system.
pub fn for_case(conn: &mut DbConn, case: CaseId) -> Result<Vec<Task>, DbError> {
    let rows: Vec<Row> = tasks::table
        .inner_join(systems::table)
        .filter(tasks::case_id.eq(case.0))
        .order((tasks::right_key, systems::name, tasks::id))
        .select(<(TaskRow, SystemPart)>::as_select())
        .load(conn)?;
    rows.into_iter().map(task).collect()
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<Task>, DbError> {
    let row: Option<Row> = tasks::table
        .inner_join(systems::table)
        .filter(tasks::id.eq(id))
        .select(<(TaskRow, SystemPart)>::as_select())
        .first(conn)
        .optional()?;
    row.map(task).transpose()
}

/// Records an answer if the task is still open; whether this call did.
pub fn answer(
    conn: &mut DbConn,
    id: i64,
    answered: &Answered,
    by: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        tasks::table
            .filter(tasks::id.eq(id))
            .filter(tasks::answer.is_null()),
    )
    .set((
        tasks::answer.eq(Some(answered.answer.kind_key())),
        tasks::basis.eq(answered.answer.basis()),
        tasks::note.eq(answered.note.as_deref()),
        tasks::answered_at.eq(Some(now)),
        tasks::answered_by.eq(Some(by)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Open tasks past their target that were not chased since `chased_before`.
pub fn due_for_chasing(
    conn: &mut DbConn,
    today: NaiveDate,
    chased_before: NaiveDateTime,
) -> Result<Vec<Task>, DbError> {
    let rows: Vec<Row> = tasks::table
        .inner_join(systems::table)
        .filter(tasks::answer.is_null())
        .filter(tasks::target_on.lt(today))
        .filter(
            tasks::chased_at
                .is_null()
                .or(tasks::chased_at.lt(chased_before)),
        )
        .order(tasks::id)
        .select(<(TaskRow, SystemPart)>::as_select())
        .load(conn)?;
    rows.into_iter().map(task).collect()
}

pub fn mark_chased(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(tasks::table.find(id))
        .set(tasks::chased_at.eq(Some(now)))
        .execute(conn)?;
    Ok(())
}

/// Which of these cases have open tasks past their target (for a queue page).
pub fn overdue_among(
    conn: &mut DbConn,
    cases: &[CaseId],
    today: NaiveDate,
) -> Result<Vec<CaseId>, DbError> {
    let ids: Vec<i64> = cases.iter().map(|c| c.0).collect();
    let found: Vec<i64> = tasks::table
        .filter(tasks::case_id.eq_any(&ids))
        .filter(tasks::answer.is_null())
        .filter(tasks::target_on.lt(today))
        .select(tasks::case_id)
        .distinct()
        .load(conn)?;
    Ok(found.into_iter().map(CaseId).collect())
}

/// Which tasks a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Open,
    Answered,
    All,
}

/// A list of tasks across cases, in order of target (then id).
#[derive(Debug, Clone)]
pub struct TaskFilter {
    pub state: TaskState,
    pub system: Option<SystemId>,
    /// Only open tasks whose target is before this day.
    pub overdue_before: Option<NaiveDate>,
    /// The last (target, id) of the page before.
    pub after: Option<(NaiveDate, i64)>,
    pub limit: i64,
}

/// A page of tasks with their cases' references.
pub fn page(conn: &mut DbConn, f: &TaskFilter) -> Result<Vec<(Task, String)>, DbError> {
    use super::schema::cases;
    let mut q = tasks::table
        .inner_join(systems::table)
        .inner_join(cases::table)
        .into_boxed();
    match f.state {
        TaskState::Open => q = q.filter(tasks::answered_at.is_null()),
        TaskState::Answered => q = q.filter(tasks::answered_at.is_not_null()),
        TaskState::All => {}
    }
    if let Some(system) = f.system {
        q = q.filter(tasks::system_id.eq(system.0));
    }
    if let Some(day) = f.overdue_before {
        q = q
            .filter(tasks::answered_at.is_null())
            .filter(tasks::target_on.lt(day));
    }
    if let Some((target, id)) = f.after {
        q = q.filter(
            tasks::target_on
                .gt(target)
                .or(tasks::target_on.eq(target).and(tasks::id.gt(id))),
        );
    }
    let rows: Vec<(TaskRow, SystemPart, String)> = q
        .order((tasks::target_on, tasks::id))
        .limit(f.limit)
        .select((
            TaskRow::as_select(),
            SystemPart::as_select(),
            cases::reference,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(t, s, reference)| Ok((task((t, s))?, reference)))
        .collect()
}

/// The reference of the case a task belongs to.
pub fn case_reference(conn: &mut DbConn, id: i64) -> Result<Option<String>, DbError> {
    use super::schema::cases;
    Ok(tasks::table
        .inner_join(cases::table)
        .filter(tasks::id.eq(id))
        .select(cases::reference)
        .first(conn)
        .optional()?)
}
