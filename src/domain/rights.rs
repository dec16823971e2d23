//! The rights catalogue: the rights a request can hold and the details
//! each one needs from the requester. What each is called, and whether a
//! regime grants it at all, is the regime's (`domain::regime`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    Access,
    Rectification,
    Erasure,
    Restriction,
    Portability,
    Objection,
    AutomatedDecision,
    WithdrawConsent,
    /// CCPA: opt out of the sale or sharing of personal information.
    OptOut,
    /// CCPA: limit the use and disclosure of sensitive personal information.
    Limit,
}

impl Right {
    pub const ALL: [Right; 10] = [
        Right::Access,
        Right::Rectification,
        Right::Erasure,
        Right::Restriction,
        Right::Portability,
        Right::Objection,
        Right::AutomatedDecision,
        Right::WithdrawConsent,
        Right::OptOut,
        Right::Limit,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Right::Access => "access",
            Right::Rectification => "rectification",
            Right::Erasure => "erasure",
            Right::Restriction => "restriction",
            Right::Portability => "portability",
            Right::Objection => "objection",
            Right::AutomatedDecision => "automated_decision",
            Right::WithdrawConsent => "withdraw_consent",
            Right::OptOut => "opt_out",
            Right::Limit => "limit",
        }
    }

    /// A short name for staff lists.
    pub fn short(self) -> &'static str {
        match self {
            Right::Access => "Access",
            Right::Rectification => "Rectification",
            Right::Erasure => "Erasure",
            Right::Restriction => "Restriction",
            Right::Portability => "Portability",
            Right::Objection => "Objection",
            Right::AutomatedDecision => "Automated decision",
            Right::WithdrawConsent => "Withdraw consent",
            Right::OptOut => "Opt out of sale/sharing",
            Right::Limit => "Limit sensitive data",
        }
    }

    /// The plain-language label the intake form shows.
    pub fn label(self) -> &'static str {
        match self {
            Right::Access => "Get a copy of my personal data",
            Right::Rectification => "Correct personal data that is wrong or incomplete",
            Right::Erasure => "Delete my personal data",
            Right::Restriction => "Restrict (pause) the use of my personal data",
            Right::Portability => "Receive my data in a machine-readable format, or have it sent to another organisation",
            Right::Objection => "Object to the use of my personal data (for example for direct marketing)",
            Right::AutomatedDecision => "Have a person review a decision made about me by automated means",
            Right::WithdrawConsent => "Withdraw consent I gave",
            Right::OptOut => "Stop selling or sharing my personal information (opt out of sale/sharing)",
            Right::Limit => "Limit the use and disclosure of my sensitive personal information",
        }
    }

    /// The label, for someone asking on another's behalf when `for_another`.
    pub fn label_for(self, for_another: bool) -> &'static str {
        if !for_another {
            return self.label();
        }
        match self {
            Right::Access => "Get a copy of their personal data",
            Right::Rectification => "Correct personal data about them that is wrong or incomplete",
            Right::Erasure => "Delete their personal data",
            Right::Restriction => "Restrict (pause) the use of their personal data",
            Right::Portability => "Receive their data in a machine-readable format, or have it sent to another organisation",
            Right::Objection => "Object to the use of their personal data (for example for direct marketing)",
            Right::AutomatedDecision => "Have a person review a decision made about them by automated means",
            Right::WithdrawConsent => "Withdraw consent they gave",
            Right::OptOut => "Stop selling or sharing their personal information (opt out of sale/sharing)",
            Right::Limit => "Limit the use and disclosure of their sensitive personal information",
        }
    }
}

impl fmt::Display for Right {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown right '{0}'")]
pub struct UnknownRight(pub String);

impl FromStr for Right {
    type Err = UnknownRight;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Right::ALL
            .into_iter()
            .find(|r| r.key() == s)
            .ok_or_else(|| UnknownRight(s.to_owned()))
    }
}

/// A fixed list of choices (grounds) that a right asks for. Each has a key the
/// form sends and a label a person reads.
pub trait Choice: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn key(self) -> &'static str;
    fn label(self) -> &'static str;

    fn parse(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.key() == key)
    }
}

/// Article 17(1) grounds for erasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureGround {
    NoLongerNecessary,
    ConsentWithdrawn,
    Objected,
    UnlawfulProcessing,
    LegalObligation,
    ChildOnlineService,
}

impl Choice for ErasureGround {
    const ALL: &'static [Self] = &[
        Self::NoLongerNecessary,
        Self::ConsentWithdrawn,
        Self::Objected,
        Self::UnlawfulProcessing,
        Self::LegalObligation,
        Self::ChildOnlineService,
    ];

    fn key(self) -> &'static str {
        match self {
            Self::NoLongerNecessary => "no_longer_necessary",
            Self::ConsentWithdrawn => "consent_withdrawn",
            Self::Objected => "objected",
            Self::UnlawfulProcessing => "unlawful_processing",
            Self::LegalObligation => "legal_obligation",
            Self::ChildOnlineService => "child_online_service",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::NoLongerNecessary => {
                "The data is no longer needed for the purpose it was collected for"
            }
            Self::ConsentWithdrawn => "I withdraw the consent the processing relies on",
            Self::Objected => {
                "I object to the processing and there is no overriding reason to continue"
            }
            Self::UnlawfulProcessing => "The data has been processed unlawfully",
            Self::LegalObligation => "The data must be erased to comply with a legal obligation",
            Self::ChildOnlineService => {
                "The data was collected when I was a child, for an online service"
            }
        }
    }
}

/// Article 18(1) grounds for restriction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestrictionGround {
    AccuracyContested,
    UnlawfulButKeep,
    NeededForLegalClaims,
    ObjectionPending,
    /// Stored by earlier versions for a Californian's limit; now `Right::Limit`.
    SensitiveInformation,
}

impl Choice for RestrictionGround {
    const ALL: &'static [Self] = &[
        Self::AccuracyContested,
        Self::UnlawfulButKeep,
        Self::NeededForLegalClaims,
        Self::ObjectionPending,
    ];

    fn key(self) -> &'static str {
        match self {
            Self::AccuracyContested => "accuracy_contested",
            Self::UnlawfulButKeep => "unlawful_but_keep",
            Self::NeededForLegalClaims => "needed_for_legal_claims",
            Self::ObjectionPending => "objection_pending",
            Self::SensitiveInformation => "sensitive_information",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::AccuracyContested => "I say the data is inaccurate, while you check it",
            Self::UnlawfulButKeep => {
                "The processing is unlawful, but I want the data kept rather than deleted"
            }
            Self::NeededForLegalClaims => {
                "You no longer need the data, but I need it for a legal claim"
            }
            Self::ObjectionPending => "I have objected, while you consider my objection",
            Self::SensitiveInformation => {
                "Limit the use of my sensitive personal information (California)"
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionGround {
    DirectMarketing,
    LegitimateInterests,
    /// Stored by earlier versions for a Californian's opt-out; now `Right::OptOut`.
    SaleOrSharing,
}

impl Choice for ObjectionGround {
    const ALL: &'static [Self] = &[Self::DirectMarketing, Self::LegitimateInterests];

    fn key(self) -> &'static str {
        match self {
            Self::DirectMarketing => "direct_marketing",
            Self::LegitimateInterests => "legitimate_interests",
            Self::SaleOrSharing => "sale_or_sharing",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::DirectMarketing => "Sending me direct marketing (you must stop)",
            Self::LegitimateInterests => {
                "Another use of my data (tell us which, and why if you can)"
            }
            Self::SaleOrSharing => "Sale or sharing of my personal information (opt-out)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortabilityDestination {
    ToMe,
    ToAnotherController,
}

impl Choice for PortabilityDestination {
    const ALL: &'static [Self] = &[Self::ToMe, Self::ToAnotherController];

    fn key(self) -> &'static str {
        match self {
            Self::ToMe => "to_me",
            Self::ToAnotherController => "to_another_controller",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::ToMe => "Send it to me",
            Self::ToAnotherController => "Send it directly to another organisation",
        }
    }
}

/// One right as requested, with the details that right needs. A value of this
/// type is complete: intake parsing refuses to build one with a required
/// detail missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "right", rename_all = "snake_case")]
pub enum RightRequest {
    Access {
        scope: Option<String>,
    },
    Rectification {
        corrections: String,
        /// Only contact details are corrected (the confirmed email is
        /// enough to act on it).
        #[serde(default)]
        contact_details_only: bool,
    },
    Erasure {
        /// Optional: the law does not make the requester name one.
        ground: Option<ErasureGround>,
    },
    Restriction {
        ground: RestrictionGround,
    },
    Portability {
        destination: PortabilityDestination,
        receiving_controller: Option<String>,
    },
    Objection {
        ground: ObjectionGround,
        reasons: Option<String>,
    },
    AutomatedDecision {
        decision: String,
    },
    WithdrawConsent {
        purposes: String,
    },
    OptOut,
    Limit,
}

impl RightRequest {
    pub fn right(&self) -> Right {
        match self {
            RightRequest::Access { .. } => Right::Access,
            RightRequest::Rectification { .. } => Right::Rectification,
            RightRequest::Erasure { .. } => Right::Erasure,
            RightRequest::Restriction { .. } => Right::Restriction,
            RightRequest::Portability { .. } => Right::Portability,
            RightRequest::Objection { .. } => Right::Objection,
            RightRequest::AutomatedDecision { .. } => Right::AutomatedDecision,
            RightRequest::WithdrawConsent { .. } => Right::WithdrawConsent,
            RightRequest::OptOut => Right::OptOut,
            RightRequest::Limit => Right::Limit,
        }
    }

    /// One line saying what was asked, for emails and the case page.
    pub fn summary(&self) -> String {
        match self {
            RightRequest::Access { scope: None } => "A copy of your personal data".into(),
            RightRequest::Access { scope: Some(s) } => {
                format!("A copy of your personal data (you said: {s})")
            }
            RightRequest::Rectification { corrections, .. } => {
                format!("Correct your data as you described: {corrections}")
            }
            RightRequest::Erasure { ground: None } => "Delete your personal data".into(),
            RightRequest::Erasure { ground: Some(g) } => {
                format!("Delete your personal data. Ground: {}", g.label())
            }
            RightRequest::Restriction { ground } => {
                format!("Restrict the use of your data. Ground: {}", ground.label())
            }
            RightRequest::Portability {
                destination,
                receiving_controller,
            } => match receiving_controller {
                Some(to) => format!("Your data in a machine-readable format, sent to {to}"),
                None => format!(
                    "Your data in a machine-readable format ({})",
                    destination.label().to_lowercase()
                ),
            },
            RightRequest::Objection { ground, reasons } => match reasons {
                Some(r) => format!("Stop: {}. Your reasons: {r}", ground.label()),
                None => format!("Stop: {}", ground.label()),
            },
            RightRequest::AutomatedDecision { decision } => {
                format!("Human review of the automated decision: {decision}")
            }
            RightRequest::WithdrawConsent { purposes } => {
                format!("Withdraw your consent for: {purposes}")
            }
            RightRequest::OptOut => "Stop selling or sharing your personal information".into(),
            RightRequest::Limit => {
                "Limit the use and disclosure of your sensitive personal information".into()
            }
        }
    }

    /// The right this request is, reading earlier versions' Californian
    /// opt-out (an objection to sale or sharing) and limit (a restriction
    /// of sensitive information) as the rights they now are.
    pub fn effective_right(&self) -> Right {
        match self {
            RightRequest::Objection {
                ground: ObjectionGround::SaleOrSharing,
                ..
            } => Right::OptOut,
            RightRequest::Restriction {
                ground: RestrictionGround::SensitiveInformation,
            } => Right::Limit,
            other => other.right(),
        }
    }

    /// Whether this is an opt-out of sale or sharing or a limit on
    /// sensitive information (including as earlier versions stored them).
    pub fn is_opt_out_or_limit(&self) -> bool {
        matches!(self.effective_right(), Right::OptOut | Right::Limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn someone_acting_for_another_reads_each_right_about_them() {
        for r in Right::ALL {
            let theirs = r.label_for(true);
            assert_ne!(theirs, r.label(), "{r}");
            assert!(
                !theirs.contains(" my ") && !theirs.contains(" me ") && !theirs.contains(" I "),
                "{theirs}"
            );
            assert_eq!(r.label_for(false), r.label());
        }
    }

    #[test]
    fn every_right_round_trips_through_its_key() {
        for r in Right::ALL {
            assert_eq!(r.key().parse::<Right>(), Ok(r));
            assert!(!r.label().is_empty() && !r.short().is_empty());
        }
        assert!("delete".parse::<Right>().is_err());
    }

    #[test]
    fn choices_parse_only_their_own_keys() {
        for g in ErasureGround::ALL {
            assert_eq!(ErasureGround::parse(g.key()), Some(*g));
        }
        for g in RestrictionGround::ALL {
            assert_eq!(RestrictionGround::parse(g.key()), Some(*g));
        }
        for g in ObjectionGround::ALL {
            assert_eq!(ObjectionGround::parse(g.key()), Some(*g));
        }
        assert_eq!(ErasureGround::parse("because"), None);
        // Earlier versions' Californian choices are rights of their own now.
        assert_eq!(ObjectionGround::parse("sale_or_sharing"), None);
        assert_eq!(RestrictionGround::parse("sensitive_information"), None);
    }

    #[test]
    fn details_survive_a_json_round_trip() {
        let r = RightRequest::Portability {
            destination: PortabilityDestination::ToAnotherController,
            receiving_controller: Some("Acme Bank".into()),
        };
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("\"right\":\"portability\""));
        assert_eq!(serde_json::from_str::<RightRequest>(&json).unwrap(), r);
        assert_eq!(r.right(), Right::Portability);
        let json = serde_json::to_string(&RightRequest::OptOut).unwrap();
        assert_eq!(json, "{\"right\":\"opt_out\"}");
        // A rectification stored before contact_details_only existed.
        let old: RightRequest =
            serde_json::from_str(r#"{"right":"rectification","corrections":"x"}"#).unwrap();
        assert_eq!(
            old,
            RightRequest::Rectification {
                corrections: "x".into(),
                contact_details_only: false
            }
        );
    }

    #[test]
    fn opt_outs_and_limits_old_and_new() {
        let old_opt_out = RightRequest::Objection {
            ground: ObjectionGround::SaleOrSharing,
            reasons: None,
        };
        let marketing = RightRequest::Objection {
            ground: ObjectionGround::DirectMarketing,
            reasons: None,
        };
        assert!(old_opt_out.is_opt_out_or_limit());
        assert!(RightRequest::OptOut.is_opt_out_or_limit());
        assert!(RightRequest::Limit.is_opt_out_or_limit());
        assert!(!marketing.is_opt_out_or_limit());
    }
}
