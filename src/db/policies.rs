//! Admins' verification policies (`verification_policies`): overrides of
//! the shipped levels, per right and regime.

use diesel::prelude::*;

use super::schema::verification_policies;
use super::{DbConn, DbError};
use crate::domain::verification::Level;
use crate::domain::{Regime, Right};

pub fn all(conn: &mut DbConn) -> Result<Vec<(Right, Regime, Level)>, DbError> {
    let rows: Vec<(String, String, String)> = verification_policies::table
        .select((
            verification_policies::right_key,
            verification_policies::regime,
            verification_policies::level,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(right, regime, level)| {
            let corrupt = |e: String| DbError::Corrupt(format!("verification policy: {e}"));
            Ok((
                right.parse().map_err(|e| corrupt(format!("{e}")))?,
                regime.parse().map_err(|e| corrupt(format!("{e}")))?,
                level.parse().map_err(|e| corrupt(format!("{e}")))?,
            ))
        })
        .collect()
}

/// Sets the level for a right and regime; `None` goes back to the default.
pub fn set(
    conn: &mut DbConn,
    right: Right,
    regime: Regime,
    level: Option<Level>,
) -> Result<(), DbError> {
    diesel::delete(
        verification_policies::table
            .filter(verification_policies::right_key.eq(right.key()))
            .filter(verification_policies::regime.eq(regime.key())),
    )
    .execute(conn)?;
    if let Some(level) = level {
        diesel::insert_into(verification_policies::table)
            .values((
                verification_policies::right_key.eq(right.key()),
                verification_policies::regime.eq(regime.key()),
                verification_policies::level.eq(level.key()),
            ))
            .execute(conn)?;
    }
    Ok(())
}
