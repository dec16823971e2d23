//! Working a case: the actions staff take, which of them the case's state
//! allows, and the fixed choices they are taken with (outcomes, extension
//! reasons, identity methods, intake channels). Refusal grounds differ by
//! law: they are the regime's (`domain::regime`).

use serde::Serialize;

use super::lifecycle::CaseState;
use super::rights::{Choice, RightRequest};
use super::Regime;

/// What a right's answer was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Fulfilled,
    PartiallyFulfilled,
    Refused,
    NotApplicable,
}

impl Choice for Outcome {
    const ALL: &'static [Self] = &[
        Self::Fulfilled,
        Self::PartiallyFulfilled,
        Self::Refused,
        Self::NotApplicable,
    ];

    fn key(self) -> &'static str {
        match self {
            Self::Fulfilled => "fulfilled",
            Self::PartiallyFulfilled => "partially_fulfilled",
            Self::Refused => "refused",
            Self::NotApplicable => "not_applicable",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Fulfilled => "Done in full",
            Self::PartiallyFulfilled => "Done in part",
            Self::Refused => "Refused",
            Self::NotApplicable => "Not applicable (e.g. we hold no such data)",
        }
    }
}

impl Outcome {
    /// Anything short of full fulfilment must say why.
    pub fn needs_reason(self) -> bool {
        self != Outcome::Fulfilled
    }

    /// How the requester's email words it.
    pub fn for_requester(self) -> &'static str {
        match self {
            Outcome::Fulfilled => "done",
            Outcome::PartiallyFulfilled => "done in part",
            Outcome::Refused => "not done",
            Outcome::NotApplicable => "nothing to do",
        }
    }
}

/// Why the deadline is extended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionReason {
    /// GDPR Art. 12(3): the request is complex.
    Complex,
    /// GDPR Art. 12(3): the person has made a number of requests.
    ManyRequests,
    /// CCPA § 1798.130(a)(2): reasonably necessary, with notice.
    ReasonablyNecessary,
}

impl Choice for ExtensionReason {
    const ALL: &'static [Self] = &[Self::Complex, Self::ManyRequests, Self::ReasonablyNecessary];

    fn key(self) -> &'static str {
        match self {
            Self::Complex => "complex",
            Self::ManyRequests => "many_requests",
            Self::ReasonablyNecessary => "reasonably_necessary",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Complex => "The request is complex",
            Self::ManyRequests => "The requester has made a number of requests",
            Self::ReasonablyNecessary => "More time is reasonably necessary",
        }
    }
}

impl ExtensionReason {
    /// Whether the law of `regime` allows extending for this reason.
    pub fn allowed_under(self, regime: Regime) -> bool {
        regime.extension_allows(self)
    }
}

/// How a requester's identity was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityMethod {
    EmailConfirmed,
    KnownDataPoints,
    Documents,
    InPerson,
    AgentAuthority,
}

impl Choice for IdentityMethod {
    const ALL: &'static [Self] = &[
        Self::EmailConfirmed,
        Self::KnownDataPoints,
        Self::Documents,
        Self::InPerson,
        Self::AgentAuthority,
    ];

    fn key(self) -> &'static str {
        match self {
            Self::EmailConfirmed => "email_confirmed",
            Self::KnownDataPoints => "known_data_points",
            Self::Documents => "documents",
            Self::InPerson => "in_person",
            Self::AgentAuthority => "agent_authority",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::EmailConfirmed => "Confirmed email address is enough for this request",
            Self::KnownDataPoints => "Details they gave match what we hold",
            Self::Documents => "Identity and address documents checked",
            Self::InPerson => "Checked in person",
            Self::AgentAuthority => "Agent's signed authority and the person's confirmation",
        }
    }
}

/// How a request reached the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Email,
    Phone,
    Post,
    InPerson,
    Api,
    /// An authorised agent, through the Data Rights Protocol.
    Drp,
}

impl Choice for Channel {
    const ALL: &'static [Self] = &[
        Self::Web,
        Self::Email,
        Self::Phone,
        Self::Post,
        Self::InPerson,
        Self::Api,
        Self::Drp,
    ];

    fn key(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Post => "post",
            Self::InPerson => "in_person",
            Self::Api => "api",
            Self::Drp => "drp",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Web => "Web form",
            Self::Email => "Email",
            Self::Phone => "Phone",
            Self::Post => "Post",
            Self::InPerson => "In person",
            Self::Api => "API",
            Self::Drp => "Data Rights Protocol (authorised agent)",
        }
    }
}

impl Channel {
    /// The channels staff enter requests for by hand.
    pub const MANUAL: [Channel; 4] = [
        Channel::Email,
        Channel::Phone,
        Channel::Post,
        Channel::InPerson,
    ];
}

/// Everything staff can do on a case page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Assign,
    Note,
    VerifyIdentity,
    RequestIdentity,
    RequestClarification,
    RecordReply,
    Extend,
    RequestFee,
    RecordFee,
    RecordOutcome,
    Complete,
    Refuse,
    MarkDuplicate,
    Withdraw,
    Reopen,
    ApproveDocuments,
    RejectDocuments,
    DetailsMatch,
    DetailsDoNotMatch,
    ChangeRegime,
    AnswerTask,
    EditAnswerTexts,
    RetryEmail,
    /// Correct the requester's name, address or agent (when they write to
    /// say they are wrong).
    EditRequester,
}

impl Action {
    pub const ALL: [Action; 24] = [
        Action::Assign,
        Action::Note,
        Action::VerifyIdentity,
        Action::RequestIdentity,
        Action::RequestClarification,
        Action::RecordReply,
        Action::Extend,
        Action::RequestFee,
        Action::RecordFee,
        Action::RecordOutcome,
        Action::Complete,
        Action::Refuse,
        Action::MarkDuplicate,
        Action::Withdraw,
        Action::Reopen,
        Action::ApproveDocuments,
        Action::RejectDocuments,
        Action::DetailsMatch,
        Action::DetailsDoNotMatch,
        Action::ChangeRegime,
        Action::AnswerTask,
        Action::EditAnswerTexts,
        Action::RetryEmail,
        Action::EditRequester,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Action::Assign => "assign",
            Action::Note => "note",
            Action::VerifyIdentity => "verify_identity",
            Action::RequestIdentity => "request_identity",
            Action::RequestClarification => "request_clarification",
            Action::RecordReply => "record_reply",
            Action::Extend => "extend",
            Action::RequestFee => "request_fee",
            Action::RecordFee => "record_fee",
            Action::RecordOutcome => "record_outcome",
            Action::Complete => "complete",
            Action::Refuse => "refuse",
            Action::MarkDuplicate => "mark_duplicate",
            Action::Withdraw => "withdraw",
            Action::Reopen => "reopen",
            Action::ApproveDocuments => "approve_documents",
            Action::RejectDocuments => "reject_documents",
            Action::DetailsMatch => "details_match",
            Action::DetailsDoNotMatch => "details_do_not_match",
            Action::ChangeRegime => "change_regime",
            Action::AnswerTask => "answer_task",
            Action::EditAnswerTexts => "edit_answer_texts",
            Action::RetryEmail => "retry_email",
            Action::EditRequester => "edit_requester",
        }
    }

    pub fn parse(key: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.key() == key)
    }

    /// Whether the case's state allows this action at all. (Finer rules,
    /// such as "the deadline is already extended", are the deadline
    /// engine's and the service's to enforce.)
    pub fn allowed_in(self, state: CaseState) -> bool {
        use CaseState as S;
        let open = matches!(
            state,
            S::AwaitingIdentity | S::InProgress | S::AwaitingRequester
        );
        match self {
            // Any email that failed for good can be sent again, whatever the
            // case's state (a completion notice of a closed case too).
            Action::Note | Action::RetryEmail => true,
            Action::Assign
            | Action::MarkDuplicate
            | Action::Refuse
            | Action::Extend
            | Action::ChangeRegime => open,
            Action::Withdraw => open || state == S::Submitted,
            Action::VerifyIdentity
            | Action::RequestIdentity
            | Action::ApproveDocuments
            | Action::RejectDocuments
            | Action::DetailsMatch
            | Action::DetailsDoNotMatch => state == S::AwaitingIdentity,
            Action::RequestFee | Action::RecordFee => {
                matches!(state, S::AwaitingIdentity | S::InProgress)
            }
            Action::RequestClarification => state == S::InProgress,
            // Before verification only rights that need none (the service
            // checks which).
            Action::RecordOutcome | Action::Complete => {
                matches!(state, S::Submitted | S::AwaitingIdentity | S::InProgress)
            }
            Action::RecordReply => state == S::AwaitingRequester,
            // Tasks exist once identity is verified.
            Action::AnswerTask => matches!(state, S::InProgress | S::AwaitingRequester),
            Action::EditAnswerTexts | Action::EditRequester => open,
            Action::Reopen => matches!(state, S::Completed | S::Refused | S::Withdrawn),
        }
    }

    /// Whether the requester is emailed when this action is taken (so staff
    /// preview the message first).
    pub fn emails_requester(self) -> bool {
        matches!(
            self,
            Action::RequestIdentity
                | Action::RequestClarification
                | Action::Extend
                | Action::RequestFee
                | Action::Complete
                | Action::Refuse
                | Action::MarkDuplicate
                | Action::Withdraw
                | Action::RejectDocuments
                | Action::DetailsDoNotMatch
        )
    }
}

/// Whether `request`, one of a case's `rights`, may be answered in the
/// case's `state`: any right once the case is verified; before that only
/// the regime's fast-track rights (a CCPA opt-out or limit, never
/// verified); and on a request never confirmed that holds one, the others
/// too, so that it can be closed (the others refused).
pub fn may_answer(
    state: CaseState,
    regime: Regime,
    rights: &[RightRequest],
    request: &RightRequest,
) -> bool {
    match state {
        CaseState::InProgress => true,
        CaseState::Submitted => rights.iter().any(|r| regime.is_fast_track(r)),
        CaseState::AwaitingIdentity => regime.is_fast_track(request),
        _ => false,
    }
}

/// Whether the whole request may be refused at once: not when part of it
/// is answered already, nor when it holds a right the regime requires to
/// be acted on anyway (a CCPA opt-out or limit); then each right is
/// answered (refused with reasons where it is) and the case completed.
pub fn may_refuse_whole<'a>(
    regime: Regime,
    rights: impl IntoIterator<Item = (&'a RightRequest, Option<Outcome>)>,
) -> bool {
    rights
        .into_iter()
        .all(|(r, outcome)| outcome.is_none() && !regime.is_fast_track(r) && !never_refused(r))
}

/// An objection to direct marketing is absolute (GDPR Art. 21(3)): it is
/// never refused, in whole or in part.
pub fn never_refused(request: &RightRequest) -> bool {
    matches!(
        request,
        RightRequest::Objection {
            ground: crate::domain::rights::ObjectionGround::DirectMarketing,
            ..
        }
    )
}

/// Whether `outcome` may be recorded for `request`.
pub fn outcome_allowed(request: &RightRequest, outcome: Outcome) -> bool {
    !(never_refused(request) && matches!(outcome, Outcome::Refused | Outcome::PartiallyFulfilled))
}

/// Why a case cannot be completed yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("every right needs an outcome before the case can be completed; still open: {}", .0.join(", "))]
pub struct RightsStillOpen(pub Vec<String>);

/// Checks that every right has an outcome; names the ones that do not.
pub fn ready_to_complete<'a>(
    rights: impl IntoIterator<Item = (&'a str, Option<Outcome>)>,
) -> Result<(), RightsStillOpen> {
    let open: Vec<String> = rights
        .into_iter()
        .filter(|(_, o)| o.is_none())
        .map(|(title, _)| title.to_owned())
        .collect();
    if open.is_empty() {
        Ok(())
    } else {
        Err(RightsStillOpen(open))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_cases_take_only_notes_failed_emails_again_and_reopening() {
        for state in [
            CaseState::Completed,
            CaseState::Refused,
            CaseState::Withdrawn,
        ] {
            let allowed: Vec<Action> = Action::ALL
                .into_iter()
                .filter(|a| a.allowed_in(state))
                .collect();
            assert_eq!(
                allowed,
                vec![Action::Note, Action::Reopen, Action::RetryEmail],
                "{state}"
            );
        }
        let expired: Vec<Action> = Action::ALL
            .into_iter()
            .filter(|a| a.allowed_in(CaseState::Expired))
            .collect();
        assert_eq!(expired, vec![Action::Note, Action::RetryEmail]);
    }

    #[test]
    fn completion_needs_an_open_case_not_waiting_for_the_requester() {
        for state in CaseState::ALL {
            assert_eq!(
                Action::Complete.allowed_in(state),
                matches!(
                    state,
                    CaseState::Submitted | CaseState::AwaitingIdentity | CaseState::InProgress
                )
            );
        }
    }

    #[test]
    fn every_action_round_trips_through_its_key() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.key()), Some(a));
        }
        assert_eq!(Action::parse("delete"), None);
    }

    #[test]
    fn a_case_with_an_open_right_is_not_ready() {
        let err = ready_to_complete([("Access", Some(Outcome::Fulfilled)), ("Erasure", None)])
            .unwrap_err();
        assert_eq!(err.0, vec!["Erasure".to_owned()]);
        assert!(ready_to_complete([("Access", Some(Outcome::NotApplicable))]).is_ok());
    }

    #[test]
    fn before_verification_only_fast_track_rights_are_answered() {
        let know = RightRequest::Access { scope: None };
        let both = [know.clone(), RightRequest::OptOut];
        let ccpa = Regime::CCPA;
        assert!(may_answer(
            CaseState::AwaitingIdentity,
            ccpa,
            &both,
            &RightRequest::OptOut
        ));
        assert!(!may_answer(CaseState::AwaitingIdentity, ccpa, &both, &know));
        assert!(may_answer(CaseState::InProgress, ccpa, &both, &know));
        // Never confirmed: the opt-out is honoured and the rest can be closed.
        assert!(may_answer(CaseState::Submitted, ccpa, &both, &know));
        assert!(!may_answer(
            CaseState::Submitted,
            ccpa,
            std::slice::from_ref(&know),
            &know
        ));
        // No fast track under the GDPR.
        let uk = Regime::UK_GDPR;
        assert!(!may_answer(
            CaseState::AwaitingIdentity,
            uk,
            &both,
            &RightRequest::OptOut
        ));
        assert!(!may_answer(
            CaseState::AwaitingRequester,
            ccpa,
            &both,
            &know
        ));
    }

    #[test]
    fn a_request_partly_answered_or_holding_an_opt_out_is_not_refused_whole() {
        let know = RightRequest::Access { scope: None };
        let ccpa = Regime::CCPA;
        assert!(may_refuse_whole(ccpa, [(&know, None)]));
        assert!(!may_refuse_whole(
            ccpa,
            [(&know, None), (&RightRequest::OptOut, None)]
        ));
        assert!(!may_refuse_whole(
            Regime::UK_GDPR,
            [(&know, Some(Outcome::Fulfilled))]
        ));
    }

    #[test]
    fn extension_reasons_follow_the_regime() {
        assert!(ExtensionReason::Complex.allowed_under(Regime::UK_GDPR));
        assert!(!ExtensionReason::Complex.allowed_under(Regime::CCPA));
        assert!(ExtensionReason::ReasonablyNecessary.allowed_under(Regime::CCPA));
        assert!(!ExtensionReason::ReasonablyNecessary.allowed_under(Regime::EU_GDPR));
    }

    #[test]
    fn an_objection_to_direct_marketing_is_never_refused() {
        use crate::domain::rights::ObjectionGround;
        let marketing = RightRequest::Objection {
            ground: ObjectionGround::DirectMarketing,
            reasons: None,
        };
        let interests = RightRequest::Objection {
            ground: ObjectionGround::LegitimateInterests,
            reasons: None,
        };
        assert!(!outcome_allowed(&marketing, Outcome::Refused));
        assert!(!outcome_allowed(&marketing, Outcome::PartiallyFulfilled));
        assert!(outcome_allowed(&marketing, Outcome::Fulfilled));
        assert!(outcome_allowed(&interests, Outcome::Refused));
        assert!(!may_refuse_whole(Regime::UK_GDPR, [(&marketing, None)]));
        assert!(may_refuse_whole(Regime::UK_GDPR, [(&interests, None)]));
    }
}
