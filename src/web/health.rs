//! `GET /healthz`: liveness and the database's state, for load balancers
//! and monitoring. It names no version: an anonymous caller learns nothing
//! that would help pick an exploit.
//!
//! The database is "ok" only when it answers and takes a write (a
//! heartbeat row, committed): a full disk or a read-only database serves
//! pages but loses every request, so it is reported as `full`, `read_only`
//! or `io_error` with a 503, as is one that does not answer
//! (`unavailable`). A SQLite database whose disk has less than
//! [`db::MIN_FREE_BYTES`] left is reported full before a write fails.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::app::AppContext;
use crate::db::{StorageFault, MIN_FREE_BYTES};

pub async fn get(ctx: web::Data<AppContext>) -> HttpResponse {
    let backend = ctx.backend.name();
    let ctx = ctx.into_inner();
    let check = web::block(move || crate::service::database_health(&ctx)).await;
    let (state, error) = match check {
        Ok(Ok(Some(free))) if free < MIN_FREE_BYTES => (
            StorageFault::Full.key(),
            format!("{free} bytes free on the database's disk"),
        ),
        Ok(Ok(_)) => {
            return HttpResponse::Ok().json(json!({
                "status": "ok",
                "database": { "backend": backend, "state": "ok" },
            }))
        }
        Ok(Err(e)) => match e.storage_fault() {
            Some(fault) => (fault.key(), e.to_string()),
            None => ("unavailable", e.to_string()),
        },
        Err(e) => ("unavailable", e.to_string()),
    };
    log::error!("health check: database {state}: {error}");
    HttpResponse::ServiceUnavailable().json(json!({
        "status": "degraded",
        "database": { "backend": backend, "state": state },
    }))
}
