//! The suppression list: who must not be contacted again or have their data
//! come back. Addresses are stored only as HMAC-SHA256 hashes under the
//! suppression key, a random key the app makes once and keeps in the
//! database wrapped (encrypted) with the data key: a copy of the database
//! alone cannot test an address against the list.

use chrono::NaiveDate;

use super::ServiceError;
use crate::app::AppContext;
use crate::crypto::{MacKey, Sealer, KEY_BYTES};
use crate::db::{self, suppression, DbConn};
use crate::domain::fulfilment::suppression_form;

const KEY_NAME: &str = "suppression";

/// The associated data of a wrapped key.
pub fn wrapped_aad(name: &str) -> String {
    format!("rightsdesk:wrapped-key:{name}")
}

/// The suppression key: unwrapped from the database, or made (and stored
/// wrapped) on first use.
pub fn load_key(pool: &db::Pool, sealer: &Sealer) -> anyhow::Result<MacKey> {
    use anyhow::Context;
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut conn = pool.get()?;
    if suppression::wrapped_key(&mut conn, KEY_NAME)?.is_none() {
        let fresh = MacKey::random();
        let sealed = sealer.seal_text(&b64.encode(fresh.bytes()), &wrapped_aad(KEY_NAME));
        db::write_transaction::<_, db::DbError, _>(&mut conn, |conn| {
            suppression::put_wrapped_key(conn, KEY_NAME, &sealed)
        })?;
    }
    let sealed = suppression::wrapped_key(&mut conn, KEY_NAME)?
        .context("the suppression key was not stored")?;
    let text = sealer
        .open_text(&sealed, &wrapped_aad(KEY_NAME))
        .context("the suppression key does not open with the data key (uploads.key)")?;
    let bytes: [u8; KEY_BYTES] = b64
        .decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .context("the stored suppression key is damaged")?;
    Ok(MacKey::new(&bytes))
}

/// The hash an address is stored as.
pub fn address_hash(key: &MacKey, address: &str) -> String {
    key.mac(&["suppression", &suppression_form(address)])
}

/// Puts an address on the list (inside the caller's transaction); whether
/// it was new.
pub fn add(
    ctx: &AppContext,
    conn: &mut DbConn,
    address: &str,
    reason: &str,
    on: NaiveDate,
) -> Result<bool, ServiceError> {
    Ok(suppression::add(
        conn,
        &address_hash(&ctx.suppression_key, address),
        reason,
        on,
    )?)
}

/// Whether an address is on the list: why and since when.
pub fn check(ctx: &AppContext, address: &str) -> Result<Option<(String, NaiveDate)>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    Ok(suppression::find(
        &mut conn,
        &address_hash(&ctx.suppression_key, address),
    )?)
}
