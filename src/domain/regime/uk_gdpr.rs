//! UK GDPR and the Data Protection Act 2018, as amended by the Data (Use
//! and Access) Act 2025 (Article 12A in force since February 2026).

use super::eu_gdpr::{gdpr_rights, GDPR_ACCESS_ITEMS};
use super::{
    Awaited, CalendarSource, ClockRules, Disclosure, Extension, Period, RefusalGround, Remedies,
    Rules,
};
use crate::domain::calendar::shipped::ENGLAND_WALES;
use crate::domain::casework::ExtensionReason;
use crate::domain::rights::Right;

pub const RULES: Rules = Rules {
    key: "uk-gdpr",
    short: "UK GDPR",
    title: "UK GDPR and the Data Protection Act 2018",
    territories: &["GB"],
    clock: ClockRules {
        period: Period::Months(1),
        period_source: "UK GDPR Art. 12(3); ICO guidance: the day of receipt, then the corresponding date next month (the last day of a shorter month)",
        restarts_on: &[Awaited::Identity, Awaited::Fee],
        restart_source: "UK GDPR Art. 12A(2): the period starts on the latest of receipt, the requested identity information and the fee",
        clarification_pauses: &[Right::Access],
        pause_source: "UK GDPR Art. 12A(3)-(4): a clarification of a subject access request (where much data is held) stops the clock until answered; other rights are not paused",
        extension: Extension {
            total: Period::Months(3),
            words: "up to two further months",
            reasons: &[ExtensionReason::Complex, ExtensionReason::ManyRequests],
            source: "UK GDPR Art. 12(3): by two further months where complex or numerous, telling the requester with reasons within the first month",
        },
        acknowledge_within: None,
        acknowledge_source: "no statutory acknowledgement deadline (we acknowledge at once)",
        fast_track: None,
    },
    calendar: CalendarSource::Fixed(&ENGLAND_WALES),
    calendar_source: "ICO guidance on the time limit: a due date on a weekend or bank holiday moves to the next working day",
    rights: &gdpr_rights(
        "Right not to be subject to solely automated decisions without safeguards",
        "Articles 22A-22D (as substituted by the Data (Use and Access) Act 2025)",
    ),
    erasure_grounds: true,
    refusal_grounds: &[
        RefusalGround {
            key: "manifestly_unfounded",
            label: "Manifestly unfounded (Art. 12(5))",
            requester_text: "We consider your request manifestly unfounded, so we will not act on it (UK GDPR Article 12(5)). The reasons are set out below.",
            source: "UK GDPR Art. 12(5)",
        },
        RefusalGround {
            key: "manifestly_excessive",
            label: "Manifestly excessive (Art. 12(5))",
            requester_text: "We consider your request manifestly excessive, in particular because it repeats earlier requests, so we will not act on it (UK GDPR Article 12(5)). The reasons are set out below.",
            source: "UK GDPR Art. 12(5)",
        },
        RefusalGround {
            key: "identity_not_verified",
            label: "Identity could not be confirmed (Art. 12(2), 12(6))",
            requester_text: "We could not confirm that you are the person the data is about, so we cannot act on your request (UK GDPR Articles 12(2) and 12(6)). You can make a new request with the information we asked for.",
            source: "UK GDPR Art. 12(2), 12(6)",
        },
        RefusalGround {
            key: "third_party_data",
            label: "Disclosure would reveal another person's data (DPA 2018 Sch. 2 para. 16)",
            requester_text: "Answering would disclose information about another person who has not agreed to it and whose interests outweigh disclosure (Data Protection Act 2018, Schedule 2, paragraph 16).",
            source: "DPA 2018 Sch. 2 para. 16",
        },
        RefusalGround {
            key: "legal_privilege",
            label: "Legal professional privilege (DPA 2018 Sch. 2 para. 19)",
            requester_text: "The information is covered by legal professional privilege (Data Protection Act 2018, Schedule 2, paragraph 19).",
            source: "DPA 2018 Sch. 2 para. 19",
        },
        RefusalGround {
            key: "crime_and_taxation",
            label: "Crime and taxation (DPA 2018 Sch. 2 para. 2)",
            requester_text: "Answering would be likely to prejudice the prevention or detection of crime, the apprehension or prosecution of offenders, or the assessment or collection of tax (Data Protection Act 2018, Schedule 2, paragraph 2).",
            source: "DPA 2018 Sch. 2 para. 2",
        },
        RefusalGround {
            key: "management_forecasts_or_negotiations",
            label: "Management forecasts or negotiations (DPA 2018 Sch. 2 paras. 22-23)",
            requester_text: "The information is held for management forecasting or planning, or records our intentions in negotiations with you, and disclosing it would prejudice them (Data Protection Act 2018, Schedule 2, paragraphs 22 and 23).",
            source: "DPA 2018 Sch. 2 paras. 22, 23",
        },
        RefusalGround {
            key: "confidential_references",
            label: "Confidential references (DPA 2018 Sch. 2 para. 24)",
            requester_text: "The information is a reference given in confidence for education, training or employment (Data Protection Act 2018, Schedule 2, paragraph 24).",
            source: "DPA 2018 Sch. 2 para. 24",
        },
        RefusalGround {
            key: "erasure_exception",
            label: "Erasure exception: legal obligation or legal claims (Art. 17(3))",
            requester_text: "We must keep the data to comply with a legal obligation, or for the establishment, exercise or defence of legal claims (UK GDPR Article 17(3)).",
            source: "UK GDPR Art. 17(3)(b), (e)",
        },
    ],
    remedies: Remedies {
        complaint: "You have the right to complain to",
        also: None,
        court: Some("You also have the right to seek a judicial remedy: to ask a court to order us to comply (UK GDPR Article 79; Data Protection Act 2018, section 167)."),
        source: "UK GDPR Arts. 12(4), 77-79; DPA 2018 ss. 165-167",
    },
    verification_notice: "We have confirmed your email address. For some requests we will also ask you a few questions about details we hold; we ask for identity documents only where we have a reason to. If we ask, the one-month time limit starts on the day we receive what we asked for.",
    records_kept_months: 0,
    records_source: "No fixed period: the organisation's own retention schedule, kept no longer than needed (UK GDPR Art. 5(1)(e)); accountability, Art. 5(2)",
    disclosure: Disclosure {
        heading: "About how we use your data",
        items: GDPR_ACCESS_ITEMS,
        copy_note: "A copy of the personal data we hold about you, from each system below, is in your data package on this page.",
        recipients_told: "We told those we had disclosed your data to, so they do the same (UK GDPR Article 19)",
        other_rights: "You may also ask us to correct your data, to delete it, to restrict its use, or object to our using it.",
        source: "UK GDPR Art. 15(1)-(3), Art. 19",
    },
};
