//! Replies by email: `rightsdesk inbound --maildir DIR` records each
//! message from the case's own address as the requester's reply, and sets
//! aside the rest; each message is read once.

use rightsdesk::domain::Role;

use crate::helpers::TestApp;

fn maildir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
    }
    dir
}

fn deliver(dir: &tempfile::TempDir, name: &str, from: &str, subject: &str, body: &str) {
    let raw = format!(
        "From: {from}\r\nTo: privacy@example.org\r\nSubject: {subject}\r\nMessage-ID: <{name}@mail.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    );
    std::fs::write(dir.path().join("new").join(name), raw).unwrap();
}

fn run(app: &TestApp, dir: &tempfile::TempDir) -> String {
    let (code, err) = app.cli(&["inbound", "--maildir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    err
}

#[tokio::test]
async fn a_reply_by_email_answers_the_question_and_the_rest_is_set_aside() {
    let app = crate::helpers::spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let me = app
        .db(|c| rightsdesk::db::users::find_by_email(c, "agent@example.org"))
        .unwrap()
        .id
        .0
        .to_string();
    agent
        .act_ok(&reference, "assign", &[("assignee", &me)])
        .await;
    agent
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "email_confirmed")],
        )
        .await;
    agent
        .act_ok(
            &reference,
            "request_clarification",
            &[("message", "Which account?")],
        )
        .await;
    assert_eq!(app.case(&reference).state.key(), "awaiting_requester");
    let dir = maildir();
    let subject = format!("Re: A question about your request {reference}");
    deliver(
        &dir,
        "1.reply",
        "Ada <ADA@example.com>",
        &subject,
        "The business account, please.\r\n\r\nOn Tue, Example Ltd wrote:\r\n> Which account?\r\n",
    );
    deliver(
        &dir,
        "2.forged",
        "mallory@example.net",
        &subject,
        "Close it.",
    );
    deliver(
        &dir,
        "3.nothing",
        "ada@example.com",
        "Hello",
        "No reference here.",
    );
    deliver(
        &dir,
        "4.unknown",
        "ada@example.com",
        "Re: RD-AAAA-BBBB",
        "Hello",
    );
    let err = run(&app, &dir);
    assert!(
        err.contains("1 reply(ies) recorded, 3 message(s) set aside"),
        "{err}"
    );
    assert!(
        err.contains("not from the address the case writes to"),
        "{err}"
    );

    // Recorded as the requester's reply, without the quote; the clock
    // restarts and the assignee hears of it.
    let case = app.case(&reference);
    assert_eq!(case.state.key(), "in_progress");
    let replies = app.db(|c| rightsdesk::db::status::replies(c, case.id));
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].body, "The business account, please.");
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("The requester replied by email"), "{page}");
    // The alert is queued by the command (the app's worker sends it).
    let queued = app.db(rightsdesk::db::outbox::all);
    assert!(
        queued
            .iter()
            .any(|m| m.recipient == "agent@example.org"
                && m.subject.contains("replied to us by email")),
        "the assignee is told"
    );

    // Every message was moved to cur/: a second run reads none again.
    let left = std::fs::read_dir(dir.path().join("new")).unwrap().count();
    assert_eq!(left, 0);
    let err = run(&app, &dir);
    assert!(err.contains("0 reply(ies) recorded, 0 message(s)"), "{err}");
    assert_eq!(
        app.db(|c| rightsdesk::db::status::replies(c, case.id))
            .len(),
        1
    );
}

#[tokio::test]
async fn a_directory_that_is_not_a_maildir_is_refused_with_a_message() {
    let app = crate::helpers::spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = app.cli(&["inbound", "--maildir", dir.path().to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("not a maildir"), "{err}");
}
