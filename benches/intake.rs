//! Benchmarks of the hot paths, printed as a table (copy it into
//! docs/benchmarks.md). Run with `cargo bench --bench intake`.
//!
//! - the deadline engine and intake parsing, in process;
//! - filing requests over HTTP against the real app (SQLite in a temporary
//!   directory, mail to files), one client at a time and 16 at once.

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, Utc};
use rightsdesk::clock::SystemClock;
use rightsdesk::config::Settings;
use rightsdesk::domain::deadline::{compute, ClockEvent, DeadlineInput};
use rightsdesk::domain::{Calendars, IntakeInput, Jurisdiction, NewRequest, Regime, Right};
use rightsdesk::startup::Application;

struct Row {
    what: String,
    n: usize,
    total: Duration,
    p50: Option<Duration>,
    p99: Option<Duration>,
}

fn time_loop(what: &str, n: usize, mut f: impl FnMut(usize)) -> Row {
    let start = Instant::now();
    for i in 0..n {
        f(i);
    }
    Row {
        what: what.into(),
        n,
        total: start.elapsed(),
        p50: None,
        p99: None,
    }
}

fn print(rows: &[Row]) {
    println!("| benchmark | n | total | per op | ops/s | p50 | p99 |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let per = r.total / r.n as u32;
        let fmt = |d: Option<Duration>| d.map(|d| format!("{d:.2?}")).unwrap_or_else(|| "-".into());
        println!(
            "| {} | {} | {:.2?} | {:.2?} | {:.0} | {} | {} |",
            r.what,
            r.n,
            r.total,
            per,
            r.n as f64 / r.total.as_secs_f64(),
            fmt(r.p50),
            fmt(r.p99)
        );
    }
}

fn domain_rows() -> Vec<Row> {
    let calendars = Calendars::shipped();
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let n = 200_000;
    let mut rows = vec![];
    for regime in [Regime::UK_GDPR, Regime::CCPA] {
        let cal = calendars.for_regime(regime);
        rows.push(time_loop(&format!("deadline {regime} (plain)"), n, |i| {
            let received = start + Days::new((i % 2000) as u64);
            black_box(
                compute(
                    DeadlineInput {
                        regime,
                        received,
                        rights: &[Right::Access, Right::OptOut],
                        events: &[],
                        fast_track: true,
                    },
                    cal,
                    received,
                )
                .unwrap(),
            );
        }));
    }
    let cal = calendars.for_regime(Regime::UK_GDPR);
    rows.push(time_loop(
        "deadline uk-gdpr (ID, pause, extension)",
        n,
        |i| {
            let received = start + Days::new((i % 2000) as u64);
            let events = [
                ClockEvent::IdentityRequested(received + Days::new(1)),
                ClockEvent::IdentityReceived(received + Days::new(3)),
                ClockEvent::ClarificationRequested(received + Days::new(5)),
                ClockEvent::ClarificationReceived(received + Days::new(9)),
                ClockEvent::Extended(received + Days::new(10)),
            ];
            let today = received + Days::new(12);
            black_box(
                compute(
                    DeadlineInput {
                        regime: Regime::UK_GDPR,
                        received,
                        rights: &[Right::Access],
                        events: &events,
                        fast_track: false,
                    },
                    cal,
                    today,
                )
                .unwrap(),
            );
        },
    ));
    let input = IntakeInput {
        name: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        location: "GB".into(),
        rights: vec!["access".into(), "erasure".into(), "rectification".into()],
        erasure_ground: "no_longer_necessary".into(),
        rectification_details: "My surname is Lovelace".into(),
        description: "x".repeat(2000),
        acting_as: "self".into(),
        ..IntakeInput::default()
    };
    let jurisdiction = Jurisdiction::new(Regime::UK_GDPR, Regime::ALL.to_vec()).unwrap();
    rows.push(time_loop("intake form parsing (3 rights)", n, |_| {
        black_box(NewRequest::parse(black_box(&input), &jurisdiction).unwrap());
    }));
    rows
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn http_rows() -> Vec<Row> {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::load_from(HashMap::new()).unwrap();
    settings.server.bind = "127.0.0.1:0".into();
    settings.storage.data_dir = dir.path().join("data");
    settings.mail.url = format!("file://{}", dir.path().join("mail").display());
    // Measure the app, not the per-client rate limit.
    settings.server.rate_limit_burst = 1_000_000;
    settings.server.rate_limit_per_minute = 1_000_000;
    settings.requests.max_unconfirmed_per_address = 1_000_000;
    let app = Application::build(settings, Arc::new(SystemClock)).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(format!("{base}/requests/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"csrf_token\" value=\"";
    let at = page.find(marker).unwrap() + marker.len();
    let token = page[at..at + 43].to_owned();
    let body = serde_html_form::to_string([
        ("csrf_token", token.as_str()),
        ("name", "Ada Lovelace"),
        ("email", "ada@example.com"),
        ("location", "GB"),
        ("acting_as", "self"),
        ("rights", "access"),
    ])
    .unwrap();

    let post = |client: reqwest::Client, body: String, url: String| async move {
        let t = Instant::now();
        let r = client
            .post(url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
        t.elapsed()
    };
    let url = format!("{base}/requests");
    let mut rows = vec![];

    let n = 500;
    let start = Instant::now();
    let mut lat = vec![];
    for _ in 0..n {
        lat.push(post(client.clone(), body.clone(), url.clone()).await);
    }
    let total = start.elapsed();
    lat.sort();
    rows.push(Row {
        what: "POST /requests, 1 client (SQLite)".into(),
        n,
        total,
        p50: Some(percentile(&lat, 0.5)),
        p99: Some(percentile(&lat, 0.99)),
    });

    let n = 800;
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    let per_client = n / 16;
    for _ in 0..16 {
        let (client, body, url) = (client.clone(), body.clone(), url.clone());
        set.spawn(async move {
            let mut lat = vec![];
            for _ in 0..per_client {
                lat.push(post(client.clone(), body.clone(), url.clone()).await);
            }
            lat
        });
    }
    let mut lat = vec![];
    while let Some(l) = set.join_next().await {
        lat.extend(l.unwrap());
    }
    let total = start.elapsed();
    lat.sort();
    rows.push(Row {
        what: "POST /requests, 16 clients (SQLite)".into(),
        n,
        total,
        p50: Some(percentile(&lat, 0.5)),
        p99: Some(percentile(&lat, 0.99)),
    });

    let n = 2000;
    let start = Instant::now();
    for _ in 0..n {
        let r = client
            .get(format!("{base}/requests/new"))
            .send()
            .await
            .unwrap();
        black_box(r.bytes().await.unwrap());
    }
    rows.push(Row {
        what: "GET /requests/new, 1 client".into(),
        n,
        total: start.elapsed(),
        p50: None,
        p99: None,
    });
    rows
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing we need.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    eprintln!("rightsdesk benchmarks, {}", Utc::now().format("%Y-%m-%d"));
    let mut rows = domain_rows();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    rows.extend(runtime.block_on(http_rows()));
    print(&rows);
}
