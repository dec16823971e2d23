//! Identity documents: the requester uploads proof of identity and of
//! address on their status page while identity proof is asked for; the
//! files are checked by content, encrypted, and kept only until staff
//! decide (see `casework::Command::ApproveDocuments`). Staff viewing one is
//! an audit event.

use serde_json::json;

use super::casework::{asked_for_identity, staff_alerts};
use super::status::PageAccess;
use super::ServiceError;
use crate::app::AppContext;
use crate::crypto::document_aad;
use crate::db::cases;
use crate::db::users::User;
use crate::db::{self, documents, events, outbox};
use crate::domain::audit::{Actor, CaseEvent};
use crate::domain::{CaseState, Reference};

/// What a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Identity,
    Address,
    /// An agent's signed permission from the person.
    Authority,
}

impl DocKind {
    pub fn key(self) -> &'static str {
        match self {
            DocKind::Identity => "identity",
            DocKind::Address => "address",
            DocKind::Authority => "authority",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DocKind::Identity => "proof of identity",
            DocKind::Address => "proof of address",
            DocKind::Authority => "signed permission",
        }
    }

    pub fn parse(key: &str) -> Option<DocKind> {
        match key {
            "identity" => Some(DocKind::Identity),
            "address" => Some(DocKind::Address),
            "authority" => Some(DocKind::Authority),
            _ => None,
        }
    }
}

/// One uploaded file, as received.
pub struct Upload {
    pub kind: DocKind,
    pub bytes: Vec<u8>,
}

/// The type a file really is, from its first bytes (never its name).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// Why an upload was refused; nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("We are not waiting for documents for this request")]
    NotWaiting,
    #[error("Choose a file to upload")]
    NoFiles,
    #[error("The {0} you chose is empty")]
    Empty(&'static str),
    #[error("The {0} is too large: files must be {1} MB or smaller")]
    TooLarge(&'static str, usize),
    #[error("The {0} must be a PDF, JPEG or PNG file")]
    NotAccepted(&'static str),
    #[error("You can send at most {0} files for us to review; we are still looking at the ones you sent")]
    TooMany(u32),
    #[error("You can send at most {0} files at once")]
    TooManyAtOnce(u32),
    #[error("What you sent is too large: at most {0} MB in one go. Send fewer or smaller files")]
    RequestTooLarge(usize),
    #[error("Sending took too long and was stopped. Please try again, perhaps with smaller files")]
    TooSlow,
}

/// Checks each file before anything is stored.
pub fn check(ctx: &AppContext, uploads: &[Upload]) -> Result<Vec<&'static str>, UploadError> {
    if uploads.is_empty() {
        return Err(UploadError::NoFiles);
    }
    let max = ctx.settings.uploads.max_file_bytes;
    uploads
        .iter()
        .map(|u| {
            if u.bytes.is_empty() {
                return Err(UploadError::Empty(u.kind.label()));
            }
            if u.bytes.len() > max {
                return Err(UploadError::TooLarge(u.kind.label(), max / 1_048_576));
            }
            sniff(&u.bytes).ok_or(UploadError::NotAccepted(u.kind.label()))
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadOutcome {
    Stored(usize),
    Refused(UploadError),
    Access(PageAccess),
}

/// Whether the link may send documents now, checked before any of the
/// upload is read: the link works and the case is waiting for documents.
/// `Err` holds what to show instead.
pub fn may_upload(
    ctx: &AppContext,
    token: &str,
) -> Result<Result<(), UploadOutcome>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let case = match super::status::case_for(ctx, &mut conn, token)? {
        Ok(case) => case,
        Err(access) => return Ok(Err(UploadOutcome::Access(access))),
    };
    let identity_wanted = asked_for_identity(&events::list(&mut conn, case.id)?)
        && crate::db::questions::list(&mut conn, case.id)?.is_empty();
    let waiting = case.state == CaseState::AwaitingIdentity
        && (identity_wanted || case.agent_email.is_some());
    Ok(if waiting {
        Ok(())
    } else {
        Err(UploadOutcome::Refused(UploadError::NotWaiting))
    })
}

/// Stores the requester's documents, encrypted, if the link is good and
/// proof is being asked for; tells staff.
pub fn upload(
    ctx: &AppContext,
    token: &str,
    uploads: Vec<Upload>,
) -> Result<UploadOutcome, ServiceError> {
    let types = match check(ctx, &uploads) {
        Ok(types) => types,
        Err(e) => return Ok(UploadOutcome::Refused(e)),
    };
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    let outcome = db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        let case = match super::status::case_for(ctx, conn, token)? {
            Ok(case) => case,
            Err(access) => return Ok(UploadOutcome::Access(access)),
        };
        // Identity documents only when we asked for them (and not for
        // details instead); an agent's signed permission while identity is
        // being checked.
        let asked_details = !crate::db::questions::list(conn, case.id)?.is_empty();
        let identity_wanted = asked_for_identity(&events::list(conn, case.id)?) && !asked_details;
        let wanted = |kind: DocKind| match kind {
            DocKind::Identity | DocKind::Address => identity_wanted,
            DocKind::Authority => case.agent_email.is_some(),
        };
        if case.state != CaseState::AwaitingIdentity || !uploads.iter().all(|u| wanted(u.kind)) {
            return Ok(UploadOutcome::Refused(UploadError::NotWaiting));
        }
        let held = documents::list(conn, case.id)?.len();
        let max = ctx.settings.uploads.max_files;
        if held + uploads.len() > max as usize {
            return Ok(UploadOutcome::Refused(UploadError::TooMany(max)));
        }
        for (upload, content_type) in uploads.iter().zip(&types) {
            let kind = upload.kind.key();
            let (nonce, sealed) = ctx
                .sealer
                .seal(&upload.bytes, &document_aad(case.id.0, kind));
            documents::insert(
                conn,
                case.id,
                kind,
                content_type,
                upload.bytes.len() as i64,
                &nonce,
                &sealed,
                now,
            )?;
        }
        let kinds: Vec<&str> = uploads.iter().map(|u| u.kind.key()).collect();
        events::append(
            conn,
            &ctx.audit_key,
            case.id,
            events::NewEvent {
                kind: CaseEvent::DocumentsUploaded,
                effective_on: None,
                actor: Actor::Requester,
                detail: json!({ "documents": uploads.len(), "kinds": kinds }),
            },
            now,
        )?;
        for message in staff_alerts(ctx, conn, &case, "has sent identity documents for review")? {
            outbox::enqueue(conn, &ctx.sealer, &message, now)?;
        }
        Ok(UploadOutcome::Stored(uploads.len()))
    })?;
    if let UploadOutcome::Stored(n) = outcome {
        log::info!("{n} identity document(s) uploaded");
        ctx.mail.wake();
    }
    Ok(outcome)
}

/// A document to show a staff member, decrypted.
pub struct Opened {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Decrypts one document of a case for `by`, recording the view.
pub fn open(
    ctx: &AppContext,
    by: &User,
    reference: &Reference,
    id: i64,
) -> Result<Option<Opened>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    let Some(case) = cases::find_by_reference(&mut conn, reference)? else {
        return Ok(None);
    };
    let Some(sealed) = documents::sealed(&mut conn, case.id, id)? else {
        return Ok(None);
    };
    let bytes = ctx
        .sealer
        .open(
            &sealed.nonce,
            &sealed.ciphertext,
            &document_aad(case.id.0, &sealed.kind),
        )
        .map_err(|e| ServiceError::Document(e.to_string()))?;
    db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        events::append(
            conn,
            &ctx.audit_key,
            case.id,
            events::NewEvent {
                kind: CaseEvent::DocumentViewed,
                effective_on: None,
                actor: Actor::Staff(by.id),
                detail: json!({ "document": id, "kind": sealed.kind }),
            },
            now,
        )?;
        Ok(())
    })?;
    Ok(Some(Opened {
        content_type: sealed.content_type,
        bytes,
    }))
}
