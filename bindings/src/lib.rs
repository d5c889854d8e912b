//! Satchel's native library for the Android and iOS apps: thin `#[uniffi::export]` wrappers
//! over `satchel-core`, one module per area. Everything a worker does goes through here.
//!
//! The object tree: [`SatchelStore`] (create, open, unlock, lock, wipe) hands out
//! [`Encounters`], [`Stock`], [`ProgramInfo`], [`Reports`] and [`SyncControl`], which share the one store.

uniffi::setup_scaffolding!();

mod directory;
mod disposal;
mod encounters;
mod error;
mod http;
mod keystore;
mod plain;
mod program;
mod reports;
mod sheet;
mod stock;
mod store;
mod sync;

pub use directory::*;
pub use encounters::*;
pub use error::SatchelError;
pub use http::*;
pub use keystore::*;
pub use plain::*;
pub use program::*;
pub use reports::*;
pub use sheet::*;
pub use stock::*;
pub use store::*;
pub use sync::*;
