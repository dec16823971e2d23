use chrono::{NaiveDate, TimeZone, Utc};
use rightsdesk::domain::deadline::{self, long, DeadlineInput};
use rightsdesk::domain::{CaseState, Regime, Right};

use crate::helpers::{
    file_and_get_confirmation, spawn_app, spawn_app_at, spawn_app_with, valid_request,
};

#[tokio::test]
async fn home_page_explains_and_links_to_the_form() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("href=\"/requests/new\""));
    assert!(html.contains("Example Ltd"));
    assert!(html.contains("Information Commissioner"));
    for right in Right::ALL {
        assert!(
            html.contains(&handlebars::html_escape(right.label())),
            "{right}"
        );
    }
}

#[tokio::test]
async fn the_form_asks_one_question_per_page_then_only_the_details_needed() {
    let app = spawn_app().await;
    let page = |path: &'static str| {
        let app = &app;
        async move {
            let r = app.get(path).await;
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // Who first: a GET form, nothing personal in it.
    let (status, who) = page("/requests/new").await;
    assert_eq!(status, 200);
    assert!(who.contains("<legend><h1>Who is this request for?</h1></legend>"));
    assert!(who.contains("<form id=\"question\" method=\"get\" action=\"/requests/new\""));
    assert!(who.contains("name=\"step\" value=\"who\""));
    assert!(!who.contains("name=\"email\"") && !who.contains("csrf_token"));
    assert!(who.contains("name=\"viewport\""));
    assert!(!who.contains("<script"), "the form needs no JavaScript");
    // Sent without an answer: asked again, with the error linked to the
    // first choice.
    let (status, again) = page("/requests/new?step=who").await;
    assert_eq!(status, 422);
    assert!(again.contains("href=\"#acting_as-self\""));
    assert!(again.contains("Say whether you are asking for yourself or for someone else"));
    // Where next, asked about the person the request is for.
    let (_, where_) = page("/requests/new?step=who&acting_as=agent").await;
    assert!(
        where_.contains("<label for=\"location\">Where does the person you act for live?</label>")
    );
    assert!(where_.contains("value=\"FR\" data-regime=\"eu-gdpr\""));
    assert!(
        where_.contains("name=\"acting_as\" value=\"agent\""),
        "the first answer is carried"
    );
    // What: only the rights the place's law gives.
    let (_, what) = page("/requests/new?step=where&acting_as=self&location=FR").await;
    assert!(what.contains("value=\"restriction\""));
    assert!(
        !what.contains("value=\"opt_out\""),
        "no California-only rights in France"
    );
    let (_, what) = page("/requests/new?step=where&acting_as=self&location=US-CA").await;
    assert!(what.contains("value=\"opt_out\"") && what.contains("value=\"limit\""));
    assert!(
        !what.contains("value=\"restriction\""),
        "no GDPR-only rights in California"
    );
    let (status, _) = page("/requests/new?step=what&acting_as=self&location=US-CA").await;
    assert_eq!(status, 422, "nothing ticked");
    // The details: the answers with change links, and only the chosen
    // rights' questions.
    let (status, details) =
        page("/requests/new?step=what&acting_as=self&location=GB&rights=rectification").await;
    assert_eq!(status, 200);
    assert!(details.contains("<form id=\"details\" method=\"post\" action=\"/requests\""));
    assert!(details.contains("name=\"csrf_token\""));
    for field in ["name", "email", "rectification_details", "description"] {
        assert!(
            details.contains(&format!("<label for=\"{field}\"")),
            "label for {field}"
        );
    }
    assert!(!details.contains("access_scope") && !details.contains("agent_name"));
    assert!(details.contains("United Kingdom"));
    // Change buttons post what was typed to the question they ask again.
    assert!(details.contains("formaction=\"/requests/new\" name=\"change\" value=\"where\""));
    // Someone acting for another gives both their details.
    let (_, details) =
        page("/requests/new?step=what&acting_as=agent&location=GB&rights=access").await;
    assert!(details.contains("Their full name") && details.contains("<label for=\"agent_email\""));
    // A change link asks again with the answer chosen, and comes back.
    let (_, change) =
        page("/requests/new?change=where&acting_as=self&location=GB&rights=access").await;
    assert!(change.contains("value=\"GB\" data-regime=\"uk-gdpr\" selected"));
    assert!(change.contains("name=\"rights\" value=\"access\""));
    // Moving to California with a right California does not give: asked
    // what again, the right still ticked so it can be unticked.
    let (status, what) =
        page("/requests/new?step=where&acting_as=self&location=US-CA&rights=restriction").await;
    assert_eq!(status, 422);
    assert!(what.contains("does not give this right"), "{what}");
    assert!(what.contains("value=\"restriction\" checked"));
    // Answers the form cannot read: a clear 400.
    let (status, body) = page("/requests/new?acting_as=self&acting_as=agent").await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn changing_an_answer_from_the_details_page_keeps_what_was_typed() {
    let app = spawn_app().await;
    let csrf = app.csrf_token(crate::helpers::DETAILS_PAGE).await;
    let typed = [
        ("csrf_token", csrf.as_str()),
        ("acting_as", "self"),
        ("location", "GB"),
        ("rights", "access"),
        ("name", "Ada Lovelace"),
        ("email", "ada@example.com"),
        ("access_scope", "Everything since 2020"),
    ];
    // Change where: the question, posting, with the typed details hidden
    // in its form (never in an address).
    let mut fields = typed.to_vec();
    fields.push(("change", "where"));
    let r = app.post_form("/requests/new", &fields).await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("<label for=\"location\">Where do you live?</label>"));
    assert!(html.contains("method=\"post\" action=\"/requests/new\""));
    assert!(html.contains("name=\"name\" value=\"Ada Lovelace\""));
    assert!(html.contains("name=\"access_scope\" value=\"Everything since 2020\""));
    // Answered (France now): back on the details page with all of it.
    let mut fields: Vec<(&str, &str)> = typed
        .iter()
        .copied()
        .filter(|(k, _)| *k != "location")
        .collect();
    fields.extend([("step", "where"), ("location", "FR")]);
    let r = app.post_form("/requests/new", &fields).await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("France"), "{html}");
    assert!(html.contains("value=\"Ada Lovelace\""));
    assert!(html.contains(">Everything since 2020</textarea>"));
    // Without the page's token it is refused.
    let r = app
        .post_form("/requests/new", &[("change", "where"), ("name", "Ada")])
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(
        app.case_count(),
        0,
        "nothing is filed by changing an answer"
    );
}

#[tokio::test]
async fn every_right_is_offered_somewhere() {
    let app = spawn_app().await;
    let mut html = String::new();
    for place in ["GB", "US-CA"] {
        let path = format!("/requests/new?step=where&acting_as=self&location={place}");
        html.push_str(&app.get(&path).await.text().await.unwrap());
    }
    for right in Right::ALL {
        assert!(
            html.contains(&format!("value=\"{}\"", right.key())),
            "{right}"
        );
    }
}

#[tokio::test]
async fn a_request_can_be_filed_for_each_right() {
    let app = spawn_app_with(crate::helpers::default_now(), |s| {
        s.requests.max_unconfirmed_per_address = 100;
    })
    .await;
    for right in Right::ALL {
        let response = app.post_request(&valid_request(right.key())).await;
        assert_eq!(response.status().as_u16(), 303, "{right}");
        assert_eq!(response.headers()["location"], "/requests/submitted");
    }
    let emails = app
        .wait_for_emails("Confirm your email", Right::ALL.len())
        .await;
    assert_eq!(app.case_count(), Right::ALL.len() as i64);
    for right in Right::ALL {
        let regime = if Regime::UK_GDPR.grants(right) {
            Regime::UK_GDPR
        } else {
            Regime::CCPA
        };
        let title = regime.right_name(right);
        let email = emails
            .iter()
            .find(|e| e.text.lines().any(|l| l.trim_end() == format!("- {title}")))
            .unwrap_or_else(|| panic!("a confirmation email for {right}"));
        assert_eq!(email.to, "ada@example.com");
        let reference = email.text.split("Your reference is ").nth(1).unwrap()[..12].to_owned();
        let case = app.case(&reference);
        assert_eq!(case.state, CaseState::Submitted);
        let rights = app.db(|c| rightsdesk::db::cases::rights(c, case.id));
        assert_eq!(rights.len(), 1);
        assert_eq!(rights[0].right(), right);
    }
}

#[tokio::test]
async fn submitted_page_says_what_happens_next() {
    let app = spawn_app().await;
    let response = app.get("/requests/submitted").await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Check your email"));
    assert!(html.contains("48 hours"));
    assert!(
        !html.contains("@example.com"),
        "no address but the one just used"
    );
}

#[tokio::test]
async fn the_check_your_email_page_shows_where_the_email_went_and_only_there() {
    let app = spawn_app().await;
    let response = app.post_request(&valid_request("access")).await;
    assert_eq!(response.status().as_u16(), 303);
    // The address travels sealed, to the next page only.
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("rd_sent_to="), "{cookie}");
    assert!(
        !cookie.contains("ada@example.com") && !cookie.contains("ada%40"),
        "{cookie}"
    );
    assert!(cookie.contains("Path=/requests/submitted"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let html = app.get("/requests/submitted").await.text().await.unwrap();
    assert!(
        html.contains("<strong class=\"wrap-anywhere\">ada@example.com</strong>"),
        "{html}"
    );
    assert!(html.contains("Not the right address?"));
    assert!(
        !html.contains("we act on anyway"),
        "no note on opt-outs for a request without one"
    );
    // A forged or foreign cookie shows nothing.
    let other = reqwest::Client::new()
        .get(app.url("/requests/submitted"))
        .header("cookie", "rd_sent_to=mallory@example.com")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!other.contains("mallory@example.com"));
}

#[tokio::test]
async fn confirming_starts_the_clock_and_acknowledges_with_the_engines_due_date() {
    // 31 March 2026: the ICO's example, due 30 April.
    let app = spawn_app().await;
    let confirmation = file_and_get_confirmation(&app, &valid_request("access")).await;
    assert!(confirmation.html.contains("/confirm/"));
    let token = confirmation.confirm_token();

    let response = app.confirm(&token).await;
    assert_eq!(response.status().as_u16(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("Your request has started"));
    assert!(page.contains("Thursday 30 April 2026"));

    let ack = app
        .wait_for_email("We have received your privacy request")
        .await;
    let received = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let engine = deadline::compute(
        DeadlineInput {
            regime: Regime::UK_GDPR,
            received,
            rights: &[rightsdesk::domain::Right::Access],
            events: &[],
            fast_track: false,
        },
        app.ctx.calendars.configured().for_regime(Regime::UK_GDPR),
        received,
    )
    .unwrap();
    let due = engine.due.unwrap();
    assert_eq!(due, NaiveDate::from_ymd_opt(2026, 4, 30).unwrap());
    assert!(
        ack.text
            .contains(&format!("We must answer by: {}", long(due))),
        "{}",
        ack.text
    );
    assert!(ack.html.contains(&long(due)));

    let reference = ack.subject.rsplit(' ').next().unwrap().to_owned();
    assert!(ack.text.contains(&format!("Reference: {reference}")));
    assert!(ack.text.contains("Right of access (Article 15)"));
    assert!(ack.text.contains("UK GDPR"));
    assert!(ack.text.contains("Information Commissioner's Office"));
    assert!(ack.text.contains("judicial remedy"));

    let case = app.case(&reference);
    assert_eq!(case.state, CaseState::AwaitingIdentity);
    assert_eq!(case.received_on, Some(received));
    assert_eq!(case.due_on, Some(due));
    // The audit trail holds the submission, the confirmation and the clock, unbroken.
    let events = app.db(|c| rightsdesk::db::events::list(c, case.id));
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["request_submitted", "email_confirmed", "clock_started"]
    );
    assert_eq!(
        app.db(|c| rightsdesk::db::events::first_broken_link(c, &app.ctx.audit_key, case.id)),
        None
    );
}

#[tokio::test]
async fn opening_the_link_changes_nothing_until_the_button_is_pressed() {
    let app = spawn_app().await;
    let token = file_and_get_confirmation(&app, &valid_request("erasure"))
        .await
        .confirm_token();
    for _ in 0..3 {
        let response = app.get(&format!("/confirm/{token}")).await;
        assert_eq!(response.status().as_u16(), 200);
        assert!(response
            .text()
            .await
            .unwrap()
            .contains("Confirm and start my request"));
    }
    let reference = app.wait_for_email("Confirm").await.text;
    let reference = &reference.split("Your reference is ").nth(1).unwrap()[..12];
    assert_eq!(app.case(reference).state, CaseState::Submitted);
    assert_eq!(app.outbox_count(), 1);
}

#[tokio::test]
async fn ccpa_requests_get_45_days_and_the_california_regulator() {
    // Received Monday 2 November 2026: due Thursday 17 December.
    let app = spawn_app_at(Utc.with_ymd_and_hms(2026, 11, 2, 18, 0, 0).unwrap()).await;
    let mut fields = valid_request("erasure");
    fields.retain(|(k, _)| *k != "erasure_ground" && *k != "location");
    fields.push(("location", "US-CA"));
    let token = file_and_get_confirmation(&app, &fields)
        .await
        .confirm_token();
    app.confirm(&token).await;
    let ack = app.wait_for_email("We have received").await;
    assert!(
        ack.text
            .contains("We must answer by: Thursday 17 December 2026"),
        "{}",
        ack.text
    );
    assert!(ack.text.contains("Request to delete"));
    assert!(ack.text.contains("California Privacy Protection Agency"));
    assert!(ack.text.contains("up to 45 more days"));
}

#[tokio::test]
async fn ccpa_opt_out_gets_its_fifteen_business_day_date() {
    let app = spawn_app_at(Utc.with_ymd_and_hms(2026, 11, 16, 18, 0, 0).unwrap()).await;
    let token = file_and_get_confirmation(&app, &valid_request("opt_out"))
        .await
        .confirm_token();
    app.confirm(&token).await;
    let ack = app.wait_for_email("We have received").await;
    // 15 business days: Thanksgiving does not count, the day after does.
    assert!(
        ack.text.contains(
            "We will act on your Request to opt out of sale/sharing by: Tuesday 8 December 2026"
        ),
        "{}",
        ack.text
    );
    assert!(ack
        .text
        .contains("We never ask for verification of a request to opt out"));
}

#[tokio::test]
async fn received_date_is_the_organisations_local_date() {
    // 23:30 UTC on 30 June is 00:30 on 1 July in London: received 1 July,
    // due 1 August (a Saturday), so Monday 3 August.
    let app = spawn_app_at(Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap()).await;
    let token = file_and_get_confirmation(&app, &valid_request("access"))
        .await
        .confirm_token();
    let page = app.confirm(&token).await.text().await.unwrap();
    assert!(page.contains("Monday 3 August 2026"), "{page}");
}

#[tokio::test]
async fn an_agent_can_file_for_someone_else() {
    let app = spawn_app().await;
    let mut fields = valid_request("access");
    fields.retain(|(k, _)| *k != "acting_as");
    fields.extend([
        ("acting_as", "agent"),
        ("agent_name", "Charles Babbage"),
        ("agent_email", "charles@engines.example"),
    ]);
    let email = file_and_get_confirmation(&app, &fields).await;
    // We write to the agent, who filed it.
    assert_eq!(email.to, "charles@engines.example");
    let reference = &email.text.split("Your reference is ").nth(1).unwrap()[..12];
    let case = app.case(reference);
    assert_eq!(case.agent_name.as_deref(), Some("Charles Babbage"));
    assert_eq!(case.agent_email.as_deref(), Some("charles@engines.example"));
    assert_eq!(case.requester_email, "ada@example.com");
}

#[tokio::test]
async fn simultaneous_requests_are_all_filed() {
    let app = spawn_app_with(crate::helpers::default_now(), |s| {
        s.requests.max_unconfirmed_per_address = 100;
    })
    .await;
    let token = app.csrf_token(crate::helpers::DETAILS_PAGE).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let client = app.client.clone();
        let url = app.url("/requests");
        let fields = valid_request("access");
        let token = token.clone();
        tasks.spawn(async move {
            let mut fields: Vec<(&str, &str)> = fields;
            fields.push(("csrf_token", &token));
            client
                .post(url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(serde_html_form::to_string(&fields).unwrap())
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), 303);
    }
    assert_eq!(app.case_count(), 16);
    app.wait_for_emails("Confirm your email", 16).await;
}

#[tokio::test]
async fn editing_the_audit_trail_is_detected() {
    use diesel::RunQueryDsl;
    let app = spawn_app().await;
    let token = file_and_get_confirmation(&app, &valid_request("access"))
        .await
        .confirm_token();
    let page = app.confirm(&token).await.text().await.unwrap();
    let reference = &page[page.find("RD-").unwrap()..][..12];
    let case = app.case(reference);
    assert_eq!(
        app.db(|c| rightsdesk::db::events::first_broken_link(c, &app.ctx.audit_key, case.id)),
        None
    );
    let events = app.db(|c| rightsdesk::db::events::list(c, case.id));
    app.db(|c| {
        diesel::sql_query(format!(
            "UPDATE case_events SET actor = 'staff' WHERE id = {}",
            events[1].id
        ))
        .execute(c)
        .map_err(rightsdesk::db::DbError::from)
    });
    assert_eq!(
        app.db(|c| rightsdesk::db::events::first_broken_link(c, &app.ctx.audit_key, case.id)),
        Some(events[1].id)
    );
}

#[tokio::test]
async fn a_batch_of_writes_on_postgresql_stores_all_of_them_or_none() {
    use diesel::prelude::*;
    use rightsdesk::db::batch::Batch;
    use rightsdesk::db::cases::CaseId;
    use rightsdesk::db::links::{self, Opens, Purpose};
    use rightsdesk::db::schema::links as links_table;
    use rightsdesk::db::DbConn;
    let app = spawn_app().await;
    let mut conn = app.ctx.pool.get().unwrap();
    let DbConn::Postgresql(pg) = &mut *conn else {
        return; // batches are how PostgreSQL saves round trips; SQLite has none
    };
    let now = Utc::now().naive_utc();
    let stored = |pg: &mut diesel::PgConnection, hash: &str| -> i64 {
        links_table::table
            .filter(links_table::token_hash.eq(hash))
            .count()
            .get_result(pg)
            .unwrap()
    };
    // Two links in one statement, the second opening `second`.
    let batch = |second: Opens| {
        let mut batch = Batch::new();
        for (opens, hash) in [(Opens::Account(None), "first"), (second, "second")] {
            links::insert_in_batch(&mut batch, Purpose::Status, opens, hash, now, now);
        }
        batch
    };
    // The second names a case that does not exist: the first, fine on its
    // own, is not kept either.
    let error = batch(Opens::Case(CaseId(-7)))
        .run(pg)
        .unwrap_err()
        .to_string();
    assert!(error.contains("foreign key"), "{error}");
    assert_eq!(stored(pg, "first"), 0);
    assert_eq!(stored(pg, "second"), 0);
    // Both fine: both kept, in one statement.
    batch(Opens::Account(None)).run(pg).unwrap();
    assert_eq!(stored(pg, "first") + stored(pg, "second"), 2);
}
