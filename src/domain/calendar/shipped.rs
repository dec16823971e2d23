//! The holiday calendars Rightsdesk ships, as law: England and Wales,
//! California, and the EU member states an organisation may handle requests
//! from (Ireland, Germany, France, the Netherlands). Where sources disagree
//! whether a day is a holiday, it is treated as a working day: the earlier
//! deadline, recorded under `excluded` with the reason.

use chrono::Weekday;

use super::rules::{CalendarRules, DateRule, Excluded, HolidayRule, Observance};

const FIRST_YEAR: i32 = 2025;
const LAST_YEAR: i32 = 2035;

const fn fixed(month: u32, day: u32) -> DateRule {
    DateRule::Fixed { month, day }
}

const fn nth(month: u32, weekday: Weekday, nth: i8) -> DateRule {
    DateRule::NthWeekday {
        month,
        weekday,
        nth,
    }
}

const fn day(
    name: &'static str,
    date: DateRule,
    observance: Observance,
    source: &'static str,
) -> HolidayRule {
    HolidayRule {
        name,
        date,
        observance,
        since: None,
        source,
    }
}

const UK_ACT: &str = "Banking and Financial Dealings Act 1971, Sch. 1, para. 1";
const UK_COMMON: &str = "common-law holiday; substitute day by royal proclamation";

/// England and Wales bank holidays, as gov.uk publishes them: the 1971 Act's
/// days, the common-law holidays, and substitute days by proclamation.
pub const ENGLAND_WALES: CalendarRules = CalendarRules {
    key: "england-wales",
    name: "England and Wales bank holidays",
    source: "Banking and Financial Dealings Act 1971 and royal proclamations (gov.uk/bank-holidays)",
    holidays: &[
        day(
            "New Year's Day",
            fixed(1, 1),
            Observance::NextFreeWeekday,
            "Banking and Financial Dealings Act 1971, Sch. 1, para. 1; substitute day by proclamation",
        ),
        day(
            "Good Friday",
            DateRule::Easter(-2),
            Observance::AsItFalls,
            UK_COMMON,
        ),
        day(
            "Easter Monday",
            DateRule::Easter(1),
            Observance::AsItFalls,
            UK_ACT,
        ),
        day(
            "Early May bank holiday",
            nth(5, Weekday::Mon, 1),
            Observance::AsItFalls,
            "Banking and Financial Dealings Act 1971, s. 1(2) and royal proclamation",
        ),
        day(
            "Spring bank holiday",
            nth(5, Weekday::Mon, -1),
            Observance::AsItFalls,
            UK_ACT,
        ),
        day(
            "Summer bank holiday",
            nth(8, Weekday::Mon, -1),
            Observance::AsItFalls,
            UK_ACT,
        ),
        day(
            "Christmas Day",
            fixed(12, 25),
            Observance::NextFreeWeekday,
            UK_COMMON,
        ),
        day(
            "Boxing Day",
            fixed(12, 26),
            Observance::NextFreeWeekday,
            "Banking and Financial Dealings Act 1971, Sch. 1, para. 1 (26 December, or the next weekday if it is a Sunday)",
        ),
    ],
    one_offs: &[],
    excluded: &[Excluded {
        name: "One-off bank holidays not yet proclaimed",
        why: "proclaimed case by case (e.g. 2022 and 2023); add them to a calendars.file when announced",
    }],
    first_year: FIRST_YEAR,
    last_year: LAST_YEAR,
};

const GOV_6700: &str = "Cal. Gov. Code § 6700(a)";
const GOV_6701: &str =
    "Cal. Gov. Code §§ 6700(a), 6701 (a Sunday holiday is observed on the Monday after)";

/// California: the holidays of Government Code § 6700 as § 6701 observes
/// them. The CCPA's periods are computed as the Civil Code computes time
/// (§§ 7, 10, 11): a last day that is a holiday moves to the next business
/// day. Not the state employees' paid-holiday schedule.
pub const CALIFORNIA: CalendarRules = CalendarRules {
    key: "california",
    name: "California holidays (Gov. Code § 6700)",
    source: "Cal. Gov. Code §§ 6700, 6701; Cal. Civ. Code §§ 7, 10, 11",
    holidays: &[
        day("New Year's Day", fixed(1, 1), Observance::SundayToMonday, GOV_6701),
        day(
            "Martin Luther King, Jr. Day",
            nth(1, Weekday::Mon, 3),
            Observance::AsItFalls,
            GOV_6700,
        ),
        day(
            "Lincoln Day",
            fixed(2, 12),
            Observance::SundayToMonday,
            GOV_6701,
        ),
        day(
            "Washington's Birthday",
            nth(2, Weekday::Mon, 3),
            Observance::AsItFalls,
            GOV_6700,
        ),
        day(
            "Cesar Chavez Day",
            fixed(3, 31),
            Observance::SundayToMonday,
            GOV_6701,
        ),
        day(
            "Memorial Day",
            nth(5, Weekday::Mon, -1),
            Observance::AsItFalls,
            GOV_6700,
        ),
        HolidayRule {
            name: "Juneteenth",
            date: fixed(6, 19),
            // § 6701's Sunday rule is not clearly extended to it: no
            // Monday holiday (the earlier deadline).
            observance: Observance::AsItFalls,
            since: Some(2023),
            source: "Cal. Gov. Code § 6700(a) as amended by AB 1655 (2022); § 6701 does not list it, so no Monday substitute",
        },
        day(
            "Independence Day",
            fixed(7, 4),
            Observance::SundayToMonday,
            GOV_6701,
        ),
        day(
            "Labor Day",
            nth(9, Weekday::Mon, 1),
            Observance::AsItFalls,
            GOV_6700,
        ),
        day(
            "Native American Day",
            nth(9, Weekday::Fri, 4),
            Observance::AsItFalls,
            GOV_6700,
        ),
        day(
            "Veterans Day",
            fixed(11, 11),
            Observance::SaturdayToFridaySundayToMonday,
            "Cal. Gov. Code §§ 6700(a), 6701 (on a Saturday, the Friday before; on a Sunday, the Monday after)",
        ),
        day(
            "Thanksgiving Day",
            nth(11, Weekday::Thu, 4),
            Observance::AsItFalls,
            "Cal. Gov. Code § 6700(a) (a day appointed by the President for thanksgiving)",
        ),
        day("Christmas Day", fixed(12, 25), Observance::SundayToMonday, GOV_6701),
    ],
    one_offs: &[],
    excluded: &[
        Excluded {
            name: "Day after Thanksgiving",
            why: "not a § 6700 holiday (state employees and courts close under other laws): treated as a working day, the earlier deadline",
        },
        Excluded {
            name: "Columbus Day (second Monday in October) and Admission Day (9 September)",
            why: "listed in § 6700, but neither courts nor state offices close: treated as working days, the earlier deadline",
        },
        Excluded {
            name: "Good Friday (12 noon to 3 p.m.)",
            why: "a part-day holiday under § 6700: the day still counts as a business day",
        },
        Excluded {
            name: "Other days § 6700 names without closing courts or offices: Genocide Remembrance Day (24 April), Lunar New Year, Diwali",
            why: "courts and state offices stay open: treated as working days, the earlier deadline",
        },
    ],
    first_year: FIRST_YEAR,
    last_year: LAST_YEAR,
};

const IE_ACT: &str = "Organisation of Working Time Act 1997, Sch. 2";

/// Ireland's public holidays. Irish law gives no substitute day when one
/// falls on a weekend (employees get a day's pay or leave instead).
pub const IRELAND: CalendarRules = CalendarRules {
    key: "ie",
    name: "Ireland public holidays",
    source: "Organisation of Working Time Act 1997, Sch. 2, as amended (S.I. 8/2023 for St Brigid's Day)",
    holidays: &[
        day("New Year's Day", fixed(1, 1), Observance::AsItFalls, IE_ACT),
        HolidayRule {
            name: "St Brigid's Day",
            date: DateRule::FixedIfElseNth {
                month: 2,
                day: 1,
                on: Weekday::Fri,
                weekday: Weekday::Mon,
                nth: 1,
            },
            observance: Observance::AsItFalls,
            since: Some(2023),
            source: "Organisation of Working Time Act 1997, Sch. 2, as amended by S.I. 8/2023",
        },
        day("St Patrick's Day", fixed(3, 17), Observance::AsItFalls, IE_ACT),
        day("Easter Monday", DateRule::Easter(1), Observance::AsItFalls, IE_ACT),
        day("May bank holiday", nth(5, Weekday::Mon, 1), Observance::AsItFalls, IE_ACT),
        day("June bank holiday", nth(6, Weekday::Mon, 1), Observance::AsItFalls, IE_ACT),
        day("August bank holiday", nth(8, Weekday::Mon, 1), Observance::AsItFalls, IE_ACT),
        day("October bank holiday", nth(10, Weekday::Mon, -1), Observance::AsItFalls, IE_ACT),
        day("Christmas Day", fixed(12, 25), Observance::AsItFalls, IE_ACT),
        day("St Stephen's Day", fixed(12, 26), Observance::AsItFalls, IE_ACT),
    ],
    one_offs: &[],
    excluded: &[
        Excluded {
            name: "Good Friday",
            why: "not a public holiday in Ireland, though many offices close: a working day",
        },
        Excluded {
            name: "Monday after a public holiday that falls on a weekend",
            why: "the 1997 Act gives employees an entitlement, not a substitute public holiday: a working day, the earlier deadline",
        },
    ],
    first_year: FIRST_YEAR,
    last_year: LAST_YEAR,
};

const DE_ALL: &str = "public holiday in every Land (Feiertagsgesetze der Länder); § 193 BGB";

/// Germany: the holidays every Land keeps. Deadlines ending on a Saturday,
/// Sunday or public holiday end on the next working day (§ 193 BGB).
pub const GERMANY: CalendarRules = CalendarRules {
    key: "de",
    name: "Germany nationwide public holidays",
    source: "Einigungsvertrag Art. 2(2) (3 October); the Länder's holiday laws; § 193 BGB",
    holidays: &[
        day("Neujahr", fixed(1, 1), Observance::AsItFalls, DE_ALL),
        day("Karfreitag", DateRule::Easter(-2), Observance::AsItFalls, DE_ALL),
        day("Ostermontag", DateRule::Easter(1), Observance::AsItFalls, DE_ALL),
        day("Tag der Arbeit", fixed(5, 1), Observance::AsItFalls, DE_ALL),
        day("Christi Himmelfahrt", DateRule::Easter(39), Observance::AsItFalls, DE_ALL),
        day("Pfingstmontag", DateRule::Easter(50), Observance::AsItFalls, DE_ALL),
        day(
            "Tag der Deutschen Einheit",
            fixed(10, 3),
            Observance::AsItFalls,
            "Einigungsvertrag Art. 2(2)",
        ),
        day("1. Weihnachtstag", fixed(12, 25), Observance::AsItFalls, DE_ALL),
        day("2. Weihnachtstag", fixed(12, 26), Observance::AsItFalls, DE_ALL),
    ],
    one_offs: &[],
    excluded: &[Excluded {
        name: "Holidays of some Länder only (Heilige Drei Könige, Fronleichnam, Mariä Himmelfahrt, Reformationstag, Allerheiligen, Buß- und Bettag, Frauentag, Weltkindertag)",
        why: "not kept everywhere: working days, the earlier deadline; add your Land's in a calendars.file",
    }],
    first_year: FIRST_YEAR,
    last_year: LAST_YEAR,
};

const FR_CT: &str = "Code du travail, art. L3133-1";

/// France: the jours fériés of the Code du travail.
pub const FRANCE: CalendarRules = CalendarRules {
    key: "fr",
    name: "France jours fériés",
    source: "Code du travail, art. L3133-1; Code de procédure civile, art. 642",
    holidays: &[
        day("Jour de l'an", fixed(1, 1), Observance::AsItFalls, FR_CT),
        day(
            "Lundi de Pâques",
            DateRule::Easter(1),
            Observance::AsItFalls,
            FR_CT,
        ),
        day("Fête du travail", fixed(5, 1), Observance::AsItFalls, FR_CT),
        day("Victoire 1945", fixed(5, 8), Observance::AsItFalls, FR_CT),
        day(
            "Ascension",
            DateRule::Easter(39),
            Observance::AsItFalls,
            FR_CT,
        ),
        day(
            "Lundi de Pentecôte",
            DateRule::Easter(50),
            Observance::AsItFalls,
            FR_CT,
        ),
        day("Fête nationale", fixed(7, 14), Observance::AsItFalls, FR_CT),
        day("Assomption", fixed(8, 15), Observance::AsItFalls, FR_CT),
        day("Toussaint", fixed(11, 1), Observance::AsItFalls, FR_CT),
        day(
            "Armistice 1918",
            fixed(11, 11),
            Observance::AsItFalls,
            FR_CT,
        ),
        day("Noël", fixed(12, 25), Observance::AsItFalls, FR_CT),
    ],
    one_offs: &[],
    excluded: &[Excluded {
        name: "Vendredi saint and 26 December",
        why: "holidays in Alsace-Moselle only: working days, the earlier deadline",
    }],
    first_year: FIRST_YEAR,
    last_year: LAST_YEAR,
};

const NL_ATW: &str = "Algemene termijnenwet, art. 3(1)";

/// The Netherlands: the generally recognised holidays of the General Time
/// Limits Act, which moves a deadline ending on one of them, or on a
/// Saturday or Sunday, to the next day that is none of these.
pub const NETHERLANDS: CalendarRules = CalendarRules {
    key: "nl",
    name: "Netherlands generally recognised holidays",
    source: "Algemene termijnenwet, art. 1 and 3",
    holidays: &[
        day("Nieuwjaarsdag", fixed(1, 1), Observance::AsItFalls, NL_ATW),
        day("Tweede Paasdag", DateRule::Easter(1), Observance::AsItFalls, NL_ATW),
        day(
            "Koningsdag",
            fixed(4, 27),
            Observance::SundayToSaturday,
            "Algemene termijnenwet, art. 3(1); Koningsdag is 26 April when 27 April is a Sunday",
        ),
        day("Bevrijdingsdag", fixed(5, 5), Observance::AsItFalls, NL_ATW),
        day("Hemelvaartsdag", DateRule::Easter(39), Observance::AsItFalls, NL_ATW),
        day("Tweede Pinksterdag", DateRule::Easter(50), Observance::AsItFalls, NL_ATW),
        day("Eerste Kerstdag", fixed(12, 25), Observance::AsItFalls, NL_ATW),
        day("Tweede Kerstdag", fixed(12, 26), Observance::AsItFalls, NL_ATW),
    ],
    one_offs: &[],
    excluded: &[
        Excluded {
            name: "Goede Vrijdag",
            why: "equated with a holiday for time limits by art. 3(2), but many offices work: treated as a working day, the earlier deadline",
        },
        Excluded {
            name: "Gelijkgestelde dag (days equated by decree, e.g. 2 January and 15 May 2026)",
            why: "fixed by a Besluit gelijkstelling for a few years at a time: treated as working days, the earlier deadline; add them in a calendars.file to use them",
        },
    ],
    first_year: FIRST_YEAR,
    last_year: LAST_YEAR,
};

/// Every calendar shipped.
pub const ALL: [&CalendarRules; 6] = [
    &ENGLAND_WALES,
    &CALIFORNIA,
    &IRELAND,
    &GERMANY,
    &FRANCE,
    &NETHERLANDS,
];
