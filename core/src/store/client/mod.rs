//! The device's sync client: enrollment, "sync now" and the manager's device administration,
//! over a [`Transport`]. The phones' is [`PlatformTransport`], over their own HTTP stacks; the
//! manager's tool has [`HttpTransport`] (HTTPS with rustls, feature `https`); tests put a
//! fault-injecting transport in between.
//!
//! Network calls run outside the store's lock: a worker can keep logging while a sync runs.
//! Everything a sync changes on the device happens in the store's own transactions (acks,
//! pulled pages with their cursor), so a sync cut off at any point resumes where it stopped.

use satchel_protocol::enrollment::{open_keys, seal_keys, EnrollmentPayload};
use satchel_protocol::wire::{
    self, CreateEnrollment, DeviceInfo, EnrollmentCreated, ErrorBody, ErrorCode, PullRequest, PullResponse, PushRequest,
    PushResponse, Redeem, Redeemed, StreamAck,
};
use satchel_protocol::{limits, PROTOCOL_VERSION};
use uuid::Uuid;

#[cfg(feature = "https")]
mod http;
mod enrollments;
mod keys;
mod reseal;
pub mod platform;
mod refill;

pub use enrollments::Enrollment;
pub use refill::Refilled;

#[cfg(feature = "https")]
pub use http::HttpTransport;
pub use platform::PlatformTransport;

use crate::crypto;
use crate::error::{Error, Result};
use crate::settings::Role;
use crate::meta::{self, MetaExt};
use crate::store::{ProgramKeys, Store};
use crate::sync::SegmentLimits;

/// An answer from the server: its HTTP status and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

/// What sync needs from the network: one request, one answer. `Err` means no answer arrived
/// (no signal, timeout, connection cut); the request may or may not have reached the server.
pub trait Transport: Send + Sync {
    /// `body` `None` is a GET, `Some` a POST of CBOR.
    fn call(&self, path: &str, credential: Option<&str>, body: Option<&[u8]>) -> std::result::Result<Reply, String>;
}

/// Only `https://`, or plain `http://` to this machine (tests, demos): credentials never travel
/// in clear over a network.
pub fn check_server_address(server: &str) -> Result<()> {
    satchel_protocol::enrollment::check_server_address(server)
        .map_err(|_| crate::error::invalid("server", "must be an https:// address (plain http only on this machine)"))
}

/// Reads a scanned enrollment code (`satchel://enroll?…`); anything else is refused and echoed
/// nowhere.
pub fn parse_code(code: &str) -> Result<EnrollmentPayload> {
    EnrollmentPayload::parse(code).map_err(|e| crate::error::invalid("enrollment code", e.to_string()))
}

/// What one "sync now" did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Records the server acknowledged in this sync.
    pub pushed: u64,
    /// Records from other devices applied.
    pub pulled: u64,
    /// Requests made.
    pub requests: u32,
    /// Records sent again because the hub, restored from a backup, no longer held them.
    pub resent: u64,
}

/// A device on the manager's list.
pub type Device = DeviceInfo;

/// Turns a non-success answer into the core's error.
fn refused(reply: &Reply) -> Error {
    let body: Option<ErrorBody> = serde_json::from_slice(&reply.body).ok();
    let message = body.as_ref().map(|b| b.message.clone()).unwrap_or_else(|| "no reason given".into());
    match (reply.status, body.map(|b| b.error)) {
        (401, _) => Error::Refused {
            status: 401,
            reason: "the server does not know this device (revoked or never enrolled); ask your manager".into(),
        },
        (403, _) => Error::NotPermitted(format!("the server refused: {message}")),
        (410, _) => Error::Refused { status: 410, reason: "this enrollment code was already used or has expired".into() },
        (429, _) | (_, Some(ErrorCode::RateLimited)) => Error::Offline("the server is busy; trying again later".into()),
        (s, _) if s >= 500 => Error::Offline(format!("the server had a problem ({s}); trying again later")),
        (s, _) => Error::Refused { status: s, reason: message },
    }
}

fn decode<T: serde::de::DeserializeOwned>(reply: &Reply) -> Result<T> {
    wire::from_cbor(&reply.body).map_err(|e| Error::Refused { status: reply.status, reason: format!("unreadable answer: {e}") })
}

/// One sync's (or one manager command's) calls to the hub, counted; success statuses only.
struct HubCalls<'a> {
    transport: &'a dyn Transport,
    credential: Option<String>,
    requests: u32,
}

impl HubCalls<'_> {
    fn call_raw(&mut self, path: &str, body: Option<Vec<u8>>) -> Result<Reply> {
        self.requests += 1;
        self.transport.call(path, self.credential.as_deref(), body.as_deref()).map_err(Error::Offline)
    }

    fn call<T: serde::de::DeserializeOwned>(&mut self, path: &str, body: Option<Vec<u8>>) -> Result<T> {
        let reply = self.call_raw(path, body)?;
        if reply.status != 200 {
            return Err(refused(&reply));
        }
        decode(&reply)
    }
}

/// Page size of a pull, in segments.
const PULL_PAGE: u32 = limits::MAX_SEGMENTS_PER_PAGE as u32;
/// A sync gives up after this many requests and carries on next time (a backlog ships in few).
const MAX_REQUESTS_PER_SYNC: u32 = 1_000;

impl Store {
    /// The server this device syncs with, once enrolled.
    pub fn sync_server(&self) -> Result<Option<String>> {
        self.read(|_, conn| conn.meta(&meta::SYNC_SERVER))
    }

    fn credential(&self) -> Result<String> {
        self.read(|_, conn| conn.meta(&meta::SYNC_CREDENTIAL))?
            .ok_or_else(|| Error::NotPermitted("this device is not enrolled; scan an enrollment code first".into()))
    }

    fn redeem(&self, server: &str, token: &str, transport: &dyn Transport) -> Result<Redeemed> {
        check_server_address(server)?;
        if self.sync_server()?.is_some() {
            return Err(Error::NotPermitted("this device is already enrolled".into()));
        }
        // This device's own key pair: the hub keeps the public key, to which managers seal the
        // program's next team keys (D71).
        let public_key = Some(self.device_public_key()?);
        let mut s = HubCalls { transport, credential: None, requests: 0 };
        s.call("/v1/enroll/redeem", Some(wire::to_cbor(&Redeem { v: PROTOCOL_VERSION, token: token.to_string(), public_key })))
    }

    /// Enrolls this device from a scanned enrollment code: redeems the one-time token, opens the
    /// program keys with the code's secret, and adopts the device id, role and keys the program
    /// gave it, with the server and credential, in one transaction. Only before anything is
    /// logged. A code that was used or expired is refused ([`Error::Refused`] with 410).
    pub fn enroll_with_code(&self, code: &str, transport: &dyn Transport) -> Result<()> {
        let _turn = self.sync_turn.lock().unwrap_or_else(|p| p.into_inner());
        let payload = parse_code(code)?;
        self.check_can_enroll()?;
        let redeemed = self.redeem(&payload.server, &payload.token, transport)?;
        if redeemed.sealed_keys.ciphertext.is_empty() {
            return Err(Error::Refused { status: 200, reason: "this code starts a program; use it to set up the manager".into() });
        }
        let keys = open_keys(&payload.secret, &redeemed.sealed_keys)
            .map_err(|_| crate::error::invalid("enrollment code", "its secret does not open the program keys"))?;
        if keys.program != redeemed.program {
            return Err(crate::error::invalid("enrollment code", "the keys belong to another program"));
        }
        let references = keys.participant_references;
        let keys = ProgramKeys {
            program: keys.program,
            participant_key: zeroize::Zeroizing::new(keys.participant_key),
            data_key: zeroize::Zeroizing::new(keys.data_key),
            epoch: keys.epoch,
            reporting_public: keys.reporting_public,
            reporting_private: keys.reporting_private.filter(|_| redeemed.role == Role::Manager).map(zeroize::Zeroizing::new),
            older: keys.older_data_keys.iter().map(|k| (k.epoch, zeroize::Zeroizing::new(k.key))).collect(),
        };
        self.enroll_with_credential(redeemed.device, redeemed.role, &keys, &payload.server, &redeemed.credential, references)
    }

    /// Sets up the program's first manager with the one-time token `satchel-server init`
    /// printed: redeems it and creates the program's keys on this device (the server never has
    /// them). This store must have been created with the manager role.
    pub fn start_program(&self, server: &str, token: &str, transport: &dyn Transport) -> Result<()> {
        let _turn = self.sync_turn.lock().unwrap_or_else(|p| p.into_inner());
        if self.role()? != Role::Manager {
            return Err(Error::NotPermitted("only a manager's store can start a program".into()));
        }
        self.check_can_enroll()?;
        let redeemed = self.redeem(server, token, transport)?;
        if !redeemed.sealed_keys.ciphertext.is_empty() || redeemed.role != Role::Manager {
            return Err(Error::Refused { status: 200, reason: "this is a device enrollment code, not the program's first one".into() });
        }
        let keys = ProgramKeys {
            program: redeemed.program,
            participant_key: crypto::random_key(),
            data_key: crypto::random_key(),
            epoch: 1,
            reporting_public: None,
            reporting_private: None,
            older: Vec::new(),
        };
        self.enroll_with_credential(redeemed.device, Role::Manager, &keys, server, &redeemed.credential, 0)?;
        // The program's reporting key pair: encounters are sealed to it from the start; and
        // participant references with the memory-hard step from the start (D74).
        self.make_reporting_key(|p| p.participant_references = crate::participant::CURRENT_VERSION)?;
        Ok(())
    }

    /// Pushes everything pending, then pulls everything new, within one call. Records the
    /// outcome in the sync status (a failure schedules the next attempt with back-off). A sync
    /// that stops half-way keeps what it did; the next one carries on.
    pub fn sync_now(&self, transport: &dyn Transport) -> Result<SyncReport> {
        self.sync_with(transport, SegmentLimits::default())
    }

    /// [`Store::sync_now`] with given segment limits.
    pub fn sync_with(&self, transport: &dyn Transport, limits: SegmentLimits) -> Result<SyncReport> {
        let _turn = self.sync_turn.lock().unwrap_or_else(|p| p.into_inner());
        let credential = self.credential()?;
        let mut session = HubCalls { transport, credential: Some(credential), requests: 0 };
        let mut report = SyncReport::default();
        let result = self.push_all(&mut session, limits, &mut report).and_then(|_| {
            let hub_holds = self.pull_all(&mut session, &mut report)?;
            // A hub restored from a backup may hold less than it acknowledged: send it again.
            let refilled = self.refill(&hub_holds, &mut report)?;
            // A program from before the reporting key gets one from its first manager to sync
            // (after the pull, so that one another manager published is seen first).
            if refilled | self.ensure_reporting_key()? {
                self.push_all(&mut session, limits, &mut report)?;
            }
            // Encounters of a program from before the reporting key, sealed under a team key on
            // the hub: sealed again to the managers (D72).
            self.reseal_legacy(&mut session)?;
            Ok(())
        });
        report.requests = session.requests;
        match result {
            Ok(()) => {
                self.record_sync_success()?;
                Ok(report)
            }
            Err(e) => {
                self.record_sync_failure(&e.to_string())?;
                Err(e)
            }
        }
    }

    fn push_all(&self, s: &mut HubCalls, limits: SegmentLimits, report: &mut SyncReport) -> Result<()> {
        let mut gaps = 0;
        let mut stale = false;
        loop {
            let segments = self.outgoing_segments(limits)?;
            if segments.is_empty() {
                return Ok(());
            }
            if s.requests >= MAX_REQUESTS_PER_SYNC {
                return Err(Error::Offline("more to send than one sync carries; continuing next time".into()));
            }
            let before = self.sync_status()?.pending;
            let reply = s.call_raw("/v1/push", Some(wire::to_cbor(&PushRequest { v: PROTOCOL_VERSION, segments })))?;
            match reply.status {
                200 => {
                    let resp: PushResponse = decode(&reply)?;
                    self.apply_acks(&resp.acks)?;
                }
                409 if !stale && serde_json::from_slice::<ErrorBody>(&reply.body).is_ok_and(|b| b.error == ErrorCode::StaleKey) => {
                    // The program's team key was replaced (a device was revoked) and the new one
                    // waits for this device: take it, and seal again under it.
                    stale = true;
                    self.keys_upkeep(s)?;
                }
                409 => {
                    // The server already holds part of what was sent (an earlier answer was
                    // lost and the outbox was cut differently since): it says where the stream
                    // continues, which acknowledges everything before it.
                    gaps += 1;
                    let body: ErrorBody = serde_json::from_slice(&reply.body).map_err(|_| refused(&reply))?;
                    let (Some(stream), Some(expected)) = (body.stream, body.expected_seq) else {
                        return Err(refused(&reply));
                    };
                    let status = self.outbox_status()?;
                    let st = status.iter().find(|x| x.stream == stream).ok_or_else(|| refused(&reply))?;
                    let held = expected.saturating_sub(1);
                    let mismatch = |why: &str| Error::Refused {
                        status: 409,
                        reason: format!(
                            "the server's copy of this device's {} stream does not match (it expects seq {expected}{why}); ask your manager",
                            stream.as_str()
                        ),
                    };
                    if held >= st.next_seq || gaps > 2 * satchel_protocol::Stream::ALL.len() {
                        return Err(mismatch(""));
                    }
                    if held < st.acked_seq {
                        // The hub lost what it had acknowledged (restored from a backup): send
                        // it again from this device's sent records, if they are all still here.
                        match self.rewind(stream, held)? {
                            Some(n) => report.resent += n,
                            None => return Err(mismatch(", and this device no longer holds what it lost")),
                        }
                    } else {
                        self.acknowledge(stream, held)?;
                    }
                }
                _ => return Err(refused(&reply)),
            }
            report.pushed += before.saturating_sub(self.sync_status()?.pending);
        }
    }

    /// Queues again what the hub acknowledged and no longer holds (`hub_holds`, from a pull);
    /// whether anything was.
    fn refill(&self, hub_holds: &[StreamAck], report: &mut SyncReport) -> Result<bool> {
        let mine = self.outbox_status()?;
        let mut any = false;
        for held in hub_holds {
            let Some(st) = mine.iter().find(|m| m.stream == held.stream) else { continue };
            if held.acked_seq >= st.acked_seq {
                continue;
            }
            match self.rewind(held.stream, held.acked_seq)? {
                Some(n) => {
                    report.resent += n;
                    any |= n > 0;
                }
                None => {
                    return Err(Error::Refused {
                        status: 200,
                        reason: format!(
                            "the server lost this device's {} records after seq {} and this device no longer holds them all; ask your manager",
                            held.stream.as_str(),
                            held.acked_seq
                        ),
                    })
                }
            }
        }
        Ok(any)
    }

    /// Pulls every page; returns what the hub says it holds of this device's streams.
    fn pull_all(&self, s: &mut HubCalls, report: &mut SyncReport) -> Result<Vec<StreamAck>> {
        let mut upkept = false;
        loop {
            if s.requests >= MAX_REQUESTS_PER_SYNC {
                return Err(Error::Offline("more to receive than one sync carries; continuing next time".into()));
            }
            let cursor = self.pull_cursor()?;
            let page: PullResponse =
                s.call("/v1/pull", Some(wire::to_cbor(&PullRequest { v: PROTOCOL_VERSION, cursor, limit: PULL_PAGE, streams: vec![] })))?;
            if page.next_cursor < cursor || page.segments.iter().any(|p| p.cursor <= cursor || p.cursor > page.next_cursor) {
                return Err(Error::Refused { status: 200, reason: "the server answered a page out of order".into() });
            }
            // New team keys first, so that the page's segments under them open (D71).
            if let Some(state) = &page.keys {
                if !upkept && self.keys_behind(state)? {
                    upkept = true;
                    self.keys_upkeep(s)?;
                }
            }
            report.pulled += self.apply_pull_page(&page)? as u64;
            if !page.more || page.segments.is_empty() {
                return Ok(page.acks);
            }
        }
    }

    /// Manager: creates a one-time enrollment code for a new device. The program keys travel
    /// sealed under the code's secret; the server keeps them until the code is redeemed or
    /// expires. Returns the code (the QR text) and when it expires (Unix seconds).
    pub fn create_enrollment(&self, label: &str, role: Role, transport: &dyn Transport) -> Result<(String, i64)> {
        if self.role()? != Role::Manager {
            return Err(Error::NotPermitted("only a manager enrolls devices".into()));
        }
        let server = self.sync_server()?.ok_or_else(|| Error::NotPermitted("start or join a program first".into()))?;
        let keys = self.program_keys()?;
        let wire_keys = satchel_protocol::enrollment::EnrollmentKeys {
            program: keys.program,
            participant_key: *keys.participant_key,
            data_key: *keys.data_key,
            epoch: keys.epoch,
            reporting_public: self.reporting_public_key()?,
            // Only a manager's store is given the key that opens encounters.
            reporting_private: keys.reporting_private.as_ref().filter(|_| role == Role::Manager).map(|k| **k),
            participant_references: self.read(|ctx, _| Ok(ctx.participant_references()))?,
            older_data_keys: keys
                .older
                .iter()
                .map(|(epoch, key)| satchel_protocol::enrollment::OlderKey { epoch: *epoch, key: **key })
                .collect(),
        };
        let mut s = HubCalls { transport, credential: Some(self.credential()?), requests: 0 };
        // The token is the server's; the secret never leaves this device except in the code.
        let mut payload = EnrollmentPayload::new(&server, "pending");
        // The label reaches the hub sealed to the managers (D73), once the program has a
        // reporting key; checked in clear first, so that a bad one is refused as such.
        satchel_protocol::label::check_label(label)
            .ok()
            .filter(|_| !satchel_protocol::label::is_sealed(label))
            .ok_or_else(|| crate::error::invalid("label", format!("1 to {} printable characters", limits::MAX_LABEL_CHARS)))?;
        self.check_label_free(label, &mut s)?;
        let label = match self.reporting_public_key()? {
            Some(public) => satchel_protocol::label::seal_label(&public, label).map_err(|e| crate::error::invalid("label", e.to_string()))?,
            None => label.to_string(),
        };
        let request = CreateEnrollment {
            v: PROTOCOL_VERSION,
            label,
            role,
            sealed_keys: seal_keys(&payload.secret, &wire_keys),
        };
        request.check().map_err(|e| crate::error::invalid("label", e.to_string()))?;
        let created: EnrollmentCreated = s.call("/v1/enrollments", Some(wire::to_cbor(&request)))?;
        payload.token = created.token.clone();
        Ok((payload.to_uri(), created.expires_at))
    }

    /// Manager: the program's devices as the server knows them, labels opened. A label the hub
    /// holds in clear (from an older store, or the hub's own) is sealed on the hub now, best
    /// effort: the list is shown either way (D73).
    pub fn list_devices(&self, transport: &dyn Transport) -> Result<Vec<Device>> {
        let mut s = HubCalls { transport, credential: Some(self.credential()?), requests: 0 };
        let mut devices: Vec<Device> = s.call("/v1/devices", None)?;
        let private = self.program_keys()?.reporting_private;
        let public = self.reporting_public_key()?;
        for d in &mut devices {
            if satchel_protocol::label::is_sealed(&d.label) {
                d.label = self.opened_label(&d.label)?;
            } else if let Some(public) = public.filter(|_| private.is_some()) {
                if let Ok(label) = satchel_protocol::label::seal_label(&public, &d.label) {
                    let body = wire::to_cbor(&wire::Relabel { v: PROTOCOL_VERSION, label });
                    let _ = s.call_raw(&format!("/v1/devices/{}/label", d.device), Some(body));
                }
            }
        }
        Ok(devices)
    }

    /// Manager: revokes a device; its credential stops working at once. Then replaces the
    /// program's team key, sealing the new one to every remaining device, so that the revoked
    /// device reads no stock or setting written from now on (D71). Returns whether the key was
    /// replaced now: the revocation stands even if that second step fails (no signal, or this
    /// store revoked itself), as the hub remembers it is owed and any manager's next sync does it.
    pub fn revoke_device(&self, device: Uuid, transport: &dyn Transport) -> Result<bool> {
        let _turn = self.sync_turn.lock().unwrap_or_else(|p| p.into_inner());
        let mut s = HubCalls { transport, credential: Some(self.credential()?), requests: 0 };
        let reply = s.call_raw(&format!("/v1/devices/{device}/revoke"), Some(Vec::new()))?;
        if !matches!(reply.status, 200 | 204) {
            return Err(refused(&reply));
        }
        if device == self.device_id()? {
            return Ok(false);
        }
        let before = self.program_keys()?.epoch;
        Ok(self.keys_upkeep(&mut s).is_ok() && self.program_keys()?.epoch > before)
    }
}
