//! The holiday calendars deadlines are computed with: the shipped ones and
//! `calendars.file` (read at start-up), with the days admins changed in the
//! app over them. Every node reads the changes from the database when it
//! computes, so a change made on one node holds on all of them at once; a
//! change moves the due date of every open case it affects, each move in
//! that case's trail and the change itself in the admin trail.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use serde_json::json;

use super::casework::deadline_with;
use super::ServiceError;
use crate::app::AppContext;
use crate::db::events::NewEvent;
use crate::db::{self, calendar_days, cases, events, DbConn, DbError};
use crate::domain::audit::{Actor, AdminEvent, CaseEvent};
use crate::domain::calendar::{ChangeRefused, DayChange};
use crate::domain::{Calendars, Regime};

/// The configured calendars and, kept while the stored changes stay the
/// same, the calendars with those changes applied.
pub struct CalendarBook {
    configured: Calendars,
    applied: Mutex<Option<(Vec<DayChange>, Arc<Calendars>)>>,
}

impl CalendarBook {
    pub fn new(configured: Calendars) -> CalendarBook {
        CalendarBook {
            configured,
            applied: Mutex::new(None),
        }
    }

    /// The calendars as configured, before any change made in the app.
    pub fn configured(&self) -> &Calendars {
        &self.configured
    }

    /// The calendars as they stand: the changes stored on `conn` applied
    /// (one small read; applied again only when they differ from the last).
    pub fn current(&self, conn: &mut DbConn) -> Result<Arc<Calendars>, DbError> {
        let changes = calendar_days::all(conn)?;
        Ok(self.with(changes))
    }

    fn with(&self, changes: Vec<DayChange>) -> Arc<Calendars> {
        let mut applied = self.applied.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, calendars)) = applied.as_ref() {
            if *seen == changes {
                return Arc::clone(calendars);
            }
        }
        let calendars = Arc::new(self.configured.with_changes(&changes));
        *applied = Some((changes, Arc::clone(&calendars)));
        calendars
    }
}

/// A calendar as the admin page shows it.
pub struct CalendarView {
    pub key: String,
    pub name: String,
    pub regimes: Vec<Regime>,
    pub first_year: i32,
    pub last_year: i32,
    /// Its holidays from today to the end of next year, those declared in
    /// the app marked.
    pub holidays: Vec<(NaiveDate, String, bool)>,
    /// The days changed in the app: (day, the holiday declared, or None
    /// for a holiday not kept, and what the configured calendar says).
    pub changes: Vec<(NaiveDate, Option<String>, Option<String>)>,
}

/// The calendars the regimes that apply use, as they stand, with their
/// holidays from today to the end of next year.
pub fn overview(ctx: &AppContext) -> Result<Vec<CalendarView>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let changes = calendar_days::all(&mut conn)?;
    let current = ctx.calendars.with(changes.clone());
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let from = today;
    let until =
        NaiveDate::from_ymd_opt(chrono::Datelike::year(&today) + 1, 12, 31).unwrap_or(today);
    let configured = ctx.calendars.configured();
    Ok(current
        .in_use(ctx.jurisdiction.applicable())
        .into_iter()
        .filter_map(|(key, regimes)| {
            let calendar = current.get(key)?;
            let shipped = configured.get(key)?;
            let mine: Vec<&DayChange> = changes.iter().filter(|c| c.calendar == key).collect();
            let (first_year, last_year) = shipped.years();
            Some(CalendarView {
                key: key.to_owned(),
                name: calendar.name().to_owned(),
                regimes,
                first_year,
                last_year,
                holidays: calendar
                    .holidays()
                    .filter(|(d, _)| (from..=until).contains(d))
                    .map(|(d, n)| (d, n.to_owned(), mine.iter().any(|c| c.day == d)))
                    .collect(),
                changes: mine
                    .iter()
                    .map(|c| {
                        (
                            c.day,
                            c.holiday.clone(),
                            shipped.holiday(c.day).map(str::to_owned),
                        )
                    })
                    .collect(),
            })
        })
        .collect())
}

/// What a change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The references of the open cases whose due date moved.
    pub cases_moved: Vec<String>,
}

/// What an admin asks of a calendar's day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayEdit {
    /// Declare a holiday.
    Holiday(String),
    /// Keep a holiday as a working day.
    WorkingDay,
    /// Forget the change made to the day: the calendar as configured.
    Undo,
}

/// Changes one day of a calendar the regimes that apply use, then moves
/// the due date of each open case the change affects. Refused (with the
/// reason) when the change changes nothing or is not valid.
pub fn change_day(
    ctx: &AppContext,
    by: Actor,
    calendar: &str,
    day: NaiveDate,
    edit: DayEdit,
) -> Result<Result<Changed, ChangeRefused>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    db::write_transaction(&mut conn, |conn| {
        let current = ctx.calendars.current(conn)?;
        let in_use = current.in_use(ctx.jurisdiction.applicable());
        let Some((key, regimes)) = in_use.iter().find(|(k, _)| *k == calendar) else {
            return Ok(Err(ChangeRefused::UnknownCalendar(calendar.to_owned())));
        };
        let Some(days) = current.get(key) else {
            return Ok(Err(ChangeRefused::UnknownCalendar(calendar.to_owned())));
        };
        let change = match edit {
            DayEdit::Holiday(name) => match days.check_change(day, Some(&name)) {
                Ok(holiday) => Some(holiday),
                Err(refused) => return Ok(Err(refused)),
            },
            DayEdit::WorkingDay => match days.check_change(day, None) {
                Ok(_) => Some(None),
                Err(refused) => return Ok(Err(refused)),
            },
            DayEdit::Undo => None,
        };
        let long = crate::domain::deadline::long(day);
        let what = match &change {
            Some(Some(name)) => format!("{long} was made a holiday ({name})"),
            Some(None) => format!("{long} was made a working day"),
            None => format!("the change to {long} was undone"),
        };
        let what = format!("{what} in the {} calendar", days.name());
        let detail = match &change {
            Some(holiday) => {
                calendar_days::put(
                    conn,
                    &DayChange {
                        calendar: (*key).to_owned(),
                        day,
                        holiday: holiday.clone(),
                    },
                    now,
                )?;
                json!({ "calendar": key, "day": day, "holiday": holiday })
            }
            None => {
                if !calendar_days::remove(conn, key, day)? {
                    return Ok(Err(ChangeRefused::NotChanged(day)));
                }
                json!({ "calendar": key, "day": day, "undone": true })
            }
        };
        let updated = ctx.calendars.current(conn)?;
        let cases_moved = move_due_dates(ctx, conn, &updated, regimes, (day, &what), by, now)?;
        let mut detail = detail;
        detail["cases_moved"] = cases_moved.len().into();
        events::append_admin(
            conn,
            &ctx.audit_key,
            AdminEvent::CalendarChanged,
            by,
            detail,
            now,
        )?;
        Ok(Ok(Changed { cases_moved }))
    })
}

/// Recomputes the deadline of every open case under `regimes` due on or
/// after the day changed with `calendars`, storing each due date that
/// moved (and saying so, with `what` changed, in the case's trail). The
/// references of those that moved.
fn move_due_dates(
    ctx: &AppContext,
    conn: &mut DbConn,
    calendars: &Calendars,
    regimes: &[Regime],
    (day, what): (NaiveDate, &str),
    by: Actor,
    now: chrono::NaiveDateTime,
) -> Result<Vec<String>, ServiceError> {
    let mut moved = Vec::new();
    for case in cases::open_due_from(conn, regimes, day)? {
        let trail = events::list(conn, case.id)?;
        let rights = cases::rights_with_outcomes(conn, case.id)?;
        let Some(Ok(deadline)) = deadline_with(ctx, calendars, &case, &trail, &rights, None) else {
            continue;
        };
        let due = deadline.next_due();
        if due == case.due_on {
            continue;
        }
        cases::set_due(conn, case.id, due, now)?;
        events::append(
            conn,
            &ctx.audit_key,
            case.id,
            NewEvent {
                kind: CaseEvent::DueDateMoved,
                effective_on: None,
                actor: by,
                detail: json!({
                    "from": case.due_on,
                    "to": due,
                    "calendar_day": day,
                    "change": what,
                    "due": deadline.due,
                    "derivation": deadline.derivation,
                }),
            },
            now,
        )?;
        moved.push(case.reference.as_str().to_owned());
    }
    Ok(moved)
}
