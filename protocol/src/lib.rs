//! Satchel's sync protocol: the wire types devices and the server exchange, and the sealing of
//! segments. It depends on neither SQLCipher nor the core, so the server can use it alone.
//!
//! What the server sees: device ids, stream names, sequence numbers, key epochs, sizes and
//! times. What it cannot see: anything inside a segment.

pub mod columns;
pub mod enrollment;
pub mod label;
pub mod limits;
pub mod segment;
pub mod team;
pub mod wire;

use serde::{Deserialize, Serialize};

pub use segment::{open, open_as_manager, reporting_key_pair, reporting_public_key, seal, seal_to_managers, SealedSegment, SegmentHeader, MANAGERS_ONLY};

/// The protocol version this crate speaks; every request names it.
pub const PROTOCOL_VERSION: u32 = 1;

/// The per-device streams records are grouped into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    Encounters,
    Inventory,
    Settings,
}

impl Stream {
    pub const ALL: [Stream; 3] = [Stream::Encounters, Stream::Inventory, Stream::Settings];

    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Encounters => "encounters",
            Stream::Inventory => "inventory",
            Stream::Settings => "settings",
        }
    }

    pub fn parse(s: &str) -> Option<Stream> {
        Stream::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What can be wrong with a protocol message or segment.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    /// The segment does not open under this key and header: wrong key, altered or misplaced.
    #[error("the segment cannot be opened: wrong key, or altered or misplaced")]
    Unreadable,
    /// A size or count limit was exceeded.
    #[error("too large: {0}")]
    TooLarge(String),
    /// The message is malformed.
    #[error("invalid: {0}")]
    Invalid(String),
    /// The peer speaks another protocol version.
    #[error("protocol version {found} is not supported (this side speaks {supported})")]
    Version { found: u32, supported: u32 },
}
