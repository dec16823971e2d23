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

/// The shipped level for a right under a regime, and why: the regime's
/// rules say (known data points before documents; documents only where
/// staff choose them for a reason). A right the regime does not grant
/// (a case moved to another law) needs matching details.
pub fn default_level(right: Right, regime: Regime) -> (Level, &'static str) {
    regime.right(right).map_or(
        (
            Level::DataPoints,
            "Not a right under this law; matching details are proportionate.",
        ),
        |r| (r.verification, r.verification_why),
    )
}

/// The level one requested right needs: its regime's policy (an admin's
/// override, if any, else the default). Some requests need only the
/// confirmed email whatever the policy: an objection to direct marketing
/// (absolute, and harmless to honour), a correction of contact details,
/// and the regime's fast-track rights (the CCPA forbids verifying an
/// opt-out or a limit).
pub fn level_for(
    request: &RightRequest,
    regime: Regime,
    overrides: &[(Right, Regime, Level)],
) -> (Level, String) {
    let right = request.right();
    if regime.is_fast_track(request) || request.is_opt_out_or_limit() {
        return (
            Level::EmailOnly,
            "An opt-out of sale or sharing or a limit on sensitive information is never verified."
                .into(),
        );
    }
    match request {
        RightRequest::Objection {
            ground: ObjectionGround::DirectMarketing,
            ..
        } => {
            return (
                Level::EmailOnly,
                "An objection to direct marketing must be honoured without further checks.".into(),
            )
        }
        RightRequest::Rectification {
            contact_details_only: true,
            ..
        } => {
            return (
                Level::EmailOnly,
                "Only contact details are corrected: the confirmed email address is enough.".into(),
            )
        }
        _ => {}
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

/// What a whole case needs: the strictest of its rights that are verified
/// at all (fast-track rights never wait for it), with the reason of the
/// right that sets it.
pub fn level_for_case(
    rights: &[RightRequest],
    regime: Regime,
    overrides: &[(Right, Regime, Level)],
) -> (Level, String) {
    rights
        .iter()
        .map(|r| {
            let (level, why) = level_for(r, regime, overrides);
            (level, format!("{}: {why}", regime.right_name(r.right())))
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
    fn matching_details_before_documents_and_opt_outs_need_nothing_more() {
        for regime in Regime::ALL {
            for right in Right::ALL {
                assert_ne!(
                    default_level(right, regime).0,
                    Level::Documents,
                    "{regime} {right}"
                );
            }
        }
        let access = RightRequest::Access { scope: None };
        assert_eq!(
            level_for(&access, Regime::UK_GDPR, &[]).0,
            Level::DataPoints
        );
        for request in [
            RightRequest::OptOut,
            RightRequest::Limit,
            objection(ObjectionGround::SaleOrSharing),
        ] {
            assert_eq!(level_for(&request, Regime::CCPA, &[]).0, Level::EmailOnly);
        }
        assert_eq!(
            level_for(
                &objection(ObjectionGround::DirectMarketing),
                Regime::UK_GDPR,
                &[]
            )
            .0,
            Level::EmailOnly
        );
        assert_eq!(
            level_for(
                &objection(ObjectionGround::LegitimateInterests),
                Regime::UK_GDPR,
                &[]
            )
            .0,
            Level::DataPoints
        );
        let contact = RightRequest::Rectification {
            corrections: "New address".into(),
            contact_details_only: true,
        };
        assert_eq!(
            level_for(&contact, Regime::EU_GDPR, &[]).0,
            Level::EmailOnly
        );
        let withdraw = RightRequest::WithdrawConsent {
            purposes: "x".into(),
        };
        assert_eq!(
            level_for(&withdraw, Regime::UK_GDPR, &[]).0,
            Level::EmailOnly
        );
    }

    #[test]
    fn an_admin_override_replaces_the_default_but_never_for_opt_outs() {
        let access = RightRequest::Access { scope: None };
        let overrides = [
            (Right::Access, Regime::CCPA, Level::Documents),
            (Right::OptOut, Regime::CCPA, Level::Documents),
            (Right::Limit, Regime::CCPA, Level::Documents),
        ];
        let (level, why) = level_for(&access, Regime::CCPA, &overrides);
        assert_eq!(level, Level::Documents);
        assert!(why.contains("admin"));
        assert_eq!(
            level_for(&access, Regime::UK_GDPR, &overrides).0,
            Level::DataPoints
        );
        assert_eq!(
            level_for(&RightRequest::OptOut, Regime::CCPA, &overrides).0,
            Level::EmailOnly
        );
        assert_eq!(
            level_for(&RightRequest::Limit, Regime::CCPA, &overrides).0,
            Level::EmailOnly
        );
    }

    #[test]
    fn a_case_needs_its_strictest_right() {
        let rights = [
            objection(ObjectionGround::DirectMarketing),
            RightRequest::Erasure { ground: None },
        ];
        let (level, why) = level_for_case(&rights, Regime::UK_GDPR, &[]);
        assert_eq!(level, Level::DataPoints);
        assert!(why.starts_with("Right to erasure"), "{why}");
        for l in Level::ALL {
            assert_eq!(l.key().parse::<Level>(), Ok(l));
        }
    }
}
