//! `GET /staff/audit`: the account and settings trail for admins, newest
//! first, with the state of its hash chain.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::{render, Staff};
use crate::app::AppContext;
use crate::db::{events, users};
use crate::service::ServiceError;
use crate::web::{pages, WebError};

fn what(kind: &str, detail: &Value, name: &dyn Fn(i64) -> String) -> String {
    let user = || {
        detail
            .get("user")
            .and_then(Value::as_i64)
            .map(name)
            .unwrap_or_default()
    };
    match kind {
        "user_added" => format!(
            "Account added from the command line: {} ({})",
            user(),
            detail.get("role").and_then(Value::as_str).unwrap_or("?")
        ),
        "first_admin_created" => format!("First admin set up: {}", user()),
        "user_invited" => format!(
            "Invited {} as {}",
            user(),
            detail.get("role").and_then(Value::as_str).unwrap_or("?")
        ),
        "password_set_from_link" => format!("{} chose a password from their link", user()),
        "password_link_sent" => format!("Password link sent to {}", user()),
        "user_updated" => {
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
        "account_locked" => format!("{} locked out after repeated failed logins", user()),
        "verification_policy_changed" => "Verification policy changed".into(),
        other => other.replace('_', " "),
    }
}

pub async fn get(
    req: HttpRequest,
    staff: Staff,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.must_administer()?;
    let (trail, people, broken) = pages::blocking(&ctx, |ctx| {
        let mut conn = ctx.pool.get()?;
        Ok::<_, ServiceError>((
            events::list_admin(&mut conn)?,
            users::all(&mut conn)?,
            events::first_broken_admin_link(&mut conn)?,
        ))
    })
    .await?;
    let tz = ctx.settings.organisation.timezone;
    let name = |id: i64| {
        people
            .iter()
            .find(|u| u.id.0 == id)
            .map_or_else(|| format!("user {id}"), |u| u.name.clone())
    };
    let rows: Vec<Value> = trail
        .iter()
        .rev()
        .take(500)
        .map(|e| {
            let detail: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
            let who = match e.actor.strip_prefix("user:").and_then(|id| id.parse().ok()) {
                Some(id) => name(id),
                None => e.actor.clone(),
            };
            json!({
                "id": e.id,
                "at": e.occurred_at.and_utc().with_timezone(&tz).format("%-d %b %Y %H:%M").to_string(),
                "who": who,
                "what": what(&e.kind, &detail, &name),
            })
        })
        .collect();
    render(
        &req,
        &ctx,
        &staff,
        "staff/audit",
        "Account and settings trail",
        json!({ "rows": rows, "broken": broken }),
        StatusCode::OK,
    )
}
