//! Days admins changed in the holiday calendars (`calendar_days`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::calendar_days;
use super::{DbConn, DbError};
use crate::domain::calendar::DayChange;

/// Every change, in the order they apply (calendar, then day).
pub fn all(conn: &mut DbConn) -> Result<Vec<DayChange>, DbError> {
    let rows: Vec<(String, NaiveDate, Option<String>)> = calendar_days::table
        .order((calendar_days::calendar, calendar_days::day))
        .select((
            calendar_days::calendar,
            calendar_days::day,
            calendar_days::holiday,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(calendar, day, holiday)| DayChange {
            calendar,
            day,
            holiday,
        })
        .collect())
}

/// Stores a change, in place of any earlier one to the same day.
pub fn put(conn: &mut DbConn, change: &DayChange, now: NaiveDateTime) -> Result<(), DbError> {
    remove(conn, &change.calendar, change.day)?;
    diesel::insert_into(calendar_days::table)
        .values((
            calendar_days::calendar.eq(&change.calendar),
            calendar_days::day.eq(change.day),
            calendar_days::holiday.eq(&change.holiday),
            calendar_days::changed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets the change to a day (the calendar says again what it said);
/// whether there was one.
pub fn remove(conn: &mut DbConn, calendar: &str, day: NaiveDate) -> Result<bool, DbError> {
    let removed = diesel::delete(
        calendar_days::table
            .filter(calendar_days::calendar.eq(calendar))
            .filter(calendar_days::day.eq(day)),
    )
    .execute(conn)?;
    Ok(removed > 0)
}
