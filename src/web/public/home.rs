//! `GET /`: what the organisation does with requests, and the way in.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::app::AppContext;
use crate::domain::Right;
use crate::web::{pages, WebError};

pub async fn get(ctx: web::Data<AppContext>) -> Result<HttpResponse, WebError> {
    let rights: Vec<_> = Right::ALL
        .iter()
        .map(|r| json!({ "key": r.key(), "label": r.label() }))
        .collect();
    let home = ctx.settings.organisation.home_regime;
    pages::render(
        &ctx,
        "home",
        "Your privacy rights",
        json!({
            "rights": rights,
            "authority": ctx.settings.authorities.for_regime(home),
        }),
        StatusCode::OK,
        None,
    )
}
