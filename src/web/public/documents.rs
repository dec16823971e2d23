//! `POST /status/{token}/documents?csrf_token=…`: the requester's identity
//! documents, as multipart form data. The link and the CSRF token (in the
//! URL, so they can be checked first) are checked before any of the body is
//! read; the body is then streamed with a cap per file, on the number of
//! files and on the whole request, and a time limit: the first limit passed
//! ends the reading with a 413 (or a 408), so no request can hold more than
//! the caps in memory. Nothing is stored unless every file passes.

use std::time::Duration;

use actix_multipart::Multipart;
use actix_web::http::header::{ContentLength, Header};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::app::AppContext;
use crate::service::documents::{self, DocKind, Upload, UploadError, UploadOutcome};
use crate::web::multipart::{self, Caps, TooMuch};
use crate::web::public::status::{access_problem_page, show};
use crate::web::{csrf, pages, WebError};

/// A form field that is not a file holds at most this much.
const MAX_FIELD: usize = 4096;

/// Reads the files, stopping at the first limit passed.
async fn read_files(form: Multipart, caps: Caps) -> Result<Vec<Upload>, UploadError> {
    let parts = multipart::read(form, caps, |field| DocKind::parse(field).is_some())
        .await
        .map_err(|e| match e {
            TooMuch::File { field, mb } => {
                UploadError::TooLarge(DocKind::parse(&field).map_or("file", DocKind::label), mb)
            }
            TooMuch::Files(n) => UploadError::TooManyAtOnce(n),
            TooMuch::Request(mb) => UploadError::RequestTooLarge(mb),
            TooMuch::Broken => UploadError::NoFiles,
        })?;
    Ok(parts
        .files
        .into_iter()
        .filter_map(|f| {
            DocKind::parse(&f.field).map(|kind| Upload {
                kind,
                bytes: f.bytes,
            })
        })
        .collect())
}

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    #[serde(default)]
    csrf_token: String,
}

fn refusal_status(e: &UploadError) -> StatusCode {
    match e {
        UploadError::NotWaiting => StatusCode::CONFLICT,
        UploadError::TooLarge(..)
        | UploadError::RequestTooLarge(_)
        | UploadError::TooManyAtOnce(_) => StatusCode::PAYLOAD_TOO_LARGE,
        UploadError::TooSlow => StatusCode::REQUEST_TIMEOUT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

pub async fn post(
    req: HttpRequest,
    token: web::Path<String>,
    query: web::Query<UploadQuery>,
    form: Multipart,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    // Nothing of the body is read before the token and the link pass.
    csrf::verify(&req, &query.csrf_token)?;
    let token = token.into_inner();
    let t = token.clone();
    match pages::blocking(&ctx, move |ctx| documents::may_upload(ctx, &t)).await? {
        Ok(()) => {}
        Err(UploadOutcome::Access(access)) => return access_problem_page(&req, &ctx, access),
        Err(UploadOutcome::Refused(e)) => {
            let status = refusal_status(&e);
            return show(&req, &ctx, token, Some(e.to_string()), "", status).await;
        }
        Err(UploadOutcome::Stored(_)) => {}
    }
    let uploads = &ctx.settings.uploads;
    let limits = Caps {
        file: uploads.max_file_bytes,
        files: uploads.max_files,
        request: uploads.max_request_bytes,
        field: MAX_FIELD,
    };
    if let Ok(ContentLength(length)) = ContentLength::parse(&req) {
        if length > limits.request {
            let e = UploadError::RequestTooLarge(limits.request / 1_048_576);
            return show(
                &req,
                &ctx,
                token,
                Some(e.to_string()),
                "",
                refusal_status(&e),
            )
            .await;
        }
    }
    let timeout = Duration::from_secs(uploads.read_timeout_secs);
    let read = match actix_web::rt::time::timeout(timeout, read_files(form, limits)).await {
        Ok(read) => read,
        Err(_) => Err(UploadError::TooSlow),
    };
    let files = match read {
        Ok(files) => files,
        Err(e) => {
            log::warn!("document upload refused while reading: {e}");
            let status = refusal_status(&e);
            return show(&req, &ctx, token, Some(e.to_string()), "", status).await;
        }
    };
    let t = token.clone();
    let outcome = pages::blocking(&ctx, move |ctx| documents::upload(ctx, &t, files)).await?;
    match outcome {
        UploadOutcome::Stored(_) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", format!("/status/{token}")))
            .finish()),
        UploadOutcome::Refused(e) => {
            let status = refusal_status(&e);
            show(&req, &ctx, token, Some(e.to_string()), "", status).await
        }
        UploadOutcome::Access(access) => access_problem_page(&req, &ctx, access),
    }
}
