//! The staff queue: order, filters, search, counts and keyset pagination;
//! the dashboard; and `rightsdesk audit verify` finding a tampered event.

use chrono::{Days, NaiveDate};
use rightsdesk::db::users::{self, User};
use rightsdesk::domain::casework::Channel;
use rightsdesk::domain::{IntakeInput, NewRequest, Role};
use rightsdesk::service::casework::{self, Command, Mode};
use rightsdesk::service::intake;

use crate::helpers::{spawn_app, TestApp};

fn staff_user(app: &TestApp, email: &str) -> User {
    app.db(|c| users::find_by_email(c, email)).unwrap()
}

/// Enters a case received `days_ago` days before 31 March 2026.
fn enter(app: &TestApp, by: &User, right: &str, location: &str, days_ago: u64) -> String {
    let email = format!("person{days_ago}{right}@example.com");
    enter_for(app, by, "Test Person", &email, right, location, days_ago)
}

/// As [`enter`], for a named person.
fn enter_for(
    app: &TestApp,
    by: &User,
    name: &str,
    email: &str,
    right: &str,
    location: &str,
    days_ago: u64,
) -> String {
    let input = IntakeInput {
        name: name.into(),
        email: email.into(),
        location: location.into(),
        rights: vec![right.into()],
        access_scope: "All".into(),
        erasure_ground: "no_longer_necessary".into(),
        acting_as: "self".into(),
        ..IntakeInput::default()
    };
    let request = NewRequest::parse(&input, &app.ctx.jurisdiction).unwrap();
    let received = NaiveDate::from_ymd_opt(2026, 3, 31)
        .unwrap()
        .checked_sub_days(Days::new(days_ago))
        .unwrap();
    intake::enter_request(
        &app.ctx,
        rightsdesk::domain::audit::Actor::Staff(by.id),
        &request,
        Channel::Email,
        received,
    )
    .unwrap()
    .unwrap()
    .as_str()
    .to_owned()
}

/// Undoes the HTML escaping of a link's address.
/// Verifies, answers and completes an access case entered by `by`.
fn complete_access(app: &TestApp, by: &User, reference: &str) {
    for command in [
        Command::VerifyIdentity {
            method: rightsdesk::domain::casework::IdentityMethod::EmailConfirmed,
            proof_received_on: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
        },
        Command::RecordOutcome {
            right: rightsdesk::domain::Right::Access,
            outcome: rightsdesk::domain::casework::Outcome::Fulfilled,
            note: None,
            override_reason: None,
        },
        Command::Complete {
            message: String::new(),
        },
    ] {
        casework::perform(
            &app.ctx,
            by,
            &reference.parse().unwrap(),
            command,
            Mode::Commit,
        )
        .unwrap()
        .unwrap();
    }
}

fn unescape(s: &str) -> String {
    s.replace("&#x3D;", "=").replace("&amp;", "&")
}

/// The references on every page of the queue from `start` on, following
/// each page's "next" link (which must contain `must`).
async fn every_page(
    agent: &crate::staff_helpers::StaffClient<'_>,
    start: &str,
    must: &str,
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut path = start.to_owned();
    for _ in 0..10 {
        let page = agent.page(&path).await;
        seen.extend(references_in(&page));
        let Some(next) = page
            .split("<a href=\"/staff?")
            .find(|s| s.contains("rel=\"next\""))
            .map(|s| unescape(s.split('"').next().unwrap()))
        else {
            break;
        };
        assert!(next.contains(must), "{next}");
        path = format!("/staff?{next}");
    }
    seen
}

fn references_in(page: &str) -> Vec<String> {
    page.split("<th scope=\"row\"><a href=\"/staff/cases/")
        .skip(1)
        .map(|rest| rest[..12].to_owned())
        .collect()
}

#[tokio::test]
async fn the_queue_puts_the_most_urgent_first_and_filters() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let other = app.staff("other@example.org", Role::Agent).await;
    let me = staff_user(&app, "agent@example.org");
    let them = staff_user(&app, "other@example.org");
    let old = enter(&app, &me, "access", "GB", 40); // due 19 March: overdue
    let mid = enter(&app, &me, "erasure", "FR", 20);
    let new = enter(&app, &me, "access", "US-CA", 0);
    let assign = |r: &str, to: &User| {
        casework::perform(
            &app.ctx,
            &me,
            &r.parse().unwrap(),
            Command::Assign { to: Some(to.id) },
            Mode::Commit,
        )
        .unwrap()
        .unwrap();
    };
    assign(&old, &me);
    assign(&mid, &them);
    let unconfirmed = {
        app.file_request(&crate::helpers::valid_request("access"))
            .await;
        app.db(rightsdesk::db::cases::all_ids)
            .last()
            .unwrap()
            .1
            .clone()
    };

    let page = agent.page("/staff").await;
    assert_eq!(
        references_in(&page),
        vec![old.clone(), mid.clone(), new.clone()]
    );
    assert!(page.contains("OVERDUE"));
    assert!(page.contains("12 days overdue"));
    // Counts per status at the top.
    assert!(page.contains("<span class=\"count\">3</span> Awaiting identity"));
    assert!(page.contains("<span class=\"count\">1</span> Unconfirmed"));

    let only = |query: &'static str| {
        let agent = &agent;
        async move { references_in(&agent.page(&format!("/staff?{query}")).await) }
    };
    assert_eq!(only("assignee=mine").await, vec![old.clone()]);
    assert_eq!(only("assignee=unassigned").await, vec![new.clone()]);
    assert_eq!(
        only(Box::leak(
            format!("assignee={}", them.id.0).into_boxed_str()
        ))
        .await,
        vec![mid.clone()]
    );
    assert_eq!(only("right=erasure").await, vec![mid.clone()]);
    assert_eq!(only("regime=ccpa").await, vec![new.clone()]);
    assert_eq!(only("overdue=1").await, vec![old.clone()]);
    assert_eq!(only("due_within=30").await, vec![old.clone(), mid.clone()]);
    assert_eq!(only("unconfirmed=1").await.len(), 4);
    assert!(only("unconfirmed=1").await.contains(&unconfirmed));
    assert_eq!(only("status=in_progress").await, Vec::<String>::new());
    // Search by reference (any letter case) and by email, across statuses.
    assert_eq!(
        only(Box::leak(
            format!("q={}", new.to_lowercase()).into_boxed_str()
        ))
        .await,
        vec![new.clone()]
    );
    assert_eq!(
        only("q=PERSON20erasure@example.com").await,
        vec![mid.clone()]
    );
    assert_eq!(only("q=ada@example.com").await, vec![unconfirmed.clone()]);

    // Bad filters are a clear 400, not a 500.
    for query in [
        "status=open",
        "right=everything",
        "due_within=soon",
        "q=x",
        "after_id=x&after_due=y",
        "assignee=bob",
    ] {
        let r = agent.get(&format!("/staff?{query}")).await;
        assert_eq!(r.status().as_u16(), 400, "{query}");
    }
    let _ = other;
}

#[tokio::test]
async fn staff_find_cases_by_part_of_a_name_an_address_or_a_reference() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let me = staff_user(&app, "agent@example.org");
    let ada = enter_for(
        &app,
        &me,
        "Ada Lovelace",
        "ada@engines.example",
        "access",
        "GB",
        3,
    );
    let grace = enter_for(
        &app,
        &me,
        "Grace Hopper",
        "g.hopper@navy.example",
        "erasure",
        "GB",
        2,
    );
    let percent = enter_for(
        &app,
        &me,
        "Ann 100% Sure",
        "ann@example.com",
        "access",
        "GB",
        1,
    );
    complete_access(&app, &me, &ada);
    let found = |q: &'static str| {
        let agent = &agent;
        async move {
            let page = agent.page(&format!("/staff?q={q}")).await;
            let mut refs = references_in(&page);
            refs.sort();
            refs
        }
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    // A name, in any letter case, closed cases included.
    assert_eq!(found("lovelace").await, vec![ada.clone()]);
    assert_eq!(found("GRACE").await, vec![grace.clone()]);
    // Part of an address.
    assert_eq!(found("navy.exa").await, vec![grace.clone()]);
    assert_eq!(found("%40engines").await, vec![ada.clone()]);
    // Part of a reference.
    let part = &grace[3..7];
    let page = agent
        .page(&format!("/staff?q={}", part.to_lowercase()))
        .await;
    assert!(references_in(&page).contains(&grace), "{part}");
    // Wildcards are letters like any other.
    assert_eq!(found("100%25").await, vec![percent.clone()]);
    assert_eq!(found("0%25").await, vec![percent.clone()]);
    assert_eq!(found("a_a").await, Vec::<String>::new());
    assert_eq!(found("an").await, sorted(vec![percent.clone()]));
    // The queue names the requester.
    let page = agent.page("/staff").await;
    assert!(page.contains("Grace Hopper"), "{page}");
    // Too short or too long a term is a clear 400.
    assert_eq!(agent.get("/staff?q=a").await.status().as_u16(), 400);
    let long = "x".repeat(101);
    assert_eq!(
        agent
            .get(&format!("/staff?q={long}"))
            .await
            .status()
            .as_u16(),
        400
    );
}

#[tokio::test]
async fn staff_assign_the_cases_they_tick_and_closed_ones_are_left_alone() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    app.add_staff("other@example.org", Role::Agent);
    let viewer = app.staff("viewer@example.org", Role::Viewer).await;
    let me = staff_user(&app, "agent@example.org");
    let them = staff_user(&app, "other@example.org");
    let a = enter(&app, &me, "access", "GB", 3);
    let b = enter(&app, &me, "erasure", "GB", 2);
    let closed = enter(&app, &me, "access", "GB", 1);
    complete_access(&app, &me, &closed);

    let page = agent.page("/staff").await;
    assert!(page.contains("Assign selected"), "{page}");
    assert!(page.contains(&format!("value=\"{a}\"")));
    let to = them.id.0.to_string();
    let response = agent
        .post(
            "/staff/cases/assign",
            &[
                ("assignee", to.as_str()),
                ("cases", a.as_str()),
                ("cases", b.as_str()),
                ("cases", closed.as_str()),
                ("back", "right=access&assigned=99"),
            ],
        )
        .await;
    assert_eq!(
        response.status().as_u16(),
        303,
        "{:?}",
        response.text().await
    );
    let back = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, "/staff?right=access&assigned=2&not_assigned=1");
    let page = agent.page(&back).await;
    assert!(
        page.contains("Assigned 2 cases; 1 case could not be"),
        "{page}"
    );
    for reference in [&a, &b] {
        assert_eq!(app.case(reference).assignee, Some(them.id));
        assert!(app.event_kinds(reference).contains(&"assigned".to_owned()));
    }
    assert_eq!(app.case(&closed).assignee, None);

    // Unassigning, and the bad cases.
    let response = agent
        .post(
            "/staff/cases/assign",
            &[("assignee", "none"), ("cases", a.as_str())],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(app.case(&a).assignee, None);
    for fields in [
        vec![("assignee", to.as_str())],
        vec![("assignee", ""), ("cases", a.as_str())],
        vec![("assignee", "bob"), ("cases", a.as_str())],
        vec![("assignee", to.as_str()), ("cases", "RD-NOPE")],
    ] {
        let response = agent.post("/staff/cases/assign", &fields).await;
        assert_eq!(response.status().as_u16(), 400, "{fields:?}");
    }
    let response = viewer
        .post(
            "/staff/cases/assign",
            &[("assignee", to.as_str()), ("cases", b.as_str())],
        )
        .await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(!viewer.page("/staff").await.contains("Assign selected"));
}

#[tokio::test]
async fn the_queue_pages_without_repeating_or_skipping_a_case() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let me = staff_user(&app, "agent@example.org");
    let mut made = Vec::new();
    for i in 0..60u64 {
        // Several cases share each due date, so the id breaks ties.
        made.push(enter(&app, &me, "access", "GB", i / 4));
    }
    // Unstarted clocks (identity asked for) sort last.
    for r in &made[..3] {
        casework::perform(
            &app.ctx,
            &me,
            &r.parse().unwrap(),
            Command::RequestIdentity {
                message: "Passport please".into(),
                on: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
                questions: vec![],
            },
            Mode::Commit,
        )
        .unwrap()
        .unwrap();
    }
    let seen = every_page(&agent, "/staff", "").await;
    assert_eq!(seen.len(), 60, "every case once");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 60, "no case twice");
    // Oldest (most urgent) first; the three waiting for identity last.
    assert_eq!(seen[0], made[56]);
    for r in &made[..3] {
        assert!(seen[57..].contains(r), "{r} sorts last");
    }
}

#[tokio::test]
async fn the_dashboard_counts_open_cases_and_turnaround() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let me = staff_user(&app, "agent@example.org");
    let done = enter(&app, &me, "access", "GB", 10);
    enter(&app, &me, "erasure", "GB", 40);
    complete_access(&app, &me, &done);
    let page = agent.page("/staff/dashboard").await;
    assert!(
        page.contains("<span class=\"count\">1</span> open cases"),
        "{page}"
    );
    assert!(page.contains("<span class=\"count\">1</span> overdue"));
    // One UK GDPR case answered 10 days after receipt.
    assert!(page.contains("<td>1</td><td>10</td><td>10</td>"), "{page}");
}

#[tokio::test]
async fn the_kept_counts_follow_every_filing_and_change_of_state() {
    use rightsdesk::db::queue;
    let app = spawn_app().await;
    app.add_staff("agent@example.org", Role::Agent);
    let me = staff_user(&app, "agent@example.org");
    let check = |when: &str| {
        let kept = app.db(queue::count_by_state);
        let scanned = app.db(queue::count_by_state_scanned);
        assert_eq!(kept, scanned, "{when}");
        let mut by_right = app.db(queue::open_by_right);
        let mut by_right_scanned = app.db(queue::open_by_right_scanned);
        by_right.sort_by_key(|(r, _)| r.key());
        by_right_scanned.sort_by_key(|(r, _)| r.key());
        assert_eq!(by_right, by_right_scanned, "{when}");
        for (by, before) in [
            (Some(NaiveDate::from_ymd_opt(2026, 4, 30).unwrap()), None),
            (None, Some(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap())),
            (Some(NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()), None),
        ] {
            assert_eq!(
                app.db(|c| queue::count_open_due(c, by, before)),
                app.db(|c| queue::count_open_due_scanned(c, by, before)),
                "{when}: due by {by:?}, before {before:?}"
            );
        }
        for from in [
            NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
            app.clock_now().date_naive(),
        ] {
            assert_eq!(
                app.db(|c| queue::turnaround_since(c, from)),
                app.db(|c| queue::turnaround_since_scanned(c, from)),
                "{when}: turnaround from {from}"
            );
        }
        kept
    };
    check("empty");
    // Filed on the web (submitted), confirmed, entered by staff, withdrawn,
    // verified and completed.
    app.file_request(&crate::helpers::valid_request("access"))
        .await;
    let confirmed = app.confirmed_case("erasure", "bo@example.com").await;
    let entered = enter(&app, &me, "access", "GB", 3);
    check("filed, confirmed and entered");
    casework::perform(
        &app.ctx,
        &me,
        &confirmed.parse().unwrap(),
        Command::Withdraw {
            note: "asked by phone".into(),
        },
        Mode::Commit,
    )
    .unwrap()
    .unwrap();
    complete_access(&app, &me, &entered);
    let counts = check("withdrawn and completed");
    let of = |state| counts.iter().find(|(s, _)| *s == state).unwrap().1;
    use rightsdesk::domain::CaseState;
    assert_eq!(of(CaseState::Submitted), 1);
    assert_eq!(of(CaseState::Withdrawn), 1);
    assert_eq!(of(CaseState::Completed), 1);
    let answered = |app: &TestApp| {
        app.db(|c| queue::turnaround_since(c, NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()))
            .iter()
            .map(|(_, _, n)| n)
            .sum::<i64>()
    };
    assert_eq!(answered(&app), 1);
    // Reopened, the answer no longer counts; answered again a day later,
    // it counts once, with its new time.
    let reopen = Command::Reopen {
        reason: "the requester wrote back".into(),
    };
    casework::perform(
        &app.ctx,
        &me,
        &entered.parse().unwrap(),
        reopen,
        Mode::Commit,
    )
    .unwrap()
    .unwrap();
    check("reopened");
    assert_eq!(answered(&app), 0);
    app.clock.advance(chrono::Duration::days(1));
    casework::perform(
        &app.ctx,
        &me,
        &entered.parse().unwrap(),
        Command::Complete {
            message: String::new(),
        },
        Mode::Commit,
    )
    .unwrap()
    .unwrap();
    check("answered again");
    assert_eq!(answered(&app), 1);
}

#[tokio::test]
async fn audit_verify_names_the_event_someone_edited() {
    let app = spawn_app().await;
    let me = {
        app.add_staff("agent@example.org", Role::Agent);
        staff_user(&app, "agent@example.org")
    };
    let reference = enter(&app, &me, "access", "GB", 3);
    enter(&app, &me, "erasure", "GB", 2);
    let run = || app.cli(&["audit", "verify"]);
    let (code, err) = run();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("intact: 2 cases"), "{err}");

    let case = app.case(&reference);
    let events = app.db(|c| rightsdesk::db::events::list(c, case.id));
    let target = &events[0];
    app.db(|c| {
        use diesel::prelude::*;
        use rightsdesk::db::schema::case_events::dsl;
        diesel::update(dsl::case_events.find(target.id))
            .set(dsl::detail.eq(r#"{"channel":"phone"}"#))
            .execute(c)?;
        Ok(())
    });
    let (code, err) = run();
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(&format!("case {reference}, event #{}", target.id)),
        "{err}"
    );
}

#[tokio::test]
async fn the_daily_digest_tells_agents_what_is_due_and_admins_what_is_unassigned() {
    use rightsdesk::service::digest;
    let app = spawn_app().await;
    app.add_staff("agent@example.org", Role::Agent);
    app.add_staff("dpo@example.org", Role::Admin);
    app.add_staff("viewer@example.org", Role::Viewer);
    let agent = staff_user(&app, "agent@example.org");
    let overdue = enter(&app, &agent, "access", "GB", 40); // due 19 March
    let soon = enter(&app, &agent, "erasure", "GB", 27); // due 7 April (after Easter)
    let later = enter(&app, &agent, "access", "GB", 0); // due 30 April
    let unassigned = enter(&app, &agent, "access", "GB", 1);
    for r in [&overdue, &soon, &later] {
        casework::perform(
            &app.ctx,
            &agent,
            &r.parse().unwrap(),
            Command::Assign { to: Some(agent.id) },
            Mode::Commit,
        )
        .unwrap()
        .unwrap();
    }
    let send = |app: &TestApp| {
        digest::send_if_due(
            &app.ctx.pool,
            &app.ctx.sealer,
            &app.ctx.templates,
            &app.ctx.settings,
            &app.clock,
        )
        .unwrap()
    };
    // 10:00 London: before the configured hour (23 in tests), nothing.
    assert_eq!(send(&app), 0);
    app.clock.advance(chrono::Duration::hours(13)); // 23:00 London
    assert_eq!(send(&app), 2, "the agent and the admin; not the viewer");
    // Once a day only.
    assert_eq!(send(&app), 0);

    let mail = app
        .wait_for_email_to("agent@example.org", "Rightsdesk:")
        .await;
    assert!(
        mail.subject.contains("1 of your cases overdue"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains(&overdue) && mail.text.contains("OVERDUE by 12 days"));
    assert!(mail.text.contains(&soon) && mail.text.contains("due in 7 days"));
    assert!(!mail.text.contains(&later), "not due within a week");
    assert!(
        !mail.text.contains(&unassigned),
        "agents get their own cases"
    );
    assert!(mail
        .text
        .contains(&format!("http://rightsdesk.test/staff/cases/{soon}")));
    let admin_mail = app
        .wait_for_email_to("dpo@example.org", "Rightsdesk:")
        .await;
    assert!(admin_mail.text.contains(&unassigned));
    assert!(admin_mail.text.contains("assigned to no one"));
    assert!(app.emails().iter().all(|e| e.to != "viewer@example.org"));
}

#[tokio::test]
async fn the_queue_also_lists_newest_first_a_page_at_a_time() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let me = staff_user(&app, "agent@example.org");
    let mut made = Vec::new();
    for i in 0..60u64 {
        // Several cases share each day received, so the id breaks ties.
        made.push(enter(&app, &me, "access", "GB", i / 4));
    }
    let seen = every_page(&agent, "/staff?sort=received", "sort=received").await;
    assert_eq!(seen.len(), 60, "every case once");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 60, "no case twice");
    // Received today first, the latest entered first among them; the
    // oldest last.
    assert_eq!(seen[0], made[3]);
    assert_eq!(seen[59], made[56]);
    let received = |r: &str| app.case(r).received_on.unwrap();
    assert!(seen.windows(2).all(|w| received(&w[0]) >= received(&w[1])));
    // A search keeps the order; an unknown order is a clear 400.
    let page = agent.page("/staff?sort=received&q=test+person").await;
    assert_eq!(references_in(&page)[0], made[3]);
    let r = agent.get("/staff?sort=sideways").await;
    assert_eq!(r.status().as_u16(), 400);
    // The export follows the order, across its pages.
    let csv = agent
        .get("/staff/reports/register.csv?sort=received")
        .await
        .text()
        .await
        .unwrap();
    let refs: Vec<&str> = csv.lines().skip(1).map(|l| &l[..12]).collect();
    assert_eq!(refs.len(), 60);
    assert_eq!(refs[0], made[3]);
}

#[tokio::test]
async fn the_queue_also_lists_by_status_a_page_at_a_time() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let me = staff_user(&app, "agent@example.org");
    let mut made = Vec::new();
    for i in 0..60u64 {
        made.push(enter(&app, &me, "access", "GB", i / 4));
    }
    // Twenty in progress (verified); the rest await identity.
    for r in &made[..20] {
        casework::perform(
            &app.ctx,
            &me,
            &r.parse().unwrap(),
            Command::VerifyIdentity {
                method: rightsdesk::domain::casework::IdentityMethod::EmailConfirmed,
                proof_received_on: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            },
            Mode::Commit,
        )
        .unwrap()
        .unwrap();
    }
    let seen = every_page(&agent, "/staff?sort=state", "after_state=").await;
    assert_eq!(seen.len(), 60, "every case once");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 60, "no case twice");
    // Awaiting identity before in progress, as a case lives; most urgent
    // first within each.
    let state = |r: &str| app.case(r).state;
    let states: Vec<_> = seen.iter().map(|r| state(r)).collect();
    assert!(states[..40].iter().all(|s| s.key() == "awaiting_identity"));
    assert!(states[40..].iter().all(|s| s.key() == "in_progress"));
    let due = |r: &str| app.case(r).due_on;
    assert!(seen[..40].windows(2).all(|w| due(&w[0]) <= due(&w[1])));
    assert!(seen[40..].windows(2).all(|w| due(&w[0]) <= due(&w[1])));
    let r = agent
        .get("/staff?sort=state&after_due=none&after_id=1&after_state=dancing")
        .await;
    assert_eq!(r.status().as_u16(), 400);
}
