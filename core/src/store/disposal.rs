//! Syringes sent for disposal (D91): logged by any device of the program (a worker's phone, an
//! office phone or a manager's store), voided only by the device that logged it.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::Store;
use crate::disposal::{self, DisposalEntry, DisposalRecord, Disposed, NewDisposal};
use crate::error::{invalid, Error, Result};
use crate::outbox::{self, Record};

impl Store {
    /// Logs syringes sent for disposal at `occurred_at` (now when `None`; at most an hour ahead
    /// and a year back). A weight is estimated with the program's syringes-per-pound figure,
    /// which must be set. Returns the entry's id.
    pub fn record_disposal(&self, new: NewDisposal, occurred_at: Option<DateTime<Utc>>) -> Result<Uuid> {
        let now = self.now();
        let at = crate::encounter::to_minute(occurred_at.unwrap_or(now));
        if at > now + Duration::hours(1) {
            return Err(invalid("occurred_at", "is in the future; check the clock"));
        }
        if at < now - Duration::days(366) {
            return Err(invalid("occurred_at", "is more than a year ago"));
        }
        self.write(|ctx, tx| {
            let amount = match new {
                NewDisposal::Counted { syringes } => Disposed::Counted { syringes },
                NewDisposal::Weighed { tenths_of_pound } => {
                    let syringes_per_pound = ctx.settings.program.syringes_per_pound;
                    if syringes_per_pound == 0 {
                        return Err(invalid(
                            "syringes_per_pound",
                            "the program has no syringes-per-pound figure to estimate a weight with; a manager sets it",
                        ));
                    }
                    Disposed::Weighed { tenths_of_pound, syringes_per_pound }
                }
            };
            let record = DisposalRecord { id: Uuid::now_v7(), author: ctx.device, occurred_at: at.timestamp(), amount, voids: None };
            amount.check()?;
            disposal::store(tx, &record, &ctx.settings.time_zone())?;
            outbox::enqueue(tx, &Record::Disposal(record.clone()), now.timestamp())?;
            Ok(record.id)
        })
    }

    /// Voids an entry this device logged: it then counts nowhere.
    pub fn void_disposal(&self, entry: Uuid) -> Result<()> {
        let now = self.now();
        self.write(|ctx, tx| {
            let old = disposal::load(tx, entry)?.ok_or_else(|| Error::NotFound { kind: "disposal", id: entry.to_string() })?;
            if old.author != ctx.device {
                return Err(Error::NotPermitted("only the device that logged a disposal may void it".into()));
            }
            if old.voided {
                return Err(Error::NotPermitted("this disposal is already voided".into()));
            }
            let record = DisposalRecord {
                id: Uuid::now_v7(),
                author: ctx.device,
                occurred_at: old.occurred_at,
                amount: old.amount,
                voids: Some(entry),
            };
            disposal::store(tx, &record, &ctx.settings.time_zone())?;
            outbox::enqueue(tx, &Record::Disposal(record), now.timestamp())?;
            Ok(())
        })
    }

    /// Entries logged in the last `days` days (this device's, or on a manager's store every
    /// device's), newest first, at most `limit` (up to 1,000).
    pub fn disposals(&self, days: u32, limit: u32) -> Result<Vec<DisposalEntry>> {
        let since = (self.now() - Duration::days(days.min(5 * 366) as i64)).timestamp();
        self.read(|_, conn| disposal::recent(conn, since, limit.min(1000)))
    }
}
