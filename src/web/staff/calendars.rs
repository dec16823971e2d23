//! The holiday calendars for admins: `GET /staff/calendars` shows the
//! calendars the laws that apply use, with their holidays this year and
//! next and the days changed here; `POST /staff/calendars` declares a
//! holiday, keeps one as a working day, or undoes a change (each in the
//! admin trail; the due dates it moves in each case's trail).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{render, Staff};
use crate::app::AppContext;
use crate::domain::audit::Actor;
use crate::domain::calendar::{is_weekend, MAX_HOLIDAY_NAME};
use crate::domain::deadline::long;
use crate::service::calendars::{self, CalendarView, DayEdit};
use crate::web::{pages, WebError};

const TITLE: &str = "Holiday calendars";

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct Form {
    #[serde(skip_serializing)]
    csrf_token: String,
    /// `holiday`, `working` or `undo`.
    action: String,
    calendar: String,
    day: String,
    name: String,
}

#[derive(Serialize)]
struct Page {
    calendars: Vec<Card>,
    /// Only one calendar in use: no need to choose.
    single: bool,
    max_name: usize,
    typed: Form,
    flash: Option<String>,
    has_errors: bool,
    error: Option<String>,
}

#[derive(Serialize)]
struct Card {
    key: String,
    name: String,
    used_by: String,
    years: String,
    selected: bool,
    holidays: Vec<Day>,
    changes: Vec<Day>,
}

#[derive(Serialize)]
struct Day {
    /// YYYY-MM-DD, as the forms send it.
    date: String,
    /// In words.
    label: String,
    what: String,
    changed: bool,
    /// On a Saturday or Sunday: never a working day.
    weekend: bool,
}

fn card(view: CalendarView, typed: &Form) -> Card {
    Card {
        selected: typed.calendar == view.key,
        used_by: view
            .regimes
            .iter()
            .map(|r| r.title())
            .collect::<Vec<_>>()
            .join("; "),
        years: format!("{} to {}", view.first_year, view.last_year),
        holidays: view
            .holidays
            .into_iter()
            .map(|(date, name, changed)| Day {
                date: date.to_string(),
                label: long(date),
                what: name,
                changed,
                weekend: is_weekend(date),
            })
            .collect(),
        changes: view
            .changes
            .into_iter()
            .map(|(date, holiday, configured)| Day {
                date: date.to_string(),
                label: long(date),
                what: match (holiday, configured) {
                    (Some(name), _) => format!("Made a holiday: {name}"),
                    (None, Some(name)) => {
                        format!("Kept as a working day (the calendar has {name})")
                    }
                    (None, None) => "Kept as a working day".to_owned(),
                },
                changed: true,
                weekend: is_weekend(date),
            })
            .collect(),
        key: view.key,
        name: view.name,
    }
}

async fn page(
    req: &HttpRequest,
    ctx: &web::Data<AppContext>,
    staff: &Staff,
    typed: Form,
    flash: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let views = pages::blocking(ctx, calendars::overview).await?;
    let cards: Vec<Card> = views.into_iter().map(|v| card(v, &typed)).collect();
    let view = Page {
        single: cards.len() == 1,
        calendars: cards,
        max_name: MAX_HOLIDAY_NAME,
        typed,
        flash,
        has_errors: error.is_some(),
        error,
    };
    render(req, ctx, staff, "staff/calendars", TITLE, view, status)
}

pub async fn get(
    req: HttpRequest,
    staff: Staff,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    staff.must_administer()?;
    page(
        &req,
        &ctx,
        &staff,
        Form::default(),
        None,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn post(
    req: HttpRequest,
    staff: Staff,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let form: Form = crate::web::form(&body)?;
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_administer()?;
    let edit = match form.action.as_str() {
        "holiday" => DayEdit::Holiday(form.name.clone()),
        "working" => DayEdit::WorkingDay,
        "undo" => DayEdit::Undo,
        _ => return Err(WebError::BadForm("choose what to do with the day".into())),
    };
    let refuse = |message: String, form: Form| async {
        page(
            &req,
            &ctx,
            &staff,
            form,
            None,
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await
    };
    let Ok(day) = NaiveDate::parse_from_str(form.day.trim(), "%Y-%m-%d") else {
        return refuse(
            "Enter the date as a full date, for example 2027-06-04".into(),
            form,
        )
        .await;
    };
    let by = Actor::Staff(staff.user.id);
    let calendar = form.calendar.trim().to_owned();
    let result = pages::blocking(&ctx, move |ctx| {
        calendars::change_day(ctx, by, &calendar, day, edit)
    })
    .await?;
    match result {
        Ok(changed) => {
            let what = match form.action.as_str() {
                "holiday" => format!("{} is now a holiday.", long(day)),
                "working" => format!("{} is now a working day.", long(day)),
                _ => format!(
                    "The change to {} is undone: the calendar says again what it said.",
                    long(day)
                ),
            };
            let moved = &changed.cases_moved;
            let listed = |n: usize| {
                let shown = moved
                    .iter()
                    .take(10)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                if n > 10 {
                    format!("{shown} and {} more", n - 10)
                } else {
                    shown
                }
            };
            let moved = match moved.len() {
                0 => " No open case's due date moved.".to_owned(),
                1 => format!(
                    " 1 open case has a new due date: {} (its history says why).",
                    listed(1)
                ),
                n => format!(
                    " {n} open cases have a new due date: {} (each one's history says why).",
                    listed(n)
                ),
            };
            page(
                &req,
                &ctx,
                &staff,
                Form::default(),
                Some(what + &moved),
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(refused) => {
            let mut message = refused.to_string();
            if let Some(first) = message.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            refuse(message, form).await
        }
    }
}
