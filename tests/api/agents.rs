//! Authorised agents: the agent files with their own address and gets our
//! mail; the person is asked by email to confirm the agent; the agent sends
//! the signed permission; the case records both.

use reqwest::multipart::{Form, Part};
use rightsdesk::domain::Role;

use crate::helpers::{form_field, spawn_app, valid_request, TestApp};

fn agent_request() -> Vec<(&'static str, &'static str)> {
    valid_request("access")
        .into_iter()
        .map(|(k, v)| {
            if k == "acting_as" {
                (k, "agent")
            } else {
                (k, v)
            }
        })
        .chain([
            ("agent_name", "Mo Advocate"),
            ("agent_email", "mo@advocates.example"),
        ])
        .collect()
}

async fn link(app: &TestApp, to: &str, subject: &str, path: &str) -> String {
    let mail = app.wait_for_email_to(to, subject).await;
    let start = mail
        .text
        .find(path)
        .unwrap_or_else(|| panic!("{path} in {}", mail.text));
    mail.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

#[tokio::test]
async fn the_agent_needs_their_own_address() {
    let app = spawn_app().await;
    let mut fields = agent_request();
    fields.retain(|(k, _)| *k != "agent_email");
    let r = app.post_request(&fields).await;
    assert_eq!(r.status().as_u16(), 422);
    fields.push(("agent_email", "ADA@example.com"));
    let r = app.post_request(&fields).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Enter your own email address, not theirs"));
    assert_eq!(app.case_count(), 0);
}

#[tokio::test]
async fn the_person_confirms_the_agent_who_sends_their_signed_permission() {
    let app = spawn_app().await;
    let agent_staff = app.staff("agent@example.org", Role::Agent).await;
    app.file_request(&agent_request()).await;
    // We write to the agent, not the person.
    let confirm = app
        .wait_for_email_to("mo@advocates.example", "Confirm your email")
        .await;
    assert!(app.emails().iter().all(|e| e.to != "ada@example.com"));
    // The page the link opens speaks to the agent about the other person.
    let page = app
        .get(&format!("/confirm/{}", confirm.confirm_token()))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("the personal data of the person you act for"),
        "{page}"
    );
    app.confirm(&confirm.confirm_token()).await;
    let ack = app
        .wait_for_email_to("mo@advocates.example", "We have received")
        .await;
    let reference = ack.subject.rsplit(' ').next().unwrap().to_owned();
    assert!(ack.text.contains("Hello Mo Advocate"));

    // The person is asked, at their own address.
    let check = link(
        &app,
        "ada@example.com",
        "Did you ask Mo Advocate",
        "/authority/",
    )
    .await;
    let before = app.event_kinds(&reference).len();
    let page = app.get(&check).await;
    assert_eq!(page.status().as_u16(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Does Mo Advocate act for you?"));
    assert_eq!(
        app.event_kinds(&reference).len(),
        before,
        "opening the link changes nothing"
    );
    let csrf = form_field(&page, "csrf_token").to_owned();
    let r = app
        .post_form(&check, &[("csrf_token", &csrf), ("decision", "maybe")])
        .await;
    assert_eq!(r.status().as_u16(), 400);
    let r = app
        .post_form(&check, &[("csrf_token", &csrf), ("decision", "confirmed")])
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("You told us they act for you"));
    // A second answer changes nothing.
    let r = app
        .post_form(&check, &[("csrf_token", &csrf), ("decision", "denied")])
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("You told us they act for you"));
    let kinds = app.event_kinds(&reference);
    assert!(kinds.iter().any(|k| k == "agent_authority_confirmed"));
    assert!(!kinds.iter().any(|k| k == "agent_authority_denied"));

    // The agent sends the signed permission on the status page.
    let status = link(&app, "mo@advocates.example", "We have received", "/status/").await;
    let page = app.get(&status).await.text().await.unwrap();
    assert!(
        page.contains("Send the person&#x27;s signed permission")
            || page.contains("Send the person's signed permission")
    );
    let csrf = form_field(&page, "csrf_token").to_owned();
    let form = Form::new().text("csrf_token", csrf.clone()).part(
        "authority",
        Part::bytes(b"%PDF-1.7 I authorise Mo Advocate".to_vec()).file_name("permission.pdf"),
    );
    let r = app
        .client
        .post(app.url(&format!("{status}/documents?csrf_token={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);

    // Staff see both, and verify on the strength of them.
    let case_page = agent_staff.page(&format!("/staff/cases/{reference}")).await;
    assert!(case_page.contains("Mo Advocate &lt;mo@advocates.example&gt;"));
    assert!(case_page.contains("confirmed by the person"));
    assert!(case_page.contains("Signed permission for the agent"));
    // The trail names who confirmed in words, not as a stored key.
    assert!(
        case_page.contains("The person (agent check)"),
        "{case_page}"
    );
    assert!(!case_page.contains("data_subject"), "{case_page}");
    agent_staff
        .act_ok(&reference, "approve_documents", &[])
        .await;
    let case = app.case(&reference);
    assert_eq!(case.state.key(), "in_progress");
    let events = app.db(|c| rightsdesk::db::events::list(c, case.id));
    let verified = events
        .iter()
        .find(|e| e.kind == "identity_verified")
        .unwrap();
    assert!(verified.detail.contains("agent_authority"));
}

#[tokio::test]
async fn a_person_who_denies_the_agent_stops_the_agent_being_verified() {
    let app = spawn_app().await;
    let staff = app.staff("agent@example.org", Role::Agent).await;
    app.add_staff("dpo@example.org", Role::Admin);
    app.file_request(&agent_request()).await;
    let confirm = app
        .wait_for_email_to("mo@advocates.example", "Confirm your email")
        .await;
    app.confirm(&confirm.confirm_token()).await;
    let reference = app
        .wait_for_email_to("mo@advocates.example", "We have received")
        .await
        .subject
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    let check = link(&app, "ada@example.com", "Did you ask", "/authority/").await;
    let page = app.get(&check).await.text().await.unwrap();
    let csrf = form_field(&page, "csrf_token").to_owned();
    let r = app
        .post_form(&check, &[("csrf_token", &csrf), ("decision", "denied")])
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("we will not give them any of your information"));
    let alert = app
        .wait_for_email_to("dpo@example.org", "does NOT act for them")
        .await;
    assert!(alert.text.contains(&reference));
    // The agent's permission cannot then verify the request.
    let status = link(&app, "mo@advocates.example", "We have received", "/status/").await;
    let page = app.get(&status).await.text().await.unwrap();
    let csrf = form_field(&page, "csrf_token").to_owned();
    let form = Form::new().text("csrf_token", csrf.clone()).part(
        "authority",
        Part::bytes(b"%PDF-1.7 forged".to_vec()).file_name("permission.pdf"),
    );
    app.client
        .post(app.url(&format!("{status}/documents?csrf_token={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let r = staff.act(&reference, "approve_documents", &[]).await;
    assert_eq!(r.status().as_u16(), 409);
    let r = staff
        .act(
            &reference,
            "verify_identity",
            &[("method", "agent_authority")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409);
    assert_eq!(app.case(&reference).state.key(), "awaiting_identity");
    let page = staff.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("DENIED by the person"));
    // Links that are not ours lead nowhere.
    assert_eq!(app.get("/authority/nonsense").await.status().as_u16(), 404);
}
