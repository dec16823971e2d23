//! The views of the request form's one-question pages (who is asking,
//! where they live, what they ask) and of the answers shown, each with a
//! link to change it, above the details.

use serde::Serialize;

use crate::domain::intake::{FieldError, IntakeInput, Step};
use crate::domain::regime::LOCATIONS;
use crate::domain::{Jurisdiction, Location, Right};

use super::SummaryLink;

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
    back: String,
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
    heading: &'static str,
    agent: bool,
    summary: Vec<Answered>,
    hidden: Vec<Hidden>,
    back: String,
}

#[derive(Debug, Serialize)]
struct Answered {
    question: String,
    answer: Vec<String>,
    /// What the change link changes, for screen readers.
    about: &'static str,
    change: String,
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
const WHAT: &str = "What are you asking us to do?";

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
            WHAT.to_owned(),
            "Select all that apply. Some need a few details on the next page.",
            offered_rights(input, jurisdiction)
                .into_iter()
                .map(|r| Option_ {
                    id: format!("right-{}", r.key()),
                    value: r.key(),
                    label: r.label().to_owned(),
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
    // The summary's link puts the cursor on the control: the list, or the
    // first choice.
    let anchor = if select {
        field.to_owned()
    } else {
        options
            .first()
            .map_or_else(|| field.to_owned(), |o| o.id.clone())
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
        back,
    }
}

pub(super) fn details(input: &IntakeInput, jurisdiction: &Jurisdiction) -> Details {
    let agent = acting_for_someone(input);
    let place = Location::parse(&input.location);
    let rights: Vec<String> = Right::ALL
        .iter()
        .filter(|r| input.rights.iter().any(|k| k == r.key()))
        .map(|r| r.label().to_owned())
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
                change: change_url(Step::Who, input),
            },
            Answered {
                question: where_question(input).to_owned(),
                answer: place
                    .map(|l| l.name().to_owned())
                    .into_iter()
                    .chain(law.map(|t| format!("Handled under the {t}")))
                    .collect(),
                about: "where you live",
                change: change_url(Step::Where, input),
            },
            Answered {
                question: WHAT.to_owned(),
                answer: rights,
                about: "what you are asking",
                change: change_url(Step::What, input),
            },
        ],
        hidden: carried(input, None),
        back: change_url(Step::What, input),
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
        let page = question(Step::Where, &input, None, &all());
        let carried: Vec<&str> = page.hidden.iter().map(|h| h.name).collect();
        assert_eq!(carried, ["acting_as", "rights", "rights"]);
        assert_eq!(page.question, "Where does the person you act for live?");
    }
}
