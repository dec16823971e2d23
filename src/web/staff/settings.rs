//! Admin settings: `GET`/`POST /staff/settings/verification`, how sure we
//! must be of who is asking, per right and law (blank = the default).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::{render, see_other, Staff};
use crate::app::AppContext;
use crate::domain::audit::Actor;
use crate::domain::verification::{default_level, Level};
use crate::domain::{Regime, Right};
use crate::service::policies;
use crate::web::view::Opt;
use crate::web::{pages, WebError};

/// The verification policy page: a row per right, a cell per law.
#[derive(Serialize)]
struct PolicyPage {
    rows: Vec<PolicyRow>,
    regimes: Vec<&'static str>,
    error: Option<String>,
}

#[derive(Serialize)]
struct PolicyRow {
    right: &'static str,
    cells: Vec<Cell>,
}

/// A right under a law: a list of levels, or why there is none.
#[derive(Serialize)]
struct Cell {
    field: Option<String>,
    label: String,
    options: Vec<Opt<'static>>,
    why: &'static str,
}

fn field(right: Right, regime: Regime) -> String {
    format!("{}.{}", right.key(), regime.key())
}

pub async fn get(
    req: HttpRequest,
    staff: Staff,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.must_administer()?;
    page(&req, &ctx, &staff, None, StatusCode::OK).await
}

async fn page(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    staff: &Staff,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let set = pages::blocking(ctx, policies::overrides).await?;
    let regimes = ctx.jurisdiction.applicable();
    let rows: Vec<_> = Right::ALL
        .iter()
        .filter(|right| regimes.iter().any(|g| g.verifies(**right)))
        .map(|right| {
            let cells: Vec<_> = regimes
                .iter()
                .map(|regime| {
                    if !regime.verifies(*right) {
                        // Not a right under this law, or one never verified.
                        return Cell {
                            field: None,
                            label: String::new(),
                            options: Vec::new(),
                            why: if regime.grants(*right) {
                                "never verified"
                            } else {
                                "not a right under this law"
                            },
                        };
                    }
                    let chosen = set
                        .iter()
                        .find(|(r, g, _)| r == right && g == regime)
                        .map(|(_, _, l)| *l);
                    let (default, why) = default_level(*right, *regime);
                    let default = Opt {
                        value: "",
                        label: format!("Default: {}", default.label()).into(),
                        selected: chosen.is_none(),
                    };
                    let options = std::iter::once(default)
                        .chain(Opt::list(
                            Level::ALL.iter().map(|l| (l.key(), l.label())),
                            chosen.map_or("", |l| l.key()),
                        ))
                        .collect();
                    Cell {
                        field: Some(field(*right, *regime)),
                        label: format!("{} under {}", right.short(), regime.key()),
                        options,
                        why,
                    }
                })
                .collect();
            PolicyRow {
                right: right.short(),
                cells,
            }
        })
        .collect();
    render(
        req,
        ctx,
        staff,
        "staff/verification",
        "Verification policy",
        PolicyPage {
            rows,
            regimes: regimes.iter().map(|r| r.short()).collect(),
            error,
        },
        status,
    )
}

pub async fn post(
    req: HttpRequest,
    staff: Staff,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let form: HashMap<String, String> = crate::web::form(&body)?;
    staff.verify_csrf(form.get("csrf_token").map(String::as_str).unwrap_or(""))?;
    staff.must_administer()?;
    let mut choices = Vec::new();
    for right in Right::ALL {
        for regime in ctx.jurisdiction.applicable().iter().copied() {
            if !regime.verifies(right) {
                continue;
            }
            let level = match form.get(&field(right, regime)).map(String::as_str) {
                None | Some("") => None,
                Some(key) => match key.parse::<Level>() {
                    Ok(level) => Some(level),
                    Err(e) => {
                        return page(
                            &req,
                            &ctx,
                            &staff,
                            Some(e.to_string()),
                            StatusCode::UNPROCESSABLE_ENTITY,
                        )
                        .await
                    }
                },
            };
            choices.push((right, regime, level));
        }
    }
    let by = staff.user.id;
    pages::blocking(&ctx, move |ctx| {
        policies::set(ctx, Actor::Staff(by), &choices)?;
        log::info!("user {} changed the verification policy", by.0);
        Ok(())
    })
    .await?;
    Ok(see_other("/staff/settings/verification"))
}
