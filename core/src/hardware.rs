//! The phone's hardware-held keys, as the core sees them: a non-exportable key in the Android
//! Keystore (StrongBox where present) or the iOS Secure Enclave that computes a 32-byte secret
//! from a salt *inside* the hardware. The core combines that secret with the PIN (or uses it
//! alone, for fingerprint unlock and background sync) to make the key that wraps the database
//! key, so a copy of the phone's files opens nothing: the hardware's answer is never stored.
//!
//! The native side implements [`HardwareKeys`] (a foreign trait in the bindings); tests use
//! [`MemoryKeys`], which keeps its secrets in memory, outside the store's files.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::crypto::{self, SecretKey};

/// What a hardware key is for. Each purpose is its own key, with its own rules on the phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyPurpose {
    /// Combined with the PIN (through Argon2id). Usable without a prompt: the PIN is the check.
    Pin,
    /// Fingerprint or face unlock: the key requires user authentication for every use
    /// (Android `setUserAuthenticationRequired` with a `BiometricPrompt.CryptoObject`,
    /// invalidated when biometrics change; iOS `.biometryCurrentSet`).
    Biometric,
    /// Background sync while the app is locked: usable without a prompt, but only while the
    /// phone itself is unlocked (Android `setUnlockedDeviceRequired`, iOS
    /// `kSecAttrAccessibleWhenUnlockedThisDeviceOnly`).
    Background,
}

impl KeyPurpose {
    pub const ALL: [KeyPurpose; 3] = [KeyPurpose::Pin, KeyPurpose::Biometric, KeyPurpose::Background];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyPurpose::Pin => "pin",
            KeyPurpose::Biometric => "biometric",
            KeyPurpose::Background => "background",
        }
    }
}

/// Why the hardware did not answer. None of these counts as a wrong PIN.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HardwareError {
    /// The key does not exist (deleted, or the app was restored onto another phone).
    #[error("the phone's {0} key is missing")]
    Missing(&'static str),
    /// The worker cancelled the biometric prompt.
    #[error("cancelled")]
    Cancelled,
    /// The phone's biometrics changed since the key was made, so the key no longer works:
    /// unlock with the PIN and turn fingerprint unlock on again.
    #[error("the phone's fingerprints or face changed; unlock with the PIN")]
    Invalidated,
    /// Anything else the keystore reported (its message carries no secret).
    #[error("the phone's keystore failed: {0}")]
    Failed(String),
}

/// The phone's keystore, implemented by the app (Android Keystore, iOS Secure Enclave).
///
/// `derive` must compute its answer inside the hardware with a key that cannot be exported, as
/// HMAC-SHA256(key, salt) or a key agreement followed by a KDF over the salt, and return the
/// same 32 bytes for the same salt for as long as the key exists.
pub trait HardwareKeys: Send + Sync {
    /// Makes a new key for `purpose`, replacing any old one.
    fn create(&self, purpose: KeyPurpose) -> Result<(), HardwareError>;
    /// 32 bytes computed inside the hardware from `salt` with the key for `purpose`. For
    /// [`KeyPurpose::Biometric`] the implementation shows the biometric prompt first.
    fn derive(&self, purpose: KeyPurpose, salt: &[u8; 32]) -> Result<SecretKey, HardwareError>;
    /// Destroys the key for `purpose`; a key that does not exist is not an error.
    fn destroy(&self, purpose: KeyPurpose) -> Result<(), HardwareError>;
}

/// A stand-in for the phone's keystore in tests and on the desktop preview: HMAC-SHA256 under
/// random keys held in memory only, so the store's files alone open nothing, exactly as on a
/// phone. It is not hardware: a process dump reveals its keys. Never use it on a phone.
#[derive(Default)]
pub struct MemoryKeys {
    keys: Mutex<HashMap<KeyPurpose, SecretKey>>,
    /// Purposes whose `derive` fails as if the worker cancelled the prompt.
    refuse: Mutex<Vec<KeyPurpose>>,
}

impl MemoryKeys {
    pub fn new() -> Self {
        MemoryKeys::default()
    }

    /// Makes `derive` for `purpose` fail with `Cancelled` (or succeed again).
    pub fn refuse(&self, purpose: KeyPurpose, refuse: bool) {
        let mut r = self.refuse.lock().unwrap_or_else(|p| p.into_inner());
        r.retain(|p| *p != purpose);
        if refuse {
            r.push(purpose);
        }
    }

    /// Whether a key for `purpose` exists.
    pub fn has(&self, purpose: KeyPurpose) -> bool {
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).contains_key(&purpose)
    }
}

impl HardwareKeys for MemoryKeys {
    fn create(&self, purpose: KeyPurpose) -> Result<(), HardwareError> {
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).insert(purpose, crypto::random_key());
        Ok(())
    }

    fn derive(&self, purpose: KeyPurpose, salt: &[u8; 32]) -> Result<SecretKey, HardwareError> {
        if self.refuse.lock().unwrap_or_else(|p| p.into_inner()).contains(&purpose) {
            return Err(HardwareError::Cancelled);
        }
        let keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let key = keys.get(&purpose).ok_or(HardwareError::Missing(purpose.as_str()))?;
        Ok(crypto::hmac32(key, salt))
    }

    fn destroy(&self, purpose: KeyPurpose) -> Result<(), HardwareError> {
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).remove(&purpose);
        Ok(())
    }
}
