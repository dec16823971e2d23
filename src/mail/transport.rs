//! Mail transports chosen by URL: `file://DIR` (one .eml per message, the
//! embedded default; written to a temporary name and renamed, so a reader
//! never sees half a message; names sort in the order messages were sent), `smtp://` and `smtps://` (lettre SMTP; add
//! `?tls=required` for STARTTLS), and `log` (records that a message went,
//! never its content).

use std::path::PathBuf;
use std::time::Duration;

use lettre::{Message, SmtpTransport, Transport as _};

pub enum Transport {
    File(PathBuf),
    Smtp(SmtpTransport, String),
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

impl Transport {
    pub fn from_url(url: &str) -> Result<Transport, TransportError> {
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
            let transport = SmtpTransport::from_url(url)?
                .timeout(Some(Duration::from_secs(30)))
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
            return Ok(Transport::Smtp(transport, shown));
        }
        Err(TransportError::Unsupported(url.to_owned()))
    }

    /// Where mail goes, for logs: never includes credentials.
    pub fn describe(&self) -> String {
        match self {
            Transport::File(dir) => format!("files in {}", dir.display()),
            Transport::Smtp(_, shown) => shown.clone(),
            Transport::Log => "the log (not delivered)".into(),
        }
    }

    pub fn send(&self, message: &Message) -> Result<(), String> {
        match self {
            Transport::File(dir) => write_eml(dir, message).map_err(|e| e.to_string()),
            Transport::Smtp(t, _) => t.send(message).map(|_| ()).map_err(|e| e.to_string()),
            Transport::Log => Ok(()),
        }
    }
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
