//! Staff accounts (`users`) and their single-use links (`staff_tokens`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{staff_tokens, users};
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
#[diesel(table_name = users)]
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

pub fn count(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(users::table.count().get_result(conn)?)
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

pub fn count_active_admins(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq(Role::Admin.key()))
        .count()
        .get_result(conn)?)
}

/// What a staff link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// The first admin's account, made on first start.
    Setup,
    /// An invited user sets their password.
    Invite,
}

impl LinkPurpose {
    fn key(self) -> &'static str {
        match self {
            LinkPurpose::Setup => "setup",
            LinkPurpose::Invite => "invite",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff_tokens)]
pub struct StaffLink {
    pub id: i64,
    pub user_id: Option<i64>,
    pub purpose: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

impl StaffLink {
    pub fn usable(&self, purpose: LinkPurpose, now: NaiveDateTime) -> bool {
        self.purpose == purpose.key() && self.used_at.is_none() && self.expires_at > now
    }
}

#[derive(Insertable)]
#[diesel(table_name = staff_tokens)]
struct NewLink<'a> {
    user_id: Option<i64>,
    purpose: &'a str,
    token_hash: &'a str,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

/// Stores a new link, spending any earlier unused one with the same
/// purpose for the same user (only the newest link works).
pub fn insert_link(
    conn: &mut DbConn,
    user: Option<UserId>,
    purpose: LinkPurpose,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    let earlier = staff_tokens::table
        .filter(staff_tokens::purpose.eq(purpose.key()))
        .filter(staff_tokens::used_at.is_null());
    match user {
        Some(u) => {
            diesel::update(earlier.filter(staff_tokens::user_id.eq(u.0)))
                .set(staff_tokens::used_at.eq(Some(now)))
                .execute(conn)?;
        }
        None => {
            diesel::update(earlier.filter(staff_tokens::user_id.is_null()))
                .set(staff_tokens::used_at.eq(Some(now)))
                .execute(conn)?;
        }
    }
    diesel::insert_into(staff_tokens::table)
        .values(NewLink {
            user_id: user.map(|u| u.0),
            purpose: purpose.key(),
            token_hash,
            created_at: now,
            expires_at,
        })
        .execute(conn)?;
    Ok(())
}

pub fn find_link(conn: &mut DbConn, token_hash: &str) -> Result<Option<StaffLink>, DbError> {
    Ok(staff_tokens::table
        .filter(staff_tokens::token_hash.eq(token_hash))
        .select(StaffLink::as_select())
        .first(conn)
        .optional()?)
}

/// Spends a link; returns false when it was already spent (a race).
pub fn spend_link(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<bool, DbError> {
    let n = diesel::update(
        staff_tokens::table
            .find(id)
            .filter(staff_tokens::used_at.is_null()),
    )
    .set(staff_tokens::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
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
    super::write_transaction::<_, DbError, _>(conn, |conn| {
        let updated = diesel::update(t::table.find((user.0, client)))
            .set((t::failures.eq(t::failures + 1), t::updated_at.eq(now)))
            .returning(t::failures)
            .get_result::<i32>(conn)
            .optional()?;
        if let Some(n) = updated {
            return Ok(n);
        }
        diesel::insert_into(t::table)
            .values((
                t::user_id.eq(user.0),
                t::client.eq(client),
                t::failures.eq(1),
                t::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(1)
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
