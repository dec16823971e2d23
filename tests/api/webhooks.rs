//! Webhooks: an endpoint registered by an admin receives each subscribed
//! event once, signed with its secret, retried after a failure with the
//! same id; a receiver here plays the other system.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use rightsdesk::domain::audit::Actor;
use rightsdesk::domain::Role;
use rightsdesk::service::api_tokens;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::{spawn_app, TestApp};

/// One request the receiver got: its headers (lower-case names) and body.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

/// A plain HTTP receiver on its own thread: it answers each request with
/// the next status of `statuses` (200 once they run out).
pub(crate) fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    std::thread::spawn(move || {
        let mut statuses = statuses.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap();
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
            let length: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .map(|(_, v)| v.parse().unwrap())
                .unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            seen.lock().unwrap().push(Received {
                headers,
                body: String::from_utf8(body).unwrap(),
            });
            let status = statuses.next().unwrap_or(200);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (url, got)
}

pub(crate) async fn wait_for(got: &Arc<Mutex<Vec<Received>>>, n: usize) -> Vec<Received> {
    for _ in 0..200 {
        let now = got.lock().unwrap().clone();
        if now.len() >= n {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the receiver did not get {n} request(s)");
}

fn verify(secret: &str, r: &Received) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(
        format!(
            "{}.{}.{}",
            r.header("webhook-id"),
            r.header("webhook-timestamp"),
            r.body
        )
        .as_bytes(),
    );
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    r.header("webhook-signature")
        .split(' ')
        .any(|s| s == format!("v1,{expected}"))
}

fn intake_token(app: &TestApp) -> String {
    let mut conn = app.ctx.pool.get().unwrap();
    api_tokens::create(
        &mut conn,
        &app.ctx.audit_key,
        Actor::CommandLine,
        "Website",
        "intake act",
        600,
        rightsdesk::db::timestamp(app.ctx.clock.now()),
    )
    .unwrap()
    .unwrap()
    .secret
}

fn secret_on(page: &str) -> String {
    let start = page
        .find("id=\"new-secret\">")
        .expect("the secret is shown")
        + "id=\"new-secret\">".len();
    page[start..].split('<').next().unwrap().to_owned()
}

#[tokio::test]
async fn an_endpoint_gets_each_subscribed_event_once_signed_and_retried_after_a_failure() {
    let app = spawn_app().await;
    let (url, got) = receiver(vec![500]);
    let admin = app.staff("admin@example.org", Role::Admin).await;

    // Bad registrations are refused with what was typed kept.
    let r = admin
        .post(
            "/staff/webhooks",
            &[("url", "ftp://example.org/x"), ("events", "case.created")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let r = admin.post("/staff/webhooks", &[("url", &url)]).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("at least one event"));

    let r = admin
        .post(
            "/staff/webhooks",
            &[
                ("url", &url),
                ("events", "case.created"),
                ("events", "case.completed"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let secret = secret_on(&r.text().await.unwrap());
    assert!(
        !admin.page("/staff/webhooks").await.contains(&secret),
        "shown once"
    );

    // A request filed through the API opens a case: case.created.
    let token = intake_token(&app);
    let response = app
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&token)
        .json(&json!({"name": "Ada Lovelace", "email": "ada@example.com", "location": "GB", "rights": ["access"], "received_on": "2026-03-30"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let filed: Value = response.json().await.unwrap();
    let reference = filed["reference"].as_str().unwrap().to_owned();

    // The first attempt is answered 500...
    let first = wait_for(&got, 1).await;
    assert!(
        verify(&secret, &first[0]),
        "signed with the endpoint's secret"
    );
    let payload: Value = serde_json::from_str(&first[0].body).unwrap();
    assert_eq!(payload["type"], "case.created");
    assert_eq!(payload["data"]["reference"], reference.as_str());
    assert!(
        !first[0].body.contains("ada@example.com"),
        "no personal data"
    );
    // ... and retried once its backoff has passed, with the same id.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(got.lock().unwrap().len(), 1, "not before its time");
    app.clock.advance(chrono::Duration::seconds(6));
    let both = wait_for(&got, 2).await;
    assert_eq!(both[1].header("webhook-id"), both[0].header("webhook-id"));
    assert!(verify(&secret, &both[1]));
    assert_eq!(both[1].body, both[0].body);

    // An event it did not subscribe to is not sent: the withdrawal.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/cases/{reference}/actions")))
        .bearer_auth(&token)
        .json(&json!({"action": "withdraw", "body": "Asked by phone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    app.clock.advance(chrono::Duration::hours(1));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let all = got.lock().unwrap().clone();
    assert_eq!(all.len(), 2, "each event once, nothing unsubscribed");

    // (The clock jumped past the staff idle timeout.)
    let admin = admin.again().await;
    let page = admin.page("/staff/webhooks").await;
    assert!(page.contains("delivered"), "{page}");
    assert!(page.contains("case.created"));

    // Turned off, an endpoint gets nothing.
    let id = app.db(rightsdesk::db::webhooks::endpoints)[0].id;
    let r = admin
        .post(&format!("/staff/webhooks/{id}/active"), &[("active", "0")])
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let agent = app.staff("agent@example.org", Role::Agent).await;
    assert_eq!(agent.get("/staff/webhooks").await.status().as_u16(), 403);
    let trail = admin.page("/staff/audit").await;
    assert!(trail.contains("Webhook endpoint") && trail.contains("turned off"));
}

#[tokio::test]
async fn a_delivery_that_failed_for_good_is_sent_again_by_an_admin() {
    let app = spawn_app().await;
    // Eight failures: every attempt of the schedule.
    let (url, got) = receiver(vec![503; 8]);
    let admin = app.staff("admin@example.org", Role::Admin).await;
    let r = admin
        .post(
            "/staff/webhooks",
            &[("url", &url), ("events", "case.created")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let token = intake_token(&app);
    let r = app
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&token)
        .json(&json!({"name": "Ada Lovelace", "email": "ada@example.com", "location": "GB", "rights": ["access"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    for n in 1..=8 {
        wait_for(&got, n).await;
        app.clock.advance(chrono::Duration::hours(11));
    }
    let delivery = loop {
        let d = app.db(|conn| rightsdesk::db::webhooks::recent(conn, 1))[0].clone();
        if d.status == "failed" {
            break d;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(delivery.attempts, 8);
    assert_eq!(delivery.last_status, Some(503));
    // (The clock jumped past the staff idle timeout.)
    let admin = admin.again().await;
    assert!(admin
        .page("/staff/webhooks")
        .await
        .contains("the endpoint answered 503"));
    let r = admin
        .post(
            &format!("/staff/webhooks/deliveries/{}/retry", delivery.id),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let all = wait_for(&got, 9).await;
    assert_eq!(all[8].header("webhook-id"), all[0].header("webhook-id"));
    // Only a failed delivery can be sent again.
    let r = admin
        .post(
            &format!("/staff/webhooks/deliveries/{}/retry", delivery.id),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 404);
}
