//! Satchel's core: the encrypted on-device store, the outreach domain and its tallies.
//!
//! It knows nothing of FFI or of the server's storage. The native apps reach it through the
//! bindings crate; the manager's tool builds on it. Sync runs over a [`client::Transport`]
//! (the phone's own HTTP stack, or HTTPS with rustls under the `https` feature).

// Links SQLCipher, the library rusqlite's declarations call (D59).
use satchel_sqlcipher as _;

pub mod crypto;
pub mod directory;
pub mod disposal;
pub mod encounter;
pub mod error;
pub mod hardware;
pub mod keyfile;
mod meta;
pub mod outbox;
pub mod participant;
pub mod pin;
pub mod profile;
pub mod schema;
pub mod settings;
pub mod sheet;
pub mod stock;
pub mod store;
// Sync and the hub client extend the Store, so they live under store/ (every `impl Store` is
// there); their paths stay `satchel_core::sync` and `satchel_core::client`.
pub use store::{client, sync};
pub mod suppress;
pub mod tally;
pub mod validate;
pub mod zone;

#[cfg(feature = "https")]
pub use client::HttpTransport;
pub use client::{Enrollment, PlatformTransport, Refilled, Reply, SyncReport, Transport};
pub use encounter::{ContactType, ContainerCount, ContainerReturn, DeliveredService, EncounterRecord, EncounterSummary, NaloxoneKit, NewEncounter, Outcome};
pub use error::{Error, Result};
pub use hardware::{HardwareError, HardwareKeys, KeyPurpose, MemoryKeys};
pub use stock::{AdjustReason, MovementKind, MovementRecord, StockLevel};
pub use outbox::{OutboxEntry, Record, Stream, StreamStatus};
pub use settings::{Choice, ContainerType, ItemCategory, ItemQuantity, Kit, ListKind, Location, Program, ProgramSettings, Role, Setting, SupplyItem};
pub use store::{wipe, CreateOptions, LowStock, StockRow, ProgramKeys, AuditProgress, PeriodCheck, ReleaseInfo, ReleaseQuery, ShiftSummary, Store, SuppressedReport};
pub use suppress::{suppress, suppress_tally, Cell, CountTable, SuppressedTable};
pub use sync::{SegmentLimits, SyncStatus};
pub use tally::{Granularity, Measures, Tally, TallyQuery};
pub use zone::Zone;
