//! Staff accounts: the first admin's setup link, adding users from the
//! command line, invitations, logging in (with a lockout after repeated
//! failures), and admins changing roles or disabling accounts.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use super::ServiceError;
use crate::app::AppContext;
use crate::db::links::{self, Opens, Purpose};
use crate::db::outbox;
use crate::db::users::{self, User, UserId};
use crate::db::{self, events, DbConn};
use crate::domain::audit::{Actor, AdminEvent};
use crate::domain::staff::{NewPassword, WeakPassword};
use crate::domain::{Email, Role};
use crate::mail::messages;
use crate::secret;

/// Why an account change was refused, in words for the admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Email(String),
    #[error("Enter the person's name")]
    NameMissing,
    #[error("The name must be on one line, without special characters")]
    NameNotOneLine,
    #[error("There is already an account for that email address")]
    Exists,
    #[error(transparent)]
    Password(#[from] WeakPassword),
    #[error("There must always be at least one active admin")]
    LastAdmin,
    #[error("You cannot disable your own account")]
    Yourself,
    #[error("No such account")]
    NoSuchUser,
}

/// Bounds how many password hashes run at once. Argon2 is deliberately
/// slow and memory-hungry: a burst of logins must queue here, not take
/// every core (and never while holding a database connection).
pub struct HashGate {
    running: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
    max: usize,
}

impl HashGate {
    pub fn new(max: usize) -> HashGate {
        HashGate {
            running: std::sync::Mutex::new(0),
            freed: std::sync::Condvar::new(),
            max: max.max(1),
        }
    }

    /// One per core.
    pub fn per_core() -> HashGate {
        HashGate::new(std::thread::available_parallelism().map_or(2, usize::from))
    }

    /// Runs `f` once fewer than `max` others are running.
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            while *running >= self.max {
                running = self.freed.wait(running).unwrap_or_else(|e| e.into_inner());
            }
            *running += 1;
        }
        let out = f();
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        *running -= 1;
        self.freed.notify_one();
        out
    }
}

pub fn hash_password(password: &NewPassword) -> Result<String, ServiceError> {
    Argon2::default()
        .hash_password(password.as_str().as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Password(e.to_string()))
}

/// A hash of nothing anyone types, verified against when the email is
/// unknown so that a login takes as long either way.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let (random, _) = secret::new_token();
        Argon2::default()
            .hash_password(random.as_bytes())
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

fn verify(hash: &str, password: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

fn parse_email(email: &str) -> Result<Email, AccountError> {
    Email::parse(email).map_err(|e| AccountError::Email(e.to_string()))
}

fn parse_name(name: &str) -> Result<String, AccountError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AccountError::NameMissing);
    }
    if !crate::domain::text::is_single_line(name) {
        return Err(AccountError::NameNotOneLine);
    }
    Ok(name.chars().take(200).collect())
}

fn parse_person(email: &str, name: &str) -> Result<(Email, String), AccountError> {
    Ok((parse_email(email)?, parse_name(name)?))
}

/// Adds an account with a password (the `user add` command).
pub fn add_user(
    conn: &mut DbConn,
    audit_key: &crate::crypto::AuditKey,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
    now: NaiveDateTime,
) -> Result<Result<UserId, AccountError>, ServiceError> {
    let (email, name) = match parse_person(email, name) {
        Ok(person) => person,
        Err(e) => return Ok(Err(e)),
    };
    let password = match NewPassword::parse(password, email.as_str()) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e.into())),
    };
    let hash = hash_password(&password)?;
    db::write_transaction(conn, |conn| {
        if users::find_by_email(conn, email.as_str())?.is_some() {
            return Ok(Err(AccountError::Exists));
        }
        let id = users::insert(conn, email.as_str(), &name, role, Some(&hash), now)?;
        events::append_admin(
            conn,
            audit_key,
            AdminEvent::UserAdded,
            Actor::CommandLine,
            json!({ "user": id.0, "role": role.key() }),
            now,
        )?;
        Ok(Ok(id))
    })
}

/// On a start with no admin account (there may be others: the demo's
/// agents), makes a fresh single-use link for setting up the first admin and returns it (earlier setup links stop working).
pub fn first_admin_setup_link(ctx: &AppContext) -> Result<Option<String>, ServiceError> {
    match setup_link(ctx, false)? {
        SetupLink::New(link) => Ok(Some(link)),
        SetupLink::NotNeeded | SetupLink::AnnouncedElsewhere => Ok(None),
    }
}

/// What a starting node says about setting up the first admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupLink {
    /// An account exists: nothing to set up.
    NotNeeded,
    /// A fresh link, to show in this node's log.
    New(String),
    /// Another node made one in the last minute (several started at once):
    /// its log has the link, and making another would spend it.
    AnnouncedElsewhere,
}

/// As [`first_admin_setup_link`], for a node starting: when several start
/// together on one database, only the first makes (and logs) a link.
pub fn announce_setup_link(ctx: &AppContext) -> Result<SetupLink, ServiceError> {
    setup_link(ctx, true)
}

fn setup_link(ctx: &AppContext, once_a_minute: bool) -> Result<SetupLink, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    let (token, hash) = secret::new_token();
    let expires = now + Duration::hours(ctx.settings.staff.setup_link_ttl_hours.into());
    db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        if users::count_admins(conn)? > 0 {
            return Ok(SetupLink::NotNeeded);
        }
        if once_a_minute {
            // Taking the job row's lock makes nodes starting together
            // check one after another.
            db::job_runs::claim_slot(conn, "setup-link", now.and_utc().timestamp() / 60)?;
            if links::made_since(conn, Purpose::StaffSetup, now - Duration::minutes(1))? {
                return Ok(SetupLink::AnnouncedElsewhere);
            }
        }
        links::spend_all_for_account(conn, Purpose::StaffSetup, None, now)?;
        links::insert(
            conn,
            Purpose::StaffSetup,
            Opens::Account(None),
            &hash,
            now,
            expires,
        )?;
        Ok(SetupLink::New(format!(
            "{}/staff/setup/{token}",
            ctx.settings.base_url()
        )))
    })
}

/// What a staff link (setup or invitation) is good for now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkCheck {
    /// Set up the first admin.
    Setup,
    /// Set the password of this invited account.
    Invite { email: String, name: String },
    /// Unknown, used or expired.
    Unusable,
}

pub fn check_link(ctx: &AppContext, token: &str) -> Result<LinkCheck, ServiceError> {
    if !secret::looks_like_token(token) {
        return Ok(LinkCheck::Unusable);
    }
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    link_check(&mut conn, token, now)
}

fn link_check(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> Result<LinkCheck, ServiceError> {
    let staff_links = [Purpose::StaffSetup, Purpose::StaffInvite];
    let Some(link) = links::find_any(conn, &staff_links, &secret::hash(token))? else {
        return Ok(LinkCheck::Unusable);
    };
    if !link.usable(now) {
        return Ok(LinkCheck::Unusable);
    }
    if link.purpose == Purpose::StaffSetup && users::count_admins(conn)? == 0 {
        return Ok(LinkCheck::Setup);
    }
    if let (Purpose::StaffInvite, Opens::Account(user)) = (link.purpose, link.opens) {
        if let Some(user) = user
            .map(|id| users::find(conn, id))
            .transpose()?
            .flatten()
            .filter(|u| u.active)
        {
            return Ok(LinkCheck::Invite {
                email: user.email,
                name: user.name,
            });
        }
    }
    Ok(LinkCheck::Unusable)
}

/// Spends a setup or invitation link, creating the first admin or setting
/// the invited user's password. Returns the user, to log them in.
pub fn use_link(
    ctx: &AppContext,
    token: &str,
    email: &str,
    name: &str,
    password: &str,
) -> Result<Result<User, AccountError>, ServiceError> {
    let now = db::timestamp(ctx.clock.now());
    if !secret::looks_like_token(token) {
        return Ok(Err(AccountError::NoSuchUser));
    }
    let hash_of_token = secret::hash(token);
    // Checked and hashed without holding a connection (argon2 is slow);
    // the link is checked again, and spent, in the transaction.
    let first_check = link_check(&mut *ctx.pool.get()?, token, now)?;
    let (email, name) = match &first_check {
        LinkCheck::Setup => match parse_person(email, name) {
            Ok((email, name)) => (email.as_str().to_owned(), name),
            Err(e) => return Ok(Err(e)),
        },
        LinkCheck::Invite { email, name } => (email.clone(), name.clone()),
        LinkCheck::Unusable => return Ok(Err(AccountError::NoSuchUser)),
    };
    let password = match NewPassword::parse(password, &email) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e.into())),
    };
    let hash = ctx.hashing.run(|| hash_password(&password))?;
    let mut conn = ctx.pool.get()?;
    db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        let check = link_check(conn, token, now)?;
        if check != first_check {
            return Ok(Err(AccountError::NoSuchUser));
        }
        // Accounts without an admin (the demo's agents) may exist; the
        // link stays good for another address.
        if check == LinkCheck::Setup && users::find_by_email(conn, &email)?.is_some() {
            return Ok(Err(AccountError::Exists));
        }
        let staff_links = [Purpose::StaffSetup, Purpose::StaffInvite];
        let Some(link) = links::find_any(conn, &staff_links, &hash_of_token)? else {
            return Ok(Err(AccountError::NoSuchUser));
        };
        if !links::spend(conn, link.id, now)? {
            return Ok(Err(AccountError::NoSuchUser));
        }
        let id = match check {
            LinkCheck::Setup => {
                let id = users::insert(conn, &email, &name, Role::Admin, Some(&hash), now)?;
                log::info!("first admin account created (user {})", id.0);
                events::append_admin(
                    conn,
                    &ctx.audit_key,
                    AdminEvent::FirstAdminCreated,
                    Actor::Staff(id),
                    json!({ "user": id.0 }),
                    now,
                )?;
                id
            }
            _ => {
                let Opens::Account(Some(id)) = link.opens else {
                    return Err(
                        db::DbError::Corrupt(format!("link {} names no account", link.id)).into(),
                    );
                };
                users::set_password(conn, id, &hash)?;
                log::info!("user {} set their password from an invitation", id.0);
                events::append_admin(
                    conn,
                    &ctx.audit_key,
                    AdminEvent::PasswordSetFromLink,
                    Actor::Staff(id),
                    json!({ "user": id.0 }),
                    now,
                )?;
                id
            }
        };
        users::record_login(conn, id, now)?;
        Ok(users::find(conn, id)?.ok_or(AccountError::NoSuchUser))
    })
}

/// The answer to a login attempt. Refusals never say whether the address
/// exists, the password was wrong or the account is locked.
#[derive(Debug)]
pub enum Login {
    Ok(User),
    Refused,
}

/// How long `client` waits before its next try after `failures` wrong
/// passwords for one account: nothing for the first few, then a minute,
/// doubling each time up to `staff.lockout_minutes`. Only that address
/// waits: no one can lock a colleague (or the sole admin) out.
fn throttle_delay(ctx: &AppContext, failures: i32) -> Option<Duration> {
    let staff = &ctx.settings.staff;
    let free = staff.max_failed_logins as i32;
    if failures < free {
        return None;
    }
    let doublings = (failures - free).min(20) as u32;
    let seconds = 60i64.saturating_mul(1 << doublings);
    Some(Duration::seconds(
        seconds.min(i64::from(staff.lockout_minutes) * 60),
    ))
}

/// Checks a login from `client` (the caller's address). Every answer but
/// success looks the same, and takes as long.
pub fn login(
    ctx: &AppContext,
    email: &str,
    password: &str,
    client: &str,
) -> Result<Login, ServiceError> {
    let now = db::timestamp(ctx.clock.now());
    // What is not an address (a NUL byte, say) finds no account, and never
    // reaches the database.
    let (user, waiting) = match Email::parse(email) {
        Ok(email) => {
            let mut conn = ctx.pool.get()?;
            let user = users::find_by_email(&mut conn, email.as_str())?;
            let waiting = match &user {
                Some(u) => users::throttled_until(&mut conn, u.id, client)?
                    .is_some_and(|until| until > now),
                None => false,
            };
            (user, waiting)
        }
        Err(_) => (None, false),
    };
    // The connection is given back before hashing: argon2 takes a while,
    // and pages must not wait for a connection meanwhile.
    let verify = |hash: &str| ctx.hashing.run(|| verify(hash, password));
    let Some(user) = user.filter(|u| u.active && u.password_hash.is_some()) else {
        verify(decoy_hash());
        return Ok(Login::Refused);
    };
    // Accounts locked by earlier versions stay locked until their time runs out.
    let locked = user.locked_until.is_some_and(|until| until > now);
    if waiting || locked {
        verify(decoy_hash());
        log::warn!(
            "login refused: user {} is throttled for this address",
            user.id.0
        );
        return Ok(Login::Refused);
    }
    let right = verify(user.password_hash.as_deref().unwrap_or_default());
    let mut conn = ctx.pool.get()?;
    if right {
        users::record_login(&mut conn, user.id, now)?;
        users::throttle_clear(&mut conn, user.id, Some(client))?;
        return Ok(Login::Ok(user));
    }
    // One atomic increment per guess: parallel guesses each count.
    users::count_failed_login(&mut conn, user.id)?;
    let failures = users::throttle_failure(&mut conn, user.id, client, now)?;
    if let Some(wait) = throttle_delay(ctx, failures) {
        users::throttle_block(&mut conn, user.id, client, now + wait)?;
        // The admins' trail says when an address starts being slowed down.
        if failures == ctx.settings.staff.max_failed_logins as i32 {
            events::append_admin(
                &mut conn,
                &ctx.audit_key,
                AdminEvent::LoginThrottled,
                Actor::System,
                json!({ "user": user.id.0, "failures": failures }),
                now,
            )?;
            log::warn!(
                "user {}: repeated failed logins from one address, now slowed down",
                user.id.0
            );
        }
    }
    Ok(Login::Refused)
}

/// Forgets every failed login of an account (an admin, for someone who
/// was slowed down by their own mistakes).
pub fn clear_failed_logins(ctx: &AppContext, by: &User, id: UserId) -> Result<(), ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        let cleared = users::throttle_clear(conn, id, None)?;
        users::record_failed_login(conn, id, 0, None)?;
        events::append_admin(
            conn,
            &ctx.audit_key,
            AdminEvent::FailedLoginsCleared,
            Actor::Staff(by.id),
            json!({ "user": id.0, "addresses": cleared }),
            now,
        )?;
        Ok(())
    })
}

/// Emails `user` a fresh single-use link to set their password (replacing
/// any earlier one): an invitation while they have none, else a reset.
fn email_password_link(
    ctx: &AppContext,
    conn: &mut DbConn,
    by: &User,
    user: &User,
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    let (token, hash) = secret::new_token();
    let expires = now + Duration::hours(ctx.settings.staff.invite_ttl_hours.into());
    // Only the newest link works.
    links::spend_all_for_account(conn, Purpose::StaffInvite, Some(user.id), now)?;
    let opens = Opens::Account(Some(user.id));
    links::insert(conn, Purpose::StaffInvite, opens, &hash, now, expires)?;
    let message = messages::staff_invitation(
        &ctx.templates,
        &ctx.settings,
        user,
        &by.name,
        &format!("{}/staff/setup/{token}", ctx.settings.base_url()),
    )?;
    outbox::enqueue(conn, &ctx.sealer, &message, now)?;
    Ok(())
}

/// Invites someone: an account without a password, and an email with a
/// link to set one.
pub fn invite(
    ctx: &AppContext,
    by: &User,
    email: &str,
    name: &str,
    role: Role,
) -> Result<Result<UserId, AccountError>, ServiceError> {
    let (email, name) = match parse_person(email, name) {
        Ok(person) => person,
        Err(e) => return Ok(Err(e)),
    };
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    let result = db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        if users::find_by_email(conn, email.as_str())?.is_some() {
            return Ok(Err(AccountError::Exists));
        }
        let id = users::insert(conn, email.as_str(), &name, role, None, now)?;
        let Some(user) = users::find(conn, id)? else {
            return Ok(Err(AccountError::NoSuchUser));
        };
        email_password_link(ctx, conn, by, &user, now)?;
        events::append_admin(
            conn,
            &ctx.audit_key,
            AdminEvent::UserInvited,
            Actor::Staff(by.id),
            json!({ "user": id.0, "role": role.key() }),
            now,
        )?;
        Ok(Ok(id))
    })?;
    if let Ok(id) = &result {
        log::info!("user {} invited user {} as {role}", by.id.0, id.0);
        ctx.mail.wake();
    }
    Ok(result)
}

/// Emails an active user a fresh single-use link to choose a new password
/// (a forgotten password, or an invitation that ran out). Their current
/// password keeps working until the link is used.
pub fn send_password_link(
    ctx: &AppContext,
    by: &User,
    id: UserId,
) -> Result<Result<(), AccountError>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    let result = db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        let Some(user) = users::find(conn, id)?.filter(|u| u.active) else {
            return Ok(Err(AccountError::NoSuchUser));
        };
        email_password_link(ctx, conn, by, &user, now)?;
        events::append_admin(
            conn,
            &ctx.audit_key,
            AdminEvent::PasswordLinkSent,
            Actor::Staff(by.id),
            json!({ "user": id.0 }),
            now,
        )?;
        Ok(Ok(()))
    })?;
    if result.is_ok() {
        log::info!("user {} sent user {} a password link", by.id.0, id.0);
        ctx.mail.wake();
    }
    Ok(result)
}

/// Changes a user's role or active flag, keeping at least one active admin.
pub fn update(
    ctx: &AppContext,
    by: &User,
    id: UserId,
    role: Role,
    active: bool,
) -> Result<Result<(), AccountError>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let result = db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        let Some(user) = users::find(conn, id)? else {
            return Ok(Err(AccountError::NoSuchUser));
        };
        if id == by.id && !active {
            return Ok(Err(AccountError::Yourself));
        }
        let was_active_admin = user.active && user.role == Role::Admin;
        let stays_active_admin = active && role == Role::Admin;
        if was_active_admin && !stays_active_admin && users::count_active_admins(conn)? <= 1 {
            return Ok(Err(AccountError::LastAdmin));
        }
        if user.role == role && user.active == active {
            return Ok(Ok(()));
        }
        events::append_admin(
            conn,
            &ctx.audit_key,
            AdminEvent::UserUpdated,
            Actor::Staff(by.id),
            json!({
                "user": id.0,
                "role": { "from": user.role.key(), "to": role.key() },
                "active": { "from": user.active, "to": active },
            }),
            db::timestamp(ctx.clock.now()),
        )?;
        if user.role != role {
            users::set_role(conn, id, role)?;
        }
        if user.active != active {
            users::set_active(conn, id, active)?;
        }
        Ok(Ok(()))
    })?;
    if result.is_ok() {
        log::info!(
            "user {} set user {} to role {role}, active {active}",
            by.id.0,
            id.0
        );
    }
    Ok(result)
}

pub fn logout(ctx: &AppContext, user: UserId) -> Result<(), ServiceError> {
    let mut conn = ctx.pool.get()?;
    users::end_sessions(&mut conn, user)?;
    Ok(())
}

/// Every account, with the failed logins still counting against each.
pub struct Accounts {
    pub users: Vec<User>,
    pub throttled: Vec<(UserId, i64)>,
}

/// The accounts page's list.
pub fn accounts(ctx: &AppContext) -> Result<Accounts, ServiceError> {
    let mut conn = ctx.pool.get()?;
    Ok(Accounts {
        users: users::all(&mut conn)?,
        throttled: users::throttled_accounts(&mut conn)?,
    })
}

/// The admin trail, every account (to name who acted), and the first event
/// whose seal does not match, if one does not.
pub struct AdminTrail {
    pub entries: Vec<crate::db::events::AdminEntry>,
    pub people: Vec<User>,
    pub broken: Option<i64>,
}

pub fn admin_trail(ctx: &AppContext) -> Result<AdminTrail, ServiceError> {
    let mut conn = ctx.pool.get()?;
    Ok(AdminTrail {
        entries: events::list_admin(&mut conn)?,
        people: users::all(&mut conn)?,
        broken: events::first_broken_admin_link(&mut conn, &ctx.audit_key)?,
    })
}

/// The account a session belongs to.
pub fn user(ctx: &AppContext, id: UserId) -> Result<Option<User>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    Ok(users::find(&mut conn, id)?)
}
