//! Sync over the phone's own HTTP stack (OkHttp or `HttpURLConnection` on Android, URLSession
//! on iOS), so the phone's library carries no TLS of its own (D61).
//!
//! The platform sends what it is given and reports what came back; everything else is decided
//! here, once for both apps: which addresses are allowed, the headers, the timeouts, that a
//! redirect is never followed, how large an answer may be, and how a failure is worded.

use std::sync::Arc;
use std::time::Duration;

use super::{check_server_address, Reply, Transport};
use crate::error::Result;

/// How long to wait for a connection, and for a whole exchange.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(120);
/// Largest answer read (a pull page is bounded well below it).
pub const MAX_REPLY_BYTES: u64 = 16 * 1024 * 1024;

/// One request for the platform to send. It must not follow redirects, must not cache, and
/// must not send cookies or credentials of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET` or `POST`.
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// Why no answer arrived, as the platform can tell it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpFailure {
    Timeout,
    HostNotFound,
    ConnectionFailed,
    /// The server's certificate was not trusted.
    Certificate,
    /// Anything else, in a few words of the platform's (never a header or a body).
    Other(String),
}

impl HttpFailure {
    /// The sentence sync reports (kept in `last_error`; shown to the worker).
    pub fn describe(&self) -> String {
        match self {
            HttpFailure::Timeout => "the server did not answer in time".into(),
            HttpFailure::HostNotFound => "the server's name could not be found".into(),
            HttpFailure::ConnectionFailed => "could not connect to the server".into(),
            HttpFailure::Certificate => "the server's certificate was not accepted".into(),
            HttpFailure::Other(kind) => {
                // The platform's words, cut short and kept to one plain line.
                let kind: String = kind.chars().filter(|c| !c.is_control()).take(80).collect();
                format!("network error ({})", if kind.is_empty() { "unknown" } else { &kind })
            }
        }
    }
}

/// The platform's HTTP stack.
pub trait HttpSend: Send + Sync {
    fn send(&self, request: HttpRequest) -> std::result::Result<Reply, HttpFailure>;
}

/// A [`Transport`] over the platform's HTTP stack.
pub struct PlatformTransport {
    base: String,
    http: Arc<dyn HttpSend>,
}

impl PlatformTransport {
    /// A transport to `server` (`https://…`, or `http://` to this machine only).
    pub fn new(server: &str, http: Arc<dyn HttpSend>) -> Result<PlatformTransport> {
        check_server_address(server)?;
        Ok(PlatformTransport { base: server.trim_end_matches('/').to_string(), http })
    }
}

/// The user agent both transports send.
pub(crate) const USER_AGENT: &str = concat!("satchel/", env!("CARGO_PKG_VERSION"));

impl Transport for PlatformTransport {
    fn call(&self, path: &str, credential: Option<&str>, body: Option<&[u8]>) -> std::result::Result<Reply, String> {
        let mut headers = vec![("user-agent".to_string(), USER_AGENT.to_string())];
        if body.is_some() {
            headers.push(("content-type".into(), "application/cbor".into()));
        }
        if let Some(c) = credential {
            headers.push(("authorization".into(), format!("Bearer {c}")));
        }
        let request = HttpRequest {
            method: if body.is_some() { "POST" } else { "GET" },
            url: format!("{}{path}", self.base),
            headers,
            body: body.map(<[u8]>::to_vec),
        };
        let reply = self.http.send(request).map_err(|f| f.describe())?;
        // The API never redirects; a platform that followed one may have sent the credential
        // elsewhere, and one that did not hands the 3xx here. Either way it is no answer.
        if (300..400).contains(&reply.status) {
            return Err("the server answered with a redirect, which is not followed".into());
        }
        if reply.body.len() as u64 > MAX_REPLY_BYTES {
            return Err("the server's answer is too large".into());
        }
        Ok(reply)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    struct Recorder {
        sent: Mutex<Vec<HttpRequest>>,
        answer: std::result::Result<Reply, HttpFailure>,
    }

    impl HttpSend for Recorder {
        fn send(&self, request: HttpRequest) -> std::result::Result<Reply, HttpFailure> {
            self.sent.lock().unwrap().push(request);
            self.answer.clone()
        }
    }

    fn transport(answer: std::result::Result<Reply, HttpFailure>) -> (PlatformTransport, Arc<Recorder>) {
        let http = Arc::new(Recorder { sent: Mutex::new(Vec::new()), answer });
        (PlatformTransport::new("https://hub.example.org/", http.clone()).unwrap(), http)
    }

    #[test]
    fn requests_carry_the_cores_headers() {
        let (t, http) = transport(Ok(Reply { status: 200, body: b"ok".to_vec() }));
        assert_eq!(t.call("/v1/push", Some("secret"), Some(b"cbor")).unwrap().body, b"ok");
        assert!(t.call("/v1/devices", None, None).is_ok());
        let sent = http.sent.lock().unwrap();
        assert_eq!(sent[0].method, "POST");
        assert_eq!(sent[0].url, "https://hub.example.org/v1/push");
        assert!(sent[0].headers.contains(&("authorization".into(), "Bearer secret".into())));
        assert!(sent[0].headers.contains(&("content-type".into(), "application/cbor".into())));
        assert_eq!(sent[0].body.as_deref(), Some(&b"cbor"[..]));
        assert_eq!(sent[1].method, "GET");
        assert!(sent[1].body.is_none());
        assert!(!sent[1].headers.iter().any(|(k, _)| k == "authorization" || k == "content-type"));
    }

    #[test]
    fn addresses_redirects_and_failures() {
        let http: Arc<dyn HttpSend> = Arc::new(Recorder { sent: Mutex::new(Vec::new()), answer: Err(HttpFailure::Timeout) });
        assert!(PlatformTransport::new("http://hub.example.org", http.clone()).is_err(), "plain http off this machine");
        assert!(PlatformTransport::new("http://127.0.0.1:8080", http).is_ok());
        let (t, _) = transport(Ok(Reply { status: 302, body: Vec::new() }));
        assert!(t.call("/v1/pull", Some("c"), Some(b"x")).unwrap_err().contains("redirect"));
        let (t, _) = transport(Err(HttpFailure::HostNotFound));
        assert_eq!(t.call("/v1/pull", None, None).unwrap_err(), "the server's name could not be found");
        let odd = HttpFailure::Other("SSL\nhandshake".repeat(20)).describe();
        assert!(!odd.contains('\n') && odd.len() < 100, "{odd}");
        assert_eq!(HttpFailure::Other(String::new()).describe(), "network error (unknown)");
    }
}
