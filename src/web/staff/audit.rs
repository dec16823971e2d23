//! `GET /staff/audit`: the account and settings trail for admins, newest
//! first, with the state of its hash chain.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::Value;

use super::{render, Staff};
use crate::app::AppContext;
use crate::db::events::AdminEntry;
use crate::domain::audit::{describe_actor, AdminEvent};
use crate::web::{pages, WebError};

/// The admin trail, newest first, and the first entry that does not verify.
#[derive(Serialize)]
struct TrailPage {
    rows: Vec<TrailRow>,
    broken: Option<i64>,
}

#[derive(Serialize)]
struct TrailRow {
    id: i64,
    at: String,
    who: String,
    what: String,
}

/// One line, in words, for an event of the account and settings trail.
fn what(entry: &AdminEntry, name: &dyn Fn(i64) -> String) -> String {
    let detail: Value = serde_json::from_str(&entry.detail).unwrap_or(Value::Null);
    let user = || {
        detail
            .get("user")
            .and_then(Value::as_i64)
            .map(name)
            .unwrap_or_default()
    };
    let count = |key: &str| detail.get(key).and_then(Value::as_u64).unwrap_or(0);
    let role = || {
        detail
            .get("role")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned()
    };
    let Some(kind) = entry.what() else {
        return entry.kind.replace('_', " ");
    };
    match kind {
        AdminEvent::UserAdded => {
            format!(
                "Account added from the command line: {} ({})",
                user(),
                role()
            )
        }
        AdminEvent::FirstAdminCreated => format!("First admin set up: {}", user()),
        AdminEvent::UserInvited => format!("Invited {} as {}", user(), role()),
        AdminEvent::PasswordSetFromLink => format!("{} chose a password from their link", user()),
        AdminEvent::PasswordLinkSent => format!("Password link sent to {}", user()),
        AdminEvent::UserUpdated => {
            let role = &detail["role"];
            let active = &detail["active"];
            format!(
                "{}: role {} → {}, active {} → {}",
                user(),
                role["from"].as_str().unwrap_or("?"),
                role["to"].as_str().unwrap_or("?"),
                active["from"],
                active["to"]
            )
        }
        AdminEvent::LoginThrottled => format!(
            "Logins to {}'s account slowed down for one address after {} failures in a row",
            user(),
            count("failures")
        ),
        AdminEvent::FailedLoginsCleared => {
            format!("Failed logins cleared for {}", user())
        }
        AdminEvent::AccountLocked => format!("{} locked out after repeated failed logins", user()),
        AdminEvent::VerificationPolicyChanged => "Verification policy changed".into(),
        AdminEvent::AuditTrailKeyed | AdminEvent::AuditKeyRotated => {
            let broken: Vec<&str> = detail["broken_cases"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut line = format!(
                "{} with the {}audit key: {} case trail(s), {} event(s)",
                if kind == AdminEvent::AuditTrailKeyed {
                    "Audit trails sealed"
                } else {
                    "Audit trails re-sealed"
                },
                if kind == AdminEvent::AuditTrailKeyed {
                    ""
                } else {
                    "new "
                },
                count("cases"),
                count("events")
            );
            if !broken.is_empty() {
                line.push_str(&format!("; already broken before: {}", broken.join(", ")));
            }
            if detail["admin_broken"].as_bool() == Some(true) {
                line.push_str("; this trail was already broken before");
            }
            line
        }
        AdminEvent::SystemAdded => format!(
            "System added: {}",
            detail.get("name").and_then(Value::as_str).unwrap_or("?")
        ),
        AdminEvent::SystemChanged => format!(
            "System changed: {}{}",
            detail.get("name").and_then(Value::as_str).unwrap_or("?"),
            if detail.get("active").and_then(Value::as_bool) == Some(false) {
                " (now inactive)"
            } else {
                ""
            }
        ),
        AdminEvent::ApiTokenCreated => format!(
            "API token {} made: \"{}\", scopes {}",
            count("token"),
            detail.get("name").and_then(Value::as_str).unwrap_or("?"),
            detail.get("scopes").and_then(Value::as_str).unwrap_or("?")
        ),
        AdminEvent::ApiTokenRevoked => format!("API token {} revoked", count("token")),
        AdminEvent::ApiCasesListed => format!(
            "Cases listed through the API ({} case(s){})",
            count("cases"),
            detail
                .get("search")
                .and_then(Value::as_str)
                .map(|s| format!(", a search by {s}"))
                .unwrap_or_default()
        ),
        AdminEvent::CalendarChanged => {
            let day = detail
                .get("day")
                .and_then(Value::as_str)
                .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
                .map(crate::domain::deadline::long)
                .unwrap_or_default();
            let calendar = detail
                .get("calendar")
                .and_then(Value::as_str)
                .unwrap_or("?");
            let what = match detail.get("holiday").and_then(Value::as_str) {
                Some(name) => format!("{day} made a holiday ({name})"),
                None if detail.get("undone").is_some() => format!("the change to {day} undone"),
                None => format!("{day} made a working day"),
            };
            format!(
                "Holiday calendar {calendar}: {what}; {} open case(s) got a new due date",
                count("cases_moved")
            )
        }
        AdminEvent::OrgTextsChanged => format!(
            "The organisation's answer texts changed: {}",
            detail
                .get("texts")
                .and_then(Value::as_array)
                .map(|t| t
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default()
        ),
        AdminEvent::ApiRead => format!(
            "Read through the API: {}{}",
            detail.get("what").and_then(Value::as_str).unwrap_or("?"),
            detail
                .get("count")
                .and_then(Value::as_i64)
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        ),
        AdminEvent::WebhookAdded => format!(
            "Webhook endpoint {} added: {} ({})",
            count("endpoint"),
            detail.get("url").and_then(Value::as_str).unwrap_or("?"),
            detail.get("events").and_then(Value::as_str).unwrap_or("?")
        ),
        AdminEvent::WebhookChanged => format!(
            "Webhook endpoint {} turned {}",
            count("endpoint"),
            if detail.get("active").and_then(Value::as_bool) == Some(true) {
                "on"
            } else {
                "off"
            }
        ),
        AdminEvent::ReportMade => match detail.get("report").and_then(Value::as_str) {
            Some("register") => {
                format!("Register of requests exported ({} case(s))", count("cases"))
            }
            report => format!(
                "Report made: {} for {}",
                report.unwrap_or("?"),
                count("year")
            ),
        },
        AdminEvent::DrpAgentAdded => format!(
            "DRP agent {} ({}) registered with the verify key {}",
            detail["agent_id"].as_str().unwrap_or("?"),
            detail["name"].as_str().unwrap_or("?"),
            detail["verify_key"].as_str().unwrap_or("?")
        ),
        AdminEvent::DrpAgentChanged => format!(
            "DRP agent {} turned {}",
            count("agent"),
            if detail["active"].as_bool() == Some(true) {
                "on"
            } else {
                "off"
            }
        ),
        AdminEvent::DrpAgentPaired => format!(
            "DRP agent {} set up a new bearer token",
            detail["agent_id"].as_str().unwrap_or("?")
        ),
        AdminEvent::DataKeyRotated => format!(
            "Data key changed: {} document(s) and {} stored email(s) re-encrypted",
            count("documents"),
            count("emails")
        ),
    }
}

pub async fn get(
    req: HttpRequest,
    staff: Staff,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.must_administer()?;
    let crate::service::accounts::AdminTrail {
        entries: trail,
        people,
        broken,
    } = pages::blocking(&ctx, crate::service::accounts::admin_trail).await?;
    let tz = ctx.settings.organisation.timezone;
    let name = |id: i64| {
        people
            .iter()
            .find(|u| u.id.0 == id)
            .map_or_else(|| format!("user {id}"), |u| u.name.clone())
    };
    let rows: Vec<TrailRow> = trail
        .iter()
        .rev()
        .take(500)
        .map(|e| {
            let who = describe_actor(&e.actor, |id| Some(name(id.0)));
            TrailRow {
                id: e.id,
                at: e
                    .occurred_at
                    .and_utc()
                    .with_timezone(&tz)
                    .format("%-d %b %Y %H:%M")
                    .to_string(),
                who,
                what: what(e, &name),
            }
        })
        .collect();
    render(
        &req,
        &ctx,
        &staff,
        "staff/audit",
        "Account and settings trail",
        TrailPage { rows, broken },
        StatusCode::OK,
    )
}
