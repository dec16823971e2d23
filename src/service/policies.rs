//! The verification policy: how sure staff must be of who is asking, per
//! right and law, where an admin sets it apart from the built-in default.

use serde_json::json;

use super::ServiceError;
use crate::app::AppContext;
use crate::db::{self, events, policies};
use crate::domain::audit::{Actor, AdminEvent};
use crate::domain::verification::Level;
use crate::domain::{Regime, Right};

/// The levels an admin has set, as (right, law, level).
pub fn overrides(ctx: &AppContext) -> Result<Vec<(Right, Regime, Level)>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    Ok(policies::all(&mut conn)?)
}

/// Sets each (right, law) to a level, or back to the default (`None`); a
/// change is recorded in the admin trail with the whole policy after it.
pub fn set(
    ctx: &AppContext,
    by: Actor,
    choices: &[(Right, Regime, Option<Level>)],
) -> Result<(), ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        let sorted = |mut v: Vec<(Right, Regime, Level)>| {
            v.sort_by_key(|(r, g, _)| (r.key(), g.key()));
            v
        };
        let before = sorted(policies::all(conn)?);
        for (right, regime, level) in choices {
            policies::set(conn, *right, *regime, *level)?;
        }
        let after = sorted(policies::all(conn)?);
        if before != after {
            let set: Vec<_> = after
                .iter()
                .map(|(r, g, l)| json!({ "right": r.key(), "regime": g.key(), "level": l.key() }))
                .collect();
            events::append_admin(
                conn,
                &ctx.audit_key,
                AdminEvent::VerificationPolicyChanged,
                by,
                json!({ "overrides": set }),
                now,
            )?;
        }
        Ok(())
    })
}
