//! When each daily job last ran (`job_runs`), so that a restart or a second
//! node does not run it twice on one day.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::job_runs;
use super::{DbConn, DbError};

/// Claims today's run of `name`: true for exactly one caller per day.
pub fn claim_day(conn: &mut DbConn, name: &str, today: NaiveDate) -> Result<bool, DbError> {
    let updated = diesel::update(
        job_runs::table
            .find(name)
            .filter(job_runs::last_run_on.lt(today)),
    )
    .set(job_runs::last_run_on.eq(today))
    .execute(conn)?;
    if updated == 1 {
        return Ok(true);
    }
    let exists: i64 = job_runs::table.find(name).count().get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    let inserted = diesel::insert_into(job_runs::table)
        .values((job_runs::name.eq(name), job_runs::last_run_on.eq(today)))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        // Another node inserted it first.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
