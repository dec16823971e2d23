//! Authorised agents: when an agent files for someone, the person is asked
//! by email, through a single-use link, to confirm (or deny) that the agent
//! acts for them. The link's page changes nothing; its buttons do.

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use super::ServiceError;
use crate::app::AppContext;
use crate::db::cases::{self, Case};
use crate::db::links::{self, Opens, Purpose};
use crate::db::{self, events, outbox, DbConn};
use crate::domain::audit::{Actor, CaseEvent};
use crate::mail::messages::{self, Addressee};
use crate::secret;

/// How long the person's link works.
pub const LINK_DAYS: i64 = 30;

/// Asks the person named on an agent's request to confirm the agent.
pub fn ask_the_person(
    ctx: &AppContext,
    conn: &mut DbConn,
    person: &Addressee<'_>,
    agent_name: &str,
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    let case = person
        .case
        .ok_or_else(|| db::DbError::Corrupt("an agent check for no case".into()))?;
    // Anyone can name anyone as the person they act for: the person's
    // address gets no more of these a day than the form's cap.
    let cap = i64::from(ctx.settings.requests.max_unconfirmed_per_address);
    let asked = links::agent_checks_of_address_since(conn, person.email, now - Duration::days(1))?;
    if asked >= cap {
        log::warn!("agent check not emailed: daily cap reached for the person's address");
        events::append(
            conn,
            &ctx.audit_key,
            case,
            events::NewEvent {
                kind: CaseEvent::AgentAuthorityNotAsked,
                effective_on: None,
                actor: Actor::System,
                detail: json!({ "reason": "daily cap for the person's address", "cap": cap }),
            },
            now,
        )?;
        return Ok(());
    }
    let (token, hash) = secret::new_token();
    let expires = now + Duration::days(LINK_DAYS);
    links::insert(
        conn,
        Purpose::AgentCheck,
        Opens::Case(case),
        &hash,
        now,
        expires,
    )?;
    let link = format!("{}/authority/{token}", ctx.settings.base_url());
    let message = messages::agent_check(&ctx.templates, &ctx.settings, person, agent_name, &link)?;
    outbox::enqueue(conn, &ctx.sealer, &message, now)?;
    events::append(
        conn,
        &ctx.audit_key,
        case,
        events::NewEvent {
            kind: CaseEvent::AgentAuthorityAsked,
            effective_on: None,
            actor: Actor::System,
            detail: json!({}),
        },
        now,
    )?;
    Ok(())
}

/// What the person's link leads to.
#[derive(Debug, Clone)]
pub enum Check {
    /// Waiting for the person's answer.
    Open { case: Box<Case> },
    /// Already answered.
    Answered { decision: String },
    /// Unknown or expired.
    Unusable,
}

fn check_of(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> Result<(Check, Option<i64>), ServiceError> {
    if !secret::looks_like_token(token) {
        return Ok((Check::Unusable, None));
    }
    let Some(c) = links::find(conn, Purpose::AgentCheck, &secret::hash(token))? else {
        return Ok((Check::Unusable, None));
    };
    if let Some(decision) = c.decision.clone() {
        return Ok((Check::Answered { decision }, Some(c.id)));
    }
    let (Some(case), true) = (c.case(), c.usable(now)) else {
        return Ok((Check::Unusable, Some(c.id)));
    };
    Ok((
        Check::Open {
            case: Box::new(cases::find(conn, case)?),
        },
        Some(c.id),
    ))
}

/// Reads what a link leads to, changing nothing.
pub fn check(ctx: &AppContext, token: &str) -> Result<Check, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    Ok(check_of(&mut conn, token, now)?.0)
}

/// Records the person's answer. A denial alerts staff at once.
pub fn decide(ctx: &AppContext, token: &str, confirmed: bool) -> Result<Check, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    let decision = if confirmed { "confirmed" } else { "denied" };
    let outcome = db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        let (check, id) = check_of(conn, token, now)?;
        let (Check::Open { case }, Some(id)) = (check.clone(), id) else {
            return Ok(check);
        };
        if !links::answer(conn, id, decision, now)? {
            return Ok(Check::Answered {
                decision: decision.into(),
            });
        }
        events::append(
            conn,
            &ctx.audit_key,
            case.id,
            events::NewEvent {
                kind: if confirmed {
                    CaseEvent::AgentAuthorityConfirmed
                } else {
                    CaseEvent::AgentAuthorityDenied
                },
                effective_on: None,
                actor: Actor::DataSubject,
                detail: json!({}),
            },
            now,
        )?;
        let what = if confirmed {
            "has confirmed that their agent acts for them"
        } else {
            "says the agent does NOT act for them"
        };
        for message in super::casework::staff_alerts(ctx, conn, &case, what)? {
            outbox::enqueue(conn, &ctx.sealer, &message, now)?;
        }
        Ok(Check::Answered {
            decision: decision.into(),
        })
    })?;
    ctx.mail.wake();
    Ok(outcome)
}

/// The person's answer so far, for the case page: `None` when no agent.
pub fn status_of(conn: &mut DbConn, case: &Case) -> Result<Option<String>, ServiceError> {
    if case.agent_email.is_none() {
        return Ok(None);
    }
    Ok(Some(
        match links::latest_for_case(conn, Purpose::AgentCheck, case.id)? {
            None => "not asked yet (the request is not confirmed)".into(),
            Some(c) => match (c.decision.as_deref(), c.spent_at) {
                (Some("confirmed"), Some(at)) => {
                    format!("confirmed by the person ({})", at.format("%-d %b %Y"))
                }
                (Some(_), Some(at)) => format!("DENIED by the person ({})", at.format("%-d %b %Y")),
                _ => "asked; the person has not answered yet".into(),
            },
        },
    ))
}
