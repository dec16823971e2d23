//! What the case page template gets: the case, its clock, its history,
//! and which actions the viewer may take now.

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::Value;

use super::timeline::{describe, local, name_of};
use super::CCPA_WARNING_DAYS;
use crate::app::AppContext;
use crate::db::users::User;
use crate::domain::answer::Section;
use crate::domain::audit::CaseEvent;
use crate::domain::casework::{Action, ExtensionReason, IdentityMethod};
use crate::domain::deadline::long;
use crate::domain::fulfilment::AnswerKind;
use crate::domain::rights::Choice;
use crate::service::casework::CaseView;
use crate::web::view::Opt;

fn choices<C: Choice + PartialEq>(selected: Option<C>) -> Vec<Opt<'static>> {
    Opt::list(
        C::ALL.iter().map(|c| (c.key(), c.label())),
        selected.map_or("", |c| c.key()),
    )
}

/// The case page.
#[derive(Serialize)]
pub(super) struct CasePage<'a> {
    reference: &'a str,
    state: &'static str,
    status: &'static str,
    closed: bool,
    regime: &'static str,
    channel: String,
    location: String,
    requester: Requester<'a>,
    assignee: Option<&'a str>,
    assigned_to_me: bool,
    my_id: i64,
    duplicate_of: Option<&'a str>,
    rights: Vec<CaseRight<'a>>,
    answer: Option<Answer<'a>>,
    answer_texts: Vec<AnswerText>,
    deadline: Clock,
    timeline: Vec<Entry<'a>>,
    views_count: usize,
    views: Vec<Viewed>,
    chain_broken: Option<i64>,
    people: Vec<Person<'a>>,
    today: String,
    can: Can,
    methods: Vec<Opt<'static>>,
    grounds: Vec<Ground>,
    regimes: Vec<Opt<'static>>,
    clarification_pauses: bool,
    reasons: Vec<Opt<'static>>,
    identity_message: &'static str,
    verification: Verification<'a>,
    unverified_warning: Option<String>,
    documents: Vec<Document>,
    can_decide_documents: bool,
    questions: Vec<Asked<'a>>,
    can_decide_details: bool,
    open_rights: Vec<RightName>,
}

#[derive(Serialize)]
struct Requester<'a> {
    name: &'a str,
    email: &'a str,
    agent: &'a Option<String>,
    agent_email: &'a Option<String>,
    agent_authority: &'a Option<String>,
    description: &'a Option<String>,
}

#[derive(Serialize)]
struct CaseRight<'a> {
    answerable: bool,
    /// A fast-track right's date to act by.
    act_by: Option<String>,
    key: &'static str,
    title: &'static str,
    basis: &'static str,
    fast_track: bool,
    summary: String,
    outcome: Option<&'static str>,
    outcome_note: &'a Option<String>,
    outcomes: Vec<Opt<'static>>,
    open_tasks: usize,
    tasks: Vec<TaskLine<'a>>,
}

#[derive(Serialize)]
struct TaskLine<'a> {
    id: i64,
    system: &'a str,
    target: String,
    open: bool,
    overdue: bool,
    answer: Option<&'static str>,
    basis: Option<&'a str>,
    note: &'a Option<String>,
    answers: Vec<Opt<'static>>,
}

#[derive(Serialize)]
struct Answer<'a> {
    sections: &'a [Section],
    draft: bool,
}

#[derive(Serialize)]
struct AnswerText {
    key: &'static str,
    label: &'static str,
    changed: bool,
    value: String,
}

/// The clock, as the deadline box shows it.
#[derive(Default, Serialize)]
struct Clock {
    started: bool,
    problem: Option<String>,
    received: Option<String>,
    clock_start: Option<String>,
    due: Option<String>,
    response_due: Option<String>,
    original_due: Option<String>,
    extended: bool,
    paused_days: u64,
    acknowledge_by: Option<String>,
    opt_out_due: Option<String>,
    clock: String,
    days_text: String,
    overdue: bool,
    derivation: Vec<String>,
}

/// One line of the history: an event or an email.
#[derive(Serialize)]
struct Entry<'a> {
    kind: &'static str,
    at: String,
    who: String,
    what: String,
    note: Option<String>,
    id: Option<i64>,
    delivery: Option<String>,
    failed: bool,
    email_id: Option<i64>,
    body: Option<&'a str>,
}

#[derive(Serialize)]
struct Viewed {
    at: String,
    who: String,
}

#[derive(Serialize)]
struct Person<'a> {
    id: i64,
    name: &'a str,
    selected: bool,
}

/// Which actions the viewer may take now.
#[derive(Serialize)]
struct Can {
    assign: bool,
    note: bool,
    verify_identity: bool,
    request_identity: bool,
    request_clarification: bool,
    record_reply: bool,
    extend: bool,
    request_fee: bool,
    record_fee: bool,
    record_outcome: bool,
    complete: bool,
    refuse: bool,
    mark_duplicate: bool,
    withdraw: bool,
    reopen: bool,
    change_regime: bool,
    answer_task: bool,
    retry_email: bool,
    edit_answer_texts: bool,
    edit_requester: bool,
    any: bool,
}

#[derive(Serialize)]
struct Ground {
    value: &'static str,
    label: &'static str,
    text: &'static str,
}

#[derive(Serialize)]
struct Verification<'a> {
    level: &'static str,
    why: &'a str,
    unconfirmed: bool,
}

#[derive(Serialize)]
struct Document {
    id: i64,
    kind: &'static str,
    #[serde(rename = "type")]
    content_type: String,
    kb: i64,
    at: String,
}

#[derive(Serialize)]
struct Asked<'a> {
    question: &'a str,
    answer: &'a Option<String>,
}

#[derive(Serialize)]
struct RightName {
    key: &'static str,
    title: &'static str,
}

pub(super) fn case_page<'a>(ctx: &AppContext, view: &'a CaseView, me: &User) -> CasePage<'a> {
    let tz = ctx.settings.organisation.timezone;
    let today = ctx.clock.today(tz);
    let case = &view.case;
    let regime = case.regime;
    let requests: Vec<crate::domain::RightRequest> =
        view.rights.iter().map(|r| r.request.clone()).collect();
    let answerable = |r: &crate::domain::RightRequest| {
        crate::domain::casework::may_answer(case.state, regime, &requests, r)
    };
    let refusable = crate::domain::casework::may_refuse_whole(
        regime,
        view.rights.iter().map(|r| (&r.request, r.outcome)),
    );
    let rights = view
        .rights
        .iter()
        .map(|r| CaseRight {
            answerable: answerable(&r.request),
            act_by: match &view.deadline {
                Some(Ok(d)) if regime.is_fast_track(&r.request) => d.opt_out_due.map(long),
                _ => None,
            },
            key: r.request.right().key(),
            title: regime.right_name(r.request.right()),
            basis: regime.right_basis(r.request.right()),
            fast_track: regime.is_fast_track(&r.request),
            summary: r.request.summary(),
            outcome: r.outcome.map(|o| o.label()),
            outcome_note: &r.outcome_note,
            outcomes: choices(r.outcome),
            open_tasks: view
                .tasks
                .iter()
                .filter(|t| t.right == r.request.right() && t.is_open())
                .count(),
            tasks: view
                .tasks
                .iter()
                .filter(|t| t.right == r.request.right())
                .map(|t| TaskLine {
                    id: t.id,
                    system: &t.system_name,
                    target: long(t.target_on),
                    open: t.is_open(),
                    overdue: t.overdue(today),
                    answer: t.answer.as_ref().map(|a| a.kind().label()),
                    basis: t.answer.as_ref().and_then(|a| a.basis()),
                    note: &t.note,
                    answers: choices::<AnswerKind>(None),
                })
                .collect(),
        })
        .collect();
    let deadline = match &view.deadline {
        None => Clock::default(),
        Some(Err(e)) => Clock {
            started: true,
            problem: Some(e.to_string()),
            ..Clock::default()
        },
        Some(Ok(d)) => {
            // The headline is what is due first (an opt-out or limit's date
            // while one is open), as the queue shows it.
            let (text, overdue) = crate::web::staff::queue::due_text(d.next_due(), today);
            let closed = case.state.is_closed();
            Clock {
                started: true,
                problem: None,
                received: Some(long(d.received)),
                clock_start: d.clock_start.map(long),
                due: d.next_due().map(long),
                response_due: d.due.filter(|_| d.opt_out_due.is_some()).map(long),
                original_due: d.original_due.filter(|_| d.extended).map(long),
                extended: d.extended,
                paused_days: d.paused_days,
                acknowledge_by: d.acknowledge_by.map(long),
                opt_out_due: d.opt_out_due.map(long),
                clock: if closed {
                    "stopped: the case is closed".to_owned()
                } else {
                    match d.clock {
                        crate::domain::deadline::ClockState::Running => "running".to_owned(),
                        crate::domain::deadline::ClockState::Paused { since } => {
                            format!("paused since {}", long(since))
                        }
                        crate::domain::deadline::ClockState::NotStarted { waiting_for } => {
                            format!("not started: waiting for {waiting_for}")
                        }
                    }
                },
                days_text: if closed { "closed".to_owned() } else { text },
                overdue: overdue && !closed,
                derivation: d.derivation.clone(),
            }
        }
    };
    let mut timeline: Vec<(NaiveDateTime, Entry)> = Vec::new();
    let mut views: Vec<Viewed> = Vec::new();
    for e in &view.trail {
        let who = name_of(&view.people, &e.actor);
        if e.what() == Some(CaseEvent::CaseViewed) {
            views.push(Viewed {
                at: local(e.occurred_at, tz),
                who,
            });
            continue;
        }
        let detail_id = |key: &str| {
            serde_json::from_str::<Value>(&e.detail)
                .ok()
                .and_then(|d| d.get(key).and_then(Value::as_i64))
        };
        let note = match e.what() {
            Some(CaseEvent::NoteAdded) => detail_id("note")
                .and_then(|id| view.notes.iter().find(|n| n.id == id))
                .map(|n| n.body.clone()),
            Some(CaseEvent::RequesterReplied) => detail_id("reply")
                .and_then(|id| view.replies.iter().find(|r| r.id == id))
                .map(|r| r.body.clone()),
            _ => None,
        };
        timeline.push((
            e.occurred_at,
            Entry {
                kind: "event",
                at: local(e.occurred_at, tz),
                who,
                what: describe(e, view),
                note,
                id: Some(e.id),
                delivery: None,
                failed: false,
                email_id: None,
                body: None,
            },
        ));
    }
    for m in &view.messages {
        let state = match m.status.as_str() {
            "sent" => format!(
                "sent {}",
                m.sent_at.map(|t| local(t, tz)).unwrap_or_default()
            ),
            "failed" => format!("FAILED after {} attempts", m.attempts),
            _ if m.attempts > 0 => format!("retrying ({} failed attempts)", m.attempts),
            _ => "queued".to_owned(),
        };
        timeline.push((
            m.created_at,
            Entry {
                kind: "email",
                at: local(m.created_at, tz),
                who: "Email to requester".to_owned(),
                what: m.subject.clone(),
                note: None,
                id: None,
                delivery: Some(state),
                failed: m.status == "failed",
                email_id: Some(m.id),
                body: Some(&m.body_text),
            },
        ));
    }
    timeline.sort_by_key(|(at, _)| *at);
    let actions: Vec<&str> = Action::ALL
        .into_iter()
        .filter(|a| a.allowed_in(case.state) && me.role.can_work_cases())
        .map(|a| a.key())
        .collect();
    let can = |a: Action| actions.contains(&a.key());
    let assignee = case
        .assignee
        .and_then(|id| view.people.iter().find(|u| u.id == id))
        .map(|u| u.name.as_str());
    let people = view
        .people
        .iter()
        .filter(|u| u.active && u.role.can_work_cases())
        .map(|u| Person {
            id: u.id.0,
            name: &u.name,
            selected: Some(u.id) == case.assignee,
        })
        .collect();
    let open_rights = view
        .rights
        .iter()
        .map(|r| RightName {
            key: r.request.right().key(),
            title: regime.right_name(r.request.right()),
        })
        .collect();
    let reasons = Opt::list(
        ExtensionReason::ALL
            .iter()
            .filter(|r| r.allowed_under(regime))
            .map(|r| (r.key(), r.label())),
        "",
    );
    let answer_texts = regime
        .rules()
        .disclosure
        .items
        .iter()
        .map(|(label, text)| {
            let own = view
                .own_texts
                .iter()
                .find(|(k, _)| k == text.key())
                .map(|(_, b)| b.clone());
            AnswerText {
                key: text.key(),
                label,
                changed: own.is_some(),
                value: own.unwrap_or_else(|| view.general_texts.get(*text).to_owned()),
            }
        })
        .collect();
    let can_these = Can {
        assign: can(Action::Assign),
        note: can(Action::Note),
        verify_identity: can(Action::VerifyIdentity),
        request_identity: can(Action::RequestIdentity),
        request_clarification: can(Action::RequestClarification),
        record_reply: can(Action::RecordReply),
        extend: can(Action::Extend),
        request_fee: can(Action::RequestFee),
        record_fee: can(Action::RecordFee),
        record_outcome: can(Action::RecordOutcome),
        complete: can(Action::Complete) && requests.iter().all(answerable),
        refuse: can(Action::Refuse) && refusable,
        mark_duplicate: can(Action::MarkDuplicate),
        withdraw: can(Action::Withdraw),
        reopen: can(Action::Reopen),
        change_regime: can(Action::ChangeRegime),
        answer_task: can(Action::AnswerTask),
        retry_email: can(Action::RetryEmail),
        edit_answer_texts: can(Action::EditAnswerTexts),
        edit_requester: can(Action::EditRequester),
        any: !actions.is_empty(),
    };
    CasePage {
        reference: case.reference.as_str(),
        state: case.state.key(),
        status: case.state.label(),
        closed: case.state.is_closed(),
        regime: regime.title(),
        channel: case.channel.replace('_', " "),
        location: crate::domain::Location::parse(&case.location)
            .map_or(case.location.clone(), |l| l.name().to_owned()),
        requester: Requester {
            name: &case.requester_name,
            email: &case.requester_email,
            agent: &case.agent_name,
            agent_email: &case.agent_email,
            agent_authority: &view.agent_authority,
            description: &case.description,
        },
        assignee,
        assigned_to_me: case.assignee == Some(me.id),
        my_id: me.id.0,
        duplicate_of: view.duplicate_of.as_ref().map(|r| r.as_str()),
        rights,
        answer: view.answer.as_ref().map(|(sections, draft)| Answer {
            sections,
            draft: *draft,
        }),
        answer_texts,
        deadline,
        views_count: views.len().min(50),
        timeline: timeline.into_iter().map(|(_, v)| v).rev().collect(),
        views: views.into_iter().rev().take(50).collect(),
        chain_broken: view.broken_link,
        people,
        today: today.to_string(),
        can: can_these,
        methods: choices::<IdentityMethod>(None),
        grounds: regime
            .rules()
            .refusal_grounds
            .iter()
            .map(|g| Ground {
                value: g.key,
                label: g.label,
                text: g.requester_text,
            })
            .collect(),
        regimes: Opt::list(
            ctx.jurisdiction
                .applicable()
                .iter()
                .filter(|r| **r != regime)
                .map(|r| (r.key(), r.short())),
            "",
        ),
        clarification_pauses: regime.clarification_pauses(
            &view
                .rights
                .iter()
                .map(|r| r.request.right())
                .collect::<Vec<_>>(),
        ),
        reasons,
        identity_message: if view.verification.0 == crate::domain::verification::Level::Documents {
            "Please send a copy of one proof of identity (passport, driving licence or national identity card) and one proof of address dated within the last three months (a utility bill or bank or credit card statement)."
        } else {
            "Please answer a few questions about details we already hold, so that we can be sure the request comes from you."
        },
        verification: Verification {
            level: view.verification.0.label(),
            why: &view.verification.1,
            unconfirmed: case.state == crate::domain::CaseState::Submitted,
        },
        // Where verifying does not stop the clock, an unverified case near
        // its due date must be answered or refused in time.
        unverified_warning: match (&view.deadline, case.state) {
            (Some(Ok(d)), crate::domain::CaseState::AwaitingIdentity)
                if !regime.restarts_on(crate::domain::regime::Awaited::Identity)
                    && d.days_left(today).is_some_and(|n| n <= CCPA_WARNING_DAYS) =>
            {
                Some(crate::web::staff::queue::due_text(d.due, today).0)
            }
            _ => None,
        },
        documents: view
            .documents
            .iter()
            .map(|d| Document {
                id: d.id,
                kind: match d.kind.as_str() {
                    "identity" => "Proof of identity",
                    "address" => "Proof of address",
                    _ => "Signed permission for the agent",
                },
                content_type: d.content_type.clone(),
                kb: (d.byte_size + 1023) / 1024,
                at: local(d.uploaded_at, tz),
            })
            .collect(),
        can_decide_documents: !view.documents.is_empty() && can(Action::ApproveDocuments),
        questions: view
            .questions
            .iter()
            .map(|q| Asked {
                question: &q.question,
                answer: &q.answer,
            })
            .collect(),
        can_decide_details: !view.questions.is_empty()
            && view.questions.iter().all(|q| q.answer.is_some())
            && can(Action::DetailsMatch),
        open_rights,
    }
}
