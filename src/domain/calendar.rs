//! Holiday calendars as data. Each regime has one; a working day is any day
//! that is neither a Saturday, a Sunday nor a holiday of that calendar.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

use super::regime::Regime;

/// The calendars shipped with Rightsdesk (England and Wales bank holidays,
/// California state holidays, weekends only for the EU), 2025–2030.
pub const SHIPPED_CALENDARS: &str = include_str!("../../config/holidays.toml");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayCalendar {
    name: String,
    first_year: i32,
    last_year: i32,
    holidays: BTreeMap<NaiveDate, String>,
}

impl HolidayCalendar {
    pub fn new(
        name: impl Into<String>,
        first_year: i32,
        last_year: i32,
        holidays: impl IntoIterator<Item = (NaiveDate, String)>,
    ) -> Self {
        HolidayCalendar {
            name: name.into(),
            first_year,
            last_year,
            holidays: holidays.into_iter().collect(),
        }
    }

    /// A calendar with no holidays at all: weekends only.
    pub fn weekends_only() -> Self {
        HolidayCalendar::new("weekends only", i32::MIN, i32::MAX, [])
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The holiday on this date, if any.
    pub fn holiday(&self, date: NaiveDate) -> Option<&str> {
        self.holidays.get(&date).map(String::as_str)
    }

    /// Whether the calendar has data for this date's year; outside it only
    /// weekends are known.
    pub fn covers(&self, date: NaiveDate) -> bool {
        (self.first_year..=self.last_year).contains(&date.year())
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !is_weekend(date) && !self.holidays.contains_key(&date)
    }

    /// Why a date is not a working day, for derivations.
    pub fn why_not_working(&self, date: NaiveDate) -> Option<String> {
        if let Some(h) = self.holiday(date) {
            return Some(format!("{h} ({})", self.name));
        }
        match date.weekday() {
            Weekday::Sat => Some("a Saturday".into()),
            Weekday::Sun => Some("a Sunday".into()),
            _ => None,
        }
    }

    /// The first working day on or after `date`.
    pub fn roll_forward(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        while !self.is_working_day(d) {
            d = d + Days::new(1);
        }
        d
    }

    /// The date `n` working days after `date` (the start day itself does not count).
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        let mut counted = 0;
        while counted < n {
            d = d + Days::new(1);
            if self.is_working_day(d) {
                counted += 1;
            }
        }
        d
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The calendar of each regime.
#[derive(Debug, Clone)]
pub struct Calendars {
    by_regime: HashMap<Regime, HolidayCalendar>,
}

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("holiday calendars are not valid TOML: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("holiday calendar '{regime}': '{date}' is not a date (YYYY-MM-DD)")]
    BadDate { regime: String, date: String },
    #[error("holiday calendar '{0}' does not name a regime (uk-gdpr, eu-gdpr, ccpa)")]
    UnknownRegime(String),
    #[error("no holiday calendar for regime {0}")]
    Missing(Regime),
}

#[derive(Deserialize)]
struct CalendarFile {
    name: String,
    first_year: i32,
    last_year: i32,
    dates: Vec<HolidayEntry>,
}

#[derive(Deserialize)]
struct HolidayEntry {
    date: String,
    name: String,
}

impl Calendars {
    /// Parses calendars from TOML: one table per regime key, each with
    /// `name`, `first_year`, `last_year` and `dates = [{ date, name }]`.
    pub fn from_toml(text: &str) -> Result<Calendars, CalendarError> {
        let files: BTreeMap<String, CalendarFile> = toml::from_str(text)?;
        let mut by_regime = HashMap::new();
        for (key, file) in files {
            let regime: Regime = key
                .parse()
                .map_err(|_| CalendarError::UnknownRegime(key.clone()))?;
            let mut holidays = Vec::with_capacity(file.dates.len());
            for entry in file.dates {
                let date = NaiveDate::parse_from_str(&entry.date, "%Y-%m-%d").map_err(|_| {
                    CalendarError::BadDate {
                        regime: key.clone(),
                        date: entry.date.clone(),
                    }
                })?;
                holidays.push((date, entry.name));
            }
            by_regime.insert(
                regime,
                HolidayCalendar::new(file.name, file.first_year, file.last_year, holidays),
            );
        }
        for regime in Regime::ALL {
            if !by_regime.contains_key(&regime) {
                return Err(CalendarError::Missing(regime));
            }
        }
        Ok(Calendars { by_regime })
    }

    /// The calendars Rightsdesk ships with.
    pub fn shipped() -> Calendars {
        Calendars::from_toml(SHIPPED_CALENDARS).expect("the shipped calendars are valid")
    }

    pub fn for_regime(&self, regime: Regime) -> &HolidayCalendar {
        // Construction guarantees an entry for every regime.
        &self.by_regime[&regime]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn shipped_calendars_parse_and_cover_2025_to_2030() {
        let cals = Calendars::shipped();
        for regime in Regime::ALL {
            let cal = cals.for_regime(regime);
            assert!(cal.covers(d("2025-01-01")) && cal.covers(d("2030-12-31")));
        }
    }

    #[test]
    fn england_and_wales_bank_holidays_include_substitute_days() {
        let uk = Calendars::shipped().for_regime(Regime::UkGdpr).clone();
        // Published by the UK government for 2026 and 2027.
        for day in [
            "2026-01-01",
            "2026-04-03",
            "2026-04-06",
            "2026-05-04",
            "2026-05-25",
            "2026-08-31",
            "2026-12-25",
            "2026-12-28",
            "2027-03-26",
            "2027-03-29",
            "2027-05-03",
            "2027-05-31",
            "2027-08-30",
            "2027-12-27",
            "2027-12-28",
            "2028-01-03",
        ] {
            assert!(
                uk.holiday(d(day)).is_some(),
                "{day} should be a bank holiday"
            );
        }
        assert!(
            uk.holiday(d("2026-12-26")).is_none(),
            "Boxing Day 2026 is a Saturday"
        );
        // Eight bank holidays every year.
        for year in 2025..=2030 {
            let n = (1..=366)
                .filter_map(|o| NaiveDate::from_yo_opt(year, o))
                .filter(|day| uk.holiday(*day).is_some())
                .count();
            assert_eq!(n, 8, "{year}");
        }
    }

    #[test]
    fn california_state_holidays() {
        let ca = Calendars::shipped().for_regime(Regime::Ccpa).clone();
        for day in [
            "2026-01-19", // Martin Luther King Jr. Day
            "2026-02-16", // Presidents' Day
            "2026-03-31", // Cesar Chavez Day
            "2026-11-26", // Thanksgiving
            "2026-11-27", // Day after Thanksgiving
            "2027-07-05", // Independence Day observed (4 July 2027 is a Sunday)
        ] {
            assert!(ca.holiday(d(day)).is_some(), "{day} should be a holiday");
        }
    }

    #[test]
    fn eu_calendar_is_weekends_only_by_default() {
        let eu = Calendars::shipped().for_regime(Regime::EuGdpr).clone();
        assert!(eu.is_working_day(d("2026-12-25")));
        assert!(!eu.is_working_day(d("2026-12-26")));
    }

    #[test]
    fn rolling_and_counting_working_days() {
        let uk = Calendars::shipped().for_regime(Regime::UkGdpr).clone();
        // Friday 25 Dec 2026 is Christmas, then a weekend, then the Boxing Day substitute.
        assert_eq!(uk.roll_forward(d("2026-12-25")), d("2026-12-29"));
        assert_eq!(uk.roll_forward(d("2026-12-29")), d("2026-12-29"));
        // Monday 7 Dec 2026 + 5 working days = Monday 14 Dec.
        assert_eq!(uk.add_working_days(d("2026-12-07"), 5), d("2026-12-14"));
        assert_eq!(uk.add_working_days(d("2026-12-24"), 1), d("2026-12-29"));
    }

    #[test]
    fn bad_calendar_data_is_refused_with_a_reason() {
        let err = Calendars::from_toml(
            "[uk-gdpr]\nname='x'\nfirst_year=2025\nlast_year=2025\ndates=[{date='2025-13-01',name='x'}]",
        )
        .unwrap_err();
        assert!(err.to_string().contains("2025-13-01"));
        let err = Calendars::from_toml("[mars]\nname='x'\nfirst_year=1\nlast_year=1\ndates=[]")
            .unwrap_err();
        assert!(err.to_string().contains("mars"));
        let err = Calendars::from_toml("").unwrap_err();
        assert!(matches!(err, CalendarError::Missing(_)));
    }
}
