//! Files attached to task answers (`task_files`) and the requester's data
//! package (`packages`), both stored encrypted with the data key.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::cases::CaseId;
use super::schema::{packages, task_files};
use super::{DbConn, DbError};

/// A stored file, sealed.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = task_files)]
pub struct TaskFile {
    pub id: i64,
    pub task_id: i64,
    pub name: String,
    pub bytes: i64,
    pub sha256: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

#[allow(clippy::too_many_arguments)]
pub fn add_file(
    conn: &mut DbConn,
    case: CaseId,
    task: i64,
    name: &str,
    bytes: usize,
    sha256: &str,
    nonce: &[u8],
    ciphertext: &[u8],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(task_files::table)
        .values((
            task_files::task_id.eq(task),
            task_files::case_id.eq(case.0),
            task_files::name.eq(name),
            task_files::bytes.eq(bytes as i64),
            task_files::sha256.eq(sha256),
            task_files::nonce.eq(nonce),
            task_files::ciphertext.eq(ciphertext),
            task_files::uploaded_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn files_of_case(conn: &mut DbConn, case: CaseId) -> Result<Vec<TaskFile>, DbError> {
    Ok(task_files::table
        .filter(task_files::case_id.eq(case.0))
        .order(task_files::id)
        .select(TaskFile::as_select())
        .load(conn)?)
}

/// How many files are waiting for a case's package.
pub fn count_files(conn: &mut DbConn, case: CaseId) -> Result<i64, DbError> {
    Ok(task_files::table
        .filter(task_files::case_id.eq(case.0))
        .count()
        .get_result(conn)?)
}

pub fn delete_files_of_case(conn: &mut DbConn, case: CaseId) -> Result<usize, DbError> {
    Ok(diesel::delete(task_files::table.filter(task_files::case_id.eq(case.0))).execute(conn)?)
}

/// A package, sealed.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = packages)]
pub struct Package {
    pub id: i64,
    pub case_id: i64,
    pub bytes: i64,
    pub sha256: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub downloads: i32,
}

#[allow(clippy::too_many_arguments)]
pub fn put(
    conn: &mut DbConn,
    case: CaseId,
    bytes: usize,
    sha256: &str,
    nonce: &[u8],
    ciphertext: &[u8],
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::delete(packages::table.filter(packages::case_id.eq(case.0))).execute(conn)?;
    diesel::insert_into(packages::table)
        .values((
            packages::case_id.eq(case.0),
            packages::bytes.eq(bytes as i64),
            packages::sha256.eq(sha256),
            packages::nonce.eq(nonce),
            packages::ciphertext.eq(ciphertext),
            packages::created_at.eq(now),
            packages::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn of_case(conn: &mut DbConn, case: CaseId) -> Result<Option<Package>, DbError> {
    Ok(packages::table
        .filter(packages::case_id.eq(case.0))
        .select(Package::as_select())
        .first(conn)
        .optional()?)
}

/// Size, expiry and downloads of a case's package, without its bytes.
pub fn info(conn: &mut DbConn, case: CaseId) -> Result<Option<(i64, NaiveDateTime, i32)>, DbError> {
    Ok(packages::table
        .filter(packages::case_id.eq(case.0))
        .select((packages::bytes, packages::expires_at, packages::downloads))
        .first(conn)
        .optional()?)
}

pub fn count_download(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    diesel::update(packages::table.find(id))
        .set(packages::downloads.eq(packages::downloads + 1))
        .execute(conn)?;
    Ok(())
}

/// The cases whose packages expired before `now`.
pub fn expired(conn: &mut DbConn, now: NaiveDateTime) -> Result<Vec<CaseId>, DbError> {
    let ids: Vec<i64> = packages::table
        .filter(packages::expires_at.le(now))
        .select(packages::case_id)
        .load(conn)?;
    Ok(ids.into_iter().map(CaseId).collect())
}

pub fn delete_of_case(conn: &mut DbConn, case: CaseId) -> Result<usize, DbError> {
    Ok(diesel::delete(packages::table.filter(packages::case_id.eq(case.0))).execute(conn)?)
}
