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
    let response = app.get(crate::helpers::DETAILS_PAGE).await;
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

/// A small tmpfs mounted for one test (root only); unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("cannot mount a tmpfs (not root?): storage faults not exercised here (CI runs as root)");
            return None;
        }
        Some(SmallDisk { dir })
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    fn remount(&self, option: &str) -> bool {
        std::process::Command::new("mount")
            .args(["-o", &format!("remount,{option}")])
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Fills the disk to the last byte; returns the filler to delete.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let filler = self.path().join("filler");
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        while f.write_all(&[0u8]).is_ok() {}
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test]
async fn a_full_disk_is_reported_refused_with_a_true_page_and_recovered_from() {
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        return; // this one is about the SQLite file's own disk
    }
    let Some(disk) = SmallDisk::mount("8m") else {
        return;
    };
    let db = disk.path().join("rightsdesk.db");
    let app = crate::helpers::spawn_app_with(crate::helpers::default_now(), |s| {
        s.database.url = format!("sqlite://{}", db.display());
    })
    .await;
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    let filler = disk.fill();
    // Small writes may still fit in space the database holds already;
    // requests with long descriptions soon need more.
    let long = "x".repeat(5000);
    let mut refused = None;
    for n in 0..400 {
        let email = format!("person{n}@example.com");
        let mut fields = crate::helpers::valid_request("access");
        fields.retain(|(k, _)| *k != "email");
        fields.push(("email", &email));
        fields.push(("description", &long));
        let r = app.post_request(&fields).await;
        match r.status().as_u16() {
            303 => continue,
            status => {
                refused = Some((status, r.text().await.unwrap()));
                break;
            }
        }
    }
    let (status, page) = refused.expect("a full disk refuses a write at last");
    assert_eq!(status, 503, "{page}");
    assert!(page.contains("disk holding the database is full"), "{page}");
    assert!(page.contains("was not saved"), "{page}");
    let health = app.get("/healthz").await;
    assert_eq!(health.status().as_u16(), 503);
    let body: serde_json::Value = serde_json::from_str(&health.text().await.unwrap()).unwrap();
    assert_eq!(body["database"]["state"], "full", "{body}");
    let stored = app.case_count();

    // Space returns: so does the service, with nothing half-written.
    std::fs::remove_file(filler).unwrap();
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    app.file_request(&crate::helpers::valid_request("access"))
        .await;
    assert_eq!(app.case_count(), stored + 1);
    let ok: i64 = app.db(|c| {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Check {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(c)?;
        Ok(i64::from(rows.iter().all(|r| r.integrity_check == "ok")))
    });
    assert_eq!(ok, 1, "the database is intact");
    let (code, err) = app.cli(&["audit", "verify"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn the_app_refuses_to_start_on_a_read_only_database() {
    let Some(disk) = SmallDisk::mount("16m") else {
        return;
    };
    let url = format!("sqlite://{}/rightsdesk.db", disk.path().display());
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_string_lossy().into_owned();
    let key = crate::helpers::random_key(32);
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("RIGHTSDESK_DATA_DIR", data_dir.as_str()),
        ("RIGHTSDESK__AUDIT__KEY", key.as_str()),
    ];
    let (code, err) = crate::helpers::run_cli(&["migrate"], &env, "");
    assert_eq!(code, 0, "{err}");
    assert!(disk.remount("ro"), "remounted read-only");
    let bind = format!(
        "127.0.0.1:{}",
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    let mut env = env.to_vec();
    env.push(("RIGHTSDESK_BIND", &bind));
    let (code, err) = crate::helpers::run_cli(&["serve"], &env, "");
    assert_ne!(code, 0);
    assert!(err.starts_with("error: "), "{err}");
    let lower = err.to_lowercase();
    assert!(
        lower.contains("read-only") || lower.contains("readonly"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one clear line: {err}");
}

#[tokio::test]
async fn head_is_answered_wherever_get_is_with_headers_and_no_body() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/requests/new",
        "/status",
        "/healthz",
        "/api/v1/openapi.json",
        "/staff/login",
    ] {
        let get = app.get(path).await;
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "HEAD {path}"
        );
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} has no body"
        );
    }
    // What GET does not find, HEAD does not either.
    let head = app
        .client
        .head(app.url("/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status().as_u16(), 404);
}

#[tokio::test]
async fn postgresql_connections_the_server_ended_are_replaced_not_handed_out_again() {
    let Some(admin) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        return; // a SQLite file connection does not end under the app
    };
    use diesel::{Connection, RunQueryDsl};
    let app = spawn_app().await;
    let file = |n: usize| {
        let email = format!("person{n}@example.com");
        let mut fields = crate::helpers::valid_request("access");
        fields.retain(|(k, _)| *k != "email");
        fields.push(("email", Box::leak(email.into_boxed_str())));
        fields
    };
    assert_eq!(app.post_request(&file(0)).await.status().as_u16(), 303);
    // The server ends every connection of the app (as a restart does),
    // while the pool still holds them as working.
    let url = url::Url::parse(&app.ctx.settings.database.url).unwrap();
    let name = url.path().trim_start_matches('/').to_owned();
    let mut admin = diesel::PgConnection::establish(admin.trim()).unwrap();
    diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ))
    .execute(&mut admin)
    .unwrap();
    // A dead connection fails at most the one request that finds it, with
    // a 503, and is dropped: at most one failure per pooled connection,
    // then filing works for good.
    let mut statuses = Vec::new();
    for n in 1..=12 {
        statuses.push(app.post_request(&file(n)).await.status().as_u16());
    }
    assert!(
        statuses.iter().all(|s| *s == 303 || *s == 503),
        "{statuses:?}"
    );
    let pool = app.ctx.settings.database.pool_size as usize;
    let failed = statuses.iter().filter(|s| **s == 503).count();
    assert!(failed <= pool, "{statuses:?}");
    assert_eq!(statuses.last(), Some(&303), "{statuses:?}");
    let filed = statuses.iter().filter(|s| **s == 303).count() as i64;
    assert_eq!(app.case_count(), 1 + filed);
}
