//! The core's error type. Messages name fields and say what to do; they never carry participant
//! data, codes, keys or PINs.

use std::path::PathBuf;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The PIN did not open the key. Nothing on disk changed apart from the attempt counter.
    #[error("wrong PIN ({failed_attempts} failed attempts in a row)")]
    WrongPin { failed_attempts: u32 },

    /// Too many wrong PINs in a row: the next try is accepted after `seconds` (see
    /// [`crate::pin::wait_after`]). The PIN was not tried and nothing changed.
    #[error("too many wrong PINs ({failed_attempts} in a row); try again in {seconds} s")]
    TryLater { seconds: u64, failed_attempts: u32 },

    /// The phone's hardware key (fingerprint, background) did not open the key.
    #[error("the phone's key did not open the store ({failed_attempts} failed attempts in a row)")]
    WrongKey { failed_attempts: u32 },

    /// Too many wrong PINs in a row: the store was wiped, as the program asked. Nothing of it is
    /// left on the phone; enroll again.
    #[error("{failed_attempts} wrong PINs in a row: the store was wiped")]
    Wiped { failed_attempts: u32 },

    /// The phone's keystore did not answer (missing key, cancelled prompt, changed biometrics).
    /// Not a wrong attempt; nothing changed.
    #[error("{0}")]
    Hardware(#[from] crate::hardware::HardwareError),

    /// The store has no key wrapped for this way of unlocking (e.g. no platform key was set).
    #[error("this store cannot be unlocked that way: no {0} key is set")]
    NoSuchUnlock(&'static str),

    /// The store is locked; unlock it first.
    #[error("the store is locked; unlock it with the PIN")]
    Locked,

    /// There is no store in this folder.
    #[error("no store in {0}; create one first")]
    NoStore(PathBuf),

    /// A store (or a leftover part of one) is already in this folder; it is never overwritten.
    #[error("a store already exists in {0}; open it, or wipe it first")]
    AlreadyExists(PathBuf),

    /// The key opened, but the database file is damaged. The file is left as it is.
    #[error("the database is damaged ({0}); it was left untouched, keep a copy and ask for help")]
    Damaged(String),

    /// The database file does not belong to this key file (another store, or not a store).
    #[error("the database file does not belong to this store ({0}); it was left untouched")]
    ForeignFile(String),

    /// The database was written by a newer version of Satchel.
    #[error("the database has schema version {found}, newer than this app knows ({known}); update the app")]
    NewerSchema { found: u32, known: u32 },

    /// A value given to the core failed validation. Nothing was written.
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },

    /// Something named by id does not exist.
    #[error("no {kind} with id {id}")]
    NotFound { kind: &'static str, id: String },

    /// The action is not allowed for this device.
    #[error("not permitted: {0}")]
    NotPermitted(String),

    /// A record from another device is in a newer format than this app reads.
    #[error("a record in format {found} arrived; this app reads format {known}; update the app")]
    NewerRecord { found: u32, known: u32 },

    /// A record received from another device could not be applied.
    #[error("cannot apply record: {0}")]
    BadRecord(String),

    /// The server could not be reached or did not answer; nothing is lost, sync tries again.
    #[error("offline: {0}")]
    Offline(String),

    /// The server refused the request (`status` is its HTTP status).
    #[error("the server refused ({status}): {reason}")]
    Refused { status: u16, reason: String },

    /// Panic wipe could not remove everything; the listed steps failed (the others ran).
    #[error("wipe incomplete: {0}")]
    WipeIncomplete(String),

    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),

    #[error("file error: {0}")]
    Io(#[from] std::io::Error),

    #[error("schema migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match e.sqlite_error_code() {
            Some(DatabaseCorrupt) | Some(NotADatabase) => Error::Damaged(e.to_string()),
            _ => Error::Sqlite(e),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shorthand for a validation error naming the field.
pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::Invalid { field: field.into(), reason: reason.into() }
}
