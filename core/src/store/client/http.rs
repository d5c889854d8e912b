//! The HTTPS transport of the manager's tool and the tests (feature `https`): ureq with rustls, the Mozilla roots plus any a program's own server
//! needs, and errors that name the kind of failure, never a credential or a body.

use super::platform::{HttpFailure, CONNECT_TIMEOUT, MAX_REPLY_BYTES, TOTAL_TIMEOUT, USER_AGENT};
use super::{check_server_address, Reply, Transport};
use crate::error::Result;

/// HTTPS (or plain HTTP to this machine, for tests and demos) with rustls and the Mozilla root
/// certificates, plus any extra roots a program's own server needs.
pub struct HttpTransport {
    base: String,
    agent: ureq::Agent,
}

impl HttpTransport {
    /// A transport to `server` (`https://…`, or `http://` to this machine only). `extra_roots_pem`
    /// adds trusted certificate authorities, for a server with a private CA.
    pub fn new(server: &str, extra_roots_pem: Option<&[u8]>) -> Result<HttpTransport> {
        check_server_address(server)?;
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect could lead the credential elsewhere; the API never redirects.
            .max_redirects(0)
            .https_only(server.starts_with("https://"))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(TOTAL_TIMEOUT))
            .user_agent(USER_AGENT);
        if let Some(pem) = extra_roots_pem {
            use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
            let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(pem)
                .filter_map(|item| match item {
                    Ok(PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(crate::error::invalid("extra_roots_pem", "holds no PEM certificate"));
            }
            config = config.tls_config(TlsConfig::builder().root_certs(RootCerts::new_with_certs(&certs)).build());
        }
        Ok(HttpTransport { base: server.trim_end_matches('/').to_string(), agent: config.build().into() })
    }
}

impl Transport for HttpTransport {
    fn call(&self, path: &str, credential: Option<&str>, body: Option<&[u8]>) -> std::result::Result<Reply, String> {
        let url = format!("{}{path}", self.base);
        let auth = credential.map(|c| format!("Bearer {c}"));
        let result = match body {
            Some(b) => {
                let mut req = self.agent.post(&url).header("content-type", "application/cbor");
                if let Some(a) = &auth {
                    req = req.header("authorization", a);
                }
                req.send(b)
            }
            None => {
                let mut req = self.agent.get(&url);
                if let Some(a) = &auth {
                    req = req.header("authorization", a);
                }
                req.call()
            }
        };
        // Transport errors name the kind of failure, never a credential or a body.
        let mut resp = result.map_err(describe)?;
        let status = resp.status().as_u16();
        let body = resp.body_mut().with_config().limit(MAX_REPLY_BYTES).read_to_vec().map_err(describe)?;
        Ok(Reply { status, body })
    }
}

fn describe(e: ureq::Error) -> String {
    let failure = match e {
        ureq::Error::Timeout(_) => HttpFailure::Timeout,
        ureq::Error::HostNotFound => HttpFailure::HostNotFound,
        ureq::Error::ConnectionFailed => HttpFailure::ConnectionFailed,
        // rustls reports a refused certificate as invalid data inside an I/O error.
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::InvalidData && e.to_string().to_lowercase().contains("certificate") => {
            HttpFailure::Certificate
        }
        ureq::Error::Io(e) => return format!("connection error ({})", e.kind()),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => HttpFailure::Certificate,
        other => HttpFailure::Other(short_kind(&other)),
    };
    failure.describe()
}

fn short_kind(e: &ureq::Error) -> String {
    let s = format!("{e:?}");
    s.split(['(', ' ', '{']).next().unwrap_or("unknown").to_string()
}
