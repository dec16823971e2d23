//! The `cases` and `case_rights` tables.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::batch::Batch;
use super::schema::{case_rights, cases};
use super::users::UserId;
use super::{DbConn, DbError};
use crate::domain::casework::Outcome;
use crate::domain::intake::Requester;
use crate::domain::rights::Choice;
use crate::domain::{CaseState, NewRequest, Reference, Regime, Right, RightRequest};

/// A case's database id; never shown to requesters (they get the reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaseId(pub i64);

/// How a request reached the organisation.
pub const CHANNEL_WEB: &str = "web";

#[derive(Debug, Clone)]
pub struct Case {
    pub id: CaseId,
    pub reference: Reference,
    pub state: CaseState,
    pub regime: Regime,
    pub channel: String,
    pub location: String,
    pub requester_name: String,
    pub requester_email: String,
    pub agent_name: Option<String>,
    pub description: Option<String>,
    pub received_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub submitted_at: NaiveDateTime,
    pub confirmed_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub assignee: Option<UserId>,
    /// How a closed case ended when its state alone does not say.
    pub closure: Option<String>,
    pub duplicate_of: Option<CaseId>,
    /// The authorised agent's own address, when an agent filed it.
    pub agent_email: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = cases)]
struct CaseRow {
    id: i64,
    reference: String,
    state: String,
    regime: String,
    channel: String,
    location: String,
    requester_name: String,
    requester_email: String,
    agent_name: Option<String>,
    description: Option<String>,
    received_on: Option<NaiveDate>,
    due_on: Option<NaiveDate>,
    submitted_at: NaiveDateTime,
    confirmed_at: Option<NaiveDateTime>,
    closed_at: Option<NaiveDateTime>,
    assignee_id: Option<i64>,
    closure: Option<String>,
    duplicate_of: Option<i64>,
    agent_email: Option<String>,
}

impl TryFrom<CaseRow> for Case {
    type Error = DbError;

    fn try_from(row: CaseRow) -> Result<Case, DbError> {
        let corrupt = |what: String| DbError::Corrupt(format!("case {}: {what}", row.id));
        Ok(Case {
            id: CaseId(row.id),
            reference: row.reference.parse().map_err(|e| corrupt(format!("{e}")))?,
            state: row.state.parse().map_err(|e| corrupt(format!("{e}")))?,
            regime: row.regime.parse().map_err(|e| corrupt(format!("{e}")))?,
            channel: row.channel,
            location: row.location,
            requester_name: row.requester_name,
            requester_email: row.requester_email,
            agent_name: row.agent_name,
            description: row.description,
            received_on: row.received_on,
            due_on: row.due_on,
            submitted_at: row.submitted_at,
            confirmed_at: row.confirmed_at,
            closed_at: row.closed_at,
            assignee: row.assignee_id.map(UserId),
            closure: row.closure,
            duplicate_of: row.duplicate_of.map(CaseId),
            agent_email: row.agent_email,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = cases, treat_none_as_default_value = false)]
struct NewCaseRow<'a> {
    reference: &'a str,
    state: &'a str,
    regime: &'a str,
    channel: &'a str,
    location: &'a str,
    requester_name: &'a str,
    requester_email: &'a str,
    agent_name: Option<&'a str>,
    agent_email: Option<&'a str>,
    description: Option<&'a str>,
    received_on: Option<NaiveDate>,
    due_on: Option<NaiveDate>,
    submitted_at: NaiveDateTime,
    confirmed_at: Option<NaiveDateTime>,
    closed_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = case_rights, treat_none_as_default_value = false)]
struct NewRightRow<'a> {
    case_id: i64,
    right_key: &'a str,
    details: String,
}

/// How a new case starts: filed on the web and unconfirmed, or entered by
/// staff with the channel and real date of receipt (which starts the clock).
pub enum Start<'a> {
    Web,
    Manual {
        channel: &'a str,
        received_on: NaiveDate,
        due_on: Option<NaiveDate>,
    },
}

/// The rows a new request is stored as: the case, and one per right (given
/// the case's id).
struct NewCase<'a> {
    case: NewCaseRow<'a>,
    request: &'a NewRequest,
}

impl<'a> NewCase<'a> {
    fn of(
        request: &'a NewRequest,
        reference: &'a Reference,
        start: Start<'a>,
        now: NaiveDateTime,
    ) -> NewCase<'a> {
        let (agent_name, agent_email) = match &request.requester {
            Requester::Themselves => (None, None),
            Requester::Agent {
                agent_name,
                agent_email,
            } => (Some(agent_name.as_str()), Some(agent_email.as_str())),
        };
        let (state, channel, received_on, due_on, confirmed_at) = match start {
            Start::Web => (CaseState::Submitted, CHANNEL_WEB, None, None, None),
            Start::Manual {
                channel,
                received_on,
                due_on,
            } => (
                CaseState::AwaitingIdentity,
                channel,
                Some(received_on),
                due_on,
                Some(now),
            ),
        };
        let case = NewCaseRow {
            reference: reference.as_str(),
            state: state.key(),
            regime: request.regime.key(),
            channel,
            location: request.location.code(),
            requester_name: &request.name,
            requester_email: request.email.as_str(),
            agent_name,
            agent_email,
            description: request.description.as_deref(),
            received_on,
            due_on,
            submitted_at: now,
            confirmed_at,
            closed_at: None,
            updated_at: now,
        };
        NewCase { case, request }
    }

    fn rights(&self, id: CaseId) -> Result<Vec<NewRightRow<'a>>, DbError> {
        self.request
            .rights
            .iter()
            .map(|right| {
                Ok(NewRightRow {
                    case_id: id.0,
                    right_key: right.right().key(),
                    details: serde_json::to_string(right)
                        .map_err(|e| DbError::Corrupt(format!("cannot encode right: {e}")))?,
                })
            })
            .collect()
    }
}

/// Stores a new request with its rights; returns its id.
pub fn insert(
    conn: &mut DbConn,
    request: &NewRequest,
    reference: &Reference,
    start: Start<'_>,
    now: NaiveDateTime,
) -> Result<CaseId, DbError> {
    let new = NewCase::of(request, reference, start, now);
    let id: i64 = diesel::insert_into(cases::table)
        .values(&new.case)
        .returning(cases::id)
        .get_result(conn)?;
    let id = CaseId(id);
    let rights = new.rights(id)?;
    if let DbConn::Postgresql(pg) = conn {
        // One statement (one round trip) for all the rights.
        diesel::insert_into(case_rights::table)
            .values(&rights)
            .execute(pg)?;
    } else {
        // SQLite runs each statement in process: nothing to save.
        for row in &rights {
            diesel::insert_into(case_rights::table)
                .values(row)
                .execute(conn)?;
        }
    }
    Ok(id)
}

/// Adds a new request with its rights, under the id `id` (taken with
/// [`filing_check`]), to `batch`.
pub fn insert_into_batch<'a>(
    batch: &mut Batch<'a>,
    id: CaseId,
    request: &'a NewRequest,
    reference: &'a Reference,
    start: Start<'a>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let new = NewCase::of(request, reference, start, now);
    let rights = new.rights(id)?;
    batch.push(diesel::insert_into(cases::table).values((cases::id.eq(id.0), new.case)));
    // One part a right: a single row's insert is the same text each time.
    for row in rights {
        batch.push(diesel::insert_into(case_rights::table).values(row));
    }
    Ok(())
}

pub fn reference_exists(conn: &mut DbConn, reference: &Reference) -> Result<bool, DbError> {
    let n: i64 = cases::table
        .filter(cases::reference.eq(reference.as_str()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn find(conn: &mut DbConn, id: CaseId) -> Result<Case, DbError> {
    cases::table
        .find(id.0)
        .select(CaseRow::as_select())
        .first(conn)?
        .try_into()
}

pub fn find_by_reference(
    conn: &mut DbConn,
    reference: &Reference,
) -> Result<Option<Case>, DbError> {
    cases::table
        .filter(cases::reference.eq(reference.as_str()))
        .select(CaseRow::as_select())
        .first(conn)
        .optional()?
        .map(Case::try_from)
        .transpose()
}

pub fn rights(conn: &mut DbConn, id: CaseId) -> Result<Vec<RightRequest>, DbError> {
    let rows: Vec<String> = case_rights::table
        .filter(case_rights::case_id.eq(id.0))
        .order(case_rights::id)
        .select(case_rights::details)
        .load(conn)?;
    rows.iter()
        .map(|json| {
            serde_json::from_str(json)
                .map_err(|e| DbError::Corrupt(format!("case {}: right details: {e}", id.0)))
        })
        .collect()
}

/// Moves a case from `from` to `to`, only if no one else moved it first.
/// Returns whether it moved. A case that closes records when, and on which
/// day where the organisation is (`tz`).
pub fn move_state(
    conn: &mut DbConn,
    id: CaseId,
    from: CaseState,
    to: CaseState,
    now: NaiveDateTime,
    tz: chrono_tz::Tz,
) -> Result<bool, DbError> {
    let closed_at = to.is_closed().then_some(now);
    let closed_on = closed_at.map(|at| at.and_utc().with_timezone(&tz).date_naive());
    let n = diesel::update(cases::table.find(id.0).filter(cases::state.eq(from.key())))
        .set((
            cases::state.eq(to.key()),
            cases::updated_at.eq(now),
            cases::closed_at.eq(closed_at),
            cases::closed_on.eq(closed_on),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Records the confirmation of the email address and the clock it started.
pub fn record_confirmation(
    conn: &mut DbConn,
    id: CaseId,
    received_on: NaiveDate,
    due_on: Option<NaiveDate>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    set_received(conn, id, received_on, due_on, now)?;
    diesel::update(cases::table.find(id.0))
        .set(cases::confirmed_at.eq(Some(now)))
        .execute(conn)?;
    Ok(())
}

/// Erases the personal data of a case that never started (its requester's
/// name, address, description and the details of each right), keeping the
/// reference, state, regime, dates and audit trail as the minimal record.
pub fn erase_personal_data(
    conn: &mut DbConn,
    id: CaseId,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(cases::table.find(id.0))
        .set((
            cases::requester_name.eq(""),
            cases::requester_email.eq(""),
            cases::agent_name.eq(None::<String>),
            cases::agent_email.eq(None::<String>),
            cases::description.eq(None::<String>),
            cases::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::delete(case_rights::table.filter(case_rights::case_id.eq(id.0))).execute(conn)?;
    Ok(())
}

use super::queue::lower;

diesel::define_sql_function! {
    fn coalesce(x: diesel::sql_types::Nullable<diesel::sql_types::Text>, y: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Who we write to about a case (the agent's address when an agent filed,
/// else the person's), lower-cased: the expression `cases_correspondent`
/// indexes, so it must stay exactly this.
fn correspondent() -> lower<coalesce<cases::agent_email, cases::requester_email>> {
    lower(coalesce(cases::agent_email, cases::requester_email))
}

/// What filing a request checks first, in one query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilingCheck {
    /// How many unconfirmed requests submitted since `since` sent their
    /// confirmation email to the address (the person's own, or the agent's
    /// when an agent filed).
    pub pending: i64,
    /// Whether the reference is taken already.
    pub taken: bool,
    /// On PostgreSQL, when asked for: the id the new case is to have, taken
    /// from the sequence that would give it one (so that the rows referring
    /// to it can be written in the same statement as the case).
    pub id: Option<CaseId>,
}

/// The PostgreSQL sequence that numbers cases.
const CASES_ID_SEQUENCE: &str = "cases_id_seq";

diesel::define_sql_function!(fn nextval(sequence: diesel::sql_types::Text) -> diesel::sql_types::BigInt);

/// Checks a filing of `reference` to `email` in one query (see
/// [`FilingCheck`]); with `take_id`, on PostgreSQL, also takes the case's id.
pub fn filing_check(
    conn: &mut DbConn,
    email: &str,
    since: NaiveDateTime,
    reference: &Reference,
    take_id: bool,
) -> Result<FilingCheck, DbError> {
    use diesel::sql_types::{BigInt, Nullable};
    let email = email.to_lowercase();
    let pending = cases::table
        .filter(cases::state.eq(CaseState::Submitted.key()))
        .filter(cases::submitted_at.ge(since))
        .filter(correspondent().eq(email))
        .count()
        .single_value();
    let taken = diesel::dsl::exists(cases::table.filter(cases::reference.eq(reference.as_str())));
    let (pending, taken, id): (Option<i64>, bool, Option<i64>) = match conn {
        DbConn::Postgresql(pg) if take_id => {
            let id = nextval(CASES_ID_SEQUENCE).nullable();
            diesel::select((pending, taken, id)).get_result(pg)?
        }
        _ => {
            let none = None::<i64>.into_sql::<Nullable<BigInt>>();
            diesel::select((pending, taken, none)).get_result(conn)?
        }
    };
    Ok(FilingCheck {
        pending: pending.unwrap_or(0),
        taken,
        id: id.map(CaseId),
    })
}

/// Unconfirmed cases submitted before `cutoff`.
pub fn unconfirmed_before(
    conn: &mut DbConn,
    cutoff: NaiveDateTime,
) -> Result<Vec<CaseId>, DbError> {
    let ids: Vec<i64> = cases::table
        .filter(cases::state.eq(CaseState::Submitted.key()))
        .filter(cases::submitted_at.lt(cutoff))
        // A request already dated (an opt-out, acted on unconfirmed) stays.
        .filter(cases::received_on.is_null())
        .order(cases::id)
        .select(cases::id)
        .load(conn)?;
    Ok(ids.into_iter().map(CaseId).collect())
}

/// The reference of a case, for logs.
pub fn reference_of(conn: &mut DbConn, id: CaseId) -> Result<String, DbError> {
    Ok(cases::table
        .find(id.0)
        .select(cases::reference)
        .first(conn)?)
}

pub fn count(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(cases::table.count().get_result(conn)?)
}

/// One right on a case, with its answer once staff recorded it.
#[derive(Debug, Clone)]
pub struct CaseRight {
    pub request: RightRequest,
    pub outcome: Option<Outcome>,
    pub outcome_note: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
}

type RightRowTuple = (
    String,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
);

pub fn rights_with_outcomes(conn: &mut DbConn, id: CaseId) -> Result<Vec<CaseRight>, DbError> {
    let rows: Vec<RightRowTuple> = case_rights::table
        .filter(case_rights::case_id.eq(id.0))
        .order(case_rights::id)
        .select((
            case_rights::details,
            case_rights::outcome,
            case_rights::outcome_note,
            case_rights::decided_at,
        ))
        .load(conn)?;
    let corrupt = |what: String| DbError::Corrupt(format!("case {}: {what}", id.0));
    rows.into_iter()
        .map(|(details, outcome, outcome_note, decided_at)| {
            Ok(CaseRight {
                request: serde_json::from_str(&details)
                    .map_err(|e| corrupt(format!("right details: {e}")))?,
                outcome: outcome
                    .map(|k| Outcome::parse(&k).ok_or_else(|| corrupt(format!("outcome {k}"))))
                    .transpose()?,
                outcome_note,
                decided_at,
            })
        })
        .collect()
}

/// Records the answer to one right. Returns false if the case has no such right.
pub fn set_outcome(
    conn: &mut DbConn,
    id: CaseId,
    right: Right,
    outcome: Outcome,
    note: Option<&str>,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        case_rights::table
            .filter(case_rights::case_id.eq(id.0))
            .filter(case_rights::right_key.eq(right.key())),
    )
    .set((
        case_rights::outcome.eq(Some(outcome.key())),
        case_rights::outcome_note.eq(note),
        case_rights::decided_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// Records a date of receipt and due date before the address is confirmed
/// (a request acted on unconfirmed, such as a CCPA opt-out).
pub fn set_received(
    conn: &mut DbConn,
    id: CaseId,
    received_on: NaiveDate,
    due_on: Option<NaiveDate>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(cases::table.find(id.0))
        .set((
            cases::received_on.eq(Some(received_on)),
            cases::due_on.eq(due_on),
            cases::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_due(
    conn: &mut DbConn,
    id: CaseId,
    due_on: Option<NaiveDate>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(cases::table.find(id.0))
        .set((cases::due_on.eq(due_on), cases::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

pub fn assign(
    conn: &mut DbConn,
    id: CaseId,
    assignee: Option<UserId>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(cases::table.find(id.0))
        .set((
            cases::assignee_id.eq(assignee.map(|u| u.0)),
            cases::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records how a closed case ended (`None` clears it on reopening).
pub fn set_closure(
    conn: &mut DbConn,
    id: CaseId,
    closure: Option<&str>,
    duplicate_of: Option<CaseId>,
) -> Result<(), DbError> {
    diesel::update(cases::table.find(id.0))
        .set((
            cases::closure.eq(closure),
            cases::duplicate_of.eq(duplicate_of.map(|c| c.0)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every case's id and reference, oldest first (for the audit check).
pub fn all_ids(conn: &mut DbConn) -> Result<Vec<(CaseId, String)>, DbError> {
    let rows: Vec<(i64, String)> = cases::table
        .order(cases::id)
        .select((cases::id, cases::reference))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, r)| (CaseId(id), r)).collect())
}

/// The references of the given cases, in id order.
pub fn references_of(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<String>, DbError> {
    let mut references = Vec::new();
    for batch in ids.chunks(500) {
        references.extend(
            cases::table
                .filter(cases::id.eq_any(batch))
                .order(cases::id)
                .select(cases::reference)
                .load::<String>(conn)?,
        );
    }
    Ok(references)
}

/// Every case we write to this address about (the person's, or the agent's
/// when an agent filed it; any letter case), newest first.
pub fn for_address(conn: &mut DbConn, email: &str) -> Result<Vec<Case>, DbError> {
    let email = email.trim().to_lowercase();
    cases::table
        .filter(correspondent().eq(email))
        .order(cases::id.desc())
        .limit(50)
        .select(CaseRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Case::try_from)
        .collect()
}

/// Moves a case to another regime with its recomputed due date.
pub fn set_regime(
    conn: &mut DbConn,
    id: CaseId,
    regime: Regime,
    due_on: Option<NaiveDate>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(cases::table.find(id.0))
        .set((
            cases::regime.eq(regime.key()),
            cases::due_on.eq(due_on),
            cases::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Corrects who asked: the requester's name and address, and the agent's
/// (both `None` where no agent filed the case).
pub fn update_requester(
    conn: &mut DbConn,
    id: CaseId,
    name: &str,
    email: &str,
    agent_name: Option<&str>,
    agent_email: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(cases::table.find(id.0))
        .set((
            cases::requester_name.eq(name),
            cases::requester_email.eq(email),
            cases::agent_name.eq(agent_name),
            cases::agent_email.eq(agent_email),
            cases::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Open cases under `regimes` due on or after `from`: those a change to
/// their calendar on `from` can move (a due date before the day changed
/// does not depend on it).
pub fn open_due_from(
    conn: &mut DbConn,
    regimes: &[Regime],
    from: NaiveDate,
) -> Result<Vec<Case>, DbError> {
    let states: Vec<&str> = CaseState::OPEN.iter().map(|s| s.key()).collect();
    let regimes: Vec<&str> = regimes.iter().map(|r| r.key()).collect();
    cases::table
        .filter(cases::state.eq_any(states))
        .filter(cases::regime.eq_any(regimes))
        .filter(cases::due_on.ge(from))
        .order(cases::id)
        .select(CaseRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Case::try_from)
        .collect()
}
