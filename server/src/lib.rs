//! Satchel's sync hub. It stores sealed segments it cannot read and serves them back by a
//! commit-ordered cursor; it knows devices only by id, role and a hash of their credential.
//! It depends on the protocol crate only — never on the core or SQLCipher.
//!
//! `hub` holds the storage rules, `http` the API, `connections` how many connections are held and
//! for how long, `serve` the running server (TLS, purge), and
//! the `satchel-server` binary the command line.

pub mod connections;
pub mod http;
pub mod hub;
#[doc(hidden)]
#[cfg(feature = "testing")]
pub mod scratch;
pub mod serve;

pub use hub::{Device, Hub, HubError};
