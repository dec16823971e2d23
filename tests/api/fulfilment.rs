//! Fulfilment: the systems inventory, the tasks a verified case creates in
//! each system, their owners answering through emailed links, chasing, and
//! rights that cannot be answered while their tasks are open.

use rightsdesk::domain::Role;

use crate::helpers::{form_field, TestApp};
use crate::staff_helpers::{error_of, StaffClient};

/// Adds a system through the admin page.
async fn add_system(
    admin: &StaffClient<'_>,
    name: &str,
    owner: &str,
    rights: &[&str],
    external: bool,
) -> reqwest::Response {
    let mut fields = vec![
        ("name", name),
        ("owner", owner),
        ("retention_note", "6 years"),
    ];
    for r in rights {
        fields.push(("rights", r));
    }
    if external {
        fields.push(("external_recipient", "1"));
    }
    admin.post("/staff/systems", &fields).await
}

/// Three systems: a CRM and an external billing provider that take part in
/// erasure, and analytics that only takes part in access.
async fn inventory(admin: &StaffClient<'_>) {
    for (name, owner, rights, external) in [
        (
            "CRM",
            "crm-owner@example.org",
            &["access", "erasure"][..],
            false,
        ),
        ("Billing", "billing@payco.example", &["erasure"][..], true),
        ("Analytics", "data@example.org", &["access"][..], false),
    ] {
        let r = add_system(admin, name, owner, rights, external).await;
        assert_eq!(r.status().as_u16(), 303, "{name} added");
    }
}

/// The task link (its path) in an owner's email.
fn task_path(mail: &crate::helpers::Email) -> String {
    let start = mail.text.find("/tasks/").expect("a task link");
    mail.text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// A system's owner posts their answer (multipart, as the page's form
/// does), with files.
async fn owner_answers(
    app: &TestApp,
    path: &str,
    csrf: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, bytes) in files {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    app.client
        .post(app.url(&format!("{path}?csrf_token={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn verified_erasure(app: &TestApp, agent: &StaffClient<'_>, email: &str) -> String {
    let reference = app.confirmed_case("erasure", email).await;
    agent
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "email_confirmed")],
        )
        .await;
    reference
}

#[tokio::test]
async fn a_verified_erasure_creates_a_task_in_each_system_that_takes_part() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    inventory(&admin).await;
    let reference = verified_erasure(&app, &admin, "ada@example.com").await;

    let crm = app
        .wait_for_email_to("crm-owner@example.org", "Erasure in CRM")
        .await;
    assert!(crm.subject.contains(&reference), "{}", crm.subject);
    assert!(crm.text.contains("/tasks/"));
    // The email carries the link only, never the person's details.
    assert!(!crm.text.contains("ada@example.com"), "{}", crm.text);
    app.wait_for_email_to("billing@payco.example", "Erasure in Billing")
        .await;
    app.wait_for_outbox_drained().await;
    assert!(
        !app.emails().iter().any(|e| e.to == "data@example.org"),
        "analytics takes no part in erasure"
    );
    let page = admin.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("Tasks in systems"), "{page}");
    assert!(page.contains("<strong>CRM</strong>"));
    assert!(page.contains("<strong>Billing</strong>"));
    assert!(app
        .event_kinds(&reference)
        .contains(&"tasks_created".to_owned()));
}

#[tokio::test]
async fn a_system_owner_answers_once_through_their_link() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    inventory(&admin).await;
    let reference = verified_erasure(&app, &admin, "ada@example.com").await;
    let crm = app
        .wait_for_email_to("crm-owner@example.org", "Erasure in CRM")
        .await;
    let path = task_path(&crm);

    // Opening it changes nothing, and shows whom it is about.
    let page = app.get(&path).await.text().await.unwrap();
    assert!(page.contains("Erasure in CRM"), "{page}");
    assert!(page.contains("ada@example.com"));
    let csrf = form_field(&page, "csrf_token").to_owned();

    // Keeping data needs its legal basis; nothing is recorded without it.
    let r = owner_answers(&app, &path, &csrf, &[("answer", "kept")], &[]).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("Give the legal basis"));
    // A form from elsewhere is refused.
    let r = owner_answers(&app, &path, "forged", &[("answer", "done")], &[]).await;
    assert_eq!(r.status().as_u16(), 403);
    // Files belong to access and portability answers only.
    let r = owner_answers(
        &app,
        &path,
        &csrf,
        &[("answer", "done")],
        &[("x.csv", b"a,b")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(app
        .event_kinds(&reference)
        .iter()
        .all(|k| k != "task_answered"));

    let r = owner_answers(
        &app,
        &path,
        &csrf,
        &[
            ("answer", "kept"),
            ("basis", "Invoices kept 6 years for tax law"),
            ("note", "Deleted everything else"),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("This task has been answered"));
    // Staff are told, and the case shows the answer and its basis.
    app.wait_for_email_to("dpo@example.org", &reference).await;
    let case_page = admin.page(&format!("/staff/cases/{reference}")).await;
    assert!(
        case_page.contains("Invoices kept 6 years for tax law"),
        "{case_page}"
    );
    assert!(
        case_page.contains("The system&#x27;s owner (task link)")
            || case_page.contains("The system's owner (task link)"),
        "{case_page}"
    );

    // Staff see the email, never its live link.
    assert!(
        !case_page.contains(&path[7..]),
        "the task token is not on the case page"
    );
    // The link is spent: a second answer changes nothing.
    let r = owner_answers(&app, &path, &csrf, &[("answer", "done")], &[]).await;
    assert_eq!(r.status().as_u16(), 200);
    let answered: Vec<_> = app
        .event_kinds(&reference)
        .into_iter()
        .filter(|k| k == "task_answered")
        .collect();
    assert_eq!(answered.len(), 1);
    // And it opened only its own task: Billing's is still open.
    let case_page = admin.page(&format!("/staff/cases/{reference}")).await;
    assert!(
        case_page.contains("Record Billing&#x27;s answer")
            || case_page.contains("Record Billing's answer"),
        "{case_page}"
    );

    // Unknown and malformed links get a clear 404.
    for bad in ["/tasks/nonsense", &format!("/tasks/{}", "A".repeat(43))] {
        let r = app.get(bad).await;
        assert_eq!(r.status().as_u16(), 404, "{bad}");
        assert!(r.text().await.unwrap().contains("This link does not work"));
    }
}

#[tokio::test]
async fn a_right_with_open_tasks_needs_a_reason_to_be_answered() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    inventory(&admin).await;
    let reference = verified_erasure(&app, &admin, "ada@example.com").await;
    let r = admin
        .act(
            &reference,
            "record_outcome",
            &[("right", "erasure"), ("outcome", "fulfilled")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409);
    let body = r.text().await.unwrap();
    assert!(
        error_of(&body).contains("2 task(s) for this right are still open"),
        "{}",
        error_of(&body)
    );
    assert!(app.case(&reference).state.key() == "in_progress");

    // Staff record one system's answer; the other is overridden with a reason.
    let case = app.case(&reference);
    let tasks = app.db(|c| rightsdesk::db::tasks::for_case(c, case.id));
    let crm = tasks.iter().find(|t| t.system_name == "CRM").unwrap();
    let r = admin
        .act(
            &reference,
            "answer_task",
            &[("task", &crm.id.to_string()), ("answer", "not_possible")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422, "not possible needs a reason");
    admin
        .act_ok(
            &reference,
            "answer_task",
            &[("task", &crm.id.to_string()), ("answer", "done")],
        )
        .await;
    let r = admin
        .act(
            &reference,
            "answer_task",
            &[("task", &crm.id.to_string()), ("answer", "done")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409, "answered once only");
    assert!(error_of(&r.text().await.unwrap()).contains("answered already"));
    admin
        .act_ok(
            &reference,
            "record_outcome",
            &[
                ("right", "erasure"),
                ("outcome", "fulfilled"),
                (
                    "override_reason",
                    "Billing confirmed by phone; written answer to follow",
                ),
            ],
        )
        .await;
    let kinds = app.event_kinds(&reference);
    assert!(
        kinds.contains(&"open_tasks_overridden".to_owned()),
        "{kinds:?}"
    );
    admin
        .act_ok(&reference, "complete", &[("message", "")])
        .await;
    assert_eq!(app.case(&reference).state.key(), "completed");
    // A closed case's task link no longer works.
    let billing = app
        .wait_for_email_to("billing@payco.example", "Erasure in Billing")
        .await;
    assert_eq!(app.get(&task_path(&billing)).await.status().as_u16(), 404);
}

#[tokio::test]
async fn there_is_no_receipt_before_completion() {
    let app = crate::helpers::spawn_app().await;
    app.confirmed_case("access", "ada@example.com").await;
    let status = crate::status_page::status_path(&app, "ada@example.com").await;
    assert_eq!(
        app.get(&format!("{status}/receipt"))
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        app.get(&format!("{status}/receipt.json"))
            .await
            .status()
            .as_u16(),
        404
    );
    let page = app.get(&status).await.text().await.unwrap();
    assert!(!page.contains("Your receipt"));
}

#[tokio::test]
async fn overdue_tasks_are_chased_and_flagged_and_old_links_expire() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    inventory(&admin).await;
    let reference = verified_erasure(&app, &admin, "ada@example.com").await;
    let first = app
        .wait_for_email_to("crm-owner@example.org", "Erasure in CRM")
        .await;
    let chase = |app: &TestApp| {
        rightsdesk::service::fulfilment::chase_overdue(&rightsdesk::service::fulfilment::Chaser {
            pool: &app.ctx.pool,
            templates: &app.ctx.templates,
            settings: &app.ctx.settings,
            sealer: &app.ctx.sealer,
            audit_key: &app.ctx.audit_key,
            clock: &app.clock,
        })
        .unwrap()
    };
    assert_eq!(chase(&app), 0, "nothing is overdue yet");
    app.clock.advance(chrono::Duration::days(8));
    assert_eq!(chase(&app), 2, "both open tasks are past their 7 days");
    assert_eq!(chase(&app), 0, "and are not chased again at once");
    let reminder = app
        .wait_for_email_to("crm-owner@example.org", "Reminder: Privacy request")
        .await;
    let admin = admin.again().await;
    let page = admin.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("overdue"), "{page}");
    assert!(page.contains("chased by email"), "{page}");
    let queue = admin.page("/staff").await;
    assert!(queue.contains("tasks overdue"), "{queue}");
    // After 30 days the first link has expired; the reminder's still works.
    app.clock.advance(chrono::Duration::days(23));
    assert_eq!(app.get(&task_path(&first)).await.status().as_u16(), 404);
    assert_eq!(app.get(&task_path(&reminder)).await.status().as_u16(), 200);
}

#[tokio::test]
async fn only_admins_keep_the_inventory_and_bad_entries_are_refused() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    assert_eq!(agent.get("/staff/systems").await.status().as_u16(), 403);
    let r = add_system(&agent, "CRM", "crm@example.org", &["access"], false).await;
    assert_eq!(r.status().as_u16(), 403);

    for (name, owner, rights, error) in [
        ("", "crm@example.org", &["access"][..], "Enter the system"),
        (
            "CRM\r\nBcc: x@evil.example",
            "crm@example.org",
            &["access"][..],
            "Enter the system",
        ),
        ("CRM", "not an address", &["access"][..], "owner"),
        ("CRM", "crm@example.org", &[][..], "at least one right"),
        (
            "CRM",
            "crm@example.org",
            &["teleport"][..],
            "at least one right",
        ),
    ] {
        let r = add_system(&admin, name, owner, rights, false).await;
        assert_eq!(r.status().as_u16(), 422, "{name:?} {owner:?} {rights:?}");
        assert!(r.text().await.unwrap().contains(error), "{error}");
    }
    assert_eq!(
        add_system(&admin, "CRM", "crm@example.org", &["access"], false)
            .await
            .status()
            .as_u16(),
        303
    );
    let r = add_system(&admin, "crm", "other@example.org", &["erasure"], false).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("already called that"));

    // Taken out of use, a system gets no new tasks.
    let id = app.db(rightsdesk::db::systems::all)[0].id.0;
    let r = admin
        .post(
            &format!("/staff/systems/{id}"),
            &[
                ("name", "CRM"),
                ("owner", "crm@example.org"),
                ("rights", "access"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let page = admin.page("/staff/systems").await;
    assert!(page.contains("(out of use)"), "{page}");
    let reference = app.confirmed_case("access", "ada@example.com").await;
    admin
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "email_confirmed")],
        )
        .await;
    let case = app.case(&reference);
    assert!(app
        .db(|c| rightsdesk::db::tasks::for_case(c, case.id))
        .is_empty());
    let r = admin
        .post(
            "/staff/systems/999999",
            &[
                ("name", "X"),
                ("owner", "x@example.org"),
                ("rights", "access"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 404);
    // The admins' trail records both changes.
    let trail = admin.page("/staff/audit").await;
    assert!(trail.contains("System added: CRM"), "{trail}");
    assert!(
        trail.contains("System changed: CRM (now inactive)"),
        "{trail}"
    );
}

#[tokio::test]
async fn an_erased_address_is_on_the_suppression_list_as_a_keyed_hash_only() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let viewer = app.staff("viewer@example.org", Role::Viewer).await;
    let reference = verified_erasure(&app, &admin, "Ada.Lovelace@Example.com").await;
    admin
        .act_ok(
            &reference,
            "record_outcome",
            &[("right", "erasure"), ("outcome", "fulfilled")],
        )
        .await;
    admin
        .act_ok(&reference, "complete", &[("message", "")])
        .await;

    let rows = app.db(|c| {
        use diesel::prelude::*;
        use rightsdesk::db::schema::suppression::dsl;
        Ok(dsl::suppression
            .select((dsl::address_hash, dsl::reason))
            .load::<(String, String)>(c)?)
    });
    assert_eq!(rows.len(), 1);
    let (hash, reason) = &rows[0];
    assert_eq!(reason, "erasure");
    assert_eq!(hash.len(), 64);
    // Keyed: not the plain SHA-256 of the address anyone could compute.
    use sha2::Digest;
    let plain = hex::encode(sha2::Sha256::digest(b"ada.lovelace@example.com"));
    assert_ne!(hash, &plain);

    // Staff check any spelling of the address; others are not listed.
    let page = admin
        .post(
            "/staff/suppression",
            &[("address", "  ADA.lovelace@example.COM ")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("is on the list</strong>: erasure"), "{page}");
    let page = admin
        .post("/staff/suppression", &[("address", "grace@example.com")])
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("is not on the list"), "{page}");
    let r = admin
        .post("/staff/suppression", &[("address", "not an address")])
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(
        viewer.get("/staff/suppression").await.status().as_u16(),
        403
    );
    assert!(app
        .event_kinds(&reference)
        .contains(&"address_suppressed".to_owned()));
}

#[tokio::test]
async fn an_objection_to_direct_marketing_is_never_refused() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let reference = app.confirmed_case("objection", "ada@example.com").await;
    let r = admin
        .act(
            &reference,
            "refuse",
            &[("ground", "manifestly_unfounded"), ("message", "No")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409);
    admin
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "email_confirmed")],
        )
        .await;
    for outcome in ["refused", "partially_fulfilled"] {
        let r = admin
            .act(
                &reference,
                "record_outcome",
                &[
                    ("right", "objection"),
                    ("outcome", outcome),
                    ("body", "We prefer not to"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 409, "{outcome}");
        assert!(error_of(&r.text().await.unwrap()).contains("never refused"));
    }
    admin
        .act_ok(
            &reference,
            "record_outcome",
            &[("right", "objection"), ("outcome", "fulfilled")],
        )
        .await;
}

/// Every line of the answer on the requester's page.
async fn answer_on_page(app: &TestApp, email: &str) -> String {
    let status = crate::status_page::status_path(app, email).await;
    let page = app.get(&status).await.text().await.unwrap();
    let start = page
        .find("<h2>Our answer</h2>")
        .expect("an answer on the page");
    page[start..].to_owned()
}

#[tokio::test]
async fn a_uk_access_answer_has_the_copy_and_every_article_15_item() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    inventory(&admin).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    admin
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "email_confirmed")],
        )
        .await;
    let case = app.case(&reference);
    for t in app.db(|c| rightsdesk::db::tasks::for_case(c, case.id)) {
        let answer = if t.system_name == "CRM" {
            "done"
        } else {
            "no_data"
        };
        admin
            .act_ok(
                &reference,
                "answer_task",
                &[("task", &t.id.to_string()), ("answer", answer)],
            )
            .await;
    }
    admin
        .act_ok(
            &reference,
            "record_outcome",
            &[("right", "access"), ("outcome", "fulfilled")],
        )
        .await;
    // Staff read the answer before it goes.
    let page = admin.page(&format!("/staff/cases/{reference}")).await;
    assert!(
        page.contains("The answer the requester will read"),
        "{page}"
    );
    // The preview shows the email and the answer it leads to, message included.
    let preview = admin
        .preview(
            &reference,
            "complete",
            &[("message", "Thank you for your patience.")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        preview.contains("And the answer on their private page"),
        "{preview}"
    );
    assert!(
        preview.contains("Thank you for your patience."),
        "{preview}"
    );
    assert!(
        preview.contains("Data about you is held in: CRM."),
        "{preview}"
    );
    assert_eq!(
        app.case(&reference).state.key(),
        "in_progress",
        "a preview changes nothing"
    );
    admin
        .act_ok(
            &reference,
            "complete",
            &[("message", "Thank you for your patience.")],
        )
        .await;

    // The email carries the way to the answer, not the answer.
    let mail = app
        .wait_for_email_to("ada@example.com", "Our answer to your request")
        .await;
    assert!(mail.text.contains("/status/"), "{}", mail.text);
    assert!(
        !mail.text.contains("Thank you for your patience"),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains("CRM"), "{}", mail.text);

    let answer = answer_on_page(&app, "ada@example.com").await;
    let texts = &app.ctx.settings.answers;
    for (item, text) in [
        ("purposes", &texts.purposes),
        ("categories", &texts.categories),
        ("recipients", &texts.recipients),
        ("retention", &texts.retention),
        ("sources", &texts.sources),
        ("automated decisions", &texts.automated_decisions),
        ("transfers", &texts.transfers),
    ] {
        let shown = handlebars::html_escape(text);
        assert!(answer.contains(&shown), "Art. 15 {item} missing: {answer}");
    }
    for part in [
        "Your personal data",
        "Data about you is held in: CRM.",
        "We hold nothing about you in: Analytics.",
        "CRM: 6 years",
        "correct your data, to delete it, to restrict its use, or object",
        "Thank you for your patience.",
    ] {
        assert!(answer.contains(part), "{part}: {answer}");
    }
}

#[tokio::test]
async fn a_ccpa_answer_to_know_and_delete_has_every_element_of_7022_and_7024() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    inventory(&admin).await;
    let mut fields = crate::helpers::valid_request("access");
    fields.retain(|(k, _)| !matches!(*k, "location" | "email"));
    fields.extend([
        ("location", "US-CA"),
        ("email", "cal@example.com"),
        ("rights", "erasure"),
    ]);
    app.file_request(&fields).await;
    let confirm = app
        .wait_for_email_to("cal@example.com", "Confirm your email")
        .await;
    app.confirm(&confirm.confirm_token()).await;
    let ack = app
        .wait_for_email_to("cal@example.com", "We have received")
        .await;
    let reference = ack.subject.rsplit(' ').next().unwrap().to_owned();
    admin
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "known_data_points")],
        )
        .await;
    let case = app.case(&reference);
    for t in app.db(|c| rightsdesk::db::tasks::for_case(c, case.id)) {
        let id = t.id.to_string();
        let mut fields = vec![("task", id.as_str())];
        match (t.system_name.as_str(), t.right.key()) {
            ("Billing", "erasure") => fields.extend([
                ("answer", "kept"),
                ("basis", "Tax records, 26 U.S.C. § 6001"),
            ]),
            _ => fields.push(("answer", "done")),
        }
        admin.act_ok(&reference, "answer_task", &fields).await;
    }
    admin
        .act_ok(
            &reference,
            "record_outcome",
            &[("right", "access"), ("outcome", "fulfilled")],
        )
        .await;
    admin
        .act_ok(
            &reference,
            "record_outcome",
            &[
                ("right", "erasure"),
                ("outcome", "partially_fulfilled"),
                ("body", "Invoices must be kept for tax law"),
            ],
        )
        .await;
    admin
        .act_ok(&reference, "complete", &[("message", "")])
        .await;
    let answer = answer_on_page(&app, "cal@example.com").await;
    for part in [
        // § 7024: request to know.
        "Categories of personal information we collected",
        "Categories of sources we collected it from",
        "Business or commercial purposes",
        "Categories of third parties we disclosed, sold or shared it to",
        // § 7022: request to delete.
        "Deleted in: CRM.",
        "Kept in Billing, because the law requires it: Tax records, 26 U.S.C. § 6001",
        "service providers, contractors and third parties",
        "Billing",
        "will not discriminate",
    ] {
        assert!(
            answer.contains(&handlebars::html_escape(part)),
            "{part}: {answer}"
        );
    }
}

#[tokio::test]
async fn an_access_request_gets_a_package_whose_manifest_matches_its_files() {
    use std::io::Read;
    let app = crate::helpers::spawn_app_with(crate::helpers::default_now(), |s| {
        s.uploads.max_file_bytes = 2000;
    })
    .await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    inventory(&admin).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    admin
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "email_confirmed")],
        )
        .await;
    let crm = app
        .wait_for_email_to("crm-owner@example.org", "Access in CRM")
        .await;
    let path = task_path(&crm);
    let page = app.get(&path).await.text().await.unwrap();
    assert!(page.contains("type=\"file\""), "{page}");
    let csrf = form_field(&page, "csrf_token").to_owned();
    let orders: &[u8] = b"order,date,total\n1001,2025-04-02,19.99\n";
    let profile: &[u8] = br#"{"name":"Ada Lovelace","tier":"gold"}"#;

    // A zip (a possible bomb) and an oversized file are refused, and nothing is stored.
    let r = owner_answers(
        &app,
        &path,
        &csrf,
        &[("answer", "done")],
        &[("data.zip", b"PK\x03\x04....")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("is an archive"));
    let big = vec![b'a'; 2001];
    let r = owner_answers(
        &app,
        &path,
        &csrf,
        &[("answer", "done")],
        &[("big.csv", &big)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 413);
    let case = app.case(&reference);
    assert!(app
        .db(|c| rightsdesk::db::packages::files_of_case(c, case.id))
        .is_empty());
    assert!(app
        .db(|c| rightsdesk::db::tasks::for_case(c, case.id))
        .iter()
        .all(|t| t.is_open()));

    let r = owner_answers(
        &app,
        &path,
        &csrf,
        &[("answer", "done")],
        &[("orders.csv", orders), ("profile.json", profile)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
    let analytics = app
        .db(|c| rightsdesk::db::tasks::for_case(c, case.id))
        .into_iter()
        .find(|t| t.system_name == "Analytics")
        .unwrap();
    admin
        .act_ok(
            &reference,
            "answer_task",
            &[("task", &analytics.id.to_string()), ("answer", "no_data")],
        )
        .await;
    admin
        .act_ok(
            &reference,
            "record_outcome",
            &[("right", "access"), ("outcome", "fulfilled")],
        )
        .await;
    admin
        .act_ok(&reference, "complete", &[("message", "")])
        .await;

    // The requester downloads it from their page.
    let status = crate::status_page::status_path(&app, "ada@example.com").await;
    let page = app.get(&status).await.text().await.unwrap();
    assert!(page.contains("Your data package"), "{page}");
    assert!(page.contains("is in your data package"), "{page}");
    let r = app.get(&format!("{status}/package")).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let read = |zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str| {
        let mut out = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut out).unwrap();
        out
    };
    assert_eq!(read(&mut zip, "CRM/orders.csv"), orders);
    assert_eq!(read(&mut zip, "CRM/profile.json"), profile);
    let answer = String::from_utf8(read(&mut zip, "answer.txt")).unwrap();
    assert!(
        answer.contains(&app.ctx.settings.answers.purposes),
        "{answer}"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&mut zip, "manifest.json")).unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    for f in files {
        let name = f["path"].as_str().unwrap();
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(read(&mut zip, name)));
        assert_eq!(f["sha256"], sha.as_str(), "{name}");
    }
    assert_eq!(files[0]["system"], "CRM");
    assert!(app
        .event_kinds(&reference)
        .contains(&"package_downloaded".to_owned()));
    // The attached files now live only in the (sealed) package.
    assert!(app
        .db(|c| rightsdesk::db::packages::files_of_case(c, case.id))
        .is_empty());
    let stored = app
        .db(|c| rightsdesk::db::packages::of_case(c, case.id))
        .unwrap();
    assert!(!stored.ciphertext.windows(7).any(|w| w == b"Lovelac"));

    // Nobody else's link opens it.
    let other = format!("/status/{}/package", "C".repeat(43));
    assert_eq!(app.get(&other).await.status().as_u16(), 404);

    // After 7 days it is gone, then deleted by the purge.
    app.clock.advance(chrono::Duration::days(8));
    assert_eq!(
        app.get(&format!("{status}/package"))
            .await
            .status()
            .as_u16(),
        410
    );
    rightsdesk::service::retention::run(&rightsdesk::service::retention::Purger {
        pool: &app.ctx.pool,
        settings: &app.ctx.settings,
        audit_key: &app.ctx.audit_key,
        clock: &app.clock,
    })
    .unwrap();
    assert!(app
        .db(|c| rightsdesk::db::packages::of_case(c, case.id))
        .is_none());
    assert!(app
        .event_kinds(&reference)
        .contains(&"package_deleted".to_owned()));
    assert_eq!(app.cli(&["audit", "verify"]).0, 0);
}

#[tokio::test]
async fn a_ccpa_opt_out_reaches_the_systems_at_once_without_verification() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let r = add_system(
        &admin,
        "Ad platform",
        "ads@example.org",
        &["opt_out", "access"],
        true,
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    // Filed, never confirmed: the opt-out is acted on anyway.
    let mut fields = crate::helpers::valid_request("opt_out");
    fields.retain(|(k, _)| *k != "email");
    fields.push(("email", "cal@example.com"));
    app.file_request(&fields).await;
    let task = app
        .wait_for_email_to("ads@example.org", "Opt out of sale/sharing in Ad platform")
        .await;
    let path = task_path(&task);
    let page = app.get(&path).await.text().await.unwrap();
    assert!(page.contains("stop selling or sharing"), "{page}");
    let reference = task
        .subject
        .split(' ')
        .nth(2)
        .unwrap()
        .trim_end_matches(':')
        .to_owned();
    assert_eq!(app.case(&reference).state.key(), "submitted");
    let kinds = app.event_kinds(&reference);
    assert!(kinds.contains(&"tasks_created".to_owned()), "{kinds:?}");
    // Only the fast-track right: no access task before verification.
    let case = app.case(&reference);
    let tasks = app.db(|c| rightsdesk::db::tasks::for_case(c, case.id));
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].right.key(), "opt_out");
}

#[tokio::test]
async fn a_ccpa_answer_to_correct_says_what_was_corrected_or_why_not() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    for (name, owner) in [
        ("CRM", "crm@example.org"),
        ("Support desk", "desk@example.org"),
    ] {
        let r = add_system(&admin, name, owner, &["rectification"], false).await;
        assert_eq!(r.status().as_u16(), 303);
    }
    let reference = app
        .confirmed_case_from("rectification", "cal@example.com", "US-CA")
        .await;
    admin
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "known_data_points")],
        )
        .await;
    let case = app.case(&reference);
    for t in app.db(|c| rightsdesk::db::tasks::for_case(c, case.id)) {
        let id = t.id.to_string();
        let fields: Vec<(&str, &str)> = if t.system_name == "CRM" {
            vec![("task", &id), ("answer", "done")]
        } else {
            vec![
                ("task", &id),
                ("answer", "not_possible"),
                ("body", "Tickets are a record of what was said"),
            ]
        };
        admin.act_ok(&reference, "answer_task", &fields).await;
    }
    admin
        .act_ok(
            &reference,
            "record_outcome",
            &[
                ("right", "rectification"),
                ("outcome", "partially_fulfilled"),
                ("body", "Corrected in our customer records; support tickets keep what was said at the time"),
            ],
        )
        .await;
    admin
        .act_ok(&reference, "complete", &[("message", "")])
        .await;
    let answer = answer_on_page(&app, "cal@example.com").await;
    for part in [
        "Correction",
        "Corrected in: CRM.",
        "Not possible in Support desk",
        "support tickets keep what was said at the time",
    ] {
        assert!(answer.contains(part), "{part}: {answer}");
    }
}

#[tokio::test]
async fn staff_change_the_answer_texts_for_one_case_only() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let viewer = app.staff("viewer@example.org", Role::Viewer).await;
    let special = app.confirmed_case("access", "ada@example.com").await;
    let other = app.confirmed_case("access", "grace@example.com").await;
    for r in [&special, &other] {
        admin
            .act_ok(r, "verify_identity", &[("method", "email_confirmed")])
            .await;
        admin
            .act_ok(
                r,
                "record_outcome",
                &[("right", "access"), ("outcome", "fulfilled")],
            )
            .await;
    }
    let general = app.ctx.settings.answers.purposes.clone();
    let own = "For this account only: to run the loyalty scheme you joined in 2019.";
    admin
        .act_ok(
            &special,
            "edit_answer_texts",
            &[
                ("text_purposes", own),
                ("text_categories", &app.ctx.settings.answers.categories),
            ],
        )
        .await;
    // Viewers cannot.
    let r = viewer
        .act(&special, "edit_answer_texts", &[("text_purposes", "x")])
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let page = admin.page(&format!("/staff/cases/{special}")).await;
    assert!(page.contains("changed for this case"), "{page}");
    let kinds = app.event_kinds(&special);
    assert_eq!(
        kinds.iter().filter(|k| *k == "answer_texts_edited").count(),
        1,
        "{kinds:?}"
    );
    for r in [&special, &other] {
        admin.act_ok(r, "complete", &[("message", "")]).await;
    }
    let answer = answer_on_page(&app, "ada@example.com").await;
    assert!(answer.contains(own), "{answer}");
    assert!(
        !answer.contains(&handlebars::html_escape(&general)),
        "{answer}"
    );
    let answer = answer_on_page(&app, "grace@example.com").await;
    assert!(
        answer.contains(&handlebars::html_escape(&general)),
        "{answer}"
    );
    assert!(!answer.contains(own));
}

#[tokio::test]
async fn portability_data_comes_in_both_json_and_csv() {
    use std::io::Read;
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let r = add_system(&admin, "Shop", "shop@example.org", &["portability"], false).await;
    assert_eq!(r.status().as_u16(), 303);
    let reference = app.confirmed_case("portability", "ada@example.com").await;
    admin
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "email_confirmed")],
        )
        .await;
    let mail = app
        .wait_for_email_to("shop@example.org", "Portability in Shop")
        .await;
    let path = task_path(&mail);
    let page = app.get(&path).await.text().await.unwrap();
    let csrf = form_field(&page, "csrf_token").to_owned();
    // Only machine-readable data is taken for portability.
    let r = owner_answers(
        &app,
        &path,
        &csrf,
        &[("answer", "done")],
        &[("orders.pdf", b"%PDF-1.7")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("machine-readable"));
    let r = owner_answers(
        &app,
        &path,
        &csrf,
        &[("answer", "done")],
        &[
            ("orders.csv", b"order,total\n1001,19.99\n"),
            ("profile.json", br#"{"name":"Ada","tier":"gold"}"#),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
    admin
        .act_ok(
            &reference,
            "record_outcome",
            &[("right", "portability"), ("outcome", "fulfilled")],
        )
        .await;
    admin
        .act_ok(&reference, "complete", &[("message", "")])
        .await;
    let status = crate::status_page::status_path(&app, "ada@example.com").await;
    let bytes = app
        .get(&format!("{status}/package"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut out = String::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the package"))
            .read_to_string(&mut out)
            .unwrap();
        out
    };
    let orders: serde_json::Value = serde_json::from_str(&read("Shop/orders.json")).unwrap();
    assert_eq!(orders[0]["total"], "19.99");
    assert_eq!(read("Shop/profile.csv"), "name,tier\nAda,gold\n");
    assert!(read("Shop/orders.csv").starts_with("order,total"));
    let manifest: serde_json::Value = serde_json::from_str(&read("manifest.json")).unwrap();
    assert_eq!(manifest["files"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn admins_write_the_organisations_answer_texts_in_the_app() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let configured = app.ctx.settings.answers.retention.clone();
    let page = admin.page("/staff/texts").await;
    assert!(page.contains("How long we keep it"), "{page}");
    assert!(page.contains(&handlebars::html_escape(&configured)));

    // Agents may not; too long a text is refused and what was typed stays.
    let r = agent
        .post("/staff/texts", &[("retention", "Forever.")])
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let long = "x".repeat(5001);
    let r = admin.post("/staff/texts", &[("retention", &long)]).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(error_of(&r.text().await.unwrap()).contains("How long we keep it"));

    let ours =
        "Orders: six years, for the tax authorities. Marketing preferences: until you change them.";
    let r = admin
        .post(
            "/staff/texts",
            &[
                ("retention", ours),
                ("purposes", &app.ctx.settings.answers.purposes),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("Saved"), "{page}");
    assert!(page.contains("Set here"));
    // One change, in the trail, naming the text (not its words).
    let trail = app.db(rightsdesk::db::events::list_admin);
    let changes: Vec<_> = trail
        .iter()
        .filter(|e| e.kind == "org_texts_changed")
        .collect();
    assert_eq!(changes.len(), 1);
    assert!(changes[0].detail.contains("retention") && !changes[0].detail.contains("purposes"));
    assert!(!changes[0].detail.contains("six years"));

    // An answer given now quotes it.
    let reference = app.confirmed_case("access", "ada@example.com").await;
    admin
        .act_ok(
            &reference,
            "verify_identity",
            &[("method", "email_confirmed")],
        )
        .await;
    admin
        .act_ok(
            &reference,
            "record_outcome",
            &[("right", "access"), ("outcome", "fulfilled")],
        )
        .await;
    admin
        .act_ok(&reference, "complete", &[("message", "")])
        .await;
    let answer = answer_on_page(&app, "ada@example.com").await;
    assert!(answer.contains(ours), "{answer}");

    // Emptied, it is the configuration's again.
    let r = admin.post("/staff/texts", &[("retention", "")]).await;
    assert_eq!(r.status().as_u16(), 200);
    let page = admin.page("/staff/texts").await;
    assert!(page.contains(&handlebars::html_escape(&configured)));
    assert!(!page.contains("six years"));
}
