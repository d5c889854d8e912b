//! What every request passes before a handler sees it: a head within the hub's limits, a body
//! of the right type declared within the limit, and the body read whole at a pace a phone on 2G
//! keeps (so a client that stalls mid-body is cut off instead of holding the connection).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use satchel_protocol::limits::MAX_BODY_BYTES;
use satchel_protocol::wire::ErrorCode;

use super::{ApiError, ApiLimits};

/// The longest request address the hub reads (its own are under 80 bytes).
pub const MAX_URI_BYTES: usize = 2048;
/// The most header lines a request may carry, and their size in all.
pub const MAX_HEADERS: usize = 64;
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Refuses, before reading any body: an address or head over the limits (414, 431), a body
/// declared over the limit (413: a phone on a slow line learns at once, and the hub does not
/// read megabytes it would throw away), and a body that is not CBOR (415).
pub(crate) async fn check_head(req: Request, next: Next) -> Response {
    if req.uri().to_string().len() > MAX_URI_BYTES {
        return refuse(StatusCode::URI_TOO_LONG, format!("the request address is over {MAX_URI_BYTES} bytes"));
    }
    let headers = req.headers();
    let header_bytes: usize = headers.iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    if headers.len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        return refuse(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("the request has over {MAX_HEADERS} headers or {} KiB of them", MAX_HEADER_BYTES / 1024),
        );
    }
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "the request body is over the hub's limit of 4 MiB");
    }
    let has_body = declared.is_some_and(|n| n > 0) || headers.contains_key(header::TRANSFER_ENCODING);
    let cbor = headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"application/cbor"));
    if has_body && !cbor {
        return refuse(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send the body as application/cbor");
    }
    next.run(req).await
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    let code = ApiError::for_status(status).1.error;
    ApiError::new(status, code, message).into_response()
}

/// Reads the body whole, at no less than `body_min_rate` on average after `body_grace`; a body
/// that falls behind is answered 408 and its connection closed, one that runs over the limit
/// (sent without a declared length) 413, one cut off 400.
pub(crate) async fn read_body(State(limits): State<ApiLimits>, req: Request, next: Next) -> Response {
    let (parts, mut body) = req.into_parts();
    let start = tokio::time::Instant::now();
    let mut bytes = Vec::new();
    loop {
        let deadline = start + limits.body_deadline(bytes.len());
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => {
                tracing::info!(received = bytes.len(), "request body too slow; closing");
                return closing(ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    ErrorCode::Timeout,
                    "the request body came too slowly and was cut off; try again on a better connection",
                ));
            }
            Ok(None) => break,
            Ok(Some(Err(_))) => {
                return closing(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, "the request body was cut off; send it again"))
            }
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    if bytes.len() + data.len() > MAX_BODY_BYTES {
                        return closing(ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE));
                    }
                    bytes.extend_from_slice(&data);
                }
            }
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// An answer after which the connection closes: the rest of its body is not read.
fn closing(error: ApiError) -> Response {
    let mut response = error.into_response();
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
