//! Storage: one diesel code path over SQLite (the embedded default) and
//! PostgreSQL, pooled with r2d2, migrations embedded per backend. Queries
//! live in one module per table and return domain types.

pub mod answers;
pub mod api_tokens;
pub mod batch;
pub mod calendar_days;
pub mod cases;
mod checkpoint;
pub mod documents;
pub mod drp;
pub mod events;
pub mod job_runs;
pub mod links;
pub mod notes;
pub mod org_texts;
pub mod outbox;
pub mod packages;
pub mod policies;
pub mod questions;
pub mod queue;
pub mod reports;
pub mod retention;
pub mod schema;
pub mod status;
pub mod suppression;
pub mod systems;
pub mod tasks;
pub mod users;
pub mod webhooks;
mod writer;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to whichever backend the URL named.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl DbError {
    /// Whether the database is unreachable or overloaded (rather than the
    /// request or the data being wrong): the service is unavailable for now.
    pub fn is_unavailable(&self) -> bool {
        use diesel::result::Error;
        match self {
            DbError::Pool(_) | DbError::Connect(_) => true,
            DbError::Query(Error::BrokenTransactionManager) => true,
            DbError::Query(e) => connection_lost(e),
            _ => false,
        }
    }
}

/// Whether a query failed because the connection to the server is gone:
/// libpq found it closed, or the server ended it (its answer to a
/// connection it terminates, SQLSTATE class 57P, comes back before libpq
/// sees the socket close, so diesel reports it as an unknown error).
fn connection_lost(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => true,
        Error::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            let message = info.message();
            [
                "terminating connection",
                "the database system is shutting down",
                "the database system is starting up",
                "the database system is in recovery mode",
                "server closed the connection",
                "no connection to the server",
            ]
            .iter()
            .any(|m| message.contains(m))
        }
        _ => false,
    }
}

/// A database that can be read but not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFault {
    /// The disk (or the database's quota) is full.
    Full,
    /// The database or its files are read-only (a read-only mount, file
    /// permissions, a PostgreSQL standby or read-only transaction).
    ReadOnly,
    /// The disk reports errors.
    Io,
}

impl StorageFault {
    pub fn key(self) -> &'static str {
        match self {
            StorageFault::Full => "full",
            StorageFault::ReadOnly => "read_only",
            StorageFault::Io => "io_error",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            StorageFault::Full => "the disk holding the database is full",
            StorageFault::ReadOnly => "the database is read-only",
            StorageFault::Io => "the disk holding the database reports errors",
        }
    }
}

impl DbError {
    /// Whether the database refused a write for want of storage (rather
    /// than because the request or the data were wrong). Nothing of the
    /// transaction was kept.
    pub fn storage_fault(&self) -> Option<StorageFault> {
        use diesel::result::Error;
        let message = match self {
            DbError::Query(Error::DatabaseError(_, info)) => info.message().to_owned(),
            DbError::Connect(e) => e.to_string(),
            DbError::Migration(m) => m.clone(),
            _ => return None,
        };
        let m = message.to_lowercase();
        if m.contains("disk is full")
            || m.contains("no space left")
            || m.contains("could not extend file")
            || m.contains("disk quota")
        {
            Some(StorageFault::Full)
        } else if m.contains("readonly database")
            || m.contains("read-only")
            || m.contains("read only")
        {
            Some(StorageFault::ReadOnly)
        } else if m.contains("disk i/o error") {
            Some(StorageFault::Io)
        } else {
            None
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error("cannot create the database directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

/// Opens connections for the backend a URL names, with per-connection set-up
/// (SQLite: WAL, foreign keys, busy timeout).
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
    target: String,
    /// SQLite, in a pool: the database's one writing connection (which
    /// also keeps the log's checkpointer running).
    writer: Option<std::sync::Arc<writer::GroupWriter>>,
}

impl Manager {
    pub fn new(url: &str) -> Result<Manager, DbError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Manager {
                backend: Backend::Postgres,
                target: with_connect_timeout(url),
                writer: None,
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| DbError::UnsupportedUrl(url.to_owned()))?;
        if path.is_empty() {
            return Err(DbError::UnsupportedUrl(url.to_owned()));
        }
        Ok(Manager {
            backend: Backend::Sqlite,
            target: path.to_owned(),
            writer: None,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn establish(&self) -> Result<DbConn, diesel::ConnectionError> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.target)?;
                conn.set_instrumentation(Health::default());
                Ok(DbConn::Postgresql(conn))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target)?;
                // The busy timeout first: switching to WAL needs a lock,
                // which another connection (closing, or checkpointing) may
                // hold for a moment.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; \
                     PRAGMA wal_autocheckpoint = {}; PRAGMA journal_size_limit = {};",
                    checkpoint::FALLBACK_PAGES,
                    checkpoint::LOG_SIZE_LIMIT,
                ))
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::ConnectionError;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        self.establish()
    }

    /// Tests a connection as it is taken from the pool: one that answered
    /// a moment ago is taken as it is (a round trip saved on every request
    /// under load); one idle for longer is asked first.
    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        if Health::of(conn).is_some_and(|health| health.answered_within(TRUSTED_FOR)) {
            return Ok(());
        }
        ping(conn).map_err(diesel::ConnectionError::CouldntSetupConfiguration)
    }

    /// A connection that found its server gone, or whose transaction could
    /// not be ended cleanly, is dropped, not reused.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        use diesel::connection::TransactionManager;
        Health::of(conn).is_some_and(|health| health.lost)
            || <DbConn as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

/// How long after its last answer a PostgreSQL connection is handed out
/// without a test. One that died in that moment fails its next query, is
/// found lost and is dropped: the request gets a 503, never a dead
/// connection for ever.
const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// Watches a PostgreSQL connection's queries: when the server last
/// answered, and whether it was found gone.
#[derive(Debug, Default)]
struct Health {
    answered_at: Option<std::time::Instant>,
    lost: bool,
}

impl Health {
    fn of(conn: &mut DbConn) -> Option<&mut Health> {
        match conn {
            DbConn::Postgresql(pg) => pg.instrumentation().downcast_mut::<Health>(),
            DbConn::Sqlite(_) => None,
        }
    }

    fn answered_within(&self, window: Duration) -> bool {
        !self.lost && self.answered_at.is_some_and(|at| at.elapsed() < window)
    }
}

impl diesel::connection::Instrumentation for Health {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        use diesel::result::{DatabaseErrorKind, Error};
        if let diesel::connection::InstrumentationEvent::FinishQuery { error, .. } = event {
            match error {
                None => self.answered_at = Some(std::time::Instant::now()),
                Some(e) if connection_lost(e) => self.lost = true,
                // An error of no known kind (messages in another language
                // than the ones `connection_lost` reads, say): the
                // connection is tested before it is handed out again.
                Some(Error::DatabaseError(DatabaseErrorKind::Unknown, _)) => {
                    self.answered_at = None
                }
                // The server answered, with a refusal.
                Some(Error::DatabaseError(..)) => {
                    self.answered_at = Some(std::time::Instant::now())
                }
                Some(_) => {}
            }
        }
    }
}

/// Seconds to wait for PostgreSQL to answer a new connection, unless the
/// URL says otherwise: a server that accepts but never answers must not
/// hang the start-up or a request for ever.
const CONNECT_TIMEOUT_SECS: u32 = 5;

fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let join = if url.contains('?') { '&' } else { '?' };
    format!("{url}{join}connect_timeout={CONNECT_TIMEOUT_SECS}")
}

/// Creates the SQLite file readable by this user only (SQLite gives its
/// -wal and -shm files the database file's mode), and closes down files
/// found more open.
fn make_sqlite_files_private(target: &str) -> Result<(), DbError> {
    let fail = |source| DbError::Directory {
        path: target.to_owned(),
        source,
    };
    let path = Path::new(target);
    if target != ":memory:" && !path.exists() {
        crate::files::write_private(path, b"", true).map_err(fail)?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{target}{suffix}");
        if Path::new(&file).exists() {
            crate::files::make_private(Path::new(&file)).map_err(fail)?;
        }
    }
    Ok(())
}

/// Builds the pool for a database URL; creates the SQLite file's directory.
pub fn connect(url: &str, pool_size: u32) -> Result<(Pool, Backend), DbError> {
    connect_with(url, pool_size, Duration::from_secs(5))
}

/// As [`connect`], waiting at most `wait` for a free (and working)
/// connection before a request is told the service is unavailable.
pub fn connect_with(url: &str, pool_size: u32, wait: Duration) -> Result<(Pool, Backend), DbError> {
    let mut manager = Manager::new(url)?;
    let backend = manager.backend();
    if backend == Backend::Sqlite {
        if let Some(dir) = Path::new(&manager.target).parent() {
            if !dir.as_os_str().is_empty() {
                crate::files::private_dir(dir).map_err(|source| DbError::Directory {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
        }
    }
    if backend == Backend::Sqlite {
        make_sqlite_files_private(&manager.target)?;
    }
    // Fail fast with the real reason, rather than r2d2's time-out.
    let first = manager.establish()?;
    if backend == Backend::Sqlite {
        make_sqlite_files_private(&manager.target)?;
        // That first connection becomes the database's writing one.
        manager.writer = writer::open(&manager, first);
        if let Some(writer) = &manager.writer {
            checkpoint::start(&manager, writer);
        }
    }
    let pool = r2d2::Pool::builder()
        .max_size(pool_size)
        .connection_timeout(wait)
        // A PostgreSQL connection can die with its server (a restart): test
        // each one as it is taken, so none is handed out dead. (A SQLite
        // file connection does not die.)
        .test_on_check_out(backend == Backend::Postgres)
        .build(manager)?;
    Ok((pool, backend))
}

/// Applies every pending migration on a connection of its own, closed
/// afterwards; returns the versions applied. (A SQLite connection that edits
/// the schema directly, as one migration does, keeps its old picture of the
/// schema; it must not go back into the pool.)
pub fn migrate(url: &str) -> Result<Vec<String>, DbError> {
    let mut conn = Manager::new(url)?.establish()?;
    run_migrations(&mut conn)
}

/// Applies every pending migration; returns the versions applied.
///
/// On PostgreSQL several nodes may start at once: an advisory lock makes
/// them migrate one after another.
pub fn run_migrations(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    fn versions<E: std::fmt::Display>(
        applied: Result<Vec<diesel::migration::MigrationVersion<'_>>, E>,
    ) -> Result<Vec<String>, DbError> {
        applied
            .map(|v| v.iter().map(|v| v.to_string()).collect())
            .map_err(|e| DbError::Migration(e.to_string()))
    }
    match conn {
        DbConn::Sqlite(c) => versions(c.run_pending_migrations(SQLITE_MIGRATIONS)),
        DbConn::Postgresql(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let applied = versions(c.run_pending_migrations(POSTGRES_MIGRATIONS));
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            applied
        }
    }
}

/// The advisory-lock key migrations hold on PostgreSQL ("rightsdk" in ASCII).
const MIGRATION_LOCK: i64 = 0x7269_6768_7473_646b;

/// Serialises this process's SQLite write transactions on connections that
/// no pool's group writer ([`writer`]) serves (a pool whose writer could
/// not be opened), first come first served.
///
/// SQLite lets one writer in at a time. Without this, concurrent writers
/// each wait in SQLite's busy handler, which sleeps and polls: under load
/// they miss the moment the lock frees, and the slowest wait seconds while
/// throughput falls. Queued here, the next writer starts the moment the
/// last one commits. It is re-entrant (a write inside a write on the same
/// thread does not deadlock) and only an aid: a writer that waits longer
/// than [`WRITER_WAIT`] goes on without it, and SQLite's own lock (with its
/// busy timeout, which also covers other processes such as `rightsdesk
/// purge`) keeps the data right either way.
static SQLITE_WRITER: parking_lot::ReentrantMutex<()> = parking_lot::ReentrantMutex::new(());

/// The longest a write waits in the queue above before trying SQLite's lock
/// directly.
const WRITER_WAIT: Duration = Duration::from_secs(10);

/// Runs `f` in a transaction that holds the write lock from its start.
///
/// SQLite's default (deferred) transactions take the write lock at their
/// first write; if another connection wrote in between, that upgrade fails
/// at once with "database is locked" rather than waiting. `BEGIN IMMEDIATE`
/// waits (up to the busy timeout) instead, after queueing for this
/// process's turn ([`SQLITE_WRITER`]). PostgreSQL needs nothing special.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    E: From<diesel::result::Error>,
    F: FnOnce(&mut DbConn) -> Result<T, E>,
{
    let DbConn::Sqlite(sqlite) = conn else {
        return conn.transaction(f);
    };
    let depth =
        AnsiTransactionManager::transaction_manager_status_mut(sqlite).transaction_depth()?;
    if depth.is_some() {
        // A write inside a write: a savepoint of the one already open.
        return conn.transaction(f);
    }
    if let Some(writer) = writer::for_connection(sqlite) {
        return writer.write(f);
    }
    let turn = SQLITE_WRITER.try_lock_for(WRITER_WAIT);
    if turn.is_none() {
        log::warn!("a database write waited over {WRITER_WAIT:?} for its turn; going ahead");
    }
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    let result = match f(conn) {
        Ok(value) => match <DbConn as Connection>::TransactionManager::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = <DbConn as Connection>::TransactionManager::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => <DbConn as Connection>::TransactionManager::rollback_transaction(conn)
            .map_err(E::from)
            .and(Err(e)),
    };
    if let Some(turn) = turn {
        // Hand the turn to the writer that has waited longest.
        parking_lot::ReentrantMutexGuard::unlock_fair(turn);
    }
    result
}

/// Writes a heartbeat row and commits it: the database takes writes (its
/// disk is not full, it is not read-only). `/healthz` and the start-up
/// check call it.
pub fn probe_write(conn: &mut DbConn, now: NaiveDateTime) -> Result<(), DbError> {
    use diesel::{ExpressionMethods, QueryDsl};
    let stamp = now.and_utc().timestamp_micros();
    write_transaction::<_, DbError, _>(conn, |conn| {
        // Always a real write, even when the value is the same.
        let updated = diesel::update(schema::job_runs::table.find(HEARTBEAT))
            .set(schema::job_runs::last_slot.eq(stamp))
            .execute(conn)?;
        if updated == 0 {
            job_runs::claim_slot(conn, HEARTBEAT, stamp)?;
        }
        Ok(())
    })
}

/// Below this much free space on the disk holding a SQLite database, it is
/// reported full: small writes may still fit in pages the file holds, but
/// the next request with a long answer or a document will not.
pub const MIN_FREE_BYTES: u64 = 1024 * 1024;

/// The free space (for this user) on the disk holding the SQLite database
/// `url` names; `None` for PostgreSQL (whose server watches its own disk)
/// or when it cannot be read.
pub fn sqlite_free_bytes(url: &str) -> Option<u64> {
    let manager = Manager::new(url).ok()?;
    if manager.backend != Backend::Sqlite {
        return None;
    }
    let path = Path::new(&manager.target);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    free_bytes(dir)
}

#[cfg(unix)]
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `path` is a valid NUL-terminated string and `stat` points to
    // memory for one statvfs, which the call fills when it returns 0.
    let stat = unsafe {
        if libc::statvfs(path.as_ptr(), stat.as_mut_ptr()) != 0 {
            return None;
        }
        stat.assume_init()
    };
    #[allow(clippy::unnecessary_cast)] // the field types differ by platform
    Some((stat.f_bavail as u64).saturating_mul(stat.f_frsize as u64))
}

#[cfg(not(unix))]
fn free_bytes(_dir: &Path) -> Option<u64> {
    None
}

/// The `job_runs` row `/healthz` rewrites.
const HEARTBEAT: &str = "heartbeat";

/// A round trip to the database.
pub fn ping(conn: &mut DbConn) -> Result<(), diesel::result::Error> {
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}

/// A timestamp as stored: UTC, microsecond precision on every backend, so
/// what is read back (and hashed) equals what was written.
pub fn timestamp(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc().trunc_subsecs(6)
}

#[cfg(test)]
mod connect_tests {
    use super::*;

    #[test]
    fn a_connection_the_server_ended_is_lost_and_a_refusal_is_not() {
        use diesel::result::{DatabaseErrorKind, Error};
        let error = |kind, message: &str| Error::DatabaseError(kind, Box::new(message.to_owned()));
        let ended = error(
            DatabaseErrorKind::Unknown,
            "terminating connection due to administrator command",
        );
        assert!(connection_lost(&ended));
        assert!(DbError::Query(ended).is_unavailable());
        assert!(connection_lost(&error(
            DatabaseErrorKind::ClosedConnection,
            ""
        )));
        let refused = error(DatabaseErrorKind::Unknown, "syntax error at or near \"x\"");
        assert!(!connection_lost(&refused));
        assert!(!DbError::Query(refused).is_unavailable());
        let duplicate = error(DatabaseErrorKind::UniqueViolation, "terminating connection");
        assert!(!connection_lost(&duplicate));
    }

    #[test]
    fn postgres_urls_get_a_connect_timeout_unless_they_have_one() {
        let m = Manager::new("postgres://u@db/rd").unwrap();
        assert_eq!(m.target, "postgres://u@db/rd?connect_timeout=5");
        let m = Manager::new("postgres://u@db/rd?sslmode=require").unwrap();
        assert_eq!(
            m.target,
            "postgres://u@db/rd?sslmode=require&connect_timeout=5"
        );
        let m = Manager::new("postgresql://u@db/rd?connect_timeout=2").unwrap();
        assert_eq!(m.target, "postgresql://u@db/rd?connect_timeout=2");
    }
}
