//! Bad input: a clear message, a 4xx, and nothing stored or sent.

use crate::helpers::{spawn_app, valid_request, TestApp};

/// Posts `fields` (plus a valid CSRF token) and checks the form comes back
/// with `status`, showing `message`, with no case and no mail.
async fn assert_refused(
    app: &TestApp,
    fields: &[(&str, &str)],
    status: u16,
    message: &str,
) -> String {
    let response = app.post_request(fields).await;
    assert_eq!(
        response.status().as_u16(),
        status,
        "expected {status} for {message}"
    );
    let html = response.text().await.unwrap();
    assert!(
        html.contains(message),
        "page should say '{message}':\n{html}"
    );
    assert_nothing_stored(app);
    html
}

fn assert_nothing_stored(app: &TestApp) {
    assert_eq!(app.case_count(), 0, "no case");
    assert_eq!(app.outbox_count(), 0, "no mail queued");
    assert!(app.emails().is_empty(), "no mail written");
}

fn without<'a>(fields: Vec<(&'a str, &'a str)>, key: &str) -> Vec<(&'a str, &'a str)> {
    fields.into_iter().filter(|(k, _)| *k != key).collect()
}

fn with<'a>(
    fields: Vec<(&'a str, &'a str)>,
    key: &'a str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut f = without(fields, key);
    f.push((key, value));
    f
}

#[tokio::test]
async fn missing_email_is_refused() {
    let app = spawn_app().await;
    let html = assert_refused(
        &app,
        &without(valid_request("access"), "email"),
        422,
        "Enter your email address",
    )
    .await;
    assert!(html.contains("There is a problem"));
    assert!(
        html.contains("href=\"#email\""),
        "error summary links to the field"
    );
    assert!(html.contains("aria-invalid=\"true\""));
}

/// The targets of the error summary's links, in order.
fn summary_links(html: &str) -> Vec<String> {
    let start = html
        .find("class=\"error-summary\"")
        .expect("an error summary");
    let end = start + html[start..].find("</div>").unwrap();
    html[start..end]
        .split("href=\"#")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_error_summary_is_in_page_order_and_links_to_each_control() {
    let app = spawn_app().await;
    // Every error of the details page at once: no name, a bad address,
    // a missing ground. The summary lists them as the page does, top to
    // bottom, each linking to its control.
    let html = assert_refused(
        &app,
        &[
            ("name", ""),
            ("email", "ada@"),
            ("location", "GB"),
            ("acting_as", "self"),
            ("rights", "restriction"),
        ],
        422,
        "There is a problem",
    )
    .await;
    let links = summary_links(&html);
    assert_eq!(
        links,
        ["name", "email", "restriction_ground-accuracy_contested"],
        "{html}"
    );
    for id in &links {
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "#{id} is on the page"
        );
    }
    // Who, where or what missing (a form not sent from its pages): that
    // question again, before any detail.
    let html = assert_refused(
        &app,
        &[("name", ""), ("email", "ada@"), ("location", "GB")],
        422,
        "Say whether you are asking for yourself or for someone else",
    )
    .await;
    assert_eq!(summary_links(&html), ["acting_as-self"]);
    assert!(html.contains("Who is this request for?"));
    // A group of choices links to its first choice.
    let fields = without(valid_request("restriction"), "restriction_ground");
    let html = assert_refused(&app, &fields, 422, "There is a problem").await;
    let links = summary_links(&html);
    assert_eq!(links.len(), 1, "{links:?}");
    assert!(links[0].starts_with("restriction_ground-"), "{links:?}");
    assert!(html.contains(&format!("id=\"{}\"", links[0])));
}

#[tokio::test]
async fn malformed_email_is_refused() {
    let app = spawn_app().await;
    for bad in [
        "ada",
        "ada@",
        "ada@example",
        "ada @example.com",
        "ada@example.com\r\nBcc: x@example.com",
    ] {
        assert_refused(
            &app,
            &with(valid_request("access"), "email", bad),
            422,
            "Enter an email address in the correct format",
        )
        .await;
    }
}

#[tokio::test]
async fn no_right_chosen_is_refused() {
    let app = spawn_app().await;
    assert_refused(
        &app,
        &without(valid_request("access"), "rights"),
        422,
        "Select at least one thing you are asking for",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_right_is_refused() {
    let app = spawn_app().await;
    assert_refused(
        &app,
        &with(valid_request("access"), "rights", "everything"),
        422,
        "Select rights from the list",
    )
    .await;
}

#[tokio::test]
async fn unknown_location_and_so_unknown_regime_is_refused() {
    let app = spawn_app().await;
    assert_refused(
        &app,
        &with(valid_request("access"), "location", "ATLANTIS"),
        422,
        "Select where you live from the list",
    )
    .await;
    assert_refused(
        &app,
        &without(valid_request("access"), "location"),
        422,
        "Select where you live",
    )
    .await;
}

#[tokio::test]
async fn overlong_fields_are_refused() {
    let app = spawn_app().await;
    let long_name = "a".repeat(201);
    assert_refused(
        &app,
        &with(valid_request("access"), "name", &long_name),
        422,
        "Your name must be 200 characters or fewer",
    )
    .await;
    let long_description = "b".repeat(5001);
    assert_refused(
        &app,
        &with(valid_request("access"), "description", &long_description),
        422,
        "The description must be 5000 characters or fewer",
    )
    .await;
    let long_detail = "c".repeat(2001);
    assert_refused(
        &app,
        &with(
            valid_request("rectification"),
            "rectification_details",
            &long_detail,
        ),
        422,
        "What to correct must be 2000 characters or fewer",
    )
    .await;
}

#[tokio::test]
async fn a_right_missing_its_details_is_refused() {
    let app = spawn_app().await;
    assert_refused(
        &app,
        &without(valid_request("rectification"), "rectification_details"),
        422,
        "Tell us which data is wrong and what it should say",
    )
    .await;
    assert_refused(
        &app,
        &with(valid_request("erasure"), "erasure_ground", "because"),
        422,
        "Select one of the options in the list",
    )
    .await;
}

#[tokio::test]
async fn everything_typed_is_kept_when_the_form_comes_back() {
    let app = spawn_app().await;
    let fields = with(
        with(valid_request("rectification"), "email", "not-an-email"),
        "description",
        "Account <b>42</b> & more",
    );
    let html = assert_refused(
        &app,
        &fields,
        422,
        "Enter an email address in the correct format",
    )
    .await;
    assert!(html.contains("value=\"Ada Lovelace\""));
    assert!(html.contains("value=\"not-an-email\""));
    assert!(html.contains("name=\"location\" value=\"GB\""));
    assert!(html.contains("name=\"rights\" value=\"rectification\""));
    assert!(html.contains("name=\"acting_as\" value=\"self\""));
    assert!(html.contains("United Kingdom"), "the answers are shown");
    assert!(html.contains("My surname is spelt Lovelace, not Lovelance"));
    assert!(
        html.contains("Account &lt;b&gt;42&lt;/b&gt; &amp; more"),
        "typed text is kept, escaped"
    );
}

#[tokio::test]
async fn oversized_body_is_refused() {
    let app = spawn_app().await;
    let huge = "x".repeat(70 * 1024);
    let response = app
        .post_request(&with(valid_request("access"), "description", &huge))
        .await;
    assert_eq!(response.status().as_u16(), 413);
    assert!(response.text().await.unwrap().contains("too large"));
    assert_nothing_stored(&app);
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let app = spawn_app().await;
    let response = app.post_form("/requests", &valid_request("access")).await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("This form has expired"));
    let _ = app.csrf_token(crate::helpers::DETAILS_PAGE).await;
    let mut forged = valid_request("access");
    forged.push(("csrf_token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    let response = app.post_form("/requests", &forged).await;
    assert_eq!(response.status().as_u16(), 403);
    assert_nothing_stored(&app);
}

#[tokio::test]
async fn a_body_that_is_not_a_form_is_refused() {
    let app = spawn_app().await;
    let token = app.csrf_token(crate::helpers::DETAILS_PAGE).await;
    let response = app
        .client
        .post(app.url("/requests"))
        .header("Content-Type", "application/json")
        .body(format!("{{\"csrf_token\":\"{token}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let response = app
        .client
        .post(app.url("/requests"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(vec![b'n', b'a', b'm', b'e', b'=', 0xff, 0xfe])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_nothing_stored(&app);
}

#[tokio::test]
async fn public_forms_are_rate_limited_per_client() {
    let app = crate::helpers::spawn_app_with(crate::helpers::default_now(), |s| {
        s.server.rate_limit_burst = 2;
        s.server.rate_limit_per_minute = 1;
    })
    .await;
    for _ in 0..2 {
        app.file_request(&valid_request("access")).await;
    }
    let response = app.post_request(&valid_request("access")).await;
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert!(response.text().await.unwrap().contains("Too many requests"));
    assert_eq!(app.case_count(), 2);
    // Reading pages is not limited.
    assert_eq!(app.get("/requests/new").await.status().as_u16(), 200);
}

#[tokio::test]
async fn arbitrary_bodies_never_cause_a_server_error() {
    use rand::{Rng, SeedableRng};
    let app = crate::helpers::spawn_app_with(crate::helpers::default_now(), |s| {
        s.server.rate_limit_burst = 1000;
    })
    .await;
    let token = app.csrf_token(crate::helpers::DETAILS_PAGE).await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261124);
    let keys = [
        "name",
        "email",
        "location",
        "rights",
        "acting_as",
        "agent_name",
        "erasure_ground",
        "description",
        "csrf_token",
        "",
        "rights[]",
    ];
    for _ in 0..150 {
        let mut body = format!("csrf_token={token}");
        for _ in 0..rng.random_range(0..8) {
            let key = keys[rng.random_range(0..keys.len())];
            let len = rng.random_range(0..40);
            let value: Vec<u8> = (0..len).map(|_| rng.random::<u8>()).collect();
            body.push('&');
            body.push_str(key);
            body.push('=');
            // Sometimes well encoded, sometimes raw bytes and stray % signs.
            if rng.random_bool(0.5) {
                body.push_str(
                    &serde_html_form::to_string([("", String::from_utf8_lossy(&value))]).unwrap()
                        [1..],
                );
            } else {
                body.push_str(&String::from_utf8_lossy(&value).replace('&', "%"));
            }
        }
        let response = app
            .client
            .post(app.url("/requests"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert!(
            status == 303 || (400..500).contains(&status),
            "{status} for {body:?}"
        );
    }
}

#[tokio::test]
async fn one_address_cannot_be_flooded_with_confirmation_emails() {
    let app = crate::helpers::spawn_app_with(crate::helpers::default_now(), |s| {
        s.requests.max_unconfirmed_per_address = 2;
    })
    .await;
    for email in ["ada@example.com", "ADA@Example.com"] {
        app.file_request(&with(valid_request("access"), "email", email))
            .await;
    }
    let response = app.post_request(&valid_request("access")).await;
    assert_eq!(response.status().as_u16(), 429);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("We have already emailed this address"));
    assert_eq!(app.case_count(), 2);
    app.wait_for_emails("Confirm your email", 2).await;
    // Another address is not affected, and a day later this one may ask again.
    app.file_request(&with(valid_request("access"), "email", "grace@example.com"))
        .await;
    app.clock.advance(chrono::Duration::hours(25));
    app.file_request(&valid_request("access")).await;
}
