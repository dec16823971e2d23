//! Reducing closed cases to their minimal accountability record, and
//! sweeping away what has served its purpose (spent and expired links, old
//! staff emails). The audit trail is never touched: it holds no personal
//! data and must keep verifying.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::cases::CaseId;
use super::schema::{
    case_notes, case_replies, case_rights, cases, documents, identity_questions, outbox, tasks,
};
use super::{DbConn, DbError};
use crate::domain::{Regime, RightRequest};

/// Closed cases of `regime` closed before `closed_before` and not reduced yet.
pub fn due(
    conn: &mut DbConn,
    regime: Regime,
    closed_before: NaiveDateTime,
) -> Result<Vec<CaseId>, DbError> {
    let ids: Vec<i64> = cases::table
        .filter(cases::regime.eq(regime.key()))
        .filter(cases::closed_at.lt(closed_before))
        .filter(cases::reduced_at.is_null())
        .order(cases::id)
        .select(cases::id)
        .load(conn)?;
    Ok(ids.into_iter().map(CaseId).collect())
}

/// What reducing a case removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    pub emails: usize,
    pub notes: usize,
    pub replies: usize,
    pub links: usize,
}

/// Reduces one case: the reference, regime, dates, rights (their choices,
/// not the requester's words), outcomes and the audit trail stay; the
/// names, addresses, descriptions, notes, replies, emails, documents,
/// answers and links go.
pub fn reduce(conn: &mut DbConn, id: CaseId, now: NaiveDateTime) -> Result<Removed, DbError> {
    diesel::update(cases::table.find(id.0))
        .set((
            cases::requester_name.eq(""),
            cases::requester_email.eq(""),
            cases::agent_name.eq(None::<String>),
            cases::agent_email.eq(None::<String>),
            cases::description.eq(None::<String>),
            cases::reduced_at.eq(Some(now)),
            cases::updated_at.eq(now),
        ))
        .execute(conn)?;
    let rights: Vec<(i64, String)> = case_rights::table
        .filter(case_rights::case_id.eq(id.0))
        .select((case_rights::id, case_rights::details))
        .load(conn)?;
    for (right_id, details) in rights {
        let request: RightRequest = serde_json::from_str(&details)
            .map_err(|e| DbError::Corrupt(format!("case {}: right details: {e}", id.0)))?;
        let minimal = serde_json::to_string(&request.without_free_text())
            .map_err(|e| DbError::Corrupt(e.to_string()))?;
        diesel::update(case_rights::table.find(right_id))
            .set((
                case_rights::details.eq(minimal),
                case_rights::outcome_note.eq(None::<String>),
            ))
            .execute(conn)?;
    }
    diesel::update(tasks::table.filter(tasks::case_id.eq(id.0)))
        .set(tasks::note.eq(None::<String>))
        .execute(conn)?;
    // The answer held the outcomes' notes and staff's words.
    super::answers::delete(conn, id)?;
    super::answers::delete_texts(conn, id)?;
    super::packages::delete_of_case(conn, id)?;
    super::packages::delete_files_of_case(conn, id)?;
    let emails = diesel::delete(outbox::table.filter(outbox::case_id.eq(id.0))).execute(conn)?;
    let notes =
        diesel::delete(case_notes::table.filter(case_notes::case_id.eq(id.0))).execute(conn)?;
    let replies =
        diesel::delete(case_replies::table.filter(case_replies::case_id.eq(id.0))).execute(conn)?;
    diesel::delete(documents::table.filter(documents::case_id.eq(id.0))).execute(conn)?;
    diesel::delete(identity_questions::table.filter(identity_questions::case_id.eq(id.0)))
        .execute(conn)?;
    let links = super::links::delete_for_case(conn, id)?;
    Ok(Removed {
        emails,
        notes,
        replies,
        links,
    })
}

/// Deletes links spent or expired before `before`, in every store, and the
/// emails to staff (invitations, alerts, digests: no case) sent before it.
/// Returns how many rows went.
pub fn sweep(conn: &mut DbConn, before: NaiveDateTime) -> Result<usize, DbError> {
    let mut n = super::links::delete_spent_before(conn, before)?;
    n += diesel::delete(
        outbox::table
            .filter(outbox::case_id.is_null())
            .filter(outbox::status.eq("sent"))
            .filter(outbox::sent_at.lt(before)),
    )
    .execute(conn)?;
    Ok(n)
}

/// Midnight at the start of `day`: cases closed before it were closed on
/// an earlier day.
pub fn start_of(day: NaiveDate) -> NaiveDateTime {
    day.and_time(chrono::NaiveTime::MIN)
}
