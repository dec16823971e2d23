//! The JSON API's fulfilment and reporting calls: the systems inventory,
//! tasks across cases and their answers, the register of requests as CSV
//! and the dashboard's figures, with their bad inputs.

use reqwest::Method;
use rightsdesk::db;
use serde_json::{json, Value};

use crate::api_v1::{act, ada, call, get, post, token};
use crate::helpers::{spawn_app, TestApp};

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    let (status, _, json) = call(app, Method::PUT, path, Some(token), Some(body)).await;
    (status, json)
}

fn crm() -> Value {
    json!({
        "name": "CRM",
        "owner": "crm-owner@example.org",
        "rights": ["access", "erasure"],
        "retention_note": "Six years after the last order"
    })
}

#[tokio::test]
async fn a_token_that_may_keep_systems_adds_changes_and_retires_them() {
    let app = spawn_app().await;
    let keeper = token(&app, "systems read");
    let reader = token(&app, "read act");

    let response = app
        .client
        .post(app.url("/api/v1/systems"))
        .bearer_auth(&keeper)
        .json(&crm())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let added: Value = response.json().await.unwrap();
    let id = added["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/systems/{id}"));
    assert_eq!(added["rights"], json!(["access", "erasure"]));
    assert_eq!(added["external_recipient"], false);
    assert_eq!(added["active"], true);

    // Read with the read scope; the same system at its address.
    let (status, list) = get(&app, "/api/v1/systems", &reader).await;
    assert_eq!(status, 200);
    assert_eq!(list["systems"].as_array().unwrap().len(), 1);
    let (status, one) = get(&app, &location, &reader).await;
    assert_eq!(status, 200);
    assert_eq!(one["owner"], "crm-owner@example.org");

    // A PUT replaces it whole: an external recipient now, out of use.
    let mut changed = crm();
    changed["name"] = json!("CRM (legacy)");
    changed["external_recipient"] = json!(true);
    changed["active"] = json!(false);
    let (status, now) = put(&app, &location, &keeper, changed).await;
    assert_eq!(status, 200, "{now}");
    assert_eq!(now["name"], "CRM (legacy)");
    assert_eq!(now["external_recipient"], true);
    assert_eq!(now["active"], false);
    // The admin page shows what the token did.
    let admin = app
        .staff("dpo@example.org", rightsdesk::domain::Role::Admin)
        .await;
    assert!(admin.page("/staff/systems").await.contains("CRM (legacy)"));

    // The trail records each change as the token's, and each read.
    let trail = app.db(db::events::list_admin);
    let by_token = |kind: &str| {
        trail
            .iter()
            .filter(|e| e.kind == kind && e.actor.starts_with("api_token:"))
            .count()
    };
    assert_eq!(by_token("system_added"), 1);
    assert_eq!(by_token("system_changed"), 1);
    assert_eq!(by_token("api_read"), 2);
}

#[tokio::test]
async fn bad_systems_are_refused_field_by_field_and_change_nothing() {
    let app = spawn_app().await;
    let keeper = token(&app, "systems");
    let reader = token(&app, "read act intake");
    let (status, first) = post(&app, "/api/v1/systems", &keeper, crm()).await;
    assert_eq!(status, 201, "{first}");
    let path = format!("/api/v1/systems/{}", first["id"]);

    // Scopes: reading needs read; keeping needs systems, even for act.
    let (status, problem) = post(&app, "/api/v1/systems", &reader, crm()).await;
    assert_eq!(status, 403);
    assert_eq!(problem["type"], "urn:rightsdesk:problem:scope");
    assert!(problem["detail"].as_str().unwrap().contains("'systems'"));
    let (status, _) = get(&app, "/api/v1/systems", &keeper).await;
    assert_eq!(status, 403);

    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"name": "", "owner": "a@example.org", "rights": ["access"]}),
            422,
            "name",
        ),
        (
            json!({"name": "X", "owner": "not an address", "rights": ["access"]}),
            422,
            "owner",
        ),
        (
            json!({"name": "X", "owner": "a@example.org", "rights": []}),
            422,
            "rights",
        ),
        (
            json!({"name": "X", "owner": "a@example.org", "rights": ["flying"]}),
            422,
            "rights",
        ),
        (
            json!({"name": "X", "owner": "a@example.org", "rights": ["access"], "retention_note": "x".repeat(1001)}),
            422,
            "retention_note",
        ),
        (
            json!({"name": "X", "owner": "a@example.org", "rights": ["access"], "active": false}),
            422,
            "active",
        ),
        (
            json!({"name": "X", "owner": "a@example.org", "rights": ["access"], "colour": "red"}),
            400,
            "",
        ),
        (json!({"name": "X", "rights": ["access"]}), 400, ""),
        (json!(["a list"]), 400, ""),
    ];
    for (body, want, field) in cases {
        let (status, problem) = post(&app, "/api/v1/systems", &keeper, body.clone()).await;
        assert_eq!(status, want, "{body} → {problem}");
        if !field.is_empty() {
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        }
    }
    // The same name twice is a conflict, on adding and on changing.
    let (status, problem) = post(&app, "/api/v1/systems", &keeper, crm()).await;
    assert_eq!(status, 409, "{problem}");
    let mut other = crm();
    other["name"] = json!("Billing");
    let (status, billing) = post(&app, "/api/v1/systems", &keeper, other).await;
    assert_eq!(status, 201);
    let (status, _) = put(
        &app,
        &format!("/api/v1/systems/{}", billing["id"]),
        &keeper,
        crm(),
    )
    .await;
    assert_eq!(status, 409);

    // Unknown, malformed and wrongly-sent addresses.
    let (status, _) = put(&app, "/api/v1/systems/9999", &keeper, crm()).await;
    assert_eq!(status, 404);
    let (status, _) = get(&app, "/api/v1/systems/9999", &reader).await;
    assert_eq!(status, 404);
    let (status, problem) = get(&app, "/api/v1/systems/crm", &reader).await;
    assert_eq!(status, 400, "{problem}");
    let (status, _, _) = call(&app, Method::DELETE, &path, Some(&keeper), None).await;
    assert_eq!(status, 405);
    let response = app
        .client
        .post(app.url("/api/v1/systems"))
        .bearer_auth(&keeper)
        .header("content-type", "text/plain")
        .body("name=CRM")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);

    // Too large a body, and no token or a made-up one, on every new call.
    let mut huge = crm();
    huge["retention_note"] = json!("x".repeat(70 * 1024));
    let (status, problem) = post(&app, "/api/v1/systems", &keeper, huge).await;
    assert_eq!(status, 413, "{problem}");
    for (method, path) in [
        (Method::GET, "/api/v1/systems"),
        (Method::POST, "/api/v1/systems"),
        (Method::PUT, path.as_str()),
        (Method::GET, "/api/v1/tasks"),
        (Method::GET, "/api/v1/tasks/1"),
        (Method::POST, "/api/v1/tasks/1/answer"),
        (Method::GET, "/api/v1/dashboard"),
        (Method::GET, "/api/v1/reports/register"),
    ] {
        let (status, content_type, _) = call(&app, method.clone(), path, None, Some(crm())).await;
        assert_eq!(status, 401, "{method} {path}");
        assert_eq!(content_type, "application/problem+json");
        let (status, _, _) =
            call(&app, method.clone(), path, Some("rdk_madeup"), Some(crm())).await;
        assert_eq!(status, 401, "{method} {path} with a made-up token");
    }

    let systems = app.db(db::systems::all);
    assert_eq!(systems.len(), 2, "only the two good ones were added");
    assert!(systems.iter().all(|s| s.active));
}

/// Two systems through the API, and a request filed and verified through
/// it, so that its tasks are made: CRM for both rights, Billing for the
/// erasure.
async fn verified_case_with_tasks(app: &TestApp, token: &str) -> String {
    let (status, _) = post(app, "/api/v1/systems", token, crm()).await;
    assert_eq!(status, 201);
    let billing = json!({"name": "Billing", "owner": "billing@payco.example", "rights": ["erasure"], "external_recipient": true});
    let (status, _) = post(app, "/api/v1/systems", token, billing).await;
    assert_eq!(status, 201);
    let (status, filed) = post(app, "/api/v1/requests", token, ada()).await;
    assert_eq!(status, 201, "{filed}");
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let (status, case) = act(
        app,
        &reference,
        token,
        json!({"action": "verify_identity", "method": "documents", "on": "2026-03-25"}),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    reference
}

#[tokio::test]
async fn systems_follow_their_tasks_and_answer_them_through_the_api() {
    let app = spawn_app().await;
    let token = token(&app, "systems intake read act");
    let reference = verified_case_with_tasks(&app, &token).await;
    app.wait_for_email_to("crm-owner@example.org", "Erasure in CRM")
        .await;

    // Three open tasks, due first first, a page at a time.
    let (status, page) = get(&app, "/api/v1/tasks?limit=2", &token).await;
    assert_eq!(status, 200, "{page}");
    let tasks = page["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    assert!(tasks.iter().all(|t| t["case"] == reference.as_str()));
    assert!(tasks
        .iter()
        .all(|t| t["answer"].is_null() && t["overdue"] == false));
    let next = page["next"].as_str().unwrap();
    let (_, rest) = get(&app, &format!("/api/v1/tasks?limit=2&after={next}"), &token).await;
    assert_eq!(rest["tasks"].as_array().unwrap().len(), 1);
    assert!(rest["next"].is_null());

    // One system's own tasks.
    let systems = app.db(db::systems::all);
    let billing = systems.iter().find(|s| s.spec.name == "Billing").unwrap();
    let (_, own) = get(
        &app,
        &format!("/api/v1/tasks?system={}", billing.id.0),
        &token,
    )
    .await;
    let own = own["tasks"].as_array().unwrap().clone();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["right"], "erasure");
    assert_eq!(own[0]["system"], "Billing");
    let task = own[0]["id"].as_i64().unwrap();
    let answer_path = format!("/api/v1/tasks/{task}/answer");

    // Keeping data needs its legal basis; not possible needs a reason.
    let (status, problem) = post(&app, &answer_path, &token, json!({"answer": "kept"})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "basis");
    let (status, problem) = post(
        &app,
        &answer_path,
        &token,
        json!({"answer": "not_possible"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "note");
    let (status, problem) = post(&app, &answer_path, &token, json!({"answer": "maybe"})).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "answer");
    let (status, _) = post(
        &app,
        &answer_path,
        &token,
        json!({"answer": "done", "by": "me"}),
    )
    .await;
    assert_eq!(status, 400);

    let (status, answered) = post(
        &app,
        &answer_path,
        &token,
        json!({"answer": "kept", "basis": "Tax law: invoices kept 6 years", "note": "Invoices only"}),
    )
    .await;
    assert_eq!(status, 200, "{answered}");
    assert_eq!(answered["answer"], "kept");
    assert_eq!(answered["basis"], "Tax law: invoices kept 6 years");
    assert!(answered["answered_by"]
        .as_str()
        .unwrap()
        .starts_with("api_token:"));
    // Once only.
    let (status, problem) = post(&app, &answer_path, &token, json!({"answer": "done"})).await;
    assert_eq!(status, 409, "{problem}");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("already answered"));
    let (status, _) = post(
        &app,
        "/api/v1/tasks/99999/answer",
        &token,
        json!({"answer": "done"}),
    )
    .await;
    assert_eq!(status, 404);

    // The case shows its tasks and their answers; the trail the token.
    let (_, case) = get(&app, &format!("/api/v1/cases/{reference}"), &token).await;
    let case_tasks = case["tasks"].as_array().unwrap();
    assert_eq!(case_tasks.len(), 3);
    assert_eq!(
        case_tasks.iter().filter(|t| t["answer"] == "kept").count(),
        1
    );
    let kinds = app.event_kinds(&reference);
    assert!(kinds.contains(&"task_answered".to_owned()), "{kinds:?}");
    let (_, one) = get(&app, &format!("/api/v1/tasks/{task}"), &token).await;
    assert_eq!(one["note"], "Invoices only");
    let (_, open) = get(&app, "/api/v1/tasks", &token).await;
    assert_eq!(open["tasks"].as_array().unwrap().len(), 2);
    let (_, done) = get(&app, "/api/v1/tasks?state=answered", &token).await;
    assert_eq!(done["tasks"].as_array().unwrap().len(), 1);
    let (_, all) = get(&app, "/api/v1/tasks?state=all", &token).await;
    assert_eq!(all["tasks"].as_array().unwrap().len(), 3);

    // Bad filters, a reader that may not act, a missing task.
    for query in [
        "state=closed",
        "limit=0",
        "limit=201",
        "after=yesterday",
        "system=crm",
        "colour=red",
    ] {
        let (status, problem) = get(&app, &format!("/api/v1/tasks?{query}"), &token).await;
        assert_eq!(status, 400, "{query}: {problem}");
    }
    let reader = crate::api_v1::token(&app, "read");
    let (status, _) = post(&app, &answer_path, &reader, json!({"answer": "done"})).await;
    assert_eq!(status, 403);
    let (status, _) = get(&app, "/api/v1/tasks/99999", &token).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_withdrawn_case_takes_no_answers_to_its_tasks() {
    let app = spawn_app().await;
    let token = token(&app, "systems intake read act");
    let reference = verified_case_with_tasks(&app, &token).await;
    let (status, case) = act(
        &app,
        &reference,
        &token,
        json!({"action": "withdraw", "body": "The person called to withdraw"}),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    let (_, all) = get(&app, "/api/v1/tasks", &token).await;
    let task = all["tasks"][0]["id"].as_i64().unwrap();
    let (status, problem) = post(
        &app,
        &format!("/api/v1/tasks/{task}/answer"),
        &token,
        json!({"answer": "done"}),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    let answered = app.db(|c| db::tasks::find(c, task)).unwrap();
    assert!(answered.answer.is_none(), "nothing changed");
}

#[tokio::test]
async fn the_register_and_the_dashboard_figures_come_through_the_api() {
    let app = spawn_app().await;
    let token = token(&app, "intake read");
    let mut second = ada();
    second["email"] = json!("grace@example.com");
    second["name"] = json!("Grace Hopper");
    second["rights"] = json!(["access"]);
    second.as_object_mut().unwrap().remove("erasure_ground");
    let mut filed = Vec::new();
    for body in [ada(), second] {
        let (status, case) = post(&app, "/api/v1/requests", &token, body).await;
        assert_eq!(status, 201, "{case}");
        filed.push(case["reference"].as_str().unwrap().to_owned());
    }

    let response = app
        .client
        .get(app.url("/api/v1/reports/register"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "reference,regime,state,rights,received_on,due_on,assignee"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    for reference in &filed {
        assert!(csv.contains(reference.as_str()), "{csv}");
    }
    assert!(
        !csv.contains("Ada") && !csv.contains("@example.com"),
        "no personal data: {csv}"
    );
    let erasures = app
        .client
        .get(app.url("/api/v1/reports/register?right=erasure"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(erasures.lines().count(), 2, "{erasures}");
    assert!(erasures.contains(filed[0].as_str()));
    for query in ["status=nope", "right=flying", "limit=5", "due_within=99999"] {
        let (status, problem) =
            get(&app, &format!("/api/v1/reports/register?{query}"), &token).await;
        assert_eq!(status, 400, "{query}: {problem}");
    }

    let (status, d) = get(&app, "/api/v1/dashboard", &token).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["open"], 2);
    assert_eq!(d["overdue"], 0);
    let count = |list: &str, key: &str, name: &str| {
        d[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x[key] == name)
            .map(|x| x["count"].as_i64().unwrap())
    };
    assert_eq!(count("by_right", "right", "access"), Some(2));
    assert_eq!(count("by_right", "right", "erasure"), Some(1));
    assert_eq!(count("by_right", "right", "portability"), Some(0));
    assert_eq!(count("by_state", "state", "awaiting_identity"), Some(2));
    assert_eq!(count("by_state", "state", "completed"), Some(0));
    let turnaround = d["turnaround"].as_array().unwrap();
    assert!(!turnaround.is_empty());
    assert!(turnaround
        .iter()
        .all(|t| t["closed"] == 0 && t["median_days"].is_null()));
    // Their emails went out (the app's own worker): the form is open.
    assert!(d["mail_waiting"].is_i64(), "{d}");
    assert_eq!(d["request_form_closed"], false);

    // The staff dashboard shows the same figures.
    let admin = app
        .staff("dpo@example.org", rightsdesk::domain::Role::Admin)
        .await;
    let page = admin.page("/staff/dashboard").await;
    assert!(page.contains("Dashboard"), "{page}");

    // Each is in the admin trail as the token's.
    let trail = app.db(db::events::list_admin);
    assert!(trail
        .iter()
        .any(|e| e.kind == "report_made" && e.detail.contains("\"register\"")));
    assert!(trail
        .iter()
        .any(|e| e.kind == "api_read" && e.detail.contains("dashboard")));
    let filer = crate::api_v1::token(&app, "intake");
    let (status, _) = get(&app, "/api/v1/dashboard", &filer).await;
    assert_eq!(status, 403);
}
