//! `GET /healthz`: liveness and the database's state, for load balancers
//! and monitoring. It names no version: an anonymous caller learns nothing
//! that would help pick an exploit.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::app::AppContext;
use crate::db;

pub async fn get(ctx: web::Data<AppContext>) -> HttpResponse {
    let backend = ctx.backend.name();
    let ctx = ctx.into_inner();
    let check = web::block(move || -> Result<(), String> {
        let mut conn = ctx.pool.get().map_err(|e| e.to_string())?;
        db::ping(&mut conn).map_err(|e| e.to_string())
    })
    .await;
    let error = match check {
        Ok(Ok(())) => {
            return HttpResponse::Ok().json(json!({
                "status": "ok",
                "database": { "backend": backend, "state": "ok" },
            }))
        }
        Ok(Err(e)) => e,
        Err(e) => e.to_string(),
    };
    log::error!("health check: database unavailable: {error}");
    HttpResponse::ServiceUnavailable().json(json!({
        "status": "degraded",
        "database": { "backend": backend, "state": "unavailable" },
    }))
}
