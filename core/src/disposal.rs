//! Used syringes sent for disposal (D91): a program weighs its sharps containers at the office
//! or counts what it sends, and funders ask how many syringes left the community safely. An
//! entry is either a count or a weight; a weight becomes an estimate of syringes with the
//! program's syringes-per-pound figure **of the day it is logged**, kept in the entry, so a new
//! figure never rewrites past reports (as the sharps containers' estimate, D57).
//!
//! An entry belongs to no zone and to no person. It travels in the encounters stream, sealed
//! to the managers, and counts in the daily tallies under the zone `""`, so a tally of a
//! zone never holds it. A wrong entry is voided by the device that logged it, never edited.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{invalid, Error, Result};
use crate::zone::Zone;

/// The most syringes one entry counts.
pub const MAX_SYRINGES: u32 = 1_000_000;
/// The heaviest entry, in tenths of a pound (10,000 lb).
pub const MAX_TENTHS_OF_POUND: u32 = 100_000;
/// The largest syringes-per-pound figure a program may set.
pub const MAX_SYRINGES_PER_POUND: u32 = 10_000;

/// What was sent for disposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Disposed {
    /// Syringes counted one by one.
    Counted { syringes: u32 },
    /// Sharps weighed, with the figure that turned the weight into syringes when it was logged.
    Weighed { tenths_of_pound: u32, syringes_per_pound: u32 },
}

impl Disposed {
    /// Syringes this entry counts: the count, or the weight's estimate (rounded half up).
    pub fn syringes(&self) -> u64 {
        match *self {
            Disposed::Counted { syringes } => syringes as u64,
            Disposed::Weighed { tenths_of_pound, syringes_per_pound } => {
                (tenths_of_pound as u64 * syringes_per_pound as u64 + 5) / 10
            }
        }
    }

    fn method(&self) -> &'static str {
        match self {
            Disposed::Counted { .. } => "counted",
            Disposed::Weighed { .. } => "weighed",
        }
    }

    /// Range checks, as a typed error naming what was typed.
    pub(crate) fn check(&self) -> Result<()> {
        match *self {
            Disposed::Counted { syringes } if !(1..=MAX_SYRINGES).contains(&syringes) => {
                Err(invalid("syringes", format!("must be 1 to {MAX_SYRINGES}")))
            }
            Disposed::Weighed { tenths_of_pound, .. } if !(1..=MAX_TENTHS_OF_POUND).contains(&tenths_of_pound) => {
                Err(invalid("pounds", "must be 0.1 to 10,000"))
            }
            Disposed::Weighed { syringes_per_pound, .. } if !(1..=MAX_SYRINGES_PER_POUND).contains(&syringes_per_pound) => {
                Err(invalid("syringes_per_pound", format!("must be 1 to {MAX_SYRINGES_PER_POUND}")))
            }
            _ => Ok(()),
        }
    }
}

/// What a device asks to log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewDisposal {
    Counted { syringes: u32 },
    /// The program's current syringes-per-pound figure is taken when it is logged.
    Weighed { tenths_of_pound: u32 },
}

/// An entry as it travels: logged, or voided by the record `voids` names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisposalRecord {
    /// Id of this record; for the entry itself, also the entry's id.
    pub id: Uuid,
    pub author: Uuid,
    /// Unix seconds, whole minutes.
    pub occurred_at: i64,
    pub amount: Disposed,
    /// The entry this record voids (its time and amount repeated, so the void stands on its
    /// own when it arrives first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voids: Option<Uuid>,
}

impl DisposalRecord {
    /// Shape checks for a record from another device.
    pub fn check(&self) -> Result<()> {
        if self.occurred_at % 60 != 0 {
            return Err(Error::BadRecord("disposal: time is not whole minutes".into()));
        }
        self.amount.check().map_err(|_| Error::BadRecord("disposal: amount out of range".into()))
    }

    /// The entry this record logs or voids.
    pub fn entry(&self) -> Uuid {
        self.voids.unwrap_or(self.id)
    }
}

/// A logged entry, as a list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisposalEntry {
    pub id: Uuid,
    pub author: Uuid,
    pub occurred_at: i64,
    pub amount: Disposed,
    pub voided: bool,
}

/// Stores a record: an entry once (a repeat is ignored), a void by marking its entry (or
/// writing the entry already voided when the void comes first). A void from another device
/// than the entry's author changes nothing: only the author voids an entry.
pub(crate) fn store(conn: &Connection, r: &DisposalRecord, tz: &Zone) -> Result<()> {
    let (tenths, per_pound) = match r.amount {
        Disposed::Counted { .. } => (None, None),
        Disposed::Weighed { tenths_of_pound, syringes_per_pound } => (Some(tenths_of_pound), Some(syringes_per_pound)),
    };
    conn.prepare_cached(
        "INSERT INTO disposal (entry, author, occurred_at, local_day, method, tenths_of_pound, syringes_per_pound, syringes, voided_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (entry) DO UPDATE SET voided_by = excluded.voided_by
           WHERE disposal.voided_by IS NULL AND excluded.voided_by IS NOT NULL AND disposal.author = excluded.author",
    )?
    .execute(params![
        r.entry().as_bytes().as_slice(),
        r.author.as_bytes().as_slice(),
        r.occurred_at,
        crate::encounter::local_day(r.occurred_at, tz),
        r.amount.method(),
        tenths,
        per_pound,
        r.amount.syringes() as i64,
        r.voids.map(|_| r.id.as_bytes().to_vec()),
    ])?;
    Ok(())
}

/// One stored entry.
pub(crate) fn load(conn: &Connection, entry: Uuid) -> Result<Option<DisposalEntry>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE entry = ?1"))?
        .query_row([entry.as_bytes().as_slice()], row)
        .optional()?)
}

const SELECT: &str =
    "SELECT entry, author, occurred_at, method, tenths_of_pound, syringes_per_pound, syringes, voided_by IS NOT NULL FROM disposal";

fn row(r: &rusqlite::Row) -> rusqlite::Result<DisposalEntry> {
    let uuid = |i: usize| -> rusqlite::Result<Uuid> {
        let bytes: Vec<u8> = r.get(i)?;
        Uuid::from_slice(&bytes).map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, Box::new(e)))
    };
    let method: String = r.get(3)?;
    let amount = if method == "weighed" {
        Disposed::Weighed { tenths_of_pound: r.get(4)?, syringes_per_pound: r.get(5)? }
    } else {
        Disposed::Counted { syringes: r.get(6)? }
    };
    Ok(DisposalEntry { id: uuid(0)?, author: uuid(1)?, occurred_at: r.get(2)?, amount, voided: r.get(7)? })
}

/// Entries logged from `since` (unix seconds), newest first, at most `limit`.
pub(crate) fn recent(conn: &Connection, since: i64, limit: u32) -> Result<Vec<DisposalEntry>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE occurred_at >= ?1 ORDER BY occurred_at DESC, entry DESC LIMIT ?2"))?;
    let rows = stmt.query_map(params![since, limit], row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Moves the entries' local days to a new time zone (the triggers move their counts).
pub(crate) fn recompute_local_days(conn: &Connection, tz: &Zone) -> Result<()> {
    let rows: Vec<(Vec<u8>, i64, i64)> = {
        let mut stmt = conn.prepare("SELECT entry, occurred_at, local_day FROM disposal")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (entry, at, stored) in rows {
        let day = crate::encounter::local_day(at, tz);
        if day != stored {
            conn.prepare_cached("UPDATE disposal SET local_day = ?2 WHERE entry = ?1")?.execute(params![entry, day])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weight_becomes_syringes_at_the_figure_it_was_logged_with() {
        assert_eq!(Disposed::Weighed { tenths_of_pound: 125, syringes_per_pound: 90 }.syringes(), 1125);
        // 0.3 lb × 25 = 7.5, rounded half up.
        assert_eq!(Disposed::Weighed { tenths_of_pound: 3, syringes_per_pound: 25 }.syringes(), 8);
        assert_eq!(Disposed::Counted { syringes: 40 }.syringes(), 40);
        let max = Disposed::Weighed { tenths_of_pound: MAX_TENTHS_OF_POUND, syringes_per_pound: MAX_SYRINGES_PER_POUND };
        assert_eq!(max.syringes(), 100_000_000);
        assert!(max.check().is_ok());
    }

    #[test]
    fn amounts_out_of_range_are_refused() {
        for bad in [
            Disposed::Counted { syringes: 0 },
            Disposed::Counted { syringes: MAX_SYRINGES + 1 },
            Disposed::Weighed { tenths_of_pound: 0, syringes_per_pound: 100 },
            Disposed::Weighed { tenths_of_pound: 10, syringes_per_pound: 0 },
            Disposed::Weighed { tenths_of_pound: MAX_TENTHS_OF_POUND + 1, syringes_per_pound: 100 },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
            let r = DisposalRecord { id: Uuid::nil(), author: Uuid::nil(), occurred_at: 60, amount: bad, voids: None };
            assert!(matches!(r.check(), Err(Error::BadRecord(_))), "{bad:?}");
        }
        let r = DisposalRecord { id: Uuid::nil(), author: Uuid::nil(), occurred_at: 61, amount: Disposed::Counted { syringes: 1 }, voids: None };
        assert!(r.check().is_err());
    }
}
