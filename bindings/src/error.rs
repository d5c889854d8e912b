//! The one public error of the library, converted from the core's errors in one place. Messages
//! say what to do and never carry participant data, codes, PINs or keys.

use std::panic::{catch_unwind, AssertUnwindSafe};

use satchel_core::{Error as Core, HardwareError};

/// What went wrong, for the app to show or act on.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SatchelError {
    /// The PIN was wrong. `failed_attempts` counts wrong PINs and keys in a row; the app decides
    /// what to do after many (e.g. offer the panic wipe).
    #[error("Wrong PIN ({failed_attempts} failed attempts in a row).")]
    WrongPin { failed_attempts: u32 },
    /// Too many wrong PINs in a row: the PIN was not tried. Show the wait (`seconds`) and try
    /// again after it; the wait survives an app restart and a clock set back.
    #[error("Too many wrong PINs ({failed_attempts} in a row). Try again in {seconds} seconds.")]
    TryLater { seconds: u64, failed_attempts: u32 },
    /// The phone's fingerprint or background key did not open the store.
    #[error("The phone's key did not open the store ({failed_attempts} failed attempts in a row).")]
    WrongKey { failed_attempts: u32 },
    /// Too many wrong PINs in a row: the store was wiped, as the program asked. Nothing of it
    /// is left; show the welcome screen (enroll again).
    #[error("{failed_attempts} wrong PINs in a row: this phone's data was wiped.")]
    Wiped { failed_attempts: u32 },
    /// The worker cancelled the fingerprint prompt. Show the PIN pad; nothing counted.
    #[error("Fingerprint unlock was cancelled.")]
    BiometricsCancelled,
    /// The phone's fingerprints or face changed since fingerprint unlock was turned on, so its
    /// key no longer works. Unlock with the PIN, then offer to turn it on again.
    #[error("The phone's fingerprints or face changed. Unlock with your PIN.")]
    BiometricsChanged,
    /// The phone's keystore did not answer (its key is missing, or it failed). Not a wrong
    /// PIN; nothing changed.
    #[error("The phone's keystore did not answer: {detail}.")]
    KeystoreFailed { detail: String },
    /// The store is locked; unlock it with the PIN first.
    #[error("The store is locked. Unlock it first.")]
    Locked,
    /// A value failed validation; `field` names it, `topic` says what the worker should check
    /// (the apps word it in their language; `reason` is English, for logs and the manager's
    /// tool). Nothing was saved.
    #[error("Please check {field}: {reason}.")]
    InvalidInput { field: String, reason: String, topic: InputTopic },
    /// Something named by id does not exist (an encounter, for example).
    #[error("{detail}")]
    NotFound { detail: String },
    /// This device may not do that (e.g. correct another device's encounter).
    #[error("Not allowed: {detail}.")]
    NotPermitted { detail: String },
    /// There is no store in that folder yet, or one already exists where a new one was asked for.
    #[error("{detail}")]
    StoreState { detail: String },
    /// The store's files are damaged, belong to another store, or come from a newer app. Nothing
    /// was deleted; keep the files and ask for help.
    #[error("The stored data cannot be read: {detail}. Nothing was deleted.")]
    Damaged { detail: String },
    /// Another device sent data in a newer format than this app reads: update the app (nothing
    /// was skipped; sync carries on after the update).
    #[error("Update the app: {detail}.")]
    UpdateRequired { detail: String },
    /// The server could not be reached or did not answer. Nothing is lost; sync tries again.
    #[error("Offline: {detail}.")]
    Offline { detail: String },
    /// The server refused (a revoked device, a used or expired enrollment code, …).
    #[error("The server refused: {detail}.")]
    Refused { detail: String },
    /// An unexpected internal failure (including a caught panic). Nothing was half-saved.
    #[error("Unexpected internal error: {detail}.")]
    Internal { detail: String },
}

impl From<Core> for SatchelError {
    fn from(e: Core) -> Self {
        match e {
            Core::WrongPin { failed_attempts } => SatchelError::WrongPin { failed_attempts },
            Core::WrongKey { failed_attempts } => SatchelError::WrongKey { failed_attempts },
            Core::TryLater { seconds, failed_attempts } => SatchelError::TryLater { seconds, failed_attempts },
            Core::Wiped { failed_attempts } => SatchelError::Wiped { failed_attempts },
            Core::Hardware(HardwareError::Cancelled) => SatchelError::BiometricsCancelled,
            Core::Hardware(HardwareError::Invalidated) => SatchelError::BiometricsChanged,
            Core::Hardware(h) => SatchelError::KeystoreFailed { detail: h.to_string() },
            Core::Locked => SatchelError::Locked,
            Core::Invalid { field, reason } => SatchelError::InvalidInput { topic: InputTopic::of(&field), field, reason },
            Core::NotFound { .. } => SatchelError::NotFound { detail: e.to_string() },
            Core::NotPermitted(detail) => SatchelError::NotPermitted { detail },
            Core::NoSuchUnlock(_) | Core::NoStore(_) | Core::AlreadyExists(_) => {
                SatchelError::StoreState { detail: e.to_string() }
            }
            Core::NewerRecord { .. } => SatchelError::UpdateRequired { detail: e.to_string() },
            Core::Damaged(_) | Core::ForeignFile(_) | Core::NewerSchema { .. } | Core::BadRecord(_) => {
                SatchelError::Damaged { detail: e.to_string() }
            }
            Core::Offline(detail) => SatchelError::Offline { detail },
            Core::Refused { .. } => SatchelError::Refused { detail: e.to_string() },
            Core::WipeIncomplete(_) | Core::Sqlite(_) | Core::Io(_) | Core::Migration(_) => {
                SatchelError::Internal { detail: e.to_string() }
            }
        }
    }
}

pub(crate) fn invalid(field: &str, reason: &str) -> SatchelError {
    let field: String = field.into();
    SatchelError::InvalidInput { topic: InputTopic::of(&field), field, reason: reason.into() }
}

/// What a refused value is about, for the worker: each app words it in its language, so the
/// core's English reason never shows on a phone (decided here once, for both apps).
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum InputTopic {
    ParticipantCode,
    /// The time (the phone's clock may be wrong).
    Time,
    Zone,
    /// The supplies (an item, a kit).
    Supplies,
    /// The participant profile's answers.
    Profile,
    NaloxoneKit,
    ServicesDelivered,
    /// A number: returned syringes, containers, reversals, doses, "collecting for", stock.
    Counts,
    Pin,
    Other,
}

impl InputTopic {
    /// The topic of a field the core names (`items.quantity` is about the supplies).
    pub fn of(field: &str) -> InputTopic {
        match field.split('.').next().unwrap_or(field) {
            "participant_code" => InputTopic::ParticipantCode,
            "occurred_at" => InputTopic::Time,
            "zone" => InputTopic::Zone,
            "items" | "kit" | "item" => InputTopic::Supplies,
            "race" | "ethnicity" | "residence" | "profile" => InputTopic::Profile,
            "naloxone_kit" => InputTopic::NaloxoneKit,
            "services_delivered" => InputTopic::ServicesDelivered,
            "syringes_collected" | "sharps_containers" | "overdose_reversals" | "naloxone_doses_used" | "collecting_for"
            | "quantity" | "delta" | "level" | "syringes" | "pounds" => InputTopic::Counts,
            "pin" => InputTopic::Pin,
            _ => InputTopic::Other,
        }
    }
}

/// Runs one call of the foreign API: a panic inside becomes `SatchelError::Internal` instead of
/// unwinding into Kotlin or Swift. The core's locks recover from poisoning, so the store stays
/// usable after a caught panic.
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, SatchelError>) -> Result<T, SatchelError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        Err(SatchelError::Internal { detail: format!("a bug stopped the operation ({what})") })
    })
}
