//! What the audit trails record: the kinds of event on a case's trail and on
//! the account and settings trail, and who did each. Every kind and actor has
//! exactly one stored key and one parse; nothing else spells them.

use std::fmt;

use chrono::NaiveDate;

use super::deadline::ClockEvent;
use super::staff::UserId;

/// Who did something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The person who filed the request (or their agent), through a link.
    Requester,
    /// The person an authorised agent says it acts for, answering the
    /// agent check sent to their own address.
    DataSubject,
    /// Rightsdesk itself (expiry, throttling, checks it sends).
    System,
    /// An operator at the command line (`rightsdesk user add`, key changes).
    CommandLine,
    /// A staff member.
    Staff(UserId),
    /// The owner of a system, answering their task through its link.
    SystemOwner(i64),
    /// Another system, calling the JSON API with this API token.
    ApiToken(i64),
    /// An authorised agent of the Data Rights Protocol (its row id).
    DrpAgent(i64),
}

impl Actor {
    const STAFF_PREFIX: &'static str = "user:";
    const OWNER_PREFIX: &'static str = "system_owner:";
    const TOKEN_PREFIX: &'static str = "api_token:";
    const DRP_PREFIX: &'static str = "drp_agent:";

    /// The stored form.
    pub fn key(self) -> String {
        match self {
            Actor::Requester => "requester".into(),
            Actor::DataSubject => "data_subject".into(),
            Actor::System => "system".into(),
            Actor::CommandLine => "command line".into(),
            Actor::Staff(id) => format!("{}{}", Self::STAFF_PREFIX, id.0),
            Actor::SystemOwner(id) => format!("{}{id}", Self::OWNER_PREFIX),
            Actor::ApiToken(id) => format!("{}{id}", Self::TOKEN_PREFIX),
            Actor::DrpAgent(id) => format!("{}{id}", Self::DRP_PREFIX),
        }
    }

    /// Reads a stored actor; `None` for one this version does not know.
    pub fn parse(key: &str) -> Option<Actor> {
        Some(match key {
            "requester" => Actor::Requester,
            "data_subject" => Actor::DataSubject,
            "system" => Actor::System,
            "command line" => Actor::CommandLine,
            other => {
                if let Some(id) = other.strip_prefix(Self::OWNER_PREFIX) {
                    Actor::SystemOwner(id.parse().ok()?)
                } else if let Some(id) = other.strip_prefix(Self::TOKEN_PREFIX) {
                    Actor::ApiToken(id.parse().ok()?)
                } else if let Some(id) = other.strip_prefix(Self::DRP_PREFIX) {
                    Actor::DrpAgent(id.parse().ok()?)
                } else {
                    Actor::Staff(UserId(
                        other.strip_prefix(Self::STAFF_PREFIX)?.parse().ok()?,
                    ))
                }
            }
        })
    }

    /// Who, in words, for staff; `name` gives a staff member's name.
    pub fn describe(self, name: impl Fn(UserId) -> Option<String>) -> String {
        match self {
            Actor::Requester => "Requester".into(),
            Actor::DataSubject => "The person (agent check)".into(),
            Actor::System => "Rightsdesk".into(),
            Actor::CommandLine => "Command line".into(),
            Actor::Staff(id) => name(id).unwrap_or_else(|| format!("user {}", id.0)),
            Actor::SystemOwner(_) => "The system's owner (task link)".into(),
            Actor::ApiToken(id) => format!("API token {id}"),
            Actor::DrpAgent(id) => format!("DRP agent {id}"),
        }
    }
}

/// In words, a stored actor: known ones as [`Actor::describe`], others as
/// stored.
pub fn describe_actor(stored: &str, name: impl Fn(UserId) -> Option<String>) -> String {
    Actor::parse(stored).map_or_else(|| stored.to_owned(), |a| a.describe(name))
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// What happened to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseEvent {
    RequestSubmitted,
    RequestEntered,
    EmailConfirmed,
    ConfirmationLinkResent,
    ClockStarted,
    RequestExpired,
    CaseViewed,
    Assigned,
    NoteAdded,
    IdentityRequested,
    IdentityReceived,
    IdentityVerified,
    IdentityMaterialPurged,
    DocumentsUploaded,
    DocumentViewed,
    DocumentsDecided,
    DataPointsAnswered,
    DataPointsDecided,
    AgentAuthorityAsked,
    AgentAuthorityNotAsked,
    AgentAuthorityConfirmed,
    AgentAuthorityDenied,
    ClarificationRequested,
    ClarificationReceived,
    DeadlineExtended,
    FeeRequested,
    FeeReceived,
    RightOutcomeRecorded,
    CaseCompleted,
    CaseRefused,
    MarkedDuplicate,
    WithdrawalRecorded,
    CaseReopened,
    RegimeChanged,
    /// Staff corrected the requester's details; which fields in the detail,
    /// the old and new values in the internal note it names (the trail
    /// holds no personal data).
    RequesterEdited,
    RequesterReplied,
    StatusLinkSent,
    TasksCreated,
    TaskAnswered,
    EmailRetried,
    TaskChased,
    OpenTasksOverridden,
    RecipientsNotified,
    AddressSuppressed,
    CaseReduced,
    PackageMade,
    PackageDownloaded,
    PackageDeleted,
    AnswerTextsEdited,
    /// A holiday calendar changed and moved the case's due date (from, to
    /// and the day changed in the detail).
    DueDateMoved,
}

impl CaseEvent {
    pub const ALL: [CaseEvent; 50] = [
        CaseEvent::RequestSubmitted,
        CaseEvent::RequestEntered,
        CaseEvent::EmailConfirmed,
        CaseEvent::ConfirmationLinkResent,
        CaseEvent::ClockStarted,
        CaseEvent::RequestExpired,
        CaseEvent::CaseViewed,
        CaseEvent::Assigned,
        CaseEvent::NoteAdded,
        CaseEvent::IdentityRequested,
        CaseEvent::IdentityReceived,
        CaseEvent::IdentityVerified,
        CaseEvent::IdentityMaterialPurged,
        CaseEvent::DocumentsUploaded,
        CaseEvent::DocumentViewed,
        CaseEvent::DocumentsDecided,
        CaseEvent::DataPointsAnswered,
        CaseEvent::DataPointsDecided,
        CaseEvent::AgentAuthorityAsked,
        CaseEvent::AgentAuthorityNotAsked,
        CaseEvent::AgentAuthorityConfirmed,
        CaseEvent::AgentAuthorityDenied,
        CaseEvent::ClarificationRequested,
        CaseEvent::ClarificationReceived,
        CaseEvent::DeadlineExtended,
        CaseEvent::FeeRequested,
        CaseEvent::FeeReceived,
        CaseEvent::RightOutcomeRecorded,
        CaseEvent::CaseCompleted,
        CaseEvent::CaseRefused,
        CaseEvent::MarkedDuplicate,
        CaseEvent::WithdrawalRecorded,
        CaseEvent::CaseReopened,
        CaseEvent::RegimeChanged,
        CaseEvent::RequesterEdited,
        CaseEvent::RequesterReplied,
        CaseEvent::StatusLinkSent,
        CaseEvent::TasksCreated,
        CaseEvent::TaskAnswered,
        CaseEvent::EmailRetried,
        CaseEvent::TaskChased,
        CaseEvent::OpenTasksOverridden,
        CaseEvent::RecipientsNotified,
        CaseEvent::AddressSuppressed,
        CaseEvent::CaseReduced,
        CaseEvent::PackageMade,
        CaseEvent::PackageDownloaded,
        CaseEvent::PackageDeleted,
        CaseEvent::AnswerTextsEdited,
        CaseEvent::DueDateMoved,
    ];

    /// The stored form.
    pub fn key(self) -> &'static str {
        match self {
            CaseEvent::RequestSubmitted => "request_submitted",
            CaseEvent::RequestEntered => "request_entered",
            CaseEvent::EmailConfirmed => "email_confirmed",
            CaseEvent::ConfirmationLinkResent => "confirmation_link_resent",
            CaseEvent::ClockStarted => "clock_started",
            CaseEvent::RequestExpired => "request_expired",
            CaseEvent::CaseViewed => "case_viewed",
            CaseEvent::Assigned => "assigned",
            CaseEvent::NoteAdded => "note_added",
            CaseEvent::IdentityRequested => "identity_requested",
            CaseEvent::IdentityReceived => "identity_received",
            CaseEvent::IdentityVerified => "identity_verified",
            CaseEvent::IdentityMaterialPurged => "identity_material_purged",
            CaseEvent::DocumentsUploaded => "documents_uploaded",
            CaseEvent::DocumentViewed => "document_viewed",
            CaseEvent::DocumentsDecided => "documents_decided",
            CaseEvent::DataPointsAnswered => "data_points_answered",
            CaseEvent::DataPointsDecided => "data_points_decided",
            CaseEvent::AgentAuthorityAsked => "agent_authority_asked",
            CaseEvent::AgentAuthorityNotAsked => "agent_authority_not_asked",
            CaseEvent::AgentAuthorityConfirmed => "agent_authority_confirmed",
            CaseEvent::AgentAuthorityDenied => "agent_authority_denied",
            CaseEvent::ClarificationRequested => "clarification_requested",
            CaseEvent::ClarificationReceived => "clarification_received",
            CaseEvent::DeadlineExtended => "deadline_extended",
            CaseEvent::FeeRequested => "fee_requested",
            CaseEvent::FeeReceived => "fee_received",
            CaseEvent::RightOutcomeRecorded => "right_outcome_recorded",
            CaseEvent::CaseCompleted => "case_completed",
            CaseEvent::CaseRefused => "case_refused",
            CaseEvent::MarkedDuplicate => "marked_duplicate",
            CaseEvent::WithdrawalRecorded => "withdrawal_recorded",
            CaseEvent::CaseReopened => "case_reopened",
            CaseEvent::RegimeChanged => "regime_changed",
            CaseEvent::RequesterEdited => "requester_edited",
            CaseEvent::RequesterReplied => "requester_replied",
            CaseEvent::StatusLinkSent => "status_link_sent",
            CaseEvent::TasksCreated => "tasks_created",
            CaseEvent::TaskAnswered => "task_answered",
            CaseEvent::EmailRetried => "email_retried",
            CaseEvent::TaskChased => "task_chased",
            CaseEvent::OpenTasksOverridden => "open_tasks_overridden",
            CaseEvent::RecipientsNotified => "recipients_notified",
            CaseEvent::AddressSuppressed => "address_suppressed",
            CaseEvent::CaseReduced => "case_reduced",
            CaseEvent::PackageMade => "package_made",
            CaseEvent::PackageDownloaded => "package_downloaded",
            CaseEvent::PackageDeleted => "package_deleted",
            CaseEvent::AnswerTextsEdited => "answer_texts_edited",
            CaseEvent::DueDateMoved => "due_date_moved",
        }
    }

    /// Reads a stored kind; `None` for one this version does not know.
    pub fn parse(key: &str) -> Option<CaseEvent> {
        CaseEvent::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The event that records a clock event.
    pub fn recording(clock: ClockEvent) -> CaseEvent {
        match clock {
            ClockEvent::IdentityRequested(_) => CaseEvent::IdentityRequested,
            ClockEvent::IdentityReceived(_) => CaseEvent::IdentityReceived,
            ClockEvent::FeeRequested(_) => CaseEvent::FeeRequested,
            ClockEvent::FeeReceived(_) => CaseEvent::FeeReceived,
            ClockEvent::ClarificationRequested(_) => CaseEvent::ClarificationRequested,
            ClockEvent::ClarificationReceived(_) => CaseEvent::ClarificationReceived,
            ClockEvent::Extended(_) => CaseEvent::DeadlineExtended,
        }
    }

    /// The clock event this records, effective `on`; `None` for events
    /// that do not move the clock.
    pub fn clock_event(self, on: NaiveDate) -> Option<ClockEvent> {
        Some(match self {
            CaseEvent::IdentityRequested => ClockEvent::IdentityRequested(on),
            CaseEvent::IdentityReceived => ClockEvent::IdentityReceived(on),
            CaseEvent::FeeRequested => ClockEvent::FeeRequested(on),
            CaseEvent::FeeReceived => ClockEvent::FeeReceived(on),
            CaseEvent::ClarificationRequested => ClockEvent::ClarificationRequested(on),
            CaseEvent::ClarificationReceived => ClockEvent::ClarificationReceived(on),
            CaseEvent::DeadlineExtended => ClockEvent::Extended(on),
            _ => return None,
        })
    }
}

/// What happened to accounts, keys or settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdminEvent {
    UserAdded,
    FirstAdminCreated,
    UserInvited,
    PasswordSetFromLink,
    PasswordLinkSent,
    UserUpdated,
    LoginThrottled,
    FailedLoginsCleared,
    /// Recorded by versions that locked accounts; kept to read their trails.
    AccountLocked,
    VerificationPolicyChanged,
    /// The trails were first sealed with the audit key (after checking the
    /// unkeyed chains they had until then).
    AuditTrailKeyed,
    /// The trails were re-sealed under a new audit key.
    AuditKeyRotated,
    /// Documents and stored emails were re-encrypted under a new data key.
    DataKeyRotated,
    SystemAdded,
    SystemChanged,
    ApiTokenCreated,
    ApiTokenRevoked,
    /// A call to the JSON API that reads no one case (a list, a search).
    ApiCasesListed,
    /// A call to the JSON API that read other records (tasks, systems, the
    /// dashboard's figures): what, in the detail.
    ApiRead,
    WebhookAdded,
    WebhookChanged,
    /// A report was made (its kind and period in the detail).
    ReportMade,
    DrpAgentAdded,
    DrpAgentChanged,
    /// A DRP agent's pair-wise key set-up gave it a new bearer token.
    DrpAgentPaired,
    /// The organisation's answer texts were changed (which, in the detail).
    OrgTextsChanged,
    /// A day of a holiday calendar changed (calendar, day, the holiday or
    /// none, and how many cases' due dates moved, in the detail).
    CalendarChanged,
}

impl AdminEvent {
    pub const ALL: [AdminEvent; 27] = [
        AdminEvent::UserAdded,
        AdminEvent::FirstAdminCreated,
        AdminEvent::UserInvited,
        AdminEvent::PasswordSetFromLink,
        AdminEvent::PasswordLinkSent,
        AdminEvent::UserUpdated,
        AdminEvent::LoginThrottled,
        AdminEvent::FailedLoginsCleared,
        AdminEvent::AccountLocked,
        AdminEvent::VerificationPolicyChanged,
        AdminEvent::AuditTrailKeyed,
        AdminEvent::AuditKeyRotated,
        AdminEvent::DataKeyRotated,
        AdminEvent::SystemAdded,
        AdminEvent::SystemChanged,
        AdminEvent::ApiTokenCreated,
        AdminEvent::ApiTokenRevoked,
        AdminEvent::ApiCasesListed,
        AdminEvent::ApiRead,
        AdminEvent::WebhookAdded,
        AdminEvent::WebhookChanged,
        AdminEvent::ReportMade,
        AdminEvent::DrpAgentAdded,
        AdminEvent::DrpAgentChanged,
        AdminEvent::DrpAgentPaired,
        AdminEvent::OrgTextsChanged,
        AdminEvent::CalendarChanged,
    ];

    /// The stored form.
    pub fn key(self) -> &'static str {
        match self {
            AdminEvent::UserAdded => "user_added",
            AdminEvent::FirstAdminCreated => "first_admin_created",
            AdminEvent::UserInvited => "user_invited",
            AdminEvent::PasswordSetFromLink => "password_set_from_link",
            AdminEvent::PasswordLinkSent => "password_link_sent",
            AdminEvent::UserUpdated => "user_updated",
            AdminEvent::LoginThrottled => "login_throttled",
            AdminEvent::FailedLoginsCleared => "failed_logins_cleared",
            AdminEvent::AccountLocked => "account_locked",
            AdminEvent::VerificationPolicyChanged => "verification_policy_changed",
            AdminEvent::AuditTrailKeyed => "audit_trail_keyed",
            AdminEvent::AuditKeyRotated => "audit_key_rotated",
            AdminEvent::DataKeyRotated => "data_key_rotated",
            AdminEvent::SystemAdded => "system_added",
            AdminEvent::SystemChanged => "system_changed",
            AdminEvent::ApiTokenCreated => "api_token_created",
            AdminEvent::ApiTokenRevoked => "api_token_revoked",
            AdminEvent::ApiCasesListed => "api_cases_listed",
            AdminEvent::ApiRead => "api_read",
            AdminEvent::WebhookAdded => "webhook_added",
            AdminEvent::WebhookChanged => "webhook_changed",
            AdminEvent::ReportMade => "report_made",
            AdminEvent::DrpAgentAdded => "drp_agent_added",
            AdminEvent::DrpAgentChanged => "drp_agent_changed",
            AdminEvent::DrpAgentPaired => "drp_agent_paired",
            AdminEvent::OrgTextsChanged => "org_texts_changed",
            AdminEvent::CalendarChanged => "calendar_changed",
        }
    }

    /// Reads a stored kind; `None` for one this version does not know.
    pub fn parse(key: &str) -> Option<AdminEvent> {
        AdminEvent::ALL.into_iter().find(|k| k.key() == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_case_event_reads_back_from_its_own_unique_key() {
        let keys: HashSet<_> = CaseEvent::ALL.iter().map(|k| k.key()).collect();
        assert_eq!(keys.len(), CaseEvent::ALL.len());
        for kind in CaseEvent::ALL {
            assert_eq!(CaseEvent::parse(kind.key()), Some(kind));
        }
        assert_eq!(CaseEvent::parse("Case_Viewed"), None);
    }

    #[test]
    fn every_clock_event_is_recorded_by_the_kind_that_reads_back_as_it() {
        let on = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let clocks = [
            ClockEvent::IdentityRequested(on),
            ClockEvent::IdentityReceived(on),
            ClockEvent::FeeRequested(on),
            ClockEvent::FeeReceived(on),
            ClockEvent::ClarificationRequested(on),
            ClockEvent::ClarificationReceived(on),
            ClockEvent::Extended(on),
        ];
        for clock in clocks {
            assert_eq!(CaseEvent::recording(clock).clock_event(on), Some(clock));
        }
        let moving = CaseEvent::ALL
            .iter()
            .filter(|k| k.clock_event(on).is_some())
            .count();
        assert_eq!(moving, clocks.len());
    }

    #[test]
    fn every_admin_event_reads_back_from_its_own_unique_key() {
        let keys: HashSet<_> = AdminEvent::ALL.iter().map(|k| k.key()).collect();
        assert_eq!(keys.len(), AdminEvent::ALL.len());
        for kind in AdminEvent::ALL {
            assert_eq!(AdminEvent::parse(kind.key()), Some(kind));
        }
    }

    #[test]
    fn actors_keep_the_keys_older_trails_were_written_with() {
        for (actor, key) in [
            (Actor::Requester, "requester"),
            (Actor::DataSubject, "data_subject"),
            (Actor::System, "system"),
            (Actor::CommandLine, "command line"),
            (Actor::Staff(UserId(42)), "user:42"),
            (Actor::SystemOwner(3), "system_owner:3"),
            (Actor::ApiToken(7), "api_token:7"),
        ] {
            assert_eq!(actor.key(), key);
            assert_eq!(Actor::parse(key), Some(actor));
        }
        for bad in [
            "user:",
            "user:x",
            "user:-",
            "robot",
            "",
            "api_token:",
            "api_token:x",
        ] {
            assert_eq!(Actor::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn actors_are_described_in_words() {
        let names = |id: UserId| (id.0 == 7).then(|| "Ada".to_owned());
        assert_eq!(Actor::Staff(UserId(7)).describe(names), "Ada");
        assert_eq!(Actor::Staff(UserId(8)).describe(names), "user 8");
        assert_eq!(
            Actor::DataSubject.describe(names),
            "The person (agent check)"
        );
        assert_eq!(
            describe_actor("data_subject", names),
            "The person (agent check)"
        );
        assert_eq!(describe_actor("robot", names), "robot");
    }
}
