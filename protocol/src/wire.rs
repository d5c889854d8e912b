//! The messages of the sync API. Bodies travel as CBOR (`application/cbor`); errors as JSON.
//! Every request names the protocol version; a server refuses one it does not speak.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::limits::{MAX_SEGMENTS_PER_PAGE, MAX_SEGMENTS_PER_PUSH};
use crate::segment::serde_bytes_vec;
use crate::{ProtocolError, SealedSegment, Stream, PROTOCOL_VERSION};

/// Refuses a message from another protocol version.
pub fn check_version(v: u32) -> Result<(), ProtocolError> {
    if v != PROTOCOL_VERSION {
        return Err(ProtocolError::Version { found: v, supported: PROTOCOL_VERSION });
    }
    Ok(())
}

/// What a device is for, and so what it may do. The one definition: the core, the hub and the
/// apps (through the bindings) all use this type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An outreach worker's phone: logs encounters and stock, receives settings. Pushes its own
    /// streams; pulls `inventory` and `settings` of its program.
    Outreach,
    /// A program manager's device: writes settings, receives everything.
    Manager,
}

impl Role {
    /// The name stored in databases and shown to people (`outreach`, `manager`), as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Outreach => "outreach",
            Role::Manager => "manager",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Outreach, Role::Manager].into_iter().find(|r| r.as_str() == s)
    }
}

/// A device pushes sealed segments of its own streams.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    pub v: u32,
    pub segments: Vec<SealedSegment>,
}

impl PushRequest {
    pub fn check(&self) -> Result<(), ProtocolError> {
        check_version(self.v)?;
        if self.segments.len() > MAX_SEGMENTS_PER_PUSH {
            return Err(ProtocolError::TooLarge(format!("at most {MAX_SEGMENTS_PER_PUSH} segments per push")));
        }
        for s in &self.segments {
            s.header.check()?;
            if s.ciphertext.len() > crate::limits::MAX_SEALED_BYTES {
                return Err(ProtocolError::TooLarge(format!("a sealed segment is at most {} bytes", crate::limits::MAX_SEALED_BYTES)));
            }
            // An authentication tag at least; the server cannot check more.
            if s.ciphertext.len() < 16 {
                return Err(ProtocolError::Invalid("a sealed segment is too short to be one".into()));
            }
        }
        Ok(())
    }
}

/// The highest contiguous sequence number the server holds for one of the device's streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamAck {
    pub stream: Stream,
    pub acked_seq: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub acks: Vec<StreamAck>,
}

/// A device asks for what came after its cursor, in the streams its role may read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    pub v: u32,
    pub cursor: u64,
    pub limit: u32,
    /// The streams wanted; empty means every stream the device's role may read. Asking for a
    /// stream the role may not read is refused (403), not silently filtered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub streams: Vec<Stream>,
}

impl PullRequest {
    pub fn check(&self) -> Result<(), ProtocolError> {
        check_version(self.v)?;
        if self.limit == 0 || self.limit as usize > MAX_SEGMENTS_PER_PAGE {
            return Err(ProtocolError::Invalid(format!("limit must be 1 to {MAX_SEGMENTS_PER_PAGE}")));
        }
        Ok(())
    }
}

/// A segment with its place in the server's global, commit-ordered sequence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PulledSegment {
    pub cursor: u64,
    pub segment: SealedSegment,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    pub segments: Vec<PulledSegment>,
    /// Where the next pull starts; apply it in the same transaction as the page.
    pub next_cursor: u64,
    pub more: bool,
    /// The pulling device's own streams as the hub holds them (every stream, 0 where it holds
    /// nothing): a device that sent more than this learns the hub lost it (a restore from a
    /// backup) and sends it again. Absent from older hubs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acks: Vec<StreamAck>,
    /// The team key's state for the pulling device. Absent from older hubs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<KeyState>,
}

/// The team key's state as the hub keeps it, told to a device with each pull page so that it
/// fetches what changed without asking every sync (D71). Absent from older hubs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyState {
    /// The program's current team-key epoch.
    pub epoch: u32,
    /// Whether the hub holds this device's public key (to which new team keys are sealed).
    pub registered: bool,
    /// Managers only: a revocation waits for a new team key, or a device waits for its envelope.
    pub manager_owed: bool,
}

/// A device gives the hub its public key once (`POST /v1/keys/device`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceKey {
    pub v: u32,
    pub public: [u8; 32],
}

/// One team key sealed to one device (crate::team).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEnvelope {
    pub device: Uuid,
    pub epoch: u32,
    #[serde(with = "serde_bytes_vec")]
    pub sealed: Vec<u8>,
}

/// A device of the program as key upkeep needs it (managers only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyHolder {
    pub device: Uuid,
    /// `None`: the device has not given its key yet (an app from before D71).
    pub public: Option<[u8; 32]>,
    /// The epochs the hub holds an envelope for, for this device.
    pub epochs: Vec<u32>,
}

/// `GET /v1/keys`: the state, the caller's envelopes, and for a manager every active device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamKeys {
    pub state: KeyState,
    pub envelopes: Vec<KeyEnvelope>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holders: Vec<KeyHolder>,
    /// Managers only: a revocation waits for a new team key.
    #[serde(default)]
    pub rotation_owed: bool,
}

/// `POST /v1/keys` (managers): envelopes of `epoch`. `rotate` makes `epoch` the program's new
/// one (it must be the next) and settles the revocations that asked for it; without it, the
/// envelopes give an existing epoch to devices that lack it. Envelopes to revoked devices are
/// dropped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverKeys {
    pub v: u32,
    pub epoch: u32,
    pub rotate: bool,
    pub envelopes: Vec<KeyEnvelope>,
}

/// At most this many envelopes in one delivery.
pub const MAX_ENVELOPES: usize = 1_000;

impl DeliverKeys {
    pub fn check(&self) -> Result<(), ProtocolError> {
        check_version(self.v)?;
        if self.epoch < 2 {
            return Err(ProtocolError::Invalid("team-key epochs delivered start at 2".into()));
        }
        if self.envelopes.len() > MAX_ENVELOPES {
            return Err(ProtocolError::TooLarge(format!("at most {MAX_ENVELOPES} envelopes per delivery")));
        }
        if self.envelopes.iter().any(|e| e.epoch != self.epoch || e.sealed.len() != 80) {
            return Err(ProtocolError::Invalid("an envelope of another epoch, or malformed".into()));
        }
        Ok(())
    }
}

/// Program keys sealed under an enrollment's one-time secret (the server cannot open them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedKeys {
    #[serde(with = "serde_bytes_vec")]
    pub nonce: Vec<u8>,
    #[serde(with = "serde_bytes_vec")]
    pub ciphertext: Vec<u8>,
}

/// A manager asks for a one-time enrollment token and deposits the sealed keys with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateEnrollment {
    pub v: u32,
    pub label: String,
    pub role: Role,
    pub sealed_keys: SealedKeys,
}

impl CreateEnrollment {
    pub fn check(&self) -> Result<(), ProtocolError> {
        check_version(self.v)?;
        crate::label::check_label(&self.label)?;
        if self.sealed_keys.nonce.len() != 24 || self.sealed_keys.ciphertext.is_empty() || self.sealed_keys.ciphertext.len() > 16 * 1024 {
            return Err(ProtocolError::Invalid("sealed keys are malformed".into()));
        }
        Ok(())
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentCreated {
    pub token: String,
    /// Unix seconds; the token and the sealed keys are gone after it.
    pub expires_at: i64,
}

/// A device redeems its token once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redeem {
    pub v: u32,
    pub token: String,
    /// The device's public key (crate::team), kept by the hub with the new device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<[u8; 32]>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redeemed {
    pub program: Uuid,
    pub device: Uuid,
    pub role: Role,
    /// The device's own credential; the server keeps only its hash.
    pub credential: String,
    pub sealed_keys: SealedKeys,
}

// Tokens and credentials are secrets: their `Debug` shows only that they are there.
impl std::fmt::Debug for EnrollmentCreated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollmentCreated").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Redeem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redeem").field("v", &self.v).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Redeemed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redeemed")
            .field("program", &self.program)
            .field("device", &self.device)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// A manager replaces a device's label on the hub (`POST /v1/devices/{id}/label`): to seal one
/// that an older store left in clear (D73).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relabel {
    pub v: u32,
    pub label: String,
}

impl Relabel {
    pub fn check(&self) -> Result<(), ProtocolError> {
        check_version(self.v)?;
        crate::label::check_label(&self.label)
    }
}

/// A device as the manager's list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub device: Uuid,
    pub label: String,
    pub role: Role,
    pub last_seen: Option<i64>,
    pub revoked: bool,
    pub acked: Vec<StreamAck>,
}

/// An enrollment code issued and not yet used or expired, as the manager's list shows it. The
/// id names the code without being it (the start of the hash the hub keeps of its token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentInfo {
    pub id: String,
    /// Sealed to the managers (D73), or the hub's own "Manager" for its first code.
    pub label: String,
    pub role: Role,
    pub expires_at: i64,
    /// The manager device that issued it (`None`: the hub's first code).
    pub created_by: Option<Uuid>,
}

/// Why the server refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    /// A segment did not start where the stream left off; `expected_seq` says where.
    Gap,
    TooLarge,
    UnsupportedVersion,
    RateLimited,
    Internal,
    /// The endpoint does not take that method (405).
    MethodNotAllowed,
    /// A body that is not `application/cbor` (415).
    UnsupportedMediaType,
    /// A request address or head over the hub's limits (414, 431).
    HeadTooLarge,
    /// A request that came too slowly and was cut off (408).
    Timeout,
    /// Stock or settings sealed under a team key the program has replaced, by a device whose
    /// new key is waiting for it (409): fetch it (`GET /v1/keys`) and seal again.
    StaleKey,
}

/// The JSON body of every error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<Stream>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
}

/// CBOR encoding of a message.
pub fn to_cbor<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("messages encode");
    out
}

/// CBOR decoding of a message; malformed input is an error, never a panic.
pub fn from_cbor<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ProtocolError> {
    ciborium::from_reader(bytes).map_err(|e| ProtocolError::Invalid(format!("malformed message: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SegmentHeader;
    use proptest::prelude::*;

    fn segment() -> SealedSegment {
        let header = SegmentHeader {
            program: Uuid::from_u128(1),
            device: Uuid::from_u128(2),
            stream: Stream::Inventory,
            first_seq: 1,
            last_seq: 2,
            key_epoch: 1,
        };
        crate::seal(&[1; 32], header, &[b"a".to_vec(), b"b".to_vec()]).unwrap()
    }

    #[test]
    fn messages_round_trip_through_cbor() {
        let push = PushRequest { v: PROTOCOL_VERSION, segments: vec![segment()] };
        assert_eq!(from_cbor::<PushRequest>(&to_cbor(&push)).unwrap(), push);
        push.check().unwrap();
        let pull = PullResponse {
            segments: vec![PulledSegment { cursor: 9, segment: segment() }],
            next_cursor: 10,
            more: false,
            acks: vec![StreamAck { stream: Stream::Encounters, acked_seq: 4 }],
            keys: Some(KeyState { epoch: 2, registered: true, manager_owed: false }),
        };
        assert_eq!(from_cbor::<PullResponse>(&to_cbor(&pull)).unwrap(), pull);
        let err = ErrorBody { error: ErrorCode::Gap, message: "expected 5".into(), stream: Some(Stream::Inventory), expected_seq: Some(5) };
        let json = serde_json::to_string(&err).unwrap();
        assert!(json.contains("\"error\":\"gap\"") && json.contains("\"expected_seq\":5"));
    }

    #[test]
    fn versions_and_limits_are_checked() {
        assert!(matches!(PushRequest { v: 2, segments: vec![] }.check(), Err(ProtocolError::Version { found: 2, .. })));
        let many = PushRequest { v: PROTOCOL_VERSION, segments: vec![segment(); MAX_SEGMENTS_PER_PUSH + 1] };
        assert!(matches!(many.check(), Err(ProtocolError::TooLarge(_))));
        assert!(PullRequest { v: PROTOCOL_VERSION, cursor: 0, limit: 0, streams: vec![] }.check().is_err());
        let keys = SealedKeys { nonce: vec![0; 24], ciphertext: vec![1, 2] };
        let bad = CreateEnrollment { v: PROTOCOL_VERSION, label: "Van\n2".into(), role: Role::Outreach, sealed_keys: keys };
        assert!(bad.check().is_err());
    }

    #[test]
    fn segments_of_any_allowed_size_decode() {
        let mut s = segment();
        for size in [16, 4095, 4097, 100_000, crate::limits::MAX_SEALED_BYTES] {
            s.ciphertext = vec![5; size];
            let push = PushRequest { v: PROTOCOL_VERSION, segments: vec![s.clone()] };
            assert_eq!(from_cbor::<PushRequest>(&to_cbor(&push)).unwrap(), push, "{size} bytes");
        }
        s.ciphertext.push(0);
        let too_big = from_cbor::<PushRequest>(&to_cbor(&PushRequest { v: PROTOCOL_VERSION, segments: vec![s] })).unwrap();
        assert!(matches!(too_big.check(), Err(ProtocolError::TooLarge(_))));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = from_cbor::<PushRequest>(&bytes);
            let _ = from_cbor::<PullRequest>(&bytes);
            let _ = from_cbor::<Redeem>(&bytes);
        }
    }
}

