//! The regimes' rules as a Markdown document (docs/regimes.md): every rule
//! of every regime with its legal source, and every holiday rule of every
//! shipped calendar. Written from the rules themselves, and checked against
//! the file by a test, so the document cannot drift from the code.

use std::fmt::Write;

use super::{Awaited, CalendarSource, Regime};
use crate::domain::calendar::rules::CalendarRules;
use crate::domain::calendar::shipped;
use crate::domain::rights::Right;

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The whole document.
pub fn markdown() -> String {
    let mut out = String::new();
    let regimes = Regime::ALL;
    let _ = writeln!(
        out,
        "# Regimes: every rule, with its source\n\n\
         Generated from the rules tables in `src/domain/regime/` and the calendars in\n\
         `src/domain/calendar/shipped.rs` (`RIGHTSDESK_WRITE_DOCS=1 cargo test regimes_md`\n\
         rewrites it; a test fails when it differs). Where the law is unclear, the rules\n\
         take the earlier deadline and say so.\n"
    );
    let _ = writeln!(out, "## Clocks\n");
    let header: Vec<String> = regimes
        .iter()
        .map(|r| format!("{} (`{}`)", r.short(), r.key()))
        .collect();
    let _ = writeln!(out, "| rule | {} |", header.join(" | "));
    let _ = writeln!(out, "|---|{}", "---|".repeat(regimes.len()));
    let mut row = |name: &str, f: &dyn Fn(Regime) -> String| {
        let cells: Vec<String> = regimes.iter().map(|r| cell(&f(*r))).collect();
        let _ = writeln!(out, "| {name} | {} |", cells.join(" | "));
    };
    row("applies to residents of", &|r| {
        let t = r.rules().territories;
        if t.len() > 5 {
            format!("the EEA ({} countries)", t.len())
        } else {
            t.join(", ")
        }
    });
    row("period", &|r| {
        let c = r.rules().clock;
        format!("{}: {}", c.period.describe(), c.period_source)
    });
    row("date of receipt", &|_| {
        "the day the request reached us (form sent, email or letter arrived); confirming the email never moves it".into()
    });
    row("identity proof or a fee restarts the period", &|r| {
        let c = r.rules().clock;
        format!(
            "identity: {}, fee: {}. {}",
            yes_no(r.restarts_on(Awaited::Identity)),
            yes_no(r.restarts_on(Awaited::Fee)),
            c.restart_source
        )
    });
    row("asking for identity or a fee after the due date", &|r| {
        if r.restarts_on(Awaited::Identity) || r.restarts_on(Awaited::Fee) {
            "refused: the case is already late (answer or refuse it)".into()
        } else {
            "allowed: it moves nothing".into()
        }
    });
    row("a clarification question stops the clock for", &|r| {
        let c = r.rules().clock;
        let rights: Vec<&str> = c
            .clarification_pauses
            .iter()
            .map(|x| r.right_name(*x))
            .collect();
        let which = if rights.is_empty() {
            "no right".to_owned()
        } else {
            format!(
                "{} only (a request with any other right keeps running)",
                rights.join(", ")
            )
        };
        format!("{which}. {}", c.pause_source)
    });
    row("extension", &|r| {
        let e = r.rules().clock.extension;
        let reasons: Vec<&str> = e
            .reasons
            .iter()
            .map(|x| crate::domain::rights::Choice::label(*x))
            .collect();
        format!(
            "{} ({} in all from the start), for: {}. {}",
            e.words,
            e.total.describe(),
            reasons.join("; "),
            e.source
        )
    });
    row("acknowledgement", &|r| {
        let c = r.rules().clock;
        match c.acknowledge_within {
            Some(n) => format!("within {n} business days. {}", c.acknowledge_source),
            None => c.acknowledge_source.to_owned(),
        }
    });
    row("fast track (no verification)", &|r| {
        match r.rules().clock.fast_track {
        Some(f) => format!(
            "{}: within {} business days of receipt, acted on even if the email is never confirmed. {}",
            f.what, f.business_days, f.source
        ),
        None => "none".into(),
    }
    });
    row(
        "grounds for erasure offered on the form (never required)",
        &|r| yes_no(r.rules().erasure_grounds).into(),
    );
    row("calendar", &|r| {
        let which = match r.rules().calendar {
            CalendarSource::Fixed(c) => c.name.to_owned(),
            CalendarSource::Setting {
                setting,
                options,
                default,
            } => {
                let keys: Vec<&str> = options.iter().map(|c| c.key).collect();
                format!(
                    "chosen by `{setting}` ({}; default `{}`)",
                    keys.join(", "),
                    default.key
                )
            }
        };
        format!("{which}. {}", r.rules().calendar_source)
    });
    row("remedies", &|r| {
        let m = r.rules().remedies;
        let mut text = format!(
            "complaint to the authority in `authorities.{}`",
            r.key().replace('-', "_")
        );
        if let Some(also) = m.also {
            let _ = write!(text, "; {also}");
        }
        match m.court {
            Some(_) => text.push_str("; judicial remedy"),
            None => text.push_str("; no court remedy promised"),
        }
        format!("{text}. {}", m.source)
    });

    let _ = writeln!(
        out,
        "\n## Rights, their statutory names and default verification\n"
    );
    let _ = writeln!(out, "| right | {} |", header.join(" | "));
    let _ = writeln!(out, "|---|{}", "---|".repeat(regimes.len()));
    for right in Right::ALL {
        let cells: Vec<String> = regimes
            .iter()
            .map(|r| match r.right(right) {
                Some(g) => cell(&format!(
                    "{} ({}); verification: {}",
                    g.name,
                    g.basis,
                    if r.fast_tracks(right) {
                        "never".to_owned()
                    } else {
                        g.verification.label().to_lowercase()
                    }
                )),
                None => "not a right under this law".into(),
            })
            .collect();
        let _ = writeln!(out, "| `{}` | {} |", right.key(), cells.join(" | "));
    }

    for r in regimes {
        let _ = writeln!(out, "\n## Refusal grounds: {}\n", r.short());
        let _ = writeln!(out, "| key | staff see | the requester reads | source |");
        let _ = writeln!(out, "|---|---|---|---|");
        for g in r.rules().refusal_grounds {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                g.key,
                cell(g.label),
                cell(g.requester_text),
                cell(g.source)
            );
        }
        let _ = writeln!(
            out,
            "\nAcknowledgement, on verification: {}",
            r.rules().verification_notice
        );
        let _ = writeln!(
            out,
            "\nRecords of requests and answers: {} ({})",
            match r.rules().records_kept_months {
                0 => "kept for the configured period (`retention.closed_case_months`)".to_owned(),
                n => format!("kept at least {n} months, longer if configured"),
            },
            r.rules().records_source
        );
    }

    let _ = writeln!(out, "\n## Holiday calendars\n");
    let _ = writeln!(
        out,
        "Shipped for {}–{}; a deadline beyond says so in its derivation. A file named by\n\
         `calendars.file` replaces a calendar or adds one by key, and admins change\n\
         single days in the app (`/staff/calendars`; see operations.md).",
        shipped::ENGLAND_WALES.first_year,
        shipped::ENGLAND_WALES.last_year
    );
    for c in shipped::ALL {
        calendar_section(&mut out, c);
    }
    out
}

fn calendar_section(out: &mut String, c: &CalendarRules) {
    let _ = writeln!(
        out,
        "\n### {} (`{}`)\n\nSource: {}\n",
        c.name, c.key, c.source
    );
    let _ = writeln!(out, "| holiday | date | on a weekend | source |");
    let _ = writeln!(out, "|---|---|---|---|");
    for h in c.holidays {
        let since = h.since.map(|y| format!(" (since {y})")).unwrap_or_default();
        let _ = writeln!(
            out,
            "| {}{since} | {} | {} | {} |",
            cell(h.name),
            h.date.describe(),
            h.observance.describe(),
            cell(h.source)
        );
    }
    for (date, name) in c.one_offs {
        let _ = writeln!(out, "| {} | {date} only | — | proclamation |", cell(name));
    }
    if !c.excluded.is_empty() {
        let _ = writeln!(out, "\nNot treated as holidays (the earlier deadline):\n");
        for e in c.excluded {
            let _ = writeln!(out, "- {}: {}", e.name, e.why);
        }
    }
}

#[cfg(test)]
mod tests {
    const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/regimes.md");

    #[test]
    fn regimes_md_is_generated_from_the_rules() {
        let generated = super::markdown();
        if std::env::var_os("RIGHTSDESK_WRITE_DOCS").is_some() {
            std::fs::write(PATH, &generated).unwrap();
        }
        let on_disk = std::fs::read_to_string(PATH).unwrap_or_default();
        assert!(
            on_disk == generated,
            "docs/regimes.md differs from the rules: run RIGHTSDESK_WRITE_DOCS=1 cargo test regimes_md"
        );
    }
}
