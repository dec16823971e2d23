//! `POST /status/{token}/documents`: the requester's identity documents, as
//! multipart form data. Each file is read up to the size limit and no
//! further; nothing is stored unless every file passes.

use actix_multipart::Multipart;
use actix_web::http::header::{ContentLength, Header};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use crate::app::AppContext;
use crate::service::documents::{self, DocKind, Upload, UploadError, UploadOutcome};
use crate::web::public::status::show;
use crate::web::{csrf, pages, WebError};

/// Reads the form: the CSRF token and up to one file per kind. A file over
/// the limit stops being read at once.
async fn read_form(
    mut form: Multipart,
    max_file: usize,
) -> Result<(String, Vec<Upload>, Option<UploadError>), WebError> {
    let bad = |e: actix_multipart::MultipartError| {
        WebError::BadForm(format!("the upload was not readable ({e})"))
    };
    let mut csrf_token = String::new();
    let mut uploads = Vec::new();
    let mut problem = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(bad)?;
        let name = field.name().unwrap_or_default().to_owned();
        let has_file = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .is_some_and(|f| !f.is_empty());
        let mut bytes = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(bad)?;
            if bytes.len() + chunk.len() > max_file.max(4096) {
                too_large = true;
                continue; // drain without keeping
            }
            bytes.extend_from_slice(&chunk);
        }
        match (name.as_str(), DocKind::parse(&name)) {
            ("csrf_token", _) => csrf_token = String::from_utf8_lossy(&bytes).into_owned(),
            (_, Some(kind)) if has_file || !bytes.is_empty() => {
                if too_large || bytes.len() > max_file {
                    problem
                        .get_or_insert(UploadError::TooLarge(kind.label(), max_file / 1_048_576));
                } else {
                    uploads.push(Upload { kind, bytes });
                }
            }
            _ => {} // an empty file input, or a field we do not know
        }
    }
    Ok((csrf_token, uploads, problem))
}

pub async fn post(
    req: HttpRequest,
    token: web::Path<String>,
    form: Multipart,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, WebError> {
    let max_file = ctx.settings.uploads.max_file_bytes;
    let max_request = max_file * (ctx.settings.uploads.max_files as usize + 1) + 65_536;
    if let Ok(ContentLength(length)) = ContentLength::parse(&req) {
        if length > max_request {
            return Err(WebError::PayloadTooLarge(max_request));
        }
    }
    let (csrf_token, uploads, problem) = read_form(form, max_file).await?;
    csrf::verify(&req, &csrf_token)?;
    let token = token.into_inner();
    if let Some(problem) = problem {
        return show(
            &req,
            &ctx,
            token,
            Some(problem.to_string()),
            "",
            StatusCode::PAYLOAD_TOO_LARGE,
        )
        .await;
    }
    let t = token.clone();
    let outcome = pages::blocking(&ctx, move |ctx| documents::upload(ctx, &t, uploads)).await?;
    match outcome {
        UploadOutcome::Stored(_) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", format!("/status/{token}")))
            .finish()),
        UploadOutcome::Refused(e) => {
            let status = match e {
                UploadError::NotWaiting => StatusCode::CONFLICT,
                UploadError::TooLarge(..) => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            show(&req, &ctx, token, Some(e.to_string()), "", status).await
        }
        UploadOutcome::Access(_) => show(&req, &ctx, token, None, "", StatusCode::OK).await,
    }
}
