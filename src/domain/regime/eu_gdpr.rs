//! The EU General Data Protection Regulation, read as the EDPB reads
//! Article 12(3): one month from receipt, no stop-the-clock; periods
//! computed under Regulation (EEC, Euratom) No 1182/71.

use super::{
    CalendarSource, ClockRules, Disclosure, Extension, OrgText, Period, RefusalGround, Remedies,
    RightRules, Rules,
};
use crate::domain::calendar::shipped::{FRANCE, GERMANY, IRELAND, NETHERLANDS};
use crate::domain::casework::ExtensionReason;
use crate::domain::rights::Right;
use crate::domain::verification::Level;

const MATCHING: &str = "Details only the person would know, matched against what we hold, before any document: proportionate for disclosing or deleting data.";

/// The rights of GDPR Articles 15-22 and 7(3), shared by the EU and UK
/// regimes; only the automated-decision article differs.
pub(super) const fn gdpr_rights(
    automated_name: &'static str,
    automated_basis: &'static str,
) -> [RightRules; 8] {
    [
        RightRules {
            right: Right::Access,
            name: "Right of access",
            basis: "Article 15",
            verification: Level::DataPoints,
            verification_why: MATCHING,
        },
        RightRules {
            right: Right::Rectification,
            name: "Right to rectification",
            basis: "Article 16",
            verification: Level::DataPoints,
            verification_why: "Changing the wrong person's record would mislead us; matching details are proportionate (contact details alone need only the confirmed email).",
        },
        RightRules {
            right: Right::Erasure,
            name: "Right to erasure",
            basis: "Article 17",
            verification: Level::DataPoints,
            verification_why: MATCHING,
        },
        RightRules {
            right: Right::Restriction,
            name: "Right to restriction of processing",
            basis: "Article 18",
            verification: Level::DataPoints,
            verification_why: "Pausing the wrong person's data would mislead us; matching details are proportionate.",
        },
        RightRules {
            right: Right::Portability,
            name: "Right to data portability",
            basis: "Article 20",
            verification: Level::DataPoints,
            verification_why: MATCHING,
        },
        RightRules {
            right: Right::Objection,
            name: "Right to object",
            basis: "Article 21",
            verification: Level::DataPoints,
            verification_why: "An objection to direct marketing needs only the confirmed email; other objections, matching details.",
        },
        RightRules {
            right: Right::AutomatedDecision,
            name: automated_name,
            basis: automated_basis,
            verification: Level::DataPoints,
            verification_why: "Reviewing a decision about the wrong person would mislead us; matching details are proportionate.",
        },
        RightRules {
            right: Right::WithdrawConsent,
            name: "Right to withdraw consent",
            basis: "Article 7(3)",
            verification: Level::EmailOnly,
            verification_why: "Withdrawing consent only stops processing; acting for the wrong person harms no one.",
        },
    ]
}

/// What a GDPR access answer tells besides the copy (Art. 15(1)(a)-(h),
/// 15(2)), in the order the Article gives.
pub(super) const GDPR_ACCESS_ITEMS: &[(&str, OrgText)] = &[
    ("Why we use it (purposes)", OrgText::Purposes),
    ("The kinds of personal data concerned", OrgText::Categories),
    ("Who we have shared it with, or will", OrgText::Recipients),
    ("How long we keep it", OrgText::Retention),
    ("Where it came from, when not from you", OrgText::Sources),
    (
        "Automated decisions, including profiling",
        OrgText::AutomatedDecisions,
    ),
    (
        "Transfers to other countries and their safeguards",
        OrgText::Transfers,
    ),
];

pub const RULES: Rules = Rules {
    key: "eu-gdpr",
    short: "EU GDPR",
    title: "EU General Data Protection Regulation (GDPR)",
    territories: &[
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IS", "IE",
        "IT", "LV", "LI", "LT", "LU", "MT", "NL", "NO", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    ],
    clock: ClockRules {
        period: Period::Months(1),
        period_source: "GDPR Art. 12(3); EDPB Guidelines 01/2022 on the right of access: one month from receipt, the corresponding date (the last day of a shorter month)",
        restarts_on: &[],
        restart_source: "GDPR Art. 12(3): the month runs from receipt; asking for identity or a fee does not restart it (the UK's Art. 12A has no EU counterpart)",
        clarification_pauses: &[],
        pause_source: "GDPR has no stop-the-clock: a question to the requester does not pause the month (extend instead, with reasons)",
        extension: Extension {
            total: Period::Months(3),
            words: "up to two further months",
            reasons: &[ExtensionReason::Complex, ExtensionReason::ManyRequests],
            source: "GDPR Art. 12(3): by two further months where complex or numerous, telling the requester with reasons within the first month",
        },
        acknowledge_within: None,
        acknowledge_source: "no statutory acknowledgement deadline (we acknowledge at once)",
        fast_track: None,
    },
    calendar: CalendarSource::Setting {
        setting: "calendars.eu_country",
        options: &[&IRELAND, &GERMANY, &FRANCE, &NETHERLANDS],
        default: &IRELAND,
    },
    calendar_source: "Regulation (EEC, Euratom) No 1182/71, Arts. 2(1) and 3(4): a period ending on a Saturday, Sunday or public holiday of the member state where the act is done ends on the next working day",
    rights: &gdpr_rights(
        "Rights related to automated decision-making",
        "Article 22",
    ),
    erasure_grounds: true,
    refusal_grounds: &[
        RefusalGround {
            key: "manifestly_unfounded",
            label: "Manifestly unfounded (Art. 12(5))",
            requester_text: "We consider your request manifestly unfounded, so we will not act on it (GDPR Article 12(5)). The reasons are set out below.",
            source: "GDPR Art. 12(5)",
        },
        RefusalGround {
            key: "manifestly_excessive",
            label: "Manifestly excessive (Art. 12(5))",
            requester_text: "We consider your request manifestly excessive, in particular because it repeats earlier requests, so we will not act on it (GDPR Article 12(5)). The reasons are set out below.",
            source: "GDPR Art. 12(5)",
        },
        RefusalGround {
            key: "identity_not_verified",
            label: "Identity could not be confirmed (Art. 11(2), 12(2), 12(6))",
            requester_text: "We could not confirm that you are the person the data is about, so we cannot act on your request (GDPR Articles 11(2), 12(2) and 12(6)). You can make a new request with the information we asked for.",
            source: "GDPR Arts. 11(2), 12(2), 12(6)",
        },
        RefusalGround {
            key: "rights_of_others",
            label: "A copy would adversely affect others' rights (Art. 15(4))",
            requester_text: "Giving you a copy would adversely affect the rights and freedoms of others, such as other people's personal data or trade secrets (GDPR Article 15(4)).",
            source: "GDPR Art. 15(4)",
        },
        RefusalGround {
            key: "erasure_exception",
            label: "Erasure exception: legal obligation, public interest or legal claims (Art. 17(3))",
            requester_text: "We must keep the data to comply with a legal obligation, for reasons of public interest, or for the establishment, exercise or defence of legal claims (GDPR Article 17(3)).",
            source: "GDPR Art. 17(3)(b)-(e)",
        },
        RefusalGround {
            key: "national_restriction",
            label: "A restriction in national law (Art. 23)",
            requester_text: "A law of the member state restricts this right in your case, as Article 23 GDPR allows; the reasons are set out below.",
            source: "GDPR Art. 23 and the member state's law",
        },
    ],
    remedies: Remedies {
        complaint: "You have the right to complain to",
        also: None,
        court: Some("You also have the right to an effective judicial remedy: to take us to court (GDPR Articles 78 and 79)."),
        source: "GDPR Arts. 12(4), 77-79",
    },
    verification_notice: "We have confirmed your email address. For some requests we will also ask you a few questions about details we hold; we ask for identity documents only where we have a reason to. The one-month time limit runs from the day we received your request.",
    records_kept_months: 0,
    records_source: "No fixed period: the organisation's own retention schedule, kept no longer than needed (GDPR Art. 5(1)(e)); accountability, Art. 5(2)",
    disclosure: Disclosure {
        heading: "About how we use your data",
        items: GDPR_ACCESS_ITEMS,
        copy_note: "A copy of the personal data we hold about you, from each system below, is in your data package on this page.",
        recipients_told: "We told those we had disclosed your data to, so they do the same (GDPR Article 19)",
        other_rights: "You may also ask us to correct your data, to delete it, to restrict its use, or object to our using it.",
        source: "GDPR Art. 15(1)-(3), Art. 19",
    },
};
