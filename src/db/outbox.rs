//! The mail outbox: messages written in the same transaction as the change
//! that causes them, claimed by the delivery worker with a lease so that no
//! two workers (or nodes) send the same message, and every attempt recorded.
//!
//! Bodies hold private links (confirmation, status page, agent check,
//! password): they are sealed with the data key before they are written,
//! opened only to be sent, and once sent the links in them are replaced by
//! a placeholder. What any page shows has its links removed too.

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Timestamp};

use super::batch::Batch;
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
        seal_body(sealer, "text", recipient, text),
        seal_body(sealer, "html", recipient, html),
    )
}

fn seal_body(sealer: &Sealer, part: &str, recipient: &str, body: &str) -> String {
    sealer.seal_text(body, &aad(part, recipient))
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
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
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

/// A message with its bodies sealed, ready to queue: made before a write
/// transaction, so that others do not wait while it is sealed.
#[derive(Debug, Clone)]
pub struct SealedMessage {
    pub case: Option<CaseId>,
    template: &'static str,
    recipient: String,
    subject: String,
    body_text: String,
    body_html: String,
}

impl NewMessage {
    pub fn sealed(&self, sealer: &Sealer) -> SealedMessage {
        let (body_text, body_html) =
            seal(sealer, &self.recipient, &self.body_text, &self.body_html);
        SealedMessage {
            case: self.case,
            template: self.template,
            recipient: self.recipient.clone(),
            subject: self.subject.clone(),
            body_text,
            body_html,
        }
    }
}

/// Queues a message, its bodies sealed.
pub fn enqueue(
    conn: &mut DbConn,
    sealer: &Sealer,
    msg: &NewMessage,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    enqueue_sealed(conn, &msg.sealed(sealer), now)
}

/// Queues a message sealed beforehand.
pub fn enqueue_sealed(
    conn: &mut DbConn,
    msg: &SealedMessage,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(outbox::table)
        .values(NewRow::pending(msg, now))
        .execute(conn)?;
    Ok(())
}

/// [`enqueue_sealed`] in a batch (on PostgreSQL).
pub fn enqueue_in_batch<'a>(batch: &mut Batch<'a>, msg: &'a SealedMessage, now: NaiveDateTime) {
    batch.push(diesel::insert_into(outbox::table).values(NewRow::pending(msg, now)));
}

impl<'a> NewRow<'a> {
    fn pending(msg: &'a SealedMessage, now: NaiveDateTime) -> NewRow<'a> {
        NewRow {
            case_id: msg.case.map(|c| c.0),
            template: msg.template,
            recipient: &msg.recipient,
            subject: &msg.subject,
            body_text: &msg.body_text,
            body_html: &msg.body_html,
            status: PENDING,
            attempts: 0,
            next_attempt_at: now,
            lease_until: None,
            last_error: None,
            created_at: now,
            sent_at: None,
        }
    }
}

/// The order messages are claimed in: as they fell due. The `outbox_due`
/// index (status, next_attempt_at, id) gives them in this order, so that
/// a claim reads no more rows than it takes.
const CLAIM_ORDER: (outbox::next_attempt_at, outbox::id) = (outbox::next_attempt_at, outbox::id);

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
        .order(CLAIM_ORDER)
        .limit(limit)
        .select(outbox::id)
        .load(conn)?)
}

/// Takes a lease until `lease_until` on up to `limit` due messages, in the
/// order they fell due, and returns them opened to be sent. Any number of
/// workers may claim at once: on PostgreSQL each skips the rows another is
/// claiming (`FOR UPDATE SKIP LOCKED`); SQLite lets one writer in at a time.
pub fn claim_due(
    conn: &mut DbConn,
    sealer: &Sealer,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Message>, DbError> {
    let rows = super::write_transaction::<_, DbError, _>(conn, |conn: &mut DbConn| {
        let ids: Vec<i64> = match conn {
            // The condition of `available`, written out again: row locks
            // exist only in PostgreSQL's query builder, which the boxed
            // MultiConnection condition cannot join.
            DbConn::Postgresql(pg) => outbox::table
                .filter(
                    outbox::status
                        .eq(PENDING)
                        .and(outbox::next_attempt_at.le(now))
                        .and(
                            outbox::lease_until
                                .is_null()
                                .or(outbox::lease_until.lt(now)),
                        ),
                )
                .order(CLAIM_ORDER)
                .limit(limit)
                .select(outbox::id)
                .for_update()
                .skip_locked()
                .load(pg)?,
            DbConn::Sqlite(_) => due(conn, now, limit)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set(outbox::lease_until.eq(Some(lease_until)))
            .execute(conn)?;
        Ok(outbox::table
            .filter(outbox::id.eq_any(&ids))
            .order(CLAIM_ORDER)
            .select(Message::as_select())
            .load(conn)?)
    })?;
    rows.into_iter().map(|m| opened(sealer, m)).collect()
}

/// Gives back the lease on messages claimed and not attempted, so that any
/// worker may take them at once.
pub fn release(conn: &mut DbConn, ids: &[i64]) -> Result<(), DbError> {
    if ids.is_empty() {
        return Ok(());
    }
    super::write_transaction::<_, DbError, _>(conn, |conn: &mut DbConn| {
        diesel::update(
            outbox::table
                .filter(outbox::id.eq_any(ids))
                .filter(outbox::status.eq(PENDING)),
        )
        .set(outbox::lease_until.eq(None::<NaiveDateTime>))
        .execute(conn)?;
        Ok(())
    })
}

/// What became of one attempt to send a claimed message.
#[derive(Debug, Clone)]
pub enum Outcome {
    Sent {
        at: NaiveDateTime,
    },
    /// Retried at `retry_at`, or failed for good when that is `None`.
    Failed {
        at: NaiveDateTime,
        error: String,
        retry_at: Option<NaiveDateTime>,
    },
}

/// Records the attempts of a batch in one transaction: each attempt, and
/// each message's new state (a sent message's private links removed).
pub fn record(
    conn: &mut DbConn,
    sealer: &Sealer,
    attempts: &[(Message, Outcome)],
) -> Result<(), DbError> {
    if attempts.is_empty() {
        return Ok(());
    }
    // Sealing is the slow part: done before the write lock is taken.
    enum Change<'a> {
        Sent {
            at: NaiveDateTime,
            text: String,
            html: String,
        },
        Failed {
            at: NaiveDateTime,
            error: &'a str,
            retry_at: Option<NaiveDateTime>,
        },
    }
    let changes: Vec<(i64, Change)> = attempts
        .iter()
        .map(|(msg, outcome)| {
            let change = match outcome {
                Outcome::Sent { at } => {
                    let (text, html) = seal(
                        sealer,
                        &msg.recipient,
                        &redact_tokens(&msg.body_text),
                        &redact_tokens(&msg.body_html),
                    );
                    Change::Sent {
                        at: *at,
                        text,
                        html,
                    }
                }
                Outcome::Failed {
                    at,
                    error,
                    retry_at,
                } => Change::Failed {
                    at: *at,
                    error,
                    retry_at: *retry_at,
                },
            };
            (msg.id, change)
        })
        .collect();
    super::write_transaction::<_, DbError, _>(conn, |conn: &mut DbConn| {
        if let DbConn::Postgresql(pg) = conn {
            // Two statements for all the messages sent, however many.
            let sent: Vec<_> = changes
                .iter()
                .filter_map(|(id, change)| match change {
                    Change::Sent { at, text, html } => Some((*id, *at, text, html)),
                    Change::Failed { .. } => None,
                })
                .collect();
            if !sent.is_empty() {
                Sent::new(&sent).run(pg)?;
            }
        }
        let postgresql = matches!(conn, DbConn::Postgresql(_));
        for (id, change) in &changes {
            match change {
                Change::Sent { .. } if postgresql => {}
                Change::Sent { at, text, html } => {
                    record_attempt(conn, *id, *at, None)?;
                    diesel::update(outbox::table.find(id))
                        .set((
                            outbox::body_text.eq(text),
                            outbox::body_html.eq(html),
                            outbox::status.eq(SENT),
                            outbox::attempts.eq(outbox::attempts + 1),
                            outbox::sent_at.eq(Some(*at)),
                            outbox::lease_until.eq(None::<NaiveDateTime>),
                            outbox::last_error.eq(None::<String>),
                        ))
                        .execute(conn)?;
                }
                Change::Failed {
                    at,
                    error,
                    retry_at,
                } => {
                    record_attempt(conn, *id, *at, Some(error))?;
                    diesel::update(outbox::table.find(id))
                        .set((
                            outbox::status.eq(if retry_at.is_some() { PENDING } else { FAILED }),
                            outbox::attempts.eq(outbox::attempts + 1),
                            outbox::next_attempt_at.eq(retry_at.unwrap_or(*at)),
                            outbox::lease_until.eq(None::<NaiveDateTime>),
                            outbox::last_error.eq(Some(*error)),
                        ))
                        .execute(conn)?;
                }
            }
        }
        Ok(())
    })
}

/// Puts a message that failed for good back in the queue, due at once, for
/// one more attempt (staff pressed "retry"). False when it had not failed.
pub fn retry_failed(
    conn: &mut DbConn,
    case: CaseId,
    id: i64,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::case_id.eq(case.0))
            .filter(outbox::status.eq(FAILED)),
    )
    .set((
        outbox::status.eq(PENDING),
        outbox::next_attempt_at.eq(now),
        outbox::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The subject of one of a case's messages.
pub fn subject_of(conn: &mut DbConn, case: CaseId, id: i64) -> Result<Option<String>, DbError> {
    Ok(outbox::table
        .find(id)
        .filter(outbox::case_id.eq(case.0))
        .select(outbox::subject)
        .first(conn)
        .optional()?)
}

/// How many messages are waiting to be sent, counted up to `limit` (so
/// that looking costs no more however long the queue grows).
pub fn pending_up_to(conn: &mut DbConn, limit: i64) -> Result<i64, DbError> {
    let ids: Vec<i64> = outbox::table
        .filter(outbox::status.eq(PENDING))
        .select(outbox::id)
        .limit(limit)
        .load(conn)?;
    Ok(ids.len() as i64)
}

#[derive(Insertable)]
#[diesel(table_name = outbox_attempts, treat_none_as_default_value = false)]
struct NewAttempt<'a> {
    outbox_id: i64,
    attempted_at: NaiveDateTime,
    succeeded: bool,
    error: Option<&'a str>,
}

/// The messages a round sent, as the arrays PostgreSQL reads them from:
/// their attempts ([`SentAttempts`]) and their rows marked sent with the
/// bodies sealed again without private links ([`SentRows`]), two parts of
/// one [`Batch`] however many were sent (its text never changes, so it is
/// prepared once per connection).
struct Sent<'a> {
    ids: Vec<i64>,
    ats: Vec<NaiveDateTime>,
    texts: Vec<&'a str>,
    htmls: Vec<&'a str>,
}

impl<'a> Sent<'a> {
    fn new(sent: &[(i64, NaiveDateTime, &'a String, &'a String)]) -> Self {
        Sent {
            ids: sent.iter().map(|s| s.0).collect(),
            ats: sent.iter().map(|s| s.1).collect(),
            texts: sent.iter().map(|s| s.2.as_str()).collect(),
            htmls: sent.iter().map(|s| s.3.as_str()).collect(),
        }
    }

    fn run(&self, pg: &mut diesel::PgConnection) -> Result<(), DbError> {
        let mut batch = Batch::new();
        batch.push(SentAttempts(self));
        batch.push(SentRows(self));
        batch.run(pg)
    }
}

struct SentAttempts<'s, 'a>(&'s Sent<'a>);
struct SentRows<'s, 'a>(&'s Sent<'a>);

impl QueryFragment<Pg> for SentAttempts<'_, '_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO outbox_attempts (outbox_id, attempted_at, succeeded, error) \
             SELECT id, at, TRUE, NULL FROM unnest(",
        );
        out.push_bind_param::<Array<BigInt>, _>(&self.0.ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.0.ats)?;
        out.push_sql(") AS sent (id, at)");
        Ok(())
    }
}

impl QueryFragment<Pg> for SentRows<'_, '_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("UPDATE outbox SET body_text = sent.text, body_html = sent.html, status = ");
        out.push_bind_param::<Text, _>(&SENT)?;
        out.push_sql(
            ", attempts = outbox.attempts + 1, sent_at = sent.at, lease_until = NULL, \
             last_error = NULL FROM unnest(",
        );
        out.push_bind_param::<Array<BigInt>, _>(&self.0.ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.0.ats)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.0.texts)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.0.htmls)?;
        out.push_sql(") AS sent (id, at, text, html) WHERE outbox.id = sent.id");
        Ok(())
    }
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

/// Rows with a body not sealed: the predicate of the index
/// `outbox_unsealed`, to the letter.
const UNSEALED: &str = "(body_text NOT LIKE 'sealed:v1:%' OR body_html NOT LIKE 'sealed:v1:%')";
/// Rows [`seal_legacy`] reads at a time.
const LEGACY_BATCH: i64 = 500;

/// Seals the bodies of messages written before sealing existed, removing
/// the private links of those already sent. Returns how many it sealed.
pub fn seal_legacy(conn: &mut DbConn, sealer: &Sealer) -> Result<usize, DbError> {
    // Written out as the predicate of the partial index `outbox_unsealed`
    // (migration 000033), with no bound values, and read in id order a
    // batch at a time: both planners then read that index, which is empty
    // once every body is sealed, instead of every row.
    let mut sealed_rows = 0;
    let mut after = 0;
    loop {
        let rows: Vec<Message> = outbox::table
            .filter(diesel::dsl::sql::<Bool>(UNSEALED))
            .filter(outbox::id.gt(after))
            .order(outbox::id)
            .limit(LEGACY_BATCH)
            .select(Message::as_select())
            .load(conn)?;
        let Some(last) = rows.last() else {
            return Ok(sealed_rows);
        };
        after = last.id;
        for m in &rows {
            let sealed = |part: &str, body: &str| {
                if is_sealed_text(body) {
                    body.to_owned()
                } else if m.status == PENDING {
                    seal_body(sealer, part, &m.recipient, body)
                } else {
                    seal_body(sealer, part, &m.recipient, &redact_tokens(body))
                }
            };
            diesel::update(outbox::table.find(m.id))
                .set((
                    outbox::body_text.eq(sealed("text", &m.body_text)),
                    outbox::body_html.eq(sealed("html", &m.body_html)),
                ))
                .execute(conn)?;
        }
        sealed_rows += rows.len();
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::KEY_BYTES;

    fn plain_row<'a>(status: &'a str, text: &'a str) -> NewRow<'a> {
        let at = chrono::DateTime::UNIX_EPOCH.naive_utc();
        NewRow {
            case_id: None,
            template: "confirm",
            recipient: "ada@example.test",
            subject: "Confirm",
            body_text: text,
            body_html: text,
            status,
            attempts: 0,
            next_attempt_at: at,
            lease_until: None,
            last_error: None,
            created_at: at,
            sent_at: None,
        }
    }

    /// A migrated SQLite database in a folder of its own (kept while the
    /// folder lives).
    fn sqlite_database() -> (tempfile::TempDir, crate::db::Pool) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        crate::db::migrate(&url).unwrap();
        let (pool, _) = crate::db::connect(&url, 2).unwrap();
        (dir, pool)
    }

    #[test]
    fn bodies_stored_in_the_clear_are_sealed_once_and_sealed_ones_left_alone() {
        let (_dir, pool) = sqlite_database();
        let conn = &mut *pool.get().unwrap();
        let sealer = Sealer::new(&[3u8; KEY_BYTES]);
        let link = format!("Confirm: https://x.test/confirm/{}", "a".repeat(43));
        for status in [PENDING, SENT] {
            diesel::insert_into(outbox::table)
                .values(plain_row(status, &link))
                .execute(conn)
                .unwrap();
        }
        let at = chrono::DateTime::UNIX_EPOCH.naive_utc();
        let new = NewMessage {
            case: None,
            template: "confirm",
            recipient: "grace@example.test".into(),
            subject: "Confirm".into(),
            body_text: link.clone(),
            body_html: link.clone(),
        };
        enqueue(conn, &sealer, &new, at).unwrap();

        assert_eq!(seal_legacy(conn, &sealer).unwrap(), 2);
        assert_eq!(seal_legacy(conn, &sealer).unwrap(), 0, "nothing twice");
        let stored = all(conn).unwrap();
        assert!(stored
            .iter()
            .all(|m| is_sealed_text(&m.body_text) && is_sealed_text(&m.body_html)));
        let opened: Vec<Message> = stored
            .into_iter()
            .map(|m| opened(&sealer, m).unwrap())
            .collect();
        // The pending one keeps its link to send, the sent one loses it,
        // and the one sealed when queued opens as it was written.
        assert_eq!(opened[0].body_text, link);
        assert_eq!(opened[1].body_html, redact_tokens(&link));
        assert_ne!(opened[1].body_html, link);
        assert_eq!(opened[2].body_text, link);
    }

    #[test]
    fn legacy_bodies_beyond_one_batch_are_all_sealed() {
        let (_dir, pool) = sqlite_database();
        let conn = &mut *pool.get().unwrap();
        let sealer = Sealer::new(&[5u8; KEY_BYTES]);
        let n = LEGACY_BATCH * 2 + 3;
        for _ in 0..n {
            diesel::insert_into(outbox::table)
                .values(plain_row(SENT, "Thanks"))
                .execute(conn)
                .unwrap();
        }
        assert_eq!(seal_legacy(conn, &sealer).unwrap() as i64, n);
        assert!(all(conn)
            .unwrap()
            .iter()
            .all(|m| is_sealed_text(&m.body_text)));
        assert_eq!(seal_legacy(conn, &sealer).unwrap(), 0);
    }
}
