//! The verification policy: the level each case needs and why, admins
//! changing it per right and law, and the CCPA flag for cases still
//! unverified close to their due date.

use chrono::Duration;
use rightsdesk::domain::Role;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_case_page_says_which_check_the_policy_asks_for_and_admins_can_change_it() {
    let app = spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    // Known details before documents: documents only where staff choose them.
    assert!(page.contains("<strong>Matching details we hold</strong>: Right of access: Details only the person would know"), "{page}");

    let marketing = app.confirmed_case("objection", "grace@example.com").await;
    let page = agent.page(&format!("/staff/cases/{marketing}")).await;
    assert!(
        page.contains("<strong>Confirmed email address</strong>"),
        "direct marketing needs only the email"
    );

    // Only admins see and change the policy.
    assert_eq!(
        agent
            .get("/staff/settings/verification")
            .await
            .status()
            .as_u16(),
        403
    );
    let r = agent
        .post(
            "/staff/settings/verification",
            &[("access.uk-gdpr", "data_points")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let settings = admin.page("/staff/settings/verification").await;
    assert!(settings.contains("Default: Matching details we hold"));
    // Opt-outs and limits are never verified: no policy to set for them.
    assert!(!settings.contains("name=\"opt_out.ccpa\""));
    let r = admin
        .post(
            "/staff/settings/verification",
            &[("access.uk-gdpr", "telepathy")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let r = admin
        .post(
            "/staff/settings/verification",
            &[("access.uk-gdpr", "documents")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains(
        "<strong>Identity and address documents</strong>: Right of access: Set by an admin"
    ));
    // Blank goes back to the default.
    let r = admin
        .post("/staff/settings/verification", &[("access.uk-gdpr", "")])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("<strong>Matching details we hold</strong>"));
}

#[tokio::test]
async fn an_unverified_ccpa_case_near_its_due_date_is_flagged() {
    let app = spawn_app().await;
    app.add_staff("agent@example.org", Role::Agent);
    let reference = app
        .confirmed_case_from("access", "ada@example.com", "US-CA")
        .await;
    let agent = app
        .login("agent@example.org", crate::staff_helpers::PASSWORD)
        .await;
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(!page.contains("Not verified yet"));
    app.clock.advance(Duration::days(36)); // 6 May; due 15 May
    let agent = agent.again().await;
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("⚠ Not verified yet: 9 days left"), "flagged");
    assert!(
        page.contains("Under California Consumer Privacy Act"),
        "{page}"
    );
    assert!(page.contains("Could not be verified (§ 7062)"));
    // Refusing on that ground is one of the actions offered.
    agent
        .act_ok(
            &reference,
            "refuse",
            &[
                ("ground", "identity_not_verified"),
                ("message", "We did not receive proof of identity in time."),
            ],
        )
        .await;
    assert_eq!(app.case(&reference).state.key(), "refused");
}
