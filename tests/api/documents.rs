//! Identity documents end to end: asked for by staff, uploaded on the
//! status page, stored encrypted, viewed by staff (an audit event, never
//! cached), approved or rejected, and deleted either way; bad uploads
//! refused with nothing stored.

use chrono::Duration;
use reqwest::multipart::{Form, Part};
use rightsdesk::db::documents;
use rightsdesk::domain::Role;

use crate::helpers::{form_field, spawn_app, TestApp};
use crate::staff_helpers::StaffClient;

const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\nPASSPORT-NUMBER-123456789\n%%EOF\n";
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 1, 2, 3, 4,
];

async fn status_path(app: &TestApp, to: &str) -> String {
    let ack = app.wait_for_email_to(to, "We have received").await;
    let start = ack.text.find("/status/").unwrap();
    ack.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

/// A confirmed case whose identity proof staff asked for, and its status page.
async fn asked_for_proof(app: &TestApp, agent: &StaffClient<'_>) -> (String, String) {
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let path = status_path(app, "ada@example.com").await;
    let me = app
        .db(|c| rightsdesk::db::users::find_by_email(c, &agent.email))
        .unwrap()
        .id
        .0
        .to_string();
    agent
        .act_ok(&reference, "assign", &[("assignee", &me)])
        .await;
    agent
        .act_ok(
            &reference,
            "request_identity",
            &[("message", "Please send your passport and a recent bill.")],
        )
        .await;
    (reference, path)
}

async fn upload(app: &TestApp, path: &str, files: Files<'_>) -> reqwest::Response {
    let page = app.get(path).await.text().await.unwrap();
    let csrf = if page.contains("csrf_token") {
        form_field(&page, "csrf_token").to_owned()
    } else {
        app.csrf_token("/requests/status").await
    };
    let mut form = Form::new().text("csrf_token", csrf.clone());
    for (field, name, bytes) in files {
        form = form.part(
            field.to_owned(),
            Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    }
    app.client
        .post(app.url(&format!("{path}/documents?csrf_token={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Form field, file name and bytes of each file in one upload.
type Files<'a> = Vec<(&'a str, &'a str, &'a [u8])>;

fn stored(app: &TestApp) -> i64 {
    app.db(documents::count_all)
}

#[tokio::test]
async fn documents_are_stored_encrypted_viewed_by_staff_approved_and_deleted() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let (reference, path) = asked_for_proof(&app, &agent).await;
    let page = app.get(&path).await.text().await.unwrap();
    assert!(page.contains("Send your proof of identity"));

    app.clock.advance(Duration::days(3)); // 3 April
    let agent = agent.again().await;
    let r = upload(
        &app,
        &path,
        vec![
            ("identity", "passport.pdf", PDF),
            ("address", "bill.png", PNG),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(stored(&app), 2);
    let page = app.get(&path).await.text().await.unwrap();
    assert!(page.contains("We have 2 document(s) from you"));

    // The bytes in the database are not readable without the key.
    let raw: Vec<Vec<u8>> = app.db(|c| {
        use diesel::prelude::*;
        use rightsdesk::db::schema::documents::dsl;
        Ok(dsl::documents.select(dsl::ciphertext).load(c)?)
    });
    for blob in &raw {
        assert!(
            !blob.windows(8).any(|w| w == b"PASSPORT"),
            "plaintext in the column"
        );
        assert!(!blob.starts_with(b"%PDF"));
    }

    // Staff see them on the case page and open them, uncached.
    let case_page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(case_page.contains("Identity documents to review"));
    let case = app.case(&reference);
    let docs = app.db(|c| documents::list(c, case.id));
    let pdf = docs.iter().find(|d| d.kind == "identity").unwrap();
    let r = agent
        .get(&format!("/staff/cases/{reference}/documents/{}", pdf.id))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-store"));
    // A PDF may carry scripts: it is downloaded, and sandboxed if opened.
    assert_eq!(
        r.headers()["content-disposition"],
        format!("attachment; filename=\"document-{}.pdf\"", pdf.id).as_str()
    );
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    assert!(app
        .event_kinds(&reference)
        .iter()
        .any(|k| k == "document_viewed"));
    // A viewer cannot open them; another case's reference does not reach them.
    let viewer = app.staff("viewer@example.org", Role::Viewer).await;
    assert_eq!(
        viewer
            .get(&format!("/staff/cases/{reference}/documents/{}", pdf.id))
            .await
            .status()
            .as_u16(),
        403
    );
    let other = app.confirmed_case("access", "grace@example.com").await;
    assert_eq!(
        agent
            .get(&format!("/staff/cases/{other}/documents/{}", pdf.id))
            .await
            .status()
            .as_u16(),
        404
    );

    app.clock.advance(Duration::days(2)); // 5 April
    let agent = agent.again().await;
    agent.act_ok(&reference, "approve_documents", &[]).await;
    let case = app.case(&reference);
    assert_eq!(case.state.key(), "in_progress");
    // GDPR: the clock starts on the day the proof arrived (3 April), not the
    // day staff looked: 3 May is a Sunday, 4 May a bank holiday.
    assert_eq!(case.due_on, Some("2026-05-05".parse().unwrap()));
    assert_eq!(
        app.db(|c| documents::list(c, case.id)).len(),
        0,
        "files deleted"
    );
    let events = app.db(|c| rightsdesk::db::events::list(c, case.id));
    let decided = events
        .iter()
        .find(|e| e.kind == "documents_decided")
        .unwrap();
    assert!(decided.detail.contains("approved") && decided.actor.starts_with("user:"));
    let verified = events
        .iter()
        .find(|e| e.kind == "identity_verified")
        .unwrap();
    assert!(verified.detail.contains("documents"));
    // Deciding again: nothing to decide.
    let r = agent.act(&reference, "approve_documents", &[]).await;
    assert_eq!(r.status().as_u16(), 409);
}

#[tokio::test]
async fn rejected_documents_are_deleted_and_the_requester_is_told_why() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let (reference, path) = asked_for_proof(&app, &agent).await;
    upload(&app, &path, vec![("identity", "passport.pdf", PDF)]).await;
    let alert = app
        .wait_for_email_to("agent@example.org", "has sent identity documents")
        .await;
    assert!(alert.text.contains(&reference));
    let r = agent.act(&reference, "reject_documents", &[]).await;
    assert_eq!(r.status().as_u16(), 422);
    agent
        .act_ok(
            &reference,
            "reject_documents",
            &[("message", "The passport has expired.")],
        )
        .await;
    let case = app.case(&reference);
    assert_eq!(case.state.key(), "awaiting_identity");
    assert_eq!(case.due_on, None, "the clock still waits for proof");
    assert_eq!(stored(&app), 0);
    let mail = app
        .wait_for_email_to("ada@example.com", "could not confirm your identity")
        .await;
    assert!(mail.text.contains("The passport has expired."));
    assert!(mail.text.contains("We have deleted the files"));
    // They can try again.
    let r = upload(&app, &path, vec![("identity", "new-passport.pdf", PDF)]).await;
    assert_eq!(r.status().as_u16(), 303);
}

#[tokio::test]
async fn a_ccpa_upload_does_not_move_the_clock() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app
        .confirmed_case_from("access", "ada@example.com", "US-CA")
        .await;
    let path = status_path(&app, "ada@example.com").await;
    agent
        .act_ok(
            &reference,
            "request_identity",
            &[("message", "Please send ID.")],
        )
        .await;
    app.clock.advance(Duration::days(5));
    let agent = agent.again().await;
    upload(&app, &path, vec![("identity", "id.png", PNG)]).await;
    agent.act_ok(&reference, "approve_documents", &[]).await;
    assert_eq!(
        app.case(&reference).due_on,
        Some("2026-05-15".parse().unwrap())
    );
}

#[tokio::test]
async fn bad_uploads_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let (reference, path) = asked_for_proof(&app, &agent).await;

    let cases: Vec<(Files, u16, &str)> = vec![
        (
            vec![(
                "identity",
                "passport.pdf",
                b"MZ\x90\x00 this is an executable",
            )],
            422,
            "must be a PDF, JPEG or PNG",
        ),
        (
            vec![("identity", "empty.pdf", b"")],
            422,
            "proof of identity you chose is empty",
        ),
        (vec![], 422, "Choose a file to upload"),
        (
            vec![
                ("identity", "passport.pdf", PDF),
                ("address", "bill.txt", b"hello"),
            ],
            422,
            "proof of address must be a PDF",
        ),
    ];
    for (files, status, message) in cases {
        let r = upload(&app, &path, files).await;
        assert_eq!(r.status().as_u16(), status);
        let body = r.text().await.unwrap();
        assert!(body.contains(message), "{message}");
        assert_eq!(stored(&app), 0);
    }
    // Over the size limit (10 MB).
    let big = [PDF, &vec![b'0'; 10 * 1_048_576]].concat();
    let r = upload(&app, &path, vec![("identity", "huge.pdf", &big)]).await;
    assert_eq!(r.status().as_u16(), 413);
    assert!(r.text().await.unwrap().contains("too large"));
    assert_eq!(stored(&app), 0);
    // Too many at once: three files a request.
    let r = upload(
        &app,
        &path,
        vec![
            ("identity", "a.pdf", PDF),
            ("address", "b.png", PNG),
            ("identity", "c.pdf", PDF),
            ("address", "d.png", PNG),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 413);
    assert!(r.text().await.unwrap().contains("at most 3 files at once"));
    assert_eq!(stored(&app), 0);
    // Too many waiting: three may wait for review.
    let r = upload(
        &app,
        &path,
        vec![("identity", "a.pdf", PDF), ("address", "b.png", PNG)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = upload(&app, &path, vec![("identity", "c.pdf", PDF)]).await;
    assert_eq!(r.status().as_u16(), 303);
    let r = upload(&app, &path, vec![("identity", "d.pdf", PDF)]).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("at most 3 files"));
    assert_eq!(stored(&app), 3);
    // Not waiting for proof: another case, identity not asked for.
    let other = app.confirmed_case("erasure", "grace@example.com").await;
    let other_path = status_path(&app, "grace@example.com").await;
    let r = upload(&app, &other_path, vec![("identity", "a.pdf", PDF)]).await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("not waiting for documents"));
    let other_case = app.case(&other);
    assert_eq!(app.db(|c| documents::list(c, other_case.id)).len(), 0);
    // A made-up link, and a stale one.
    let r = upload(
        &app,
        "/status/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        vec![("identity", "a.pdf", PDF)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 404);
    app.clock.advance(Duration::days(91));
    let r = upload(&app, &path, vec![("identity", "a.pdf", PDF)]).await;
    assert_eq!(r.status().as_u16(), 410);
    assert_eq!(stored(&app), 3);
    let _ = reference;
}

#[tokio::test]
async fn documents_and_answers_are_purged_when_the_case_closes_undecided() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let (reference, path) = asked_for_proof(&app, &agent).await;
    let r = upload(
        &app,
        &path,
        vec![
            ("identity", "passport.pdf", PDF),
            ("address", "bill.png", PNG),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(stored(&app), 2);
    // Withdrawn before anyone decided: the files have no purpose left.
    agent
        .act_ok(&reference, "withdraw", &[("body", "Phoned to withdraw.")])
        .await;
    assert_eq!(stored(&app), 0);
    assert!(app
        .event_kinds(&reference)
        .contains(&"identity_material_purged".to_owned()));
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(
        page.contains("Identity documents (2) and answers to identity questions (0) deleted"),
        "{page}"
    );

    // Answers to identity questions too, when the case is refused.
    let other = app.confirmed_case("access", "grace@example.com").await;
    agent
        .act_ok(
            &other,
            "request_identity",
            &[
                ("message", "A few questions."),
                ("questions", "Your customer number"),
            ],
        )
        .await;
    let case = app.case(&other);
    assert_eq!(
        app.db(|c| rightsdesk::db::questions::list(c, case.id))
            .len(),
        1
    );
    agent
        .act_ok(
            &other,
            "refuse",
            &[
                ("ground", "identity_not_verified"),
                ("message", "No answer."),
            ],
        )
        .await;
    assert!(app
        .db(|c| rightsdesk::db::questions::list(c, case.id))
        .is_empty());
}
