//! Starting the app for a test, and the plumbing of talking to it: forms
//! with their CSRF token, the mail it wrote, and its database.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use diesel::{Connection, PgConnection, RunQueryDsl};
use rightsdesk::app::AppContext;
use rightsdesk::clock::ManualClock;
use rightsdesk::config::Settings;
use rightsdesk::db::{self, cases, outbox, DbConn};
use rightsdesk::startup::{Application, Role};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub mail_dir: PathBuf,
    pub ctx: Arc<AppContext>,
    pub clock: ManualClock,
    _dir: tempfile::TempDir,
}

/// 31 March 2026, 10:00 in London: the ICO's example date.
pub fn default_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 31, 9, 0, 0).unwrap()
}

/// Base64 of `bytes` random bytes, as keys are configured.
pub fn random_key(bytes: usize) -> String {
    use base64::Engine;
    let key: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::STANDARD.encode(key)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(default_now(), |_| {}).await
}

pub async fn spawn_app_at(now: DateTime<Utc>) -> TestApp {
    spawn_app_with(now, |_| {}).await
}

pub async fn spawn_app_with(now: DateTime<Utc>, customise: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_as(now, Role::All, customise).await
}

/// As [`spawn_app_with`], running as `role` (e.g. web only, as `serve
/// --no-jobs` does).
pub async fn spawn_app_as(
    now: DateTime<Utc>,
    role: Role,
    customise: impl FnOnce(&mut Settings),
) -> TestApp {
    let _ = env_logger::builder().is_test(true).try_init();
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = Settings::load_from(HashMap::new()).expect("default settings");
    settings.server.bind = "127.0.0.1:0".into();
    settings.server.base_url = "http://rightsdesk.test".into();
    settings.storage.data_dir = dir.path().join("data");
    let mail_dir = dir.path().join("mail");
    settings.mail.url = format!("file://{}", mail_dir.display());
    settings.mail.poll_interval_secs = 1;
    settings.database.pool_size = 4;
    // The test clock starts at 10:00 London time; keep the daily digest out
    // of tests that count emails (the digest test sends it itself).
    settings.staff.digest_hour = 23;
    settings.uploads.key = random_key(32);
    settings.audit.key = random_key(32);
    settings.staff.session_key = random_key(64);
    settings.database.url = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => fresh_postgres_database(url.trim()),
        _ => String::new(),
    };
    customise(&mut settings);
    let clock = ManualClock::new(now);
    let app = Application::build_as(settings, Arc::new(clock.clone()), role).expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let ctx = app.context();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    TestApp {
        address,
        client,
        mail_dir,
        ctx,
        clock,
        _dir: dir,
    }
}

/// Creates an empty database on the server TEST_DATABASE_URL names, so each
/// test has its own.
fn fresh_postgres_database(admin_url: &str) -> String {
    let name = format!("rd_test_{}", hex_id());
    let mut conn = PgConnection::establish(admin_url).expect("TEST_DATABASE_URL connects");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .expect("create test database");
    let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&name);
    url.to_string()
}

fn hex_id() -> String {
    use rand::Rng;
    let n: u64 = rand::rng().random();
    format!("{n:016x}")
}

/// A parsed email from the mail directory.
#[derive(Debug, Clone)]
pub struct Email {
    pub message_id: String,
    pub reply_to: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Email {
    /// The confirmation link's token, as found in the plain-text part.
    pub fn confirm_token(&self) -> String {
        let start = self
            .text
            .find("/confirm/")
            .expect("email has a confirm link")
            + "/confirm/".len();
        self.text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

pub fn form_field<'a>(html: &'a str, name: &str) -> &'a str {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in page"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    &html[start..end]
}

/// Runs the `rightsdesk` binary with `args`, `env` and `stdin`; its exit
/// code and standard error.
pub fn run_cli(args: &[&str], env: &[(&str, &str)], stdin: &str) -> (i32, String) {
    let (code, _, stderr) = run_binary(args, env, stdin);
    (code, stderr)
}

/// As [`run_cli`], with standard output too: (code, stdout, stderr).
pub fn run_binary(args: &[&str], env: &[(&str, &str)], stdin: &str) -> (i32, String, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut command = Command::new(env!("CARGO_BIN_EXE_rightsdesk"));
    command
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("the rightsdesk binary runs");
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.as_bytes());
    }
    let out = child
        .wait_with_output()
        .expect("the rightsdesk binary ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

impl TestApp {
    /// Runs a `rightsdesk` command on this app's database and audit key.
    pub fn cli(&self, args: &[&str]) -> (i32, String) {
        let (code, _, stderr) = self.cli_output(args);
        (code, stderr)
    }

    /// As [`TestApp::cli`], with standard output: (code, stdout, stderr).
    pub fn cli_output(&self, args: &[&str]) -> (i32, String, String) {
        let url = self.ctx.settings.database_url();
        let key = self.ctx.settings.audit.key.clone();
        let data_key = self.ctx.settings.uploads.key.clone();
        run_binary(
            args,
            &[
                ("DATABASE_URL", &url),
                ("RIGHTSDESK__AUDIT__KEY", &key),
                ("RIGHTSDESK__UPLOADS__KEY", &data_key),
            ],
            "",
        )
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// The CSRF token of the form on `path` (which also sets its cookie).
    pub async fn csrf_token(&self, path: &str) -> String {
        let html = self.get(path).await.text().await.unwrap();
        form_field(&html, "csrf_token").to_owned()
    }

    /// Files a request through the form and checks it was accepted.
    pub async fn file_request(&self, fields: &[(&str, &str)]) {
        let response = self.post_request(fields).await;
        assert_eq!(response.status().as_u16(), 303, "request accepted");
    }

    /// Posts the intake form as a browser would, after loading it.
    pub async fn post_request(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token(crate::helpers::DETAILS_PAGE).await;
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        form.extend_from_slice(fields);
        self.post_form("/requests", &form).await
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let body = serde_html_form::to_string(fields).unwrap();
        self.client
            .post(self.url(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// Opens a confirmation link and presses its button.
    pub async fn confirm(&self, token: &str) -> reqwest::Response {
        let page = self
            .get(&format!("/confirm/{token}"))
            .await
            .text()
            .await
            .unwrap();
        let csrf = form_field(&page, "csrf_token").to_owned();
        self.post_form(&format!("/confirm/{token}"), &[("csrf_token", &csrf)])
            .await
    }

    /// Every email written so far.
    pub fn emails(&self) -> Vec<Email> {
        let Ok(entries) = std::fs::read_dir(&self.mail_dir) else {
            return vec![];
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| {
                let raw = std::fs::read(p).unwrap();
                let msg = mail_parser::MessageParser::default()
                    .parse(&raw)
                    .expect("valid email");
                Email {
                    message_id: msg.message_id().unwrap_or_default().to_owned(),
                    reply_to: msg
                        .reply_to()
                        .and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .unwrap_or_default()
                        .to_owned(),
                    to: msg
                        .to()
                        .and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .unwrap_or_default()
                        .to_owned(),
                    subject: msg.subject().unwrap_or_default().to_owned(),
                    text: msg.body_text(0).map(|c| c.into_owned()).unwrap_or_default(),
                    html: msg.body_html(0).map(|c| c.into_owned()).unwrap_or_default(),
                }
            })
            .collect()
    }

    /// Waits (up to ten seconds) for an email whose subject contains `subject`.
    pub async fn wait_for_email(&self, subject: &str) -> Email {
        self.wait_for_emails(subject, 1).await.pop().unwrap()
    }

    /// Waits for `n` emails whose subject contains `subject`.
    pub async fn wait_for_emails(&self, subject: &str, n: usize) -> Vec<Email> {
        for _ in 0..200 {
            let found: Vec<Email> = self
                .emails()
                .into_iter()
                .filter(|e| e.subject.contains(subject))
                .collect();
            if found.len() >= n {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no {n} email(s) with subject '{subject}' after 10 s; have {:?}",
            self.emails().iter().map(|e| &e.subject).collect::<Vec<_>>()
        );
    }

    /// Waits until the outbox holds no pending message.
    pub async fn wait_for_outbox_drained(&self) {
        for _ in 0..200 {
            let pending = self.db(|c| Ok(outbox::count(c)? - sent_or_failed(c)?));
            if pending == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("outbox not drained after 10 s");
    }

    pub fn db<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, db::DbError>) -> T {
        let mut conn = self.ctx.pool.get().expect("database connection");
        f(&mut conn).expect("database query")
    }

    pub fn case_count(&self) -> i64 {
        self.db(cases::count)
    }

    pub fn outbox_count(&self) -> i64 {
        self.db(outbox::count)
    }

    pub fn case(&self, reference: &str) -> cases::Case {
        let reference = reference.parse().expect("reference");
        self.db(|c| cases::find_by_reference(c, &reference))
            .expect("case exists")
    }
}

fn sent_or_failed(conn: &mut DbConn) -> Result<i64, db::DbError> {
    use diesel::prelude::*;
    use rightsdesk::db::schema::outbox::dsl;
    Ok(dsl::outbox
        .filter(dsl::status.ne(outbox::PENDING))
        .count()
        .get_result(conn)?)
}

/// The fields of a valid request for one right, with what that right needs.
/// The request form's last page (the details), for someone asking for a
/// copy of their own data in the UK: where the form's CSRF token is.
pub const DETAILS_PAGE: &str = "/requests/new?acting_as=self&location=GB&rights=access";

pub fn valid_request(right: &'static str) -> Vec<(&'static str, &'static str)> {
    // California-only rights are asked for from California.
    let location = if matches!(right, "opt_out" | "limit") {
        "US-CA"
    } else {
        "GB"
    };
    let mut fields = vec![
        ("name", "Ada Lovelace"),
        ("email", "ada@example.com"),
        ("location", location),
        ("acting_as", "self"),
        ("rights", right),
    ];
    fields.extend(match right {
        "access" => vec![("access_scope", "Everything since 2020")],
        "rectification" => vec![(
            "rectification_details",
            "My surname is spelt Lovelace, not Lovelance",
        )],
        "erasure" => vec![("erasure_ground", "no_longer_necessary")],
        "restriction" => vec![("restriction_ground", "accuracy_contested")],
        "portability" => vec![
            ("portability_destination", "to_another_controller"),
            (
                "portability_controller",
                "Analytical Engines plc, data@engines.example",
            ),
        ],
        "objection" => vec![("objection_ground", "direct_marketing")],
        "automated_decision" => vec![(
            "automated_decision_details",
            "The credit limit decision of 2 March",
        )],
        "withdraw_consent" => vec![("consent_purposes", "The monthly newsletter")],
        "opt_out" | "limit" => vec![],
        other => panic!("unknown right {other}"),
    });
    fields
}

/// Files a valid access request and returns the confirmation email.
pub async fn file_and_get_confirmation(app: &TestApp, fields: &[(&str, &str)]) -> Email {
    app.file_request(fields).await;
    app.wait_for_email("Confirm your email").await
}
