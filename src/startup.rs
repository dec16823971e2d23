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
    let (pool, backend) =
        db::connect(&url, settings.database.pool_size).context("opening the database")?;
    let applied = db::migrate(&url)?;
    for version in &applied {
        log::info!("applied migration {version}");
    }
    Ok((pool, backend))
}

/// The document key: configured, or in development a key file in the data
/// directory, made on first start.
pub fn document_sealer(settings: &Settings) -> anyhow::Result<crate::crypto::Sealer> {
    use rand::RngCore;
    if let Some(key) = settings.upload_key()? {
        return Ok(crate::crypto::Sealer::new(&key));
    }
    let path = settings.data_dir().join("upload.key");
    let key: [u8; crate::crypto::KEY_BYTES] = match std::fs::read(&path) {
        Ok(bytes) => bytes.try_into().map_err(|_| {
            anyhow::anyhow!("{} is not a 32-byte key; set uploads.key", path.display())
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; crate::crypto::KEY_BYTES];
            rand::rng().fill_bytes(&mut key);
            crate::files::private_dir(settings.data_dir())?;
            crate::files::write_private(&path, &key, true)
                .with_context(|| format!("writing the development key {}", path.display()))?;
            log::warn!(
                "uploads.key is not set: documents are encrypted with a development key in {} \
                 (set uploads.key before serving anyone but yourself)",
                path.display()
            );
            key
        }
        Err(e) => return Err(anyhow::Error::from(e).context(format!("reading {}", path.display()))),
    };
    Ok(crate::crypto::Sealer::new(&key))
}

impl Application {
    pub fn build(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Application> {
        crate::files::private_dir(settings.data_dir()).with_context(|| {
            format!(
                "creating the data directory {}",
                settings.data_dir().display()
            )
        })?;
        // Bind first: a taken port fails before anything else is touched.
        let listener = TcpListener::bind(settings.bind_addr()?)
            .with_context(|| format!("binding to {}", settings.server.bind))?;
        let (waker, wake) = MailWaker::new();
        let context = Arc::new(app_context(settings, clock, waker)?);
        let transport = Transport::from_url(&context.settings.mail_url())?;
        log::info!(
            "database: {}; mail: {}",
            context.backend.name(),
            transport.describe()
        );
        Jobs {
            pool: context.pool.clone(),
            transport,
            settings: context.settings.clone(),
            clock: context.clock.clone(),
            templates: context.templates.clone(),
            sealer: context.sealer.clone(),
        }
        .spawn(wake)
        .context("starting background jobs")?;

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
        let server = HttpServer::new(move || {
            App::new()
                .wrap(actix_governor::Governor::new(&limits))
                .wrap(web::staff::session(session_key.clone(), secure))
                .wrap(web::security_headers(secure))
                .wrap(web::request_logger())
                .app_data(data.clone())
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
                .configure(web::routes)
        })
        .listen(listener)?
        .run();
        match crate::service::accounts::first_admin_setup_link(&context) {
            Ok(Some(link)) => log::warn!(
                "No staff account exists yet. Set up the first admin within {} hours at: {link}",
                context.settings.staff.setup_link_ttl_hours
            ),
            Ok(None) => {}
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
    let templates = Arc::new(Templates::load(&settings.storage.templates_dir)?);
    let calendars = settings.calendars()?;
    let jurisdiction = settings.organisation.jurisdiction()?;
    let sealer = document_sealer(&settings)?;
    // Email bodies written before they were sealed are sealed now (and the
    // private links of those already sent removed).
    let sealed = db::outbox::seal_legacy(&mut *pool.get()?, &sealer)?;
    if sealed > 0 {
        log::info!("sealed {sealed} stored email bodies with the data key");
    }
    Ok(AppContext {
        settings,
        pool,
        backend,
        templates,
        calendars,
        jurisdiction,
        clock,
        mail,
        hashing: Arc::new(crate::service::accounts::HashGate::per_core()),
        sealer,
    })
}
