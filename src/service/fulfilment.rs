//! Carrying a verified request out: its tasks in each system, the links
//! their owners answer through (no staff account needed), and the chasing
//! of tasks past their internal target.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::json;

use super::ServiceError;
use crate::app::AppContext;
use crate::clock::Clock;
use crate::config::Settings;
use crate::crypto::{AuditKey, Sealer};
use crate::db::cases::{self, Case};
use crate::db::events::{self, NewEvent};
use crate::db::links::{self, Opens, Purpose};
use crate::db::outbox::{self, NewMessage};
use crate::db::systems::{self, SystemId};
use crate::db::tasks::{self, Task};
use crate::db::{self, DbConn};
use crate::domain::audit::{Actor, CaseEvent};
use crate::domain::fulfilment::{task_target, tasks_for, Answered};
use crate::domain::Right;
use crate::mail::messages::{self, TaskMail};
use crate::secret;
use crate::templates::Templates;

/// Makes a single-use link to `task` and the email that carries it.
fn task_mail(
    templates: &Templates,
    settings: &Settings,
    conn: &mut DbConn,
    case: &Case,
    task: &Task,
    reminder: bool,
    now: NaiveDateTime,
) -> Result<NewMessage, ServiceError> {
    let (token, hash) = secret::new_token();
    let expires = now + Duration::days(settings.fulfilment.task_link_days.into());
    let opens = Opens::Task {
        case: case.id,
        task: task.id,
    };
    links::insert(conn, Purpose::Task, opens, &hash, now, expires)?;
    let link = format!("{}/tasks/{token}", settings.base_url());
    Ok(messages::task_request(
        templates,
        settings,
        &TaskMail {
            case: case.id,
            reference: &case.reference,
            system: &task.system_name,
            owner: &task.owner_email,
            right: task.right,
            target: task.target_on,
            expires: expires.date(),
            link: &link,
            reminder,
        },
    )?)
}

/// Which rights get their tasks now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Every right still to answer (the case is verified).
    All,
    /// Only the rights acted on without verification (a CCPA opt-out or
    /// limit, from the moment it is filed).
    FastTrack,
}

/// Creates the tasks of a case: one per right still to answer (of those
/// `which` selects) and per active system taking part in it, each emailed
/// to its owner, and records that it did. Returns the emails (the caller
/// queues them in its transaction).
pub fn create_tasks(
    ctx: &AppContext,
    conn: &mut DbConn,
    case: &Case,
    which: Which,
    by: Actor,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Vec<NewMessage>, ServiceError> {
    let rights: Vec<Right> = cases::rights_with_outcomes(conn, case.id)?
        .iter()
        .filter(|r| r.outcome.is_none())
        .filter(|r| which == Which::All || case.regime.is_fast_track(&r.request))
        .map(|r| r.request.right())
        .collect();
    let active: Vec<(SystemId, Vec<Right>)> = systems::all(conn)?
        .into_iter()
        .filter(|s| s.active)
        .map(|s| (s.id, s.spec.rights))
        .collect();
    let settings = &ctx.settings.fulfilment;
    let mut made = Vec::new();
    let mut mail = Vec::new();
    for (system, right) in tasks_for(&rights, &active) {
        let target = task_target(
            today,
            right,
            settings.task_target_days,
            settings.marketing_days,
        );
        let Some(id) = tasks::insert(conn, case.id, system, right, target, now)? else {
            continue;
        };
        let task = tasks::find(conn, id)?
            .ok_or_else(|| db::DbError::Corrupt(format!("task {id} vanished")))?;
        mail.push(task_mail(
            &ctx.templates,
            &ctx.settings,
            conn,
            case,
            &task,
            false,
            now,
        )?);
        made.push(task);
    }
    if !made.is_empty() {
        let systems: Vec<&str> = made.iter().map(|t| t.system_name.as_str()).collect();
        events::append(
            conn,
            &ctx.audit_key,
            case.id,
            NewEvent {
                kind: CaseEvent::TasksCreated,
                effective_on: None,
                actor: by,
                detail: json!({ "tasks": made.len(), "systems": systems }),
            },
            now,
        )?;
    }
    Ok(mail)
}

/// What a task link leads to.
#[derive(Debug, Clone)]
pub enum TaskLink {
    /// The task, open, with its case and what the requester asked for
    /// under the task's right, in words.
    Open {
        task: Task,
        case: Box<Case>,
        details: Option<String>,
    },
    /// Already answered (by its owner or by staff).
    Answered { task: Task },
    /// Unknown, expired, or its case is closed.
    Unusable,
}

fn follow(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> Result<(Option<links::Link>, TaskLink), ServiceError> {
    if !secret::looks_like_token(token) {
        return Ok((None, TaskLink::Unusable));
    }
    let Some(link) = links::find(conn, Purpose::Task, &secret::hash(token))? else {
        return Ok((None, TaskLink::Unusable));
    };
    let Opens::Task { task: task_id, .. } = link.opens else {
        return Ok((None, TaskLink::Unusable));
    };
    let Some(task) = tasks::find(conn, task_id)? else {
        return Ok((None, TaskLink::Unusable));
    };
    if !task.is_open() {
        return Ok((Some(link), TaskLink::Answered { task }));
    }
    let case = cases::find(conn, task.case_id)?;
    if !link.usable(now) || case.state.is_closed() {
        return Ok((Some(link), TaskLink::Unusable));
    }
    let details = cases::rights(conn, case.id)?
        .into_iter()
        .find(|r| r.right() == task.right)
        .map(|r| r.summary());
    Ok((
        Some(link),
        TaskLink::Open {
            task,
            case: Box::new(case),
            details,
        },
    ))
}

/// Opens a task link (changing nothing).
pub fn open_link(ctx: &AppContext, token: &str) -> Result<TaskLink, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    Ok(follow(&mut conn, token, now)?.1)
}

/// A system owner answers their task through its link: the link is spent,
/// the answer recorded and audited, and staff told. Nothing changes unless
/// the link still opens an open task.
pub fn answer_by_owner(
    ctx: &AppContext,
    token: &str,
    answered: &Answered,
    files: &[(String, Vec<u8>)],
) -> Result<TaskLink, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    let result = db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        let (link, state) = follow(conn, token, now)?;
        let (TaskLink::Open { task, case, .. }, Some(link)) = (&state, link) else {
            return Ok((state, false));
        };
        if !links::spend(conn, link.id, now)? {
            return Ok((TaskLink::Unusable, false));
        }
        let by = Actor::SystemOwner(task.system_id.0);
        record_answer(&ctx.audit_key, conn, task, answered, by, now)?;
        super::packages::attach(&ctx.sealer, conn, task, files, now)?;
        let what = format!(
            "'s {} task in {} was answered by its owner",
            task.right.short().to_lowercase(),
            task.system_name
        );
        for message in super::casework::staff_alerts(ctx, conn, case, &what)? {
            outbox::enqueue(conn, &ctx.sealer, &message, now)?;
        }
        let task = tasks::find(conn, task.id)?.unwrap_or_else(|| task.clone());
        Ok((TaskLink::Answered { task }, true))
    })?;
    if result.1 {
        ctx.mail.wake();
    }
    Ok(result.0)
}

/// Records a task's answer and its audit event, and spends its links.
pub fn record_answer(
    key: &AuditKey,
    conn: &mut DbConn,
    task: &Task,
    answered: &Answered,
    by: Actor,
    now: NaiveDateTime,
) -> Result<bool, ServiceError> {
    if !tasks::answer(conn, task.id, answered, &by.key(), now)? {
        return Ok(false);
    }
    links::spend_for_task(conn, task.id, now)?;
    events::append(
        conn,
        key,
        task.case_id,
        NewEvent {
            kind: CaseEvent::TaskAnswered,
            effective_on: None,
            actor: by,
            detail: json!({
                "task": task.id,
                "system": task.system_name,
                "right": task.right.key(),
                "answer": answered.answer.kind_key(),
                "basis": answered.answer.basis(),
            }),
        },
        now,
    )?;
    Ok(true)
}

/// What the chasing job needs (it runs apart from the web app's context).
pub struct Chaser<'a> {
    pub pool: &'a db::Pool,
    pub templates: &'a Templates,
    pub settings: &'a Settings,
    pub sealer: &'a Sealer,
    pub audit_key: &'a AuditKey,
    pub clock: &'a dyn Clock,
}

/// Emails a reminder, with a new link, for each open task past its target
/// not chased in the last `fulfilment.chase_every_days`. Returns how many
/// (the caller wakes the mail worker).
pub fn chase_overdue(c: &Chaser<'_>) -> Result<usize, ServiceError> {
    let mut conn = c.pool.get()?;
    let now = db::timestamp(c.clock.now());
    let today = c.clock.today(c.settings.organisation.timezone);
    let since = now - Duration::days(c.settings.fulfilment.chase_every_days.into());
    let mut chased = 0;
    for task in tasks::due_for_chasing(&mut conn, today, since)? {
        db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
            let case = cases::find(conn, task.case_id)?;
            if case.state.is_closed() {
                return Ok(());
            }
            let message = task_mail(c.templates, c.settings, conn, &case, &task, true, now)?;
            outbox::enqueue(conn, c.sealer, &message, now)?;
            tasks::mark_chased(conn, task.id, now)?;
            events::append(
                conn,
                c.audit_key,
                case.id,
                NewEvent {
                    kind: CaseEvent::TaskChased,
                    effective_on: None,
                    actor: Actor::System,
                    detail: json!({ "task": task.id, "system": task.system_name, "target": task.target_on }),
                },
                now,
            )?;
            chased += 1;
            Ok(())
        })?;
    }
    if chased > 0 {
        log::info!("{chased} overdue task(s) chased");
    }
    Ok(chased)
}

/// Why a system could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SystemRefused {
    #[error(transparent)]
    Invalid(#[from] crate::domain::fulfilment::SystemError),
    #[error("Another system is already called that")]
    NameTaken,
    #[error("No such system")]
    NoSuchSystem,
}

/// An admin (or a token that may keep the inventory) adds a system
/// (audited).
pub fn add_system(
    ctx: &AppContext,
    by: Actor,
    spec: &crate::domain::fulfilment::SystemSpec,
) -> Result<Result<SystemId, SystemRefused>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    db::write_transaction(&mut conn, |conn| {
        if systems::name_taken(conn, &spec.name, None)? {
            return Ok(Err(SystemRefused::NameTaken));
        }
        let id = systems::insert(conn, spec, now)?;
        events::append_admin(
            conn,
            &ctx.audit_key,
            crate::domain::audit::AdminEvent::SystemAdded,
            by,
            system_detail(id, spec, true),
            now,
        )?;
        Ok(Ok(id))
    })
}

/// An admin (or a token that may keep the inventory) changes a system, or
/// takes it out of use (audited). Tasks already made stay; a system out of
/// use gets no new ones.
pub fn update_system(
    ctx: &AppContext,
    by: Actor,
    id: SystemId,
    spec: &crate::domain::fulfilment::SystemSpec,
    active: bool,
) -> Result<Result<(), SystemRefused>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    db::write_transaction(&mut conn, |conn| {
        if systems::find(conn, id)?.is_none() {
            return Ok(Err(SystemRefused::NoSuchSystem));
        }
        if systems::name_taken(conn, &spec.name, Some(id))? {
            return Ok(Err(SystemRefused::NameTaken));
        }
        if !systems::update(conn, id, spec, active, now)? {
            return Ok(Err(SystemRefused::NoSuchSystem));
        }
        events::append_admin(
            conn,
            &ctx.audit_key,
            crate::domain::audit::AdminEvent::SystemChanged,
            by,
            system_detail(id, spec, active),
            now,
        )?;
        Ok(Ok(()))
    })
}

/// Every system, active first, by name.
pub fn systems(ctx: &AppContext) -> Result<Vec<systems::System>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    Ok(systems::all(&mut conn)?)
}

/// One system.
pub fn system(ctx: &AppContext, id: SystemId) -> Result<Option<systems::System>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    Ok(systems::find(&mut conn, id)?)
}

/// A page of tasks across cases, each with its case's reference; the list
/// is an event of the admin trail (`what` and how many).
pub fn list_tasks(
    ctx: &AppContext,
    by: Actor,
    filter: &tasks::TaskFilter,
) -> Result<Vec<(Task, String)>, ServiceError> {
    let rows = tasks::page(&mut *ctx.pool.get()?, filter)?;
    super::record_api_read(ctx, by, json!({ "what": "tasks", "count": rows.len() }))?;
    Ok(rows)
}

/// One task with its case's reference; reading it is an event of the
/// admin trail.
pub fn task_for(
    ctx: &AppContext,
    by: Actor,
    id: i64,
) -> Result<Option<(Task, String)>, ServiceError> {
    let found = {
        let mut conn = ctx.pool.get()?;
        match tasks::find(&mut conn, id)? {
            None => None,
            Some(task) => Some((task, tasks::case_reference(&mut conn, id)?)),
        }
    };
    let Some((task, reference)) = found else {
        return Ok(None);
    };
    let reference =
        reference.ok_or_else(|| db::DbError::Corrupt(format!("task {id} has no case")))?;
    super::record_api_read(
        ctx,
        by,
        json!({ "what": "task", "task": id, "case": reference }),
    )?;
    Ok(Some((task, reference)))
}

/// Why an answer to a task was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum TaskRefused {
    #[error("No task has this id")]
    NoSuchTask,
    #[error("This task was already answered")]
    AlreadyAnswered,
    #[error("{0}")]
    Case(super::casework::ActionError),
}

/// Records a task's answer as `who` (another system with a token that may
/// act), through the case's own action so that its state, its trail and
/// its rules are the case page's. The task as it is now, with its case's
/// reference.
pub fn answer_task_as(
    ctx: &AppContext,
    who: super::casework::Acting<'_>,
    id: i64,
    answered: Answered,
) -> Result<Result<(Task, String), TaskRefused>, ServiceError> {
    use super::casework::{self, Command, Mode};
    let reference = {
        let mut conn = ctx.pool.get()?;
        match tasks::find(&mut conn, id)? {
            None => return Ok(Err(TaskRefused::NoSuchTask)),
            Some(task) if !task.is_open() => return Ok(Err(TaskRefused::AlreadyAnswered)),
            Some(_) => tasks::case_reference(&mut conn, id)?
                .ok_or_else(|| db::DbError::Corrupt(format!("task {id} has no case")))?,
        }
    };
    let parsed = reference
        .parse()
        .map_err(|_| db::DbError::Corrupt(format!("task {id}: case reference '{reference}'")))?;
    let command = Command::AnswerTask { task: id, answered };
    match casework::perform_as(ctx, who, &parsed, command, Mode::Commit)? {
        Ok(_) => {}
        // Open a moment ago: answered since, by someone else.
        Err(casework::ActionError::NoSuchTask) => return Ok(Err(TaskRefused::AlreadyAnswered)),
        Err(refused) => return Ok(Err(TaskRefused::Case(refused))),
    }
    let mut conn = ctx.pool.get()?;
    let task = tasks::find(&mut conn, id)?
        .ok_or_else(|| db::DbError::Corrupt(format!("task {id} vanished")))?;
    Ok(Ok((task, reference)))
}

fn system_detail(
    id: SystemId,
    spec: &crate::domain::fulfilment::SystemSpec,
    active: bool,
) -> serde_json::Value {
    json!({
        "system": id.0,
        "name": spec.name,
        "owner": spec.owner.as_str(),
        "rights": spec.rights.iter().map(|r| r.key()).collect::<Vec<_>>(),
        "external_recipient": spec.external_recipient,
        "active": active,
    })
}

/// What of a case its answer is made from, as the caller loaded it.
pub struct Answering<'a> {
    pub rights: &'a [cases::CaseRight],
    pub tasks: &'a [Task],
    pub trail: &'a [crate::db::events::Event],
    /// The answer texts changed for this case: (key, text).
    pub own_texts: &'a [(String, String)],
}

/// The answer a case gives (or, before it completes, would give): its
/// rights' outcomes, its systems' answers, whom we told, the organisation's
/// texts and the regime's list of what an answer must say.
pub fn compose_answer(
    ctx: &AppContext,
    conn: &mut DbConn,
    case: &Case,
    message: &str,
) -> Result<Vec<crate::domain::answer::Section>, ServiceError> {
    let rights = cases::rights_with_outcomes(conn, case.id)?;
    let tasks = tasks::for_case(conn, case.id)?;
    let trail = events::list(conn, case.id)?;
    let own_texts = crate::db::answers::texts_of_case(conn, case.id)?;
    let parts = Answering {
        rights: &rights,
        tasks: &tasks,
        trail: &trail,
        own_texts: &own_texts,
    };
    answer_from(ctx, conn, case, &parts, message)
}

/// As [`compose_answer`], from what the caller has loaded already.
pub fn answer_from(
    ctx: &AppContext,
    conn: &mut DbConn,
    case: &Case,
    parts: &Answering<'_>,
    message: &str,
) -> Result<Vec<crate::domain::answer::Section>, ServiceError> {
    use crate::domain::answer::{compose, AnswerInput, RightEnded, SystemAnswered};
    let package = super::packages::has_files(conn, case.id)?
        || crate::db::packages::info(conn, case.id)?.is_some();
    let rights: Vec<RightEnded> = parts
        .rights
        .iter()
        .map(|r| RightEnded {
            right: r.request.right(),
            outcome: r.outcome,
            note: r.outcome_note.clone(),
        })
        .collect();
    let inventory = systems::all(conn)?;
    let answered: Vec<SystemAnswered> = parts
        .tasks
        .iter()
        .map(|t| SystemAnswered {
            retention_note: inventory
                .iter()
                .find(|s| s.id == t.system_id)
                .map(|s| s.spec.retention_note.clone())
                .unwrap_or_default(),
            system: t.system_name.clone(),
            right: t.right,
            answer: t.answer.clone(),
        })
        .collect();
    let told = recipients_told(parts.trail);
    let general = super::org_texts::load(&ctx.settings, conn)?;
    let texts = |t: crate::domain::regime::OrgText| {
        parts
            .own_texts
            .iter()
            .find(|(key, _)| key == t.key())
            .map_or_else(|| general.get(t).to_owned(), |(_, body)| body.clone())
    };
    Ok(compose(&AnswerInput {
        regime: case.regime,
        rights: &rights,
        systems: &answered,
        recipients_told: &told,
        texts: &texts,
        message,
        package,
    }))
}

/// The recipients told of an erasure, correction or restriction (Art. 19),
/// as the case's trail records them.
pub fn recipients_told(trail: &[crate::db::events::Event]) -> Vec<String> {
    trail
        .iter()
        .filter(|e| e.what() == Some(CaseEvent::RecipientsNotified))
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.detail).ok())
        .flat_map(|d| {
            d["recipients"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_else(Vec::new)
        })
        .collect()
}
