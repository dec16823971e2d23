//! Every request body except an upload is read here, before any handler:
//! capped at `server.max_body_bytes` and given `server.body_timeout_secs`
//! to arrive. A client trickling a body byte by byte would otherwise hold a
//! connection and a buffer for as long as it liked. Uploads (multipart) are
//! streamed by their handler, which checks the link first and has caps and
//! a timeout of its own (`uploads.*`).

use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{Error, HttpMessage, ResponseError};
use futures_util::StreamExt;

use super::api::ApiError;
use super::WebError;

/// The caps every non-upload body gets.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub max_bytes: usize,
    pub timeout: Duration,
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        })
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// Why a body was not read.
enum Refused {
    TooLarge,
    Broken(actix_web::error::PayloadError),
}

async fn read_all(payload: &mut Payload, max: usize) -> Result<Bytes, Refused> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(Refused::Broken)?;
        if body.len() + chunk.len() > max {
            return Err(Refused::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The middleware: reads the body within its limits and hands it on, or
/// answers 413 (too large), 408 (too slow) or 400 (broken off) itself.
pub async fn read_body(
    limits: BodyLimits,
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if is_multipart(req.headers()) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let refuse = |req: ServiceRequest, e: WebError| {
        // The API answers in problem details, the pages with a page.
        let response = if req.path().starts_with("/api/") {
            match e {
                WebError::PayloadTooLarge(n) => ApiError::TooLarge(n),
                WebError::TooSlow(secs) => ApiError::TooSlow(secs),
                other => ApiError::BadRequest(other.to_string()),
            }
            .error_response()
        } else if req.path().starts_with("/v1/") {
            // The Data Rights Protocol answers in its own error shape.
            super::drp::error(e.status_code().as_u16(), &e.to_string(), false)
        } else {
            e.error_response()
        };
        Ok(req.into_response(response).map_into_right_body())
    };
    if declared_length(req.headers()).is_some_and(|n| n > limits.max_bytes as u64) {
        return refuse(req, WebError::PayloadTooLarge(limits.max_bytes));
    }
    let mut payload = req.take_payload();
    let read =
        actix_web::rt::time::timeout(limits.timeout, read_all(&mut payload, limits.max_bytes));
    match read.await {
        Ok(Ok(body)) => {
            req.set_payload(Payload::from(body));
            Ok(next.call(req).await?.map_into_left_body())
        }
        Ok(Err(Refused::TooLarge)) => refuse(req, WebError::PayloadTooLarge(limits.max_bytes)),
        Ok(Err(Refused::Broken(e))) => refuse(
            req,
            WebError::BadForm(format!("the request was interrupted ({e})")),
        ),
        Err(_) => refuse(req, WebError::TooSlow(limits.timeout.as_secs())),
    }
}
