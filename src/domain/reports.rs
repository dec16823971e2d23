//! The CCPA's yearly metrics (Cal. Code Regs. tit. 11, § 7102): for each
//! kind of request, how many were received, complied with in whole or in
//! part, and denied, and the median and mean days taken to respond.

use chrono::NaiveDate;
use serde::Serialize;

use super::casework::Outcome;
use super::{CaseState, Right};

/// The kinds of request § 7102 counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Know,
    Delete,
    Correct,
    OptOut,
    Limit,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Know,
        Category::Delete,
        Category::Correct,
        Category::OptOut,
        Category::Limit,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Category::Know => "know",
            Category::Delete => "delete",
            Category::Correct => "correct",
            Category::OptOut => "opt_out",
            Category::Limit => "limit",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Know => "Requests to know",
            Category::Delete => "Requests to delete",
            Category::Correct => "Requests to correct",
            Category::OptOut => "Requests to opt out of sale or sharing",
            Category::Limit => "Requests to limit use of sensitive personal information",
        }
    }

    /// The category a right's request falls in (a portable copy is a
    /// request to know).
    pub fn of(right: Right) -> Option<Category> {
        Some(match right {
            Right::Access | Right::Portability => Category::Know,
            Right::Erasure => Category::Delete,
            Right::Rectification => Category::Correct,
            Right::OptOut => Category::OptOut,
            Right::Limit => Category::Limit,
            _ => return None,
        })
    }
}

/// One right of one CCPA case received in the year.
#[derive(Debug, Clone)]
pub struct RightRecord {
    pub case: i64,
    pub right: Right,
    pub state: CaseState,
    pub received_on: NaiveDate,
    pub outcome: Option<Outcome>,
    /// The day the right was answered.
    pub decided_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub category: Category,
    pub label: &'static str,
    /// Requests received (a case asking twice in one category counts once).
    pub received: u64,
    pub complied_in_whole_or_part: u64,
    pub denied: u64,
    /// Over the requests responded to; `None` with none.
    pub median_days: Option<f64>,
    pub mean_days: Option<f64>,
}

fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

/// The figures for each category, from the rights of the cases received in
/// the year. A request is complied with when any of its rights in the
/// category was done in whole or in part; denied when none was and one was
/// refused (or the case was refused); its response time runs from receipt
/// to the last answer in the category.
pub fn ccpa_metrics(records: &[RightRecord]) -> Vec<Figures> {
    use std::collections::BTreeMap;
    Category::ALL
        .into_iter()
        .map(|category| {
            // Per case: (complied, denied, last answer).
            let mut requests: BTreeMap<i64, (bool, bool, Option<i64>)> = BTreeMap::new();
            for r in records
                .iter()
                .filter(|r| Category::of(r.right) == Some(category))
            {
                let entry = requests.entry(r.case).or_insert((false, false, None));
                match r.outcome {
                    Some(Outcome::Fulfilled | Outcome::PartiallyFulfilled) => entry.0 = true,
                    Some(Outcome::Refused) => entry.1 = true,
                    None if r.state == CaseState::Refused => entry.1 = true,
                    _ => {}
                }
                if let Some(on) = r.decided_on {
                    let days = (on - r.received_on).num_days();
                    entry.2 = Some(entry.2.map_or(days, |d: i64| d.max(days)));
                }
            }
            let mut days: Vec<i64> = requests.values().filter_map(|r| r.2).collect();
            days.sort_unstable();
            let mean =
                (!days.is_empty()).then(|| days.iter().sum::<i64>() as f64 / days.len() as f64);
            Figures {
                category,
                label: category.label(),
                received: requests.len() as u64,
                complied_in_whole_or_part: requests.values().filter(|r| r.0).count() as u64,
                denied: requests.values().filter(|r| !r.0 && r.1).count() as u64,
                median_days: median(&days),
                mean_days: mean.map(|m| (m * 10.0).round() / 10.0),
            }
        })
        .collect()
}

/// The value below which `p` of the values fall (nearest rank), the values
/// given as `(value, how many)` in increasing order of value.
pub fn percentile(counts: &[(i64, i64)], p: f64) -> Option<i64> {
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    if total <= 0 {
        return None;
    }
    let rank = ((p * total as f64).ceil() as i64).clamp(1, total);
    let mut seen = 0;
    counts.iter().find_map(|&(value, n)| {
        seen += n;
        (seen >= rank).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[(3, 0)], 0.5), None);
        assert_eq!(percentile(&[(7, 1)], 0.9), Some(7));
        let days: Vec<(i64, i64)> = (1..=10).map(|d| (d, 1)).collect();
        assert_eq!(percentile(&days, 0.5), Some(5));
        assert_eq!(percentile(&days, 0.9), Some(9));
        assert_eq!(percentile(&days, 1.0), Some(10));
        // Counted: four cases of 2 days, one of 30.
        assert_eq!(percentile(&[(2, 4), (30, 1)], 0.5), Some(2));
        assert_eq!(percentile(&[(2, 4), (30, 1)], 0.8), Some(2));
        assert_eq!(percentile(&[(2, 4), (30, 1)], 0.9), Some(30));
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn record(
        case: i64,
        right: Right,
        outcome: Option<Outcome>,
        decided: Option<u32>,
    ) -> RightRecord {
        RightRecord {
            case,
            right,
            state: CaseState::InProgress,
            received_on: day(1),
            outcome,
            decided_on: decided.map(day),
        }
    }

    #[test]
    fn each_request_counts_once_in_its_category_with_its_answer_and_its_days() {
        let records = [
            // A request to know with a portable copy: one request to know.
            record(1, Right::Access, Some(Outcome::Fulfilled), Some(11)),
            record(1, Right::Portability, Some(Outcome::Refused), Some(21)),
            record(2, Right::Access, Some(Outcome::Refused), Some(5)),
            record(3, Right::Access, None, None),
            record(
                4,
                Right::Erasure,
                Some(Outcome::PartiallyFulfilled),
                Some(31),
            ),
            record(5, Right::Objection, Some(Outcome::Fulfilled), Some(2)),
        ];
        let figures = ccpa_metrics(&records);
        let know = &figures[0];
        assert_eq!(know.category, Category::Know);
        assert_eq!(know.received, 3);
        assert_eq!(know.complied_in_whole_or_part, 1);
        assert_eq!(know.denied, 1);
        // Case 1 took 20 days (its last answer), case 2 took 4.
        assert_eq!(know.median_days, Some(12.0));
        assert_eq!(know.mean_days, Some(12.0));
        let delete = &figures[1];
        assert_eq!((delete.received, delete.complied_in_whole_or_part), (1, 1));
        assert_eq!(delete.median_days, Some(30.0));
        // Objection is not one of § 7102's categories.
        assert!(figures.iter().all(|f| f.received <= 3));
        let opt_out = &figures[3];
        assert_eq!(
            (opt_out.received, opt_out.median_days, opt_out.mean_days),
            (0, None, None)
        );
    }

    #[test]
    fn a_refused_case_denies_its_unanswered_rights() {
        let mut r = record(7, Right::Rectification, None, None);
        r.state = CaseState::Refused;
        let figures = ccpa_metrics(&[r]);
        assert_eq!(figures[2].category, Category::Correct);
        assert_eq!((figures[2].received, figures[2].denied), (1, 1));
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3]), Some(3.0));
        assert_eq!(median(&[1, 2, 10]), Some(2.0));
        assert_eq!(median(&[1, 2, 3, 10]), Some(2.5));
    }
}
