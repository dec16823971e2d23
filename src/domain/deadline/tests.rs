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
            rights: &[Right::Access],
            events,
            fast_track: false,
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
    assert_eq!(due(Regime::UK_GDPR, "2024-09-03"), d("2024-10-03"));
}

#[test]
fn ico_example_received_31_march_due_30_april() {
    assert_eq!(due(Regime::UK_GDPR, "2025-03-31"), d("2025-04-30"));
    assert_eq!(due(Regime::UK_GDPR, "2026-03-31"), d("2026-04-30"));
}

#[test]
fn due_date_on_a_weekend_moves_to_monday() {
    // 3 October 2026 is a Saturday.
    let dl = run(Regime::UK_GDPR, "2026-09-03", &[], "2026-09-03").unwrap();
    assert_eq!(dl.due, Some(d("2026-10-05")));
    assert!(dl
        .derivation
        .iter()
        .any(|l| l.contains("3 October 2026 is a Saturday; 4 October 2026 is a Sunday: the next working day is Monday 5 October 2026.")));
}

#[test]
fn shorter_month_takes_its_last_day_then_rolls() {
    // 28 February 2026 is a Saturday.
    assert_eq!(due(Regime::UK_GDPR, "2026-01-31"), d("2026-03-02"));
    assert_eq!(due(Regime::UK_GDPR, "2026-01-29"), d("2026-03-02"));
    // 2028 is a leap year: 29 February 2028 is a Tuesday.
    assert_eq!(due(Regime::UK_GDPR, "2028-01-31"), d("2028-02-29"));
    assert_eq!(due(Regime::UK_GDPR, "2028-01-30"), d("2028-02-29"));
    // 31 May -> 30 June 2026 (Tuesday).
    assert_eq!(due(Regime::EU_GDPR, "2026-05-31"), d("2026-06-30"));
}

#[test]
fn clock_starts_on_the_day_of_receipt_even_at_a_weekend() {
    // Received Saturday 7 November 2026: due Monday 7 December.
    assert_eq!(due(Regime::UK_GDPR, "2026-11-07"), d("2026-12-07"));
}

#[test]
fn each_regime_rolls_past_its_own_calendar() {
    // 31 August 2026 is the summer bank holiday in England and Wales, not
    // in Ireland (the EU default: its August holiday is the first Monday).
    assert_eq!(due(Regime::UK_GDPR, "2026-07-31"), d("2026-09-01"));
    assert_eq!(due(Regime::EU_GDPR, "2026-07-31"), d("2026-08-31"));
    // Christmas Day (Friday), a weekend, then the Boxing Day substitute in
    // England; in Ireland St Stephen's Day falls on the Saturday and gives
    // no substitute, so Monday 28th.
    assert_eq!(due(Regime::UK_GDPR, "2026-11-25"), d("2026-12-29"));
    assert_eq!(due(Regime::EU_GDPR, "2026-11-25"), d("2026-12-28"));
    // St Patrick's Day 2027 (Wednesday) in Ireland; a working day in England.
    assert_eq!(due(Regime::EU_GDPR, "2027-02-17"), d("2027-03-18"));
    assert_eq!(due(Regime::UK_GDPR, "2027-02-17"), d("2027-03-17"));
    // Good Friday and Easter Monday 2026.
    assert_eq!(due(Regime::UK_GDPR, "2026-03-03"), d("2026-04-07"));
}

#[test]
fn identity_request_moves_the_start_to_when_proof_arrives() {
    let events = [
        ClockEvent::IdentityRequested(d("2026-03-02")),
        ClockEvent::IdentityReceived(d("2026-03-10")),
    ];
    let dl = run(Regime::UK_GDPR, "2026-03-01", &events, "2026-03-12").unwrap();
    assert_eq!(dl.clock_start, Some(d("2026-03-10")));
    assert_eq!(dl.due, Some(d("2026-04-10")));
}

#[test]
fn while_identity_is_awaited_there_is_no_due_date() {
    let events = [ClockEvent::IdentityRequested(d("2026-03-02"))];
    let dl = run(Regime::UK_GDPR, "2026-03-01", &events, "2026-03-20").unwrap();
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
    let dl = run(Regime::UK_GDPR, "2026-03-01", &events, "2026-03-09").unwrap();
    assert_eq!(dl.clock_start, Some(d("2026-03-09")));
    assert_eq!(dl.due, Some(d("2026-04-09")));
    let waiting = run(Regime::UK_GDPR, "2026-03-01", &events[..3], "2026-03-05").unwrap();
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
    let dl = run(Regime::UK_GDPR, "2026-06-01", &events, "2026-06-20").unwrap();
    assert_eq!(dl.paused_days, 10);
    assert_eq!(dl.due, Some(d("2026-07-13")));
    assert!(dl.clock_running());
}

#[test]
fn an_open_clarification_keeps_the_clock_stopped_up_to_today() {
    let events = [ClockEvent::ClarificationRequested(d("2026-06-05"))];
    let dl = run(Regime::UK_GDPR, "2026-06-01", &events, "2026-06-08").unwrap();
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
    let dl = run(Regime::UK_GDPR, "2026-09-03", &events, "2026-09-10").unwrap();
    assert_eq!(dl.original_due, Some(d("2026-10-05")));
    assert_eq!(dl.due, Some(d("2026-12-03")));
    assert!(dl.extended);
    // 30 November + 3 months = 28 February 2027, a Sunday.
    let events = [ClockEvent::Extended(d("2026-12-01"))];
    let dl = run(Regime::UK_GDPR, "2026-11-30", &events, "2026-12-01").unwrap();
    assert_eq!(dl.due, Some(d("2027-03-01")));
}

#[test]
fn extension_on_the_due_date_is_allowed_and_after_it_refused() {
    let on_time = [ClockEvent::Extended(d("2026-10-05"))];
    assert!(run(Regime::UK_GDPR, "2026-09-03", &on_time, "2026-10-05").is_ok());
    let late = [ClockEvent::Extended(d("2026-10-06"))];
    assert_eq!(
        run(Regime::UK_GDPR, "2026-09-03", &late, "2026-10-06"),
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
        run(Regime::UK_GDPR, "2026-06-01", &events, "2026-07-21"),
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
    let dl = run(Regime::UK_GDPR, "2026-06-01", &events, "2026-06-20").unwrap();
    // 1 September + 10 days = 11 September 2026 (Friday).
    assert_eq!(dl.due, Some(d("2026-09-11")));
}

#[test]
fn ccpa_is_45_calendar_days_and_90_when_extended() {
    let dl = run(Regime::CCPA, "2026-11-02", &[], "2026-11-02").unwrap();
    assert_eq!(dl.due, Some(d("2026-12-17")));
    let events = [ClockEvent::Extended(d("2026-12-01"))];
    let dl = run(Regime::CCPA, "2026-11-02", &events, "2026-12-01").unwrap();
    // 31 January 2027 is a Sunday.
    assert_eq!(dl.due, Some(d("2027-02-01")));
    assert_eq!(dl.original_due, Some(d("2026-12-17")));
}

#[test]
fn ccpa_deadline_on_a_state_holiday_moves_to_the_next_business_day() {
    // 12 October 2026 + 45 = 26 November 2026, Thanksgiving. The day after
    // is not a Government Code § 6700 holiday: the earlier deadline.
    assert_eq!(due(Regime::CCPA, "2026-10-12"), d("2026-11-27"));
    // 29 December 2025 + 45 = 12 February 2026, Lincoln Day (§ 6700).
    assert_eq!(due(Regime::CCPA, "2025-12-29"), d("2026-02-13"));
    // 27 September 2028 + 45 = Saturday 11 November 2028 (Veterans Day,
    // observed Friday 10th), then the weekend: Monday 13th.
    assert_eq!(due(Regime::CCPA, "2028-09-27"), d("2028-11-13"));
}

#[test]
fn ccpa_acknowledgement_within_ten_business_days() {
    let dl = run(Regime::CCPA, "2026-11-16", &[], "2026-11-16").unwrap();
    // Thanksgiving does not count; the day after does (not a § 6700 holiday).
    assert_eq!(dl.acknowledge_by, Some(d("2026-12-01")));
    assert_eq!(dl.opt_out_due, None);
    let gdpr = run(Regime::UK_GDPR, "2026-11-16", &[], "2026-11-16").unwrap();
    assert_eq!(gdpr.acknowledge_by, None);
}

#[test]
fn ccpa_opt_out_within_fifteen_business_days() {
    let cals = calendars();
    let dl = compute(
        DeadlineInput {
            regime: Regime::CCPA,
            received: d("2026-11-16"),
            events: &[],
            rights: &[Right::Access, Right::OptOut],
            fast_track: true,
        },
        cals.for_regime(Regime::CCPA),
        d("2026-11-16"),
    )
    .unwrap();
    assert_eq!(dl.opt_out_due, Some(d("2026-12-08")));
    assert!(
        dl.acknowledge_by.is_some(),
        "the request to know is acknowledged"
    );
    // It comes first, whatever else the request holds.
    assert_eq!(dl.next_due(), Some(d("2026-12-08")));
    assert_eq!(dl.due, Some(d("2026-12-31")));
    // Once acted on, the request is due on its 45-day date again.
    let answered = compute(
        DeadlineInput {
            regime: Regime::CCPA,
            received: d("2026-11-16"),
            events: &[],
            rights: &[Right::Access, Right::OptOut],
            fast_track: false,
        },
        cals.for_regime(Regime::CCPA),
        d("2026-11-16"),
    )
    .unwrap();
    assert_eq!(answered.next_due(), Some(d("2026-12-31")));
}

#[test]
fn an_opt_out_alone_needs_no_acknowledgement() {
    let cals = calendars();
    let dl = compute(
        DeadlineInput {
            regime: Regime::CCPA,
            received: d("2026-11-16"),
            events: &[],
            rights: &[Right::OptOut],
            fast_track: true,
        },
        cals.for_regime(Regime::CCPA),
        d("2026-11-16"),
    )
    .unwrap();
    assert_eq!(dl.acknowledge_by, None);
    assert_eq!(dl.opt_out_due, Some(d("2026-12-08")));
}

#[test]
fn an_opt_out_is_not_held_back_by_identity_pending_for_another_right() {
    let cals = calendars();
    let dl = compute(
        DeadlineInput {
            regime: Regime::CCPA,
            received: d("2026-11-16"),
            events: &[ClockEvent::IdentityRequested(d("2026-11-17"))],
            rights: &[Right::Access, Right::OptOut],
            fast_track: true,
        },
        cals.for_regime(Regime::CCPA),
        d("2026-11-20"),
    )
    .unwrap();
    assert_eq!(dl.opt_out_due, Some(d("2026-12-08")));
    assert_eq!(dl.due, Some(d("2026-12-31")), "the 45 days run on");
    // No fast track under the GDPR regimes, whatever is asked.
    let uk = compute(
        DeadlineInput {
            regime: Regime::UK_GDPR,
            received: d("2026-11-16"),
            events: &[],
            rights: &[Right::Objection],
            fast_track: true,
        },
        cals.for_regime(Regime::UK_GDPR),
        d("2026-11-16"),
    )
    .unwrap();
    assert_eq!(uk.opt_out_due, None);
}

fn run_rights(
    regime: Regime,
    rights: &[Right],
    events: &[ClockEvent],
    today: &str,
) -> Result<Deadline, DeadlineError> {
    let cals = calendars();
    compute(
        DeadlineInput {
            regime,
            received: d("2026-01-05"),
            rights,
            events,
            fast_track: false,
        },
        cals.for_regime(regime),
        d(today),
    )
}

#[test]
fn eu_gdpr_has_no_stop_the_clock() {
    let events = [
        ClockEvent::ClarificationRequested(d("2026-01-10")),
        ClockEvent::ClarificationReceived(d("2026-01-30")),
    ];
    let dl = run_rights(Regime::EU_GDPR, &[Right::Access], &events, "2026-02-01").unwrap();
    assert_eq!(dl.due, Some(d("2026-02-05")));
    assert_eq!(dl.paused_days, 0);
    assert!(!dl.clarification_pauses);
    assert!(dl
        .derivation
        .iter()
        .any(|l| l.contains("the clock keeps running")));
    // A question still open: the clock runs.
    let open = [ClockEvent::ClarificationRequested(d("2026-01-10"))];
    let dl = run_rights(Regime::EU_GDPR, &[Right::Access], &open, "2026-01-20").unwrap();
    assert_eq!(dl.clock, ClockState::Running);
    // And asking for identity does not restart the EU month either.
    let id = [
        ClockEvent::IdentityRequested(d("2026-01-06")),
        ClockEvent::IdentityReceived(d("2026-01-20")),
    ];
    let dl = run_rights(Regime::EU_GDPR, &[Right::Access], &id, "2026-01-21").unwrap();
    assert_eq!(dl.due, Some(d("2026-02-05")));
    assert_eq!(dl.clock_start, Some(d("2026-01-05")));
}

#[test]
fn uk_clarification_pauses_subject_access_only() {
    let events = [
        ClockEvent::ClarificationRequested(d("2026-01-10")),
        ClockEvent::ClarificationReceived(d("2026-01-20")),
    ];
    let access = run_rights(Regime::UK_GDPR, &[Right::Access], &events, "2026-01-21").unwrap();
    assert_eq!(
        access.due,
        Some(d("2026-02-16")),
        "5 Feb + 10 days = 15 Feb, a Sunday"
    );
    let erasure = run_rights(Regime::UK_GDPR, &[Right::Erasure], &events, "2026-01-21").unwrap();
    assert_eq!(erasure.due, Some(d("2026-02-05")));
    assert!(erasure
        .derivation
        .iter()
        .any(|l| l.contains("other rights are not paused")));
    // Access with erasure: the erasure's clock runs, so the earlier date applies.
    let both = run_rights(
        Regime::UK_GDPR,
        &[Right::Access, Right::Erasure],
        &events,
        "2026-01-21",
    )
    .unwrap();
    assert_eq!(both.due, Some(d("2026-02-05")));
    // Portability is not subject access (Art. 12A pauses Art. 15 requests).
    let portability = run_rights(
        Regime::UK_GDPR,
        &[Right::Portability],
        &events,
        "2026-01-21",
    )
    .unwrap();
    assert_eq!(portability.due, Some(d("2026-02-05")));
}

#[test]
fn questions_that_do_not_pause_are_still_checked_for_order() {
    let answered_twice = [
        ClockEvent::ClarificationRequested(d("2026-01-10")),
        ClockEvent::ClarificationReceived(d("2026-01-12")),
        ClockEvent::ClarificationReceived(d("2026-01-13")),
    ];
    assert!(matches!(
        run_rights(
            Regime::EU_GDPR,
            &[Right::Access],
            &answered_twice,
            "2026-01-20"
        ),
        Err(DeadlineError::NothingRequested { .. })
    ));
    let asked_twice = [
        ClockEvent::IdentityRequested(d("2026-01-10")),
        ClockEvent::IdentityRequested(d("2026-01-12")),
    ];
    assert!(matches!(
        run_rights(Regime::CCPA, &[Right::Access], &asked_twice, "2026-01-20"),
        Err(DeadlineError::AlreadyRequested { .. })
    ));
}

#[test]
fn a_late_identity_or_fee_request_is_refused_where_it_would_restart_the_clock() {
    let dl = run_rights(Regime::UK_GDPR, &[Right::Access], &[], "2026-02-10").unwrap();
    assert_eq!(dl.due, Some(d("2026-02-05")));
    let late = check_late_request(&dl, Awaited::Identity, d("2026-02-06")).unwrap_err();
    assert!(late.to_string().contains("already late"), "{late}");
    assert!(check_late_request(&dl, Awaited::Fee, d("2026-02-06")).is_err());
    // On the due date itself it is still in time.
    assert!(check_late_request(&dl, Awaited::Identity, d("2026-02-05")).is_ok());
    // Where asking moves nothing, asking late hides nothing.
    let eu = run_rights(Regime::EU_GDPR, &[Right::Access], &[], "2026-02-10").unwrap();
    assert!(check_late_request(&eu, Awaited::Identity, d("2026-02-09")).is_ok());
    let ccpa = run_rights(Regime::CCPA, &[Right::Access], &[], "2026-03-01").unwrap();
    assert!(check_late_request(&ccpa, Awaited::Identity, d("2026-02-28")).is_ok());
}

#[test]
fn ccpa_verification_does_not_stop_the_clock() {
    let events = [
        ClockEvent::IdentityRequested(d("2026-11-03")),
        ClockEvent::ClarificationRequested(d("2026-11-04")),
    ];
    let dl = run(Regime::CCPA, "2026-11-02", &events, "2026-11-20").unwrap();
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
        run(Regime::CCPA, "2026-11-02", &events, "2026-12-18"),
        Err(DeadlineError::LateExtension { .. })
    ));
}

#[test]
fn days_left_goes_negative_when_overdue() {
    let dl = run(Regime::UK_GDPR, "2024-09-03", &[], "2024-09-03").unwrap();
    assert_eq!(dl.days_left(d("2024-09-03")), Some(30));
    assert_eq!(dl.days_left(d("2024-10-03")), Some(0));
    assert_eq!(dl.days_left(d("2024-10-10")), Some(-7));
}

#[test]
fn inconsistent_events_are_errors_not_guesses() {
    let before = [ClockEvent::IdentityRequested(d("2026-02-27"))];
    assert!(matches!(
        run(Regime::UK_GDPR, "2026-03-01", &before, "2026-03-05"),
        Err(DeadlineError::BeforeReceipt { .. })
    ));
    let unrequested = [ClockEvent::IdentityReceived(d("2026-03-02"))];
    assert!(matches!(
        run(Regime::UK_GDPR, "2026-03-01", &unrequested, "2026-03-05"),
        Err(DeadlineError::NothingRequested { .. })
    ));
    let out_of_order = [
        ClockEvent::IdentityRequested(d("2026-03-04")),
        ClockEvent::IdentityReceived(d("2026-03-03")),
    ];
    assert!(matches!(
        run(Regime::UK_GDPR, "2026-03-01", &out_of_order, "2026-03-05"),
        Err(DeadlineError::OutOfOrder { .. })
    ));
    let twice = [
        ClockEvent::Extended(d("2026-03-02")),
        ClockEvent::Extended(d("2026-03-03")),
    ];
    assert_eq!(
        run(Regime::UK_GDPR, "2026-03-01", &twice, "2026-03-05"),
        Err(DeadlineError::ExtendedTwice)
    );
    let future = [ClockEvent::Extended(d("2026-03-09"))];
    assert!(matches!(
        run(Regime::UK_GDPR, "2026-03-01", &future, "2026-03-05"),
        Err(DeadlineError::InTheFuture { .. })
    ));
    assert!(matches!(
        run(Regime::UK_GDPR, "2026-03-06", &[], "2026-03-05"),
        Err(DeadlineError::ReceivedInTheFuture { .. })
    ));
    let waiting = [
        ClockEvent::IdentityRequested(d("2026-03-02")),
        ClockEvent::Extended(d("2026-03-03")),
    ];
    assert!(matches!(
        run(Regime::UK_GDPR, "2026-03-01", &waiting, "2026-03-05"),
        Err(DeadlineError::ExtensionBeforeStart { .. })
    ));
}

#[test]
fn beyond_the_calendar_the_derivation_warns() {
    let dl = run(Regime::UK_GDPR, "2036-03-03", &[], "2036-03-03").unwrap();
    assert!(dl.derivation.iter().any(|l| l.starts_with("Warning:")));
    let dl = run(Regime::UK_GDPR, "2026-03-03", &[], "2026-03-03").unwrap();
    assert!(!dl.derivation.iter().any(|l| l.starts_with("Warning:")));
}

#[test]
fn derivation_explains_every_step() {
    let dl = run(Regime::UK_GDPR, "2026-03-31", &[], "2026-03-31").unwrap();
    let text = dl.derivation.join("\n");
    assert!(text.contains("Received on Tuesday 31 March 2026 under UK GDPR."));
    assert!(text.contains(
        "April 2026 has no day 31, so the last day of that month, Thursday 30 April 2026."
    ));
    assert!(text.ends_with("Due: Thursday 30 April 2026."));
}

// ---- properties ----

fn date_in_calendar_years() -> impl Strategy<Value = NaiveDate> {
    // 2025-01-01 .. 2035-08-31, so every deadline stays inside the shipped data.
    (0u64..3894).prop_map(|n| d("2025-01-01") + chrono::Days::new(n))
}

fn regime() -> impl Strategy<Value = Regime> {
    prop_oneof![
        Just(Regime::UK_GDPR),
        Just(Regime::EU_GDPR),
        Just(Regime::CCPA)
    ]
}

proptest! {
    #[test]
    fn due_is_always_a_working_day(regime in regime(), received in date_in_calendar_years(), extended in any::<bool>()) {
        let cals = calendars();
        let cal = cals.for_regime(regime);
        let events = if extended { vec![ClockEvent::Extended(received)] } else { vec![] };
        let dl = compute(DeadlineInput { regime, received, events: &events, rights: &[Right::Access], fast_track: true }, cal, received).unwrap();
        let due = dl.due.unwrap();
        prop_assert!(cal.is_working_day(due), "{} is not a working day", due);
        if let Some(ack) = dl.acknowledge_by { prop_assert!(cal.is_working_day(ack)); }
        if let Some(o) = dl.opt_out_due { prop_assert!(cal.is_working_day(o)); }
    }

    #[test]
    fn due_is_never_earlier_than_the_raw_date(regime in regime(), received in date_in_calendar_years()) {
        let dl = due(regime, &received.to_string());
        let raw = match regime.rules().clock.period {
            Period::Months(n) => received.checked_add_months(chrono::Months::new(n)).unwrap(),
            Period::Days(n) => received + chrono::Days::new(n.into()),
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
        let days = (due(Regime::UK_GDPR, &received.to_string()) - received).num_days();
        prop_assert!((28..=36).contains(&days), "{} days", days);
    }

    #[test]
    fn extension_never_shortens_the_deadline(regime in regime(), received in date_in_calendar_years(), after in 0u64..20) {
        let cals = calendars();
        let cal = cals.for_regime(regime);
        let on = received + chrono::Days::new(after);
        let plain = compute(DeadlineInput { regime, received, events: &[], rights: &[Right::Access], fast_track: false }, cal, on).unwrap();
        let events = [ClockEvent::Extended(on)];
        let ext = compute(DeadlineInput { regime, received, events: &events, rights: &[Right::Access], fast_track: false }, cal, on).unwrap();
        prop_assert!(ext.due.unwrap() > plain.due.unwrap());
        prop_assert_eq!(ext.original_due, plain.due);
    }

    #[test]
    fn pauses_never_bring_the_deadline_forward(received in date_in_calendar_years(), from in 0u64..25, len in 0u64..30) {
        let cals = calendars();
        let cal = cals.for_regime(Regime::UK_GDPR);
        let since = received + chrono::Days::new(from);
        let until = since + chrono::Days::new(len);
        let events = [ClockEvent::ClarificationRequested(since), ClockEvent::ClarificationReceived(until)];
        let plain = compute(DeadlineInput { regime: Regime::UK_GDPR, received, events: &[], rights: &[Right::Access], fast_track: false }, cal, until).unwrap();
        let paused = compute(DeadlineInput { regime: Regime::UK_GDPR, received, events: &events, rights: &[Right::Access], fast_track: false }, cal, until).unwrap();
        prop_assert_eq!(paused.paused_days, len);
        prop_assert!(paused.due.unwrap() >= plain.due.unwrap());
        prop_assert!((paused.due.unwrap() - plain.due.unwrap()).num_days() <= len as i64 + 5);
    }

    #[test]
    fn ccpa_acknowledgement_is_exactly_ten_business_days_on(received in date_in_calendar_years()) {
        let cals = calendars();
        let cal = cals.for_regime(Regime::CCPA);
        let dl = compute(DeadlineInput { regime: Regime::CCPA, received, events: &[], rights: &[Right::Access], fast_track: false }, cal, received).unwrap();
        let ack = dl.acknowledge_by.unwrap();
        let business_days = (1..=(ack - received).num_days())
            .map(|n| received + chrono::Days::new(n as u64))
            .filter(|day| cal.is_working_day(*day))
            .count();
        prop_assert_eq!(business_days, 10);
    }

    #[test]
    fn only_the_laws_and_rights_that_pause_are_paused(
        regime in regime(),
        right in prop::sample::select(Right::ALL.to_vec()),
        received in date_in_calendar_years(),
        from in 0u64..20,
        len in 1u64..30,
    ) {
        let cal = calendars();
        let cal = cal.for_regime(regime);
        let asked = received + chrono::Days::new(from);
        let answered = asked + chrono::Days::new(len);
        let events = [ClockEvent::ClarificationRequested(asked), ClockEvent::ClarificationReceived(answered)];
        let rights = [right];
        let input = |events| DeadlineInput { regime, received, rights: &rights, events, fast_track: false };
        let plain = compute(input(&[]), cal, answered).unwrap();
        let asked_dl = compute(input(&events), cal, answered).unwrap();
        if regime.clarification_pauses(&[right]) {
            prop_assert!(asked_dl.due >= plain.due);
            prop_assert_eq!(asked_dl.paused_days, len);
        } else {
            prop_assert_eq!(asked_dl.due, plain.due);
            prop_assert_eq!(asked_dl.paused_days, 0);
        }
    }

    #[test]
    fn identity_moves_only_the_clocks_that_restart(
        regime in regime(),
        received in date_in_calendar_years(),
        asked_after in 0u64..10,
        took in 0u64..20,
    ) {
        let cal = calendars();
        let cal = cal.for_regime(regime);
        let asked = received + chrono::Days::new(asked_after);
        let arrived = asked + chrono::Days::new(took);
        let events = [ClockEvent::IdentityRequested(asked), ClockEvent::IdentityReceived(arrived)];
        let input = |events| DeadlineInput { regime, received, rights: &[Right::Access], events, fast_track: false };
        let plain = compute(input(&[]), cal, arrived).unwrap();
        let with_id = compute(input(&events), cal, arrived).unwrap();
        if regime.restarts_on(Awaited::Identity) {
            prop_assert_eq!(with_id.clock_start, Some(arrived));
            prop_assert!(with_id.due >= plain.due);
        } else {
            prop_assert_eq!(with_id.due, plain.due);
            prop_assert_eq!(with_id.clock_start, Some(received));
        }
    }
}
