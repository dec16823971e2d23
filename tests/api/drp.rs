//! The Data Rights Protocol, from an authorised agent's side: a client
//! written here from the specification (0.9.4, section 3.07: Ed25519
//! signature prepended to the JSON, base64, text/plain) registers, sets up
//! its token, files requests, follows them through status callbacks to
//! their end, revokes one, and is refused for expired, mis-signed and
//! foreign requests.

use std::sync::{Arc, Mutex};

use base64::Engine;
use chrono::{Duration, Utc};
use ed25519_dalek::{Signer, SigningKey};
use rightsdesk::domain::audit::Actor;
use serde_json::{json, Value};

use crate::helpers::{default_now, spawn_app_with, TestApp};
use crate::webhooks::{receiver, wait_for, Received};

const BUSINESS: &str = "acme-corp";

/// An authorised agent: its id, its signing key, its bearer token.
struct DrpAgent {
    id: String,
    key: SigningKey,
    token: Option<String>,
}

impl DrpAgent {
    fn new(id: &str) -> DrpAgent {
        let seed: [u8; 32] = rand::random();
        DrpAgent {
            id: id.into(),
            key: SigningKey::from_bytes(&seed),
            token: None,
        }
    }

    fn verify_key(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.key.verifying_key().as_bytes())
    }

    /// Signs `message` in libsodium's combined mode: signature, then the
    /// message, base64-encoded.
    fn sign(&self, message: &Value) -> String {
        let json = message.to_string();
        let mut bytes = self.key.sign(json.as_bytes()).to_bytes().to_vec();
        bytes.extend_from_slice(json.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// The envelope every message carries, issued now for ten minutes.
    fn envelope(&self) -> Value {
        let now = default_now();
        json!({
            "agent-id": self.id,
            "business-id": BUSINESS,
            "issued-at": (now - Duration::seconds(5)).to_rfc3339(),
            "expires-at": (now + Duration::minutes(10)).to_rfc3339(),
            "drp.version": "0.9.4",
        })
    }

    fn exercise(&self, exercise: &str, email: &str, callback: &str) -> Value {
        let mut m = self.envelope();
        let claims = json!({
            "exercise": exercise,
            "regime": "ccpa",
            "relationships": ["customer"],
            "status_callback": callback,
            "name": "Carmen Reyes",
            "email": email,
            "email_verified": true,
            "phone_number": "+14155550123",
            "phone_number_verified": false,
            "address": {"formatted": "1 Market St\nSan Francisco, CA 94105", "country": "US"},
            "address_verified": true,
        });
        m.as_object_mut()
            .unwrap()
            .extend(claims.as_object().unwrap().clone());
        m
    }

    async fn send(
        &self,
        app: &TestApp,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
    ) -> (u16, String) {
        let mut request = app.client.request(method, app.url(path));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.header("content-type", "text/plain").body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    async fn pair(&mut self, app: &TestApp) {
        let body = self.sign(&self.envelope());
        let (status, text) = self
            .send(
                app,
                reqwest::Method::POST,
                &format!("/v1/agent/{}", self.id),
                Some(body),
            )
            .await;
        assert_eq!(status, 200, "{text}");
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(answer["agent-id"], self.id);
        self.token = Some(answer["token"].as_str().unwrap().to_owned());
    }

    async fn file(&self, app: &TestApp, message: &Value) -> (u16, Value) {
        let (status, text) = self
            .send(
                app,
                reqwest::Method::POST,
                "/v1/data-rights-request",
                Some(self.sign(message)),
            )
            .await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn status(&self, app: &TestApp, request_id: &str) -> (u16, Value) {
        let (status, text) = self
            .send(
                app,
                reqwest::Method::GET,
                &format!("/v1/data-rights-request/{request_id}"),
                None,
            )
            .await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

async fn drp_app() -> TestApp {
    spawn_app_with(default_now(), |s| s.drp.business_id = BUSINESS.into()).await
}

fn register(app: &TestApp, agent: &DrpAgent) {
    let mut conn = app.ctx.pool.get().unwrap();
    rightsdesk::service::drp::register_agent(
        &mut conn,
        &app.ctx.audit_key,
        Actor::CommandLine,
        &agent.id,
        "Presto Privacy",
        &agent.verify_key(),
        rightsdesk::db::timestamp(Utc::now()),
    )
    .unwrap()
    .unwrap();
}

fn act_token(app: &TestApp) -> String {
    let mut conn = app.ctx.pool.get().unwrap();
    rightsdesk::service::api_tokens::create(
        &mut conn,
        &app.ctx.audit_key,
        Actor::CommandLine,
        "Casework",
        "read act",
        600,
        rightsdesk::db::timestamp(default_now()),
    )
    .unwrap()
    .unwrap()
    .secret
}

async fn act(app: &TestApp, token: &str, reference: &str, body: Value) {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/cases/{reference}/actions")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    assert_eq!(status, 200, "{body}: {}", r.text().await.unwrap());
}

/// The callbacks for one request, as the agent got them.
fn told(got: &Arc<Mutex<Vec<Received>>>, request_id: &str) -> Vec<Value> {
    got.lock()
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str::<Value>(&r.body).unwrap())
        .filter(|v| v["request_id"] == request_id)
        .collect()
}

async fn wait_told(got: &Arc<Mutex<Vec<Received>>>, request_id: &str, status: &str) -> Vec<Value> {
    for _ in 0..200 {
        let now = told(got, request_id);
        if now.iter().any(|v| v["status"] == status) {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "no {status} callback for {request_id}: {:?}",
        told(got, request_id)
    );
}

#[tokio::test]
async fn an_agent_files_follows_and_revokes_requests_through_the_protocol() {
    let app = drp_app().await;
    let (callback, got) = receiver(vec![503]);
    let mut agent = DrpAgent::new("presto-privacy");
    register(&app, &agent);
    agent.pair(&app).await;
    // The token works for the agent it was given to.
    let (status, text) = agent
        .send(&app, reqwest::Method::GET, "/v1/agent/presto-privacy", None)
        .await;
    assert_eq!((status, text.as_str()), (200, "{}"));

    // An opt-out of sale: a case under the CCPA, in progress at once.
    let opt_out = agent.exercise("sale:opt-out", "carmen@example.org", &callback);
    let (status, filed) = agent.file(&app, &opt_out).await;
    assert_eq!(status, 200, "{filed}");
    assert_eq!(filed["status"], "in_progress");
    let opt_out_id = filed["request_id"].as_str().unwrap().to_owned();
    assert_eq!(opt_out_id.len(), 36, "a UUID: {filed}");
    assert!(filed["expected_by"].is_string(), "{filed}");
    // The same message again is the same request, not a second one.
    let cases_before = app.case_count();
    let (status, again) = agent.file(&app, &opt_out).await;
    assert_eq!((status, &again["request_id"]), (200, &filed["request_id"]));
    assert_eq!(app.case_count(), cases_before);

    let mut deletion = agent.exercise("deletion", "carmen@example.org", &callback);
    deletion["agent-request-id"] = json!("presto-42");
    let (status, filed) = agent.file(&app, &deletion).await;
    assert_eq!(status, 200, "{filed}");
    assert_eq!(filed["agent_request_id"], "presto-42");
    let deletion_id = filed["request_id"].as_str().unwrap().to_owned();

    let access = agent.exercise("access:specific", "carmen@example.org", &callback);
    let (_, filed) = agent.file(&app, &access).await;
    let access_id = filed["request_id"].as_str().unwrap().to_owned();

    // The cases: the person, the law, the channel, what the agent attests.
    let references: Vec<String> = app.db(|conn| {
        use diesel::prelude::*;
        use rightsdesk::db::schema::{cases, drp_requests};
        Ok(drp_requests::table
            .inner_join(cases::table)
            .order(drp_requests::id)
            .select(cases::reference)
            .load::<String>(conn)?)
    });
    assert_eq!(references.len(), 3);
    let case = app.case(&references[0]);
    assert_eq!(case.regime.key(), "ccpa");
    assert_eq!(case.channel, "drp");
    assert_eq!(case.requester_email, "carmen@example.org");
    let description = case.description.unwrap();
    assert!(description.contains("Presto Privacy"), "{description}");
    assert!(
        description.contains("Email: verified by the agent."),
        "{description}"
    );
    assert!(
        description.contains("+14155550123 (not verified)"),
        "{description}"
    );

    // Staff (here through the API) answer the opt-out: the agent is told
    // it is fulfilled (after its callback address failed once).
    let token = act_token(&app);
    act(
        &app,
        &token,
        &references[0],
        json!({"action": "record_outcome", "right": "opt_out", "outcome": "fulfilled"}),
    )
    .await;
    act(
        &app,
        &token,
        &references[0],
        json!({"action": "complete", "message": "You are opted out."}),
    )
    .await;
    let calls = wait_told(&got, &opt_out_id, "fulfilled").await;
    assert!(calls[0].get("expected_by").is_none(), "{:?}", calls[0]);
    // That first call was answered 503: it is sent again after a wait.
    app.clock.advance(Duration::seconds(6));
    wait_for(&got, 2).await;
    assert_eq!(
        told(&got, &opt_out_id),
        [calls[0].clone(), calls[0].clone()]
    );
    let (status, now) = agent.status(&app, &opt_out_id).await;
    assert_eq!((status, &now["status"]), (200, &json!("fulfilled")));

    // The deletion is verified, extended (told, with the reason) and answered.
    act(
        &app,
        &token,
        &references[1],
        json!({"action": "verify_identity", "method": "known_data_points", "on": "2026-03-31"}),
    )
    .await;
    act(&app, &token, &references[1], json!({"action": "extend", "reason": "reasonably_necessary", "message": "Your data is in many systems."})).await;
    let calls = wait_told(&got, &deletion_id, "in_progress").await;
    assert!(
        calls[0]["processing_details"]
            .as_str()
            .unwrap()
            .contains("extended"),
        "{calls:?}"
    );
    assert_eq!(calls[0]["agent_request_id"], "presto-42");
    act(
        &app,
        &token,
        &references[1],
        json!({"action": "record_outcome", "right": "erasure", "outcome": "fulfilled"}),
    )
    .await;
    act(
        &app,
        &token,
        &references[1],
        json!({"action": "complete", "message": "Deleted."}),
    )
    .await;
    let calls = wait_told(&got, &deletion_id, "fulfilled").await;
    let statuses: Vec<&Value> = calls.iter().map(|c| &c["status"]).collect();
    assert_eq!(statuses, [&json!("in_progress"), &json!("fulfilled")]);

    // The request to know: nothing is asked of the person until staff ask
    // for proof of identity; then the agent is told so.
    let (_, now) = agent.status(&app, &access_id).await;
    assert!(now.get("processing_details").is_none(), "{now}");
    act(
        &app,
        &token,
        &references[2],
        json!({"action": "request_identity", "message": "Please send a copy of a bill."}),
    )
    .await;
    let calls = wait_told(&got, &access_id, "in_progress").await;
    assert!(
        calls[0]["processing_details"]
            .as_str()
            .unwrap()
            .contains("prove their identity"),
        "{calls:?}"
    );

    // The agent revokes the access request: the case is withdrawn.
    let revoke = agent.sign(&json!({"reason": "The person changed their mind"}));
    let (status, text) = agent
        .send(
            &app,
            reqwest::Method::DELETE,
            &format!("/v1/data-rights-request/{access_id}"),
            Some(revoke.clone()),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"revoked\""), "{text}");
    assert_eq!(app.case(&references[2]).state.key(), "withdrawn");
    // Revoking what is over is refused, with the reason.
    let (status, text) = agent
        .send(
            &app,
            reqwest::Method::DELETE,
            &format!("/v1/data-rights-request/{opt_out_id}"),
            Some(revoke),
        )
        .await;
    assert_eq!(status, 409, "{text}");
    assert!(text.contains("fulfilled"), "{text}");
    wait_told(&got, &access_id, "revoked").await;

    // Each request was told each change once (the opt-out twice: the
    // first call failed).
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(told(&got, &opt_out_id).len(), 2);
    assert_eq!(told(&got, &deletion_id).len(), 2);
    assert_eq!(told(&got, &access_id).len(), 2);
    assert_eq!(got.lock().unwrap().len(), 6);

    // The trail: registered, paired; the cases' events are the agent's.
    let kinds = app.event_kinds(&references[2]);
    assert!(
        kinds.iter().any(|k| k == "withdrawal_recorded"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn messages_that_fail_a_check_are_refused_in_the_specifications_order() {
    let app = drp_app().await;
    let mut agent = DrpAgent::new("presto-privacy");
    register(&app, &agent);
    let mut other = DrpAgent::new("other-agent");
    register(&app, &other);

    // Pair-wise set-up signed with the wrong key, for an unknown agent, or
    // expired: 403 with no body.
    let impostor = DrpAgent::new("presto-privacy");
    let (status, text) = impostor
        .send(
            &app,
            reqwest::Method::POST,
            "/v1/agent/presto-privacy",
            Some(impostor.sign(&impostor.envelope())),
        )
        .await;
    assert_eq!((status, text.as_str()), (403, ""));
    let stranger = DrpAgent::new("stranger");
    let (status, _) = stranger
        .send(
            &app,
            reqwest::Method::POST,
            "/v1/agent/stranger",
            Some(stranger.sign(&stranger.envelope())),
        )
        .await;
    assert_eq!(status, 403);
    let mut stale = agent.envelope();
    stale["expires-at"] = json!((default_now() - Duration::minutes(1)).to_rfc3339());
    let (status, _) = agent
        .send(
            &app,
            reqwest::Method::POST,
            "/v1/agent/presto-privacy",
            Some(agent.sign(&stale)),
        )
        .await;
    assert_eq!(status, 403);

    // No token, or a made-up one.
    let good = agent.exercise("deletion", "dana@example.org", "http://127.0.0.1:9/cb");
    let (status, problem) = agent.file(&app, &good).await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(problem["code"], "403");
    agent.token = Some("x".repeat(43));
    assert_eq!(agent.file(&app, &good).await.0, 403);

    agent.pair(&app).await;
    other.pair(&app).await;
    let refused = |status: u16, body: &Value, words: &str| {
        assert_eq!(body["code"], status.to_string(), "{body}");
        assert!(
            body["message"].as_str().unwrap().contains(words),
            "{words}: {body}"
        );
    };
    // Not base64; signed by another key; another agent's message; another
    // business; issued in the future; expired.
    let (status, text) = agent
        .send(
            &app,
            reqwest::Method::POST,
            "/v1/data-rights-request",
            Some("{not signed}".into()),
        )
        .await;
    assert_eq!(status, 400, "{text}");
    let (status, body) = impostor_file(&app, &agent, &good).await;
    assert_eq!(status, 403);
    refused(403, &body, "signature");
    let mut foreign = good.clone();
    foreign["agent-id"] = json!("other-agent");
    let (status, body) = agent.file(&app, &foreign).await;
    refused(status, &body, "agent-id");
    let mut elsewhere = good.clone();
    elsewhere["business-id"] = json!("globex");
    let (status, body) = agent.file(&app, &elsewhere).await;
    refused(status, &body, "business-id");
    let mut future = good.clone();
    future["issued-at"] = json!((default_now() + Duration::hours(1)).to_rfc3339());
    let (status, body) = agent.file(&app, &future).await;
    refused(status, &body, "issued-at");
    let mut expired = good.clone();
    expired["expires-at"] = json!((default_now() - Duration::seconds(1)).to_rfc3339());
    let (status, body) = agent.file(&app, &expired).await;
    assert_eq!(status, 403);
    refused(status, &body, "expired");
    assert_eq!(body["fatal"], true);
    // An action, a regime or claims this side does not take.
    let mut opt_in = good.clone();
    opt_in["exercise"] = json!("sale:opt_in");
    let (status, body) = agent.file(&app, &opt_in).await;
    refused(status, &body, "Unsupported rights action");
    let mut gdpr = good.clone();
    gdpr["regime"] = json!("gdpr");
    let (status, body) = agent.file(&app, &gdpr).await;
    refused(status, &body, "CCPA");
    let mut nameless = good.clone();
    nameless.as_object_mut().unwrap().remove("name");
    nameless["email"] = json!("not an address");
    let (status, body) = agent.file(&app, &nameless).await;
    refused(status, &body, "name");
    assert!(
        body["message"].as_str().unwrap().contains("email"),
        "{body}"
    );
    let mut versionless = good.clone();
    versionless.as_object_mut().unwrap().remove("drp.version");
    assert_eq!(agent.file(&app, &versionless).await.0, 400);
    assert_eq!(app.case_count(), 0, "nothing refused became a case");

    // Another agent cannot read or revoke this agent's request.
    let (status, filed) = agent.file(&app, &good).await;
    assert_eq!(status, 200, "{filed}");
    let id = filed["request_id"].as_str().unwrap();
    let (status, body) = other.status(&app, id).await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = other
        .send(
            &app,
            reqwest::Method::DELETE,
            &format!("/v1/data-rights-request/{id}"),
            Some(other.sign(&json!({}))),
        )
        .await;
    assert_eq!(status, 403);
    // A revoke signed by someone else is refused too.
    let (status, _) = agent
        .send(
            &app,
            reqwest::Method::DELETE,
            &format!("/v1/data-rights-request/{id}"),
            Some(impostor.sign(&json!({}))),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(agent.status(&app, id).await.1["status"], "in_progress");
    assert_eq!(agent.status(&app, "no-such-request").await.0, 404);
    let (status, _) = other
        .send(&app, reqwest::Method::GET, "/v1/agent/presto-privacy", None)
        .await;
    assert_eq!(status, 403, "another agent's id");

    // Turned off by an admin: its token stops working.
    let agent_row = app.db(|conn| {
        Ok(rightsdesk::db::drp::agent_named(conn, "presto-privacy")?
            .unwrap()
            .id)
    });
    let mut conn = app.ctx.pool.get().unwrap();
    rightsdesk::service::drp::set_agent_active(
        &mut conn,
        &app.ctx.audit_key,
        Actor::CommandLine,
        agent_row,
        false,
        rightsdesk::db::timestamp(default_now()),
    )
    .unwrap();
    assert_eq!(agent.status(&app, id).await.0, 403);
}

/// Files `message` with `agent`'s token but signed by another key.
async fn impostor_file(app: &TestApp, agent: &DrpAgent, message: &Value) -> (u16, Value) {
    let forger = DrpAgent {
        id: agent.id.clone(),
        key: SigningKey::from_bytes(&rand::random()),
        token: agent.token.clone(),
    };
    forger.file(app, message).await
}

#[tokio::test]
async fn the_protocol_is_off_until_a_business_id_is_set_and_admins_register_agents() {
    let app = crate::helpers::spawn_app().await;
    let r = app
        .client
        .post(app.url("/v1/data-rights-request"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "404");

    // An admin registers an agent on the page; bad keys are refused there.
    let admin = app
        .staff("admin@example.org", rightsdesk::domain::Role::Admin)
        .await;
    let page = admin.page("/staff/drp").await;
    assert!(page.contains("The DRP endpoints are off"), "{page}");
    let agent = DrpAgent::new("presto-privacy");
    let r = admin
        .post(
            "/staff/drp",
            &[
                ("agent_id", "presto-privacy"),
                ("name", "Presto"),
                ("verify_key", "c2hvcnQ="),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("32 bytes"));
    let key = agent.verify_key();
    let r = admin
        .post(
            "/staff/drp",
            &[
                ("agent_id", "presto-privacy"),
                ("name", "Presto"),
                ("verify_key", &key),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Agent registered") && page.contains("<code>presto-privacy</code>"),
        "{page}"
    );
    let r = admin
        .post(
            "/staff/drp",
            &[
                ("agent_id", "presto-privacy"),
                ("name", "Again"),
                ("verify_key", &key),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422, "the same id twice");
    let trail = admin.page("/staff/audit").await;
    assert!(
        trail.contains("DRP agent presto-privacy (Presto) registered"),
        "{trail}"
    );
}
