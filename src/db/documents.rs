//! Uploaded identity documents (`documents`): stored only encrypted, and
//! deleted once staff have decided on them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::cases::CaseId;
use super::schema::documents;
use super::{DbConn, DbError};

/// A document's particulars, without its bytes.
#[derive(Debug, Clone, Queryable)]
pub struct DocumentInfo {
    pub id: i64,
    pub kind: String,
    pub content_type: String,
    pub byte_size: i64,
    pub uploaded_at: NaiveDateTime,
}

pub struct Sealed {
    pub content_type: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
    pub kind: String,
}

#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &mut DbConn,
    case: CaseId,
    kind: &str,
    content_type: &str,
    byte_size: i64,
    nonce: &[u8],
    ciphertext: &[u8],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(documents::table)
        .values((
            documents::case_id.eq(case.0),
            documents::kind.eq(kind),
            documents::content_type.eq(content_type),
            documents::byte_size.eq(byte_size),
            documents::nonce.eq(nonce),
            documents::ciphertext.eq(ciphertext),
            documents::uploaded_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn list(conn: &mut DbConn, case: CaseId) -> Result<Vec<DocumentInfo>, DbError> {
    Ok(documents::table
        .filter(documents::case_id.eq(case.0))
        .order(documents::id)
        .select((
            documents::id,
            documents::kind,
            documents::content_type,
            documents::byte_size,
            documents::uploaded_at,
        ))
        .load(conn)?)
}

/// One document's sealed bytes, if it belongs to `case`.
pub fn sealed(conn: &mut DbConn, case: CaseId, id: i64) -> Result<Option<Sealed>, DbError> {
    let row: Option<(String, Vec<u8>, Vec<u8>, String)> = documents::table
        .filter(documents::case_id.eq(case.0))
        .filter(documents::id.eq(id))
        .select((
            documents::content_type,
            documents::nonce,
            documents::ciphertext,
            documents::kind,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(content_type, nonce, ciphertext, kind)| Sealed {
        content_type,
        nonce,
        ciphertext,
        kind,
    }))
}

/// Deletes a case's documents; returns how many there were.
pub fn delete_for_case(conn: &mut DbConn, case: CaseId) -> Result<usize, DbError> {
    Ok(diesel::delete(documents::table.filter(documents::case_id.eq(case.0))).execute(conn)?)
}

pub fn count_all(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(documents::table.count().get_result(conn)?)
}

/// A stored document as rotation reads it: id, case, kind, nonce, bytes.
type StoredDocument = (i64, i64, String, Vec<u8>, Vec<u8>);

/// Re-encrypts every stored document from `old` to `new` (key rotation).
/// Returns how many.
pub fn reseal_all(
    conn: &mut DbConn,
    old: &crate::crypto::Sealer,
    new: &crate::crypto::Sealer,
) -> Result<usize, DbError> {
    let rows: Vec<StoredDocument> = documents::table
        .select((
            documents::id,
            documents::case_id,
            documents::kind,
            documents::nonce,
            documents::ciphertext,
        ))
        .load(conn)?;
    for (id, case_id, kind, nonce, ciphertext) in &rows {
        let aad = crate::crypto::document_aad(*case_id, kind);
        let plain = old.open(nonce, ciphertext, &aad).map_err(|_| {
            DbError::Corrupt(format!(
                "document {id} does not decrypt with the current key"
            ))
        })?;
        let (nonce, ciphertext) = new.seal(&plain, &aad);
        diesel::update(documents::table.find(id))
            .set((
                documents::nonce.eq(nonce),
                documents::ciphertext.eq(ciphertext),
            ))
            .execute(conn)?;
    }
    Ok(rows.len())
}
