//! The JSON API under /api/v1: tokens and their scopes, filing a request,
//! listing and reading cases, and every way a call can be wrong.

use chrono::NaiveDateTime;
use rightsdesk::db;
use rightsdesk::domain::audit::Actor;
use rightsdesk::service::api_tokens;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

fn now(app: &TestApp) -> NaiveDateTime {
    db::timestamp(app.ctx.clock.now())
}

/// A new token with `scopes` ("read intake"), allowed `rate` calls a minute.
pub(crate) fn token_with_rate(app: &TestApp, scopes: &str, rate: u32) -> String {
    let mut conn = app.ctx.pool.get().unwrap();
    api_tokens::create(
        &mut conn,
        &app.ctx.audit_key,
        Actor::CommandLine,
        "Test integration",
        scopes,
        rate,
        now(app),
    )
    .unwrap()
    .unwrap()
    .secret
}

pub(crate) fn token(app: &TestApp, scopes: &str) -> String {
    token_with_rate(app, scopes, 600)
}

pub(crate) async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, String, Value) {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, content_type, json)
}

pub(crate) async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let (status, _, json) = call(app, reqwest::Method::GET, path, Some(token), None).await;
    (status, json)
}

pub(crate) async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    let (status, _, json) = call(app, reqwest::Method::POST, path, Some(token), Some(body)).await;
    (status, json)
}

pub(crate) fn ada() -> Value {
    json!({
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "location": "GB",
        "rights": ["access", "erasure"],
        "erasure_ground": "no_longer_necessary",
        "channel": "phone",
        "received_on": "2026-03-20"
    })
}

#[tokio::test]
async fn a_token_with_intake_files_a_request_that_is_acknowledged_and_audited() {
    let app = spawn_app().await;
    let token = token(&app, "intake read");
    let response = app
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&token)
        .json(&ada())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let filed: Value = response.json().await.unwrap();
    let reference = filed["reference"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/cases/{reference}"));
    assert_eq!(filed["state"], "awaiting_identity");
    assert_eq!(filed["regime"], "uk-gdpr");
    assert_eq!(filed["rights"], json!(["access", "erasure"]));
    assert_eq!(filed["received_on"], "2026-03-20");
    assert_eq!(filed["due_on"], "2026-04-20");

    let case = app.case(&reference);
    assert_eq!(case.channel, "phone");
    assert_eq!(case.received_on, Some("2026-03-20".parse().unwrap()));
    let ack = app
        .wait_for_email_to("ada@example.com", "We have received")
        .await;
    assert!(ack.text.contains("Friday 20 March 2026"), "{}", ack.text);
    // The trail says which token filed it.
    let (status, detail) = get(&app, &location, &token).await;
    assert_eq!(status, 200);
    let entered = &detail["events"][0];
    assert_eq!(entered["kind"], "request_entered");
    assert!(entered["actor"].as_str().unwrap().starts_with("api_token:"));

    // Without a channel, the channel is the API itself.
    let mut body = ada();
    body.as_object_mut().unwrap().remove("channel");
    body["email"] = json!("grace@example.com");
    let (status, filed) = post(&app, "/api/v1/requests", &token, body).await;
    assert_eq!(status, 201);
    let case = app.case(filed["reference"].as_str().unwrap());
    assert_eq!(case.channel, "api");
}

#[tokio::test]
async fn a_case_is_read_whole_with_its_deadline_and_never_an_email_body() {
    let app = spawn_app().await;
    let token = token(&app, "intake read");
    let (_, filed) = post(&app, "/api/v1/requests", &token, ada()).await;
    let reference = filed["reference"].as_str().unwrap();
    app.wait_for_outbox_drained().await;
    let (status, case) = get(&app, &format!("/api/v1/cases/{reference}"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(case["reference"], reference);
    assert_eq!(case["requester"]["name"], "Ada Lovelace");
    assert_eq!(case["requester"]["email"], "ada@example.com");
    assert_eq!(case["channel"], "phone");
    assert_eq!(case["deadline"]["due_on"], "2026-04-20");
    let derivation = case["deadline"]["derivation"].as_array().unwrap();
    assert!(derivation
        .iter()
        .any(|step| step.as_str().unwrap().contains("20 April 2026")));
    let rights: Vec<&str> = case["rights_detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["right"].as_str().unwrap())
        .collect();
    assert_eq!(rights, ["access", "erasure"]);
    assert_eq!(
        case["rights_detail"][1]["request"]["ground"],
        "no_longer_necessary"
    );
    let messages = case["messages"].as_array().unwrap();
    assert!(!messages.is_empty());
    for m in messages {
        assert!(m.get("body_text").is_none() && m.get("body_html").is_none());
        assert_eq!(m["recipient"], "ada@example.com");
    }
    // Times are RFC 3339, in UTC.
    assert!(case["submitted_at"].as_str().unwrap().ends_with('Z'));
    // Reading it is in the case's trail, attributed to the token.
    let kinds = app.event_kinds(reference);
    assert_eq!(kinds.last().unwrap(), "case_viewed");
}

#[tokio::test]
async fn cases_are_listed_most_urgent_first_a_page_at_a_time() {
    let app = spawn_app().await;
    let token = token(&app, "intake read");
    let mut filed = Vec::new();
    for (i, day) in ["2026-03-25", "2026-03-02", "2026-03-16"]
        .iter()
        .enumerate()
    {
        let mut body = ada();
        body["email"] = json!(format!("person{i}@example.com"));
        body["received_on"] = json!(day);
        let (status, case) = post(&app, "/api/v1/requests", &token, body).await;
        assert_eq!(status, 201);
        filed.push(case["reference"].as_str().unwrap().to_owned());
    }
    let (status, first) = get(&app, "/api/v1/cases?limit=2", &token).await;
    assert_eq!(status, 200);
    let refs = |page: &Value| -> Vec<String> {
        page["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["reference"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(refs(&first), [filed[1].clone(), filed[2].clone()]);
    let next = first["next"].as_str().unwrap();
    let (status, second) = get(&app, &format!("/api/v1/cases?limit=2&after={next}"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(refs(&second), [filed[0].clone()]);
    assert!(second["next"].is_null());

    // Filters and a search.
    let (_, none) = get(&app, "/api/v1/cases?right=portability", &token).await;
    assert_eq!(refs(&none), Vec::<String>::new());
    let (_, found) = get(&app, "/api/v1/cases?q=PERSON1@example.com", &token).await;
    assert_eq!(refs(&found), [filed[1].clone()]);
    let (_, found) = get(&app, &format!("/api/v1/cases?q={}", filed[2]), &token).await;
    assert_eq!(refs(&found), [filed[2].clone()]);
    let (_, overdue) = get(&app, "/api/v1/cases?overdue=true", &token).await;
    assert_eq!(refs(&overdue), Vec::<String>::new());

    // Each list is in the admin trail, with the token and what it found.
    let listed = app.db(db::events::list_admin);
    let lists: Vec<_> = listed
        .iter()
        .filter(|e| e.kind == "api_cases_listed")
        .collect();
    assert_eq!(lists.len(), 6);
    assert!(lists.iter().all(|e| e.actor.starts_with("api_token:")));
    assert!(lists[3].detail.contains("\"search\":\"email\""));
}

#[tokio::test]
async fn calls_without_a_valid_token_or_scope_are_refused_with_problem_details() {
    let app = spawn_app().await;
    let read = token(&app, "read");
    // Only its hash is stored.
    let stored =
        app.db(|conn| db::api_tokens::find_live_by_hash(conn, &rightsdesk::secret::hash(&read)));
    assert!(stored.is_some());
    // No token, a malformed one, an unknown one.
    for bad in [
        None,
        Some("nonsense"),
        Some("rdk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let (status, content_type, problem) =
            call(&app, reqwest::Method::GET, "/api/v1/cases", bad, None).await;
        assert_eq!(status, 401, "{bad:?}");
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(problem["status"], 401);
        assert!(problem["detail"].as_str().unwrap().contains("token"));
    }
    let response = app
        .client
        .get(app.url("/api/v1/cases"))
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer realm=\"rightsdesk\""
    );

    // A read token cannot file, whatever it sends.
    let (status, problem) = post(&app, "/api/v1/requests", &read, json!({})).await;
    assert_eq!(status, 403);
    assert_eq!(problem["type"], "urn:rightsdesk:problem:scope");
    assert!(problem["detail"].as_str().unwrap().contains("'intake'"));
    // An intake token cannot read.
    let intake = token(&app, "intake");
    let (status, _) = get(&app, "/api/v1/cases", &intake).await;
    assert_eq!(status, 403);
    let (_, filed) = post(&app, "/api/v1/requests", &intake, ada()).await;
    let path = format!("/api/v1/cases/{}", filed["reference"].as_str().unwrap());
    assert_eq!(get(&app, &path, &intake).await.0, 403);
    assert_eq!(get(&app, &path, &read).await.0, 200);

    // A revoked token stops working at once.
    let id = app.db(db::api_tokens::list)[0].id;
    let mut conn = app.ctx.pool.get().unwrap();
    assert!(api_tokens::revoke(
        &mut conn,
        &app.ctx.audit_key,
        Actor::CommandLine,
        id,
        now(&app)
    )
    .unwrap());
    drop(conn);
    let revoked = app.db(|conn| db::api_tokens::find(conn, id)).unwrap();
    assert!(revoked.revoked_at.is_some());
    let still: Vec<_> = [read.as_str(), intake.as_str()]
        .iter()
        .map(|t| t.to_string())
        .collect();
    let mut codes = Vec::new();
    for t in &still {
        codes.push(get(&app, "/api/v1/cases?status=all", t).await.0);
    }
    // The newest token (intake) was revoked: 401 for it, 200 for read.
    assert_eq!(codes, [200, 401]);
}

#[tokio::test]
async fn bad_bodies_and_queries_get_clear_4xx_problems_and_store_nothing() {
    let app = spawn_app().await;
    let token = token(&app, "intake read");
    let cases = app.case_count();

    // Not JSON, or not this shape.
    let r = app
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("name=Ada")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
    let r = app
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let mut unknown = ada();
    unknown["favourite_colour"] = json!("blue");
    let (status, problem) = post(&app, "/api/v1/requests", &token, unknown).await;
    assert_eq!(status, 400);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("favourite_colour"));
    let (status, _) = post(&app, "/api/v1/requests", &token, json!([1, 2])).await;
    assert_eq!(status, 400);

    // Too large: refused before it is read.
    let mut huge = ada();
    huge["description"] = json!("x".repeat(300_000));
    let (status, problem) = post(&app, "/api/v1/requests", &token, huge).await;
    assert_eq!(status, 413);
    assert_eq!(problem["status"], 413);

    // Each field at fault is named.
    let (status, problem) = post(
        &app,
        "/api/v1/requests",
        &token,
        json!({"name": " ", "email": "not an address", "location": "Atlantis", "rights": ["flying"]}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["type"], "urn:rightsdesk:problem:validation");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["name", "email", "location", "rights"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let mut future = ada();
    future["received_on"] = json!("2026-04-01");
    future["channel"] = json!("web");
    let (status, problem) = post(&app, "/api/v1/requests", &token, future).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["channel", "received_on"]);
    let mut bad_date = ada();
    bad_date["received_on"] = json!("31/03/2026");
    assert_eq!(
        post(&app, "/api/v1/requests", &token, bad_date).await.0,
        400
    );
    assert_eq!(app.case_count(), cases);

    // Queries.
    for query in [
        "limit=0",
        "limit=101",
        "limit=x",
        "status=lost",
        "right=flying",
        "right=",
        "status=",
        "regime=mars",
        "assignee=somebody",
        "q=not-a-reference",
        "after=garbage",
        "due_within=99999",
        "colour=blue",
    ] {
        let (status, problem) = get(&app, &format!("/api/v1/cases?{query}"), &token).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(problem["status"], 400, "{query}");
    }
    assert_eq!(get(&app, "/api/v1/cases/RD-ZZZZ-ZZZZ", &token).await.0, 404);
    assert_eq!(
        get(&app, "/api/v1/cases/not%20a%20reference", &token)
            .await
            .0,
        404
    );
    let (status, problem) = get(&app, "/api/v1/nowhere", &token).await;
    assert_eq!(status, 404);
    assert_eq!(problem["status"], 404);
    // A method an address does not take: 405, with the one it does.
    let r = app
        .client
        .delete(app.url("/api/v1/cases"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(r.headers()["allow"], "GET");
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // Empty free-text parameters count as not given.
    assert_eq!(
        get(&app, "/api/v1/cases?q=&after=&assignee=", &token)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn each_token_is_held_to_its_own_calls_a_minute() {
    let app = spawn_app().await;
    let slow = token_with_rate(&app, "read", 3);
    let other = token(&app, "read");
    for _ in 0..3 {
        assert_eq!(get(&app, "/api/v1/cases", &slow).await.0, 200);
    }
    let response = app
        .client
        .get(app.url("/api/v1/cases"))
        .bearer_auth(&slow)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    // Another token is not slowed by it.
    assert_eq!(get(&app, "/api/v1/cases", &other).await.0, 200);
}

#[tokio::test]
async fn the_openapi_document_is_served_and_lists_every_call() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status().as_u16(), 200);
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/requests"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/cases"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/cases/{reference}"]["get"].is_object());
    // And a page for people, made from it.
    let page = app.get("/api/v1/docs").await;
    assert_eq!(page.status().as_u16(), 200);
    let page = page.text().await.unwrap();
    for call in [
        "POST /api/v1/requests",
        "GET /api/v1/cases",
        "GET /api/v1/cases/{reference}",
    ] {
        assert!(page.contains(call), "{call}");
    }
    assert!(page.contains("id=\"schema-NewRequestBody\""));
}

#[tokio::test]
async fn tokens_are_made_listed_and_revoked_at_the_command_line() {
    let app = spawn_app().await;
    let (code, err) = app.cli(&[
        "token",
        "create",
        "--name",
        "Privacy centre",
        "--scope",
        "intake",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("shown only now"), "{err}");
    let tokens = app.db(db::api_tokens::list);
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].name, "Privacy centre");
    assert_eq!(tokens[0].scopes.to_string(), "intake");
    let id = tokens[0].id.0.to_string();
    let (code, err) = app.cli(&["token", "create", "--name", "X", "--scope", "write"]);
    assert_ne!(code, 0);
    assert!(err.contains("unknown scope 'write'"), "{err}");
    let (code, err) = app.cli(&["token", "create", "--name", "  ", "--scope", "read"]);
    assert_ne!(code, 0);
    assert!(err.contains("name"), "{err}");
    let (code, err) = app.cli(&["token", "revoke", &id]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = app.cli(&["token", "revoke", &id]);
    assert_ne!(code, 0);
    assert!(err.contains("no live API token"), "{err}");
    let trail = app.db(db::events::list_admin);
    let kinds: Vec<&str> = trail.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.contains(&"api_token_created") && kinds.contains(&"api_token_revoked"));
}

/// The token shown on the page just after it was made.
fn shown_token(page: &str) -> String {
    let start =
        page.find("id=\"new-token\">").expect("a token is shown") + "id=\"new-token\">".len();
    page[start..].split('<').next().unwrap().to_owned()
}

#[tokio::test]
async fn admins_make_a_token_in_the_app_see_it_once_and_revoke_it() {
    use rightsdesk::domain::Role;
    let app = spawn_app().await;
    let admin = app.staff("admin@example.org", Role::Admin).await;
    let page = admin.page("/staff/tokens").await;
    assert!(page.contains("No tokens yet"));

    // A token needs a name, a scope and a sensible rate; what was typed stays.
    let r = admin
        .post(
            "/staff/tokens",
            &[("name", "Privacy centre"), ("rate_per_minute", "600")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("at least one scope"), "{page}");
    assert!(page.contains("value=\"Privacy centre\""));
    let r = admin
        .post(
            "/staff/tokens",
            &[
                ("name", "Privacy centre"),
                ("scopes", "intake"),
                ("rate_per_minute", "lots"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("whole number"));

    let r = admin
        .post(
            "/staff/tokens",
            &[
                ("name", "Privacy centre"),
                ("scopes", "intake"),
                ("scopes", "read"),
                ("rate_per_minute", "120"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let token = shown_token(&r.text().await.unwrap());
    assert!(token.starts_with("rdk_"));
    // Shown once: the list never shows it again.
    let page = admin.page("/staff/tokens").await;
    assert!(!page.contains(&token));
    assert!(page.contains("Privacy centre") && page.contains("read intake"));
    assert!(page.contains(">never<"));
    assert_eq!(get(&app, "/api/v1/cases", &token).await.0, 200);
    // Its use is recorded.
    assert!(!admin.page("/staff/tokens").await.contains(">never<"));

    // Agents cannot see or make tokens.
    let agent = app.staff("agent@example.org", Role::Agent).await;
    assert_eq!(agent.get("/staff/tokens").await.status().as_u16(), 403);
    let r = agent
        .post(
            "/staff/tokens",
            &[
                ("name", "Mine"),
                ("scopes", "read"),
                ("rate_per_minute", "60"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);

    let id = app.db(db::api_tokens::list)[0].id.0;
    let r = agent.post(&format!("/staff/tokens/{id}/revoke"), &[]).await;
    assert_eq!(r.status().as_u16(), 403);
    let r = admin.post(&format!("/staff/tokens/{id}/revoke"), &[]).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap().contains("Token revoked"));
    assert_eq!(get(&app, "/api/v1/cases", &token).await.0, 401);
    // Revoking again, or a token that never was: not found.
    let r = admin.post(&format!("/staff/tokens/{id}/revoke"), &[]).await;
    assert_eq!(r.status().as_u16(), 404);
    let r = admin.post("/staff/tokens/99999/revoke", &[]).await;
    assert_eq!(r.status().as_u16(), 404);
    let trail = admin.page("/staff/audit").await;
    assert!(
        trail.contains("API token") && trail.contains("revoked"),
        "{trail}"
    );
}

pub(crate) async fn act(app: &TestApp, reference: &str, token: &str, body: Value) -> (u16, Value) {
    post(
        app,
        &format!("/api/v1/cases/{reference}/actions"),
        token,
        body,
    )
    .await
}

#[tokio::test]
async fn a_token_that_may_act_works_a_case_from_filing_to_its_answer() {
    use rightsdesk::domain::Role;
    let app = spawn_app().await;
    let token = token(&app, "intake read act");
    let agent_id = app.add_staff("agent@example.org", Role::Agent);
    let (_, filed) = post(&app, "/api/v1/requests", &token, ada()).await;
    let reference = filed["reference"].as_str().unwrap().to_owned();

    let (status, case) = act(
        &app,
        &reference,
        &token,
        json!({"action": "assign", "assignee": agent_id.0}),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["assignee"], "agent");
    let (status, _) = act(
        &app,
        &reference,
        &token,
        json!({"action": "note", "body": "Called back to check the spelling"}),
    )
    .await;
    assert_eq!(status, 200);

    // Not allowed yet: answering before identity is verified.
    let (status, problem) = act(
        &app,
        &reference,
        &token,
        json!({"action": "complete", "message": "Here it is"}),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["type"], "urn:rightsdesk:problem:refused");
    assert!(problem["detail"].as_str().unwrap().len() > 10);

    let (status, case) = act(
        &app,
        &reference,
        &token,
        json!({"action": "verify_identity", "method": "documents", "on": "2026-03-25"}),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["state"], "in_progress");
    // Identity was never asked for, so the clock ran from receipt.
    assert_eq!(case["due_on"], "2026-04-20");

    let (status, case) = act(
        &app,
        &reference,
        &token,
        json!({"action": "extend", "reason": "complex", "message": "Your request covers many systems."}),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    assert!(case["due_on"].as_str().unwrap() > "2026-06-01", "{case}");
    app.wait_for_email_to("ada@example.com", "more time").await;

    for right in ["access", "erasure"] {
        let (status, problem) = act(
            &app,
            &reference,
            &token,
            json!({"action": "record_outcome", "right": right, "outcome": "fulfilled"}),
        )
        .await;
        assert_eq!(status, 200, "{right}: {problem}");
    }
    let (status, case) = act(
        &app,
        &reference,
        &token,
        json!({"action": "complete", "message": "Everything we hold is attached."}),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["state"], "completed");

    // The trail names the token for each action; the note is the token's.
    let kinds = app.event_kinds(&reference);
    for kind in [
        "assigned",
        "note_added",
        "identity_verified",
        "deadline_extended",
        "case_completed",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    let (_, detail) = get(&app, &format!("/api/v1/cases/{reference}"), &token).await;
    let by_token = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"].as_str().unwrap().starts_with("api_token:"))
        .count();
    assert!(by_token >= 8, "{by_token} events by the token");
    let admin = app.staff("admin@example.org", Role::Admin).await;
    let page = admin.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("Called back to check the spelling"));
    let token_id = app.db(db::api_tokens::list)[0].id.0;
    assert!(
        page.contains(&format!("API token {token_id}")),
        "who acted is shown"
    );
}

#[tokio::test]
async fn actions_that_are_wrong_or_not_allowed_change_nothing() {
    let app = spawn_app().await;
    let token = token(&app, "intake read act");
    let read_only = token_with_rate(&app, "read", 600);
    let (_, filed) = post(&app, "/api/v1/requests", &token, ada()).await;
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let events = app.event_kinds(&reference).len();
    let mails = app.outbox_count();

    let (status, _) = act(
        &app,
        &reference,
        &read_only,
        json!({"action": "note", "body": "x"}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = act(
        &app,
        "RD-ZZZZ-ZZZZ",
        &token,
        json!({"action": "note", "body": "x"}),
    )
    .await;
    assert_eq!(status, 404);
    for (body, want) in [
        (json!({"action": "fly"}), 422),
        (json!({"action": "note"}), 422),
        (json!({"action": "note", "body": "   "}), 422),
        (
            json!({"action": "extend", "reason": "bored", "message": "x"}),
            422,
        ),
        (
            json!({"action": "verify_identity", "method": "documents", "on": "2027-01-01"}),
            422,
        ),
        (
            json!({"action": "refuse", "ground": "because", "message": "No."}),
            409,
        ),
        (json!({"action": "assign", "assignee": 424242}), 409),
        (json!({"action": "reopen", "body": "why not"}), 409),
        (
            json!({"action": "note", "body": "x", "colour": "blue"}),
            400,
        ),
        (json!({"body": "x"}), 400),
    ] {
        let (status, problem) = act(&app, &reference, &token, body.clone()).await;
        assert_eq!(status, want, "{body}: {problem}");
        assert_eq!(problem["status"], want);
    }
    assert_eq!(app.event_kinds(&reference).len(), events);
    assert_eq!(app.outbox_count(), mails);
}
