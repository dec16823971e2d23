//! Several processes on one database: web-only nodes (`serve --no-jobs`),
//! `rightsdesk worker` processes, and the claims that keep each scheduled
//! job and the setup link to one of them.

use std::process::{Command, Stdio};
use std::time::Duration;

use rightsdesk::db::{self, job_runs, outbox};
use rightsdesk::service::accounts::{announce_setup_link, SetupLink};
use rightsdesk::startup::Role;

use crate::helpers::{default_now, spawn_app, spawn_app_as, valid_request, TestApp};

/// Starts `rightsdesk worker` on the app's database, keys and mail folder.
fn start_worker(app: &TestApp) -> std::process::Child {
    let s = &app.ctx.settings;
    Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
        .arg("worker")
        .env("DATABASE_URL", s.database_url())
        .env("RIGHTSDESK__AUDIT__KEY", &s.audit.key)
        .env("RIGHTSDESK__UPLOADS__KEY", &s.uploads.key)
        .env("RIGHTSDESK__STORAGE__DATA_DIR", s.data_dir())
        .env("RIGHTSDESK_MAIL_URL", &s.mail.url)
        .env("RIGHTSDESK__MAIL__POLL_INTERVAL_SECS", "1")
        .env("RIGHTSDESK__STAFF__DIGEST_HOUR", "23")
        .env("RUST_LOG", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the worker starts")
}

#[tokio::test]
async fn a_web_only_node_queues_mail_and_a_worker_process_sends_it_once() {
    let app = spawn_app_as(default_now(), Role::WebOnly, |_| {}).await;
    app.file_request(&valid_request("access")).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(app.emails().is_empty(), "no node here sends mail");
    assert_eq!(app.db(outbox::all)[0].status, outbox::PENDING);

    let mut worker = start_worker(&app);
    let mail = app.wait_for_email("Confirm your email").await;
    let _ = worker.kill();
    let _ = worker.wait();
    assert!(mail.text.contains("/confirm/"));
    // (The worker keeps real time, so its expiry job may since have closed
    // this request, filed at the tests' fixed date, and removed its mail.)
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.emails().len(), 1, "sent once");
}

#[tokio::test]
async fn each_period_of_a_scheduled_job_is_claimed_once() {
    let app = spawn_app().await;
    let claim =
        |slot| app.db(|c| db::write_transaction(c, |c| job_runs::claim_slot(c, "test-job", slot)));
    assert!(claim(1000), "the first claim of a period wins");
    assert!(!claim(1000), "a second worker in the same period does not");
    assert!(!claim(999), "nor does one whose clock is behind");
    assert!(claim(1001), "the next period is claimed again");
}

#[tokio::test]
async fn nodes_starting_together_announce_one_setup_link() {
    // The app announced one as it started; a second node now does not.
    let app = spawn_app().await;
    assert_eq!(
        announce_setup_link(&app.ctx).unwrap(),
        SetupLink::AnnouncedElsewhere
    );
    // A minute later (a restart) a node makes a fresh one.
    app.clock.advance(chrono::Duration::minutes(2));
    assert!(matches!(
        announce_setup_link(&app.ctx).unwrap(),
        SetupLink::New(link) if link.contains("/staff/setup/")
    ));
}
