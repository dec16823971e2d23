//! What the API sends and takes, apart from the database's models: these
//! shapes are the contract, and the OpenAPI document is generated from
//! them.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::db::queue::QueueRow;
use crate::domain::casework::Channel;
use crate::domain::intake::{MAX_DESCRIPTION, MAX_DETAIL, MAX_NAME};
use crate::domain::rights::{
    Choice, ErasureGround, ObjectionGround, PortabilityDestination, RestrictionGround,
};
use crate::domain::{CaseState, Regime, Right};

/// A string schema whose values are the keys of a domain list, so that the
/// document lists exactly what the code accepts.
fn keys(description: &str, values: impl IntoIterator<Item = &'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

macro_rules! key_schema {
    ($name:ident, $description:expr, $values:expr) => {
        #[doc = $description]
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                keys($description, $values)
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

key_schema!(
    StateKey,
    "Where a case is in its life.",
    CaseState::ALL.iter().map(|s| s.key())
);
key_schema!(
    RightKey,
    "A right a request exercises.",
    Right::ALL.iter().map(|r| r.key())
);
key_schema!(
    RegimeKey,
    "The law a case is handled under.",
    Regime::ALL.iter().map(|r| r.key())
);
key_schema!(
    ChannelKey,
    "How a request filed through the API reached the organisation.",
    api_channels().iter().map(|c| c.key())
);

key_schema!(
    ActionKey,
    "One thing staff do to a case.",
    crate::domain::casework::Action::ALL.iter().map(|a| a.key())
);
key_schema!(
    AnswerKey,
    "What a system did for its task.",
    crate::domain::fulfilment::AnswerKind::ALL
        .iter()
        .map(|k| crate::domain::rights::Choice::key(*k))
);
key_schema!(
    TaskStateKey,
    "Open (the default), answered or all.",
    ["open", "answered", "all"]
);
key_schema!(
    StatusFilter,
    "A state, `open` (every open state: the default) or `all`.",
    CaseState::ALL
        .iter()
        .map(|s| s.key())
        .chain(["open", "all"])
);
key_schema!(
    LocationKey,
    "Where the person lives, as the web form lists the places.",
    crate::domain::regime::LOCATIONS.iter().map(|l| l.code())
);
key_schema!(
    ActingAsKey,
    "Who is asking: the person themselves, or an authorised agent for them.",
    ["self", "agent"]
);
key_schema!(
    ErasureGroundKey,
    "Why the data should be erased (GDPR article 17(1)).",
    ErasureGround::ALL.iter().map(|g| g.key())
);
key_schema!(
    RestrictionGroundKey,
    "Why processing should be restricted (GDPR article 18(1)).",
    RestrictionGround::ALL.iter().map(|g| g.key())
);
key_schema!(
    ObjectionGroundKey,
    "What the person objects to (GDPR article 21).",
    ObjectionGround::ALL.iter().map(|g| g.key())
);
key_schema!(
    PortabilityDestinationKey,
    "Where ported data should go.",
    PortabilityDestination::ALL.iter().map(|d| d.key())
);

/// The channels a request filed through the API may name.
pub fn api_channels() -> Vec<Channel> {
    let mut channels = vec![Channel::Api];
    channels.extend(Channel::MANUAL.iter().copied());
    channels
}

/// A time the database holds (always UTC), as RFC 3339.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// One case, as lists show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    /// The case's reference, like `RD-7K3M-9Q2X`.
    pub reference: String,
    #[schema(value_type = StateKey)]
    pub state: String,
    #[schema(value_type = RegimeKey)]
    pub regime: String,
    #[schema(value_type = Vec<RightKey>)]
    pub rights: Vec<String>,
    /// The day the request was received (the clock's start), once known.
    pub received_on: Option<NaiveDate>,
    /// The next date something is due.
    pub due_on: Option<NaiveDate>,
    /// The staff member working it.
    pub assignee: Option<String>,
}

impl From<QueueRow> for CaseSummary {
    fn from(r: QueueRow) -> Self {
        CaseSummary {
            reference: r.reference,
            state: r.state.key().to_owned(),
            regime: r.regime.key().to_owned(),
            rights: r.rights.iter().map(|r| r.key().to_owned()).collect(),
            received_on: r.received_on,
            due_on: r.due_on,
            assignee: r.assignee,
        }
    }
}

/// A page of cases, most urgent first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    pub cases: Vec<CaseSummary>,
    /// Pass as `after` for the next page; null on the last.
    pub next: Option<String>,
}

/// Who a request is from.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequesterView {
    pub name: String,
    pub email: String,
    /// The authorised agent filing for them, if one did.
    pub agent: Option<AgentView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentView {
    pub name: String,
    pub email: Option<String>,
}

/// One right of a case, with what was asked and how it was answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct RightView {
    #[schema(value_type = RightKey)]
    pub right: String,
    /// The request's details for this right, as filed (`right` and the
    /// fields that right takes).
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
    /// fulfilled, partially_fulfilled, refused, ... once decided.
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// The statutory deadline and how it was reached.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineView {
    /// When the answer is due; null while the clock has not started.
    pub due_on: Option<NaiveDate>,
    /// The due date before any extension.
    pub original_due_on: Option<NaiveDate>,
    pub extended: bool,
    /// The day the clock counts from, once started.
    pub clock_start: Option<NaiveDate>,
    /// Days the clock stood still, up to today.
    pub paused_days: u64,
    /// The date the receipt must be acknowledged by (CCPA).
    pub acknowledge_by: Option<NaiveDate>,
    /// The date an opt-out (or limit) must be acted on by (CCPA).
    pub opt_out_due: Option<NaiveDate>,
    /// Each step of the computation, in words.
    pub derivation: Vec<String>,
}

/// One event of the case's audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub at: DateTime<Utc>,
    /// What happened (`request_submitted`, `case_viewed`, ...).
    pub kind: String,
    /// Who did it, as stored (`requester`, `user:3`, `api_token:2`, ...).
    pub actor: String,
    /// The day it counts from, for events that move the clock.
    pub effective_on: Option<NaiveDate>,
    /// What the event recorded.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// An email the case caused (never its body: it may carry a link).
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub created_at: DateTime<Utc>,
    /// Which email it is (`confirm_email`, `acknowledgement`, ...).
    pub template: String,
    pub recipient: String,
    pub subject: String,
    /// pending, sending, sent or failed.
    pub status: String,
    pub attempts: i32,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A case with its rights, deadline, history and emails.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub summary: CaseSummary,
    /// How the request reached the organisation.
    pub channel: String,
    /// Where the requester lives (a code like `GB` or `US-CA`).
    pub location: String,
    pub requester: RequesterView,
    pub description: Option<String>,
    pub submitted_at: DateTime<Utc>,
    /// When the requester confirmed their address (web requests).
    pub confirmed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// How a closed case ended, when its state alone does not say.
    pub closure: Option<String>,
    pub rights_detail: Vec<RightView>,
    /// Null until the clock can be computed.
    pub deadline: Option<DeadlineView>,
    /// Why the deadline cannot be computed, when it cannot.
    pub deadline_error: Option<String>,
    pub events: Vec<EventView>,
    pub messages: Vec<MessageView>,
    /// Its tasks in each system, once verified.
    pub tasks: Vec<super::tasks::TaskView>,
}

/// A request received by another system, to file as a case. The fields
/// and their checks are the web form's; the requester is acknowledged by
/// email at once, and the clock starts on `received_on`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequestBody {
    /// The person's full name.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// The address to answer (the agent's, when an agent files: see
    /// `acting_as`).
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
    #[schema(value_type = LocationKey)]
    pub location: String,
    #[schema(value_type = Vec<RightKey>, min_items = 1)]
    pub rights: Vec<String>,
    /// `self` (the default) or `agent`.
    #[serde(default)]
    #[schema(value_type = Option<ActingAsKey>)]
    pub acting_as: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub agent_name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 254)]
    pub agent_email: Option<String>,
    /// Anything else the person said.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// Access: what the person wants, if not everything.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub access_scope: Option<String>,
    /// Rectification: what is wrong and what it should say.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub rectification_details: Option<String>,
    /// Rectification: only contact details are to be corrected.
    #[serde(default)]
    pub rectification_contact_only: Option<bool>,
    #[serde(default)]
    #[schema(value_type = Option<ErasureGroundKey>)]
    pub erasure_ground: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<RestrictionGroundKey>)]
    pub restriction_ground: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<PortabilityDestinationKey>)]
    pub portability_destination: Option<String>,
    /// Portability: the controller to send the data to.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub portability_controller: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<ObjectionGroundKey>)]
    pub objection_ground: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub objection_reasons: Option<String>,
    /// Automated decisions: which decision.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub automated_decision_details: Option<String>,
    /// Consent withdrawal: for which purposes.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub consent_purposes: Option<String>,
    /// How it reached the organisation; `api` when not given.
    #[serde(default)]
    #[schema(value_type = Option<ChannelKey>)]
    pub channel: Option<String>,
    /// The day it was received; today (where the organisation is) when not
    /// given. Never in the future.
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
}

// The limits the document states are the form's own.
const _: () = assert!(MAX_NAME == 200 && MAX_DETAIL == 2000 && MAX_DESCRIPTION == 5000);
