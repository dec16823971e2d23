//! Security hardening (issue 11): what reaches email headers, what the
//! database can store, and counting every guess at a password.

use rightsdesk::db::users;
use rightsdesk::domain::Role;

use crate::helpers::{spawn_app, spawn_app_with, valid_request};
use crate::staff_helpers::{error_of, new_client, try_login, PASSWORD};

#[tokio::test]
async fn a_line_break_in_a_name_is_refused_on_the_form() {
    let app = spawn_app().await;
    let mut fields = valid_request("access");
    fields.retain(|(k, _)| *k != "name");
    fields.push(("name", "Ada\r\nBcc: victim@example.com"));
    let response = app.post_request(&fields).await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Your name must be on one line"), "{html}");
    assert_eq!(app.case_count(), 0);
    assert_eq!(app.outbox_count(), 0);

    let mut agent = valid_request("access");
    agent.retain(|(k, _)| *k != "acting_as");
    agent.extend([
        ("acting_as", "agent"),
        ("agent_name", "Mo\nSubject: You won"),
        ("agent_email", "mo@advocates.example"),
    ]);
    let response = app.post_request(&agent).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Your name must be on one line"));
}

#[tokio::test]
async fn text_the_database_cannot_store_is_refused_not_a_server_error() {
    let app = spawn_app().await;
    app.add_staff("agent@example.org", Role::Agent);
    let client = new_client();
    // A NUL byte in the login address: refused like any wrong login.
    let r = try_login(&app, &client, "agent@example.org\u{0}", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 401);
    // ...and in a note.
    let agent = app.login("agent@example.org", PASSWORD).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let r = agent.act(&reference, "note", &[("body", "a\u{0}b")]).await;
    assert_eq!(r.status().as_u16(), 422);
    let message = error_of(&r.text().await.unwrap());
    assert!(message.contains("characters we cannot accept"), "{message}");
}

#[tokio::test]
async fn parallel_wrong_guesses_each_count() {
    let app = spawn_app_with(crate::helpers::default_now(), |s| {
        s.staff.max_failed_logins = 100;
    })
    .await;
    let id = app.add_staff("agent@example.org", Role::Agent);
    let guesses = (0..25).map(|i| {
        let app = &app;
        async move {
            let client = new_client();
            try_login(
                app,
                &client,
                "agent@example.org",
                &format!("wrong guess {i}"),
            )
            .await
        }
    });
    for r in futures_util::future::join_all(guesses).await {
        assert_eq!(r.status().as_u16(), 401);
    }
    let user = app.db(|c| users::find(c, id)).unwrap();
    assert_eq!(user.failed_logins, 25);
}

#[tokio::test]
async fn concurrent_appends_never_fork_the_audit_chain() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let path = format!("/staff/cases/{reference}");
    // 64 views at once, each an audit event on the same chain.
    let views = (0..64).map(|_| agent.get(&path));
    for r in futures_util::future::join_all(views).await {
        assert_eq!(r.status().as_u16(), 200);
    }
    let case = app.case(&reference);
    let trail = app.db(|c| rightsdesk::db::events::list(c, case.id));
    assert!(
        trail.iter().filter(|e| e.kind == "case_viewed").count() >= 64,
        "every view was recorded"
    );
    assert_eq!(
        rightsdesk::db::events::first_broken_in(&app.ctx.audit_key, &trail),
        None
    );
    let page = agent.page(&path).await;
    assert!(
        !page.contains("Audit trail broken"),
        "no false tamper alarm"
    );
}

fn agent_request(person: &'static str, agent: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut fields = valid_request("access");
    fields.retain(|(k, _)| *k != "acting_as" && *k != "email");
    fields.extend([
        ("email", person),
        ("acting_as", "agent"),
        ("agent_name", "Mo Advocate"),
        ("agent_email", agent),
    ]);
    fields
}

#[tokio::test]
async fn every_address_the_form_can_email_has_the_same_daily_cap() {
    let app = spawn_app_with(crate::helpers::default_now(), |s| {
        s.requests.max_unconfirmed_per_address = 2;
    })
    .await;
    // An agent's address gets confirmation emails: capped like a person's.
    for person in ["p1@example.com", "p2@example.com", "p3@example.com"] {
        app.post_request(&agent_request(person, "mo@advocates.example"))
            .await;
    }
    app.wait_for_outbox_drained().await;
    let to_agent = app
        .emails()
        .into_iter()
        .filter(|e| e.to == "mo@advocates.example")
        .count();
    assert_eq!(to_agent, 2);
    assert_eq!(app.case_count(), 2);

    // The person an agent names gets the "did you ask this agent?" email
    // at most as often, however many agents (or addresses) name them.
    for agent in ["a1@x.example", "a2@x.example", "a3@x.example"] {
        app.file_request(&agent_request("victim@example.com", agent))
            .await;
        let token = app.wait_for_email_to(agent, "Confirm your email").await;
        app.confirm(&token.confirm_token()).await;
    }
    app.wait_for_outbox_drained().await;
    let to_victim = app
        .emails()
        .into_iter()
        .filter(|e| e.to == "victim@example.com")
        .count();
    assert_eq!(to_victim, 2);
}

#[tokio::test]
async fn every_form_body_is_capped_chunked_or_not() {
    let app = spawn_app().await;
    let token = "A".repeat(43);
    for path in [
        format!("/status/{token}/details"),
        format!("/status/{token}/reply"),
        "/requests".to_owned(),
    ] {
        // 1 MB sent chunked (no Content-Length) is refused, not read whole.
        let chunks = futures_util::stream::iter(
            (0..16).map(|_| Ok::<_, std::io::Error>(vec![b'a'; 64 * 1024])),
        );
        let r = app
            .client
            .post(app.url(&path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(reqwest::Body::wrap_stream(chunks))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 413, "{path}");
    }
}

/// Sends the head of a POST and the start of its body, then nothing more;
/// the server's whole answer (it must close the exchange itself).
fn trickle(address: &str, path: &str, framing: &str, start: &str) -> String {
    use std::io::{Read, Write};
    let host = address.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    // A guard so a server that never answers fails the test instead of
    // hanging it.
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n{framing}\r\n\r\n{start}"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                if String::from_utf8_lossy(&answer).contains("</html>") {
                    break;
                }
            }
            Err(e) => panic!("no answer to a trickled body on {path}: {e}"),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_body_that_trickles_in_is_cut_off() {
    let app = spawn_app_with(crate::helpers::default_now(), |s| {
        s.server.body_timeout_secs = 1;
    })
    .await;
    let token = "A".repeat(43);
    for path in [
        "/requests".to_owned(),
        "/staff/login".to_owned(),
        format!("/status/{token}/reply"),
    ] {
        for (framing, start) in [
            ("Content-Length: 5000", "name=Ad"),
            ("Transfer-Encoding: chunked", "7\r\nname=Ad\r\n"),
        ] {
            let address = app.address.clone();
            let p = path.clone();
            let answer = tokio::task::spawn_blocking(move || trickle(&address, &p, framing, start))
                .await
                .unwrap();
            assert!(
                answer.starts_with("HTTP/1.1 408"),
                "{path} ({framing}): {answer}"
            );
            assert!(answer.contains("took too long to arrive"), "{answer}");
        }
    }
    // Bodies that arrive in time are read as before.
    let r = app
        .post_form("/staff/login", &[("email", "x@example.org")])
        .await;
    assert_ne!(r.status().as_u16(), 408);
}

/// The 43-character tokens in the links of an email.
fn tokens_in(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| rightsdesk::secret::looks_like_token(w))
        .map(str::to_owned)
        .collect()
}

/// Whether `needle` appears in any text column of any table (PostgreSQL),
/// or anywhere in the database's files (SQLite: the file, WAL and SHM).
fn stored_anywhere(app: &crate::helpers::TestApp, needle: &str) -> bool {
    use diesel::prelude::*;
    match app.ctx.backend {
        rightsdesk::db::Backend::Sqlite => {
            let url = app.ctx.settings.database_url();
            let path = url.trim_start_matches("sqlite://");
            ["", "-wal", "-shm"].iter().any(|suffix| {
                std::fs::read(format!("{path}{suffix}"))
                    .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
            })
        }
        rightsdesk::db::Backend::Postgres => {
            #[derive(QueryableByName)]
            struct Column {
                #[diesel(sql_type = diesel::sql_types::Text)]
                table_name: String,
                #[diesel(sql_type = diesel::sql_types::Text)]
                column_name: String,
            }
            #[derive(QueryableByName)]
            struct Found {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            app.db(|c| {
                let columns: Vec<Column> = diesel::sql_query(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = 'public' AND data_type IN ('text', 'character varying')",
                )
                .load(c)?;
                for col in columns {
                    let found: Found = diesel::sql_query(format!(
                        "SELECT count(*) AS n FROM \"{}\" WHERE \"{}\" LIKE $1",
                        col.table_name, col.column_name
                    ))
                    .bind::<diesel::sql_types::Text, _>(format!("%{needle}%"))
                    .get_result(c)?;
                    if found.n > 0 {
                        return Ok(true);
                    }
                }
                Ok(false)
            })
        }
    }
}

#[tokio::test]
async fn no_live_link_is_readable_in_the_database_or_on_a_staff_page() {
    let app = spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let viewer = app.staff("viewer@example.org", Role::Viewer).await;
    // A request: its confirmation link, then its status-page link.
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let confirm = app
        .wait_for_email_to("ada@example.com", "Confirm your email")
        .await;
    let ack = app
        .wait_for_email_to("ada@example.com", "We have received")
        .await;
    // A staff invitation: its set-password link.
    let r = admin
        .post(
            "/staff/users",
            &[
                ("name", "Eve Agent"),
                ("email", "eve@example.org"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let invite = app.wait_for_email_to("eve@example.org", "invited").await;
    app.wait_for_outbox_drained().await;
    let tokens: Vec<String> = [&confirm.text, &ack.text, &invite.text]
        .iter()
        .flat_map(|t| tokens_in(t))
        .collect();
    assert!(tokens.len() >= 3, "{tokens:?}");
    for token in &tokens {
        assert!(
            !stored_anywhere(&app, token),
            "a live link is stored: {token}"
        );
    }
    // The case page shows the emails, without their links, to every role.
    let page = viewer.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("private link removed"), "{page}");
    for token in &tokens {
        assert!(!page.contains(token.as_str()));
    }
    // The status link still works for the requester (it is in their email).
    let start = ack.text.find("/status/").unwrap();
    let status: String = ack.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert_eq!(app.get(&status).await.status().as_u16(), 200);
}

#[tokio::test]
async fn a_staff_form_token_works_only_in_its_own_session() {
    let app = spawn_app().await;
    let ann = app.staff("ann@example.org", Role::Agent).await;
    let bob = app.staff("bob@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let anns_token = ann.csrf().await;
    let path = format!("/staff/cases/{reference}/actions");
    let note = |token: &str| {
        vec![
            ("csrf_token", token.to_owned()),
            ("action", "note".to_owned()),
            ("step", "send".to_owned()),
            ("body", "hello".to_owned()),
        ]
    };
    // Ann's token in Bob's session: refused.
    let r = crate::staff_helpers::post(
        &app,
        &bob.client,
        &path,
        &note(&anns_token)
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(r.status().as_u16(), 403);
    // The public pages' double-submit token (a cookie anyone on a sibling
    // site could plant) is not a staff token either.
    let public = bob
        .client
        .get(app.url(crate::helpers::DETAILS_PAGE))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let cookie_token = crate::helpers::form_field(&public, "csrf_token").to_owned();
    let r = crate::staff_helpers::post(
        &app,
        &bob.client,
        &path,
        &note(&cookie_token)
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(r.status().as_u16(), 403);
    // Bob's own: accepted.
    let bobs = bob.csrf().await;
    assert_ne!(bobs, anns_token);
    let r = crate::staff_helpers::post(
        &app,
        &bob.client,
        &path,
        &note(&bobs)
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
}

/// A browser at `address`, behind the trusted proxy at 127.0.0.1.
fn client_at(address: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", address.parse().unwrap());
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .default_headers(headers)
        .build()
        .unwrap()
}

#[tokio::test]
async fn guessing_slows_down_the_guesser_only_and_admins_can_clear_it() {
    let app = spawn_app_with(crate::helpers::default_now(), |s| {
        s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()];
    })
    .await;
    app.add_staff("admin@example.org", Role::Admin);
    let attacker = client_at("203.0.113.9");
    for _ in 0..5 {
        let r = try_login(&app, &attacker, "admin@example.org", "wrong wrong wrong").await;
        assert_eq!(r.status().as_u16(), 401);
    }
    // The guesser now waits, even with the right password...
    let r = try_login(&app, &attacker, "admin@example.org", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 401);
    // ...but the sole admin, elsewhere, is not locked out.
    let admin = client_at("198.51.100.7");
    let r = try_login(&app, &admin, "admin@example.org", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);

    // The wait grows: a minute, then two.
    app.clock.advance(chrono::Duration::seconds(61));
    let r = try_login(&app, &attacker, "admin@example.org", "still wrong guess").await;
    assert_eq!(r.status().as_u16(), 401);
    app.clock.advance(chrono::Duration::seconds(61));
    let r = try_login(&app, &attacker, "admin@example.org", PASSWORD).await;
    assert_eq!(
        r.status().as_u16(),
        401,
        "two minutes after the sixth failure"
    );
    app.clock.advance(chrono::Duration::seconds(60));
    let r = try_login(&app, &attacker, "admin@example.org", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);

    // An admin clears another account's failed logins.
    let agent_id = app.add_staff("agent@example.org", Role::Agent);
    let typo = client_at("192.0.2.44");
    for _ in 0..5 {
        try_login(&app, &typo, "agent@example.org", "not my password").await;
    }
    assert_eq!(
        try_login(&app, &typo, "agent@example.org", PASSWORD)
            .await
            .status()
            .as_u16(),
        401
    );
    let admin = app.login("admin@example.org", PASSWORD).await;
    let page = admin.page("/staff/users").await;
    assert!(page.contains("5 failed login(s)"), "{page}");
    let r = admin
        .post(&format!("/staff/users/{}/clear-logins", agent_id.0), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        try_login(&app, &typo, "agent@example.org", PASSWORD)
            .await
            .status()
            .as_u16(),
        303
    );
}
