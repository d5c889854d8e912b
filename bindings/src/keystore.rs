//! The phone's hardware keystore, implemented by the app (Android Keystore with StrongBox where
//! present, iOS Secure Enclave) and called by the core: every key that wraps the store's
//! database key needs an answer only this phone's hardware can compute, so a copy of the
//! phone's files opens nothing, whatever PIN is guessed (`docs/key-handling.md`).

use std::sync::Arc;

use satchel_core::{HardwareError, HardwareKeys, KeyPurpose};
use zeroize::Zeroizing;

/// What a hardware key is for. Each is its own key in the keystore, with its own rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum KeyUse {
    /// Goes with the PIN. No user authentication on the key itself: the PIN is the check.
    Pin,
    /// Fingerprint or face unlock. The key requires user authentication for every use
    /// (Android: `setUserAuthenticationRequired(true)` with biometric-strong only,
    /// `setInvalidatedByBiometricEnrollment(true)`, used through a `BiometricPrompt.CryptoObject`
    /// wrapping the `Mac`; iOS: a Secure Enclave key with `.biometryCurrentSet`).
    Biometric,
    /// Background sync while the app is locked. No prompt, but usable only while the phone is
    /// unlocked (Android: `setUnlockedDeviceRequired(true)`; iOS:
    /// `kSecAttrAccessibleWhenUnlockedThisDeviceOnly`).
    Background,
}

/// Why the keystore did not answer. None of these counts as a wrong PIN.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum KeystoreError {
    /// The key does not exist (deleted, or the app's data was moved to another phone).
    #[error("the key is missing")]
    Missing,
    /// The worker cancelled the biometric prompt.
    #[error("cancelled")]
    Cancelled,
    /// Biometrics changed since the key was made, so it no longer works
    /// (`KeyPermanentlyInvalidatedException`, a changed `.biometryCurrentSet`).
    #[error("biometrics changed")]
    Invalidated,
    /// Anything else: a few words (an exception's class name), never key material.
    #[error("{detail}")]
    Failed { detail: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KeystoreError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        KeystoreError::Failed { detail: "the app's keystore failed".into() }
    }
}

/// The phone's hardware keystore, implemented by the app.
///
/// Every key is generated inside the keystore and never leaves it: `derive` computes
/// HMAC-SHA256(key, salt) inside the hardware (Android: a `KeyProperties.KEY_ALGORITHM_HMAC_SHA256`
/// key, StrongBox where the phone has it), or a Secure Enclave P-256 key agreement followed by
/// HKDF over the salt (iOS). Store nothing the keystore answers; the library asks again at each
/// unlock.
#[uniffi::export(with_foreign)]
pub trait PhoneKeystore: Send + Sync {
    /// Makes a new key for `key_use`, replacing any old one.
    fn create_key(&self, key_use: KeyUse) -> Result<(), KeystoreError>;
    /// 32 bytes computed inside the hardware from `salt` (32 bytes) with the key for `key_use`;
    /// the same bytes for the same salt while the key exists. For `Biometric`, show the
    /// biometric prompt first and compute with the authenticated `CryptoObject`. Called from a
    /// background thread, and may block it while the prompt is up.
    fn derive(&self, key_use: KeyUse, salt: Vec<u8>) -> Result<Vec<u8>, KeystoreError>;
    /// Destroys the key for `key_use`. A key that does not exist is not an error.
    fn destroy_key(&self, key_use: KeyUse) -> Result<(), KeystoreError>;
}

/// The app's keystore as the core's [`HardwareKeys`].
pub(crate) struct Foreign(pub(crate) Arc<dyn PhoneKeystore>);

fn key_use(purpose: KeyPurpose) -> KeyUse {
    match purpose {
        KeyPurpose::Pin => KeyUse::Pin,
        KeyPurpose::Biometric => KeyUse::Biometric,
        KeyPurpose::Background => KeyUse::Background,
    }
}

fn error(purpose: KeyPurpose, e: KeystoreError) -> HardwareError {
    match e {
        KeystoreError::Missing => HardwareError::Missing(purpose.as_str()),
        KeystoreError::Cancelled => HardwareError::Cancelled,
        KeystoreError::Invalidated => HardwareError::Invalidated,
        KeystoreError::Failed { detail } => HardwareError::Failed(detail),
    }
}

impl HardwareKeys for Foreign {
    fn create(&self, purpose: KeyPurpose) -> Result<(), HardwareError> {
        self.0.create_key(key_use(purpose)).map_err(|e| error(purpose, e))
    }

    fn derive(&self, purpose: KeyPurpose, salt: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>, HardwareError> {
        let answer = Zeroizing::new(self.0.derive(key_use(purpose), salt.to_vec()).map_err(|e| error(purpose, e))?);
        let bytes: [u8; 32] = answer
            .as_slice()
            .try_into()
            .map_err(|_| HardwareError::Failed("the keystore's answer is not 32 bytes".into()))?;
        Ok(Zeroizing::new(bytes))
    }

    fn destroy(&self, purpose: KeyPurpose) -> Result<(), HardwareError> {
        self.0.destroy_key(key_use(purpose)).map_err(|e| error(purpose, e))
    }
}
