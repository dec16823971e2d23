use chrono::NaiveDate;

use super::*;
use crate::domain::calendar::rules::{CalendarRules, DateRule, HolidayRule, Observance};
use crate::domain::calendar::{Calendars, HolidayCalendar};
use crate::domain::deadline::{self, ClockEvent, DeadlineInput};
use crate::domain::intake::{IntakeInput, NewRequest};
use crate::domain::verification;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn every_regime_round_trips_through_its_key() {
    for r in Regime::ALL {
        assert_eq!(r.key().parse::<Regime>(), Ok(r));
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Regime>(&json).unwrap(), r);
    }
    assert!("gdpr".parse::<Regime>().is_err());
    assert!("".parse::<Regime>().is_err());
}

#[test]
fn every_shipped_table_is_complete() {
    for r in Regime::ALL {
        let rules = r.rules();
        assert!(!rules.rights.is_empty(), "{r}");
        assert!(!rules.refusal_grounds.is_empty(), "{r}");
        assert!(!rules.territories.is_empty(), "{r}");
        assert!(
            rules
                .refusal_grounds
                .iter()
                .any(|g| g.key == "identity_not_verified"),
            "{r}: every law lets us refuse what we cannot verify"
        );
        for g in rules.refusal_grounds {
            assert!(!g.requester_text.is_empty() && !g.source.is_empty());
        }
        let mut keys: Vec<_> = rules.rights.iter().map(|x| x.right).collect();
        keys.dedup();
        assert_eq!(keys.len(), rules.rights.len(), "{r}: a right listed twice");
    }
}

#[test]
fn the_law_applied_follows_residence_and_the_organisation() {
    let all = Jurisdiction::new(Regime::UK_GDPR, Regime::ALL.to_vec()).unwrap();
    let at = |code| Location::parse(code).unwrap();
    assert_eq!(all.regime_for(at("GB")), Regime::UK_GDPR);
    assert_eq!(all.regime_for(at("fr")), Regime::EU_GDPR);
    assert_eq!(all.regime_for(at("NO")), Regime::EU_GDPR);
    assert_eq!(all.regime_for(at("US-CA")), Regime::CCPA);
    assert_eq!(all.regime_for(at("OTHER")), Regime::UK_GDPR);
    // An organisation the CCPA does not reach handles a Californian under
    // its home law, and offers no California-only rights.
    let no_ccpa = Jurisdiction::new(Regime::EU_GDPR, vec![Regime::EU_GDPR]).unwrap();
    assert_eq!(no_ccpa.regime_for(at("US-CA")), Regime::EU_GDPR);
    assert_eq!(no_ccpa.regime_for(at("GB")), Regime::EU_GDPR);
    assert!(!no_ccpa.offers(Right::OptOut));
    assert_eq!(all.offered_only_under(Right::OptOut), vec![Regime::CCPA]);
    assert!(all.offered_only_under(Right::Access).is_empty());
    assert!(Jurisdiction::new(Regime::CCPA, vec![Regime::UK_GDPR]).is_err());
    assert!(Jurisdiction::new(Regime::CCPA, vec![]).is_err());
    assert_eq!(Location::parse("XX"), None);
}

#[test]
fn the_eea_has_thirty_countries() {
    assert_eq!(Regime::EU_GDPR.rules().territories.len(), 30);
    for code in Regime::EU_GDPR.rules().territories {
        assert!(Location::parse(code).is_some(), "{code}");
    }
}

#[test]
fn statutory_names() {
    assert_eq!(Regime::CCPA.right_name(Right::Access), "Request to know");
    assert_eq!(Regime::CCPA.right_name(Right::Erasure), "Request to delete");
    assert_eq!(
        Regime::CCPA.right_name(Right::Rectification),
        "Request to correct"
    );
    assert_eq!(
        Regime::CCPA.right_name(Right::OptOut),
        "Request to opt out of sale/sharing"
    );
    assert!(Regime::CCPA
        .right_name(Right::Limit)
        .starts_with("Request to limit"));
    assert_eq!(Regime::UK_GDPR.right_name(Right::Access), "Right of access");
    assert!(Regime::UK_GDPR
        .right_basis(Right::AutomatedDecision)
        .contains("22A-22D"));
    assert_eq!(
        Regime::EU_GDPR.right_basis(Right::AutomatedDecision),
        "Article 22"
    );
    assert!(!Regime::UK_GDPR.grants(Right::OptOut));
    assert!(!Regime::CCPA.grants(Right::Restriction));
}

#[test]
fn clocks_differ_as_the_laws_do() {
    // UK: only a subject access request is paused by a question.
    assert!(Regime::UK_GDPR.clarification_pauses(&[Right::Access]));
    assert!(!Regime::UK_GDPR.clarification_pauses(&[Right::Erasure]));
    assert!(!Regime::UK_GDPR.clarification_pauses(&[Right::Access, Right::Erasure]));
    // EU and CCPA: never.
    assert!(!Regime::EU_GDPR.clarification_pauses(&[Right::Access]));
    assert!(!Regime::CCPA.clarification_pauses(&[Right::Access]));
    assert!(Regime::UK_GDPR.restarts_on(Awaited::Identity));
    assert!(!Regime::EU_GDPR.restarts_on(Awaited::Identity));
    assert!(!Regime::CCPA.restarts_on(Awaited::Fee));
    assert!(Regime::CCPA.is_fast_track(&RightRequest::OptOut));
    assert!(Regime::CCPA.is_fast_track(&RightRequest::Limit));
    assert!(!Regime::UK_GDPR.is_fast_track(&RightRequest::OptOut));
}

// ---- a fourth regime, built only here ----

const TEST_CALENDAR: CalendarRules = CalendarRules {
    key: "testland",
    name: "Testland holidays",
    source: "Testland Holidays Act",
    holidays: &[HolidayRule {
        name: "Founders' Day",
        date: DateRule::Fixed { month: 3, day: 2 },
        observance: Observance::SundayToMonday,
        since: None,
        source: "Testland Holidays Act, s. 1",
    }],
    one_offs: &[],
    excluded: &[],
    first_year: 2025,
    last_year: 2035,
};

const TESTLAND: Rules = Rules {
    key: "testland-dpa",
    short: "Testland DPA",
    title: "Testland Data Protection Act",
    territories: &["OTHER"],
    clock: ClockRules {
        period: Period::Days(15),
        period_source: "Testland DPA s. 18: 15 days",
        restarts_on: &[Awaited::Fee],
        restart_source: "s. 18(2): from the fee",
        clarification_pauses: &[Right::Access, Right::Erasure],
        pause_source: "s. 18(3)",
        extension: Extension {
            total: Period::Days(30),
            words: "up to 15 more days",
            reasons: &[ExtensionReason::Complex],
            source: "s. 18(4)",
        },
        acknowledge_within: Some(2),
        acknowledge_source: "s. 17",
        fast_track: Some(FastTrack {
            business_days: 3,
            what: "nothing real",
            rights: &[],
            source: "s. 19",
        }),
    },
    calendar: CalendarSource::Fixed(&TEST_CALENDAR),
    calendar_source: "s. 20",
    rights: &[
        RightRules {
            right: Right::Access,
            name: "Right to confirmation and access",
            basis: "s. 18",
            verification: Level::EmailOnly,
            verification_why: "test",
        },
        RightRules {
            right: Right::Erasure,
            name: "Right to elimination",
            basis: "s. 18(VI)",
            verification: Level::Documents,
            verification_why: "test",
        },
    ],
    erasure_grounds: false,
    refusal_grounds: &[RefusalGround {
        key: "identity_not_verified",
        label: "Not verified",
        requester_text: "We could not verify you (s. 21).",
        source: "s. 21",
    }],
    remedies: Remedies {
        complaint: "You may complain to",
        also: None,
        court: None,
        source: "s. 22",
    },
    verification_notice: "We may ask for documents.",
    records_kept_months: 6,
    records_source: "Testland Records Act s. 1",
    disclosure: Disclosure {
        heading: "Testland disclosure",
        items: &[("Purposes", OrgText::Purposes)],
        copy_note: "Your data is attached.",
        recipients_told: "Recipients told",
        other_rights: "Other rights.",
        source: "Testland Act s. 2",
    },
};

const TESTLAND_REGIME: Regime = Regime::new(&TESTLAND);

#[test]
fn a_fourth_regime_is_one_table_a_calendar_and_its_texts() {
    let regime = TESTLAND_REGIME;
    let calendar = HolidayCalendar::from_rules(&TEST_CALENDAR);
    let mut calendars = Calendars::shipped();
    calendars.add(&TEST_CALENDAR);
    assert_eq!(calendars.for_regime(regime).name(), "Testland holidays");

    // The deadline engine: 15 days, rolled past Founders' Day (Monday
    // 2 March 2026), a pause for erasure, an acknowledgement in 2 days.
    let dl = deadline::compute(
        DeadlineInput {
            regime,
            received: d("2026-02-15"),
            rights: &[Right::Erasure],
            events: &[],
            fast_track: false,
        },
        &calendar,
        d("2026-02-15"),
    )
    .unwrap();
    assert_eq!(dl.due, Some(d("2026-03-03")), "{:#?}", dl.derivation);
    assert_eq!(dl.acknowledge_by, Some(d("2026-02-17")));
    assert!(dl.derivation.iter().any(|l| l.contains("Founders' Day")));
    let paused = deadline::compute(
        DeadlineInput {
            regime,
            received: d("2026-02-15"),
            rights: &[Right::Erasure],
            events: &[
                ClockEvent::ClarificationRequested(d("2026-02-16")),
                ClockEvent::ClarificationReceived(d("2026-02-20")),
            ],
            fast_track: false,
        },
        &calendar,
        d("2026-02-25"),
    )
    .unwrap();
    assert_eq!(paused.due, Some(d("2026-03-06")));
    // Identity does not restart this clock; a fee does.
    let id = deadline::compute(
        DeadlineInput {
            regime,
            received: d("2026-02-15"),
            rights: &[Right::Access],
            events: &[ClockEvent::IdentityRequested(d("2026-02-16"))],
            fast_track: false,
        },
        &calendar,
        d("2026-02-20"),
    )
    .unwrap();
    assert_eq!(id.due, dl.due);

    // Intake: the form's rights are checked against its table.
    let jurisdiction = Jurisdiction::new(regime, vec![regime]).unwrap();
    let mut input = IntakeInput {
        name: "Ana Souza".into(),
        email: "ana@example.com".into(),
        location: "OTHER".into(),
        rights: vec!["erasure".into()],
        acting_as: "self".into(),
        ..IntakeInput::default()
    };
    let request = NewRequest::parse(&input, &jurisdiction).unwrap();
    assert_eq!(request.regime, regime);
    input.rights = vec!["portability".into()];
    assert!(NewRequest::parse(&input, &jurisdiction).is_err());

    // Verification and names come from the table.
    let erasure = RightRequest::Erasure { ground: None };
    assert_eq!(
        verification::level_for(&erasure, regime, &[]).0,
        Level::Documents
    );
    assert_eq!(regime.right_name(Right::Erasure), "Right to elimination");
    assert!(regime.refusal_ground("identity_not_verified").is_some());
    assert!(regime.extension_allows(ExtensionReason::Complex));
    assert!(!regime.extension_allows(ExtensionReason::ManyRequests));
}
