//! The CCPA's yearly metrics (§ 7102), through the API and on the staff
//! reports page, from requests worked through the API.

use rightsdesk::domain::audit::Actor;
use rightsdesk::domain::Role;
use rightsdesk::service::api_tokens;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

fn token(app: &TestApp) -> String {
    let mut conn = app.ctx.pool.get().unwrap();
    api_tokens::create(
        &mut conn,
        &app.ctx.audit_key,
        Actor::CommandLine,
        "Reporting",
        "intake act read",
        600,
        rightsdesk::db::timestamp(app.ctx.clock.now()),
    )
    .unwrap()
    .unwrap()
    .secret
}

async fn call(app: &TestApp, token: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let request = match body {
        Some(body) => app.client.post(app.url(path)).json(&body),
        None => app.client.get(app.url(path)),
    };
    let r = request.bearer_auth(token).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Files a Californian's request received on `day`; its reference.
async fn file(app: &TestApp, token: &str, email: &str, rights: &[&str], day: &str) -> String {
    let (status, case) = call(
        app,
        token,
        "/api/v1/requests",
        Some(json!({"name": "Cal Resident", "email": email, "location": "US-CA", "rights": rights, "received_on": day})),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    case["reference"].as_str().unwrap().to_owned()
}

async fn act(app: &TestApp, token: &str, reference: &str, body: Value) {
    let (status, problem) = call(
        app,
        token,
        &format!("/api/v1/cases/{reference}/actions"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 200, "{body}: {problem}");
}

#[tokio::test]
async fn ccpa_metrics_count_each_request_its_answer_and_its_days() {
    let app = spawn_app().await;
    let token = token(&app);
    // A request to know, answered in full on the day of the test (31 March).
    let know = file(&app, &token, "a@example.com", &["access"], "2026-03-11").await;
    act(
        &app,
        &token,
        &know,
        json!({"action": "verify_identity", "method": "known_data_points"}),
    )
    .await;
    act(
        &app,
        &token,
        &know,
        json!({"action": "record_outcome", "right": "access", "outcome": "fulfilled"}),
    )
    .await;
    // A request to delete, refused.
    let delete = file(&app, &token, "b@example.com", &["erasure"], "2026-03-21").await;
    act(
        &app,
        &token,
        &delete,
        json!({"action": "verify_identity", "method": "known_data_points"}),
    )
    .await;
    act(
        &app,
        &token,
        &delete,
        json!({"action": "record_outcome", "right": "erasure", "outcome": "refused", "body": "We must keep these records by law."}),
    )
    .await;
    // An opt-out, not yet answered; and last year's request, not counted.
    file(&app, &token, "c@example.com", &["opt_out"], "2026-03-30").await;
    file(&app, &token, "d@example.com", &["access"], "2025-12-30").await;

    let (status, report) = call(&app, &token, "/api/v1/reports/ccpa?year=2026", None).await;
    assert_eq!(status, 200, "{report}");
    let of = |key: &str| -> Value {
        report["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["category"] == key)
            .unwrap()
            .clone()
    };
    let k = of("know");
    assert_eq!(
        (
            k["received"].as_u64(),
            k["complied_in_whole_or_part"].as_u64(),
            k["denied"].as_u64()
        ),
        (Some(1), Some(1), Some(0))
    );
    assert_eq!(k["median_days"], 20.0);
    let d = of("delete");
    assert_eq!(
        (d["received"].as_u64(), d["denied"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(d["mean_days"], 10.0);
    let o = of("opt_out");
    assert_eq!(o["received"], 1);
    assert!(o["median_days"].is_null());
    assert_eq!(of("correct")["received"], 0);
    let (_, last_year) = call(&app, &token, "/api/v1/reports/ccpa?year=2025", None).await;
    assert_eq!(last_year["categories"][0]["received"], 1);

    for bad in ["year=1999", "year=abc", "year=2026&x=1"] {
        let (status, _) = call(&app, &token, &format!("/api/v1/reports/ccpa?{bad}"), None).await;
        assert_eq!(status, 400, "{bad}");
    }

    // The same on the staff page, and as CSV; a viewer may read them.
    let viewer = app.staff("viewer@example.org", Role::Viewer).await;
    let page = viewer.page("/staff/reports?year=2026").await;
    assert!(page.contains("Requests to know") && page.contains("Requests to delete"));
    let r = viewer.get("/staff/reports/ccpa.csv?year=2026").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("year,requests,received,complied_in_whole_or_in_part,denied"));
    assert!(csv.contains("2026,know,1,1,0,20,20"), "{csv}");
    assert_eq!(
        viewer
            .get("/staff/reports?year=nineteen")
            .await
            .status()
            .as_u16(),
        400
    );

    // The register: every case the filters select, without personal data.
    let r = viewer.get("/staff/reports/register.csv?status=all").await;
    assert_eq!(r.status().as_u16(), 200);
    let register = r.text().await.unwrap();
    let lines: Vec<&str> = register.lines().collect();
    assert_eq!(
        lines[0],
        "reference,regime,state,rights,received_on,due_on,assignee"
    );
    assert_eq!(lines.len(), 5, "{register}");
    assert!(register.contains(&format!("{know},ccpa,")));
    assert!(!register.contains("example.com") && !register.contains("Cal Resident"));
    let r = viewer
        .get("/staff/reports/register.csv?right=opt_out&status=all")
        .await;
    let only: Vec<String> = r
        .text()
        .await
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect();
    assert_eq!(only.len(), 1);
    assert!(only[0].contains("opt_out"));
    assert_eq!(
        viewer
            .get("/staff/reports/register.csv?status=lost")
            .await
            .status()
            .as_u16(),
        400
    );
    // The queue links to the export of what it shows.
    assert!(viewer
        .page("/staff?right=access")
        .await
        .contains("/staff/reports/register.csv?right&#x3D;access"));

    let admin = app.staff("admin@example.org", Role::Admin).await;
    let trail = admin.page("/staff/audit").await;
    assert!(trail.contains("Report made: ccpa_7102 for 2026"));
    assert!(
        trail.contains("Register of requests exported (4 case(s))"),
        "{trail}"
    );
}
