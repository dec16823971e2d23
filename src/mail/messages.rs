//! One function per email: each gathers what its templates need, in a typed
//! context (a struct per email, so a template's every variable is a field
//! the compiler checks is set), and renders a message ready for the outbox.

use serde::Serialize;

use crate::config::{Authority, Organisation, Settings};
use crate::db::cases::{Case, CaseId, CaseRight};
use crate::db::outbox::NewMessage;
use crate::domain::casework::Outcome;
use crate::domain::deadline::{long, Deadline};
use crate::domain::regime::Awaited;
use crate::domain::{Reference, Regime, RightRequest};
use crate::templates::{TemplateError, Templates};

/// What every email to a requester shows (the organisation, the
/// addressee's name, the reference) around the email's own context.
#[derive(Serialize)]
struct ToRequester<'a, T: Serialize> {
    org: &'a Organisation,
    name: &'a str,
    reference: &'a str,
    #[serde(flatten)]
    body: T,
}

/// Renders `template` for `to` with `body`, the email's own context.
fn render(
    templates: &Templates,
    settings: &Settings,
    template: &'static str,
    to: &Addressee<'_>,
    body: impl Serialize,
) -> Result<NewMessage, TemplateError> {
    let data = ToRequester {
        org: &settings.organisation,
        name: to.name,
        reference: to.reference.as_str(),
        body,
    };
    let email = templates.email(template, &data)?;
    Ok(message(to.case, template, to.email, email))
}

fn message(
    case: Option<CaseId>,
    template: &'static str,
    recipient: &str,
    email: crate::templates::RenderedEmail,
) -> NewMessage {
    NewMessage {
        case,
        template,
        recipient: recipient.to_owned(),
        subject: email.subject,
        body_text: email.text,
        body_html: email.html,
    }
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
    #[derive(Serialize)]
    struct ConfirmEmail<'a> {
        /// A right acted on whether or not the address is confirmed.
        fast_track: bool,
        rights: Vec<&'static str>,
        link: &'a str,
        ttl_hours: u32,
        expiry_days: u32,
    }
    render(
        templates,
        settings,
        "confirm_email",
        to,
        ConfirmEmail {
            fast_track: rights.iter().any(|r| regime.is_fast_track(r)),
            rights: rights
                .iter()
                .map(|r| regime.right_name(r.right()))
                .collect(),
            link,
            ttl_hours: settings.requests.confirm_link_ttl_hours,
            expiry_days: settings.requests.unconfirmed_expiry_days,
        },
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
    #[derive(Serialize)]
    struct Acknowledgement<'a> {
        received: String,
        regime: &'static str,
        due: String,
        opt_out_due: Option<String>,
        /// The rights acted on at once, in words ("" for none).
        fast_track: String,
        verification: &'static str,
        extension: &'static str,
        rights: Vec<AskedRight>,
        remedy: Remedy<'a>,
        status_link: &'a str,
    }
    #[derive(Serialize)]
    struct AskedRight {
        title: &'static str,
        basis: &'static str,
        summary: String,
    }
    let regime = deadline.regime;
    let rules = regime.rules();
    let fast: Vec<&str> = rights
        .iter()
        .filter(|r| regime.is_fast_track(r))
        .map(|r| regime.right_name(r.right()))
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
        Acknowledgement {
            received: long(deadline.received),
            regime: regime.title(),
            due,
            opt_out_due: deadline.opt_out_due.map(long),
            fast_track: fast.join(" and "),
            verification: rules.verification_notice,
            extension: rules.clock.extension.words,
            rights: rights
                .iter()
                .map(|r| AskedRight {
                    title: regime.right_name(r.right()),
                    basis: regime.right_basis(r.right()),
                    summary: r.summary(),
                })
                .collect(),
            remedy: Remedy::of(settings, regime),
            status_link,
        },
    )
}

/// Where a requester under a regime can complain, and whether they can go
/// to court, as the shared remedy partial shows it (in emails and pages).
#[derive(Serialize)]
pub struct Remedy<'a> {
    complaint: &'static str,
    authority: Option<&'a Authority>,
    also: Option<&'static str>,
    court: Option<&'static str>,
}

impl Remedy<'_> {
    pub fn of(settings: &Settings, regime: Regime) -> Remedy<'_> {
        let remedies = regime.rules().remedies;
        Remedy {
            complaint: remedies.complaint,
            authority: settings.authorities.for_regime(regime),
            also: remedies.also,
            court: remedies.court,
        }
    }
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
    let (template, body) = match message {
        CaseMessage::IdentityRequest { message, questions } => (
            "identity_request",
            CaseBody::IdentityRequest { message, questions },
        ),
        CaseMessage::Clarification { message } => (
            "clarification_request",
            CaseBody::Clarification {
                message,
                paused: deadline.is_some_and(|d| d.clarification_pauses),
            },
        ),
        CaseMessage::Extension { reason, message } => (
            "extension_notice",
            CaseBody::Extension {
                reason,
                message,
                original_due: deadline.and_then(|d| d.original_due).map(long),
            },
        ),
        CaseMessage::Fee { message } => ("fee_request", CaseBody::Fee { message }),
        CaseMessage::Completion { rights, link } => {
            // Only the names of the rights and whether each was done: the
            // answer itself (notes, systems, data) is on the private page.
            let rights: Vec<Answered> = rights
                .iter()
                .map(|r| Answered {
                    title: regime.right_name(r.request.right()),
                    outcome: r.outcome.map(|o| o.for_requester()).unwrap_or("open"),
                    refused: r
                        .outcome
                        .is_some_and(|o| o == Outcome::Refused || o == Outcome::PartiallyFulfilled),
                })
                .collect();
            let any_refused = rights.iter().any(|r| r.refused);
            (
                "completion",
                CaseBody::Completion {
                    rights,
                    link,
                    any_refused,
                },
            )
        }
        CaseMessage::Refusal { ground, reason } => {
            ("refusal", CaseBody::Refusal { ground, reason })
        }
        CaseMessage::Duplicate { original, message } => (
            "duplicate_notice",
            CaseBody::Duplicate { original, message },
        ),
        CaseMessage::Withdrawal => ("withdrawal_confirmation", CaseBody::Withdrawal {}),
        CaseMessage::DetailsNotMatched { reason } => (
            "details_not_matched",
            CaseBody::DetailsNotMatched { reason },
        ),
        CaseMessage::DocumentsRejected { reason } => (
            "documents_rejected",
            CaseBody::DocumentsRejected {
                reason,
                max_mb: settings.uploads.max_file_bytes / 1_048_576,
            },
        ),
    };
    let data = CaseEmail {
        regime: regime.title(),
        identity_restarts: regime.restarts_on(Awaited::Identity),
        fee_restarts: regime.restarts_on(Awaited::Fee),
        period: regime.rules().clock.period.describe(),
        base_url: settings.base_url(),
        status_link,
        due: deadline.and_then(|d| d.due).map(long),
        remedy: Remedy::of(settings, regime),
        body,
    };
    render(templates, settings, template, to, data)
}

/// What every email a staff action sends shows: the law, the due date,
/// whether the clock waits for identity or a fee, where to complain.
#[derive(Serialize)]
struct CaseEmail<'a> {
    regime: &'static str,
    identity_restarts: bool,
    fee_restarts: bool,
    period: String,
    base_url: &'a str,
    status_link: Option<&'a str>,
    due: Option<String>,
    remedy: Remedy<'a>,
    #[serde(flatten)]
    body: CaseBody<'a>,
}

/// Each case email's own context.
#[derive(Serialize)]
#[serde(untagged)]
enum CaseBody<'a> {
    IdentityRequest {
        message: &'a str,
        questions: &'a [String],
    },
    Clarification {
        message: &'a str,
        /// Whether the clock waits for the answer.
        paused: bool,
    },
    Extension {
        reason: &'a str,
        message: &'a str,
        original_due: Option<String>,
    },
    Fee {
        message: &'a str,
    },
    Completion {
        rights: Vec<Answered>,
        link: &'a str,
        any_refused: bool,
    },
    Refusal {
        ground: &'a str,
        reason: &'a str,
    },
    Duplicate {
        original: &'a str,
        message: &'a str,
    },
    Withdrawal {},
    DetailsNotMatched {
        reason: &'a str,
    },
    DocumentsRejected {
        reason: &'a str,
        max_mb: usize,
    },
}

/// A right as the completion email names it.
#[derive(Serialize)]
struct Answered {
    title: &'static str,
    outcome: &'static str,
    refused: bool,
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
    #[derive(Serialize)]
    struct Invitation<'a> {
        /// They have a password already: a link to choose a new one.
        reset: bool,
        org: &'a Organisation,
        name: &'a str,
        invited_by: &'a str,
        role: &'static str,
        link: &'a str,
        ttl_hours: u32,
    }
    let data = Invitation {
        reset: user.password_hash.is_some(),
        org: &settings.organisation,
        name: &user.name,
        invited_by,
        role: user.role.label(),
        link,
        ttl_hours: settings.staff.invite_ttl_hours,
    };
    let email = templates.email("staff_invitation", &data)?;
    Ok(message(None, "staff_invitation", &user.email, email))
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
    #[derive(Serialize)]
    struct ReplyAlert<'a> {
        org: &'a Organisation,
        name: &'a str,
        what: &'a str,
        reference: &'a str,
        link: String,
    }
    let data = ReplyAlert {
        org: &settings.organisation,
        name,
        what,
        reference: reference.as_str(),
        link: format!("{}/staff/cases/{}", settings.base_url(), reference.as_str()),
    };
    let parts = templates.email("reply_alert", &data)?;
    Ok(message(None, "reply_alert", email, parts))
}

/// The link to a requester's private status page.
pub fn status_link(
    templates: &Templates,
    settings: &Settings,
    to: &Addressee<'_>,
    link: &str,
) -> Result<NewMessage, TemplateError> {
    #[derive(Serialize)]
    struct StatusLink<'a> {
        link: &'a str,
        ttl_days: u32,
    }
    render(
        templates,
        settings,
        "status_link",
        to,
        StatusLink {
            link,
            ttl_days: settings.requests.status_link_ttl_days,
        },
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
    #[derive(Serialize)]
    struct AgentCheck<'a> {
        agent_name: &'a str,
        link: &'a str,
    }
    render(
        templates,
        settings,
        "agent_check",
        person,
        AgentCheck { agent_name, link },
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
    #[derive(Serialize)]
    struct TaskRequest<'a> {
        org: &'a Organisation,
        reference: &'a str,
        system: &'a str,
        right: &'static str,
        what: &'static str,
        target: String,
        expires: String,
        link: &'a str,
        reminder: bool,
    }
    let data = TaskRequest {
        org: &settings.organisation,
        reference: task.reference.as_str(),
        system: task.system,
        right: task.right.short(),
        what: crate::domain::fulfilment::instruction(task.right),
        target: long(task.target),
        expires: long(task.expires),
        link: task.link,
        reminder: task.reminder,
    };
    let parts = templates.email("task_request", &data)?;
    Ok(message(Some(task.case), "task_request", task.owner, parts))
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
    #[derive(Serialize)]
    struct RecipientNotice<'a> {
        org: &'a Organisation,
        reference: &'a str,
        system: &'a str,
        done: String,
        rights: Vec<String>,
        person_name: &'a str,
        person_email: &'a str,
    }
    let done: Vec<&str> = rights.iter().map(|r| done_to_data(*r)).collect();
    let data = RecipientNotice {
        org: &settings.organisation,
        reference: case.reference.as_str(),
        system,
        done: done.join(" and "),
        rights: rights
            .iter()
            .map(|r| format!("{}: {} the data", r.short(), done_to_data(*r)))
            .collect(),
        person_name: &case.requester_name,
        person_email: &case.requester_email,
    };
    let parts = templates.email("recipient_notice", &data)?;
    Ok(message(Some(case.id), "recipient_notice", recipient, parts))
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
    mine: &[DigestRow],
    unassigned: &[DigestRow],
) -> Result<NewMessage, TemplateError> {
    #[derive(Serialize)]
    struct Digest<'a> {
        org: &'a Organisation,
        name: &'a str,
        subject_line: &'a str,
        window_days: u64,
        mine: &'a [DigestRow],
        unassigned: &'a [DigestRow],
        base_url: &'a str,
    }
    let data = Digest {
        org: &settings.organisation,
        name: &user.name,
        subject_line,
        window_days,
        mine,
        unassigned,
        base_url: settings.base_url(),
    };
    let email = templates.email("staff_digest", &data)?;
    Ok(message(None, "staff_digest", &user.email, email))
}

/// A case as the digest lists it.
#[derive(Debug, Clone, Serialize)]
pub struct DigestRow {
    pub reference: String,
    pub status: String,
    /// "due in 3 days", "OVERDUE by 2 days"...
    pub due_text: String,
    pub overdue: bool,
    pub rights: String,
}
