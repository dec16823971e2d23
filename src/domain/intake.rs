//! A new request as typed on the public form, and its parsing into a
//! complete, valid [`NewRequest`] (or the list of what is wrong, field by
//! field, in form order).

use serde::{Deserialize, Serialize};

use super::email::Email;
use super::regime::{Jurisdiction, Location, Regime};
use super::rights::{
    Choice, ErasureGround, ObjectionGround, PortabilityDestination, Right, RightRequest,
};

pub const MAX_NAME: usize = 200;
pub const MAX_DETAIL: usize = 2_000;
pub const MAX_DESCRIPTION: usize = 5_000;

/// The intake form exactly as submitted: every field a string, nothing trusted.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct IntakeInput {
    pub name: String,
    pub email: String,
    pub location: String,
    pub rights: Vec<String>,
    pub access_scope: String,
    pub rectification_details: String,
    /// "yes" when only contact details are to be corrected.
    pub rectification_contact_only: String,
    pub erasure_ground: String,
    pub restriction_ground: String,
    pub portability_destination: String,
    pub portability_controller: String,
    pub objection_ground: String,
    pub objection_reasons: String,
    pub automated_decision_details: String,
    pub consent_purposes: String,
    pub description: String,
    pub acting_as: String,
    pub agent_name: String,
    pub agent_email: String,
}

/// Who is making the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "acting_as", rename_all = "snake_case")]
pub enum Requester {
    /// The data subject, for themselves.
    Themselves,
    /// An authorised agent acting for the data subject; we write to the
    /// agent, and ask the person to confirm the agent's authority.
    Agent {
        agent_name: String,
        agent_email: String,
    },
}

/// A request that passed every check: ready to become a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub name: String,
    pub email: Email,
    pub location: Location,
    pub regime: Regime,
    pub rights: Vec<RightRequest>,
    pub description: Option<String>,
    pub requester: Requester,
}

impl NewRequest {
    /// Who we write to: the agent when one filed it, else the person.
    pub fn correspondent(&self) -> (&str, &str) {
        match &self.requester {
            Requester::Themselves => (&self.name, self.email.as_str()),
            Requester::Agent {
                agent_name,
                agent_email,
            } => (agent_name, agent_email),
        }
    }
}

/// What is wrong with one field, in words for the requester.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn error(&mut self, field: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field,
            message: message.into(),
        });
    }

    /// A required free-text field: trimmed, non-empty, within `max` characters.
    fn required(
        &mut self,
        field: &'static str,
        value: &str,
        max: usize,
        missing: &str,
        what: &str,
    ) -> Option<String> {
        match self.optional(field, value, max, what) {
            Some(v) => Some(v),
            None if value.trim().is_empty() => {
                self.error(field, missing);
                None
            }
            None => None,
        }
    }

    /// A required one-line field (a name: it reaches email headers), which
    /// may hold no line break or other control character.
    fn required_line(
        &mut self,
        field: &'static str,
        value: &str,
        max: usize,
        missing: &str,
        what: &str,
    ) -> Option<String> {
        if !super::text::is_single_line(value.trim()) {
            self.error(
                field,
                format!("{what} must be on one line, without special characters"),
            );
            return None;
        }
        self.required(field, value, max, missing, what)
    }

    /// An optional free-text field: `None` when empty or invalid (invalid
    /// values record an error).
    fn optional(
        &mut self,
        field: &'static str,
        value: &str,
        max: usize,
        what: &str,
    ) -> Option<String> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        if v.chars().count() > max {
            self.error(field, format!("{what} must be {max} characters or fewer"));
            return None;
        }
        if !super::text::is_storable_text(v) {
            self.error(
                field,
                format!("{what} contains characters we cannot accept"),
            );
            return None;
        }
        Some(v.replace("\r\n", "\n"))
    }

    /// A choice from a fixed list.
    fn choice<C: Choice>(&mut self, field: &'static str, value: &str, missing: &str) -> Option<C> {
        let v = value.trim();
        if v.is_empty() {
            self.error(field, missing);
            return None;
        }
        let parsed = C::parse(v);
        if parsed.is_none() {
            self.error(field, "Select one of the options in the list");
        }
        parsed
    }
}

impl NewRequest {
    /// Checks every field; `jurisdiction` says which law applies to someone
    /// living where they say, and so which rights they can ask for.
    pub fn parse(
        input: &IntakeInput,
        jurisdiction: &Jurisdiction,
    ) -> Result<NewRequest, Vec<FieldError>> {
        let mut c = Checker { errors: Vec::new() };

        let name = c.required_line(
            "name",
            &input.name,
            MAX_NAME,
            "Enter your full name",
            "Your name",
        );
        let email = match Email::parse(&input.email) {
            Ok(e) => Some(e),
            Err(e) => {
                c.error("email", e.to_string());
                None
            }
        };
        let location = if input.location.trim().is_empty() {
            c.error("location", "Select where you live");
            None
        } else {
            let parsed = Location::parse(&input.location);
            if parsed.is_none() {
                c.error("location", "Select where you live from the list");
            }
            parsed
        };
        let regime = location.map(|l| jurisdiction.regime_for(l));

        let mut chosen: Vec<Right> = Vec::new();
        let mut unknown_right = false;
        for key in &input.rights {
            match key.parse::<Right>() {
                Ok(r) if !chosen.contains(&r) => chosen.push(r),
                Ok(_) => {}
                Err(_) => unknown_right = true,
            }
        }
        if unknown_right {
            c.error("rights", "Select rights from the list");
        } else if chosen.is_empty() {
            c.error("rights", "Select at least one thing you are asking for");
        } else if let Some(regime) = regime {
            let not_granted: Vec<&str> = chosen
                .iter()
                .filter(|r| !regime.grants(**r))
                .map(|r| r.label())
                .collect();
            if !not_granted.is_empty() {
                c.error(
                    "rights",
                    format!(
                        "Where you live, your request is handled under the {}, which does not give this right: {}. Untick it and choose from the other options.",
                        regime.title(),
                        not_granted.join("; ")
                    ),
                );
            }
        }
        chosen.sort();
        let rights: Vec<Option<RightRequest>> = chosen
            .iter()
            .map(|r| right_details(&mut c, *r, input, regime))
            .collect();

        let description = c.optional(
            "description",
            &input.description,
            MAX_DESCRIPTION,
            "The description",
        );
        let requester = match input.acting_as.trim() {
            "self" => Some(Requester::Themselves),
            "agent" => {
                let agent_name = c.required_line(
                    "agent_name",
                    &input.agent_name,
                    MAX_NAME,
                    "Enter your name, as the person acting for them",
                    "Your name",
                );
                let agent_email = match Email::parse(&input.agent_email) {
                    Ok(e) if e.as_str().eq_ignore_ascii_case(input.email.trim()) => {
                        c.error("agent_email", "Enter your own email address, not theirs");
                        None
                    }
                    Ok(e) => Some(e),
                    Err(e) => {
                        c.error(
                            "agent_email",
                            e.to_string().replace("your email", "your own email"),
                        );
                        None
                    }
                };
                match (agent_name, agent_email) {
                    (Some(agent_name), Some(agent_email)) => Some(Requester::Agent {
                        agent_name,
                        agent_email: agent_email.as_str().to_owned(),
                    }),
                    _ => None,
                }
            }
            "" => {
                c.error(
                    "acting_as",
                    "Say whether you are asking for yourself or for someone else",
                );
                None
            }
            _ => {
                c.error("acting_as", "Select one of the options");
                None
            }
        };

        // Someone acting for another: the name, address and place are the
        // other person's, and the messages say so.
        if input.acting_as.trim() == "agent" {
            for e in c
                .errors
                .iter_mut()
                .filter(|e| matches!(e.field, "name" | "email" | "location" | "rights"))
            {
                e.message = e
                    .message
                    .replace("Enter your full name", "Enter their full name")
                    .replace("Your name", "Their name")
                    .replace("your email", "their email")
                    .replace("where you live", "where they live")
                    .replace(
                        "Where you live, your request",
                        "Where they live, the request",
                    );
            }
        }
        match (name, email, location, regime, requester) {
            (Some(name), Some(email), Some(location), Some(regime), Some(requester))
                if c.errors.is_empty() =>
            {
                Ok(NewRequest {
                    name,
                    email,
                    location,
                    regime,
                    rights: rights.into_iter().flatten().collect(),
                    description,
                    requester,
                })
            }
            _ => Err(c.errors),
        }
    }
}

fn right_details(
    c: &mut Checker,
    right: Right,
    input: &IntakeInput,
    regime: Option<Regime>,
) -> Option<RightRequest> {
    Some(match right {
        Right::Access => RightRequest::Access {
            scope: c.optional(
                "access_scope",
                &input.access_scope,
                MAX_DETAIL,
                "What you want a copy of",
            ),
        },
        Right::Rectification => RightRequest::Rectification {
            corrections: c.required(
                "rectification_details",
                &input.rectification_details,
                MAX_DETAIL,
                "Tell us which data is wrong and what it should say",
                "What to correct",
            )?,
            contact_details_only: matches!(
                input.rectification_contact_only.trim(),
                "yes" | "on" | "true"
            ),
        },
        Right::Erasure => {
            // A ground is optional: no law makes the requester name one
            // (the organisation checks whether one applies).
            // Under a law that lists no grounds (the CCPA), one sent anyway
            // is ignored.
            let no_grounds = regime.is_some_and(|r| !r.rules().erasure_grounds);
            let ground = if no_grounds || input.erasure_ground.trim().is_empty() {
                None
            } else {
                Some(c.choice::<ErasureGround>(
                    "erasure_ground",
                    &input.erasure_ground,
                    "Select why your data should be deleted",
                )?)
            };
            RightRequest::Erasure { ground }
        }
        Right::Restriction => RightRequest::Restriction {
            ground: c.choice(
                "restriction_ground",
                &input.restriction_ground,
                "Select why the use of your data should be restricted",
            )?,
        },
        Right::Portability => {
            let destination: PortabilityDestination = c.choice(
                "portability_destination",
                &input.portability_destination,
                "Select where your data should be sent",
            )?;
            let receiving_controller = match destination {
                PortabilityDestination::ToMe => None,
                PortabilityDestination::ToAnotherController => Some(c.required(
                    "portability_controller",
                    &input.portability_controller,
                    MAX_DETAIL,
                    "Enter the name and contact details of the organisation to send it to",
                    "The receiving organisation",
                )?),
            };
            RightRequest::Portability {
                destination,
                receiving_controller,
            }
        }
        Right::Objection => {
            let ground: ObjectionGround = c.choice(
                "objection_ground",
                &input.objection_ground,
                "Select what you object to",
            )?;
            // Reasons help staff weigh the objection but are never demanded.
            let reasons = c.optional(
                "objection_reasons",
                &input.objection_reasons,
                MAX_DETAIL,
                "Your reasons",
            );
            RightRequest::Objection { ground, reasons }
        }
        Right::AutomatedDecision => RightRequest::AutomatedDecision {
            decision: c.required(
                "automated_decision_details",
                &input.automated_decision_details,
                MAX_DETAIL,
                "Tell us which decision you want a person to review",
                "The decision",
            )?,
        },
        Right::OptOut => RightRequest::OptOut,
        Right::Limit => RightRequest::Limit,
        Right::WithdrawConsent => RightRequest::WithdrawConsent {
            purposes: c.required(
                "consent_purposes",
                &input.consent_purposes,
                MAX_DETAIL,
                "Tell us what you no longer consent to",
                "What you withdraw consent for",
            )?,
        },
    })
}

/// The public form asks one thing per page: who the request is for, where
/// the person lives (which decides the law), what they ask; then, on one
/// last page, only the details those answers need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Who,
    Where,
    What,
    Details,
}

impl Step {
    /// The questions asked one per page, in order, before the details.
    pub const QUESTIONS: [Step; 3] = [Step::Who, Step::Where, Step::What];

    pub fn key(self) -> &'static str {
        match self {
            Step::Who => "who",
            Step::Where => "where",
            Step::What => "what",
            Step::Details => "details",
        }
    }

    pub fn parse(key: &str) -> Option<Step> {
        [Step::Who, Step::Where, Step::What, Step::Details]
            .into_iter()
            .find(|s| s.key() == key.trim())
    }

    /// The form field that answers this question.
    pub fn field(self) -> Option<&'static str> {
        match self {
            Step::Who => Some("acting_as"),
            Step::Where => Some("location"),
            Step::What => Some("rights"),
            Step::Details => None,
        }
    }

    /// The page the answers so far lead to: the first question without a
    /// valid answer (with what is wrong, when it was answered: sent from
    /// its own page or the details page as `answered`, or given a value),
    /// else the details.
    /// An answer a later one makes wrong (a right the new place's law does
    /// not give) sends the requester back to that question, saying why.
    pub fn next(
        input: &IntakeInput,
        answered: Option<Step>,
        jurisdiction: &Jurisdiction,
    ) -> (Step, Option<FieldError>) {
        let errors = NewRequest::parse(input, jurisdiction)
            .err()
            .unwrap_or_default();
        for step in Step::QUESTIONS {
            let Some(field) = step.field() else { continue };
            if let Some(error) = errors.iter().find(|e| e.field == field) {
                let given = match step {
                    Step::Who => !input.acting_as.trim().is_empty(),
                    Step::Where => !input.location.trim().is_empty(),
                    _ => !input.rights.is_empty(),
                };
                let asked = answered == Some(step) || answered == Some(Step::Details);
                let shown = (given || asked).then(|| error.clone());
                return (step, shown);
            }
        }
        (Step::Details, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Jurisdiction {
        Jurisdiction::new(Regime::UK_GDPR, Regime::ALL.to_vec()).unwrap()
    }

    fn valid() -> IntakeInput {
        IntakeInput {
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
            location: "GB".into(),
            rights: vec!["access".into()],
            acting_as: "self".into(),
            ..IntakeInput::default()
        }
    }

    fn fields(input: &IntakeInput) -> Vec<&'static str> {
        NewRequest::parse(input, &all())
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn the_form_asks_who_then_where_then_what_then_the_details() {
        let j = all();
        let mut input = IntakeInput::default();
        assert_eq!(Step::next(&input, None, &j), (Step::Who, None));
        // Sent without an answer: asked again, saying what is missing.
        let (step, error) = Step::next(&input, Some(Step::Who), &j);
        assert_eq!(step, Step::Who);
        assert_eq!(error.unwrap().field, "acting_as");
        input.acting_as = "self".into();
        assert_eq!(Step::next(&input, Some(Step::Who), &j), (Step::Where, None));
        input.location = "ATLANTIS".into();
        let (step, error) = Step::next(&input, Some(Step::Where), &j);
        assert_eq!(step, Step::Where);
        assert_eq!(
            error.unwrap().message,
            "Select where you live from the list"
        );
        input.location = "FR".into();
        assert_eq!(
            Step::next(&input, Some(Step::Where), &j),
            (Step::What, None)
        );
        input.rights = vec!["erasure".into(), "opt_out".into()];
        let (step, error) = Step::next(&input, Some(Step::What), &j);
        assert_eq!(step, Step::What);
        assert!(
            error.unwrap().message.contains("opt out"),
            "France's law has no opt-out"
        );
        input.rights = vec!["erasure".into()];
        // The details are not asked yet, so they are not the next page's business.
        assert_eq!(
            Step::next(&input, Some(Step::What), &j),
            (Step::Details, None)
        );
        // Moving to California: erasure is a right there too (to delete).
        input.location = "US-CA".into();
        assert_eq!(
            Step::next(&input, Some(Step::Where), &j),
            (Step::Details, None)
        );
        // A tampered answer is caught wherever it is sent from.
        input.acting_as = "robot".into();
        let (step, error) = Step::next(&input, Some(Step::Details), &j);
        assert_eq!(step, Step::Who);
        assert_eq!(error.unwrap().field, "acting_as");
    }

    #[test]
    fn an_agent_is_told_whose_details_are_missing() {
        let input = IntakeInput {
            acting_as: "agent".into(),
            agent_name: "Mo Advocate".into(),
            agent_email: "mo@advocates.example".into(),
            location: "FR".into(),
            rights: vec!["opt_out".into()],
            ..IntakeInput::default()
        };
        let errors = NewRequest::parse(&input, &all()).unwrap_err();
        let message = |field: &str| {
            errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone())
                .unwrap()
        };
        assert_eq!(message("name"), "Enter their full name");
        assert_eq!(message("email"), "Enter their email address");
        assert!(message("rights").starts_with("Where they live, the request is handled"));
    }

    #[test]
    fn steps_have_keys() {
        for step in [Step::Who, Step::Where, Step::What, Step::Details] {
            assert_eq!(Step::parse(step.key()), Some(step));
        }
        assert_eq!(Step::parse("nowhere"), None);
    }

    #[test]
    fn a_complete_request_parses() {
        let r = NewRequest::parse(&valid(), &all()).unwrap();
        assert_eq!(r.regime, Regime::UK_GDPR);
        assert_eq!(r.rights, vec![RightRequest::Access { scope: None }]);
        assert_eq!(r.requester, Requester::Themselves);
    }

    #[test]
    fn an_empty_form_lists_every_missing_field_in_form_order() {
        assert_eq!(
            fields(&IntakeInput::default()),
            vec!["name", "email", "location", "rights", "acting_as"]
        );
    }

    #[test]
    fn each_right_asks_for_its_own_details() {
        let cases = [
            ("rectification", "rectification_details"),
            ("restriction", "restriction_ground"),
            ("portability", "portability_destination"),
            ("objection", "objection_ground"),
            ("automated_decision", "automated_decision_details"),
            ("withdraw_consent", "consent_purposes"),
        ];
        for (right, field) in cases {
            let input = IntakeInput {
                rights: vec![right.into()],
                ..valid()
            };
            assert_eq!(fields(&input), vec![field], "{right}");
        }
    }

    #[test]
    fn dependent_details_are_required_only_when_they_apply() {
        let to_controller = IntakeInput {
            rights: vec!["portability".into()],
            portability_destination: "to_another_controller".into(),
            ..valid()
        };
        assert_eq!(fields(&to_controller), vec!["portability_controller"]);
        let legitimate_interests = IntakeInput {
            rights: vec!["objection".into()],
            objection_ground: "legitimate_interests".into(),
            ..valid()
        };
        // Reasons help, but are never demanded.
        assert!(NewRequest::parse(&legitimate_interests, &all()).is_ok());
        let marketing = IntakeInput {
            objection_ground: "direct_marketing".into(),
            ..legitimate_interests
        };
        assert!(NewRequest::parse(&marketing, &all()).is_ok());
        let agent = IntakeInput {
            acting_as: "agent".into(),
            ..valid()
        };
        assert_eq!(fields(&agent), vec!["agent_name", "agent_email"]);
        let agent = IntakeInput {
            acting_as: "agent".into(),
            agent_name: "Mo Advocate".into(),
            agent_email: "mo@advocates.example".into(),
            ..valid()
        };
        let request = NewRequest::parse(&agent, &all()).unwrap();
        assert_eq!(
            request.correspondent(),
            ("Mo Advocate", "mo@advocates.example")
        );
    }

    #[test]
    fn no_law_makes_the_requester_name_a_ground_for_erasure() {
        for location in ["US-CA", "DE", "GB"] {
            let input = IntakeInput {
                location: location.into(),
                rights: vec!["erasure".into()],
                ..valid()
            };
            let r = NewRequest::parse(&input, &all()).unwrap();
            assert_eq!(r.rights, vec![RightRequest::Erasure { ground: None }]);
        }
        // A Californian is not asked for GDPR grounds; one sent is ignored.
        let input = IntakeInput {
            location: "US-CA".into(),
            rights: vec!["erasure".into()],
            erasure_ground: "child_online_service".into(),
            ..valid()
        };
        let r = NewRequest::parse(&input, &all()).unwrap();
        assert_eq!(r.rights, vec![RightRequest::Erasure { ground: None }]);
    }

    #[test]
    fn california_only_rights_are_refused_elsewhere_and_gdpr_only_ones_in_california() {
        let opt_out = IntakeInput {
            location: "US-CA".into(),
            rights: vec!["opt_out".into(), "limit".into(), "access".into()],
            ..valid()
        };
        let r = NewRequest::parse(&opt_out, &all()).unwrap();
        assert_eq!(r.regime, Regime::CCPA);
        assert!(
            r.rights.contains(&RightRequest::OptOut) && r.rights.contains(&RightRequest::Limit)
        );
        let in_france = IntakeInput {
            location: "FR".into(),
            ..opt_out.clone()
        };
        let errors = NewRequest::parse(&in_france, &all()).unwrap_err();
        assert_eq!(errors[0].field, "rights");
        assert!(
            errors[0].message.contains("does not give this right"),
            "{}",
            errors[0].message
        );
        let restriction = IntakeInput {
            location: "US-CA".into(),
            rights: vec!["restriction".into()],
            restriction_ground: "accuracy_contested".into(),
            ..valid()
        };
        assert_eq!(fields(&restriction), vec!["rights"]);
        // An organisation the CCPA does not reach: a Californian is handled
        // under the home law, which has no opt-out.
        let uk_only = Jurisdiction::new(Regime::UK_GDPR, vec![Regime::UK_GDPR]).unwrap();
        let errors = NewRequest::parse(&opt_out, &uk_only).unwrap_err();
        assert_eq!(errors[0].field, "rights");
    }

    #[test]
    fn unknown_values_are_refused() {
        assert_eq!(
            fields(&IntakeInput {
                location: "Atlantis".into(),
                ..valid()
            }),
            vec!["location"]
        );
        assert_eq!(
            fields(&IntakeInput {
                rights: vec!["everything".into()],
                ..valid()
            }),
            vec!["rights"]
        );
        assert_eq!(
            fields(&IntakeInput {
                acting_as: "boss".into(),
                ..valid()
            }),
            vec!["acting_as"]
        );
        let bad_ground = IntakeInput {
            rights: vec!["erasure".into()],
            erasure_ground: "because".into(),
            ..valid()
        };
        let errors = NewRequest::parse(&bad_ground, &all()).unwrap_err();
        assert_eq!(errors[0].message, "Select one of the options in the list");
    }

    #[test]
    fn overlong_fields_are_refused_with_their_limit() {
        let input = IntakeInput {
            name: "a".repeat(MAX_NAME + 1),
            description: "b".repeat(MAX_DESCRIPTION + 1),
            ..valid()
        };
        let errors = NewRequest::parse(&input, &all()).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(
            errors[0].message,
            "Your name must be 200 characters or fewer"
        );
        assert!(errors[1].message.contains("5000 characters"));
        let at_limit = IntakeInput {
            name: "a".repeat(MAX_NAME),
            ..valid()
        };
        assert!(NewRequest::parse(&at_limit, &all()).is_ok());
    }

    #[test]
    fn repeated_rights_count_once_and_come_in_catalogue_order() {
        let input = IntakeInput {
            rights: vec!["erasure".into(), "access".into(), "erasure".into()],
            erasure_ground: "no_longer_necessary".into(),
            ..valid()
        };
        let r = NewRequest::parse(&input, &all()).unwrap();
        let rights: Vec<Right> = r.rights.iter().map(RightRequest::right).collect();
        assert_eq!(rights, vec![Right::Access, Right::Erasure]);
    }

    #[test]
    fn elsewhere_gets_the_home_regime() {
        let input = IntakeInput {
            location: "OTHER".into(),
            ..valid()
        };
        let eu_home = Jurisdiction::new(Regime::EU_GDPR, Regime::ALL.to_vec()).unwrap();
        assert_eq!(
            NewRequest::parse(&input, &eu_home).unwrap().regime,
            Regime::EU_GDPR
        );
    }

    #[test]
    fn control_characters_are_refused() {
        let input = IntakeInput {
            name: "Ada\u{0}".into(),
            ..valid()
        };
        assert_eq!(fields(&input), vec!["name"]);
        // A line break in a name would reach email headers.
        let input = IntakeInput {
            name: "Ada\r\nBcc: victim@example.com".into(),
            ..valid()
        };
        let errors = NewRequest::parse(&input, &all()).unwrap_err();
        assert_eq!(errors[0].field, "name");
        assert!(
            errors[0].message.contains("one line"),
            "{}",
            errors[0].message
        );
        let agent = IntakeInput {
            acting_as: "agent".into(),
            agent_name: "Mo\nAdvocate".into(),
            agent_email: "mo@advocates.example".into(),
            ..valid()
        };
        assert_eq!(fields(&agent), vec!["agent_name"]);
        // Longer text keeps its line breaks.
        let description = IntakeInput {
            description: "line one\nline two".into(),
            ..valid()
        };
        assert!(NewRequest::parse(&description, &all()).is_ok());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_input() -> impl Strategy<Value = IntakeInput> {
        let text = || "\\PC{0,40}";
        let choice = |options: &'static [&'static str]| {
            prop_oneof![
                proptest::sample::select(options).prop_map(str::to_owned),
                "\\PC{0,12}"
            ]
        };
        (
            (
                text(),
                choice(&["ada@example.com", "a@b.co", "x"]),
                choice(&["GB", "US-CA", "FR", "OTHER"]),
            ),
            proptest::collection::vec(
                choice(&[
                    "access",
                    "rectification",
                    "erasure",
                    "restriction",
                    "portability",
                    "objection",
                    "automated_decision",
                    "withdraw_consent",
                ]),
                0..4,
            ),
            (
                choice(&["no_longer_necessary", "objected"]),
                choice(&["accuracy_contested"]),
                choice(&["to_me", "to_another_controller"]),
                choice(&[
                    "direct_marketing",
                    "legitimate_interests",
                    "sale_or_sharing",
                ]),
                text(),
            ),
            choice(&["self", "agent"]),
            text(),
        )
            .prop_map(
                |(
                    (name, email, location),
                    rights,
                    (eg, rg, pd, og, detail),
                    acting_as,
                    agent_name,
                )| IntakeInput {
                    name,
                    email,
                    location,
                    rights,
                    erasure_ground: eg,
                    restriction_ground: rg,
                    portability_destination: pd,
                    objection_ground: og,
                    rectification_details: detail.clone(),
                    automated_decision_details: detail.clone(),
                    consent_purposes: detail.clone(),
                    portability_controller: detail.clone(),
                    objection_reasons: detail,
                    acting_as,
                    agent_name,
                    ..IntakeInput::default()
                },
            )
    }

    proptest! {
        /// Parsing never panics; it either yields a request whose every
        /// right carries its details, or names at least one field.
        #[test]
        fn parsing_accepts_complete_requests_or_names_the_problem(input in any_input()) {
            let all = Jurisdiction::new(Regime::UK_GDPR, Regime::ALL.to_vec()).unwrap();
            match NewRequest::parse(&input, &all) {
                Ok(r) => {
                    prop_assert!(!r.rights.is_empty());
                    prop_assert!(!r.name.trim().is_empty());
                    prop_assert!(r.name.chars().count() <= MAX_NAME);
                    let mut keys: Vec<Right> = r.rights.iter().map(RightRequest::right).collect();
                    let n = keys.len();
                    keys.dedup();
                    prop_assert_eq!(keys.len(), n, "no right twice");
                }
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
        }
    }
}
