use crate::helpers::spawn_app;

#[tokio::test]
async fn health_check_reports_the_database() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["state"], "ok");
    let expected = if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"]["backend"], expected);
    // Nothing that helps an anonymous caller pick an exploit.
    assert!(body.get("version").is_none(), "{body}");
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let app = spawn_app().await;
    let response = app.get("/requests/new").await;
    let h = response.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // HSTS only where the app is reached over https.
    assert!(h.get("strict-transport-security").is_none());
    let https = crate::helpers::spawn_app_with(crate::helpers::default_now(), |s| {
        s.server.base_url = "https://privacy.example.org".into();
    })
    .await;
    let response = https.get("/").await;
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn unknown_pages_get_a_404_page() {
    let app = spawn_app().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status().as_u16(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[test]
fn a_database_that_never_answers_stops_the_start_before_the_port_is_bound() {
    // A "PostgreSQL" that accepts connections and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let db_port = silent.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in silent.incoming().take(4).flatten() {
            open.push(stream);
        }
        std::thread::sleep(std::time::Duration::from_secs(20));
        drop(open);
    });
    let app_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("postgres://rd@127.0.0.1:{db_port}/rd?connect_timeout=2");
    let bind = format!("127.0.0.1:{app_port}");
    let data = dir.path().to_string_lossy().into_owned();
    let started = std::time::Instant::now();
    let (code, err) = crate::helpers::run_cli(
        &["serve"],
        &[
            ("DATABASE_URL", &url),
            ("RIGHTSDESK_BIND", &bind),
            ("RIGHTSDESK_DATA_DIR", &data),
        ],
        "",
    );
    assert_ne!(code, 0, "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "it gave up in time"
    );
    assert!(err.contains("database"), "{err}");
    drop(held);
}

#[tokio::test]
async fn a_database_out_of_reach_gives_a_try_again_page_not_an_error() {
    let app = crate::helpers::spawn_app_with(crate::helpers::default_now(), |s| {
        s.database.pool_size = 1;
        s.database.wait_secs = 1;
    })
    .await;
    let path = format!("/status/{}", "A".repeat(43));
    // Every connection is taken (as when the database is down or swamped).
    // (The background jobs may be using it a moment: wait for it.)
    let held = (0..50)
        .find_map(|_| app.ctx.pool.get().ok())
        .expect("the one connection comes free");
    let r = app.get(&path).await;
    assert_eq!(r.status().as_u16(), 503);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Please try again in a minute"));
    assert_eq!(app.get("/healthz").await.status().as_u16(), 503);
    drop(held);
    // And it serves again once a connection is free (the background jobs
    // share the one connection, so allow them a turn).
    let mut served = false;
    for _ in 0..10 {
        if app.get(&path).await.status().as_u16() == 404 {
            served = true;
            break;
        }
    }
    assert!(served, "the page is served again");
}
