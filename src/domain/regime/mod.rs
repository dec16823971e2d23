//! The legal regimes a request is handled under. Each regime is one table
//! of rules ([`Rules`]) in its own module: how its clock starts, runs,
//! stops and is extended, its calendar, which rights it grants and what it
//! calls them, how sure we must be of who is asking, its refusal grounds and
//! its remedies. Nothing outside this module branches on a regime's name:
//! code asks the regime. Adding a regime means one new rules module, its
//! calendar and its texts (see the test-only regime in this module's tests).

mod ccpa;
mod eu_gdpr;
pub mod table;
mod uk_gdpr;

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::calendar::rules::CalendarRules;
use super::casework::ExtensionReason;
use super::rights::{Right, RightRequest};
use super::verification::Level;

/// A statutory period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Calendar months by the corresponding-date rule (the last day of a
    /// shorter month).
    Months(u32),
    /// Calendar days after the day of receipt.
    Days(u32),
}

impl Period {
    pub fn describe(self) -> String {
        match self {
            Period::Months(1) => "one month".into(),
            Period::Months(n) => format!("{n} months"),
            Period::Days(n) => format!("{n} calendar days"),
        }
    }
}

/// Something the organisation may wait for before answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awaited {
    Identity,
    Fee,
}

/// How the regime's clock runs.
#[derive(Debug, Clone, Copy)]
pub struct ClockRules {
    /// The time to answer, from the day of receipt.
    pub period: Period,
    pub period_source: &'static str,
    /// What, when asked for, makes the period start on the day it arrives.
    pub restarts_on: &'static [Awaited],
    pub restart_source: &'static str,
    /// The rights for which asking the requester to clarify stops the clock
    /// until they answer. A request with any other right keeps running.
    pub clarification_pauses: &'static [Right],
    pub pause_source: &'static str,
    pub extension: Extension,
    /// Business days to acknowledge the request within, where the law sets one.
    pub acknowledge_within: Option<u32>,
    pub acknowledge_source: &'static str,
    /// Rights acted on within a shorter period and never verified.
    pub fast_track: Option<FastTrack>,
}

/// How far, why and until when the period may be extended.
#[derive(Debug, Clone, Copy)]
pub struct Extension {
    /// The whole period once extended, from the same start.
    pub total: Period,
    /// What the requester reads: "up to two further months".
    pub words: &'static str,
    pub reasons: &'static [ExtensionReason],
    pub source: &'static str,
}

/// Rights the regime wants acted on quickly, with no identity check (the
/// CCPA's opt-out of sale or sharing and limit on sensitive information).
#[derive(Debug, Clone, Copy)]
pub struct FastTrack {
    pub business_days: u32,
    /// What it is, for the derivation: "opt-out of sale or sharing, or limit".
    pub what: &'static str,
    pub rights: &'static [Right],
    pub source: &'static str,
}

/// One right as a regime grants it.
#[derive(Debug, Clone, Copy)]
pub struct RightRules {
    pub right: Right,
    /// The statutory name: "Right of access", "Request to know".
    pub name: &'static str,
    pub basis: &'static str,
    /// The default level of identity check, and why it is proportionate.
    pub verification: Level,
    pub verification_why: &'static str,
}

/// A ground on which a whole request may be refused.
#[derive(Debug, Clone, Copy)]
pub struct RefusalGround {
    pub key: &'static str,
    /// What staff choose from.
    pub label: &'static str,
    /// What the requester is told, in the refusal email.
    pub requester_text: &'static str,
    pub source: &'static str,
}

/// Where a requester can go when they disagree with us.
#[derive(Debug, Clone, Copy)]
pub struct Remedies {
    /// Complaint to the authority named in the settings (`authorities.<key>`).
    pub complaint: &'static str,
    /// Anyone else they may tell (the CCPA's Attorney General).
    pub also: Option<&'static str>,
    /// The right to go to court, where the law gives one for this.
    pub court: Option<&'static str>,
    pub source: &'static str,
}

/// One of the organisation-wide texts an answer quotes (configured under
/// `[answers]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgText {
    Purposes,
    Categories,
    Recipients,
    Retention,
    Sources,
    AutomatedDecisions,
    Transfers,
}

impl OrgText {
    pub const ALL: [OrgText; 7] = [
        OrgText::Purposes,
        OrgText::Categories,
        OrgText::Recipients,
        OrgText::Retention,
        OrgText::Sources,
        OrgText::AutomatedDecisions,
        OrgText::Transfers,
    ];

    /// The stored form (and the setting's name under `[answers]`).
    pub fn key(self) -> &'static str {
        match self {
            OrgText::Purposes => "purposes",
            OrgText::Categories => "categories",
            OrgText::Recipients => "recipients",
            OrgText::Retention => "retention",
            OrgText::Sources => "sources",
            OrgText::AutomatedDecisions => "automated_decisions",
            OrgText::Transfers => "transfers",
        }
    }

    pub fn parse(key: &str) -> Option<OrgText> {
        OrgText::ALL.into_iter().find(|t| t.key() == key)
    }

    /// What the text is about, for the admins who write it.
    pub fn label(self) -> &'static str {
        match self {
            OrgText::Purposes => "Why we use personal data (purposes)",
            OrgText::Categories => "The kinds of personal data we hold",
            OrgText::Recipients => "Who we disclose it to",
            OrgText::Retention => "How long we keep it",
            OrgText::Sources => "Where we get it from",
            OrgText::AutomatedDecisions => "Automated decisions, and their logic",
            OrgText::Transfers => "Transfers abroad, and their safeguards",
        }
    }
}

/// What an answer to a request for access (or to know) must tell, besides
/// the data itself: each item a label and the organisation's text.
#[derive(Debug, Clone, Copy)]
pub struct Disclosure {
    pub heading: &'static str,
    pub items: &'static [(&'static str, OrgText)],
    /// How the data itself is given.
    pub copy_note: &'static str,
    /// What the requester reads about those told of an erasure,
    /// correction or restriction.
    pub recipients_told: &'static str,
    /// What else the requester may do (rights they have), for the answer.
    pub other_rights: &'static str,
    pub source: &'static str,
}

/// Where a regime's holiday calendar comes from.
#[derive(Debug, Clone, Copy)]
pub enum CalendarSource {
    Fixed(&'static CalendarRules),
    /// Chosen by a setting (the member state where requests are handled).
    Setting {
        setting: &'static str,
        options: &'static [&'static CalendarRules],
        default: &'static CalendarRules,
    },
}

/// Everything that differs by regime.
#[derive(Debug)]
pub struct Rules {
    pub key: &'static str,
    /// For lists and tables: "UK GDPR".
    pub short: &'static str,
    /// What a requester reads: "UK GDPR and the Data Protection Act 2018".
    pub title: &'static str,
    /// Location codes whose residents it covers (`LOCATIONS`).
    pub territories: &'static [&'static str],
    pub clock: ClockRules,
    pub calendar: CalendarSource,
    /// Periods roll past this calendar's holidays: the source that says so.
    pub calendar_source: &'static str,
    pub rights: &'static [RightRules],
    /// Whether the law lists grounds for erasure a requester may point to
    /// (GDPR Art. 17(1)); never required, only offered.
    pub erasure_grounds: bool,
    pub refusal_grounds: &'static [RefusalGround],
    pub remedies: Remedies,
    /// How the acknowledgement describes the identity checks to expect.
    pub verification_notice: &'static str,
    /// How long the record of a request and its answer must be kept at
    /// least, in months (0: no fixed period, the organisation's own), and
    /// the source.
    pub records_kept_months: u32,
    pub records_source: &'static str,
    pub disclosure: Disclosure,
}

/// The law a case is handled under: a handle on its rules. Compared,
/// hashed, stored and shown by its key.
#[derive(Clone, Copy)]
pub struct Regime(&'static Rules);

impl Regime {
    pub const UK_GDPR: Regime = Regime(&uk_gdpr::RULES);
    pub const EU_GDPR: Regime = Regime(&eu_gdpr::RULES);
    pub const CCPA: Regime = Regime(&ccpa::RULES);

    /// The regimes Rightsdesk ships.
    pub const ALL: [Regime; 3] = [Regime::UK_GDPR, Regime::EU_GDPR, Regime::CCPA];

    /// A regime from its rules (the shipped ones are constants; tests build
    /// others).
    pub const fn new(rules: &'static Rules) -> Regime {
        Regime(rules)
    }

    pub fn rules(self) -> &'static Rules {
        self.0
    }

    pub fn key(self) -> &'static str {
        self.0.key
    }

    pub fn short(self) -> &'static str {
        self.0.short
    }

    /// The name a requester reads.
    pub fn title(self) -> &'static str {
        self.0.title
    }

    /// How this regime grants `right`, if it does.
    pub fn right(self, right: Right) -> Option<&'static RightRules> {
        self.0.rights.iter().find(|r| r.right == right)
    }

    pub fn grants(self, right: Right) -> bool {
        self.right(right).is_some()
    }

    /// The right's name under this regime; a right it does not grant keeps
    /// its plain name (a case moved to this law may hold one).
    pub fn right_name(self, right: Right) -> &'static str {
        self.right(right).map_or(right.short(), |r| r.name)
    }

    pub fn right_basis(self, right: Right) -> &'static str {
        self.right(right)
            .map_or("not a right under this law", |r| r.basis)
    }

    pub fn refusal_ground(self, key: &str) -> Option<&'static RefusalGround> {
        self.0.refusal_grounds.iter().find(|g| g.key == key)
    }

    /// Whether asking for `what` makes the period start when it arrives.
    pub fn restarts_on(self, what: Awaited) -> bool {
        self.0.clock.restarts_on.contains(&what)
    }

    /// Whether a clarification question stops the clock for a request with
    /// these rights: only when every one of them allows it (otherwise the
    /// earliest date, the one that keeps running, applies).
    pub fn clarification_pauses(self, rights: &[Right]) -> bool {
        !rights.is_empty()
            && rights
                .iter()
                .all(|r| self.0.clock.clarification_pauses.contains(r))
    }

    /// Whether `request` is one of the regime's fast-track rights.
    pub fn is_fast_track(self, request: &RightRequest) -> bool {
        self.fast_tracks(request.effective_right())
    }

    /// Whether `right` is one of the regime's fast-track rights.
    pub fn fast_tracks(self, right: Right) -> bool {
        self.0
            .clock
            .fast_track
            .is_some_and(|f| f.rights.contains(&right))
    }

    /// Whether requests for `right` are verified at all under this law (it
    /// grants the right, and it is not one that must never be verified).
    pub fn verifies(self, right: Right) -> bool {
        self.grants(right) && !self.fast_tracks(right)
    }

    pub fn extension_allows(self, reason: ExtensionReason) -> bool {
        self.0.clock.extension.reasons.contains(&reason)
    }
}

impl PartialEq for Regime {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Regime {}

impl Hash for Regime {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialOrd for Regime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Regime {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(other.key())
    }
}

impl fmt::Debug for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Regime({})", self.key())
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl Serialize for Regime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Regime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        key.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown regime '{0}': expected one of {known}", known = Regime::ALL.map(Regime::key).join(", "))]
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

/// Where the requester says they live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    code: &'static str,
    name: &'static str,
}

const fn loc(code: &'static str, name: &'static str) -> Location {
    Location { code, name }
}

/// Every location the intake form offers, in the order it shows them.
pub const LOCATIONS: &[Location] = &[
    loc("GB", "United Kingdom"),
    loc("US-CA", "California, United States"),
    loc("AT", "Austria"),
    loc("BE", "Belgium"),
    loc("BG", "Bulgaria"),
    loc("HR", "Croatia"),
    loc("CY", "Cyprus"),
    loc("CZ", "Czechia"),
    loc("DK", "Denmark"),
    loc("EE", "Estonia"),
    loc("FI", "Finland"),
    loc("FR", "France"),
    loc("DE", "Germany"),
    loc("GR", "Greece"),
    loc("HU", "Hungary"),
    loc("IS", "Iceland"),
    loc("IE", "Ireland"),
    loc("IT", "Italy"),
    loc("LV", "Latvia"),
    loc("LI", "Liechtenstein"),
    loc("LT", "Lithuania"),
    loc("LU", "Luxembourg"),
    loc("MT", "Malta"),
    loc("NL", "Netherlands"),
    loc("NO", "Norway"),
    loc("PL", "Poland"),
    loc("PT", "Portugal"),
    loc("RO", "Romania"),
    loc("SK", "Slovakia"),
    loc("SI", "Slovenia"),
    loc("ES", "Spain"),
    loc("SE", "Sweden"),
    loc("OTHER", "Somewhere else"),
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
}

/// The regimes that apply to the organisation (`organisation.regimes`) and
/// its home regime, for everyone no applicable regime covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jurisdiction {
    home: Regime,
    applicable: Vec<Regime>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JurisdictionError {
    #[error("organisation.regimes is empty: name at least one of uk-gdpr, eu-gdpr, ccpa")]
    Empty,
    #[error("organisation.home_regime {0} must be one of organisation.regimes")]
    HomeNotApplicable(Regime),
}

impl Jurisdiction {
    pub fn new(home: Regime, applicable: Vec<Regime>) -> Result<Jurisdiction, JurisdictionError> {
        if applicable.is_empty() {
            return Err(JurisdictionError::Empty);
        }
        if !applicable.contains(&home) {
            return Err(JurisdictionError::HomeNotApplicable(home));
        }
        Ok(Jurisdiction { home, applicable })
    }

    pub fn home(&self) -> Regime {
        self.home
    }

    pub fn applicable(&self) -> &[Regime] {
        &self.applicable
    }

    /// The law for someone living at `location`: the applicable regime that
    /// covers it, else the home regime (a Californian writing to an
    /// organisation the CCPA does not reach is handled under its home law).
    pub fn regime_for(&self, location: Location) -> Regime {
        self.applicable
            .iter()
            .copied()
            .find(|r| r.rules().territories.contains(&location.code))
            .unwrap_or(self.home)
    }

    /// Whether any applicable regime grants `right`.
    pub fn offers(&self, right: Right) -> bool {
        self.applicable.iter().any(|r| r.grants(right))
    }

    /// Whether only some applicable regimes grant `right` (the form says
    /// for whom it is).
    pub fn offered_only_under(&self, right: Right) -> Vec<Regime> {
        let under: Vec<Regime> = self
            .applicable
            .iter()
            .copied()
            .filter(|r| r.grants(right))
            .collect();
        if under.len() == self.applicable.len() {
            Vec::new()
        } else {
            under
        }
    }
}

#[cfg(test)]
mod tests;
