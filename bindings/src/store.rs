//! Opening, unlocking, locking and wiping a store.

use std::path::Path;
use std::sync::Arc;

use satchel_core::crypto::KdfParams;
use satchel_core::{CreateOptions, Store};
use zeroize::Zeroizing;

use crate::error::{guard, invalid, SatchelError};
use crate::plain::{DeviceRole, PinProblem};
use crate::{Encounters, ProgramInfo, Reports, Stock};

pub(crate) fn platform_key(bytes: &[u8]) -> Result<Zeroizing<[u8; 32]>, SatchelError> {
    let key: [u8; 32] = bytes.try_into().map_err(|_| invalid("platform_key", "must be exactly 32 bytes"))?;
    Ok(Zeroizing::new(key))
}

/// The encrypted store on this device: one folder with the database and its key file.
///
/// Safe to use from several threads; calls are serialised inside. Lock it when the app goes to
/// the background; unlock it with the worker's PIN or the platform key.
#[derive(uniffi::Object)]
pub struct SatchelStore {
    pub(crate) inner: Arc<Store>,
}

#[uniffi::export]
impl SatchelStore {
    /// Creates a new store in `dir` (which must not hold one) and leaves it unlocked. Give a
    /// PIN (4 to 64 characters), a 32-byte platform key from the Android Keystore or iOS
    /// Keychain, or both. Existing files are never overwritten.
    #[uniffi::constructor]
    pub fn create(
        dir: String,
        role: DeviceRole,
        pin: Option<String>,
        platform_key: Option<Vec<u8>>,
    ) -> Result<Arc<Self>, SatchelError> {
        Self::create_with_cost(dir, role, pin, platform_key, KdfParams::DEFAULT)
    }

    /// Opens the store in `dir`, locked.
    #[uniffi::constructor]
    pub fn open(dir: String) -> Result<Arc<Self>, SatchelError> {
        guard(|| Ok(Arc::new(SatchelStore { inner: Arc::new(Store::open(Path::new(&dir))?) })))
    }

    /// Unlocks with the worker's PIN. A wrong PIN raises `WrongPin` with the count of failed
    /// attempts and changes nothing else.
    pub fn unlock_with_pin(&self, pin: String) -> Result<(), SatchelError> {
        let pin = Zeroizing::new(pin);
        guard(|| Ok(self.inner.unlock_with_pin(&pin)?))
    }

    /// Unlocks with the 32-byte key the platform keystore holds for this store.
    pub fn unlock_with_platform_key(&self, key: Vec<u8>) -> Result<(), SatchelError> {
        let key = Zeroizing::new(key);
        guard(|| Ok(self.inner.unlock_with_platform_key(&*platform_key(&key)?)?))
    }

    /// Lets the platform key unlock this store too (or replaces it). The store must be unlocked.
    pub fn set_platform_key(&self, key: Vec<u8>) -> Result<(), SatchelError> {
        let key = Zeroizing::new(key);
        guard(|| Ok(self.inner.set_platform_key(&*platform_key(&key)?)?))
    }

    /// Changes the PIN. Only the wrapped key is rewritten; the data is not re-encrypted.
    pub fn change_pin(&self, current_pin: String, new_pin: String) -> Result<(), SatchelError> {
        let (current, new) = (Zeroizing::new(current_pin), Zeroizing::new(new_pin));
        guard(|| Ok(self.inner.change_pin(&current, &new)?))
    }

    /// Closes the database and wipes the keys from memory.
    pub fn lock(&self) {
        self.inner.lock()
    }

    /// Whether the store is unlocked.
    pub fn is_unlocked(&self) -> bool {
        self.inner.is_unlocked()
    }

    /// Wrong PINs and keys in a row since the last successful unlock.
    pub fn failed_attempts(&self) -> u32 {
        self.inner.failed_attempts()
    }

    /// Seconds until another PIN is tried after wrong ones (0: now). The first four wrong PINs
    /// cost nothing; then 30 s, doubling up to an hour. Show a countdown and keep the PIN field
    /// disabled meanwhile; a try made too soon raises `TryLater`.
    pub fn unlock_wait_seconds(&self) -> Result<u64, SatchelError> {
        guard(|| Ok((self.inner.unlock_wait()?.num_milliseconds().max(0) as u64).div_ceil(1000)))
    }

    /// This device's id (not secret; it names the author of its records).
    pub fn device_id(&self) -> Result<String, SatchelError> {
        guard(|| Ok(self.inner.device_id()?.to_string()))
    }

    /// Logging, correcting and listing encounters.
    pub fn encounters(&self) -> Arc<Encounters> {
        Arc::new(Encounters { store: self.inner.clone() })
    }

    /// Stock levels and movements.
    pub fn stock(&self) -> Arc<Stock> {
        Arc::new(Stock { store: self.inner.clone() })
    }

    /// The program's settings: catalog, kits and lists.
    pub fn program(&self) -> Arc<ProgramInfo> {
        Arc::new(ProgramInfo { store: self.inner.clone() })
    }

    /// Tallies for a period.
    pub fn reports(&self) -> Arc<Reports> {
        Arc::new(Reports { store: self.inner.clone() })
    }

    /// Enrollment, sync and sync status.
    pub fn sync(&self) -> Arc<crate::SyncControl> {
        Arc::new(crate::SyncControl { store: self.inner.clone() })
    }

    /// Deletes encounters the server has acknowledged that are older than the program's
    /// retention period. Returns how many were deleted. Call it after each sync and daily.
    pub fn purge_expired(&self) -> Result<u64, SatchelError> {
        guard(|| Ok(self.inner.purge_expired()?))
    }

    /// Panic wipe: locks the store and destroys it (key file first, then the database and its
    /// side files). Every step runs even if one fails. The store cannot be used afterwards.
    pub fn wipe(&self) -> Result<(), SatchelError> {
        guard(|| {
            self.inner.lock();
            Ok(satchel_core::wipe(self.inner_dir())?)
        })
    }
}

impl SatchelStore {
    /// `create` with a chosen key-derivation cost (tests use a cheap one).
    pub fn create_with_cost(
        dir: String,
        role: DeviceRole,
        pin: Option<String>,
        platform_key_bytes: Option<Vec<u8>>,
        kdf: KdfParams,
    ) -> Result<Arc<Self>, SatchelError> {
        let pin = pin.map(Zeroizing::new);
        let key_bytes = platform_key_bytes.map(Zeroizing::new);
        guard(|| {
            let platform_key = key_bytes.as_ref().map(|k| platform_key(k)).transpose()?;
            let opts = CreateOptions {
                role,
                pin: pin.as_ref().map(|p| p.to_string()),
                platform_key: platform_key.map(|k| *k),
                kdf,
            };
            Ok(Arc::new(SatchelStore { inner: Arc::new(Store::create(Path::new(&dir), opts)?) }))
        })
    }

    fn inner_dir(&self) -> &Path {
        self.inner.dir()
    }
}

/// Checks a PIN a worker chooses at setup or when changing it: 4 to 8 digits, and none a thief
/// tries first (0000, 1234, 1212, the most common PINs). `null`/`nil` when it is fine. Call it
/// before `create` and `changePin`; the store itself accepts any 4 to 64 characters (a
/// manager's passphrase too).
#[uniffi::export]
pub fn check_new_pin(pin: String) -> Option<PinProblem> {
    let pin = Zeroizing::new(pin);
    satchel_core::pin::pin_problem(&pin)
}

/// Whether a store exists in `dir` (so the app knows to ask for a PIN or to set one up).
#[uniffi::export]
pub fn store_exists(dir: String) -> bool {
    Store::exists(Path::new(&dir))
}

/// Panic wipe without opening the store: destroys every file of the store in `dir`.
#[uniffi::export]
pub fn panic_wipe(dir: String) -> Result<(), SatchelError> {
    guard(|| Ok(satchel_core::wipe(Path::new(&dir))?))
}

/// Raises a Rust panic on purpose inside the library. It must arrive as
/// `SatchelError.Internal`, never as a crash: the binding tests call it to check that guarantee.
/// Only in test builds (feature `testing`); the apps' library does not have it.
#[cfg(feature = "testing")]
#[uniffi::export]
pub fn check_panic_is_caught() -> Result<(), SatchelError> {
    guard(|| panic!("deliberate panic to check the FFI boundary"))
}
