//! Typed settings: the built-in `config/default.toml`, an optional local
//! file, `RIGHTSDESK__SECTION__KEY` environment variables and the few plain
//! variables operators and tests rely on (`DATABASE_URL`, `RIGHTSDESK_BIND`,
//! `RIGHTSDESK_BASE_URL`, `RIGHTSDESK_MAIL_URL`, `RIGHTSDESK_DATA_DIR`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;
use url::Url;

use crate::domain::regime::JurisdictionError;
use crate::domain::{Calendars, Jurisdiction, Regime};

pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub storage: StorageSettings,
    pub database: DatabaseSettings,
    pub mail: MailSettings,
    pub organisation: Organisation,
    pub requests: RequestSettings,
    pub calendars: CalendarSettings,
    pub authorities: Authorities,
    pub staff: StaffSettings,
    pub uploads: UploadSettings,
    pub audit: AuditSettings,
    pub fulfilment: FulfilmentSettings,
    pub retention: RetentionSettings,
    pub answers: AnswerTexts,
    pub drp: DrpSettings,
}

/// The Data Rights Protocol (authorised agents filing by signed messages).
#[derive(Debug, Clone, Deserialize)]
pub struct DrpSettings {
    /// This business's id in the DRP network, which every message an agent
    /// sends must name; empty: the DRP endpoints are off.
    pub business_id: String,
}

/// The organisation-wide texts every answer to a request for access (or to
/// know) quotes; staff can see them on the case page before answering.
#[derive(Debug, Clone, Deserialize)]
pub struct AnswerTexts {
    pub purposes: String,
    pub categories: String,
    pub recipients: String,
    pub retention: String,
    pub sources: String,
    pub automated_decisions: String,
    pub transfers: String,
}

impl AnswerTexts {
    pub fn get(&self, text: crate::domain::regime::OrgText) -> &str {
        use crate::domain::regime::OrgText as T;
        match text {
            T::Purposes => &self.purposes,
            T::Categories => &self.categories,
            T::Recipients => &self.recipients,
            T::Retention => &self.retention,
            T::Sources => &self.sources,
            T::AutomatedDecisions => &self.automated_decisions,
            T::Transfers => &self.transfers,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct RetentionSettings {
    /// Months after closing before a case is reduced to its minimal record
    /// (at least each regime's minimum: 24 months under the CCPA).
    pub closed_case_months: u32,
    /// Days spent or expired links, and emails to staff, are kept.
    pub spent_link_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FulfilmentSettings {
    /// Days a system owner has to answer a task (the internal target).
    pub task_target_days: u32,
    /// Days for the tasks of an objection to direct marketing.
    pub marketing_days: u32,
    /// Days a task link works.
    pub task_link_days: u32,
    /// Days between reminders of an overdue task.
    pub chase_every_days: u32,
    /// Days the requester's data package can be downloaded before it is
    /// deleted.
    pub package_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuditSettings {
    /// Base64 of 32 random bytes: seals the audit trails (HMAC-SHA256).
    /// Empty is allowed only in development, where a key file is made in
    /// the data directory.
    pub key: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UploadSettings {
    /// Base64 of 32 random bytes: encrypts uploaded documents. Empty is
    /// allowed only on a loopback base URL (development), where a key file
    /// is made in the data directory.
    pub key: String,
    /// Largest accepted file.
    pub max_file_bytes: usize,
    /// Most documents a case may hold awaiting review, and may be sent at once.
    pub max_files: u32,
    /// Largest upload request, all files together.
    pub max_request_bytes: usize,
    /// An upload still arriving after this many seconds is stopped.
    pub read_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StaffSettings {
    /// Base64 of at least 64 random bytes: signs and encrypts staff session
    /// cookies. Empty is allowed only when the app is served on a loopback
    /// address (development); a random key is then made at each start.
    pub session_key: String,
    /// A session ends after this long without a request.
    pub idle_timeout_minutes: u32,
    /// And after this long in any case.
    pub absolute_timeout_hours: u32,
    /// Failed logins in a row from one address before it must wait (a
    /// minute, doubling with each failure up to `lockout_minutes`).
    pub max_failed_logins: u32,
    pub lockout_minutes: u32,
    /// How long the first admin's setup link and invitation links work.
    pub setup_link_ttl_hours: u32,
    pub invite_ttl_hours: u32,
    /// The local hour (0-23) at which the daily digest goes out.
    pub digest_hour: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CalendarSettings {
    /// A holiday-calendar file replacing shipped calendars or adding others
    /// (by key); empty for the shipped ones only.
    pub file: String,
    /// The member state whose public holidays EU GDPR deadlines roll past:
    /// `ie`, `de`, `fr`, `nl`, or a calendar the file adds.
    pub eu_country: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub bind: String,
    pub base_url: String,
    pub max_body_bytes: usize,
    /// A request body (other than an upload) still arriving after this many
    /// seconds is refused.
    pub body_timeout_secs: u64,
    /// Form submissions (POST) allowed per client per minute, after the burst.
    pub rate_limit_per_minute: u32,
    pub rate_limit_burst: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the real client.
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StorageSettings {
    pub data_dir: PathBuf,
    pub templates_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
    /// Seconds a request waits for a database connection before it gets a
    /// "try again shortly" page (503).
    pub wait_secs: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MailSettings {
    pub url: String,
    pub from: String,
    /// Where replies go (Reply-To); empty in the files means the
    /// organisation's address, filled in when the settings load.
    #[serde(default)]
    pub reply_to: String,
    pub poll_interval_secs: u64,
    /// The longest any one SMTP step (connecting, a command, a reply) may
    /// take before the attempt counts as failed.
    pub smtp_timeout_secs: u64,
    /// SMTP connections a worker sends on at once (at most 64).
    pub smtp_connections: u32,
    /// Messages waiting to be sent at which the public form stops taking
    /// new requests (503, "try again in a few minutes") until the worker
    /// has caught up: a flood of filings cannot grow the queue, and the
    /// delay of every confirmation, without bound.
    pub max_backlog: u32,
    pub max_attempts: u32,
    pub retry_base_secs: u64,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Organisation {
    pub name: String,
    pub email: String,
    pub postal_address: String,
    pub home_regime: Regime,
    /// The laws that apply to the organisation at all; a requester living
    /// where none of them reaches is handled under `home_regime`.
    pub regimes: Vec<Regime>,
    pub timezone: Tz,
}

impl Organisation {
    pub fn jurisdiction(&self) -> Result<Jurisdiction, JurisdictionError> {
        Jurisdiction::new(self.home_regime, self.regimes.clone())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct RequestSettings {
    pub confirm_link_ttl_hours: u32,
    pub unconfirmed_expiry_days: u32,
    /// Unconfirmed requests one email address may have from the last day.
    pub max_unconfirmed_per_address: u32,
    /// How long a link to the requester's status page works.
    pub status_link_ttl_days: u32,
    /// New status-page links one email address may be sent in an hour.
    pub max_status_links_per_address_hour: u32,
}

/// The supervisory authority a requester can complain to, per regime.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Authority {
    pub name: String,
    pub url: String,
    pub address: String,
}

/// Per regime, keyed by the regime's key with `_` for `-` (`uk_gdpr`).
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Authorities(HashMap<String, Authority>);

impl Authorities {
    fn setting_key(regime: Regime) -> String {
        regime.key().replace('-', "_")
    }

    /// The authority for `regime`; every applicable regime has one (checked
    /// when the settings load).
    pub fn for_regime(&self, regime: Regime) -> Option<&Authority> {
        self.0.get(&Self::setting_key(regime))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration: server.bind '{0}' is not host:port (e.g. 127.0.0.1:8080)")]
    Bind(String),
    #[error("configuration: server.base_url '{0}' is not an http(s) URL")]
    BaseUrl(String),
    #[error("configuration: set server.base_url (RIGHTSDESK_BASE_URL), the address people reach the app at: server.bind '{0}' listens on every address, so the links in emails cannot be made from it")]
    BaseUrlNeeded(String),
    #[error("configuration: {0} must be greater than zero")]
    Zero(&'static str),
    #[error("configuration: mail.reply_to (or organisation.email, its default) '{0}' is not a valid address")]
    ReplyTo(String),
    #[error("configuration: mail.from '{0}' is not a valid sender address")]
    From(String),
    #[error("configuration: {0} must be at most {1}, not {2}")]
    TooMany(&'static str, u64, u64),
    #[error("configuration: server.rate_limit_per_minute must be at most 60000 (one a millisecond), not {0}")]
    RateLimit(u32),
    #[error("configuration: staff.digest_hour must be between 0 and 23, not {0}")]
    DigestHour(u32),
    #[error(
        "configuration: staff.session_key must be set (base64 of at least 64 random bytes, \
         e.g. from `openssl rand -base64 64`) unless the app both listens on and is reached at a loopback address: {0}"
    )]
    SessionKey(&'static str),
    #[error(
        "configuration: uploads.key must be set (base64 of 32 random bytes, e.g. from \
         `openssl rand -base64 32`) unless the app both listens on and is reached at a loopback address: {0}"
    )]
    UploadKey(&'static str),
    #[error(
        "configuration: audit.key must be set (base64 of 32 random bytes, e.g. from \
         `openssl rand -base64 32`) unless the app both listens on and is reached at a loopback address: {0}"
    )]
    AuditKey(&'static str),
    #[error("configuration: cannot read calendars.file {path}: {source}")]
    CalendarFile {
        path: String,
        source: std::io::Error,
    },
    #[error("configuration: calendars.file {path}: {source}")]
    Calendar {
        path: String,
        source: crate::domain::calendar::CalendarError,
    },
    #[error("configuration: {0}")]
    CalendarChoice(crate::domain::calendar::CalendarError),
    #[error("configuration: {0}")]
    Jurisdiction(#[from] JurisdictionError),
    #[error("configuration: drp.business_id '{0}' is not 1 to 100 letters, digits, dots, hyphens or underscores")]
    DrpBusinessId(String),
    #[error("configuration: authorities.{0} is missing: name, url and address of the authority requesters under {1} complain to")]
    Authority(String, &'static str),
}

/// The plain environment variables that always override the files.
const PLAIN_OVERRIDES: &[(&str, &str)] = &[
    ("DATABASE_URL", "database.url"),
    ("RIGHTSDESK_BIND", "server.bind"),
    ("RIGHTSDESK_BASE_URL", "server.base_url"),
    ("RIGHTSDESK_MAIL_URL", "mail.url"),
    ("RIGHTSDESK_DATA_DIR", "storage.data_dir"),
];

impl Settings {
    /// Loads settings from the files and the process environment.
    pub fn load() -> Result<Settings, SettingsError> {
        Settings::load_from(std::env::vars().collect())
    }

    /// Loads settings as [`Settings::load`] does, from the given environment.
    pub fn load_from(env: HashMap<String, String>) -> Result<Settings, SettingsError> {
        let mut builder = Config::builder()
            .add_source(File::from_str(DEFAULT_TOML, FileFormat::Toml))
            .add_source(File::new("config/local", FileFormat::Toml).required(false));
        if let Some(path) = env.get("RIGHTSDESK_CONFIG") {
            builder = builder.add_source(File::new(path, FileFormat::Toml).required(true));
        }
        builder = builder.add_source(
            Environment::with_prefix("RIGHTSDESK")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true)
                .list_separator(",")
                .with_list_parse_key("server.trusted_proxies")
                .with_list_parse_key("organisation.regimes")
                .source(Some(env.clone())),
        );
        for (var, key) in PLAIN_OVERRIDES {
            if let Some(value) = env.get(*var).filter(|v| !v.trim().is_empty()) {
                builder = builder.set_override(*key, value.trim())?;
            }
        }
        let mut settings: Settings = builder.build()?.try_deserialize()?;
        if settings.server.base_url.trim().is_empty() {
            settings.server.base_url = settings.derived_base_url()?;
        }
        if settings.mail.reply_to.trim().is_empty() {
            settings.mail.reply_to = settings.organisation.email.clone();
        }
        settings.validate()?;
        settings.calendars()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        self.bind_addr()?;
        let business = &self.drp.business_id;
        if !business.is_empty()
            && crate::domain::drp::parse_agent_id(business).as_deref() != Ok(business)
        {
            return Err(SettingsError::DrpBusinessId(business.clone()));
        }
        let base = Url::parse(&self.server.base_url)
            .map_err(|_| SettingsError::BaseUrl(self.server.base_url.clone()))?;
        if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
            return Err(SettingsError::BaseUrl(self.server.base_url.clone()));
        }
        let counts = [
            ("database.pool_size", u64::from(self.database.pool_size)),
            ("database.wait_secs", u64::from(self.database.wait_secs)),
            (
                "server.rate_limit_per_minute",
                u64::from(self.server.rate_limit_per_minute),
            ),
            (
                "server.rate_limit_burst",
                u64::from(self.server.rate_limit_burst),
            ),
            ("server.max_body_bytes", self.server.max_body_bytes as u64),
            ("server.body_timeout_secs", self.server.body_timeout_secs),
            (
                "retention.closed_case_months",
                u64::from(self.retention.closed_case_months),
            ),
            (
                "retention.spent_link_days",
                u64::from(self.retention.spent_link_days),
            ),
            (
                "fulfilment.task_target_days",
                u64::from(self.fulfilment.task_target_days),
            ),
            (
                "fulfilment.marketing_days",
                u64::from(self.fulfilment.marketing_days),
            ),
            (
                "fulfilment.task_link_days",
                u64::from(self.fulfilment.task_link_days),
            ),
            (
                "fulfilment.package_days",
                u64::from(self.fulfilment.package_days),
            ),
            (
                "fulfilment.chase_every_days",
                u64::from(self.fulfilment.chase_every_days),
            ),
            (
                "requests.confirm_link_ttl_hours",
                u64::from(self.requests.confirm_link_ttl_hours),
            ),
            (
                "requests.unconfirmed_expiry_days",
                u64::from(self.requests.unconfirmed_expiry_days),
            ),
            (
                "requests.max_unconfirmed_per_address",
                u64::from(self.requests.max_unconfirmed_per_address),
            ),
            ("mail.max_attempts", u64::from(self.mail.max_attempts)),
            ("mail.max_backlog", u64::from(self.mail.max_backlog)),
            ("mail.smtp_timeout_secs", self.mail.smtp_timeout_secs),
            (
                "mail.smtp_connections",
                u64::from(self.mail.smtp_connections),
            ),
            (
                "requests.status_link_ttl_days",
                u64::from(self.requests.status_link_ttl_days),
            ),
            (
                "requests.max_status_links_per_address_hour",
                u64::from(self.requests.max_status_links_per_address_hour),
            ),
            (
                "staff.idle_timeout_minutes",
                u64::from(self.staff.idle_timeout_minutes),
            ),
            (
                "staff.absolute_timeout_hours",
                u64::from(self.staff.absolute_timeout_hours),
            ),
            (
                "staff.max_failed_logins",
                u64::from(self.staff.max_failed_logins),
            ),
            (
                "staff.setup_link_ttl_hours",
                u64::from(self.staff.setup_link_ttl_hours),
            ),
            (
                "staff.invite_ttl_hours",
                u64::from(self.staff.invite_ttl_hours),
            ),
        ];
        if let Some((name, _)) = counts.iter().find(|(_, value)| *value == 0) {
            return Err(SettingsError::Zero(name));
        }
        if self
            .mail
            .reply_to
            .parse::<lettre::message::Mailbox>()
            .is_err()
        {
            return Err(SettingsError::ReplyTo(self.mail.reply_to.clone()));
        }
        if self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(SettingsError::From(self.mail.from.clone()));
        }
        let jurisdiction = self.organisation.jurisdiction()?;
        for regime in jurisdiction.applicable() {
            if self.authorities.for_regime(*regime).is_none() {
                return Err(SettingsError::Authority(
                    Authorities::setting_key(*regime),
                    regime.short(),
                ));
            }
        }
        if self.staff.digest_hour > 23 {
            return Err(SettingsError::DigestHour(self.staff.digest_hour));
        }
        if self.mail.smtp_connections > 64 {
            return Err(SettingsError::TooMany(
                "mail.smtp_connections",
                64,
                self.mail.smtp_connections.into(),
            ));
        }
        if self.server.rate_limit_per_minute > 60_000 {
            return Err(SettingsError::RateLimit(self.server.rate_limit_per_minute));
        }
        self.session_key()?;
        self.upload_key()?;
        self.audit_key()?;
        if self.uploads.max_file_bytes == 0
            || self.uploads.max_files == 0
            || self.uploads.max_request_bytes == 0
            || self.uploads.read_timeout_secs == 0
        {
            return Err(SettingsError::Zero(
                "uploads.max_file_bytes, max_files, max_request_bytes and read_timeout_secs",
            ));
        }
        Ok(())
    }

    /// Whether this is development: the base URL is a loopback address and
    /// the server listens on one (a development key must never serve
    /// anyone else).
    fn is_local(&self) -> bool {
        let listens_locally = self.bind_addr().is_ok_and(|a| a.ip().is_loopback());
        listens_locally && self.base_url_is_loopback()
    }

    fn base_url_is_loopback(&self) -> bool {
        Url::parse(&self.server.base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .is_some_and(|h| {
                h == "localhost"
                    || h == "[::1]"
                    || h.parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            })
    }

    /// The document key, or `None` in development when none is set (the
    /// caller then uses a key file in the data directory).
    pub fn upload_key(&self) -> Result<Option<[u8; 32]>, SettingsError> {
        self.key_of(&self.uploads.key)
            .map_err(SettingsError::UploadKey)
    }

    /// The audit key, or `None` in development when none is set (the caller
    /// then uses a key file in the data directory).
    pub fn audit_key(&self) -> Result<Option<[u8; 32]>, SettingsError> {
        self.key_of(&self.audit.key)
            .map_err(SettingsError::AuditKey)
    }

    /// A 32-byte key from its base64 setting; empty means none, which only
    /// development may have. The error says what is wrong with it.
    fn key_of(&self, setting: &str) -> Result<Option<[u8; 32]>, &'static str> {
        use base64::Engine;
        let text = setting.trim();
        if text.is_empty() {
            return if self.is_local() {
                Ok(None)
            } else {
                Err("it is empty")
            };
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| "it is not valid base64")?;
        bytes
            .try_into()
            .map(Some)
            .map_err(|_| "it is not 32 bytes long")
    }

    /// The session key's bytes, or `None` in development when none is set
    /// (the caller then makes a random one).
    pub fn session_key(&self) -> Result<Option<Vec<u8>>, SettingsError> {
        use base64::Engine;
        let text = self.staff.session_key.trim();
        if text.is_empty() {
            return if self.is_local() {
                Ok(None)
            } else {
                Err(SettingsError::SessionKey("it is empty"))
            };
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| SettingsError::SessionKey("it is not valid base64"))?;
        if bytes.len() < 64 {
            return Err(SettingsError::SessionKey("it is shorter than 64 bytes"));
        }
        Ok(Some(bytes))
    }

    pub fn bind_addr(&self) -> Result<SocketAddr, SettingsError> {
        self.server
            .bind
            .parse()
            .map_err(|_| SettingsError::Bind(self.server.bind.clone()))
    }

    /// The base URL when none is set: the bind address, over http (so that
    /// changing the port changes the emailed links with it). Refused when
    /// the app listens on every address: no link can be made from that.
    fn derived_base_url(&self) -> Result<String, SettingsError> {
        let addr = self.bind_addr()?;
        if addr.ip().is_unspecified() {
            return Err(SettingsError::BaseUrlNeeded(self.server.bind.clone()));
        }
        Ok(format!("http://{addr}"))
    }

    /// The database URL, defaulting to SQLite under the data directory.
    pub fn database_url(&self) -> String {
        if self.database.url.trim().is_empty() {
            format!(
                "sqlite://{}",
                self.data_dir().join("rightsdesk.db").display()
            )
        } else {
            self.database.url.trim().to_owned()
        }
    }

    /// The mail transport URL, defaulting to files under the data directory.
    pub fn mail_url(&self) -> String {
        if self.mail.url.trim().is_empty() {
            format!("file://{}", self.data_dir().join("mail").display())
        } else {
            self.mail.url.trim().to_owned()
        }
    }

    /// The holiday calendars: the shipped ones, with the configured file's
    /// replacing or adding to them, and the EU member state chosen.
    pub fn calendars(&self) -> Result<Calendars, SettingsError> {
        let mut calendars = Calendars::shipped();
        let path = self.calendars.file.trim();
        if !path.is_empty() {
            let text =
                std::fs::read_to_string(path).map_err(|source| SettingsError::CalendarFile {
                    path: path.to_owned(),
                    source,
                })?;
            calendars
                .load_file(&text)
                .map_err(|source| SettingsError::Calendar {
                    path: path.to_owned(),
                    source,
                })?;
        }
        calendars
            .choose("calendars.eu_country", &self.calendars.eu_country)
            .map_err(SettingsError::CalendarChoice)?;
        Ok(calendars)
    }

    pub fn data_dir(&self) -> &Path {
        &self.storage.data_dir
    }

    /// The base URL without a trailing slash, for building links.
    pub fn base_url(&self) -> &str {
        self.server.base_url.trim_end_matches('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_give_sqlite_and_file_mail_under_data() {
        let s = Settings::load_from(env(&[])).unwrap();
        assert_eq!(s.server.bind, "127.0.0.1:8080");
        assert_eq!(s.database_url(), "sqlite://./data/rightsdesk.db");
        assert_eq!(s.mail_url(), "file://./data/mail");
        assert_eq!(s.organisation.home_regime, Regime::UK_GDPR);
        assert_eq!(s.organisation.timezone, chrono_tz::Europe::London);
    }

    const TEST_KEY: &str = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OQ==";

    /// Base64 of 32 bytes of 'k'.
    const UPLOAD_KEY: &str = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=";

    /// Base64 of 32 bytes of 'a'.
    const AUDIT_KEY: &str = "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=";

    #[test]
    fn a_public_address_needs_a_session_key() {
        let public = ("RIGHTSDESK_BASE_URL", "https://privacy.example.org/");
        let err = Settings::load_from(env(&[public])).unwrap_err();
        assert!(err.to_string().contains("staff.session_key"), "{err}");
        let short = ("RIGHTSDESK__STAFF__SESSION_KEY", "c2hvcnQ=");
        let err = Settings::load_from(env(&[public, short])).unwrap_err();
        assert!(err.to_string().contains("shorter than 64 bytes"), "{err}");
        let err = Settings::load_from(env(&[public, ("RIGHTSDESK__STAFF__SESSION_KEY", TEST_KEY)]))
            .unwrap_err();
        assert!(err.to_string().contains("uploads.key"), "{err}");
        let err = Settings::load_from(env(&[
            public,
            ("RIGHTSDESK__STAFF__SESSION_KEY", TEST_KEY),
            ("RIGHTSDESK__UPLOADS__KEY", UPLOAD_KEY),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("audit.key"), "{err}");
        let s = Settings::load_from(env(&[
            public,
            ("RIGHTSDESK__STAFF__SESSION_KEY", TEST_KEY),
            ("RIGHTSDESK__UPLOADS__KEY", UPLOAD_KEY),
            ("RIGHTSDESK__AUDIT__KEY", AUDIT_KEY),
        ]))
        .unwrap();
        assert_eq!(s.session_key().unwrap().map(|k| k.len()), Some(70));
        assert_eq!(s.upload_key().unwrap(), Some([b'k'; 32]));
        assert_eq!(s.audit_key().unwrap(), Some([b'a'; 32]));
        let err = Settings::load_from(env(&[
            public,
            ("RIGHTSDESK__STAFF__SESSION_KEY", TEST_KEY),
            ("RIGHTSDESK__UPLOADS__KEY", "c2hvcnQ="),
            ("RIGHTSDESK__AUDIT__KEY", AUDIT_KEY),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("not 32 bytes"), "{err}");
        // Development on a loopback address may leave it empty.
        let dev = Settings::load_from(env(&[])).unwrap();
        assert_eq!(dev.session_key().unwrap(), None);
        // But not when it listens on every address, whatever the base URL.
        let err = Settings::load_from(env(&[
            ("RIGHTSDESK_BIND", "0.0.0.0:8080"),
            ("RIGHTSDESK_BASE_URL", "http://127.0.0.1:8080"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("staff.session_key"), "{err}");
    }

    #[test]
    fn the_base_url_follows_the_bind_address_unless_it_is_set() {
        let s = Settings::load_from(env(&[])).unwrap();
        assert_eq!(s.base_url(), "http://127.0.0.1:8080");
        let s = Settings::load_from(env(&[("RIGHTSDESK_BIND", "127.0.0.1:9000")])).unwrap();
        assert_eq!(s.base_url(), "http://127.0.0.1:9000");
        let s = Settings::load_from(env(&[("RIGHTSDESK_BIND", "[::1]:9000")])).unwrap();
        assert_eq!(s.base_url(), "http://[::1]:9000");
        // Set, it wins (a loopback one here: a public one needs the keys).
        let s = Settings::load_from(env(&[
            ("RIGHTSDESK_BIND", "127.0.0.1:9000"),
            ("RIGHTSDESK_BASE_URL", "http://localhost:8000/"),
        ]))
        .unwrap();
        assert_eq!(s.base_url(), "http://localhost:8000");
        // Listening on every address, the links need the public address.
        let err = Settings::load_from(env(&[("RIGHTSDESK_BIND", "0.0.0.0:9000")])).unwrap_err();
        assert!(err.to_string().contains("server.base_url"), "{err}");
    }

    #[test]
    fn a_rate_limit_finer_than_a_millisecond_is_refused_not_a_panic() {
        let err = Settings::load_from(env(&[(
            "RIGHTSDESK__SERVER__RATE_LIMIT_PER_MINUTE",
            "100000",
        )]))
        .unwrap_err();
        assert!(err.to_string().contains("at most 60000"), "{err}");
        assert!(Settings::load_from(env(&[(
            "RIGHTSDESK__SERVER__RATE_LIMIT_PER_MINUTE",
            "60000"
        )]))
        .is_ok());
    }

    #[test]
    fn contract_variables_override_everything() {
        let s = Settings::load_from(env(&[
            ("DATABASE_URL", "postgres://u:p@localhost/rd"),
            ("RIGHTSDESK_BIND", "0.0.0.0:9000"),
            ("RIGHTSDESK_BASE_URL", "https://privacy.example.org/"),
            ("RIGHTSDESK_MAIL_URL", "smtp://localhost:2525"),
            ("RIGHTSDESK_DATA_DIR", "/var/lib/rightsdesk"),
            ("RIGHTSDESK__DATABASE__URL", "postgres://ignored"),
            ("RIGHTSDESK__STAFF__SESSION_KEY", TEST_KEY),
            ("RIGHTSDESK__UPLOADS__KEY", UPLOAD_KEY),
            ("RIGHTSDESK__AUDIT__KEY", AUDIT_KEY),
        ]))
        .unwrap();
        assert_eq!(s.database_url(), "postgres://u:p@localhost/rd");
        assert_eq!(s.server.bind, "0.0.0.0:9000");
        assert_eq!(s.base_url(), "https://privacy.example.org");
        assert_eq!(s.mail_url(), "smtp://localhost:2525");
        assert_eq!(s.data_dir(), Path::new("/var/lib/rightsdesk"));
    }

    #[test]
    fn sectioned_variables_override_the_files() {
        let s = Settings::load_from(env(&[
            ("RIGHTSDESK__ORGANISATION__NAME", "Acme"),
            ("RIGHTSDESK__ORGANISATION__HOME_REGIME", "ccpa"),
            ("RIGHTSDESK__REQUESTS__UNCONFIRMED_EXPIRY_DAYS", "3"),
        ]))
        .unwrap();
        assert_eq!(s.organisation.name, "Acme");
        assert_eq!(s.organisation.home_regime, Regime::CCPA);
        assert_eq!(s.requests.unconfirmed_expiry_days, 3);
        let s = Settings::load_from(env(&[(
            "RIGHTSDESK__SERVER__TRUSTED_PROXIES",
            "127.0.0.1,::1",
        )]))
        .unwrap();
        assert_eq!(s.server.trusted_proxies.len(), 2);
    }

    #[test]
    fn bad_values_are_reported_by_name() {
        let err = |pairs| Settings::load_from(env(pairs)).unwrap_err().to_string();
        assert!(err(&[("RIGHTSDESK_BIND", "localhost")]).contains("server.bind"));
        assert!(err(&[("RIGHTSDESK_BASE_URL", "not a url")]).contains("base_url"));
        assert!(err(&[("RIGHTSDESK__ORGANISATION__HOME_REGIME", "gdpr")]).contains("gdpr"));
        assert!(err(&[("RIGHTSDESK__ORGANISATION__TIMEZONE", "Mars/Olympus")]).contains("Mars"));
        assert!(err(&[("RIGHTSDESK__DATABASE__POOL_SIZE", "0")]).contains("pool_size"));
        assert!(
            err(&[("RIGHTSDESK_CONFIG", "/nonexistent/rightsdesk.toml")]).contains("nonexistent")
        );
        assert!(
            err(&[("RIGHTSDESK__CALENDARS__FILE", "/nonexistent/holidays.toml")])
                .contains("calendars.file")
        );
    }

    #[test]
    fn a_calendar_file_adds_a_calendar_the_eu_country_can_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("holidays.toml");
        std::fs::write(
            &path,
            "[de-by]\nname = \"Bavaria\"\nfirst_year = 2027\nlast_year = 2027\n\
             dates = [{ date = \"2027-01-06\", name = \"Heilige Drei Könige\" }]\n",
        )
        .unwrap();
        let vars = [
            ("RIGHTSDESK__CALENDARS__FILE", path.to_str().unwrap()),
            ("RIGHTSDESK__CALENDARS__EU_COUNTRY", "de-by"),
        ];
        let s = Settings::load_from(env(&vars)).unwrap();
        let calendars = s.calendars().unwrap();
        let eu = calendars.for_regime(Regime::EU_GDPR);
        assert!(!eu.is_working_day(chrono::NaiveDate::from_ymd_opt(2027, 1, 6).unwrap()));
        std::fs::write(&path, "not toml [").unwrap();
        let err = Settings::load_from(env(&vars)).unwrap_err().to_string();
        assert!(err.contains("calendars.file"), "{err}");
    }

    #[test]
    fn the_eu_country_and_the_laws_that_apply_are_checked() {
        let err = |pairs| Settings::load_from(env(pairs)).unwrap_err().to_string();
        let e = err(&[("RIGHTSDESK__CALENDARS__EU_COUNTRY", "xx")]);
        assert!(
            e.contains("calendars.eu_country") && e.contains("ie"),
            "{e}"
        );
        let s = Settings::load_from(env(&[("RIGHTSDESK__CALENDARS__EU_COUNTRY", "fr")])).unwrap();
        assert_eq!(s.calendars().unwrap().key_for(Regime::EU_GDPR), "fr");
        // The home law must be one of the laws that apply.
        let e = err(&[("RIGHTSDESK__ORGANISATION__REGIMES", "eu-gdpr,ccpa")]);
        assert!(e.contains("home_regime"), "{e}");
        let s = Settings::load_from(env(&[(
            "RIGHTSDESK__ORGANISATION__REGIMES",
            "uk-gdpr,eu-gdpr",
        )]))
        .unwrap();
        let j = s.organisation.jurisdiction().unwrap();
        let california = crate::domain::Location::parse("US-CA").unwrap();
        assert_eq!(j.regime_for(california), Regime::UK_GDPR);
        let e = err(&[("RIGHTSDESK__ORGANISATION__REGIMES", "uk-gdpr,gdpr")]);
        assert!(e.contains("gdpr"), "{e}");
    }
}
