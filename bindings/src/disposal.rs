//! Used syringes sent for disposal (D91): logged on an office or worker's phone, counted or
//! weighed, voided by the phone that logged it.

use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use satchel_core::disposal::{Disposed, NewDisposal};
use satchel_core::Store;
use uuid::Uuid;

use crate::error::{guard, invalid, SatchelError};

/// What was sent for disposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum DisposalAmount {
    /// Syringes counted, 1 to 1,000,000.
    Counted { syringes: u32 },
    /// Sharps weighed, in tenths of a pound (1 to 100,000); estimated with the program's
    /// syringes-per-pound figure when logged.
    Weighed { tenths_of_pound: u32 },
}

/// One entry, as a list shows it.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct DisposalEntry {
    pub id: String,
    pub occurred_at: SystemTime,
    pub amount: DisposalAmount,
    /// The figure a weighed entry was estimated with (0 for a count).
    pub syringes_per_pound: u32,
    /// The count, or the weight's estimate.
    pub syringes: u64,
    pub voided: bool,
    /// Logged by this device (only it may void the entry).
    pub mine: bool,
}

/// Syringes sent for disposal.
#[derive(uniffi::Object)]
pub struct Disposals {
    pub(crate) store: Arc<Store>,
}

#[uniffi::export]
impl Disposals {
    /// Logs an entry at `occurred_at` (now when absent). A weight needs the program's
    /// syringes-per-pound figure; without it the error names `syringes_per_pound`. Returns the
    /// entry's id.
    pub fn record(&self, amount: DisposalAmount, occurred_at: Option<SystemTime>) -> Result<String, SatchelError> {
        let new = match amount {
            DisposalAmount::Counted { syringes } => NewDisposal::Counted { syringes },
            DisposalAmount::Weighed { tenths_of_pound } => NewDisposal::Weighed { tenths_of_pound },
        };
        guard(|| Ok(self.store.record_disposal(new, occurred_at.map(DateTime::<Utc>::from))?.to_string()))
    }

    /// Voids an entry this device logged.
    pub fn void(&self, id: String) -> Result<(), SatchelError> {
        guard(|| {
            let id = Uuid::parse_str(&id).map_err(|_| invalid("id", "is not a disposal id"))?;
            Ok(self.store.void_disposal(id)?)
        })
    }

    /// Entries of the last `days` days, newest first, at most `limit`.
    pub fn recent(&self, days: u32, limit: u32) -> Result<Vec<DisposalEntry>, SatchelError> {
        guard(|| {
            let me = self.store.device_id()?;
            Ok(self
                .store
                .disposals(days, limit)?
                .into_iter()
                .map(|e| {
                    let (amount, syringes_per_pound) = match e.amount {
                        Disposed::Counted { syringes } => (DisposalAmount::Counted { syringes }, 0),
                        Disposed::Weighed { tenths_of_pound, syringes_per_pound } => {
                            (DisposalAmount::Weighed { tenths_of_pound }, syringes_per_pound)
                        }
                    };
                    DisposalEntry {
                        id: e.id.to_string(),
                        occurred_at: DateTime::<Utc>::from_timestamp(e.occurred_at, 0).unwrap_or_default().into(),
                        amount,
                        syringes_per_pound,
                        syringes: e.amount.syringes(),
                        voided: e.voided,
                        mine: e.author == me,
                    }
                })
                .collect())
        })
    }
}
