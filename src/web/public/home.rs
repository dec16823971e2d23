//! `GET /`: what the organisation does with requests, and the way in.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::app::AppContext;
use crate::domain::Right;
use crate::mail::messages::Remedy;
use crate::web::{pages, WebError};

/// The home page: the rights on offer and what each law that applies says.
#[derive(Serialize)]
struct Home<'a> {
    rights: Vec<Offered>,
    laws: Vec<Law<'a>>,
}

#[derive(Serialize)]
struct Offered {
    key: &'static str,
    label: &'static str,
    /// The laws that alone give it ("" when all do).
    only_under: String,
}

#[derive(Serialize)]
struct Law<'a> {
    title: &'static str,
    period: String,
    extension: &'static str,
    fast_track: Option<String>,
    remedy: Remedy<'a>,
}

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
            Offered {
                key: r.key(),
                label: r.label(),
                only_under: only.join(", "),
            }
        })
        .collect();
    // The rules of each law that applies to the organisation, in its words.
    let laws: Vec<_> = jurisdiction
        .applicable()
        .iter()
        .map(|regime| {
            let rules = regime.rules();
            Law {
                title: regime.title(),
                period: rules.clock.period.describe(),
                extension: rules.clock.extension.words,
                fast_track: rules.clock.fast_track.map(|f| {
                    format!(
                        "We act on an {}, within {} business days of receiving it, without asking who you are",
                        f.what, f.business_days
                    )
                }),
                remedy: Remedy::of(&ctx.settings, *regime),
            }
        })
        .collect();
    pages::render(
        &ctx,
        "home",
        "Your privacy rights",
        Home { rights, laws },
        StatusCode::OK,
        None,
    )
}
