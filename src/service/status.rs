//! The requester's private status page: its links (sent in the
//! acknowledgement and in every email that asks something of the
//! requester, or asked for again by address; each works until it expires),
//! what
//! the page shows, and the requester's replies and withdrawal through it.

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use super::casework::{self, ActionError, Command, Mode};
use super::ServiceError;
use crate::app::AppContext;
use crate::db::cases::{self, Case, CaseId, CaseRight};
use crate::db::links::{self, Opens, Purpose};
use crate::db::status::{self, Reply};
use crate::db::{self, events, outbox, DbConn};
use crate::domain::audit::{Actor, CaseEvent};
use crate::domain::deadline::{Deadline, DeadlineError};
use crate::domain::{CaseState, Email};
use crate::mail::messages::{self, Addressee};
use crate::secret;

/// The longest reply a requester may send (on their page or by email).
pub const MAX_REPLY: usize = 5_000;

/// Makes a new link to the case's status page (earlier ones keep working
/// until they expire); returns its address.
pub fn issue_link(
    ctx: &AppContext,
    conn: &mut DbConn,
    case: CaseId,
    now: NaiveDateTime,
) -> Result<String, ServiceError> {
    let (token, hash) = secret::new_token();
    let expires = now + Duration::days(ctx.settings.requests.status_link_ttl_days.into());
    // Earlier links keep working until they expire: anyone who knows an
    // address can ask for a link to be sent to it, and that must not cut the
    // requester off from a link they hold.
    links::insert(
        conn,
        Purpose::Status,
        Opens::Case(case),
        &hash,
        now,
        expires,
    )?;
    Ok(format!("{}/status/{token}", ctx.settings.base_url()))
}

/// What the requester's page shows.
pub struct StatusView {
    pub case: Case,
    pub rights: Vec<CaseRight>,
    pub deadline: Option<Result<Deadline, DeadlineError>>,
    /// Asked for proof of identity: the due date it would give if it came
    /// today.
    pub due_if_proof_today: Option<chrono::NaiveDate>,
    /// Extension reasons recorded, in the requester's words.
    pub extended_because: Option<String>,
    /// The recipients of the person's data told of its erasure,
    /// correction or restriction (GDPR Art. 19: the requester may ask).
    pub recipients_told: Vec<String>,
    /// The data package, if there is one still to download: its size and
    /// when it expires.
    pub package: Option<(i64, NaiveDateTime)>,
    /// The answer, once the case is completed.
    pub answer: Option<Vec<crate::domain::answer::Section>>,
    /// Messages sent to the requester's address for this case.
    pub messages: Vec<outbox::Message>,
    pub replies: Vec<Reply>,
    /// Identity proof is asked for and can be uploaded now.
    pub proof_asked: bool,
    /// Documents sent and waiting for review.
    pub documents_pending: usize,
    /// Identity questions asked (id, question, answered).
    pub questions: Vec<(i64, String, bool)>,
    /// An agent filed it and may send the person's signed permission now.
    pub permission_wanted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAccess {
    Unknown,
    Stale,
}

/// The case a status-page link leads to, or why it leads nowhere.
pub(crate) fn case_for(
    ctx: &AppContext,
    conn: &mut DbConn,
    token: &str,
) -> Result<Result<Case, PageAccess>, ServiceError> {
    if !secret::looks_like_token(token) {
        return Ok(Err(PageAccess::Unknown));
    }
    let now = db::timestamp(ctx.clock.now());
    Ok(
        match links::find(conn, Purpose::Status, &secret::hash(token))? {
            None => Err(PageAccess::Unknown),
            Some(link) => match link.case() {
                Some(id) if link.usable(now) => Ok(cases::find(conn, id)?),
                _ => Err(PageAccess::Stale),
            },
        },
    )
}

/// Reads the page a link leads to. Changes nothing (links are opened by
/// mail scanners too).
pub fn view(ctx: &AppContext, token: &str) -> Result<Result<StatusView, PageAccess>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let case = match case_for(ctx, &mut conn, token)? {
        Ok(case) => case,
        Err(e) => return Ok(Err(e)),
    };
    let trail = events::list(&mut conn, case.id)?;
    let rights = cases::rights_with_outcomes(&mut conn, case.id)?;
    let extended_because = trail
        .iter()
        .rfind(|e| e.what() == Some(CaseEvent::DeadlineExtended))
        .and_then(|e| serde_json::from_str::<serde_json::Value>(&e.detail).ok())
        .and_then(|d| d.get("reason").and_then(|r| r.as_str()).map(str::to_owned))
        .and_then(|key| {
            use crate::domain::rights::Choice;
            crate::domain::casework::ExtensionReason::parse(&key).map(|r| r.label().to_owned())
        });
    let recipients_told = super::fulfilment::recipients_told(&trail);
    let messages = outbox::for_case(&mut conn, &ctx.sealer, case.id)?
        .into_iter()
        .filter(|m| m.recipient.eq_ignore_ascii_case(Addressee::of(&case).email))
        .filter(|m| m.template != "confirm_email" && m.template != "status_link")
        .collect();
    let proof_asked =
        case.state == CaseState::AwaitingIdentity && casework::asked_for_identity(&trail);
    let permission_wanted = case.agent_email.is_some() && case.state == CaseState::AwaitingIdentity;
    let calendars = ctx.calendars.current(&mut conn)?;
    Ok(Ok(StatusView {
        permission_wanted,
        proof_asked,
        documents_pending: crate::db::documents::list(&mut conn, case.id)?.len(),
        questions: crate::db::questions::list(&mut conn, case.id)?
            .into_iter()
            .map(|q| (q.id, q.question, q.answer.is_some()))
            .collect(),
        deadline: casework::deadline_of(ctx, &calendars, &case, &trail, &rights),
        due_if_proof_today: if proof_asked {
            casework::due_if_proof_today(ctx, &calendars, &case, &trail, &rights)
        } else {
            None
        },
        rights,
        replies: status::replies(&mut conn, case.id)?,
        extended_because,
        recipients_told,
        package: crate::db::packages::info(&mut conn, case.id)?
            .map(|(bytes, expires, _)| (bytes, expires))
            .filter(|(_, expires)| *expires > db::timestamp(ctx.clock.now())),
        answer: crate::db::answers::get(&mut conn, case.id)?
            .filter(|_| case.state == CaseState::Completed),
        messages,
        case,
    }))
}

/// Why a reply or withdrawal did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageActionError {
    Access(PageAccess),
    Refused(ActionError),
}

/// The requester writes to us through their page.
pub fn reply(
    ctx: &AppContext,
    token: &str,
    body: &str,
) -> Result<Result<(), PageActionError>, ServiceError> {
    act(
        ctx,
        token,
        Command::RequesterReply {
            body: body.to_owned(),
            by_email: false,
        },
    )
}

/// The requester answers our identity questions through their page.
pub fn answer(
    ctx: &AppContext,
    token: &str,
    answers: Vec<(i64, String)>,
) -> Result<Result<(), PageActionError>, ServiceError> {
    act(ctx, token, Command::RequesterAnswers { answers })
}

/// The requester withdraws their request through their page.
pub fn withdraw(
    ctx: &AppContext,
    token: &str,
) -> Result<Result<(), PageActionError>, ServiceError> {
    act(
        ctx,
        token,
        Command::Withdraw {
            note: String::new(),
        },
    )
}

fn act(
    ctx: &AppContext,
    token: &str,
    command: Command,
) -> Result<Result<(), PageActionError>, ServiceError> {
    let case = {
        let mut conn = ctx.pool.get()?;
        match case_for(ctx, &mut conn, token)? {
            Ok(case) => case,
            Err(e) => return Ok(Err(PageActionError::Access(e))),
        }
    };
    Ok(casework::perform_as(
        ctx,
        casework::Acting::Requester,
        &case.reference,
        command,
        Mode::Commit,
    )?
    .map(|_| ())
    .map_err(PageActionError::Refused))
}

/// Emails a fresh status link for every request of this address, within
/// the hourly limit. Says nothing about whether any exist: the caller shows
/// the same page either way.
pub fn send_links(ctx: &AppContext, email: &Email) -> Result<usize, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    let limit = i64::from(ctx.settings.requests.max_status_links_per_address_hour);
    let sent = db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        let theirs = cases::for_address(conn, email.as_str())?;
        let ids: Vec<CaseId> = theirs.iter().map(|c| c.id).collect();
        let mut budget = limit
            - links::count_for_cases(conn, Purpose::Status, &ids, Some(now - Duration::hours(1)))?;
        let mut sent = 0;
        for case in theirs {
            // Unconfirmed requests have their own link; expired ones were erased.
            if matches!(case.state, CaseState::Submitted | CaseState::Expired) {
                continue;
            }
            if budget <= 0 {
                log::warn!("status links: hourly limit reached for one address");
                break;
            }
            let link = issue_link(ctx, conn, case.id, now)?;
            let message =
                messages::status_link(&ctx.templates, &ctx.settings, &Addressee::of(&case), &link)?;
            outbox::enqueue(conn, &ctx.sealer, &message, now)?;
            events::append(
                conn,
                &ctx.audit_key,
                case.id,
                events::NewEvent {
                    kind: CaseEvent::StatusLinkSent,
                    effective_on: None,
                    actor: Actor::Requester,
                    detail: json!({}),
                },
                now,
            )?;
            budget -= 1;
            sent += 1;
        }
        Ok(sent)
    })?;
    if sent > 0 {
        ctx.mail.wake();
    }
    Ok(sent)
}
