//! Builds the application from settings: database, migrations, templates,
//! mail transport, background jobs and the HTTP server on its own listener
//! (port 0 gives a random port, which is how tests start it).

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpServer};
use anyhow::Context;

use crate::app::AppContext;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db;
use crate::jobs::Jobs;
use crate::mail::{MailWaker, Transport};
use crate::templates::Templates;
use crate::web::{self, WebError};

pub struct Application {
    port: u16,
    server: Server,
    context: Arc<AppContext>,
}

/// Opens the database named by the settings and applies pending migrations.
pub fn open_database(settings: &Settings) -> anyhow::Result<(db::Pool, db::Backend)> {
    let url = settings.database_url();
    let (pool, backend) = db::connect_with(
        &url,
        settings.database.pool_size,
        std::time::Duration::from_secs(settings.database.wait_secs.into()),
    )
    .context("opening the database")?;
    let applied = db::migrate(&url)?;
    for version in &applied {
        log::info!("applied migration {version}");
    }
    Ok((pool, backend))
}

/// The document key: configured, or in development a key file in the data
/// directory, made on first start.
pub fn document_sealer(settings: &Settings) -> anyhow::Result<crate::crypto::Sealer> {
    let key = configured_or_dev_key(
        settings,
        settings.upload_key()?,
        "upload.key",
        "uploads.key",
    )?;
    Ok(crate::crypto::Sealer::new(&key))
}

/// The audit key, chosen as the document key is.
pub fn audit_key(settings: &Settings) -> anyhow::Result<crate::crypto::AuditKey> {
    let key = configured_or_dev_key(settings, settings.audit_key()?, "audit.key", "audit.key")?;
    Ok(crate::crypto::AuditKey::new(&key))
}

/// The path of a development key file.
pub fn dev_key_path(settings: &Settings, file: &str) -> std::path::PathBuf {
    settings.data_dir().join(file)
}

/// `configured`, or (development only: settings refuse an empty key
/// otherwise) the key in the data directory's `file`, made on first use.
fn configured_or_dev_key(
    settings: &Settings,
    configured: Option<[u8; crate::crypto::KEY_BYTES]>,
    file: &str,
    setting: &str,
) -> anyhow::Result<[u8; crate::crypto::KEY_BYTES]> {
    use rand::RngCore;
    if let Some(key) = configured {
        return Ok(key);
    }
    let path = dev_key_path(settings, file);
    match std::fs::read(&path) {
        Ok(bytes) => bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("{} is not a 32-byte key; set {setting}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; crate::crypto::KEY_BYTES];
            rand::rng().fill_bytes(&mut key);
            crate::files::private_dir(settings.data_dir())?;
            crate::files::write_private(&path, &key, true)
                .with_context(|| format!("writing the development key {}", path.display()))?;
            log::warn!(
                "{setting} is not set: using a development key in {} \
                 (set {setting} before serving anyone but yourself)",
                path.display()
            );
            Ok(key)
        }
        Err(e) => Err(anyhow::Error::from(e).context(format!("reading {}", path.display()))),
    }
}

/// Makes sure the audit trails are sealed with `key` (sealing trails
/// written before the audit key existed); refuses another key.
pub fn open_trails(
    pool: &db::Pool,
    key: &crate::crypto::AuditKey,
    clock: &dyn Clock,
) -> anyhow::Result<()> {
    let now = db::timestamp(clock.now());
    let done = db::events::seal_trails(&mut *pool.get()?, key, now)?;
    if let Some(done) = done {
        if done.cases > 0 || done.events > 0 {
            log::info!(
                "audit trails sealed with the audit key: {} case trails, {} events",
                done.cases,
                done.events
            );
        }
        for reference in &done.broken_cases {
            log::warn!(
                "the audit trail of case {reference} was already broken before it was sealed"
            );
        }
        if done.admin_broken {
            log::warn!("the account and settings trail was already broken before it was sealed");
        }
    }
    Ok(())
}

/// The mail transport the settings name (a bad URL stops the start).
fn mail_transport(settings: &Settings) -> anyhow::Result<Transport> {
    Ok(Transport::configured(
        &settings.mail_url(),
        std::time::Duration::from_secs(settings.mail.smtp_timeout_secs),
        settings.mail.smtp_connections,
    )?)
}

/// Starts the background jobs (mail delivery and the scheduled jobs) on
/// the context's database; they stop when the context's mail wakers go.
pub fn start_jobs(
    context: &AppContext,
    transport: Transport,
    wakeups: crate::mail::Wakeups,
) -> anyhow::Result<Vec<std::thread::JoinHandle<()>>> {
    let settings = &context.settings;
    log::info!(
        "background jobs: database {}, mail to {}",
        context.backend.name(),
        transport.describe()
    );
    Jobs {
        pool: context.pool.clone(),
        transport,
        settings: settings.clone(),
        clock: context.clock.clone(),
        templates: context.templates.clone(),
        sealer: context.sealer.clone(),
        audit_key: context.audit_key.clone(),
    }
    .spawn(&context.mail, wakeups)
    .context("starting background jobs")
}

/// `rightsdesk worker`: the background jobs without a web server, until the
/// process is stopped. (Stopping it mid-send is safe: a message it had
/// claimed is sent again by any worker once its lease runs out.)
pub fn run_worker(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<()> {
    let (waker, wakeups) = MailWaker::new();
    let context = app_context(settings, clock, waker)?;
    let transport = mail_transport(&context.settings)?;
    let threads = start_jobs(&context, transport, wakeups)?;
    log::info!("Rightsdesk worker running (mail and scheduled jobs; no web server)");
    for thread in threads {
        if thread.join().is_err() {
            anyhow::bail!("a background job thread stopped unexpectedly");
        }
    }
    drop(context);
    Ok(())
}

/// What a process runs: the web server, the background jobs, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `rightsdesk serve`: web and jobs.
    All,
    /// `rightsdesk serve --no-jobs`: web only; workers elsewhere send mail.
    WebOnly,
}

impl Application {
    pub fn build(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Application> {
        Application::build_as(settings, clock, Role::All)
    }

    pub fn build_as(
        settings: Settings,
        clock: Arc<dyn Clock>,
        role: Role,
    ) -> anyhow::Result<Application> {
        crate::files::private_dir(settings.data_dir()).with_context(|| {
            format!(
                "creating the data directory {}",
                settings.data_dir().display()
            )
        })?;
        // The database, keys and templates first: a bad one stops the start
        // before the port is bound, so nothing looks up that cannot serve.
        let (waker, wakeups) = MailWaker::new();
        let context = Arc::new(app_context(settings, clock, waker)?);
        // So is a mail URL that cannot work.
        let transport = mail_transport(&context.settings)?;
        let listener = TcpListener::bind(context.settings.bind_addr()?)
            .with_context(|| format!("binding to {}", context.settings.server.bind))?;
        match role {
            Role::All => {
                start_jobs(&context, transport, wakeups)?;
            }
            Role::WebOnly => log::info!(
                "web only (--no-jobs): mail and scheduled jobs are left to `rightsdesk worker`"
            ),
        }

        let port = listener.local_addr()?.port();
        let data = actix_web::web::Data::from(context.clone());
        // One limiter shared by every worker thread.
        let limits = web::rate_limit::config(&context.settings.server);
        let session_key = match context.settings.session_key()? {
            Some(bytes) => {
                actix_web::cookie::Key::try_from(bytes.as_slice()).context("staff.session_key")?
            }
            None => {
                log::warn!(
                    "staff.session_key is not set: using a random key, so staff log in again \
                     after every restart (set it before serving anyone but yourself)"
                );
                actix_web::cookie::Key::generate()
            }
        };
        let secure = web::pages::secure_cookies(&context);
        // Staff write refusals and answers in these forms; the public intake
        // form reads its own body with the same limit.
        let form_limit = context.settings.server.max_body_bytes;
        let body_limits = web::body::BodyLimits {
            max_bytes: form_limit,
            timeout: std::time::Duration::from_secs(context.settings.server.body_timeout_secs),
        };
        // One set of per-token limiters shared by every worker thread.
        let token_limits = actix_web::web::Data::new(web::api::TokenLimits::default());
        let server = HttpServer::new(move || {
            App::new()
                .wrap(actix_web::middleware::from_fn(web::head_as_get))
                .wrap(actix_web::middleware::from_fn(move |req, next| {
                    web::body::read_body(body_limits, req, next)
                }))
                .wrap(web::security_headers(secure))
                .wrap(web::request_logger())
                .app_data(data.clone())
                // The JSON API: bearer tokens, limits per token, no session.
                .service(web::api::scope(token_limits.clone()))
                // The Data Rights Protocol, for authorised agents.
                .service(web::drp::scope().wrap(actix_governor::Governor::new(&limits)))
                // The pages: sessions, and limits per client address.
                .service(
                    actix_web::web::scope("")
                        .wrap(actix_governor::Governor::new(&limits))
                        .wrap(web::staff::session(session_key.clone(), secure))
                        .app_data(
                            actix_web::web::FormConfig::default()
                                .limit(form_limit)
                                .error_handler(move |err, _| {
                                    use actix_web::error::{PayloadError, UrlencodedError};
                                    match err {
                                        UrlencodedError::Overflow { .. }
                                        | UrlencodedError::Payload(PayloadError::Overflow) => {
                                            WebError::PayloadTooLarge(form_limit).into()
                                        }
                                        err => WebError::BadForm(err.to_string()).into(),
                                    }
                                }),
                        )
                        // Every other body (read as bytes) has the same cap.
                        .app_data(actix_web::web::PayloadConfig::default().limit(form_limit))
                        .app_data(
                            actix_web::web::PathConfig::default()
                                .error_handler(|_, _| WebError::NotFound.into()),
                        )
                        .configure(web::routes),
                )
        })
        .listen(listener)?
        .run();
        use crate::service::accounts::{announce_setup_link, SetupLink};
        match announce_setup_link(&context) {
            Ok(SetupLink::New(link)) => log::warn!(
                "No staff account exists yet. Set up the first admin within {} hours at: {link}",
                context.settings.staff.setup_link_ttl_hours
            ),
            Ok(SetupLink::AnnouncedElsewhere) => log::warn!(
                "No staff account exists yet. Another node started in the last minute has \
                 logged the link to set up the first admin: use that one"
            ),
            Ok(SetupLink::NotNeeded) => {}
            Err(e) => {
                return Err(anyhow::Error::from(e).context("making the first admin's setup link"))
            }
        }
        Ok(Application {
            port,
            server,
            context,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state, for tests that drive jobs or read the database.
    pub fn context(&self) -> Arc<AppContext> {
        self.context.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        drop(self.context);
        self.server.await
    }
}

/// The shared state without a server or background jobs, for commands that
/// run use cases directly (`demo`). Mail is queued, not delivered.
pub fn offline_context(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<AppContext> {
    let (mail, _) = MailWaker::new();
    app_context(settings, clock, mail)
}

/// Opens what every use case needs: the migrated database, the templates,
/// the calendars and the document key.
fn app_context(
    settings: Settings,
    clock: Arc<dyn Clock>,
    mail: MailWaker,
) -> anyhow::Result<AppContext> {
    let (pool, backend) = open_database(&settings)?;
    // A database that cannot be written would serve pages and lose every
    // request: refuse to start on one.
    db::probe_write(&mut *pool.get()?, db::timestamp(clock.now())).map_err(|e| {
        match e.storage_fault() {
            Some(fault) => {
                anyhow::anyhow!("the database does not take writes: {}", fault.describe())
            }
            None => anyhow::Error::from(e).context("writing to the database"),
        }
    })?;
    let templates = Arc::new(Templates::load(&settings.storage.templates_dir)?);
    let calendars = settings.calendars()?;
    let jurisdiction = settings.organisation.jurisdiction()?;
    let sealer = document_sealer(&settings)?;
    let audit_key = audit_key(&settings)?;
    open_trails(&pool, &audit_key, clock.as_ref())?;
    let suppression_key = crate::service::suppression::load_key(&pool, &sealer)?;
    // Email bodies written before they were sealed are sealed now (and the
    // private links of those already sent removed).
    let sealed = db::outbox::seal_legacy(&mut *pool.get()?, &sealer)?;
    if sealed > 0 {
        log::info!("sealed {sealed} stored email bodies with the data key");
    }
    let mail_backlog = Arc::new(crate::mail::BacklogGate::new(settings.mail.max_backlog));
    Ok(AppContext {
        settings,
        mail_backlog,
        pool,
        backend,
        templates,
        calendars: crate::service::calendars::CalendarBook::new(calendars),
        jurisdiction,
        clock,
        mail,
        hashing: Arc::new(crate::service::accounts::HashGate::per_core()),
        suppression_key,
        sealer,
        audit_key,
    })
}
