//! Staff accounts (`users`) and the failed-login throttle. Their set-up
//! and invitation links are in `db::links`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::users;
use super::{DbConn, DbError};
use crate::domain::Role;

pub use crate::domain::staff::UserId;

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub active: bool,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub session_epoch: i32,
    pub created_at: NaiveDateTime,
    pub last_login_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    password_hash: Option<String>,
    active: bool,
    failed_logins: i32,
    locked_until: Option<NaiveDateTime>,
    session_epoch: i32,
    created_at: NaiveDateTime,
    last_login_at: Option<NaiveDateTime>,
}

impl TryFrom<UserRow> for User {
    type Error = DbError;

    fn try_from(r: UserRow) -> Result<User, DbError> {
        Ok(User {
            id: UserId(r.id),
            role: r
                .role
                .parse()
                .map_err(|e| DbError::Corrupt(format!("user {}: {e}", r.id)))?,
            email: r.email,
            name: r.name,
            password_hash: r.password_hash,
            active: r.active,
            failed_logins: r.failed_logins,
            locked_until: r.locked_until,
            session_epoch: r.session_epoch,
            created_at: r.created_at,
            last_login_at: r.last_login_at,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
struct NewUserRow<'a> {
    email: &'a str,
    name: &'a str,
    role: &'a str,
    password_hash: Option<&'a str>,
    active: bool,
    failed_logins: i32,
    session_epoch: i32,
    created_at: NaiveDateTime,
}

/// Staff emails are stored lower-cased, so logins ignore letter case.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn insert(
    conn: &mut DbConn,
    email: &str,
    name: &str,
    role: Role,
    password_hash: Option<&str>,
    now: NaiveDateTime,
) -> Result<UserId, DbError> {
    let email = normalise_email(email);
    diesel::insert_into(users::table)
        .values(NewUserRow {
            email: &email,
            name,
            role: role.key(),
            password_hash,
            active: true,
            failed_logins: 0,
            session_epoch: 0,
            created_at: now,
        })
        .execute(conn)?;
    Ok(UserId(
        users::table
            .filter(users::email.eq(&email))
            .select(users::id)
            .first(conn)?,
    ))
}

pub fn find(conn: &mut DbConn, id: UserId) -> Result<Option<User>, DbError> {
    users::table
        .find(id.0)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<User>, DbError> {
    users::table
        .filter(users::email.eq(normalise_email(email)))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

/// Every account, admins first, then by name.
pub fn all(conn: &mut DbConn) -> Result<Vec<User>, DbError> {
    let mut users: Vec<User> = users::table
        .order(users::name)
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(User::try_from)
        .collect::<Result<_, _>>()?;
    users.sort_by_key(|u| std::cmp::Reverse(u.role));
    Ok(users)
}

/// Active accounts with at least `role`.
pub fn active_with_role(conn: &mut DbConn, roles: &[Role]) -> Result<Vec<User>, DbError> {
    let keys: Vec<&str> = roles.iter().map(|r| r.key()).collect();
    users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq_any(keys))
        .order(users::name)
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// Counts one more failed login, atomically (parallel guesses each count);
/// returns the new count.
pub fn count_failed_login(conn: &mut DbConn, id: UserId) -> Result<i32, DbError> {
    Ok(diesel::update(users::table.find(id.0))
        .set(users::failed_logins.eq(users::failed_logins + 1))
        .returning(users::failed_logins)
        .get_result(conn)?)
}

pub fn record_failed_login(
    conn: &mut DbConn,
    id: UserId,
    failed_logins: i32,
    locked_until: Option<NaiveDateTime>,
) -> Result<(), DbError> {
    diesel::update(users::table.find(id.0))
        .set((
            users::failed_logins.eq(failed_logins),
            users::locked_until.eq(locked_until),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn record_login(conn: &mut DbConn, id: UserId, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(users::table.find(id.0))
        .set((
            users::failed_logins.eq(0),
            users::locked_until.eq(None::<NaiveDateTime>),
            users::last_login_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ends every session of this user (logout, password change, disabling).
pub fn end_sessions(conn: &mut DbConn, id: UserId) -> Result<(), DbError> {
    diesel::update(users::table.find(id.0))
        .set(users::session_epoch.eq(users::session_epoch + 1))
        .execute(conn)?;
    Ok(())
}

pub fn set_password(conn: &mut DbConn, id: UserId, hash: &str) -> Result<(), DbError> {
    diesel::update(users::table.find(id.0))
        .set((
            users::password_hash.eq(Some(hash)),
            users::failed_logins.eq(0),
            users::locked_until.eq(None::<NaiveDateTime>),
            users::session_epoch.eq(users::session_epoch + 1),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_role(conn: &mut DbConn, id: UserId, role: Role) -> Result<(), DbError> {
    diesel::update(users::table.find(id.0))
        .set(users::role.eq(role.key()))
        .execute(conn)?;
    Ok(())
}

pub fn set_active(conn: &mut DbConn, id: UserId, active: bool) -> Result<(), DbError> {
    diesel::update(users::table.find(id.0))
        .set((
            users::active.eq(active),
            users::session_epoch.eq(users::session_epoch + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Admin accounts, active or not: none means the first is still to be set
/// up.
pub fn count_admins(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(users::table
        .filter(users::role.eq(Role::Admin.key()))
        .count()
        .get_result(conn)?)
}

pub fn count_active_admins(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq(Role::Admin.key()))
        .count()
        .get_result(conn)?)
}

/// Records a failed login of `user` from `client`; returns the failures
/// counted for that pair, the new one included.
pub fn throttle_failure(
    conn: &mut DbConn,
    user: UserId,
    client: &str,
    now: NaiveDateTime,
) -> Result<i32, DbError> {
    use super::schema::login_throttle as t;
    // One statement: two first failures at once (PostgreSQL runs them
    // side by side) must count two, not collide on the key.
    let upsert = diesel::insert_into(t::table)
        .values((
            t::user_id.eq(user.0),
            t::client.eq(client),
            t::failures.eq(1),
            t::updated_at.eq(now),
        ))
        .on_conflict((t::user_id, t::client))
        .do_update()
        .set((t::failures.eq(t::failures + 1), t::updated_at.eq(now)))
        .returning(t::failures);
    // An upsert is spelt per backend (the multi-backend connection has none).
    Ok(match conn {
        DbConn::Postgresql(pg) => upsert.get_result::<i32>(pg)?,
        DbConn::Sqlite(sqlite) => upsert.get_result::<i32>(sqlite)?,
    })
}

/// Makes `client` wait until `until` before its next try at `user`.
pub fn throttle_block(
    conn: &mut DbConn,
    user: UserId,
    client: &str,
    until: NaiveDateTime,
) -> Result<(), DbError> {
    use super::schema::login_throttle as t;
    diesel::update(t::table.find((user.0, client)))
        .set(t::blocked_until.eq(Some(until)))
        .execute(conn)?;
    Ok(())
}

/// Until when `client` must wait before trying `user` again, if it must.
pub fn throttled_until(
    conn: &mut DbConn,
    user: UserId,
    client: &str,
) -> Result<Option<NaiveDateTime>, DbError> {
    use super::schema::login_throttle as t;
    Ok(t::table
        .find((user.0, client))
        .select(t::blocked_until)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten())
}

/// Forgets the failed logins of `user`: from one client (after it logged
/// in), or from every client (an admin clearing them).
pub fn throttle_clear(
    conn: &mut DbConn,
    user: UserId,
    client: Option<&str>,
) -> Result<usize, DbError> {
    use super::schema::login_throttle as t;
    Ok(match client {
        Some(c) => diesel::delete(t::table.find((user.0, c))).execute(conn)?,
        None => diesel::delete(t::table.filter(t::user_id.eq(user.0))).execute(conn)?,
    })
}

/// Accounts with failed logins still counted, and how many in all.
pub fn throttled_accounts(conn: &mut DbConn) -> Result<Vec<(UserId, i64)>, DbError> {
    use super::schema::login_throttle as t;
    let rows: Vec<(i64, Option<i64>)> = t::table
        .group_by(t::user_id)
        .select((t::user_id, diesel::dsl::sum(t::failures)))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(u, n)| (UserId(u), n.unwrap_or(0)))
        .collect())
}
