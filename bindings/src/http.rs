//! The platform's HTTP stack, which the app hands to the library once at start-up
//! ([`set_http_client`]): sync, enrollment and device administration go through it, so the
//! library carries no TLS of its own (D61). What is sent, the timeouts, redirects, answer size
//! and error wording are the core's (`satchel_core::client::platform`); the app only sends.

use std::sync::{Arc, RwLock};

use satchel_core::client::platform::{self, HttpSend};
use satchel_core::Reply;

/// One header of a request.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct HttpHeader {
    pub name: String,
    pub value: String,
}

/// One request to send exactly as given. Do not follow redirects (hand a 3xx back as it is),
/// do not cache, add no cookies or credentials of the platform's own.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct HttpRequest {
    /// `GET` or `POST`.
    pub method: String,
    pub url: String,
    pub headers: Vec<HttpHeader>,
    /// The body of a `POST`.
    pub body: Option<Vec<u8>>,
    /// Give up connecting after this long.
    pub connect_timeout_ms: u32,
    /// Give up on the whole exchange after this long.
    pub timeout_ms: u32,
    /// Read at most this many bytes of an answer, plus one: the library refuses a longer one.
    pub max_reply_bytes: u64,
}

/// What came back: any HTTP status, with its body.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why no answer arrived. `Other` carries a few words (an exception's class name, say), never
/// a header, a URL's query or a body.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum HttpFailure {
    #[error("timed out")]
    Timeout,
    #[error("host not found")]
    HostNotFound,
    #[error("connection failed")]
    ConnectionFailed,
    #[error("certificate not trusted")]
    Certificate,
    #[error("{kind}")]
    Other { kind: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for HttpFailure {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        // The app's client threw something it should not have; say no more than that.
        HttpFailure::Other { kind: "the app's HTTP client failed".into() }
    }
}

/// The platform's HTTP stack, implemented by the app (Kotlin, Swift).
#[uniffi::export(with_foreign)]
pub trait HttpClient: Send + Sync {
    /// Sends `request` and returns the answer, whatever its status. Called from the thread that
    /// called sync (a background thread), and may block it.
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpFailure>;
}

static CLIENT: RwLock<Option<Arc<dyn HttpClient>>> = RwLock::new(None);

/// Sets the HTTP stack sync uses, once at app start (a later call replaces it).
#[uniffi::export]
pub fn set_http_client(client: Arc<dyn HttpClient>) {
    *CLIENT.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(client);
}

/// The client set at start-up, as the core's [`HttpSend`].
pub(crate) fn current() -> Option<Arc<dyn HttpSend>> {
    let client = CLIENT.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()?;
    Some(Arc::new(Foreign(client)))
}

struct Foreign(Arc<dyn HttpClient>);

impl HttpSend for Foreign {
    fn send(&self, request: platform::HttpRequest) -> Result<Reply, platform::HttpFailure> {
        let request = HttpRequest {
            method: request.method.to_string(),
            url: request.url,
            headers: request.headers.into_iter().map(|(name, value)| HttpHeader { name, value }).collect(),
            body: request.body,
            connect_timeout_ms: millis(platform::CONNECT_TIMEOUT),
            timeout_ms: millis(platform::TOTAL_TIMEOUT),
            max_reply_bytes: platform::MAX_REPLY_BYTES,
        };
        match self.0.send(request) {
            Ok(r) => Ok(Reply { status: r.status, body: r.body }),
            Err(HttpFailure::Timeout) => Err(platform::HttpFailure::Timeout),
            Err(HttpFailure::HostNotFound) => Err(platform::HttpFailure::HostNotFound),
            Err(HttpFailure::ConnectionFailed) => Err(platform::HttpFailure::ConnectionFailed),
            Err(HttpFailure::Certificate) => Err(platform::HttpFailure::Certificate),
            Err(HttpFailure::Other { kind }) => Err(platform::HttpFailure::Other(kind)),
        }
    }
}

fn millis(d: std::time::Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}
