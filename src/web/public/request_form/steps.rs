//! The views of the request form's one-question pages (who is asking,
//! where they live, what they ask) and of the answers shown, each with a
//! link to change it, above the details.

use serde::Serialize;

use crate::domain::intake::{FieldError, IntakeInput, Step};
use crate::domain::regime::LOCATIONS;
use crate::domain::{Jurisdiction, Location, Right};

use super::{Asked, SummaryLink};

const FORM: &str = "/requests/new";

/// One question on its own page.
#[derive(Debug, Serialize)]
pub(super) struct Question {
    pub question: String,
    hint: &'static str,
    /// The question's key, sent back as `step`.
    step: &'static str,
    /// The field its answer is sent as.
    field: &'static str,
    /// How it is answered: a list to pick from (`select`), or choices,
    /// several of them (`multiple`) or one.
    select: bool,
    multiple: bool,
    options: Vec<Option_>,
    error: Option<String>,
    has_errors: bool,
    errors: Vec<SummaryLink>,
    hidden: Vec<Hidden>,
    /// Reached from the details page: the page posts (with `csrf_token`),
    /// carrying what was typed there (`details`).
    post: bool,
    csrf_token: Option<String>,
    details: Vec<Hidden>,
    back: String,
    /// Where Back goes when the page posts: the question to ask again, or
    /// the details.
    back_step: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct Option_ {
    id: String,
    value: &'static str,
    label: String,
    hint: Option<&'static str>,
    checked: bool,
    /// For a place: the law it is handled under.
    regime: Option<&'static str>,
}

/// An answer carried to the next page.
#[derive(Debug, Serialize)]
pub(super) struct Hidden {
    name: &'static str,
    value: String,
}

/// The answers so far, above the details.
#[derive(Debug, Serialize)]
pub(super) struct Details {
    pub heading: &'static str,
    agent: bool,
    summary: Vec<Answered>,
    /// The question Back asks again.
    back_step: &'static str,
    hidden: Vec<Hidden>,
}

#[derive(Debug, Serialize)]
struct Answered {
    question: String,
    answer: Vec<String>,
    /// What the change link changes, for screen readers.
    about: &'static str,
    /// The question it asks again.
    step: &'static str,
}

fn acting_for_someone(input: &IntakeInput) -> bool {
    input.acting_as.trim() == "agent"
}

fn where_question(input: &IntakeInput) -> &'static str {
    if acting_for_someone(input) {
        "Where does the person you act for live?"
    } else {
        "Where do you live?"
    }
}

const WHO: &str = "Who is this request for?";

fn what_question(input: &IntakeInput) -> &'static str {
    if acting_for_someone(input) {
        "What is the person you act for asking us to do?"
    } else {
        "What are you asking us to do?"
    }
}

/// What was typed on the details page, to carry through a question asked
/// again from it (every field but the three the questions ask).
fn typed_details(input: &IntakeInput) -> Vec<Hidden> {
    let fields: [(&'static str, &String); 16] = [
        ("name", &input.name),
        ("email", &input.email),
        ("agent_name", &input.agent_name),
        ("agent_email", &input.agent_email),
        ("description", &input.description),
        ("access_scope", &input.access_scope),
        ("rectification_details", &input.rectification_details),
        (
            "rectification_contact_only",
            &input.rectification_contact_only,
        ),
        ("erasure_ground", &input.erasure_ground),
        ("restriction_ground", &input.restriction_ground),
        ("portability_destination", &input.portability_destination),
        ("portability_controller", &input.portability_controller),
        ("objection_ground", &input.objection_ground),
        ("objection_reasons", &input.objection_reasons),
        (
            "automated_decision_details",
            &input.automated_decision_details,
        ),
        ("consent_purposes", &input.consent_purposes),
    ];
    fields
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| Hidden {
            name,
            value: value.clone(),
        })
        .collect()
}

/// The address of the details page for these answers.
fn details_url(input: &IntakeInput) -> String {
    let hidden = carried(input, None);
    let pairs: Vec<(&str, &str)> = hidden.iter().map(|h| (h.name, h.value.as_str())).collect();
    format!(
        "{FORM}?{}",
        serde_html_form::to_string(&pairs).unwrap_or_default()
    )
}

/// The answers to carry, but for the one `except` asks.
fn carried(input: &IntakeInput, except: Option<Step>) -> Vec<Hidden> {
    let mut hidden = Vec::new();
    if except != Some(Step::Who) && !input.acting_as.is_empty() {
        hidden.push(Hidden {
            name: "acting_as",
            value: input.acting_as.clone(),
        });
    }
    if except != Some(Step::Where) && !input.location.is_empty() {
        hidden.push(Hidden {
            name: "location",
            value: input.location.clone(),
        });
    }
    if except != Some(Step::What) {
        hidden.extend(input.rights.iter().map(|r| Hidden {
            name: "rights",
            value: r.clone(),
        }));
    }
    hidden
}

/// The address that asks `step` again, keeping every answer.
fn change_url(step: Step, input: &IntakeInput) -> String {
    let mut pairs: Vec<(&str, &str)> = vec![("change", step.key())];
    let hidden = carried(input, None);
    pairs.extend(hidden.iter().map(|h| (h.name, h.value.as_str())));
    format!(
        "{FORM}?{}",
        serde_html_form::to_string(&pairs).unwrap_or_default()
    )
}

/// The rights to offer: those the law of the chosen place gives (every
/// right a law that applies gives, before a place is chosen), and any
/// already ticked, so that one the place does not give can be unticked.
fn offered_rights(input: &IntakeInput, jurisdiction: &Jurisdiction) -> Vec<Right> {
    let regime = Location::parse(&input.location).map(|l| jurisdiction.regime_for(l));
    Right::ALL
        .iter()
        .copied()
        .filter(|r| {
            let ticked = input.rights.iter().any(|k| k == r.key());
            ticked || regime.map_or(jurisdiction.offers(*r), |g| g.grants(*r))
        })
        .collect()
}

pub(super) fn question(
    step: Step,
    input: &IntakeInput,
    error: Option<FieldError>,
    jurisdiction: &Jurisdiction,
    asked: Asked<'_>,
) -> Question {
    let (question, hint, options, back) = match step {
        Step::Who | Step::Details => (
            WHO.to_owned(),
            "",
            vec![
                Option_ {
                    id: "acting_as-self".into(),
                    value: "self",
                    label: "Myself".into(),
                    hint: None,
                    checked: input.acting_as.trim() == "self",
                    regime: None,
                },
                Option_ {
                    id: "acting_as-agent".into(),
                    value: "agent",
                    label: "Someone else, who has authorised me to act for them".into(),
                    hint: Some("We will ask you for their signed permission, and ask them by email to confirm that you act for them."),
                    checked: acting_for_someone(input),
                    regime: None,
                },
            ],
            "/".to_owned(),
        ),
        Step::Where => (
            where_question(input).to_owned(),
            "This decides which law applies to the request, and its time limits.",
            LOCATIONS
                .iter()
                .map(|l| Option_ {
                    id: format!("location-{}", l.code()),
                    value: l.code(),
                    label: l.name().to_owned(),
                    hint: None,
                    checked: input.location.trim().eq_ignore_ascii_case(l.code()),
                    regime: Some(jurisdiction.regime_for(*l).key()),
                })
                .collect(),
            change_url(Step::Who, input),
        ),
        Step::What => (
            what_question(input).to_owned(),
            if acting_for_someone(input) {
                "Select all that they ask for. Some need a few details on the next page."
            } else {
                "Select all that apply. Some need a few details on the next page."
            },
            offered_rights(input, jurisdiction)
                .into_iter()
                .map(|r| Option_ {
                    id: format!("right-{}", r.key()),
                    value: r.key(),
                    label: r.label_for(acting_for_someone(input)).to_owned(),
                    hint: None,
                    checked: input.rights.iter().any(|k| k == r.key()),
                    regime: None,
                })
                .collect(),
            change_url(Step::Where, input),
        ),
    };
    let step = if step == Step::Details {
        Step::Who
    } else {
        step
    };
    let field = step.field().unwrap_or("acting_as");
    let select = step == Step::Where;
    // The summary's link puts the cursor on the control: the list, a right
    // ticked that the place's law does not give, or the first choice.
    let regime = Location::parse(&input.location).map(|l| jurisdiction.regime_for(l));
    let not_given = options.iter().find(|o| {
        o.checked
            && o.value
                .parse::<Right>()
                .is_ok_and(|r| regime.is_some_and(|g| !g.grants(r)))
    });
    let anchor = if select {
        field.to_owned()
    } else {
        not_given
            .or(options.first())
            .map_or_else(|| field.to_owned(), |o| o.id.clone())
    };
    // Back: to the details once every question is answered and this one is
    // being changed, else to the question before.
    let all_answered = Step::next(input, None, jurisdiction).0 == Step::Details;
    let (back, back_step) = if asked.changing && all_answered {
        (details_url(input), Some(Step::Details.key()))
    } else {
        let before = match step {
            Step::Where => Some(Step::Who),
            Step::What => Some(Step::Where),
            _ => None,
        };
        (back, before.map(Step::key))
    };
    let errors: Vec<SummaryLink> = error
        .iter()
        .map(|e| SummaryLink {
            anchor: anchor.clone(),
            message: e.message.clone(),
        })
        .collect();
    Question {
        question,
        hint,
        step: step.key(),
        field,
        select,
        multiple: step == Step::What,
        options,
        has_errors: !errors.is_empty(),
        error: error.map(|e| e.message),
        errors,
        hidden: carried(input, Some(step)),
        post: asked.posted.is_some(),
        csrf_token: asked.posted.map(str::to_owned),
        details: if asked.posted.is_some() {
            typed_details(input)
        } else {
            Vec::new()
        },
        back,
        back_step,
    }
}

pub(super) fn details(input: &IntakeInput, jurisdiction: &Jurisdiction) -> Details {
    let agent = acting_for_someone(input);
    let place = Location::parse(&input.location);
    let rights: Vec<String> = Right::ALL
        .iter()
        .filter(|r| input.rights.iter().any(|k| k == r.key()))
        .map(|r| r.label_for(agent).to_owned())
        .collect();
    let law = place.map(|l| jurisdiction.regime_for(l).title());
    Details {
        heading: if agent {
            "Your details and theirs"
        } else {
            "Your details"
        },
        agent,
        summary: vec![
            Answered {
                question: WHO.to_owned(),
                answer: vec![if agent {
                    "Someone else, who has authorised me to act for them".to_owned()
                } else {
                    "Myself".to_owned()
                }],
                about: "who the request is for",
                step: Step::Who.key(),
            },
            Answered {
                question: where_question(input).to_owned(),
                answer: place
                    .map(|l| l.name().to_owned())
                    .into_iter()
                    .chain(law.map(|t| format!("Handled under the {t}")))
                    .collect(),
                about: if agent {
                    "where they live"
                } else {
                    "where you live"
                },
                step: Step::Where.key(),
            },
            Answered {
                question: what_question(input).to_owned(),
                answer: rights,
                about: "what is asked",
                step: Step::What.key(),
            },
        ],
        back_step: Step::What.key(),
        hidden: carried(input, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Regime;

    fn all() -> Jurisdiction {
        Jurisdiction::new(Regime::UK_GDPR, Regime::ALL.to_vec()).unwrap()
    }

    #[test]
    fn a_place_offers_only_the_rights_its_law_gives_and_what_was_ticked() {
        let mut input = IntakeInput {
            location: "FR".into(),
            ..IntakeInput::default()
        };
        let offered = offered_rights(&input, &all());
        assert!(offered.contains(&Right::Restriction));
        assert!(!offered.contains(&Right::OptOut));
        input.location = "US-CA".into();
        let offered = offered_rights(&input, &all());
        assert!(offered.contains(&Right::OptOut));
        assert!(!offered.contains(&Right::Restriction));
        input.rights = vec!["restriction".into()];
        assert!(offered_rights(&input, &all()).contains(&Right::Restriction));
    }

    #[test]
    fn change_links_keep_every_answer() {
        let input = IntakeInput {
            acting_as: "agent".into(),
            location: "US-CA".into(),
            rights: vec!["access".into(), "opt_out".into()],
            ..IntakeInput::default()
        };
        assert_eq!(
            change_url(Step::Where, &input),
            "/requests/new?change=where&acting_as=agent&location=US-CA&rights=access&rights=opt_out"
        );
        let asked = Asked {
            changing: true,
            posted: None,
        };
        let page = question(Step::Where, &input, None, &all(), asked);
        let carried: Vec<&str> = page.hidden.iter().map(|h| h.name).collect();
        assert_eq!(carried, ["acting_as", "rights", "rights"]);
        assert_eq!(page.question, "Where does the person you act for live?");
        // Every question is answered: Back returns to the details.
        assert_eq!(page.back_step, Some("details"));
        assert_eq!(
            page.back,
            "/requests/new?acting_as=agent&location=US-CA&rights=access&rights=opt_out"
        );
    }
}
