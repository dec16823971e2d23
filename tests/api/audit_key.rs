//! The keyed audit chain: a trail rewritten by someone without the audit
//! key is caught; trails from before the key are sealed on the first start
//! with it (broken ones stay broken); another key is refused; the key can
//! be changed with `rightsdesk audit rekey`.

use diesel::prelude::*;
use rightsdesk::db::schema::{admin_events, audit_seal, case_events};
use rightsdesk::db::DbConn;
use rightsdesk::domain::Role;
use sha2::{Digest, Sha256};

use crate::helpers::{random_key, run_cli, spawn_app, TestApp};

/// A row of either trail, as an attacker with database access reads it.
struct Link {
    id: i64,
    chain: i64,
    fields: [String; 5],
}

fn case_links(conn: &mut DbConn, case: i64) -> Vec<Link> {
    use case_events::dsl as e;
    e::case_events
        .filter(e::case_id.eq(case))
        .order(e::id)
        .select((
            e::id,
            e::kind,
            e::occurred_at,
            e::effective_on,
            e::actor,
            e::detail,
        ))
        .load::<(
            i64,
            String,
            chrono::NaiveDateTime,
            Option<chrono::NaiveDate>,
            String,
            String,
        )>(conn)
        .unwrap()
        .into_iter()
        .map(|(id, kind, at, on, actor, detail)| Link {
            id,
            chain: case,
            fields: [
                kind,
                at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
                on.map(|d| d.to_string()).unwrap_or_default(),
                actor,
                detail,
            ],
        })
        .collect()
}

/// Re-chains links with plain SHA-256, as the trail was chained before the
/// audit key (and as anyone could recompute it): the new (prev, hash) of each.
fn unkeyed(links: &[Link]) -> Vec<(i64, String, String)> {
    let mut prev = "0".repeat(64);
    links
        .iter()
        .map(|link| {
            let mut h = Sha256::new();
            for part in [prev.as_str(), &link.chain.to_string()]
                .into_iter()
                .chain(link.fields.iter().map(String::as_str))
            {
                h.update(part.as_bytes());
                h.update([0u8]);
            }
            let hash = hex::encode(h.finalize());
            let out = (link.id, prev.clone(), hash.clone());
            prev = hash;
            out
        })
        .collect()
}

fn rewrite_case_chain(conn: &mut DbConn, case: i64) {
    use case_events::dsl as e;
    for (id, prev, hash) in unkeyed(&case_links(conn, case)) {
        diesel::update(e::case_events.find(id))
            .set((e::prev_hash.eq(prev), e::hash.eq(hash)))
            .execute(conn)
            .unwrap();
    }
}

/// Turns the app's database back into one written before the audit key:
/// every trail chained with plain SHA-256, and no record of a key.
fn make_legacy(app: &TestApp) {
    app.db(|c| {
        let cases: Vec<i64> = case_events::table
            .select(case_events::case_id)
            .distinct()
            .load(c)?;
        for case in cases {
            rewrite_case_chain(c, case);
        }
        use admin_events::dsl as a;
        let rows = a::admin_events
            .order(a::id)
            .select((a::id, a::kind, a::occurred_at, a::actor, a::detail))
            .load::<(i64, String, chrono::NaiveDateTime, String, String)>(c)?;
        let links: Vec<Link> = rows
            .into_iter()
            .map(|(id, kind, at, actor, detail)| Link {
                id,
                chain: 0,
                fields: [
                    kind,
                    at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
                    String::new(),
                    actor,
                    detail,
                ],
            })
            .collect();
        for (id, prev, hash) in unkeyed(&links) {
            diesel::update(a::admin_events.find(id))
                .set((a::prev_hash.eq(prev), a::hash.eq(hash)))
                .execute(c)?;
        }
        diesel::delete(audit_seal::table).execute(c)?;
        Ok(())
    });
}

#[tokio::test]
async fn a_trail_rewritten_and_rechained_without_the_key_is_caught() {
    let app = spawn_app().await;
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let case = app.case(&reference);
    assert_eq!(app.cli(&["audit", "verify"]).0, 0);
    // Someone with write access to the database changes how the request
    // came in and recomputes every hash of the chain after it, as the
    // unkeyed chain allowed.
    app.db(|c| {
        use case_events::dsl as e;
        let first: i64 = e::case_events
            .filter(e::case_id.eq(case.id.0))
            .order(e::id)
            .select(e::id)
            .first(c)?;
        diesel::update(e::case_events.find(first))
            .set(e::detail.eq(r#"{"channel":"phone"}"#))
            .execute(c)?;
        rewrite_case_chain(c, case.id.0);
        Ok(())
    });
    let (code, err) = app.cli(&["audit", "verify"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains(&format!("case {reference}")), "{err}");
    let page = agent.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("Audit trail broken"), "{page}");
}

#[tokio::test]
async fn trails_from_before_the_key_are_sealed_once_and_broken_ones_stay_broken() {
    let app = spawn_app().await;
    let admin = app.staff("dpo@example.org", Role::Admin).await;
    let intact = app.confirmed_case("access", "ada@example.com").await;
    let tampered = app.confirmed_case("erasure", "bo@example.com").await;
    let tampered_id = app.case(&tampered).id.0;
    make_legacy(&app);
    // Under the unkeyed chain, someone edits an event without recomputing:
    // the old check would catch it, and so must the new one, after sealing.
    let edited = app.db(|c| {
        use case_events::dsl as e;
        let ids: Vec<i64> = e::case_events
            .filter(e::case_id.eq(tampered_id))
            .order(e::id)
            .select(e::id)
            .load(c)?;
        diesel::update(e::case_events.find(ids[1]))
            .set(e::detail.eq(r#"{"edited":true}"#))
            .execute(c)?;
        Ok(ids[1])
    });

    // The first command with the key seals the trails, then checks them.
    let (code, err) = app.cli(&["audit", "verify"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(&format!("case {tampered}, event #{edited}")),
        "{err}"
    );
    let key = &app.ctx.audit_key;
    let intact_id = app.case(&intact).id;
    assert_eq!(
        app.db(|c| rightsdesk::db::events::first_broken_link(c, key, intact_id)),
        None
    );
    assert_eq!(
        app.db(|c| rightsdesk::db::events::first_broken_admin_link(c, key)),
        None
    );
    // Sealing happened once, and the admins' trail says what it found.
    let trail = app.db(rightsdesk::db::events::list_admin);
    let sealed: Vec<_> = trail
        .iter()
        .filter(|e| e.kind == "audit_trail_keyed")
        .collect();
    assert_eq!(
        sealed.len(),
        2,
        "one by the first start, one after the reset"
    );
    let last = sealed[1];
    assert!(last.detail.contains(&tampered), "{}", last.detail);
    assert!(!last.detail.contains(&intact), "{}", last.detail);
    assert_eq!(app.cli(&["audit", "verify"]).0, 3);
    let count = app.db(|c| {
        Ok(admin_events::table
            .filter(admin_events::kind.eq("audit_trail_keyed"))
            .count()
            .get_result::<i64>(c)?)
    });
    assert_eq!(count, 2, "a second run seals nothing again");
    let page = admin.page("/staff/audit").await;
    assert!(
        page.contains(&format!("already broken before: {tampered}")),
        "{page}"
    );
}

#[tokio::test]
async fn another_audit_key_is_refused() {
    let app = spawn_app().await;
    app.confirmed_case("access", "ada@example.com").await;
    let url = app.ctx.settings.database_url();
    let other = random_key(32);
    let (code, err) = run_cli(
        &["audit", "verify"],
        &[("DATABASE_URL", &url), ("RIGHTSDESK__AUDIT__KEY", &other)],
        "",
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("audit.key is not the key the audit trails were sealed with"),
        "{err}"
    );
    let (code, err) = run_cli(
        &["audit", "verify"],
        &[
            ("DATABASE_URL", &url),
            ("RIGHTSDESK__AUDIT__KEY", "c2hvcnQ="),
        ],
        "",
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("audit.key") && err.contains("32 bytes"),
        "{err}"
    );
}

#[tokio::test]
async fn audit_rekey_reseals_every_trail_under_the_new_key() {
    let app = spawn_app().await;
    app.add_staff("agent@example.org", Role::Agent);
    app.confirmed_case("access", "ada@example.com").await;
    app.confirmed_case("erasure", "bo@example.com").await;
    let url = app.ctx.settings.database_url();
    let old = app.ctx.settings.audit.key.clone();
    let rekey = |key: &str, input: &str| {
        run_cli(
            &["audit", "rekey"],
            &[("DATABASE_URL", &url), ("RIGHTSDESK__AUDIT__KEY", key)],
            input,
        )
    };
    let verify = |key: &str| {
        run_cli(
            &["audit", "verify"],
            &[("DATABASE_URL", &url), ("RIGHTSDESK__AUDIT__KEY", key)],
            "",
        )
    };
    // Bad keys are refused and change nothing.
    let (code, err) = rekey(&old, "not a key\n");
    assert_ne!(code, 0);
    assert!(err.contains("not base64"), "{err}");
    let (code, err) = rekey(&old, "c2hvcnQ=\n");
    assert_ne!(code, 0);
    assert!(err.contains("32 bytes"), "{err}");
    // Only the key that sealed the trails can hand them on.
    let new = random_key(32);
    let (code, err) = rekey(&random_key(32), &format!("{new}\n"));
    assert_ne!(code, 0);
    assert!(err.contains("not the key"), "{err}");
    assert_eq!(verify(&old).0, 0);

    let (code, err) = rekey(&old, &format!("{new}\n"));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("re-sealed 2 case trail(s)"), "{err}");
    assert!(err.contains("RIGHTSDESK__AUDIT__KEY"), "{err}");
    let (code, err) = verify(&new);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("intact: 2 cases"), "{err}");
    let (code, err) = verify(&old);
    assert_ne!(code, 0);
    assert!(err.contains("not the key"), "{err}");
    let trail = app.db(rightsdesk::db::events::list_admin);
    assert_eq!(
        trail.last().map(|e| e.kind.as_str()),
        Some("audit_key_rotated")
    );
}
