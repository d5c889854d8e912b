//! Satchel's sync hub. It stores sealed segments it cannot read and serves them back by a
//! commit-ordered cursor; it knows devices only by id, role and a hash of their credential.
//! It depends on the protocol crate only — never on the core. Its SQLite storage runs on the
//! workspace's one SQLite library (`satchel-sqlcipher`), opened without a key.
//!
//! `hub` holds the storage rules, `http` the API, `connections` how many connections are held and
//! for how long, `serve` the running server (TLS, purge), and
//! the `satchel-server` binary the command line.

// Links the SQLite library sqlx's declarations call.
use satchel_sqlcipher as _;

pub mod connections;
pub mod http;
pub mod hub;
#[doc(hidden)]
#[cfg(feature = "testing")]
pub mod scratch;
pub mod serve;

pub use hub::{Device, Hub, HubError};
