//! The store: one encrypted database and its key file in a folder, locked or unlocked.
//!
//! Every write is one `IMMEDIATE` transaction that holds the record, its stock movements and its
//! outbox entries; `synchronous = FULL` makes it durable before `Ok` returns, so an entry the
//! worker was told is saved survives a crash at any instant.

pub mod client;
mod directory;
mod disposal;
mod encounters;
mod enrollment;
mod life;
mod release_files;
mod releases;
mod reports;
mod settings;
mod sheet;
mod shift;
mod stock;
pub mod sync;
mod unlock;
mod wipe;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, TransactionBehavior};
use uuid::Uuid;

use crate::crypto::{KdfParams, SecretKey};
use crate::error::{Error, Result};
use crate::hardware::HardwareKeys;
use crate::keyfile::StorePaths;
use crate::settings::{ProgramSettings, Role};

pub use enrollment::ProgramKeys;
pub(crate) use enrollment::program_id;
pub(crate) use settings::{apply_setting, current_tz, follow_zone_rules, observe_hlc};
pub use release_files::{FilePair, Published, Release, Settled, Withdrawn};
pub use releases::{AuditProgress, PeriodCheck, ReleaseInfo, ReleaseQuery, SuppressedReport};
pub use shift::{ShiftSummary, SHIFT_HOURS};
pub use stock::{LowStock, StockRow};
pub use wipe::wipe;

/// The time source; tests and demos set their own.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Milliseconds since the phone started, counting time asleep (`None` where the platform has no
/// such clock); tests set their own.
pub type Uptime = Arc<dyn Fn() -> Option<i64> + Send + Sync>;

/// How a new store is made.
pub struct CreateOptions {
    pub role: Role,
    /// The worker's PIN (or the manager's passphrase).
    pub pin: String,
    /// The phone's keystore. On a phone it is required: every key that wraps the database key
    /// then needs the phone's hardware, so the files alone open nothing. Without it (a manager's
    /// laptop), the PIN alone wraps the key.
    pub hardware: Option<Arc<dyn HardwareKeys>>,
    /// Also wrap the key for background sync (needs `hardware`).
    pub background: bool,
    pub kdf: KdfParams,
}

impl CreateOptions {
    /// A store that the PIN (a passphrase) alone opens: a manager's laptop, tests, the demo.
    pub fn with_pin(role: Role, pin: &str) -> Self {
        CreateOptions { role, pin: pin.into(), hardware: None, background: false, kdf: KdfParams::DEFAULT }
    }

    /// A phone's store: the PIN together with the phone's hardware.
    pub fn on_phone(role: Role, pin: &str, hardware: Arc<dyn HardwareKeys>) -> Self {
        CreateOptions { role, pin: pin.into(), hardware: Some(hardware), background: false, kdf: KdfParams::PHONE }
    }
}

/// What an unlocked store holds besides its connection.
pub(crate) struct Unlocked {
    pub(crate) db_key: SecretKey,
    pub(crate) device: Uuid,
    pub(crate) role: Role,
    pub(crate) location: Option<String>,
    pub(crate) participant_key: SecretKey,
    pub(crate) settings: ProgramSettings,
    /// The reference version enrollment gave, if any (0: none).
    pub(crate) reference_floor: u32,
}

impl Unlocked {
    /// The participant-reference version this device computes (D74).
    pub(crate) fn participant_references(&self) -> u32 {
        self.settings.program.participant_references.max(self.reference_floor).max(1)
    }
}

/// The store while it is unlocked: its connection and what unlocking gave.
struct OpenStore {
    conn: Connection,
    ctx: Unlocked,
}

/// An on-device store. Safe to share between threads; calls are serialised.
pub struct Store {
    paths: StorePaths,
    clock: Clock,
    uptime: Uptime,
    /// The phone's keystore; `None` on a manager's laptop.
    hardware: Option<Arc<dyn HardwareKeys>>,
    session: Mutex<Option<OpenStore>>,
    /// One sync or enrollment at a time (a background job and the worker's "sync now" must not
    /// interleave their acknowledgements).
    pub(crate) sync_turn: Mutex<()>,
}

impl Store {
    /// The folder holding this store.
    pub fn dir(&self) -> &Path {
        self.paths.dir()
    }

    /// Whether a store's key file is in `dir`.
    pub fn exists(dir: &Path) -> bool {
        StorePaths::new(dir).keys().exists()
    }

    /// Replaces the time source (for tests and demos).
    pub fn with_clock(mut self, clock: Clock) -> Store {
        self.clock = clock;
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Replaces the clock since the phone started (for tests).
    pub fn with_uptime(mut self, uptime: Uptime) -> Store {
        self.uptime = uptime;
        self
    }

    /// Gives the store the phone's keystore: a phone store's PIN needs it to unlock.
    pub fn with_hardware(mut self, hardware: Arc<dyn HardwareKeys>) -> Store {
        self.hardware = Some(hardware);
        self
    }

    fn new_locked(paths: StorePaths, hardware: Option<Arc<dyn HardwareKeys>>) -> Store {
        Store {
            paths,
            clock: Arc::new(Utc::now),
            uptime: Arc::new(crate::pin::uptime_ms),
            hardware,
            session: Mutex::new(None),
            sync_turn: Mutex::new(()),
        }
    }

    fn lock_session(&self) -> MutexGuard<'_, Option<OpenStore>> {
        self.session.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` in one immediate transaction on the unlocked store.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Unlocked, &Connection) -> Result<T>) -> Result<T> {
        let mut guard = self.lock_session();
        let session = guard.as_mut().ok_or(Error::Locked)?;
        let tx = session.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&session.ctx, &tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Unlocked, &Connection) -> Result<T>) -> Result<T> {
        let guard = self.lock_session();
        let session = guard.as_ref().ok_or(Error::Locked)?;
        f(&session.ctx, &session.conn)
    }

    pub fn device_id(&self) -> Result<Uuid> {
        self.read(|ctx, _| Ok(ctx.device))
    }

    pub fn role(&self) -> Result<Role> {
        self.read(|ctx, _| Ok(ctx.role))
    }
}
