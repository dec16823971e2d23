//! The completion receipt: what was done for each right and in each system,
//! when and on what basis, sealed with the hash of the case's last audit
//! event so the organisation can later prove it matches its trail. The
//! requester downloads it (HTML and JSON) from their status page once the
//! case is completed.

use chrono::NaiveDate;
use serde::Serialize;

use super::status::{case_for, PageAccess};
use super::ServiceError;
use crate::app::AppContext;
use crate::db::{cases, events, tasks};
use crate::domain::CaseState;

#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub organisation: String,
    pub reference: String,
    pub law: String,
    pub received_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub rights: Vec<RightDone>,
    pub systems: Vec<SystemDone>,
    /// Those the data was disclosed to who were told (GDPR Art. 19).
    pub recipients_told: Vec<String>,
    pub audit: AuditSeal,
}

#[derive(Debug, Clone, Serialize)]
pub struct RightDone {
    pub right: String,
    pub name: String,
    pub outcome: Option<String>,
    pub decided_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SystemDone {
    pub system: String,
    pub right: String,
    pub answer: Option<String>,
    /// The legal basis for data kept, as the system's owner gave it.
    pub basis: Option<String>,
    pub answered_on: Option<NaiveDate>,
}

/// Which audit event the receipt was issued against.
#[derive(Debug, Clone, Serialize)]
pub struct AuditSeal {
    pub events: usize,
    pub last_event: i64,
    pub last_hash: String,
}

/// The receipt of the case a status link leads to, once it is completed
/// (`Ok(None)` before).
pub fn for_link(
    ctx: &AppContext,
    token: &str,
) -> Result<Result<Option<Receipt>, PageAccess>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let case = match case_for(ctx, &mut conn, token)? {
        Ok(case) => case,
        Err(e) => return Ok(Err(e)),
    };
    if case.state != CaseState::Completed {
        return Ok(Ok(None));
    }
    let tz = ctx.settings.organisation.timezone;
    let day = |at: chrono::NaiveDateTime| at.and_utc().with_timezone(&tz).date_naive();
    let regime = case.regime;
    let trail = events::list(&mut conn, case.id)?;
    let Some(last) = trail.last() else {
        return Ok(Ok(None));
    };
    let rights = cases::rights_with_outcomes(&mut conn, case.id)?
        .into_iter()
        .map(|r| RightDone {
            right: r.request.right().key().to_owned(),
            name: regime.right_name(r.request.right()).to_owned(),
            outcome: r.outcome.map(|o| o.for_requester().to_owned()),
            decided_on: r.decided_at.map(day),
        })
        .collect();
    let systems = tasks::for_case(&mut conn, case.id)?
        .into_iter()
        .map(|t| SystemDone {
            system: t.system_name,
            right: t.right.key().to_owned(),
            answer: t
                .answer
                .as_ref()
                .map(|a| a.kind().requester_text().to_owned()),
            basis: t.answer.as_ref().and_then(|a| a.basis()).map(str::to_owned),
            answered_on: t.answered_at.map(day),
        })
        .collect();
    let recipients_told = super::fulfilment::recipients_told(&trail);
    Ok(Ok(Some(Receipt {
        organisation: ctx.settings.organisation.name.clone(),
        reference: case.reference.as_str().to_owned(),
        law: regime.title().to_owned(),
        received_on: case.received_on,
        completed_on: case.closed_at.map(day),
        rights,
        systems,
        recipients_told,
        audit: AuditSeal {
            events: trail.len(),
            last_event: last.id,
            last_hash: last.hash.clone(),
        },
    })))
}
