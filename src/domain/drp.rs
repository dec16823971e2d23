//! The Data Rights Protocol (DRP 0.9.4, the protocol's 1.0 line), covered
//! business side: the signed messages authorised agents send, checked in
//! the order the specification gives (section 3.07), its rights actions as
//! rights, and a case's state as a DRP status (section 3.02).
//!
//! A signed message is the Ed25519 signature (64 bytes) followed by the
//! JSON it signs ("combined mode"), base64-encoded, sent as text/plain.

use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::Engine;
use chrono::{DateTime, NaiveDateTime};
use ed25519_dalek::{Signature, VerifyingKey, SIGNATURE_LENGTH};
use serde::{Deserialize, Serialize};

use super::lifecycle::CaseState;
use super::rights::Right;

/// The protocol version this side speaks (and answers with).
pub const VERSION: &str = "0.9.4";

/// Whether a message's `drp.version` is one we understand: the 0.9 line,
/// whose messages are all of this shape, and 1.0.
pub fn supports_version(version: &str) -> bool {
    version == "0.9" || version.starts_with("0.9.") || version == "1.0"
}

/// A rights action an agent can ask for (section 3.01).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exercise {
    SaleOptOut,
    SaleOptIn,
    Deletion,
    Access,
    AccessCategories,
    AccessSpecific,
}

impl Exercise {
    pub const ALL: [Exercise; 6] = [
        Exercise::SaleOptOut,
        Exercise::SaleOptIn,
        Exercise::Deletion,
        Exercise::Access,
        Exercise::AccessCategories,
        Exercise::AccessSpecific,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Exercise::SaleOptOut => "sale:opt_out",
            Exercise::SaleOptIn => "sale:opt_in",
            Exercise::Deletion => "deletion",
            Exercise::Access => "access",
            Exercise::AccessCategories => "access:categories",
            Exercise::AccessSpecific => "access:specific",
        }
    }

    /// The specification's table spells the sale actions with an
    /// underscore and its examples with a hyphen: both are taken.
    pub fn parse(key: &str) -> Option<Exercise> {
        let key = key.trim().replace("opt-", "opt_");
        Self::ALL.into_iter().find(|e| e.key() == key)
    }

    /// The right it is a request under; `None` for opting back in to sale,
    /// which is consent given, not a right exercised (nothing to answer).
    pub fn right(self) -> Option<Right> {
        match self {
            Exercise::SaleOptOut => Some(Right::OptOut),
            Exercise::SaleOptIn => None,
            Exercise::Deletion => Some(Right::Erasure),
            Exercise::Access | Exercise::AccessCategories | Exercise::AccessSpecific => {
                Some(Right::Access)
            }
        }
    }

    /// What the requester is taken to ask for, for the access rights.
    pub fn access_scope(self) -> Option<&'static str> {
        match self {
            Exercise::AccessCategories => Some("The categories of personal information collected, their sources, purposes and recipients (CCPA right to know: categories)"),
            Exercise::AccessSpecific => Some("The specific pieces of personal information collected (CCPA right to know: specific pieces)"),
            _ => None,
        }
    }
}

/// An agent's id: what the network's directory names it by, and what the
/// messages it signs carry as `agent-id`.
pub fn parse_agent_id(id: &str) -> Result<String, String> {
    let id = id.trim();
    let fine = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    if id.is_empty() || id.len() > 100 || !id.bytes().all(fine) {
        return Err(
            "An agent id is 1 to 100 letters, digits, dots, hyphens or underscores, as the DRP directory gives it"
                .into(),
        );
    }
    Ok(id.to_owned())
}

/// An agent's public verify key, as the directory gives it: base64 of its
/// 32 bytes (hex, as DRP 0.9 had it, is taken too).
pub fn parse_verify_key(text: &str) -> Result<VerifyingKey, String> {
    let text = text.trim();
    let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(text).ok()
    } else {
        STANDARD
            .decode(text)
            .or_else(|_| URL_SAFE.decode(text))
            .ok()
    };
    let wrong = || "The verify key is the agent's Ed25519 public key: 32 bytes, base64".to_owned();
    let bytes: [u8; 32] = bytes.and_then(|b| b.try_into().ok()).ok_or_else(wrong)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| wrong())
}

/// The form a verify key is stored and shown in.
pub fn key_text(key: &VerifyingKey) -> String {
    STANDARD.encode(key.as_bytes())
}

/// Why a message is refused: each step of section 3.07 in its order, then
/// what the message asks for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("The body is not a base64-encoded signed message")]
    NotBase64,
    #[error("The signature does not verify with the agent's key")]
    BadSignature,
    #[error("The signed message is not JSON of the expected shape: {0}")]
    NotJson(String),
    #[error("The message's agent-id is not the agent this token was given to")]
    WrongAgent,
    #[error("The message's business-id is not this business")]
    WrongBusiness,
    #[error("The message's issued-at is in the future")]
    NotYetIssued,
    #[error("The message expired at its expires-at")]
    Expired,
    #[error("The message's {0} is not an ISO 8601 time")]
    BadTime(&'static str),
    #[error("DRP version {0} is not supported; this business speaks {VERSION}")]
    Version(String),
    #[error("Unsupported rights action submitted: {0}")]
    Exercise(String),
    #[error("Only requests under the CCPA regime (or none, for voluntary processing) are taken here, not {0}")]
    Regime(String),
    #[error("{0}")]
    Claims(String),
}

impl Refusal {
    /// The HTTP status: the authentication chain is 403, the rest 400.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::BadSignature
            | Refusal::WrongAgent
            | Refusal::WrongBusiness
            | Refusal::NotYetIssued
            | Refusal::Expired => 403,
            _ => 400,
        }
    }

    /// Whether sending it again can succeed: an expired or mis-addressed
    /// message never will.
    pub fn fatal(&self) -> bool {
        !matches!(self, Refusal::NotBase64)
    }
}

/// Steps 1 and 2: the body decodes from base64, and the signature at its
/// start verifies with `key`. Gives the signed JSON.
pub fn open(body: &[u8], key: &VerifyingKey) -> Result<Vec<u8>, Refusal> {
    let text: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let bytes = STANDARD
        .decode(&text)
        .or_else(|_| URL_SAFE.decode(&text))
        .map_err(|_| Refusal::NotBase64)?;
    if bytes.len() < SIGNATURE_LENGTH {
        return Err(Refusal::BadSignature);
    }
    let (signature, message) = bytes.split_at(SIGNATURE_LENGTH);
    let signature = Signature::from_slice(signature).map_err(|_| Refusal::BadSignature)?;
    key.verify_strict(message, &signature)
        .map_err(|_| Refusal::BadSignature)?;
    Ok(message.to_vec())
}

/// A time as agents write it: RFC 3339, or an ISO 8601 local time (as
/// Python's `isoformat()` gives), taken as UTC.
fn parse_time(text: &str, field: &'static str) -> Result<NaiveDateTime, Refusal> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.naive_utc());
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .ok_or(Refusal::BadTime(field))
}

/// The keys every signed message carries (section 2.01, first group).
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope {
    #[serde(rename = "agent-id")]
    pub agent_id: String,
    #[serde(rename = "business-id")]
    pub business_id: String,
    #[serde(rename = "issued-at")]
    pub issued_at: String,
    #[serde(rename = "expires-at")]
    pub expires_at: String,
    #[serde(rename = "drp.version")]
    pub version: Option<String>,
}

impl Envelope {
    /// Steps 3 to 6: the agent is the token's, the business is us, and now
    /// lies between issued-at and expires-at. Then the version, if given.
    pub fn check(
        &self,
        agent_id: &str,
        business_id: &str,
        now: NaiveDateTime,
    ) -> Result<(), Refusal> {
        if self.agent_id != agent_id {
            return Err(Refusal::WrongAgent);
        }
        if self.business_id != business_id {
            return Err(Refusal::WrongBusiness);
        }
        if parse_time(&self.issued_at, "issued-at")? > now {
            return Err(Refusal::NotYetIssued);
        }
        if parse_time(&self.expires_at, "expires-at")? <= now {
            return Err(Refusal::Expired);
        }
        match &self.version {
            Some(v) if !supports_version(v) => Err(Refusal::Version(v.clone())),
            _ => Ok(()),
        }
    }
}

/// Parses the signed JSON as `T` (after [`open`]).
pub fn parse<T: for<'de> Deserialize<'de>>(message: &[u8]) -> Result<T, Refusal> {
    serde_json::from_slice(message).map_err(|e| Refusal::NotJson(e.to_string()))
}

/// A Data Rights Exercise message (section 2.01): the envelope, what is
/// asked, and the person's claims (schema.org/Person, section 3.04). Other
/// claims are allowed and ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct ExerciseMessage {
    #[serde(flatten)]
    pub envelope: Envelope,
    #[serde(rename = "agent-request-id")]
    pub agent_request_id: Option<String>,
    pub exercise: String,
    pub regime: Option<String>,
    #[serde(default)]
    pub relationships: Vec<String>,
    pub status_callback: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    pub phone_number: Option<String>,
    #[serde(default)]
    pub phone_number_verified: bool,
    pub address: Option<serde_json::Value>,
    #[serde(default)]
    pub address_verified: bool,
    pub power_of_attorney: Option<String>,
}

/// What an exercise message asks for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub exercise: Exercise,
    pub right: Right,
    /// `None`: voluntary processing (the agent named no regime).
    pub regime: Option<String>,
}

impl ExerciseMessage {
    /// The version must be given here, and the action and regime be ones
    /// this side takes.
    pub fn asked(&self) -> Result<Asked, Refusal> {
        if self.envelope.version.is_none() {
            return Err(Refusal::NotJson("drp.version is missing".into()));
        }
        let exercise = Exercise::parse(&self.exercise)
            .ok_or_else(|| Refusal::Exercise(self.exercise.clone()))?;
        let right = exercise
            .right()
            .ok_or_else(|| Refusal::Exercise(self.exercise.clone()))?;
        let regime = match self.regime.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) if r.eq_ignore_ascii_case("ccpa") => Some("ccpa".to_owned()),
            Some(other) => return Err(Refusal::Regime(other.to_owned())),
        };
        if let Some(id) = &self.agent_request_id {
            if id.is_empty() || id.len() > 200 {
                return Err(Refusal::Claims(
                    "agent-request-id is 1 to 200 characters".into(),
                ));
            }
        }
        Ok(Asked {
            exercise,
            right,
            regime,
        })
    }

    /// The claims beyond name and email, in words for staff: what the agent
    /// attests, and whether it verified each.
    pub fn attested(&self, agent_name: &str) -> String {
        let verified = |v: bool| {
            if v {
                "verified by the agent"
            } else {
                "not verified"
            }
        };
        let mut lines = vec![format!(
            "Filed through the Data Rights Protocol by the authorised agent {agent_name}."
        )];
        if self.email.is_some() {
            lines.push(format!("Email: {}.", verified(self.email_verified)));
        }
        if let Some(phone) = &self.phone_number {
            lines.push(format!(
                "Phone: {} ({}).",
                phone.trim(),
                verified(self.phone_number_verified)
            ));
        }
        if let Some(address) = &self.address {
            lines.push(format!(
                "Address: {} ({}).",
                address_text(address),
                verified(self.address_verified)
            ));
        }
        if !self.relationships.is_empty() {
            lines.push(format!("Relationships: {}.", self.relationships.join(", ")));
        }
        if let Some(poa) = &self.power_of_attorney {
            lines.push(format!("Power of attorney: {}.", poa.trim()));
        }
        lines.join("\n")
    }
}

/// An OpenID Connect address claim in one line: its `formatted` member, or
/// its parts.
fn address_text(address: &serde_json::Value) -> String {
    if let Some(s) = address.as_str() {
        return s.trim().to_owned();
    }
    if let Some(f) = address.get("formatted").and_then(|f| f.as_str()) {
        return f.replace('\n', ", ");
    }
    [
        "street_address",
        "locality",
        "region",
        "postal_code",
        "country",
    ]
    .iter()
    .filter_map(|k| address.get(*k).and_then(|v| v.as_str()))
    .map(|s| s.replace('\n', ", "))
    .collect::<Vec<_>>()
    .join(", ")
}

/// A request's state in the protocol's words (section 3.02).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    InProgress,
    Fulfilled,
    Revoked,
    Denied,
    Expired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    NeedUserVerification,
    SuspectedFraud,
    InsufVerification,
    NoMatch,
    ClaimNotCovered,
    OutsideJurisdiction,
    TooManyRequests,
    Other,
}

/// How a case reads as a DRP status and reason. `refusal_ground` is the
/// ground a refused case was refused on; `duplicate` whether it was closed
/// as another case's duplicate.
pub fn status_of(
    state: CaseState,
    refusal_ground: Option<&str>,
    duplicate: bool,
) -> (Status, Option<Reason>) {
    match state {
        CaseState::Submitted => (Status::Open, None),
        CaseState::AwaitingIdentity | CaseState::InProgress | CaseState::AwaitingRequester => {
            (Status::InProgress, None)
        }
        CaseState::Completed => (Status::Fulfilled, None),
        CaseState::Withdrawn => (Status::Revoked, None),
        CaseState::Expired => (Status::Expired, None),
        CaseState::Refused if duplicate => (Status::Denied, Some(Reason::Other)),
        CaseState::Refused => (
            Status::Denied,
            Some(match refusal_ground {
                Some("identity_not_verified") => Reason::InsufVerification,
                Some("manifestly_unfounded_or_excessive") => Reason::TooManyRequests,
                Some("deletion_exception" | "legal_obligation_or_claims") => {
                    Reason::ClaimNotCovered
                }
                _ => Reason::Other,
            }),
        ),
    }
}

/// What a status's `processing_details` says, for the agent to tell the
/// person. `identity_asked`: the person was asked for proof of identity
/// and has not yet sent it (a case awaiting identity without that is
/// still being checked by staff, with nothing asked of the person).
pub fn details(
    state: CaseState,
    identity_asked: bool,
    extended: bool,
    duplicate: bool,
) -> Option<&'static str> {
    match state {
        CaseState::AwaitingIdentity if identity_asked => Some(
            "We have asked the person, by email, to prove their identity; the request continues when they do.",
        ),
        CaseState::AwaitingRequester => Some(
            "We have asked the person, by email, a question about their request; it continues when they answer.",
        ),
        CaseState::InProgress | CaseState::AwaitingIdentity if extended => Some(
            "The deadline was extended as the law allows; the person was told why by email.",
        ),
        CaseState::Refused if duplicate => {
            Some("This request duplicates an earlier one, which carries the answer.")
        }
        CaseState::Refused => Some("The request was refused; the person was told why, and their rights, by email."),
        CaseState::Completed => Some("The request was answered; the person was told by email."),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn signed(key: &SigningKey, json: &str) -> String {
        let mut bytes = key.sign(json.as_bytes()).to_bytes().to_vec();
        bytes.extend_from_slice(json.as_bytes());
        STANDARD.encode(bytes)
    }

    fn envelope(agent: &str, business: &str, issued: &str, expires: &str) -> Envelope {
        Envelope {
            agent_id: agent.into(),
            business_id: business.into(),
            issued_at: issued.into(),
            expires_at: expires.into(),
            version: Some(VERSION.into()),
        }
    }

    #[test]
    fn a_signed_message_opens_with_its_key_only() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let other = SigningKey::from_bytes(&[8; 32]);
        let body = signed(&key, r#"{"a":1}"#);
        assert_eq!(
            open(body.as_bytes(), &key.verifying_key()).unwrap(),
            br#"{"a":1}"#
        );
        assert_eq!(
            open(body.as_bytes(), &other.verifying_key()),
            Err(Refusal::BadSignature)
        );
        // A changed byte in the message breaks the signature.
        let mut bytes = STANDARD.decode(&body).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        assert_eq!(
            open(STANDARD.encode(bytes).as_bytes(), &key.verifying_key()),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            open(b"not base64 at all!", &key.verifying_key()),
            Err(Refusal::NotBase64)
        );
        assert_eq!(
            open(STANDARD.encode([0u8; 10]).as_bytes(), &key.verifying_key()),
            Err(Refusal::BadSignature)
        );
    }

    #[test]
    fn the_envelope_is_checked_in_the_specifications_order() {
        let now = at("2026-03-31 12:00:00");
        let good = envelope(
            "aa",
            "cb",
            "2026-03-31T11:59:00Z",
            "2026-03-31T12:09:00+00:00",
        );
        assert_eq!(good.check("aa", "cb", now), Ok(()));
        // Everything wrong: the agent is reported first, then the business...
        let bad = envelope("zz", "xx", "2026-04-01T00:00:00Z", "2026-03-01T00:00:00Z");
        assert_eq!(bad.check("aa", "cb", now), Err(Refusal::WrongAgent));
        let bad = envelope("aa", "xx", "2026-04-01T00:00:00Z", "2026-03-01T00:00:00Z");
        assert_eq!(bad.check("aa", "cb", now), Err(Refusal::WrongBusiness));
        let bad = envelope("aa", "cb", "2026-04-01T00:00:00Z", "2026-03-01T00:00:00Z");
        assert_eq!(bad.check("aa", "cb", now), Err(Refusal::NotYetIssued));
        let bad = envelope("aa", "cb", "2026-03-31T11:00:00", "2026-03-31T12:00:00");
        assert_eq!(bad.check("aa", "cb", now), Err(Refusal::Expired));
        let bad = envelope("aa", "cb", "yesterday", "2026-03-31T13:00:00");
        assert_eq!(
            bad.check("aa", "cb", now),
            Err(Refusal::BadTime("issued-at"))
        );
        let mut old = good.clone();
        old.version = Some("0.5".into());
        assert_eq!(
            old.check("aa", "cb", now),
            Err(Refusal::Version("0.5".into()))
        );
    }

    #[test]
    fn rights_actions_map_onto_rights() {
        assert_eq!(Exercise::parse("sale:opt-out"), Some(Exercise::SaleOptOut));
        assert_eq!(Exercise::parse("sale:opt_out"), Some(Exercise::SaleOptOut));
        assert_eq!(
            Exercise::parse("deletion").and_then(Exercise::right),
            Some(Right::Erasure)
        );
        assert_eq!(
            Exercise::parse("access:specific").and_then(Exercise::right),
            Some(Right::Access)
        );
        assert_eq!(Exercise::SaleOptIn.right(), None);
        assert_eq!(Exercise::parse("portability"), None);
    }

    #[test]
    fn verify_keys_are_base64_or_hex() {
        let key = SigningKey::from_bytes(&[3; 32]).verifying_key();
        assert_eq!(parse_verify_key(&key_text(&key)), Ok(key));
        assert_eq!(parse_verify_key(&hex::encode(key.as_bytes())), Ok(key));
        assert!(parse_verify_key("c2hvcnQ=").is_err());
        assert!(parse_verify_key("").is_err());
        assert!(parse_agent_id("presto-privacy").is_ok());
        assert!(parse_agent_id("no spaces").is_err());
    }

    #[test]
    fn case_states_read_as_statuses() {
        assert_eq!(
            status_of(CaseState::InProgress, None, false),
            (Status::InProgress, None)
        );
        assert_eq!(
            status_of(CaseState::Refused, Some("identity_not_verified"), false),
            (Status::Denied, Some(Reason::InsufVerification))
        );
        assert_eq!(
            status_of(CaseState::Refused, Some("deletion_exception"), false),
            (Status::Denied, Some(Reason::ClaimNotCovered))
        );
        assert_eq!(
            status_of(CaseState::Refused, None, true),
            (Status::Denied, Some(Reason::Other))
        );
        assert_eq!(
            status_of(CaseState::Withdrawn, None, false).0,
            Status::Revoked
        );
        // Only a request for proof actually sent is said to be awaited.
        assert_eq!(
            details(CaseState::AwaitingIdentity, false, false, false),
            None
        );
        assert!(details(CaseState::AwaitingIdentity, true, false, false)
            .unwrap()
            .contains("prove their identity"));
        assert!(details(CaseState::AwaitingIdentity, false, true, false)
            .unwrap()
            .contains("extended"));
        assert_eq!(
            status_of(CaseState::Completed, None, false).0,
            Status::Fulfilled
        );
        for state in CaseState::ALL {
            // Every state reads as some status.
            let _ = status_of(state, None, false);
        }
    }

    #[test]
    fn an_exercise_message_says_what_it_asks() {
        let json = r#"{"agent-id":"aa","business-id":"cb","issued-at":"2026-03-31T11:59:00Z",
            "expires-at":"2026-03-31T12:09:00Z","drp.version":"0.9.4","exercise":"sale:opt-out",
            "regime":"ccpa","name":"Ann","email":"ann@example.org","email_verified":true,
            "phone_number":"+14155550100","address":{"formatted":"1 Main St\nSpringfield"},
            "relationships":["customer"],"custom":"ignored"}"#;
        let m: ExerciseMessage = parse(json.as_bytes()).unwrap();
        assert_eq!(
            m.asked(),
            Ok(Asked {
                exercise: Exercise::SaleOptOut,
                right: Right::OptOut,
                regime: Some("ccpa".into())
            })
        );
        let words = m.attested("Presto");
        assert!(words.contains("Email: verified by the agent."), "{words}");
        assert!(
            words.contains("Phone: +14155550100 (not verified)."),
            "{words}"
        );
        assert!(
            words.contains("Address: 1 Main St, Springfield (not verified)."),
            "{words}"
        );
        let mut gdpr = m.clone();
        gdpr.regime = Some("gdpr".into());
        assert_eq!(gdpr.asked(), Err(Refusal::Regime("gdpr".into())));
        let mut opt_in = m;
        opt_in.exercise = "sale:opt_in".into();
        assert!(matches!(opt_in.asked(), Err(Refusal::Exercise(_))));
    }
}
