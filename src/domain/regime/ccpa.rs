//! The California Consumer Privacy Act as amended by the CPRA, with the
//! CPPA's regulations (Cal. Code Regs. tit. 11, §§ 7000 ff.).

use super::{
    CalendarSource, ClockRules, Disclosure, Extension, FastTrack, OrgText, Period, RefusalGround,
    Remedies, RightRules, Rules,
};
use crate::domain::calendar::shipped::CALIFORNIA;
use crate::domain::casework::ExtensionReason;
use crate::domain::rights::Right;
use crate::domain::verification::Level;

const NEVER_VERIFIED: &str = "The regulations forbid requiring verification for this request (§§ 7026(d), 7027(e)); it is acted on even if the email is never confirmed.";

pub const RULES: Rules = Rules {
    key: "ccpa",
    short: "CCPA",
    title: "California Consumer Privacy Act (CCPA, as amended by the CPRA)",
    territories: &["US-CA"],
    clock: ClockRules {
        period: Period::Days(45),
        period_source: "Cal. Civ. Code § 1798.130(a)(2)(A); Cal. Code Regs. tit. 11, § 7021(b): 45 calendar days from the day the request is received",
        restarts_on: &[],
        restart_source: "Cal. Code Regs. tit. 11, § 7021(b): the 45 days begin on receipt, whatever time verification takes; confirming an email or verifying identity never restarts them",
        clarification_pauses: &[],
        pause_source: "the CCPA has no stop-the-clock",
        extension: Extension {
            total: Period::Days(90),
            words: "up to 45 more days",
            reasons: &[ExtensionReason::ReasonablyNecessary],
            source: "Cal. Civ. Code § 1798.130(a)(2)(A); § 7021(b): once, by 45 more days (90 in all), with notice and an explanation within the first 45",
        },
        acknowledge_within: Some(10),
        acknowledge_source: "Cal. Code Regs. tit. 11, § 7021(a): confirm receipt within 10 business days and say how the request will be processed",
        fast_track: Some(FastTrack {
            business_days: 15,
            what: "opt-out of sale or sharing, or the limit on the use of sensitive personal information",
            rights: &[Right::OptOut, Right::Limit],
            source: "Cal. Code Regs. tit. 11, §§ 7026(f), 7027(g): act no later than 15 business days from receipt, without verification",
        }),
    },
    calendar: CalendarSource::Fixed(&CALIFORNIA),
    calendar_source: "Cal. Civ. Code §§ 7, 10, 11: a last day that is a holiday (Gov. Code § 6700, a Saturday or a Sunday) moves to the next business day",
    rights: &[
        RightRules {
            right: Right::Access,
            name: "Request to know",
            basis: "Cal. Civ. Code §§ 1798.100, 1798.110; Cal. Code Regs. tit. 11, § 7024",
            verification: Level::DataPoints,
            verification_why: "Categories need a reasonable degree of certainty (two matching data points), specific pieces a reasonably high one (three) (§ 7062).",
        },
        RightRules {
            right: Right::Rectification,
            name: "Request to correct",
            basis: "Cal. Civ. Code § 1798.106; Cal. Code Regs. tit. 11, § 7023",
            verification: Level::DataPoints,
            verification_why: "Matching data points, in proportion to the sensitivity of what is corrected (§ 7062(c)); contact details alone need only the confirmed email.",
        },
        RightRules {
            right: Right::Erasure,
            name: "Request to delete",
            basis: "Cal. Civ. Code § 1798.105; Cal. Code Regs. tit. 11, § 7022",
            verification: Level::DataPoints,
            verification_why: "A reasonable or reasonably high degree of certainty, by matching data points, depending on what is deleted (§ 7062(d)).",
        },
        RightRules {
            right: Right::Portability,
            name: "Request to know (portable copy)",
            basis: "Cal. Civ. Code § 1798.130(a)(3)(B)(iii)",
            verification: Level::DataPoints,
            verification_why: "Specific pieces of information need a reasonably high degree of certainty (§ 7062(c)).",
        },
        RightRules {
            right: Right::OptOut,
            name: "Request to opt out of sale/sharing",
            basis: "Cal. Civ. Code § 1798.120; Cal. Code Regs. tit. 11, § 7026",
            verification: Level::EmailOnly,
            verification_why: NEVER_VERIFIED,
        },
        RightRules {
            right: Right::Limit,
            name: "Request to limit use and disclosure of sensitive personal information",
            basis: "Cal. Civ. Code § 1798.121; Cal. Code Regs. tit. 11, § 7027",
            verification: Level::EmailOnly,
            verification_why: NEVER_VERIFIED,
        },
        RightRules {
            right: Right::AutomatedDecision,
            name: "Request about automated decision-making technology",
            basis: "Cal. Civ. Code § 1798.185(a)(15); Cal. Code Regs. tit. 11, art. 11",
            verification: Level::DataPoints,
            verification_why: "Information about a decision is disclosed: matching data points, as for a request to know.",
        },
    ],
    erasure_grounds: false,
    refusal_grounds: &[
        RefusalGround {
            key: "identity_not_verified",
            label: "Could not be verified (§ 7062)",
            requester_text: "We could not verify your identity to the degree the CCPA regulations require for this request (Cal. Code Regs. tit. 11, §§ 7060-7062). You can still ask us to stop selling or sharing your personal information, which needs no verification.",
            source: "Cal. Code Regs. tit. 11, §§ 7060-7062, 7022(c), 7024(c)",
        },
        RefusalGround {
            key: "manifestly_unfounded_or_excessive",
            label: "Manifestly unfounded or excessive (§ 1798.145(h)(3))",
            requester_text: "We consider your request manifestly unfounded or excessive, in particular because of its repetitive character (Cal. Civ. Code § 1798.145(h)(3)). The reasons are set out below.",
            source: "Cal. Civ. Code § 1798.145(h)(3)",
        },
        RefusalGround {
            key: "deletion_exception",
            label: "Deletion exception (§ 1798.105(d))",
            requester_text: "We must keep the information under an exception in Cal. Civ. Code § 1798.105(d) (for example to complete a transaction you asked for, for security, or to comply with a legal obligation); the exception and what we keep are set out below.",
            source: "Cal. Civ. Code § 1798.105(d); Cal. Code Regs. tit. 11, § 7022(f)",
        },
        RefusalGround {
            key: "legal_obligation_or_claims",
            label: "Legal obligation, law enforcement or legal claims (§ 1798.145(a))",
            requester_text: "Acting on the request would prevent us from complying with the law, cooperating with law enforcement, or exercising or defending legal claims (Cal. Civ. Code § 1798.145(a)).",
            source: "Cal. Civ. Code § 1798.145(a)",
        },
        RefusalGround {
            key: "disclosure_prohibited",
            label: "Specific pieces that may not be disclosed (§ 7024(d))",
            requester_text: "The law forbids us to disclose some specific pieces of information, such as government identification numbers, account passwords or security questions; we have told you that we hold them without giving them (Cal. Code Regs. tit. 11, § 7024(d)).",
            source: "Cal. Code Regs. tit. 11, § 7024(d)",
        },
        RefusalGround {
            key: "information_accurate",
            label: "The information is accurate (§ 7023)",
            requester_text: "Considering all the information we have, including what you sent, we found the information accurate, so we have not changed it; you may send us a written statement about it (Cal. Code Regs. tit. 11, § 7023).",
            source: "Cal. Code Regs. tit. 11, § 7023",
        },
    ],
    remedies: Remedies {
        complaint: "If you believe we have not handled your request as the law requires, you can file a complaint with",
        also: Some("You can also report it to the California Attorney General at https://oag.ca.gov/privacy/ccpa."),
        court: None,
        source: "Cal. Civ. Code §§ 1798.155, 1798.199.10 ff. (enforcement by the CPPA and the Attorney General; no private right of action outside data breaches, § 1798.150)",
    },
    verification_notice: "We verify requests to know, delete and correct by matching details you give us with information we already hold (Cal. Code Regs. tit. 11, §§ 7060-7062). We never ask for verification of a request to opt out of sale or sharing or to limit the use of sensitive personal information. Verification does not change the date by which we must answer.",
    records_kept_months: 24,
    records_source: "Cal. Code Regs. tit. 11, § 7101(a): records of consumer requests and responses kept for at least 24 months",
    disclosure: Disclosure {
        heading: "The personal information we collected about you",
        items: &[
            ("Categories of personal information we collected", OrgText::Categories),
            ("Categories of sources we collected it from", OrgText::Sources),
            ("Business or commercial purposes for collecting, selling or sharing it", OrgText::Purposes),
            ("Categories of third parties we disclosed, sold or shared it to", OrgText::Recipients),
            ("How long we keep it", OrgText::Retention),
        ],
        copy_note: "The specific pieces of personal information we hold about you are given only through your secure data package on this page, never by email.",
        recipients_told: "We told our service providers, contractors and third parties to delete your information too (Cal. Code Regs. tit. 11, § 7022(b))",
        other_rights: "You may also ask us to delete or correct your information, to stop selling or sharing it, or to limit the use of sensitive information. We will not discriminate against you for using these rights.",
        source: "Cal. Civ. Code § 1798.110; Cal. Code Regs. tit. 11, §§ 7022-7024",
    },
};
