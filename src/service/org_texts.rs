//! The organisation's texts every answer quotes (purposes, recipients,
//! retention...): set in the configuration (`[answers]`), and changed by
//! admins in the app, each change in the admin trail. A case may still
//! have its own wording (the case page's answer texts).

use serde_json::json;

use super::ServiceError;
use crate::app::AppContext;
use crate::config::Settings;
use crate::db::{self, events, org_texts, DbConn, DbError};
use crate::domain::audit::{Actor, AdminEvent};
use crate::domain::regime::OrgText;

/// The longest a text may be.
pub const MAX_TEXT: usize = 5_000;

/// Each text as answers quote it now, and whether an admin set it.
#[derive(Debug, Clone)]
pub struct GeneralTexts(Vec<(OrgText, String, bool)>);

impl GeneralTexts {
    pub fn get(&self, text: OrgText) -> &str {
        self.0
            .iter()
            .find(|(t, _, _)| *t == text)
            .map_or("", |(_, body, _)| body.as_str())
    }

    /// (text, its words, set in the app rather than the configuration).
    pub fn iter(&self) -> impl Iterator<Item = &(OrgText, String, bool)> {
        self.0.iter()
    }
}

/// The texts as stored over the configuration's, on `conn`.
pub fn load(settings: &Settings, conn: &mut DbConn) -> Result<GeneralTexts, DbError> {
    let stored = org_texts::all(conn)?;
    Ok(GeneralTexts(
        OrgText::ALL
            .iter()
            .map(|&t| match stored.iter().find(|(k, _)| k == t.key()) {
                Some((_, body)) => (t, body.clone(), true),
                None => (t, settings.answers.get(t).to_owned(), false),
            })
            .collect(),
    ))
}

pub fn current(ctx: &AppContext) -> Result<GeneralTexts, ServiceError> {
    Ok(load(&ctx.settings, &mut *ctx.pool.get()?)?)
}

/// Why texts were not saved.
#[derive(Debug, thiserror::Error)]
pub enum TextRefused {
    #[error("'{0}' is not one of the organisation's texts")]
    Unknown(String),
    #[error("{0}: {MAX_TEXT} characters at most, and no characters we cannot store")]
    Invalid(&'static str),
}

/// Sets the texts given as (key, words): empty words, or the configured
/// ones, go back to the configuration. How many changed; the change is in
/// the admin trail (which texts, not their words).
pub fn set(
    ctx: &AppContext,
    by: Actor,
    given: &[(String, String)],
) -> Result<Result<usize, TextRefused>, ServiceError> {
    let mut wanted = Vec::new();
    for (key, body) in given {
        let Some(text) = OrgText::parse(key) else {
            return Ok(Err(TextRefused::Unknown(key.clone())));
        };
        let body = body.trim().replace("\r\n", "\n");
        if body.chars().count() > MAX_TEXT || !crate::domain::text::is_storable_text(&body) {
            return Ok(Err(TextRefused::Invalid(text.label())));
        }
        let configured = ctx.settings.answers.get(text);
        wanted.push((
            text,
            (!body.is_empty() && body != configured).then_some(body),
        ));
    }
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    db::write_transaction(&mut conn, |conn| {
        let before = load(&ctx.settings, conn)?;
        let mut changed = Vec::new();
        for (text, body) in &wanted {
            let now_set = before.iter().find(|(t, _, _)| t == text);
            let current = now_set.and_then(|(_, b, set)| set.then_some(b.as_str()));
            if current != body.as_deref() {
                org_texts::set(conn, text.key(), body.as_deref(), now)?;
                changed.push(text.key());
            }
        }
        if !changed.is_empty() {
            events::append_admin(
                conn,
                &ctx.audit_key,
                AdminEvent::OrgTextsChanged,
                by,
                json!({ "texts": changed }),
                now,
            )?;
        }
        Ok(Ok(changed.len()))
    })
}
