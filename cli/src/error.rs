//! The manager's tool's one error type: every failure is converted into it once, where it
//! happens, and said once, by `main`, on standard error.

use std::path::PathBuf;

/// What went wrong, in words that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The store, the sync client or a tally refused or failed.
    #[error("{}", in_words(.0))]
    Store(#[from] satchel_core::Error),
    /// A file could not be read or written.
    #[error("{what} {}: {source}", path.display())]
    File { what: &'static str, path: PathBuf, source: std::io::Error },
    /// A store is already in the folder `program init` was given; it is never overwritten.
    #[error("a store already exists in {}; use it, or choose another --store", .0.display())]
    StoreExists(PathBuf),
    /// No manager's store in the folder.
    #[error("no manager's store in {}; run `satchel program init` first (or give --store)", .0.display())]
    NoStore(PathBuf),
    /// The store there is an outreach phone's, not a manager's.
    #[error("the store in {} is not a manager's store", .0.display())]
    NotManagerStore(PathBuf),
    /// A new passphrase was refused or typed differently twice (the reason never repeats it);
    /// nothing was created.
    #[error("{0}; nothing was created")]
    NewPassphrase(String),
    /// Anything else the tool refuses: a command line or a file it cannot act on, with the
    /// reason and what to do.
    #[error("{0}")]
    Refused(String),
}

impl From<String> for CliError {
    fn from(reason: String) -> Self {
        CliError::Refused(reason)
    }
}

impl From<&str> for CliError {
    fn from(reason: &str) -> Self {
        CliError::Refused(reason.to_owned())
    }
}

pub type Result<T, E = CliError> = std::result::Result<T, E>;

/// A store error in the manager's words.
fn in_words(e: &satchel_core::Error) -> String {
    use satchel_core::Error as E;
    match e {
        E::WrongPin { failed_attempts } => format!("wrong passphrase ({failed_attempts} failed attempts in a row)"),
        E::Offline(m) => format!("the server could not be reached: {m}"),
        other => other.to_string(),
    }
}
