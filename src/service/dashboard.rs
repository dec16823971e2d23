//! The dashboard's figures: open cases by state and by right, due this
//! week, overdue, and per regime the median and 90th-percentile days from
//! receipt to answer over the last twelve months (this month and the eleven
//! before it). Every figure is read from counts the database keeps, so they
//! cost the same at a thousand cases or a million.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::ServiceError;
use crate::app::AppContext;
use crate::db::queue;
use crate::domain::reports::percentile;
use crate::domain::{CaseState, Regime, Right};

/// How long one regime's cases took to answer.
#[derive(Debug, Clone)]
pub struct Turnaround {
    pub regime: Regime,
    /// Cases answered (closed) since the period began.
    pub closed: i64,
    /// Days from receipt to answer.
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub today: NaiveDate,
    /// The first day of the turnaround period.
    pub since: NaiveDate,
    pub open: i64,
    /// Open cases due within seven days (overdue ones included).
    pub due_week: i64,
    pub overdue: i64,
    /// Every state, in the order of `CaseState::ALL`, with how many cases
    /// are in it.
    pub by_state: Vec<(CaseState, i64)>,
    /// Every right, with how many open cases exercise it.
    pub by_right: Vec<(Right, i64)>,
    /// One per regime the organisation answers under.
    pub turnaround: Vec<Turnaround>,
    /// Emails waiting to be sent, counted up to `mail.max_backlog`.
    pub mail_waiting: i64,
    /// Whether that many wait: the public request form then refuses new
    /// requests until the workers catch up.
    pub form_closed: bool,
}

/// The figures as of `today`.
pub fn figures(ctx: &AppContext, today: NaiveDate) -> Result<Dashboard, ServiceError> {
    let week_end = today.checked_add_days(Days::new(7)).unwrap_or(today);
    let since = today
        .with_day(1)
        .and_then(|first| first.checked_sub_months(Months::new(11)))
        .unwrap_or(today);
    let mut conn = ctx.pool.get()?;
    let by_state = queue::count_by_state(&mut conn)?;
    let open_rights = queue::open_by_right(&mut conn)?;
    let due_week = queue::count_open_due(&mut conn, Some(week_end), None)?;
    let overdue = queue::count_open_due(&mut conn, None, Some(today))?;
    let closed = queue::turnaround_since(&mut conn, since)?;
    let backlog_cap = i64::from(ctx.settings.mail.max_backlog);
    let mail_waiting = crate::db::outbox::pending_up_to(&mut conn, backlog_cap)?;
    let open = by_state
        .iter()
        .filter(|(s, _)| CaseState::OPEN.contains(s))
        .map(|(_, n)| n)
        .sum();
    let by_right = Right::ALL
        .iter()
        .map(|&r| {
            let n = open_rights
                .iter()
                .find(|(k, _)| *k == r)
                .map_or(0, |(_, n)| *n);
            (r, n)
        })
        .collect();
    let turnaround = ctx
        .jurisdiction
        .applicable()
        .iter()
        .map(|&regime| {
            let days: Vec<(i64, i64)> = closed
                .iter()
                .filter(|(r, _, _)| *r == regime)
                .map(|&(_, days, n)| (days, n))
                .collect();
            Turnaround {
                regime,
                closed: days.iter().map(|(_, n)| n).sum(),
                median: percentile(&days, 0.5),
                p90: percentile(&days, 0.9),
            }
        })
        .collect();
    Ok(Dashboard {
        mail_waiting,
        form_closed: mail_waiting >= backlog_cap,
        today,
        since,
        open,
        due_week,
        overdue,
        by_state,
        by_right,
        turnaround,
    })
}
