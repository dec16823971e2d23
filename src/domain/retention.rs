//! How long a closed case keeps its personal data, and what the minimal
//! accountability record that remains holds.

use chrono::{Months, NaiveDate};

use super::{Regime, RightRequest};

/// The day a case closed on `closed` is reduced to its minimal record: the
/// configured months after, or the regime's minimum for keeping records of
/// requests if that is longer (CCPA: 24 months).
pub fn reduce_on(closed: NaiveDate, regime: Regime, configured_months: u32) -> NaiveDate {
    let months = configured_months.max(regime.rules().records_kept_months);
    closed
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The latest closing day whose cases are due for reduction `today`, for a
/// regime: cases closed on or before it are reduced.
pub fn closed_by(today: NaiveDate, regime: Regime, configured_months: u32) -> NaiveDate {
    let months = configured_months.max(regime.rules().records_kept_months);
    today
        .checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

impl RightRequest {
    /// The same right with every free text the requester wrote removed
    /// (their descriptions, reasons, the decision they named), keeping only
    /// the choices: what the minimal record keeps.
    pub fn without_free_text(&self) -> RightRequest {
        use RightRequest as R;
        match self {
            R::Access { .. } => R::Access { scope: None },
            R::Rectification {
                contact_details_only,
                ..
            } => R::Rectification {
                corrections: String::new(),
                contact_details_only: *contact_details_only,
            },
            R::Erasure { ground } => R::Erasure { ground: *ground },
            R::Restriction { ground } => R::Restriction { ground: *ground },
            R::Portability { destination, .. } => R::Portability {
                destination: *destination,
                receiving_controller: None,
            },
            R::Objection { ground, .. } => R::Objection {
                ground: *ground,
                reasons: None,
            },
            R::AutomatedDecision { .. } => R::AutomatedDecision {
                decision: String::new(),
            },
            R::WithdrawConsent { .. } => R::WithdrawConsent {
                purposes: String::new(),
            },
            R::OptOut => R::OptOut,
            R::Limit => R::Limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn ccpa_records_are_kept_at_least_24_months() {
        let closed = d(2026, 1, 31);
        assert_eq!(reduce_on(closed, Regime::UK_GDPR, 6), d(2026, 7, 31));
        assert_eq!(reduce_on(closed, Regime::CCPA, 6), d(2028, 1, 31));
        assert_eq!(reduce_on(closed, Regime::CCPA, 36), d(2029, 1, 31));
        assert_eq!(closed_by(d(2028, 1, 31), Regime::CCPA, 6), closed);
        assert_eq!(closed_by(d(2026, 7, 31), Regime::EU_GDPR, 6), closed);
    }

    #[test]
    fn the_minimal_record_keeps_choices_not_words() {
        use crate::domain::rights::ObjectionGround;
        let objection = RightRequest::Objection {
            ground: ObjectionGround::DirectMarketing,
            reasons: Some("My name is Ada and...".into()),
        };
        assert_eq!(
            objection.without_free_text(),
            RightRequest::Objection {
                ground: ObjectionGround::DirectMarketing,
                reasons: None
            }
        );
        let fix = RightRequest::Rectification {
            corrections: "My address is 1 Main St".into(),
            contact_details_only: true,
        };
        assert!(!format!("{:?}", fix.without_free_text()).contains("Main St"));
    }
}
