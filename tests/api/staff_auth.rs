//! Staff accounts and sessions: login, lockout, logout, timeouts, the first
//! admin's setup link, invitations, roles and CSRF.

use chrono::Duration;
use rightsdesk::domain::Role;
use rightsdesk::service::accounts;

use crate::helpers::{form_field, spawn_app};
use crate::staff_helpers::{new_client, post, try_login, PASSWORD};

#[tokio::test]
async fn logged_out_staff_pages_redirect_to_login() {
    let app = spawn_app().await;
    for path in [
        "/staff",
        "/staff/dashboard",
        "/staff/users",
        "/staff/cases/new",
        "/staff/cases/RD-AAAA-BBBB",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), 303, "{path}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with("/staff/login?next="),
            "{path} → {location}"
        );
    }
    // Posting an action without a session goes to login too, changing nothing.
    let csrf = app.csrf_token("/staff/login").await;
    let response = app
        .post_form(
            "/staff/cases/RD-AAAA-BBBB/actions",
            &[("csrf_token", &csrf), ("action", "note"), ("body", "x")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
}

#[tokio::test]
async fn login_takes_you_back_where_you_were_going_but_never_off_site() {
    let app = spawn_app().await;
    app.add_staff("agent@example.org", Role::Agent);
    let client = new_client();
    let page = client
        .get(app.url("/staff/login?next=/staff/dashboard"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(form_field(&page, "next"), "/staff/dashboard");
    let csrf = form_field(&page, "csrf_token").to_owned();
    for (next, expected) in [
        ("/staff/dashboard", "/staff/dashboard"),
        ("https://evil.example/staff", "/staff"),
        ("//evil.example/staff", "/staff"),
    ] {
        let response = post(
            &app,
            &client,
            "/staff/login",
            &[
                ("csrf_token", &csrf),
                ("email", "agent@example.org"),
                ("password", PASSWORD),
                ("next", next),
            ],
        )
        .await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(response.headers()["location"], expected, "next={next}");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    app.add_staff("agent@example.org", Role::Agent);
    let client = new_client();
    let wrong = try_login(
        &app,
        &client,
        "agent@example.org",
        "not the password at all",
    )
    .await;
    assert_eq!(wrong.status().as_u16(), 401);
    let wrong = wrong.text().await.unwrap();
    let unknown = try_login(&app, &client, "nobody@example.org", PASSWORD).await;
    assert_eq!(unknown.status().as_u16(), 401);
    let unknown = unknown.text().await.unwrap();
    assert!(wrong.contains("Login failed") && unknown.contains("Login failed"));
    // The address typed is kept; nothing says which part was wrong.
    assert!(!wrong.contains("not the password"));
    // Letter case in the address does not matter.
    let ok = try_login(&app, &client, "Agent@Example.org", PASSWORD).await;
    assert_eq!(ok.status().as_u16(), 303);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = spawn_app().await;
    app.add_staff("agent@example.org", Role::Agent);
    let client = new_client();
    for _ in 0..5 {
        let r = try_login(&app, &client, "agent@example.org", "wrong wrong wrong").await;
        assert_eq!(r.status().as_u16(), 401);
    }
    // Locked: even the right password is refused, with the same message.
    let locked = try_login(&app, &client, "agent@example.org", PASSWORD).await;
    assert_eq!(locked.status().as_u16(), 401);
    app.clock.advance(Duration::minutes(16));
    let ok = try_login(&app, &client, "agent@example.org", PASSWORD).await;
    assert_eq!(ok.status().as_u16(), 303);
}

#[tokio::test]
async fn logging_out_ends_the_accounts_sessions() {
    let app = spawn_app().await;
    let laptop = app.staff("agent@example.org", Role::Agent).await;
    let phone = app.login("agent@example.org", PASSWORD).await;
    assert_eq!(phone.get("/staff").await.status().as_u16(), 200);
    let response = laptop.post("/staff/logout", &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(laptop.get("/staff").await.status().as_u16(), 303);
    // The other device's cookie is still there, but the session is over.
    assert_eq!(phone.get("/staff").await.status().as_u16(), 303);
}

#[tokio::test]
async fn idle_and_old_sessions_expire() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    app.clock.advance(Duration::minutes(29));
    assert_eq!(agent.get("/staff").await.status().as_u16(), 200);
    app.clock.advance(Duration::minutes(31));
    assert_eq!(agent.get("/staff").await.status().as_u16(), 303);

    // Even a busy session ends after the absolute limit (12 hours).
    let busy = app.login("agent@example.org", PASSWORD).await;
    for _ in 0..26 {
        app.clock.advance(Duration::minutes(28));
        let _ = busy.get("/staff").await;
    }
    assert_eq!(busy.get("/staff").await.status().as_u16(), 303);
}

#[tokio::test]
async fn session_cookie_is_http_only_and_scoped_to_staff_pages() {
    let app = spawn_app().await;
    app.add_staff("agent@example.org", Role::Agent);
    let client = new_client();
    let response = try_login(&app, &client, "agent@example.org", PASSWORD).await;
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("rd_staff="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("Path=/staff"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    // The cookie is encrypted: the user id is not readable in it.
    assert!(!cookie.contains("uid"), "{cookie}");
}

#[tokio::test]
async fn first_admin_sets_up_their_account_from_the_one_time_link() {
    let app = spawn_app().await;
    let link = accounts::first_admin_setup_link(&app.ctx)
        .unwrap()
        .expect("a link while there are no accounts");
    let path = link
        .strip_prefix("http://rightsdesk.test")
        .unwrap()
        .to_owned();
    let client = new_client();
    let page = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("first admin"));
    let csrf = form_field(&page, "csrf_token").to_owned();
    let setup = |password: &'static str, again: &'static str| {
        let (client, csrf, path, app) = (&client, csrf.clone(), path.clone(), &app);
        async move {
            post(
                app,
                client,
                &path,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("name", "Dana"),
                    ("email", "dpo@example.org"),
                    ("password", password),
                    ("password_again", again),
                ],
            )
            .await
        }
    };
    let weak = setup("password1234", "password1234").await;
    assert_eq!(weak.status().as_u16(), 422);
    assert!(weak.text().await.unwrap().contains("too common"));
    let mismatch = setup(PASSWORD, "something else entirely").await;
    assert_eq!(mismatch.status().as_u16(), 422);
    let ok = setup(PASSWORD, PASSWORD).await;
    assert_eq!(ok.status().as_u16(), 303);
    // Logged in as an admin at once.
    let users = client.get(app.url("/staff/users")).send().await.unwrap();
    assert_eq!(users.status().as_u16(), 200);
    // The link worked once; no new link is made once an account exists.
    let again = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 410);
    assert_eq!(accounts::first_admin_setup_link(&app.ctx).unwrap(), None);
    let stored = app
        .db(|c| rightsdesk::db::users::find_by_email(c, "dpo@example.org"))
        .unwrap();
    assert_eq!(stored.role, Role::Admin);
    assert!(stored.password_hash.unwrap().starts_with("$argon2id$"));
}

#[tokio::test]
async fn accounts_without_an_admin_still_get_a_setup_link() {
    let app = spawn_app().await;
    // An agent made at the command line is not a way to administer.
    app.add_staff("agent@example.org", Role::Agent);
    let link = accounts::first_admin_setup_link(&app.ctx)
        .unwrap()
        .expect("a link while no admin exists");
    let path = link.strip_prefix("http://rightsdesk.test").unwrap();
    let client = new_client();
    let page = client.get(app.url(path)).send().await.unwrap();
    let page = page.text().await.unwrap();
    let csrf = form_field(&page, "csrf_token").to_owned();
    let fields = |email: &'static str| {
        [
            ("csrf_token", csrf.as_str()),
            ("name", "Dana"),
            ("email", email),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ]
    };
    // The agent's address is taken: a clear refusal, the link still good.
    let response = post(&app, &client, path, &fields("agent@example.org")).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("already an account"));
    let response = post(&app, &client, path, &fields("dpo@example.org")).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(accounts::first_admin_setup_link(&app.ctx).unwrap(), None);
}

#[tokio::test]
async fn the_demo_fills_the_database_and_ends_with_a_way_in() {
    let app = spawn_app().await;
    let (code, out, err) = app.cli_output(&["demo", "--cases", "12"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("made 12 demo cases"), "{err}");
    let line = |label: &str| {
        out.lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .unwrap_or_else(|| panic!("{label} in {out}"))
            .trim()
            .to_owned()
    };
    assert!(out.contains("/staff/login"), "{out}");
    let (email, password) = (line("email:"), line("password:"));
    let admin = app.login(&email, &password).await;
    let queue = admin.page("/staff?status=all").await;
    assert!(queue.contains("RD-"), "the demo cases are in the queue");
    // Once: a second demo refuses a database with cases, and names why.
    let (code, _, err) = app.cli_output(&["demo", "--cases", "3"]);
    assert_ne!(code, 0);
    assert!(err.contains("already has cases"), "{err}");
}

#[tokio::test]
async fn an_invited_agent_chooses_a_password_and_logs_in() {
    let app = spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let response = admin
        .post(
            "/staff/users",
            &[
                ("name", "Eve Agent"),
                ("email", "eve@example.org"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let invite = app.wait_for_email_to("eve@example.org", "invited").await;
    assert!(invite.text.contains("Agent: works cases"));
    let start = invite.text.find("/staff/setup/").unwrap();
    let path: String = invite.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    // Not usable before a password is set.
    let client = new_client();
    assert_eq!(
        try_login(&app, &client, "eve@example.org", PASSWORD)
            .await
            .status()
            .as_u16(),
        401
    );
    let page = client
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("eve@example.org"));
    let csrf = form_field(&page, "csrf_token").to_owned();
    let response = post(
        &app,
        &client,
        &path,
        &[
            ("csrf_token", &csrf),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let eve = app.login("eve@example.org", PASSWORD).await;
    assert_eq!(eve.get("/staff").await.status().as_u16(), 200);
    // An agent does not manage accounts.
    assert_eq!(eve.get("/staff/users").await.status().as_u16(), 403);
    // Inviting the same address again is refused.
    let again = admin
        .post(
            "/staff/users",
            &[
                ("name", "Eve"),
                ("email", "EVE@example.org"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(again.status().as_u16(), 422);
    assert!(again.text().await.unwrap().contains("already an account"));
}

#[tokio::test]
async fn admins_change_roles_and_disable_accounts_but_keep_one_admin() {
    let app = spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let admin_id = app
        .db(|c| rightsdesk::db::users::find_by_email(c, "dpo@example.org"))
        .unwrap()
        .id;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let agent_id = app
        .db(|c| rightsdesk::db::users::find_by_email(c, "agent@example.org"))
        .unwrap()
        .id;

    // The only admin cannot demote or disable themselves.
    let r = admin
        .post(
            &format!("/staff/users/{}", admin_id.0),
            &[("role", "agent"), ("active", "1")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("at least one active admin"));
    let r = admin
        .post(
            &format!("/staff/users/{}", admin_id.0),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409);

    // Make the agent a viewer: they keep reading, stop working.
    let r = admin
        .post(
            &format!("/staff/users/{}", agent_id.0),
            &[("role", "viewer"), ("active", "1")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(agent.get("/staff/cases/new").await.status().as_u16(), 403);
    assert_eq!(agent.get("/staff").await.status().as_u16(), 200);

    // Disabling ends their session at once.
    let r = admin
        .post(
            &format!("/staff/users/{}", agent_id.0),
            &[("role", "viewer")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(agent.get("/staff").await.status().as_u16(), 303);
    let client = new_client();
    assert_eq!(
        try_login(&app, &client, "agent@example.org", PASSWORD)
            .await
            .status()
            .as_u16(),
        401
    );
    // Unknown account, bad role.
    let r = admin
        .post("/staff/users/9999", &[("role", "agent"), ("active", "1")])
        .await;
    assert_eq!(r.status().as_u16(), 404);
    let r = admin
        .post(
            &format!("/staff/users/{}", agent_id.0),
            &[("role", "root"), ("active", "1")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let before = app.event_kinds(&reference).len();
    for (path, fields) in [
        (
            format!("/staff/cases/{reference}/actions"),
            vec![("action", "note"), ("body", "hi")],
        ),
        (
            "/staff/users".to_owned(),
            vec![("name", "X"), ("email", "x@example.org"), ("role", "agent")],
        ),
        ("/staff/logout".to_owned(), vec![]),
    ] {
        let r = post(&app, &admin.client, &path, &fields).await;
        assert_eq!(r.status().as_u16(), 403, "{path}");
        let mut with_bad = fields.clone();
        with_bad.push(("csrf_token", "forged-token-value-forged-token-value-abc"));
        let r = post(&app, &admin.client, &path, &with_bad).await;
        assert_eq!(r.status().as_u16(), 403, "{path}");
    }
    // Nothing happened: no note, no invitation, still logged in.
    let kinds = app.event_kinds(&reference);
    assert!(!kinds[before..].iter().any(|k| k == "note_added"));
    assert!(app
        .db(|c| rightsdesk::db::users::find_by_email(c, "x@example.org"))
        .is_none());
    assert_eq!(admin.get("/staff").await.status().as_u16(), 200);
}

#[tokio::test]
async fn viewers_read_but_cannot_change_anything() {
    let app = spawn_app().await;
    let viewer = app.staff("viewer@example.org", Role::Viewer).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    assert_eq!(viewer.get("/staff").await.status().as_u16(), 200);
    assert_eq!(viewer.get("/staff/dashboard").await.status().as_u16(), 200);
    let page = viewer.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("can read this case but not change it"));
    for action in ["note", "assign", "verify_identity", "refuse"] {
        let r = viewer
            .act(
                &reference,
                action,
                &[("body", "x"), ("method", "email_confirmed")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 403, "{action}");
    }
    assert_eq!(viewer.get("/staff/cases/new").await.status().as_u16(), 403);
    assert_eq!(viewer.get("/staff/users").await.status().as_u16(), 403);
    assert_eq!(app.case(&reference).state.key(), "awaiting_identity");
}

#[test]
fn user_add_reads_the_password_from_standard_input() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let run = |email: &str, password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
            .args(["user", "add", "--email", email, "--role", "agent"])
            .env("RIGHTSDESK_DATA_DIR", dir.path())
            .env("RUST_LOG", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(password.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run("agent@example.org", "short\n");
    assert_ne!(code, 0);
    assert!(err.contains("at least 12 characters"), "{err}");
    let (code, err) = run("not-an-address", "plum tractor velvet harbour\n");
    assert_ne!(code, 0);
    assert!(err.contains("email"), "{err}");
    let (code, err) = run("agent@example.org", "");
    assert_ne!(code, 0);
    assert!(err.contains("standard input"), "{err}");
    let (code, err) = run("agent@example.org", "plum tractor velvet harbour\n");
    assert_eq!(code, 0, "{err}");
    let (code, err) = run("agent@example.org", "plum tractor velvet harbour\n");
    assert_ne!(code, 0);
    assert!(err.contains("already an account"), "{err}");
    let (code, err) = {
        let out = Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
            .args(["user", "add", "--email", "x@example.org", "--role", "root"])
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_ne!(code, 0);
    assert!(err.contains("root"), "{err}");
}

#[tokio::test]
async fn an_admin_sends_a_link_to_choose_a_new_password() {
    let app = spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let agent_id = app
        .db(|c| rightsdesk::db::users::find_by_email(c, "agent@example.org"))
        .unwrap()
        .id;
    let r = admin
        .post(&format!("/staff/users/{}/password-link", agent_id.0), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let mail = app
        .wait_for_email_to("agent@example.org", "Choose a new Rightsdesk password")
        .await;
    assert!(mail
        .text
        .contains("current password works until you use it"));
    // Until the link is used, nothing changes.
    assert_eq!(agent.get("/staff").await.status().as_u16(), 200);
    let start = mail.text.find("/staff/setup/").unwrap();
    let path: String = mail.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let client = new_client();
    let page = client
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = form_field(&page, "csrf_token").to_owned();
    let fresh = "quiet lantern orchard pebble";
    let r = post(
        &app,
        &client,
        &path,
        &[
            ("csrf_token", &csrf),
            ("password", fresh),
            ("password_again", fresh),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    // The old password and the old sessions are over; the new one works.
    assert_eq!(agent.get("/staff").await.status().as_u16(), 303);
    let other = new_client();
    assert_eq!(
        try_login(&app, &other, "agent@example.org", PASSWORD)
            .await
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        try_login(&app, &other, "agent@example.org", fresh)
            .await
            .status()
            .as_u16(),
        303
    );
    // Agents cannot send such links; unknown accounts are a 404.
    let agent = app.login("agent@example.org", fresh).await;
    let r = agent
        .post(&format!("/staff/users/{}/password-link", agent_id.0), &[])
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let r = admin.post("/staff/users/9999/password-link", &[]).await;
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn account_and_settings_changes_are_in_a_chain_that_audit_verify_checks() {
    let app = spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    admin
        .post(
            "/staff/users",
            &[
                ("name", "Eve"),
                ("email", "eve@example.org"),
                ("role", "agent"),
            ],
        )
        .await;
    let eve = app
        .db(|c| rightsdesk::db::users::find_by_email(c, "eve@example.org"))
        .unwrap()
        .id;
    admin
        .post(
            &format!("/staff/users/{}", eve.0),
            &[("role", "viewer"), ("active", "1")],
        )
        .await;
    admin
        .post(
            "/staff/settings/verification",
            &[("rectification.ccpa", "documents")],
        )
        .await;
    let trail = app.db(rightsdesk::db::events::list_admin);
    let kinds: Vec<&str> = trail.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "audit_trail_keyed",
            "user_added",
            "user_invited",
            "user_updated",
            "verification_policy_changed"
        ]
    );
    assert!(trail[3].detail.contains("\"to\":\"viewer\""));

    let run = || app.cli(&["audit", "verify"]);
    let (code, err) = run();
    assert_eq!(code, 0, "{err}");
    // Admins read it in the app; agents may not.
    let page = admin.page("/staff/audit").await;
    assert!(page.contains("Invited Eve as agent"), "{page}");
    assert!(page.contains("Eve: role agent → viewer"));
    assert!(page.contains("The chain is intact"));
    let agent = app.staff("agent@example.org", Role::Agent).await;
    assert_eq!(agent.get("/staff/audit").await.status().as_u16(), 403);
    app.db(|c| {
        use diesel::prelude::*;
        use rightsdesk::db::schema::admin_events::dsl;
        diesel::update(dsl::admin_events.find(trail[3].id))
            .set(dsl::detail.eq(r#"{"user":1,"role":"admin"}"#))
            .execute(c)?;
        Ok(())
    });
    let (code, err) = run();
    assert_eq!(code, 3, "{err}");
    assert!(admin.page("/staff/audit").await.contains("Trail broken"));
    assert!(
        err.contains(&format!(
            "account and settings trail, event #{}",
            trail[3].id
        )),
        "{err}"
    );
}
