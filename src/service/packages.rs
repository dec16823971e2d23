//! The requester's data package: the files the systems' owners attached to
//! their answers, one folder per system (portability data in both JSON and
//! CSV), with the answer itself and a manifest listing every file with its
//! system and SHA-256. Made when the
//! case completes, kept encrypted with the data key, downloaded from the
//! status page (each download audited) until it expires, then deleted.

use std::io::Write;

use chrono::{Duration, NaiveDateTime};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::status::{case_for, PageAccess};
use super::ServiceError;
use crate::app::AppContext;
use crate::crypto::{AuditKey, Sealer};
use crate::db::cases::{Case, CaseId};
use crate::db::events::{self, NewEvent};
use crate::db::tasks::Task;
use crate::db::{self, packages, tasks, DbConn};
use crate::domain::answer::Section;
use crate::domain::audit::{Actor, CaseEvent};

/// A file as it arrived.
#[derive(Debug, Clone)]
pub struct IncomingFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

fn file_aad(case: CaseId, task: i64) -> String {
    format!("rightsdesk:task-file:case={}:task={task}", case.0)
}

fn package_aad(case: CaseId) -> String {
    format!("rightsdesk:package:case={}", case.0)
}

/// Stores files attached to a task's answer (already checked), sealed.
pub fn attach(
    sealer: &Sealer,
    conn: &mut DbConn,
    task: &Task,
    files: &[(String, Vec<u8>)],
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    for (name, bytes) in files {
        let sha = hex::encode(Sha256::digest(bytes));
        let (nonce, sealed) = sealer.seal(bytes, &file_aad(task.case_id, task.id));
        packages::add_file(
            conn,
            task.case_id,
            task.id,
            name,
            bytes.len(),
            &sha,
            &nonce,
            &sealed,
            now,
        )?;
    }
    Ok(())
}

/// A folder name from a system's name.
fn folder(system: &str) -> String {
    let clean: String = system
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        "system".into()
    } else {
        clean
    }
}

/// The same data in the other structured format (a CSV's JSON, a JSON's
/// CSV), if it converts.
fn portability_twin(path: &str, bytes: &[u8]) -> Option<(String, Vec<u8>)> {
    use crate::domain::portability::{csv_to_json, json_to_csv};
    let lower = path.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix(".csv").map(|_| &path[..path.len() - 4]) {
        return csv_to_json(bytes).ok().map(|j| (format!("{stem}.json"), j));
    }
    if let Some(stem) = lower.strip_suffix(".json").map(|_| &path[..path.len() - 5]) {
        return json_to_csv(bytes).ok().map(|c| (format!("{stem}.csv"), c));
    }
    None
}

/// The answer as a text file.
fn answer_text(case: &Case, sections: &[Section]) -> String {
    let mut out = format!("Answer to request {}\n", case.reference);
    for s in sections {
        out.push_str(&format!(
            "\n{}\n{}\n",
            s.heading,
            "-".repeat(s.heading.chars().count())
        ));
        for line in &s.lines {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Whether the case has files for a package (counted, not loaded: they
/// are the whole sealed files).
pub fn has_files(conn: &mut DbConn, case: CaseId) -> Result<bool, ServiceError> {
    Ok(packages::count_files(conn, case)? > 0)
}

/// Makes the package of a completing case, if its systems attached files:
/// the zip is sealed and stored, the attached files deleted, and the event
/// recorded. Returns whether a package was made.
pub fn build(
    ctx: &AppContext,
    conn: &mut DbConn,
    case: &Case,
    sections: &[Section],
    now: NaiveDateTime,
) -> Result<bool, ServiceError> {
    let files = packages::files_of_case(conn, case.id)?;
    if files.is_empty() {
        return Ok(false);
    }
    let all_tasks = tasks::for_case(conn, case.id)?;
    let zip_error =
        |e: zip::result::ZipError| ServiceError::Document(format!("making the package: {e}"));
    let io_error = |e: std::io::Error| ServiceError::Document(format!("making the package: {e}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut manifest = Vec::new();
    let mut used = std::collections::HashSet::new();
    for f in &files {
        let task = all_tasks.iter().find(|t| t.id == f.task_id);
        let system = task.map_or("system", |t| t.system_name.as_str());
        let plain = ctx
            .sealer
            .open(&f.nonce, &f.ciphertext, &file_aad(case.id, f.task_id))
            .map_err(|e| ServiceError::Document(e.to_string()))?;
        let mut path = format!("{}/{}", folder(system), f.name);
        if !used.insert(path.clone()) {
            path = format!("{}/{}-{}", folder(system), f.id, f.name);
            used.insert(path.clone());
        }
        let right = task.map(|t| t.right);
        let mut entries = vec![(path, plain)];
        // Portability data goes in both structured formats.
        if right == Some(crate::domain::Right::Portability) {
            if let Some(twin) = portability_twin(&entries[0].0, &entries[0].1) {
                if used.insert(twin.0.clone()) {
                    entries.push(twin);
                }
            }
        }
        for (path, bytes) in entries {
            zip.start_file(path.as_str(), options).map_err(zip_error)?;
            zip.write_all(&bytes).map_err(io_error)?;
            manifest.push(json!({
                "path": path,
                "system": system,
                "right": right.map(|r| r.key()),
                "bytes": bytes.len(),
                "sha256": hex::encode(Sha256::digest(&bytes)),
            }));
        }
    }
    let answer = answer_text(case, sections);
    zip.start_file("answer.txt", options).map_err(zip_error)?;
    zip.write_all(answer.as_bytes()).map_err(io_error)?;
    manifest.push(json!({
        "path": "answer.txt",
        "system": null,
        "right": null,
        "bytes": answer.len(),
        "sha256": hex::encode(Sha256::digest(answer.as_bytes())),
    }));
    let manifest = json!({
        "organisation": ctx.settings.organisation.name,
        "reference": case.reference.as_str(),
        "made_at": now.and_utc().to_rfc3339(),
        "files": manifest,
    });
    let manifest =
        serde_json::to_vec_pretty(&manifest).map_err(|e| ServiceError::Document(e.to_string()))?;
    zip.start_file("manifest.json", options)
        .map_err(zip_error)?;
    zip.write_all(&manifest).map_err(io_error)?;
    let bytes = zip.finish().map_err(zip_error)?.into_inner();
    let sha = hex::encode(Sha256::digest(&bytes));
    let (nonce, sealed) = ctx.sealer.seal(&bytes, &package_aad(case.id));
    let expires = now + Duration::days(ctx.settings.fulfilment.package_days.into());
    packages::put(
        conn,
        case.id,
        bytes.len(),
        &sha,
        &nonce,
        &sealed,
        now,
        expires,
    )?;
    packages::delete_files_of_case(conn, case.id)?;
    events::append(
        conn,
        &ctx.audit_key,
        case.id,
        NewEvent {
            kind: CaseEvent::PackageMade,
            effective_on: None,
            actor: Actor::System,
            detail: json!({ "files": files.len(), "bytes": bytes.len(), "sha256": sha, "expires": expires }),
        },
        now,
    )?;
    Ok(true)
}

/// What the requester's package link gives.
#[derive(Debug, Clone)]
pub enum Download {
    Ready {
        file_name: String,
        bytes: Vec<u8>,
    },
    /// Expired (and deleted, or about to be).
    Expired,
    /// The case has no package.
    NoPackage,
}

/// The package of the case a status link leads to; each download is an
/// audit event.
pub fn download(
    ctx: &AppContext,
    token: &str,
) -> Result<Result<Download, PageAccess>, ServiceError> {
    let mut conn = ctx.pool.get()?;
    let now = db::timestamp(ctx.clock.now());
    let case = match case_for(ctx, &mut conn, token)? {
        Ok(case) => case,
        Err(e) => return Ok(Err(e)),
    };
    let Some(package) = packages::of_case(&mut conn, case.id)? else {
        return Ok(Ok(Download::NoPackage));
    };
    if package.expires_at <= now {
        return Ok(Ok(Download::Expired));
    }
    let bytes = ctx
        .sealer
        .open(&package.nonce, &package.ciphertext, &package_aad(case.id))
        .map_err(|e| ServiceError::Document(e.to_string()))?;
    db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
        packages::count_download(conn, package.id)?;
        events::append(
            conn,
            &ctx.audit_key,
            case.id,
            NewEvent {
                kind: CaseEvent::PackageDownloaded,
                effective_on: None,
                actor: Actor::Requester,
                detail: json!({ "download": package.downloads + 1 }),
            },
            now,
        )?;
        Ok(())
    })?;
    Ok(Ok(Download::Ready {
        file_name: format!("{}-your-data.zip", case.reference),
        bytes,
    }))
}

/// Deletes packages whose link expired, each an audit event.
pub fn delete_expired(
    pool: &db::Pool,
    key: &AuditKey,
    now: NaiveDateTime,
) -> Result<usize, ServiceError> {
    let mut conn = pool.get()?;
    let mut deleted = 0;
    for case in packages::expired(&mut conn, now)? {
        db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
            if packages::delete_of_case(conn, case)? > 0 {
                events::append(
                    conn,
                    key,
                    case,
                    NewEvent {
                        kind: CaseEvent::PackageDeleted,
                        effective_on: None,
                        actor: Actor::System,
                        detail: json!({ "reason": "its link expired" }),
                    },
                    now,
                )?;
                deleted += 1;
            }
            Ok(())
        })?;
    }
    Ok(deleted)
}
