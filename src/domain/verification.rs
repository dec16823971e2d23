//! How sure we must be of who is asking, per right and regime: proportionate
//! to the harm of answering the wrong person (UK GDPR Art. 12(6), ICO
//! guidance; CCPA regulations §§ 7060–7062, which forbid verifying opt-outs).
//! The defaults can be raised or lowered by an admin per right and regime;
//! a case asks for the strictest level any of its rights needs.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::rights::{ObjectionGround, Right, RightRequest};
use super::Regime;

/// How a requester's identity is checked, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The confirmed email address is enough.
    EmailOnly,
    /// Details only they would know must match what we hold.
    DataPoints,
    /// Proof of identity and proof of address.
    Documents,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::EmailOnly, Level::DataPoints, Level::Documents];

    pub fn key(self) -> &'static str {
        match self {
            Level::EmailOnly => "email_only",
            Level::DataPoints => "data_points",
            Level::Documents => "documents",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::EmailOnly => "Confirmed email address",
            Level::DataPoints => "Matching details we hold",
            Level::Documents => "Identity and address documents",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown verification level '{0}'")]
pub struct UnknownLevel(pub String);

impl FromStr for Level {
    type Err = UnknownLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::ALL
            .into_iter()
            .find(|l| l.key() == s)
            .ok_or_else(|| UnknownLevel(s.to_owned()))
    }
}

/// The shipped level for a right under a regime, and why.
pub fn default_level(right: Right, regime: Regime) -> (Level, &'static str) {
    match (right, regime) {
        (Right::Objection, Regime::Ccpa) => (
            Level::EmailOnly,
            "The CCPA forbids asking for verification of an opt-out of sale or sharing.",
        ),
        (Right::WithdrawConsent, _) => (
            Level::EmailOnly,
            "Withdrawing consent only stops processing; acting for the wrong person harms no one.",
        ),
        (Right::Access | Right::Portability, _) => (
            Level::Documents,
            "Disclosing personal data to the wrong person would itself be a breach.",
        ),
        (Right::Erasure, _) => (
            Level::Documents,
            "Erasure cannot be undone; erasing the wrong person's data would be a breach.",
        ),
        (Right::Objection, _) => (
            Level::DataPoints,
            "Objecting stops processing; details that match are enough, and an objection to direct marketing needs only the email (see the request's ground).",
        ),
        (Right::Rectification | Right::Restriction | Right::AutomatedDecision, _) => (
            Level::DataPoints,
            "Changing or pausing data, or reviewing a decision, for the wrong person would mislead us; matching details are proportionate.",
        ),
    }
}

/// The level one requested right needs: its regime's policy (an admin's
/// override, if any, else the default), lowered to the email check for an
/// objection to direct marketing, which is absolute and harmless to honour.
pub fn level_for(
    request: &RightRequest,
    regime: Regime,
    overrides: &[(Right, Regime, Level)],
) -> (Level, String) {
    let right = request.right();
    if let RightRequest::Objection {
        ground: ObjectionGround::DirectMarketing | ObjectionGround::SaleOrSharing,
        ..
    } = request
    {
        return (
            Level::EmailOnly,
            "An objection to direct marketing (or a CCPA opt-out) must be honoured without further checks.".into(),
        );
    }
    match overrides
        .iter()
        .find(|(r, g, _)| *r == right && *g == regime)
    {
        Some((_, _, level)) => (*level, "Set by an admin for this right and law.".into()),
        None => {
            let (level, why) = default_level(right, regime);
            (level, why.into())
        }
    }
}

/// What a whole case needs: the strictest of its rights, with the reason
/// of the right that sets it.
pub fn level_for_case(
    rights: &[RightRequest],
    regime: Regime,
    overrides: &[(Right, Regime, Level)],
) -> (Level, String) {
    rights
        .iter()
        .map(|r| {
            let (level, why) = level_for(r, regime, overrides);
            (level, format!("{}: {why}", r.right().title(regime)))
        })
        .max_by_key(|(level, _)| *level)
        .unwrap_or((Level::EmailOnly, "No rights recorded.".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objection(ground: ObjectionGround) -> RightRequest {
        RightRequest::Objection {
            ground,
            reasons: None,
        }
    }

    #[test]
    fn disclosure_and_erasure_need_documents_opt_outs_need_nothing_more() {
        let access = RightRequest::Access { scope: None };
        assert_eq!(level_for(&access, Regime::UkGdpr, &[]).0, Level::Documents);
        assert_eq!(
            level_for(
                &objection(ObjectionGround::SaleOrSharing),
                Regime::Ccpa,
                &[]
            )
            .0,
            Level::EmailOnly
        );
        assert_eq!(
            level_for(
                &objection(ObjectionGround::DirectMarketing),
                Regime::UkGdpr,
                &[]
            )
            .0,
            Level::EmailOnly
        );
        assert_eq!(
            level_for(
                &objection(ObjectionGround::LegitimateInterests),
                Regime::UkGdpr,
                &[]
            )
            .0,
            Level::DataPoints
        );
    }

    #[test]
    fn an_admin_override_replaces_the_default_but_never_for_opt_outs() {
        let access = RightRequest::Access { scope: None };
        let overrides = [
            (Right::Access, Regime::Ccpa, Level::DataPoints),
            (Right::Objection, Regime::Ccpa, Level::Documents),
        ];
        let (level, why) = level_for(&access, Regime::Ccpa, &overrides);
        assert_eq!(level, Level::DataPoints);
        assert!(why.contains("admin"));
        assert_eq!(
            level_for(&access, Regime::UkGdpr, &overrides).0,
            Level::Documents
        );
        assert_eq!(
            level_for(
                &objection(ObjectionGround::SaleOrSharing),
                Regime::Ccpa,
                &overrides
            )
            .0,
            Level::EmailOnly
        );
    }

    #[test]
    fn a_case_needs_its_strictest_right() {
        let rights = [
            objection(ObjectionGround::DirectMarketing),
            RightRequest::Erasure { ground: None },
        ];
        let (level, why) = level_for_case(&rights, Regime::UkGdpr, &[]);
        assert_eq!(level, Level::Documents);
        assert!(why.starts_with("Right to erasure"), "{why}");
        for l in Level::ALL {
            assert_eq!(l.key().parse::<Level>(), Ok(l));
        }
    }
}
