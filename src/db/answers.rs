//! The answers of completed cases (`case_answers`), as the requester reads
//! them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::cases::CaseId;
use super::schema::{case_answers, case_texts};
use super::{DbConn, DbError};
use crate::domain::answer::Section;

/// Stores (or replaces, when a reopened case completes again) the answer.
pub fn put(
    conn: &mut DbConn,
    case: CaseId,
    sections: &[Section],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let text = serde_json::to_string(sections).map_err(|e| DbError::Corrupt(e.to_string()))?;
    diesel::delete(case_answers::table.find(case.0)).execute(conn)?;
    diesel::insert_into(case_answers::table)
        .values((
            case_answers::case_id.eq(case.0),
            case_answers::sections.eq(text),
            case_answers::composed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, case: CaseId) -> Result<Option<Vec<Section>>, DbError> {
    let text: Option<String> = case_answers::table
        .find(case.0)
        .select(case_answers::sections)
        .first(conn)
        .optional()?;
    text.map(|t| {
        serde_json::from_str(&t)
            .map_err(|e| DbError::Corrupt(format!("case {}: answer: {e}", case.0)))
    })
    .transpose()
}

pub fn delete(conn: &mut DbConn, case: CaseId) -> Result<(), DbError> {
    diesel::delete(case_answers::table.find(case.0)).execute(conn)?;
    Ok(())
}

/// The texts changed for a case: (key, text).
pub fn texts_of_case(conn: &mut DbConn, case: CaseId) -> Result<Vec<(String, String)>, DbError> {
    Ok(case_texts::table
        .filter(case_texts::case_id.eq(case.0))
        .select((case_texts::text_key, case_texts::body))
        .load(conn)?)
}

/// Sets a case's own text for a key, or with `None` goes back to the
/// organisation's.
pub fn set_text(
    conn: &mut DbConn,
    case: CaseId,
    key: &str,
    body: Option<&str>,
) -> Result<(), DbError> {
    diesel::delete(
        case_texts::table
            .filter(case_texts::case_id.eq(case.0))
            .filter(case_texts::text_key.eq(key)),
    )
    .execute(conn)?;
    if let Some(body) = body {
        diesel::insert_into(case_texts::table)
            .values((
                case_texts::case_id.eq(case.0),
                case_texts::text_key.eq(key),
                case_texts::body.eq(body),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Deletes a case's own texts (when it is reduced to its minimal record).
pub fn delete_texts(conn: &mut DbConn, case: CaseId) -> Result<(), DbError> {
    diesel::delete(case_texts::table.filter(case_texts::case_id.eq(case.0))).execute(conn)?;
    Ok(())
}
