//! Staff working a case: every action is one transaction that checks the
//! case's state, records the change and its audit event, moves the clock
//! (recomputing the due date with the deadline engine) and queues the email
//! the requester must get. The same code previews that email: it runs the
//! whole action, captures the message, and rolls everything back.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{json, Value};

use super::ServiceError;
use crate::app::AppContext;
use crate::db::cases::{self, Case};
use crate::db::events::{self, Event, NewEvent};
use crate::db::outbox::{self, NewMessage};
use crate::db::users::{self, User, UserId};
use crate::db::{self, notes, DbConn, DbError};
use crate::domain::audit::{Actor, CaseEvent};
use crate::domain::casework::{Action, ExtensionReason, IdentityMethod, Outcome};
use crate::domain::deadline::{self, ClockEvent, Deadline, DeadlineError, DeadlineInput};
use crate::domain::regime::Awaited;
use crate::domain::Calendars;
use crate::domain::{
    CaseState, IllegalTransition, Reference, Regime, Right, RightRequest, Transition,
};
use crate::mail::messages::{self, Addressee, CaseMessage};

mod clarification;
mod decisions;
mod extension;
mod fulfilment;
mod outcome;
mod verification;
mod view;

pub use view::{view, CaseView};

/// One thing a staff member does to a case, with what it needs.
#[derive(Debug, Clone)]
pub enum Command {
    Assign {
        to: Option<UserId>,
    },
    Note {
        body: String,
    },
    VerifyIdentity {
        method: IdentityMethod,
        /// The day the requested proof arrived (it starts a GDPR clock).
        proof_received_on: NaiveDate,
    },
    RequestIdentity {
        message: String,
        on: NaiveDate,
        /// Known data points to answer on the status page (empty: documents).
        questions: Vec<String>,
    },
    RequestClarification {
        message: String,
        on: NaiveDate,
    },
    RecordReply {
        summary: String,
        received_on: NaiveDate,
    },
    Extend {
        reason: ExtensionReason,
        message: String,
        on: NaiveDate,
    },
    RequestFee {
        message: String,
        on: NaiveDate,
    },
    RecordFee {
        received_on: NaiveDate,
    },
    RecordOutcome {
        right: Right,
        outcome: Outcome,
        note: Option<String>,
        /// Why the right is answered while some of its tasks are open
        /// (without one, open tasks refuse the outcome).
        override_reason: Option<String>,
    },
    /// Staff change the organisation's answer texts for this case (an
    /// empty text, or the general one, goes back to the general one).
    EditAnswerTexts {
        texts: Vec<(crate::domain::regime::OrgText, String)>,
    },
    /// Staff record a system's answer to its task.
    /// An email to the requester that failed for good is sent again.
    RetryEmail {
        message: i64,
    },
    AnswerTask {
        task: i64,
        answered: crate::domain::fulfilment::Answered,
    },
    Complete {
        message: String,
    },
    Refuse {
        /// One of the case's regime's refusal grounds, by key.
        ground: String,
        reason: String,
    },
    MarkDuplicate {
        of: Reference,
        message: String,
    },
    Withdraw {
        note: String,
    },
    Reopen {
        reason: String,
    },
    /// The law is not the one the requester's location suggested (e.g. an
    /// EU resident of a UK-only service); the deadline is recomputed.
    ChangeRegime {
        regime: Regime,
        reason: String,
    },
    /// Staff correct the requester's details (an agent's only where an
    /// agent filed the case), saying why.
    EditRequester {
        name: String,
        email: crate::domain::Email,
        agent: Option<(String, crate::domain::Email)>,
        reason: String,
    },
    /// The requester writes through their status page.
    RequesterReply {
        body: String,
        /// By email (read from the replies mailbox) rather than on the
        /// status page.
        by_email: bool,
    },
    /// The requester's answers match what we hold: identity verified as of
    /// the day they answered; the answers are deleted.
    DetailsMatch,
    /// They do not: the requester is told why and asked again.
    DetailsDoNotMatch {
        reason: String,
    },
    /// The requester answers our identity questions on their status page.
    RequesterAnswers {
        answers: Vec<(i64, String)>,
    },
    /// The uploaded documents prove who the requester is: identity verified
    /// as of the day they arrived; the files are deleted.
    ApproveDocuments,
    /// They do not: the requester is told why and may send others; the
    /// files are deleted.
    RejectDocuments {
        reason: String,
    },
}

impl Command {
    pub fn action(&self) -> Action {
        match self {
            Command::Assign { .. } => Action::Assign,
            Command::Note { .. } => Action::Note,
            Command::VerifyIdentity { .. } => Action::VerifyIdentity,
            Command::RequestIdentity { .. } => Action::RequestIdentity,
            Command::RequestClarification { .. } => Action::RequestClarification,
            Command::RecordReply { .. } => Action::RecordReply,
            Command::Extend { .. } => Action::Extend,
            Command::RequestFee { .. } => Action::RequestFee,
            Command::RecordFee { .. } => Action::RecordFee,
            Command::RecordOutcome { .. } => Action::RecordOutcome,
            Command::AnswerTask { .. } => Action::AnswerTask,
            Command::RetryEmail { .. } => Action::RetryEmail,
            Command::EditAnswerTexts { .. } => Action::EditAnswerTexts,
            Command::Complete { .. } => Action::Complete,
            Command::Refuse { .. } => Action::Refuse,
            Command::MarkDuplicate { .. } => Action::MarkDuplicate,
            Command::Withdraw { .. } => Action::Withdraw,
            Command::Reopen { .. } => Action::Reopen,
            Command::RequesterReply { .. } => Action::RecordReply,
            Command::ApproveDocuments => Action::ApproveDocuments,
            Command::ChangeRegime { .. } => Action::ChangeRegime,
            Command::DetailsMatch => Action::DetailsMatch,
            Command::DetailsDoNotMatch { .. } => Action::DetailsDoNotMatch,
            Command::RequesterAnswers { .. } => Action::RecordReply,
            Command::RejectDocuments { .. } => Action::RejectDocuments,
            Command::EditRequester { .. } => Action::EditRequester,
        }
    }
}

/// Why an action was refused; nothing changed. Written for the staff member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("No case has that reference")]
    NoSuchCase,
    #[error("You can only read cases: your role does not let you change them")]
    ReadOnly,
    #[error("A case that is {} cannot be changed that way", .0.label().to_lowercase())]
    NotNow(CaseState),
    #[error("{0}")]
    Transition(#[from] IllegalTransition),
    #[error("The deadline does not allow this: {0}")]
    Deadline(#[from] DeadlineError),
    #[error("{0}")]
    RightsOpen(#[from] crate::domain::casework::RightsStillOpen),
    #[error("This case has no '{0}' right")]
    NoSuchRight(String),
    #[error("{0} task(s) for this right are still open: wait for the systems' answers, or give the reason to answer it now")]
    OpenTasks(usize),
    #[error("This case has no such task, or it has been answered already")]
    NoSuchTask,
    #[error("Nothing changed: the details given are the ones the case has")]
    NothingChanged,
    #[error("No agent filed this case: leave the agent's details empty")]
    NoAgent,
    #[error("An agent filed this case: give the agent's name and email address too")]
    AgentNeeded,
    #[error("That email has not failed, or is not this case's")]
    NoSuchFailedEmail,
    #[error("An objection to direct marketing is never refused, in whole or in part: stop the marketing and record it as done")]
    NeverRefused,
    #[error("No active staff member with that account")]
    NoSuchAssignee,
    #[error("No case has the reference {0}")]
    NoSuchOriginal(String),
    #[error("A case cannot be a duplicate of itself")]
    DuplicateOfItself,
    #[error("'{0}' is not a reason the law of this case allows for an extension")]
    ReasonNotAllowed(&'static str),
    #[error("The identity check has already been asked for and not yet answered")]
    AlreadyAsked,
    #[error("There are no documents waiting for review")]
    NoDocuments,
    #[error("The requester has not answered every question yet")]
    NotAnswered,
    #[error("The case is already handled under {0}")]
    SameRegime(&'static str),
    #[error("We already have your answers and will check them soon.")]
    AlreadyAnswered,
    #[error(
        "The person said this agent does not act for them: the agent's request cannot be verified"
    )]
    AgentDenied,
    #[error("You have sent us several messages in the last hour. Please wait a while before sending another.")]
    TooManyReplies,
    #[error("'{0}' is not a refusal ground under the law of this case")]
    NoSuchGround(String),
    #[error("Only a right that needs no verification (an opt-out or a limit) can be answered before the requester's identity is verified")]
    NotVerifiedYet,
    #[error("Part of this request is answered, or must be acted on anyway (an opt-out, a limit, or an objection to direct marketing): record the outcome of each right, 'Refused' with reasons where you refuse it, then send the final answer")]
    NotWhole,
    #[error("A case can only be a duplicate of an open case of the same requester; {0} is not")]
    NotTheSameRequester(String),
}

/// Whether to do it, or only show the email it would send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Commit,
    Preview,
}

#[derive(Debug, Clone)]
pub enum Performed {
    Done,
    /// The email the action would send, and for a completion the answer
    /// the requester will read on their page (nothing was changed).
    Preview {
        message: NewMessage,
        answer: Option<Vec<crate::domain::answer::Section>>,
    },
}

/// How a transaction ends: committed, refused, or rolled back after a preview.
enum Flow {
    Service(ServiceError),
    Refused(ActionError),
    Preview(Box<(NewMessage, Option<Vec<crate::domain::answer::Section>>)>),
}

impl From<diesel::result::Error> for Flow {
    fn from(e: diesel::result::Error) -> Self {
        Flow::Service(e.into())
    }
}

impl From<DbError> for Flow {
    fn from(e: DbError) -> Self {
        Flow::Service(e.into())
    }
}

impl From<ServiceError> for Flow {
    fn from(e: ServiceError) -> Self {
        Flow::Service(e)
    }
}

impl From<crate::templates::TemplateError> for Flow {
    fn from(e: crate::templates::TemplateError) -> Self {
        Flow::Service(e.into())
    }
}

impl From<ActionError> for Flow {
    fn from(e: ActionError) -> Self {
        Flow::Refused(e)
    }
}

/// Messages a requester may send through their page in an hour.
pub const MAX_REPLIES_PER_HOUR: i64 = 5;

/// Who takes an action: a staff member, or the requester through their
/// status page.
#[derive(Clone, Copy)]
pub enum Acting<'a> {
    Staff(&'a User),
    Requester,
    /// Another system, through the API, with a token that may act.
    Token(crate::db::api_tokens::TokenId),
    /// An authorised agent of the Data Rights Protocol, revoking its request.
    DrpAgent(i64),
}

impl Acting<'_> {
    fn actor(self) -> Actor {
        match self {
            Acting::Staff(user) => Actor::Staff(user.id),
            Acting::Requester => Actor::Requester,
            Acting::Token(id) => Actor::ApiToken(id.0),
            Acting::DrpAgent(id) => Actor::DrpAgent(id),
        }
    }
}

/// Does `command` to the case `reference` as the staff member `by`.
pub fn perform(
    ctx: &AppContext,
    by: &User,
    reference: &Reference,
    command: Command,
    mode: Mode,
) -> Result<Result<Performed, ActionError>, ServiceError> {
    if !by.role.can_work_cases() {
        return Ok(Err(ActionError::ReadOnly));
    }
    perform_as(ctx, Acting::Staff(by), reference, command, mode)
}

/// Assigns each case to `to` (or to nobody) as `by` would one by one: each
/// an action of its own case, checked and recorded as such. How many were
/// assigned, and how many refused (closed, unknown, or the person cannot
/// take cases).
pub fn assign_many(
    ctx: &AppContext,
    by: &User,
    references: &[Reference],
    to: Option<crate::db::users::UserId>,
) -> Result<(usize, usize), ServiceError> {
    let mut done = 0;
    for reference in references {
        if perform(ctx, by, reference, Command::Assign { to }, Mode::Commit)?.is_ok() {
            done += 1;
        }
    }
    Ok((done, references.len() - done))
}

/// Does `command` to the case `reference` as `who`. Requesters may only
/// reply and withdraw; the status page decides which case they reach.
pub fn perform_as(
    ctx: &AppContext,
    who: Acting<'_>,
    reference: &Reference,
    command: Command,
    mode: Mode,
) -> Result<Result<Performed, ActionError>, ServiceError> {
    if matches!(who, Acting::Requester | Acting::DrpAgent(_))
        && !matches!(
            command,
            Command::Withdraw { .. }
                | Command::RequesterReply { .. }
                | Command::RequesterAnswers { .. }
        )
    {
        return Ok(Err(ActionError::ReadOnly));
    }
    // What only the requester does, through their page, no one does for them.
    if !matches!(who, Acting::Requester)
        && matches!(
            command,
            Command::RequesterReply { .. } | Command::RequesterAnswers { .. }
        )
    {
        return Ok(Err(ActionError::ReadOnly));
    }
    let mut conn = ctx.pool.get()?;
    let now_utc = ctx.clock.now();
    let now = db::timestamp(now_utc);
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let action = command.action();
    let result = db::write_transaction::<_, Flow, _>(&mut conn, |conn| {
        let case = cases::find_by_reference(conn, reference)?.ok_or(ActionError::NoSuchCase)?;
        let allowed = match command {
            Command::RequesterReply { .. } => !case.state.is_closed(),
            Command::RequesterAnswers { .. } => case.state == CaseState::AwaitingIdentity,
            _ => action.allowed_in(case.state),
        };
        if !allowed {
            return Err(ActionError::NotNow(case.state).into());
        }
        let mut work = Work {
            ctx,
            conn,
            case: &case,
            author: match who {
                Acting::Staff(user) => Some(notes::Author::Staff(user.id)),
                Acting::Token(id) => Some(notes::Author::Token(id)),
                Acting::Requester | Acting::DrpAgent(_) => None,
            },
            actor: who.actor(),
            now,
            today,
            message: None,
            alerts: Vec::new(),
            answer: None,
        };
        work.run(command)?;
        let (message, alerts, answer) = (work.message, work.alerts, work.answer);
        match (mode, message) {
            (Mode::Preview, Some(message)) => Err(Flow::Preview(Box::new((message, answer)))),
            (_, message) => {
                let mut sent = false;
                for m in message.iter().chain(&alerts) {
                    outbox::enqueue(conn, &ctx.sealer, m, now)?;
                    sent = true;
                }
                Ok(sent)
            }
        }
    });
    match result {
        Ok(sent) => {
            let by = match who {
                Acting::Staff(user) => format!("user {}", user.id.0),
                Acting::Token(id) => format!("API token {}", id.0),
                Acting::Requester => "the requester".to_owned(),
                Acting::DrpAgent(id) => format!("DRP agent {id}"),
            };
            log::info!("case {reference}: {} by {by}", action.key());
            if sent || action == Action::RetryEmail {
                ctx.mail.wake();
            }
            Ok(Ok(Performed::Done))
        }
        Err(Flow::Preview(preview)) => {
            let (message, answer) = *preview;
            Ok(Ok(Performed::Preview { message, answer }))
        }
        Err(Flow::Refused(e)) => Ok(Err(e)),
        Err(Flow::Service(e)) => Err(e),
    }
}

/// One action being carried out inside its transaction.
struct Work<'a> {
    ctx: &'a AppContext,
    conn: &'a mut DbConn,
    case: &'a Case,
    /// Who writes the notes this action adds: the staff member or token
    /// acting (the requester writes none).
    author: Option<notes::Author>,
    actor: Actor,
    now: NaiveDateTime,
    today: NaiveDate,
    /// The email to the requester this action sends, if any.
    message: Option<NewMessage>,
    /// Emails to staff this action sends.
    alerts: Vec<NewMessage>,
    /// The answer a completion gives (shown with its preview).
    answer: Option<Vec<crate::domain::answer::Section>>,
}

impl Work<'_> {
    fn event(&mut self, kind: CaseEvent, on: Option<NaiveDate>, detail: Value) -> Result<(), Flow> {
        events::append(
            self.conn,
            &self.ctx.audit_key,
            self.case.id,
            NewEvent {
                kind,
                effective_on: on,
                actor: self.actor,
                detail,
            },
            self.now,
        )?;
        Ok(())
    }

    fn transition(&mut self, t: Transition) -> Result<CaseState, Flow> {
        let next = self.case.state.apply(t).map_err(ActionError::from)?;
        let tz = self.ctx.settings.organisation.timezone;
        if !cases::move_state(self.conn, self.case.id, self.case.state, next, self.now, tz)? {
            // Someone else moved it meanwhile: refuse rather than guess.
            return Err(ActionError::NotNow(self.case.state).into());
        }
        // Once identity is decided, or the case closed, proof of identity
        // has served its purpose.
        if next.is_closed() || t == Transition::VerifyIdentity {
            self.purge_identity_material()?;
        }
        Ok(next)
    }

    /// Recomputes the deadline with the new clock event added, refusing the
    /// action if the engine does; stores the new due date.
    fn clock(&mut self, event: ClockEvent, detail: Value) -> Result<Deadline, Flow> {
        let mut clock = clock_events(&events::list(self.conn, self.case.id)?);
        clock.push(event);
        let deadline = self.deadline(&clock)?;
        let mut detail = detail;
        if let Some(map) = detail.as_object_mut() {
            map.insert("due".into(), json!(deadline.due));
        }
        self.event(CaseEvent::recording(event), Some(event.date()), detail)?;
        cases::set_due(self.conn, self.case.id, deadline.next_due(), self.now)?;
        Ok(deadline)
    }

    /// Stores the date the case is next due (after an answer to a
    /// fast-track right, the response date takes over).
    fn refresh_due(&mut self) -> Result<(), Flow> {
        if self.case.received_on.is_some() {
            let deadline = self.current_deadline()?;
            cases::set_due(self.conn, self.case.id, deadline.next_due(), self.now)?;
        }
        Ok(())
    }

    /// Refuses to ask for `what` when it would restart the clock of a case
    /// that is already late.
    fn not_late(&mut self, what: Awaited, on: NaiveDate) -> Result<(), Flow> {
        let current = self.current_deadline()?;
        deadline::check_late_request(&current, what, on).map_err(ActionError::from)?;
        Ok(())
    }

    fn deadline(&mut self, clock: &[ClockEvent]) -> Result<Deadline, Flow> {
        self.deadline_under(self.case.regime, clock)
    }

    fn deadline_under(&mut self, regime: Regime, clock: &[ClockEvent]) -> Result<Deadline, Flow> {
        let received = self
            .case
            .received_on
            .ok_or(ActionError::NotNow(self.case.state))?;
        let rights = cases::rights_with_outcomes(self.conn, self.case.id)?;
        let (keys, fast_track) = clock_rights(regime, &rights);
        let input = DeadlineInput {
            regime,
            received,
            rights: &keys,
            events: clock,
            fast_track,
        };
        let calendars = self.ctx.calendars.current(self.conn)?;
        Ok(
            deadline::compute(input, calendars.for_regime(regime), self.today)
                .map_err(ActionError::from)?,
        )
    }

    fn current_deadline(&mut self) -> Result<Deadline, Flow> {
        let clock = clock_events(&events::list(self.conn, self.case.id)?);
        self.deadline(&clock)
    }

    fn email(&mut self, message: CaseMessage<'_>) -> Result<(), Flow> {
        let deadline = self.current_deadline().ok();
        // A message that sends the requester to their page carries a link
        // of its own (earlier links keep working).
        let link = if message.needs_page() {
            Some(crate::service::status::issue_link(
                self.ctx,
                self.conn,
                self.case.id,
                self.now,
            )?)
        } else {
            None
        };
        let msg = messages::case_message(
            &self.ctx.templates,
            &self.ctx.settings,
            &Addressee::of(self.case),
            self.case.regime,
            deadline.as_ref(),
            message,
            link.as_deref(),
        )?;
        self.message = Some(msg);
        Ok(())
    }

    fn run(&mut self, command: Command) -> Result<(), Flow> {
        match command {
            Command::Assign { to } if to == self.case.assignee => {} // nothing changes
            Command::Assign { to } => self.assign(to)?,
            Command::Note { body } => self.note(&body)?,
            Command::EditRequester {
                name,
                email,
                agent,
                reason,
            } => self.edit_requester(name, email, agent, &reason)?,
            Command::VerifyIdentity {
                method,
                proof_received_on,
            } => self.verify_identity(method, proof_received_on)?,
            Command::RequestIdentity {
                message,
                on,
                questions,
            } => self.request_identity(message, on, questions)?,
            Command::DetailsMatch => self.details_match()?,
            Command::DetailsDoNotMatch { reason } => self.details_do_not_match(reason)?,
            Command::RequesterAnswers { answers } => self.requester_answers(answers)?,
            Command::RequestClarification { message, on } => {
                self.request_clarification(message, on)?
            }
            Command::RecordReply {
                summary,
                received_on,
            } => self.record_reply(summary, received_on)?,
            Command::Extend {
                reason,
                message,
                on,
            } => self.extend(reason, message, on)?,
            Command::RequestFee { message, on } => self.request_fee(message, on)?,
            Command::RecordFee { received_on } => self.record_fee(received_on)?,
            Command::RecordOutcome {
                right,
                outcome,
                note,
                override_reason,
            } => self.record_outcome(right, outcome, note, override_reason)?,
            Command::AnswerTask { task, answered } => self.answer_task(task, answered)?,
            Command::RetryEmail { message } => self.retry_email(message)?,
            Command::EditAnswerTexts { texts } => self.edit_answer_texts(texts)?,
            Command::Complete { message } => self.complete(message)?,
            Command::Refuse { ground, reason } => self.refuse(ground, reason)?,
            Command::MarkDuplicate { of, message } => self.mark_duplicate(of, message)?,
            Command::Withdraw { note } => self.withdraw(note)?,
            Command::RequesterReply { body, by_email } => self.requester_reply(body, by_email)?,
            Command::ChangeRegime { regime, reason } => self.change_regime(regime, reason)?,
            Command::ApproveDocuments => self.approve_documents()?,
            Command::RejectDocuments { reason } => self.reject_documents(reason)?,
            Command::Reopen { reason } => self.reopen(reason)?,
        }
        Ok(())
    }

    fn may_answer_unverified(&self, rights: &[cases::CaseRight], request: &RightRequest) -> bool {
        let requests: Vec<RightRequest> = rights.iter().map(|r| r.request.clone()).collect();
        crate::domain::casework::may_answer(self.case.state, self.case.regime, &requests, request)
    }

    /// Tells the assignee (or, with no assignee, every admin) that the
    /// requester wrote. The email holds no personal data, only the link.
    fn alert_staff(&mut self, what: &str) -> Result<(), Flow> {
        let alerts = staff_alerts(self.ctx, self.conn, self.case, what)?;
        self.alerts.extend(alerts);
        Ok(())
    }

    /// Adds an internal note by the acting staff member.
    /// Corrects the requester's details. The trail records which fields
    /// changed; the old and new values go in an internal note (removed with
    /// the rest of the case's personal data when it is reduced).
    fn edit_requester(
        &mut self,
        name: String,
        email: crate::domain::Email,
        agent: Option<(String, crate::domain::Email)>,
        reason: &str,
    ) -> Result<(), Flow> {
        let Some(author) = self.author else {
            return Err(ActionError::ReadOnly.into());
        };
        let case = self.case;
        let (agent_name, agent_email) = match (&agent, &case.agent_name) {
            (Some((n, e)), Some(_)) => (Some(n.clone()), Some(e.as_str().to_owned())),
            (None, None) => (None, None),
            (Some(_), None) => return Err(ActionError::NoAgent.into()),
            (None, Some(_)) => return Err(ActionError::AgentNeeded.into()),
        };
        let old = |v: &Option<String>| v.clone().unwrap_or_default();
        let changes: Vec<(&str, String, String)> = [
            ("name", case.requester_name.clone(), name.clone()),
            (
                "email",
                case.requester_email.clone(),
                email.as_str().to_owned(),
            ),
            ("agent name", old(&case.agent_name), old(&agent_name)),
            ("agent email", old(&case.agent_email), old(&agent_email)),
        ]
        .into_iter()
        .filter(|(_, before, after)| before != after)
        .collect();
        if changes.is_empty() {
            return Err(ActionError::NothingChanged.into());
        }
        cases::update_requester(
            self.conn,
            case.id,
            &name,
            email.as_str(),
            agent_name.as_deref(),
            agent_email.as_deref(),
            self.now,
        )?;
        let mut body = String::from("Requester's details corrected:\n");
        for (field, before, after) in &changes {
            body.push_str(&format!(
                "- {field}: \u{201c}{before}\u{201d} \u{2192} \u{201c}{after}\u{201d}\n"
            ));
        }
        body.push_str(&format!("Why: {reason}"));
        let note = notes::add(self.conn, case.id, author, &body, self.now)?;
        let fields: Vec<&str> = changes.iter().map(|(f, _, _)| *f).collect();
        self.event(
            CaseEvent::RequesterEdited,
            None,
            json!({ "fields": fields, "note": note }),
        )
    }

    fn note(&mut self, body: &str) -> Result<(), Flow> {
        let Some(author) = self.author else {
            return Err(ActionError::ReadOnly.into());
        };
        let id = notes::add(self.conn, self.case.id, author, body, self.now)?;
        self.event(CaseEvent::NoteAdded, None, json!({ "note": id }))
    }
}

/// The emails telling staff that the requester (or the person an agent
/// acts for) did something on `case`: to its assignee, or to every admin
/// when no active staff member is assigned. They hold only the reference
/// and a link, never the requester's words.
pub fn staff_alerts(
    ctx: &AppContext,
    conn: &mut DbConn,
    case: &Case,
    what: &str,
) -> Result<Vec<NewMessage>, ServiceError> {
    let assignee = case
        .assignee
        .map(|id| users::find(conn, id))
        .transpose()?
        .flatten()
        .filter(|u| u.active);
    let to = match assignee {
        Some(user) => vec![user],
        None => users::active_with_role(conn, &[crate::domain::Role::Admin])?,
    };
    to.iter()
        .map(|user| {
            Ok(messages::reply_alert(
                &ctx.templates,
                &ctx.settings,
                &user.email,
                &user.name,
                &case.reference,
                what,
            )?)
        })
        .collect()
}

/// What the deadline engine needs of a case's rights: which they are, and
/// whether one of the regime's fast-track rights is still unanswered.
pub fn clock_rights(
    regime: crate::domain::Regime,
    rights: &[cases::CaseRight],
) -> (Vec<Right>, bool) {
    let keys = rights.iter().map(|r| r.request.right()).collect();
    let fast_open = rights
        .iter()
        .any(|r| r.outcome.is_none() && regime.is_fast_track(&r.request));
    (keys, fast_open)
}

/// The clock events recorded in a case's audit trail, in order.
pub fn clock_events(trail: &[Event]) -> Vec<ClockEvent> {
    trail
        .iter()
        .filter_map(|e| e.what()?.clock_event(e.effective_on?))
        .collect()
}

/// Whether identity proof was asked for and has not arrived yet.
pub fn asked_for_identity(trail: &[Event]) -> bool {
    let mut pending = false;
    for e in trail {
        match e.what() {
            Some(CaseEvent::IdentityRequested) => pending = true,
            Some(CaseEvent::IdentityReceived) => pending = false,
            _ => {}
        }
    }
    pending
}

/// The deadline of a stored case as it stands today (`None` before the
/// clock has a date of receipt, or if the stored events no longer compute).
pub fn deadline_of(
    ctx: &AppContext,
    calendars: &Calendars,
    case: &Case,
    trail: &[Event],
    rights: &[cases::CaseRight],
) -> Option<Result<Deadline, DeadlineError>> {
    deadline_with(ctx, calendars, case, trail, rights, None)
}

/// The due date the case would have if identity proof arrived today (for
/// telling a requester who was asked for it what sending it now gives).
pub fn due_if_proof_today(
    ctx: &AppContext,
    calendars: &Calendars,
    case: &Case,
    trail: &[Event],
    rights: &[cases::CaseRight],
) -> Option<chrono::NaiveDate> {
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let arrival = ClockEvent::IdentityReceived(today);
    deadline_with(ctx, calendars, case, trail, rights, Some(arrival))?
        .ok()?
        .due
}

/// The case's deadline from its trail with `calendars`, with `then`
/// added (as if it happened).
pub(crate) fn deadline_with(
    ctx: &AppContext,
    calendars: &Calendars,
    case: &Case,
    trail: &[Event],
    rights: &[cases::CaseRight],
    then: Option<ClockEvent>,
) -> Option<Result<Deadline, DeadlineError>> {
    let received = case.received_on?;
    let (keys, fast_track) = clock_rights(case.regime, rights);
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let mut events = clock_events(trail);
    events.extend(then);
    Some(deadline::compute(
        DeadlineInput {
            regime: case.regime,
            received,
            rights: &keys,
            events: &events,
            fast_track,
        },
        calendars.for_regime(case.regime),
        // A closed case's clock is read as of today too; its due date no
        // longer matters, but its derivation still explains it.
        today.max(received),
    ))
}
