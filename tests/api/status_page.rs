//! The requester's private status page: reached by the link in the
//! acknowledgement, never showing one requester another's case, replies that
//! restart a paused clock and alert staff, withdrawal, and new links by
//! address that answer the same whoever asks.

use chrono::Duration;
use rightsdesk::domain::Role;

use crate::helpers::{form_field, spawn_app, TestApp};

/// The status link in the latest acknowledgement to `to`.
pub async fn status_path(app: &TestApp, to: &str) -> String {
    let ack = app.wait_for_email_to(to, "We have received").await;
    link_in(&ack.text)
}

fn link_in(text: &str) -> String {
    let start = text.find("/status/").expect("a status link");
    text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

async fn post_on_page(
    app: &TestApp,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let page = app.get(page_path).await.text().await.unwrap();
    let csrf = form_field(&page, "csrf_token").to_owned();
    let mut form = vec![("csrf_token", csrf.as_str())];
    form.extend_from_slice(fields);
    app.post_form(&format!("{page_path}/{action}"), &form).await
}

#[tokio::test]
async fn the_acknowledgement_links_to_a_private_page_about_the_request() {
    let app = spawn_app().await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let path = status_path(&app, "ada@example.com").await;
    let before = app.event_kinds(&reference).len();
    let page = app.get(&path).await;
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let page = page.text().await.unwrap();
    assert!(page.contains(&reference));
    assert!(page.contains("We are checking that the request comes from you"));
    assert!(page.contains("We must answer by <strong>Thursday 30 April 2026</strong>"));
    assert!(page.contains("Right of access"));
    assert!(
        page.contains("We have received your privacy request"),
        "our messages are listed"
    );
    assert!(
        !page.contains("Confirm your email"),
        "not the confirmation email, with its link"
    );
    // Looking changes nothing.
    assert_eq!(app.event_kinds(&reference).len(), before);
}

#[tokio::test]
async fn no_link_shows_anyone_else_s_case() {
    let app = spawn_app().await;
    let ada = app.confirmed_case("access", "ada@example.com").await;
    let grace = app.confirmed_case("erasure", "grace@example.com").await;
    let ada_path = status_path(&app, "ada@example.com").await;
    let grace_path = status_path(&app, "grace@example.com").await;
    let ada_page = app.get(&ada_path).await.text().await.unwrap();
    assert!(ada_page.contains(&ada) && !ada_page.contains(&grace));
    let grace_page = app.get(&grace_path).await.text().await.unwrap();
    assert!(grace_page.contains(&grace) && !grace_page.contains(&ada));
    // References, truncated or altered tokens, and junk lead nowhere.
    let token = ada_path.trim_start_matches("/status/");
    let mut altered = token.to_owned();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    for path in [
        format!("/status/{ada}"),
        format!("/status/{grace}"),
        format!("/status/{}", &token[..20]),
        format!("/status/{altered}"),
        "/status/..%2Fstaff".to_owned(),
        "/status/".to_owned(),
    ] {
        let r = app.get(&path).await;
        assert!(r.status().is_client_error(), "{path}: {}", r.status());
        let body = r.text().await.unwrap();
        assert!(!body.contains(&ada) && !body.contains(&grace), "{path}");
    }
    // Posting to someone else's page with a bad token changes nothing.
    let csrf = app.csrf_token("/requests/status").await;
    let r = app
        .post_form(
            &format!("/status/{altered}/withdraw"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 404);
    assert_eq!(app.case(&ada).state.key(), "awaiting_identity");
}

#[tokio::test]
async fn a_reply_answers_our_question_restarts_the_clock_and_alerts_the_assignee() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let path = status_path(&app, "ada@example.com").await;
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
    app.clock.advance(Duration::days(10)); // 10 April
    let agent = agent.again().await;
    agent
        .act_ok(
            &reference,
            "request_clarification",
            &[("message", "Which account: personal or business?")],
        )
        .await;
    let page = app.get(&path).await.text().await.unwrap();
    assert!(page.contains("We have asked you a question"));
    assert!(page.contains("Which account: personal or business?"));

    app.clock.advance(Duration::days(10)); // 20 April
    let r = post_on_page(&app, &path, "reply", &[("body", "  ")]).await;
    assert_eq!(r.status().as_u16(), 422);
    let r = post_on_page(&app, &path, "reply", &[("body", &"x".repeat(5_001))]).await;
    assert_eq!(r.status().as_u16(), 422);
    let r = post_on_page(
        &app,
        &path,
        "reply",
        &[("body", "The business account, please.")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let case = app.case(&reference);
    assert_eq!(case.state.key(), "in_progress");
    // Paused 10 to 20 April: due 30 April + 10 days = Sunday 10 May → Monday 11 May.
    assert_eq!(case.due_on, Some("2026-05-11".parse().unwrap()));
    let kinds = app.event_kinds(&reference);
    assert!(
        kinds.ends_with(&["requester_replied".into(), "requester_replied".into(),])
            || kinds.iter().any(|k| k == "clarification_received")
    );
    let alert = app
        .wait_for_email_to("agent@example.org", "has written to us")
        .await;
    assert!(alert.text.contains(&reference));
    assert!(
        !alert.text.contains("business account"),
        "no personal data in the alert"
    );
    // Staff see the reply on the case page; the requester sees it on theirs.
    let agent = agent.again().await;
    let case_page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(case_page.contains("The business account, please."));
    let page = app.get(&path).await.text().await.unwrap();
    assert!(page.contains("The business account, please."));
    assert!(page.contains("We are working on your request."));
}

#[tokio::test]
async fn a_requester_withdraws_from_their_page() {
    let app = spawn_app().await;
    app.add_staff("dpo@example.org", Role::Admin);
    let reference = app.confirmed_case("erasure", "ada@example.com").await;
    let path = status_path(&app, "ada@example.com").await;
    // The page links to a confirmation; neither it nor a one-tap post
    // withdraws anything.
    let page = app.get(&path).await.text().await.unwrap();
    assert!(
        page.contains(&format!("href=\"{path}/withdraw\"")),
        "{page}"
    );
    let confirm = app.get(&format!("{path}/withdraw")).await;
    assert_eq!(confirm.status().as_u16(), 200);
    let confirm = confirm.text().await.unwrap();
    assert!(confirm.contains("Withdraw your request?"));
    assert!(
        confirm.contains(&reference) && confirm.contains("Right to erasure"),
        "{confirm}"
    );
    assert!(confirm.contains("No, keep it"));
    let r = post_on_page(&app, &path, "withdraw", &[]).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap().contains("Yes, withdraw my request"));
    assert_eq!(app.case(&reference).state.key(), "awaiting_identity");
    let r = post_on_page(&app, &path, "withdraw", &[("confirm", "yes")]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.case(&reference).state.key(), "withdrawn");
    let mail = app
        .wait_for_email_to("ada@example.com", "is withdrawn")
        .await;
    assert!(mail.text.contains(&reference));
    let case = app.case(&reference);
    let events = app.db(|c| rightsdesk::db::events::list(c, case.id));
    let withdrawal = events
        .iter()
        .find(|e| e.kind == "withdrawal_recorded")
        .unwrap();
    assert_eq!(withdrawal.actor, "requester");
    let page = app.get(&path).await.text().await.unwrap();
    assert!(page.contains("Withdrawn"));
    assert!(!page.contains("Withdraw my request"), "no more buttons");
    // Replying or withdrawing again is refused, with a message.
    let csrf = app.csrf_token("/requests/status").await;
    let r = app
        .post_form(
            &format!("{path}/reply"),
            &[("csrf_token", &csrf), ("body", "Hello?")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409);
    let r = app
        .post_form(
            &format!("{path}/withdraw"),
            &[("csrf_token", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409);
    // The confirmation page of a closed request leads back to it.
    let r = app.get(&format!("{path}/withdraw")).await;
    assert_eq!(r.status().as_u16(), 303);
    // Without the CSRF token nothing happens.
    let other = app.confirmed_case("access", "grace@example.com").await;
    let grace_path = status_path(&app, "grace@example.com").await;
    let r = app.post_form(&format!("{grace_path}/withdraw"), &[]).await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.case(&other).state.key(), "awaiting_identity");
}

#[tokio::test]
async fn a_new_link_is_sent_by_address_and_the_answer_never_says_who_has_asked() {
    let app = spawn_app().await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let old_path = status_path(&app, "ada@example.com").await;
    let ask = |email: &'static str| {
        let app = &app;
        async move {
            let csrf = app.csrf_token("/requests/status").await;
            app.post_form(
                "/requests/status",
                &[("csrf_token", &csrf), ("email", email)],
            )
            .await
        }
    };
    let known = ask("ADA@example.com").await;
    assert_eq!(known.status().as_u16(), 200);
    let known = known.text().await.unwrap();
    let unknown = ask("nobody@example.com").await;
    assert_eq!(unknown.status().as_u16(), 200);
    let unknown = unknown.text().await.unwrap();
    assert_eq!(known, unknown, "the same page whoever asks");
    let bad = ask("not an address").await;
    assert_eq!(bad.status().as_u16(), 422);

    let mail = app
        .wait_for_email_to("ada@example.com", "Follow your privacy request")
        .await;
    let new_path = link_in(&mail.text);
    assert_ne!(new_path, old_path);
    assert_eq!(app.get(&new_path).await.status().as_u16(), 200);
    // The old link keeps working: whoever asked for a new one (anyone who
    // knows the address can) must not cut the requester off.
    assert_eq!(app.get(&old_path).await.status().as_u16(), 200);
    assert!(app.emails().iter().all(|e| e.to != "nobody@example.com"));

    // At most three new links an hour for one address.
    for _ in 0..4 {
        ask("ada@example.com").await;
    }
    app.wait_for_outbox_drained().await;
    let links = app
        .emails()
        .iter()
        .filter(|e| e.to == "ada@example.com" && e.subject.contains("Follow your privacy request"))
        .count();
    assert_eq!(
        links, 2,
        "the acknowledgement's link counts towards the hour's three"
    );
    assert!(app
        .event_kinds(&reference)
        .iter()
        .any(|k| k == "status_link_sent"));

    // Links expire.
    app.clock.advance(Duration::days(91));
    assert_eq!(app.get(&new_path).await.status().as_u16(), 410);
}

#[tokio::test]
async fn replies_are_limited_so_staff_cannot_be_flooded() {
    let app = spawn_app().await;
    app.add_staff("dpo@example.org", Role::Admin);
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let path = status_path(&app, "ada@example.com").await;
    for i in 0..5 {
        let r = post_on_page(&app, &path, "reply", &[("body", &format!("Message {i}"))]).await;
        assert_eq!(r.status().as_u16(), 303);
    }
    let r = post_on_page(&app, &path, "reply", &[("body", "One more")]).await;
    assert_eq!(r.status().as_u16(), 429);
    let body = r.text().await.unwrap();
    assert!(body.contains("Please wait a while"));
    assert!(body.contains("One more"), "what they typed is kept");
    app.clock.advance(Duration::minutes(61));
    let r = post_on_page(&app, &path, "reply", &[("body", "Later")]).await;
    assert_eq!(r.status().as_u16(), 303);
    let replies = app
        .event_kinds(&reference)
        .iter()
        .filter(|k| *k == "requester_replied")
        .count();
    assert_eq!(replies, 6);
}

#[tokio::test]
async fn emails_that_ask_something_link_to_the_page_and_older_links_keep_working() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let first = status_path(&app, "ada@example.com").await;
    agent
        .act_ok(
            &reference,
            "request_identity",
            &[("message", "Please send a recent bill.")],
        )
        .await;
    let ask = app
        .wait_for_email_to("ada@example.com", "confirm your identity")
        .await;
    let second = link_in(&ask.text);
    assert_ne!(second, first, "a link of its own");
    assert!(
        ask.html.contains("Send it on my private page"),
        "{}",
        ask.html
    );
    assert!(!ask.text.contains("acknowledgement email"), "{}", ask.text);
    // The page says what sending the proof now gives, as a date.
    let page = app.get(&second).await.text().await.unwrap();
    assert!(
        page.contains("If it reaches us today, we must answer by <strong>"),
        "{page}"
    );
    // A link asked for by address is a third; none stops the others.
    let csrf = app.csrf_token("/requests/status").await;
    app.post_form(
        "/requests/status",
        &[("csrf_token", &csrf), ("email", "ada@example.com")],
    )
    .await;
    let third = link_in(
        &app.wait_for_email_to("ada@example.com", "Follow your privacy request")
            .await
            .text,
    );
    for path in [&first, &second, &third] {
        let page = app.get(path).await;
        assert_eq!(page.status().as_u16(), 200, "{path}");
    }
    // Questions answered on the page, from the clarification's own link.
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
    let question = app
        .wait_for_email_to("ada@example.com", "A question about")
        .await;
    let fourth = link_in(&question.text);
    assert!(question.text.contains(&app.ctx.settings.organisation.email));
    assert!(!question.text.contains("reply to this email"));
    assert_eq!(app.get(&fourth).await.status().as_u16(), 200);
}
