//! The staff queue and the dashboard's figures: filtered, keyset-paginated
//! lists of cases ordered by what is due, and counts.

use chrono::{Datelike, NaiveDate};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::cases::CaseId;
use super::schema::{case_rights, cases, users};
use super::users::UserId;
use super::{DbConn, DbError};
use crate::domain::{CaseState, Reference, Regime, Right};

/// Whose cases to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Anyone,
    Unassigned,
    User(UserId),
}

/// A position in the queue: the last row of the previous page, by the date
/// the queue is in the order of (due, or received). Cases without that
/// date sort after all dated ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub due_on: Option<NaiveDate>,
    pub id: i64,
    /// In the order by state: the state the page ended in.
    pub state: Option<CaseState>,
}

/// The queue's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Most urgent first (the due date, soonest first).
    #[default]
    Due,
    /// Newest first (the day received, latest first).
    Received,
    /// By state, in the order of a case's life; most urgent first within
    /// each.
    State,
}

#[derive(Debug, Clone)]
pub enum Search {
    Reference(Reference),
    /// Exact address, in any letter case.
    Email(String),
    /// Part of a name, an address or a reference, in any letter case (a
    /// scan: slower than the two above at scale, so those are used when
    /// the term is a whole reference or address).
    Text(String),
}

#[derive(Debug, Clone)]
pub struct QueueFilter {
    pub states: Vec<CaseState>,
    pub right: Option<Right>,
    pub regime: Option<Regime>,
    pub assignee: AssigneeFilter,
    /// Due on or before this date.
    pub due_by: Option<NaiveDate>,
    /// Due before this date (today): overdue.
    pub overdue_before: Option<NaiveDate>,
    pub search: Option<Search>,
    pub after: Option<Cursor>,
    pub limit: i64,
    /// Also unconfirmed requests that already have a due date: a CCPA
    /// opt-out or limit is acted on whether or not the email is confirmed.
    pub unconfirmed_with_due: bool,
    pub sort: Sort,
}

#[derive(Debug, Clone)]
pub struct QueueRow {
    pub id: CaseId,
    pub reference: String,
    pub state: CaseState,
    pub regime: Regime,
    pub due_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub assignee: Option<String>,
    pub rights: Vec<Right>,
    pub requester_name: String,
}

type Backend = <DbConn as Connection>::Backend;
type Condition =
    Box<dyn BoxableExpression<cases::table, Backend, SqlType = diesel::sql_types::Bool>>;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// The filter's conditions other than state and position.
fn conditions(f: &QueueFilter) -> Vec<Condition> {
    let mut c: Vec<Condition> = Vec::new();
    if let Some(right) = f.right {
        // EXISTS, not IN: the database walks the queue's index in order and
        // checks each case, rather than visiting every case with the right.
        c.push(Box::new(diesel::dsl::exists(
            case_rights::table
                .filter(case_rights::case_id.eq(cases::id))
                .filter(case_rights::right_key.eq(right.key())),
        )));
    }
    if let Some(regime) = f.regime {
        c.push(Box::new(cases::regime.eq(regime.key())));
    }
    match f.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Unassigned => c.push(Box::new(cases::assignee_id.is_null())),
        AssigneeFilter::User(u) => c.push(Box::new(cases::assignee_id.eq(u.0).assume_not_null())),
    }
    if let Some(d) = f.due_by {
        c.push(Box::new(cases::due_on.le(d).assume_not_null()));
    }
    if let Some(d) = f.overdue_before {
        c.push(Box::new(cases::due_on.lt(d).assume_not_null()));
    }
    match &f.search {
        None => {}
        Some(Search::Reference(r)) => c.push(Box::new(cases::reference.eq(r.as_str().to_owned()))),
        Some(Search::Email(e)) => c.push(Box::new(
            lower(cases::requester_email).eq(e.trim().to_lowercase()),
        )),
        Some(Search::Text(t)) => {
            let pattern = like_pattern(t);
            c.push(Box::new(
                lower(cases::requester_name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(cases::requester_email)
                        .like(pattern.clone())
                        .escape('\\'))
                    .or(lower(cases::reference).like(pattern).escape('\\')),
            ))
        }
    }
    c
}

/// `%term%` for LIKE, lower-cased, with the term's own `%`, `_` and `\`
/// taken literally.
fn like_pattern(term: &str) -> String {
    let mut p = String::from("%");
    for ch in term.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

type Row = (
    i64,
    String,
    String,
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<i64>,
    String,
);

/// The columns a queue row needs, as a query to add conditions to.
fn rows<'a>() -> cases::BoxedQuery<'a, Backend, RowSql> {
    cases::table
        .select((
            cases::id,
            cases::reference,
            cases::state,
            cases::regime,
            cases::due_on,
            cases::received_on,
            cases::assignee_id,
            cases::requester_name,
        ))
        .into_boxed()
}

type RowSql = (
    diesel::sql_types::BigInt,
    diesel::sql_types::Text,
    diesel::sql_types::Text,
    diesel::sql_types::Text,
    diesel::sql_types::Nullable<diesel::sql_types::Date>,
    diesel::sql_types::Nullable<diesel::sql_types::Date>,
    diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
    diesel::sql_types::Text,
);

/// One state's cases matching the filter (its conditions applied).
fn of_state<'a>(f: &QueueFilter, state: CaseState) -> cases::BoxedQuery<'a, Backend, RowSql> {
    let mut q = rows().filter(cases::state.eq(state.key()));
    for cond in conditions(f) {
        q = q.filter(cond);
    }
    q
}

/// One state's cases, in index order: those with a due date after the
/// cursor (`dated`), or those without one (`!dated`).
///
/// After a cursor on a due date, the cases left on that date and those
/// due later are read apart, each an exact seek of the `(state, due_on,
/// id)` index: one range over both would start at the first case due that
/// day and step over every one before the cursor.
fn slice(
    conn: &mut DbConn,
    f: &QueueFilter,
    state: CaseState,
    dated: bool,
) -> Result<Vec<Row>, DbError> {
    if !dated {
        let mut q = of_state(f, state).filter(cases::due_on.is_null());
        if let Some(Cursor {
            due_on: None, id, ..
        }) = f.after
        {
            q = q.filter(cases::id.gt(id));
        }
        return Ok(q.order(cases::id.asc()).limit(f.limit).load(conn)?);
    }
    let later = of_state(f, state)
        .filter(cases::due_on.is_not_null())
        .order((cases::due_on.asc(), cases::id.asc()))
        .limit(f.limit);
    match f.after {
        None => Ok(later.load(conn)?),
        Some(Cursor {
            due_on: Some(d),
            id,
            ..
        }) => {
            let mut rows: Vec<Row> = of_state(f, state)
                .filter(cases::due_on.eq(d).assume_not_null())
                .filter(cases::id.gt(id))
                .order(cases::id.asc())
                .limit(f.limit)
                .load(conn)?;
            if (rows.len() as i64) < f.limit {
                rows.extend(
                    later
                        .filter(cases::due_on.gt(d).assume_not_null())
                        .load::<Row>(conn)?,
                );
                rows.truncate(usize::try_from(f.limit).unwrap_or(0));
            }
            Ok(rows)
        }
        // The cursor is past every dated case.
        Some(Cursor { due_on: None, .. }) => Ok(Vec::new()),
    }
}

/// One page of the queue, most urgent first; cases whose clock has not
/// started come last. Each state is read in the order of the
/// `(state, due_on, id)` index and the slices merged here, so a page costs
/// the same at any depth and however many cases are closed.
pub fn page(conn: &mut DbConn, f: &QueueFilter) -> Result<Vec<QueueRow>, DbError> {
    let limit = usize::try_from(f.limit).unwrap_or(0);
    let rows = if f.search.is_some() {
        searched(conn, f)?
    } else if f.sort == Sort::Received {
        newest_first(conn, f)?
    } else if f.sort == Sort::State {
        by_state(conn, f)?
    } else {
        let mut dated: Vec<Row> = Vec::new();
        let mut dated_states = f.states.clone();
        if f.unconfirmed_with_due && !dated_states.contains(&CaseState::Submitted) {
            dated_states.push(CaseState::Submitted);
        }
        for state in &dated_states {
            dated.extend(slice(conn, f, *state, true)?);
        }
        dated.sort_by_key(|r| (r.4, r.0));
        dated.truncate(limit);
        let mut rows = dated;
        if rows.len() < limit {
            let mut undated: Vec<Row> = Vec::new();
            for state in &f.states {
                undated.extend(slice(conn, f, *state, false)?);
            }
            undated.sort_by_key(|r| r.0);
            undated.truncate(limit - rows.len());
            rows.extend(undated);
        }
        rows
    };
    rows_to_queue(conn, rows)
}

/// One state's cases received before the cursor, newest first, as the
/// `(state, received_on, id)` index holds them (read backwards); then, when
/// `dated` is false, those with no day received yet.
fn received_slice(
    conn: &mut DbConn,
    f: &QueueFilter,
    state: CaseState,
    dated: bool,
) -> Result<Vec<Row>, DbError> {
    if !dated {
        let mut q = of_state(f, state).filter(cases::received_on.is_null());
        if let Some(Cursor {
            due_on: None, id, ..
        }) = f.after
        {
            q = q.filter(cases::id.lt(id));
        }
        return Ok(q.order(cases::id.desc()).limit(f.limit).load(conn)?);
    }
    let earlier = of_state(f, state)
        .filter(cases::received_on.is_not_null())
        .order((cases::received_on.desc(), cases::id.desc()))
        .limit(f.limit);
    match f.after {
        None => Ok(earlier.load(conn)?),
        Some(Cursor {
            due_on: Some(d),
            id,
            ..
        }) => {
            let mut rows: Vec<Row> = of_state(f, state)
                .filter(cases::received_on.eq(d).assume_not_null())
                .filter(cases::id.lt(id))
                .order(cases::id.desc())
                .limit(f.limit)
                .load(conn)?;
            if (rows.len() as i64) < f.limit {
                rows.extend(
                    earlier
                        .filter(cases::received_on.lt(d).assume_not_null())
                        .load::<Row>(conn)?,
                );
                rows.truncate(usize::try_from(f.limit).unwrap_or(0));
            }
            Ok(rows)
        }
        Some(Cursor { due_on: None, .. }) => Ok(Vec::new()),
    }
}

/// The queue by state, in the order of a case's life, each state most
/// urgent first (read in the order of its index, as the default order
/// does); the cursor names the state the last page ended in.
fn by_state(conn: &mut DbConn, f: &QueueFilter) -> Result<Vec<Row>, DbError> {
    let limit = usize::try_from(f.limit).unwrap_or(0);
    let order: Vec<CaseState> = CaseState::ALL
        .iter()
        .copied()
        .filter(|s| f.states.contains(s))
        .collect();
    let start = f
        .after
        .and_then(|c| c.state)
        .and_then(|s| order.iter().position(|o| *o == s))
        .unwrap_or(0);
    let mut rows: Vec<Row> = Vec::new();
    for (i, state) in order.iter().enumerate().skip(start) {
        let left = limit - rows.len();
        let within = QueueFilter {
            // The cursor's position holds in its own state only.
            after: if i == start && f.after.and_then(|c| c.state).is_some() {
                f.after
            } else {
                None
            },
            limit: i64::try_from(left).unwrap_or(0),
            ..f.clone()
        };
        rows.extend(slice(conn, &within, *state, true)?);
        if rows.len() < limit {
            let mut undated = slice(conn, &within, *state, false)?;
            undated.truncate(limit - rows.len());
            rows.extend(undated);
        }
        if rows.len() >= limit {
            break;
        }
    }
    Ok(rows)
}

/// The queue newest first: each state read in index order, merged here.
fn newest_first(conn: &mut DbConn, f: &QueueFilter) -> Result<Vec<Row>, DbError> {
    let limit = usize::try_from(f.limit).unwrap_or(0);
    let mut dated: Vec<Row> = Vec::new();
    for state in &f.states {
        dated.extend(received_slice(conn, f, *state, true)?);
    }
    dated.sort_by_key(|r| std::cmp::Reverse((r.5, r.0)));
    dated.truncate(limit);
    if dated.len() < limit {
        let mut undated: Vec<Row> = Vec::new();
        for state in &f.states {
            undated.extend(received_slice(conn, f, *state, false)?);
        }
        undated.sort_by_key(|r| std::cmp::Reverse(r.0));
        undated.truncate(limit - dated.len());
        dated.extend(undated);
    }
    Ok(dated)
}

/// A search by reference or address finds a handful of cases through its
/// own index; they are put in queue order here.
fn searched(conn: &mut DbConn, f: &QueueFilter) -> Result<Vec<Row>, DbError> {
    let states: Vec<&str> = f.states.iter().map(|s| s.key()).collect();
    let mut q = rows().filter(cases::state.eq_any(states));
    for cond in conditions(f) {
        q = q.filter(cond);
    }
    let mut rows: Vec<Row> = q.order(cases::id.desc()).limit(500).load(conn)?;
    if f.sort == Sort::State {
        let pos = |s: CaseState| CaseState::ALL.iter().position(|x| *x == s).unwrap_or(0);
        let key = |state: CaseState, due: Option<NaiveDate>, id: i64| {
            (pos(state), due.is_none(), due, id)
        };
        let mut keyed: Vec<(Row, CaseState)> = Vec::new();
        for r in rows {
            let state: CaseState =
                r.2.parse()
                    .map_err(|e| DbError::Corrupt(format!("case {}: {e}", r.0)))?;
            keyed.push((r, state));
        }
        keyed.sort_by_key(|(r, s)| key(*s, r.4, r.0));
        keyed.retain(|(r, s)| match f.after {
            Some(c) => key(*s, r.4, r.0) > key(c.state.unwrap_or(*s), c.due_on, c.id),
            None => true,
        });
        rows = keyed.into_iter().map(|(r, _)| r).collect();
    } else if f.sort == Sort::Received {
        rows.sort_by_key(|r| (r.5.is_none(), std::cmp::Reverse((r.5, r.0))));
        rows.retain(|r| match f.after {
            None => true,
            Some(Cursor {
                due_on: Some(d),
                id,
                ..
            }) => r.5.is_none_or(|on| on < d || (on == d && r.0 < id)),
            Some(Cursor {
                due_on: None, id, ..
            }) => r.5.is_none() && r.0 < id,
        });
    } else {
        rows.sort_by_key(|r| (r.4.is_none(), r.4, r.0));
        rows.retain(|r| match f.after {
            None => true,
            Some(Cursor {
                due_on: Some(d),
                id,
                ..
            }) => r.4.is_none_or(|due| due > d || (due == d && r.0 > id)),
            Some(Cursor {
                due_on: None, id, ..
            }) => r.4.is_none() && r.0 > id,
        });
    }
    rows.truncate(usize::try_from(f.limit).unwrap_or(0));
    Ok(rows)
}

fn rows_to_queue(conn: &mut DbConn, rows: Vec<Row>) -> Result<Vec<QueueRow>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let rights: Vec<(i64, String)> = case_rights::table
        .filter(case_rights::case_id.eq_any(&ids))
        .order(case_rights::id)
        .select((case_rights::case_id, case_rights::right_key))
        .load(conn)?;
    let assignee_ids: Vec<i64> = rows.iter().filter_map(|r| r.6).collect();
    let names: Vec<(i64, String)> = users::table
        .filter(users::id.eq_any(&assignee_ids))
        .select((users::id, users::name))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(id, reference, state, regime, due_on, received_on, assignee, requester_name)| {
                let corrupt = |e: String| DbError::Corrupt(format!("case {id}: {e}"));
                Ok(QueueRow {
                    id: CaseId(id),
                    reference,
                    state: state.parse().map_err(|e| corrupt(format!("{e}")))?,
                    regime: regime.parse().map_err(|e| corrupt(format!("{e}")))?,
                    due_on,
                    received_on,
                    assignee: assignee
                        .and_then(|a| names.iter().find(|(u, _)| *u == a).map(|(_, n)| n.clone())),
                    rights: rights
                        .iter()
                        .filter(|(case, _)| *case == id)
                        .map(|(_, key)| key.parse().map_err(|e| corrupt(format!("{e}"))))
                        .collect::<Result<_, _>>()?,
                    requester_name,
                })
            },
        )
        .collect()
}

/// How many cases are in each state: a few rows of `case_state_counts`,
/// which triggers keep as cases are filed and change state, however many
/// cases there are.
pub fn count_by_state(conn: &mut DbConn) -> Result<Vec<(CaseState, i64)>, DbError> {
    use super::schema::case_state_counts as counts_table;
    tally(
        counts_table::table
            .select((counts_table::state, counts_table::n))
            .load(conn)?,
    )
}

/// As [`count_by_state`], counted from the cases themselves (a scan; for
/// checking the kept counts).
pub fn count_by_state_scanned(conn: &mut DbConn) -> Result<Vec<(CaseState, i64)>, DbError> {
    tally(
        cases::table
            .group_by(cases::state)
            .select((cases::state, count_star()))
            .load(conn)?,
    )
}

/// Every state with the sum of the counts given for it.
fn tally(rows: Vec<(String, i64)>) -> Result<Vec<(CaseState, i64)>, DbError> {
    let mut counts: Vec<(CaseState, i64)> = CaseState::ALL.iter().map(|s| (*s, 0)).collect();
    for (state, n) in rows {
        let state: CaseState = state
            .parse()
            .map_err(|e| DbError::Corrupt(format!("{e}")))?;
        if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == state) {
            slot.1 += n;
        }
    }
    Ok(counts)
}

/// Open cases per right: a few rows of `case_right_counts`, kept by
/// triggers, however many cases there are.
pub fn open_by_right(conn: &mut DbConn) -> Result<Vec<(Right, i64)>, DbError> {
    use super::schema::case_right_counts as kept;
    let open: Vec<&str> = CaseState::OPEN.iter().map(|s| s.key()).collect();
    let rows: Vec<(String, i64)> = kept::table
        .filter(kept::state.eq_any(open))
        .select((kept::right_key, kept::n))
        .load(conn)?;
    let mut counts: Vec<(Right, i64)> = Vec::new();
    for (key, n) in rows {
        let right: Right = key.parse().map_err(|e| DbError::Corrupt(format!("{e}")))?;
        match counts.iter_mut().find(|(r, _)| *r == right) {
            Some(slot) => slot.1 += n,
            None => counts.push((right, n)),
        }
    }
    counts.retain(|(_, n)| *n != 0);
    Ok(counts)
}

/// As [`open_by_right`], counted from the cases themselves (a scan; for
/// checking the kept counts).
pub fn open_by_right_scanned(conn: &mut DbConn) -> Result<Vec<(Right, i64)>, DbError> {
    let open: Vec<&str> = CaseState::OPEN.iter().map(|s| s.key()).collect();
    let rows: Vec<(String, i64)> = case_rights::table
        .inner_join(cases::table)
        .filter(cases::state.eq_any(open))
        .group_by(case_rights::right_key)
        .select((case_rights::right_key, count_star()))
        .load(conn)?;
    rows.into_iter()
        .map(|(k, n)| Ok((k.parse().map_err(|e| DbError::Corrupt(format!("{e}")))?, n)))
        .collect()
}

/// The states whose cases count as due: the open ones, and unconfirmed
/// requests with a due date (opt-outs, whose clock runs regardless).
fn due_states() -> Vec<&'static str> {
    CaseState::OPEN
        .iter()
        .chain([&CaseState::Submitted])
        .map(|s| s.key())
        .collect()
}

/// Open cases due on or before `by`; with `before`, only those due before
/// it. Read from `case_due_counts` (a row per state, due date and shard,
/// kept by triggers): as many rows as there are due dates, not cases.
pub fn count_open_due(
    conn: &mut DbConn,
    by: Option<NaiveDate>,
    before: Option<NaiveDate>,
) -> Result<i64, DbError> {
    use super::schema::case_due_counts as kept;
    let mut q = kept::table
        .filter(kept::state.eq_any(due_states()))
        .select(kept::n)
        .into_boxed::<Backend>();
    if let Some(d) = by {
        q = q.filter(kept::due_on.le(d));
    }
    if let Some(d) = before {
        q = q.filter(kept::due_on.lt(d));
    }
    Ok(q.load::<i64>(conn)?.into_iter().sum())
}

/// As [`count_open_due`], counted from the cases themselves (a scan; for
/// checking the kept counts).
pub fn count_open_due_scanned(
    conn: &mut DbConn,
    by: Option<NaiveDate>,
    before: Option<NaiveDate>,
) -> Result<i64, DbError> {
    let mut q = cases::table
        .filter(cases::state.eq_any(due_states()))
        .filter(cases::due_on.is_not_null())
        .into_boxed::<Backend>();
    if let Some(d) = by {
        q = q.filter(cases::due_on.le(d));
    }
    if let Some(d) = before {
        q = q.filter(cases::due_on.lt(d));
    }
    Ok(q.count().get_result(conn)?)
}

/// How many cases of each law took how many days from receipt to answer
/// (completed or refused, not closed as duplicates), answered in `from`'s
/// month or later: `(law, days, cases)`, by law and
/// then days. Read from the counts triggers keep, not from the cases.
pub fn turnaround_since(
    conn: &mut DbConn,
    from: NaiveDate,
) -> Result<Vec<(Regime, i64, i64)>, DbError> {
    use super::schema::case_turnaround_counts as t;
    let rows: Vec<(String, i64, i64)> = t::table
        .filter(t::closed_month.ge(from.format("%Y-%m").to_string()))
        .select((t::regime, t::days, t::n))
        .load(conn)?;
    let mut counts = std::collections::BTreeMap::<(String, i64), i64>::new();
    for (regime, days, n) in rows {
        *counts.entry((regime, days)).or_default() += n;
    }
    by_law(counts)
}

fn by_law(
    counts: std::collections::BTreeMap<(String, i64), i64>,
) -> Result<Vec<(Regime, i64, i64)>, DbError> {
    counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|((regime, days), n)| {
            let regime = regime
                .parse()
                .map_err(|e| DbError::Corrupt(format!("{e}")))?;
            Ok((regime, days, n))
        })
        .collect()
}

/// [`turnaround_since`] worked out from the cases themselves (for tests
/// and benchmarks to check the kept counts against).
pub fn turnaround_since_scanned(
    conn: &mut DbConn,
    from: NaiveDate,
) -> Result<Vec<(Regime, i64, i64)>, DbError> {
    // Whole months, as the kept counts are.
    let from = from.with_day(1).unwrap_or(from);
    let rows: Vec<(String, Option<NaiveDate>, Option<NaiveDate>)> = cases::table
        .filter(cases::state.eq_any([CaseState::Completed.key(), CaseState::Refused.key()]))
        .filter(cases::closure.is_null())
        .filter(cases::closed_on.ge(from))
        .select((cases::regime, cases::received_on, cases::closed_on))
        .load(conn)?;
    let mut counts = std::collections::BTreeMap::<(String, i64), i64>::new();
    for (regime, received, closed) in rows {
        let (Some(received), Some(closed)) = (received, closed) else {
            continue;
        };
        let days = (closed - received).num_days().max(0);
        *counts.entry((regime, days)).or_default() += 1;
    }
    by_law(counts)
}

/// Open cases assigned to `user` due on or before `by` (overdue included),
/// or, with `None`, open cases assigned to no one.
pub fn open_for_digest(
    conn: &mut DbConn,
    user: Option<UserId>,
    by: NaiveDate,
) -> Result<Vec<QueueRow>, DbError> {
    let filter = QueueFilter {
        states: CaseState::OPEN.to_vec(),
        right: None,
        regime: None,
        assignee: user.map_or(AssigneeFilter::Unassigned, AssigneeFilter::User),
        due_by: user.map(|_| by),
        overdue_before: None,
        search: None,
        after: None,
        limit: 500,
        unconfirmed_with_due: true,
        sort: Sort::Due,
    };
    page(conn, &filter)
}
