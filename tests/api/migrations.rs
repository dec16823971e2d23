//! Upgrades keep what earlier versions stored: the four link stores of
//! earlier versions move into the one `links` table, still working.

use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::MigrationHarness;

#[test]
fn links_of_earlier_versions_move_into_the_one_link_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    // Migrate as an earlier version did, up to the one before the move.
    loop {
        let pending = conn
            .pending_migrations(rightsdesk::db::SQLITE_MIGRATIONS)
            .unwrap();
        let next = pending.into_iter().next().expect("migration 18 exists");
        if next.name().version().to_string() == "20261203000018" {
            break;
        }
        conn.run_migration(&*next).unwrap();
    }
    for sql in [
        "INSERT INTO users (id, email, name, role, created_at) VALUES (7, 'eve@example.org', 'Eve', 'agent', '2026-03-01 10:00:00')",
        "INSERT INTO cases (id, reference, state, regime, channel, location, requester_name, requester_email, submitted_at, updated_at) VALUES (3, 'RD-AAAA-BBBB', 'in_progress', 'uk-gdpr', 'web', 'GB', 'Ada', 'ada@example.com', '2026-03-01 10:00:00', '2026-03-01 10:00:00')",
        "INSERT INTO email_tokens (case_id, token_hash, created_at, expires_at, used_at) VALUES (3, 'h-confirm', '2026-03-01 10:00:00', '2026-03-02 10:00:00', '2026-03-01 11:00:00')",
        "INSERT INTO status_links (case_id, token_hash, created_at, expires_at) VALUES (3, 'h-status', '2026-03-01 11:00:00', '2099-01-01 00:00:00')",
        "INSERT INTO agent_confirmations (case_id, token_hash, created_at, expires_at, decided_at, decision) VALUES (3, 'h-agent', '2026-03-01 11:00:00', '2026-03-15 11:00:00', '2026-03-02 09:00:00', 'confirmed')",
        "INSERT INTO staff_tokens (user_id, purpose, token_hash, created_at, expires_at) VALUES (7, 'invite', 'h-invite', '2026-03-01 10:00:00', '2099-01-01 00:00:00')",
    ] {
        diesel::sql_query(sql).execute(&mut conn).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    drop(conn);
    // The current version migrates the rest and reads them.
    let url = format!("sqlite://{}", path.display());
    rightsdesk::db::migrate(&url).unwrap();
    let (pool, _) = rightsdesk::db::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    use rightsdesk::db::cases::CaseId;
    use rightsdesk::db::links::{self, Opens, Purpose};
    let now = chrono::NaiveDate::from_ymd_opt(2026, 3, 5)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    let confirm = links::find(&mut conn, Purpose::ConfirmEmail, "h-confirm")
        .unwrap()
        .unwrap();
    assert_eq!(confirm.opens, Opens::Case(CaseId(3)));
    assert!(confirm.spent_at.is_some());
    let status = links::find(&mut conn, Purpose::Status, "h-status")
        .unwrap()
        .unwrap();
    assert!(status.usable(now));
    let agent = links::find(&mut conn, Purpose::AgentCheck, "h-agent")
        .unwrap()
        .unwrap();
    assert_eq!(agent.decision.as_deref(), Some("confirmed"));
    let invite = links::find(&mut conn, Purpose::StaffInvite, "h-invite")
        .unwrap()
        .unwrap();
    assert_eq!(
        invite.opens,
        Opens::Account(Some(rightsdesk::db::users::UserId(7)))
    );
    assert!(invite.usable(now));
    // A hash of one purpose does not open another.
    assert!(links::find(&mut conn, Purpose::Status, "h-invite")
        .unwrap()
        .is_none());
}
