//! The suppression list (`suppression`): keyed hashes of the addresses of
//! people whose data was erased or who objected to direct marketing, with
//! the reason and the date, and nothing else. And the app's own wrapped
//! keys (`wrapped_keys`), such as the one those hashes are keyed with.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::{suppression, wrapped_keys};
use super::{DbConn, DbError};

/// Adds an address hash unless it is there already (the first reason and
/// date stay); whether it was added.
pub fn add(conn: &mut DbConn, hash: &str, reason: &str, on: NaiveDate) -> Result<bool, DbError> {
    if find(conn, hash)?.is_some() {
        return Ok(false);
    }
    diesel::insert_into(suppression::table)
        .values((
            suppression::address_hash.eq(hash),
            suppression::reason.eq(reason),
            suppression::added_on.eq(on),
        ))
        .execute(conn)?;
    Ok(true)
}

/// The reason and date an address hash is on the list, if it is.
pub fn find(conn: &mut DbConn, hash: &str) -> Result<Option<(String, NaiveDate)>, DbError> {
    Ok(suppression::table
        .find(hash)
        .select((suppression::reason, suppression::added_on))
        .first(conn)
        .optional()?)
}

/// A wrapped key by name.
pub fn wrapped_key(conn: &mut DbConn, name: &str) -> Result<Option<String>, DbError> {
    Ok(wrapped_keys::table
        .find(name)
        .select(wrapped_keys::sealed)
        .first(conn)
        .optional()?)
}

/// Stores a wrapped key unless one of that name exists (another node may
/// have made it first); the caller reads it back.
pub fn put_wrapped_key(conn: &mut DbConn, name: &str, sealed: &str) -> Result<(), DbError> {
    if wrapped_key(conn, name)?.is_none() {
        diesel::insert_into(wrapped_keys::table)
            .values((wrapped_keys::name.eq(name), wrapped_keys::sealed.eq(sealed)))
            .execute(conn)?;
    }
    Ok(())
}

/// Every wrapped key, for re-wrapping under a new data key.
pub fn all_wrapped(conn: &mut DbConn) -> Result<Vec<(String, String)>, DbError> {
    Ok(wrapped_keys::table
        .select((wrapped_keys::name, wrapped_keys::sealed))
        .load(conn)?)
}

pub fn replace_wrapped(conn: &mut DbConn, name: &str, sealed: &str) -> Result<(), DbError> {
    diesel::update(wrapped_keys::table.find(name))
        .set(wrapped_keys::sealed.eq(sealed))
        .execute(conn)?;
    Ok(())
}
