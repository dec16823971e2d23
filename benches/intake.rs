//! Benchmarks of the domain's hot paths in process, printed as a table
//! (copy it into docs/benchmarks.md): the deadline engine and intake
//! parsing. Run with `cargo bench --bench intake`. Filing requests through
//! HTTP, beside a bare baseline, is benches/run.sh.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, Utc};
use rightsdesk::domain::deadline::{compute, ClockEvent, DeadlineInput};
use rightsdesk::domain::{Calendars, IntakeInput, Jurisdiction, NewRequest, Regime, Right};

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

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing we need.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    eprintln!("rightsdesk benchmarks, {}", Utc::now().format("%Y-%m-%d"));
    print(&domain_rows());
}
