//! Every email, in every regime, rendered from the same made-up case and
//! compared with its snapshot in `tests/snapshots/emails/` (the subject,
//! the text and the HTML of each). A change of wording is then a diff to
//! review: run `UPDATE_SNAPSHOTS=1 cargo test --lib snapshots` and read
//! what changed before committing it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};

use super::messages::{self, Addressee, CaseMessage, TaskMail};
use crate::config::Settings;
use crate::db::cases::{Case, CaseId, CaseRight};
use crate::db::outbox::NewMessage;
use crate::db::queue::QueueRow;
use crate::db::users::{User, UserId};
use crate::domain::casework::Outcome;
use crate::domain::deadline::{self, Deadline, DeadlineInput};
use crate::domain::rights::Choice;
use crate::domain::{CaseState, IntakeInput, NewRequest, Reference, Regime, Right, Role};
use crate::templates::Templates;

/// Where each regime's made-up requester lives.
const PLACES: [(Regime, &str); 3] = [
    (Regime::UK_GDPR, "GB"),
    (Regime::EU_GDPR, "FR"),
    (Regime::CCPA, "US-CA"),
];

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn at(s: &str) -> NaiveDateTime {
    day(s).and_hms_opt(9, 30, 0).expect("a time")
}

/// One regime's made-up case, with what its emails need.
struct Fixture {
    regime: Regime,
    case: Case,
    request: NewRequest,
    rights: Vec<CaseRight>,
    deadline: Deadline,
}

fn fixture(settings: &Settings, regime: Regime, place: &str) -> Fixture {
    let rights: Vec<String> = if regime == Regime::CCPA {
        vec!["access".into(), "erasure".into(), "opt_out".into()]
    } else {
        vec!["access".into(), "erasure".into()]
    };
    let input = IntakeInput {
        name: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        location: place.into(),
        rights,
        access_scope: "Orders since 2024".into(),
        erasure_ground: "no_longer_necessary".into(),
        acting_as: "self".into(),
        ..IntakeInput::default()
    };
    let jurisdiction = settings
        .organisation
        .jurisdiction()
        .expect("the default jurisdiction");
    let request = NewRequest::parse(&input, &jurisdiction).expect("a valid request");
    assert_eq!(request.regime, regime, "{place} is under {regime:?}");
    let received = day("2026-03-02");
    let keys: Vec<Right> = request.rights.iter().map(|r| r.right()).collect();
    let calendars = settings.calendars().expect("calendars");
    let deadline = deadline::compute(
        DeadlineInput {
            regime,
            received,
            rights: &keys,
            events: &[],
            fast_track: request.rights.iter().any(|r| regime.is_fast_track(r)),
        },
        calendars.for_regime(regime),
        day("2026-03-05"),
    )
    .expect("a deadline");
    let case = Case {
        id: CaseId(7),
        reference: "RD-7K3M-9Q2X".parse().expect("a reference"),
        state: CaseState::InProgress,
        regime,
        channel: "web".into(),
        location: place.into(),
        requester_name: request.name.clone(),
        requester_email: request.email.as_str().to_owned(),
        agent_name: None,
        description: None,
        received_on: Some(received),
        due_on: deadline.due,
        submitted_at: at("2026-03-02"),
        confirmed_at: Some(at("2026-03-02")),
        closed_at: None,
        assignee: None,
        closure: None,
        duplicate_of: None,
        agent_email: None,
    };
    let rights = request
        .rights
        .iter()
        .enumerate()
        .map(|(i, r)| CaseRight {
            request: r.clone(),
            outcome: Some(if i == 0 {
                Outcome::Fulfilled
            } else {
                Outcome::PartiallyFulfilled
            }),
            outcome_note: None,
            decided_at: Some(at("2026-03-20")),
        })
        .collect();
    Fixture {
        regime,
        case,
        request,
        rights,
        deadline,
    }
}

const LINK: &str = "http://127.0.0.1:8080/status/LINK-TOKEN";

/// Every message one regime's case can cause, by name.
fn messages(settings: &Settings, templates: &Templates, f: &Fixture) -> Vec<(String, NewMessage)> {
    let to = Addressee::of(&f.case);
    let case_message = |message: CaseMessage<'_>| {
        let link = message.needs_page().then_some(LINK);
        messages::case_message(
            templates,
            settings,
            &to,
            f.regime,
            Some(&f.deadline),
            message,
            link,
        )
        .expect("renders")
    };
    let ground = f.regime.rules().refusal_grounds[0].requester_text;
    let reason = f.regime.rules().clock.extension.reasons[0];
    let questions = vec!["The postcode on your account".to_owned()];
    let mut all = vec![
        (
            "confirm_email",
            messages::confirm_email(
                templates,
                settings,
                &to,
                f.regime,
                &f.request.rights,
                "http://127.0.0.1:8080/confirm/CONFIRM-TOKEN",
            )
            .expect("renders"),
        ),
        (
            "acknowledgement",
            messages::acknowledgement(
                templates,
                settings,
                &to,
                &f.request.rights,
                &f.deadline,
                LINK,
            )
            .expect("renders"),
        ),
        (
            "identity_request",
            case_message(CaseMessage::IdentityRequest {
                message: "Please send a recent bill with your address.",
                questions: &questions,
            }),
        ),
        (
            "details_not_matched",
            case_message(CaseMessage::DetailsNotMatched {
                reason: "The postcode is not the one on your account.",
            }),
        ),
        (
            "documents_rejected",
            case_message(CaseMessage::DocumentsRejected {
                reason: "The bill is older than three months.",
            }),
        ),
        (
            "clarification_request",
            case_message(CaseMessage::Clarification {
                message: "Which of your two accounts do you mean?",
            }),
        ),
        (
            "extension_notice",
            case_message(CaseMessage::Extension {
                reason: reason.label(),
                message: "Your data is in several systems we must search by hand.",
            }),
        ),
        (
            "fee_request",
            case_message(CaseMessage::Fee {
                message: "A fee of £10 for a further copy.",
            }),
        ),
        (
            "completion",
            case_message(CaseMessage::Completion {
                rights: &f.rights,
                link: LINK,
            }),
        ),
        (
            "refusal",
            case_message(CaseMessage::Refusal {
                ground,
                reason: "You asked for the same data three times this month.",
            }),
        ),
        (
            "duplicate_notice",
            case_message(CaseMessage::Duplicate {
                original: "RD-AAAA-BBBB",
                message: "We are already working on it.",
            }),
        ),
        (
            "withdrawal_confirmation",
            case_message(CaseMessage::Withdrawal),
        ),
        (
            "status_link",
            messages::status_link(templates, settings, &to, LINK).expect("renders"),
        ),
        (
            "agent_check",
            messages::agent_check(
                templates,
                settings,
                &to,
                "Mo Advocate",
                "http://127.0.0.1:8080/authority/AGENT-TOKEN",
            )
            .expect("renders"),
        ),
        (
            "task_request",
            messages::task_request(
                templates,
                settings,
                &TaskMail {
                    case: f.case.id,
                    reference: &f.case.reference,
                    system: "CRM",
                    owner: "crm-owner@example.org",
                    right: Right::Erasure,
                    target: day("2026-03-16"),
                    expires: day("2026-04-02"),
                    link: "http://127.0.0.1:8080/tasks/TASK-TOKEN",
                    reminder: false,
                },
            )
            .expect("renders"),
        ),
        (
            "recipient_notice",
            messages::recipient_notice(
                templates,
                settings,
                &f.case,
                "Billing",
                "billing@payco.example",
                &[Right::Erasure],
            )
            .expect("renders"),
        ),
    ];
    // The staff's emails do not depend on the case's law: once, with the
    // first regime.
    if f.regime == PLACES[0].0 {
        all.extend(staff_messages(settings, templates, &f.case.reference));
    }
    all.into_iter().map(|(n, m)| (n.to_owned(), m)).collect()
}

fn staff_messages(
    settings: &Settings,
    templates: &Templates,
    reference: &Reference,
) -> Vec<(&'static str, NewMessage)> {
    let user = User {
        id: UserId(2),
        email: "dana@example.org".into(),
        name: "Dana Okafor".into(),
        role: Role::Admin,
        password_hash: None,
        active: true,
        failed_logins: 0,
        locked_until: None,
        session_epoch: 0,
        created_at: at("2026-03-01"),
        last_login_at: None,
    };
    let today = day("2026-03-20");
    let row = |due: &str, state: CaseState| {
        crate::service::digest::row(
            &QueueRow {
                id: CaseId(7),
                reference: reference.as_str().to_owned(),
                state,
                regime: Regime::UK_GDPR,
                due_on: Some(day(due)),
                received_on: Some(day("2026-03-02")),
                assignee: None,
                rights: vec![Right::Access],
                requester_name: "Ada Lovelace".into(),
            },
            today,
        )
    };
    let mine: Vec<crate::mail::messages::DigestRow> = vec![
        row("2026-03-18", CaseState::InProgress),
        row("2026-03-24", CaseState::AwaitingRequester),
    ];
    let unassigned = vec![row("2026-03-25", CaseState::AwaitingIdentity)];
    vec![
        (
            "staff_invitation",
            messages::staff_invitation(
                templates,
                settings,
                &user,
                "Sam Admin",
                "http://127.0.0.1:8080/staff/setup/INVITE-TOKEN",
            )
            .expect("renders"),
        ),
        (
            "reply_alert",
            messages::reply_alert(
                templates,
                settings,
                "dana@example.org",
                "Dana Okafor",
                reference,
                "replied on their page",
            )
            .expect("renders"),
        ),
        (
            "staff_digest",
            messages::staff_digest(
                templates,
                settings,
                &user,
                "Rightsdesk: 1 of your cases overdue, 1 due this week",
                7,
                &mine,
                &unassigned,
            )
            .expect("renders"),
        ),
    ]
}

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/emails")
}

fn snapshot(message: &NewMessage) -> String {
    format!(
        "To: {}\nSubject: {}\n\n--- text ---\n{}\n--- html ---\n{}\n",
        message.recipient,
        message.subject,
        message.body_text.trim_end(),
        message.body_html.trim_end()
    )
}

#[test]
fn every_email_in_every_regime_matches_its_snapshot() {
    let settings = Settings::load_from(HashMap::new()).expect("default settings");
    let templates =
        Templates::load(Path::new(crate::templates::DEFAULT_DIR)).expect("the templates");
    let update = std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1");
    let dir = snapshot_dir();
    let mut seen = Vec::new();
    let mut wrong = Vec::new();
    for (regime, place) in PLACES {
        let f = fixture(&settings, regime, place);
        for (name, message) in messages(&settings, &templates, &f) {
            let file = format!("{name}.{}.snap", regime.key());
            let got = snapshot(&message);
            let path = dir.join(&file);
            if update {
                std::fs::create_dir_all(&dir).expect("the snapshot directory");
                std::fs::write(&path, &got).expect("a snapshot written");
            } else {
                match std::fs::read_to_string(&path) {
                    Ok(want) if want == got => {}
                    Ok(want) => wrong.push(format!("{file} changed:\n{}", diff(&want, &got))),
                    Err(_) => wrong.push(format!("{file} has no snapshot yet")),
                }
            }
            seen.push(file);
        }
    }
    // Every template that sends mail is covered, and no snapshot is stale.
    let templates_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/emails");
    for entry in std::fs::read_dir(templates_dir).expect("templates/emails") {
        let name = entry
            .expect("an entry")
            .file_name()
            .into_string()
            .unwrap_or_default();
        if name != "partials" {
            assert!(
                seen.iter().any(|f| f.starts_with(&format!("{name}."))),
                "no snapshot renders the email '{name}'"
            );
        }
    }
    if !update {
        for entry in std::fs::read_dir(&dir).expect("the snapshot directory") {
            let name = entry
                .expect("an entry")
                .file_name()
                .into_string()
                .unwrap_or_default();
            assert!(
                seen.contains(&name),
                "{name} is a snapshot of no email: delete it"
            );
        }
    }
    assert!(
        wrong.is_empty(),
        "{}\n\nIf the change is meant, run UPDATE_SNAPSHOTS=1 cargo test --lib snapshots and review the diff.",
        wrong.join("\n\n")
    );
}

/// The lines that differ, marked - (snapshot) and + (now).
fn diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let mut out = Vec::new();
    for i in 0..w.len().max(g.len()) {
        match (w.get(i), g.get(i)) {
            (Some(a), Some(b)) if a == b => {}
            (a, b) => {
                if let Some(a) = a {
                    out.push(format!("{:>4} - {a}", i + 1));
                }
                if let Some(b) = b {
                    out.push(format!("{:>4} + {b}", i + 1));
                }
            }
        }
        if out.len() > 40 {
            out.push("...".into());
            break;
        }
    }
    out.join("\n")
}
