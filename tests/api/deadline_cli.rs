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
