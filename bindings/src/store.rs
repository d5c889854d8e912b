//! Opening, unlocking, locking and wiping a store.

use std::path::Path;
use std::sync::Arc;

use satchel_core::crypto::KdfParams;
use satchel_core::{CreateOptions, KeyPurpose, Store};
use zeroize::Zeroizing;

use crate::error::{guard, SatchelError};
use crate::keystore::{Foreign, PhoneKeystore};
use crate::plain::{DeviceRole, PinProblem};
use crate::{Encounters, ProgramInfo, Reports, Stock};

/// The encrypted store on this device: one folder with the database and its key file.
///
/// Safe to use from several threads; calls are serialised inside. Lock it when the app goes to
/// the background; unlock it with the worker's PIN (together with the phone's keystore), with
/// fingerprint, or for background sync.
#[derive(uniffi::Object)]
pub struct SatchelStore {
    pub(crate) inner: Arc<Store>,
}

fn keys(keystore: Arc<dyn PhoneKeystore>) -> Arc<dyn satchel_core::HardwareKeys> {
    Arc::new(Foreign(keystore))
}

#[uniffi::export]
impl SatchelStore {
    /// Creates a new store in `dir` (which must not hold one) and leaves it unlocked. The PIN
    /// (4 to 64 characters; for a worker, check it with `checkNewPin` first) wraps the store's
    /// key together with a new key in the phone's `keystore`, so the files alone never open.
    /// With `background_sync`, a background key is made too (see `setBackgroundSync`).
    /// Existing files are never overwritten.
    #[uniffi::constructor]
    pub fn create(
        dir: String,
        role: DeviceRole,
        pin: String,
        keystore: Arc<dyn PhoneKeystore>,
        background_sync: bool,
    ) -> Result<Arc<Self>, SatchelError> {
        Self::create_with_cost(dir, role, pin, keystore, background_sync, KdfParams::PHONE)
    }

    /// Opens the store in `dir`, locked. The `keystore` is the one it was created with.
    #[uniffi::constructor]
    pub fn open(dir: String, keystore: Arc<dyn PhoneKeystore>) -> Result<Arc<Self>, SatchelError> {
        guard(|| Ok(Arc::new(SatchelStore { inner: Arc::new(Store::open(Path::new(&dir))?.with_hardware(keys(keystore))) })))
    }

    /// Unlocks with the worker's PIN and the phone's PIN key. A wrong PIN raises `WrongPin`
    /// with the count of failed attempts and changes nothing else; at the program's limit of
    /// wrong PINs in a row the store is wiped (`Wiped`). A store made by an earlier version is
    /// upgraded here (its old wraps replaced by hardware-bound ones).
    pub fn unlock_with_pin(&self, pin: String) -> Result<(), SatchelError> {
        let pin = Zeroizing::new(pin);
        guard(|| Ok(self.inner.unlock_with_pin(&pin)?))
    }

    /// Unlocks with fingerprint or face: the keystore's biometric key (it shows the prompt).
    /// A cancelled prompt raises `BiometricsCancelled`; changed biometrics `BiometricsChanged`
    /// (then unlock with the PIN and offer to turn fingerprint unlock on again).
    pub fn unlock_with_biometrics(&self) -> Result<(), SatchelError> {
        guard(|| Ok(self.inner.unlock_with_biometrics()?))
    }

    /// Unlocks for background sync with the keystore's background key (usable only while the
    /// phone is unlocked). Sync, purge, and lock again at once.
    pub fn unlock_for_background(&self) -> Result<(), SatchelError> {
        guard(|| Ok(self.inner.unlock_for_background()?))
    }

    /// Turns fingerprint unlock on (a new biometric key; the keystore shows the prompt; the
    /// store must be unlocked) or off (its key destroyed; works while locked).
    pub fn set_biometric_unlock(&self, on: bool) -> Result<(), SatchelError> {
        guard(|| Ok(self.set_unlock(KeyPurpose::Biometric, on)?))
    }

    /// Turns background sync while the app is locked on (the store must be unlocked) or off.
    pub fn set_background_sync(&self, on: bool) -> Result<(), SatchelError> {
        guard(|| Ok(self.set_unlock(KeyPurpose::Background, on)?))
    }

    /// Whether fingerprint unlock is on for this store.
    pub fn has_biometric_unlock(&self) -> Result<bool, SatchelError> {
        guard(|| Ok(self.inner.has_unlock(KeyPurpose::Biometric)?))
    }

    /// Whether background sync can open this store while the app is locked.
    pub fn has_background_sync(&self) -> Result<bool, SatchelError> {
        guard(|| Ok(self.inner.has_unlock(KeyPurpose::Background)?))
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

    /// Used syringes sent for disposal (D91).
    pub fn disposals(&self) -> Arc<crate::disposal::Disposals> {
        Arc::new(crate::disposal::Disposals { store: self.inner.clone() })
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
    /// retention period. Returns how many were deleted. `syncNow` calls it after each sync; call
    /// it daily besides.
    pub fn purge_expired(&self) -> Result<u64, SatchelError> {
        guard(|| Ok(self.inner.purge_expired()?))
    }

    /// Panic wipe: locks the store, destroys its keys in the phone's keystore, then its files
    /// (key file first, then the database and its side files). Every step runs even if one
    /// fails. The store cannot be used afterwards.
    pub fn wipe(&self) -> Result<(), SatchelError> {
        guard(|| Ok(self.inner.wipe()?))
    }
}

impl SatchelStore {
    /// `create` with a chosen key-derivation cost (tests use a cheap one).
    pub fn create_with_cost(
        dir: String,
        role: DeviceRole,
        pin: String,
        keystore: Arc<dyn PhoneKeystore>,
        background_sync: bool,
        kdf: KdfParams,
    ) -> Result<Arc<Self>, SatchelError> {
        let pin = Zeroizing::new(pin);
        guard(|| {
            let opts = CreateOptions {
                role,
                pin: pin.to_string(),
                hardware: Some(keys(keystore)),
                background: background_sync,
                kdf,
            };
            Ok(Arc::new(SatchelStore { inner: Arc::new(Store::create(Path::new(&dir), opts)?) }))
        })
    }

    fn set_unlock(&self, purpose: KeyPurpose, on: bool) -> satchel_core::Result<()> {
        if on {
            self.inner.enable_unlock(purpose)
        } else {
            self.inner.disable_unlock(purpose)
        }
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

/// Panic wipe without unlocking the store: destroys its keys in the phone's keystore, then
/// every file of the store in `dir`. Every step runs even if one fails.
#[uniffi::export]
pub fn panic_wipe(dir: String, keystore: Arc<dyn PhoneKeystore>) -> Result<(), SatchelError> {
    guard(|| {
        let hw = keys(keystore);
        let mut failed = Vec::new();
        for purpose in satchel_core::KeyPurpose::ALL {
            if let Err(e) = hw.destroy(purpose) {
                failed.push(format!("{} key: {e}", purpose.as_str()));
            }
        }
        let files = satchel_core::wipe(Path::new(&dir));
        match (files, failed.is_empty()) {
            (Ok(()), true) => Ok(()),
            (Ok(()), false) => Err(satchel_core::Error::WipeIncomplete(failed.join("; ")).into()),
            (Err(e), _) => Err(e.into()),
        }
    })
}

/// `SatchelStore.create` with a cheap key-derivation cost (Argon2id `m_kib`, `t`), so that a
/// test can try every 4-digit PIN against the files in seconds. Only in test builds (feature
/// `testing`).
#[cfg(feature = "testing")]
#[uniffi::export]
pub fn create_store_with_cost(
    dir: String,
    role: DeviceRole,
    pin: String,
    keystore: Arc<dyn PhoneKeystore>,
    background_sync: bool,
    m_kib: u32,
    t: u32,
) -> Result<Arc<SatchelStore>, SatchelError> {
    SatchelStore::create_with_cost(dir, role, pin, keystore, background_sync, KdfParams { m_kib, t, p: 1 })
}

/// Raises a Rust panic on purpose inside the library. It must arrive as
/// `SatchelError.Internal`, never as a crash: the binding tests call it to check that guarantee.
/// Only in test builds (feature `testing`); the apps' library does not have it.
#[cfg(feature = "testing")]
#[uniffi::export]
pub fn check_panic_is_caught() -> Result<(), SatchelError> {
    guard(|| panic!("deliberate panic to check the FFI boundary"))
}
