//! Holiday calendars as rules: each holiday is a date rule (a fixed day, the
//! nth weekday of a month, an offset from Easter) and an observance rule
//! (what happens when it falls on a weekend), with the source that says so.
//! A calendar's dates for any year are computed from its rules, so every
//! year shipped follows the same law, and the rules print as documentation.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Which day a holiday falls on in a given year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRule {
    /// The same month and day every year.
    Fixed { month: u32, day: u32 },
    /// The `nth` (1-based) weekday of the month; `nth` = -1 is the last.
    NthWeekday {
        month: u32,
        weekday: Weekday,
        nth: i8,
    },
    /// Days after (or before, when negative) Western Easter Sunday.
    Easter(i64),
    /// The fixed day when it falls on `on`, otherwise the `nth` `weekday`
    /// of the month (Ireland's St Brigid's Day: 1 February if a Friday,
    /// else the first Monday of February).
    FixedIfElseNth {
        month: u32,
        day: u32,
        on: Weekday,
        weekday: Weekday,
        nth: i8,
    },
}

/// What happens when a holiday falls on a weekend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observance {
    /// Nothing: a weekend holiday gives no other day off.
    AsItFalls,
    /// On a Sunday, the Monday after is the holiday.
    SundayToMonday,
    /// On a Sunday, the Monday after; on a Saturday, the Friday before.
    SaturdayToFridaySundayToMonday,
    /// On a Sunday, the Saturday before (Dutch King's Day).
    SundayToSaturday,
    /// On a Saturday or Sunday, the next weekday that is not already a
    /// holiday (England and Wales substitute days).
    NextFreeWeekday,
}

/// One holiday of a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HolidayRule {
    pub name: &'static str,
    pub date: DateRule,
    pub observance: Observance,
    /// The first year the holiday exists, if it was added recently.
    pub since: Option<i32>,
    pub source: &'static str,
}

/// A day some sources treat as a holiday that this calendar does not, and
/// why (always the earlier deadline where sources disagree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Excluded {
    pub name: &'static str,
    pub why: &'static str,
}

/// A holiday calendar as law: rules, the years it is shipped for, and the
/// choices made where sources disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarRules {
    /// How settings and calendar files name it (`england-wales`, `ie`).
    pub key: &'static str,
    pub name: &'static str,
    pub source: &'static str,
    pub holidays: &'static [HolidayRule],
    /// One-off holidays proclaimed for a single year: (date, name).
    pub one_offs: &'static [(&'static str, &'static str)],
    pub excluded: &'static [Excluded],
    pub first_year: i32,
    pub last_year: i32,
}

impl DateRule {
    /// The day this rule gives in `year`.
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        match self {
            DateRule::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            DateRule::NthWeekday {
                month,
                weekday,
                nth,
            } => {
                if nth > 0 {
                    NaiveDate::from_weekday_of_month_opt(year, month, weekday, nth as u8)
                } else {
                    let first_next = if month == 12 {
                        NaiveDate::from_ymd_opt(year + 1, 1, 1)
                    } else {
                        NaiveDate::from_ymd_opt(year, month + 1, 1)
                    }?;
                    let mut d = first_next.pred_opt()?;
                    while d.weekday() != weekday {
                        d = d.pred_opt()?;
                    }
                    Some(d)
                }
            }
            DateRule::FixedIfElseNth {
                month,
                day,
                on,
                weekday,
                nth,
            } => {
                let fixed = NaiveDate::from_ymd_opt(year, month, day)?;
                if fixed.weekday() == on {
                    Some(fixed)
                } else {
                    DateRule::NthWeekday {
                        month,
                        weekday,
                        nth,
                    }
                    .in_year(year)
                }
            }
            DateRule::Easter(offset) => {
                let easter = easter_sunday(year)?;
                if offset >= 0 {
                    easter.checked_add_days(Days::new(offset as u64))
                } else {
                    easter.checked_sub_days(Days::new(offset.unsigned_abs()))
                }
            }
        }
    }

    /// The rule in words, for the regimes table.
    pub fn describe(self) -> String {
        match self {
            DateRule::Fixed { month, day } => {
                let d = NaiveDate::from_ymd_opt(2000, month, day).unwrap_or_default();
                d.format("%-d %B").to_string()
            }
            DateRule::NthWeekday {
                month,
                weekday,
                nth,
            } => {
                let which = match nth {
                    -1 => "last",
                    1 => "first",
                    2 => "second",
                    3 => "third",
                    4 => "fourth",
                    _ => "fifth",
                };
                let m = NaiveDate::from_ymd_opt(2000, month, 1).unwrap_or_default();
                format!("{which} {} in {}", weekday_name(weekday), m.format("%B"))
            }
            DateRule::FixedIfElseNth {
                month,
                day,
                on,
                weekday,
                nth,
            } => format!(
                "{} if it is a {}, otherwise the {}",
                DateRule::Fixed { month, day }.describe(),
                weekday_name(on),
                DateRule::NthWeekday {
                    month,
                    weekday,
                    nth
                }
                .describe()
            ),
            DateRule::Easter(0) => "Easter Sunday".into(),
            DateRule::Easter(n) if n < 0 => format!("{} days before Easter Sunday", -n),
            DateRule::Easter(n) => format!("{n} days after Easter Sunday"),
        }
    }
}

fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

impl Observance {
    pub fn describe(self) -> &'static str {
        match self {
            Observance::AsItFalls => "no substitute day",
            Observance::SundayToMonday => "on a Sunday, observed the Monday after",
            Observance::SaturdayToFridaySundayToMonday => {
                "on a Saturday, observed the Friday before; on a Sunday, the Monday after"
            }
            Observance::SundayToSaturday => "on a Sunday, held the Saturday before",
            Observance::NextFreeWeekday => {
                "on a weekend, the next weekday that is not already a holiday"
            }
        }
    }
}

/// Western Easter Sunday (the anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl CalendarRules {
    /// The holidays of `year` as this calendar observes them: (date, name).
    /// A holiday that falls on a weekend and moves is listed on the day it
    /// is observed, named as a substitute.
    pub fn dates_in(&self, year: i32) -> Vec<(NaiveDate, String)> {
        let mut days: Vec<(NaiveDate, String)> = Vec::new();
        let mut substitutes: Vec<(NaiveDate, &'static str)> = Vec::new();
        for rule in self.holidays {
            if rule.since.is_some_and(|since| year < since) {
                continue;
            }
            let Some(date) = rule.date.in_year(year) else {
                continue;
            };
            let observed = match (rule.observance, date.weekday()) {
                (Observance::SundayToMonday, Weekday::Sun)
                | (Observance::SaturdayToFridaySundayToMonday, Weekday::Sun) => date.succ_opt(),
                (Observance::SaturdayToFridaySundayToMonday, Weekday::Sat) => date.pred_opt(),
                (Observance::SundayToSaturday, Weekday::Sun) => date.pred_opt(),
                (Observance::NextFreeWeekday, Weekday::Sat | Weekday::Sun) => {
                    substitutes.push((date, rule.name));
                    continue;
                }
                _ => {
                    days.push((date, rule.name.to_owned()));
                    continue;
                }
            };
            if let Some(observed) = observed {
                days.push((observed, format!("{} (observed)", rule.name)));
            }
        }
        // Substitute days go after every holiday that falls on a weekday, in
        // date order, each to the first free weekday.
        substitutes.sort();
        for (date, name) in substitutes {
            let mut d = date;
            while is_weekend(d) || days.iter().any(|(taken, _)| *taken == d) {
                let Some(next) = d.succ_opt() else { break };
                d = next;
            }
            days.push((d, format!("{name} (substitute day)")));
        }
        for (date, name) in self.one_offs {
            if let Ok(d) = NaiveDate::parse_from_str(date, "%Y-%m-%d") {
                if d.year() == year {
                    days.push((d, (*name).to_owned()));
                }
            }
        }
        days.sort();
        days
    }

    /// Every holiday of every year shipped.
    pub fn all_dates(&self) -> Vec<(NaiveDate, String)> {
        (self.first_year..=self.last_year)
            .flat_map(|y| self.dates_in(y))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn easter_sundays_are_the_published_ones() {
        for (year, date) in [
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2028, "2028-04-16"),
            (2029, "2029-04-01"),
            (2030, "2030-04-21"),
            (2031, "2031-04-13"),
            (2032, "2032-03-28"),
            (2033, "2033-04-17"),
            (2034, "2034-04-09"),
            (2035, "2035-03-25"),
        ] {
            assert_eq!(easter_sunday(year), Some(d(date)), "{year}");
        }
    }

    #[test]
    fn nth_and_last_weekdays() {
        let third_monday_jan = DateRule::NthWeekday {
            month: 1,
            weekday: Weekday::Mon,
            nth: 3,
        };
        assert_eq!(third_monday_jan.in_year(2026), Some(d("2026-01-19")));
        let last_monday_may = DateRule::NthWeekday {
            month: 5,
            weekday: Weekday::Mon,
            nth: -1,
        };
        assert_eq!(last_monday_may.in_year(2026), Some(d("2026-05-25")));
        let last_monday_dec = DateRule::NthWeekday {
            month: 12,
            weekday: Weekday::Mon,
            nth: -1,
        };
        assert_eq!(last_monday_dec.in_year(2026), Some(d("2026-12-28")));
        assert_eq!(DateRule::Easter(-2).in_year(2026), Some(d("2026-04-03")));
    }
}
