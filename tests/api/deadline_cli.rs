//! `rightsdesk deadline`, run as the real binary.

use std::process::Command;

fn deadline(args: &[&str]) -> (i32, String, String) {
    deadline_with_env(args, &[])
}

fn deadline_with_env(args: &[&str], env: &[(&str, &std::path::Path)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
        .arg("deadline")
        .args(args)
        .env("RUST_LOG", "off")
        .envs(env.iter().copied())
        .output()
        .expect("run rightsdesk");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).expect("one JSON object")
}

#[test]
fn ico_examples() {
    let (code, out, _) = deadline(&[
        "--regime",
        "uk-gdpr",
        "--received",
        "2024-09-03",
        "--today",
        "2024-09-03",
    ]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["due"], "2024-10-03");
    assert_eq!(v["days_left"], 30);
    assert!(v["derivation"].as_array().unwrap().len() >= 3);

    let (code, out, _) = deadline(&[
        "--regime",
        "uk-gdpr",
        "--received",
        "2026-03-31",
        "--today",
        "2026-04-01",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["due"], "2026-04-30");
}

#[test]
fn extended_and_ccpa_deadlines() {
    let (code, out, _) = deadline(&[
        "--regime",
        "uk-gdpr",
        "--received",
        "2026-09-03",
        "--extended",
        "--today",
        "2026-09-10",
    ]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["due"], "2026-12-03");
    assert_eq!(v["original_due"], "2026-10-05");
    assert_eq!(v["extended"], true);

    let (code, out, _) = deadline(&[
        "--regime",
        "ccpa",
        "--received",
        "2026-11-02",
        "--today",
        "2026-11-02",
    ]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["due"], "2026-12-17");
    // Veterans Day (11 November) is not a business day.
    assert_eq!(v["acknowledge_by"], "2026-11-17");

    let (code, out, _) = deadline(&["--regime", "ccpa", "--received", "2026-11-02", "--extended"]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["due"], "2027-02-01");
}

#[test]
fn bad_input_exits_2_with_a_message() {
    for args in [
        vec!["--regime", "gdpr", "--received", "2026-01-01"],
        vec!["--regime", "uk-gdpr", "--received", "2026-02-30"],
        vec!["--regime", "uk-gdpr", "--received", "yesterday"],
        vec!["--regime", "uk-gdpr"],
        vec![
            "--regime",
            "uk-gdpr",
            "--received",
            "2026-09-03",
            "--extended",
            "--today",
            "2026-10-06",
        ],
        vec![
            "--regime",
            "uk-gdpr",
            "--received",
            "2026-09-03",
            "--today",
            "2026-09-01",
        ],
    ] {
        let (code, out, err) = deadline(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty(), "{args:?}: nothing on stdout");
        assert!(!err.trim().is_empty(), "{args:?}: a message on stderr");
    }
    let (_, _, err) = deadline(&[
        "--regime",
        "uk-gdpr",
        "--received",
        "2026-09-03",
        "--extended",
        "--today",
        "2026-10-06",
    ]);
    assert!(err.contains("too late"), "{err}");
}

#[test]
fn configured_calendars_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("holidays.toml");
    // A calendar of the operator's own (Bavaria's Epiphany), chosen for the EU.
    std::fs::write(
        &path,
        "[de-by]\nname = \"Bavaria\"\nfirst_year = 2027\nlast_year = 2027\n\
         dates = [{ date = \"2027-01-06\", name = \"Heilige Drei Könige\" }]\n",
    )
    .unwrap();
    let args = [
        "--regime",
        "eu-gdpr",
        "--received",
        "2026-12-06",
        "--today",
        "2026-12-06",
    ];
    let (code, out, _) = deadline(&args);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["due"], "2027-01-06", "Ireland by default");
    let (code, out, _) = deadline_with_env(
        &args,
        &[
            ("RIGHTSDESK__CALENDARS__FILE", &path),
            (
                "RIGHTSDESK__CALENDARS__EU_COUNTRY",
                std::path::Path::new("de-by"),
            ),
        ],
    );
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["due"], "2027-01-07");
    assert!(v["derivation"].to_string().contains("Heilige Drei"), "{v}");

    let missing = dir.path().join("missing.toml");
    let (code, _, err) = deadline_with_env(&args, &[("RIGHTSDESK__CALENDARS__FILE", &missing)]);
    assert_eq!(code, 2);
    assert!(err.contains("calendars.file"), "{err}");
}

#[test]
fn clarifications_pause_only_where_the_law_and_the_right_allow() {
    let run = |regime: &str, right: Option<&str>| {
        let mut args = vec![
            "--regime",
            regime,
            "--received",
            "2026-03-31",
            "--today",
            "2026-04-25",
            "--clarification",
            "2026-04-10:2026-04-20",
        ];
        if let Some(right) = right {
            args.extend(["--right", right]);
        }
        let (code, out, err) = deadline(&args);
        assert_eq!(code, 0, "{err}");
        json(&out)
    };
    // --right defaults to access: the UK pauses a subject access request.
    let uk = run("uk-gdpr", None);
    assert_eq!(uk["due"], "2026-05-11");
    assert_eq!(uk["paused_days"], 10);
    assert_eq!(uk["right"], "access");
    let uk_erasure = run("uk-gdpr", Some("erasure"));
    assert_eq!(uk_erasure["due"], "2026-04-30");
    assert!(uk_erasure["derivation"]
        .to_string()
        .contains("other rights are not paused"));
    let eu = run("eu-gdpr", None);
    assert_eq!(eu["due"], "2026-04-30");
    assert!(eu["derivation"].to_string().contains("no stop-the-clock"));
    let ccpa = run("ccpa", None);
    assert_eq!(ccpa["due"], "2026-05-15");

    // A question not yet answered keeps the UK access clock stopped.
    let (code, out, _) = deadline(&[
        "--regime",
        "uk-gdpr",
        "--received",
        "2026-03-31",
        "--today",
        "2026-04-25",
        "--clarification",
        "2026-04-10:",
    ]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["clock_running"], false);
    assert_eq!(v["paused_days"], 15);
}

#[test]
fn opt_outs_get_their_fifteen_business_days() {
    let (code, out, _) = deadline(&[
        "--regime",
        "ccpa",
        "--received",
        "2026-11-16",
        "--today",
        "2026-11-16",
        "--right",
        "opt_out",
        "--opt-out",
    ]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["opt_out_due"], "2026-12-08");
    assert_eq!(v["due"], "2026-12-31");
}

#[test]
fn bad_clarifications_and_rights_are_refused_with_a_message() {
    for (flag, value, says) in [
        ("--clarification", "2026-04-10", "ASKED:ANSWERED"),
        ("--clarification", "2026-04-10:yesterday", "not a date"),
        (
            "--clarification",
            "2026-04-20:2026-04-10",
            "answered before it was asked",
        ),
        ("--right", "delete", "unknown right"),
    ] {
        let (code, out, err) = deadline(&[
            "--regime",
            "uk-gdpr",
            "--received",
            "2026-03-31",
            "--today",
            "2026-04-25",
            flag,
            value,
        ]);
        assert_eq!(code, 2, "{flag} {value}");
        assert!(out.is_empty());
        assert!(err.contains(says), "{flag} {value}: {err}");
    }
    // Answered in the future, or before the request: the engine says why.
    let (code, _, err) = deadline(&[
        "--regime",
        "uk-gdpr",
        "--received",
        "2026-03-31",
        "--today",
        "2026-04-25",
        "--clarification",
        "2026-04-10:2026-04-30",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("after today"), "{err}");
}
