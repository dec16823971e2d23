//! Every link Rightsdesk emails (`links`): email confirmation, the status
//! page, the agent check, staff set-up and invitation, and tasks. Each is
//! stored only as the SHA-256 of its token, with what it is for, what it
//! opens (a case, an account, a task), when it expires and when it was
//! spent. Spending is one conditional update, so of two concurrent uses
//! only one succeeds.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::batch::Batch;
use super::cases::CaseId;
use super::schema::links;
use super::users::UserId;
use super::{DbConn, DbError};

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Confirms a requester's email address (single use).
    ConfirmEmail,
    /// Opens a requester's status page (reusable until it expires).
    Status,
    /// Asks the person named on an agent's request whether the agent acts
    /// for them (answered once).
    AgentCheck,
    /// The first admin's account, made on first start.
    StaffSetup,
    /// An invited or reset staff member chooses a password.
    StaffInvite,
    /// A system's owner answers their task.
    Task,
}

impl Purpose {
    pub fn key(self) -> &'static str {
        match self {
            Purpose::ConfirmEmail => "confirm_email",
            Purpose::Status => "status",
            Purpose::AgentCheck => "agent_check",
            Purpose::StaffSetup => "staff_setup",
            Purpose::StaffInvite => "staff_invite",
            Purpose::Task => "task",
        }
    }

    fn parse(key: &str) -> Option<Purpose> {
        [
            Purpose::ConfirmEmail,
            Purpose::Status,
            Purpose::AgentCheck,
            Purpose::StaffSetup,
            Purpose::StaffInvite,
            Purpose::Task,
        ]
        .into_iter()
        .find(|p| p.key() == key)
    }
}

/// What a link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opens {
    Case(CaseId),
    /// A staff account (none for the first admin's set-up link).
    Account(Option<UserId>),
    Task {
        case: CaseId,
        task: i64,
    },
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = links)]
struct Row {
    id: i64,
    purpose: String,
    case_id: Option<i64>,
    task_id: Option<i64>,
    user_id: Option<i64>,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    spent_at: Option<NaiveDateTime>,
    decision: Option<String>,
}

/// A stored link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: i64,
    pub purpose: Purpose,
    pub opens: Opens,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub spent_at: Option<NaiveDateTime>,
    /// An agent check's answer.
    pub decision: Option<String>,
}

impl Link {
    /// Whether it can still be used at `now`.
    pub fn usable(&self, now: NaiveDateTime) -> bool {
        self.spent_at.is_none() && self.expires_at > now
    }

    /// The case it opens, if it opens one.
    pub fn case(&self) -> Option<CaseId> {
        match self.opens {
            Opens::Case(case) | Opens::Task { case, .. } => Some(case),
            Opens::Account(_) => None,
        }
    }
}

impl TryFrom<Row> for Link {
    type Error = DbError;

    fn try_from(r: Row) -> Result<Link, DbError> {
        let corrupt = || DbError::Corrupt(format!("link {} opens nothing", r.id));
        let purpose = Purpose::parse(&r.purpose).ok_or_else(corrupt)?;
        let opens = match purpose {
            Purpose::ConfirmEmail | Purpose::Status | Purpose::AgentCheck => {
                Opens::Case(CaseId(r.case_id.ok_or_else(corrupt)?))
            }
            Purpose::StaffSetup | Purpose::StaffInvite => Opens::Account(r.user_id.map(UserId)),
            Purpose::Task => Opens::Task {
                case: CaseId(r.case_id.ok_or_else(corrupt)?),
                task: r.task_id.ok_or_else(corrupt)?,
            },
        };
        Ok(Link {
            id: r.id,
            purpose,
            opens,
            created_at: r.created_at,
            expires_at: r.expires_at,
            spent_at: r.spent_at,
            decision: r.decision,
        })
    }
}

/// Stores a link; the caller emails its token.
pub fn insert(
    conn: &mut DbConn,
    purpose: Purpose,
    opens: Opens,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(links::table)
        .values(NewLinkRow::of(purpose, opens, token_hash, now, expires_at))
        .execute(conn)?;
    Ok(())
}

/// [`insert`] in a batch (on PostgreSQL).
pub fn insert_in_batch<'a>(
    batch: &mut Batch<'a>,
    purpose: Purpose,
    opens: Opens,
    token_hash: &'a str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) {
    batch.push(
        diesel::insert_into(links::table)
            .values(NewLinkRow::of(purpose, opens, token_hash, now, expires_at)),
    );
}

#[derive(Insertable)]
#[diesel(table_name = links, treat_none_as_default_value = false)]
struct NewLinkRow<'a> {
    purpose: &'static str,
    token_hash: &'a str,
    case_id: Option<i64>,
    task_id: Option<i64>,
    user_id: Option<i64>,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

impl<'a> NewLinkRow<'a> {
    fn of(
        purpose: Purpose,
        opens: Opens,
        token_hash: &'a str,
        now: NaiveDateTime,
        expires_at: NaiveDateTime,
    ) -> NewLinkRow<'a> {
        let (case_id, task_id, user_id) = match opens {
            Opens::Case(case) => (Some(case.0), None, None),
            Opens::Account(user) => (None, None, user.map(|u| u.0)),
            Opens::Task { case, task } => (Some(case.0), Some(task), None),
        };
        NewLinkRow {
            purpose: purpose.key(),
            token_hash,
            case_id,
            task_id,
            user_id,
            created_at: now,
            expires_at,
        }
    }
}

/// The link with this hash and purpose, if any.
pub fn find(
    conn: &mut DbConn,
    purpose: Purpose,
    token_hash: &str,
) -> Result<Option<Link>, DbError> {
    let row: Option<Row> = links::table
        .filter(links::token_hash.eq(token_hash))
        .filter(links::purpose.eq(purpose.key()))
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    row.map(Link::try_from).transpose()
}

/// The link with this hash, whichever of `purposes` it has.
pub fn find_any(
    conn: &mut DbConn,
    purposes: &[Purpose],
    token_hash: &str,
) -> Result<Option<Link>, DbError> {
    let keys: Vec<&str> = purposes.iter().map(|p| p.key()).collect();
    let row: Option<Row> = links::table
        .filter(links::token_hash.eq(token_hash))
        .filter(links::purpose.eq_any(keys))
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    row.map(Link::try_from).transpose()
}

/// Spends a link if it is unspent and unexpired; whether this call did.
pub fn spend(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<bool, DbError> {
    let n = diesel::update(
        links::table
            .filter(links::id.eq(id))
            .filter(links::spent_at.is_null())
            .filter(links::expires_at.gt(now)),
    )
    .set(links::spent_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Spends a link with an answer (an agent check); whether this call did.
pub fn answer(
    conn: &mut DbConn,
    id: i64,
    decision: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        links::table
            .filter(links::id.eq(id))
            .filter(links::spent_at.is_null()),
    )
    .set((
        links::spent_at.eq(Some(now)),
        links::decision.eq(Some(decision)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Spends every unspent link of a purpose to a case (once an address is
/// confirmed, older confirmation links must not work either).
pub fn spend_all_for_case(
    conn: &mut DbConn,
    purpose: Purpose,
    case: CaseId,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(
        links::table
            .filter(links::purpose.eq(purpose.key()))
            .filter(links::case_id.eq(Some(case.0)))
            .filter(links::spent_at.is_null()),
    )
    .set(links::spent_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}

/// Spends every unspent staff link of a purpose to an account (or, with
/// none, the set-up links): only the newest works.
pub fn spend_all_for_account(
    conn: &mut DbConn,
    purpose: Purpose,
    user: Option<UserId>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let unspent = links::table
        .filter(links::purpose.eq(purpose.key()))
        .filter(links::spent_at.is_null());
    match user {
        Some(u) => diesel::update(unspent.filter(links::user_id.eq(Some(u.0))))
            .set(links::spent_at.eq(Some(now)))
            .execute(conn)?,
        None => diesel::update(unspent.filter(links::user_id.is_null()))
            .set(links::spent_at.eq(Some(now)))
            .execute(conn)?,
    };
    Ok(())
}

/// Whether an unspent link for `purpose` was made at or after `since`.
pub fn made_since(
    conn: &mut DbConn,
    purpose: Purpose,
    since: NaiveDateTime,
) -> Result<bool, DbError> {
    let n: i64 = links::table
        .filter(links::purpose.eq(purpose.key()))
        .filter(links::spent_at.is_null())
        .filter(links::created_at.ge(since))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Spends every unspent link to a task (once it is answered, by anyone).
pub fn spend_for_task(conn: &mut DbConn, task_id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(
        links::table
            .filter(links::task_id.eq(Some(task_id)))
            .filter(links::spent_at.is_null()),
    )
    .set(links::spent_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}

/// Links of a purpose made for any of these cases since `since` (all of
/// them with `None`).
pub fn count_for_cases(
    conn: &mut DbConn,
    purpose: Purpose,
    cases: &[CaseId],
    since: Option<NaiveDateTime>,
) -> Result<i64, DbError> {
    let ids: Vec<Option<i64>> = cases.iter().map(|c| Some(c.0)).collect();
    let mut query = links::table
        .filter(links::purpose.eq(purpose.key()))
        .filter(links::case_id.eq_any(ids))
        .into_boxed();
    if let Some(since) = since {
        query = query.filter(links::created_at.ge(since));
    }
    Ok(query.count().get_result(conn)?)
}

/// The newest link of a purpose to a case.
pub fn latest_for_case(
    conn: &mut DbConn,
    purpose: Purpose,
    case: CaseId,
) -> Result<Option<Link>, DbError> {
    let row: Option<Row> = links::table
        .filter(links::purpose.eq(purpose.key()))
        .filter(links::case_id.eq(Some(case.0)))
        .order(links::id.desc())
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    row.map(Link::try_from).transpose()
}

/// Agent checks emailed since `since` to the person at `email`.
pub fn agent_checks_of_address_since(
    conn: &mut DbConn,
    email: &str,
    since: NaiveDateTime,
) -> Result<i64, DbError> {
    use super::queue::lower;
    use super::schema::cases;
    let cases_of_address = cases::table
        .filter(lower(cases::requester_email).eq(email.to_lowercase()))
        .select(cases::id.nullable());
    Ok(links::table
        .filter(links::purpose.eq(Purpose::AgentCheck.key()))
        .filter(links::created_at.ge(since))
        .filter(links::case_id.eq_any(cases_of_address))
        .count()
        .get_result(conn)?)
}

/// Deletes every link to a case (when it is reduced to its minimal record).
pub fn delete_for_case(conn: &mut DbConn, case: CaseId) -> Result<usize, DbError> {
    Ok(diesel::delete(links::table.filter(links::case_id.eq(Some(case.0)))).execute(conn)?)
}

/// Deletes links spent or expired before `before`.
pub fn delete_spent_before(conn: &mut DbConn, before: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::delete(
        links::table.filter(links::expires_at.lt(before).or(links::spent_at.lt(before))),
    )
    .execute(conn)?)
}
