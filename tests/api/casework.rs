//! Staff working cases over HTTP: every action, its audit events, the due
//! date it leaves, the email it sends, and the illegal moves it refuses.

use chrono::{Duration, NaiveDate};
use rightsdesk::db::{outbox, users};
use rightsdesk::domain::Role;

use crate::helpers::{spawn_app, TestApp};
use crate::staff_helpers::{error_of, StaffClient};

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn user_id(app: &TestApp, email: &str) -> String {
    app.db(|c| users::find_by_email(c, email))
        .unwrap()
        .id
        .0
        .to_string()
}

/// A confirmed UK GDPR access request (received 31 March 2026, due 30
/// April), its identity verified by `agent`.
async fn case_in_progress(app: &TestApp, agent: &StaffClient<'_>, email: &str) -> String {
    let reference = app.confirmed_case("access", email).await;
    agent
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "email_confirmed")],
        )
        .await;
    assert_eq!(app.case(&reference).state.key(), "in_progress");
    reference
}

async fn refused(response: reqwest::Response, status: u16) -> String {
    assert_eq!(response.status().as_u16(), status);
    let body = response.text().await.unwrap();
    let message = error_of(&body);
    assert!(!message.is_empty(), "the page says why");
    message
}

#[tokio::test]
async fn an_agent_works_a_case_from_verification_to_its_answer() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    assert_eq!(app.case(&reference).due_on, Some(date("2026-04-30")));

    let me = user_id(&app, "agent@example.org");
    agent
        .act_ok(&reference, "assign", &[("assignee", &me)])
        .await;
    assert_eq!(
        app.case(&reference).assignee.map(|u| u.0.to_string()),
        Some(me)
    );
    agent
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "email_confirmed")],
        )
        .await;
    assert_eq!(app.case(&reference).state.key(), "in_progress");

    // Completing with the right still open is refused and changes nothing.
    let mails_before = app.outbox_count();
    let message = refused(
        agent
            .act(&reference, "complete", &[("message", "Here you are")])
            .await,
        409,
    )
    .await;
    assert!(message.contains("still open: Right of access"), "{message}");
    assert_eq!(app.case(&reference).state.key(), "in_progress");
    assert_eq!(app.outbox_count(), mails_before);

    // A partial outcome needs a reason.
    let message = refused(
        agent
            .act(
                &reference,
                "record_outcome",
                &[("right", "access"), ("outcome", "partially_fulfilled")],
            )
            .await,
        422,
    )
    .await;
    assert!(message.contains("needs a reason"), "{message}");
    agent
        .act_ok(
            &reference,
            "record_outcome",
            &[("right", "access"), ("outcome", "fulfilled")],
        )
        .await;

    // The preview shows the exact email and changes nothing.
    let preview = agent
        .preview(
            &reference,
            "complete",
            &[("message", "Your data is attached to our secure portal.")],
        )
        .await;
    assert_eq!(preview.status().as_u16(), 200);
    let preview = preview.text().await.unwrap();
    assert!(preview.contains("Our answer to your request"));
    assert!(preview.contains("Right of access: done"));
    assert!(preview.contains("Your data is attached to our secure portal."));
    assert_eq!(app.case(&reference).state.key(), "in_progress");
    assert_eq!(app.outbox_count(), mails_before);

    agent
        .act_ok(
            &reference,
            "complete",
            &[("message", "Your data is attached to our secure portal.")],
        )
        .await;
    let case = app.case(&reference);
    assert_eq!(case.state.key(), "completed");
    assert!(case.closed_at.is_some());
    let answer = app.wait_for_email_to("ada@example.com", "Our answer").await;
    assert!(answer.text.contains("Right of access: done"));
    assert!(answer.text.contains("Information Commissioner's Office"));
    assert!(answer.text.contains("judicial remedy"));

    let kinds = app.event_kinds(&reference);
    for kind in [
        "assigned",
        "identity_verified",
        "right_outcome_recorded",
        "case_completed",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    let events = app.db(|c| rightsdesk::db::events::list(c, case.id));
    let completed = events.iter().find(|e| e.kind == "case_completed").unwrap();
    assert_eq!(
        completed.actor,
        format!("user:{}", user_id(&app, "agent@example.org"))
    );

    // A completed case cannot be completed, refused or extended again.
    for (action, fields) in [
        ("complete", vec![("message", "again")]),
        (
            "refuse",
            vec![("ground", "manifestly_excessive"), ("message", "no")],
        ),
        (
            "extend",
            vec![("reason", "complex"), ("message", "more time")],
        ),
    ] {
        let message = refused(agent.act(&reference, action, &fields).await, 409).await;
        assert!(
            message.contains("completed cannot be changed"),
            "{action}: {message}"
        );
    }

    // The case page shows the whole history, emails with their delivery state.
    app.wait_for_outbox_drained().await;
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("Case completed; final answer sent"));
    assert!(page.contains("Our answer to your request"));
    assert!(page.contains("(sent "));
    assert!(page.contains("Right of access"));
}

#[tokio::test]
async fn a_refusal_needs_reasons_and_tells_the_requester_how_to_complain() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = case_in_progress(&app, &agent, "ada@example.com").await;

    let message = refused(
        agent
            .act(&reference, "refuse", &[("ground", "manifestly_excessive")])
            .await,
        422,
    )
    .await;
    assert!(message.contains("reasons"), "{message}");
    // What was typed comes back in its form, open, the error beside it.
    let typed = "You asked for the same data three times & more.";
    let response = agent.act(&reference, "refuse", &[("message", typed)]).await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert!(error_of(&page).contains("ground"), "{page}");
    let form = &page[page.find("value=\"refuse\"").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(
        form.contains("You asked for the same data three times &amp; more.</textarea>"),
        "{form}"
    );
    assert!(
        form.contains("class=\"error-message\" role=\"alert\""),
        "{form}"
    );
    assert!(page.contains("<details class=\"action\" open><summary>Refuse the request"));
    // The other forms stay empty and closed.
    assert!(page.contains("<details class=\"action\"><summary>Extend the deadline"));
    assert_eq!(app.case(&reference).state.key(), "in_progress");

    agent
        .act_ok(
            &reference,
            "refuse",
            &[
                ("ground", "manifestly_excessive"),
                (
                    "message",
                    "You asked for the same data three times this month.",
                ),
            ],
        )
        .await;
    assert_eq!(app.case(&reference).state.key(), "refused");
    let mail = app
        .wait_for_email_to("ada@example.com", "Our decision")
        .await;
    assert!(mail
        .text
        .contains("We consider your request manifestly excessive"));
    assert!(mail
        .text
        .contains("You asked for the same data three times this month."));
    assert!(mail
        .text
        .contains("You have the right to complain to the Information Commissioner's Office"));
    assert!(mail.text.contains("judicial remedy"));

    let message = refused(agent.act(&reference, "complete", &[]).await, 409).await;
    assert!(message.contains("refused cannot be changed"), "{message}");

    // Reopening needs a reason, and puts the case back to work.
    refused(agent.act(&reference, "reopen", &[]).await, 422).await;
    agent
        .act_ok(
            &reference,
            "reopen",
            &[(
                "body",
                "Refused by mistake: the earlier requests were someone else's.",
            )],
        )
        .await;
    assert_eq!(app.case(&reference).state.key(), "in_progress");
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("Reopened: Refused by mistake"));
}

#[tokio::test]
async fn asking_for_identity_proof_moves_the_gdpr_clock_start() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;

    let message = refused(agent.act(&reference, "request_identity", &[]).await, 422).await;
    assert!(
        message.contains("what the requester must send"),
        "{message}"
    );
    agent
        .act_ok(
            &reference,
            "request_identity",
            &[("message", "Please send a copy of your passport.")],
        )
        .await;
    // The clock waits for the proof.
    assert_eq!(app.case(&reference).due_on, None);
    let mail = app
        .wait_for_email_to("ada@example.com", "confirm your identity")
        .await;
    assert!(mail.text.contains("Please send a copy of your passport."));
    assert!(mail.text.contains("starts on the day we receive it"));
    // Asking twice is refused.
    let message = refused(
        agent
            .act(&reference, "request_identity", &[("message", "Again")])
            .await,
        409,
    )
    .await;
    assert!(message.contains("already been asked"), "{message}");

    app.clock.advance(Duration::days(10)); // 10 April

    let agent = agent.again().await;
    let message = refused(
        agent
            .act(
                &reference,
                "verify_identity",
                &[("method", "documents"), ("on", "2026-04-11")],
            )
            .await,
        422,
    )
    .await;
    assert!(message.contains("in the future"), "{message}");
    agent
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "documents"), ("on", "2026-04-08")],
        )
        .await;
    let case = app.case(&reference);
    assert_eq!(case.state.key(), "in_progress");
    // One month from the day the proof arrived.
    assert_eq!(case.due_on, Some(date("2026-05-08")));
    let kinds = app.event_kinds(&reference);
    assert!(
        kinds.ends_with(&["identity_verified".into(), "identity_received".into()]),
        "{kinds:?}"
    );
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(page
        .contains("Identity proof received on Wednesday 8 April 2026; now due Friday 8 May 2026"));
}

#[tokio::test]
async fn a_ccpa_clock_does_not_wait_for_identity_proof() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app
        .confirmed_case_from("access", "ada@example.com", "US-CA")
        .await;
    assert_eq!(app.case(&reference).due_on, Some(date("2026-05-15")));
    agent
        .act_ok(
            &reference,
            "request_identity",
            &[("message", "Please confirm your last order number.")],
        )
        .await;
    assert_eq!(app.case(&reference).due_on, Some(date("2026-05-15")));
    let mail = app
        .wait_for_email_to("ada@example.com", "confirm your identity")
        .await;
    assert!(mail.text.contains("does not change the date"));
}

#[tokio::test]
async fn a_clarification_pauses_the_clock_and_the_reply_restarts_it() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = case_in_progress(&app, &agent, "ada@example.com").await;
    app.clock.advance(Duration::days(10)); // 10 April
    let agent = agent.again().await;
    agent
        .act_ok(
            &reference,
            "request_clarification",
            &[("message", "Which of your two accounts?")],
        )
        .await;
    assert_eq!(app.case(&reference).state.key(), "awaiting_requester");
    let mail = app
        .wait_for_email_to("ada@example.com", "A question about your request")
        .await;
    assert!(mail.text.contains("Which of your two accounts?"));
    assert!(mail.text.contains("paused"));
    // No completing while we wait.
    refused(agent.act(&reference, "complete", &[]).await, 409).await;

    app.clock.advance(Duration::days(10)); // 20 April

    let agent = agent.again().await;
    let message = refused(
        agent
            .act(&reference, "record_reply", &[("on", "2026-04-21")])
            .await,
        422,
    )
    .await;
    assert!(message.contains("future"), "{message}");
    agent
        .act_ok(
            &reference,
            "record_reply",
            &[("on", "2026-04-20"), ("body", "The business account.")],
        )
        .await;
    let case = app.case(&reference);
    assert_eq!(case.state.key(), "in_progress");
    // Ten days paused: 30 April + 10 = Sunday 10 May, the next working day.
    assert_eq!(case.due_on, Some(date("2026-05-11")));
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(
        page.contains("Requester&#x27;s reply: The business account.")
            || page.contains("Requester's reply: The business account.")
    );
}

#[tokio::test]
async fn a_deadline_is_extended_once_with_reasons_and_never_late() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = case_in_progress(&app, &agent, "ada@example.com").await;

    refused(
        agent
            .act(&reference, "extend", &[("reason", "complex")])
            .await,
        422,
    )
    .await;
    let message = refused(
        agent
            .act(
                &reference,
                "extend",
                &[("reason", "reasonably_necessary"), ("message", "x")],
            )
            .await,
        409,
    )
    .await;
    assert!(
        message.contains("not a reason the law of this case allows"),
        "{message}"
    );

    agent
        .act_ok(
            &reference,
            "extend",
            &[
                ("reason", "complex"),
                ("message", "Your records are spread over six systems."),
            ],
        )
        .await;
    assert_eq!(app.case(&reference).due_on, Some(date("2026-06-30")));
    let mail = app
        .wait_for_email_to("ada@example.com", "We need more time")
        .await;
    assert!(mail.text.contains("The request is complex"));
    assert!(mail
        .text
        .contains("Your records are spread over six systems."));
    assert!(mail
        .text
        .contains("We had to answer by Thursday 30 April 2026"));
    assert!(mail
        .text
        .contains("We will now answer by Tuesday 30 June 2026"));

    let message = refused(
        agent
            .act(
                &reference,
                "extend",
                &[("reason", "many_requests"), ("message", "again")],
            )
            .await,
        409,
    )
    .await;
    assert!(message.contains("only once"), "{message}");
    assert_eq!(app.case(&reference).due_on, Some(date("2026-06-30")));

    // Too late: the original due date has passed.
    let late = case_in_progress(&app, &agent, "grace@example.com").await;
    app.clock.advance(Duration::days(31)); // 1 May
    let agent = agent.again().await;
    let mails = app.outbox_count();
    let message = refused(
        agent
            .act(
                &late,
                "extend",
                &[("reason", "complex"), ("message", "Sorry")],
            )
            .await,
        409,
    )
    .await;
    assert!(message.contains("too late"), "{message}");
    assert_eq!(app.case(&late).due_on, Some(date("2026-04-30")));
    assert_eq!(app.outbox_count(), mails);
    assert!(!app
        .event_kinds(&late)
        .iter()
        .any(|k| k == "deadline_extended"));
}

#[tokio::test]
async fn a_fee_stops_the_clock_until_it_is_paid() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = case_in_progress(&app, &agent, "ada@example.com").await;
    agent
        .act_ok(
            &reference,
            "request_fee",
            &[("message", "A fee of £10 applies to further copies.")],
        )
        .await;
    assert_eq!(app.case(&reference).due_on, None);
    app.wait_for_email_to("ada@example.com", "A fee for your request")
        .await;
    app.clock.advance(Duration::days(5));
    let agent = agent.again().await;
    agent
        .act_ok(&reference, "record_fee", &[("on", "2026-04-03")])
        .await;
    assert_eq!(app.case(&reference).due_on, Some(date("2026-05-05")));
}

#[tokio::test]
async fn duplicates_withdrawals_and_reopening() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let first = case_in_progress(&app, &agent, "ada@example.com").await;
    let second = app.confirmed_case("access", "ada2@example.com").await;

    let message = refused(
        agent
            .act(&second, "mark_duplicate", &[("of", &second)])
            .await,
        409,
    )
    .await;
    assert!(message.contains("itself"), "{message}");
    let message = refused(
        agent
            .act(&second, "mark_duplicate", &[("of", "RD-ZZZZ-ZZZZ")])
            .await,
        409,
    )
    .await;
    assert!(message.contains("RD-ZZZZ-ZZZZ"), "{message}");
    refused(
        agent
            .act(&second, "mark_duplicate", &[("of", "nonsense")])
            .await,
        422,
    )
    .await;

    // Another person's request cannot stand in for this one...
    let message = refused(
        agent
            .act(&second, "mark_duplicate", &[("of", &first)])
            .await,
        409,
    )
    .await;
    assert!(message.contains("same requester"), "{message}");
    // ...nor a closed one of the same person.
    let closed = app.confirmed_case("access", "ada2@example.com").await;
    agent
        .act_ok(&closed, "withdraw", &[("body", "asked by phone")])
        .await;
    let message = refused(
        agent
            .act(&second, "mark_duplicate", &[("of", &closed)])
            .await,
        409,
    )
    .await;
    assert!(message.contains("open case"), "{message}");
    // The same person's open request can.
    let first = app.confirmed_case("access", "ada@example.com").await;
    let second = app.confirmed_case("erasure", "ada@example.com").await;
    agent
        .act_ok(&second, "mark_duplicate", &[("of", &first)])
        .await;
    let case = app.case(&second);
    assert_eq!(case.state.key(), "completed");
    assert_eq!(case.closure.as_deref(), Some("duplicate"));
    let mail = app
        .wait_for_email_to("ada@example.com", "is part of request")
        .await;
    assert!(mail.text.contains(&first));

    agent
        .act_ok(
            &first,
            "withdraw",
            &[("body", "Phoned to say it is no longer needed.")],
        )
        .await;
    assert_eq!(app.case(&first).state.key(), "withdrawn");
    app.wait_for_email_to("ada@example.com", "is withdrawn")
        .await;
    let message = refused(agent.act(&first, "withdraw", &[]).await, 409).await;
    assert!(message.contains("withdrawn cannot be changed"), "{message}");

    agent
        .act_ok(&second, "reopen", &[("body", "Not a duplicate after all.")])
        .await;
    let case = app.case(&second);
    assert_eq!(case.state.key(), "in_progress");
    assert_eq!(case.closure, None);
}

#[tokio::test]
async fn notes_stay_internal_and_the_audit_trail_does_not_copy_them() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let mails = app.outbox_count();
    refused(agent.act(&reference, "note", &[("body", "  ")]).await, 422).await;
    agent
        .act_ok(
            &reference,
            "note",
            &[("body", "Called her back: she has two accounts.")],
        )
        .await;
    assert_eq!(app.outbox_count(), mails);
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("Called her back: she has two accounts."));
    let case = app.case(&reference);
    let events = app.db(|c| rightsdesk::db::events::list(c, case.id));
    let note = events.iter().find(|e| e.kind == "note_added").unwrap();
    assert!(!note.detail.contains("two accounts"), "{}", note.detail);
}

#[tokio::test]
async fn viewing_a_case_is_recorded() {
    let app = spawn_app().await;
    let viewer = app.staff("viewer@example.org", Role::Viewer).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    viewer.page(&format!("/staff/cases/{reference}")).await;
    viewer.page(&format!("/staff/cases/{reference}")).await;
    let case = app.case(&reference);
    let viewer_id = user_id(&app, "viewer@example.org");
    let views: Vec<_> = app
        .db(|c| rightsdesk::db::events::list(c, case.id))
        .into_iter()
        .filter(|e| e.kind == "case_viewed")
        .collect();
    assert_eq!(views.len(), 2);
    assert!(views.iter().all(|e| e.actor == format!("user:{viewer_id}")));
    assert_eq!(
        viewer
            .get("/staff/cases/RD-ZZZZ-ZZZZ")
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        viewer
            .get("/staff/cases/not-a-reference")
            .await
            .status()
            .as_u16(),
        404
    );
}

#[tokio::test]
async fn staff_enter_a_request_that_came_by_post() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let page = agent.page("/staff/cases/new").await;
    assert!(page.contains("How did it reach us?"));
    let mut fields = crate::helpers::valid_request("erasure");
    fields.push(("channel", "post"));
    fields.push(("received_on", "2026-04-01"));
    let r = agent.post("/staff/cases", &fields).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("cannot be in the future"));
    let without_channel: Vec<_> = fields
        .iter()
        .copied()
        .filter(|(k, _)| *k != "channel")
        .collect();
    let r = agent.post("/staff/cases", &without_channel).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Choose how the request reached us"));
    let cases_before = app.case_count();

    fields.retain(|(k, _)| *k != "received_on");
    fields.push(("received_on", "2026-03-20"));
    let r = agent.post("/staff/cases", &fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let reference = location.rsplit('/').next().unwrap().to_owned();
    assert_eq!(app.case_count(), cases_before + 1);
    let case = app.case(&reference);
    assert_eq!(case.state.key(), "awaiting_identity");
    assert_eq!(case.channel, "post");
    assert_eq!(case.received_on, Some(date("2026-03-20")));
    assert_eq!(case.due_on, Some(date("2026-04-20")));
    let ack = app
        .wait_for_email_to("ada@example.com", "We have received")
        .await;
    assert!(ack.text.contains("Friday 20 March 2026"));
    let kinds = app.event_kinds(&reference);
    assert_eq!(
        kinds[..2],
        ["request_entered".to_owned(), "clock_started".to_owned()]
    );
    // A viewer cannot enter requests.
    let viewer = app.staff("viewer@example.org", Role::Viewer).await;
    assert_eq!(
        viewer.post("/staff/cases", &fields).await.status().as_u16(),
        403
    );
}

#[tokio::test]
async fn previews_change_nothing() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = case_in_progress(&app, &agent, "ada@example.com").await;
    let events_before = app.event_kinds(&reference).len();
    let mails = app.outbox_count();
    for (action, fields) in [
        (
            "refuse",
            vec![
                ("ground", "legal_privilege"),
                ("message", "Legal privilege applies."),
            ],
        ),
        (
            "extend",
            vec![("reason", "complex"), ("message", "Six systems.")],
        ),
        ("request_clarification", vec![("message", "Which account?")]),
    ] {
        let r = agent.preview(&reference, action, &fields).await;
        assert_eq!(r.status().as_u16(), 200, "{action}");
        let body = r.text().await.unwrap();
        assert!(body.contains("Check the email before sending"));
        assert!(body.contains("ada@example.com"));
    }
    assert_eq!(app.case(&reference).state.key(), "in_progress");
    assert_eq!(app.case(&reference).due_on, Some(date("2026-04-30")));
    assert_eq!(app.outbox_count(), mails);
    // Only the page views were recorded.
    let kinds = app.event_kinds(&reference);
    assert!(
        kinds[events_before..].iter().all(|k| k == "case_viewed"),
        "{kinds:?}"
    );
    let _ = outbox::PENDING;
}

#[tokio::test]
async fn long_answers_fit_and_oversized_forms_are_refused_cleanly() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let long = "The systems we searched, one by one. ".repeat(250); // about 9,000 characters
    agent.act_ok(&reference, "note", &[("body", &long)]).await;
    let too_long = "x".repeat(10_001);
    let message = refused(
        agent.act(&reference, "note", &[("body", &too_long)]).await,
        422,
    )
    .await;
    assert!(message.contains("too long"), "{message}");
    let huge = "x".repeat(100_000);
    let r = agent.act(&reference, "note", &[("body", &huge)]).await;
    assert!(r.status().is_client_error(), "{}", r.status());
    let notes = app
        .event_kinds(&reference)
        .iter()
        .filter(|k| *k == "note_added")
        .count();
    assert_eq!(notes, 1);
}

#[tokio::test]
async fn staff_can_change_the_law_and_the_deadline_follows() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    assert_eq!(app.case(&reference).due_on, Some(date("2026-04-30")));
    refused(
        agent
            .act(&reference, "change_regime", &[("regime", "ccpa")])
            .await,
        422,
    )
    .await;
    refused(
        agent
            .act(
                &reference,
                "change_regime",
                &[("regime", "mars"), ("body", "x")],
            )
            .await,
        422,
    )
    .await;
    let message = refused(
        agent
            .act(
                &reference,
                "change_regime",
                &[("regime", "uk-gdpr"), ("body", "x")],
            )
            .await,
        409,
    )
    .await;
    assert!(message.contains("already handled under"), "{message}");
    agent
        .act_ok(
            &reference,
            "change_regime",
            &[
                ("regime", "ccpa"),
                (
                    "body",
                    "She lives in California; the UK address was a holiday let.",
                ),
            ],
        )
        .await;
    let case = app.case(&reference);
    assert_eq!(case.regime.key(), "ccpa");
    assert_eq!(
        case.due_on,
        Some(date("2026-05-15")),
        "45 days under the CCPA"
    );
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("Law changed from uk-gdpr to ccpa; now due Friday 15 May 2026"));
    assert!(page.contains("the UK address was a holiday let"));
}

#[tokio::test]
async fn staff_correct_the_requesters_details_and_the_old_values_stay_out_of_the_trail() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let viewer = app.staff("viewer@example.org", Role::Viewer).await;
    let reference = case_in_progress(&app, &agent, "ada@exmaple.com").await;
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("Correct these details"));
    assert!(page.contains("value=\"ada@exmaple.com\""), "prefilled");

    // Wrong or missing fields are refused, and what was typed stays.
    let message = refused(
        agent
            .act(
                &reference,
                "edit_requester",
                &[
                    ("requester_name", "Ada King"),
                    ("requester_email", "ada@example"),
                    ("body", "She wrote on 3 March"),
                ],
            )
            .await,
        422,
    )
    .await;
    assert!(message.contains("correct format"), "{message}");
    let fields = |email: &'static str, why: &'static str| {
        vec![
            ("requester_name", "Ada King"),
            ("requester_email", email),
            ("body", why),
        ]
    };
    let response = agent
        .act(&reference, "edit_requester", &fields("ada@example.com", ""))
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("value=\"Ada King\""));
    // An agent's details on a case no agent filed.
    let mut with_agent = fields("ada@example.com", "She wrote");
    with_agent.extend([("agent_name", "Mo"), ("agent_email", "mo@example.com")]);
    refused(
        agent.act(&reference, "edit_requester", &with_agent).await,
        409,
    )
    .await;
    // Viewers read only.
    let response = viewer
        .act(
            &reference,
            "edit_requester",
            &fields("ada@example.com", "x"),
        )
        .await;
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(app.case(&reference).requester_email, "ada@exmaple.com");

    agent
        .act_ok(
            &reference,
            "edit_requester",
            &fields(
                "ada@example.com",
                "She wrote on 3 March: a typo in her address",
            ),
        )
        .await;
    let case = app.case(&reference);
    assert_eq!(case.requester_name, "Ada King");
    assert_eq!(case.requester_email, "ada@example.com");
    // The trail names the fields, never the values; the note has both.
    let events = app.db(|c| rightsdesk::db::events::list(c, case.id));
    let edited = events
        .iter()
        .find(|e| e.kind == "requester_edited")
        .expect("an event");
    assert!(edited.detail.contains("\"name\"") && edited.detail.contains("\"email\""));
    assert!(!edited.detail.contains("exmaple") && !edited.detail.contains("King"));
    let notes = app.db(|c| rightsdesk::db::notes::for_case(c, case.id));
    let note = &notes.last().unwrap().body;
    assert!(
        note.contains("ada@exmaple.com") && note.contains("ada@example.com"),
        "{note}"
    );
    assert!(note.contains("She wrote on 3 March"));
    // Nothing to change is refused; what follows goes to the new address.
    refused(
        agent
            .act(
                &reference,
                "edit_requester",
                &fields("ada@example.com", "again"),
            )
            .await,
        409,
    )
    .await;
    agent
        .act_ok(
            &reference,
            "request_clarification",
            &[("message", "Which account?")],
        )
        .await;
    let mail = app
        .wait_for_email_to("ada@example.com", "A question about")
        .await;
    assert!(mail.text.contains("Hello Ada King"), "{}", mail.text);
}
