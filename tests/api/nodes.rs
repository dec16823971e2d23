//! Several processes on one database: web-only nodes (`serve --no-jobs`),
//! `rightsdesk worker` processes, and the claims that keep each scheduled
//! job and the setup link to one of them.

use std::process::{Command, Stdio};
use std::time::Duration;

use rightsdesk::db::{self, job_runs, outbox};
use rightsdesk::service::accounts::{announce_setup_link, SetupLink};
use rightsdesk::startup::Role;

use crate::helpers::{spawn_app, spawn_app_as, valid_request, TestApp};

/// Starts `rightsdesk worker` on the app's database, keys and mail folder;
/// it logs to `log`.
fn start_worker(app: &TestApp, log: &std::path::Path) -> std::process::Child {
    let s = &app.ctx.settings;
    let log = std::fs::File::create(log).unwrap();
    Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
        .arg("worker")
        .env("DATABASE_URL", s.database_url())
        .env("RIGHTSDESK__AUDIT__KEY", &s.audit.key)
        .env("RIGHTSDESK__UPLOADS__KEY", &s.uploads.key)
        .env("RIGHTSDESK__STORAGE__DATA_DIR", s.data_dir())
        .env("RIGHTSDESK_MAIL_URL", &s.mail.url)
        .env("RIGHTSDESK__MAIL__POLL_INTERVAL_SECS", "1")
        .env("RIGHTSDESK__STAFF__DIGEST_HOUR", "23")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the worker starts")
}

#[tokio::test]
async fn a_web_only_node_queues_mail_and_a_worker_process_sends_it_once() {
    // The worker keeps real time: so does this app, or the worker's expiry
    // job would close the request (filed at the tests' fixed date) first.
    let app = spawn_app_as(chrono::Utc::now(), Role::WebOnly, |_| {}).await;
    app.file_request(&valid_request("access")).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(app.emails().is_empty(), "no node here sends mail");
    assert_eq!(app.db(outbox::all)[0].status, outbox::PENDING);

    let log = app.mail_dir.with_file_name("worker.log");
    let mut worker = start_worker(&app, &log);
    // A fresh process, among many tests: give it time to start. (Wait for
    // the send to be recorded too: a worker killed between the two sends
    // the message again, by design.)
    let mut mail = vec![];
    for _ in 0..300 {
        mail = app.emails();
        if !mail.is_empty() && app.db(outbox::all)[0].status == outbox::SENT {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = worker.kill();
    let _ = worker.wait();
    assert!(
        !mail.is_empty(),
        "the worker sent nothing in 30 s; its log:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    assert!(mail[0].text.contains("/confirm/"));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.emails().len(), 1, "sent once");
    assert_eq!(app.db(outbox::all)[0].status, outbox::SENT);
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

#[tokio::test]
async fn the_form_stops_taking_requests_while_mail_backs_up_and_takes_them_once_it_is_sent() {
    // A web-only node: nothing here sends, so every filing's email waits.
    let app = spawn_app_as(chrono::Utc::now(), Role::WebOnly, |s| {
        s.mail.max_backlog = 3;
    })
    .await;
    let from = |n: usize| {
        let mut fields = valid_request("access");
        fields[1].1 = [
            "a@example.com",
            "b@example.com",
            "c@example.com",
            "d@example.com",
        ][n];
        fields
    };
    for n in 0..3 {
        app.file_request(&from(n)).await;
    }

    let refused = app.post_request(&from(3)).await;
    assert_eq!(refused.status().as_u16(), 503);
    assert_eq!(
        refused
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("120")
    );
    let page = refused.text().await.unwrap();
    assert!(page.contains("Please send your request again in a few minutes"));
    assert!(page.contains("Your request has not been sent"));
    assert_eq!(
        app.case_count(),
        3,
        "nothing stored for the refused request"
    );
    assert_eq!(app.outbox_count(), 3, "and nothing queued");
    // Staff see it on the dashboard.
    let admin = app
        .staff("dpo@example.org", rightsdesk::domain::Role::Admin)
        .await;
    let dashboard = admin.page("/staff/dashboard").await;
    assert!(
        dashboard.contains("The request form is refusing new requests"),
        "{dashboard}"
    );
    assert!(dashboard.contains("Emails waiting to be sent: 3."));

    // A worker sends the queue; within a second of the count the form
    // takes requests again.
    let log = app.mail_dir.with_file_name("worker.log");
    let mut worker = start_worker(&app, &log);
    for _ in 0..300 {
        if app.db(outbox::all).iter().all(|m| m.status == outbox::SENT) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = worker.kill();
    let _ = worker.wait();
    assert!(
        app.db(outbox::all).iter().all(|m| m.status == outbox::SENT),
        "the worker did not send the queue in 30 s; its log:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    app.file_request(&from(3)).await;
    assert_eq!(app.case_count(), 4);
    let dashboard = admin.page("/staff/dashboard").await;
    assert!(!dashboard.contains("refusing new requests"));
}
