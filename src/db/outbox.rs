//! The mail outbox: messages written in the same transaction as the change
//! that causes them, claimed by the delivery worker with a lease so that no
//! two workers (or nodes) send the same message, and every attempt recorded.
//!
//! Bodies hold private links (confirmation, status page, agent check,
//! password): they are sealed with the data key before they are written,
//! opened only to be sent, and once sent the links in them are replaced by
//! a placeholder. What any page shows has its links removed too.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};

use super::cases::CaseId;
use super::schema::{outbox, outbox_attempts};
use super::{DbConn, DbError};
use crate::crypto::{is_sealed_text, Sealer};
use crate::secret::redact_tokens;

/// The associated data of a sealed body: which part, and to whom, so a body
/// moved to another message does not open.
fn aad(part: &str, recipient: &str) -> String {
    format!("rightsdesk:outbox:{part}:{recipient}")
}

fn seal(sealer: &Sealer, recipient: &str, text: &str, html: &str) -> (String, String) {
    (
        sealer.seal_text(text, &aad("text", recipient)),
        sealer.seal_text(html, &aad("html", recipient)),
    )
}

/// The message with its bodies opened.
fn opened(sealer: &Sealer, mut m: Message) -> Result<Message, DbError> {
    let fail = |_| {
        DbError::Corrupt(format!(
            "mail {}: the body does not decrypt with the data key",
            m.id
        ))
    };
    m.body_text = sealer
        .open_text(&m.body_text, &aad("text", &m.recipient))
        .map_err(fail)?;
    m.body_html = sealer
        .open_text(&m.body_html, &aad("html", &m.recipient))
        .map_err(fail)?;
    Ok(m)
}

/// The message as a page may show it: opened, private links removed.
fn shown(sealer: &Sealer, m: Message) -> Result<Message, DbError> {
    let mut m = opened(sealer, m)?;
    m.body_text = redact_tokens(&m.body_text);
    m.body_html = redact_tokens(&m.body_html);
    Ok(m)
}

pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

/// A rendered message, ready to queue.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub case: Option<CaseId>,
    pub template: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct Message {
    pub id: i64,
    pub case_id: Option<i64>,
    pub template: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = outbox, treat_none_as_null = true)]
struct NewRow<'a> {
    case_id: Option<i64>,
    template: &'a str,
    recipient: &'a str,
    subject: &'a str,
    body_text: &'a str,
    body_html: &'a str,
    status: &'a str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    lease_until: Option<NaiveDateTime>,
    last_error: Option<&'a str>,
    created_at: NaiveDateTime,
    sent_at: Option<NaiveDateTime>,
}

/// Queues a message, its bodies sealed.
pub fn enqueue(
    conn: &mut DbConn,
    sealer: &Sealer,
    msg: &NewMessage,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let (text, html) = seal(sealer, &msg.recipient, &msg.body_text, &msg.body_html);
    diesel::insert_into(outbox::table)
        .values(NewRow {
            case_id: msg.case.map(|c| c.0),
            template: msg.template,
            recipient: &msg.recipient,
            subject: &msg.subject,
            body_text: &text,
            body_html: &html,
            status: PENDING,
            attempts: 0,
            next_attempt_at: now,
            lease_until: None,
            last_error: None,
            created_at: now,
            sent_at: None,
        })
        .execute(conn)?;
    Ok(())
}

/// Ids of pending messages whose time has come and that no worker holds.
/// Pending, due by `now`, and not leased by a worker.
fn available(
    now: NaiveDateTime,
) -> Box<
    dyn BoxableExpression<outbox::table, <DbConn as Connection>::Backend, SqlType = Nullable<Bool>>,
> {
    Box::new(
        outbox::status
            .eq(PENDING)
            .and(outbox::next_attempt_at.le(now))
            .and(
                outbox::lease_until
                    .is_null()
                    .or(outbox::lease_until.lt(now)),
            ),
    )
}

pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> Result<Vec<i64>, DbError> {
    Ok(outbox::table
        .filter(available(now))
        .order(outbox::id)
        .limit(limit)
        .select(outbox::id)
        .load(conn)?)
}

/// Takes a lease on a message; only one claimant can win. Returns the
/// message, opened to be sent, if this one did.
pub fn claim(
    conn: &mut DbConn,
    sealer: &Sealer,
    id: i64,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> Result<Option<Message>, DbError> {
    let n = diesel::update(outbox::table.find(id).filter(available(now)))
        .set(outbox::lease_until.eq(Some(lease_until)))
        .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    let message = outbox::table
        .find(id)
        .select(Message::as_select())
        .first(conn)?;
    Ok(Some(opened(sealer, message)?))
}

#[derive(Insertable)]
#[diesel(table_name = outbox_attempts, treat_none_as_null = true)]
struct NewAttempt<'a> {
    outbox_id: i64,
    attempted_at: NaiveDateTime,
    succeeded: bool,
    error: Option<&'a str>,
}

fn record_attempt(
    conn: &mut DbConn,
    id: i64,
    now: NaiveDateTime,
    error: Option<&str>,
) -> Result<(), DbError> {
    diesel::insert_into(outbox_attempts::table)
        .values(NewAttempt {
            outbox_id: id,
            attempted_at: now,
            succeeded: error.is_none(),
            error,
        })
        .execute(conn)?;
    Ok(())
}

/// Records that `msg` (as claimed) was sent; its private links are removed
/// from what is kept.
pub fn mark_sent(
    conn: &mut DbConn,
    sealer: &Sealer,
    msg: &Message,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let id = msg.id;
    let (text, html) = seal(
        sealer,
        &msg.recipient,
        &redact_tokens(&msg.body_text),
        &redact_tokens(&msg.body_html),
    );
    super::write_transaction::<_, DbError, _>(conn, |conn: &mut DbConn| {
        record_attempt(conn, id, now, None)?;
        diesel::update(outbox::table.find(id))
            .set((
                outbox::body_text.eq(&text),
                outbox::body_html.eq(&html),
                outbox::status.eq(SENT),
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::sent_at.eq(Some(now)),
                outbox::lease_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(None::<String>),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Records a failed attempt: retried at `retry_at`, or marked failed for good
/// when `retry_at` is `None`.
pub fn mark_attempt_failed(
    conn: &mut DbConn,
    id: i64,
    now: NaiveDateTime,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> Result<(), DbError> {
    super::write_transaction::<_, DbError, _>(conn, |conn: &mut DbConn| {
        record_attempt(conn, id, now, Some(error))?;
        diesel::update(outbox::table.find(id))
            .set((
                outbox::status.eq(if retry_at.is_some() { PENDING } else { FAILED }),
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::next_attempt_at.eq(retry_at.unwrap_or(now)),
                outbox::lease_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(Some(error)),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Deletes a case's messages (they hold its requester's address and words).
pub fn delete_for_case(conn: &mut DbConn, case: CaseId) -> Result<(), DbError> {
    diesel::delete(outbox::table.filter(outbox::case_id.eq(case.0))).execute(conn)?;
    Ok(())
}

/// A case's messages as a page may show them: opened, private links
/// removed (before and after sending).
pub fn for_case(conn: &mut DbConn, sealer: &Sealer, case: CaseId) -> Result<Vec<Message>, DbError> {
    outbox::table
        .filter(outbox::case_id.eq(case.0))
        .order(outbox::id)
        .select(Message::as_select())
        .load(conn)?
        .into_iter()
        .map(|m| shown(sealer, m))
        .collect()
}

/// Seals the bodies of messages written before sealing existed, removing
/// the private links of those already sent. Returns how many it sealed.
pub fn seal_legacy(conn: &mut DbConn, sealer: &Sealer) -> Result<usize, DbError> {
    let rows: Vec<Message> = outbox::table
        .filter(
            outbox::body_text
                .not_like("sealed:v1:%")
                .or(outbox::body_html.not_like("sealed:v1:%")),
        )
        .select(Message::as_select())
        .load(conn)?;
    for m in &rows {
        let keep = |body: &str| {
            if m.status == PENDING {
                body.to_owned()
            } else {
                redact_tokens(body)
            }
        };
        let (text, html) = if is_sealed_text(&m.body_text) {
            continue;
        } else {
            seal(
                sealer,
                &m.recipient,
                &keep(&m.body_text),
                &keep(&m.body_html),
            )
        };
        diesel::update(outbox::table.find(m.id))
            .set((outbox::body_text.eq(&text), outbox::body_html.eq(&html)))
            .execute(conn)?;
    }
    Ok(rows.len())
}

/// Re-encrypts every stored email body from `old` to `new` (key
/// rotation). Returns how many messages.
pub fn reseal_all(conn: &mut DbConn, old: &Sealer, new: &Sealer) -> Result<usize, DbError> {
    let rows: Vec<Message> = outbox::table.select(Message::as_select()).load(conn)?;
    for m in &rows {
        let m = opened(old, m.clone())?;
        let (text, html) = seal(new, &m.recipient, &m.body_text, &m.body_html);
        diesel::update(outbox::table.find(m.id))
            .set((outbox::body_text.eq(&text), outbox::body_html.eq(&html)))
            .execute(conn)?;
    }
    Ok(rows.len())
}

/// Every message, oldest first, as stored (bodies sealed).
pub fn all(conn: &mut DbConn) -> Result<Vec<Message>, DbError> {
    Ok(outbox::table
        .order(outbox::id)
        .select(Message::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(outbox::table.count().get_result(conn)?)
}

/// How many attempts have been recorded for a message.
pub fn attempts(conn: &mut DbConn, id: i64) -> Result<i64, DbError> {
    Ok(outbox_attempts::table
        .filter(outbox_attempts::outbox_id.eq(id))
        .count()
        .get_result(conn)?)
}

/// Deletes every message to addresses ending in `suffix` (demo data).
pub fn delete_to_domain(conn: &mut DbConn, suffix: &str) -> Result<usize, DbError> {
    Ok(
        diesel::delete(outbox::table.filter(outbox::recipient.like(format!("%{suffix}"))))
            .execute(conn)?,
    )
}
