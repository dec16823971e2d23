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
//!
//! What a restart costs the writers is mostly its two syncs, and the sync
//! of the database file writes out every page copied into it since the
//! last one. So after each copy the checkpointer syncs the database file
//! itself, while writers go on: the sync inside the restart then has little
//! left to write (a filing's p99 at 8 clients fell from 26 ms to 9 ms).

use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use diesel::sql_types::Integer;
use diesel::{QueryableByName, RunQueryDsl};

use super::writer::GroupWriter;
use super::{DbConn, Manager};

/// How often the checkpointer looks at the log.
const INTERVAL: Duration = Duration::from_millis(25);

/// Log frames (pages) past which the checkpointer makes the log start over
/// (about 32 MiB).
const RESTART_FRAMES: i32 = 8192;

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
    let mut flusher = Flusher::new(conn);
    loop {
        std::thread::sleep(INTERVAL);
        let Some(writer) = writer.upgrade() else {
            return;
        };
        if let Err(e) = step(conn, &writer, &mut flusher) {
            // A full or failing disk is reported by /healthz; say it here
            // once a minute at most.
            if last_warning.is_none_or(|at| at.elapsed() > Duration::from_secs(60)) {
                log::warn!("checkpointing the SQLite log failed: {e}");
                last_warning = Some(Instant::now());
            }
        }
    }
}

fn step(
    conn: &mut DbConn,
    writer: &GroupWriter,
    flusher: &mut Flusher,
) -> Result<(), diesel::result::Error> {
    let progress = checkpoint(conn, "PASSIVE")?;
    flusher.after(&progress);
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

/// Syncs the database file after a checkpoint copied pages into it.
struct Flusher {
    file: Option<Arc<File>>,
    /// The log and copied frames when it last synced.
    synced: (i32, i32),
}

impl Flusher {
    fn new(conn: &mut DbConn) -> Flusher {
        let file = match conn {
            DbConn::Sqlite(sqlite) => super::writer::database_file(sqlite),
            _ => None,
        };
        let file = file.and_then(|path| match held_open(&path) {
            Ok(file) => Some(file),
            Err(e) => {
                log::warn!("the checkpointer cannot open {}: {e}", path.display());
                None
            }
        });
        Flusher {
            file,
            synced: (0, 0),
        }
    }

    fn after(&mut self, progress: &Progress) {
        let now = (progress.log, progress.checkpointed);
        if now == self.synced || progress.checkpointed == 0 {
            return; // nothing copied since
        }
        if let Some(file) = &self.file {
            // A failure here is SQLite's to meet (and report) in its own
            // sync; this one only moves the work out of the writers' way.
            if file.sync_data().is_ok() {
                self.synced = now;
            }
        }
    }
}

/// The database files the checkpointers sync, opened once each and never
/// closed: closing any descriptor of a file drops every POSIX lock this
/// process holds on it, SQLite's included.
static HELD_OPEN: Mutex<Vec<(u64, u64, Arc<File>)>> = Mutex::new(Vec::new());

/// A descriptor of the file at `path`, held for the life of the process
/// (the same one for each path that names the same file).
fn held_open(path: &Path) -> std::io::Result<Arc<File>> {
    let meta = std::fs::metadata(path)?;
    let mut held = HELD_OPEN.lock();
    if let Some((_, _, file)) = held
        .iter()
        .find(|(dev, ino, _)| *dev == meta.dev() && *ino == meta.ino())
    {
        return Ok(file.clone());
    }
    let file = Arc::new(File::open(path)?);
    held.push((meta.dev(), meta.ino(), file.clone()));
    Ok(file)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use diesel::connection::SimpleConnection;
    use diesel::r2d2;

    use super::super::{write_transaction, writer, DbError};
    use super::*;

    #[test]
    fn under_constant_writing_the_log_starts_over_past_the_threshold() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        // A pool with its writer and no checkpointer thread: this test
        // plays the checkpointer's part.
        let mut manager = Manager::new(&url).unwrap();
        let mut own = manager.establish().unwrap();
        own.batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            .unwrap();
        let first = manager.establish().unwrap();
        manager.writer = writer::open(&manager, first);
        let writer = manager.writer.clone().unwrap();
        let pool = r2d2::Pool::builder().max_size(2).build(manager).unwrap();
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                let mut conn = pool.get().unwrap();
                let row = "x".repeat(3000);
                while !stop.load(Ordering::Relaxed) {
                    write_transaction::<_, DbError, _>(&mut conn, |conn| {
                        diesel::sql_query("INSERT INTO t (v) VALUES (?)")
                            .bind::<diesel::sql_types::Text, _>(&row)
                            .execute(conn)?;
                        Ok(())
                    })
                    .unwrap();
                }
            });
            // Copying alone never lets the log start over while writes keep
            // coming: it grows past the threshold...
            let mut frames = 0;
            let started = Instant::now();
            while frames < RESTART_FRAMES {
                assert!(started.elapsed() < Duration::from_secs(60), "no writes");
                frames = checkpoint(&mut own, "PASSIVE").unwrap().log;
            }
            // ... until the checkpointer pauses the writers to finish. A
            // restart a reader is in the way of reports busy and is tried
            // again at the next step, as the checkpointer's thread does.
            let mut flusher = Flusher::new(&mut own);
            assert!(flusher.file.is_some(), "the database file is held open");
            let mut after = frames;
            for _ in 0..200 {
                step(&mut own, &writer, &mut flusher).unwrap();
                after = checkpoint(&mut own, "PASSIVE").unwrap().log;
                if after < RESTART_FRAMES / 2 {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            stop.store(true, Ordering::Relaxed);
            assert!(
                after < RESTART_FRAMES / 2,
                "the log holds {after} frames after the restarts (it had {frames})"
            );
        });
    }
}
