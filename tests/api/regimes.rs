//! Each regime's clock and words, through the real app: clarification
//! under the EU and UK laws, the date of receipt when a request is confirmed
//! later, a CCPA opt-out acted on without confirmation, a late identity
//! request, and the texts requesters read under each law.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rightsdesk::domain::Role;

use crate::helpers::{file_and_get_confirmation, spawn_app, spawn_app_at, valid_request, TestApp};
use crate::staff_helpers::{error_of, StaffClient};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A confirmed case from `location`, verified by the email check.
async fn verified(
    app: &TestApp,
    agent: &StaffClient<'_>,
    right: &'static str,
    email: &str,
    location: &str,
) -> String {
    let reference = app.confirmed_case_from(right, email, location).await;
    agent
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "email_confirmed")],
        )
        .await;
    reference
}

/// Asks a question on the 10 April and records the answer on the 20th.
async fn ask_and_answer(app: &TestApp, agent: &StaffClient<'_>, reference: &str) {
    app.clock.advance(Duration::days(10)); // 10 April
    let agent = agent.again().await;
    agent
        .act_ok(
            reference,
            "request_clarification",
            &[("message", "Which of your two accounts?")],
        )
        .await;
    app.clock.advance(Duration::days(10)); // 20 April
    let agent = agent.again().await;
    agent
        .act_ok(
            reference,
            "record_reply",
            &[("on", "2026-04-20"), ("body", "The business account.")],
        )
        .await;
}

#[tokio::test]
async fn an_eu_clarification_does_not_pause_the_month() {
    let app = spawn_app().await; // 31 March 2026
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = verified(&app, &agent, "access", "jean@example.fr", "FR").await;
    assert_eq!(app.case(&reference).due_on, Some(date("2026-04-30")));
    ask_and_answer(&app, &agent, &reference).await;
    let mail = app
        .wait_for_email_to("jean@example.fr", "A question about your request")
        .await;
    assert!(!mail.text.contains("paused"), "{}", mail.text);
    assert!(
        mail.text.contains(
            "The time limit for our answer keeps running while we wait: we must still answer by Thursday 30 April 2026."
        ),
        "{}",
        mail.text
    );
    // Ten days of waiting moved nothing.
    assert_eq!(app.case(&reference).due_on, Some(date("2026-04-30")));
    let page = agent
        .again()
        .await
        .page(&format!("/staff/cases/{reference}"))
        .await;
    assert!(page.contains("the clock keeps running"), "{page}");
}

#[tokio::test]
async fn a_uk_clarification_pauses_subject_access_but_not_erasure() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let access = verified(&app, &agent, "access", "ada@example.com", "GB").await;
    let erasure = verified(&app, &agent, "erasure", "grace@example.com", "GB").await;
    app.clock.advance(Duration::days(10)); // 10 April
    let agent = agent.again().await;
    for reference in [&access, &erasure] {
        agent
            .act_ok(
                reference,
                "request_clarification",
                &[("message", "Which of your two accounts?")],
            )
            .await;
    }
    let paused = app
        .wait_for_email_to("ada@example.com", "A question about your request")
        .await;
    assert!(
        paused.text.contains("the time limit is paused"),
        "{}",
        paused.text
    );
    let running = app
        .wait_for_email_to("grace@example.com", "A question about your request")
        .await;
    assert!(!running.text.contains("paused"), "{}", running.text);
    assert!(running.text.contains("keeps running"), "{}", running.text);
    app.clock.advance(Duration::days(10)); // 20 April
    let agent = agent.again().await;
    for reference in [&access, &erasure] {
        agent
            .act_ok(reference, "record_reply", &[("on", "2026-04-20")])
            .await;
    }
    // Access: ten days paused, 30 April + 10 = Sunday 10 May, so Monday 11 May.
    assert_eq!(app.case(&access).due_on, Some(date("2026-05-11")));
    // Erasure: the month ran on.
    assert_eq!(app.case(&erasure).due_on, Some(date("2026-04-30")));
}

#[tokio::test]
async fn a_request_confirmed_days_later_is_due_from_the_day_it_was_sent() {
    // Sent Monday 2 November 2026 at 18:00, confirmed on the 4th (links
    // work for 48 hours).
    let app = spawn_app_at(Utc.with_ymd_and_hms(2026, 11, 2, 18, 0, 0).unwrap()).await;
    let mut ccpa = valid_request("erasure");
    ccpa.retain(|(k, _)| *k != "location" && *k != "email");
    ccpa.extend([("location", "US-CA"), ("email", "cal@example.com")]);
    let ccpa_token = file_and_get_confirmation(&app, &ccpa).await.confirm_token();
    let mut uk = valid_request("access");
    uk.retain(|(k, _)| *k != "email");
    uk.push(("email", "brit@example.com"));
    app.file_request(&uk).await;
    let uk_token = app
        .wait_for_email_to("brit@example.com", "Confirm your email")
        .await
        .confirm_token();

    app.clock.advance(Duration::hours(40));
    app.confirm(&ccpa_token).await;
    app.confirm(&uk_token).await;
    let ack = app
        .wait_for_email_to("cal@example.com", "We have received")
        .await;
    assert!(
        ack.text.contains("Received: Monday 2 November 2026"),
        "{}",
        ack.text
    );
    // 2 November + 45 days, not 4 November + 45.
    assert!(
        ack.text
            .contains("We must answer by: Thursday 17 December 2026"),
        "{}",
        ack.text
    );
    let ack = app
        .wait_for_email_to("brit@example.com", "We have received")
        .await;
    assert!(
        ack.text.contains("Received: Monday 2 November 2026"),
        "{}",
        ack.text
    );
    assert!(
        ack.text
            .contains("We must answer by: Wednesday 2 December 2026"),
        "{}",
        ack.text
    );
}

#[tokio::test]
async fn an_opt_out_never_confirmed_is_still_acted_on_within_fifteen_business_days() {
    // Monday 16 November 2026.
    let app = spawn_app_at(Utc.with_ymd_and_hms(2026, 11, 16, 18, 0, 0).unwrap()).await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let confirmation = file_and_get_confirmation(&app, &valid_request("opt_out")).await;
    let reference = confirmation
        .text
        .split("Your reference is ")
        .nth(1)
        .unwrap()[..12]
        .to_owned();
    // The email does not threaten to delete what is acted on anyway.
    assert!(
        !confirmation.text.contains("The request is deleted"),
        "{}",
        confirmation.text
    );
    assert!(
        confirmation
            .text
            .contains("whether or not the address is confirmed"),
        "{}",
        confirmation.text
    );
    let case = app.case(&reference);
    assert_eq!(case.state.key(), "submitted");
    assert_eq!(case.received_on, Some(date("2026-11-16")));
    // 15 business days: Thanksgiving is a holiday, the day after is not.
    assert_eq!(case.due_on, Some(date("2026-12-08")));
    // It is in the default queue, with its 15-business-day date.
    let queue = agent.page("/staff").await;
    assert!(queue.contains(&reference), "{queue}");
    assert!(queue.contains("8 Dec 2026"), "{queue}");

    // A week and more without confirmation: it does not expire.
    app.clock.advance(Duration::days(9));
    let expired = rightsdesk::service::intake::expire_unconfirmed(
        &app.ctx.pool,
        &app.ctx.audit_key,
        app.clock_now(),
        7,
        app.ctx.settings.organisation.timezone,
    )
    .unwrap();
    assert_eq!(expired, 0);
    assert_eq!(app.case(&reference).state.key(), "submitted");

    // No identity check is offered or needed: staff act on it and close it.
    let agent = agent.again().await;
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(
        page.contains("no verification needed: act on it by Tuesday 8 December 2026"),
        "{page}"
    );
    // What is due is the opt-out; an opt-out needs no acknowledgement.
    assert!(
        page.contains("Due <strong>Tuesday 8 December 2026</strong>"),
        "{page}"
    );
    assert!(!page.contains("Acknowledge by"), "{page}");
    assert!(
        page.contains("(the address is not confirmed yet)"),
        "{page}"
    );
    assert!(!page.contains("value=\"request_identity\""), "{page}");
    let before = app.outbox_count();
    agent
        .act_ok(
            &reference,
            "record_outcome",
            &[("right", "opt_out"), ("outcome", "fulfilled")],
        )
        .await;
    agent.act_ok(&reference, "complete", &[]).await;
    let case = app.case(&reference);
    assert_eq!(case.state.key(), "completed");
    // An unconfirmed address is not written to.
    assert_eq!(app.outbox_count(), before);
    assert!(app
        .event_kinds(&reference)
        .contains(&"case_completed".to_owned()));
}

#[tokio::test]
async fn an_opt_out_is_not_held_back_by_identity_pending_for_the_request_to_know() {
    let app = spawn_app_at(Utc.with_ymd_and_hms(2026, 11, 16, 18, 0, 0).unwrap()).await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let mut fields = valid_request("opt_out");
    fields.push(("rights", "access"));
    fields.retain(|(k, _)| *k != "email");
    fields.push(("email", "both@example.com"));
    let token = file_and_get_confirmation(&app, &fields)
        .await
        .confirm_token();
    let page = app.confirm(&token).await.text().await.unwrap();
    assert!(
        page.contains(
            "We will act on your opt-out or limit by <strong>Tuesday 8 December 2026</strong>"
        ),
        "{page}"
    );
    assert!(
        page.contains("Verification does not change the date by which we must answer"),
        "{page}"
    );
    let ack = app
        .wait_for_email_to("both@example.com", "We have received")
        .await;
    let reference = ack.subject.rsplit(' ').next().unwrap().to_owned();
    assert_eq!(app.case(&reference).state.key(), "awaiting_identity");
    assert_eq!(app.case(&reference).due_on, Some(date("2026-12-08")));

    // The request to know waits for verification; the opt-out does not.
    let message = error_of(
        &agent
            .act(
                &reference,
                "record_outcome",
                &[("right", "access"), ("outcome", "fulfilled")],
            )
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(
        message.contains("before the requester's identity is verified")
            || message.contains("before the requester&#x27;s identity is verified"),
        "{message}"
    );
    agent
        .act_ok(
            &reference,
            "record_outcome",
            &[("right", "opt_out"), ("outcome", "fulfilled")],
        )
        .await;
    // Then the 45-day date is what is due.
    assert_eq!(app.case(&reference).due_on, Some(date("2026-12-31")));
    // The opt-out is answered: the request cannot be refused as a whole
    // (the refusal would say nothing was done); each right is answered.
    let response = agent
        .act(
            &reference,
            "refuse",
            &[
                ("ground", "identity_not_verified"),
                ("message", "No match."),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 409);
    let message = error_of(&response.text().await.unwrap());
    assert!(
        message.contains("record the outcome of each right"),
        "{message}"
    );
}

#[tokio::test]
async fn a_late_identity_request_is_refused_and_the_case_stays_overdue() {
    let app = spawn_app().await; // 31 March 2026: due 30 April
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let uk = app.confirmed_case("access", "ada@example.com").await;
    let eu = app
        .confirmed_case_from("access", "jean@example.fr", "FR")
        .await;
    app.clock.advance(Duration::days(31)); // 1 May: both overdue
    let agent = agent.again().await;
    let response = agent
        .act(
            &uk,
            "request_identity",
            &[("message", "Please send a passport.")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 409);
    let message = error_of(&response.text().await.unwrap());
    assert!(message.contains("already late"), "{message}");
    let case = app.case(&uk);
    assert_eq!(case.due_on, Some(date("2026-04-30")));
    assert!(!app
        .event_kinds(&uk)
        .contains(&"identity_requested".to_owned()));
    let queue = agent.page("/staff?overdue=1").await;
    assert!(queue.contains(&uk), "still on the overdue list");
    // Under the EU GDPR asking moves nothing, so it may still be asked.
    agent
        .act_ok(
            &eu,
            "request_identity",
            &[("message", "Please send a passport.")],
        )
        .await;
    assert_eq!(app.case(&eu).due_on, Some(date("2026-04-30")));
    let mail = app
        .wait_for_email_to("jean@example.fr", "confirm your identity")
        .await;
    assert!(
        mail.text.contains(
            "This does not change the date by which we must answer (Thursday 30 April 2026)"
        ),
        "{}",
        mail.text
    );
}

#[tokio::test]
async fn each_law_gives_its_own_words() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let uk = verified(&app, &agent, "access", "ada@example.com", "GB").await;
    let eu = verified(&app, &agent, "access", "jean@example.fr", "FR").await;
    let ca = verified(&app, &agent, "access", "cal@example.com", "US-CA").await;

    // Acknowledgements describe the checks to expect.
    let ack = app
        .wait_for_email_to("ada@example.com", "We have received")
        .await;
    assert!(
        ack.text
            .contains("If we ask, the one-month time limit starts"),
        "{}",
        ack.text
    );
    let ack = app
        .wait_for_email_to("jean@example.fr", "We have received")
        .await;
    assert!(
        ack.text
            .contains("The one-month time limit runs from the day we received your request"),
        "{}",
        ack.text
    );
    let ack = app
        .wait_for_email_to("cal@example.com", "We have received")
        .await;
    assert!(ack.text.contains("Request to know"), "{}", ack.text);
    assert!(
        ack.text
            .contains("Verification does not change the date by which we must answer"),
        "{}",
        ack.text
    );
    assert!(ack.text.contains("California Privacy Protection Agency"));

    // Identity: only the UK clock restarts; a Californian is never told so.
    let other_ca = app
        .confirmed_case_from("access", "cal3@example.com", "US-CA")
        .await;
    let other_uk = app.confirmed_case("access", "ada3@example.com").await;
    for reference in [&other_ca, &other_uk] {
        agent
            .act_ok(
                reference,
                "request_identity",
                &[("message", "Your account number and postcode, please.")],
            )
            .await;
    }
    let mail = app
        .wait_for_email_to("cal3@example.com", "confirm your identity")
        .await;
    assert!(!mail.text.contains("starts on the day"), "{}", mail.text);
    assert!(
        mail.text
            .contains("This does not change the date by which we must answer"),
        "{}",
        mail.text
    );
    let mail = app
        .wait_for_email_to("ada3@example.com", "confirm your identity")
        .await;
    assert!(
        mail.text
            .contains("The one month time limit for our answer starts on the day we receive it"),
        "{}",
        mail.text
    );

    // A fee: only the UK clock waits for it.
    for reference in [&uk, &ca] {
        agent
            .act_ok(
                reference,
                "request_fee",
                &[("message", "A fee of £10 for copies.")],
            )
            .await;
    }
    let fee = app.wait_for_email_to("ada@example.com", "fee").await;
    assert!(
        fee.text
            .contains("the time limit for our answer starts on that day"),
        "{}",
        fee.text
    );
    let fee = app.wait_for_email_to("cal@example.com", "fee").await;
    assert!(!fee.text.contains("starts on that day"), "{}", fee.text);
    assert!(
        fee.text
            .contains("this does not change the date by which we must answer"),
        "{}",
        fee.text
    );

    // Refusals: the remedies each law gives, and no court promise under the CCPA.
    agent
        .act_ok(
            &eu,
            "refuse",
            &[
                ("ground", "rights_of_others"),
                ("message", "The recordings include other callers."),
            ],
        )
        .await;
    agent
        .act_ok(
            &ca,
            "refuse",
            &[
                ("ground", "manifestly_unfounded_or_excessive"),
                ("message", "This is the fifth request this month."),
            ],
        )
        .await;
    let refusal = app
        .wait_for_email_to("jean@example.fr", "Our decision")
        .await;
    assert!(!refusal.text.contains(".."), "{}", refusal.text);
    assert!(!refusal.text.contains("\n You can"), "{}", refusal.text);
    assert!(
        refusal.text.contains("GDPR Article 15(4)"),
        "{}",
        refusal.text
    );
    assert!(
        refusal.text.contains("effective judicial remedy"),
        "{}",
        refusal.text
    );
    let refusal = app
        .wait_for_email_to("cal@example.com", "Our decision")
        .await;
    assert!(
        refusal.text.contains("§ 1798.145(h)(3)"),
        "{}",
        refusal.text
    );
    assert!(
        refusal
            .text
            .contains("California Privacy Protection Agency"),
        "{}",
        refusal.text
    );
    assert!(
        refusal.text.contains("California Attorney General"),
        "{}",
        refusal.text
    );
    assert!(!refusal.text.contains("judicial"), "{}", refusal.text);
    assert!(!refusal.text.contains("court"), "{}", refusal.text);
    // A ground of another law is refused.
    let other = verified(&app, &agent, "access", "cal2@example.com", "US-CA").await;
    let response = agent
        .act(
            &other,
            "refuse",
            &[("ground", "legal_privilege"), ("message", "x")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 409);
}

#[tokio::test]
async fn the_public_pages_say_what_each_law_says() {
    let app = spawn_app().await;
    let home = app.get("/").await.text().await.unwrap();
    assert!(!home.contains("except where the law asks for a reason"));
    assert!(home.contains("You do not need to say why"));
    assert!(home.contains("45 calendar days from the day we receive your request"));
    assert!(home.contains("California Attorney General"));
    assert!(home.contains("We act on an opt-out of sale or sharing, or the limit on the use of sensitive personal information, within 15 business days"), "{home}");
    let form = app
        .get("/requests/new?acting_as=self&location=US-CA")
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains("value=\"opt_out\""));
    // The staff form has every right on one page, the rights a place's law
    // does not give hidden by the stylesheet.
    let css = app.get("/static/app.css").await.text().await.unwrap();
    assert!(css.contains("form:has(#location option[data-regime=\"eu-gdpr\"]:checked) #right-box-opt_out:not(:has(#right-opt_out:checked)) { display: none; }"), "{css}");
    assert!(
        css.contains("option[data-regime=\"ccpa\"]:checked) #erasure_ground"),
        "{css}"
    );
    let places = app
        .get("/requests/new?acting_as=self")
        .await
        .text()
        .await
        .unwrap();
    assert!(places.contains("value=\"FR\" data-regime=\"eu-gdpr\""));
    let erasure = app
        .get("/requests/new?acting_as=self&location=FR&rights=erasure")
        .await
        .text()
        .await
        .unwrap();
    assert!(erasure.contains("If you want to, tell us why your data should be deleted"));
    // California's law asks for no grounds to delete.
    let erasure = app
        .get("/requests/new?acting_as=self&location=US-CA&rights=erasure")
        .await
        .text()
        .await
        .unwrap();
    assert!(!erasure.contains("erasure_ground"));

    // An organisation the CCPA does not reach offers no California-only choices.
    let uk_only = crate::helpers::spawn_app_with(crate::helpers::default_now(), |s| {
        s.organisation.regimes = vec![rightsdesk::domain::Regime::UK_GDPR];
    })
    .await;
    let form = uk_only
        .get("/requests/new?acting_as=self&location=GB")
        .await
        .text()
        .await
        .unwrap();
    assert!(!form.contains("value=\"opt_out\""));
    assert!(!form.contains("value=\"limit\""));
    assert!(!form.contains("CCPA"));
    let home = uk_only.get("/").await.text().await.unwrap();
    assert!(!home.contains("California"));
}

#[tokio::test]
async fn the_schema_does_not_list_the_regimes() {
    use diesel::prelude::*;
    use rightsdesk::db::schema::{cases, verification_policies};
    let app = spawn_app().await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let id = app.case(&reference).id;
    // A regime added to the domain needs no migration.
    app.db(|c| {
        diesel::update(cases::table.find(id.0))
            .set(cases::regime.eq("testland-dpa"))
            .execute(c)?;
        diesel::insert_into(verification_policies::table)
            .values((
                verification_policies::right_key.eq("access"),
                verification_policies::regime.eq("testland-dpa"),
                verification_policies::level.eq("documents"),
            ))
            .execute(c)?;
        diesel::update(cases::table.find(id.0))
            .set(cases::regime.eq("uk-gdpr"))
            .execute(c)?;
        diesel::delete(verification_policies::table).execute(c)?;
        Ok(())
    });
    assert_eq!(
        app.case(&reference).regime,
        rightsdesk::domain::Regime::UK_GDPR
    );
    // Other constraints still hold.
    let bad_level = app.ctx.pool.get().unwrap().transaction(|c| {
        diesel::insert_into(verification_policies::table)
            .values((
                verification_policies::right_key.eq("access"),
                verification_policies::regime.eq("uk-gdpr"),
                verification_policies::level.eq("telepathy"),
            ))
            .execute(c)
    });
    assert!(bad_level.is_err());
}
