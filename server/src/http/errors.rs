//! The one shape of every error answer: a JSON `ErrorBody` with a code and a message that says
//! what to do — for the hub's own refusals, and for the framework's (no such endpoint, wrong
//! method, a body that could not be read), which would otherwise be empty or plain text.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use satchel_protocol::wire::{ErrorBody, ErrorCode};
use satchel_protocol::ProtocolError;

use crate::hub::HubError;

/// An error answer.
pub struct ApiError(pub(crate) StatusCode, pub(crate) ErrorBody);

impl ApiError {
    pub(crate) fn new(status: StatusCode, error: ErrorCode, message: impl Into<String>) -> Self {
        ApiError(status, ErrorBody { error, message: message.into(), stream: None, expected_seq: None })
    }

    /// The answer for a status the hub gives without a reason of its own.
    pub(crate) fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => (ErrorCode::BadRequest, "the request could not be read; send it again"),
            401 => (ErrorCode::Unauthorized, "this device is not enrolled here; enroll it again"),
            403 => (ErrorCode::Forbidden, "this device may not do that"),
            404 => (ErrorCode::NotFound, "no such endpoint on this hub; check the hub's address"),
            405 => (ErrorCode::MethodNotAllowed, "this endpoint does not take that method"),
            408 => (ErrorCode::Timeout, "the request came too slowly and was cut off; try again"),
            413 => (ErrorCode::TooLarge, "the request body is over the hub's limit of 4 MiB"),
            414 | 431 => (ErrorCode::HeadTooLarge, "the request's address or headers are over the hub's limits"),
            415 => (ErrorCode::UnsupportedMediaType, "send the body as application/cbor"),
            429 => (ErrorCode::RateLimited, "too many requests; slow down"),
            _ if status.is_client_error() => (ErrorCode::BadRequest, "the hub refused the request"),
            _ => (ErrorCode::Internal, "the hub could not answer; try again later"),
        };
        ApiError::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.1).unwrap_or_default();
        (self.0, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
}

impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        let message = e.to_string();
        match e {
            HubError::Unauthorized => ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message),
            HubError::Forbidden(_) => ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message),
            HubError::TokenGone => ApiError::new(StatusCode::GONE, ErrorCode::NotFound, message),
            HubError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message),
            HubError::Gap { stream, expected } => ApiError(
                StatusCode::CONFLICT,
                ErrorBody { error: ErrorCode::Gap, message, stream: Some(stream), expected_seq: Some(expected) },
            ),
            HubError::Conflict(_) => ApiError::new(StatusCode::CONFLICT, ErrorCode::BadRequest, message),
            HubError::StaleKey => ApiError::new(StatusCode::CONFLICT, ErrorCode::StaleKey, message),
            HubError::BadRequest(_) => ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message),
            HubError::Database(_) | HubError::Damaged(_) | HubError::Backup(_) => {
                tracing::error!("{message}");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "the hub could not store or read that")
            }
        }
    }
}

impl From<ProtocolError> for ApiError {
    fn from(e: ProtocolError) -> Self {
        match e {
            ProtocolError::Version { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::UnsupportedVersion, e.to_string())
            }
            ProtocolError::TooLarge(_) => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge, e.to_string()),
            _ => ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, e.to_string()),
        }
    }
}

pub(crate) async fn no_such_endpoint() -> ApiError {
    ApiError::for_status(StatusCode::NOT_FOUND)
}

pub(crate) async fn wrong_method() -> ApiError {
    ApiError::for_status(StatusCode::METHOD_NOT_ALLOWED)
}

/// Gives an error answer that is not yet JSON (the framework's rejections: a body that could
/// not be read, a missing extension) the one shape, dropping its text, which may name internal
/// types. Answers that are already ours pass unchanged.
pub(crate) async fn one_shape(response: Response) -> Response {
    let status = response.status();
    let is_json = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let mut shaped = ApiError::for_status(status).into_response();
    // Keep what the framework said about the connection (such as `connection: close`).
    if let Some(v) = parts.headers.remove(header::CONNECTION) {
        shaped.headers_mut().insert(header::CONNECTION, v);
    }
    shaped
}
