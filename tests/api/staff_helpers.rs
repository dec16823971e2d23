//! Staff in the black-box tests: accounts made through the same code as
//! `rightsdesk user add`, logged in through the real login form, each with
//! its own cookie jar so several people can be logged in at once.

use rightsdesk::db::{self, events, users};
use rightsdesk::domain::Role;
use rightsdesk::service::accounts;

use crate::helpers::{form_field, valid_request, Email, TestApp};

pub const PASSWORD: &str = "plum tractor velvet harbour";

/// A logged-in staff member's browser.
pub struct StaffClient<'a> {
    pub app: &'a TestApp,
    pub client: reqwest::Client,
    pub email: String,
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

impl TestApp {
    /// Adds an account with [`PASSWORD`].
    pub fn add_staff(&self, email: &str, role: Role) -> users::UserId {
        let now = db::timestamp(self.clock_now());
        let mut conn = self.ctx.pool.get().unwrap();
        let name = email.split('@').next().unwrap();
        accounts::add_user(
            &mut conn,
            &self.ctx.audit_key,
            email,
            name,
            role,
            PASSWORD,
            now,
        )
        .expect("database")
        .expect("valid account")
    }

    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use rightsdesk::clock::Clock;
        self.clock.now()
    }

    /// Adds an account with `role` and logs it in.
    pub async fn staff(&self, email: &str, role: Role) -> StaffClient<'_> {
        self.add_staff(email, role);
        self.login(email, PASSWORD).await
    }

    /// Logs in through the form; panics unless it succeeds.
    pub async fn login(&self, email: &str, password: &str) -> StaffClient<'_> {
        let client = new_client();
        let response = try_login(self, &client, email, password).await;
        assert_eq!(response.status().as_u16(), 303, "login of {email} succeeds");
        StaffClient {
            app: self,
            client,
            email: email.to_owned(),
        }
    }

    /// Files a web request for `right` from `email` and confirms it;
    /// returns its reference (from the acknowledgement's subject).
    pub async fn confirmed_case(&self, right: &'static str, email: &str) -> String {
        self.confirmed_case_from(right, email, "GB").await
    }

    /// As [`TestApp::confirmed_case`], for a requester living in `location`
    /// (e.g. "US-CA" for a CCPA case).
    pub async fn confirmed_case_from(
        &self,
        right: &'static str,
        email: &str,
        location: &str,
    ) -> String {
        let fields: Vec<(&str, &str)> = valid_request(right)
            .into_iter()
            .map(|(k, v)| match k {
                "email" => (k, email),
                "location" => (k, location),
                _ => (k, v),
            })
            .collect();
        // The same person may file again: wait for this request's emails.
        let confirmations = self.count_emails_to(email, "Confirm your email");
        let acks = self.count_emails_to(email, "We have received");
        self.file_request(&fields).await;
        let confirm = self
            .wait_for_nth_email_to(email, "Confirm your email", confirmations)
            .await;
        let response = self.confirm(&confirm.confirm_token()).await;
        assert_eq!(response.status().as_u16(), 200);
        let ack = self
            .wait_for_nth_email_to(email, "We have received", acks)
            .await;
        ack.subject.rsplit(' ').next().unwrap().to_owned()
    }

    fn count_emails_to(&self, to: &str, subject: &str) -> usize {
        self.emails()
            .iter()
            .filter(|e| e.to == to && e.subject.contains(subject))
            .count()
    }

    /// The email to `to` about `subject` after the first `n` of them.
    pub async fn wait_for_nth_email_to(&self, to: &str, subject: &str, n: usize) -> Email {
        for _ in 0..200 {
            let mails: Vec<Email> = self
                .emails()
                .into_iter()
                .filter(|e| e.to == to && e.subject.contains(subject))
                .collect();
            if let Some(mail) = mails.into_iter().nth(n) {
                return mail;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no email number {} to {to} with subject '{subject}'", n + 1);
    }

    /// Waits for the latest email to `to` whose subject contains `subject`.
    pub async fn wait_for_email_to(&self, to: &str, subject: &str) -> Email {
        for _ in 0..200 {
            if let Some(mail) = self
                .emails()
                .into_iter()
                .rfind(|e| e.to == to && e.subject.contains(subject))
            {
                return mail;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no email to {to} with subject '{subject}'");
    }

    /// The kinds of a case's audit events, in order.
    pub fn event_kinds(&self, reference: &str) -> Vec<String> {
        let case = self.case(reference);
        self.db(|c| events::list(c, case.id))
            .into_iter()
            .map(|e| e.kind)
            .collect()
    }
}

pub async fn try_login(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let page = client
        .get(app.url("/staff/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = form_field(&page, "csrf_token").to_owned();
    post(
        app,
        client,
        "/staff/login",
        &[
            ("csrf_token", &csrf),
            ("email", email),
            ("password", password),
        ],
    )
    .await
}

pub async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(serde_html_form::to_string(fields).unwrap())
        .send()
        .await
        .unwrap()
}

impl<'a> StaffClient<'a> {
    /// Logs in again (after the test clock jumped past the idle timeout).
    pub async fn again(&self) -> StaffClient<'a> {
        self.app.login(&self.email, PASSWORD).await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.app.url(path)).send().await.unwrap()
    }

    pub async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        response.text().await.unwrap()
    }

    /// The CSRF token from a staff page.
    pub async fn csrf(&self) -> String {
        let page = self.page("/staff").await;
        form_field(&page, "csrf_token").to_owned()
    }

    /// Posts a form with the CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self.csrf().await;
        let mut form = vec![("csrf_token", csrf.as_str())];
        form.extend_from_slice(fields);
        post(self.app, &self.client, path, &form).await
    }

    /// Takes an action on a case, confirming its email if it sends one.
    pub async fn act(
        &self,
        reference: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form = vec![("action", action), ("step", "send")];
        form.extend_from_slice(fields);
        self.post(&format!("/staff/cases/{reference}/actions"), &form)
            .await
    }

    /// Takes an action and expects it to succeed (a redirect back to the case).
    pub async fn act_ok(&self, reference: &str, action: &str, fields: &[(&str, &str)]) {
        let response = self.act(reference, action, fields).await;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        assert_eq!(
            status,
            303,
            "{action} on {reference} succeeds: {}",
            error_of(&body)
        );
    }

    /// Previews the email an action would send.
    pub async fn preview(
        &self,
        reference: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form = vec![("action", action), ("step", "preview")];
        form.extend_from_slice(fields);
        self.post(&format!("/staff/cases/{reference}/actions"), &form)
            .await
    }
}

/// The error message a page shows, for assertion messages.
pub fn error_of(html: &str) -> String {
    html.split("<h2>That did not work</h2><p>")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or("")
        .to_owned()
}
