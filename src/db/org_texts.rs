//! The organisation's answer texts as admins set them in the app
//! (`org_texts`); a text not stored is the configured one.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::org_texts;
use super::{DbConn, DbError};

/// Every stored text: (key, body).
pub fn all(conn: &mut DbConn) -> Result<Vec<(String, String)>, DbError> {
    Ok(org_texts::table
        .order(org_texts::key)
        .select((org_texts::key, org_texts::body))
        .load(conn)?)
}

/// Stores a text, or (`None`) goes back to the configured one.
pub fn set(
    conn: &mut DbConn,
    key: &str,
    body: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::delete(org_texts::table.find(key)).execute(conn)?;
    if let Some(body) = body {
        diesel::insert_into(org_texts::table)
            .values((
                org_texts::key.eq(key),
                org_texts::body.eq(body),
                org_texts::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
