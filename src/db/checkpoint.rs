//! SQLite's write-ahead log, copied back into the database file by a
//! thread of its own instead of by whichever write happens to cross the
//! threshold.
//!
//! By default SQLite checkpoints inside the commit that grows the log past
//! 1,000 pages: that writer copies the log into the database file and
//! syncs both while it holds the write lock, and every writer queued behind
//! it waits (a filing's p99 was most of that wait). Here the pool's
//! connections only checkpoint as a last resort ([`FALLBACK_PAGES`]), and a
//! checkpointer thread per pool copies the log while writers go on
//! (`PASSIVE`: it never blocks them). A log that keeps growing under
//! constant writing is never wholly copied between two commits, so SQLite
//! can never start it again from the top; past [`RESTART_FRAMES`] the
//! checkpointer takes the writers' turn for as long as it needs to copy
//! what is left (little, having kept up) and lets the log start over.

use std::sync::{Arc, Weak};

use super::writer::GroupWriter;
use std::time::{Duration, Instant};

use diesel::sql_types::Integer;
use diesel::{QueryableByName, RunQueryDsl};

use super::{DbConn, Manager};

/// How often the checkpointer looks at the log.
const INTERVAL: Duration = Duration::from_millis(25);

/// Log frames (pages) past which the checkpointer makes the log start over
/// (about 32 MiB).
pub(super) const RESTART_FRAMES: i32 = 8192;

/// The pool's connections still checkpoint themselves past this many pages
/// (80 MiB): only if the checkpointer is not running or cannot keep up.
pub(super) const FALLBACK_PAGES: u32 = 20_000;

/// The log's length as large as the file is left when the log starts over.
pub(super) const LOG_SIZE_LIMIT: u64 = 64 * 1024 * 1024;

#[derive(QueryableByName)]
struct Progress {
    /// 1 when the checkpoint could not run to the end it was asked for.
    #[diesel(sql_type = Integer)]
    busy: i32,
    /// Frames in the log.
    #[diesel(sql_type = Integer)]
    log: i32,
    /// Frames of the log already copied into the database.
    #[diesel(sql_type = Integer)]
    checkpointed: i32,
}

fn checkpoint(conn: &mut DbConn, mode: &str) -> Result<Progress, diesel::result::Error> {
    diesel::sql_query(format!("PRAGMA wal_checkpoint({mode})")).get_result(conn)
}

/// Starts the checkpointer for the database `manager` opens; it stops once
/// the database's writer (kept by the pool's manager) is dropped.
pub(super) fn start(manager: &Manager, writer: &Arc<GroupWriter>) {
    use diesel::connection::SimpleConnection;
    // A reader in the way of a restart is waited for briefly, not for the
    // ten seconds a writer would wait: the checkpointer tries again soon.
    let opened = manager.establish().and_then(|mut conn| {
        conn.batch_execute("PRAGMA busy_timeout = 500")
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
        Ok(conn)
    });
    let mut conn = match opened {
        Ok(conn) => conn,
        Err(e) => {
            log::warn!("no checkpointer for the SQLite log: {e}");
            return;
        }
    };
    let writer = Arc::downgrade(writer);
    let started = std::thread::Builder::new()
        .name("rightsdesk-checkpoint".into())
        .spawn(move || run(&mut conn, &writer));
    if let Err(e) = started {
        log::warn!("no checkpointer for the SQLite log: {e}");
    }
}

fn run(conn: &mut DbConn, writer: &Weak<GroupWriter>) {
    let mut last_warning: Option<Instant> = None;
    loop {
        std::thread::sleep(INTERVAL);
        let Some(writer) = writer.upgrade() else {
            return;
        };
        if let Err(e) = step(conn, &writer) {
            // A full or failing disk is reported by /healthz; say it here
            // once a minute at most.
            if last_warning.is_none_or(|at| at.elapsed() > Duration::from_secs(60)) {
                log::warn!("checkpointing the SQLite log failed: {e}");
                last_warning = Some(Instant::now());
            }
        }
    }
}

fn step(conn: &mut DbConn, writer: &GroupWriter) -> Result<(), diesel::result::Error> {
    let progress = checkpoint(conn, "PASSIVE")?;
    if progress.log >= RESTART_FRAMES {
        // This process's writers wait while the rest is copied; SQLite
        // makes other processes' writers and readers wait too.
        let restarted = writer.paused(|| checkpoint(conn, "RESTART"))?;
        if restarted.busy != 0 {
            log::debug!(
                "the SQLite log could not start over yet ({} of {} frames copied)",
                restarted.checkpointed,
                restarted.log
            );
        }
    }
    Ok(())
}
