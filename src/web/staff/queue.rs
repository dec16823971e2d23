//! `GET /staff`: the case queue, most urgent first, with filters, search,
//! counts per status and keyset pagination (`after_due` / `after_id`), so a
//! page costs the same at the millionth case as at the first.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{render, Staff};
use crate::app::AppContext;
use crate::db::queue::{AssigneeFilter, Cursor, QueueFilter, QueueRow, Search, Sort};
use crate::db::users::UserId;
use crate::domain::{CaseState, Reference, Regime, Right};
use crate::web::view::{Count, Opt};
use crate::web::{pages, WebError};

pub const PAGE_SIZE: i64 = 50;

/// The queue's query string, as typed: every field a string.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    pub status: String,
    pub right: String,
    pub regime: String,
    pub assignee: String,
    pub due_within: String,
    pub overdue: String,
    pub unconfirmed: String,
    pub q: String,
    pub after_due: String,
    pub after_id: String,
    /// In the order by state: the state the last page ended in.
    pub after_state: String,
    /// `due` (most urgent first, the default) or `received` (newest first).
    pub sort: String,
    /// After a bulk assignment: how many were and were not assigned.
    pub assigned: String,
    pub not_assigned: String,
}

/// What the queue's search box asks for: a whole reference or address
/// (found through their indexes), or else part of a name, an address or a
/// reference, in any letter case.
pub(crate) fn search(q: &str) -> Result<Search, String> {
    if let Ok(reference) = q.parse::<Reference>() {
        return Ok(Search::Reference(reference));
    }
    if crate::domain::Email::parse(q).is_ok() {
        return Ok(Search::Email(q.to_owned()));
    }
    match q.chars().count() {
        0..=1 => Err("Type at least 2 letters of a name, an address or a reference".to_owned()),
        2..=100 => Ok(Search::Text(q.to_owned())),
        _ => Err("Search for 100 characters at most".to_owned()),
    }
}

impl QueueQuery {
    /// The filter it asks for, or what is wrong with it.
    pub(crate) fn filter(&self, me: UserId, today: NaiveDate) -> Result<QueueFilter, String> {
        let search = match self.q.trim() {
            "" => None,
            q => Some(search(q)?),
        };
        let states = match self.status.as_str() {
            // A search looks everywhere: people quote old references.
            "" if search.is_some() => CaseState::ALL.to_vec(),
            "" => {
                let mut open = CaseState::OPEN.to_vec();
                if self.unconfirmed == "1" {
                    open.insert(0, CaseState::Submitted);
                }
                open
            }
            "all" => CaseState::ALL.to_vec(),
            s => vec![s
                .parse::<CaseState>()
                .map_err(|_| format!("unknown status '{s}'"))?],
        };
        let right = match self.right.as_str() {
            "" => None,
            r => Some(
                r.parse::<Right>()
                    .map_err(|_| format!("unknown right '{r}'"))?,
            ),
        };
        let regime = match self.regime.as_str() {
            "" => None,
            r => Some(
                r.parse::<Regime>()
                    .map_err(|_| format!("unknown regime '{r}'"))?,
            ),
        };
        let assignee = match self.assignee.as_str() {
            "" => AssigneeFilter::Anyone,
            "mine" => AssigneeFilter::User(me),
            "unassigned" => AssigneeFilter::Unassigned,
            id => AssigneeFilter::User(UserId(
                id.parse().map_err(|_| format!("unknown assignee '{id}'"))?,
            )),
        };
        let due_by = match self.due_within.trim() {
            "" => None,
            n => {
                let days: u64 =
                    n.parse().ok().filter(|d| *d <= 3650).ok_or_else(|| {
                        format!("'due within' must be a number of days, not '{n}'")
                    })?;
                today.checked_add_days(Days::new(days))
            }
        };
        let after = match (self.after_due.as_str(), self.after_id.as_str()) {
            ("", "") => None,
            (due, id) => Some(Cursor {
                due_on: match due {
                    "" | "none" => None,
                    d => Some(d.parse().map_err(|_| "bad page position".to_owned())?),
                },
                id: id.parse().map_err(|_| "bad page position".to_owned())?,
                state: match self.after_state.as_str() {
                    "" => None,
                    s => Some(s.parse().map_err(|_| "bad page position".to_owned())?),
                },
            }),
        };
        Ok(QueueFilter {
            states,
            right,
            regime,
            assignee,
            due_by,
            overdue_before: (self.overdue == "1").then_some(today),
            search,
            after,
            limit: PAGE_SIZE + 1,
            // The default view of open work includes opt-outs not yet confirmed.
            unconfirmed_with_due: self.status.is_empty(),
            sort: match self.sort.as_str() {
                "" | "due" => Sort::Due,
                "received" => Sort::Received,
                "state" => Sort::State,
                s => return Err(format!("unknown order '{s}'")),
            },
        })
    }

    /// The query string for the next page after `last`.
    fn next_page(&self, last: &QueueRow) -> String {
        let mut q = self.filters();
        let on = if self.sort == "received" {
            last.received_on
        } else {
            last.due_on
        };
        let due = on.map_or_else(|| "none".to_owned(), |d| d.to_string());
        q.append_pair("after_due", &due);
        q.append_pair("after_id", &last.id.0.to_string());
        if self.sort == "state" {
            q.append_pair("after_state", last.state.key());
        }
        q.finish()
    }

    /// The filters, as a query string in the making (no page position).
    fn filters(&self) -> url::form_urlencoded::Serializer<'static, String> {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("status", &self.status),
            ("right", &self.right),
            ("regime", &self.regime),
            ("assignee", &self.assignee),
            ("due_within", &self.due_within),
            ("overdue", &self.overdue),
            ("unconfirmed", &self.unconfirmed),
            ("q", &self.q),
            ("sort", &self.sort),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        q
    }
}

/// "12 days left", "due today", "3 days overdue", "clock not started".
pub fn due_text(due: Option<NaiveDate>, today: NaiveDate) -> (String, bool) {
    match due.map(|d| (d - today).num_days()) {
        None => ("clock not started".into(), false),
        Some(0) => ("due today".into(), false),
        Some(1) => ("1 day left".into(), false),
        Some(n) if n > 1 => (format!("{n} days left"), false),
        Some(-1) => ("1 day overdue".into(), true),
        Some(n) => (format!("{} days overdue", -n), true),
    }
}

/// A case as the queue lists it.
#[derive(Serialize)]
struct Row<'a> {
    reference: &'a str,
    name: &'a str,
    rights: String,
    regime: &'static str,
    status: &'static str,
    state: &'static str,
    assignee: &'a Option<String>,
    due: Option<String>,
    due_text: String,
    overdue: bool,
    tasks_overdue: bool,
}

fn row(row: &QueueRow, today: NaiveDate, tasks_overdue: bool) -> Row<'_> {
    let (due_text, overdue) = due_text(row.due_on, today);
    let closed = row.state.is_closed();
    Row {
        reference: &row.reference,
        name: &row.requester_name,
        rights: row
            .rights
            .iter()
            .map(|r| r.short())
            .collect::<Vec<_>>()
            .join(", "),
        regime: row.regime.short(),
        status: row.state.label(),
        state: row.state.key(),
        assignee: &row.assignee,
        due: row.due_on.map(|d| d.format("%-d %b %Y").to_string()),
        due_text: if closed {
            "closed".to_owned()
        } else {
            due_text
        },
        overdue: overdue && !closed,
        tasks_overdue: tasks_overdue && !closed,
    }
}

/// The queue page.
#[derive(Serialize)]
struct QueuePage<'a> {
    rows: Vec<Row<'a>>,
    counts: Vec<Count<'a>>,
    next: Option<String>,
    export: String,
    paged: bool,
    q: &'a str,
    due_within: &'a str,
    overdue: bool,
    unconfirmed: bool,
    status_options: Vec<Opt<'a>>,
    right_options: Vec<Opt<'a>>,
    regime_options: Vec<Opt<'a>>,
    assignee_options: Vec<Opt<'a>>,
    order: &'static str,
    sort_options: Vec<Opt<'a>>,
    error: Option<String>,
    flash: Option<String>,
    back: String,
    can_assign: bool,
    assign_options: Vec<Opt<'a>>,
    today: String,
}

pub async fn get(
    req: HttpRequest,
    staff: Staff,
    query: web::Query<QueueQuery>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let query = query.into_inner();
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let filter = query.filter(staff.user.id, today);
    let f = filter.clone();
    let crate::service::queue::StaffQueue {
        rows,
        late_tasks,
        counts,
        people,
    } = pages::blocking(&ctx, move |ctx| {
        crate::service::queue::staff_queue(ctx, f.as_ref().ok(), today)
    })
    .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let shown = &rows[..rows.len().min(PAGE_SIZE as usize)];
    let next = if more {
        shown.last().map(|last| query.next_page(last))
    } else {
        None
    };
    let status_options: Vec<(&str, &str)> = std::iter::once(("", "Open (default)"))
        .chain(std::iter::once(("all", "Any status")))
        .chain(CaseState::ALL.iter().map(|s| (s.key(), s.label())))
        .collect();
    let right_options: Vec<(&str, &str)> = std::iter::once(("", "Any right"))
        .chain(Right::ALL.iter().map(|r| (r.key(), r.short())))
        .collect();
    let regime_options = Opt::list(
        std::iter::once(("", "Any law")).chain(
            ctx.jurisdiction
                .applicable()
                .iter()
                .map(|r| (r.key(), r.short())),
        ),
        &query.regime,
    );
    let ids: Vec<String> = people.iter().map(|u| u.id.0.to_string()).collect();
    let assignee_options: Vec<(&str, &str)> = [
        ("", "Anyone"),
        ("mine", "Mine"),
        ("unassigned", "Unassigned"),
    ]
    .into_iter()
    .chain(
        ids.iter()
            .zip(&people)
            .map(|(id, u)| (id.as_str(), u.name.as_str())),
    )
    .collect();
    let assign_options = Opt::list(
        [("", "Choose…"), ("none", "Nobody (unassign)")]
            .into_iter()
            .chain(
                ids.iter()
                    .zip(&people)
                    .map(|(id, u)| (id.as_str(), u.name.as_str())),
            ),
        "",
    );
    let (error, status) = match &filter {
        Ok(_) => (None, StatusCode::OK),
        Err(e) => (Some(e.clone()), StatusCode::BAD_REQUEST),
    };
    let counts = counts
        .iter()
        .map(|(s, n)| Count {
            key: s.key(),
            label: s.label(),
            count: *n,
        })
        .collect();
    render(
        &req,
        &ctx,
        &staff,
        "staff/queue",
        "Case queue",
        QueuePage {
            rows: shown
                .iter()
                .map(|r| row(r, today, late_tasks.contains(&r.id)))
                .collect(),
            counts,
            next,
            export: format!("/staff/reports/register.csv?{}", query.filters().finish()),
            paged: !query.after_id.is_empty(),
            q: &query.q,
            due_within: &query.due_within,
            overdue: query.overdue == "1",
            unconfirmed: query.unconfirmed == "1",
            status_options: Opt::list(status_options, &query.status),
            right_options: Opt::list(right_options, &query.right),
            regime_options,
            assignee_options: Opt::list(assignee_options, &query.assignee),
            order: match query.sort.as_str() {
                "received" => "newest first",
                "state" => "by status, most urgent first",
                _ => "most urgent first",
            },
            sort_options: Opt::list(
                [
                    ("", "Due date, most urgent first"),
                    ("received", "Received, newest first"),
                    ("state", "Status, then due date"),
                ],
                &query.sort,
            ),
            error,
            flash: bulk_flash(&query),
            back: query.filters().finish(),
            can_assign: staff.user.role.can_work_cases() && !shown.is_empty(),
            assign_options,
            today: today.format("%-d %B %Y").to_string(),
        },
        status,
    )
}

/// What the queue says after a bulk assignment.
fn bulk_flash(query: &QueueQuery) -> Option<String> {
    let done: usize = query.assigned.parse().ok()?;
    let refused: usize = query.not_assigned.parse().unwrap_or(0);
    let cases = |n: usize| {
        if n == 1 {
            "1 case".to_owned()
        } else {
            format!("{n} cases")
        }
    };
    Some(match refused {
        0 => format!("Assigned {}.", cases(done)),
        n => format!(
            "Assigned {}; {} could not be (closed cases cannot be assigned).",
            cases(done),
            cases(n)
        ),
    })
}

/// The queue's bulk-assign form: the ticked cases, to whom, and the
/// queue's query string to go back to.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BulkAssignForm {
    csrf_token: String,
    /// A staff member's id, or `none` to unassign.
    assignee: String,
    cases: Vec<String>,
    back: String,
}

/// The most cases one bulk assignment takes (a page of the queue).
const MAX_BULK: usize = PAGE_SIZE as usize;

/// `POST /staff/cases/assign`: assigns each ticked case as the case page
/// would (each an action in its own trail), then shows the queue again
/// with how many were assigned.
pub async fn bulk_assign(
    staff: Staff,
    body: web::Bytes,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let form: BulkAssignForm = crate::web::form(&body)?;
    staff.verify_csrf(&form.csrf_token)?;
    staff.must_work()?;
    let to = match form.assignee.trim() {
        "" => {
            return Err(WebError::BadForm(
                "choose whom to assign the cases to".into(),
            ))
        }
        "none" => None,
        id => Some(UserId(id.parse().map_err(|_| {
            WebError::BadForm(format!("unknown assignee '{id}'"))
        })?)),
    };
    if form.cases.is_empty() {
        return Err(WebError::BadForm("tick the cases to assign first".into()));
    }
    if form.cases.len() > MAX_BULK {
        return Err(WebError::BadForm(format!(
            "assign at most {MAX_BULK} cases at a time"
        )));
    }
    let references = form
        .cases
        .iter()
        .map(|r| {
            r.parse::<Reference>()
                .map_err(|_| WebError::BadForm(format!("'{r}' is not a case reference")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let user = staff.user.clone();
    let (done, refused) = pages::blocking(&ctx, move |ctx| {
        crate::service::casework::assign_many(ctx, &user, &references, to)
    })
    .await?;
    // Back to the same view of the queue (only its own parameters).
    let back: String = url::form_urlencoded::parse(form.back.as_bytes())
        .filter(|(k, _)| !matches!(k.as_ref(), "assigned" | "not_assigned"))
        .fold(
            url::form_urlencoded::Serializer::new(String::new()),
            |mut s, (k, v)| {
                s.append_pair(&k, &v);
                s
            },
        )
        .append_pair("assigned", &done.to_string())
        .append_pair("not_assigned", &refused.to_string())
        .finish();
    Ok(super::see_other(&format!("/staff?{back}")))
}
