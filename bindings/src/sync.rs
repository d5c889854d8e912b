//! Enrollment, "sync now", sync status, and the manager's device administration.
//!
//! These calls use the network and block until the server answers or a timeout passes: call
//! them from a background thread (a coroutine on `Dispatchers.IO`, a Swift `Task`), never from
//! the UI thread. The worker can keep logging meanwhile. They go through the HTTP client the
//! app set at start-up ([`crate::set_http_client`]).

use std::sync::Arc;

use satchel_core::{PlatformTransport, Store};

use crate::error::{guard, invalid, SatchelError};
use crate::plain::DeviceRole;

/// What one sync did.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SyncOutcome {
    /// Records the server acknowledged.
    pub pushed: u64,
    /// Records from other devices received.
    pub pulled: u64,
    /// Requests made.
    pub requests: u32,
    /// Records sent again because the hub, restored from a backup, no longer held them.
    pub resent: u64,
    /// Encounters deleted after the sync: acknowledged and past the program's retention.
    pub purged: u64,
}

/// Pending records of one stream.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct StreamPending {
    /// `encounters`, `inventory` or `settings`.
    pub stream: String,
    /// Records the server has not acknowledged yet.
    pub pending: u64,
}

/// What the app shows about sync. "Synced" is true only when nothing is pending.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SyncState {
    /// Whether this device has joined a program's server.
    pub enrolled: bool,
    /// Records not yet acknowledged by the server, all streams.
    pub pending: u64,
    /// This phone's contacts not yet sent (their newest change, voids included): the waiting
    /// count to show on every screen (the shift summary's `waiting` is the same).
    pub contacts_waiting: u64,
    pub streams: Vec<StreamPending>,
    /// Unix seconds of the last complete sync.
    pub last_success: Option<i64>,
    /// Why the last sync failed (cleared by a success). Never holds participant data.
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    /// Unix seconds before which an automatic retry should wait (back-off with jitter).
    pub next_attempt: Option<i64>,
    /// Segments from other devices set aside because they can never be applied (damaged or
    /// forged). Not zero: tell the manager; some data did not arrive on this device.
    pub quarantined: u64,
    /// Runs of other devices' records that never arrived readable (the server skipped them,
    /// or delivered them damaged). Not zero: tell the manager.
    pub holes: u64,
}

/// A one-time enrollment code for a new device (show it as a QR code).
#[derive(Clone, uniffi::Record)]
pub struct EnrollmentCode {
    /// The text to encode in the QR code. Secret: show it only to the device being enrolled.
    pub code: String,
    /// Unix seconds after which the code no longer works.
    pub expires_at: i64,
}

/// A device of the program, as the server knows it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ProgramDevice {
    pub device_id: String,
    pub label: String,
    pub role: DeviceRole,
    /// Unix seconds of its last request.
    pub last_seen: Option<i64>,
    pub revoked: bool,
}

/// Sync with the program's server.
#[derive(uniffi::Object)]
pub struct SyncControl {
    pub(crate) store: Arc<Store>,
}

impl SyncControl {
    fn transport(&self) -> Result<PlatformTransport, SatchelError> {
        let server = self
            .store
            .sync_server()?
            .ok_or_else(|| SatchelError::NotPermitted { detail: "this device is not enrolled; scan an enrollment code first".into() })?;
        to(&server)
    }
}

/// A transport to `server` over the HTTP client the app set ([`crate::set_http_client`]).
fn to(server: &str) -> Result<PlatformTransport, SatchelError> {
    // A bad address is the input's fault, whether or not a client was set.
    satchel_core::client::check_server_address(server)?;
    let http = crate::http::current()
        .ok_or_else(|| SatchelError::Internal { detail: "no HTTP client was set: call setHttpClient at start-up".into() })?;
    Ok(PlatformTransport::new(server, http)?)
}

#[uniffi::export]
impl SyncControl {
    /// Joins a program with a scanned enrollment code (`satchel://enroll?…`). Only on a store
    /// where nothing was logged yet. A used or expired code raises `Refused`.
    pub fn enroll(&self, code: String) -> Result<(), SatchelError> {
        let code = zeroize::Zeroizing::new(code);
        guard(|| {
            let payload = satchel_core::client::parse_code(&code)?;
            let transport = to(&payload.server)?;
            Ok(self.store.enroll_with_code(&code, &transport)?)
        })
    }

    /// Sets up the program's first manager on this (manager) store with the one-time token the
    /// server's `init` printed.
    pub fn start_program(&self, server: String, token: String) -> Result<(), SatchelError> {
        let token = zeroize::Zeroizing::new(token);
        guard(|| {
            let transport = to(&server)?;
            Ok(self.store.start_program(&server, &token, &transport)?)
        })
    }

    /// Sends everything pending and receives everything new, then deletes what the hub holds
    /// and the retention period has passed (one call for both apps and the background run).
    /// Raises `Offline` when the server cannot be reached (nothing is lost, nothing is purged;
    /// try again after `status().next_attempt`).
    pub fn sync_now(&self) -> Result<SyncOutcome, SatchelError> {
        guard(|| {
            let transport = self.transport()?;
            let r = self.store.sync_now(&transport)?;
            let purged = self.store.purge_expired()?;
            Ok(SyncOutcome { pushed: r.pushed, pulled: r.pulled, requests: r.requests, resent: r.resent, purged })
        })
    }

    /// Pending records, last success, last error and next attempt.
    pub fn status(&self) -> Result<SyncState, SatchelError> {
        guard(|| {
            let s = self.store.sync_status()?;
            Ok(SyncState {
                enrolled: self.store.sync_server()?.is_some(),
                pending: s.pending,
                contacts_waiting: s.contacts_waiting,
                streams: s
                    .streams
                    .iter()
                    .map(|x| StreamPending { stream: x.stream.as_str().to_string(), pending: x.pending })
                    .collect(),
                last_success: s.last_success.map(|t| t.timestamp()),
                last_error: s.last_error,
                consecutive_failures: s.consecutive_failures,
                next_attempt: s.next_attempt.map(|t| t.timestamp()),
                quarantined: s.quarantined,
                holes: s.holes,
            })
        })
    }

    /// Manager: a one-time code that enrolls a new device with `label` and `role`.
    pub fn create_enrollment(&self, label: String, role: DeviceRole) -> Result<EnrollmentCode, SatchelError> {
        guard(|| {
            let (code, expires_at) = self.store.create_enrollment(&label, role, &self.transport()?)?;
            Ok(EnrollmentCode { code, expires_at })
        })
    }

    /// Manager: the program's devices.
    pub fn devices(&self) -> Result<Vec<ProgramDevice>, SatchelError> {
        guard(|| {
            Ok(self
                .store
                .list_devices(&self.transport()?)?
                .into_iter()
                .map(|d| ProgramDevice {
                    device_id: d.device.to_string(),
                    label: d.label,
                    role: d.role,
                    last_seen: d.last_seen,
                    revoked: d.revoked,
                })
                .collect())
        })
    }

    /// Manager: revokes a device at once (a lost or stolen phone).
    pub fn revoke_device(&self, device_id: String) -> Result<(), SatchelError> {
        guard(|| {
            let id = uuid::Uuid::parse_str(&device_id).map_err(|_| invalid("device_id", "not a device id"))?;
            // The team key is replaced now or at a manager's next sync (D71); either way it is.
            self.store.revoke_device(id, &self.transport()?)?;
            Ok(())
        })
    }
}
