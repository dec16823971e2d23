//! The case state machine. Every change of state is a named transition; a
//! transition that does not apply to the current state is an error.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Filed on the web; the email address is not yet confirmed.
    Submitted,
    AwaitingIdentity,
    InProgress,
    AwaitingRequester,
    Completed,
    Refused,
    Withdrawn,
    /// Never confirmed: lapsed without being worked.
    Expired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    ConfirmEmail,
    ConfirmationLapsed,
    VerifyIdentity,
    RequestClarification,
    RequesterReplied,
    Complete,
    Refuse,
    Withdraw,
    /// Closed as a duplicate of another case, which carries the answer.
    MarkDuplicate,
    /// A closed case is worked again (a mistake, or a new question).
    Reopen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a case that is {from} cannot be moved by '{transition}'")]
pub struct IllegalTransition {
    pub from: CaseState,
    pub transition: Transition,
}

impl CaseState {
    pub const ALL: [CaseState; 8] = [
        CaseState::Submitted,
        CaseState::AwaitingIdentity,
        CaseState::InProgress,
        CaseState::AwaitingRequester,
        CaseState::Completed,
        CaseState::Refused,
        CaseState::Withdrawn,
        CaseState::Expired,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CaseState::Submitted => "submitted",
            CaseState::AwaitingIdentity => "awaiting_identity",
            CaseState::InProgress => "in_progress",
            CaseState::AwaitingRequester => "awaiting_requester",
            CaseState::Completed => "completed",
            CaseState::Refused => "refused",
            CaseState::Withdrawn => "withdrawn",
            CaseState::Expired => "expired",
        }
    }

    /// The state's name for staff pages.
    pub fn label(self) -> &'static str {
        match self {
            CaseState::Submitted => "Unconfirmed",
            CaseState::AwaitingIdentity => "Awaiting identity",
            CaseState::InProgress => "In progress",
            CaseState::AwaitingRequester => "Awaiting requester",
            CaseState::Completed => "Completed",
            CaseState::Refused => "Refused",
            CaseState::Withdrawn => "Withdrawn",
            CaseState::Expired => "Expired",
        }
    }

    /// Where the request stands, in words for the requester.
    pub fn for_requester(self) -> &'static str {
        match self {
            CaseState::Submitted => "Waiting for you to confirm your email address.",
            CaseState::AwaitingIdentity => {
                "We are checking that the request comes from you. If we need anything from you, our message is below."
            }
            CaseState::InProgress => "We are working on your request.",
            CaseState::AwaitingRequester => {
                "We have asked you a question (see our message below). Please reply here."
            }
            CaseState::Completed => "Done: we have sent you our answer (below).",
            CaseState::Refused => {
                "We have decided not to act on your request. Our message below explains why and how to complain."
            }
            CaseState::Withdrawn => "Withdrawn: we have closed your request.",
            CaseState::Expired => "Closed: the email address was never confirmed.",
        }
    }

    /// States the queue shows by default: confirmed and not closed.
    pub const OPEN: [CaseState; 3] = [
        CaseState::AwaitingIdentity,
        CaseState::InProgress,
        CaseState::AwaitingRequester,
    ];

    /// Closed cases take no further transitions.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            CaseState::Completed | CaseState::Refused | CaseState::Withdrawn | CaseState::Expired
        )
    }

    /// The state `transition` leads to from here, or why it cannot happen.
    pub fn apply(self, transition: Transition) -> Result<CaseState, IllegalTransition> {
        use CaseState as S;
        use Transition as T;
        let next = match (self, transition) {
            (S::Submitted, T::ConfirmEmail) => S::AwaitingIdentity,
            (S::Submitted, T::ConfirmationLapsed) => S::Expired,
            (S::AwaitingIdentity, T::VerifyIdentity) => S::InProgress,
            (S::InProgress, T::RequestClarification) => S::AwaitingRequester,
            (S::AwaitingRequester, T::RequesterReplied) => S::InProgress,
            (S::InProgress, T::Complete) => S::Completed,
            // A request that needs no verification (a CCPA opt-out or limit)
            // is answered whether or not the email was confirmed; the
            // service allows it only when every right is such a right.
            (S::Submitted | S::AwaitingIdentity, T::Complete) => S::Completed,
            // Refusal: unverifiable identity, manifestly unfounded or excessive,
            // or no answer to a clarification.
            (S::AwaitingIdentity | S::InProgress | S::AwaitingRequester, T::Refuse) => S::Refused,
            (
                S::Submitted | S::AwaitingIdentity | S::InProgress | S::AwaitingRequester,
                T::Withdraw,
            ) => S::Withdrawn,
            (S::AwaitingIdentity | S::InProgress | S::AwaitingRequester, T::MarkDuplicate) => {
                S::Completed
            }
            (S::Completed | S::Refused | S::Withdrawn, T::Reopen) => S::InProgress,
            (from, transition) => return Err(IllegalTransition { from, transition }),
        };
        Ok(next)
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = match self {
            Transition::ConfirmEmail => "confirm_email",
            Transition::ConfirmationLapsed => "confirmation_lapsed",
            Transition::VerifyIdentity => "verify_identity",
            Transition::RequestClarification => "request_clarification",
            Transition::RequesterReplied => "requester_replied",
            Transition::Complete => "complete",
            Transition::Refuse => "refuse",
            Transition::Withdraw => "withdraw",
            Transition::MarkDuplicate => "mark_duplicate",
            Transition::Reopen => "reopen",
        };
        f.write_str(key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown case state '{0}'")]
pub struct UnknownState(pub String);

impl FromStr for CaseState {
    type Err = UnknownState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseState::ALL
            .into_iter()
            .find(|c| c.key() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::CaseState as S;
    use super::Transition as T;
    use super::*;

    const TRANSITIONS: [Transition; 10] = [
        T::ConfirmEmail,
        T::ConfirmationLapsed,
        T::VerifyIdentity,
        T::RequestClarification,
        T::RequesterReplied,
        T::Complete,
        T::Refuse,
        T::Withdraw,
        T::MarkDuplicate,
        T::Reopen,
    ];

    /// The whole table: every (state, transition) pair that is allowed, and
    /// where it leads. Every pair not listed must be refused.
    const ALLOWED: &[(CaseState, Transition, CaseState)] = &[
        (S::Submitted, T::ConfirmEmail, S::AwaitingIdentity),
        (S::Submitted, T::ConfirmationLapsed, S::Expired),
        (S::Submitted, T::Withdraw, S::Withdrawn),
        (S::AwaitingIdentity, T::VerifyIdentity, S::InProgress),
        (S::AwaitingIdentity, T::Refuse, S::Refused),
        (S::AwaitingIdentity, T::Withdraw, S::Withdrawn),
        (S::InProgress, T::RequestClarification, S::AwaitingRequester),
        (S::InProgress, T::Complete, S::Completed),
        (S::Submitted, T::Complete, S::Completed),
        (S::AwaitingIdentity, T::Complete, S::Completed),
        (S::InProgress, T::Refuse, S::Refused),
        (S::InProgress, T::Withdraw, S::Withdrawn),
        (S::AwaitingRequester, T::RequesterReplied, S::InProgress),
        (S::AwaitingRequester, T::Refuse, S::Refused),
        (S::AwaitingRequester, T::Withdraw, S::Withdrawn),
        (S::AwaitingIdentity, T::MarkDuplicate, S::Completed),
        (S::InProgress, T::MarkDuplicate, S::Completed),
        (S::AwaitingRequester, T::MarkDuplicate, S::Completed),
        (S::Completed, T::Reopen, S::InProgress),
        (S::Refused, T::Reopen, S::InProgress),
        (S::Withdrawn, T::Reopen, S::InProgress),
    ];

    #[test]
    fn every_state_and_transition_pair_behaves_as_the_table_says() {
        for from in CaseState::ALL {
            for transition in TRANSITIONS {
                let expected = ALLOWED
                    .iter()
                    .find(|(f, t, _)| *f == from && *t == transition)
                    .map(|(_, _, to)| *to);
                match expected {
                    Some(to) => assert_eq!(from.apply(transition), Ok(to), "{from} + {transition}"),
                    None => assert_eq!(
                        from.apply(transition),
                        Err(IllegalTransition { from, transition }),
                        "{from} + {transition} should be refused"
                    ),
                }
            }
        }
    }

    #[test]
    fn closed_states_take_no_transition_but_reopening() {
        for from in CaseState::ALL.into_iter().filter(|s| s.is_closed()) {
            for transition in TRANSITIONS.into_iter().filter(|t| *t != T::Reopen) {
                assert!(from.apply(transition).is_err());
            }
        }
        assert!(S::Expired.apply(T::Reopen).is_err());
    }

    #[test]
    fn states_round_trip_through_their_keys() {
        for s in CaseState::ALL {
            assert_eq!(s.key().parse::<CaseState>(), Ok(s));
        }
        assert!("open".parse::<CaseState>().is_err());
    }

    #[test]
    fn illegal_transitions_say_what_was_tried() {
        let err = S::Completed.apply(T::ConfirmEmail).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a case that is completed cannot be moved by 'confirm_email'"
        );
    }
}
