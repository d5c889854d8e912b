//! Enrollment by QR code. The manager's side makes a one-time secret, seals the program keys
//! under it and deposits them on the server with a one-time token. The QR code holds the server
//! address, the token and the secret — never the keys. The device redeems the token once, gets
//! the sealed keys back and opens them with the secret. The server, which never sees the
//! secret, cannot open them, and deletes them on redemption or expiry.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::wire::SealedKeys;
use crate::ProtocolError;

const AAD: &[u8] = b"satchel/enrollment/v1";
const SCHEME: &str = "satchel://enroll";

/// The program's keys as an enrollment carries them to a new device (sealed under its one-time
/// secret). Wiped on drop; never `Debug`-printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct EnrollmentKeys {
    #[zeroize(skip)]
    pub program: Uuid,
    pub participant_key: [u8; 32],
    pub data_key: [u8; 32],
    pub epoch: u32,
    /// The program's reporting public key, so that a new device seals its encounters to the
    /// managers from its first one (deposits made before it existed have none).
    #[serde(default)]
    pub reporting_public: Option<[u8; 32]>,
    /// The reporting private key: in a manager's enrollment only.
    #[serde(default)]
    pub reporting_private: Option<[u8; 32]>,
    /// The team keys of the epochs before `epoch` (D71), so that a new device reads the stock
    /// and settings written before the latest revocation.
    #[serde(default)]
    pub older_data_keys: Vec<OlderKey>,
    /// The program's participant-reference version, so that a new phone computes references as
    /// the program does from its first encounter (0 in deposits from before: version 1).
    #[serde(default)]
    pub participant_references: u32,
}

/// A team key of an earlier epoch.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct OlderKey {
    pub epoch: u32,
    pub key: [u8; 32],
}

impl std::fmt::Debug for EnrollmentKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollmentKeys").field("program", &self.program).field("epoch", &self.epoch).finish_non_exhaustive()
    }
}

/// Seals the program keys under a one-time secret.
pub fn seal_keys(secret: &[u8; 32], keys: &EnrollmentKeys) -> SealedKeys {
    let mut plain = zeroize::Zeroizing::new(Vec::new());
    ciborium::into_writer(keys, &mut *plain).expect("keys encode");
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).expect("operating system random source failed");
    let ciphertext = XChaCha20Poly1305::new(secret.into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: &plain, aad: AAD })
        .expect("plaintext within cipher limits");
    SealedKeys { nonce: nonce.to_vec(), ciphertext }
}

/// Opens sealed program keys with the one-time secret from the QR code.
pub fn open_keys(secret: &[u8; 32], sealed: &SealedKeys) -> Result<EnrollmentKeys, ProtocolError> {
    if sealed.nonce.len() != 24 {
        return Err(ProtocolError::Unreadable);
    }
    let plain = zeroize::Zeroizing::new(
        XChaCha20Poly1305::new(secret.into())
            .decrypt(XNonce::from_slice(&sealed.nonce), Payload { msg: &sealed.ciphertext, aad: AAD })
            .map_err(|_| ProtocolError::Unreadable)?,
    );
    ciborium::from_reader(plain.as_slice()).map_err(|_| ProtocolError::Invalid("sealed keys are malformed".into()))
}

/// Accepts `https://host[:port][/path]`, or plain `http://` only to 127.0.0.1, localhost or
/// [::1] (tests, demos), so that tokens and credentials never cross a network in clear. No user
/// information (`user@`) is allowed: `http://localhost@elsewhere/` names another host.
pub fn check_server_address(server: &str) -> Result<(), ProtocolError> {
    let bad = |m: &str| ProtocolError::Invalid(format!("server address: {m}"));
    let (https, rest) = match (server.strip_prefix("https://"), server.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        _ => return Err(bad("must start with https://")),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') || authority.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("malformed host"));
    }
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    let port = &authority[host.len()..];
    if host.is_empty() || !(port.is_empty() || port.strip_prefix(':').is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))) {
        return Err(bad("malformed host or port"));
    }
    if !https && !["127.0.0.1", "localhost", "[::1]"].contains(&host) {
        return Err(bad("plain http only to this machine; use https://"));
    }
    Ok(())
}

/// What the QR code holds: `satchel://enroll?server=…&token=…&secret=…`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct EnrollmentPayload {
    pub server: String,
    pub token: String,
    pub secret: [u8; 32],
}

impl std::fmt::Debug for EnrollmentPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollmentPayload").field("server", &self.server).finish_non_exhaustive()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// Percent-encodes everything but unreserved URI characters.
fn escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(s.get(i + 1..i + 3)?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl EnrollmentPayload {
    /// A new payload with a fresh one-time secret.
    pub fn new(server: &str, token: &str) -> Self {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).expect("operating system random source failed");
        EnrollmentPayload { server: server.into(), token: token.into(), secret }
    }

    /// The text the QR code encodes.
    pub fn to_uri(&self) -> String {
        format!("{SCHEME}?server={}&token={}&secret={}", escape(&self.server), escape(&self.token), hex(&self.secret))
    }

    /// Reads a scanned QR code. Anything else is refused with a reason that echoes nothing.
    pub fn parse(uri: &str) -> Result<Self, ProtocolError> {
        let bad = |m: &str| ProtocolError::Invalid(format!("not a Satchel enrollment code: {m}"));
        let query = uri.strip_prefix(SCHEME).and_then(|r| r.strip_prefix('?')).ok_or_else(|| bad("wrong scheme"))?;
        let (mut server, mut token, mut secret) = (None, None, None);
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').ok_or_else(|| bad("malformed"))?;
            match k {
                "server" => server = unescape(v),
                "token" => token = unescape(v),
                "secret" => secret = unhex(v).and_then(|b| <[u8; 32]>::try_from(b).ok()),
                _ => {}
            }
        }
        let server = server.ok_or_else(|| bad("no server"))?;
        check_server_address(&server).map_err(|_| bad("the server must be an https address (plain http only on this machine)"))?;
        Ok(EnrollmentPayload {
            server,
            token: token.filter(|t| !t.is_empty()).ok_or_else(|| bad("no token"))?,
            secret: secret.ok_or_else(|| bad("no secret"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> EnrollmentKeys {
        EnrollmentKeys {
            program: Uuid::from_u128(5),
            participant_key: [1; 32],
            data_key: [2; 32],
            epoch: 1,
            reporting_public: Some([3; 32]),
            reporting_private: None,
            older_data_keys: vec![],
            participant_references: 2,
        }
    }

    #[test]
    fn keys_open_only_with_the_secret() {
        let payload = EnrollmentPayload::new("https://hub.example.org", "tok");
        let sealed = seal_keys(&payload.secret, &keys());
        assert_eq!(open_keys(&payload.secret, &sealed).unwrap(), keys());
        assert_eq!(open_keys(&[9; 32], &sealed), Err(ProtocolError::Unreadable));
        let mut tampered = sealed.clone();
        tampered.ciphertext[0] ^= 1;
        assert_eq!(open_keys(&payload.secret, &tampered), Err(ProtocolError::Unreadable));
        assert!(!format!("{:?}", keys()).contains("[1, 1"));
    }

    #[test]
    fn the_qr_text_round_trips_and_holds_no_keys() {
        let payload = EnrollmentPayload::new("https://hub.example.org:8443/satchel", "a b&c");
        let uri = payload.to_uri();
        assert!(uri.starts_with("satchel://enroll?"));
        assert_eq!(EnrollmentPayload::parse(&uri).unwrap(), payload);
        assert!(!uri.contains(&hex(&keys().data_key)));
        let local = EnrollmentPayload::new("http://127.0.0.1:8080", "t");
        assert_eq!(EnrollmentPayload::parse(&local.to_uri()).unwrap(), local);
        let plain = EnrollmentPayload::new("http://hub.example.org", "t");
        assert!(EnrollmentPayload::parse(&plain.to_uri()).is_err(), "credentials never travel in clear");
        let sneaky = EnrollmentPayload::new("http://localhost.evil.example", "t");
        assert!(EnrollmentPayload::parse(&sneaky.to_uri()).is_err());
        for bad in ["http://localhost:1@evil.example/", "http://127.0.0.1@evil.example", "http://localhost:80x", "https://", "http://[::1", "https://a b"] {
            assert!(check_server_address(bad).is_err(), "{bad}");
        }
        for good in ["https://hub.example.org", "https://hub.example.org:8443/satchel", "http://127.0.0.1:9", "http://[::1]:80/x", "http://localhost"] {
            check_server_address(good).unwrap_or_else(|e| panic!("{good}: {e}"));
        }
        for bad in ["https://x", "satchel://enroll?server=ftp%3A%2F%2Fx&token=t&secret=00", "satchel://enroll?token=t", "satchel://enroll?server=https%3A%2F%2Fx&token=t&secret=zz"] {
            assert!(EnrollmentPayload::parse(bad).is_err(), "{bad}");
        }
    }
}
