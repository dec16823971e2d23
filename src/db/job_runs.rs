//! When each scheduled job last ran (`job_runs`), so that a restart or a
//! second node does not run it twice: the number of the last period (day,
//! hour, minute since 1970) each was claimed for. (`last_run_on` is kept
//! for older releases' sake; the slot is what counts.)

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::job_runs;
use super::{DbConn, DbError};

/// Claims today's run of `name`: true for exactly one caller per day.
pub fn claim_day(conn: &mut DbConn, name: &str, today: NaiveDate) -> Result<bool, DbError> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    claim_slot(conn, name, (today - epoch).num_days())
}

/// Claims period `slot` of the periodic job `name` (e.g. the minutes since
/// 1970 for a job run each minute): true for exactly one caller per period,
/// however many workers ask.
pub fn claim_slot(conn: &mut DbConn, name: &str, slot: i64) -> Result<bool, DbError> {
    let updated = diesel::update(
        job_runs::table
            .find(name)
            .filter(job_runs::last_slot.lt(slot)),
    )
    .set(job_runs::last_slot.eq(slot))
    .execute(conn)?;
    if updated == 1 {
        return Ok(true);
    }
    // No row, or one already at this period: inserting claims it only in
    // the first case (and only for the first worker to insert).
    let never = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    // Another worker may insert it first: then this one did not claim it.
    let row = (
        job_runs::name.eq(name),
        job_runs::last_run_on.eq(never),
        job_runs::last_slot.eq(slot),
    );
    let insert = diesel::insert_into(job_runs::table).values(row);
    let inserted = match conn {
        DbConn::Sqlite(c) => insert.on_conflict_do_nothing().execute(c)?,
        DbConn::Postgresql(c) => insert.on_conflict_do_nothing().execute(c)?,
    };
    Ok(inserted == 1)
}
