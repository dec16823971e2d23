//! The Data Rights Protocol, covered business side: admins register
//! authorised agents and their keys; an agent sets up its bearer token with
//! a signed message (pair-wise key set-up), files requests that become
//! cases, reads their status, revokes them, and is told of each change of
//! status at its callback address (from a durable queue, with retries).

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::webhooks::retry_at;
use super::{casework, intake, ServiceError};
use crate::app::AppContext;
use crate::clock::Clock;
use crate::db::drp::{self as store, Agent, Request};
use crate::db::webhooks::Attempt;
use crate::db::{self, cases, events, DbConn, DbError, Pool};
use crate::domain::audit::{Actor, AdminEvent, CaseEvent};
use crate::domain::casework::Channel;
use crate::domain::drp::{self, Envelope, ExerciseMessage, Reason, Refusal, Status};
use crate::domain::intake::IntakeInput;
use crate::domain::{NewRequest, Regime};
use crate::secret;

/// Registers an agent of the DRP network by its id and its verify key.
pub fn register_agent(
    conn: &mut DbConn,
    audit_key: &crate::crypto::AuditKey,
    by: Actor,
    agent_id: &str,
    name: &str,
    verify_key: &str,
    now: NaiveDateTime,
) -> Result<Result<i64, String>, ServiceError> {
    let agent_id = match drp::parse_agent_id(agent_id) {
        Ok(id) => id,
        Err(e) => return Ok(Err(e)),
    };
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Ok(Err(
            "Give the agent's name (at most 200 characters), as people know it".into(),
        ));
    }
    let key = match drp::parse_verify_key(verify_key) {
        Ok(key) => drp::key_text(&key),
        Err(e) => return Ok(Err(e)),
    };
    db::write_transaction::<_, ServiceError, _>(conn, |conn| {
        if store::agent_named(conn, &agent_id)?.is_some() {
            return Ok(Err(format!(
                "An agent with the id {agent_id} is already registered"
            )));
        }
        let id = store::insert_agent(conn, &agent_id, name, &key, &by.key(), now)?;
        events::append_admin(
            conn,
            audit_key,
            AdminEvent::DrpAgentAdded,
            by,
            json!({ "agent": id, "agent_id": agent_id, "name": name, "verify_key": key }),
            now,
        )?;
        Ok(Ok(id))
    })
}

/// Turns an agent on or off (off ends its token); false when there is none.
pub fn set_agent_active(
    conn: &mut DbConn,
    audit_key: &crate::crypto::AuditKey,
    by: Actor,
    id: i64,
    active: bool,
    now: NaiveDateTime,
) -> Result<bool, ServiceError> {
    db::write_transaction::<_, ServiceError, _>(conn, |conn| {
        if !store::set_active(conn, id, active)? {
            return Ok(false);
        }
        events::append_admin(
            conn,
            audit_key,
            AdminEvent::DrpAgentChanged,
            by,
            json!({ "agent": id, "active": active }),
            now,
        )?;
        Ok(true)
    })
}

/// This business's id in the network; `None` when the DRP is off.
pub fn business_id(ctx: &AppContext) -> Option<&str> {
    Some(ctx.settings.drp.business_id.as_str()).filter(|b| !b.is_empty())
}

/// Pair-wise key set-up (section 2.05): a message signed by the agent the
/// path names gives it a new bearer token. `None` for any failure, which
/// the specification answers with a bare 403.
pub fn pair(ctx: &AppContext, agent_id: &str, body: &[u8]) -> Result<Option<String>, ServiceError> {
    let Some(business) = business_id(ctx) else {
        return Ok(None);
    };
    let mut conn = ctx.pool.get()?;
    let Some(agent) = store::agent_named(&mut conn, agent_id)?.filter(|a| a.active) else {
        return Ok(None);
    };
    let now = db::timestamp(ctx.clock.now());
    let checked = verify_key(&agent).and_then(|key| {
        let message = drp::open(body, &key)?;
        let envelope: Envelope = drp::parse(&message)?;
        envelope.check(&agent.agent_id, business, now)
    });
    if let Err(refusal) = checked {
        log::warn!(
            "DRP pair-wise set-up by {} refused: {refusal}",
            agent.agent_id
        );
        return Ok(None);
    }
    let (token, hash) = secret::new_token();
    db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        store::set_token(conn, agent.id, &hash, now)?;
        events::append_admin(
            conn,
            &ctx.audit_key,
            AdminEvent::DrpAgentPaired,
            Actor::DrpAgent(agent.id),
            json!({ "agent": agent.id, "agent_id": agent.agent_id }),
            now,
        )?;
        Ok(())
    })?;
    log::info!("DRP agent {} set up a new bearer token", agent.agent_id);
    Ok(Some(token))
}

fn verify_key(agent: &Agent) -> Result<ed25519_dalek::VerifyingKey, Refusal> {
    // Checked when registered: a key that no longer parses is not the agent's.
    drp::parse_verify_key(&agent.verify_key).map_err(|_| Refusal::BadSignature)
}

/// The active agent a bearer token belongs to.
pub fn agent_for_token(ctx: &AppContext, token: &str) -> Result<Option<Agent>, ServiceError> {
    if !secret::looks_like_token(token) {
        return Ok(None);
    }
    let mut conn = ctx.pool.get()?;
    Ok(store::agent_with_token(&mut conn, &secret::hash(token))?)
}

/// A request's status, as section 3.03 shapes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusObject {
    pub request_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_request_id: Option<String>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    pub received_at: String,
    /// The date the law requires an answer by (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_by: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_details: Option<&'static str>,
}

/// Works out a request's status from its case and the case's trail.
fn status_object(conn: &mut DbConn, request: &Request) -> Result<StatusObject, DbError> {
    let case = cases::find(conn, cases::CaseId(request.case_id))?;
    let trail = events::list(conn, case.id)?;
    let refusal_ground = trail
        .iter()
        .rev()
        .find(|e| e.what() == Some(CaseEvent::CaseRefused))
        .and_then(|e| serde_json::from_str::<serde_json::Value>(&e.detail).ok())
        .and_then(|d| d.get("ground").and_then(|g| g.as_str()).map(str::to_owned));
    let extended = trail
        .iter()
        .any(|e| e.what() == Some(CaseEvent::DeadlineExtended));
    let last = |kind: CaseEvent| trail.iter().rposition(|e| e.what() == Some(kind));
    let identity_asked = match last(CaseEvent::IdentityRequested) {
        Some(asked) => last(CaseEvent::IdentityReceived).is_none_or(|got| got < asked),
        None => false,
    };
    let duplicate = case.duplicate_of.is_some();
    let (status, reason) = drp::status_of(case.state, refusal_ground.as_deref(), duplicate);
    Ok(StatusObject {
        request_id: request.request_id.clone(),
        agent_request_id: request.agent_request_id.clone(),
        status,
        reason,
        received_at: request.received_at.and_utc().to_rfc3339(),
        expected_by: case.due_on.filter(|_| !case.state.is_closed()),
        processing_details: drp::details(case.state, identity_asked, extended, duplicate),
    })
}

/// Files a Data Rights Exercise message (section 2.01) from `agent` as a
/// case, after the checks of section 3.07 in their order. The same message
/// (or `agent-request-id`) sent again gives the request already filed.
pub fn exercise(
    ctx: &AppContext,
    agent: &Agent,
    body: &[u8],
) -> Result<Result<StatusObject, Refusal>, ServiceError> {
    let business = business_id(ctx).unwrap_or_default();
    let now = db::timestamp(ctx.clock.now());
    let opened = verify_key(agent).and_then(|key| {
        let message = drp::open(body, &key)?;
        let envelope: Envelope = drp::parse(&message)?;
        envelope.check(&agent.agent_id, business, now)?;
        Ok(message)
    });
    let message = match opened {
        Ok(m) => m,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let parsed = drp::parse::<ExerciseMessage>(&message).and_then(|m| {
        let asked = m.asked()?;
        Ok((m, asked))
    });
    let (message_fields, asked) = match parsed {
        Ok(p) => p,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let message_hash = hex::encode(Sha256::digest(&message));
    let mut conn = ctx.pool.get()?;
    if let Some(filed) = store::already_filed(
        &mut conn,
        agent.id,
        &message_hash,
        message_fields.agent_request_id.as_deref(),
    )? {
        return Ok(Ok(status_object(&mut conn, &filed)?));
    }
    let request = match new_request(ctx, agent, &message_fields, &asked) {
        Ok(r) => r,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if let Some(callback) = &message_fields.status_callback {
        if crate::domain::webhook::parse_endpoint_url(callback).is_err() {
            return Ok(Err(Refusal::Claims(
                "status_callback is not an http(s) address".into(),
            )));
        }
    }
    let request_id = uuid::Uuid::new_v4().to_string();
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let entered = intake::enter_request_with(
        ctx,
        Actor::DrpAgent(agent.id),
        &request,
        Channel::Drp,
        today,
        |conn, case| {
            let id = store::insert_request(
                conn,
                &store::NewRequest {
                    request_id: &request_id,
                    agent: agent.id,
                    case,
                    agent_request_id: message_fields.agent_request_id.as_deref(),
                    exercise: asked.exercise.key(),
                    regime: asked.regime.as_deref(),
                    status_callback: message_fields.status_callback.as_deref(),
                    message_hash: &message_hash,
                    received_at: now,
                },
            )?;
            // The answer to this call tells the first status; callbacks
            // tell only changes from it.
            let filed = store::request(conn, &request_id)?
                .ok_or_else(|| DbError::Corrupt("a DRP request just filed is not found".into()))?;
            let told = serde_json::to_string(&status_object(conn, &filed)?)
                .map_err(|e| DbError::Corrupt(e.to_string()))?;
            store::set_last_told(conn, id, &told)?;
            Ok(())
        },
    );
    match entered {
        Ok(Ok(reference)) => {
            log::info!(
                "case {reference} filed through the DRP by agent {}",
                agent.agent_id
            );
        }
        Ok(Err(e)) => return Err(ServiceError::Deadline(e)),
        Err(e) => {
            // The same message filed at the same moment by another call.
            if store::already_filed(
                &mut conn,
                agent.id,
                &message_hash,
                message_fields.agent_request_id.as_deref(),
            )?
            .is_none()
            {
                return Err(e);
            }
        }
    }
    let filed = match store::request(&mut conn, &request_id)? {
        Some(new) => new,
        None => store::already_filed(
            &mut conn,
            agent.id,
            &message_hash,
            message_fields.agent_request_id.as_deref(),
        )?
        .ok_or_else(|| DbError::Corrupt("a DRP request just filed is not found".into()))?,
    };
    Ok(Ok(status_object(&mut conn, &filed)?))
}

/// The request an exercise message becomes, checked as the web form checks
/// its fields. DRP rights are the CCPA's: the case is a Californian's.
fn new_request(
    ctx: &AppContext,
    agent: &Agent,
    message: &ExerciseMessage,
    asked: &drp::Asked,
) -> Result<NewRequest, Refusal> {
    let input = IntakeInput {
        name: message.name.clone().unwrap_or_default(),
        email: message.email.clone().unwrap_or_default(),
        location: "US-CA".into(),
        rights: vec![asked.right.key().to_owned()],
        access_scope: asked.exercise.access_scope().unwrap_or_default().to_owned(),
        description: message.attested(&agent.name),
        acting_as: "self".into(),
        ..IntakeInput::default()
    };
    let request = NewRequest::parse(&input, &ctx.jurisdiction).map_err(|errors| {
        let said: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", claim_name(e.field), e.message))
            .collect();
        Refusal::Claims(format!(
            "The claims are not enough to file: {}",
            said.join("; ")
        ))
    })?;
    if request.regime != Regime::CCPA {
        return Err(Refusal::Claims(
            "This business does not handle requests under the CCPA (outside_jurisdiction)".into(),
        ));
    }
    Ok(request)
}

fn claim_name(field: &str) -> &str {
    match field {
        "rights" => "exercise",
        "description" => "claims",
        other => other,
    }
}

/// Why a status or revoke call finds nothing to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    NotFound,
    /// Another agent's request (section 2.02: 403).
    Foreign,
}

fn owned(
    conn: &mut DbConn,
    agent: &Agent,
    request_id: &str,
) -> Result<Result<Request, Lookup>, DbError> {
    Ok(match store::request(conn, request_id)? {
        None => Err(Lookup::NotFound),
        Some(r) if r.agent_id != agent.id => Err(Lookup::Foreign),
        Some(r) => Ok(r),
    })
}

/// The status of one of `agent`'s requests (section 2.02).
pub fn status(
    ctx: &AppContext,
    agent: &Agent,
    request_id: &str,
) -> Result<Result<StatusObject, Lookup>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    Ok(match owned(&mut conn, agent, request_id)? {
        Ok(request) => Ok(status_object(&mut conn, &request)?),
        Err(e) => Err(e),
    })
}

/// What a revoke call comes to.
#[derive(Debug)]
pub enum Revoked {
    Done(StatusObject),
    Missing(Lookup),
    Refused(Refusal),
    /// The case is closed already: its status says how.
    TooLate(StatusObject),
}

/// Revokes one of `agent`'s requests (section 2.04): the signed message
/// (its `reason` optional) withdraws the case, as the person could.
pub fn revoke(
    ctx: &AppContext,
    agent: &Agent,
    request_id: &str,
    body: &[u8],
) -> Result<Revoked, ServiceError> {
    #[derive(serde::Deserialize)]
    struct RevokeMessage {
        reason: Option<String>,
    }
    let mut conn = ctx.pool.get()?;
    let request = match owned(&mut conn, agent, request_id)? {
        Ok(r) => r,
        Err(e) => return Ok(Revoked::Missing(e)),
    };
    let opened = verify_key(agent)
        .and_then(|key| drp::open(body, &key))
        .and_then(|m| drp::parse::<RevokeMessage>(&m));
    let message = match opened {
        Ok(m) => m,
        Err(refusal) => return Ok(Revoked::Refused(refusal)),
    };
    let case = cases::find(&mut conn, cases::CaseId(request.case_id))?;
    if case.state.is_closed() {
        return Ok(Revoked::TooLate(status_object(&mut conn, &request)?));
    }
    let reason = message.reason.unwrap_or_default();
    let note = format!(
        "Revoked by the authorised agent {} through the Data Rights Protocol{}",
        agent.name,
        if reason.trim().is_empty() {
            String::new()
        } else {
            format!(": {}", reason.trim())
        }
    );
    let done = casework::perform_as(
        ctx,
        casework::Acting::DrpAgent(agent.id),
        &case.reference,
        casework::Command::Withdraw { note },
        casework::Mode::Commit,
    )?;
    if let Err(e) = done {
        log::warn!("DRP revoke of case {}: {e}", case.reference);
        return Ok(Revoked::TooLate(status_object(&mut conn, &request)?));
    }
    Ok(Revoked::Done(status_object(&mut conn, &request)?))
}

/// The registered agents, with how many requests each filed.
pub fn agents(conn: &mut DbConn) -> Result<Vec<(Agent, i64)>, ServiceError> {
    let counts = store::request_counts(conn)?;
    Ok(store::agents(conn)?
        .into_iter()
        .map(|a| {
            let n = counts.iter().find(|(id, _)| *id == a.id).map_or(0, |c| c.1);
            (a, n)
        })
        .collect())
}

/// What one round of callbacks did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub delivered: usize,
    pub unchanged: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Sends every due status callback, batch after batch: the request's status
/// as it is when sent, and only when it differs from the last one told.
pub fn send_callbacks(
    agent: &ureq::Agent,
    pool: &Pool,
    clock: &dyn Clock,
) -> Result<Report, ServiceError> {
    const LEASE: chrono::Duration = chrono::Duration::minutes(2);
    let mut report = Report::default();
    let mut conn = pool.get()?;
    loop {
        let now = db::timestamp(clock.now());
        let batch = store::claim_due(&mut conn, now, now + LEASE, 16)?;
        if batch.is_empty() {
            return Ok(report);
        }
        for (callback, request) in &batch {
            let status = serde_json::to_string(&status_object(&mut conn, request)?)
                .map_err(|e| DbError::Corrupt(e.to_string()))?;
            let at = db::timestamp(clock.now());
            if request.last_told.as_deref() == Some(status.as_str()) {
                report.unchanged += 1;
                store::record(
                    &mut conn,
                    callback,
                    &Attempt::Delivered { at, status: 0 },
                    None,
                )?;
                continue;
            }
            let Some(url) = &request.status_callback else {
                continue;
            };
            let attempt = match agent
                .post(url)
                .set("content-type", "application/json")
                .send_string(&status)
            {
                Ok(response) => Attempt::Delivered {
                    at,
                    status: i32::from(response.status()),
                },
                Err(ureq::Error::Status(code, _)) => Attempt::Failed {
                    at,
                    status: Some(i32::from(code)),
                    error: format!("the agent answered {code}"),
                    retry_at: retry_at(callback.attempts, at),
                },
                Err(ureq::Error::Transport(e)) => Attempt::Failed {
                    at,
                    status: None,
                    error: format!("not delivered: {e}"),
                    retry_at: retry_at(callback.attempts, at),
                },
            };
            match &attempt {
                Attempt::Delivered { .. } => report.delivered += 1,
                Attempt::Failed {
                    retry_at: Some(_),
                    error,
                    ..
                } => {
                    log::warn!(
                        "DRP callback for {}: {error}; will retry",
                        request.request_id
                    );
                    report.retrying += 1;
                }
                Attempt::Failed { error, .. } => {
                    log::warn!(
                        "DRP callback for {} failed for good: {error}",
                        request.request_id
                    );
                    report.failed += 1;
                }
            }
            store::record(&mut conn, callback, &attempt, Some(&status))?;
        }
    }
}
