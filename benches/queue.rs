//! The staff queue at scale, printed as a table (copy it into
//! docs/benchmarks.md). Run with `cargo bench --bench queue`; set
//! `QUEUE_CASES` for another size (default one million),
//! `DATABASE_URL=postgres://...` to measure PostgreSQL (an empty database),
//! and `QUEUE_BUSY=1` for a backlog where two cases in three are open.
//!
//! It fills the database with cases as an organisation would have them
//! after some years: almost all closed, a few thousand open (or, busy, most
//! open), spread over ten agents and a year of due dates; then times the
//! queries behind `/staff` and the dashboard in process (median and
//! slowest), and the pages themselves through HTTP from the real app (a web
//! node) on that database, logged in as an agent (median and 99th
//! percentile of 200 requests each).

use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rightsdesk::db::queue::{self, AssigneeFilter, Cursor, QueueFilter, Search};
use rightsdesk::db::schema::cases;
use rightsdesk::db::users::UserId;
use rightsdesk::db::{self, DbConn};
use rightsdesk::domain::{CaseState, Reference, Right, Role};

const OPEN_EVERY: usize = 40; // 2.5 % of cases are open
const AGENTS: i64 = 10;

/// Whether case `i` is open: one in [`OPEN_EVERY`], or two in three when
/// the backlog is busy.
fn is_open(i: usize, busy: bool) -> bool {
    if busy {
        i % 3 != 0
    } else {
        i % OPEN_EVERY == 0
    }
}

/// A distinct, valid reference for case number `i`.
fn reference(i: usize) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut s = String::from("RD-");
    for k in (0..8).rev() {
        if k == 3 {
            s.push('-');
        }
        s.push(ALPHABET[(i >> (5 * k)) & 31] as char);
    }
    s
}

fn seed(conn: &mut DbConn, n: usize, busy: bool) -> anyhow::Result<()> {
    let now = NaiveDateTime::parse_from_str("2026-11-24 09:00:00", "%Y-%m-%d %H:%M:%S")?;
    let base = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    for a in 1..=AGENTS {
        rightsdesk::db::users::insert(
            conn,
            &format!("agent{a}@example.org"),
            &format!("Agent {a}"),
            Role::Agent,
            None,
            now,
        )?;
    }
    // Generated rows, many to a statement (diesel's batch insert is not
    // available through the MultiConnection): a million cases in minutes
    // on either backend, through the same triggers the app's writes fire.
    let batch = 1_000;
    let mut done = 0;
    while done < n {
        let size = batch.min(n - done);
        let mut values = Vec::with_capacity(size);
        for i in done..done + size {
            let open = is_open(i, busy);
            let state = if open {
                CaseState::OPEN[i / OPEN_EVERY % 3]
            } else if i % 11 == 0 {
                CaseState::Refused
            } else {
                CaseState::Completed
            };
            let received = base - Days::new((i % 3650) as u64);
            // Answered within 1 to 60 days of receipt (closed cases).
            let answered = received + Days::new(1 + (i % 60) as u64);
            let due = if open {
                base.checked_add_days(Days::new((i / OPEN_EVERY % 120) as u64))
                    .map(|d| d - Days::new(30))
            } else {
                Some(received + Days::new(30))
            };
            let date = |d: Option<NaiveDate>| d.map_or("NULL".into(), |d| format!("'{d}'"));
            let assignee = if i % 7 != 0 {
                (1 + i as i64 % AGENTS).to_string()
            } else {
                "NULL".into()
            };
            values.push(format!(
                "('{reference}', '{state}', '{regime}', 'web', 'GB', 'Bench Person', \
                 'person{i}@example.com', {received}, {due}, '{now}', '{now}', {assignee}, \
                 {closed_at}, {closed_on})",
                reference = reference(i),
                state = state.key(),
                regime = ["uk-gdpr", "eu-gdpr", "ccpa"][i % 3],
                received = date(Some(received)),
                due = date(due),
                now = now.format("%Y-%m-%d %H:%M:%S"),
                closed_at = if open {
                    "NULL".into()
                } else {
                    format!("'{answered} 15:00:00'")
                },
                closed_on = date((!open).then_some(answered)),
            ));
        }
        let rights = Right::ALL
            .iter()
            .enumerate()
            .map(|(k, r)| format!("WHEN {k} THEN '{}'", r.key()))
            .collect::<Vec<_>>()
            .join(" ");
        db::write_transaction::<_, anyhow::Error, _>(conn, |conn| {
            let first: i64 = cases::table
                .select(diesel::dsl::max(cases::id))
                .first::<Option<i64>>(conn)?
                .unwrap_or(0);
            diesel::sql_query(format!(
                "INSERT INTO cases (reference, state, regime, channel, location, \
                 requester_name, requester_email, received_on, due_on, submitted_at, \
                 updated_at, assignee_id, closed_at, closed_on) VALUES {}",
                values.join(", ")
            ))
            .execute(conn)?;
            diesel::sql_query(format!(
                "INSERT INTO case_rights (case_id, right_key, details) \
                 SELECT id, CASE id % {} {rights} END, \
                 '{{\"right\":\"access\",\"scope\":null}}' FROM cases WHERE id > {first} \
                 ORDER BY id",
                Right::ALL.len()
            ))
            .execute(conn)?;
            Ok(())
        })?;
        done += size;
    }
    Ok(())
}

fn time<T>(what: &str, runs: u32, mut f: impl FnMut() -> T) -> (String, Duration, Duration) {
    f(); // warm the cache
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    (
        what.to_owned(),
        times[times.len() / 2],
        times[times.len() - 1],
    )
}

/// Times the staff pages through HTTP: the real app on `url`, logged in as
/// a new agent; each page fetched `runs` times one after another.
fn http_rows(
    url: &str,
    deep: Option<Cursor>,
    reference: &str,
    runs: u32,
) -> anyhow::Result<Vec<(String, Duration, Duration)>> {
    use std::sync::Arc;
    let dir = tempfile::tempdir()?;
    let mut settings = rightsdesk::config::Settings::load_from(Default::default())?;
    settings.server.bind = "127.0.0.1:0".into();
    settings.storage.data_dir = dir.path().join("data");
    settings.database.url = url.to_owned();
    settings.mail.url = "log".into();
    let key = |n: usize| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(vec![7u8; n])
    };
    settings.uploads.key = key(32);
    settings.audit.key = key(32);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        // A web node (`serve --no-jobs`): what is timed is the pages, not
        // the jobs' catch-up at start (expiry, purge) over a million cases.
        let app = rightsdesk::startup::Application::build_as(
            settings,
            Arc::new(rightsdesk::clock::SystemClock),
            rightsdesk::startup::Role::WebOnly,
        )?;
        let base = format!("http://127.0.0.1:{}", app.port());
        let ctx = app.context();
        tokio::spawn(app.run_until_stopped());
        let password = "plum tractor velvet harbour";
        {
            let mut conn = ctx.pool.get()?;
            let now = db::timestamp(chrono::Utc::now());
            rightsdesk::service::accounts::add_user(
                &mut conn,
                &ctx.audit_key,
                "bench@example.org",
                "Bench Agent",
                Role::Agent,
                password,
                now,
            )?
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let page = client
            .get(format!("{base}/staff/login"))
            .send()
            .await?
            .text()
            .await?;
        let marker = "name=\"csrf_token\" value=\"";
        let at = page
            .find(marker)
            .ok_or_else(|| anyhow::anyhow!("no CSRF token"))?
            + marker.len();
        let csrf = page[at..at + 43].to_owned();
        let login = client
            .post(format!("{base}/staff/login"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("email", "bench@example.org"),
                ("password", password),
            ])
            .send()
            .await?;
        anyhow::ensure!(
            login.status().as_u16() == 303,
            "login failed: {}",
            login.status()
        );
        let deep = deep
            .map(|c| {
                format!(
                    "/staff?after_due={}&after_id={}",
                    c.due_on.map(|d| d.to_string()).unwrap_or_default(),
                    c.id
                )
            })
            .unwrap_or_else(|| "/staff".into());
        // Each page with what it must show (a page of no cases, or of an
        // error, would measure nothing).
        let pages = [
            ("GET /staff (first page)", "/staff".to_owned(), "RD-"),
            ("GET /staff, page 100", deep, "RD-"),
            (
                "GET /staff, overdue, one right",
                "/staff?overdue=1&right=erasure".to_owned(),
                "RD-",
            ),
            (
                "GET /staff, search by reference",
                format!("/staff?q={reference}"),
                reference,
            ),
            (
                "GET /staff/dashboard",
                "/staff/dashboard".to_owned(),
                "Days from receipt to answer",
            ),
        ];
        let mut rows = vec![];
        for (what, path, shows) in pages {
            let mut times = vec![];
            for i in 0..=runs {
                let t = Instant::now();
                let r = client.get(format!("{base}{path}")).send().await?;
                anyhow::ensure!(r.status().as_u16() == 200, "{path}: {}", r.status());
                let body = r.bytes().await?;
                if i > 0 {
                    times.push(t.elapsed());
                } else {
                    // The first warms the cache, and is checked.
                    anyhow::ensure!(
                        String::from_utf8_lossy(&body).contains(shows),
                        "{path} does not show {shows}"
                    );
                }
            }
            times.sort();
            // The 99th percentile (nearest rank).
            let p99 = (times.len() * 99).div_ceil(100).max(1) - 1;
            rows.push((what.to_owned(), times[times.len() / 2], times[p99]));
        }
        Ok(rows)
    })
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::var("QUEUE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let (pool, backend) = db::connect(&url, 2)?;
    let mut conn = pool.get()?;
    db::run_migrations(&mut conn)?;
    let busy = std::env::var("QUEUE_BUSY").is_ok_and(|v| v == "1");
    let t = Instant::now();
    seed(&mut conn, n, busy)?;
    eprintln!("seeded {n} cases in {:.1?}", t.elapsed());
    if backend == db::Backend::Postgres {
        // Seeding a thousand cases per transaction updates each kept count
        // a thousand times in one, leaving its small table thousands of
        // dead row versions long; filings, one per transaction, leave
        // nothing that page pruning and autovacuum do not clear as they
        // go. Compact those tables as they would be, and give the planner
        // its statistics as autovacuum would.
        use diesel::connection::SimpleConnection;
        // (One statement at a time: VACUUM runs in no transaction.)
        conn.batch_execute(
            "VACUUM FULL case_state_counts, case_right_counts, case_due_counts, \
             case_turnaround_counts",
        )?;
        conn.batch_execute("VACUUM ANALYZE")?;
    }
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let open = |after: Option<Cursor>, assignee: AssigneeFilter| QueueFilter {
        states: CaseState::OPEN.to_vec(),
        right: None,
        regime: None,
        assignee,
        due_by: None,
        overdue_before: None,
        search: None,
        after,
        limit: 51,
        unconfirmed_with_due: true,
        sort: queue::Sort::Due,
    };
    let first = queue::page(&mut conn, &open(None, AssigneeFilter::Anyone))?;
    let mut deep = first.last().map(|r| Cursor {
        due_on: r.due_on,
        id: r.id.0,
        state: None,
    });
    for _ in 0..100 {
        let page = queue::page(&mut conn, &open(deep, AssigneeFilter::Anyone))?;
        if let Some(last) = page.last() {
            deep = Some(Cursor {
                due_on: last.due_on,
                id: last.id.0,
                state: None,
            });
        }
    }
    let some_reference: String = cases::table
        .filter(cases::id.eq(n as i64 / 2))
        .select(cases::reference)
        .first(&mut conn)?;
    let some_reference: Reference = some_reference.parse()?;
    let mut rows = vec![
        time("queue, first page (open cases)", 50, || {
            queue::page(&mut conn, &open(None, AssigneeFilter::Anyone)).unwrap()
        }),
        time("queue, page 100 (keyset)", 50, || {
            queue::page(&mut conn, &open(deep, AssigneeFilter::Anyone)).unwrap()
        }),
        time("queue, one agent's cases", 50, || {
            queue::page(&mut conn, &open(None, AssigneeFilter::User(UserId(3)))).unwrap()
        }),
        time("queue, overdue, one right", 50, || {
            let mut f = open(None, AssigneeFilter::Anyone);
            f.overdue_before = Some(today);
            f.right = Some(Right::Erasure);
            queue::page(&mut conn, &f).unwrap()
        }),
        time("search by reference", 50, || {
            let mut f = open(None, AssigneeFilter::Anyone);
            f.states = CaseState::ALL.to_vec();
            f.search = Some(Search::Reference(some_reference.clone()));
            queue::page(&mut conn, &f).unwrap()
        }),
        time("search by email (any case)", 10, || {
            let mut f = open(None, AssigneeFilter::Anyone);
            f.states = CaseState::ALL.to_vec();
            f.search = Some(Search::Email(format!("Person{}@example.com", n / 3)));
            queue::page(&mut conn, &f).unwrap()
        }),
        time("counts per status", 10, || {
            queue::count_by_state(&mut conn).unwrap()
        }),
        time("dashboard: open by right", 10, || {
            queue::open_by_right(&mut conn).unwrap()
        }),
    ];
    rows.push(time("dashboard: overdue count", 10, || {
        queue::count_open_due(&mut conn, None, Some(today)).unwrap()
    }));
    let year = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
    rows.push(time("dashboard: days to answer, 12 months", 10, || {
        queue::turnaround_since(&mut conn, year).unwrap()
    }));
    // The kept figures are the cases' own.
    let kept = queue::turnaround_since(&mut conn, year)?;
    anyhow::ensure!(
        kept == queue::turnaround_since_scanned(&mut conn, year)?,
        "the kept turnaround counts differ from the cases"
    );
    anyhow::ensure!(
        kept.iter().map(|(_, _, n)| n).sum::<i64>() > 0 || n < 100,
        "no answered case in the last twelve months: the dashboard measured nothing"
    );
    drop(conn);
    drop(pool);
    rows.extend(http_rows(&url, deep, some_reference.as_str(), 200)?);
    println!(
        "{} cases on {} ({} open)\n",
        n,
        backend.name(),
        (0..n).filter(|i| is_open(*i, busy)).count()
    );
    println!("| query | median | slowest (in process), p99 (GET, of 200) |");
    println!("|---|---:|---:|");
    for (what, median, max) in rows {
        println!("| {what} | {median:.2?} | {max:.2?} |");
    }
    Ok(())
}
