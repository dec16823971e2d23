//! The answer to a request, composed from each right's outcome, each
//! system's answer to its task, the organisation's texts and what the
//! regime says an answer must contain. Pure: the service stores what this
//! returns and the status page shows it.

use serde::{Deserialize, Serialize};

use super::casework::Outcome;
use super::fulfilment::TaskAnswer;
use super::regime::OrgText;
use super::{Regime, Right};

/// One part of an answer: a heading and its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub heading: String,
    pub lines: Vec<String>,
}

/// A right of the case and how it ended.
#[derive(Debug, Clone)]
pub struct RightEnded {
    pub right: Right,
    pub outcome: Option<Outcome>,
    pub note: Option<String>,
}

/// A system's answer to one of the case's tasks.
#[derive(Debug, Clone)]
pub struct SystemAnswered {
    pub system: String,
    pub right: Right,
    pub answer: Option<TaskAnswer>,
    pub retention_note: String,
}

/// Everything an answer is made from.
pub struct AnswerInput<'a> {
    pub regime: Regime,
    pub rights: &'a [RightEnded],
    pub systems: &'a [SystemAnswered],
    pub recipients_told: &'a [String],
    pub texts: &'a dyn Fn(OrgText) -> String,
    /// What staff wrote to go with the answer.
    pub message: &'a str,
    /// Whether the requester has a data package on their page (the copy of
    /// their data); the answer says so only when they do.
    pub package: bool,
}

fn in_systems(
    systems: &[SystemAnswered],
    right: Right,
    pick: impl Fn(&TaskAnswer) -> bool,
) -> Vec<String> {
    systems
        .iter()
        .filter(|s| s.right == right && s.answer.as_ref().is_some_and(&pick))
        .map(|s| s.system.clone())
        .collect()
}

/// Composes the answer.
pub fn compose(a: &AnswerInput<'_>) -> Vec<Section> {
    let rules = a.regime.rules();
    let disclosure = rules.disclosure;
    let mut sections = vec![Section {
        heading: "What we did".into(),
        lines: a
            .rights
            .iter()
            .map(|r| {
                let name = a.regime.right_name(r.right);
                let outcome = r.outcome.map_or("not answered", |o| o.for_requester());
                match &r.note {
                    Some(note) => format!("{name}: {outcome}. {note}"),
                    None => format!("{name}: {outcome}."),
                }
            })
            .collect(),
    }];
    let has = |right: Right| {
        a.rights.iter().any(|r| {
            r.right == right
                && matches!(
                    r.outcome,
                    Some(Outcome::Fulfilled | Outcome::PartiallyFulfilled)
                )
        })
    };
    if has(Right::Access) || has(Right::Portability) {
        let right = if has(Right::Access) {
            Right::Access
        } else {
            Right::Portability
        };
        let mut lines = Vec::new();
        if a.package {
            lines.push(disclosure.copy_note.to_owned());
        }
        let from = in_systems(a.systems, right, |t| matches!(t, TaskAnswer::Done));
        if !from.is_empty() {
            lines.push(format!("Data about you is held in: {}.", from.join(", ")));
        }
        let none = in_systems(a.systems, right, |t| matches!(t, TaskAnswer::NoData));
        if !none.is_empty() {
            lines.push(format!(
                "We hold nothing about you in: {}.",
                none.join(", ")
            ));
        }
        sections.push(Section {
            heading: "Your personal data".into(),
            lines,
        });
    }
    if has(Right::Access) {
        let mut lines: Vec<String> = disclosure
            .items
            .iter()
            .map(|(label, text)| format!("{label}: {}", (a.texts)(*text)))
            .collect();
        let notes: Vec<String> = a
            .systems
            .iter()
            .filter(|s| s.right == Right::Access && !s.retention_note.is_empty())
            .map(|s| format!("{}: {}", s.system, s.retention_note))
            .collect();
        if !notes.is_empty() {
            lines.push(format!(
                "How long each system keeps it: {}.",
                notes.join("; ")
            ));
        }
        lines.push(disclosure.other_rights.to_owned());
        sections.push(Section {
            heading: disclosure.heading.into(),
            lines,
        });
    }
    for (right, heading, done_word) in [
        (Right::Erasure, "Deletion", "Deleted in"),
        (Right::Rectification, "Correction", "Corrected in"),
        (Right::Restriction, "Restriction", "Use restricted in"),
    ] {
        if !a.rights.iter().any(|r| r.right == right) {
            continue;
        }
        let mut lines = Vec::new();
        let done = in_systems(a.systems, right, |t| matches!(t, TaskAnswer::Done));
        if !done.is_empty() {
            lines.push(format!("{done_word}: {}.", done.join(", ")));
        }
        let none = in_systems(a.systems, right, |t| matches!(t, TaskAnswer::NoData));
        if !none.is_empty() {
            lines.push(format!("Nothing held about you in: {}.", none.join(", ")));
        }
        for s in a.systems.iter().filter(|s| s.right == right) {
            if let Some(TaskAnswer::Kept { basis }) = &s.answer {
                lines.push(format!(
                    "Kept in {}, because the law requires it: {basis}.",
                    s.system
                ));
            }
            if let Some(TaskAnswer::NotPossible) = &s.answer {
                lines.push(format!(
                    "Not possible in {} (the reason is given above).",
                    s.system
                ));
            }
        }
        if !a.recipients_told.is_empty() {
            lines.push(format!(
                "{}: {}.",
                disclosure.recipients_told,
                a.recipients_told.join(", ")
            ));
        }
        if !lines.is_empty() {
            sections.push(Section {
                heading: heading.into(),
                lines,
            });
        }
    }
    if !a.message.trim().is_empty() {
        sections.push(Section {
            heading: "A note from us".into(),
            lines: vec![a.message.trim().to_owned()],
        });
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: OrgText) -> String {
        format!("[{t:?} text]")
    }

    fn system(name: &str, right: Right, answer: TaskAnswer) -> SystemAnswered {
        SystemAnswered {
            system: name.into(),
            right,
            answer: Some(answer),
            retention_note: "2 years".into(),
        }
    }

    fn all_text(sections: &[Section]) -> String {
        sections
            .iter()
            .map(|s| format!("{}\n{}", s.heading, s.lines.join("\n")))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_gdpr_access_answer_gives_every_article_15_item() {
        let rights = [RightEnded {
            right: Right::Access,
            outcome: Some(Outcome::Fulfilled),
            note: None,
        }];
        let systems = [
            system("CRM", Right::Access, TaskAnswer::Done),
            system("Analytics", Right::Access, TaskAnswer::NoData),
        ];
        let text = all_text(&compose(&AnswerInput {
            regime: Regime::UK_GDPR,
            rights: &rights,
            systems: &systems,
            recipients_told: &[],
            texts: &texts,
            message: "",
            package: true,
        }));
        for item in [
            "Purposes",
            "Categories",
            "Recipients",
            "Retention",
            "Sources",
            "AutomatedDecisions",
            "Transfers",
        ] {
            assert!(text.contains(&format!("[{item} text]")), "{item}: {text}");
        }
        assert!(text.contains("Data about you is held in: CRM."), "{text}");
        assert!(text.contains("is in your data package"), "{text}");
        assert!(text.contains("We hold nothing about you in: Analytics."));
        assert!(text.contains("CRM: 2 years"));
        assert!(text.contains("correct your data"));
    }

    #[test]
    fn a_ccpa_deletion_says_what_was_deleted_kept_and_who_was_told() {
        let rights = [
            RightEnded {
                right: Right::Access,
                outcome: Some(Outcome::Fulfilled),
                note: None,
            },
            RightEnded {
                right: Right::Erasure,
                outcome: Some(Outcome::PartiallyFulfilled),
                note: Some("Invoices kept".into()),
            },
        ];
        let systems = [
            system("CRM", Right::Erasure, TaskAnswer::Done),
            system(
                "Billing",
                Right::Erasure,
                TaskAnswer::Kept {
                    basis: "Tax records, 26 U.S.C. § 6001".into(),
                },
            ),
        ];
        let text = all_text(&compose(&AnswerInput {
            regime: Regime::CCPA,
            rights: &rights,
            systems: &systems,
            recipients_told: &["PayCo".to_owned()],
            texts: &texts,
            message: "Thank you.",
            package: true,
        }));
        assert!(
            text.contains("Categories of personal information we collected: [Categories text]"),
            "{text}"
        );
        assert!(text.contains("Categories of sources we collected it from: [Sources text]"));
        assert!(text.contains("Business or commercial purposes"));
        assert!(text.contains("Categories of third parties"));
        assert!(text.contains("only through your secure data package"));
        assert!(text.contains("Deleted in: CRM."));
        assert!(text.contains("Kept in Billing, because the law requires it: Tax records"));
        assert!(text.contains("service providers, contractors and third parties"));
        assert!(text.contains("PayCo"));
        assert!(text.contains("Thank you."));
    }
}
