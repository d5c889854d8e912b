//! Satchel's sync hub. It stores sealed segments it cannot read and serves them back by a
//! commit-ordered cursor; it knows devices only by id, role and a hash of their credential.
//! It depends on the protocol crate only — never on the core or SQLCipher.
//!
//! This crate holds the hub's storage rules (`hub`); the HTTP service, TLS, PostgreSQL and the
//! command line come next.

pub mod http;
pub mod hub;

pub use hub::{Device, Hub, HubError};
