//! `GET /`: what the organisation does with requests, and the way in.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::app::AppContext;
use crate::domain::Right;
use crate::web::{pages, WebError};

pub async fn get(ctx: web::Data<AppContext>) -> Result<HttpResponse, WebError> {
    let jurisdiction = &ctx.jurisdiction;
    let rights: Vec<_> = Right::ALL
        .iter()
        .filter(|r| jurisdiction.offers(**r))
        .map(|r| {
            let only: Vec<&str> = jurisdiction
                .offered_only_under(*r)
                .iter()
                .map(|g| g.short())
                .collect();
            json!({ "key": r.key(), "label": r.label(), "only_under": only.join(", ") })
        })
        .collect();
    // The rules of each law that applies to the organisation, in its words.
    let laws: Vec<_> = jurisdiction
        .applicable()
        .iter()
        .map(|regime| {
            let rules = regime.rules();
            json!({
                "title": regime.title(),
                "period": rules.clock.period.describe(),
                "extension": rules.clock.extension.words,
                "fast_track": rules.clock.fast_track.map(|f| {
                    format!(
                        "We act on an {}, within {} business days of receiving it, without asking who you are",
                        f.what, f.business_days
                    )
                }),
                "remedy": {
                    "complaint": rules.remedies.complaint,
                    "authority": ctx.settings.authorities.for_regime(*regime),
                    "also": rules.remedies.also,
                    "court": rules.remedies.court,
                },
            })
        })
        .collect();
    pages::render(
        &ctx,
        "home",
        "Your privacy rights",
        json!({ "rights": rights, "laws": laws }),
        StatusCode::OK,
        None,
    )
}
