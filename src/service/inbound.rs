//! Replies by email: messages from a mailbox (a maildir that fetchmail,
//! getmail or the mail server fills) are matched to their case by the
//! reference in the subject and recorded as the requester's reply, as if
//! written on their status page (staff are alerted, a question answered
//! restarts the clock). Only mail from the address the case writes to is
//! taken; the rest is set aside unread by anyone but the mailbox's owner.

use mail_parser::MessageParser;

use super::casework::{self, Acting, Command, Mode};
use super::status::MAX_REPLY;
use super::ServiceError;
use crate::app::AppContext;
use crate::db::cases;
use crate::domain::Reference;
use crate::mail::messages::Addressee;

/// Why a message was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Ignored {
    #[error("not an email that can be read")]
    Unreadable,
    #[error("no case reference in the subject")]
    NoReference,
    #[error("no case has the reference in the subject")]
    NoSuchCase,
    #[error("not from the address the case writes to")]
    NotTheirs,
    #[error("no text but what was quoted")]
    Empty,
    #[error("the case does not take replies now: {0}")]
    Refused(String),
}

/// The first case reference (RD-XXXX-XXXX) in a subject line.
pub fn reference_in(subject: &str) -> Option<Reference> {
    let upper = subject.to_ascii_uppercase();
    upper
        .match_indices("RD-")
        .find_map(|(at, _)| upper.get(at..at + 12)?.parse::<Reference>().ok())
}

/// The reply's own words: the text above the quoted message (lines from
/// "On ... wrote:", a quote marker or an "Original Message" rule on).
pub fn own_words(text: &str) -> String {
    let mut kept = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('>')
            || (t.starts_with("On ") && t.ends_with("wrote:"))
            || t.contains("Original Message")
            || t == "--"
        {
            break;
        }
        kept.push(line.trim_end());
    }
    let words = kept.join("\n").trim().to_owned();
    words.chars().take(MAX_REPLY).collect()
}

/// Records one raw message as its case's reply, or says why not.
pub fn record(ctx: &AppContext, raw: &[u8]) -> Result<Result<Reference, Ignored>, ServiceError> {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Ok(Err(Ignored::Unreadable));
    };
    let Some(reference) = message.subject().and_then(reference_in) else {
        return Ok(Err(Ignored::NoReference));
    };
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_owned();
    let Some(case) = cases::find_by_reference(&mut *ctx.pool.get()?, &reference)? else {
        return Ok(Err(Ignored::NoSuchCase));
    };
    if from.is_empty() || !Addressee::of(&case).email.eq_ignore_ascii_case(&from) {
        return Ok(Err(Ignored::NotTheirs));
    }
    let body = own_words(&message.body_text(0).unwrap_or_default());
    if body.is_empty() {
        return Ok(Err(Ignored::Empty));
    }
    let command = Command::RequesterReply {
        body,
        by_email: true,
    };
    Ok(
        match casework::perform_as(ctx, Acting::Requester, &reference, command, Mode::Commit)? {
            Ok(_) => Ok(reference),
            Err(refused) => Err(Ignored::Refused(refused.to_string())),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_is_found_anywhere_in_the_subject() {
        let r = reference_in("Re: A question about your request rd-7k3m-9q2x").unwrap();
        assert_eq!(r.as_str(), "RD-7K3M-9Q2X");
        assert!(reference_in("Re: your request").is_none());
        assert!(reference_in("RD-").is_none());
        assert!(reference_in("RD-7K3M").is_none());
    }

    #[test]
    fn only_the_replys_own_words_are_kept() {
        let text = "The business account, please.\n\nThanks,\nAda\n\nOn Tue, 3 Mar 2026, Example Ltd wrote:\n> Which account?\n";
        assert_eq!(
            own_words(text),
            "The business account, please.\n\nThanks,\nAda"
        );
        assert_eq!(own_words("> only a quote\n"), "");
        assert_eq!(own_words(&"x".repeat(6000)).chars().count(), MAX_REPLY);
    }
}
