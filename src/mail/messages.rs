//! One function per email: each gathers what its templates need and renders
//! a message ready for the outbox.

use serde_json::{json, Value};

use crate::config::Settings;
use crate::db::cases::CaseId;
use crate::db::outbox::NewMessage;
use crate::domain::deadline::{long, Deadline};
use crate::domain::{Reference, Regime, RightRequest};
use crate::templates::{TemplateError, Templates};

fn render(
    templates: &Templates,
    template: &'static str,
    case: Option<CaseId>,
    recipient: &str,
    data: Value,
) -> Result<NewMessage, TemplateError> {
    let email = templates.email(template, &data)?;
    Ok(NewMessage {
        case,
        template,
        recipient: recipient.to_owned(),
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

/// Asks the requester to confirm their address by following `link`.
pub fn confirm_email(
    templates: &Templates,
    settings: &Settings,
    to: &Addressee<'_>,
    regime: Regime,
    rights: &[RightRequest],
    link: &str,
) -> Result<NewMessage, TemplateError> {
    let rights: Vec<&str> = rights.iter().map(|r| r.right().title(regime)).collect();
    render(
        templates,
        "confirm_email",
        to.case,
        to.email,
        json!({
            "org": settings.organisation,
            "name": to.name,
            "reference": to.reference.as_str(),
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
) -> Result<NewMessage, TemplateError> {
    let regime = deadline.regime;
    let rights: Vec<Value> = rights
        .iter()
        .map(|r| {
            json!({
                "title": r.right().title(regime),
                "basis": r.right().legal_basis(regime),
                "summary": r.summary(),
            })
        })
        .collect();
    let due = deadline
        .due
        .map(long)
        .unwrap_or_else(|| "the date we receive what we asked you for, plus one month".into());
    render(
        templates,
        "acknowledgement",
        to.case,
        to.email,
        json!({
            "org": settings.organisation,
            "name": to.name,
            "reference": to.reference.as_str(),
            "received": long(deadline.received),
            "regime": regime.title(),
            "gdpr": regime.is_gdpr(),
            "due": due,
            "opt_out_due": deadline.opt_out_due.map(long),
            "extension": if regime.is_gdpr() { "up to two further months" } else { "up to 45 more days" },
            "rights": rights,
            "authority": settings.authorities.for_regime(regime),
        }),
    )
}
