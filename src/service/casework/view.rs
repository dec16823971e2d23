//! What a case page shows, loaded in one go (and the view recorded).

use serde_json::json;

use super::deadline_of;
use crate::app::AppContext;
use crate::db::cases::{self, Case};
use crate::db::events::{self, Event, NewEvent};
use crate::db::users::{self, User};
use crate::db::{self, documents, notes, outbox, questions, status};
use crate::domain::audit::{Actor, CaseEvent};
use crate::domain::deadline::{Deadline, DeadlineError};
use crate::domain::{Reference, RightRequest};
use crate::service::ServiceError;

/// Everything the case page shows.
pub struct CaseView {
    pub case: Case,
    pub rights: Vec<cases::CaseRight>,
    pub deadline: Option<Result<Deadline, DeadlineError>>,
    pub trail: Vec<Event>,
    pub messages: Vec<outbox::Message>,
    pub notes: Vec<notes::Note>,
    pub replies: Vec<status::Reply>,
    /// Identity documents waiting for review (without their bytes).
    pub documents: Vec<documents::DocumentInfo>,
    /// Known data points asked for, with the answers so far.
    pub questions: Vec<questions::Question>,
    /// Every account, for names in the trail and the assignee list.
    pub people: Vec<User>,
    pub duplicate_of: Option<Reference>,
    pub broken_link: Option<i64>,
    /// The verification level the policy asks for, and why.
    pub verification: (crate::domain::verification::Level, String),
    /// For an agent's request: whether the person has confirmed the agent.
    pub agent_authority: Option<String>,
    /// The tasks in each system, once verified.
    pub tasks: Vec<crate::db::tasks::Task>,
    /// The answer: as given (completed), or as it would read now (every
    /// right answered, not yet sent), with whether it is that draft.
    pub answer: Option<(Vec<crate::domain::answer::Section>, bool)>,
    /// The answer texts changed for this case: (key, text).
    pub own_texts: Vec<(String, String)>,
    /// The organisation's texts as every answer quotes them now.
    pub general_texts: crate::service::org_texts::GeneralTexts,
}

/// Loads a case for its page and records that `by` viewed it.
pub fn view(
    ctx: &AppContext,
    by: Actor,
    reference: &Reference,
) -> Result<Option<CaseView>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    let Some(case) = cases::find_by_reference(&mut conn, reference)? else {
        return Ok(None);
    };
    db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        events::append(
            conn,
            &ctx.audit_key,
            case.id,
            NewEvent {
                kind: CaseEvent::CaseViewed,
                effective_on: None,
                actor: by,
                detail: json!({}),
            },
            now,
        )?;
        Ok(())
    })?;
    let duplicate_of = case
        .duplicate_of
        .map(|id| cases::find(&mut conn, id).map(|c| c.reference))
        .transpose()?;
    let rights = cases::rights_with_outcomes(&mut conn, case.id)?;
    let trail = events::list(&mut conn, case.id)?;
    let requested: Vec<RightRequest> = rights.iter().map(|r| r.request.clone()).collect();
    let policies = crate::db::policies::all(&mut conn)?;
    let agent_authority = crate::service::agents::status_of(&mut conn, &case)?;
    let tasks = crate::db::tasks::for_case(&mut conn, case.id)?;
    let own_texts = crate::db::answers::texts_of_case(&mut conn, case.id)?;
    let general_texts = crate::service::org_texts::load(&ctx.settings, &mut conn)?;
    let answer = match crate::db::answers::get(&mut conn, case.id)? {
        Some(given) if case.state == crate::domain::CaseState::Completed => Some((given, false)),
        _ if !case.state.is_closed() && rights.iter().all(|r| r.outcome.is_some()) => {
            let parts = crate::service::fulfilment::Answering {
                rights: &rights,
                tasks: &tasks,
                trail: &trail,
                own_texts: &own_texts,
            };
            let draft = crate::service::fulfilment::answer_from(ctx, &mut conn, &case, &parts, "")?;
            Some((draft, true))
        }
        _ => None,
    };
    let calendars = ctx.calendars.current(&mut conn)?;
    Ok(Some(CaseView {
        own_texts,
        general_texts,
        answer,
        tasks,
        agent_authority,
        verification: crate::domain::verification::level_for_case(
            &requested,
            case.regime,
            &policies,
        ),
        deadline: deadline_of(ctx, &calendars, &case, &trail, &rights),
        broken_link: events::first_broken_in(&ctx.audit_key, &trail),
        rights,
        trail,
        messages: outbox::for_case(&mut conn, &ctx.sealer, case.id)?,
        notes: notes::for_case(&mut conn, case.id)?,
        replies: status::replies(&mut conn, case.id)?,
        documents: documents::list(&mut conn, case.id)?,
        questions: questions::list(&mut conn, case.id)?,
        people: users::all(&mut conn)?,
        duplicate_of,
        case,
    }))
}
