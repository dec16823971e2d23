//! Holiday calendars. Each regime's rules name its calendar (or the setting
//! that chooses one); a working day is any day that is neither a Saturday,
//! a Sunday nor a holiday of that calendar. The shipped calendars are
//! computed from their legal rules (`rules`, `shipped`); an operator's file
//! can replace any of them or add others by key, and admins change single
//! days in the app ([`DayChange`]: a holiday declared, or one that is not
//! kept), applied over both.

pub mod rules;
pub mod shipped;

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

use super::deadline::long;
use super::regime::{CalendarSource, Regime};
use rules::CalendarRules;

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

    /// The calendar its rules give for the years they are shipped for.
    pub fn from_rules(rules: &CalendarRules) -> Self {
        HolidayCalendar::new(
            rules.name,
            rules.first_year,
            rules.last_year,
            rules.all_dates(),
        )
    }

    /// Every holiday, in date order.
    pub fn holidays(&self) -> impl Iterator<Item = (NaiveDate, &str)> {
        self.holidays.iter().map(|(d, n)| (*d, n.as_str()))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The first and last years it has holidays for.
    pub fn years(&self) -> (i32, i32) {
        (self.first_year, self.last_year)
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

/// A day an admin changed in a calendar: a holiday (with its name) added,
/// or (`holiday: None`) a holiday of the calendar made a working day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayChange {
    pub calendar: String,
    pub day: NaiveDate,
    pub holiday: Option<String>,
}

/// Why a change to a calendar was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeRefused {
    #[error("there is no holiday calendar '{0}'")]
    UnknownCalendar(String),
    #[error("{} falls on a weekend, and weekends never count as working days: there is nothing to change", long(*.0))]
    Weekend(NaiveDate, Weekday),
    #[error("{} is already a holiday in this calendar ({})", long(*.0), .1)]
    AlreadyHoliday(NaiveDate, String),
    #[error("{} is not a holiday in this calendar", long(*.0))]
    NotAHoliday(NaiveDate),
    #[error("give the holiday a name of one line, {MAX_HOLIDAY_NAME} characters at most")]
    BadName,
    #[error("{} was not changed here", long(*.0))]
    NotChanged(NaiveDate),
}

/// The longest a holiday's name may be.
pub const MAX_HOLIDAY_NAME: usize = 100;

impl HolidayCalendar {
    /// Checks that `holiday` (a name: add it; `None`: make it a working
    /// day) changes something on `day`, and returns the name to store.
    pub fn check_change(
        &self,
        day: NaiveDate,
        holiday: Option<&str>,
    ) -> Result<Option<String>, ChangeRefused> {
        match holiday.map(str::trim) {
            Some(name) => {
                if name.is_empty()
                    || name.chars().count() > MAX_HOLIDAY_NAME
                    || name.chars().any(char::is_control)
                {
                    return Err(ChangeRefused::BadName);
                }
                if is_weekend(day) {
                    return Err(ChangeRefused::Weekend(day, day.weekday()));
                }
                if let Some(existing) = self.holiday(day) {
                    return Err(ChangeRefused::AlreadyHoliday(day, existing.to_owned()));
                }
                Ok(Some(name.to_owned()))
            }
            None if self.holiday(day).is_none() => Err(ChangeRefused::NotAHoliday(day)),
            None if is_weekend(day) => Err(ChangeRefused::Weekend(day, day.weekday())),
            None => Ok(None),
        }
    }

    fn apply(&mut self, change: &DayChange) {
        match &change.holiday {
            Some(name) => {
                self.holidays.insert(change.day, name.clone());
            }
            None => {
                self.holidays.remove(&change.day);
            }
        }
    }
}

pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The calendars loaded (by key) and which one each regime uses.
#[derive(Debug, Clone)]
pub struct Calendars {
    by_key: BTreeMap<String, HolidayCalendar>,
    /// Calendar keys chosen by settings (`calendars.eu_country`).
    chosen: HashMap<&'static str, String>,
    /// For a regime whose calendar was never loaded: weekends only, and
    /// every derivation warns that no holiday data covers the date.
    missing: HolidayCalendar,
}

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("holiday calendars are not valid TOML: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("holiday calendar '{calendar}': '{date}' is not a date (YYYY-MM-DD)")]
    BadDate { calendar: String, date: String },
    #[error("holiday calendar '{calendar}': first_year {first} is after last_year {last}")]
    BadYears {
        calendar: String,
        first: i32,
        last: i32,
    },
    #[error("{setting} = '{key}' names no holiday calendar: expected one of {known}")]
    UnknownChoice {
        setting: &'static str,
        key: String,
        known: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    name: String,
    first_year: i32,
    last_year: i32,
    dates: Vec<HolidayEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayEntry {
    date: String,
    name: String,
}

impl Calendars {
    /// The calendars Rightsdesk ships, each regime on its default.
    pub fn shipped() -> Calendars {
        let mut calendars = Calendars {
            by_key: BTreeMap::new(),
            chosen: HashMap::new(),
            missing: HolidayCalendar::new("no holiday calendar loaded", 1, 0, []),
        };
        for rules in shipped::ALL {
            calendars.add(rules);
        }
        calendars
    }

    /// Adds (or replaces) the calendar its rules give.
    pub fn add(&mut self, rules: &CalendarRules) {
        self.by_key
            .insert(rules.key.to_owned(), HolidayCalendar::from_rules(rules));
    }

    /// Replaces or adds calendars from TOML: one table per calendar key
    /// (`england-wales`, `california`, `ie`, `de`, `fr`, `nl`, or a new
    /// one), each with `name`, `first_year`, `last_year` and
    /// `dates = [{ date, name }]`.
    pub fn load_file(&mut self, text: &str) -> Result<(), CalendarError> {
        let files: BTreeMap<String, CalendarFile> = toml::from_str(text)?;
        for (key, file) in files {
            if file.first_year > file.last_year {
                return Err(CalendarError::BadYears {
                    calendar: key,
                    first: file.first_year,
                    last: file.last_year,
                });
            }
            let mut holidays = Vec::with_capacity(file.dates.len());
            for entry in file.dates {
                let date = NaiveDate::parse_from_str(&entry.date, "%Y-%m-%d").map_err(|_| {
                    CalendarError::BadDate {
                        calendar: key.clone(),
                        date: entry.date.clone(),
                    }
                })?;
                holidays.push((date, entry.name));
            }
            self.by_key.insert(
                key,
                HolidayCalendar::new(file.name, file.first_year, file.last_year, holidays),
            );
        }
        Ok(())
    }

    /// Chooses the calendar for the regimes whose rules leave it to
    /// `setting` (e.g. `calendars.eu_country` = `de`).
    pub fn choose(&mut self, setting: &'static str, key: &str) -> Result<(), CalendarError> {
        let key = key.trim();
        if !self.by_key.contains_key(key) {
            return Err(CalendarError::UnknownChoice {
                setting,
                key: key.to_owned(),
                known: self.keys().join(", "),
            });
        }
        self.chosen.insert(setting, key.to_owned());
        Ok(())
    }

    pub fn keys(&self) -> Vec<&str> {
        self.by_key.keys().map(String::as_str).collect()
    }

    /// The calendar key `regime` uses.
    pub fn key_for(&self, regime: Regime) -> &str {
        match regime.rules().calendar {
            CalendarSource::Fixed(rules) => rules.key,
            CalendarSource::Setting {
                setting, default, ..
            } => self.chosen.get(setting).map_or(default.key, String::as_str),
        }
    }

    /// The calendar with this key.
    pub fn get(&self, key: &str) -> Option<&HolidayCalendar> {
        self.by_key.get(key)
    }

    /// These calendars with admins' changes applied in order (a change to
    /// a calendar not loaded changes nothing).
    pub fn with_changes(&self, changes: &[DayChange]) -> Calendars {
        let mut changed = self.clone();
        for change in changes {
            if let Some(calendar) = changed.by_key.get_mut(&change.calendar) {
                calendar.apply(change);
            }
        }
        changed
    }

    /// The calendars `regimes` use, each with the regimes that use it, in
    /// key order.
    pub fn in_use(&self, regimes: &[Regime]) -> Vec<(&str, Vec<Regime>)> {
        let mut used: BTreeMap<&str, Vec<Regime>> = BTreeMap::new();
        for &regime in regimes {
            let key = self.key_for(regime);
            if self.by_key.contains_key(key) {
                used.entry(key).or_default().push(regime);
            }
        }
        used.into_iter().collect()
    }

    pub fn for_regime(&self, regime: Regime) -> &HolidayCalendar {
        self.by_key
            .get(self.key_for(regime))
            .unwrap_or(&self.missing)
    }
}

#[cfg(test)]
mod tests;
