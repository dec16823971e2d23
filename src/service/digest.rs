//! The daily digest: each agent gets their open cases due within a week or
//! overdue; each admin also gets the open cases no one is assigned to. Sent
//! once a day (claimed in the database, so restarts and extra nodes do not
//! repeat it), at `staff.digest_hour` in the organisation's time zone.

use chrono::{Days, NaiveDate, Timelike};

use super::ServiceError;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::outbox;
use crate::db::queue::{self, QueueRow};
use crate::db::{self, job_runs, users, Pool};
use crate::domain::Role;
use crate::mail::messages::DigestRow;
use crate::templates::Templates;

pub const WINDOW_DAYS: u64 = 7;
const JOB: &str = "staff_digest";

pub(crate) fn row(r: &QueueRow, today: NaiveDate) -> DigestRow {
    let days = r.due_on.map(|d| (d - today).num_days());
    let due_text = match days {
        None => "clock not started".to_owned(),
        Some(n) if n < 0 => format!("OVERDUE by {} day{}", -n, if n == -1 { "" } else { "s" }),
        Some(0) => "due today".to_owned(),
        Some(n) => format!("due in {n} day{}", if n == 1 { "" } else { "s" }),
    };
    DigestRow {
        reference: r.reference.clone(),
        status: r.state.label().to_lowercase(),
        due_text,
        overdue: days.is_some_and(|n| n < 0),
        rights: r
            .rights
            .iter()
            .map(|x| x.short())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Sends today's digests if it is time and no one has yet; returns how many
/// were queued.
pub fn send_if_due(
    pool: &Pool,
    sealer: &crate::crypto::Sealer,
    templates: &Templates,
    settings: &Settings,
    clock: &dyn Clock,
) -> Result<usize, ServiceError> {
    let tz = settings.organisation.timezone;
    let local = clock.now().with_timezone(&tz);
    if local.hour() < settings.staff.digest_hour {
        return Ok(0);
    }
    let today = local.date_naive();
    let now = db::timestamp(clock.now());
    let by = today
        .checked_add_days(Days::new(WINDOW_DAYS))
        .unwrap_or(today);
    let mut conn = pool.get()?;
    let sent = db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        if !job_runs::claim_day(conn, JOB, today)? {
            return Ok(0);
        }
        let unassigned: Vec<DigestRow> = queue::open_for_digest(conn, None, by)?
            .iter()
            .map(|r| row(r, today))
            .collect();
        let mut sent = 0;
        for user in users::active_with_role(conn, &[Role::Admin, Role::Agent])? {
            if user.password_hash.is_none() {
                continue; // invited, not yet joined
            }
            let mine: Vec<DigestRow> = queue::open_for_digest(conn, Some(user.id), by)?
                .iter()
                .map(|r| row(r, today))
                .collect();
            let theirs: &[DigestRow] = if user.role == Role::Admin {
                &unassigned
            } else {
                &[]
            };
            if mine.is_empty() && theirs.is_empty() {
                continue;
            }
            let overdue = mine.iter().filter(|r| r.overdue).count();
            let subject_line = match (mine.len(), overdue, theirs.len()) {
                (_, o, _) if o > 0 => format!(
                    "Rightsdesk: {o} of your cases overdue, {} due this week",
                    mine.len() - o
                ),
                (m, _, 0) => format!("Rightsdesk: {m} of your cases due this week"),
                (m, _, u) => format!("Rightsdesk: {m} of your cases due this week, {u} unassigned"),
            };
            let email = crate::mail::messages::staff_digest(
                templates,
                settings,
                &user,
                &subject_line,
                WINDOW_DAYS,
                &mine,
                theirs,
            )?;
            outbox::enqueue(conn, sealer, &email, now)?;
            sent += 1;
        }
        Ok(sent)
    })?;
    if sent > 0 {
        log::info!("daily digest queued for {sent} staff member(s)");
    }
    Ok(sent)
}
