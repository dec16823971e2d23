//! Mail transports chosen by URL: `file://DIR` (one .eml per message, the
//! embedded default; written to a temporary name and renamed, so a reader
//! never sees half a message; names sort in the order messages were sent), `smtp://` and `smtps://` (lettre SMTP; add
//! `?tls=required` for STARTTLS), and `log` (records that a message went,
//! never its content).

use std::path::PathBuf;
use std::time::Duration;

use lettre::transport::smtp::PoolConfig;
use lettre::{Message, SmtpTransport, Transport as _};

/// Seconds any one SMTP step may take unless `mail.smtp_timeout_secs` says.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

pub enum Transport {
    File(PathBuf),
    /// The transport, where it goes (for logs), and its step timeout.
    Smtp(SmtpTransport, String, Duration),
    Log,
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("mail URL '{0}' is not supported: use file://DIR, smtp://HOST:PORT, smtps://HOST:PORT or log")]
    Unsupported(String),
    #[error("mail URL: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("cannot create the mail directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    /// The server refused this message for good (a 5xx reply, or a
    /// recipient it cannot take). Otherwise the fault is the server's or the
    /// way to it (refused, timed out, 4xx): the next message would likely
    /// fail the same way, so a batch stops rather than burning every
    /// message's attempts.
    pub permanent: bool,
}

impl Transport {
    /// A transport for `url`, with no SMTP step waiting longer than
    /// `timeout` (connecting, each command, each reply).
    pub fn from_url(url: &str) -> Result<Transport, TransportError> {
        Transport::with_timeout(url, Duration::from_secs(DEFAULT_TIMEOUT_SECS))
    }

    pub fn with_timeout(url: &str, timeout: Duration) -> Result<Transport, TransportError> {
        Transport::configured(url, timeout, 1)
    }

    /// As [`Transport::with_timeout`], keeping up to `connections` SMTP
    /// connections open for messages sent at once.
    pub fn configured(
        url: &str,
        timeout: Duration,
        connections: u32,
    ) -> Result<Transport, TransportError> {
        let url = url.trim();
        if url == "log" {
            return Ok(Transport::Log);
        }
        if let Some(dir) = url.strip_prefix("file://") {
            if dir.is_empty() {
                return Err(TransportError::Unsupported(url.to_owned()));
            }
            let dir = PathBuf::from(dir);
            crate::files::private_dir(&dir).map_err(|source| TransportError::Directory {
                path: dir.display().to_string(),
                source,
            })?;
            return Ok(Transport::File(dir));
        }
        if url.starts_with("smtp://") || url.starts_with("smtps://") {
            // Connections are pooled (lettre's `pool` feature): kept open
            // between messages, dropped when idle or broken.
            let transport = SmtpTransport::from_url(url)?
                .timeout(Some(timeout))
                .pool_config(PoolConfig::new().max_size(connections.max(1)))
                .build();
            let parsed = url::Url::parse(url).ok();
            let shown = parsed
                .map(|u| {
                    format!(
                        "{}://{}:{}",
                        u.scheme(),
                        u.host_str().unwrap_or("?"),
                        u.port()
                            .map(|p| p.to_string())
                            .unwrap_or_else(|| "default".into())
                    )
                })
                .unwrap_or_else(|| "smtp".into());
            return Ok(Transport::Smtp(transport, shown, timeout));
        }
        Err(TransportError::Unsupported(url.to_owned()))
    }

    /// How many messages are worth sending at once: `connections` over SMTP
    /// (each waits on the server), one for files and the log (which only
    /// compete for the disk and the processor).
    pub fn parallel_sends(&self, connections: u32) -> u32 {
        match self {
            Transport::Smtp(..) => connections.clamp(1, 64),
            Transport::File(_) | Transport::Log => 1,
        }
    }

    /// Where mail goes, for logs: never includes credentials.
    pub fn describe(&self) -> String {
        match self {
            Transport::File(dir) => format!("files in {}", dir.display()),
            Transport::Smtp(_, shown, _) => shown.clone(),
            Transport::Log => "the log (not delivered)".into(),
        }
    }

    pub fn send(&self, message: &Message) -> Result<(), SendError> {
        match self {
            Transport::File(dir) => write_eml(dir, message).map_err(|e| SendError {
                message: e.to_string(),
                permanent: false,
            }),
            Transport::Smtp(t, _, timeout) => t.send(message).map(|_| ()).map_err(|e| SendError {
                permanent: e.is_permanent(),
                message: if timed_out(&e) {
                    format!(
                        "the mail server did not answer within {} s ({e})",
                        timeout.as_secs()
                    )
                } else {
                    e.to_string()
                },
            }),
            Transport::Log => Ok(()),
        }
    }
}

/// Whether an SMTP step ran out of time (a socket read or write timeout
/// shows as "would block").
fn timed_out(error: &lettre::transport::smtp::Error) -> bool {
    use std::error::Error as _;
    let mut source = error.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            );
        }
        source = e.source();
    }
    false
}

fn write_eml(dir: &std::path::Path, message: &Message) -> std::io::Result<()> {
    use rand::Rng;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let name = format!("{nanos:020}-{:08x}", rand::rng().random::<u32>());
    let tmp = dir.join(format!(".{name}.tmp"));
    crate::files::write_private(&tmp, &message.formatted(), true)?;
    std::fs::rename(&tmp, dir.join(format!("{name}.eml")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_their_transport() {
        let dir = tempfile::tempdir().unwrap();
        let file = Transport::from_url(&format!("file://{}/mail", dir.path().display())).unwrap();
        assert!(matches!(file, Transport::File(_)));
        assert!(dir.path().join("mail").is_dir());
        assert!(matches!(
            Transport::from_url("log").unwrap(),
            Transport::Log
        ));
        let smtp = Transport::from_url("smtp://user:secret@127.0.0.1:2525").unwrap();
        assert_eq!(smtp.describe(), "smtp://127.0.0.1:2525");
        assert!(Transport::from_url("smtps://mail.example.org").is_ok());
    }

    #[test]
    fn unknown_schemes_are_refused() {
        for bad in ["", "file://", "http://example.org", "sendmail", "smtp:/x"] {
            assert!(Transport::from_url(bad).is_err(), "{bad}");
        }
    }
}
