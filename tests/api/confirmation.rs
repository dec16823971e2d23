//! Confirmation links: single use, expiring, renewable without a new case;
//! unconfirmed requests expire.

use chrono::Duration;
use rightsdesk::clock::Clock;
use rightsdesk::domain::CaseState;
use rightsdesk::service::intake::expire_unconfirmed;

use crate::helpers::{
    file_and_get_confirmation, form_field, spawn_app, valid_request, Email, TestApp,
};

fn reference_of(email: &Email) -> String {
    email
        .text
        .split("Your reference is ")
        .nth(1)
        .expect("reference in email")[..12]
        .to_owned()
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.get(path).await;
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_link_works_once() {
    let app = spawn_app().await;
    let email = file_and_get_confirmation(&app, &valid_request("access")).await;
    let token = email.confirm_token();
    assert_eq!(app.confirm(&token).await.status().as_u16(), 200);

    // Pressing the button again, or opening the link again, changes nothing.
    let (status, html) = page(&app, &format!("/confirm/{token}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Your email address is already confirmed"));
    let csrf = app.csrf_token(crate::helpers::DETAILS_PAGE).await;
    let response = app
        .post_form(&format!("/confirm/{token}"), &[("csrf_token", &csrf)])
        .await;
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("This link has already been used"));

    app.wait_for_outbox_drained().await;
    assert_eq!(app.case_count(), 1);
    let acks: Vec<_> = app
        .emails()
        .into_iter()
        .filter(|e| e.subject.contains("We have received"))
        .collect();
    assert_eq!(acks.len(), 1, "one acknowledgement only");
    assert_eq!(
        app.case(&reference_of(&email)).state,
        CaseState::AwaitingIdentity
    );
}

#[tokio::test]
async fn an_expired_link_offers_a_new_one_without_a_new_case() {
    let app = spawn_app().await;
    let first = file_and_get_confirmation(&app, &valid_request("access")).await;
    let old = first.confirm_token();
    app.clock.advance(Duration::hours(49));

    let (status, html) = page(&app, &format!("/confirm/{old}")).await;
    assert_eq!(status, 410);
    assert!(html.contains("This link has expired"));
    assert!(html.contains("Send me a new link"));
    let csrf = form_field(&html, "csrf_token").to_owned();

    // The expired link cannot confirm.
    let response = app
        .post_form(&format!("/confirm/{old}"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(response.status().as_u16(), 410);
    assert_eq!(app.case(&reference_of(&first)).state, CaseState::Submitted);

    // Ask for a new link, and confirm with it.
    let response = app
        .post_form(&format!("/confirm/{old}/resend"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("We have sent you a new link"));
    let emails = app.wait_for_emails("Confirm your email", 2).await;
    let fresh = emails
        .iter()
        .map(Email::confirm_token)
        .find(|t| *t != old)
        .expect("a new link");
    assert_eq!(
        reference_of(&emails[1]),
        reference_of(&first),
        "same request"
    );

    assert_eq!(app.confirm(&fresh).await.status().as_u16(), 200);
    assert_eq!(app.case_count(), 1);
    assert_eq!(
        app.case(&reference_of(&first)).state,
        CaseState::AwaitingIdentity
    );
    app.wait_for_email("We have received").await;
}

#[tokio::test]
async fn new_links_are_limited_per_request() {
    let app = spawn_app().await;
    let old = file_and_get_confirmation(&app, &valid_request("access"))
        .await
        .confirm_token();
    let csrf = app.csrf_token(crate::helpers::DETAILS_PAGE).await;
    let resend = || {
        let (app, csrf, old) = (&app, csrf.clone(), old.clone());
        async move {
            app.post_form(&format!("/confirm/{old}/resend"), &[("csrf_token", &csrf)])
                .await
                .status()
                .as_u16()
        }
    };
    // Four links an hour (the first included)...
    for _ in 0..3 {
        assert_eq!(resend().await, 200);
    }
    assert_eq!(resend().await, 429);
    app.wait_for_emails("Confirm your email", 4).await;
    // ...and ten in all.
    for _ in 0..2 {
        app.clock.advance(chrono::Duration::minutes(61));
        for _ in 0..3 {
            assert_eq!(resend().await, 200);
        }
    }
    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(resend().await, 429);
    app.wait_for_emails("Confirm your email", 10).await;
}

#[tokio::test]
async fn unknown_and_malformed_links_get_a_clear_404() {
    let app = spawn_app().await;
    for token in [
        "abc",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "%00%01",
    ] {
        let (status, html) = page(&app, &format!("/confirm/{token}")).await;
        assert_eq!(status, 404, "{token}");
        assert!(html.contains("We cannot find this link"), "{token}");
    }
    let csrf = app.csrf_token(crate::helpers::DETAILS_PAGE).await;
    let response = app
        .post_form(
            "/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(app.case_count(), 0);
}

#[tokio::test]
async fn confirming_needs_the_forms_csrf_token() {
    let app = spawn_app().await;
    let email = file_and_get_confirmation(&app, &valid_request("access")).await;
    let token = email.confirm_token();
    let response = app
        .post_form(&format!("/confirm/{token}"), &[("csrf_token", "forged")])
        .await;
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(app.case(&reference_of(&email)).state, CaseState::Submitted);
}

#[tokio::test]
async fn unconfirmed_requests_expire_after_the_configured_days() {
    let app = spawn_app().await;
    let mut fields = valid_request("access");
    fields.push(("description", "Customer number 42"));
    let email = file_and_get_confirmation(&app, &fields).await;
    let reference = reference_of(&email);
    let expire = |app: &TestApp| {
        expire_unconfirmed(
            &app.ctx.pool,
            &app.ctx.audit_key,
            app.clock.now(),
            app.ctx.settings.requests.unconfirmed_expiry_days,
            app.ctx.settings.organisation.timezone,
        )
        .unwrap()
    };

    app.clock.advance(Duration::days(6));
    assert_eq!(expire(&app), 0, "not yet");
    let case = app.case(&reference);
    assert_eq!(case.state, CaseState::Submitted);
    assert_eq!(case.description.as_deref(), Some("Customer number 42"));

    app.clock.advance(Duration::days(2));
    assert_eq!(expire(&app), 1);
    let case = app.case(&reference);
    assert_eq!(case.state, CaseState::Expired);
    // What the confirmation email promised: the request's personal data is gone.
    assert_eq!(case.requester_name, "");
    assert_eq!(case.requester_email, "");
    assert_eq!(case.description, None);
    assert!(app
        .db(|c| rightsdesk::db::cases::rights(c, case.id))
        .is_empty());
    assert!(app
        .db(|c| rightsdesk::db::outbox::for_case(c, &app.ctx.sealer, case.id))
        .is_empty());
    assert_eq!(
        app.db(|c| rightsdesk::db::events::first_broken_link(c, &app.ctx.audit_key, case.id)),
        None
    );
    assert_eq!(expire(&app), 0, "expiring twice changes nothing");

    let (status, html) = page(&app, &format!("/confirm/{}", email.confirm_token())).await;
    assert_eq!(status, 410);
    assert!(html.contains("This request has expired"));
    assert!(!html.contains("Send me a new link"));
}

#[tokio::test]
async fn confirmed_requests_do_not_expire() {
    let app = spawn_app().await;
    let email = file_and_get_confirmation(&app, &valid_request("access")).await;
    app.confirm(&email.confirm_token()).await;
    app.clock.advance(Duration::days(30));
    let expired = expire_unconfirmed(
        &app.ctx.pool,
        &app.ctx.audit_key,
        app.clock.now(),
        7,
        app.ctx.settings.organisation.timezone,
    )
    .unwrap();
    assert_eq!(expired, 0);
    assert_eq!(
        app.case(&reference_of(&email)).state,
        CaseState::AwaitingIdentity
    );
}
