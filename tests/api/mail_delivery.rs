//! The outbox worker against real peers: a port that refuses connections
//! (retries with backoff, then gives up) and, when TEST_SMTP_URL is set, a
//! real SMTP server.

use chrono::Duration;
use rightsdesk::clock::{Clock, ManualClock};
use rightsdesk::db::outbox;
use rightsdesk::mail::{deliver_due, Transport};

use crate::helpers::{default_now, spawn_app, spawn_app_with, valid_request};

fn closed_port() -> u16 {
    // Bind and drop: nothing listens there afterwards.
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff_then_marked_failed() {
    let url = format!("smtp://127.0.0.1:{}", closed_port());
    let app = spawn_app_with(default_now(), |s| {
        s.mail.url = url.clone();
        s.mail.max_attempts = 3;
        s.mail.retry_base_secs = 60;
        s.mail.poll_interval_secs = 3600;
    })
    .await;
    app.file_request(&valid_request("access")).await;
    // The app's worker makes the first attempt as soon as the mail is queued.
    for _ in 0..200 {
        if app.db(outbox::all)[0].attempts >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Then an hour at a time, past every backoff.
    let transport = Transport::from_url(&url).unwrap();
    for _ in 0..4 {
        app.clock.advance(Duration::hours(1));
        deliver_due(
            &app.ctx.pool,
            &app.ctx.sealer,
            &transport,
            &app.ctx.settings.mail,
            &app.clock,
        )
        .unwrap();
    }
    let msg = app.db(outbox::all).remove(0);
    assert_eq!(msg.status, outbox::FAILED);
    assert_eq!(msg.attempts, 3);
    assert_eq!(
        app.db(|c| outbox::attempts(c, msg.id)),
        3,
        "every attempt recorded"
    );
    assert!(msg.last_error.as_deref().is_some_and(|e| !e.is_empty()));
    let far_future = rightsdesk::db::timestamp(app.clock.now() + Duration::days(365));
    assert!(
        app.db(|c| outbox::due(c, far_future, 10)).is_empty(),
        "a failed message is not retried again"
    );
}

#[tokio::test]
async fn a_failed_attempt_waits_before_the_next() {
    let url = format!("smtp://127.0.0.1:{}", closed_port());
    let app = spawn_app_with(default_now(), |s| {
        s.mail.url = "log".into();
        s.mail.poll_interval_secs = 3600;
        s.mail.retry_base_secs = 60;
    })
    .await;
    // The message falls due a day from the app's clock, which stands still,
    // so the app's own worker (which only knows the log) never takes it;
    // delivery is driven by hand against the closed port at chosen times.
    let transport = Transport::from_url(&url).unwrap();
    let settings = app.ctx.settings.mail.clone();
    let pool = app.ctx.pool.clone();
    let due_at = app.clock.now() + Duration::days(1);
    queue_test_message(&app, "ada@example.com", due_at);
    let at = |secs| due_at + Duration::seconds(secs);
    let first = deliver_due(
        &pool,
        &app.ctx.sealer,
        &transport,
        &settings,
        &ManualClock::new(at(0)),
    )
    .unwrap();
    assert_eq!(first.retrying, 1);
    let again = deliver_due(
        &pool,
        &app.ctx.sealer,
        &transport,
        &settings,
        &ManualClock::new(at(59)),
    )
    .unwrap();
    assert_eq!(again.retrying, 0, "not before the backoff has passed");
    let later = deliver_due(
        &pool,
        &app.ctx.sealer,
        &transport,
        &settings,
        &ManualClock::new(at(61)),
    )
    .unwrap();
    assert_eq!(later.retrying, 1);
}

/// Runs when TEST_SMTP_URL names a real SMTP server (CI starts one) and
/// TEST_SMTP_MAILDIR the Maildir it writes received messages to.
#[tokio::test]
async fn mail_is_delivered_to_a_real_smtp_server() {
    let (Ok(url), Ok(maildir)) = (
        std::env::var("TEST_SMTP_URL"),
        std::env::var("TEST_SMTP_MAILDIR"),
    ) else {
        eprintln!("TEST_SMTP_URL or TEST_SMTP_MAILDIR not set: SMTP delivery not exercised here (CI sets both)");
        return;
    };
    let app = spawn_app_with(default_now(), |s| s.mail.url = url.clone()).await;
    let marker = format!("smtp-{}@example.com", std::process::id());
    let mut fields = valid_request("access");
    fields.retain(|(k, _)| *k != "email");
    fields.push(("email", &marker));
    app.file_request(&fields).await;
    app.wait_for_outbox_drained().await;
    let msgs = app.db(outbox::all);
    assert_eq!(msgs[0].status, outbox::SENT, "{:?}", msgs[0].last_error);
    let mut found = false;
    for _ in 0..100 {
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(std::path::Path::new(&maildir).join(sub)) {
                for e in entries.flatten() {
                    let raw = std::fs::read_to_string(e.path()).unwrap_or_default();
                    if raw.contains(&marker) && raw.contains("Confirm your email") {
                        found = true;
                    }
                }
            }
        }
        if found {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(found, "the SMTP server received the confirmation email");
}

#[tokio::test]
async fn the_log_transport_marks_mail_sent_without_writing_it() {
    let app = spawn_app_with(default_now(), |s| s.mail.url = "log".into()).await;
    app.file_request(&valid_request("access")).await;
    app.wait_for_outbox_drained().await;
    let msgs = app.db(outbox::all);
    assert_eq!(msgs[0].status, outbox::SENT);
    assert!(app.emails().is_empty());
}

/// A mail server that accepts connections and never says a word.
fn silent_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = vec![];
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

fn queue_test_message(app: &crate::helpers::TestApp, to: &str, due: chrono::DateTime<chrono::Utc>) {
    queue(app, to, "t".into(), "<p>h</p>".into(), due);
}

/// Queues a message to `to` with these bodies, due at `due`.
fn queue(
    app: &crate::helpers::TestApp,
    to: &str,
    body_text: String,
    body_html: String,
    due: chrono::DateTime<chrono::Utc>,
) {
    app.db(|c| {
        outbox::enqueue(
            c,
            &app.ctx.sealer,
            &outbox::NewMessage {
                case: None,
                template: "confirm_email",
                recipient: to.into(),
                subject: "s".into(),
                body_text,
                body_html,
            },
            rightsdesk::db::timestamp(due),
        )
    });
}

#[tokio::test]
async fn a_silent_mail_server_costs_one_timeout_and_the_rest_wait_unharmed() {
    let app = spawn_app_with(default_now(), |s| {
        s.mail.url = "log".into();
        s.mail.poll_interval_secs = 3600;
        // One message in flight at a time (with more, each connection's
        // message in flight times out alike).
        s.mail.smtp_connections = 1;
    })
    .await;
    let url = format!("smtp://127.0.0.1:{}", silent_server());
    let transport = Transport::with_timeout(&url, std::time::Duration::from_secs(1)).unwrap();
    // Due a day from the app's standing clock: its own worker never takes them.
    let due = app.clock.now() + Duration::days(1);
    for n in 0..3 {
        queue_test_message(&app, &format!("person{n}@example.com"), due);
    }
    let settings = app.ctx.settings.mail.clone();
    let clock = ManualClock::new(due);
    let report = tokio::task::spawn_blocking({
        let (pool, sealer) = (app.ctx.pool.clone(), app.ctx.sealer.clone());
        move || deliver_due(&pool, &sealer, &transport, &settings, &clock).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(report.retrying, 1, "{report:?}");
    assert_eq!(
        report.released, 2,
        "the rest are not tried against a dead server: {report:?}"
    );
    let msgs = app.db(outbox::all);
    assert_eq!(msgs[0].attempts, 1);
    assert!(
        msgs[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("did not answer within 1 s")),
        "{:?}",
        msgs[0].last_error
    );
    for m in &msgs[1..] {
        assert_eq!((m.attempts, m.status.as_str()), (0, outbox::PENDING));
    }
    // Released, not leased: any worker may take them at once.
    let now = rightsdesk::db::timestamp(due);
    assert_eq!(app.db(|c| outbox::due(c, now, 10)).len(), 2);
}

#[tokio::test]
async fn every_message_carries_a_message_id_made_from_its_outbox_row() {
    let app = spawn_app().await;
    app.file_request(&valid_request("access")).await;
    let mail = app.wait_for_email("Confirm").await;
    let id = app.db(outbox::all)[0].id;
    assert!(
        mail.message_id.starts_with(&format!("rightsdesk.{id}."))
            && mail.message_id.ends_with("@example.org"),
        "{}",
        mail.message_id
    );
    // Replies reach the privacy team's mailbox (organisation.email unless
    // mail.reply_to says otherwise).
    assert_eq!(mail.reply_to, app.ctx.settings.organisation.email);
}

#[tokio::test]
async fn replies_go_where_mail_reply_to_says() {
    let app = crate::helpers::spawn_app_with(crate::helpers::default_now(), |s| {
        s.mail.from = "No reply <no-reply@example.org>".into();
        s.mail.reply_to = "Privacy desk <desk@example.org>".into();
    })
    .await;
    app.file_request(&valid_request("access")).await;
    let mail = app.wait_for_email("Confirm").await;
    assert_eq!(mail.reply_to, "desk@example.org");
}

#[tokio::test]
async fn staff_send_a_failed_email_again_and_the_case_records_it() {
    use diesel::prelude::*;
    use rightsdesk::db::schema::outbox as table;
    let app = spawn_app().await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    app.wait_for_outbox_drained().await;
    // The acknowledgement failed for good (as after days of a dead server).
    let ack = app
        .db(outbox::all)
        .into_iter()
        .find(|m| m.template == "acknowledgement")
        .unwrap();
    app.db(|c| {
        diesel::update(table::table.find(ack.id))
            .set((table::status.eq(outbox::FAILED), table::attempts.eq(8)))
            .execute(c)
            .map_err(Into::into)
    });
    let staff = app
        .staff("agent@example.org", rightsdesk::domain::Role::Agent)
        .await;
    let page = staff.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("FAILED after 8 attempts"));
    assert!(page.contains("Send this email again"));
    staff
        .act_ok(&reference, "retry_email", &[("email", &ack.id.to_string())])
        .await;
    // Sent at once, the same message a second time.
    app.wait_for_emails("We have received", 2).await;
    app.wait_for_outbox_drained().await;
    let again = app
        .db(outbox::all)
        .into_iter()
        .find(|m| m.id == ack.id)
        .unwrap();
    assert_eq!(again.status, outbox::SENT);
    let page = staff.page(&format!("/staff/cases/{reference}")).await;
    assert!(
        page.contains("was queued to be sent again"),
        "audited on the timeline"
    );
    assert!(!page.contains("Send this email again"));
    // Only a failed email of this case can be sent again.
    let r = staff
        .act(&reference, "retry_email", &[("email", &ack.id.to_string())])
        .await;
    assert_eq!(r.status().as_u16(), 409);
    let r = staff
        .act(&reference, "retry_email", &[("email", "nonsense")])
        .await;
    assert_eq!(r.status().as_u16(), 422);
}

#[tokio::test]
async fn each_message_sent_in_a_round_is_recorded_once_with_its_private_link_removed() {
    let app = spawn_app_with(default_now(), |s| {
        s.mail.poll_interval_secs = 3600;
    })
    .await;
    // Due a day from the app's standing clock: its own worker never takes them.
    let due = app.clock.now() + Duration::days(1);
    let token = "A".repeat(43);
    for n in 0..7 {
        let link = format!("https://rightsdesk.test/confirm/{token}");
        let (text, html) = (
            format!("Confirm: {link} ({n})"),
            format!("<a href=\"{link}\">{n}</a>"),
        );
        queue(&app, &format!("person{n}@example.com"), text, html, due);
    }
    let transport = Transport::from_url(&app.ctx.settings.mail.url).unwrap();
    let report = tokio::task::spawn_blocking({
        let (pool, sealer) = (app.ctx.pool.clone(), app.ctx.sealer.clone());
        let settings = app.ctx.settings.mail.clone();
        move || {
            deliver_due(
                &pool,
                &sealer,
                &transport,
                &settings,
                &ManualClock::new(due),
            )
            .unwrap()
        }
    })
    .await
    .unwrap();
    assert_eq!(report.sent, 7, "{report:?}");
    let sent = app.emails();
    assert_eq!(sent.len(), 7);
    assert!(
        sent.iter().all(|m| m.text.contains(&token)),
        "the email itself has its link"
    );
    let messages = app.db(outbox::all);
    assert_eq!(messages.len(), 7);
    // What is stored, opened with the data key as the app opens it.
    let open = |m: &outbox::Message, part: &str, body: &str| {
        let aad = format!("rightsdesk:outbox:{part}:{}", m.recipient);
        app.ctx.sealer.open_text(body, &aad).expect("a sealed body")
    };
    for (n, m) in messages.iter().enumerate() {
        assert_eq!(m.status, outbox::SENT);
        assert_eq!((m.attempts, m.last_error.as_deref()), (1, None));
        assert_eq!(m.sent_at, Some(rightsdesk::db::timestamp(due)));
        assert_eq!(app.db(|c| outbox::attempts(c, m.id)), 1, "one attempt each");
        let (text, html) = (open(m, "text", &m.body_text), open(m, "html", &m.body_html));
        assert!(
            !text.contains(&token) && !html.contains(&token),
            "{text} {html}"
        );
        assert!(text.ends_with(&format!("({n})")), "{text}");
        assert!(html.ends_with(&format!(">{n}</a>")), "{html}");
    }
}
