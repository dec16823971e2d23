//! What the reports read: the rights of the cases received in a period.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::{case_rights, cases};
use super::{DbConn, DbError};
use crate::domain::casework::Outcome;
use crate::domain::reports::RightRecord;
use crate::domain::rights::Choice;
use crate::domain::{CaseState, Regime, Right};

/// Each right of each case under `regime` received from `from` up to (not
/// including) `until`.
pub fn rights_received(
    conn: &mut DbConn,
    regime: Regime,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<RightRecord>, DbError> {
    type Row = (
        i64,
        String,
        String,
        Option<NaiveDate>,
        Option<String>,
        Option<chrono::NaiveDateTime>,
    );
    let rows: Vec<Row> = case_rights::table
        .inner_join(cases::table)
        .filter(cases::regime.eq(regime.key()))
        .filter(cases::received_on.ge(from))
        .filter(cases::received_on.lt(until))
        .select((
            cases::id,
            case_rights::right_key,
            cases::state,
            cases::received_on,
            case_rights::outcome,
            case_rights::decided_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(case, right, state, received_on, outcome, decided_at)| {
            let corrupt = |what: &str| DbError::Corrupt(format!("case {case}: {what}"));
            Ok(RightRecord {
                case,
                right: right.parse::<Right>().map_err(|_| corrupt("right"))?,
                state: state.parse::<CaseState>().map_err(|_| corrupt("state"))?,
                received_on: received_on.ok_or_else(|| corrupt("no date of receipt"))?,
                outcome: match outcome {
                    Some(o) => Some(Outcome::parse(&o).ok_or_else(|| corrupt("outcome"))?),
                    None => None,
                },
                decided_on: decided_at.map(|t| t.date()),
            })
        })
        .collect()
}
