//! Webhooks: which case events other systems can subscribe to, and how a
//! delivery is signed (the Standard Webhooks scheme: HMAC-SHA256 over the
//! message id, the timestamp and the body, with the endpoint's secret).

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::audit::CaseEvent;

/// What an endpoint can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WebhookEvent {
    /// A request became a case to answer: entered by staff or through the
    /// API, or filed on the web and its address confirmed.
    CaseCreated,
    CaseVerified,
    CaseExtended,
    CaseCompleted,
    CaseRefused,
    CaseWithdrawn,
    CaseReopened,
    /// The requester wrote through their status page.
    RequesterReplied,
    /// The case's rights became tasks in the systems.
    TasksCreated,
    /// A system's owner answered a task.
    TaskAnswered,
    /// A task went past its due date and its owner was chased.
    TaskOverdue,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 11] = [
        WebhookEvent::CaseCreated,
        WebhookEvent::CaseVerified,
        WebhookEvent::CaseExtended,
        WebhookEvent::CaseCompleted,
        WebhookEvent::CaseRefused,
        WebhookEvent::CaseWithdrawn,
        WebhookEvent::CaseReopened,
        WebhookEvent::RequesterReplied,
        WebhookEvent::TasksCreated,
        WebhookEvent::TaskAnswered,
        WebhookEvent::TaskOverdue,
    ];

    pub fn key(self) -> &'static str {
        match self {
            WebhookEvent::CaseCreated => "case.created",
            WebhookEvent::CaseVerified => "case.verified",
            WebhookEvent::CaseExtended => "case.extended",
            WebhookEvent::CaseCompleted => "case.completed",
            WebhookEvent::CaseRefused => "case.refused",
            WebhookEvent::CaseWithdrawn => "case.withdrawn",
            WebhookEvent::CaseReopened => "case.reopened",
            WebhookEvent::RequesterReplied => "case.requester_replied",
            WebhookEvent::TasksCreated => "task.created",
            WebhookEvent::TaskAnswered => "task.answered",
            WebhookEvent::TaskOverdue => "task.overdue",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WebhookEvent::CaseCreated => "A case is opened (entered, or its address confirmed)",
            WebhookEvent::CaseVerified => "The requester's identity is verified",
            WebhookEvent::CaseExtended => "The deadline is extended",
            WebhookEvent::CaseCompleted => "The request is answered",
            WebhookEvent::CaseRefused => "The request is refused",
            WebhookEvent::CaseWithdrawn => "The request is withdrawn",
            WebhookEvent::CaseReopened => "A closed case is reopened",
            WebhookEvent::RequesterReplied => "The requester writes",
            WebhookEvent::TasksCreated => "Tasks are sent to the systems",
            WebhookEvent::TaskAnswered => "A system answers its task",
            WebhookEvent::TaskOverdue => "A task is overdue",
        }
    }

    /// The webhook a case event raises, if any.
    pub fn raised_by(event: CaseEvent) -> Option<WebhookEvent> {
        Some(match event {
            CaseEvent::RequestEntered | CaseEvent::EmailConfirmed => WebhookEvent::CaseCreated,
            CaseEvent::IdentityVerified => WebhookEvent::CaseVerified,
            CaseEvent::DeadlineExtended => WebhookEvent::CaseExtended,
            CaseEvent::CaseCompleted => WebhookEvent::CaseCompleted,
            CaseEvent::CaseRefused => WebhookEvent::CaseRefused,
            CaseEvent::WithdrawalRecorded => WebhookEvent::CaseWithdrawn,
            CaseEvent::CaseReopened => WebhookEvent::CaseReopened,
            CaseEvent::RequesterReplied => WebhookEvent::RequesterReplied,
            CaseEvent::TasksCreated => WebhookEvent::TasksCreated,
            CaseEvent::TaskAnswered => WebhookEvent::TaskAnswered,
            CaseEvent::TaskChased => WebhookEvent::TaskOverdue,
            _ => return None,
        })
    }
}

impl fmt::Display for WebhookEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for WebhookEvent {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        WebhookEvent::ALL
            .into_iter()
            .find(|e| e.key() == s)
            .ok_or_else(|| format!("unknown webhook event '{s}'"))
    }
}

/// What an endpoint subscribes to: at least one event, each once.
pub fn parse_events(keys: &[String]) -> Result<Vec<WebhookEvent>, String> {
    let mut events = keys
        .iter()
        .map(|k| k.trim().parse())
        .collect::<Result<Vec<WebhookEvent>, String>>()?;
    events.sort();
    events.dedup();
    if events.is_empty() {
        return Err("Choose at least one event to send".into());
    }
    Ok(events)
}

/// An endpoint's address: http or https, with a host, at most 2,000
/// characters.
pub fn parse_endpoint_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let wrong =
        || "Enter the endpoint's address, like https://example.org/hooks/rightsdesk".to_owned();
    if url.len() > 2000 {
        return Err(wrong());
    }
    let parsed = url::Url::parse(url).map_err(|_| wrong())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(wrong());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("Put no user name or password in the address: deliveries are signed".into());
    }
    Ok(parsed.to_string())
}

/// What a secret is shown as: `whsec_` and the base64 of its bytes.
pub const SECRET_PREFIX: &str = "whsec_";

/// The `webhook-signature` header of a delivery: `v1,` and the base64 of
/// HMAC-SHA256(secret, "{id}.{timestamp}.{body}").
pub fn signature(secret: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any size");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The secret's bytes, from its `whsec_...` form.
pub fn secret_bytes(shown: &str) -> Option<Vec<u8>> {
    STANDARD
        .decode(shown.strip_prefix(SECRET_PREFIX).unwrap_or(shown))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_those_of_the_standard_webhooks_scheme() {
        // The example of the Standard Webhooks specification.
        let secret = secret_bytes("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            signature(
                &secret,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                r#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn every_event_reads_back_and_each_is_raised_by_some_case_event() {
        for event in WebhookEvent::ALL {
            assert_eq!(event.key().parse::<WebhookEvent>().unwrap(), event);
            assert!(CaseEvent::ALL
                .iter()
                .any(|c| WebhookEvent::raised_by(*c) == Some(event)));
        }
        assert_eq!(WebhookEvent::raised_by(CaseEvent::CaseViewed), None);
    }

    #[test]
    fn subscriptions_and_addresses_are_checked() {
        assert!(parse_events(&[]).is_err());
        assert!(parse_events(&["case.flew".into()]).is_err());
        assert_eq!(
            parse_events(&[
                "case.refused".into(),
                "case.created".into(),
                "case.created".into()
            ])
            .unwrap(),
            [WebhookEvent::CaseCreated, WebhookEvent::CaseRefused]
        );
        assert!(parse_endpoint_url("https://hooks.example.org/rd").is_ok());
        for bad in [
            "",
            "ftp://x.org/",
            "not a url",
            "https://user:pw@x.org/",
            "javascript:alert(1)",
        ] {
            assert!(parse_endpoint_url(bad).is_err(), "{bad}");
        }
    }
}
