//! Holiday calendars edited by admins in the app: a day declared a holiday
//! or kept as a working day moves the due dates of the open cases it
//! affects, on every node at once, each move in the case's trail.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rightsdesk::db;
use rightsdesk::domain::Role;

use crate::helpers::spawn_app;
use crate::staff_helpers::{error_of, StaffClient};

/// Posts a change to a day of the England and Wales calendar.
async fn change(admin: &StaffClient<'_>, action: &str, day: &str, name: &str) -> reqwest::Response {
    admin
        .post(
            "/staff/calendars",
            &[
                ("action", action),
                ("calendar", "england-wales"),
                ("day", day),
                ("name", name),
            ],
        )
        .await
}

fn next_working_day_after(day: NaiveDate) -> NaiveDate {
    let mut d = day + Days::new(1);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d = d + Days::new(1);
    }
    d
}

#[tokio::test]
async fn a_declared_holiday_moves_open_cases_due_that_day_and_undoing_it_moves_them_back() {
    let app = spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let due = app.case(&reference).due_on.expect("a due date");

    let page = admin.page("/staff/calendars").await;
    assert!(page.contains("England and Wales"), "{page}");
    assert!(page.contains("Make it a working day"));

    let r = change(&admin, "holiday", &due.to_string(), "State funeral").await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("1 open case has a new due date"), "{html}");
    assert!(html.contains("State funeral"));
    let moved = app.case(&reference).due_on.unwrap();
    assert_eq!(moved, next_working_day_after(due));
    assert!(app
        .event_kinds(&reference)
        .contains(&"due_date_moved".to_owned()));
    // The case page says why, and the requester's page gives the new date.
    let case_page = admin.page(&format!("/staff/cases/{reference}")).await;
    assert!(
        case_page.contains("was made a holiday (State funeral) in the England and Wales"),
        "{case_page}"
    );
    let trail = app.db(db::events::list_admin);
    let last = trail.last().unwrap();
    assert_eq!(last.kind, "calendar_changed");
    assert!(last.detail.contains("State funeral") && last.detail.contains("\"cases_moved\":1"));
    let audit = admin.page("/staff/audit").await;
    assert!(audit.contains("Holiday calendar england-wales"), "{audit}");

    // A request filed now is computed with the holiday too.
    let second = app.confirmed_case("access", "grace@example.com").await;
    assert_eq!(app.case(&second).due_on, Some(moved));

    let r = change(&admin, "undo", &due.to_string(), "").await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(app.case(&reference).due_on, Some(due));
    assert_eq!(app.case(&second).due_on, Some(due));
    // Undoing twice has nothing to undo.
    let r = change(&admin, "undo", &due.to_string(), "").await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(error_of(&r.text().await.unwrap()).contains("was not changed here"));
}

#[tokio::test]
async fn a_holiday_kept_as_a_working_day_counts_as_one() {
    let app = spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    // Good Friday 2026 (3 April) is a bank holiday in England and Wales.
    let good_friday = "2026-04-03";
    let r = change(&admin, "working", good_friday, "").await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("is now a working day"), "{html}");
    assert!(html.contains("Kept as a working day (the calendar has Good Friday)"));
    let calendars = app.db(|c| app.ctx.calendars.current(c));
    let ew = calendars.for_regime(rightsdesk::domain::Regime::UK_GDPR);
    assert!(ew.is_working_day(good_friday.parse().unwrap()));
    assert!(!app
        .ctx
        .calendars
        .configured()
        .for_regime(rightsdesk::domain::Regime::UK_GDPR)
        .is_working_day(good_friday.parse().unwrap()));
}

#[tokio::test]
async fn bad_changes_are_refused_with_a_reason_and_only_admins_make_them() {
    let app = spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let refused = |fields: &'static [(&'static str, &'static str)], reason: &'static str| {
        let admin = &admin;
        async move {
            let r = admin.post("/staff/calendars", fields).await;
            assert_eq!(r.status().as_u16(), 422, "{reason}");
            let html = r.text().await.unwrap();
            assert!(error_of(&html).contains(reason), "{reason}: {html}");
            html
        }
    };
    let html = refused(
        &[
            ("action", "holiday"),
            ("calendar", "england-wales"),
            ("day", "2026-13-01"),
            ("name", "Typo day"),
        ],
        "Enter the date as a full date",
    )
    .await;
    assert!(html.contains("value=\"Typo day\""), "what was typed stays");
    refused(
        &[
            ("action", "holiday"),
            ("calendar", "england-wales"),
            ("day", "2026-06-06"),
            ("name", "A Saturday"),
        ],
        "falls on a weekend",
    )
    .await;
    refused(
        &[
            ("action", "holiday"),
            ("calendar", "england-wales"),
            ("day", "2026-12-25"),
            ("name", "Christmas"),
        ],
        "already a holiday",
    )
    .await;
    refused(
        &[
            ("action", "holiday"),
            ("calendar", "england-wales"),
            ("day", "2026-06-08"),
            ("name", ""),
        ],
        "a name of one line",
    )
    .await;
    refused(
        &[
            ("action", "working"),
            ("calendar", "england-wales"),
            ("day", "2026-06-08"),
        ],
        "is not a holiday",
    )
    .await;
    refused(
        &[
            ("action", "holiday"),
            ("calendar", "atlantis"),
            ("day", "2026-06-08"),
            ("name", "Sinking"),
        ],
        "no holiday calendar",
    )
    .await;
    let r = admin
        .post(
            "/staff/calendars",
            &[("action", "burn"), ("day", "2026-06-08")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 400);
    let r = agent
        .post(
            "/staff/calendars",
            &[
                ("action", "holiday"),
                ("calendar", "england-wales"),
                ("day", "2026-06-08"),
                ("name", "Mine"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(agent.get("/staff/calendars").await.status().as_u16(), 403);
    assert!(app.db(db::calendar_days::all).is_empty(), "nothing stored");
}
