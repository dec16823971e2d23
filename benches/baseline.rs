//! The bare baseline the intake benchmark compares Rightsdesk with: a small
//! actix-web server whose one handler parses the same form and inserts the
//! same case row (with its rights) through the same pool, the same database
//! settings and the same write transaction, and nothing else: no CSRF, no
//! rate limit, no audit event, no confirmation link, no email.
//!
//! `cargo run --release --example baseline -- 127.0.0.1:18081` serves it on
//! the configured database (DATABASE_URL, or SQLite under ./data), which it
//! migrates first. benches/run.sh starts it beside the app.

use std::sync::Arc;

use actix_web::{web, App, HttpResponse, HttpServer};
use chrono::Utc;
use rightsdesk::config::Settings;
use rightsdesk::db::{self, cases, DbConn, Pool};
use rightsdesk::domain::{IntakeInput, Jurisdiction, NewRequest, Reference};

struct State {
    pool: Pool,
    jurisdiction: Jurisdiction,
}

async fn file(state: web::Data<Arc<State>>, body: web::Bytes) -> HttpResponse {
    let Ok(input) = serde_html_form::from_bytes::<IntakeInput>(&body) else {
        return HttpResponse::BadRequest().body("bad form");
    };
    let Ok(request) = NewRequest::parse(&input, &state.jurisdiction) else {
        return HttpResponse::BadRequest().body("bad request");
    };
    let state = state.get_ref().clone();
    let stored = web::block(move || -> Result<(), db::DbError> {
        let mut conn = state.pool.get()?;
        let reference = Reference::generate(&mut rand::rng());
        let now = db::timestamp(Utc::now());
        db::write_transaction(&mut conn, |conn: &mut DbConn| {
            cases::insert(conn, &request, &reference, cases::Start::Web, now).map(|_| ())
        })
    })
    .await;
    match stored {
        Ok(Ok(())) => HttpResponse::SeeOther()
            .insert_header(("Location", "/requests/sent"))
            .finish(),
        _ => HttpResponse::InternalServerError().body("not stored"),
    }
}

fn main() -> anyhow::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".into());
    let settings = Settings::load()?;
    let (pool, _) = rightsdesk::startup::open_database(&settings)?;
    let state = Arc::new(State {
        pool,
        jurisdiction: settings.organisation.jurisdiction()?,
    });
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(state.clone()))
                .route("/requests", web::post().to(file))
        })
        .bind(&bind)?
        .run()
        .await
    })?;
    Ok(())
}
