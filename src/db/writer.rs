//! SQLite writes, committed in groups.
//!
//! SQLite lets one writer in at a time, and what a write transaction costs
//! is mostly its commit: every page it touched (a filing touches about
//! thirty: the case, its rights, the event, the link, the email, and their
//! indexes) goes to the log. Writers that queue for their turn therefore
//! share one: the first to arrive opens a transaction on the pool's one
//! writing connection, each runs its work in a savepoint of its own (a
//! failure undoes that work only), and the last in the queue commits for
//! all. Nobody is told their write is done before the commit that holds it
//! (a durable acknowledgement is the same as before); a write alone, with
//! nobody queued behind it, commits at once.
//!
//! One connection doing all the writing also keeps its page cache: nobody
//! else's commit makes it read the pages again.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error};
use diesel::sql_types::Text;
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
use parking_lot::{Condvar, Mutex, MutexGuard};

use super::{DbConn, Manager};

/// The transaction manager of [`DbConn`] (which hands each call to its
/// backend's).
type Manages = <DbConn as Connection>::TransactionManager;

/// A group commits after this many writes however many still queue...
const MAX_GROUP: usize = 64;
/// ... or once it has been open this long, so that a steady stream of
/// writers cannot keep the first waiting.
const MAX_GROUP_AGE: Duration = Duration::from_millis(10);

/// The writers of each SQLite database file this process has pools for
/// (usually one; the first still open serves every pool of that file).
type Registry = HashMap<PathBuf, Vec<Weak<GroupWriter>>>;
static WRITERS: Mutex<Option<Registry>> = Mutex::new(None);

thread_local! {
    /// Whether this thread is running a write (holds its writer's turn).
    static WRITING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// How a group's commit ended, for those who wait on it.
type Outcome = Arc<OnceLock<Result<(), String>>>;

struct Group {
    outcome: Outcome,
    writes: usize,
    opened: Instant,
}

struct Slot {
    conn: DbConn,
    /// The transaction open on `conn`, if any.
    group: Option<Group>,
}

/// The database's one writing connection, and the group open on it.
pub struct GroupWriter {
    slot: Mutex<Slot>,
    committed: Condvar,
    /// Writers waiting for the slot.
    queued: AtomicUsize,
    manager: Manager,
}

#[derive(QueryableByName)]
struct DatabaseFile {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    file: String,
}

impl std::fmt::Debug for GroupWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GroupWriter")
    }
}

/// The file a SQLite connection's main database is (`None` in memory).
pub(super) fn database_file(conn: &mut SqliteConnection) -> Option<PathBuf> {
    let files: Vec<DatabaseFile> = diesel::sql_query("PRAGMA database_list").load(conn).ok()?;
    files
        .into_iter()
        .find(|f| f.name == "main" && !f.file.is_empty())
        .map(|f| PathBuf::from(f.file))
}

/// Makes `conn` (opened by `manager`) the writer for its database, and
/// registers it for [`for_connection`]; it lives as long as the returned
/// handle. `None` for a database with no file (its pool's writes then take
/// turns on [`super::SQLITE_WRITER`]).
pub(super) fn open(manager: &Manager, mut conn: DbConn) -> Option<Arc<GroupWriter>> {
    let DbConn::Sqlite(sqlite) = &mut conn else {
        return None;
    };
    let Some(file) = database_file(sqlite) else {
        log::warn!("the SQLite database has no file: its writes are not grouped");
        return None;
    };
    let writer = Arc::new(GroupWriter {
        slot: Mutex::new(Slot { conn, group: None }),
        committed: Condvar::new(),
        queued: AtomicUsize::new(0),
        manager: manager.clone(),
    });
    let mut writers = WRITERS.lock();
    let writers = writers.get_or_insert_with(HashMap::new);
    writers.retain(|_, of_file| {
        of_file.retain(|w| w.strong_count() > 0);
        !of_file.is_empty()
    });
    writers
        .entry(file)
        .or_default()
        .push(Arc::downgrade(&writer));
    Some(writer)
}

/// The writer of the database `conn` is open on, when this process has a
/// pool for it.
pub(super) fn for_connection(conn: &mut SqliteConnection) -> Option<Arc<GroupWriter>> {
    let file = database_file(conn)?;
    WRITERS
        .lock()
        .as_ref()?
        .get(&file)?
        .iter()
        .find_map(Weak::upgrade)
}

fn depth(conn: &mut DbConn) -> Option<u32> {
    match Manages::transaction_manager_status_mut(conn).transaction_depth() {
        Ok(depth) => depth.map(|d| d.get()),
        Err(_) => None,
    }
}

fn commit_error(message: &str) -> Error {
    Error::DatabaseError(DatabaseErrorKind::Unknown, Box::new(message.to_owned()))
}

impl GroupWriter {
    /// Runs `f` as one write of a group, and returns once the group holding
    /// it is committed (or failed).
    pub fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        E: From<Error>,
        F: FnOnce(&mut DbConn) -> Result<T, E>,
    {
        if WRITING.get() {
            // A write inside a write, on another connection than the one
            // it was given: it would wait for ever on the turn its own
            // thread holds.
            log::error!("a database write began inside another on a second connection");
            return Err(E::from(commit_error(
                "a write inside a write must use the connection it was given",
            )));
        }
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut slot = self.slot.lock();
        self.queued.fetch_sub(1, Ordering::SeqCst);
        if slot.group.is_none() {
            let DbConn::Sqlite(sqlite) = &mut slot.conn else {
                unreachable!("a group writer holds a SQLite connection");
            };
            AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
            slot.group = Some(Group {
                outcome: Arc::new(OnceLock::new()),
                writes: 0,
                opened: Instant::now(),
            });
        }
        let outcome = {
            let group = slot.group.as_mut().expect("a group is open");
            group.writes += 1;
            group.outcome.clone()
        };
        // This write's own savepoint: its failure undoes it alone.
        WRITING.set(true);
        let result = panic::catch_unwind(AssertUnwindSafe(|| slot.conn.transaction(f)));
        WRITING.set(false);
        let result = match result {
            Ok(result) => result,
            Err(panic) => {
                self.abandon(&mut slot, "a write in the same group failed");
                drop(slot);
                panic::resume_unwind(panic);
            }
        };
        if depth(&mut slot.conn) != Some(1) {
            // The savepoint could not be undone (SQLite ends the whole
            // transaction at some errors): the group is lost.
            self.abandon(&mut slot, "a write in the same group failed");
            return Err(result
                .err()
                .unwrap_or_else(|| E::from(commit_error("a write in the same group failed"))));
        }
        let group = slot.group.as_ref().expect("a group is open");
        let last = self.queued.load(Ordering::SeqCst) == 0
            || group.writes >= MAX_GROUP
            || group.opened.elapsed() >= MAX_GROUP_AGE;
        if last {
            self.commit(&mut slot);
            MutexGuard::unlock_fair(slot);
        } else {
            while outcome.get().is_none() {
                self.committed.wait(&mut slot);
            }
        }
        match (result, outcome.get().expect("the group ended")) {
            (Err(e), _) => Err(e),
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(message)) => Err(E::from(commit_error(message))),
        }
    }

    /// Runs `f` while no write is in progress and none is open (for the
    /// checkpointer: the log can start over only then).
    pub(super) fn paused<R>(&self, f: impl FnOnce() -> R) -> R {
        let mut slot = self.slot.lock();
        if slot.group.is_some() {
            self.commit(&mut slot);
        }
        let value = f();
        MutexGuard::unlock_fair(slot);
        value
    }

    /// Commits the open group and tells its writers how that went.
    fn commit(&self, slot: &mut Slot) {
        let Some(group) = slot.group.take() else {
            return;
        };
        let done = match Manages::commit_transaction(&mut slot.conn) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = Manages::rollback_transaction(&mut slot.conn);
                Err(e.to_string())
            }
        };
        if done.is_err() || depth(&mut slot.conn).is_some() {
            self.reopen(slot);
        }
        let _ = group.outcome.set(done);
        self.committed.notify_all();
    }

    /// Rolls the open group back: every write in it fails with `why`.
    fn abandon(&self, slot: &mut Slot, why: &str) {
        if let Some(group) = slot.group.take() {
            let _ = group.outcome.set(Err(why.to_owned()));
        }
        // Closing the connection ends whatever transaction it had open.
        self.reopen(slot);
        self.committed.notify_all();
    }

    fn reopen(&self, slot: &mut Slot) {
        match self.manager.establish() {
            Ok(conn) => slot.conn = conn,
            Err(e) => {
                log::error!("cannot reopen the database's writing connection: {e}");
                let _ = Manages::rollback_transaction(&mut slot.conn);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Barrier;

    use diesel::connection::SimpleConnection;
    use diesel::sql_types::BigInt;

    use super::super::{connect, write_transaction, DbError, Pool};
    use super::*;

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    fn pool(dir: &tempfile::TempDir) -> Pool {
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let (pool, _) = connect(&url, 8).unwrap();
        pool.get()
            .unwrap()
            .batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            .unwrap();
        pool
    }

    fn insert(conn: &mut DbConn, v: &str) -> Result<(), DbError> {
        diesel::sql_query("INSERT INTO t (v) VALUES (?)")
            .bind::<Text, _>(v)
            .execute(conn)?;
        Ok(())
    }

    fn count(pool: &Pool, v: &str) -> i64 {
        diesel::sql_query("SELECT COUNT(*) AS n FROM t WHERE v LIKE ?")
            .bind::<Text, _>(v)
            .get_result::<Count>(&mut pool.get().unwrap())
            .unwrap()
            .n
    }

    #[test]
    fn each_write_of_a_group_stands_or_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool(&dir);
        // As many as the pool has connections.
        let writers = 8;
        let start = Barrier::new(writers);
        std::thread::scope(|s| {
            for i in 0..writers {
                let (pool, start) = (&pool, &start);
                s.spawn(move || {
                    let mut conn = pool.get().unwrap();
                    start.wait();
                    for round in 0..50 {
                        let fails = (i + round) % 5 == 0;
                        let written = write_transaction(&mut conn, |conn| {
                            insert(
                                conn,
                                &format!("{}-{i}-{round}", if fails { "no" } else { "yes" }),
                            )?;
                            // A write inside a write: a savepoint.
                            write_transaction(conn, |conn| insert(conn, "inner"))?;
                            if fails {
                                return Err(DbError::Corrupt("this write fails".into()));
                            }
                            Ok(())
                        });
                        assert_eq!(written.is_err(), fails);
                    }
                });
            }
        });
        // Every write that reported success is there; no trace of the
        // failed ones (nor of their inner writes).
        assert_eq!(count(&pool, "yes-%"), 8 * 40);
        assert_eq!(count(&pool, "no-%"), 0);
        assert_eq!(count(&pool, "inner"), 8 * 40);
    }

    #[test]
    fn a_write_on_a_second_connection_inside_a_write_is_refused_not_hung() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool(&dir);
        let mut conn = pool.get().unwrap();
        let mut other = pool.get().unwrap();
        let outer = write_transaction::<(), DbError, _>(&mut conn, |conn| {
            insert(conn, "outer")?;
            let inner = write_transaction(&mut other, |c| insert(c, "inner"));
            assert!(inner.is_err(), "the inner write went through");
            Ok(())
        });
        assert!(outer.is_ok());
        assert_eq!(count(&pool, "outer"), 1);
        assert_eq!(count(&pool, "inner"), 0);
    }

    #[test]
    fn a_write_that_panics_loses_its_group_and_the_next_writes_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool(&dir);
        let mut conn = pool.get().unwrap();
        let panicked = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let _ = write_transaction::<(), DbError, _>(&mut conn, |conn| {
                insert(conn, "panicked")?;
                panic!("a bug in the middle of a write");
            });
        }));
        assert!(panicked.is_err());
        write_transaction(&mut conn, |conn| insert(conn, "after")).unwrap();
        assert_eq!(count(&pool, "panicked"), 0);
        assert_eq!(count(&pool, "after"), 1);
    }

    #[test]
    fn a_pool_opens_while_the_last_one_closes() {
        // Closing the last connection to a database (here the
        // checkpointer's, after the pool's) copies the log and removes it
        // under a lock; a connection opened meanwhile must wait for it, not
        // fail with "database is locked" (the queue benchmark met this
        // after seeding 100,000 cases).
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        drop(pool(&dir));
        let page = "y".repeat(3000);
        for round in 0..10 {
            let (pool, _) = connect(&url, 2).unwrap_or_else(|e| panic!("round {round}: {e}"));
            let mut conn = pool.get().unwrap();
            // A log of some 25 MiB for the closing connection to copy.
            write_transaction(&mut conn, |conn| {
                (0..6000).try_for_each(|_| insert(conn, &page))
            })
            .unwrap();
        }
    }
}
