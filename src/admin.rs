//! Operator commands that work on the database directly: adding a staff
//! account, checking the audit trail, and seeding demo cases.

use std::io::{BufRead, Write};
use std::sync::Arc;

use anyhow::{bail, Context};
use chrono::Days;
use rand::seq::IndexedRandom;
use rand::Rng;

use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::db::{self, cases, events, outbox, users};
use crate::domain::audit::{Actor, AdminEvent};
use crate::domain::casework::{Channel, IdentityMethod, Outcome};
use crate::domain::{IntakeInput, NewRequest, Role};
use crate::service::casework::{self, Command, Mode};
use crate::service::intake;
use crate::startup::{offline_context, open_database};

/// The database, migrated, and the audit key, with the trails sealed by it
/// (as the server opens them): what every command that writes or checks
/// the audit trails needs.
fn open_with_trails(settings: &Settings) -> anyhow::Result<(db::Pool, crate::crypto::AuditKey)> {
    let (pool, _) = open_database(settings)?;
    let key = crate::startup::audit_key(settings)?;
    crate::startup::open_trails(&pool, &key, &SystemClock)?;
    Ok((pool, key))
}

/// `rightsdesk user add`: the password comes from standard input.
pub fn add_user(email: &str, role: Role, name: Option<&str>) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        bail!("no password on standard input (pipe it in, e.g. printf '%s' \"$PW\" | rightsdesk user add ...)");
    }
    let name = name
        .map(str::to_owned)
        .unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_owned());
    let (pool, audit_key) = open_with_trails(&settings)?;
    let mut conn = pool.get()?;
    let now = db::timestamp(SystemClock.now());
    match crate::service::accounts::add_user(
        &mut conn, &audit_key, email, &name, role, password, now,
    )? {
        Ok(id) => {
            eprintln!("added {role} account {} (user {})", email.trim(), id.0);
            Ok(())
        }
        Err(e) => bail!("{e}"),
    }
}

/// `rightsdesk token create`: the token goes to standard output, alone on
/// its line, so that a script can take it.
pub fn create_token(name: &str, scopes: &str, rate: u32) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let (pool, audit_key) = open_with_trails(&settings)?;
    let mut conn = pool.get()?;
    let now = db::timestamp(SystemClock.now());
    let made = crate::service::api_tokens::create(
        &mut conn,
        &audit_key,
        Actor::CommandLine,
        name,
        scopes,
        rate,
        now,
    )?
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "made API token {} \"{}\" ({}); it is shown only now:",
        made.token.id.0, made.token.name, made.token.scopes
    );
    println!("{}", made.secret);
    Ok(())
}

/// `rightsdesk token list`: one line per token, tab-separated.
pub fn list_tokens() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let (pool, _) = open_database(&settings)?;
    let mut conn = pool.get()?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "id\tname\tscopes\tper minute\tmade\tlast used\trevoked"
    )?;
    let when = |t: Option<chrono::NaiveDateTime>| {
        t.map_or_else(
            || "-".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M").to_string(),
        )
    };
    for t in crate::service::api_tokens::list(&mut conn)? {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            t.id.0,
            t.name,
            t.scopes,
            t.rate_per_minute,
            when(Some(t.created_at)),
            when(t.last_used_at),
            when(t.revoked_at)
        )?;
    }
    Ok(())
}

/// `rightsdesk token revoke ID`.
pub fn revoke_token(id: i64) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let (pool, audit_key) = open_with_trails(&settings)?;
    let mut conn = pool.get()?;
    let now = db::timestamp(SystemClock.now());
    let id = crate::db::api_tokens::TokenId(id);
    if !crate::service::api_tokens::revoke(&mut conn, &audit_key, Actor::CommandLine, id, now)? {
        bail!(
            "no live API token has id {} (see `rightsdesk token list`)",
            id.0
        );
    }
    eprintln!("revoked API token {}", id.0);
    Ok(())
}

/// A new 32-byte key, base64 on one line of standard input.
fn read_new_key() -> anyhow::Result<[u8; crate::crypto::KEY_BYTES]> {
    use base64::Engine;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the new key from standard input")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(line.trim())
        .map_err(|_| {
            anyhow::anyhow!("the new key is not base64 (make one with `openssl rand -base64 32`)")
        })?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("the new key is not 32 bytes long"))
}

/// After a key change: in development (no key configured) the key file in
/// the data directory is replaced; otherwise the operator is told to set
/// the new key. Returns the sentence saying which.
fn install_new_key(
    settings: &Settings,
    configured: bool,
    file: &str,
    new_key: &[u8; crate::crypto::KEY_BYTES],
    setting: &str,
    variable: &str,
) -> anyhow::Result<String> {
    if configured {
        return Ok(format!(
            "now set {setting} ({variable}) to the new key on every node and start them again"
        ));
    }
    let path = crate::startup::dev_key_path(settings, file);
    crate::files::write_private(&path, new_key, false)
        .with_context(|| format!("writing the new development key {}", path.display()))?;
    Ok(format!("the new key is in {}", path.display()))
}

/// `rightsdesk keys rotate`: re-encrypts documents and email bodies under
/// the key read from standard input, in one transaction (all or nothing).
pub fn rotate_key() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let new_key = read_new_key()?;
    let old = crate::startup::document_sealer(&settings)?;
    let new = crate::crypto::Sealer::new(&new_key);
    let (pool, audit_key) = open_with_trails(&settings)?;
    let mut conn = pool.get()?;
    let now = db::timestamp(SystemClock.now());
    let (documents, emails) = db::write_transaction::<_, anyhow::Error, _>(&mut conn, |conn| {
        let documents = db::documents::reseal_all(conn, &old, &new)?;
        let emails = outbox::reseal_all(conn, &old, &new)?;
        for (name, sealed) in db::suppression::all_wrapped(conn)? {
            let aad = crate::service::suppression::wrapped_aad(&name);
            let plain = old
                .open_text(&sealed, &aad)
                .map_err(|e| anyhow::anyhow!("the wrapped key '{name}': {e}"))?;
            db::suppression::replace_wrapped(conn, &name, &new.seal_text(&plain, &aad))?;
        }
        crate::service::webhooks::reseal_secrets(conn, &old, &new)?;
        events::append_admin(
            conn,
            &audit_key,
            AdminEvent::DataKeyRotated,
            Actor::CommandLine,
            serde_json::json!({ "documents": documents, "emails": emails }),
            now,
        )?;
        Ok((documents, emails))
    })?;
    let next = install_new_key(
        &settings,
        settings.upload_key()?.is_some(),
        "upload.key",
        &new_key,
        "uploads.key",
        "RIGHTSDESK__UPLOADS__KEY",
    )?;
    eprintln!("re-encrypted {documents} document(s) and {emails} email(s); {next}");
    Ok(())
}

/// `rightsdesk audit rekey`: re-seals every audit trail under the key read
/// from standard input, in one transaction, after checking each chain under
/// the configured key (a chain already broken is re-sealed up to the break
/// and stays broken).
pub fn rekey_audit() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let new_key = read_new_key()?;
    let new = crate::crypto::AuditKey::new(&new_key);
    let (pool, old) = open_with_trails(&settings)?;
    let now = db::timestamp(SystemClock.now());
    let done = events::rotate_key(&mut *pool.get()?, &old, &new, now)?;
    let next = install_new_key(
        &settings,
        settings.audit_key()?.is_some(),
        "audit.key",
        &new_key,
        "audit.key",
        "RIGHTSDESK__AUDIT__KEY",
    )?;
    eprintln!(
        "re-sealed {} case trail(s) and the account and settings trail ({} events); {next}",
        done.cases, done.events
    );
    for reference in &done.broken_cases {
        eprintln!("note: the trail of case {reference} was already broken; it still is");
    }
    if done.admin_broken {
        eprintln!("note: the account and settings trail was already broken; it still is");
    }
    Ok(())
}

/// `rightsdesk purge`: the retention purge, once.
pub fn purge() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let (pool, audit_key) = open_with_trails(&settings)?;
    let done = crate::service::retention::run(&crate::service::retention::Purger {
        pool: &pool,
        settings: &settings,
        audit_key: &audit_key,
        clock: &SystemClock,
    })?;
    eprintln!(
        "purge: {} closed case(s) reduced to their minimal record; {} spent or expired link(s) and old staff email(s) deleted",
        done.cases, done.swept
    );
    Ok(())
}

/// `rightsdesk audit verify`: `Ok(None)` when every chain is intact, or a
/// line naming the first broken link.
pub fn audit_verify() -> anyhow::Result<Option<String>> {
    let settings = Settings::load()?;
    let (pool, key) = open_with_trails(&settings)?;
    let mut conn = pool.get()?;
    let all = cases::all_ids(&mut conn)?;
    let mut checked = 0usize;
    for (id, reference) in &all {
        if let Some(event) = events::first_broken_link(&mut conn, &key, *id)? {
            return Ok(Some(format!(
                "audit trail BROKEN: case {reference}, event #{event} does not match the chain \
                 (it, or one before it, was changed or removed outside Rightsdesk)"
            )));
        }
        checked += 1;
    }
    if let Some(event) = events::first_broken_admin_link(&mut conn, &key)? {
        return Ok(Some(format!(
            "audit trail BROKEN: account and settings trail, event #{event} does not match the chain \
             (it, or one before it, was changed or removed outside Rightsdesk)"
        )));
    }
    eprintln!("audit trail intact: {checked} cases and the account and settings trail checked");
    Ok(None)
}

const FIRST: &[&str] = &[
    "Amara", "Ben", "Chloé", "Dev", "Elena", "Finn", "Grace", "Hamza", "Ines", "Jack", "Kai",
    "Lena", "Mateo", "Nadia", "Owen", "Priya", "Quinn", "Rosa", "Sam", "Tomasz", "Uma", "Viktor",
    "Wen", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Adeyemi", "Brown", "Costa", "Dubois", "Evans", "Fischer", "García", "Hughes", "Ivanova",
    "Jones", "Kowalski", "Lee", "Murphy", "Nowak", "O'Brien", "Patel", "Rossi", "Smith", "Tanaka",
    "Walker",
];
const PLACES: &[&str] = &[
    "GB", "GB", "GB", "IE", "FR", "DE", "ES", "US-CA", "US-CA", "OTHER",
];

fn demo_request(
    rng: &mut impl Rng,
    jurisdiction: &crate::domain::Jurisdiction,
) -> anyhow::Result<NewRequest> {
    let first = FIRST.choose(rng).copied().unwrap_or("Sam");
    let last = LAST.choose(rng).copied().unwrap_or("Smith");
    let place = PLACES.choose(rng).copied().unwrap_or("GB");
    let regime = crate::domain::Location::parse(place)
        .map(|l| jurisdiction.regime_for(l))
        .context("demo place")?;
    // Rights with no free-text detail to invent, that this law grants.
    let all: Vec<&str> = [
        "access",
        "erasure",
        "rectification",
        "objection",
        "portability",
        "restriction",
        "opt_out",
    ]
    .into_iter()
    .filter(|key| key.parse().is_ok_and(|r| regime.grants(r)))
    .collect();
    let n = rng.random_range(1..=2);
    let rights: Vec<String> = all
        .choose_multiple(rng, n)
        .map(|s| (*s).to_owned())
        .collect();
    let input = IntakeInput {
        name: format!("{first} {last}"),
        email: format!(
            "{}.{}{}@example.test",
            first.to_lowercase(),
            last.to_lowercase().replace('\'', ""),
            rng.random_range(1..999)
        )
        .replace(['é', 'í'], "e"),
        location: place.to_owned(),
        rights,
        access_scope: "Everything you hold about me, including call recordings.".into(),
        rectification_details: "My postal address changed in March; please update it.".into(),
        erasure_ground: "no_longer_necessary".into(),
        restriction_ground: "accuracy_contested".into(),
        portability_destination: "to_me".into(),
        objection_ground: "direct_marketing".into(),
        acting_as: "self".into(),
        ..IntakeInput::default()
    };
    NewRequest::parse(&input, jurisdiction)
        .map_err(|e| anyhow::anyhow!("demo request invalid: {e:?}"))
}

/// `rightsdesk demo`: fills an empty database with `count` made-up cases
/// in every state, worked by three demo agents who cannot log in. Their
/// emails are removed from the outbox: no one is written to.
pub fn demo(count: u32) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let ctx = offline_context(settings, Arc::new(SystemClock))?;
    let mut conn = ctx.pool.get()?;
    if cases::count(&mut conn)? > 0 {
        bail!("the database already has cases; demo only fills an empty one");
    }
    let now = db::timestamp(ctx.clock.now());
    let mut agents = Vec::new();
    for (email, name) in [
        ("demo.agent1@example.test", "Alex Demo"),
        ("demo.agent2@example.test", "Bea Demo"),
        ("demo.agent3@example.test", "Cai Demo"),
    ] {
        let id = match users::find_by_email(&mut conn, email)? {
            Some(u) => u.id,
            None => users::insert(&mut conn, email, name, Role::Agent, None, now)?,
        };
        agents.push(users::find(&mut conn, id)?.context("demo agent vanished")?);
    }
    let today = ctx.clock.today(ctx.settings.organisation.timezone);
    let mut rng = rand::rng();
    for i in 0..count {
        let request = demo_request(&mut rng, &ctx.jurisdiction)?;
        if i % 15 == 0 {
            intake::file_request(&ctx, &request)?;
            continue;
        }
        let agent = agents.choose(&mut rng).context("no agents")?;
        let received = today
            .checked_sub_days(Days::new(rng.random_range(0..40)))
            .unwrap_or(today);
        let channel = *Channel::MANUAL.choose(&mut rng).unwrap_or(&Channel::Email);
        let reference =
            match intake::enter_request(&ctx, Actor::Staff(agent.id), &request, channel, received)?
            {
                Ok(r) => r,
                Err(e) => bail!("demo case: {e}"),
            };
        let act = |command: Command| -> anyhow::Result<bool> {
            Ok(casework::perform(&ctx, agent, &reference, command, Mode::Commit)?.is_ok())
        };
        if rng.random_bool(0.8) {
            act(Command::Assign { to: Some(agent.id) })?;
        }
        let fate = rng.random_range(0..10);
        if fate == 0 {
            act(Command::RequestIdentity {
                message: "Please send proof of identity and of address.".into(),
                on: today,
                questions: vec![],
            })?;
            continue;
        }
        if fate == 1 {
            continue; // awaiting identity
        }
        act(Command::VerifyIdentity {
            method: IdentityMethod::EmailConfirmed,
            proof_received_on: today,
        })?;
        match fate {
            2 => {
                act(Command::RequestClarification {
                    message: "Which of your accounts does this concern?".into(),
                    on: today,
                })?;
            }
            3 => {
                let Some(reason) = request.regime.rules().clock.extension.reasons.first() else {
                    continue;
                };
                act(Command::Extend {
                    reason: *reason,
                    message: "We hold records in several systems that must be searched by hand."
                        .into(),
                    on: today,
                })?;
            }
            4 | 5 => {
                for right in &request.rights {
                    act(Command::RecordOutcome {
                        right: right.right(),
                        outcome: Outcome::Fulfilled,
                        note: None,
                        override_reason: None,
                    })?;
                }
                act(Command::Complete {
                    message: "Thank you for your patience.".into(),
                })?;
            }
            6 => {
                act(Command::Refuse {
                    ground: "identity_not_verified".into(),
                    reason: "The details given did not match any customer record.".into(),
                })?;
            }
            _ => {}
        }
    }
    // Demo people get no mail.
    let mut conn = ctx.pool.get()?;
    let demo_mail = outbox::all(&mut conn)?
        .into_iter()
        .filter(|m| m.recipient.ends_with("@example.test"))
        .count();
    outbox::delete_to_domain(&mut conn, "@example.test")?;
    eprintln!("made {count} demo cases ({demo_mail} demo emails discarded)");
    let sign_in = format!("{}/staff/login", ctx.settings.base_url());
    if users::count_admins(&mut conn)? > 0 {
        println!("Start the app and sign in at {sign_in} with your admin account.");
        return Ok(());
    }
    // A way in: an admin with a password shown once, as `user add` makes.
    let email = "demo.admin@example.test";
    let password = demo_password();
    match crate::service::accounts::add_user(
        &mut conn,
        &ctx.audit_key,
        email,
        "Dana Demo",
        Role::Admin,
        &password,
        now,
    )? {
        Ok(_) => {}
        Err(e) => bail!("demo admin: {e}"),
    }
    println!(
        "Start the app (cargo run --release) and sign in at {sign_in}\n  \
         email:    {email}\n  password: {password}\n\
         (shown once; this database is for trying Rightsdesk, not for real requests)"
    );
    Ok(())
}

/// A password for the demo admin: 20 letters and digits, random.
fn demo_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// `rightsdesk inbound --maildir DIR`: records each reply in DIR/new and
/// moves it to DIR/cur (recorded or set aside, it is not read twice); a
/// message that could not be stored stays in new/ for the next run.
pub fn inbound(maildir: &std::path::Path) -> anyhow::Result<()> {
    use crate::service::inbound;
    let settings = Settings::load()?;
    let ctx = offline_context(settings, Arc::new(SystemClock))?;
    let (new, cur) = (maildir.join("new"), maildir.join("cur"));
    if !new.is_dir() || !cur.is_dir() {
        bail!(
            "{} is not a maildir (it needs new/ and cur/ directories)",
            maildir.display()
        );
    }
    let mut files: Vec<_> = std::fs::read_dir(&new)
        .with_context(|| format!("reading {}", new.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let (mut recorded, mut ignored) = (0, 0);
    for path in files {
        let raw = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match inbound::record(&ctx, &raw)? {
            Ok(reference) => {
                recorded += 1;
                log::info!("inbound: {name}: recorded as a reply to {reference}");
            }
            Err(why) => {
                ignored += 1;
                eprintln!("inbound: {name}: not recorded: {why}");
            }
        }
        // Seen ("S"), as maildir readers mark it.
        std::fs::rename(&path, cur.join(format!("{name}:2,S")))
            .with_context(|| format!("moving {} to cur/", path.display()))?;
    }
    eprintln!("inbound: {recorded} reply(ies) recorded, {ignored} message(s) set aside");
    Ok(())
}
