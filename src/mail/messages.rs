//! One function per email: each gathers what its templates need and renders
//! a message ready for the outbox.

use serde_json::{json, Value};

use crate::config::Settings;
use crate::db::cases::{Case, CaseId, CaseRight};
use crate::db::outbox::NewMessage;
use crate::domain::casework::Outcome;
use crate::domain::deadline::{long, Deadline};
use crate::domain::regime::Awaited;
use crate::domain::{Reference, Regime, RightRequest};
use crate::templates::{TemplateError, Templates};

/// Renders `template` for `to`, with what every email shows (the
/// organisation, the addressee's name, the reference) added to `data`.
fn render(
    templates: &Templates,
    settings: &Settings,
    template: &'static str,
    to: &Addressee<'_>,
    mut data: Value,
) -> Result<NewMessage, TemplateError> {
    if let Some(map) = data.as_object_mut() {
        map.insert("org".into(), json!(settings.organisation));
        map.insert("name".into(), to.name.into());
        map.insert("reference".into(), to.reference.as_str().into());
    }
    let email = templates.email(template, &data)?;
    Ok(NewMessage {
        case: to.case,
        template,
        recipient: to.email.to_owned(),
        subject: email.subject,
        body_text: email.text,
        body_html: email.html,
    })
}

/// The people a message is about, as its templates address them.
pub struct Addressee<'a> {
    pub case: Option<CaseId>,
    pub name: &'a str,
    pub email: &'a str,
    pub reference: &'a Reference,
}

impl<'a> Addressee<'a> {
    /// Whoever we write to about a stored case: its authorised agent when
    /// an agent filed it, else the person themselves.
    pub fn of(case: &'a Case) -> Self {
        match (&case.agent_name, &case.agent_email) {
            (Some(name), Some(email)) => Addressee {
                case: Some(case.id),
                name,
                email,
                reference: &case.reference,
            },
            _ => Addressee {
                case: Some(case.id),
                name: &case.requester_name,
                email: &case.requester_email,
                reference: &case.reference,
            },
        }
    }
}

/// Asks the requester to confirm their address by following `link`.
pub fn confirm_email(
    templates: &Templates,
    settings: &Settings,
    to: &Addressee<'_>,
    regime: Regime,
    rights: &[RightRequest],
    link: &str,
) -> Result<NewMessage, TemplateError> {
    let unconfirmed_acted_on = rights.iter().any(|r| regime.is_fast_track(r));
    let rights: Vec<&str> = rights
        .iter()
        .map(|r| regime.right_name(r.right()))
        .collect();
    render(
        templates,
        settings,
        "confirm_email",
        to,
        json!({
            "fast_track": unconfirmed_acted_on,
            "rights": rights,
            "link": link,
            "ttl_hours": settings.requests.confirm_link_ttl_hours,
            "expiry_days": settings.requests.unconfirmed_expiry_days,
        }),
    )
}

/// Acknowledges a confirmed request: reference, rights, regime, due date,
/// what happens next and how to complain.
pub fn acknowledgement(
    templates: &Templates,
    settings: &Settings,
    to: &Addressee<'_>,
    rights: &[RightRequest],
    deadline: &Deadline,
    status_link: &str,
) -> Result<NewMessage, TemplateError> {
    let regime = deadline.regime;
    let rules = regime.rules();
    let fast: Vec<&str> = rights
        .iter()
        .filter(|r| regime.is_fast_track(r))
        .map(|r| regime.right_name(r.right()))
        .collect();
    let rights: Vec<Value> = rights
        .iter()
        .map(|r| {
            json!({
                "title": regime.right_name(r.right()),
                "basis": regime.right_basis(r.right()),
                "summary": r.summary(),
            })
        })
        .collect();
    let due = deadline.due.map(long).unwrap_or_else(|| {
        format!(
            "{} from the day we receive what we asked you for",
            rules.clock.period.describe()
        )
    });
    render(
        templates,
        settings,
        "acknowledgement",
        to,
        json!({
            "received": long(deadline.received),
            "regime": regime.title(),
            "due": due,
            "opt_out_due": deadline.opt_out_due.map(long),
            "fast_track": fast.join(" and "),
            "verification": rules.verification_notice,
            "extension": rules.clock.extension.words,
            "rights": rights,
            "remedy": remedy(settings, regime),
            "status_link": status_link,
        }),
    )
}

/// Where a requester under `regime` can complain, and whether they can go
/// to court, as the shared remedy partial shows it.
fn remedy(settings: &Settings, regime: Regime) -> Value {
    let remedies = regime.rules().remedies;
    json!({
        "complaint": remedies.complaint,
        "authority": settings.authorities.for_regime(regime),
        "also": remedies.also,
        "court": remedies.court,
    })
}

/// An email to the requester that a staff action sends.
pub enum CaseMessage<'a> {
    IdentityRequest {
        message: &'a str,
        questions: &'a [String],
    },
    Clarification {
        message: &'a str,
    },
    Extension {
        reason: &'a str,
        message: &'a str,
    },
    Fee {
        message: &'a str,
    },
    Completion {
        rights: &'a [CaseRight],
        /// The requester's status page, where the answer is.
        link: &'a str,
    },
    Refusal {
        ground: &'a str,
        reason: &'a str,
    },
    Duplicate {
        original: &'a str,
        message: &'a str,
    },
    Withdrawal,
    DocumentsRejected {
        reason: &'a str,
    },
    DetailsNotMatched {
        reason: &'a str,
    },
}

impl CaseMessage<'_> {
    /// Whether it asks the requester to do something on their private page
    /// (and so carries a link to it).
    pub fn needs_page(&self) -> bool {
        matches!(
            self,
            CaseMessage::IdentityRequest { .. }
                | CaseMessage::Clarification { .. }
                | CaseMessage::DetailsNotMatched { .. }
                | CaseMessage::DocumentsRejected { .. }
        )
    }
}

/// Renders the email a staff action sends, with what every case email
/// shows: the regime, the due date and where to complain; `status_link`
/// is the requester's private page, for messages that send them there.
pub fn case_message(
    templates: &Templates,
    settings: &Settings,
    to: &Addressee<'_>,
    regime: Regime,
    deadline: Option<&Deadline>,
    message: CaseMessage<'_>,
    status_link: Option<&str>,
) -> Result<NewMessage, TemplateError> {
    let (template, data) = match message {
        CaseMessage::IdentityRequest { message, questions } => (
            "identity_request",
            json!({ "message": message, "questions": questions }),
        ),
        CaseMessage::Clarification { message } => (
            "clarification_request",
            json!({
                "message": message,
                "paused": deadline.is_some_and(|d| d.clarification_pauses),
            }),
        ),
        CaseMessage::Extension { reason, message } => (
            "extension_notice",
            json!({
                "reason": reason,
                "message": message,
                "original_due": deadline.and_then(|d| d.original_due).map(long),
            }),
        ),
        CaseMessage::Fee { message } => ("fee_request", json!({ "message": message })),
        CaseMessage::Completion { rights, link } => {
            // Only the names of the rights and whether each was done: the
            // answer itself (notes, systems, data) is on the private page.
            let rights: Vec<Value> = rights
                .iter()
                .map(|r| {
                    json!({
                        "title": regime.right_name(r.request.right()),
                        "outcome": r.outcome.map(|o| o.for_requester()).unwrap_or("open"),
                        "refused": r.outcome.is_some_and(|o| o == Outcome::Refused || o == Outcome::PartiallyFulfilled),
                    })
                })
                .collect();
            let any_refused = rights.iter().any(|r| r["refused"] == json!(true));
            (
                "completion",
                json!({ "rights": rights, "link": link, "any_refused": any_refused }),
            )
        }
        CaseMessage::Refusal { ground, reason } => {
            ("refusal", json!({ "ground": ground, "reason": reason }))
        }
        CaseMessage::Duplicate { original, message } => (
            "duplicate_notice",
            json!({ "original": original, "message": message }),
        ),
        CaseMessage::Withdrawal => ("withdrawal_confirmation", json!({})),
        CaseMessage::DetailsNotMatched { reason } => {
            ("details_not_matched", json!({ "reason": reason }))
        }
        CaseMessage::DocumentsRejected { reason } => (
            "documents_rejected",
            json!({ "reason": reason, "max_mb": settings.uploads.max_file_bytes / 1_048_576 }),
        ),
    };
    let mut data = data;
    if let Some(map) = data.as_object_mut() {
        map.insert("regime".into(), regime.title().into());
        map.insert(
            "identity_restarts".into(),
            regime.restarts_on(Awaited::Identity).into(),
        );
        map.insert(
            "fee_restarts".into(),
            regime.restarts_on(Awaited::Fee).into(),
        );
        map.insert(
            "period".into(),
            regime.rules().clock.period.describe().into(),
        );
        map.insert("base_url".into(), settings.base_url().into());
        map.insert("status_link".into(), status_link.into());
        map.insert("due".into(), deadline.and_then(|d| d.due).map(long).into());
        map.insert("remedy".into(), remedy(settings, regime));
    }
    render(templates, settings, template, to, data)
}

/// Invites a new staff member to set their password, or, when they have
/// one already, sends them a link to choose a new one.
pub fn staff_invitation(
    templates: &Templates,
    settings: &Settings,
    user: &crate::db::users::User,
    invited_by: &str,
    link: &str,
) -> Result<NewMessage, TemplateError> {
    let (email, name, role, reset) = (
        user.email.as_str(),
        user.name.as_str(),
        user.role,
        user.password_hash.is_some(),
    );
    let data = json!({
        "reset": reset,
        "org": settings.organisation,
        "name": name,
        "invited_by": invited_by,
        "role": role.label(),
        "link": link,
        "ttl_hours": settings.staff.invite_ttl_hours,
    });
    let email_parts = templates.email("staff_invitation", &data)?;
    Ok(NewMessage {
        case: None,
        template: "staff_invitation",
        recipient: email.to_owned(),
        subject: email_parts.subject,
        body_text: email_parts.text,
        body_html: email_parts.html,
    })
}

/// Tells a staff member that the requester wrote on their status page.
pub fn reply_alert(
    templates: &Templates,
    settings: &Settings,
    email: &str,
    name: &str,
    reference: &Reference,
    what: &str,
) -> Result<NewMessage, TemplateError> {
    let data = json!({
        "org": settings.organisation,
        "name": name,
        "what": what,
        "reference": reference.as_str(),
        "link": format!("{}/staff/cases/{}", settings.base_url(), reference.as_str()),
    });
    let parts = templates.email("reply_alert", &data)?;
    Ok(NewMessage {
        case: None,
        template: "reply_alert",
        recipient: email.to_owned(),
        subject: parts.subject,
        body_text: parts.text,
        body_html: parts.html,
    })
}

/// The link to a requester's private status page.
pub fn status_link(
    templates: &Templates,
    settings: &Settings,
    to: &Addressee<'_>,
    link: &str,
) -> Result<NewMessage, TemplateError> {
    render(
        templates,
        settings,
        "status_link",
        to,
        json!({ "link": link, "ttl_days": settings.requests.status_link_ttl_days }),
    )
}

/// Asks the person named on an agent's request to confirm the agent.
pub fn agent_check(
    templates: &Templates,
    settings: &Settings,
    person: &Addressee<'_>,
    agent_name: &str,
    link: &str,
) -> Result<NewMessage, TemplateError> {
    render(
        templates,
        settings,
        "agent_check",
        person,
        json!({ "agent_name": agent_name, "link": link }),
    )
}

/// A task for a system owner (or a reminder of one): the link opens it.
pub struct TaskMail<'a> {
    pub case: CaseId,
    pub reference: &'a Reference,
    pub system: &'a str,
    pub owner: &'a str,
    pub right: crate::domain::Right,
    pub target: chrono::NaiveDate,
    pub expires: chrono::NaiveDate,
    pub link: &'a str,
    pub reminder: bool,
}

pub fn task_request(
    templates: &Templates,
    settings: &Settings,
    task: &TaskMail<'_>,
) -> Result<NewMessage, TemplateError> {
    let data = json!({
        "org": settings.organisation,
        "reference": task.reference.as_str(),
        "system": task.system,
        "right": task.right.short(),
        "what": crate::domain::fulfilment::instruction(task.right),
        "target": crate::domain::deadline::long(task.target),
        "expires": crate::domain::deadline::long(task.expires),
        "link": task.link,
        "reminder": task.reminder,
    });
    let parts = templates.email("task_request", &data)?;
    Ok(NewMessage {
        case: Some(task.case),
        template: "task_request",
        recipient: task.owner.to_owned(),
        subject: parts.subject,
        body_text: parts.text,
        body_html: parts.html,
    })
}

/// Tells a recipient the data was disclosed to that it was erased,
/// corrected or restricted, so they do the same (GDPR Art. 19).
pub fn recipient_notice(
    templates: &Templates,
    settings: &Settings,
    case: &Case,
    system: &str,
    recipient: &str,
    rights: &[crate::domain::Right],
) -> Result<NewMessage, TemplateError> {
    use crate::domain::fulfilment::done_to_data;
    let done: Vec<&str> = rights.iter().map(|r| done_to_data(*r)).collect();
    let data = json!({
        "org": settings.organisation,
        "reference": case.reference.as_str(),
        "system": system,
        "done": done.join(" and "),
        "rights": rights.iter().map(|r| format!("{}: {} the data", r.short(), done_to_data(*r))).collect::<Vec<_>>(),
        "person_name": case.requester_name,
        "person_email": case.requester_email,
    });
    let parts = templates.email("recipient_notice", &data)?;
    Ok(NewMessage {
        case: Some(case.id),
        template: "recipient_notice",
        recipient: recipient.to_owned(),
        subject: parts.subject,
        body_text: parts.text,
        body_html: parts.html,
    })
}

/// A staff member's digest: their cases due soon and, for admins, those
/// nobody has (`mine` and `unassigned` are the queue's rows as the digest
/// lists them).
pub fn staff_digest(
    templates: &Templates,
    settings: &Settings,
    user: &crate::db::users::User,
    subject_line: &str,
    window_days: u64,
    mine: &[Value],
    unassigned: &[Value],
) -> Result<NewMessage, TemplateError> {
    let data = json!({
        "org": settings.organisation,
        "name": user.name,
        "subject_line": subject_line,
        "window_days": window_days,
        "mine": mine,
        "unassigned": unassigned,
        "base_url": settings.base_url(),
    });
    let email = templates.email("staff_digest", &data)?;
    Ok(NewMessage {
        case: None,
        template: "staff_digest",
        recipient: user.email.clone(),
        subject: email.subject,
        body_text: email.text,
        body_html: email.html,
    })
}
