use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn calendar(key: &str) -> HolidayCalendar {
    let rules = shipped::ALL.iter().find(|r| r.key == key).unwrap();
    HolidayCalendar::from_rules(rules)
}

fn holidays_in(cal: &HolidayCalendar, year: i32) -> Vec<String> {
    cal.holidays()
        .filter(|(date, _)| date.year() == year)
        .map(|(date, _)| date.to_string())
        .collect()
}

#[test]
fn every_regime_has_a_calendar_covering_2025_to_2035() {
    let cals = Calendars::shipped();
    for regime in Regime::ALL {
        let cal = cals.for_regime(regime);
        assert!(cal.covers(d("2025-01-01")) && cal.covers(d("2035-12-31")));
        assert!(cal.holidays().count() > 50, "{regime}");
    }
}

#[test]
fn england_and_wales_substitute_days() {
    let uk = calendar("england-wales");
    // As gov.uk publishes them.
    assert_eq!(
        holidays_in(&uk, 2026),
        [
            "2026-01-01",
            "2026-04-03",
            "2026-04-06",
            "2026-05-04",
            "2026-05-25",
            "2026-08-31",
            "2026-12-25",
            "2026-12-28"
        ]
    );
    // Christmas on a Saturday, Boxing Day on a Sunday: Monday and Tuesday.
    assert_eq!(
        holidays_in(&uk, 2027),
        [
            "2027-01-01",
            "2027-03-26",
            "2027-03-29",
            "2027-05-03",
            "2027-05-31",
            "2027-08-30",
            "2027-12-27",
            "2027-12-28"
        ]
    );
    // New Year's Day on a Saturday: Monday 3 January.
    assert!(uk.holiday(d("2028-01-03")).is_some());
    // Christmas on a Sunday (2033): Boxing Day Monday, Christmas substitute Tuesday.
    assert!(uk.holiday(d("2033-12-26")).is_some());
    assert_eq!(
        uk.holiday(d("2033-12-27")),
        Some("Christmas Day (substitute day)")
    );
    for year in 2025..=2035 {
        assert_eq!(holidays_in(&uk, year).len(), 8, "{year}");
    }
}

#[test]
fn california_follows_government_code_6700_and_6701() {
    let ca = calendar("california");
    for (day, what) in [
        ("2026-02-12", "Lincoln Day"),
        ("2026-06-19", "Juneteenth"),
        (
            "2026-09-25",
            "Native American Day (fourth Friday of September)",
        ),
        ("2026-11-26", "Thanksgiving"),
        ("2026-03-31", "Cesar Chavez Day"),
        (
            "2027-07-05",
            "Independence Day on a Sunday: the Monday after",
        ),
        (
            "2028-11-10",
            "Veterans Day on a Saturday: the Friday before",
        ),
        ("2029-11-12", "Veterans Day on a Sunday: the Monday after"),
        (
            "2030-04-01",
            "Cesar Chavez Day on a Sunday: the Monday after",
        ),
        ("2032-02-12", "Lincoln Day"),
    ] {
        assert!(ca.holiday(d(day)).is_some(), "{day}: {what}");
    }
    for (day, what) in [
        (
            "2026-11-27",
            "the day after Thanksgiving is not a § 6700 holiday",
        ),
        (
            "2026-10-12",
            "Columbus Day: nobody closes, the earlier deadline",
        ),
        ("2026-04-03", "Good Friday is a part-day holiday only"),
        ("2026-09-09", "Admission Day: nobody closes"),
    ] {
        assert!(ca.holiday(d(day)).is_none(), "{day}: {what}");
    }
}

#[test]
fn eu_member_states() {
    let ie = calendar("ie");
    // St Brigid's Day: the first Monday of February, or 1 February if a Friday.
    assert!(ie.holiday(d("2026-02-02")).is_some());
    assert!(
        ie.holiday(d("2030-02-01")).is_some(),
        "1 Feb 2030 is a Friday"
    );
    assert!(ie.holiday(d("2026-04-03")).is_none(), "Good Friday");
    assert!(ie.holiday(d("2026-10-26")).is_some());
    let de = calendar("de");
    assert!(de.holiday(d("2026-04-03")).is_some(), "Karfreitag");
    assert!(de.holiday(d("2026-05-14")).is_some(), "Christi Himmelfahrt");
    // A Saturday in 2026: no substitute day in Germany.
    assert!(de.holiday(d("2026-10-03")).is_some());
    assert!(de.holiday(d("2026-10-05")).is_none());
    let fr = calendar("fr");
    assert!(fr.holiday(d("2026-05-08")).is_some());
    assert!(fr.holiday(d("2026-07-14")).is_some());
    assert!(fr.holiday(d("2026-12-26")).is_none());
    let nl = calendar("nl");
    assert!(
        nl.holiday(d("2025-04-26")).is_some(),
        "27 April 2025 is a Sunday"
    );
    assert!(nl.holiday(d("2026-04-27")).is_some());
    assert!(nl.holiday(d("2026-05-05")).is_some());
}

#[test]
fn the_eu_calendar_is_chosen_by_setting() {
    let mut cals = Calendars::shipped();
    assert_eq!(cals.key_for(Regime::EU_GDPR), "ie");
    cals.choose("calendars.eu_country", "de").unwrap();
    assert_eq!(cals.for_regime(Regime::EU_GDPR).name(), GERMANY_NAME);
    let err = cals
        .choose("calendars.eu_country", "xx")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("calendars.eu_country") && err.contains("ie"),
        "{err}"
    );
}

const GERMANY_NAME: &str = shipped::GERMANY.name;

#[test]
fn rolling_and_counting_working_days() {
    let uk = calendar("england-wales");
    // Friday 25 Dec 2026 is Christmas, then a weekend, then the Boxing Day substitute.
    assert_eq!(uk.roll_forward(d("2026-12-25")), d("2026-12-29"));
    assert_eq!(uk.roll_forward(d("2026-12-29")), d("2026-12-29"));
    // Monday 7 Dec 2026 + 5 working days = Monday 14 Dec.
    assert_eq!(uk.add_working_days(d("2026-12-07"), 5), d("2026-12-14"));
    assert_eq!(uk.add_working_days(d("2026-12-24"), 1), d("2026-12-29"));
}

#[test]
fn a_calendar_file_replaces_or_adds_calendars() {
    let mut cals = Calendars::shipped();
    cals.load_file(
        "[de-by]\nname='Bavaria'\nfirst_year=2026\nlast_year=2026\ndates=[{date='2026-01-06',name='Heilige Drei Könige'}]",
    )
    .unwrap();
    cals.choose("calendars.eu_country", "de-by").unwrap();
    assert!(!cals
        .for_regime(Regime::EU_GDPR)
        .is_working_day(d("2026-01-06")));
}

#[test]
fn bad_calendar_data_is_refused_with_a_reason() {
    let mut cals = Calendars::shipped();
    let err = cals
        .load_file(
            "[ie]\nname='x'\nfirst_year=2025\nlast_year=2025\ndates=[{date='2025-13-01',name='x'}]",
        )
        .unwrap_err();
    assert!(err.to_string().contains("2025-13-01"));
    let err = cals
        .load_file("[ie]\nname='x'\nfirst_year=2026\nlast_year=2025\ndates=[]")
        .unwrap_err();
    assert!(err.to_string().contains("first_year"));
    assert!(cals
        .load_file("[ie]\nname='x'\nfirst_year=1\nlast_year=1\ndates=[]\ncolour=1")
        .is_err());
    assert!(cals.load_file("not toml [").is_err());
}

/// The published holiday lists for 2025-2030 (src/domain/calendar/expected/,
/// gathered independently of these rules, with their sources).
const PUBLISHED: [(&str, &str); 6] = [
    ("england-wales", include_str!("expected/england-wales.txt")),
    ("california", include_str!("expected/california.txt")),
    ("ie", include_str!("expected/ie.txt")),
    ("de", include_str!("expected/de.txt")),
    ("fr", include_str!("expected/fr.txt")),
    ("nl", include_str!("expected/nl.txt")),
];

fn weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Every rule of every shipped calendar against the published lists, for
/// every year both cover: a calendar never treats as a holiday a weekday
/// the sources do not list (that would make a deadline late), and every
/// listed weekday it treats as a working day is one of its recorded
/// exclusions (the earlier deadline where sources disagree).
#[test]
fn shipped_rules_match_the_published_lists() {
    for (key, text) in PUBLISHED {
        let rules = shipped::ALL.iter().find(|r| r.key == key).unwrap();
        let ours = HolidayCalendar::from_rules(rules);
        let published: Vec<(NaiveDate, &str)> = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (date, name) = l.split_once(' ').unwrap();
                (d(date), name)
            })
            .collect();
        for year in 2025..=2030 {
            for (date, name) in ours.holidays().filter(|(d, _)| d.year() == year) {
                if weekday(date) {
                    assert!(
                        published.iter().any(|(p, _)| *p == date),
                        "{key}: {date} ({name}) is not a published holiday"
                    );
                }
            }
        }
        for (date, name) in published.iter().filter(|(p, _)| weekday(*p)) {
            if ours.holiday(*date).is_some() {
                continue;
            }
            let short = name.split(" (").next().unwrap_or(name).to_lowercase();
            assert!(
                rules
                    .excluded
                    .iter()
                    .any(|e| e.name.to_lowercase().contains(&short)),
                "{key}: {date} {name} is published but neither a holiday nor a recorded exclusion"
            );
        }
    }
}

#[test]
fn admins_declare_holidays_and_cancel_them_over_the_shipped_calendar() {
    let shipped = Calendars::shipped();
    let ew = shipped.get("england-wales").unwrap();
    // A one-off bank holiday (as for the state funeral of 19 September 2022).
    let funeral = d("2030-09-19");
    assert_eq!(
        ew.check_change(funeral, Some("  State funeral  ")),
        Ok(Some("State funeral".into()))
    );
    assert_eq!(
        ew.check_change(d("2030-09-21"), Some("A Saturday")),
        Err(ChangeRefused::Weekend(d("2030-09-21"), Weekday::Sat))
    );
    assert_eq!(
        ew.check_change(funeral, None),
        Err(ChangeRefused::NotAHoliday(funeral))
    );
    assert_eq!(
        ew.check_change(funeral, Some("")),
        Err(ChangeRefused::BadName)
    );
    assert_eq!(
        ew.check_change(funeral, Some("Two\nlines")),
        Err(ChangeRefused::BadName)
    );
    let christmas = d("2030-12-25");
    assert!(matches!(
        ew.check_change(christmas, Some("Christmas")),
        Err(ChangeRefused::AlreadyHoliday(..))
    ));
    assert_eq!(ew.check_change(christmas, None), Ok(None));
    // Germany's Second Day of Christmas 2026 is a Saturday: there is no
    // working day to make of it.
    assert!(matches!(
        shipped
            .get("de")
            .unwrap()
            .check_change(d("2026-12-26"), None),
        Err(ChangeRefused::Weekend(..))
    ));

    let changes = [
        DayChange {
            calendar: "england-wales".into(),
            day: funeral,
            holiday: Some("State funeral".into()),
        },
        DayChange {
            calendar: "england-wales".into(),
            day: christmas,
            holiday: None,
        },
        DayChange {
            calendar: "atlantis".into(),
            day: funeral,
            holiday: Some("Ignored".into()),
        },
    ];
    let changed = shipped.with_changes(&changes);
    let ew = changed.for_regime(Regime::UK_GDPR);
    assert!(!ew.is_working_day(funeral));
    assert_eq!(ew.holiday(funeral), Some("State funeral"));
    assert!(ew.is_working_day(christmas));
    // The other calendars, and the shipped ones, are untouched.
    assert!(!shipped
        .for_regime(Regime::UK_GDPR)
        .is_working_day(christmas));
    assert!(changed.for_regime(Regime::CCPA).is_working_day(funeral));
    assert_eq!(changed.keys(), shipped.keys());
}

#[test]
fn the_calendars_in_use_are_those_of_the_regimes_that_apply() {
    let calendars = Calendars::shipped();
    let used = calendars.in_use(&[Regime::UK_GDPR, Regime::CCPA]);
    let keys: Vec<&str> = used.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, ["california", "england-wales"]);
    assert_eq!(used[1].1, [Regime::UK_GDPR]);
}
