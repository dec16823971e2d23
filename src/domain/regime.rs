//! The legal regimes a request is handled under, and how a requester's
//! location picks one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The law a case is handled under. Chosen from where the requester lives and
/// overridable by staff; a case always has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Regime {
    #[serde(rename = "uk-gdpr")]
    UkGdpr,
    #[serde(rename = "eu-gdpr")]
    EuGdpr,
    #[serde(rename = "ccpa")]
    Ccpa,
}

impl Regime {
    pub const ALL: [Regime; 3] = [Regime::UkGdpr, Regime::EuGdpr, Regime::Ccpa];

    pub fn key(self) -> &'static str {
        match self {
            Regime::UkGdpr => "uk-gdpr",
            Regime::EuGdpr => "eu-gdpr",
            Regime::Ccpa => "ccpa",
        }
    }

    /// The name a requester reads.
    pub fn title(self) -> &'static str {
        match self {
            Regime::UkGdpr => "UK GDPR and the Data Protection Act 2018",
            Regime::EuGdpr => "EU General Data Protection Regulation (GDPR)",
            Regime::Ccpa => "California Consumer Privacy Act (CCPA, as amended by the CPRA)",
        }
    }

    pub fn is_gdpr(self) -> bool {
        matches!(self, Regime::UkGdpr | Regime::EuGdpr)
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown regime '{0}': expected one of uk-gdpr, eu-gdpr, ccpa")]
pub struct UnknownRegime(pub String);

impl FromStr for Regime {
    type Err = UnknownRegime;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Regime::ALL
            .into_iter()
            .find(|r| r.key() == s.trim())
            .ok_or_else(|| UnknownRegime(s.to_owned()))
    }
}

/// Where the requester says they live. Only the distinctions the law draws
/// are kept: the United Kingdom, a country of the EEA, California, elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    code: &'static str,
    name: &'static str,
    kind: LocationKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LocationKind {
    UnitedKingdom,
    Eea,
    California,
    Elsewhere,
}

const fn loc(code: &'static str, name: &'static str, kind: LocationKind) -> Location {
    Location { code, name, kind }
}

/// Every location the intake form offers, in the order it shows them.
pub const LOCATIONS: &[Location] = &[
    loc("GB", "United Kingdom", LocationKind::UnitedKingdom),
    loc(
        "US-CA",
        "California, United States",
        LocationKind::California,
    ),
    loc("AT", "Austria", LocationKind::Eea),
    loc("BE", "Belgium", LocationKind::Eea),
    loc("BG", "Bulgaria", LocationKind::Eea),
    loc("HR", "Croatia", LocationKind::Eea),
    loc("CY", "Cyprus", LocationKind::Eea),
    loc("CZ", "Czechia", LocationKind::Eea),
    loc("DK", "Denmark", LocationKind::Eea),
    loc("EE", "Estonia", LocationKind::Eea),
    loc("FI", "Finland", LocationKind::Eea),
    loc("FR", "France", LocationKind::Eea),
    loc("DE", "Germany", LocationKind::Eea),
    loc("GR", "Greece", LocationKind::Eea),
    loc("HU", "Hungary", LocationKind::Eea),
    loc("IS", "Iceland", LocationKind::Eea),
    loc("IE", "Ireland", LocationKind::Eea),
    loc("IT", "Italy", LocationKind::Eea),
    loc("LV", "Latvia", LocationKind::Eea),
    loc("LI", "Liechtenstein", LocationKind::Eea),
    loc("LT", "Lithuania", LocationKind::Eea),
    loc("LU", "Luxembourg", LocationKind::Eea),
    loc("MT", "Malta", LocationKind::Eea),
    loc("NL", "Netherlands", LocationKind::Eea),
    loc("NO", "Norway", LocationKind::Eea),
    loc("PL", "Poland", LocationKind::Eea),
    loc("PT", "Portugal", LocationKind::Eea),
    loc("RO", "Romania", LocationKind::Eea),
    loc("SK", "Slovakia", LocationKind::Eea),
    loc("SI", "Slovenia", LocationKind::Eea),
    loc("ES", "Spain", LocationKind::Eea),
    loc("SE", "Sweden", LocationKind::Eea),
    loc("OTHER", "Somewhere else", LocationKind::Elsewhere),
];

impl Location {
    /// Parses a location code as the form sends it (`GB`, `FR`, `US-CA`, `OTHER`).
    pub fn parse(code: &str) -> Option<Location> {
        let code = code.trim();
        LOCATIONS
            .iter()
            .copied()
            .find(|l| l.code.eq_ignore_ascii_case(code))
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    pub fn name(self) -> &'static str {
        self.name
    }

    /// The regime for someone living here; `home` is the organisation's own
    /// regime, used for everywhere the law does not otherwise reach.
    pub fn regime(self, home: Regime) -> Regime {
        match self.kind {
            LocationKind::UnitedKingdom => Regime::UkGdpr,
            LocationKind::Eea => Regime::EuGdpr,
            LocationKind::California => Regime::Ccpa,
            LocationKind::Elsewhere => home,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_regime_round_trips_through_its_key() {
        for r in Regime::ALL {
            assert_eq!(r.key().parse::<Regime>(), Ok(r));
        }
        assert!("gdpr".parse::<Regime>().is_err());
        assert!("".parse::<Regime>().is_err());
    }

    #[test]
    fn location_picks_the_regime() {
        let home = Regime::UkGdpr;
        assert_eq!(Location::parse("GB").unwrap().regime(home), Regime::UkGdpr);
        assert_eq!(Location::parse("fr").unwrap().regime(home), Regime::EuGdpr);
        assert_eq!(Location::parse("NO").unwrap().regime(home), Regime::EuGdpr);
        assert_eq!(Location::parse("US-CA").unwrap().regime(home), Regime::Ccpa);
        assert_eq!(
            Location::parse("OTHER").unwrap().regime(Regime::EuGdpr),
            Regime::EuGdpr
        );
        assert_eq!(Location::parse("XX"), None);
    }

    #[test]
    fn the_eea_has_thirty_countries() {
        let eea = LOCATIONS
            .iter()
            .filter(|l| l.kind == LocationKind::Eea)
            .count();
        assert_eq!(eea, 30);
    }
}
