//! Public intake: filing a request, confirming the email address (which
//! starts the clock and sends the acknowledgement), sending a fresh link, and
//! expiring requests that were never confirmed.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::json;

use super::ServiceError;
use crate::app::AppContext;
use crate::db::batch::Batch;
use crate::db::cases::{self, Case, CaseId};
use crate::db::events::{self, NewEvent};
use crate::db::links::{self, Link, Opens, Purpose};
use crate::db::outbox::SealedMessage;
use crate::db::{self, outbox, DbConn, DbError};
use crate::domain::audit::{Actor, CaseEvent};
use crate::domain::deadline::{self, DeadlineError, DeadlineInput};
use crate::domain::intake::Requester;
use crate::domain::{CaseState, NewRequest, Reference, Transition};
use crate::mail::messages::{self, Addressee};
use crate::secret;

/// At most this many confirmation links per request (the first and resends).
pub const MAX_LINKS: i64 = 10;
/// And at most this many in any hour (the first included).
pub const MAX_LINKS_PER_HOUR: i64 = 4;

/// When a confirmation link issued at `now` stops working.
fn link_expiry(ctx: &AppContext, now: NaiveDateTime) -> NaiveDateTime {
    now + Duration::hours(ctx.settings.requests.confirm_link_ttl_hours.into())
}

fn confirm_link(ctx: &AppContext, token: &str) -> String {
    format!("{}/confirm/{token}", ctx.settings.base_url())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filed {
    Filed(Reference),
    /// The address already has `requests.max_unconfirmed_per_address`
    /// unconfirmed requests from the last day: no case, no email (the form
    /// must not become a way to flood someone's inbox).
    TooManyForAddress,
    /// `mail.max_backlog` emails wait to be sent: nothing stored, nothing
    /// queued; the requester is asked to try again in a few minutes.
    MailBacklog,
}

/// Stores a new web request, unconfirmed, and queues the email with its
/// confirmation link.
pub fn file_request(ctx: &AppContext, request: &NewRequest) -> Result<Filed, ServiceError> {
    let mut conn = ctx.pool.get()?;
    if !ctx.mail_backlog.admit(&mut conn)? {
        return Ok(Filed::MailBacklog);
    }
    // The reference and the email are made before anything is written, so
    // that other writers wait only for the writing.
    let mut draft = Draft::new(ctx, request)?;
    let fast_track = request
        .rights
        .iter()
        .any(|r| request.regime.is_fast_track(r));
    let filed = match &mut *conn {
        DbConn::Postgresql(_) if !fast_track => file_in_one_statement(&mut conn, &mut draft)?,
        conn => db::write_transaction::<_, ServiceError, _>(conn, |conn: &mut DbConn| {
            file_in_transaction(conn, &mut draft, fast_track)
        })?,
    };
    match &filed {
        Filed::Filed(reference) => {
            log::info!("case {reference} submitted on the web form");
            ctx.mail.wake();
        }
        Filed::TooManyForAddress => {
            log::warn!("web request refused: too many unconfirmed requests for one address")
        }
        // Logged by the gate when it closes and opens.
        Filed::MailBacklog => {}
    }
    Ok(filed)
}

/// A web request about to be filed: its reference, its confirmation link
/// and the sealed email carrying it, all made before anything is written.
struct Draft<'a> {
    ctx: &'a AppContext,
    request: &'a NewRequest,
    token: String,
    token_hash: String,
    reference: Reference,
    message: SealedMessage,
    now: NaiveDateTime,
}

impl<'a> Draft<'a> {
    fn new(ctx: &'a AppContext, request: &'a NewRequest) -> Result<Draft<'a>, ServiceError> {
        let (token, token_hash) = secret::new_token();
        let reference = Reference::generate(&mut rand::rng());
        let message = confirmation(ctx, request, &reference, &token)?;
        Ok(Draft {
            ctx,
            request,
            token,
            token_hash,
            reference,
            message,
            now: db::timestamp(ctx.clock.now()),
        })
    }

    /// Checks the cap on unconfirmed requests to the address the
    /// confirmation goes to (the agent's, when an agent files): `None` when
    /// it is reached. Draws another reference (and makes the email again)
    /// when this one is taken.
    fn check(
        &mut self,
        conn: &mut DbConn,
        take_id: bool,
    ) -> Result<Option<cases::FilingCheck>, ServiceError> {
        let check = cases::filing_check(
            conn,
            self.request.correspondent().1,
            self.now - Duration::days(1),
            &self.reference,
            take_id,
        )?;
        let cap = i64::from(self.ctx.settings.requests.max_unconfirmed_per_address);
        if check.pending >= cap {
            return Ok(None);
        }
        if check.taken {
            self.reference = unused_reference(conn)?;
            self.message = confirmation(self.ctx, self.request, &self.reference, &self.token)?;
        }
        Ok(Some(check))
    }

    /// The first event of the case's trail.
    fn submitted(&self) -> NewEvent {
        let request = self.request;
        let rights: Vec<&str> = request.rights.iter().map(|r| r.right().key()).collect();
        NewEvent {
            kind: CaseEvent::RequestSubmitted,
            effective_on: None,
            actor: Actor::Requester,
            detail: json!({
                "channel": cases::CHANNEL_WEB,
                "regime": request.regime.key(),
                "rights": rights,
                "agent": matches!(request.requester, Requester::Agent { .. }),
            }),
        }
    }

    fn expires(&self) -> NaiveDateTime {
        link_expiry(self.ctx, self.now)
    }
}

/// The confirmation email of a request, sealed.
fn confirmation(
    ctx: &AppContext,
    request: &NewRequest,
    reference: &Reference,
    token: &str,
) -> Result<SealedMessage, ServiceError> {
    Ok(messages::confirm_email(
        &ctx.templates,
        &ctx.settings,
        &Addressee {
            case: None,
            name: request.correspondent().0,
            email: request.correspondent().1,
            reference,
        },
        request.regime,
        &request.rights,
        &confirm_link(ctx, token),
    )?
    .sealed(&ctx.sealer))
}

/// Files a request on PostgreSQL in two round trips and no transaction: the
/// check, which also takes the case's id, then every row (the case, its
/// rights, the first event, the link and the email) in one statement, all
/// stored or none. (Six statements with their BEGIN and COMMIT cost the
/// server more than the rows they write.)
fn file_in_one_statement(conn: &mut DbConn, draft: &mut Draft<'_>) -> Result<Filed, ServiceError> {
    let Some(check) = draft.check(conn, true)? else {
        return Ok(Filed::TooManyForAddress);
    };
    let Some(case) = check.id else {
        return Err(DbError::Corrupt("no case id was taken for a filing".into()).into());
    };
    let (ctx, now) = (draft.ctx, draft.now);
    draft.message.case = Some(case);
    let mut batch = Batch::new();
    cases::insert_into_batch(
        &mut batch,
        case,
        draft.request,
        &draft.reference,
        cases::Start::Web,
        now,
    )?;
    events::start_chain_in_batch(&mut batch, &ctx.audit_key, case, draft.submitted(), now)?;
    links::insert_in_batch(
        &mut batch,
        Purpose::ConfirmEmail,
        Opens::Case(case),
        &draft.token_hash,
        now,
        draft.expires(),
    );
    outbox::enqueue_in_batch(&mut batch, &draft.message, now);
    let DbConn::Postgresql(pg) = conn else {
        return Err(DbError::Corrupt("a batch needs PostgreSQL".into()).into());
    };
    batch.run(pg)?;
    Ok(Filed::Filed(draft.reference.clone()))
}

/// Files a request in one write transaction (on SQLite, and on PostgreSQL
/// for a right acted on at once, whose deadline and tasks are made too).
fn file_in_transaction(
    conn: &mut DbConn,
    draft: &mut Draft<'_>,
    fast_track: bool,
) -> Result<Filed, ServiceError> {
    if draft.check(conn, false)?.is_none() {
        return Ok(Filed::TooManyForAddress);
    }
    let (ctx, request, now) = (draft.ctx, draft.request, draft.now);
    let case = cases::insert(conn, request, &draft.reference, cases::Start::Web, now)?;
    events::start_chain(conn, &ctx.audit_key, case, draft.submitted(), now)?;
    links::insert(
        conn,
        Purpose::ConfirmEmail,
        Opens::Case(case),
        &draft.token_hash,
        now,
        draft.expires(),
    )?;
    // A fast-track right (a CCPA opt-out or limit) is acted on whether or
    // not the address is ever confirmed: its clock starts now.
    if fast_track {
        let received = received_day(ctx, now);
        let rights: Vec<_> = request.rights.iter().map(|r| r.right()).collect();
        let deadline = deadline::compute(
            DeadlineInput {
                regime: request.regime,
                received,
                rights: &rights,
                events: &[],
                fast_track: true,
            },
            ctx.calendars.current(conn)?.for_regime(request.regime),
            received,
        )?;
        cases::set_received(conn, case, received, deadline.next_due(), now)?;
        clock_started(ctx, conn, case, &deadline, now)?;
        // And the systems act on it at once.
        let stored = cases::find(conn, case)?;
        let which = super::fulfilment::Which::FastTrack;
        for mail in super::fulfilment::create_tasks(
            ctx,
            conn,
            &stored,
            which,
            Actor::System,
            received,
            now,
        )? {
            outbox::enqueue(conn, &ctx.sealer, &mail, now)?;
        }
    }
    draft.message.case = Some(case);
    outbox::enqueue_sealed(conn, &draft.message, now)?;
    Ok(Filed::Filed(draft.reference.clone()))
}

fn unused_reference(conn: &mut DbConn) -> Result<Reference, ServiceError> {
    let mut rng = rand::rng();
    for _ in 0..8 {
        let candidate = Reference::generate(&mut rng);
        if !cases::reference_exists(conn, &candidate)? {
            return Ok(candidate);
        }
    }
    Err(ServiceError::NoReference)
}

/// What a confirmation link can do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Unused, unexpired, and the request awaits confirmation.
    Valid,
    /// The address is confirmed already (by this link or another).
    AlreadyConfirmed,
    /// The link ran out; the request can still be confirmed with a new one.
    Expired,
    /// The request is closed (expired unconfirmed, or withdrawn).
    RequestClosed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkInfo {
    pub state: LinkState,
    pub reference: Reference,
    /// Filed by someone acting for the person it is about.
    pub for_another: bool,
}

impl LinkInfo {
    fn of(case: &Case, state: LinkState) -> LinkInfo {
        LinkInfo {
            state,
            reference: case.reference.clone(),
            for_another: case.agent_email.is_some(),
        }
    }
}

fn link_state(token: &Link, case: &Case, now: NaiveDateTime) -> LinkState {
    match case.state {
        CaseState::Submitted if token.spent_at.is_some() => LinkState::AlreadyConfirmed,
        CaseState::Submitted if token.expires_at <= now => LinkState::Expired,
        CaseState::Submitted => LinkState::Valid,
        _ if case.confirmed_at.is_some() => LinkState::AlreadyConfirmed,
        _ => LinkState::RequestClosed,
    }
}

fn lookup(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<(Link, Case, LinkState)>, ServiceError> {
    let Some(token) = links::find(conn, Purpose::ConfirmEmail, token_hash)? else {
        return Ok(None);
    };
    let Some(case_id) = token.case() else {
        return Ok(None);
    };
    let case = cases::find(conn, case_id)?;
    let state = link_state(&token, &case, now);
    Ok(Some((token, case, state)))
}

/// Reads what a link would do, changing nothing (links in emails are opened
/// by scanners and previewers before people).
pub fn inspect_link(ctx: &AppContext, token: &str) -> Result<Option<LinkInfo>, ServiceError> {
    if !secret::looks_like_token(token) {
        return Ok(None);
    }
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    Ok(lookup(&mut conn, &secret::hash(token), now)?
        .map(|(_, case, state)| LinkInfo::of(&case, state)))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmOutcome {
    Confirmed {
        reference: Reference,
        deadline: Box<deadline::Deadline>,
    },
    /// Nothing changed; says why (or `None` for a link we never issued).
    NotConfirmed(Option<LinkInfo>),
}

/// Spends a confirmation link: confirms the address, moves the case on,
/// starts the clock and queues the acknowledgement.
pub fn confirm_email(ctx: &AppContext, token: &str) -> Result<ConfirmOutcome, ServiceError> {
    if !secret::looks_like_token(token) {
        return Ok(ConfirmOutcome::NotConfirmed(None));
    }
    let token_hash = secret::hash(token);
    let mut conn = ctx.pool.get()?;
    let now_utc = ctx.clock.now();
    let now = db::timestamp(now_utc);
    let outcome = db::write_transaction::<_, ServiceError, _>(&mut conn, |conn: &mut DbConn| {
        // Spend first: of two concurrent confirmations only one gets here.
        let spent = match links::find(conn, Purpose::ConfirmEmail, &token_hash)? {
            Some(link) => links::spend(conn, link.id, now)?,
            None => false,
        };
        let Some((_, case, state)) = lookup(conn, &token_hash, now)? else {
            return Ok(ConfirmOutcome::NotConfirmed(None));
        };
        let not_confirmed = |state| {
            Ok(ConfirmOutcome::NotConfirmed(Some(LinkInfo::of(
                &case, state,
            ))))
        };
        if !spent {
            return not_confirmed(state);
        }
        let Ok(next) = case.state.apply(Transition::ConfirmEmail) else {
            return not_confirmed(state);
        };
        if !cases::move_state(
            conn,
            case.id,
            case.state,
            next,
            now,
            ctx.settings.organisation.timezone,
        )? {
            return not_confirmed(LinkState::AlreadyConfirmed);
        }
        // The date of receipt is the day the form was sent, where the
        // organisation is, for every law: confirming the address later
        // never moves it.
        let received = case
            .received_on
            .unwrap_or_else(|| received_day(ctx, case.submitted_at));
        let today = received_day(ctx, now).max(received);
        let with_outcomes = cases::rights_with_outcomes(conn, case.id)?;
        let (keys, fast_track) = super::casework::clock_rights(case.regime, &with_outcomes);
        let rights: Vec<_> = with_outcomes.into_iter().map(|r| r.request).collect();
        let deadline = deadline::compute(
            DeadlineInput {
                regime: case.regime,
                received,
                rights: &keys,
                events: &[],
                fast_track,
            },
            ctx.calendars.current(conn)?.for_regime(case.regime),
            today,
        )?;
        cases::record_confirmation(conn, case.id, received, deadline.next_due(), now)?;
        links::spend_all_for_case(conn, Purpose::ConfirmEmail, case.id, now)?;
        events::append(
            conn,
            &ctx.audit_key,
            case.id,
            NewEvent {
                kind: CaseEvent::EmailConfirmed,
                effective_on: Some(received),
                actor: Actor::Requester,
                detail: json!({ "from": case.state.key(), "to": next.key() }),
            },
            now,
        )?;
        // An opt-out's clock started when it was filed (and said so).
        if case.received_on.is_none() {
            clock_started(ctx, conn, case.id, &deadline, now)?;
        }
        acknowledge(ctx, conn, &Addressee::of(&case), &rights, &deadline, now)?;
        if let (Some(agent), Some(_)) = (&case.agent_name, &case.agent_email) {
            let person = Addressee {
                case: Some(case.id),
                name: &case.requester_name,
                email: &case.requester_email,
                reference: &case.reference,
            };
            super::agents::ask_the_person(ctx, conn, &person, agent, now)?;
        }
        Ok(ConfirmOutcome::Confirmed {
            reference: case.reference.clone(),
            deadline: Box::new(deadline),
        })
    })?;
    if let ConfirmOutcome::Confirmed { reference, .. } = &outcome {
        log::info!("case {reference}: email confirmed, clock started");
        ctx.mail.wake();
    }
    Ok(outcome)
}

/// The calendar date, where the organisation is, of a moment stored in UTC.
fn received_day(ctx: &AppContext, at: NaiveDateTime) -> NaiveDate {
    at.and_utc()
        .with_timezone(&ctx.settings.organisation.timezone)
        .date_naive()
}

/// Queues the acknowledgement, with a link to the status page.
fn acknowledge(
    ctx: &AppContext,
    conn: &mut DbConn,
    to: &Addressee<'_>,
    rights: &[crate::domain::RightRequest],
    deadline: &deadline::Deadline,
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    let case = to
        .case
        .ok_or_else(|| db::DbError::Corrupt("a clock for no case".into()))?;
    let link = super::status::issue_link(ctx, conn, case, now)?;
    let message =
        messages::acknowledgement(&ctx.templates, &ctx.settings, to, rights, deadline, &link)?;
    outbox::enqueue(conn, &ctx.sealer, &message, now)?;
    Ok(())
}

/// The audit event saying when the clock started and why it is due when.
fn clock_started(
    ctx: &AppContext,
    conn: &mut DbConn,
    case: CaseId,
    deadline: &deadline::Deadline,
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    events::append(
        conn,
        &ctx.audit_key,
        case,
        NewEvent {
            kind: CaseEvent::ClockStarted,
            effective_on: Some(deadline.received),
            actor: Actor::System,
            detail: json!({
                "regime": deadline.regime.key(),
                "due": deadline.due,
                "acknowledge_by": deadline.acknowledge_by,
                "opt_out_due": deadline.opt_out_due,
                "derivation": deadline.derivation,
            }),
        },
        now,
    )?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResendOutcome {
    Sent { reference: Reference },
    TooMany { reference: Reference },
    NotApplicable(Option<LinkInfo>),
}

/// Sends a fresh confirmation link for the request an old link belongs to,
/// if that request still awaits confirmation. No new case is made.
pub fn resend_link(ctx: &AppContext, old_token: &str) -> Result<ResendOutcome, ServiceError> {
    if !secret::looks_like_token(old_token) {
        return Ok(ResendOutcome::NotApplicable(None));
    }
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    let (token, token_hash) = secret::new_token();
    let expires = link_expiry(ctx, now);
    let outcome = db::write_transaction::<_, ServiceError, _>(&mut conn, |conn: &mut DbConn| {
        let Some((_, case, state)) = lookup(conn, &secret::hash(old_token), now)? else {
            return Ok(ResendOutcome::NotApplicable(None));
        };
        if !matches!(state, LinkState::Valid | LinkState::Expired) {
            return Ok(ResendOutcome::NotApplicable(Some(LinkInfo::of(
                &case, state,
            ))));
        }
        let purpose = Purpose::ConfirmEmail;
        let last_hour =
            links::count_for_cases(conn, purpose, &[case.id], Some(now - Duration::hours(1)))?;
        if links::count_for_cases(conn, purpose, &[case.id], None)? >= MAX_LINKS
            || last_hour >= MAX_LINKS_PER_HOUR
        {
            return Ok(ResendOutcome::TooMany {
                reference: case.reference,
            });
        }
        links::insert(
            conn,
            Purpose::ConfirmEmail,
            Opens::Case(case.id),
            &token_hash,
            now,
            expires,
        )?;
        events::append(
            conn,
            &ctx.audit_key,
            case.id,
            NewEvent {
                kind: CaseEvent::ConfirmationLinkResent,
                effective_on: None,
                actor: Actor::Requester,
                detail: json!({}),
            },
            now,
        )?;
        let rights = cases::rights(conn, case.id)?;
        let message = messages::confirm_email(
            &ctx.templates,
            &ctx.settings,
            &Addressee::of(&case),
            case.regime,
            &rights,
            &confirm_link(ctx, &token),
        )?;
        outbox::enqueue(conn, &ctx.sealer, &message, now)?;
        Ok(ResendOutcome::Sent {
            reference: case.reference,
        })
    })?;
    if let ResendOutcome::Sent { reference } = &outcome {
        log::info!("case {reference}: new confirmation link sent");
        ctx.mail.wake();
    }
    Ok(outcome)
}

/// Expires requests whose email was not confirmed within
/// `requests.unconfirmed_expiry_days`, erasing their personal data (the
/// confirmation email promised it); each closes on today's date where the
/// organisation is (`tz`). Returns how many expired.
pub fn expire_unconfirmed(
    pool: &db::Pool,
    audit_key: &crate::crypto::AuditKey,
    now: chrono::DateTime<chrono::Utc>,
    expiry_days: u32,
    tz: chrono_tz::Tz,
) -> Result<usize, ServiceError> {
    let mut conn = pool.get()?;
    let now = db::timestamp(now);
    let cutoff = now - Duration::days(expiry_days.into());
    let mut expired = 0;
    for id in cases::unconfirmed_before(&mut conn, cutoff)? {
        let moved = db::write_transaction::<_, ServiceError, _>(&mut conn, |conn: &mut DbConn| {
            let from = CaseState::Submitted;
            let to = from
                .apply(Transition::ConfirmationLapsed)
                .map_err(|e| db::DbError::Corrupt(format!("expiry: {e}")))?;
            if !cases::move_state(conn, id, from, to, now, tz)? {
                return Ok(false); // confirmed meanwhile
            }
            links::spend_all_for_case(conn, Purpose::ConfirmEmail, id, now)?;
            // Never confirmed, never started: keep only the minimal record.
            cases::erase_personal_data(conn, id, now)?;
            outbox::delete_for_case(conn, id)?;
            events::append(
                conn,
                audit_key,
                id,
                NewEvent {
                    kind: CaseEvent::RequestExpired,
                    effective_on: None,
                    actor: Actor::System,
                    detail: json!({
                        "reason": "email not confirmed",
                        "after_days": expiry_days,
                        "personal_data_erased": true,
                    }),
                },
                now,
            )?;
            Ok(true)
        })?;
        if moved {
            expired += 1;
        }
    }
    if expired > 0 {
        log::info!("{expired} unconfirmed request(s) expired");
    }
    Ok(expired)
}

/// Enters a request that arrived by email, phone, post or in person. The
/// real date of receipt starts the clock; the requester is acknowledged by
/// email at once (their address is as they gave it to staff).
pub fn enter_request(
    ctx: &AppContext,
    by: Actor,
    request: &NewRequest,
    channel: crate::domain::casework::Channel,
    received_on: NaiveDate,
) -> Result<Result<Reference, DeadlineError>, ServiceError> {
    enter_request_with(ctx, by, request, channel, received_on, |_, _| Ok(()))
}

/// As [`enter_request`], and `then` runs in the transaction that makes the
/// case (to record, with it, where it came from).
pub fn enter_request_with(
    ctx: &AppContext,
    by: Actor,
    request: &NewRequest,
    channel: crate::domain::casework::Channel,
    received_on: NaiveDate,
    then: impl FnOnce(&mut DbConn, CaseId) -> Result<(), ServiceError>,
) -> Result<Result<Reference, DeadlineError>, ServiceError> {
    use crate::domain::rights::Choice;
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let rights: Vec<_> = request.rights.iter().map(|r| r.right()).collect();
    let deadline = match deadline::compute(
        DeadlineInput {
            regime: request.regime,
            received: received_on,
            rights: &rights,
            events: &[],
            fast_track: request
                .rights
                .iter()
                .any(|r| request.regime.is_fast_track(r)),
        },
        ctx.calendars.current(&mut conn)?.for_regime(request.regime),
        today,
    ) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let reference = db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        let reference = unused_reference(conn)?;
        let case = cases::insert(
            conn,
            request,
            &reference,
            cases::Start::Manual {
                channel: channel.key(),
                received_on,
                due_on: deadline.next_due(),
            },
            now,
        )?;
        let rights: Vec<&str> = request.rights.iter().map(|r| r.right().key()).collect();
        events::start_chain(
            conn,
            &ctx.audit_key,
            case,
            NewEvent {
                kind: CaseEvent::RequestEntered,
                effective_on: Some(received_on),
                actor: by,
                detail: json!({
                    "channel": channel.key(),
                    "regime": request.regime.key(),
                    "rights": rights,
                    "agent": matches!(request.requester, Requester::Agent { .. }),
                }),
            },
            now,
        )?;
        let to = Addressee {
            case: Some(case),
            name: request.correspondent().0,
            email: request.correspondent().1,
            reference: &reference,
        };
        clock_started(ctx, conn, case, &deadline, now)?;
        acknowledge(ctx, conn, &to, &request.rights, &deadline, now)?;
        if let Requester::Agent { agent_name, .. } = &request.requester {
            let person = Addressee {
                case: Some(case),
                name: &request.name,
                email: request.email.as_str(),
                reference: &reference,
            };
            super::agents::ask_the_person(ctx, conn, &person, agent_name, now)?;
        }
        then(conn, case)?;
        Ok(reference)
    })?;
    log::info!(
        "case {reference} entered by {} ({})",
        by.key(),
        channel.key()
    );
    ctx.mail.wake();
    Ok(Ok(reference))
}
