//! `GET /requests/new` shows the intake form; `POST /requests` checks it and
//! files the request, or shows the form again with every answer kept and
//! each problem next to its field.

use actix_web::http::header::{self, ContentLength, Header};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::app::AppContext;
use crate::domain::intake::{FieldError, IntakeInput, Step};
use crate::domain::regime::LOCATIONS;
use crate::domain::rights::{
    Choice, ErasureGround, ObjectionGround, PortabilityDestination, RestrictionGround,
};
use crate::domain::{Jurisdiction, NewRequest, Right};
use crate::service::intake::{self, Filed};
use crate::web::{csrf, pages, WebError};

mod steps;

/// The answers to the questions asked one per page, carried from page to
/// page in the address (none of them is personal: who is asking, a place,
/// the rights asked for); the name, addresses and details are only ever
/// posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Answers {
    /// The question whose page sent these answers.
    step: String,
    /// A question to ask again (a "Change" or "Back" link).
    change: String,
    acting_as: String,
    location: String,
    rights: Vec<String>,
}

impl Answers {
    fn input(self) -> IntakeInput {
        IntakeInput {
            acting_as: self.acting_as,
            location: self.location,
            rights: self.rights,
            ..IntakeInput::default()
        }
    }
}

/// `GET /requests/new`: the next question for the answers so far, or the
/// page for the details once who, where and what are answered.
pub async fn get(req: HttpRequest, ctx: web::Data<AppContext>) -> Result<HttpResponse, WebError> {
    let answers: Answers = serde_html_form::from_str(req.query_string()).map_err(|_| {
        WebError::BadForm(
            "the address holds answers the form cannot read; start again from the request page"
                .into(),
        )
    })?;
    let change = Step::parse(&answers.change).filter(|s| *s != Step::Details);
    let answered = Step::parse(&answers.step);
    let input = answers.input();
    let asked = Asked {
        changing: change.is_some(),
        posted: None,
    };
    if let Some(step) = change {
        return step_page(&ctx, step, &input, None, asked);
    }
    match Step::next(&input, answered, &ctx.jurisdiction) {
        (Step::Details, _) => {
            let (token, cookie) = csrf::token(&req, pages::secure_cookies(&ctx));
            details_page(&ctx, &input, &[], &token, StatusCode::OK, cookie)
        }
        (step, error) => step_page(&ctx, step, &input, error, asked),
    }
}

/// How a question page was reached.
#[derive(Clone, Copy)]
pub(super) struct Asked<'a> {
    /// To change an answer given before (its Back returns to the details
    /// once every question is answered).
    changing: bool,
    /// From the details page (its form's CSRF token): the question page
    /// posts, carrying what was typed there, so that none of it is lost.
    posted: Option<&'a str>,
}

/// The intake form's own fields besides the request: its CSRF token, the
/// question whose page sent it, and a question to ask again (the details
/// page's Change and Back buttons).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Posted {
    csrf_token: String,
    step: String,
    change: String,
}

/// Reads a posted form: no larger than `server.max_body_bytes`, and
/// url-encoded.
async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    ctx: &AppContext,
) -> Result<(Posted, IntakeInput), WebError> {
    let limit = ctx.settings.server.max_body_bytes;
    if let Ok(ContentLength(length)) = ContentLength::parse(req) {
        if length > limit {
            return Err(WebError::PayloadTooLarge(limit));
        }
    }
    let body = payload
        .to_bytes_limited(limit)
        .await
        .map_err(|_| WebError::PayloadTooLarge(limit))?
        .map_err(|e| WebError::BadForm(format!("the upload was interrupted ({e})")))?;
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(WebError::BadForm(
            "send the form from the request page".into(),
        ));
    }
    let posted: Posted = crate::web::form(&body)?;
    csrf::verify(req, &posted.csrf_token)?;
    let input: IntakeInput = crate::web::form(&body)?;
    Ok((posted, input))
}

/// `POST /requests/new`: the details page's Change and Back buttons, and
/// the question pages they lead to. Like `GET`, but what was typed on the
/// details page travels along in the body (never in an address).
pub async fn revise(
    req: HttpRequest,
    payload: web::Payload,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let (posted, input) = read_form(&req, payload, &ctx).await?;
    let change = Step::parse(&posted.change).filter(|s| *s != Step::Details);
    let asked = Asked {
        changing: change.is_some() || !posted.change.is_empty(),
        posted: Some(&posted.csrf_token),
    };
    if let Some(step) = change {
        return step_page(&ctx, step, &input, None, asked);
    }
    match Step::next(&input, Step::parse(&posted.step), &ctx.jurisdiction) {
        (Step::Details, _) => {
            details_page(&ctx, &input, &[], &posted.csrf_token, StatusCode::OK, None)
        }
        (step, error) => step_page(&ctx, step, &input, error, asked),
    }
}

/// The page for the details: what was answered so far, each with a link to
/// change it, and only the fields those answers need.
fn details_page(
    ctx: &AppContext,
    input: &IntakeInput,
    errors: &[FieldError],
    csrf_token: &str,
    status: StatusCode,
    cookie: Option<actix_web::cookie::Cookie<'static>>,
) -> Result<HttpResponse, WebError> {
    let view = form_view(input, errors, csrf_token, &ctx.jurisdiction);
    // The details of each right asked for, under its plain name (the place
    // is chosen: no "only where you live" notes); no grounds for erasure
    // under a law that asks for none.
    let regime =
        crate::domain::Location::parse(&input.location).map(|l| ctx.jurisdiction.regime_for(l));
    let grounds = regime.is_none_or(|r| r.rules().erasure_grounds);
    let rights = view
        .rights
        .iter()
        .filter(|r| r.checked)
        .filter(|r| grounds || r.right != Right::Erasure)
        .filter_map(|r| {
            Some(RightBox {
                right: r.right,
                key: r.key,
                label: r
                    .right
                    .label_for(input.acting_as.trim() == "agent")
                    .to_owned(),
                checked: true,
                detail: Some(r.detail.clone()?),
            })
        })
        .collect();
    #[derive(Serialize)]
    struct DetailsPage {
        #[serde(flatten)]
        form: FormView,
        flow: Flow,
    }
    #[derive(Serialize)]
    struct Flow {
        #[serde(flatten)]
        answers: steps::Details,
        rights: Vec<RightBox>,
    }
    let view = DetailsPage {
        flow: Flow {
            answers: steps::details(input, &ctx.jurisdiction),
            rights,
        },
        form: view,
    };
    let title = view.flow.answers.heading;
    pages::render(ctx, "request_form", title, view, status, cookie)
}

fn step_page(
    ctx: &AppContext,
    step: Step,
    input: &IntakeInput,
    error: Option<FieldError>,
    asked: Asked<'_>,
) -> Result<HttpResponse, WebError> {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = steps::question(step, input, error, &ctx.jurisdiction, asked);
    let title = view.question.clone();
    pages::render(ctx, "request_step", &title, view, status, None)
}

pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let (posted, input) = read_form(&req, payload, &ctx).await?;
    match NewRequest::parse(&input, &ctx.jurisdiction) {
        // Who, where or what lost or wrong (only by a form not sent from
        // its pages): that question again, saying what is wrong.
        Err(errors) => match Step::next(&input, Some(Step::Details), &ctx.jurisdiction) {
            (Step::Details, _) => details_page(
                &ctx,
                &input,
                &errors,
                &posted.csrf_token,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            ),
            (step, error) => {
                let asked = Asked {
                    changing: false,
                    posted: Some(&posted.csrf_token),
                };
                step_page(&ctx, step, &input, error, asked)
            }
        },
        Ok(request) => {
            let sent = Sent {
                to: request.correspondent().1.to_owned(),
                fast_track: request
                    .rights
                    .iter()
                    .any(|r| request.regime.is_fast_track(r)),
            };
            match pages::blocking(&ctx, move |ctx| intake::file_request(ctx, &request)).await? {
                Filed::Filed(_) => Ok(HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, SUBMITTED))
                    .cookie(sent_cookie(&ctx, &sent))
                    .finish()),
                Filed::TooManyForAddress => pages::notice(
                    &ctx,
                    StatusCode::TOO_MANY_REQUESTS,
                    "We have already emailed this address",
                    format!(
                        "We have sent several emails to this address today to confirm requests that are not yet confirmed. \
                         Please follow the link in one of them (each works for {} hours), or try again tomorrow.",
                        ctx.settings.requests.confirm_link_ttl_hours
                    ),
                    crate::web::pages::Notice::default(),
                    None,
                ),
                Filed::MailBacklog => {
                    let mut page = pages::notice(
                        &ctx,
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Please send your request again in a few minutes",
                        "We are sending an unusually large number of emails just now, so the email \
                         asking you to confirm your request would be late. Your request has not been \
                         sent and nothing you entered has been kept: please go back and send it again \
                         in a few minutes."
                            .into(),
                        crate::web::pages::Notice::default(),
                        None,
                    )?;
                    page.headers_mut().insert(
                        header::RETRY_AFTER,
                        header::HeaderValue::from_static(MAIL_BACKLOG_RETRY_SECS),
                    );
                    Ok(page)
                }
            }
        }
    }
}

/// Seconds a requester refused for the mail backlog is asked to wait.
const MAIL_BACKLOG_RETRY_SECS: &str = "120";

const SUBMITTED: &str = "/requests/submitted";
/// The cookie that carries, sealed with the data key, the address the
/// confirmation went to (and whether a right acted on unconfirmed was
/// asked for), from the form to the page after it (and nowhere else: not
/// in the address bar, not in any log).
const SENT_TO: &str = "rd_sent_to";
const SENT_TO_AAD: &str = "confirmation-sent-to";

/// What the page after the form says about the email just sent.
#[derive(Debug, Serialize)]
struct Sent {
    to: String,
    /// A right acted on whether or not the address is confirmed (a CCPA
    /// opt-out or limit) was asked for.
    fast_track: bool,
}

fn sent_cookie(ctx: &AppContext, sent: &Sent) -> actix_web::cookie::Cookie<'static> {
    let value = format!("{}{}", if sent.fast_track { '1' } else { '0' }, sent.to);
    actix_web::cookie::Cookie::build(SENT_TO, ctx.sealer.seal_text(&value, SENT_TO_AAD))
        .path(SUBMITTED)
        .http_only(true)
        .secure(pages::secure_cookies(ctx))
        .same_site(actix_web::cookie::SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::minutes(30))
        .finish()
}

/// Where the confirmation went, when this browser just filed.
fn sent(req: &HttpRequest, ctx: &AppContext) -> Option<Sent> {
    let sealed = req.cookie(SENT_TO)?;
    let sealed = sealed.value();
    if !crate::crypto::is_sealed_text(sealed) {
        return None;
    }
    let value = ctx.sealer.open_text(sealed, SENT_TO_AAD).ok()?;
    let (flag, to) = value.split_at_checked(1)?;
    Some(Sent {
        to: to.to_owned(),
        fast_track: flag == "1",
    })
}

pub async fn submitted(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    #[derive(Serialize)]
    struct Submitted {
        ttl_hours: u32,
        expiry_days: u32,
        /// Where the confirmation went, when this browser sent it.
        sent: Option<Sent>,
    }
    pages::render(
        &ctx,
        "request_submitted",
        "Check your email",
        Submitted {
            ttl_hours: ctx.settings.requests.confirm_link_ttl_hours,
            expiry_days: ctx.settings.requests.unconfirmed_expiry_days,
            sent: sent(&req, &ctx),
        },
        StatusCode::OK,
        None,
    )
}

/// Every field the form can report an error on.
const FIELDS: &[&str] = &[
    "acting_as",
    "agent_name",
    "agent_email",
    "name",
    "email",
    "location",
    "rights",
    "access_scope",
    "rectification_details",
    "rectification_contact_only",
    "erasure_ground",
    "restriction_ground",
    "portability_destination",
    "portability_controller",
    "objection_ground",
    "objection_reasons",
    "automated_decision_details",
    "consent_purposes",
    "description",
];

/// The view model of the form: what was typed, what is wrong, and every
/// choice with its selected state (templates only test flags).
#[derive(Debug, Serialize)]
pub(crate) struct FormView {
    csrf_token: String,
    has_errors: bool,
    errors: Vec<SummaryLink>,
    /// Each field's error (`None` when it has none), by field name.
    e: BTreeMap<&'static str, Option<String>>,
    /// What was typed in the free-text fields.
    v: Typed,
    acting_self: bool,
    acting_agent: bool,
    locations: Vec<Place>,
    rights: Vec<RightBox>,
}

#[derive(Debug, Serialize)]
struct SummaryLink {
    anchor: String,
    message: String,
}

#[derive(Debug, Serialize)]
struct Typed {
    name: String,
    email: String,
    agent_name: String,
    agent_email: String,
    description: String,
}

#[derive(Debug, Serialize)]
struct Place {
    code: &'static str,
    name: &'static str,
    regime: &'static str,
    selected: bool,
}

/// A right to tick, and what more it asks.
#[derive(Debug, Serialize)]
struct RightBox {
    #[serde(skip)]
    right: Right,
    key: &'static str,
    label: String,
    checked: bool,
    detail: Option<Detail>,
}

/// What a right asks besides being ticked: a text, or a choice (with more
/// text fields), and perhaps a checkbox.
#[derive(Debug, Clone, Serialize)]
struct Detail {
    field: &'static str,
    label: &'static str,
    optional: bool,
    /// A text field (else `choices`).
    text: bool,
    choices: Option<Vec<ChoiceBox>>,
    value: String,
    error: Option<String>,
    extra: Vec<Extra>,
    checkbox: Option<Checkbox>,
}

#[derive(Debug, Clone, Serialize)]
struct ChoiceBox {
    key: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Debug, Clone, Serialize)]
struct Extra {
    field: &'static str,
    label: &'static str,
    value: String,
    error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct Checkbox {
    field: &'static str,
    label: &'static str,
    checked: bool,
}

pub(crate) fn form_view(
    input: &IntakeInput,
    errors: &[FieldError],
    csrf_token: &str,
    jurisdiction: &Jurisdiction,
) -> FormView {
    let error_of = |field: &str| -> Option<String> {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    };
    let text = |field: &'static str, label: &'static str, value: &str, optional: bool| Detail {
        field,
        label,
        optional,
        text: true,
        choices: None,
        value: value.to_owned(),
        error: error_of(field),
        extra: Vec::new(),
        checkbox: None,
    };
    let extra = |field: &'static str, label: &'static str, value: &str| Extra {
        field,
        label,
        value: value.to_owned(),
        error: error_of(field),
    };
    fn choices<C: Choice>(
        field: &'static str,
        label: &'static str,
        selected: &str,
        error: Option<String>,
        extra: Vec<Extra>,
    ) -> Detail {
        Detail {
            field,
            label,
            optional: false,
            text: false,
            choices: Some(
                C::ALL
                    .iter()
                    .map(|c| ChoiceBox {
                        key: c.key(),
                        label: c.label(),
                        checked: c.key() == selected.trim(),
                    })
                    .collect(),
            ),
            value: String::new(),
            error,
            extra,
            checkbox: None,
        }
    }
    // Only the rights a law that applies to the organisation grants; those
    // only some of them grant say for whom they are.
    let rights = Right::ALL
        .iter()
        .filter(|r| jurisdiction.offers(**r))
        .map(|&right| {
            let detail = match right {
                Right::Access => Some(text(
                    "access_scope",
                    "What do you want a copy of? For example, a date range or a particular account",
                    &input.access_scope,
                    true,
                )),
                Right::Rectification => Some(Detail {
                    checkbox: Some(Checkbox {
                        field: "rectification_contact_only",
                        label: "These are only my contact details (name, postal address, phone or email)",
                        checked: !input.rectification_contact_only.trim().is_empty(),
                    }),
                    ..text(
                        "rectification_details",
                        "Which data is wrong or incomplete, and what should it say?",
                        &input.rectification_details,
                        false,
                    )
                }),
                Right::Erasure => Some(Detail {
                    optional: true,
                    ..choices::<ErasureGround>(
                        "erasure_ground",
                        "If you want to, tell us why your data should be deleted",
                        &input.erasure_ground,
                        error_of("erasure_ground"),
                        vec![],
                    )
                }),
                Right::Restriction => Some(choices::<RestrictionGround>(
                    "restriction_ground",
                    "Why should its use be restricted?",
                    &input.restriction_ground,
                    error_of("restriction_ground"),
                    vec![],
                )),
                Right::Portability => Some(choices::<PortabilityDestination>(
                    "portability_destination",
                    "Where should we send it?",
                    &input.portability_destination,
                    error_of("portability_destination"),
                    vec![extra(
                        "portability_controller",
                        "If to another organisation: its name and contact details",
                        &input.portability_controller,
                    )],
                )),
                Right::Objection => Some(choices::<ObjectionGround>(
                    "objection_ground",
                    "What do you object to?",
                    &input.objection_ground,
                    error_of("objection_ground"),
                    vec![extra(
                        "objection_reasons",
                        "Your reasons (optional: anything about your situation helps us decide)",
                        &input.objection_reasons,
                    )],
                )),
                // Nothing more to say: these are acted on as they are.
                Right::OptOut | Right::Limit => None,
                Right::AutomatedDecision => Some(text(
                    "automated_decision_details",
                    "Which decision? For example, what it was about and when you were told of it",
                    &input.automated_decision_details,
                    false,
                )),
                Right::WithdrawConsent => Some(text(
                    "consent_purposes",
                    "What do you no longer consent to? For example, newsletters or location tracking",
                    &input.consent_purposes,
                    false,
                )),
            };
            let only: Vec<&str> = jurisdiction
                .offered_only_under(right)
                .iter()
                .map(|r| r.short())
                .collect();
            let label = if only.is_empty() {
                right.label().to_owned()
            } else {
                format!("{} ({} only: where you live decides)", right.label(), only.join(", "))
            };
            RightBox {
                right,
                key: right.key(),
                label,
                checked: input.rights.iter().any(|r| r == right.key()),
                detail,
            }
        })
        .collect();
    // The summary lists the errors in page order, each linking to the
    // control it is about (the first of a group), so that following the
    // link puts the cursor there.
    let mut listed: Vec<&FieldError> = errors.iter().collect();
    listed.sort_by_key(|e| {
        FIELDS
            .iter()
            .position(|f| *f == e.field)
            .unwrap_or(FIELDS.len())
    });
    FormView {
        csrf_token: csrf_token.to_owned(),
        has_errors: !errors.is_empty(),
        errors: listed
            .iter()
            .map(|e| SummaryLink {
                anchor: anchor(e.field, jurisdiction),
                message: e.message.clone(),
            })
            .collect(),
        e: FIELDS.iter().map(|f| (*f, error_of(f))).collect(),
        v: Typed {
            name: input.name.clone(),
            email: input.email.clone(),
            agent_name: input.agent_name.clone(),
            agent_email: input.agent_email.clone(),
            description: input.description.clone(),
        },
        acting_self: input.acting_as == "self",
        acting_agent: input.acting_as == "agent",
        locations: LOCATIONS
            .iter()
            .map(|l| Place {
                code: l.code(),
                name: l.name(),
                regime: jurisdiction.regime_for(*l).key(),
                selected: input.location.trim().eq_ignore_ascii_case(l.code()),
            })
            .collect(),
        rights,
    }
}

/// The id of the control a field's error links to: the field itself, or
/// for a group of choices its first choice.
fn anchor(field: &str, jurisdiction: &Jurisdiction) -> String {
    fn first<C: Choice>(field: &str) -> String {
        C::ALL
            .first()
            .map_or_else(|| field.to_owned(), |c| format!("{field}-{}", c.key()))
    }
    match field {
        "acting_as" => "acting_as-self".to_owned(),
        "rights" => Right::ALL
            .iter()
            .find(|r| jurisdiction.offers(**r))
            .map_or_else(|| "rights".to_owned(), |r| format!("right-{}", r.key())),
        "erasure_ground" => first::<ErasureGround>(field),
        "restriction_ground" => first::<RestrictionGround>(field),
        "portability_destination" => first::<PortabilityDestination>(field),
        "objection_ground" => first::<ObjectionGround>(field),
        other => other.to_owned(),
    }
}

/// Stylesheet rules, from the laws that apply, that hide the rights the law
/// of the chosen location does not grant (no JavaScript: each location
/// option carries its regime, and `:has` reads the selected one). Browsers
/// without `:has` show every right; the server refuses the wrong ones with
/// a field error either way.
pub fn rights_css(jurisdiction: &Jurisdiction) -> String {
    let mut css =
        String::from("\n/* Rights each law grants (generated from the regimes' rules) */\n");
    for regime in jurisdiction.applicable() {
        if !regime.rules().erasure_grounds {
            css.push_str(&format!(
                "form:has(#location option[data-regime=\"{}\"]:checked) #erasure_ground {{ display: none; }}\n",
                regime.key()
            ));
        }
        for right in Right::ALL {
            if jurisdiction.offers(right) && !regime.grants(right) {
                css.push_str(&format!(
                    "form:has(#location option[data-regime=\"{}\"]:checked) #right-box-{}:not(:has(#right-{}:checked)) {{ display: none; }}\n",
                    regime.key(),
                    right.key(),
                    right.key()
                ));
            }
        }
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Jurisdiction, Regime};

    /// The template shows errors by field name; a field the form does not
    /// know would make strict rendering fail, so every field the domain can
    /// report must be listed.
    #[test]
    fn every_field_the_domain_reports_is_known_to_the_form() {
        let mut inputs = vec![IntakeInput::default()];
        for right in Right::ALL {
            inputs.push(IntakeInput {
                rights: vec![right.key().into()],
                acting_as: "agent".into(),
                portability_destination: "to_another_controller".into(),
                objection_ground: "legitimate_interests".into(),
                access_scope: "x".repeat(3000),
                description: "y".repeat(6000),
                ..IntakeInput::default()
            });
        }
        let mut seen = std::collections::BTreeSet::new();
        for input in &inputs {
            let all = Jurisdiction::new(Regime::UK_GDPR, Regime::ALL.to_vec()).unwrap();
            for error in NewRequest::parse(input, &all).unwrap_err() {
                assert!(
                    FIELDS.contains(&error.field),
                    "{} is not in FIELDS",
                    error.field
                );
                seen.insert(error.field);
            }
        }
        assert!(
            seen.len() >= 14,
            "the inputs above exercise most fields: {seen:?}"
        );
        let all = Jurisdiction::new(Regime::UK_GDPR, Regime::ALL.to_vec()).unwrap();
        let view = form_view(&inputs[0], &[], "token", &all);
        assert_eq!(view.e.len(), FIELDS.len());
    }
}
