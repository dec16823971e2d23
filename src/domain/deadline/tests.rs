use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::domain::calendar::Calendars;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn calendars() -> Calendars {
    Calendars::shipped()
}

fn run(
    regime: Regime,
    received: &str,
    events: &[ClockEvent],
    today: &str,
) -> Result<Deadline, DeadlineError> {
    let cals = calendars();
    compute(
        DeadlineInput {
            regime,
            received: d(received),
            events,
            opt_out: false,
        },
        cals.for_regime(regime),
        d(today),
    )
}

fn due(regime: Regime, received: &str) -> NaiveDate {
    run(regime, received, &[], received).unwrap().due.unwrap()
}

#[test]
fn ico_example_received_3_september_due_3_october() {
    // 3 October 2024 is a Thursday.
    assert_eq!(due(Regime::UkGdpr, "2024-09-03"), d("2024-10-03"));
}

#[test]
fn ico_example_received_31_march_due_30_april() {
    assert_eq!(due(Regime::UkGdpr, "2025-03-31"), d("2025-04-30"));
    assert_eq!(due(Regime::UkGdpr, "2026-03-31"), d("2026-04-30"));
}

#[test]
fn due_date_on_a_weekend_moves_to_monday() {
    // 3 October 2026 is a Saturday.
    let dl = run(Regime::UkGdpr, "2026-09-03", &[], "2026-09-03").unwrap();
    assert_eq!(dl.due, Some(d("2026-10-05")));
    assert!(dl
        .derivation
        .iter()
        .any(|l| l.contains("3 October 2026 is a Saturday; 4 October 2026 is a Sunday: the next working day is Monday 5 October 2026.")));
}

#[test]
fn shorter_month_takes_its_last_day_then_rolls() {
    // 28 February 2026 is a Saturday.
    assert_eq!(due(Regime::UkGdpr, "2026-01-31"), d("2026-03-02"));
    assert_eq!(due(Regime::UkGdpr, "2026-01-29"), d("2026-03-02"));
    // 2028 is a leap year: 29 February 2028 is a Tuesday.
    assert_eq!(due(Regime::UkGdpr, "2028-01-31"), d("2028-02-29"));
    assert_eq!(due(Regime::UkGdpr, "2028-01-30"), d("2028-02-29"));
    // 31 May -> 30 June 2026 (Tuesday).
    assert_eq!(due(Regime::EuGdpr, "2026-05-31"), d("2026-06-30"));
}

#[test]
fn clock_starts_on_the_day_of_receipt_even_at_a_weekend() {
    // Received Saturday 7 November 2026: due Monday 7 December.
    assert_eq!(due(Regime::UkGdpr, "2026-11-07"), d("2026-12-07"));
}

#[test]
fn bank_holidays_roll_uk_deadlines_but_not_eu_ones() {
    // 31 August 2026 is the summer bank holiday in England and Wales.
    assert_eq!(due(Regime::UkGdpr, "2026-07-31"), d("2026-09-01"));
    assert_eq!(due(Regime::EuGdpr, "2026-07-31"), d("2026-08-31"));
    // Christmas Day (Friday), a weekend, then the Boxing Day substitute.
    assert_eq!(due(Regime::UkGdpr, "2026-11-25"), d("2026-12-29"));
    assert_eq!(due(Regime::EuGdpr, "2026-11-25"), d("2026-12-25"));
    // Good Friday and Easter Monday 2026.
    assert_eq!(due(Regime::UkGdpr, "2026-03-03"), d("2026-04-07"));
}

#[test]
fn identity_request_moves_the_start_to_when_proof_arrives() {
    let events = [
        ClockEvent::IdentityRequested(d("2026-03-02")),
        ClockEvent::IdentityReceived(d("2026-03-10")),
    ];
    let dl = run(Regime::UkGdpr, "2026-03-01", &events, "2026-03-12").unwrap();
    assert_eq!(dl.clock_start, Some(d("2026-03-10")));
    assert_eq!(dl.due, Some(d("2026-04-10")));
}

#[test]
fn while_identity_is_awaited_there_is_no_due_date() {
    let events = [ClockEvent::IdentityRequested(d("2026-03-02"))];
    let dl = run(Regime::UkGdpr, "2026-03-01", &events, "2026-03-20").unwrap();
    assert_eq!(dl.due, None);
    assert_eq!(
        dl.clock,
        ClockState::NotStarted {
            waiting_for: "identity proof"
        }
    );
    assert_eq!(dl.days_left(d("2026-03-20")), None);
}

#[test]
fn identity_and_fee_start_the_clock_at_the_later_of_the_two() {
    let events = [
        ClockEvent::IdentityRequested(d("2026-03-02")),
        ClockEvent::FeeRequested(d("2026-03-02")),
        ClockEvent::FeeReceived(d("2026-03-05")),
        ClockEvent::IdentityReceived(d("2026-03-09")),
    ];
    let dl = run(Regime::UkGdpr, "2026-03-01", &events, "2026-03-09").unwrap();
    assert_eq!(dl.clock_start, Some(d("2026-03-09")));
    assert_eq!(dl.due, Some(d("2026-04-09")));
    let waiting = run(Regime::UkGdpr, "2026-03-01", &events[..3], "2026-03-05").unwrap();
    assert_eq!(
        waiting.clock,
        ClockState::NotStarted {
            waiting_for: "identity proof"
        }
    );
}

#[test]
fn clarification_stops_the_clock_and_it_runs_on_from_where_it_stopped() {
    // Due 1 July 2026 unpaused; ten days paused -> 11 July (Saturday) -> Monday 13 July.
    let events = [
        ClockEvent::ClarificationRequested(d("2026-06-05")),
        ClockEvent::ClarificationReceived(d("2026-06-15")),
    ];
    let dl = run(Regime::UkGdpr, "2026-06-01", &events, "2026-06-20").unwrap();
    assert_eq!(dl.paused_days, 10);
    assert_eq!(dl.due, Some(d("2026-07-13")));
    assert!(dl.clock_running());
}

#[test]
fn an_open_clarification_keeps_the_clock_stopped_up_to_today() {
    let events = [ClockEvent::ClarificationRequested(d("2026-06-05"))];
    let dl = run(Regime::UkGdpr, "2026-06-01", &events, "2026-06-08").unwrap();
    assert_eq!(
        dl.clock,
        ClockState::Paused {
            since: d("2026-06-05")
        }
    );
    assert_eq!(dl.paused_days, 3);
    assert_eq!(dl.due, Some(d("2026-07-06")));
}

#[test]
fn extension_makes_it_three_months_from_the_start() {
    let events = [ClockEvent::Extended(d("2026-09-10"))];
    let dl = run(Regime::UkGdpr, "2026-09-03", &events, "2026-09-10").unwrap();
    assert_eq!(dl.original_due, Some(d("2026-10-05")));
    assert_eq!(dl.due, Some(d("2026-12-03")));
    assert!(dl.extended);
    // 30 November + 3 months = 28 February 2027, a Sunday.
    let events = [ClockEvent::Extended(d("2026-12-01"))];
    let dl = run(Regime::UkGdpr, "2026-11-30", &events, "2026-12-01").unwrap();
    assert_eq!(dl.due, Some(d("2027-03-01")));
}

#[test]
fn extension_on_the_due_date_is_allowed_and_after_it_refused() {
    let on_time = [ClockEvent::Extended(d("2026-10-05"))];
    assert!(run(Regime::UkGdpr, "2026-09-03", &on_time, "2026-10-05").is_ok());
    let late = [ClockEvent::Extended(d("2026-10-06"))];
    assert_eq!(
        run(Regime::UkGdpr, "2026-09-03", &late, "2026-10-06"),
        Err(DeadlineError::LateExtension {
            extended_on: d("2026-10-06"),
            due: d("2026-10-05")
        })
    );
}

#[test]
fn extension_counts_only_pauses_before_it_was_notified() {
    // Due 1 July 2026. Notified on 3 July: too late, even though a pause
    // afterwards would push the unextended date past it.
    let events = [
        ClockEvent::Extended(d("2026-07-03")),
        ClockEvent::ClarificationRequested(d("2026-07-04")),
        ClockEvent::ClarificationReceived(d("2026-07-20")),
    ];
    assert!(matches!(
        run(Regime::UkGdpr, "2026-06-01", &events, "2026-07-21"),
        Err(DeadlineError::LateExtension { .. })
    ));
}

#[test]
fn extension_with_pause_adds_the_paused_days() {
    let events = [
        ClockEvent::ClarificationRequested(d("2026-06-05")),
        ClockEvent::ClarificationReceived(d("2026-06-15")),
        ClockEvent::Extended(d("2026-06-20")),
    ];
    let dl = run(Regime::UkGdpr, "2026-06-01", &events, "2026-06-20").unwrap();
    // 1 September + 10 days = 11 September 2026 (Friday).
    assert_eq!(dl.due, Some(d("2026-09-11")));
}

#[test]
fn ccpa_is_45_calendar_days_and_90_when_extended() {
    let dl = run(Regime::Ccpa, "2026-11-02", &[], "2026-11-02").unwrap();
    assert_eq!(dl.due, Some(d("2026-12-17")));
    let events = [ClockEvent::Extended(d("2026-12-01"))];
    let dl = run(Regime::Ccpa, "2026-11-02", &events, "2026-12-01").unwrap();
    // 31 January 2027 is a Sunday.
    assert_eq!(dl.due, Some(d("2027-02-01")));
    assert_eq!(dl.original_due, Some(d("2026-12-17")));
}

#[test]
fn ccpa_deadline_on_a_state_holiday_moves_to_the_next_business_day() {
    // 12 October 2026 + 45 = 26 November 2026, Thanksgiving; the 27th is also a holiday.
    assert_eq!(due(Regime::Ccpa, "2026-10-12"), d("2026-11-30"));
}

#[test]
fn ccpa_acknowledgement_within_ten_business_days() {
    let dl = run(Regime::Ccpa, "2026-11-16", &[], "2026-11-16").unwrap();
    // Thanksgiving and the day after do not count.
    assert_eq!(dl.acknowledge_by, Some(d("2026-12-02")));
    assert_eq!(dl.opt_out_due, None);
    let gdpr = run(Regime::UkGdpr, "2026-11-16", &[], "2026-11-16").unwrap();
    assert_eq!(gdpr.acknowledge_by, None);
}

#[test]
fn ccpa_opt_out_within_fifteen_business_days() {
    let cals = calendars();
    let dl = compute(
        DeadlineInput {
            regime: Regime::Ccpa,
            received: d("2026-11-16"),
            events: &[],
            opt_out: true,
        },
        cals.for_regime(Regime::Ccpa),
        d("2026-11-16"),
    )
    .unwrap();
    assert_eq!(dl.opt_out_due, Some(d("2026-12-09")));
}

#[test]
fn ccpa_verification_does_not_stop_the_clock() {
    let events = [
        ClockEvent::IdentityRequested(d("2026-11-03")),
        ClockEvent::ClarificationRequested(d("2026-11-04")),
    ];
    let dl = run(Regime::Ccpa, "2026-11-02", &events, "2026-11-20").unwrap();
    assert_eq!(dl.due, Some(d("2026-12-17")));
    assert!(dl.clock_running());
    assert!(dl
        .derivation
        .iter()
        .any(|l| l.contains("does not stop or move the clock")));
}

#[test]
fn late_ccpa_extension_is_refused() {
    let events = [ClockEvent::Extended(d("2026-12-18"))];
    assert!(matches!(
        run(Regime::Ccpa, "2026-11-02", &events, "2026-12-18"),
        Err(DeadlineError::LateExtension { .. })
    ));
}

#[test]
fn days_left_goes_negative_when_overdue() {
    let dl = run(Regime::UkGdpr, "2024-09-03", &[], "2024-09-03").unwrap();
    assert_eq!(dl.days_left(d("2024-09-03")), Some(30));
    assert_eq!(dl.days_left(d("2024-10-03")), Some(0));
    assert_eq!(dl.days_left(d("2024-10-10")), Some(-7));
}

#[test]
fn inconsistent_events_are_errors_not_guesses() {
    let before = [ClockEvent::IdentityRequested(d("2026-02-27"))];
    assert!(matches!(
        run(Regime::UkGdpr, "2026-03-01", &before, "2026-03-05"),
        Err(DeadlineError::BeforeReceipt { .. })
    ));
    let unrequested = [ClockEvent::IdentityReceived(d("2026-03-02"))];
    assert!(matches!(
        run(Regime::UkGdpr, "2026-03-01", &unrequested, "2026-03-05"),
        Err(DeadlineError::NothingRequested { .. })
    ));
    let out_of_order = [
        ClockEvent::IdentityRequested(d("2026-03-04")),
        ClockEvent::IdentityReceived(d("2026-03-03")),
    ];
    assert!(matches!(
        run(Regime::UkGdpr, "2026-03-01", &out_of_order, "2026-03-05"),
        Err(DeadlineError::OutOfOrder { .. })
    ));
    let twice = [
        ClockEvent::Extended(d("2026-03-02")),
        ClockEvent::Extended(d("2026-03-03")),
    ];
    assert_eq!(
        run(Regime::UkGdpr, "2026-03-01", &twice, "2026-03-05"),
        Err(DeadlineError::ExtendedTwice)
    );
    let future = [ClockEvent::Extended(d("2026-03-09"))];
    assert!(matches!(
        run(Regime::UkGdpr, "2026-03-01", &future, "2026-03-05"),
        Err(DeadlineError::InTheFuture { .. })
    ));
    assert!(matches!(
        run(Regime::UkGdpr, "2026-03-06", &[], "2026-03-05"),
        Err(DeadlineError::ReceivedInTheFuture { .. })
    ));
    let waiting = [
        ClockEvent::IdentityRequested(d("2026-03-02")),
        ClockEvent::Extended(d("2026-03-03")),
    ];
    assert!(matches!(
        run(Regime::UkGdpr, "2026-03-01", &waiting, "2026-03-05"),
        Err(DeadlineError::ExtensionBeforeStart { .. })
    ));
}

#[test]
fn beyond_the_calendar_the_derivation_warns() {
    let dl = run(Regime::UkGdpr, "2031-03-03", &[], "2031-03-03").unwrap();
    assert!(dl.derivation.iter().any(|l| l.starts_with("Warning:")));
    let dl = run(Regime::UkGdpr, "2026-03-03", &[], "2026-03-03").unwrap();
    assert!(!dl.derivation.iter().any(|l| l.starts_with("Warning:")));
}

#[test]
fn derivation_explains_every_step() {
    let dl = run(Regime::UkGdpr, "2026-03-31", &[], "2026-03-31").unwrap();
    let text = dl.derivation.join("\n");
    assert!(text.contains("Received on Tuesday 31 March 2026 under uk-gdpr."));
    assert!(text.contains(
        "April 2026 has no day 31, so the last day of that month, Thursday 30 April 2026."
    ));
    assert!(text.ends_with("Due: Thursday 30 April 2026."));
}

// ---- properties ----

fn date_in_calendar_years() -> impl Strategy<Value = NaiveDate> {
    // 2025-01-01 .. 2030-08-31, so every deadline stays inside the shipped data.
    (0u64..2068).prop_map(|n| d("2025-01-01") + chrono::Days::new(n))
}

fn regime() -> impl Strategy<Value = Regime> {
    prop_oneof![
        Just(Regime::UkGdpr),
        Just(Regime::EuGdpr),
        Just(Regime::Ccpa)
    ]
}

proptest! {
    #[test]
    fn due_is_always_a_working_day(regime in regime(), received in date_in_calendar_years(), extended in any::<bool>()) {
        let cals = calendars();
        let cal = cals.for_regime(regime);
        let events = if extended { vec![ClockEvent::Extended(received)] } else { vec![] };
        let dl = compute(DeadlineInput { regime, received, events: &events, opt_out: true }, cal, received).unwrap();
        let due = dl.due.unwrap();
        prop_assert!(cal.is_working_day(due), "{} is not a working day", due);
        if let Some(ack) = dl.acknowledge_by { prop_assert!(cal.is_working_day(ack)); }
        if let Some(o) = dl.opt_out_due { prop_assert!(cal.is_working_day(o)); }
    }

    #[test]
    fn due_is_never_earlier_than_the_raw_date(regime in regime(), received in date_in_calendar_years()) {
        let dl = due(regime, &received.to_string());
        let raw = if regime.is_gdpr() {
            received.checked_add_months(chrono::Months::new(1)).unwrap()
        } else {
            received + chrono::Days::new(45)
        };
        prop_assert!(dl >= raw);
        // and rolling never takes more than a long holiday weekend
        prop_assert!((dl - raw).num_days() <= 5);
    }

    #[test]
    fn due_is_monotone_in_the_received_date(regime in regime(), a in date_in_calendar_years(), b in date_in_calendar_years()) {
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(due(regime, &early.to_string()) <= due(regime, &late.to_string()));
    }

    #[test]
    fn gdpr_due_is_one_month_give_or_take(received in date_in_calendar_years()) {
        let days = (due(Regime::UkGdpr, &received.to_string()) - received).num_days();
        prop_assert!((28..=36).contains(&days), "{} days", days);
    }

    #[test]
    fn extension_never_shortens_the_deadline(regime in regime(), received in date_in_calendar_years(), after in 0u64..20) {
        let cals = calendars();
        let cal = cals.for_regime(regime);
        let on = received + chrono::Days::new(after);
        let plain = compute(DeadlineInput { regime, received, events: &[], opt_out: false }, cal, on).unwrap();
        let events = [ClockEvent::Extended(on)];
        let ext = compute(DeadlineInput { regime, received, events: &events, opt_out: false }, cal, on).unwrap();
        prop_assert!(ext.due.unwrap() > plain.due.unwrap());
        prop_assert_eq!(ext.original_due, plain.due);
    }

    #[test]
    fn pauses_never_bring_the_deadline_forward(received in date_in_calendar_years(), from in 0u64..25, len in 0u64..30) {
        let cals = calendars();
        let cal = cals.for_regime(Regime::UkGdpr);
        let since = received + chrono::Days::new(from);
        let until = since + chrono::Days::new(len);
        let events = [ClockEvent::ClarificationRequested(since), ClockEvent::ClarificationReceived(until)];
        let plain = compute(DeadlineInput { regime: Regime::UkGdpr, received, events: &[], opt_out: false }, cal, until).unwrap();
        let paused = compute(DeadlineInput { regime: Regime::UkGdpr, received, events: &events, opt_out: false }, cal, until).unwrap();
        prop_assert_eq!(paused.paused_days, len);
        prop_assert!(paused.due.unwrap() >= plain.due.unwrap());
        prop_assert!((paused.due.unwrap() - plain.due.unwrap()).num_days() <= len as i64 + 5);
    }

    #[test]
    fn ccpa_acknowledgement_is_exactly_ten_business_days_on(received in date_in_calendar_years()) {
        let cals = calendars();
        let cal = cals.for_regime(Regime::Ccpa);
        let dl = compute(DeadlineInput { regime: Regime::Ccpa, received, events: &[], opt_out: false }, cal, received).unwrap();
        let ack = dl.acknowledge_by.unwrap();
        let business_days = (1..=(ack - received).num_days())
            .map(|n| received + chrono::Days::new(n as u64))
            .filter(|day| cal.is_working_day(*day))
            .count();
        prop_assert_eq!(business_days, 10);
    }
}
