//! The retention purge: closed cases past their period are reduced to a
//! minimal accountability record that still verifies; open cases and CCPA
//! records younger than 24 months are left alone; spent links and old
//! staff emails go.

use diesel::prelude::*;
use rightsdesk::db::cases::CaseId;
use rightsdesk::db::schema::{case_notes, case_rights, cases, outbox};
use rightsdesk::domain::Role;

use crate::helpers::{spawn_app_with, TestApp};

fn purge(app: &TestApp) -> rightsdesk::service::retention::Purged {
    rightsdesk::service::retention::run(&rightsdesk::service::retention::Purger {
        pool: &app.ctx.pool,
        settings: &app.ctx.settings,
        audit_key: &app.ctx.audit_key,
        clock: &app.clock,
    })
    .unwrap()
}

/// What personal data a case still holds: name, email, notes, emails, and
/// the words of its rights.
fn held(app: &TestApp, id: CaseId) -> (String, String, i64, i64, String) {
    app.db(|c| {
        let (name, email): (String, String) = cases::table
            .find(id.0)
            .select((cases::requester_name, cases::requester_email))
            .first(c)?;
        let notes: i64 = case_notes::table
            .filter(case_notes::case_id.eq(id.0))
            .count()
            .get_result(c)?;
        let emails: i64 = outbox::table
            .filter(outbox::case_id.eq(id.0))
            .count()
            .get_result(c)?;
        let details: Vec<(String, Option<String>)> = case_rights::table
            .filter(case_rights::case_id.eq(id.0))
            .select((case_rights::details, case_rights::outcome_note))
            .load(c)?;
        Ok((name, email, notes, emails, format!("{details:?}")))
    })
}

#[tokio::test]
async fn closed_cases_are_reduced_after_their_period_and_the_trail_still_verifies() {
    let app = spawn_app_with(crate::helpers::default_now(), |s| {
        s.retention.closed_case_months = 6;
    })
    .await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let closed = app.confirmed_case("access", "ada@example.com").await;
    admin
        .act_ok(&closed, "verify_identity", &[("method", "email_confirmed")])
        .await;
    admin
        .act_ok(
            &closed,
            "note",
            &[("body", "Ada called about her loyalty card")],
        )
        .await;
    admin
        .act_ok(
            &closed,
            "record_outcome",
            &[
                ("right", "access"),
                ("outcome", "partially_fulfilled"),
                ("body", "CCTV of Ada withheld"),
            ],
        )
        .await;
    admin.act_ok(&closed, "complete", &[("message", "")]).await;
    let open = app.confirmed_case("erasure", "grace@example.com").await;
    let ccpa = app
        .confirmed_case_from("access", "cal@example.com", "US-CA")
        .await;
    admin
        .act_ok(&ccpa, "withdraw", &[("body", "Asked by phone")])
        .await;
    app.wait_for_outbox_drained().await;

    let ids = |r: &str| app.case(r).id;
    let before = held(&app, ids(&closed));
    assert_eq!(before.0, "Ada Lovelace");
    assert!(before.2 > 0 && before.3 > 0, "{before:?}");

    // Nothing is due yet.
    assert_eq!(purge(&app).cases, 0);
    app.clock.advance(chrono::Duration::days(7 * 31));
    let done = purge(&app);
    assert_eq!(done.cases, 1, "only the UK case is past its 6 months");

    let after = held(&app, ids(&closed));
    assert_eq!(
        (after.0.as_str(), after.1.as_str(), after.2, after.3),
        ("", "", 0, 0)
    );
    assert!(!after.4.contains("CCTV"), "{}", after.4);
    assert!(
        after.4.contains("access"),
        "the right itself stays: {}",
        after.4
    );
    let case = app.case(&closed);
    assert_eq!(case.state.key(), "completed");
    assert!(case.received_on.is_some() && case.closed_at.is_some());
    assert!(app
        .event_kinds(&closed)
        .contains(&"case_reduced".to_owned()));
    // The open case and the CCPA record are untouched.
    assert_eq!(held(&app, ids(&open)).1, "grace@example.com");
    assert_eq!(held(&app, ids(&ccpa)).1, "cal@example.com");
    // The accountability record still proves itself.
    let (code, err) = app.cli(&["audit", "verify"]);
    assert_eq!(code, 0, "{err}");
    let admin = admin.again().await;
    let page = admin.page(&format!("/staff/cases/{closed}")).await;
    assert!(page.contains("Reduced to its minimal record"), "{page}");
    assert!(!page.contains("Ada called"), "{page}");

    // A second run reduces nothing twice; the CCPA record goes at 24 months.
    assert_eq!(purge(&app).cases, 0);
    app.clock.advance(chrono::Duration::days(18 * 31));
    assert_eq!(purge(&app).cases, 1);
    assert_eq!(held(&app, ids(&ccpa)).1, "");
    assert_eq!(held(&app, ids(&open)).1, "grace@example.com");
    assert_eq!(app.cli(&["audit", "verify"]).0, 0);
}

#[tokio::test]
async fn spent_links_and_old_staff_emails_are_swept() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let r = admin
        .post(
            "/staff/users",
            &[
                ("name", "Eve"),
                ("email", "eve@example.org"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    app.confirmed_case("access", "ada@example.com").await;
    app.wait_for_outbox_drained().await;
    let staff_mail = || {
        app.db(|c| {
            Ok(outbox::table
                .filter(outbox::case_id.is_null())
                .count()
                .get_result::<i64>(c)?)
        })
    };
    let tokens = || {
        app.db(|c| {
            use rightsdesk::db::schema::links;
            Ok(links::table.count().get_result::<i64>(c)?)
        })
    };
    assert!(staff_mail() > 0 && tokens() > 0);
    let before = tokens();
    assert_eq!(purge(&app).swept, 0, "nothing is old enough yet");
    app.clock.advance(chrono::Duration::days(40));
    assert!(purge(&app).swept > 0);
    assert_eq!(staff_mail(), 0, "the invitation email is gone");
    // The invitation, the spent confirmation and the staff links are gone;
    // the status link (valid 90 days) stays.
    assert!(tokens() < before, "spent and expired links are gone");
    let left = app.db(|c| {
        use rightsdesk::db::schema::links;
        Ok(links::table.select(links::purpose).load::<String>(c)?)
    });
    assert_eq!(left, ["status"], "{left:?}");
}

#[test]
fn purge_runs_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_string_lossy().into_owned();
    let (code, err) = crate::helpers::run_cli(&["purge"], &[("RIGHTSDESK_DATA_DIR", &data)], "");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 closed case(s) reduced"), "{err}");
}
