//! Known data points: staff ask for details only the requester would know,
//! the requester answers on their status page, staff record a match (the
//! GDPR clock starts from the answer) or no match (told why, asked again);
//! the answers are deleted once decided.

use chrono::Duration;
use rightsdesk::db::questions;
use rightsdesk::domain::Role;

use crate::helpers::{form_field, spawn_app, TestApp};

async fn status_path(app: &TestApp, to: &str) -> String {
    let ack = app.wait_for_email_to(to, "We have received").await;
    let start = ack.text.find("/status/").unwrap();
    ack.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

/// Answers every question on the page with `answers`, in order.
async fn answer(app: &TestApp, path: &str, answers: &[&str]) -> reqwest::Response {
    let page = app.get(path).await.text().await.unwrap();
    let csrf = form_field(&page, "csrf_token").to_owned();
    let ids: Vec<String> = page
        .split("name=\"answer-")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), answers.len(), "one answer per question");
    let names: Vec<String> = ids.iter().map(|id| format!("answer-{id}")).collect();
    let mut form = vec![("csrf_token", csrf.as_str())];
    for (name, value) in names.iter().zip(answers) {
        form.push((name.as_str(), value));
    }
    app.post_form(&format!("{path}/details"), &form).await
}

#[tokio::test]
async fn details_that_match_verify_the_requester_and_are_then_deleted() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("rectification", "ada@example.com").await;
    let path = status_path(&app, "ada@example.com").await;
    agent
        .act_ok(
            &reference,
            "request_identity",
            &[
                (
                    "message",
                    "To be sure it is you, please answer two questions.",
                ),
                (
                    "questions",
                    "Your customer number\n\nThe postcode on your account\n",
                ),
            ],
        )
        .await;
    assert_eq!(app.case(&reference).due_on, None, "the GDPR clock waits");
    let mail = app
        .wait_for_email_to("ada@example.com", "confirm your identity")
        .await;
    assert!(mail.text.contains("- Your customer number"));
    assert!(mail.text.contains("- The postcode on your account"));
    let page = app.get(&path).await.text().await.unwrap();
    assert!(page.contains("Confirm who you are"));
    assert!(
        !page.contains("Send your proof of identity"),
        "no upload form when details are asked"
    );

    app.clock.advance(Duration::days(2)); // 2 April
    let r = answer(&app, &path, &["C-10442", ""]).await;
    assert_eq!(r.status().as_u16(), 422);
    let r = answer(&app, &path, &["C-10442", "SW1A 9ZZ"]).await;
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    assert_eq!(
        status,
        303,
        "{}",
        body.split("error-summary").nth(1).unwrap_or("")
    );
    assert!(app
        .get(&path)
        .await
        .text()
        .await
        .unwrap()
        .contains("We have your answers"));
    // Answering again before staff decide is refused (each set alerts staff).
    let csrf = app.csrf_token("/requests/status").await;
    let r = app
        .post_form(
            &format!("{path}/details"),
            &[("csrf_token", &csrf), ("answer-1", "again")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("We already have your answers"));

    // Staff see the answers; they do not match.
    let agent = agent.again().await;
    let case_page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(case_page.contains("SW1A 9ZZ"));
    agent
        .act_ok(
            &reference,
            "details_do_not_match",
            &[("message", "The postcode is not the one on your account.")],
        )
        .await;
    let mail = app
        .wait_for_email_to("ada@example.com", "could not confirm your identity")
        .await;
    assert!(mail
        .text
        .contains("The postcode is not the one on your account."));
    let case = app.case(&reference);
    let asked = app.db(|c| questions::list(c, case.id));
    assert_eq!(asked.len(), 2);
    assert!(
        asked.iter().all(|q| q.answer.is_none()),
        "answers deleted, questions asked again"
    );

    // Second try, a day later: they match.
    app.clock.advance(Duration::days(1)); // 3 April
    let r = answer(&app, &path, &["C-10442", "SW1A 1AA"]).await;
    assert_eq!(r.status().as_u16(), 303);
    let agent = agent.again().await;
    agent.act_ok(&reference, "details_match", &[]).await;
    let case = app.case(&reference);
    assert_eq!(case.state.key(), "in_progress");
    // One month from the day the right answers arrived (3 April): 3 May is
    // a Sunday and 4 May a bank holiday.
    assert_eq!(case.due_on, Some("2026-05-05".parse().unwrap()));
    assert!(
        app.db(|c| questions::list(c, case.id)).is_empty(),
        "answers deleted"
    );
    let kinds = app.event_kinds(&reference);
    assert!(kinds.iter().any(|k| k == "data_points_decided"));
    let events = app.db(|c| rightsdesk::db::events::list(c, case.id));
    let verified = events
        .iter()
        .find(|e| e.kind == "identity_verified")
        .unwrap();
    assert!(verified.detail.contains("known_data_points"));
    assert!(
        !events.iter().any(|e| e.detail.contains("SW1A")),
        "answers never enter the trail"
    );
}

#[tokio::test]
async fn details_cannot_be_decided_before_they_are_answered_nor_answered_when_not_asked() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let path = status_path(&app, "ada@example.com").await;
    // Not asked: the page has no questions, and posting answers is refused.
    let csrf = form_field(&app.get(&path).await.text().await.unwrap(), "csrf_token").to_owned();
    let r = app
        .post_form(
            &format!("{path}/details"),
            &[("csrf_token", &csrf), ("answer-1", "x")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409);
    agent
        .act_ok(
            &reference,
            "request_identity",
            &[
                ("message", "Please answer."),
                ("questions", "Your customer number"),
            ],
        )
        .await;
    let r = agent.act(&reference, "details_match", &[]).await;
    assert_eq!(r.status().as_u16(), 409);
    assert_eq!(app.case(&reference).state.key(), "awaiting_identity");
    // Documents are not what we asked for here.
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf.clone())
        .part(
            "identity",
            reqwest::multipart::Part::bytes(b"%PDF-1.7 x".to_vec()).file_name("p.pdf"),
        );
    let r = app
        .client
        .post(app.url(&format!("{path}/documents?csrf_token={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);
}
